package comptoir_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/comptoir/comptoir"
)

// withCheck completes a 12-digit body with its GS1 check digit.
func withCheck(body string) string { return body + strconv.Itoa(comptoir.GTINCheckDigit(body)) }

func TestParseVariableMeasure_Layouts(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		layout comptoir.ScaleLayout
		ok     bool
		want   comptoir.VariableMeasure
		err    *comptoir.Error
	}{
		{"price5", withCheck("212345601250"), comptoir.ScalePrice5, true,
			comptoir.VariableMeasure{Code: withCheck("212345601250"), Base: withCheck("212345600000"), Price: 1250}, nil},
		{"price5 top of the range", withCheck("299999999999"), comptoir.ScalePrice5, true,
			comptoir.VariableMeasure{Code: withCheck("299999999999"), Base: withCheck("299999900000"), Price: 99999}, nil},
		{"weight5", withCheck("281234500532"), comptoir.ScaleWeight5, true,
			comptoir.VariableMeasure{Code: withCheck("281234500532"), Base: withCheck("281234500000"), Grams: 532}, nil},
		// The GS1 example of a four-digit price field: 2875 has the price check digit 9.
		{"price4c", withCheck("212345692875"), comptoir.ScalePrice4, true,
			comptoir.VariableMeasure{Code: withCheck("212345692875"), Base: withCheck("212345600000"), Price: 2875}, nil},
		{"price4c wrong price check digit", withCheck("212345632875"), comptoir.ScalePrice4, true,
			comptoir.VariableMeasure{}, comptoir.E(comptoir.CodeScalePriceCheck)},
		{"zero price", withCheck("212345600000"), comptoir.ScalePrice5, true, comptoir.VariableMeasure{}, comptoir.E(comptoir.CodeScaleZero)},
		{"zero weight", withCheck("212345600000"), comptoir.ScaleWeight5, true, comptoir.VariableMeasure{}, comptoir.E(comptoir.CodeScaleZero)},
		{"a department's code is no scale code to sell", comptoir.DepartmentGTIN(1), comptoir.ScalePrice5, true, comptoir.VariableMeasure{}, comptoir.E(comptoir.CodeScaleZero)},
		{"layout none", withCheck("212345601250"), comptoir.ScaleNone, false, comptoir.VariableMeasure{}, nil},
		{"unknown layout", withCheck("212345601250"), "kilo", false, comptoir.VariableMeasure{}, nil},
		{"ordinary product", "3017620422003", comptoir.ScalePrice5, false, comptoir.VariableMeasure{}, nil},
		{"card range", "0400000000008", comptoir.ScalePrice5, false, comptoir.VariableMeasure{}, nil},
		{"wrong check digit", "2123456012500", comptoir.ScalePrice5, false, comptoir.VariableMeasure{}, nil},
		{"GTIN-8 starting with 2", "20000010", comptoir.ScalePrice5, false, comptoir.VariableMeasure{}, nil},
		{"GTIN-14", "13017620422000", comptoir.ScalePrice5, false, comptoir.VariableMeasure{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := comptoir.ParseVariableMeasure(tt.code, tt.layout)
			checkErr(t, err, tt.err)
			if ok != tt.ok {
				t.Fatalf("ParseVariableMeasure(%q, %s) ok = %v, want %v", tt.code, tt.layout, ok, tt.ok)
			}
			if got != tt.want {
				t.Errorf("ParseVariableMeasure(%q, %s) = %+v, want %+v", tt.code, tt.layout, got, tt.want)
			}
		})
	}
}

func TestPriceCheckDigit_Table(t *testing.T) {
	tests := []struct {
		price string
		want  int
	}{
		{"2875", 9}, // GS1's worked example.
		{"0000", 0},
		{"0001", 5}, // 5-(1) = 5, × 3 = 15.
		{"1000", 6}, // 2-(1) = 2, × 3 = 6.
		{"287", -1},
		{"28a5", -1},
	}
	for _, tt := range tests {
		if got, want := comptoir.PriceCheckDigit(tt.price), tt.want; got != want {
			t.Errorf("PriceCheckDigit(%q) = %d, want %d", tt.price, got, want)
		}
	}
}

func TestWeighedPrice_RoundsHalfAwayFromZero(t *testing.T) {
	tests := []struct {
		perKilo comptoir.Money
		grams   int64
		want    comptoir.Money
	}{
		{1890, 532, 1005},     // 10,0548 €.
		{100, 5, 1},           // 0,5 cent rounds up.
		{100, 4, 0},           // 0,4 cent rounds down.
		{100, 15, 2},          // 1,5 cents rounds up, not to even.
		{1999, 1000, 1999},    // A kilo is the price per kilo.
		{1999, 99999, 199898}, // 1 998,98001 €.
		{-100, 5, -1},         // Symmetric below zero.
	}
	for _, tt := range tests {
		if got, want := comptoir.WeighedPrice(tt.perKilo, tt.grams), tt.want; got != want {
			t.Errorf("WeighedPrice(%d, %d) = %d, want %d", tt.perKilo, tt.grams, got, want)
		}
	}
}

