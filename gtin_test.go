package comptoir_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestValidateGTIN(t *testing.T) {
	tests := []struct {
		code string
		want *comptoir.Error
	}{
		{"96385074", nil},       // GTIN-8.
		{"036000291452", nil},   // GTIN-12 (UPC-A).
		{"3017620422003", nil},  // GTIN-13.
		{"4006381333931", nil},  // GTIN-13.
		{"0036000291452", nil},  // The UPC-A above printed as an EAN-13.
		{"13017620422000", nil}, // GTIN-14: packaging indicator 1 before 301762042200.
		// All zeros has a correct check digit; the old code took it for a product.
		{"00000000", comptoir.E(comptoir.CodeGTINZero)},
		{"000000000000", comptoir.E(comptoir.CodeGTINZero)},
		{"0000000000000", comptoir.E(comptoir.CodeGTINZero)},
		{"00000000000000", comptoir.E(comptoir.CodeGTINZero)},
		{"00000017", nil},
		{"96385075", comptoir.ErrGTINCheckDigit},
		{"036000291453", comptoir.ErrGTINCheckDigit},
		{"3017620422004", comptoir.ErrGTINCheckDigit},
		{"3017620422030", comptoir.ErrGTINCheckDigit}, // Two digits swapped.
		{"4006381333932", comptoir.ErrGTINCheckDigit},
		{"13017620422001", comptoir.ErrGTINCheckDigit},
		{"301762042200a", comptoir.ErrGTINChars},
		{"ABCDEFGH", comptoir.ErrGTINChars},
		{"3017620 22003", comptoir.ErrGTINChars},
		{"-30176204220", comptoir.ErrGTINChars},
		{"３０１７６２０４", comptoir.ErrGTINChars}, // Full-width digits.
		{"abc", comptoir.ErrGTINChars},
		{"", comptoir.ErrGTINLength},
		{"1234567", comptoir.ErrGTINLength},
		{"123456789", comptoir.ErrGTINLength},
		{"12345678901", comptoir.ErrGTINLength},
		{"301762042200312", comptoir.ErrGTINLength},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			checkErr(t, comptoir.ValidateGTIN(tt.code), tt.want)
		})
	}
}

func TestValidateGTINCheckDigitMessage(t *testing.T) {
	err := comptoir.ValidateGTIN("3017620422004")
	checkErr(t, err, comptoir.ErrGTINCheckDigit)
	if got, want := comptoir.Message(err, fr), "code-barres « 3017620422004 » invalide : la clé de contrôle devrait être 3 (scan mal lu ?)"; got != want {
		t.Errorf("Message(fr) = %q, want %q", got, want)
	}
	if got, want := comptoir.Message(err, en), `invalid barcode "3017620422004": the check digit should be 3 (misread scan?)`; got != want {
		t.Errorf("Message(en) = %q, want %q", got, want)
	}
}

