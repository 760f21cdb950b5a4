package ui_test

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// scaleCode completes a 12-digit body with its check digit.
func scaleCode(body string) string { return body + strconv.Itoa(comptoir.GTINCheckDigit(body)) }

// Scale items of the shop: a cheese sold by weight (18,90 €/kg) and a tart priced by the scale.
var (
	cheese = comptoir.Product{GTIN: scaleCode("281234500000"), Name: "Comté 18 mois", Price: comptoir.Euros(18, 90), VAT: comptoir.VATReduced}
	tart   = comptoir.Product{GTIN: scaleCode("212345600000"), Name: "Tarte aux pommes", Price: comptoir.Euros(1, 0), VAT: comptoir.VATReduced}
)

// withShop gives a test the shop's settings changed by set, and the scale items in the catalogue.
func withShop(tb testing.TB, set map[string]string) func(*ui.Config) {
	return func(cfg *ui.Config) {
		shop := comptoir.DefaultShopSettings()
		for k, v := range set {
			if err := shop.Set(k, v); err != nil {
				tb.Fatal(err)
			}
		}
		cfg.Settings = &fakeSettings{shop}
		cat := newCatalog()
		for _, p := range []comptoir.Product{cheese, tart} {
			cat.products[comptoir.GTINKey(p.GTIN)] = p
		}
		cfg.Catalog = cat
	}
}

func TestOpenPrice_AddsADepartmentLine(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(nutella)
	h.send(key(tea.KeyF10))
	contains(t, "the entry", h.view(), "Prix, Divers : _")
	h.send(key(tea.KeyDown))
	h.typeText("12,50")
	h.send(key(tea.KeyEnter))
	lines := h.lines()
	if got, want := len(lines), 2; got != want {
		t.Fatalf("%d lines, want %d: %+v", got, want, lines)
	}
	want := comptoir.Line{GTIN: comptoir.DepartmentGTIN(2), Name: "Restauration", Qty: 1, UnitPrice: 1250, VAT: comptoir.VATIntermediate, Total: 1250}
	if got := lines[1]; got != want {
		t.Errorf("line = %+v, want %+v", got, want)
	}
	contains(t, "after Enter", h.view(), "Code : _")
	// The same department at the same price adds to its line, as a scanned item does.
	h.send(key(tea.KeyF10))
	h.send(key(tea.KeyDown))
	h.typeText("12,50")
	h.send(key(tea.KeyEnter))
	if got, want := h.lines()[1].Qty, int64(2); got != want {
		t.Errorf("quantity = %d, want %d", got, want)
	}
	// The ticket is paid and recorded like any other.
	h.send(key(tea.KeyEnter))
	h.scanKeys("30")
	if got := len(h.sales.sales); got != 1 {
		t.Fatalf("%d tickets recorded, want 1", got)
	}
	if s := h.sales.sales[0]; !comptoir.CheckSale(s) || s.Total != comptoir.Euros(28, 95) {
		t.Errorf("ticket = %+v, want a consistent ticket of 28,95 €", s)
	}
}

func TestOpenPrice_Refusals(t *testing.T) {
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		h := newHarness(t, lang, 80, 24)
		h.send(key(tea.KeyF10))
		for _, typed := range []string{"", "0", "0,00", "douze", "12,505", "-5"} {
			h.typeText(typed)
			h.send(key(tea.KeyEnter))
			want := map[comptoir.Lang]string{comptoir.LangFR: "refusé : tapez un montant positif", comptoir.LangEN: "refused: type a positive amount"}[lang]
			contains(t, "refusal of "+strconv.Quote(typed), h.view(), want)
			if got := len(h.lines()); got != 0 {
				t.Fatalf("%q added a line: %+v", typed, h.lines())
			}
		}
		// The entry stays open after a refusal, and Esc closes it without a line.
		contains(t, "after the refusals", h.view(), map[comptoir.Lang]string{comptoir.LangFR: "Prix, Divers", comptoir.LangEN: "Price, Divers"}[lang])
		h.send(key(tea.KeyEsc))
		if v := h.view(); strings.Contains(v, "Divers") || len(h.lines()) != 0 {
			t.Errorf("Esc left the entry open or a line: %q", v)
		}
	}
}

func TestOpenPrice_ScanClosesTheEntry(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.send(key(tea.KeyF10))
	h.scanKeys(nutella)
	h.send(key(tea.KeyF10))
	h.send(scan(coffee))
	lines := h.lines()
	if len(lines) != 2 || lines[0].GTIN != nutella || lines[1].GTIN != coffee {
		t.Fatalf("lines = %+v, want the two scanned items", lines)
	}
	if v := h.view(); strings.Contains(v, "Prix, Divers") {
		t.Errorf("the entry is still open after a scan: %q", v)
	}
}

func TestOpenPrice_DepartmentsFromSettings(t *testing.T) {
	h := newHarness(t, comptoir.LangEN, 80, 24, withShop(t, map[string]string{"sale.departments": "Fleurs 10 %; Journaux 2,1 %"}))
	h.send(key(tea.KeyF10))
	h.send(key(tea.KeyDown), key(tea.KeyDown))
	h.typeText("3.20")
	h.send(key(tea.KeyEnter))
	want := comptoir.Line{GTIN: comptoir.DepartmentGTIN(2), Name: "Journaux", Qty: 1, UnitPrice: 320, VAT: comptoir.VATSpecial, Total: 320}
	if lines := h.lines(); len(lines) != 1 || lines[0] != want {
		t.Errorf("lines = %+v, want %+v", lines, want)
	}
}

