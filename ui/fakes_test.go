package ui_test

import (
	"context"
	"os"
	"reflect"
	"runtime"
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
	// members, when set, holds the members whose points tickets earn and spend by rule.
	members *fakeCustomers
	rule    comptoir.PointsRule
	// closed reports whether a business day is closed, when a fake closing service is attached.
	closed func(day string) bool
}

func (f *fakeSales) RecordSale(_ context.Context, d comptoir.SaleDraft) (comptoir.Sale, error) {
	if f.err != nil {
		return comptoir.Sale{}, f.err
	}
	var m *fakeMember
	if f.members != nil {
		var err error
		if m, err = f.members.prepare(f.rule, &d); err != nil {
			return comptoir.Sale{}, err
		}
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
	if m != nil {
		s.PointsEarned = f.rule.Earned(s.Total)
		if s.PointsRedeemed != 0 {
			m.ledger = append(m.ledger, comptoir.PointsEntry{Kind: comptoir.PointsRedeem, Points: -s.PointsRedeemed, Ticket: s.Number})
		}
		m.ledger = append(m.ledger, comptoir.PointsEntry{Kind: comptoir.PointsEarn, Points: s.PointsEarned, Ticket: s.Number})
	}
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
	if f.members != nil {
		if _, err := f.members.prepare(f.rule, &d); err != nil {
			return comptoir.Sale{}, err
		}
	}
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
	tb        testing.TB
	m         *ui.Model
	sales     *fakeSales
	customers *fakeCustomers
	printer   *fakePrinter
	printLog  *fakePrintLog
	till      *fakeTill
	quit      bool
	// out holds the messages meant for someone else than the screens (a card scanned).
	out []tea.Msg
}

func newHarness(tb testing.TB, lang comptoir.Lang, w, h int, opts ...func(*ui.Config)) *harness {
	tb.Helper()
	customers := newCustomers()
	sales := &fakeSales{members: customers, rule: comptoir.DefaultPointsRule}
	printer := &fakePrinter{saved: map[string]comptoir.ReceiptPlan{}}
	printLog := &fakePrintLog{sales: sales, counts: map[uint64]uint64{}}
	till := &fakeTill{}
	shop := comptoir.DefaultShopSettings()
	shop.Name, shop.Contact, shop.NoticeVersion = "Épicerie Camille", "rgpd@epicerie.fr", "2"
	cfg := ui.Config{
		Lang:      lang,
		Session:   ui.Session{Register: "R1", Cashier: "Camille"},
		Sync:      ui.SyncState{Pending: 3},
		Catalog:   newCatalog(),
		Sales:     sales,
		Customers: customers,
		Points:    customers,
		Settings:  &fakeSettings{shop},
		PrintLog:  printLog,
		Printer:   printer,
		Till:      till,
		Now:       func() time.Time { return time.Date(2026, 11, 30, 9, 12, 0, 0, time.Local) },
	}
	// Options change the configuration of one test, such as the shop's settings.
	for _, o := range opts {
		o(&cfg)
	}
	m := ui.New(cfg)
	hs := &harness{tb: tb, m: m, sales: sales, customers: customers, printer: printer, printLog: printLog, till: till}
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
				if c != nil && !timer(c) {
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
		if cmds, ok := sequence(msg); ok {
			// tea.Sequence's message is unexported: its commands run in order, as here.
			queue = append(queue, cmds...)
			continue
		}
		if _, c := h.m.Update(msg); c != nil && !timer(c) {
			queue = append(queue, c())
		}
	}
}

// timer reports whether a command only waits to blink a cursor (the huh form's text inputs):
// run at once it would block, and its answer asks for the next blink, for ever. The harness
// drops it, as a test has no use for a blinking cursor.
func timer(c tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(c).Pointer()).Name()
	return strings.HasPrefix(name, "github.com/charmbracelet/bubbles/cursor.")
}

// sequence returns the messages of the commands of a tea.Sequence.
func sequence(msg tea.Msg) ([]tea.Msg, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeOf(tea.Cmd(nil)) {
		return nil, false
	}
	var out []tea.Msg
	for i := range v.Len() {
		if c := v.Index(i).Interface().(tea.Cmd); c != nil && !timer(c) {
			out = append(out, c())
		}
	}
	return out, true
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
