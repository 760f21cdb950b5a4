package ui_test

import (
	"context"
	"sort"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// fakeUser is a user as fakeUsers keeps them: the PIN in clear, since nothing here is stored.
type fakeUser struct {
	user        comptoir.User
	pin         string
	failures    int
	lastFailure time.Time
}

// fakeUsers follows UserService's rules in memory, on a clock the test sets: the same refusal for
// an unknown ID and a wrong PIN, the lockout after MaxPINFailures, disabled users refused once
// their PIN is right, the first user a manager and the last active manager never disabled, and
// an audit of who did what (additions, PIN changes, disablings, logins, logouts and refusals).
// The login, sale and manager screens' tests all share it.
type fakeUsers struct {
	users map[string]*fakeUser
	now   time.Time
	audit []string
}

func newUsers() *fakeUsers {
	return &fakeUsers{users: map[string]*fakeUser{}, now: time.Date(2026, 11, 30, 9, 12, 0, 0, time.UTC)}
}

func (f *fakeUsers) add(id string, role comptoir.Role, pin string, mustChange bool) {
	f.users[id] = &fakeUser{user: comptoir.User{ID: id, Role: role, MustChangePIN: mustChange, CreatedAt: f.now}, pin: pin}
}

func (f *fakeUsers) AddUser(_ context.Context, u comptoir.NewUser, by string) (comptoir.User, error) {
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
	if len(f.users) == 0 && u.Role != comptoir.RoleManager {
		return comptoir.User{}, comptoir.E(comptoir.CodeFirstUserManager)
	}
	f.add(id, u.Role, u.PIN, len(f.users) > 0)
	f.users[id].user.CreatedBy = by
	f.audit = append(f.audit, "add "+id+" by "+by)
	return f.users[id].user, nil
}

func (f *fakeUsers) Users(context.Context) ([]comptoir.User, error) {
	var out []comptoir.User
	for _, u := range f.users {
		out = append(out, u.user)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeUsers) User(_ context.Context, id string) (comptoir.User, error) {
	u, ok := f.users[id]
	if !ok {
		return comptoir.User{}, comptoir.E(comptoir.CodeUnknownUser, id)
	}
	return u.user, nil
}

func (f *fakeUsers) HasUsers(context.Context) (bool, error) { return len(f.users) > 0, nil }

func (f *fakeUsers) ChangePIN(_ context.Context, id, pin, by string) error {
	if err := comptoir.ValidatePIN(pin); err != nil {
		return err
	}
	u, ok := f.users[id]
	if !ok {
		return comptoir.E(comptoir.CodeUnknownUser, id)
	}
	if u.user.Disabled {
		return comptoir.E(comptoir.CodeUserDisabled, id)
	}
	self := by == id
	if self && u.user.MustChangePIN && u.pin == pin {
		return comptoir.E(comptoir.CodePINUnchanged)
	}
	u.pin, u.user.MustChangePIN, u.failures = pin, !self, 0
	f.audit = append(f.audit, "pin-changed "+id+" by "+by)
	return nil
}

func (f *fakeUsers) DisableUser(_ context.Context, id, by string) error {
	u, ok := f.users[id]
	if !ok {
		return comptoir.E(comptoir.CodeUnknownUser, id)
	}
	if u.user.IsManager() && !u.user.Disabled {
		active := 0
		for _, o := range f.users {
			if o.user.IsManager() && !o.user.Disabled {
				active++
			}
		}
		if active == 1 {
			return comptoir.E(comptoir.CodeLastManager, id)
		}
	}
	u.user.Disabled = true
	f.audit = append(f.audit, "disable "+id+" by "+by)
	return nil
}

func (f *fakeUsers) Authenticate(_ context.Context, id, pin string) (comptoir.User, error) {
	pid, _ := comptoir.ParseUserID(id)
	u, ok := f.users[pid]
	if !ok {
		f.audit = append(f.audit, "pin-refused "+pid)
		return comptoir.User{}, comptoir.E(comptoir.CodeLoginRefused)
	}
	if left := comptoir.LockedFor(u.failures, u.lastFailure, f.now); left > 0 {
		f.audit = append(f.audit, "pin-refused "+pid+" locked")
		return comptoir.User{}, comptoir.E(comptoir.CodeUserLocked, pid, comptoir.MaxPINFailures, comptoir.MinutesLeft(left))
	}
	if u.pin != pin {
		u.failures++
		u.lastFailure = f.now
		f.audit = append(f.audit, "pin-refused "+pid)
		if left := comptoir.LockedFor(u.failures, u.lastFailure, f.now); left > 0 {
			return comptoir.User{}, comptoir.E(comptoir.CodeUserLocked, pid, comptoir.MaxPINFailures, comptoir.MinutesLeft(left))
		}
		return comptoir.User{}, comptoir.E(comptoir.CodeLoginRefused)
	}
	if u.user.Disabled {
		f.audit = append(f.audit, "pin-refused "+pid+" disabled")
		return comptoir.User{}, comptoir.E(comptoir.CodeUserDisabled, pid)
	}
	u.failures = 0
	f.audit = append(f.audit, "login "+pid)
	return u.user, nil
}

func (f *fakeUsers) Logout(_ context.Context, id string) error {
	f.audit = append(f.audit, "logout "+id)
	return nil
}

func (f *fakeUsers) EnsureFirstManager(context.Context) (string, error) {
	if len(f.users) > 0 {
		return "", nil
	}
	pin := "318204"
	f.add(comptoir.FirstManagerID, comptoir.RoleManager, pin, true)
	// The store names the register itself as who added the first manager.
	f.audit = append(f.audit, "add "+comptoir.FirstManagerID+" by comptoir")
	return pin, nil
}

// fakeOutbox is an outbox of n events.
type fakeOutbox struct{ n int }

func (f *fakeOutbox) Outbox(context.Context, uint64, int) ([]comptoir.Event, error) {
	return make([]comptoir.Event, f.n), nil
}

func (f *fakeOutbox) PendingEvents(context.Context) (int, error) { return f.n, nil }

// AckOutbox is never called by the screens: only the syncer drops events.
func (f *fakeOutbox) AckOutbox(context.Context, uint64) (int, error) { return 0, nil }

// fakeDrafts keeps one register's draft in memory.
type fakeDrafts struct{ lines []comptoir.Line }

func (f *fakeDrafts) SaveDraft(_ context.Context, lines []comptoir.Line) error {
	f.lines = append([]comptoir.Line(nil), lines...)
	return nil
}

func (f *fakeDrafts) TakeDraft(context.Context) ([]comptoir.Line, error) {
	l := f.lines
	f.lines = nil
	return l, nil
}

var (
	_ comptoir.UserService   = (*fakeUsers)(nil)
	_ comptoir.OutboxService = (*fakeOutbox)(nil)
	_ comptoir.DraftService  = (*fakeDrafts)(nil)
)

// loginHarness is a harness whose register opens on the login screen.
type loginHarness struct {
	*harness
	users  *fakeUsers
	drafts *fakeDrafts
	outbox *fakeOutbox
	till   *fakeTill
}

// newLoginHarness starts a register with users, the login screen in front; firstPIN is set when
// the test plays a database on which EnsureFirstManager just created the first manager.
func newLoginHarness(tb testing.TB, lang comptoir.Lang, users *fakeUsers, firstPIN string, w, height int) *loginHarness {
	tb.Helper()
	lh := &loginHarness{users: users, drafts: &fakeDrafts{}, outbox: &fakeOutbox{n: 2}, till: &fakeTill{}}
	sales := &fakeSales{}
	customers := newCustomers()
	m := ui.New(ui.Config{
		Lang:      lang,
		Session:   ui.Session{Register: "R1"},
		Catalog:   newCatalog(),
		Sales:     sales,
		Customers: customers,
		Points:    customers,
		Users:     users,
		FirstPIN:  firstPIN,
		Outbox:    lh.outbox,
		Drafts:    lh.drafts,
		Till:      lh.till,
	})
	lh.harness = &harness{tb: tb, m: m, sales: sales, customers: customers}
	lh.send(tea.WindowSizeMsg{Width: w, Height: height})
	return lh
}

// login types an ID and a PIN as a cashier does: the ID, Enter, the PIN, Enter.
func (h *loginHarness) login(id, pin string) {
	h.tb.Helper()
	h.send(runes(id), key(tea.KeyEnter), runes(pin), key(tea.KeyEnter))
}