// refCheckDigit is the GS1 algorithm as the GS1 General Specifications state it: the body is padded
// on the left to 17 digits and weighted 3, 1, 3, 1... from the left.
func refCheckDigit(body string) int {
	padded := strings.Repeat("0", 17-len(body)) + body
	sum := 0
	for i, c := range padded {
		w := 1
		if i%2 == 0 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return (10 - sum%10) % 10
}

func TestGTINCheckDigit(t *testing.T) {
	known := []struct {
		body string
		want int
	}{
		{"9638507", 4},
		{"03600029145", 2},
		{"301762042200", 3},
		{"400638133393", 1},
		{"1301762042200", 0},
		{"040000000000", 8},
		{"0000000", 0},
	}
	for _, tt := range known {
		if got, want := comptoir.GTINCheckDigit(tt.body), tt.want; got != want {
			t.Errorf("GTINCheckDigit(%q) = %d, want %d", tt.body, got, want)
		}
	}
	r := rand.New(rand.NewPCG(8, 13))
	for range 5000 {
		n := []int{7, 11, 12, 13}[r.IntN(4)]
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		body := b.String()
		got, want := comptoir.GTINCheckDigit(body), refCheckDigit(body)
		if got != want {
			t.Fatalf("GTINCheckDigit(%q) = %d, want %d", body, got, want)
		}
		if err := comptoir.ValidateGTIN(body + strconv.Itoa(got)); err != nil {
			t.Fatalf("ValidateGTIN(%q) = %v, want nil", body+strconv.Itoa(got), err)
		}
	}
}

func TestGTINKey(t *testing.T) {
	tests := []struct{ code, want string }{
		{"036000291452", "00036000291452"},
		{"0036000291452", "00036000291452"},
		{"00036000291452", "00036000291452"},
		{"96385074", "00000096385074"},
		{"3017620422003", "03017620422003"},
		{"13017620422000", "13017620422000"},
	}
	for _, tt := range tests {
		if got, want := comptoir.GTINKey(tt.code), tt.want; got != want {
			t.Errorf("GTINKey(%q) = %q, want %q", tt.code, got, want)
		}
	}
	if a, b := comptoir.GTINKey("036000291452"), comptoir.GTINKey("0036000291452"); a != b {
		t.Errorf("UPC-A and its EAN-13 have different keys %q and %q", a, b)
	}
	if a, b := comptoir.GTINKey("3017620422003"), comptoir.GTINKey("13017620422000"); a == b {
		t.Errorf("a GTIN-13 and a GTIN-14 of another packaging share the key %q", a)
	}
}

func TestIsRestrictedCirculation(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"0400000000008", true},
		{"0401234567893", true},
		{"0400000000009", false}, // Prefix 04 but a wrong check digit.
		{"0401234567890", false},
		{"3017620422003", false}, // A valid product code.
		{"0500000000005", false}, // Valid, but prefix 05.
		{"040000000008", false},  // Twelve digits.
		{"04000000000080", false},
		{"040000000000a", false},
		{"", false},
	}
	for _, tt := range tests {
		if got, want := comptoir.IsRestrictedCirculation(tt.code), tt.want; got != want {
			t.Errorf("IsRestrictedCirculation(%q) = %v, want %v", tt.code, got, want)
		}
	}
}

func FuzzValidateGTIN(f *testing.F) {
	for _, s := range []string{
		"96385074", "036000291452", "3017620422003", "4006381333931", "13017620422000", "0400000000008",
		"96385075", "3017620422004", "301762042200a", "", "1234567", "301762042200312", "３０１７６２０４",
		"0000000000000", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", "00000000", "000000000000", "00000000000000",
		"400000000008", "00400000000008",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		err := comptoir.ValidateGTIN(code)
		restricted := comptoir.IsRestrictedCirculation(code)
		if kind, _ := comptoir.ClassifyCode(code); (kind == comptoir.ScanProduct || kind == comptoir.ScanCard) != (err == nil && !comptoir.IsCardRange(code) || restricted) {
			t.Fatalf("ClassifyCode(%q) = %s with ValidateGTIN = %v", code, kind, err)
		}
		if err != nil {
			if restricted {
				t.Fatalf("IsRestrictedCirculation(%q) = true for an invalid code", code)
			}
			for _, e := range []*comptoir.Error{comptoir.ErrGTINLength, comptoir.ErrGTINChars, comptoir.ErrGTINCheckDigit, comptoir.E(comptoir.CodeGTINZero)} {
				if checkOne(err, e) {
					return
				}
			}
			t.Fatalf("ValidateGTIN(%q) = %v, not a GTIN refusal", code, err)
		}
		switch len(code) {
		case 8, 12, 13, 14:
		default:
			t.Fatalf("ValidateGTIN(%q) accepted a code of length %d", code, len(code))
		}
		for i := 0; i < len(code); i++ {
			if code[i] < '0' || code[i] > '9' {
				t.Fatalf("ValidateGTIN(%q) accepted a non-digit at %d", code, i)
			}
		}
		last := code[len(code)-1]
		for d := byte('0'); d <= '9'; d++ {
			if d == last {
				continue
			}
			other := code[:len(code)-1] + string(d)
			if err := comptoir.ValidateGTIN(other); !checkOne(err, comptoir.ErrGTINCheckDigit) {
				t.Fatalf("ValidateGTIN(%q) = %v, want ErrGTINCheckDigit (valid: %q)", other, err, code)
			}
		}
		key := comptoir.GTINKey(code)
		if len(key) != 14 || !strings.HasSuffix(key, code) || strings.Trim(key[:14-len(code)], "0") != "" {
			t.Fatalf("GTINKey(%q) = %q, want the code zero-padded to 14 digits", code, key)
		}
		if want := len(code) == 13 && strings.HasPrefix(code, "04"); restricted != want {
			t.Fatalf("IsRestrictedCirculation(%q) = %v, want %v", code, restricted, want)
		}
		if restricted && !comptoir.IsCardRange(code) {
			t.Fatalf("IsCardRange(%q) = false for a card number", code)
		}
		if strings.Trim(code, "0") == "" {
			t.Fatalf("ValidateGTIN(%q) accepted all zeros", code)
		}
	})
}

