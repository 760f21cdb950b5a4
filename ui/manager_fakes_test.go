package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// fakeNow is the fakes' clock: a Monday morning, in UTC, the fakes' time zone.
var fakeNow = time.Date(2026, 11, 30, 9, 12, 0, 0, time.UTC)

// fakeClosing seals periods over the tickets of a fakeSales, in memory, with the store's rules:
// CheckClosable, one closing per period, and a month or a year only once its days (or months)
// with tickets are closed.
type fakeClosing struct {
	sales    *fakeSales
	closings map[string]comptoir.Closing
	order    []string
	// signature signs the closings made, as the store's key would; empty signs none.
	signature string
}

func newClosing(sales *fakeSales) *fakeClosing {
	c := &fakeClosing{sales: sales, closings: map[string]comptoir.Closing{}}
	sales.closed = func(day string) bool {
		for p := range c.closings {
			if strings.HasPrefix(day, p) {
				return true
			}
		}
		return false
	}
	return c
}

func (c *fakeClosing) ClosePeriod(ctx context.Context, period string) (comptoir.Closing, error) {
	return c.closeWith(ctx, period, nil)
}

func (c *fakeClosing) CloseDayCounted(ctx context.Context, day string, counted map[comptoir.PaymentMethod]comptoir.Money) (comptoir.Closing, error) {
	if _, err := comptoir.ParseDay(day); err != nil {
		return comptoir.Closing{}, err
	}
	return c.closeWith(ctx, day, counted)
}

func (c *fakeClosing) closeWith(ctx context.Context, period string, counted map[comptoir.PaymentMethod]comptoir.Money) (comptoir.Closing, error) {
	kind, err := comptoir.ParsePeriod(period)
	if err != nil {
		return comptoir.Closing{}, err
	}
	first := ""
	for _, s := range c.sales.sales {
		if first == "" || s.Day < first {
			first = s.Day
		}
	}
	if err := comptoir.CheckClosable(period, comptoir.DayOf(fakeNow, time.UTC), first); err != nil {
		return comptoir.Closing{}, err
	}
	if old, ok := c.closings[period]; ok {
		return comptoir.Closing{}, comptoir.E(comptoir.CodeAlreadyClosed, period, old.Number)
	}
	if kind != comptoir.DayClosing {
		for _, s := range c.sales.sales {
			sub := s.Day
			if kind == comptoir.YearClosing {
				sub = s.Day[:7]
			}
			if _, ok := c.closings[sub]; strings.HasPrefix(s.Day, period) && !ok {
				return comptoir.Closing{}, comptoir.E(comptoir.CodeUnclosedPeriod, sub, period)
			}
		}
	}
	t, _ := c.PeriodTotals(ctx, period)
	gt, _ := c.GrandTotal(ctx)
	cl := comptoir.Closing{Register: "R1", Number: uint64(len(c.order) + 1), Kind: kind, Period: period, At: fakeNow,
		Totals: t, GrandTotal: gt, Hash: strings.Repeat("ab", 32), Signature: c.signature}
	if counted != nil {
		if cl.Count, err = comptoir.CountCash(t, counted); err != nil {
			return comptoir.Closing{}, err
		}
	}
	c.closings[period] = cl
	c.order = append(c.order, period)
	return cl, nil
}

func (c *fakeClosing) Closing(_ context.Context, period string) (comptoir.Closing, bool, error) {
	if _, err := comptoir.ParsePeriod(period); err != nil {
		return comptoir.Closing{}, false, err
	}
	cl, ok := c.closings[period]
	return cl, ok, nil
}

func (c *fakeClosing) DayTotals(ctx context.Context, day string) (comptoir.Totals, error) {
	if _, err := comptoir.ParseDay(day); err != nil {
		return comptoir.Totals{}, err
	}
	return c.PeriodTotals(ctx, day)
}

func (c *fakeClosing) PeriodTotals(_ context.Context, period string) (comptoir.Totals, error) {
	if _, err := comptoir.ParsePeriod(period); err != nil {
		return comptoir.Totals{}, err
	}
	var t comptoir.Totals
	for _, s := range c.sales.sales {
		if strings.HasPrefix(s.Day, period) {
			t.Add(s)
		}
	}
	return t, nil
}

func (c *fakeClosing) GrandTotal(context.Context) (comptoir.Money, error) {
	var gt comptoir.Money
	for _, s := range c.sales.sales {
		if !s.Training {
			gt += s.Total
		}
	}
	return gt, nil
}

// fakeJournal verifies the fake journal: intact unless broken is set.
type fakeJournal struct {
	closing *fakeClosing
	broken  *comptoir.Error
	// chains, when set, completes the report as a walk of the signature chains would.
	chains func(*comptoir.VerifyReport)
}

