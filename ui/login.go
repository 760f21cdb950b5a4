package ui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/comptoir/comptoir"
)

// LoginModel is the screen in front while nobody is logged in: an ID, a PIN masked by bullets,
// Enter to validate, Tab to go to the other field. A user whose PIN someone else chose (the
// generated PIN of the first manager, one a manager set) must choose their own before selling:
// the screen then asks for a new PIN twice.
//
// The service calls (a PIN hash takes tens of milliseconds) run in commands; while one runs the
// screen takes no key, so that an impatient second Enter does not count as a second wrong PIN.
type LoginModel struct {
	common  Common
	ctx     context.Context
	session Session
	users   comptoir.UserService
	// firstPIN is the generated PIN of the first manager, shown until they have chosen their own.
	firstPIN string

	stage loginStage
	// focus is the field being typed into: 0 the first (ID, or new PIN), 1 the second.
	focus  int
	id     field
	pin    field
	newPIN field
	again  field
	// user is who authenticated, while they choose their new PIN.
	user   comptoir.User
	result result
	busy   bool
	// tech records the logout of a user who gives up choosing their PIN.
	tech techLog
}

type loginStage int

const (
	stageLogin loginStage = iota
	// stageNewPIN asks the user who just authenticated for a PIN of their own.
	stageNewPIN
)

// LoggedInMsg says a user logged in (and chose their own PIN if they had to): the sale opens
// in their name.
type LoggedInMsg struct{ User comptoir.User }

// LoggedOutMsg says the user left the register; Err is set when the logout could not be
// recorded, which does not keep them logged in.
type LoggedOutMsg struct{ Err error }

// authMsg is the user service's answer to a login.
type authMsg struct {
	user comptoir.User
	err  error
}

// pinChangedMsg is the user service's answer to a new PIN.
type pinChangedMsg struct{ err error }

// NewLoginModel builds the login screen. firstPIN is the PIN EnsureFirstManager just generated,
// or "" when the database already had users.
func NewLoginModel(ctx context.Context, c Common, s Session, users comptoir.UserService, firstPIN string) *LoginModel {
	return &LoginModel{common: c, ctx: ctx, session: s, users: users, firstPIN: firstPIN}
}

// Reset empties the screen for the next login. The first manager's PIN stays shown until they
// have chosen their own.
func (m *LoginModel) Reset() {
	m.stage, m.focus, m.busy = stageLogin, 0, false
	m.id.take()
	m.pin.take()
	m.newPIN.take()
	m.again.take()
	m.user = comptoir.User{}
	m.result = result{}
}

// SetSize is the room the screen has, without the help and status bars the root draws.
func (m *LoginModel) SetSize(width, height int) { m.common.Width, m.common.Height = width, height }

// Init starts nothing.
func (m *LoginModel) Init() tea.Cmd { return nil }

// ShortHelp lists the keys of the help bar.
func (m *LoginModel) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	if m.stage == stageNewPIN {
		return []key.Binding{k.Validate, k.NextField, k.Cancel, k.Quit}
	}
	return []key.Binding{k.Validate, k.NextField, k.Quit}
}

// FullHelp lists every key of the screen, shown after F1.
func (m *LoginModel) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{{k.Validate, k.NextField, k.Erase}, {k.Cancel, k.Help, k.Quit}}
}

// Update handles a key or the user service's answers.
func (m *LoginModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.busy {
			return m, nil
		}
		return m, m.key(msg)
	case authMsg:
		m.busy = false
		return m, m.authenticated(msg)
	case pinChangedMsg:
		m.busy = false
		if msg.err != nil {
			m.newPIN.take()
			m.again.take()
			m.focus = 0
			m.refuse(msg.err)
			return m, nil
		}
		if m.user.ID == comptoir.FirstManagerID {
			// The generated PIN no longer opens anything: it need not be shown any more.
			m.firstPIN = ""
		}
		u := m.user
		u.MustChangePIN = false
		m.Reset()
		return m, cmd(LoggedInMsg{User: u})
	}
	return m, nil
}

// fields are the two fields of the current stage.
func (m *LoginModel) fields() [2]*field {
	if m.stage == stageNewPIN {
		return [2]*field{&m.newPIN, &m.again}
	}
	return [2]*field{&m.id, &m.pin}
}

