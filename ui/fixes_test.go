package ui_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// fixUsers is an in-memory UserService for the tests of this file: PINs in clear, the same
// refusal for an unknown ID and a wrong PIN, a PIN set by someone else to change at next login,
// and an audit of logins and logouts in order.
type fixUsers struct {
	users map[string]comptoir.User
	pins  map[string]string
	audit []string
}

func newFixUsers() *fixUsers {
	f := &fixUsers{users: map[string]comptoir.User{}, pins: map[string]string{}}
	f.put("camille", comptoir.RoleCashier, "2580", false)
	f.put("gerant", comptoir.RoleManager, "7391", false)
	return f
}

func (f *fixUsers) put(id string, role comptoir.Role, pin string, mustChange bool) {
	f.users[id] = comptoir.User{ID: id, Role: role, MustChangePIN: mustChange}
	f.pins[id] = pin
}

func (f *fixUsers) AddUser(_ context.Context, u comptoir.NewUser, by string) (comptoir.User, error) {
	if _, ok := f.users[u.ID]; ok {
		return comptoir.User{}, comptoir.E(comptoir.CodeUserExists, u.ID)
	}
	f.put(u.ID, u.Role, u.PIN, true)
	return f.users[u.ID], nil
}

func (f *fixUsers) Users(context.Context) ([]comptoir.User, error) {
	var out []comptoir.User
	for _, u := range f.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fixUsers) User(_ context.Context, id string) (comptoir.User, error) {
	u, ok := f.users[id]
	if !ok {
		return comptoir.User{}, comptoir.E(comptoir.CodeUnknownUser, id)
	}
	return u, nil
}

func (f *fixUsers) HasUsers(context.Context) (bool, error) { return len(f.users) > 0, nil }

func (f *fixUsers) ChangePIN(_ context.Context, id, pin, by string) error {
	u, ok := f.users[id]
	if !ok {
		return comptoir.E(comptoir.CodeUnknownUser, id)
	}
	if err := comptoir.ValidatePIN(pin); err != nil {
		return err
	}
	u.MustChangePIN = by != id
	f.users[id], f.pins[id] = u, pin
	f.audit = append(f.audit, "pin-changed "+id+" by "+by)
	return nil
}

func (f *fixUsers) DisableUser(_ context.Context, id, _ string) error {
	u, ok := f.users[id]
	if !ok {
		return comptoir.E(comptoir.CodeUnknownUser, id)
	}
	u.Disabled = true
	f.users[id] = u
	return nil
}

func (f *fixUsers) Authenticate(_ context.Context, id, pin string) (comptoir.User, error) {
	u, ok := f.users[id]
	if !ok || f.pins[id] != pin {
		f.audit = append(f.audit, "pin-refused "+id)
		return comptoir.User{}, comptoir.E(comptoir.CodeLoginRefused)
	}
	f.audit = append(f.audit, "login "+id)
	return u, nil
}

func (f *fixUsers) Logout(_ context.Context, id string) error {
	f.audit = append(f.audit, "logout "+id)
	return nil
}

func (f *fixUsers) EnsureFirstManager(context.Context) (string, error) { return "", nil }

var _ comptoir.UserService = (*fixUsers)(nil)

