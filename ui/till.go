package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// The till's audit: every line taken off a ticket and every ticket given up goes to the audit
// trail in the name of who is logged in, never silently dropped. The writes run in commands; a
// failure reaches the screen in front as an ErrorMsg, so that a trail that could not be written
// is said, not hidden.

// tillErrMsg is a write to the audit trail that failed: the sale screen says so. It is not an
// ErrorMsg, which the sale screen takes for the end of a product look-up.
type tillErrMsg struct{ err error }

// abandonKey answers Ctrl+X on the sale: the first asks to confirm, with what would be given up;
// the second empties the ticket, takes the member off and records the abandon. Any other key
// calls it off. done is false when the key is not the root's to answer.
func (m *Model) abandonKey(msg tea.KeyMsg) (c tea.Cmd, done bool) {
	asked := m.confirmAbandon
	m.confirmAbandon = false
	if m.active != m.sale || !key.Matches(msg, m.common.KeyMap.Abandon) {
		if asked {
			m.sale.result = result{resultInfo, text{"ticket gardé", "ticket kept"}.in(m.common.Lang)}
		}
		return nil, false
	}
	l, lines := m.common.Lang, m.sale.Lines()
	if len(lines) == 0 {
		m.sale.refuse(comptoir.E(comptoir.CodeEmptyTicket))
		return nil, true
	}
	if !asked {
		m.confirmAbandon = true
		m.sale.result = result{resultInfo, text{"abandonner ce ticket (%s) ? Ctrl+X : oui · autre touche : non",
			"abandon this ticket (%s)? Ctrl+X: yes · any other key: no"}.f(l, m.sale.Total().Format(l))}
		return nil, true
	}
	total := m.sale.Total()
	m.members.detach()
	m.sale.Reset()
	m.sale.result = result{resultOK, text{"ticket de %s abandonné, inscrit au journal d'audit", "ticket of %s abandoned, written in the audit trail"}.f(l, total.Format(l))}
	m.SetSize(m.common.Width, m.common.Height)
	logged := m.tech.cmd(comptoir.TechTicketAbandoned, m.who(), abandonedDetail(lines, total, m.session.Training))
	if m.session.Training {
		// Training lines are counted nowhere (see recordVoid); the technical log still says a
		// ticket was given up, marked as training.
		return logged, true
	}
	return tea.Batch(m.recordAbandon(lines), logged), true
}

// who is the user the audit trail names for what happens at the till.
func (m *Model) who() string {
	if m.session.UserID != "" {
		return m.session.UserID
	}
	return m.session.Cashier
}

// recordVoid writes a voided line in the audit trail. In training mode nothing is recorded: the
// lines are training lines, counted nowhere, and the mode cannot be switched with a ticket open,
// so no real line can be voided through it.
func (m *Model) recordVoid(l comptoir.Line) tea.Cmd {
	if m.till == nil || m.session.Training {
		return nil
	}
	ctx, till, who := m.ctx, m.till, m.who()
	return func() tea.Msg {
		if err := till.RecordVoid(ctx, who, l); err != nil {
			return tillErrMsg{err}
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
			return tillErrMsg{err}
		}
		return nil
	}
}
