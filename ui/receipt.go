package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// ReceiptPrinter is the register's receipt printer and cash drawer, as the screens see them. The
// program that starts the register implements it with the devices package; the screens decide
// what a print is (comptoir.IssueReceipt: the first print is the receipt, every later one a
// numbered DUPLICATA) and only hand it the plan.
type ReceiptPrinter interface {
	// Print renders a recorded ticket as planned (duplicate mark, copy number, drawer kick) and
	// sends it to the printer. It returns where the bytes went: comptoir.ReceiptPrinter for
	// the register's own printer, comptoir.ReceiptPreview when the configured path turned out
	// to be a file; only a target that prints counts as a print.
	Print(ctx context.Context, sale comptoir.Sale, plan comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error)
	// Save writes the receipt as planned to a file, which is not a print: the next print of the
	// ticket is still its receipt.
	Save(ctx context.Context, sale comptoir.Sale, plan comptoir.ReceiptPlan, path string) error
	// OpenDrawer opens the cash drawer (the printer's drawer kick). The register calls it on
	// every ticket paid in cash, receipt or not.
	OpenDrawer(ctx context.Context) error
	// PrintReport prints an X or Z report, one line of text each, as the manager screen shows
	// it. It refuses with comptoir.CodeNoReportPrinter when the register has no printer.
	PrintReport(ctx context.Context, lines []string) error
}

// receiptQuestion is what the payment screen asks once the ticket is recorded: a receipt?
// None by default (French anti-waste rule): Enter, Esc or n start the next sale.
type receiptQuestion struct {
	printer ReceiptPrinter
	log     comptoir.PrintLog
	// drawerOpened is set once the drawer opened for the ticket, so that its receipt does not
	// kick it again; drawerPending while the kick sent for it has not answered yet, which counts
	// as opened for the same reason (F1 pressed at once must not kick a second time).
	drawerOpened  bool
	drawerPending bool
	// ticket counts the tickets recorded on the payment screen: the printer's answers carry the
	// count of the ticket they are about, so that one arriving after the next sale started is
	// known as late.
	ticket int
	// naming is on while the file name to save the receipt to is typed.
	naming bool
	name   field
	busy   bool
}

// drawerMsg is the drawer's answer for the ticket counted ticket, numbered number.
type drawerMsg struct {
	ticket int
	number uint64
	err    error
}

// receiptMsg is the answer to a print or a save of the ticket counted ticket: path is empty for
// a print.
type receiptMsg struct {
	ticket int
	number uint64
	plan   comptoir.ReceiptPlan
	path   string
	err    error
}

// ReceiptDoneMsg starts the next sale after the receipt was printed or saved, with the outcome
// on the fresh ticket's result line.
type ReceiptDoneMsg struct{ Result string }

// asksReceipt reports whether the screen asks the receipt question: the ticket is recorded.
func (m *PaymentModel) asksReceipt() bool { return m.recorded != nil }

// naming reports whether a file name is being typed, when printable keys belong to the screen.
func (m *PaymentModel) naming() bool { return m.recorded != nil && m.receipt.naming }

// afterRecord opens the cash drawer for a ticket that handled cash: the drawer opens on every
// cash payment, receipt or not.
func (m *PaymentModel) afterRecord(s comptoir.Sale) tea.Cmd {
	m.receipt.drawerOpened, m.receipt.drawerPending, m.receipt.naming, m.receipt.busy = false, false, false, false
	m.receipt.ticket++
	m.receipt.name.take()
	if s.CustomerID != "" {
		// The member hears what the ticket earned them, and what it cost in points.
		n := s.PointsEarned - s.PointsRedeemed
		m.result.msg += fmt.Sprintf(" · %+d %s", n, pointWord(n, m.common.Lang))
	}
	p := m.receipt.printer
	if p == nil || !s.HandlesCash() {
		return nil
	}
	m.receipt.drawerPending = true
	ctx, ticket, number := m.ctx, m.receipt.ticket, s.Number
	return func() tea.Msg { return drawerMsg{ticket: ticket, number: number, err: p.OpenDrawer(ctx)} }
}