func TestFormatGrams_BothLanguages(t *testing.T) {
	for _, tt := range []struct {
		grams  int64
		fr, en string
	}{{532, "0,532 kg", "0.532 kg"}, {12005, "12,005 kg", "12.005 kg"}, {1000, "1,000 kg", "1.000 kg"}} {
		if got, want := comptoir.FormatGrams(tt.grams, comptoir.LangFR), tt.fr; got != want {
			t.Errorf("FormatGrams(%d, fr) = %q, want %q", tt.grams, got, want)
		}
		if got, want := comptoir.FormatGrams(tt.grams, comptoir.LangEN), tt.en; got != want {
			t.Errorf("FormatGrams(%d, en) = %q, want %q", tt.grams, got, want)
		}
	}
}

// mapCatalog is a catalogue in a map, for LookupCode.
type mapCatalog map[string]comptoir.Product

func (c mapCatalog) Product(_ context.Context, gtin string) (comptoir.Product, error) {
	if err := comptoir.ValidateGTIN(gtin); err != nil {
		return comptoir.Product{}, err
	}
	p, ok := c[comptoir.GTINKey(gtin)]
	if !ok {
		return comptoir.Product{}, comptoir.E(comptoir.CodeUnknownProduct, gtin)
	}
	return p, nil
}
func (c mapCatalog) ImportProducts(context.Context, []comptoir.Product) (int, error) { return 0, nil }
func (c mapCatalog) Products(context.Context) ([]comptoir.Product, error)            { return nil, nil }
func (c mapCatalog) EachProduct(context.Context, func(comptoir.Product) error) error { return nil }

func TestLookupCode_ScaleAndOrdinaryCodes(t *testing.T) {
	cheese := comptoir.Product{GTIN: withCheck("281234500000"), Name: "Comté 18 mois", Price: 1890, VAT: comptoir.VATReduced}
	cake := comptoir.Product{GTIN: withCheck("212345600000"), Name: "Tarte aux pommes", Price: 100, VAT: comptoir.VATReduced}
	spread := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: 399, VAT: comptoir.VATReduced}
	cat := mapCatalog{}
	for _, p := range []comptoir.Product{cheese, cake, spread} {
		cat[comptoir.GTINKey(p.GTIN)] = p
	}
	ctx := context.Background()

	got, err := comptoir.LookupCode(ctx, cat, comptoir.ScaleWeight5, withCheck("281234500532"))
	checkErr(t, err, nil)
	want := comptoir.Product{GTIN: withCheck("281234500532"), Name: "Comté 18 mois 0,532 kg à 18,90 €/kg", Price: 1005, VAT: comptoir.VATReduced}
	if got != want {
		t.Errorf("weighed: LookupCode = %+v, want %+v", got, want)
	}
	got, err = comptoir.LookupCode(ctx, cat, comptoir.ScalePrice5, withCheck("212345601250"))
	checkErr(t, err, nil)
	if want := (comptoir.Product{GTIN: withCheck("212345601250"), Name: "Tarte aux pommes", Price: 1250, VAT: comptoir.VATReduced}); got != want {
		t.Errorf("priced: LookupCode = %+v, want %+v", got, want)
	}
	// The product a scale code gives is one the ticket rules accept as it is.
	if _, err := comptoir.NormalizeProduct(got); err != nil {
		t.Errorf("NormalizeProduct(%+v) = %v", got, err)
	}
	got, err = comptoir.LookupCode(ctx, cat, comptoir.ScalePrice5, spread.GTIN)
	checkErr(t, err, nil)
	if got != spread {
		t.Errorf("ordinary: LookupCode = %+v, want %+v", got, spread)
	}
	_, err = comptoir.LookupCode(ctx, cat, comptoir.ScalePrice5, withCheck("277777701250"))
	checkErr(t, err, comptoir.E(comptoir.CodeUnknownScaleItem))
	contains(t, "unknown scale item", comptoir.Message(err, comptoir.LangFR), withCheck("277777700000"), "77777")
	_, err = comptoir.LookupCode(ctx, cat, comptoir.ScalePrice5, withCheck("212345600000"))
	checkErr(t, err, comptoir.E(comptoir.CodeScaleZero))
	// Without a layout, a code of the range is an ordinary code: the base code sells as it is.
	got, err = comptoir.LookupCode(ctx, cat, comptoir.ScaleNone, cake.GTIN)
	checkErr(t, err, nil)
	if got != cake {
		t.Errorf("none: LookupCode = %+v, want %+v", got, cake)
	}
}

