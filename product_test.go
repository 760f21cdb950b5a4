package comptoir_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b[31mPomme\x1b[0m", "Pomme"},
		{"\x1b]0;pwned\x07Titre", "Titre"},                   // OSC ended by BEL.
		{"\x1b]8;;http://x\x1b\\Lien\x1b]8;;\x1b\\", "Lien"}, // OSC ended by ST.
		{"a\x1bcb", "ab"},                                    // Two-byte escape.
		{"fin\x1b[", "fin"},                                  // Truncated CSI.
		{"Crème brûlée", "Crème brûlée"},
		{"  Pain   de  mie ", "Pain de mie"},
		{"Café\tcrème\r\n", "Café crème"},
		{"a\x00b\x07c\x7fd", "abcd"},
		{"\u0085\u009bx", "x"},       // C1 controls, including the 8-bit CSI.
		{"a\u200bb", "ab"},           // Zero-width space.
		{"\u202eevil\u202c", "evil"}, // Bidirectional overrides.
		{"\ufeffBOM", "BOM"},
		{"ok\xffok", "okok"}, // Invalid UTF-8.
		{"\u00a0Pain\u00a0de\u00a0mie\u00a0", "Pain de mie"},
		{"a\u2028b", "a b"},
		{"\x1b\x07 \t", ""},
		{"", ""},
		{"€ 1,50", "€ 1,50"},
	}
	for _, tt := range tests {
		got := comptoir.CleanText(tt.in)
		if got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(got, "\x1b\x00\x07\x7f") || !utf8.ValidString(got) {
			t.Errorf("CleanText(%q) = %q keeps a control byte or invalid UTF-8", tt.in, got)
		}
		if again := comptoir.CleanText(got); again != got {
			t.Errorf("CleanText(%q) = %q, want %q unchanged (idempotent)", got, again, got)
		}
	}
}