// receiptKey answers the receipt question.
func (m *PaymentModel) receiptKey(msg tea.KeyMsg) tea.Cmd {
	k, q := m.common.KeyMap, &m.receipt
	if q.busy {
		return nil
	}
	if q.naming {
		switch {
		case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
			if lines := q.name.typed(msg); len(lines) > 0 {
				return m.save(lines[0])
			}
		case key.Matches(msg, k.Submit):
			return m.save(q.name.String())
		case key.Matches(msg, k.Erase):
			q.name.erase()
		case key.Matches(msg, k.Cancel):
			q.naming = false
			m.result = result{}
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Print):
		return m.print()
	case key.Matches(msg, k.SaveReceipt):
		q.naming = true
		q.name.take()
		reg := m.recorded.Register
		if reg == "" {
			reg = m.session.Register
		}
		for _, r := range fmt.Sprintf("ticket-%s-%06d.txt", fileSafe(reg), m.recorded.Number) {
			q.name.insert(r)
		}
		m.result = result{resultInfo, text{"nom du fichier, puis Entrée (Échap annule)", "file name, then Enter (Esc cancels)"}.in(m.common.Lang)}
	case key.Matches(msg, k.NoReceipt):
		return cmd(NextSaleMsg{})
	}
	return nil
}

// declines reports whether a key typed on the receipt question is its "n" for no.
func declines(msg tea.KeyMsg) bool {
	return msg.Type == tea.KeyRunes && (string(msg.Runes) == "n" || string(msg.Runes) == "N")
}

// print prints the receipt through comptoir.IssueReceipt, in a command.
func (m *PaymentModel) print() tea.Cmd {
	q := &m.receipt
	if q.printer == nil || q.log == nil {
		m.result = result{resultRefused, comptoir.Message(comptoir.E(comptoir.CodeNoPrinter), m.common.Lang)}
		return nil
	}
	q.busy = true
	ctx, p, log, sale, opened, ticket := m.ctx, q.printer, q.log, *m.recorded, q.drawerOpened || q.drawerPending, q.ticket
	return func() tea.Msg {
		plan, err := comptoir.IssueReceipt(ctx, log, sale, comptoir.ReceiptPrinter, opened, func(plan comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error) {
			return p.Print(ctx, sale, plan)
		})
		return receiptMsg{ticket: ticket, number: sale.Number, plan: plan, err: err}
	}
}

// save writes the receipt to a file in a command: a preview, which leaves the next print the
// receipt.
func (m *PaymentModel) save(path string) tea.Cmd {
	q := &m.receipt
	path = strings.TrimSpace(path)
	switch {
	case path == "":
		m.result = result{resultRefused, comptoir.Message(comptoir.E(comptoir.CodeNoFileName), m.common.Lang)}
		return nil
	case q.printer == nil || q.log == nil:
		m.result = result{resultRefused, comptoir.Message(comptoir.E(comptoir.CodeNoPrinter), m.common.Lang)}
		return nil
	}
	q.busy = true
	ctx, p, log, sale, opened, ticket := m.ctx, q.printer, q.log, *m.recorded, q.drawerOpened || q.drawerPending, q.ticket
	return func() tea.Msg {
		plan, err := comptoir.IssueReceipt(ctx, log, sale, comptoir.ReceiptPreview, opened, func(plan comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error) {
			return comptoir.ReceiptPreview, p.Save(ctx, sale, plan, path)
		})
		return receiptMsg{ticket: ticket, number: sale.Number, plan: plan, path: path, err: err}
	}
}

