package store

import (
	"context"
	"slices"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// RecordSale applies the ticket rules to a draft, then numbers, chains and records the ticket in
// one durable transaction with its running totals and its outbox event.
func (s *Store) RecordSale(ctx context.Context, d comptoir.SaleDraft) (comptoir.Sale, error) {
	sales, err := s.RecordSales(ctx, []comptoir.SaleDraft{d})
	if err != nil {
		return comptoir.Sale{}, err
	}
	return sales[0], nil
}

// RecordSales records several tickets in one transaction: all of them or none. Loading demo data
// or importing a day recorded elsewhere pays for one commit instead of one per ticket.
func (s *Store) RecordSales(ctx context.Context, drafts []comptoir.SaleDraft) ([]comptoir.Sale, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	sales := make([]comptoir.Sale, len(drafts))
	// The rules apply inside the transaction, where a member's balance and a refunded ticket's
	// discount are known; a refused draft rolls it back, which costs no disk write.
	now := s.now()
	drafts = slices.Clone(drafts)
	for i := range drafts {
		if drafts[i].At.IsZero() {
			drafts[i].At = now
		}
	}
	err := s.update(func(tx *bbolt.Tx) error {
		for i, d := range drafts {
			var err error
			if sales[i], err = s.recordSale(tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sales, nil
}

// recordSale applies the rules to a draft, attaches the member's points, and writes the ticket
// in the caller's transaction with its number, grand total and hashes.
func (s *Store) recordSale(tx *bbolt.Tx, d comptoir.SaleDraft) (comptoir.Sale, error) {
	r := regBuckets(tx, s.register)
	m, err := s.prepareMember(tx, r, &d)
	if err != nil {
		return comptoir.Sale{}, err
	}
	sale, err := comptoir.BuildSale(d)
	if err != nil {
		return comptoir.Sale{}, err
	}
	sale.At = sale.At.UTC()
	sale.Day = comptoir.DayOf(sale.At, s.loc)
	if m != nil {
		sale.PointsEarned = m.earned(s.rule, sale)
	}
	if err := s.writeSale(tx, r, &sale); err != nil {
		return comptoir.Sale{}, err
	}
	if m != nil {
		if err := m.record(tx, sale); err != nil {
			return comptoir.Sale{}, err
		}
	}
	return sale, nil
}

// QuoteSale applies the rules to a draft in a read transaction, as recordSale does, and returns
// the ticket it would record, without payments: its total is what is due, or on a refund what is
// paid back, with the member's points and the original ticket's discount taken into account.
func (s *Store) QuoteSale(ctx context.Context, d comptoir.SaleDraft) (comptoir.Sale, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Sale{}, err
	}
	if d.At.IsZero() {
		d.At = s.now()
	}
	d.Lines, d.Payments = slices.Clone(d.Lines), nil
	var sale comptoir.Sale
	err := s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		m, err := s.prepareMember(tx, r, &d)
		if err != nil {
			return err
		}
		if sale, err = comptoir.PriceSale(d); err != nil {
			return err
		}
		sale.At = sale.At.UTC()
		sale.Day = comptoir.DayOf(sale.At, s.loc)
		if p, closed := closedPeriodOf(r, sale.Day); closed {
			return comptoir.E(comptoir.CodeDayClosed, p)
		}
		if sale.IsRefund() {
			if err := checkRefund(r, sale); err != nil {
				return err
			}
		}
		if m != nil {
			sale.PointsEarned = m.earned(s.rule, sale)
		}
		return nil
	})
	if err != nil {
		return comptoir.Sale{}, err
	}
	return sale, nil
}

// writeSale numbers, chains and writes a built ticket with its running totals and outbox event.
func (s *Store) writeSale(tx *bbolt.Tx, r reg, sale *comptoir.Sale) error {
	if p, closed := closedPeriodOf(r, sale.Day); closed {
		return comptoir.E(comptoir.CodeDayClosed, p)
	}
	if sale.IsRefund() {
		if err := checkRefund(r, *sale); err != nil {
			return err
		}
	}
	h, err := r.head()
	if err != nil {
		return err
	}
	sale.Register = string(s.register)
	sale.Number = h.LastTicket + 1
	sale.PrevHash = h.LastHash
	sale.GrandTotal = h.GrandTotal
	if !sale.Training {
		sale.GrandTotal += sale.Total
	}
	hash, sig, err := s.appendChained(tx, &h, ticketKey(sale.Number), comptoir.TicketRecord, sale, sale.At)
	if err != nil {
		return err
	}
	sale.Hash, sale.Signature = hash, sig
	if sale.IsRefund() {
		if err := r.refunds.Put(append(itob(sale.RefundOf), itob(sale.Number)...), nil); err != nil {
			return err
		}
	}
	if err := addDayTotals(r, &h, *sale); err != nil {
		return err
	}
	h.LastTicket, h.LastHash, h.GrandTotal = sale.Number, hash, sale.GrandTotal
	h.GrandTotalAbs = comptoir.AbsGrandTotal(h.GrandTotalAbs, *sale)
	return r.putHead(h)
}

// closedPeriodOf reports the closed period (the day, its month or its year) that a business day
// falls in, if any: a sealed period accepts no more tickets.
func closedPeriodOf(r reg, day string) (string, bool) {
	closings := r.closings
	for _, p := range []string{day, day[:7], day[:4]} {
		if closings.Get([]byte(p)) != nil {
			return p, true
		}
	}
	return "", false
}

func checkRefund(r reg, refund comptoir.Sale) error {
	orig, err := getSale(r, refund.RefundOf)
	if err != nil {
		return err
	}
	earlier, err := refundsOf(r, refund.RefundOf)
	if err != nil {
		return err
	}
	return comptoir.CheckRefund(refund, orig, earlier)
}

// refundsOf reads the refunds of a ticket through the refunds index, in the order they were
// recorded.
func refundsOf(r reg, number uint64) ([]comptoir.Sale, error) {
	var out []comptoir.Sale
	prefix := itob(number)
	c := r.refunds.Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) >= 8 && btoi(k[:8]) == number; k, _ = c.Next() {
		if len(k) != 16 {
			return nil, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "index des remboursements", EN: "refunds index"})
		}
		e, err := getSale(r, btoi(k[8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// addDayTotals counts a ticket in its day's running totals, which the head carries for the day of
// the last ticket. When the day changes, the finished day's totals are written to the days bucket
// and the new day gets its key there, so that listing a period's days finds it.
func addDayTotals(r reg, h *head, sale comptoir.Sale) error {
	if sale.Day != h.Day {
		if h.Day != "" {
			if err := r.days.Put([]byte(h.Day), encode(h.DayTotals)); err != nil {
				return err
			}
		}
		t, err := r.dayTotals(*h, sale.Day)
		if err != nil {
			return err
		}
		if err := r.days.Put([]byte(sale.Day), encode(t)); err != nil {
			return err
		}
		h.Day, h.DayTotals = sale.Day, t
	}
	h.DayTotals.Add(sale)
	return nil
}

func getSale(r reg, number uint64) (comptoir.Sale, error) {
	if r.journal == nil {
		return comptoir.Sale{}, r.missing(bucketJournal)
	}
	v := r.journal.Get(ticketKey(number))
	if v == nil {
		return comptoir.Sale{}, comptoir.E(comptoir.CodeTicketNotFound, number)
	}
	rec, err := parseRecord(v)
	if err != nil {
		return comptoir.Sale{}, err
	}
	var sale comptoir.Sale
	if err := rec.decode(&sale); err != nil {
		return comptoir.Sale{}, err
	}
	sale.Hash = rec.hashHex()
	sale.Signature = r.signature(comptoir.ChainTickets, ticketKey(number))
	return sale, nil
}

// Sale reads a recorded ticket by number.
func (s *Store) Sale(ctx context.Context, number uint64) (comptoir.Sale, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Sale{}, err
	}
	var sale comptoir.Sale
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		sale, err = getSale(regBuckets(tx, s.register), number)
		return err
	})
	return sale, err
}

// Refunds lists the refund tickets recorded against a ticket, oldest first. It refuses a ticket
// that does not exist, so that "no refund yet" is never confused with "no such ticket".
func (s *Store) Refunds(ctx context.Context, number uint64) ([]comptoir.Sale, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var out []comptoir.Sale
	err := s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		if _, err := getSale(r, number); err != nil {
			return err
		}
		var err error
		out, err = refundsOf(r, number)
		return err
	})
	return out, err
}

