package comptoir_test

import (
	"errors"
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
		{"shop.name", "", "", comptoir.E(comptoir.CodeSettingEmpty)},
		{"shop.name", " \t\x1b ", "", comptoir.E(comptoir.CodeSettingEmpty)},
		{"gdpr.notice-version", "", "", comptoir.E(comptoir.CodeSettingEmpty)},
		{"gdpr.notice-version", "2026-05", "2026-05", nil},
		{"shop.address", "", "", nil},
		{"shop.siret", "123 456 789 00007", "12345678900007", nil},
		{"shop.siret", "123 456 789 00012", "", comptoir.E(comptoir.CodeSIRETKey)},
		{"shop.siret", "12345", "", comptoir.E(comptoir.CodeSIRETLength)},
		{"shop.siret", "123456789000070", "", comptoir.E(comptoir.CodeSIRETLength)},
		{"shop.siret", "1234567890001A", "", comptoir.E(comptoir.CodeSIRETChars)},
		{"shop.siret", "356 000 000 00001", "35600000000001", nil},                 // La Poste: digit sum multiple of 5
		{"shop.siret", "356 000 000 00002", "", comptoir.E(comptoir.CodeSIRETKey)}, // La Poste, sum 20+2
		{"shop.siret", "", "", nil},                                                // cleared
		{"shop.vat-number", "fr 32 123456789", "FR32123456789", nil},               // key (12 + 3 × 39) mod 97 = 32
		{"shop.vat-number", "FR 32.123.456.789", "FR32123456789", nil},
		{"shop.vat-number", "FR33123456789", "", comptoir.E(comptoir.CodeVATNumberKey)}, // the old check took any 4 to 16 letters and digits
		{"shop.vat-number", "FR0012345678", "", comptoir.E(comptoir.CodeVATNumberFormat)},
		{"shop.vat-number", "FRXX123456789", "", comptoir.E(comptoir.CodeVATNumberFormat)},
		{"shop.vat-number", "FR-32", "", comptoir.E(comptoir.CodeVATNumberFormat)},
		{"shop.vat-number", "ZZ1234", "", comptoir.E(comptoir.CodeVATNumberCountry)},
		{"shop.vat-number", "123456789", "", comptoir.E(comptoir.CodeVATNumberCountry)},
		{"shop.vat-number", "FR00123456789012345", "", comptoir.E(comptoir.CodeVATNumberFormat)},
		{"shop.vat-number", "DE123456789", "DE123456789", nil},
		{"shop.vat-number", "DE12345678", "", comptoir.E(comptoir.CodeVATNumberFormat)},
		{"shop.vat-number", "nl123456789b01", "NL123456789B01", nil},
		{"shop.vat-number", "ATU12345678", "ATU12345678", nil},
		{"shop.vat-number", "", "", nil},
		{"shop.legal", "SAS — RCS Lyon 123 456 789", "SAS — RCS Lyon 123 456 789", nil},
		{"points.per-euro", "2", "2", nil},
		{"points.per-euro", "0", "0", nil},
		{"points.per-euro", "-1", "", comptoir.E(comptoir.CodePointsPerEuroRange)},
		{"points.per-euro", "101", "", comptoir.E(comptoir.CodePointsPerEuroRange)},
		{"points.per-euro", "deux", "", comptoir.E(comptoir.CodeInvalidSetting)},
		// Eleven points a euro at 100 points for 5,00 € gives back 55 % of every purchase.
		{"points.per-euro", "11", "", comptoir.E(comptoir.CodePointsRebateTooHigh)},
		{"points.redeem-points", "0", "", comptoir.E(comptoir.CodeRedeemPointsRange)},
		{"points.redeem-points", "100001", "", comptoir.E(comptoir.CodeRedeemPointsRange)},
		{"points.redeem-points", "5", "", comptoir.E(comptoir.CodePointsRebateTooHigh)},
		{"points.redeem-points", "1000", "1000", nil},
		{"points.redeem-value", "7,50", "7.50", nil},
		{"points.redeem-value", "0", "", comptoir.E(comptoir.CodeRedeemValueRange)},
		{"points.redeem-value", "1000,01", "", comptoir.E(comptoir.CodeRedeemValueRange)},
		{"points.redeem-value", "-5", "", comptoir.E(comptoir.CodeRedeemValueRange)},
		{"points.redeem-value", "cinq", "", comptoir.E(comptoir.CodeInvalidAmount)},
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

// TestShopSettings_Messages checks the sentences of the settings refusals: each says why.
func TestShopSettings_Messages(t *testing.T) {
	tests := []struct {
		key, value, fr, en string
	}{
		{"shop.name", "", "Nom du magasin (shop.name) ne peut pas être vide", "Shop name (shop.name) cannot be empty"},
		{"shop.siret", "123456789", "SIRET « 123456789 » invalide : 9 chiffres au lieu de 14", `invalid SIRET "123456789": 9 digits instead of 14`},
		{"shop.siret", "1234567890001A", "SIRET « 1234567890001A » invalide : il ne doit contenir que des chiffres", `invalid SIRET "1234567890001A": it may hold digits only`},
		{"shop.siret", "12345678900012", "SIRET « 12345678900012 » invalide : sa clé de contrôle (formule de Luhn) est fausse, une faute de frappe ?",
			`invalid SIRET "12345678900012": its check key (Luhn formula) is wrong, a typo?`},
		{"shop.vat-number", "FR33123456789", "numéro de TVA « FR33123456789 » invalide : pour le SIREN 123456789 la clé est 32, une faute de frappe ?",
			`invalid VAT number "FR33123456789": for the SIREN 123456789 the key is 32, a typo?`},
		{"shop.vat-number", "DE1234", "numéro de TVA « DE1234 » invalide : un numéro DE s'écrit comme DE123456789",
			`invalid VAT number "DE1234": a DE number is written like DE123456789`},
		{"points.per-euro", "500", "points.per-euro : de 0 (aucun point) à 100 points par euro, pas « 500 » : au-delà, les soldes n'ont plus de rapport avec les achats",
			`points.per-euro: 0 (no points) to 100 points per euro, not "500": beyond, balances lose touch with purchases`},
		{"points.per-euro", "11", "avec 11 points par euro et 100 points pour 5,00 €, la fidélité rendrait 55 % de chaque achat : 50 % au plus",
			"with 11 points per euro and 100 points for €5.00, loyalty would give back 55% of every purchase: 50% at most"},
		{"points.redeem-value", "5000", "points.redeem-value : une tranche vaut de 0,01 € à 1 000,00 €, pas « 5000 » : une remise nulle ne sert à rien, une plus grande est une faute de frappe",
			`points.redeem-value: a unit is worth €0.01 to €1,000.00, not "5000": a zero discount is useless, a larger one is a typo`},
	}
	for _, tt := range tests {
		s := comptoir.DefaultShopSettings()
		err := s.Set(tt.key, tt.value)
		if got := comptoir.Message(err, fr); got != tt.fr {
			t.Errorf("Set(%s, %q) fr = %q, want %q", tt.key, tt.value, got, tt.fr)
		}
		if got := comptoir.Message(err, en); got != tt.en {
			t.Errorf("Set(%s, %q) en = %q, want %q", tt.key, tt.value, got, tt.en)
		}
	}
}

// TestShopSettings_Load reads back values stored under the older, looser rules: they load as
// they are, so that a tightened rule never stops a shop's commands.
func TestShopSettings_Load(t *testing.T) {
	s := comptoir.DefaultShopSettings()
	for _, kv := range [][2]string{{"shop.name", ""}, {"shop.vat-number", "FR99123456789"}, {"points.per-euro", "500"}, {"gdpr.notice-version", ""}} {
		if err := s.Load(kv[0], kv[1]); err != nil {
			t.Errorf("Load(%s, %q): %v", kv[0], kv[1], err)
		}
		if got := s.Get(kv[0]); got != kv[1] {
			t.Errorf("Load(%s, %q) then Get = %q", kv[0], kv[1], got)
		}
	}
	if err := s.Load("points.per-euro", "beaucoup"); err == nil {
		t.Error("Load of a number that is not one: no error")
	}
}

func TestSettingLabel(t *testing.T) {
	for _, k := range comptoir.SettingKeys() {
		frLabel, enLabel := comptoir.SettingLabel(k, fr), comptoir.SettingLabel(k, en)
		if frLabel == k || enLabel == k || frLabel == "" || enLabel == "" {
			t.Errorf("SettingLabel(%s) = %q, %q: want a name for people", k, frLabel, enLabel)
		}
	}
	if got, want := comptoir.SettingLabel("shop.name", fr), "Nom du magasin"; got != want {
		t.Errorf("SettingLabel(shop.name, fr) = %q, want %q", got, want)
	}
	if got, want := comptoir.SettingLabel("shop.name", en), "Shop name"; got != want {
		t.Errorf("SettingLabel(shop.name, en) = %q, want %q", got, want)
	}
}

// FuzzShopSettingsSet sets any value on any setting: a refusal is a typed error and changes
// nothing, and an accepted value reads back as what is stored and is accepted again unchanged.
func FuzzShopSettingsSet(f *testing.F) {
	for _, kv := range [][2]string{
		{"shop.siret", "123 456 789 00007"}, {"shop.siret", "35600000000001"}, {"shop.siret", "1234567890001A"},
		{"shop.vat-number", "FR32123456789"}, {"shop.vat-number", "fr 00 123456789"}, {"shop.vat-number", "NL123456789B01"},
		{"shop.vat-number", "XIGD123"}, {"shop.vat-number", "€"}, {"shop.name", ""}, {"shop.name", "\x1b[2J"},
		{"points.per-euro", "100"}, {"points.per-euro", "9223372036854775807"}, {"points.redeem-points", "-0"},
		{"points.redeem-value", "1 000,00 €"}, {"points.redeem-value", "1 2 3"}, {"gdpr.notice-version", " "},
	} {
		f.Add(kv[0], kv[1])
	}
	keys := comptoir.SettingKeys()
	f.Fuzz(func(t *testing.T, key, value string) {
		if k, ok := strings.CutPrefix(key, "#"); ok && len(k) > 0 {
			// Let the fuzzer pick any known key by its first byte.
			key = keys[int(k[0])%len(keys)]
		}
		s := comptoir.DefaultShopSettings()
		before := s
		err := s.Set(key, value)
		if err != nil {
			var e *comptoir.Error
			if !errors.As(err, &e) {
				t.Fatalf("Set(%q, %q) = %v, not a *comptoir.Error", key, value, err)
			}
			if s != before {
				t.Fatalf("Set(%q, %q) refused but changed the settings", key, value)
			}
			for _, l := range []comptoir.Lang{fr, en} {
				if m := e.Message(l); m == "" || strings.Contains(m, "%!") {
					t.Fatalf("Set(%q, %q) message %q", key, value, m)
				}
			}
			return
		}
		stored := s.Get(key)
		again := s
		if err := again.Set(key, stored); err != nil || again.Get(key) != stored {
			t.Fatalf("Set(%q, %q) stored %q, which does not set again unchanged: %v, %q", key, value, stored, err, again.Get(key))
		}
	})
}
