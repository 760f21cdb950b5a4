package comptoir

import "unicode/utf8"

// azertyDigits maps each character a French AZERTY keyboard types, unshifted, on the keys that
// carry the digits 0 to 9. A barcode scanner in keyboard mode set to a US layout sends the key
// positions of the digits; on an AZERTY keyboard those positions type these characters instead.
var azertyDigits = map[rune]byte{
	'à': '0', '&': '1', 'é': '2', '"': '3', '\'': '4', '(': '5', '-': '6', 'è': '7', '_': '8', 'ç': '9',
}

// UnmangleAZERTY turns back into digits a code that a US-layout scanner typed on a French AZERTY
// keyboard ("&é\"'(-è_çà" for "1234567890"). It maps only a line made entirely of those
// characters and as long as a GTIN (8, 12, 13 or 14 characters), so that a typed word or an
// amount that happens to hold a dash is never taken for a code; anything else is returned
// unchanged with false. The result is not checked as a GTIN: the caller classifies it like any
// other scan.
func UnmangleAZERTY(s string) (string, bool) {
	n := utf8.RuneCountInString(s)
	switch n {
	case 8, 12, 13, 14:
	default:
		return s, false
	}
	out := make([]byte, 0, n)
	for _, r := range s {
		d, ok := azertyDigits[r]
		if !ok {
			return s, false
		}
		out = append(out, d)
	}
	return string(out), true
}