// checkOne reports whether err is the refusal target, without failing a test.
func checkOne(err error, target *comptoir.Error) bool {
	return err != nil && errors.Is(err, target)
}

func TestIsCardRange(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"0400000000008", true},   // A card, GTIN-13.
		{"400000000008", true},    // The same range as a UPC-A (number system 4, in-store use).
		{"00400000000008", true},  // As a GTIN-14 with indicator 0.
		{"04000000000006", false}, // A GTIN-14 whose GTIN-13 is 4000000000006 (Germany).
		{"4006381333931", false},
		{"3017620422003", false},
		{"04000000", false}, // GTIN-8 has no 04 card range.
		{"036000291452", false},
	}
	for _, tt := range tests {
		if got := comptoir.IsCardRange(tt.code); got != tt.want {
			t.Errorf("IsCardRange(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestClassifyCode(t *testing.T) {
	tests := []struct {
		code string
		kind comptoir.ScanKind
		err  *comptoir.Error
	}{
		{"3017620422003", comptoir.ScanProduct, nil},
		{"96385074", comptoir.ScanProduct, nil},
		{"13017620422000", comptoir.ScanProduct, nil},
		{"0400000000008", comptoir.ScanCard, nil},
		{"3017620422004", comptoir.ScanInvalid, comptoir.ErrGTINCheckDigit},
		{"0400000000009", comptoir.ScanInvalid, comptoir.ErrGTINCheckDigit},
		{"00000000", comptoir.ScanInvalid, comptoir.E(comptoir.CodeGTINZero)},
		{"400000000008", comptoir.ScanInvalid, comptoir.E(comptoir.CodeProductIsCard)},
		{"HELLO-123", comptoir.ScanOther, nil},
		{"301762042200A", comptoir.ScanOther, nil},
		{"1", comptoir.ScanOther, nil},
		{strings.Repeat("A", comptoir.MaxCodeLen), comptoir.ScanOther, nil},
		{strings.Repeat("A", comptoir.MaxCodeLen+1), "", comptoir.E(comptoir.CodeNotACode)},
		{"", "", comptoir.E(comptoir.CodeNotACode)},
		{"30176\x0020422003", "", comptoir.E(comptoir.CodeNotACode)},
		{"é", "", comptoir.E(comptoir.CodeNotACode)},
	}
	for _, tt := range tests {
		kind, err := comptoir.ClassifyCode(tt.code)
		if kind != tt.kind {
			t.Errorf("ClassifyCode(%q) = %q, want %q", tt.code, kind, tt.kind)
		}
		if tt.err == nil {
			if err != nil {
				t.Errorf("ClassifyCode(%q): unexpected error %v", tt.code, err)
			}
			continue
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("ClassifyCode(%q) error = %v, want %s", tt.code, err, tt.err.Code)
		}
	}
}
