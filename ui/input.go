package ui

import (
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// maxInput bounds what the input holds: the longest code, a quantity prefix and some slack. A
// stuck key or a long paste must not grow the screen's state without end.
const maxInput = comptoir.MaxCodeLen + 16

// field is the one-line input of a screen. It only appends and erases at its end: scanners and
// cashiers type codes and amounts from left to right, and a cursor that could move would let a
// burst land in the middle of a half-typed code.
type field struct {
	runes []rune
	// limit replaces maxInput when set, for fields that take more than a code (a file path).
	limit int
}

// typed feeds a key message into the field and returns the lines it completed. Bubble Tea v1
// delivers characters that arrive together (a scanner's burst, a paste) as one KeyMsg holding
// them all, so each rune is looked at; a carriage return or line feed inside the burst ends a
// line as Enter would, and control characters are dropped.
func (f *field) typed(msg tea.KeyMsg) (lines []string) {
	switch msg.Type {
	case tea.KeySpace:
		f.insert(' ')
		return nil
	case tea.KeyRunes:
	default:
		return nil
	}
	if msg.Alt {
		return nil
	}
	for _, r := range msg.Runes {
		if r == '\r' || r == '\n' {
			// An empty line inside a burst (the LF of a CR LF, a blank line pasted) is no Enter on
			// an empty input: it must not open the payment.
			if !f.empty() {
				lines = append(lines, f.take())
			}
			continue
		}
		f.insert(r)
	}
	return lines
}

func (f *field) insert(r rune) {
	limit := maxInput
	if f.limit > 0 {
		limit = f.limit
	}
	if !unicode.IsPrint(r) || len(f.runes) >= limit {
		return
	}
	f.runes = append(f.runes, r)
}

// erase deletes the last character.
func (f *field) erase() {
	if len(f.runes) > 0 {
		f.runes = f.runes[:len(f.runes)-1]
	}
}

// take empties the field and returns what it held.
func (f *field) take() string {
	s := string(f.runes)
	// The runes are cleared before the slice is reused: a PIN typed in a field must not stay
	// in memory behind an empty field until the next input overwrites it.
	clear(f.runes)
	f.runes = f.runes[:0]
	return s
}

func (f *field) String() string { return string(f.runes) }

func (f *field) empty() bool { return len(f.runes) == 0 }
