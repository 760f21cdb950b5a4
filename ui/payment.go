package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// PaymentModel takes payment for a ticket: amounts by method until the due is covered, split
// payments included, then records the ticket through the sale service in a command.
type PaymentModel struct {
	common  Common
	ctx     context.Context
	session Session
	sales   comptoir.SaleService

	lines    []comptoir.Line
	due      comptoir.Money
	payments []comptoir.Payment
	input    field
	result   result
	// recording is true while the sale service records the ticket; recorded holds it after.
	recording bool
	recorded  *comptoir.Sale

	// members holds the loyalty member on the ticket, shared with the sale screen. base is the
	// lines' total; redeem the points spent on the ticket, and quoting is true while the sale
	// service prices it with them.
	members *members
	base    comptoir.Money
	redeem  int64
	quoting bool
	// receipt is the question asked once the ticket is recorded.
	receipt receiptQuestion
	// tech records a recording that failed in the technical event log.
	tech techLog
}

// NewPaymentModel builds the payment screen. The sale service is only called in commands.
func NewPaymentModel(ctx context.Context, c Common, s Session, sales comptoir.SaleService) *PaymentModel {
	return &PaymentModel{common: c, ctx: ctx, session: s, sales: sales}
}

// Start opens the payment of a ticket: nothing paid yet.
func (m *PaymentModel) Start(lines []comptoir.Line) {
	m.lines = lines
	m.due = 0
	for _, l := range lines {
		m.due += l.Total
	}
	m.base, m.redeem, m.quoting = m.due, 0, false
	m.payments, m.recording, m.recorded = nil, false, nil
	m.input.take()
	m.result = result{}
}

// Leave reports whether the screen may be left for the ticket now, and forgets the payments
// taken so far if so. While the ticket is being recorded it may not, and once it is recorded the
// ticket is closed: the caller starts the next sale instead.
func (m *PaymentModel) Leave() bool {
	if m.recording || m.recorded != nil || m.quoting {
		return false
	}
	m.payments, m.redeem, m.due = nil, 0, m.base
	return true
}

// Recorded is the ticket once recorded, or nil.
func (m *PaymentModel) Recorded() *comptoir.Sale { return m.recorded }

// SetSize is the room the screen has, without the help and status bars the root draws.
func (m *PaymentModel) SetSize(width, height int) { m.common.Width, m.common.Height = width, height }

// Init starts nothing.
func (m *PaymentModel) Init() tea.Cmd { return nil }

// ShortHelp lists the keys of the help bar.
func (m *PaymentModel) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	if m.recorded != nil {
		return m.receiptHelp()
	}
	if m.canRedeem() {
		// F9 comes last: at 80 columns the French bar cuts it, and the screen offers it in words
		// beside the hints, while Esc must stay in sight.
		return []key.Binding{k.Cash, k.Card, k.Cheque, k.MealVoucher, k.Back, k.Redeem}
	}
	return []key.Binding{k.Cash, k.Card, k.Cheque, k.MealVoucher, k.Back}
}

// FullHelp lists every key of the screen, shown after F1.
func (m *PaymentModel) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	if m.recorded != nil {
		return [][]key.Binding{m.receiptHelp(), {k.Quit}}
	}
	return [][]key.Binding{{k.Cash, k.Card, k.Cheque, k.MealVoucher, k.Redeem}, {k.Erase, k.Back, k.Help, k.Quit}}
}

// Paid is the sum of the payments taken.
func (m *PaymentModel) Paid() comptoir.Money {
	var p comptoir.Money
	for _, pm := range m.payments {
		p += pm.Amount
	}
	return p
}

// Update handles a key or the sale service's answer.
func (m *PaymentModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m, m.key(msg)
	case SaleRecordedMsg:
		m.recording = false
		s := msg.Sale
		m.recorded = &s
		m.result = result{resultOK, text{"ticket n° %d enregistré", "ticket no. %d recorded"}.f(m.common.Lang, s.Number)}
		return m, m.afterRecord(s)
	case drawerMsg, receiptMsg:
		return m, m.receiptAnswer(msg)
	case quoteMsg:
		m.quoted(msg)
	case ErrorMsg:
		// Recording failed: the payments stay, and Enter tries again.
		m.recording = false
		m.result = result{resultRefused, comptoir.Message(msg.Err, m.common.Lang)}
	}
	return m, nil
}