func TestScaleProduct_LongLabelKeepsWeight(t *testing.T) {
	long := comptoir.Product{Name: "Saucisson sec pur porc de montagne affiné douze semaines en cave naturelle du pays", Price: 2450, VAT: comptoir.VATReduced}
	m := comptoir.VariableMeasure{Code: withCheck("281234501234"), Base: withCheck("281234500000"), Grams: 1234}
	p := comptoir.ScaleProduct(long, m)
	if n := len([]rune(p.Name)); n > comptoir.MaxNameLen {
		t.Errorf("ScaleProduct name has %d runes, want at most %d: %q", n, comptoir.MaxNameLen, p.Name)
	}
	contains(t, "ScaleProduct name", p.Name, "1,234 kg à 24,50 €/kg")
	if np, err := comptoir.NormalizeProduct(p); err != nil || np.Name != p.Name {
		t.Errorf("NormalizeProduct(%q) = %q, %v: the name should already be normal", p.Name, np.Name, err)
	}
}

func TestClassifyCode_ScaleCodesAreProducts(t *testing.T) {
	for _, code := range []string{withCheck("212345601250"), withCheck("281234500532"), comptoir.DepartmentGTIN(1)} {
		if kind, err := comptoir.ClassifyCode(code); kind != comptoir.ScanProduct || err != nil {
			t.Errorf("ClassifyCode(%q) = %s, %v, want a product", code, kind, err)
		}
	}
	// The cards' range stays the cards'.
	if kind, _ := comptoir.ClassifyCode("0400000000008"); kind != comptoir.ScanCard {
		t.Errorf("ClassifyCode(card) = %s, want a card", kind)
	}
}