func (m *LoginModel) key(msg tea.KeyMsg) tea.Cmd {
	k := m.common.KeyMap
	f := m.fields()[m.focus]
	switch {
	case msg.Type == tea.KeySpace:
		f.insert(' ')
	case msg.Type == tea.KeyRunes && !msg.Alt:
		// A line ended inside a burst (a badge reader typing the ID and Enter, a paste) validates
		// the field, and what follows goes to the field in front after it.
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			if r == '\r' || r == '\n' {
				if !f.empty() {
					cmds = append(cmds, m.validate())
				}
				f = m.fields()[m.focus]
				continue
			}
			f.insert(r)
		}
		return tea.Batch(cmds...)
	case key.Matches(msg, k.Validate):
		return m.validate()
	case key.Matches(msg, k.NextField):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Erase):
		f.erase()
	case key.Matches(msg, k.Cancel):
		if m.stage == stageNewPIN {
			// Giving up the new PIN leaves the register: the login was recorded, so is the logout.
			id, users, tech := m.user.ID, m.users, m.tech
			m.Reset()
			// A login screen built alone (its tests) has no log: the logout still needs the context.
			tech.ctx = m.ctx
			return func() tea.Msg { _ = tech.logout(users, id, whyPINNotChosen); return nil }
		}
		m.result = result{}
	}
	return nil
}

// validate answers Enter: in the first field it moves to the second; in the second it sends the
// login, or the new PIN.
func (m *LoginModel) validate() tea.Cmd {
	if m.stage == stageNewPIN {
		return m.validateNewPIN()
	}
	if m.focus == 0 || strings.TrimSpace(m.id.String()) == "" {
		if strings.TrimSpace(m.id.String()) == "" {
			m.focus = 0
			m.result = result{resultInfo, text{"tapez votre identifiant, puis Entrée", "type your ID, then Enter"}.in(m.common.Lang)}
			return nil
		}
		m.focus = 1
		m.result = result{}
		return nil
	}
	if m.pin.empty() {
		m.refuse(comptoir.E(comptoir.CodePINMissing))
		return nil
	}
	id, pin := strings.TrimSpace(m.id.String()), m.pin.take()
	m.busy = true
	m.result = result{resultInfo, text{"vérification…", "checking…"}.in(m.common.Lang)}
	ctx, users := m.ctx, m.users
	return func() tea.Msg {
		u, err := users.Authenticate(ctx, id, pin)
		return authMsg{user: u, err: err}
	}
}

// authenticated handles the answer to a login: a refusal in words, the new PIN to choose, or the
// sale.
func (m *LoginModel) authenticated(msg authMsg) tea.Cmd {
	if msg.err != nil {
		// The same words for an unknown ID and a wrong PIN (the service sees to it); the ID stays
		// for the next try, the PIN is typed again.
		m.focus = 1
		m.refuse(msg.err)
		return nil
	}
	if msg.user.ID == comptoir.FirstManagerID && !msg.user.MustChangePIN {
		// The first manager has a PIN of their own (chosen some other way, the CLI's users
		// command for one): the generated one opens nothing any more.
		m.firstPIN = ""
	}
	if msg.user.MustChangePIN {
		m.stage, m.focus, m.user = stageNewPIN, 0, msg.user
		m.id.take()
		m.result = result{}
		return nil
	}
	u := msg.user
	m.Reset()
	return cmd(LoggedInMsg{User: u})
}

// validateNewPIN checks the new PIN as it is typed, so that a refusal comes before the second
// typing, and sends it once both typings agree.
func (m *LoginModel) validateNewPIN() tea.Cmd {
	if m.focus == 0 {
		if err := comptoir.ValidatePIN(m.newPIN.String()); err != nil {
			m.newPIN.take()
			m.refuse(err)
			return nil
		}
		m.focus = 1
		m.result = result{resultInfo, text{"tapez-le encore une fois, puis Entrée", "type it once more, then Enter"}.in(m.common.Lang)}
		return nil
	}
	pin, again := m.newPIN.take(), m.again.take()
	m.focus = 0
	if err := comptoir.ValidatePIN(pin); err != nil {
		m.refuse(err)
		return nil
	}
	if pin != again {
		m.refuse(comptoir.E(comptoir.CodePINMismatch))
		return nil
	}
	m.busy = true
	m.result = result{resultInfo, text{"enregistrement…", "saving…"}.in(m.common.Lang)}
	ctx, users, id := m.ctx, m.users, m.user.ID
	return func() tea.Msg { return pinChangedMsg{err: users.ChangePIN(ctx, id, pin, id)} }
}