func (m *PaymentModel) key(msg tea.KeyMsg) tea.Cmd {
	k := m.common.KeyMap
	if m.recording || m.quoting {
		return nil
	}
	if m.recorded != nil {
		return m.receiptKey(msg)
	}
	switch {
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		// A burst may hold several lines (two scans pasted together): each is handled, in order.
		var cmds []tea.Cmd
		for _, line := range m.input.typed(msg) {
			if c := m.tender(comptoir.Cash, line); c != nil {
				cmds = append(cmds, c)
			}
		}
		switch len(cmds) {
		case 0:
			return nil
		case 1:
			return cmds[0]
		}
		return tea.Sequence(cmds...)
	case key.Matches(msg, k.Cash):
		return m.tender(comptoir.Cash, m.input.take())
	case key.Matches(msg, k.Card):
		return m.tender(comptoir.Card, m.input.take())
	case key.Matches(msg, k.Cheque):
		return m.tender(comptoir.Cheque, m.input.take())
	case key.Matches(msg, k.MealVoucher):
		return m.tender(comptoir.MealVoucher, m.input.take())
	case key.Matches(msg, k.Redeem):
		return m.redeemKey()
	case key.Matches(msg, k.Erase):
		m.input.erase()
	case key.Matches(msg, k.Back):
		if m.Leave() {
			return cmd(BackToTicketMsg{})
		}
	}
	return nil
}

// tender takes a payment: the amount typed, or what is left to pay when nothing was typed. Input
// shaped like a product code is a scan, not an amount: it goes back to the ticket.
func (m *PaymentModel) tender(method comptoir.PaymentMethod, typed string) tea.Cmd {
	typed = strings.TrimSpace(typed)
	left := m.due - m.Paid()
	if looksLikeCode(typed) {
		if m.Leave() {
			return cmd(BackToTicketMsg{Code: typed})
		}
		return nil
	}
	amount := left
	if typed != "" {
		a, err := comptoir.ParseMoney(typed)
		if err != nil {
			m.result = result{resultRefused, comptoir.Message(err, m.common.Lang)}
			return nil
		}
		amount = a
	}
	if left <= 0 && typed == "" {
		// Everything is paid but the ticket is not recorded (recording failed): try again.
		return m.record()
	}
	if amount <= 0 {
		m.result = result{resultRefused, comptoir.Message(comptoir.E(comptoir.CodeInvalidPayment, amount), m.common.Lang)}
		return nil
	}
	// Only cash gives change; a meal voucher has its own sentence, since that is the mistake a
	// cashier makes with a voucher worth more than a small ticket.
	switch {
	case method == comptoir.MealVoucher && amount > left:
		m.result = result{resultRefused, comptoir.Message(comptoir.E(comptoir.CodeMealVoucherExceeds, amount-left), m.common.Lang)}
		return nil
	case method != comptoir.Cash && amount > left:
		m.result = result{resultRefused, comptoir.Message(comptoir.E(comptoir.CodeOverpaidNonCash, amount-left), m.common.Lang)}
		return nil
	}
	m.payments = append(m.payments, comptoir.Payment{Method: method, Amount: amount})
	m.result = result{resultOK, text{"%s : %s reçu", "%s: %s received"}.f(m.common.Lang, method.Format(m.common.Lang), amount.Format(m.common.Lang))}
	if m.Paid() < m.due {
		return nil
	}
	return m.record()
}

// draft is the ticket as the store is to record it, with the member and the points they spend.
// Its discount is the one the sale service quoted for the points, for the check before
// recording: the store computes it again from its own rule and the balance.
func (m *PaymentModel) draft() comptoir.SaleDraft {
	return comptoir.SaleDraft{
		Cashier:        m.session.Cashier,
		Lines:          append([]comptoir.Line(nil), m.lines...),
		Payments:       append([]comptoir.Payment(nil), m.payments...),
		Training:       m.session.Training,
		CustomerID:     string(m.members.id()),
		PointsRedeemed: m.redeem,
		Discount:       m.base - m.due,
	}
}

