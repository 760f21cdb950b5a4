package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// The till's audit: every line taken off a ticket and every ticket given up goes to the audit
// trail in the name of who is logged in, never silently dropped. The writes run in commands; a
// failure reaches the screen in front as an ErrorMsg, so that a trail that could not be written
// is said, not hidden.

// who is the user the audit trail names for what happens at the till.
func (m *Model) who() string {
	if m.session.UserID != "" {
		return m.session.UserID
	}
	return m.session.Cashier
}

// recordVoid writes a voided line in the audit trail.
func (m *Model) recordVoid(l comptoir.Line) tea.Cmd {
	if m.till == nil {
		return nil
	}
	ctx, till, who := m.ctx, m.till, m.who()
	return func() tea.Msg {
		if err := till.RecordVoid(ctx, who, l); err != nil {
			return ErrorMsg{Err: err}
		}
		return nil
	}
}

// recordAbandon writes an abandoned ticket in the audit trail.
func (m *Model) recordAbandon(lines []comptoir.Line) tea.Cmd {
	if m.till == nil || len(lines) == 0 {
		return nil
	}
	ctx, till, who := m.ctx, m.till, m.who()
	return func() tea.Msg {
		if err := till.RecordAbandon(ctx, who, lines); err != nil {
			return ErrorMsg{Err: err}
		}
		return nil
	}
}