func TestParseScaleLayout_Names(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want comptoir.ScaleLayout
		err  *comptoir.Error
	}{
		{"", comptoir.ScalePrice5, nil},
		{"price5", comptoir.ScalePrice5, nil},
		{" Weight5 ", comptoir.ScaleWeight5, nil},
		{"price4c", comptoir.ScalePrice4, nil},
		{"none", comptoir.ScaleNone, nil},
		{"kilo", "", comptoir.E(comptoir.CodeUnknownScaleLayout)},
	} {
		got, err := comptoir.ParseScaleLayout(tt.in)
		checkErr(t, err, tt.err)
		if got != tt.want {
			t.Errorf("ParseScaleLayout(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseVariableMeasure checks, for any code and every layout, that a scale code read without
// error names an item under a valid base code of the same prefix and item, carries exactly one
// positive value, and is priced by ScaleProduct as the ticket rules accept. The seeds run with
// the test suite.
func FuzzParseVariableMeasure(f *testing.F) {
	for _, s := range []string{withCheck("212345601250"), withCheck("281234500532"), withCheck("212345692875"),
		withCheck("299999999999"), "3017620422003", "0400000000008", "2123456012500", "", "2", "20999010000020"} {
		f.Add(s)
	}
	layouts := []comptoir.ScaleLayout{comptoir.ScalePrice5, comptoir.ScaleWeight5, comptoir.ScalePrice4, comptoir.ScaleNone, ""}
	f.Fuzz(func(t *testing.T, code string) {
		for _, layout := range layouts {
			m, ok, err := comptoir.ParseVariableMeasure(code, layout)
			if !ok {
				if err != nil || m != (comptoir.VariableMeasure{}) {
					t.Fatalf("ParseVariableMeasure(%q, %s) = %+v, %v with ok false", code, layout, m, err)
				}
				continue
			}
			if kind, _ := comptoir.ClassifyCode(code); kind != comptoir.ScanProduct {
				t.Fatalf("ParseVariableMeasure(%q, %s) read a scale code ClassifyCode calls %s", code, layout, kind)
			}
			if err != nil {
				continue
			}
			if comptoir.ValidateGTIN(m.Base) != nil || m.Base[:7] != code[:7] || m.Code != code {
				t.Fatalf("ParseVariableMeasure(%q, %s) = %+v: bad base code", code, layout, m)
			}
			if (m.Price > 0) == (m.Grams > 0) || m.Price < 0 || m.Grams < 0 || m.Price > 99999 || m.Grams > 99999 {
				t.Fatalf("ParseVariableMeasure(%q, %s) = %+v: want one positive value", code, layout, m)
			}
			p := comptoir.ScaleProduct(comptoir.Product{GTIN: m.Base, Name: "Article", Price: comptoir.MaxAmount, VAT: comptoir.VATNormal}, m)
			if _, err := comptoir.NormalizeProduct(p); err != nil && p.Price > 0 && p.Price <= comptoir.MaxAmount {
				t.Fatalf("ScaleProduct(%+v) = %+v, refused: %v", m, p, err)
			}
		}
	})
}

func TestParseDepartments_Table(t *testing.T) {
	tests := []struct {
		in   string
		want []comptoir.Department
		err  *comptoir.Error
	}{
		{"", []comptoir.Department{{"Divers", comptoir.VATNormal}, {"Restauration", comptoir.VATIntermediate},
			{"Alimentation", comptoir.VATReduced}, {"Presse", comptoir.VATSpecial}}, nil},
		{"Fleurs coupées 10 %; Épicerie 5,5%;", []comptoir.Department{{"Fleurs coupées", comptoir.VATIntermediate}, {"Épicerie", comptoir.VATReduced}}, nil},
		{"Divers 20", []comptoir.Department{{"Divers", comptoir.VATNormal}}, nil},
		{"Divers", nil, comptoir.E(comptoir.CodeInvalidDepartments)},
		{"Divers 7 %", nil, comptoir.E(comptoir.CodeInvalidDepartments)},
		{"20 %", nil, comptoir.E(comptoir.CodeInvalidDepartments)},
		{"; ;", nil, comptoir.E(comptoir.CodeInvalidDepartments)},
		{"A 20;B 20;C 20;D 20;E 20;F 20;G 20;H 20;I 20;J 20", nil, comptoir.E(comptoir.CodeInvalidDepartments)},
	}
	for _, tt := range tests {
		got, err := comptoir.ParseDepartments(tt.in)
		checkErr(t, err, tt.err)
		if len(got) != len(tt.want) {
			t.Fatalf("ParseDepartments(%q) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("ParseDepartments(%q)[%d] = %v, want %v", tt.in, i, got[i], tt.want[i])
			}
		}
	}
}

func TestDepartmentGTIN_ValidAndDistinct(t *testing.T) {
	if got, want := comptoir.DepartmentGTIN(1), "2099901000002"; got != want {
		t.Errorf("DepartmentGTIN(1) = %q, want %q", got, want)
	}
	seen := map[string]bool{}
	for n := 1; n <= comptoir.MaxDepartments; n++ {
		code := comptoir.DepartmentGTIN(n)
		if err := comptoir.ValidateGTIN(code); err != nil || comptoir.IsCardRange(code) || seen[code] {
			t.Errorf("DepartmentGTIN(%d) = %q: %v, card range %v, seen %v", n, code, err, comptoir.IsCardRange(code), seen[code])
		}
		seen[code] = true
	}
}

func TestOpenPriceProduct_Refusals(t *testing.T) {
	d := comptoir.Department{Name: "Divers", VAT: comptoir.VATNormal}
	p, err := comptoir.OpenPriceProduct(d, 1, "12,50")
	checkErr(t, err, nil)
	if want := (comptoir.Product{GTIN: comptoir.DepartmentGTIN(1), Name: "Divers", Price: 1250, VAT: comptoir.VATNormal}); p != want {
		t.Errorf("OpenPriceProduct = %+v, want %+v", p, want)
	}
	if _, err := comptoir.NormalizeProduct(p); err != nil {
		t.Errorf("NormalizeProduct(%+v) = %v", p, err)
	}
	for _, typed := range []string{"", "0", "0,00", "-3", "douze", "12,505", "1000000,01"} {
		_, err := comptoir.OpenPriceProduct(d, 1, typed)
		checkErr(t, err, comptoir.E(comptoir.CodeOpenPriceInvalid))
	}
}

func TestShopSettings_ScaleAndDepartments(t *testing.T) {
	s := comptoir.DefaultShopSettings()
	if got, want := s.Get("scale.layout"), "price5"; got != want {
		t.Errorf("default scale.layout = %q, want %q", got, want)
	}
	checkErr(t, s.Set("scale.layout", "weight5"), nil)
	if got, want := s.ScaleLayout, comptoir.ScaleWeight5; got != want {
		t.Errorf("ScaleLayout = %q, want %q", got, want)
	}
	checkErr(t, s.Set("scale.layout", "kilo"), comptoir.E(comptoir.CodeUnknownScaleLayout))
	checkErr(t, s.Set("sale.departments", "Fleurs 10;Divers 20%"), nil)
	if got, want := s.Get("sale.departments"), "Fleurs 10 %; Divers 20 %"; got != want {
		t.Errorf("sale.departments = %q, want %q", got, want)
	}
	if got := s.DepartmentList(); len(got) != 2 || got[0].Name != "Fleurs" {
		t.Errorf("DepartmentList = %v", got)
	}
	checkErr(t, s.Set("sale.departments", "Fleurs"), comptoir.E(comptoir.CodeInvalidDepartments))
}