func (j *fakeJournal) Verify(ctx context.Context) (comptoir.VerifyReport, error) {
	gt, _ := j.closing.GrandTotal(ctx)
	rep := comptoir.VerifyReport{Tickets: int64(len(j.closing.sales.sales)), Closings: int64(len(j.closing.order)), GrandTotal: gt}
	if j.broken != nil {
		rep.Broken = j.broken
		rep.At = &comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 2}
	}
	if j.chains != nil {
		j.chains(&rep)
	}
	return rep, nil
}

// fakeSettings keeps the shop's settings in memory, checked by ShopSettings.Set as the store does.
type fakeSettings struct{ s comptoir.ShopSettings }

func (f *fakeSettings) Settings(context.Context) (comptoir.ShopSettings, error) { return f.s, nil }

func (f *fakeSettings) SetSetting(_ context.Context, key, value string) error {
	s := f.s
	if err := s.Set(key, value); err != nil {
		return err
	}
	f.s = s
	return nil
}

var (
	_ comptoir.ClosingService  = (*fakeClosing)(nil)
	_ comptoir.JournalVerifier = (*fakeJournal)(nil)
	_ comptoir.SettingsService = (*fakeSettings)(nil)
)

// managerHarness is a harness whose register has every service of the manager screen, with a
// cashier (role) logged in.
type managerHarness struct {
	*harness
	catalog   *fakeCatalog
	closing   *fakeClosing
	journal   *fakeJournal
	settings  *fakeSettings
	users     *fakeUsers
	customers *fakeCustomers
	gdpr      *fakeGDPR
	printer   *fakePrinter
	till      *fakeTill
}

func newManagerHarness(tb testing.TB, lang comptoir.Lang, role comptoir.Role, w, h int) *managerHarness {
	tb.Helper()
	return newManagerHarnessPrinter(tb, lang, role, w, h, true)
}

// newManagerHarnessPrinter is newManagerHarness with or without a receipt printer.
func newManagerHarnessPrinter(tb testing.TB, lang comptoir.Lang, role comptoir.Role, w, h int, withPrinter bool, opts ...func(*ui.Config)) *managerHarness {
	tb.Helper()
	sales := &fakeSales{}
	closing := newClosing(sales)
	mh := &managerHarness{
		catalog: newCatalog(), closing: closing, journal: &fakeJournal{closing: closing},
		settings: &fakeSettings{s: comptoir.DefaultShopSettings()}, users: managerUsers(), customers: managerCustomers(),
		gdpr: newFakeGDPR(), printer: &fakePrinter{saved: map[string]comptoir.ReceiptPlan{}}, till: &fakeTill{},
	}
	user := "camille"
	if role == comptoir.RoleManager {
		user = "gerant"
	}
	var printer ui.ReceiptPrinter
	if withPrinter {
		printer = mh.printer
	}
	cfg := ui.Config{
		Lang:      lang,
		Session:   ui.Session{Register: "R1", Cashier: user, UserID: user, Role: role},
		Sync:      ui.SyncState{Pending: 3},
		Catalog:   mh.catalog,
		Sales:     sales,
		Closing:   closing,
		Journal:   mh.journal,
		Settings:  mh.settings,
		Users:     mh.users,
		Customers: mh.customers,
		GDPR:      mh.gdpr,
		Till:      mh.till,
		Printer:   printer,
		Now:       func() time.Time { return fakeNow },
		Location:  time.UTC,
	}
	// Options change the configuration of one test, such as the sync's "sync now".
	for _, o := range opts {
		o(&cfg)
	}
	m := ui.New(cfg)
	mh.harness = &harness{tb: tb, m: m, sales: sales}
	mh.send(tea.WindowSizeMsg{Width: w, Height: h})
	// With users the register opens on the login screen: the user logs in as the login screen
	// would say they did.
	mh.send(ui.LoggedInMsg{User: comptoir.User{ID: user, Role: role}})
	return mh
}

// managerUsers is a shop with a manager and a cashier, both with a PIN of their own.
func managerUsers() *fakeUsers {
	u := newUsers()
	u.add("gerant", comptoir.RoleManager, "318204", false)
	u.add("camille", comptoir.RoleCashier, "2580", false)
	return u
}

// managerCustomers is the members' file of the sale screen's tests plus Zoé Hamel under a short
// ID and the card `card`, so that the rights screen's sentences fit on one row at 80 columns.
func managerCustomers() *fakeCustomers {
	f := newCustomers()
	f.byID["c-zoe"] = &fakeMember{c: comptoir.Customer{ID: "c-zoe", Cards: []string{card}, Basis: comptoir.BasisContract, Status: comptoir.StatusActive,
		Personal:   comptoir.Personal{FirstName: "Zoé", LastName: "Hamel", Email: "zoe.hamel@example.org", Phone: "+33612345678"},
		EnrolledAt: fakeNow, LastActivity: fakeNow}}
	f.byCard[card] = "c-zoe"
	return f
}