// record checks the ticket as the store will, then records it in a command.
func (m *PaymentModel) record() tea.Cmd {
	draft := m.draft()
	if _, err := comptoir.BuildSale(draft); err != nil {
		m.result = result{resultRefused, comptoir.Message(err, m.common.Lang)}
		return nil
	}
	m.recording = true
	ctx, sales, tech, who, due := m.ctx, m.sales, m.tech, m.session.Cashier, m.due
	return func() tea.Msg {
		s, err := sales.RecordSale(ctx, draft)
		if err != nil {
			// The ticket stays on screen and Enter tries again, but the log keeps the error
			// that stopped it. Whether the log could be written matters less here than the
			// sale's own error, which is what the cashier must read.
			_ = tech.record(comptoir.TechSaleError, who, saleErrorDetail(fmt.Sprintf("recording a ticket of %d line(s), %s", len(draft.Lines), due.Format(comptoir.LangEN)), err))
			return ErrorMsg{Err: err}
		}
		return SaleRecordedMsg{Sale: s}
	}
}

// looksLikeCode reports whether what was typed on the payment screen is a product code rather
// than an amount: a valid GTIN, or one typed through an AZERTY keyboard's digit row.
func looksLikeCode(s string) bool {
	if u, ok := comptoir.UnmangleAZERTY(s); ok {
		s = u
	}
	kind, _ := comptoir.ClassifyCode(s)
	return kind == comptoir.ScanProduct || kind == comptoir.ScanCard
}

// Words of the payment screen.
var (
	wordPayment = text{"Paiement", "Payment"}
	wordDue     = text{"À PAYER", "DUE"}
	wordAmount  = text{"Montant : ", "Amount: "}
	wordLeft    = text{"RESTE", "LEFT"}
	wordChange  = text{"RENDU", "CHANGE"}
	// The hints say how to pay all or part, shown until the ticket is recorded.
	wordHints = []text{
		{"Sans montant : tout le reste", "No amount: all that is left"},
		{"12,50 puis Entrée : 12,50 € en espèces", "12.50 then Enter: €12.50 in cash"},
		{"12,50 puis F6 : 12,50 € par carte", "12.50 then F6: €12.50 by card"},
	}
)

// View draws the amount due, the payments taken, what is left or the change, and the input.
func (m *PaymentModel) View() string {
	c, w, l := m.common, m.common.Width, m.common.Lang
	who := wordPayment.in(l) + " · " + clean(m.session.Register)
	if m.session.Cashier != "" {
		who += " · " + clean(m.session.Cashier)
	}
	out := header(c, m.session, who, c.Styles.Total.Render(wordDue.in(l)+"  "+m.due.Format(l)))
	out = append(out, rule(c.Styles, w, ""))

	leftW := w / 2
	var left, rightCol []string
	if m.recorded != nil {
		left = append(left, "")
		left = append(left, m.result.rows(m.common.Styles, leftW, 4)...)
		left = append(left, m.receiptRows(leftW)...)
	} else {
		left = append(left, "", "  "+c.Styles.Prompt.Render(wordAmount.in(l))+clean(m.input.String())+"_")
		left = append(left, m.result.rows(m.common.Styles, leftW, 4)...)
		left = append(left, "")
		for _, h := range wordHints {
			left = append(left, c.Styles.Faint.Render("  "+h.in(l)))
		}
		if m.canRedeem() && m.redeem == 0 && len(m.payments) == 0 {
			left = append(left, "  "+wordRedeemHint.f(l, points(m.members.attached.balance, l)))
		}
	}
	rw := w - leftW - 2
	rightCol = append(rightCol, "")
	if m.redeem > 0 {
		rightCol = append(rightCol, spread(wordRedeemLine.f(l, points(m.redeem, l)), (m.due-m.base).Format(l), rw))
	}
	for _, p := range m.payments {
		rightCol = append(rightCol, spread(p.Method.Format(l), p.Amount.Format(l), rw))
	}
	rightCol = append(rightCol, rule(c.Styles, rw, ""))
	paid := m.Paid()
	label, amount := wordLeft, m.due-paid
	if paid >= m.due {
		label, amount = wordChange, paid-m.due
	}
	rightCol = append(rightCol, c.Styles.Total.Render(spread(label.in(l), amount.Format(l), rw)))
	if label == wordChange && amount > 0 || m.recorded == nil {
		for _, row := range big(amount.Format(l)) {
			rightCol = append(rightCol, c.Styles.Total.Render(right(row, rw)))
		}
	}
	rows := max(len(left), len(rightCol), c.Height-len(out))
	for i := 0; i < rows && len(out) < c.Height; i++ {
		var a, b string
		if i < len(left) {
			a = left[i]
		}
		if i < len(rightCol) {
			b = rightCol[i]
		}
		out = append(out, fit(a, leftW)+"  "+fit(b, rw))
	}
	return strings.Join(out, "\n")
}

var _ Component = (*PaymentModel)(nil)