// refuse shows why the last action changed nothing.
func (m *LoginModel) refuse(err error) {
	m.result = result{resultRefused, comptoir.Message(err, m.common.Lang)}
}

// Words of the login screen.
var (
	wordLogin      = text{"Connexion", "Log in"}
	wordRegister   = text{"caisse %s", "register %s"}
	wordID         = text{"Identifiant", "ID"}
	wordPIN        = text{"Code PIN", "PIN"}
	wordNewPIN     = text{"Nouveau code PIN", "New PIN"}
	wordAgain      = text{"Encore une fois", "Once more"}
	wordChoosePIN  = text{"Bienvenue, %s (%s). Choisissez votre propre code PIN : de %d à %d chiffres, ni chiffre répété, ni suite (1234). Vous le taperez à chaque connexion.", "Welcome, %s (%s). Choose your own PIN: %d to %d digits, no repeated digit, no run (1234). You will type it at every login."}
	wordFirstLogin = text{"Première utilisation : identifiant « %s », code PIN %s (affiché une seule fois) — il vous sera demandé d'en choisir un nouveau.", "First use: ID %q, PIN %s (shown this once) — you will be asked to choose a new one."}
)

// View draws the screen: the header, the two fields, the last result and, on a new database, how
// to log in the first time.
func (m *LoginModel) View() string {
	c, w, l := m.common, m.common.Width, m.common.Lang
	out := header(c, m.session, "Comptoir · "+wordRegister.f(l, clean(m.session.Register)), wordLogin.in(l))
	out = append(out, rule(c.Styles, w, ""), "")
	labels := [2]text{wordID, wordPIN}
	if m.stage == stageNewPIN {
		labels = [2]text{wordNewPIN, wordAgain}
		for _, row := range strings.Split(ansi.Wordwrap(wordChoosePIN.f(l, clean(m.user.ID), m.user.Role.Format(l), comptoir.MinPINLen, comptoir.MaxPINLen), max(10, w-6), ""), "\n") {
			out = append(out, fit("   "+row, w))
		}
		out = append(out, "")
	}
	lw := max(textWidth(labels[0].in(l)), textWidth(labels[1].in(l)))
	fs := m.fields()
	indent := strings.Repeat(" ", max(2, min(25, w/2-lw-6)))
	for i, f := range fs {
		value := strings.Repeat("•", len(f.runes))
		if i == 0 && m.stage == stageLogin {
			value = clean(f.String())
		}
		marker := "  "
		if i == m.focus {
			// The marker says which field takes the keys without colour; the cursor says it too.
			marker = "▸ "
			value += "_"
		}
		label := labels[i].in(l)
		label += strings.Repeat(" ", lw-textWidth(label))
		out = append(out, fit(indent+marker+c.Styles.Prompt.Render(label+" : ")+value, w))
	}
	out = append(out, "")
	out = append(out, m.result.rows(m.common.Styles, w, 0)...)
	if m.firstPIN != "" && m.stage == stageLogin {
		out = append(out, "")
		notice := wordFirstLogin.f(l, comptoir.FirstManagerID, groupPIN(m.firstPIN))
		for _, row := range strings.Split(ansi.Wordwrap(notice, max(10, w-6), ""), "\n") {
			out = append(out, c.Styles.Info.Render(fit("   "+row, w)))
		}
	}
	return strings.Join(pad(out, w, m.common.Height), "\n")
}

// textWidth is the width of plain text in cells.
func textWidth(s string) int { return ansi.StringWidth(s) }

// pad makes rows exactly h rows of w cells: blank rows added at the bottom, or the last ones cut.
func pad(rows []string, w, h int) []string {
	for len(rows) < h {
		rows = append(rows, strings.Repeat(" ", max(0, w)))
	}
	if h >= 0 && len(rows) > h {
		rows = rows[:h]
	}
	for i, r := range rows {
		if ansi.StringWidth(r) != w {
			rows[i] = fit(r, w)
		}
	}
	return rows
}

// groupPIN writes a PIN in groups of three digits, as it is read aloud and copied: "318 204".
func groupPIN(pin string) string {
	var b strings.Builder
	for i, r := range pin {
		if i > 0 && i%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

var _ Component = (*LoginModel)(nil)
