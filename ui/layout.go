package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/comptoir/comptoir"
)

// fit cuts s to w cells (ending it with … when cut) and pads it with spaces to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}

// right pads s on the left to w cells, cutting it first if it is wider.
func right(s string, w int) string {
	if lipgloss.Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", max(0, w-lipgloss.Width(s))) + s
}

// spread puts left at the start and rightText at the end of a row w cells wide. The left part
// gives way when both do not fit: what is on the right (totals, amounts) matters more.
func spread(left, rightText string, w int) string {
	rw := lipgloss.Width(rightText)
	if rw >= w {
		return right(rightText, w)
	}
	return fit(left, w-rw) + rightText
}

// rule draws a horizontal line w cells wide, with a label in it when one is given ("↑ 3").
func rule(st *Styles, w int, label string) string {
	if label == "" {
		return st.Rule.Render(strings.Repeat("─", max(0, w)))
	}
	head := "── " + label + " "
	return st.Rule.Render(head + strings.Repeat("─", max(0, w-lipgloss.Width(head))))
}

// clean prepares text from outside (a label, a scan) for the screen: no control character or
// escape sequence may reach the terminal.
func clean(s string) string { return comptoir.CleanText(s) }

// bigGlyphs draws digits and the characters of an amount three rows high, for the totals and
// the change a cashier must read from a step back.
var bigGlyphs = map[rune][3]string{
	'0': {" _ ", "| |", "|_|"},
	'1': {"  ", " |", " |"},
	'2': {" _ ", " _|", "|_ "},
	'3': {" _ ", " _|", " _|"},
	'4': {"   ", "|_|", "  |"},
	'5': {" _ ", "|_ ", " _|"},
	'6': {" _ ", "|_ ", "|_|"},
	'7': {" _ ", "  |", "  |"},
	'8': {" _ ", "|_|", "|_|"},
	'9': {" _ ", "|_|", " _|"},
	',': {"  ", "  ", " ,"},
	'.': {"  ", "  ", " ."},
	'-': {"   ", " _ ", "   "},
	' ': {" ", " ", " "},
	'€': {"  _ ", " /_ ", " \\_ "},
}

// big renders an amount three rows high. A character without a glyph is drawn as itself on the
// bottom row.
func big(s string) [3]string {
	var rows [3]strings.Builder
	for _, r := range s {
		g, ok := bigGlyphs[r]
		if !ok {
			g = [3]string{" ", " ", string(r)}
		}
		for i := range rows {
			rows[i].WriteString(g[i])
		}
	}
	return [3]string{rows[0].String(), rows[1].String(), rows[2].String()}
}

// plural picks the singular or the plural form of a count's word.
func plural(n int64, one, many text, l comptoir.Lang) string {
	if n == 1 || n == -1 || n == 0 && l == comptoir.LangFR {
		return one.in(l)
	}
	return many.in(l)
}

// header renders the first row of a screen (left part in bold, right part as given) followed by
// one row per mark (DÉMO, FORMATION): a mark takes a line of its own on every screen.
func header(c Common, s Session, left, rightText string) []string {
	rows := []string{c.Styles.Header.Render(spread(" "+left, rightText+" ", c.Width))}
	if s.Demo {
		rows = append(rows, fit(" "+c.Styles.Mark.Render(text{" DÉMO : base de démonstration ", " DEMO: demonstration database "}.in(c.Lang)), c.Width))
	}
	if s.Training {
		rows = append(rows, fit(" "+c.Styles.Mark.Render(text{" FORMATION : tickets d'entraînement, non comptés ", " TRAINING: practice tickets, not counted "}.in(c.Lang)), c.Width))
	}
	return rows
}

// result is the outcome of the last action, shown under the input.
type result struct {
	kind resultKind
	msg  string
}

type resultKind int

const (
	resultNone resultKind = iota
	resultOK
	resultRefused
	resultInfo
)

// style is the look of a kind of result.
func (r result) style(st *Styles) lipgloss.Style {
	switch r.kind {
	case resultOK:
		return st.OK
	case resultRefused:
		return st.Refused
	}
	return st.Info
}

// render draws the result with a sign that says its kind without colour: ✓ done, ✗ refused,
// › for information.
func (r result) render(st *Styles, w int) string {
	switch r.kind {
	case resultOK:
		return st.OK.Render(fit("  ✓ "+r.msg, w))
	case resultRefused:
		return st.Refused.Render(fit("  ✗ "+r.msg, w))
	case resultInfo:
		return st.Info.Render(fit("  › "+r.msg, w))
	}
	return strings.Repeat(" ", max(0, w))
}

// rows draws the result over as many rows as its sentence needs, in w cells: the sign on the
// first row only, the rows below indented under the sentence, as they continue it. A screen
// short of rows passes a limit (0: none): past it the rest joins the last row, which fit cuts
// with "…", so that a cut shows.
func (r result) rows(st *Styles, w, limit int) []string {
	if r.kind == resultNone || w < 10 {
		return []string{r.render(st, w)}
	}
	parts := strings.Split(ansi.Wordwrap(r.msg, w-4, ""), "\n")
	if limit > 0 && len(parts) > limit {
		parts = append(parts[:limit-1], strings.Join(parts[limit-1:], " "))
	}
	out := []string{result{r.kind, parts[0]}.render(st, w)}
	for _, p := range parts[1:] {
		out = append(out, r.style(st).Render(fit("    "+p, w)))
	}
	return out
}
