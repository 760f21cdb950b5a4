package comptoir_test

import (
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestShopSettings_Set(t *testing.T) {
	tests := []struct {
		key, value, want string
		err              *comptoir.Error
	}{
		{"shop.name", "  Épicerie\tdu Coin ", "Épicerie du Coin", nil},
		{"shop.siret", "123 456 789 00007", "12345678900007", nil},
		{"shop.siret", "123 456 789 00012", "", comptoir.E(comptoir.CodeInvalidSetting)}, // wrong Luhn key
		{"shop.siret", "12345", "", comptoir.E(comptoir.CodeInvalidSetting)},
		{"shop.siret", "356 000 000 00001", "35600000000001", nil}, // La Poste: digit sum multiple of 5
		{"shop.vat-number", "fr 32 123456789", "FR32123456789", nil},
		{"shop.vat-number", "FR-32", "", comptoir.E(comptoir.CodeInvalidSetting)},
		{"shop.legal", "SAS — RCS Lyon 123 456 789", "SAS — RCS Lyon 123 456 789", nil},
		{"points.per-euro", "2", "2", nil},
		{"points.per-euro", "-1", "", comptoir.E(comptoir.CodeInvalidSetting)},
		{"points.redeem-points", "0", "", comptoir.E(comptoir.CodeInvalidSetting)},
		{"points.redeem-value", "7,50", "7.50", nil},
		{"points.redeem-value", "0", "", comptoir.E(comptoir.CodeInvalidSetting)},
		{"shop.colour", "bleu", "", comptoir.E(comptoir.CodeUnknownSetting)},
	}
	for _, tt := range tests {
		s := comptoir.DefaultShopSettings()
		err := s.Set(tt.key, tt.value)
		if tt.err != nil {
			checkErr(t, err, tt.err)
			if got, def := s.Get(tt.key), comptoir.DefaultShopSettings().Get(tt.key); got != def {
				t.Errorf("Set(%s, %q) refused but changed the value to %q", tt.key, tt.value, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%s, %q): %v", tt.key, tt.value, err)
			continue
		}
		if got := s.Get(tt.key); got != tt.want {
			t.Errorf("Set(%s, %q) then Get = %q, want %q", tt.key, tt.value, got, tt.want)
		}
	}
	for _, k := range comptoir.SettingKeys() {
		s := comptoir.DefaultShopSettings()
		if err := s.Set(k, s.Get(k)); err != nil && s.Get(k) != "" {
			t.Errorf("a default value does not read back: %s = %q: %v", k, s.Get(k), err)
		}
	}
}

func TestProcessingRegister(t *testing.T) {
	s := comptoir.DefaultShopSettings()
	s.Name = "Le | Comptoir"
	s.Points.PerEuro = 2
	fr := comptoir.ProcessingRegister(s, 3, comptoir.LangFR)
	en := comptoir.ProcessingRegister(s, 3, comptoir.LangEN)
	for _, tc := range []struct {
		text string
		want []string
	}{
		{fr, []string{"Le \\| Comptoir", "2 points par euro entier", "--inactive 3y", "(à renseigner : comptoir settings set gdpr.processor)"}},
		{en, []string{"Le \\| Comptoir", "2 points per whole euro", "--inactive 3y", "(not set: comptoir settings set gdpr.processor)"}},
	} {
		for _, w := range tc.want {
			if !strings.Contains(tc.text, w) {
				t.Errorf("register lacks %q:\n%s", w, tc.text)
			}
		}
	}
	if strings.Contains(en, "à renseigner") || strings.Contains(en, "opérateur") {
		t.Errorf("the English register holds French text:\n%s", en)
	}
}