// LastTicket is the number of the register's last ticket, zero when it has none.
func (s *Store) LastTicket(ctx context.Context) (uint64, error) {
	h, err := s.head(ctx)
	return h.LastTicket, err
}

// JournalSize counts the register's records: its tickets and its closings.
func (s *Store) JournalSize(ctx context.Context) (tickets, closings uint64, err error) {
	h, err := s.head(ctx)
	return h.LastTicket, h.LastClosing, err
}

// GrandTotal is the register's perpetual grand total.
func (s *Store) GrandTotal(ctx context.Context) (comptoir.Money, error) {
	h, err := s.head(ctx)
	return h.GrandTotal, err
}

func (s *Store) head(ctx context.Context) (head, error) {
	if err := checkCtx(ctx); err != nil {
		return head{}, err
	}
	var h head
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		h, err = regBuckets(tx, s.register).head()
		return err
	})
	return h, err
}

// DayTotals reads the running totals of a business day (YYYY-MM-DD). It reads one key whatever
// the size of the journal.
func (s *Store) DayTotals(ctx context.Context, day string) (comptoir.Totals, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Totals{}, err
	}
	if _, err := comptoir.ParseDay(day); err != nil {
		return comptoir.Totals{}, err
	}
	var t comptoir.Totals
	err := s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		h, err := r.head()
		if err != nil {
			return err
		}
		t, err = r.dayTotals(h, day)
		return err
	})
	return t, err
}
