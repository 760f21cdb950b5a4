package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/comptoir/comptoir"
)

// maxAuditRows bounds the audit trail the screen holds: the most recent entries, which are what
// a manager looks for at the counter; the whole trail is `comptoir gdpr audit`'s.
const maxAuditRows = 2000

// purgeState is a retention purge waiting for confirmation: the cut-off its dry run used and the
// members it listed. The confirmed purge uses the same cut-off, so it erases no one the list did
// not show (a member active in between is spared).
type purgeState struct {
	before time.Time
	ids    []comptoir.CustomerID
}

type (
	managerBlockedMsg struct{ email string }
	managerPurgeMsg   struct {
		before time.Time
		ids    []comptoir.CustomerID
		dryRun bool
	}
	managerAuditMsg struct {
		entries []comptoir.AuditEntry
		total   int
	}
	managerPrintedMsg struct{}
)

func (managerBlockedMsg) forManager() {}
func (managerPurgeMsg) forManager()   {}
func (managerAuditMsg) forManager()   {}
func (managerPrintedMsg) forManager() {}

// startBlock asks for the email to put on the block list.
func (m *ManagerModel) startBlock() {
	m.input.take()
	m.mode = mgrBlock
	m.result = result{resultInfo, text{"adresse e-mail à bloquer (plus d'inscription ni d'écriture avec elle), puis Entrée", "the email to block (no enrolment nor update with it any more), then Enter"}.in(m.common.Lang)}
}

// blockSubmit blocks the email typed. The address is not kept on screen once blocked: the result
// names it masked, as personal data is everywhere but in a reveal.
func (m *ManagerModel) blockSubmit(line string) tea.Cmd {
	email := strings.TrimSpace(line)
	if email == "" {
		return nil
	}
	if _, err := comptoir.NormalizeEmail(email); err != nil {
		m.refuse(err)
		return nil
	}
	gdpr, who := m.svc.GDPR, m.actor
	return m.run(func(ctx context.Context) tea.Msg {
		if err := gdpr.Block(ctx, email, who); err != nil {
			return managerErrMsg{err}
		}
		return managerBlockedMsg{email: comptoir.MaskEmail(email)}
	})
}

// purge runs the retention purge: with dryRun it only lists the members it would erase, for the
// manager to read before confirming.
func (m *ManagerModel) purge(before time.Time, dryRun bool) tea.Cmd {
	gdpr, who := m.svc.GDPR, m.actor
	return m.run(func(ctx context.Context) tea.Msg {
		ids, err := gdpr.PurgeInactive(ctx, before, dryRun, who)
		if err != nil {
			return managerErrMsg{err}
		}
		return managerPurgeMsg{before: before, ids: ids, dryRun: dryRun}
	})
}

// purgeCutoff is the date before which a member's last activity makes them due for erasure:
// DefaultRetentionYears before now.
func (m *ManagerModel) purgeCutoff() time.Time {
	return m.now().AddDate(-comptoir.DefaultRetentionYears, 0, 0)
}

// loadAudit reads the audit trail, keeping its most recent maxAuditRows entries.
func (m *ManagerModel) loadAudit() tea.Cmd {
	gdpr := m.svc.GDPR
	return m.run(func(ctx context.Context) tea.Msg {
		var ring []comptoir.AuditEntry
		total := 0
		err := gdpr.EachAudit(ctx, func(e comptoir.AuditEntry) error {
			total++
			if len(ring) == maxAuditRows {
				// Drop the oldest: copy keeps the memory bounded by maxAuditRows.
				copy(ring, ring[1:])
				ring = ring[:maxAuditRows-1]
			}
			ring = append(ring, e)
			return nil
		})
		if err != nil {
			return managerErrMsg{err}
		}
		return managerAuditMsg{entries: ring, total: total}
	})
}

// printReport prints the report or closing shown on the receipt printer.
func (m *ManagerModel) printReport() tea.Cmd {
	if m.svc.Printer == nil {
		m.refuse(comptoir.E(comptoir.CodeNoReportPrinter))
		return nil
	}
	p, lines := m.svc.Printer, append([]string(nil), m.lines...)
	return m.run(func(ctx context.Context) tea.Msg {
		if err := p.PrintReport(ctx, lines); err != nil {
			return managerErrMsg{err}
		}
		return managerPrintedMsg{}
	})
}

