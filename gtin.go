package comptoir

import "strings"

// GTINCheckDigit computes the GS1 check digit of a digit string that lacks it (7, 11, 12 or 13
// digits). Weights alternate 3 and 1 starting from the rightmost digit, whatever the length, which
// is why one function serves GTIN-8, -12, -13 and -14.
func GTINCheckDigit(body string) int {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// ValidateGTIN checks a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14: digits only, one of
// those lengths, not all zeros, and a correct check digit. A misread scan almost always fails the
// check digit, which is the point of it. All zeros has a correct check digit but is no number GS1
// ever assigns: it is what an empty field or a blank label reads as.
func ValidateGTIN(code string) error {
	switch len(code) {
	case 8, 12, 13, 14:
	default:
		if !allDigits(code) {
			return E(CodeGTINChars, code)
		}
		return E(CodeGTINLength, code)
	}
	if !allDigits(code) {
		return E(CodeGTINChars, code)
	}
	if strings.Trim(code, "0") == "" {
		return E(CodeGTINZero, code)
	}
	want := GTINCheckDigit(code[:len(code)-1])
	if int(code[len(code)-1]-'0') != want {
		return E(CodeGTINCheckDigit, code, want)
	}
	return nil
}

// GTINKey is the form a GTIN is stored and looked up under: zero-padded to 14 digits, so that a
// UPC-A code and the EAN-13 that prints it with a leading zero find the same product.
func GTINKey(code string) string {
	const zeros = "00000000000000"
	if len(code) >= 14 {
		return code
	}
	return zeros[:14-len(code)] + code
}

// IsRestrictedCirculation reports whether a valid GTIN-13 is in the GS1 prefix range 04, reserved
// for use inside a company. Loyalty cards are numbered there so they can never collide with a
// product sold in the shop.
func IsRestrictedCirculation(code string) bool {
	return len(code) == 13 && code[0] == '0' && code[1] == '4' && ValidateGTIN(code) == nil
}

// IsCardRange reports whether a GTIN, in any of its lengths, names a number of the GS1 range 04
// where loyalty cards are numbered: a GTIN-13 starting with 04, the GTIN-12 (UPC-A) starting with
// 4 that prints it, or the GTIN-14 starting with 004. No product may take such a code, or a scanned
// card could ring up an item and an item could be taken for a card.
func IsCardRange(code string) bool {
	switch len(code) {
	case 12, 13, 14:
		return strings.HasPrefix(GTINKey(code), "004")
	}
	return false
}

// MaxCodeLen is the longest code the register reads from a scanner or a keyboard burst, after any
// symbology identifier: a GS1-128 symbol holds at most 48 data characters, and the codes the
// register uses (GTINs, cards) are far shorter.
const MaxCodeLen = 48

// ScanKind says what a scanned code is for the register.
type ScanKind string

// The kinds of scanned code.
const (
	// ScanProduct is a valid GTIN outside the cards' range: look it up in the catalogue. Codes of
	// the restricted-circulation range 20–29 are products too: LookupCode reads a shop scale's
	// price or weight in them under the shop's ScaleLayout.
	ScanProduct ScanKind = "product"
	// ScanCard is a valid loyalty card number (a GTIN-13 with prefix 04).
	ScanCard ScanKind = "card"
	// ScanInvalid is shaped like a GTIN (8, 12, 13 or 14 digits) but is none: a wrong check digit
	// (a misread), all zeros, or the cards' range in another length. It is neither a product nor
	// a card.
	ScanInvalid ScanKind = "invalid"
	// ScanOther is any other readable code (a shelf label, a QR code): not for the register.
	ScanOther ScanKind = "unknown"
)

// ClassifyCode says what a code read by the scanner (or typed by a keyboard-mode scanner) is. A
// code is 1 to MaxCodeLen printable ASCII characters; anything else is refused with CodeNotACode
// and is no kind at all. A code of 8, 12, 13 or 14 digits is checked as a GTIN before it is called
// a product or a card: when it fails, the kind is ScanInvalid and the error says why.
func ClassifyCode(code string) (ScanKind, error) {
	if len(code) < 1 || len(code) > MaxCodeLen {
		return "", E(CodeNotACode, code, MaxCodeLen)
	}
	for i := 0; i < len(code); i++ {
		if c := code[i]; c < 0x20 || c > 0x7e {
			return "", E(CodeNotACode, code, MaxCodeLen)
		}
	}
	switch len(code) {
	case 8, 12, 13, 14:
		if !allDigits(code) {
			return ScanOther, nil
		}
	default:
		return ScanOther, nil
	}
	if err := ValidateGTIN(code); err != nil {
		return ScanInvalid, err
	}
	switch {
	case IsRestrictedCirculation(code):
		return ScanCard, nil
	case IsCardRange(code):
		// A card read in another length (a UPC-A reader drops the leading zero): the register
		// knows cards by their 13 digits, so it is not taken for one, nor for a product.
		return ScanInvalid, E(CodeProductIsCard, code)
	}
	return ScanProduct, nil
}
