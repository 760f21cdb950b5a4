package ui

import (
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// PendingRefresh is how often the status bar counts the events waiting to sync when nothing else
// asks it to: a sale counts them at once, and this slow tick catches what the sync changes.
const PendingRefresh = 30 * time.Second

// draftMsg carries the ticket kept at the last quit or logout, taken back at login.
type draftMsg struct{ lines []comptoir.Line }

// pendingMsg is the count of the events waiting to sync.
type pendingMsg struct{ n int }

// pendingTickMsg asks for the count again.
type pendingTickMsg struct{}

// Session is who works at the register now, and its marks.
func (m *Model) Session() Session { return m.session }

// LoggedIn lists who is logged in at the register now, whatever the step: the cashier selling,
// a user who gave their PIN and is choosing their own on the login screen, a manager who gave
// theirs at the manager prompt. Each login was recorded, so quitting must record each logout.
func (m *Model) LoggedIn() []string {
	var ids []string
	add := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	add(m.session.Cashier)
	if m.login != nil && m.login.stage == stageNewPIN {
		add(m.login.user.ID)
	}
	add(m.manager.promptedManager())
	return ids
}

// OpenTicket is the ticket being rung up, to keep as a draft when the register quits: nothing once
// the ticket is paid, or while it is being recorded, since it is then in the journal.
func (m *Model) OpenTicket() []comptoir.Line {
	if m.active == m.payment && (m.payment.recording || m.payment.recorded != nil) {
		return nil
	}
	return m.sale.Lines()
}

// setSession tells every screen who is at the register.
func (m *Model) setSession(s Session) {
	m.session = s
	m.sale.session = s
	m.payment.session = s
	if m.login != nil {
		m.login.session = s
	}
	// Consent events and enrolments name the cashier who took them.
	m.memberSession(s)
}

// loggedIn opens the sale in the user's name and asks for the ticket kept at the last quit.
func (m *Model) loggedIn(u comptoir.User) tea.Cmd {
	s := m.session
	s.Cashier, s.UserID, s.Role = u.ID, u.ID, u.Role
	m.setSession(s)
	m.sale.Reset()
	m.members.detach()
	m.show(m.sale)
	if m.drafts == nil {
		return nil
	}
	ctx, drafts := m.ctx, m.drafts
	return func() tea.Msg {
		lines, err := drafts.TakeDraft(ctx)
		if err != nil {
			return ErrorMsg{Err: err}
		}
		return draftMsg{lines: lines}
	}
}

// restoreDraft puts the kept ticket back on the sale, saying so under the input: it was open when
// the register quit, so it is the customer's ticket still, or lines to remove one by one (each
// counted as voided). Lines scanned since the login, before it came back, stay after it.
func (m *Model) restoreDraft(lines []comptoir.Line) tea.Cmd {
	if len(lines) == 0 {
		return nil
	}
	// The store gave the kept ticket up when it handed it over: whatever was scanned since the
	// login goes after it, nothing is dropped.
	m.sale.SetLines(append(append([]comptoir.Line(nil), lines...), m.sale.lines...))
	var n int64
	for _, l := range lines {
		n += l.Qty
	}
	m.sale.result = result{resultInfo, text{"ticket gardé à la fermeture repris : %d %s, %s (Suppr retire une ligne)",
		"ticket kept at closing taken back: %d %s, %s (Del removes a line)"}.f(m.common.Lang, n,
		plural(n, wordItem, wordItems, m.common.Lang), m.sale.Total().Format(m.common.Lang))}
	return nil
}

// logout keeps the open ticket for the next login, records the logout and returns to the login
// screen. It runs in a command: both are writes to the database.
func (m *Model) logout() tea.Cmd {
	ctx, users, drafts, id, lines, tech := m.ctx, m.users, m.drafts, m.session.Cashier, m.OpenTicket(), m.tech
	return func() tea.Msg {
		if drafts != nil && len(lines) > 0 {
			if err := drafts.SaveDraft(ctx, lines); err != nil {
				return ErrorMsg{Err: err}
			}
		}
		return LoggedOutMsg{Err: tech.logout(users, id, whyLogoutKey)}
	}
}

// loggedOut shows the login screen for the next user.
func (m *Model) loggedOut() {
	s := m.session
	s.Cashier, s.UserID, s.Role = "", "", ""
	m.setSession(s)
	m.sale.Reset()
	// The customer of the last ticket is not the next cashier's: their points must not go on.
	m.members.detach()
	m.held = nil
	m.login.Reset()
	m.show(m.login)
}

// refreshPending counts the events waiting to sync, for the status bar.
func (m *Model) refreshPending() tea.Cmd {
	if m.outbox == nil {
		return nil
	}
	ctx, outbox := m.ctx, m.outbox
	return func() tea.Msg {
		n, err := outbox.PendingEvents(ctx)
		if err != nil {
			// The count is information only: the bar keeps the last one.
			return nil
		}
		return pendingMsg{n: n}
	}
}

// pendingTick asks for the count again after PendingRefresh.
func (m *Model) pendingTick() tea.Cmd {
	if m.outbox == nil {
		return nil
	}
	return tea.Tick(PendingRefresh, func(time.Time) tea.Msg { return pendingTickMsg{} })
}

// helpKeys is the key map the help bar shows: the screen's, and on the sale the logout key in the
// full help when users log in (the short help has no room left at 80 columns).
func (m *Model) helpKeys() helpKeyMap {
	h := helpKeyMap{Component: m.active}
	if m.active == m.sale {
		h.extra = []key.Binding{m.common.KeyMap.Abandon}
	}
	if m.login != nil && m.active == m.sale {
		h.extra = append(h.extra, m.common.KeyMap.Logout)
	}
	return h
}

// helpKeyMap adds keys of the root model to a screen's full help.
type helpKeyMap struct {
	Component
	extra []key.Binding
}

// FullHelp is the screen's full help with the root's keys as one more column.
func (h helpKeyMap) FullHelp() [][]key.Binding {
	full := h.Component.FullHelp()
	if len(h.extra) > 0 {
		full = append(full, h.extra)
	}
	return full
}
