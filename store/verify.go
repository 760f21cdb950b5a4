package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"maps"
	"slices"
	"strings"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// Verify walks the register's journal from the first record and reports the first one whose hash
// does not match its bytes, whose link to the previous record is broken, whose number skips, or
// whose totals (line totals, VAT, change, perpetual grand total, a closing's period totals) do
// not match what it sums. An error is returned only when the walk itself fails.
func (s *Store) Verify(ctx context.Context) (comptoir.VerifyReport, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.VerifyReport{}, err
	}
	var rep comptoir.VerifyReport
	err := s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		v := &verifier{rep: &rep, days: map[string]*comptoir.Totals{}, closed: map[string]comptoir.Totals{}}
		c := r.journal.Cursor()
		var last comptoir.RecordRef
		n := uint64(0)
		for k, val := c.First(); k != nil; k, val = c.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			ref, ok := keyRef(k)
			ref.Position = n
			if !ok {
				v.fail(comptoir.CodeUnreadableRecord, ref)
				return nil
			}
			last = ref
			if v.check(ref, val) {
				return nil
			}
		}
		return v.checkTip(r, last)
	})
	return rep, err
}

// checkTip compares what the walk found with what the store keeps beside the journal: the head
// (a journal cut short, or a head rewritten, shows as a tip the walk did not reach) and the
// running day totals that X reports and the next Z close are made from.
func (v *verifier) checkTip(r reg, last comptoir.RecordRef) error {
	h, err := r.head()
	if err != nil {
		return err
	}
	switch {
	case h.LastTicket > v.ticket:
		v.fail(comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: v.ticket + 1})
		return nil
	case h.LastClosing > v.closing:
		v.fail(comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: v.closing + 1})
		return nil
	case h.LastHash != v.prev || h.LastTicket != v.ticket || h.LastClosing != v.closing || h.GrandTotal != v.gt:
		v.fail(comptoir.CodeChainBroken, last)
		return nil
	}
	days := map[string]bool{}
	for day := range v.days {
		days[day] = true
	}
	err = r.days.ForEach(func(k, _ []byte) error {
		days[string(k)] = true
		return nil
	})
	if err != nil {
		return err
	}
	for _, day := range slices.Sorted(maps.Keys(days)) {
		stored, err := r.dayTotals(h, day)
		if err != nil {
			return err
		}
		var want comptoir.Totals
		if t := v.days[day]; t != nil {
			want = *t
		}
		if !stored.Equal(want) {
			v.rep.Broken = comptoir.E(comptoir.CodeRunningTotalsMismatch, day)
			return nil
		}
	}
	return nil
}

// sealedIn reports the period already closed in the walk (the period itself, its month or its
// year) that period falls in.
func (v *verifier) sealedIn(period string) (string, bool) {
	for _, n := range []int{len("2006-01-02"), len("2006-01"), len("2006")} {
		if len(period) >= n {
			if _, ok := v.closed[period[:n]]; ok {
				return period[:n], true
			}
		}
	}
	return "", false
}

type verifier struct {
	rep     *comptoir.VerifyReport
	prev    string
	ticket  uint64
	closing uint64
	gt      comptoir.Money
	days    map[string]*comptoir.Totals
	closed  map[string]comptoir.Totals
}

// check verifies one record, named by its key, and reports whether the walk must stop.
func (v *verifier) check(ref comptoir.RecordRef, val []byte) bool {
	// Records follow each other without gaps: a number skipped is a record deleted.
	expected := v.ticket + 1
	if ref.Kind == comptoir.ClosingRecord {
		expected = v.closing + 1
	}
	if ref.Number > expected {
		return v.fail(comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: ref.Kind, Number: expected})
	}
	if ref.Number < expected {
		return v.fail(comptoir.CodeNumberGap, ref, expected)
	}
	r, err := parseRecord(val)
	if err != nil || r.kind != ref.Kind {
		return v.fail(comptoir.CodeUnreadableRecord, ref)
	}
	if sum := sha256.Sum256(r.body); !bytes.Equal(sum[:], r.hash[:]) {
		return v.fail(comptoir.CodeHashMismatch, ref)
	}
	if r.kind == comptoir.TicketRecord {
		return v.checkTicket(ref, r)
	}
	return v.checkClosing(ref, r)
}

func (v *verifier) checkTicket(ref comptoir.RecordRef, r record) bool {
	var s comptoir.Sale
	if r.decode(&s) != nil {
		return v.fail(comptoir.CodeUnreadableRecord, ref)
	}
	if s.PrevHash != v.prev {
		return v.fail(comptoir.CodeChainBroken, ref)
	}
	if s.Number != ref.Number {
		// The content of another ticket was moved under this key.
		return v.fail(comptoir.CodeNumberGap, ref, ref.Number)
	}
	if _, err := comptoir.ParseDay(s.Day); err != nil || !comptoir.CheckSale(s) {
		return v.fail(comptoir.CodeTotalsMismatch, ref)
	}
	if p, ok := v.sealedIn(s.Day); ok {
		// Only an index edited behind the store's back lets a ticket into a sealed period.
		return v.fail(comptoir.CodeClosedPeriodTicket, ref, p)
	}
	gt := v.gt
	if !s.Training {
		gt += s.Total
	}
	if s.GrandTotal != gt {
		return v.fail(comptoir.CodeGrandTotalMismatch, ref, gt)
	}
	t, ok := v.days[s.Day]
	if !ok {
		t = &comptoir.Totals{}
		v.days[s.Day] = t
	}
	t.Add(s)
	v.prev, v.ticket, v.gt = r.hashHex(), s.Number, gt
	v.rep.Tickets++
	v.rep.GrandTotal = gt
	return false
}

func (v *verifier) checkClosing(ref comptoir.RecordRef, r record) bool {
	var c comptoir.Closing
	if r.decode(&c) != nil {
		return v.fail(comptoir.CodeUnreadableRecord, ref)
	}
	if c.PrevHash != v.prev {
		return v.fail(comptoir.CodeChainBroken, ref)
	}
	if c.Number != ref.Number {
		return v.fail(comptoir.CodeNumberGap, ref, ref.Number)
	}
	if kind, err := comptoir.ParsePeriod(c.Period); err != nil || kind != c.Kind {
		return v.fail(comptoir.CodeTotalsMismatch, ref)
	}
	if p, ok := v.sealedIn(c.Period); ok {
		return v.fail(comptoir.CodeDuplicateClosing, ref, p)
	}
	var want comptoir.Totals
	switch c.Kind {
	case comptoir.DayClosing:
		if t := v.days[c.Period]; t != nil {
			want = *t
		}
	default:
		for p, t := range v.closed {
			if len(p) == len(c.Period)+3 && strings.HasPrefix(p, c.Period+"-") {
				want.Merge(t)
			}
		}
	}
	if !want.Equal(c.Totals) || !c.CountConsistent() {
		return v.fail(comptoir.CodeTotalsMismatch, ref)
	}
	if c.GrandTotal != v.gt {
		return v.fail(comptoir.CodeGrandTotalMismatch, ref, v.gt)
	}
	v.closed[c.Period] = c.Totals
	v.prev, v.closing = r.hashHex(), c.Number
	v.rep.Closings++
	return false
}

// fail records the first broken record and stops the walk. Records are named by their journal
// key rather than by their content, which may be what was tampered with.
func (v *verifier) fail(code comptoir.Code, ref comptoir.RecordRef, args ...any) bool {
	v.rep.Broken = comptoir.E(code, append([]any{ref}, args...)...)
	v.rep.At = &ref
	return true
}