// Words of the receipt question.
var (
	wordReceiptQ   = []text{{"Ticket ? aucun par défaut", "Receipt? none by default"}, {"F1 imprimer · F2 enregistrer", "F1 print · F2 save"}, {"Échap/n/Entrée non", "Esc/n/Enter no"}}
	wordFileName   = text{"Fichier : ", "File: "}
	wordPrinted    = text{"ticket n° %d imprimé", "ticket no. %d printed"}
	wordDuplicate  = text{"ticket n° %d imprimé : DUPLICATA n° %d", "ticket no. %d printed: DUPLICATE no. %d"}
	wordSaved      = text{"ticket n° %d enregistré dans %s", "ticket no. %d saved to %s"}
	wordDrawer     = text{"tiroir-caisse : %s", "cash drawer: %s"}
	wordStillSaved = text{"%s — le ticket reste enregistré", "%s — the ticket stays recorded"}
	wordLateFailed = text{"ticket n° %d : %s — le ticket reste enregistré", "ticket no. %d: %s — the ticket stays recorded"}
)

// answers reports whether a printer's answer is about the ticket whose receipt question the
// payment screen asks now.
func (m *PaymentModel) answers(msg tea.Msg) bool {
	ticket := -1
	switch msg := msg.(type) {
	case drawerMsg:
		ticket = msg.ticket
	case receiptMsg:
		ticket = msg.ticket
	}
	return m.recorded != nil && ticket == m.receipt.ticket
}

// lateAnswer is what a printer's answer that came after the next sale started has to say on the
// sale's result line: a failure names its ticket, since the paper or the drawer is missing for
// it; a success says nothing more.
func lateAnswer(msg tea.Msg, l comptoir.Lang) result {
	switch msg := msg.(type) {
	case drawerMsg:
		if msg.err != nil {
			return result{resultRefused, wordLateFailed.f(l, msg.number, wordDrawer.f(l, comptoir.Message(msg.err, l)))}
		}
	case receiptMsg:
		if msg.err != nil {
			return result{resultRefused, wordLateFailed.f(l, msg.number, comptoir.Message(msg.err, l))}
		}
	}
	return result{}
}

// receiptAnswer applies the printer's answer: the next sale after a print or a save, the reason
// in words after a failure, the ticket staying recorded.
func (m *PaymentModel) receiptAnswer(msg tea.Msg) tea.Cmd {
	l, q := m.common.Lang, &m.receipt
	switch msg := msg.(type) {
	case drawerMsg:
		q.drawerPending = false
		if msg.err != nil {
			m.result = result{resultRefused, wordStillSaved.f(l, wordDrawer.f(l, comptoir.Message(msg.err, l)))}
			return nil
		}
		q.drawerOpened = true
	case receiptMsg:
		q.busy = false
		n := m.recorded.Number
		if msg.err != nil {
			m.result = result{resultRefused, wordStillSaved.f(l, comptoir.Message(msg.err, l))}
			return nil
		}
		q.naming = false
		done := wordPrinted.f(l, n)
		switch {
		case msg.path != "":
			done = wordSaved.f(l, n, clean(msg.path))
		case msg.plan.Duplicate:
			done = wordDuplicate.f(l, n, msg.plan.Copy)
		}
		return cmd(ReceiptDoneMsg{Result: done})
	}
	return nil
}

// fileSafe keeps the letters, digits and dashes of a register's name, for a file name.
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "R"
	}
	return b.String()
}

// receiptHelp is the help bar of the receipt question.
func (m *PaymentModel) receiptHelp() []key.Binding {
	k := m.common.KeyMap
	if m.receipt.naming {
		return []key.Binding{k.Submit, k.Erase, k.Cancel}
	}
	return []key.Binding{k.Print, k.SaveReceipt, k.NoReceipt}
}

// receiptRows draws the receipt question, or the file name being typed, in a column w wide.
func (m *PaymentModel) receiptRows(w int) []string {
	st, l := m.common.Styles, m.common.Lang
	rows := []string{""}
	if m.receipt.naming {
		return append(rows, "  "+st.Prompt.Render(wordFileName.in(l))+clean(m.receipt.name.String())+"_")
	}
	for i, r := range wordReceiptQ {
		if i == 0 {
			rows = append(rows, st.Prompt.Render(fit("  "+r.in(l), w)))
			continue
		}
		rows = append(rows, fit("  "+r.in(l), w))
	}
	return rows
}
