package ui_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// Golden files hold plain text: the styles must not depend on the terminal running the tests.
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// Products of the fake catalogue.
const (
	nutella  = "3017620422003"
	coffee   = "4006381333931"
	biscuits = "96385074"
	soda     = "036000291452" // UPC-A
	card     = "0400000000008"
	unknown  = "5000112637922" // A valid EAN-13 that is not in the catalogue.
)

// fakeCatalog is a catalogue of a few products held in memory.
type fakeCatalog struct{ products map[string]comptoir.Product }

func newCatalog() *fakeCatalog {
	c := &fakeCatalog{products: map[string]comptoir.Product{}}
	for _, p := range []comptoir.Product{
		{GTIN: nutella, Name: "Pâte à tartiner 400 g", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced},
		// A label with an escape sequence in it, as a bad CSV import could bring.
		{GTIN: coffee, Name: "Café en grains\x1b[31m 1 kg", Price: comptoir.Euros(14, 90), VAT: comptoir.VATReduced},
		{GTIN: biscuits, Name: "Petits beurre", Price: comptoir.Euros(1, 30), VAT: comptoir.VATReduced},
		{GTIN: soda, Name: "Limonade artisanale à la fleur de sureau, bouteille consignée 75 cl", Price: comptoir.Euros(2, 40), VAT: comptoir.VATNormal},
	} {
		c.products[comptoir.GTINKey(p.GTIN)] = p
	}
	return c
}

func (c *fakeCatalog) Product(_ context.Context, gtin string) (comptoir.Product, error) {
	p, ok := c.products[comptoir.GTINKey(gtin)]
	if !ok {
		return comptoir.Product{}, comptoir.E(comptoir.CodeUnknownProduct, gtin)
	}
	return p, nil
}

func (c *fakeCatalog) ImportProducts(_ context.Context, products []comptoir.Product) (int, error) {
	for _, p := range products {
		c.products[comptoir.GTINKey(p.GTIN)] = p
	}
	return len(products), nil
}

func (c *fakeCatalog) Products(ctx context.Context) ([]comptoir.Product, error) {
	var ps []comptoir.Product
	err := c.EachProduct(ctx, func(p comptoir.Product) error {
		ps = append(ps, p)
		return nil
	})
	return ps, err
}

func (c *fakeCatalog) EachProduct(ctx context.Context, fn func(comptoir.Product) error) error {
	keys := make([]string, 0, len(c.products))
	for k := range c.products {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(c.products[k]); err != nil {
			return err
		}
	}
	return nil
}

// fakeSales records tickets in memory, numbering them from 1, or fails with err when it is set.
type fakeSales struct {
	sales []comptoir.Sale
	err   error
	// closed reports whether a business day is closed, when a fake closing service is attached.
	closed func(day string) bool
}

func (f *fakeSales) RecordSale(_ context.Context, d comptoir.SaleDraft) (comptoir.Sale, error) {
	if f.err != nil {
		return comptoir.Sale{}, f.err
	}
	s, err := comptoir.BuildSale(d)
	if err != nil {
		return comptoir.Sale{}, err
	}
	if s.RefundOf != 0 {
		// A refund is checked against its ticket and the earlier refunds, as the store does.
		orig, err := f.Sale(context.Background(), s.RefundOf)
		if err != nil {
			return comptoir.Sale{}, err
		}
		earlier, _ := f.Refunds(context.Background(), s.RefundOf)
		if err := comptoir.CheckRefund(s, orig, earlier); err != nil {
			return comptoir.Sale{}, err
		}
	}
	if s.At.IsZero() {
		s.At = fakeNow
	}
	s.Day = comptoir.DayOf(s.At, time.UTC)
	if f.closed != nil && f.closed(s.Day) {
		return comptoir.Sale{}, comptoir.E(comptoir.CodeDayClosed, s.Day)
	}
	s.Number = uint64(len(f.sales) + 1)
	f.sales = append(f.sales, s)
	return s, nil
}

func (f *fakeSales) Sale(_ context.Context, n uint64) (comptoir.Sale, error) {
	if n == 0 || n > uint64(len(f.sales)) {
		return comptoir.Sale{}, comptoir.E(comptoir.CodeTicketNotFound, n)
	}
	return f.sales[n-1], nil
}

func (f *fakeSales) QuoteSale(_ context.Context, d comptoir.SaleDraft) (comptoir.Sale, error) {
	return comptoir.PriceSale(d)
}

func (f *fakeSales) LastTicket(context.Context) (uint64, error) { return uint64(len(f.sales)), nil }

func (f *fakeSales) Refunds(_ context.Context, n uint64) ([]comptoir.Sale, error) {
	if n == 0 || n > uint64(len(f.sales)) {
		return nil, comptoir.E(comptoir.CodeTicketNotFound, n)
	}
	var out []comptoir.Sale
	for _, s := range f.sales {
		if s.RefundOf == n {
			out = append(out, s)
		}
	}
	return out, nil
}

var (
	_ comptoir.CatalogService = (*fakeCatalog)(nil)
	_ comptoir.SaleService    = (*fakeSales)(nil)
)

// harness drives the root model as Bubble Tea would, but in the test's goroutine: each command
// a message returns is run at once and its message fed back, so a test reads in order.
type harness struct {
	tb    testing.TB
	m     *ui.Model
	sales *fakeSales
	quit  bool
	// out holds the messages meant for someone else than the screens (a card scanned).
	out []tea.Msg
}

func newHarness(tb testing.TB, lang comptoir.Lang, w, h int) *harness {
	tb.Helper()
	sales := &fakeSales{}
	m := ui.New(ui.Config{
		Lang:    lang,
		Session: ui.Session{Register: "R1", Cashier: "Camille"},
		Sync:    ui.SyncState{Pending: 3},
		Catalog: newCatalog(),
		Sales:   sales,
	})
	hs := &harness{tb: tb, m: m, sales: sales}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

func (h *harness) send(msgs ...tea.Msg) {
	h.tb.Helper()
	queue := append([]tea.Msg(nil), msgs...)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		case tea.QuitMsg:
			h.quit = true
			continue
		case ui.CardScannedMsg, ui.LineVoidedMsg:
			h.out = append(h.out, msg)
		}
		if _, c := h.m.Update(msg); c != nil {
			queue = append(queue, c())
		}
	}
}

// typeText sends text as one burst, as Bubble Tea delivers characters that arrive together.
func (h *harness) typeText(s string) { h.tb.Helper(); h.send(runes(s)) }

// scanKeys types a code as a keyboard-mode scanner does: a burst, then Enter.
func (h *harness) scanKeys(code string) { h.tb.Helper(); h.send(runes(code), key(tea.KeyEnter)) }

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func key(t tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: t} }

func (h *harness) lines() []comptoir.Line { return h.m.Sale().Lines() }

// view is the screen as the terminal would show it.
func (h *harness) view() string { return h.m.View() }

// contains fails the test when s lacks want.
func contains(tb testing.TB, what, s, want string) {
	tb.Helper()
	if !strings.Contains(s, want) {
		tb.Errorf("%s does not contain %q:\n%s", what, want, s)
	}
}

func scan(code string) ui.ScanMsg { return ui.ScanMsg{Code: code} }
