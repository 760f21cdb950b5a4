package store

import (
	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// saleMember is the loyalty member attached to a ticket being recorded.
type saleMember struct {
	rec     customerRecord
	balance int64
	// takeBack is, on a refund, how many of the points the refunded amount earned are taken back.
	takeBack int64
}

// prepareMember resolves the member of a draft before the ticket rules apply: a refund belongs to
// the member of the ticket it refunds, pays back only its share of that ticket's discount and
// gives back the same share of the points redeemed for it (a negative PointsRedeemed); redeemed
// points become a discount within the balance. A training ticket, an erased member and a
// member in stop processing make an anonymous sale, but a member in stop processing cannot spend
// points. It returns nil for an anonymous sale.
func (s *Store) prepareMember(tx *bbolt.Tx, r reg, d *comptoir.SaleDraft) (*saleMember, error) {
	// Points and discounts come from the store's rule and the member's balance only; a caller's
	// figures would show on the ticket and in the totals as a loyalty discount.
	d.PointsEarned, d.Discount = 0, 0
	if d.Training {
		d.CustomerID, d.PointsRedeemed = "", 0
		return nil, nil
	}
	if d.RefundOf != 0 {
		// A missing original is refused with its own message by the refund check.
		if orig, err := getSale(r, d.RefundOf); err == nil {
			done, err := refundedAmount(r, d.RefundOf)
			if err != nil {
				return nil, err
			}
			d.CustomerID = orig.CustomerID
			d.Discount = -refundShare(orig, done, d.Lines, int64(orig.Discount))
			d.PointsRedeemed = -int64(refundShare(orig, done, d.Lines, orig.PointsRedeemed))
		}
	}
	if d.CustomerID == "" {
		d.PointsRedeemed = 0
		return nil, nil
	}
	// A member of another shop gets a record here on their first ticket, without personal data,
	// for their points and tickets; record writes it.
	rec, err := memberForUpdate(tx, comptoir.CustomerID(d.CustomerID), d.At)
	if err != nil {
		return nil, err
	}
	if rec.erased() || rec.restricted() {
		if rec.restricted() && d.PointsRedeemed > 0 {
			return nil, comptoir.E(comptoir.CodeStopProcessing)
		}
		d.CustomerID, d.PointsRedeemed = "", 0
		return nil, nil
	}
	balance, err := s.balanceOf(tx, rec)
	if err != nil {
		return nil, err
	}
	m := &saleMember{rec: rec, balance: balance}
	if d.RefundOf != 0 {
		s.takeBackPoints(m, d)
	}
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
// points) that refunded lines carry, in proportion to their amount. It is computed on the running
// sum of what was refunded (done before, lines now), as the difference of two rounded shares, so
// that refunding a ticket in several parts gives back exactly what refunding it at once would,
// never more.
func refundShare(orig comptoir.Sale, done comptoir.Money, lines []comptoir.Line, amount int64) comptoir.Money {
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
	share := func(part comptoir.Money) int64 {
		part = min(part, origLines)
		return (amount*int64(part)*2 + int64(origLines)) / (2 * int64(origLines))
	}
	return comptoir.Money(share(done+refunded) - share(done))
}

// refundedAmount is what earlier refunds of a ticket took back, by their lines at full price.
func refundedAmount(r reg, original uint64) (comptoir.Money, error) {
	var done comptoir.Money
	prefix := itob(original)
	c := r.refunds.Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) == 16 && btoi(k[:8]) == original; k, _ = c.Next() {
		e, err := getSale(r, btoi(k[8:]))
		if err != nil {
			return 0, err
		}
		for _, l := range e.Lines {
			done -= l.Total
		}
	}
	return done, nil
}

// takeBackPoints settles the points a refunded amount had earned. They are taken back from the
// balance (with the redeemed points this refund gives back) as far as it goes, so that it never
// goes negative at the register; the points already spent are paid for out of the refund, at the
// redemption rate, or a member could earn points, spend them and refund what earned them.
func (s *Store) takeBackPoints(m *saleMember, d *comptoir.SaleDraft) {
	var lines comptoir.Money
	for _, l := range d.Lines {
		lines += l.UnitPrice * comptoir.Money(l.Qty)
	}
	back := s.rule.Earned(-(lines - d.Discount))
	available := max(m.balance, 0) - d.PointsRedeemed // PointsRedeemed is what this refund gives back, negated.
	if missing := back - available; missing > 0 {
		value := comptoir.Money((missing*int64(s.rule.RedeemValue) + s.rule.RedeemPoints/2) / s.rule.RedeemPoints)
		d.Discount = max(d.Discount-value, lines)
	}
	m.takeBack = max(min(back, available), 0)
}

// earned is what a ticket changes in the member's points: what the amount paid earns, or on a
// refund, the points taken back (see takeBackPoints).
func (m *saleMember) earned(rule comptoir.PointsRule, sale comptoir.Sale) int64 {
	if !sale.IsRefund() {
		return rule.Earned(sale.Total)
	}
	return -m.takeBack
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