// answers runs a command as Bubble Tea would, in the test's goroutine, and returns its messages
// without handing them to the model: the test decides when each answer arrives.
func answers(c tea.Cmd) []tea.Msg {
	if c == nil {
		return nil
	}
	switch msg := c().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, answers(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

// hold hands a message to the model and returns the answers of the commands it started, held
// back: they arrive when the test sends them.
func hold(m tea.Model, msg tea.Msg) []tea.Msg {
	_, c := m.Update(msg)
	return answers(c)
}

// deliver hands messages to the model one by one, each with the answers of every command it
// starts until none is left, as a person waits for the screen before pressing the next key.
func deliver(m tea.Model, msgs ...tea.Msg) {
	for _, msg := range msgs {
		queue := []tea.Msg{msg}
		for len(queue) > 0 {
			msg := queue[0]
			queue = queue[1:]
			if _, quit := msg.(tea.QuitMsg); quit {
				continue
			}
			queue = append(queue, hold(m, msg)...)
		}
	}
}

// fixRegister is a register with users on the login screen, 120 columns wide so that a result
// line is read whole.
func fixRegister(t *testing.T, users *fixUsers, firstPIN string) *ui.Model {
	t.Helper()
	m := ui.New(ui.Config{
		Lang: comptoir.LangFR, Session: ui.Session{Register: "R1"},
		Catalog: newCatalog(), Sales: &fakeSales{}, Users: users, FirstPIN: firstPIN,
	})
	deliver(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	return m
}

// typeLine types a line as one burst, then Enter, and lets every answer arrive.
func typeLine(m tea.Model, s string) {
	deliver(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}, tea.KeyMsg{Type: tea.KeyEnter})
}

// loggedInAs logs a user in from the login screen.
func loggedInAs(t *testing.T, m *ui.Model, id, pin string) {
	t.Helper()
	typeLine(m, id)
	typeLine(m, pin)
	if got, want := m.Session().Cashier, id; got != want {
		t.Fatalf("logged in as %q, want %q:\n%s", got, want, m.View())
	}
}

// pairs reports whether every login of the audit has its logout after it.
func pairs(audit []string) bool {
	open := map[string]int{}
	for _, a := range audit {
		switch verb, id, _ := strings.Cut(a, " "); verb {
		case "login":
			open[id]++
		case "logout":
			open[id]--
		}
	}
	for _, n := range open {
		if n > 0 {
			return false
		}
	}
	return true
}

// TestManagerPrompt_AbandonedCheck leaves the manager prompt (Esc, and Esc then F5 again) while
// the manager's PIN is being checked: the check's answer, arriving after, must record the
// manager's logout and open nothing.
func TestManagerPrompt_AbandonedCheck(t *testing.T) {
	for _, reopen := range []bool{false, true} {
		name := map[bool]string{false: "Esc", true: "Esc then F5"}[reopen]
		t.Run(name, func(t *testing.T) {
			users := newFixUsers()
			m := fixRegister(t, users, "")
			loggedInAs(t, m, "camille", "2580")
			deliver(m, tea.KeyMsg{Type: tea.KeyF5})
			typeLine(m, "gerant")
			deliver(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("7391")})
			late := hold(m, tea.KeyMsg{Type: tea.KeyEnter})
			deliver(m, tea.KeyMsg{Type: tea.KeyEsc})
			if reopen {
				deliver(m, tea.KeyMsg{Type: tea.KeyF5})
			}
			deliver(m, late...)
			if got, want := users.audit, []string{"login camille", "login gerant", "logout gerant"}; !slices.Equal(got, want) {
				t.Errorf("audit = %v, want %v", got, want)
			}
			if got, want := m.LoggedIn(), []string{"camille"}; !slices.Equal(got, want) {
				t.Errorf("logged in = %v, want %v", got, want)
			}
			if reopen {
				// The new prompt asks again: the abandoned check opened no menu for nobody.
				contains(t, "the prompt", m.View(), "Identifiant : _")
				contains(t, "the prompt", m.View(), "Cet écran est réservé aux gérants")
			}
		})
	}
}

// TestManagerPrompt_StaleAnswerOpensNothing leaves the manager screen while the manager's new PIN
// is being saved, and a cashier opens it again: the late answer must not hand her the menu.
func TestManagerPrompt_StaleAnswerOpensNothing(t *testing.T) {
	users := newFixUsers()
	users.put("gerant", comptoir.RoleManager, "7391", true)
	m := fixRegister(t, users, "")
	loggedInAs(t, m, "camille", "2580")
	deliver(m, tea.KeyMsg{Type: tea.KeyF5})
	typeLine(m, "gerant")
	typeLine(m, "7391")
	contains(t, "the prompt", m.View(), "choisissez votre propre code PIN")
	typeLine(m, "4826")
	deliver(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4826")})
	late := hold(m, tea.KeyMsg{Type: tea.KeyEnter})
	deliver(m, tea.KeyMsg{Type: tea.KeyEsc}, tea.KeyMsg{Type: tea.KeyF5})
	deliver(m, late...)
	v := m.View()
	contains(t, "the prompt", v, "Identifiant : _")
	if strings.Contains(v, "agit comme gérant") {
		t.Errorf("the late answer opened the menu for the cashier:\n%s", v)
	}
	if got, want := m.LoggedIn(), []string{"camille"}; !slices.Equal(got, want) {
		t.Errorf("logged in = %v, want %v", got, want)
	}
	if !pairs(append(users.audit, "logout camille")) {
		t.Errorf("audit = %v: a login lacks its logout", users.audit)
	}
}

// TestManagerPrompt_OwnID types the cashier's own ID, then PIN, at the manager prompt: refused at
// the ID, nothing in the audit trail says Camille left while she sells on.
func TestManagerPrompt_OwnID(t *testing.T) {
	users := newFixUsers()
	m := fixRegister(t, users, "")
	loggedInAs(t, m, "camille", "2580")
	deliver(m, tea.KeyMsg{Type: tea.KeyF5})
	typeLine(m, "camille")
	contains(t, "the prompt", m.View(), "✗ « l'écran gérant » est réservé aux gérants, et « camille » est caissier")
	typeLine(m, "2580")
	if got, want := users.audit, []string{"login camille"}; !slices.Equal(got, want) {
		t.Errorf("audit = %v, want %v", got, want)
	}
}

// TestModel_LoggedIn checks that whoever logged in, at any step, is listed for the logout the
// program records when it quits.
func TestModel_LoggedIn(t *testing.T) {
	t.Run("choosing a new PIN", func(t *testing.T) {
		users := newFixUsers()
		users.put("lea", comptoir.RoleCashier, "1357", true)
		m := fixRegister(t, users, "")
		typeLine(m, "lea")
		typeLine(m, "1357")
		contains(t, "the login screen", m.View(), "Choisissez votre propre code PIN")
		if got, want := m.LoggedIn(), []string{"lea"}; !slices.Equal(got, want) {
			t.Errorf("logged in = %v, want %v", got, want)
		}
	})
	t.Run("a manager at the prompt", func(t *testing.T) {
		users := newFixUsers()
		m := fixRegister(t, users, "")
		loggedInAs(t, m, "camille", "2580")
		deliver(m, tea.KeyMsg{Type: tea.KeyF5})
		typeLine(m, "gerant")
		typeLine(m, "7391")
		if got, want := m.LoggedIn(), []string{"camille", "gerant"}; !slices.Equal(got, want) {
			t.Errorf("logged in = %v, want %v", got, want)
		}
		deliver(m, tea.KeyMsg{Type: tea.KeyEsc})
		if got, want := m.LoggedIn(), []string{"camille"}; !slices.Equal(got, want) {
			t.Errorf("after Esc logged in = %v, want %v", got, want)
		}
		if !pairs(append(users.audit, "logout camille")) {
			t.Errorf("audit = %v: a login lacks its logout", users.audit)
		}
	})
	t.Run("nobody", func(t *testing.T) {
		m := fixRegister(t, newFixUsers(), "")
		if got := m.LoggedIn(); len(got) != 0 {
			t.Errorf("logged in = %v, want nobody", got)
		}
	})
}

// TestReceipt_LateAnswers lets the printer's answers arrive after the next sale started, and F1
// be pressed before the drawer answered.
func TestReceipt_LateAnswers(t *testing.T) {
	t.Run("F1 before the drawer answered kicks it once", func(t *testing.T) {
		h := pay(t)
		recorded := hold(h.m, key(tea.KeyEnter))
		var drawer []tea.Msg
		for _, msg := range recorded {
			drawer = append(drawer, hold(h.m, msg)...)
		}
		h.send(key(tea.KeyF1))
		h.send(drawer...)
		if got, want := h.printer.drawer, 1; got != want {
			t.Errorf("the drawer was kicked %d times, want %d", got, want)
		}
		if got, want := len(h.printer.printed), 1; got != want {
			t.Fatalf("%d prints, want %d", got, want)
		}
		if h.printer.printed[0].OpenDrawer {
			t.Errorf("print plan %+v kicks the drawer again", h.printer.printed[0])
		}
	})
	t.Run("a print failing after the next sale started is said on the sale", func(t *testing.T) {
		h := pay(t)
		h.send(tea.WindowSizeMsg{Width: 160, Height: 30})
		h.send(key(tea.KeyEnter))
		contains(t, "the receipt question", h.view(), "Ticket ? aucun par défaut")
		h.printer.err = &wrapped{syscall.EIO}
		late := hold(h.m, key(tea.KeyF1))
		h.printer.err = nil
		h.scanKeys(nutella)
		h.send(late...)
		v := h.view()
		contains(t, "the sale", v, "✗ ticket n° 1 : ")
		contains(t, "the sale", v, "le ticket reste enregistré")
		if got, want := len(h.lines()), 1; got != want {
			t.Errorf("%d lines on the next ticket, want %d", got, want)
		}
	})
	t.Run("a drawer failing after the next sale started is said on the sale", func(t *testing.T) {
		h := pay(t)
		h.send(tea.WindowSizeMsg{Width: 160, Height: 30})
		recorded := hold(h.m, key(tea.KeyEnter))
		h.printer.err = &wrapped{syscall.EIO}
		var drawer []tea.Msg
		for _, msg := range recorded {
			drawer = append(drawer, hold(h.m, msg)...)
		}
		h.printer.err = nil
		h.typeText("n")
		contains(t, "the next sale", h.view(), "Scannez un article")
		h.send(drawer...)
		contains(t, "the sale", h.view(), "✗ ticket n° 1 : tiroir-caisse : ")
	})
}

// TestLogin_FirstPINNoticeGoes checks that the first manager's generated PIN stops being shown
// once their PIN changed some other way than on the login screen.
func TestLogin_FirstPINNoticeGoes(t *testing.T) {
	const notice = "Première utilisation"
	t.Run("gerant logs in with a PIN of their own", func(t *testing.T) {
		users := newFixUsers()
		m := fixRegister(t, users, "318204")
		contains(t, "the login screen", m.View(), notice)
		loggedInAs(t, m, "gerant", "7391")
		deliver(m, key(tea.KeyF12))
		if v := m.View(); strings.Contains(v, notice) {
			t.Errorf("the login screen still shows the generated PIN:\n%s", v)
		}
	})
	t.Run("another manager sets gerant's PIN in the users list", func(t *testing.T) {
		users := newFixUsers()
		users.put("gerant", comptoir.RoleManager, "318204", true)
		users.put("anne", comptoir.RoleManager, "4826", false)
		m := fixRegister(t, users, "318204")
		loggedInAs(t, m, "anne", "4826")
		deliver(m, key(tea.KeyF5), key(tea.KeyF9))
		contains(t, "the users list", m.View(), "gerant")
		// The list is by ID: anne, camille, gerant.
		deliver(m, key(tea.KeyDown), key(tea.KeyDown), key(tea.KeyF4))
		typeLine(m, "5927")
		if got, want := users.pins["gerant"], "5927"; got != want {
			t.Fatalf("gerant's PIN = %q, want %q:\n%s", got, want, m.View())
		}
		deliver(m, key(tea.KeyEsc), key(tea.KeyEsc), key(tea.KeyF12))
		contains(t, "the login screen", m.View(), "Identifiant")
		if v := m.View(); strings.Contains(v, notice) {
			t.Errorf("the login screen still shows the generated PIN:\n%s", v)
		}
	})
}
