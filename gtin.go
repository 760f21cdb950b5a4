package comptoir

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
// those lengths, and a correct check digit. A misread scan almost always fails the check digit,
// which is the point of it.
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
