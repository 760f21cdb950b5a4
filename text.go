package comptoir

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText strips terminal escape sequences, control characters and invisible formatting runes
// from text that comes from outside (a product label in a CSV file, a name typed elsewhere) and
// folds the spaces in it. An escape sequence hidden in a label must never reach the terminal or
// the printer, and neither should its leftover parameters ("[31m").
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			i += escapeLen(s[i:])
			continue
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// escapeLen is the length of the escape sequence at the start of s (which starts with ESC): a CSI
// sequence ends with a byte from '@' to '~', an OSC one with BEL or ESC \, any other is two bytes.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= '@' && s[i] <= '~' {
				return i + 1
			}
		}
		return len(s)
	case ']':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 2
}
