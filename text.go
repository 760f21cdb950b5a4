package comptoir

import (
	"strings"
	"unicode"
)

// CleanText strips control characters and invisible formatting runes from text that comes from
// outside (a product label in a CSV file, a name typed elsewhere) and trims the spaces around it.
// An escape sequence hidden in a label must never reach the terminal or the printer.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
