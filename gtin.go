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
