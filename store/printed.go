package store

import (
	"context"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// bucketPrinted counts the prints of each ticket: printed/<register>/<number> -> count. The
// first print is the receipt; every later one is a duplicate and says so.
var bucketPrinted = []byte("printed")

// MarkPrinted records a print of a ticket and reports whether it was the first.
func (s *Store) MarkPrinted(ctx context.Context, number uint64) (first bool, err error) {
	if err := checkCtx(ctx); err != nil {
		return false, err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		sale, err := getSale(r, number)
		if err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(regBucketName(bucketPrinted, s.register))
		if err != nil {
			return err
		}
		var count uint64
		if v := b.Get(itob(number)); len(v) == 8 {
			count = btoi(v)
		}
		first = count == 0
		if err := b.Put(itob(number), itob(count+1)); err != nil {
			return err
		}
		if first {
			return nil
		}
		// Every duplicate is recorded in the reprint chain, signed (NF525): a duplicate handed
		// over as a receipt would otherwise leave no trace.
		h, err := r.head()
		if err != nil {
			return err
		}
		now := s.now()
		_, _, _, err = s.appendNumbered(tx, &h, comptoir.ReprintRecord, now.UTC(), func(n uint64, prev string) any {
			return comptoir.Reprint{Register: string(s.register), Number: n, Ticket: number, Copy: int(count + 1),
				At: now.UTC(), Day: comptoir.DayOf(now, s.loc), VAT: sale.VAT, Total: sale.Total, TicketHash: sale.Hash, PrevHash: prev}
		})
		if err != nil {
			return err
		}
		return r.putHead(h)
	})
	return first, err
}

// Printed is how many times a ticket was printed.
func (s *Store) Printed(ctx context.Context, number uint64) (uint64, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	var count uint64
	err := s.view(func(tx *bbolt.Tx) error {
		if _, err := getSale(regBuckets(tx, s.register), number); err != nil {
			return err
		}
		if b := tx.Bucket(regBucketName(bucketPrinted, s.register)); b != nil {
			if v := b.Get(itob(number)); len(v) == 8 {
				count = btoi(v)
			}
		}
		return nil
	})
	return count, err
}

// BalanceAfter is a member's points balance just after a ticket of this register, which its
// receipt prints: a duplicate printed months later shows what the original did. It needs no
// key. A ticket that moved no points shows the balance as the ledger stood when it was recorded.
func (s *Store) BalanceAfter(ctx context.Context, id comptoir.CustomerID, number uint64) (int64, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	var balance int64
	err := s.view(func(tx *bbolt.Tx) error {
		sale, err := getSale(regBuckets(tx, s.register), number)
		if err != nil {
			return err
		}
		ledger, err := pointsLedger(tx, id)
		if err != nil {
			return err
		}
		// With the central's view, the balance after a ticket is the central's, with this
		// register's entries between the ticket the central counted to and this one added (a
		// later ticket) or taken off (an earlier one). Points earned at other registers since the
		// ticket cannot be told apart, so a duplicate of an old ticket may show them.
		if v, ok, err := getRemote(tx, id); err != nil || ok {
			balance = v.Balance
			for _, e := range ledger {
				switch {
				case e.Register != string(s.register):
				case e.Ticket > v.AsOfTicket && e.Ticket <= number:
					balance += e.Points
				case e.Ticket > number && e.Ticket <= v.AsOfTicket:
					balance -= e.Points
				}
			}
			return err
		}
		var sum int64
		for _, e := range ledger {
			if e.At.After(sale.At) && !(e.Ticket == number && e.Register == string(s.register)) {
				break
			}
			sum += e.Points
			if e.Ticket == number && e.Register == string(s.register) {
				balance = sum
			}
		}
		if balance == 0 {
			balance = sum
		}
		return nil
	})
	return balance, err
}

// MemberBalance is a member's points balance, which a receipt prints; it needs no key.
func (s *Store) MemberBalance(ctx context.Context, id comptoir.CustomerID) (int64, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	var balance int64
	err := s.view(func(tx *bbolt.Tx) error {
		rec, err := getCustomer(tx, id)
		if isCode(err, comptoir.CodeRemoteMember) {
			v, _, err := getRemote(tx, id)
			balance = v.Balance
			return err
		}
		if err != nil {
			return err
		}
		balance, err = s.balanceOf(tx, rec)
		return err
	})
	return balance, err
}
