package store

import (
	"bytes"
	"context"
	"crypto/sha256"
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
	err := s.db.View(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		v := &verifier{reg: r, rep: &rep, days: map[string]*comptoir.Totals{}, closed: map[string]comptoir.Totals{}}
		c := r.journal.Cursor()
		n := 0
		var last uint64
		for k, val := c.First(); k != nil; k, val = c.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			last = btoi(k)
			if v.check(last, val) {
				return nil
			}
		}
		h, err := r.head()
		if err != nil {
			return err
		}
		// A journal cut short, or a head rewritten, shows as a tip that the walk did not reach.
		// When the head counts records the walk did not find, the first missing one is named
		// (positions are consecutive), not the last intact one.
		if h.LastHash != v.prev || h.LastTicket != v.ticket || h.LastClosing != v.closing || h.GrandTotal != v.gt {
			pos := last
			if h.LastTicket > v.ticket || h.LastClosing > v.closing {
				pos = last + 1
			}
			v.fail(comptoir.CodeChainBroken, pos)
		}
		return nil
	})
	return rep, err
}

type verifier struct {
	reg     reg
	rep     *comptoir.VerifyReport
	prev    string
	ticket  uint64
	closing uint64
	gt      comptoir.Money
	days    map[string]*comptoir.Totals
	closed  map[string]comptoir.Totals
}

// check verifies one record and reports whether the walk must stop.
func (v *verifier) check(pos uint64, val []byte) bool {
	r, err := parseRecord(val)
	if err != nil {
		return v.fail(comptoir.CodeUnreadableRecord, pos)
	}
	if sum := sha256.Sum256(r.body); !bytes.Equal(sum[:], r.hash[:]) {
		return v.fail(comptoir.CodeHashMismatch, pos)
	}
	if r.kind == comptoir.TicketRecord {
		return v.checkTicket(pos, r)
	}
	return v.checkClosing(pos, r)
}

func (v *verifier) checkTicket(pos uint64, r record) bool {
	var s comptoir.Sale
	if r.decode(&s) != nil {
		return v.fail(comptoir.CodeUnreadableRecord, pos)
	}
	if s.PrevHash != v.prev {
		return v.fail(comptoir.CodeChainBroken, pos)
	}
	if s.Number != v.ticket+1 {
		return v.fail(comptoir.CodeNumberGap, pos, v.ticket+1)
	}
	if !comptoir.CheckSale(s) {
		return v.fail(comptoir.CodeTotalsMismatch, pos)
	}
	gt := v.gt
	if !s.Training {
		gt += s.Total
	}
	if s.GrandTotal != gt {
		return v.fail(comptoir.CodeGrandTotalMismatch, pos, gt)
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

func (v *verifier) checkClosing(pos uint64, r record) bool {
	var c comptoir.Closing
	if r.decode(&c) != nil {
		return v.fail(comptoir.CodeUnreadableRecord, pos)
	}
	if c.PrevHash != v.prev {
		return v.fail(comptoir.CodeChainBroken, pos)
	}
	if c.Number != v.closing+1 {
		return v.fail(comptoir.CodeNumberGap, pos, v.closing+1)
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
	if !want.Equal(c.Totals) {
		return v.fail(comptoir.CodeTotalsMismatch, pos)
	}
	if c.GrandTotal != v.gt {
		return v.fail(comptoir.CodeGrandTotalMismatch, pos, v.gt)
	}
	v.closed[c.Period] = c.Totals
	v.prev, v.closing = r.hashHex(), c.Number
	v.rep.Closings++
	return false
}

// fail records the first broken record and stops the walk.
func (v *verifier) fail(code comptoir.Code, pos uint64, args ...any) bool {
	ref := v.refAt(pos)
	v.rep.Broken = comptoir.E(code, append([]any{ref}, args...)...)
	v.rep.At = &ref
	return true
}

// refAt names the record at a journal position from the indexes rather than from the record's
// own content, which may be what was tampered with.
func (v *verifier) refAt(pos uint64) comptoir.RecordRef {
	if seq := v.reg.tickets.Get(itob(v.ticket + 1)); seq != nil && btoi(seq) == pos {
		return comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: v.ticket + 1, Position: pos}
	}
	ref := comptoir.RecordRef{Position: pos}
	_ = v.reg.closings.ForEach(func(_, val []byte) error {
		if btoi(val[8:]) == pos {
			ref = comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: btoi(val[:8]), Position: pos}
		}
		return nil
	})
	if ref.Number == 0 {
		// The ticket index is ordered like the journal, so a binary search finds any ticket.
		lo, hi := uint64(1), v.ticket+1
		if h, err := v.reg.head(); err == nil && h.LastTicket > hi {
			hi = h.LastTicket
		}
		for lo <= hi {
			mid := lo + (hi-lo)/2
			seq := v.reg.tickets.Get(itob(mid))
			switch {
			case seq == nil:
				hi = mid - 1
			case btoi(seq) == pos:
				return comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: mid, Position: pos}
			case btoi(seq) < pos:
				lo = mid + 1
			default:
				hi = mid - 1
			}
		}
	}
	return ref
}
