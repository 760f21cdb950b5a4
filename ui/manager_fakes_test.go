package ui_test

import (
	"context"
	"slices"
	"sort"
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
		Totals: t, GrandTotal: gt, Hash: strings.Repeat("ab", 32)}
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
}

func (j *fakeJournal) Verify(ctx context.Context) (comptoir.VerifyReport, error) {
	gt, _ := j.closing.GrandTotal(ctx)
	rep := comptoir.VerifyReport{Tickets: int64(len(j.closing.sales.sales)), Closings: int64(len(j.closing.order)), GrandTotal: gt}
	if j.broken != nil {
		rep.Broken = j.broken
		rep.At = &comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 2}
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

// mgrUsers keeps users and their PINs in memory with the store's refusals (no lockout: the
// screens only show the refusal they are given).
type mgrUsers struct {
	users  map[string]comptoir.User
	pins   map[string]string
	audit  []string
	failed int
}

func newMgrUsers() *mgrUsers {
	f := &mgrUsers{users: map[string]comptoir.User{}, pins: map[string]string{}}
	f.users["gerant"] = comptoir.User{ID: "gerant", Role: comptoir.RoleManager, CreatedAt: fakeNow}
	f.pins["gerant"] = "318204"
	f.users["camille"] = comptoir.User{ID: "camille", Role: comptoir.RoleCashier, CreatedAt: fakeNow}
	f.pins["camille"] = "2580"
	return f
}

func (f *mgrUsers) AddUser(_ context.Context, u comptoir.NewUser, by string) (comptoir.User, error) {
	id, err := comptoir.ParseUserID(u.ID)
	if err != nil {
		return comptoir.User{}, err
	}
	if err := comptoir.ValidatePIN(u.PIN); err != nil {
		return comptoir.User{}, err
	}
	if _, ok := f.users[id]; ok {
		return comptoir.User{}, comptoir.E(comptoir.CodeUserExists, id)
	}
	nu := comptoir.User{ID: id, Role: u.Role, MustChangePIN: true, CreatedAt: fakeNow, CreatedBy: by}
	f.users[id], f.pins[id] = nu, u.PIN
	f.audit = append(f.audit, "add "+id+" by "+by)
	return nu, nil
}

func (f *mgrUsers) Users(context.Context) ([]comptoir.User, error) {
	var us []comptoir.User
	for _, u := range f.users {
		us = append(us, u)
	}
	sort.Slice(us, func(i, j int) bool { return us[i].ID < us[j].ID })
	return us, nil
}

func (f *mgrUsers) User(_ context.Context, id string) (comptoir.User, error) {
	u, ok := f.users[id]
	if !ok {
		return comptoir.User{}, comptoir.E(comptoir.CodeUnknownUser, id)
	}
	return u, nil
}

func (f *mgrUsers) HasUsers(context.Context) (bool, error) { return len(f.users) > 0, nil }

func (f *mgrUsers) ChangePIN(_ context.Context, id, pin, by string) error {
	u, ok := f.users[id]
	if !ok {
		return comptoir.E(comptoir.CodeUnknownUser, id)
	}
	if err := comptoir.ValidatePIN(pin); err != nil {
		return err
	}
	u.MustChangePIN = by != id
	f.users[id], f.pins[id] = u, pin
	f.audit = append(f.audit, "pin "+id+" by "+by)
	return nil
}

func (f *mgrUsers) DisableUser(_ context.Context, id, by string) error {
	u, ok := f.users[id]
	if !ok {
		return comptoir.E(comptoir.CodeUnknownUser, id)
	}
	if u.IsManager() && !u.Disabled {
		active := 0
		for _, o := range f.users {
			if o.IsManager() && !o.Disabled {
				active++
			}
		}
		if active == 1 {
			return comptoir.E(comptoir.CodeLastManager, id)
		}
	}
	u.Disabled = true
	f.users[id] = u
	f.audit = append(f.audit, "disable "+id+" by "+by)
	return nil
}

func (f *mgrUsers) Authenticate(_ context.Context, id, pin string) (comptoir.User, error) {
	u, ok := f.users[id]
	if !ok || f.pins[id] != pin {
		f.failed++
		f.audit = append(f.audit, "refused "+id)
		return comptoir.User{}, comptoir.E(comptoir.CodeLoginRefused)
	}
	if u.Disabled {
		return comptoir.User{}, comptoir.E(comptoir.CodeUserDisabled, id)
	}
	f.audit = append(f.audit, "login "+id)
	return u, nil
}

func (f *mgrUsers) Logout(_ context.Context, id string) error {
	f.audit = append(f.audit, "logout "+id)
	return nil
}

func (f *mgrUsers) EnsureFirstManager(context.Context) (string, error) { return "", nil }

var (
	_ comptoir.ClosingService  = (*fakeClosing)(nil)
	_ comptoir.JournalVerifier = (*fakeJournal)(nil)
	_ comptoir.SettingsService = (*fakeSettings)(nil)
	_ comptoir.UserService     = (*mgrUsers)(nil)
)

// managerHarness is a harness whose register has every service of the manager screen, with a
// cashier (role) logged in.
type managerHarness struct {
	*harness
	catalog   *fakeCatalog
	closing   *fakeClosing
	journal   *fakeJournal
	settings  *fakeSettings
	users     *mgrUsers
	customers *mgrCustomers
	gdpr      *fakeGDPR
	printer   *fakePrinter
	till      *fakeTill
}

func newManagerHarness(tb testing.TB, lang comptoir.Lang, role comptoir.Role, w, h int) *managerHarness {
	tb.Helper()
	return newManagerHarnessPrinter(tb, lang, role, w, h, true)
}

// newManagerHarnessPrinter is newManagerHarness with or without a receipt printer.
func newManagerHarnessPrinter(tb testing.TB, lang comptoir.Lang, role comptoir.Role, w, h int, withPrinter bool) *managerHarness {
	tb.Helper()
	sales := &fakeSales{}
	closing := newClosing(sales)
	mh := &managerHarness{
		catalog: newCatalog(), closing: closing, journal: &fakeJournal{closing: closing},
		settings: &fakeSettings{s: comptoir.DefaultShopSettings()}, users: newMgrUsers(), customers: newMgrCustomers(),
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
	m := ui.New(ui.Config{
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
	})
	mh.harness = &harness{tb: tb, m: m, sales: sales}
	mh.send(tea.WindowSizeMsg{Width: w, Height: h})
	// With users the register opens on the login screen: the user logs in as the login screen
	// would say they did.
	mh.send(ui.LoggedInMsg{User: comptoir.User{ID: user, Role: role}})
	return mh
}

// mgrCustomers holds members in memory for the manager screen's tests: lookups by card, the
// rights (reveal, export, erase, stop and resume processing) with the store's refusals, and an
// audit of who did what. Enrolment and consent are left to the members' screen's fake.
type mgrCustomers struct {
	members map[comptoir.CustomerID]comptoir.Customer
	audit   []string
}

func newMgrCustomers() *mgrCustomers {
	c := comptoir.Customer{ID: "c-zoe", Cards: []string{card}, Basis: comptoir.BasisContract, Status: comptoir.StatusActive,
		Personal:   comptoir.Personal{FirstName: "Zoé", LastName: "Hamel", Email: "zoe.hamel@example.org", Phone: "+33612345678"},
		EnrolledAt: fakeNow, LastActivity: fakeNow}
	return &mgrCustomers{members: map[comptoir.CustomerID]comptoir.Customer{c.ID: c}}
}

func (f *mgrCustomers) find(id comptoir.CustomerID) (comptoir.Customer, error) {
	c, ok := f.members[id]
	if !ok {
		return comptoir.Customer{}, comptoir.E(comptoir.CodeUnknownCustomer, id)
	}
	return c, nil
}

func (f *mgrCustomers) Enroll(context.Context, comptoir.Enrolment) (comptoir.Customer, error) {
	return comptoir.Customer{}, comptoir.E(comptoir.CodeCannotWrite)
}

func (f *mgrCustomers) NextCard(context.Context) (string, error) { return comptoir.CardNumber(2), nil }

func (f *mgrCustomers) CardOwner(_ context.Context, code string) (comptoir.CustomerID, error) {
	if err := comptoir.ValidateCard(code); err != nil {
		return "", err
	}
	for _, c := range f.members {
		if slices.Contains(c.Cards, code) {
			return c.ID, nil
		}
	}
	return "", comptoir.E(comptoir.CodeUnknownCard, code)
}

func (f *mgrCustomers) CustomerByCard(ctx context.Context, code string) (comptoir.Customer, error) {
	id, err := f.CardOwner(ctx, code)
	if err != nil {
		return comptoir.Customer{}, err
	}
	return f.find(id)
}

func (f *mgrCustomers) CustomerByEmail(context.Context, string) (comptoir.Customer, error) {
	return comptoir.Customer{}, comptoir.E(comptoir.CodeUnknownCustomer, "")
}

func (f *mgrCustomers) CustomerByPhone(context.Context, string) (comptoir.Customer, error) {
	return comptoir.Customer{}, comptoir.E(comptoir.CodeUnknownCustomer, "")
}

func (f *mgrCustomers) Customer(_ context.Context, id comptoir.CustomerID) (comptoir.Customer, error) {
	return f.find(id)
}

func (f *mgrCustomers) Reveal(_ context.Context, id comptoir.CustomerID, who string) (comptoir.Customer, error) {
	c, err := f.find(id)
	if err == nil {
		f.audit = append(f.audit, "reveal "+string(id)+" by "+who)
	}
	return c, err
}

func (f *mgrCustomers) ChangeConsent(context.Context, comptoir.CustomerID, comptoir.ConsentEvent) error {
	return nil
}

func (f *mgrCustomers) ConsentHistory(context.Context, comptoir.CustomerID) ([]comptoir.ConsentEvent, error) {
	return nil, nil
}

func (f *mgrCustomers) UpdatePersonal(_ context.Context, id comptoir.CustomerID, _ comptoir.PersonalUpdate, _ string) (comptoir.Customer, error) {
	return f.find(id)
}

func (f *mgrCustomers) StopProcessing(_ context.Context, id comptoir.CustomerID, who string) error {
	c, err := f.find(id)
	if err != nil {
		return err
	}
	if c.Status == comptoir.StatusErased {
		return comptoir.E(comptoir.CodeCustomerErased)
	}
	c.Status = comptoir.StatusRestricted
	f.members[id] = c
	f.audit = append(f.audit, "stop "+string(id)+" by "+who)
	return nil
}

func (f *mgrCustomers) ResumeProcessing(_ context.Context, id comptoir.CustomerID, who string) (comptoir.LawfulBasis, error) {
	c, err := f.find(id)
	if err != nil {
		return "", err
	}
	switch c.Status {
	case comptoir.StatusErased:
		return "", comptoir.E(comptoir.CodeCustomerErased)
	case comptoir.StatusActive:
		return "", comptoir.E(comptoir.CodeNotRestricted)
	}
	c.Status = comptoir.StatusActive
	f.members[id] = c
	f.audit = append(f.audit, "resume "+string(id)+" by "+who)
	return c.Basis, nil
}

func (f *mgrCustomers) Erase(_ context.Context, id comptoir.CustomerID, who string) error {
	c, err := f.find(id)
	if err != nil {
		return err
	}
	c.Status, c.Personal = comptoir.StatusErased, comptoir.Personal{}
	f.members[id] = c
	f.audit = append(f.audit, "erase "+string(id)+" by "+who)
	return nil
}

func (f *mgrCustomers) Export(_ context.Context, id comptoir.CustomerID, who string) (comptoir.MemberExport, error) {
	c, err := f.find(id)
	if err != nil {
		return comptoir.MemberExport{}, err
	}
	f.audit = append(f.audit, "export "+string(id)+" by "+who)
	return comptoir.MemberExport{ExportedAt: fakeNow, Customer: c}, nil
}

func (f *mgrCustomers) NoteActivity(context.Context, comptoir.CustomerID, time.Time) error {
	return nil
}

var _ comptoir.CustomerService = (*mgrCustomers)(nil)
