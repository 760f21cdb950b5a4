package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// quoteMsg is the sale service's price of the ticket with the points redeemed.
type quoteMsg struct {
	sale comptoir.Sale
	err  error
}

// Words of the points redemption.
var (
	wordRedeemHint  = text{"F9 points (%s)", "F9 points (%s)"}
	wordRedeemed    = text{"%s %s : %s de remise", "%s %s: %s off"}
	wordRedeemOff   = text{"points rendus au solde : plus de remise", "points back on the balance: no discount"}
	wordRedeemLine  = text{"Points (%s)", "Points (%s)"}
	wordRedeemFirst = text{"les points se dépensent avant le premier paiement : Échap, puis Entrée, pour reprendre le paiement", "points are spent before the first payment: Esc, then Enter, to start the payment again"}
)

// canRedeem reports whether the attached member has enough points for one unit off this ticket.
func (m *PaymentModel) canRedeem() bool {
	a, r := m.members.attached, m.members.rule
	return a != nil && r.RedeemPoints > 0 && a.balance >= r.RedeemPoints && m.base >= r.RedeemValue
}

// redeemKey answers F9: it spends as many whole units of points as the balance allows without
// going beyond what is due, or, pressed again, gives them back. The sale service prices the
// ticket with them (QuoteSale), so the due shown is the store's.
func (m *PaymentModel) redeemKey() tea.Cmd {
	l, a, r := m.common.Lang, m.members.attached, m.members.rule
	if a == nil || m.quoting {
		return nil
	}
	if len(m.payments) > 0 {
		m.result = result{resultRefused, wordRedeemFirst.in(l)}
		return nil
	}
	if m.redeem > 0 {
		m.redeem, m.due = 0, m.base
		m.result = result{resultOK, wordRedeemOff.in(l)}
		return nil
	}
	var units int64
	if r.RedeemPoints > 0 && r.RedeemValue > 0 {
		units = min(a.balance/r.RedeemPoints, int64(m.base/r.RedeemValue))
	}
	if units <= 0 {
		m.result = result{resultRefused, comptoir.Message(comptoir.E(comptoir.CodeNotEnoughPoints, a.balance, r.RedeemPoints, r.RedeemValue), l)}
		return nil
	}
	m.redeem = units * r.RedeemPoints
	m.quoting = true
	ctx, sales, d := m.ctx, m.sales, m.draft()
	d.Payments = nil
	return func() tea.Msg {
		s, err := sales.QuoteSale(ctx, d)
		return quoteMsg{sale: s, err: err}
	}
}

// quoted applies the price of the ticket with the points.
func (m *PaymentModel) quoted(msg quoteMsg) {
	l := m.common.Lang
	m.quoting = false
	if msg.err != nil {
		m.redeem, m.due = 0, m.base
		m.result = result{resultRefused, comptoir.Message(msg.err, l)}
		return
	}
	m.due = msg.sale.Total
	m.result = result{resultOK, wordRedeemed.f(l, points(m.redeem, l), pointWord(m.redeem, l), (m.base - m.due).Format(l))}
}