// gdprAnswer shows the answer of a block, a purge, the audit trail or a print.
func (m *ManagerModel) gdprAnswer(msg tea.Msg) {
	l := m.common.Lang
	switch msg := msg.(type) {
	case managerBlockedMsg:
		m.mode = mgrMenu
		m.result = result{resultOK, text{"%s bloquée : ni inscription ni écriture avec cette adresse (inscrit au journal d'audit)", "%s blocked: no enrolment nor update with this address (written in the audit trail)"}.f(l, msg.email)}
	case managerPurgeMsg:
		day := msg.before.In(m.loc).Format("2006-01-02")
		if !msg.dryRun {
			m.purgeState, m.mode = purgeState{}, mgrMenu
			m.result = result{resultOK, text{"purge de rétention : %d membre(s) effacé(s), inscrits au journal d'audit", "retention purge: %d member(s) erased, written in the audit trail"}.f(l, len(msg.ids))}
			return
		}
		if len(msg.ids) == 0 {
			m.mode = mgrMenu
			m.result = result{resultInfo, comptoir.Message(comptoir.E(comptoir.CodeNothingToPurge, day), l)}
			return
		}
		m.purgeState, m.mode, m.offset = purgeState{before: msg.before, ids: msg.ids}, mgrPurge, 0
		m.title = text{"Purge de rétention (%d ans)", "Retention purge (%d years)"}.f(l, comptoir.DefaultRetentionYears)
		m.lines = []string{
			text{"Sans activité depuis le %s, %d membre(s) à effacer :", "Without activity since %s, %d member(s) to erase:"}.f(l, day, len(msg.ids)),
			"",
		}
		for _, id := range msg.ids {
			m.lines = append(m.lines, "  "+clean(string(id)))
		}
		m.result = result{resultInfo, text{"effacer ces %d membre(s) pour de bon ? Entrée confirme · Échap annule", "erase these %d member(s) for good? Enter confirms · Esc cancels"}.f(l, len(msg.ids))}
	case managerAuditMsg:
		m.showText(text{"Journal d'audit", "Audit trail"}.in(l), m.auditLines(msg.entries, msg.total))
		// The most recent entries are what the manager came for: the view opens on them.
		m.offset = max(0, len(m.lines)-m.bodyRows())
		m.result = result{resultInfo, text{"%d entrée(s) ; ↑↓ et Pg préc./suiv. font défiler", "%d entry(ies); ↑↓ and PgUp/PgDn scroll"}.f(l, msg.total)}
	case managerPrintedMsg:
		m.result = result{resultOK, text{"rapport envoyé à l'imprimante", "report sent to the printer"}.in(l)}
	}
}

// auditLines lays the audit trail out as `comptoir gdpr audit` does: when, who, what, which
// member, the detail last.
func (m *ManagerModel) auditLines(entries []comptoir.AuditEntry, total int) []string {
	l := m.common.Lang
	var out []string
	if total > len(entries) {
		out = append(out, text{"(les %d plus récentes sur %d : comptoir gdpr audit les liste toutes)", "(the %d most recent of %d: comptoir gdpr audit lists them all)"}.f(l, len(entries), total))
	}
	if len(entries) == 0 {
		return append(out, text{"Le journal d'audit est vide.", "The audit trail is empty."}.in(l))
	}
	// The action column is as wide as the longest action shown, and what does not fit on the
	// screen's width (the member, the detail) goes on a row of its own below, indented, rather
	// than be cut: the detail is what the manager reads the trail for.
	aw := 0
	for _, e := range entries {
		aw = max(aw, lipgloss.Width(e.Action.Format(l)))
	}
	room := max(40, m.common.Width-4)
	for _, e := range entries {
		head := fmt.Sprintf("%s  %-10s  %s", e.At.In(m.loc).Format("2006-01-02 15:04"), clean(e.Who), fit(e.Action.Format(l), aw))
		var tail []string
		if e.Customer != "" {
			tail = append(tail, clean(string(e.Customer)))
		}
		if d := clean(e.DetailIn(l)); d != "" {
			tail = append(tail, d)
		}
		rest := strings.Join(tail, "  ")
		switch {
		case rest == "":
			out = append(out, strings.TrimRight(head, " "))
		case lipgloss.Width(head)+2+lipgloss.Width(rest) <= room:
			out = append(out, head+"  "+rest)
		default:
			out = append(out, strings.TrimRight(head, " "), strings.Repeat(" ", 18)+"↳ "+rest)
		}
	}
	return out
}

// purgeKey scrolls the purge's list and confirms or cancels it.
func (m *ManagerModel) purgeKey(msg tea.KeyMsg) tea.Cmd {
	k, l := m.common.KeyMap, m.common.Lang
	switch {
	case key.Matches(msg, k.Up):
		m.scrollBy(-1)
	case key.Matches(msg, k.Down):
		m.scrollBy(1)
	case key.Matches(msg, k.PageUp):
		m.scrollBy(-m.bodyRows())
	case key.Matches(msg, k.PageDown):
		m.scrollBy(m.bodyRows())
	case key.Matches(msg, k.Confirm):
		return m.purge(m.purgeState.before, false)
	case key.Matches(msg, k.Cancel):
		m.purgeState, m.mode = purgeState{}, mgrMenu
		m.result = result{resultInfo, text{"purge annulée : personne n'a été effacé", "purge cancelled: no one was erased"}.in(l)}
	}
	return nil
}

// tillCounts reads the voided lines and abandoned tickets of a day's closing, for its report. They
// are information beside the sealed figures: a failure to read them leaves them out.
func (m *ManagerModel) tillCounts(ctx context.Context, c comptoir.Closing) *comptoir.TillCounts {
	if m.svc.Till == nil || c.Kind != comptoir.DayClosing {
		return nil
	}
	tc, err := m.svc.Till.TillCounts(ctx, c.Period)
	if err != nil {
		return nil
	}
	return &tc
}

// tillLines lays out a day's voided lines and abandoned tickets after its report, marked as
// read from the audit trail: they are no part of the closing's sealed figures.
func tillLines(tc *comptoir.TillCounts, l comptoir.Lang) []string {
	if tc == nil {
		return nil
	}
	rows := [][]string{
		{"  " + text{"Lignes annulées", "Lines voided"}.in(l), fmt.Sprint(tc.Voids), tc.VoidAmount.Format(l)},
		{"  " + text{"Tickets abandonnés", "Tickets abandoned"}.in(l), fmt.Sprint(tc.Abandons), tc.AbandonAmount.Format(l)},
	}
	head := text{"Annulé avant paiement (journal d'audit, hors clôture)", "Taken off before payment (audit trail, not sealed)"}.in(l)
	return append([]string{"", head}, columns(rows)...)
}
