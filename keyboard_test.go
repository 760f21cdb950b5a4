package comptoir_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

func TestUnmangleAZERTY(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		mapped bool
	}{
		{`"à&_'('é`, "30184542", true},                // GTIN-8 length.
		{`"à&è-éà'ééà`, `"à&è-éà'ééà`, false},         // Eleven characters: no code is that long.
		{`à"à&è-éà'ééà`, "030176204220", true},        // GTIN-12 length.
		{`"à&è-éà'ééàà"`, "3017620422003", true},      // GTIN-13.
		{`&"à&è-éà'ééàà"`, "13017620422003", true},    // GTIN-14; the check digit is the caller's business.
		{"3017620422003", "3017620422003", false},     // Already digits: nothing to do.
		{`"à&è-éà'é2àà"`, `"à&è-éà'é2àà"`, false},     // A digit among them: not a mangled scan.
		{`"à&è-éà'êéàà"`, `"à&è-éà'êéàà"`, false},     // ê is not on the digit row.
		{"-12,50", "-12,50", false},                   // An amount with a dash stays an amount.
		{`&é"'(-è`, `&é"'(-è`, false},                 // Seven characters.
		{`&é"'(-è_çà&é"'(`, `&é"'(-è_çà&é"'(`, false}, // Fifteen.
		{"", "", false},
	}
	for _, tt := range tests {
		got, mapped := comptoir.UnmangleAZERTY(tt.in)
		if got != tt.want || mapped != tt.mapped {
			t.Errorf("UnmangleAZERTY(%q) = %q, %v, want %q, %v", tt.in, got, mapped, tt.want, tt.mapped)
		}
	}
}

// TestUnmangleAZERTY_Scan checks the whole point: a real EAN-13 typed through the AZERTY digit
// row comes back as that EAN-13, a valid product code.
func TestUnmangleAZERTY_Scan(t *testing.T) {
	const code = "3017620422003"
	mangled := strings.NewReplacer("0", "à", "1", "&", "2", "é", "3", `"`, "4", "'", "5", "(",
		"6", "-", "7", "è", "8", "_", "9", "ç").Replace(code)
	if got, want := mangled, `"à&è-éà'ééàà"`; got != want {
		t.Fatalf("mangled = %q, want %q", got, want)
	}
	got, ok := comptoir.UnmangleAZERTY(mangled)
	if !ok || got != code {
		t.Fatalf("UnmangleAZERTY(%q) = %q, %v, want %q, true", mangled, got, ok, code)
	}
	if kind, err := comptoir.ClassifyCode(got); kind != comptoir.ScanProduct || err != nil {
		t.Errorf("ClassifyCode(%q) = %v, %v, want a product", got, kind, err)
	}
}

// FuzzUnmangleAZERTY checks the function's promises on any input: a mapped result is digits only,
// as many as the input had runes, and unmapped input comes back unchanged. Its seed corpus runs
// with every go test.
func FuzzUnmangleAZERTY(f *testing.F) {
	for _, s := range []string{`"à&è-éà'ééàà"`, "3017620422003", `&é"'(-è_`, "", "-12,50", `&é"'(-è_çà&é"'(`, "\xff\xfe&é\"'(-è_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, mapped := comptoir.UnmangleAZERTY(s)
		if !mapped {
			if got != s {
				t.Fatalf("UnmangleAZERTY(%q) changed an unmapped input to %q", s, got)
			}
			return
		}
		if len(got) != utf8.RuneCountInString(s) {
			t.Fatalf("UnmangleAZERTY(%q) = %q: %d digits for %d runes", s, got, len(got), utf8.RuneCountInString(s))
		}
		for i := 0; i < len(got); i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("UnmangleAZERTY(%q) = %q: not digits only", s, got)
			}
		}
		switch len(got) {
		case 8, 12, 13, 14:
		default:
			t.Fatalf("UnmangleAZERTY(%q) = %q: not a code's length", s, got)
		}
	})
}