func TestNormalizeProduct(t *testing.T) {
	long := strings.Repeat("é", 100)
	tests := []struct {
		name string
		in   comptoir.Product
		want comptoir.Product
		err  *comptoir.Error
	}{
		{"ok", pomme, pomme, nil},
		{"cleans name", comptoir.Product{GTIN: pomme.GTIN, Name: " \x1b[31mPomme\x1b[0m\n", Price: 250, VAT: 550},
			comptoir.Product{GTIN: pomme.GTIN, Name: "Pomme", Price: 250, VAT: 550}, nil},
		{"truncates name", comptoir.Product{GTIN: pomme.GTIN, Name: long, Price: 250, VAT: 550},
			comptoir.Product{GTIN: pomme.GTIN, Name: long[:2*comptoir.MaxNameLen], Price: 250, VAT: 550}, nil},
		// Truncated at a space, the name must not end with it.
		{"truncates at a space", comptoir.Product{GTIN: pomme.GTIN, Name: strings.Repeat("a", comptoir.MaxNameLen-1) + " b", Price: 250, VAT: 550},
			comptoir.Product{GTIN: pomme.GTIN, Name: strings.Repeat("a", comptoir.MaxNameLen-1), Price: 250, VAT: 550}, nil},
		{"max price", comptoir.Product{GTIN: pomme.GTIN, Name: "Or", Price: comptoir.MaxAmount, VAT: 2000},
			comptoir.Product{GTIN: pomme.GTIN, Name: "Or", Price: comptoir.MaxAmount, VAT: 2000}, nil},
		{"ErrGTINCheckDigit", comptoir.Product{GTIN: "3017620422004", Name: "x", Price: 1, VAT: 2000}, comptoir.Product{}, comptoir.ErrGTINCheckDigit},
		{"ErrGTINChars", comptoir.Product{GTIN: "30176204220O3", Name: "x", Price: 1, VAT: 2000}, comptoir.Product{}, comptoir.ErrGTINChars},
		{"ErrGTINLength", comptoir.Product{GTIN: "", Name: "x", Price: 1, VAT: 2000}, comptoir.Product{}, comptoir.ErrGTINLength},
		// The old code imported these as products.
		{"GTINZero", comptoir.Product{GTIN: "0000000000000", Name: "x", Price: 1, VAT: 2000}, comptoir.Product{}, comptoir.E(comptoir.CodeGTINZero)},
		{"ProductIsCard", comptoir.Product{GTIN: "0400000000008", Name: "x", Price: 1, VAT: 2000}, comptoir.Product{}, comptoir.E(comptoir.CodeProductIsCard)},
		{"ProductIsCard/UPC-A", comptoir.Product{GTIN: "400000000008", Name: "x", Price: 1, VAT: 2000}, comptoir.Product{}, comptoir.E(comptoir.CodeProductIsCard)},
		{"ErrEmptyName", comptoir.Product{GTIN: pomme.GTIN, Name: "\x1b\x07\u200b \t", Price: 1, VAT: 2000}, comptoir.Product{}, comptoir.ErrEmptyName},
		{"ErrInvalidPrice/zero", comptoir.Product{GTIN: pomme.GTIN, Name: "x", Price: 0, VAT: 2000}, comptoir.Product{}, comptoir.ErrInvalidPrice},
		{"ErrInvalidPrice/negative", comptoir.Product{GTIN: pomme.GTIN, Name: "x", Price: -250, VAT: 2000}, comptoir.Product{}, comptoir.ErrInvalidPrice},
		{"ErrAmountTooLarge", comptoir.Product{GTIN: pomme.GTIN, Name: "x", Price: comptoir.MaxAmount + 1, VAT: 2000}, comptoir.Product{}, comptoir.ErrAmountTooLarge},
		{"ErrUnknownVATRate", comptoir.Product{GTIN: pomme.GTIN, Name: "x", Price: 1, VAT: 1960}, comptoir.Product{}, comptoir.ErrUnknownVATRate},
		{"ErrUnknownVATRate/zero", comptoir.Product{GTIN: pomme.GTIN, Name: "x", Price: 1, VAT: 0}, comptoir.Product{}, comptoir.ErrUnknownVATRate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := comptoir.NormalizeProduct(tt.in)
			checkErr(t, err, tt.err)
			if got != tt.want {
				t.Fatalf("NormalizeProduct(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
			if err != nil {
				return
			}
			// A normalized product is normal: the catalogue and the journal verifier rely on it.
			again, err := comptoir.NormalizeProduct(got)
			if err != nil || again != got {
				t.Errorf("NormalizeProduct(%+v) = %+v, %v, want it unchanged", got, again, err)
			}
		})
	}

	_, err := comptoir.NormalizeProduct(comptoir.Product{GTIN: pomme.GTIN, Name: "x", Price: -250, VAT: 2000})
	if got, want := comptoir.Message(err, fr), "prix invalide -2,50 € : un prix doit être positif"; got != want {
		t.Errorf("Message(fr) = %q, want %q", got, want)
	}
	_, err = comptoir.NormalizeProduct(comptoir.Product{GTIN: pomme.GTIN, Name: "x", Price: 1, VAT: 1960})
	contains(t, "Message(en)", comptoir.Message(err, en), "19.6%")
}

func TestLineFor(t *testing.T) {
	tests := []struct {
		p    comptoir.Product
		qty  int64
		want comptoir.Money
	}{
		{pomme, 3, 750},
		{vin, 1, 1200},
		{vin, -2, -2400},
		{repas, comptoir.MaxQty, 9999000},
	}
	for _, tt := range tests {
		l := comptoir.LineFor(tt.p, tt.qty)
		want := comptoir.Line{GTIN: tt.p.GTIN, Name: tt.p.Name, Qty: tt.qty, UnitPrice: tt.p.Price, VAT: tt.p.VAT, Total: tt.want}
		if l != want {
			t.Errorf("LineFor(%s, %d) = %+v, want %+v", tt.p.Name, tt.qty, l, want)
		}
	}
}
