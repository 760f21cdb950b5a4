package store

import (
	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// saleMember is the loyalty member attached to a ticket being recorded.
type saleMember struct {
	rec     customerRecord
	balance int64
}

// prepareMember resolves the member of a draft before the ticket rules apply: a refund belongs to
// the member of the ticket it refunds, pays back only its share of that ticket's discount and
// gives back the same share of the points redeemed for it (a negative PointsRedeemed); redeemed
// points become a discount within the balance. A training ticket, an erased member and a
// member in stop processing make an anonymous sale, but a member in stop processing cannot spend
// points. It returns nil for an anonymous sale.
func (s *Store) prepareMember(tx *bbolt.Tx, r reg, d *comptoir.SaleDraft) (*saleMember, error) {
	if d.Training {
		d.CustomerID, d.PointsRedeemed, d.PointsEarned = "", 0, 0
		return nil, nil
	}
	if d.RefundOf != 0 {
		// A missing original is refused with its own message by the refund check.
		if orig, err := getSale(r, d.RefundOf); err == nil {
			d.CustomerID = orig.CustomerID
			d.Discount = -refundShare(orig, d.Lines, int64(orig.Discount))
			d.PointsRedeemed = -int64(refundShare(orig, d.Lines, orig.PointsRedeemed))
		}
	}
	if d.CustomerID == "" {
		d.PointsRedeemed = 0
		return nil, nil
	}
	rec, err := getCustomer(tx, comptoir.CustomerID(d.CustomerID))
	if err != nil {
		return nil, err
	}
	if rec.Erased || rec.StopProcessing {
		if rec.StopProcessing && d.PointsRedeemed > 0 {
			return nil, comptoir.E(comptoir.CodeStopProcessing)
		}
		d.CustomerID, d.PointsRedeemed = "", 0
		return nil, nil
	}
	m := &saleMember{rec: rec, balance: rec.Balance}
	if d.PointsRedeemed > 0 && d.RefundOf == 0 {
		discount, err := s.rule.Discount(d.PointsRedeemed, m.balance)
		if err != nil {
			return nil, err
		}
		d.Discount += discount
	}
	return m, nil
}

// refundShare is the part of an amount of the original ticket (its discount, its redeemed
// points) that refunded lines carry, in proportion to their amount, rounded half away from zero.
func refundShare(orig comptoir.Sale, lines []comptoir.Line, amount int64) comptoir.Money {
	if amount <= 0 {
		return 0
	}
	var origLines, refunded comptoir.Money
	for _, l := range orig.Lines {
		origLines += l.Total
	}
	for _, l := range lines {
		refunded -= l.UnitPrice * comptoir.Money(l.Qty)
	}
	if origLines <= 0 || refunded <= 0 {
		return 0
	}
	return comptoir.Money((amount*int64(refunded)*2 + int64(origLines)) / (2 * int64(origLines)))
}

// earned is what a ticket changes in the member's points: what the amount paid earns, or on a
// refund, what the refunded amount had earned, taken back within the balance so that it never
// goes negative at the register.
func (m *saleMember) earned(rule comptoir.PointsRule, sale comptoir.Sale) int64 {
	if !sale.IsRefund() {
		return rule.Earned(sale.Total)
	}
	back := rule.Earned(-sale.Total)
	return -min(back, max(m.balance, 0))
}

// record writes the ticket's points, its link to the member and the member's last activity.
func (m *saleMember) record(tx *bbolt.Tx, sale comptoir.Sale) error {
	entry := comptoir.PointsEntry{At: sale.At, Register: sale.Register, Ticket: sale.Number}
	if sale.PointsRedeemed != 0 {
		e := entry
		e.Kind, e.Points = comptoir.PointsRedeem, -sale.PointsRedeemed
		if sale.PointsRedeemed < 0 {
			e.Kind, e.Reason = comptoir.PointsAdjust, "refund"
		}
		if err := appendEntry(tx, &m.rec, entryPoints, e); err != nil {
			return err
		}
		m.rec.Balance += e.Points
	}
	if sale.PointsEarned != 0 {
		e := entry
		e.Kind, e.Points = comptoir.PointsEarn, sale.PointsEarned
		if sale.IsRefund() {
			e.Kind, e.Reason = comptoir.PointsAdjust, "refund"
		}
		if err := appendEntry(tx, &m.rec, entryPoints, e); err != nil {
			return err
		}
		m.rec.Balance += e.Points
	}
	if err := appendEntry(tx, &m.rec, entryTicket, memberTicket{Register: sale.Register, Number: sale.Number}); err != nil {
		return err
	}
	m.rec.LastActivity = sale.At
	return putCustomer(tx, m.rec)
}