func TestScale_PriceAndWeightCodes(t *testing.T) {
	tests := []struct {
		name   string
		layout string
		code   string
		want   comptoir.Line
	}{
		{"price5", "price5", scaleCode("212345601250"),
			comptoir.Line{GTIN: scaleCode("212345601250"), Name: "Tarte aux pommes", Qty: 1, UnitPrice: 1250, VAT: comptoir.VATReduced, Total: 1250}},
		{"weight5", "weight5", scaleCode("281234500532"),
			comptoir.Line{GTIN: scaleCode("281234500532"), Name: "Comté 18 mois 0,532 kg à 18,90 €/kg", Qty: 1, UnitPrice: 1005, VAT: comptoir.VATReduced, Total: 1005}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, comptoir.LangFR, 80, 24, withShop(t, map[string]string{"scale.layout": tt.layout}))
			h.scanKeys(tt.code)
			if lines := h.lines(); len(lines) != 1 || lines[0] != tt.want {
				t.Fatalf("lines = %+v, want %+v", lines, tt.want)
			}
			h.send(key(tea.KeyEnter))
			h.scanKeys("20")
			if got := len(h.sales.sales); got != 1 || !comptoir.CheckSale(h.sales.sales[0]) || h.sales.sales[0].Lines[0] != tt.want {
				t.Errorf("recorded %+v, want one consistent ticket with %+v", h.sales.sales, tt.want)
			}
		})
	}
}

func TestScale_Refusals(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24, withShop(t, nil))
	h.scanKeys(scaleCode("277777701250"))
	contains(t, "unknown scale item", h.view(), "article de balance inconnu")
	h.scanKeys(scaleCode("212345600000"))
	contains(t, "zero price", h.view(), "prix ou le poids imprimé est nul")
	// A code of the card range stays a card.
	h.scanKeys(card)
	if got := len(h.lines()); got != 0 {
		t.Errorf("%d lines after refusals and a card, want none: %+v", got, h.lines())
	}
}

func TestScale_LayoutChangeAppliesToTheNextScan(t *testing.T) {
	set := withShop(t, map[string]string{"scale.layout": "none"})
	var settings *fakeSettings
	h := newHarness(t, comptoir.LangFR, 80, 24, func(cfg *ui.Config) {
		set(cfg)
		settings = cfg.Settings.(*fakeSettings)
	})
	code := scaleCode("281234500532")
	h.scanKeys(code)
	contains(t, "under none", h.view(), "article inconnu : le code "+code)
	if err := settings.s.Set("scale.layout", "weight5"); err != nil {
		t.Fatal(err)
	}
	h.scanKeys(code)
	if lines := h.lines(); len(lines) != 1 || lines[0].UnitPrice != 1005 {
		t.Errorf("lines = %+v, want the weighed cheese at 10,05 €", lines)
	}
}

// TestOpenPriceView_Golden draws the open-price entry and a ticket with a weighed item at 80×24
// and 120×40 in both languages, against testdata/TestOpenPriceView_Golden/*.golden.
func TestOpenPriceView_Golden(t *testing.T) {
	screens := []struct {
		name   string
		fr, en string
		do     func(h *harness, l comptoir.Lang)
	}{
		{"open_price", "Prix, Restauration : 12,5_", "Price, Restauration: 12.5_", func(h *harness, l comptoir.Lang) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyF10))
			h.send(key(tea.KeyDown))
			h.typeText(map[bool]string{true: "12,5", false: "12.5"}[l == comptoir.LangFR])
		}},
		{"weighed_line", "Comté 18 mois 0,532 kg à 18,90 €/kg", "Comté 18 mois 0,532 kg à 18,90 €/kg", func(h *harness, _ comptoir.Lang) {
			h.scanKeys(nutella)
			h.scanKeys(scaleCode("281234500532"))
			h.send(key(tea.KeyF10))
			h.typeText("4")
			h.send(key(tea.KeyEnter))
		}},
	}
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}}
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, size := range sizes {
			for _, s := range screens {
				t.Run(string(lang)+"_"+size.name+"_"+s.name, func(t *testing.T) {
					h := newHarness(t, lang, size.w, size.h, withShop(t, map[string]string{"scale.layout": "weight5"}))
					s.do(h, lang)
					checkScreen(t, h.view(), lang, s.fr, s.en, size.w, size.h)
				})
			}
		}
	}
}

func TestOpenPrice_ShortScreenKeepsTheChoiceInSight(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 12)
	h.send(key(tea.KeyF10))
	h.send(key(tea.KeyDown), key(tea.KeyDown), key(tea.KeyDown))
	contains(t, "a short screen", h.view(), "▸ 4  Presse")
	if got, want := len(strings.Split(h.view(), "\n")), 12; got != want {
		t.Errorf("%d rows, want %d", got, want)
	}
}
