package store

import (
	"context"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// ClosePeriod seals a business day (the Z close), a month or a year, and records the closing in
// the journal, chained like a ticket, with its outbox event.
//
// A day can be closed once it has started, even with no ticket. A month can be closed once it is
// over and every day of it that has tickets is closed; it sums those days' closings. A year
// likewise sums its months. A sealed period accepts no more tickets. Nothing before the register's
// first record and nothing in the future can be closed (see comptoir.CheckClosable).
func (s *Store) ClosePeriod(ctx context.Context, period string) (comptoir.Closing, error) {
	return s.closeWith(ctx, period, nil)
}

// CloseDayCounted seals a business day with the manager's cash count; see
// comptoir.ClosingService.
func (s *Store) CloseDayCounted(ctx context.Context, day string, counted map[comptoir.PaymentMethod]comptoir.Money) (comptoir.Closing, error) {
	if _, err := comptoir.ParseDay(day); err != nil {
		return comptoir.Closing{}, err
	}
	return s.closeWith(ctx, day, counted)
}

// closeWith seals a period, with a count when counted is not nil (a day only).
func (s *Store) closeWith(ctx context.Context, period string, counted map[comptoir.PaymentMethod]comptoir.Money) (comptoir.Closing, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Closing{}, err
	}
	kind, err := comptoir.ParsePeriod(period)
	if err != nil {
		return comptoir.Closing{}, err
	}
	now := s.now()
	var c comptoir.Closing
	err = s.update(func(tx *bbolt.Tx) error {
		today := comptoir.DayOf(now, s.loc)
		if err := comptoir.CheckClosable(period, today, firstDay(regBuckets(tx, s.register))); err != nil {
			return err
		}
		var err error
		c, err = s.closePeriod(tx, kind, period, now, counted)
		return err
	})
	return c, err
}

// firstDay is the business day of the register's first record: the earliest day with tickets, or
// the first day of the earliest closed period when a closing came first (an empty day's Z). It is
// empty when the journal holds nothing. Both indexes are ordered by date, so this reads two keys.
func firstDay(r reg) string {
	var first string
	if k, _ := r.days.Cursor().First(); k != nil {
		first = string(k)
	}
	if k, _ := r.closings.Cursor().First(); k != nil {
		// "2026" sorts before "2026-01" and "2026-01-01": the first key starts earliest.
		if start, _, err := comptoir.PeriodBounds(string(k)); err == nil && (first == "" || start < first) {
			first = start
		}
	}
	return first
}

func (s *Store) closePeriod(tx *bbolt.Tx, kind comptoir.ClosingKind, period string, now time.Time, counted map[comptoir.PaymentMethod]comptoir.Money) (comptoir.Closing, error) {
	r := regBuckets(tx, s.register)
	closings := r.closings
	// A period is sealed by its own closing and by that of the month or year around it: an empty
	// day of a closed month must not gain a closing after the month's.
	for _, p := range []string{period, period[:min(len(period), 7)], period[:4]} {
		if v := closings.Get([]byte(p)); v != nil {
			number, _, err := closingIndex(v)
			if err != nil {
				return comptoir.Closing{}, err
			}
			return comptoir.Closing{}, comptoir.E(comptoir.CodeAlreadyClosed, p, number)
		}
	}
	h, err := r.head()
	if err != nil {
		return comptoir.Closing{}, err
	}
	var totals comptoir.Totals
	switch kind {
	case comptoir.DayClosing:
		if totals, err = r.dayTotals(h, period); err != nil {
			return comptoir.Closing{}, err
		}
	default:
		// A month is made of days (YYYY-MM-DD), a year of months (YYYY-MM).
		partLen := len("2006-01-02")
		if kind == comptoir.YearClosing {
			partLen = len("2006-01")
		}
		if p, ok := firstUnclosed(r, period, partLen); !ok {
			return comptoir.Closing{}, comptoir.E(comptoir.CodeUnclosedPeriod, p, period)
		}
		err := eachClosing(r, period, partLen, func(c comptoir.Closing) error {
			totals.Merge(c.Totals)
			return nil
		})
		if err != nil {
			return comptoir.Closing{}, err
		}
	}
	c := comptoir.Closing{
		Register:      string(s.register),
		Number:        h.LastClosing + 1,
		Kind:          kind,
		Period:        period,
		At:            now.UTC(),
		Totals:        totals,
		GrandTotal:    h.GrandTotal,
		GrandTotalAbs: h.GrandTotalAbs,
		PrevHash:      h.LastHash,
	}
	for _, chain := range []comptoir.Chain{comptoir.ChainReprints, comptoir.ChainEvents, comptoir.ChainKeys} {
		if ch := h.chain(chain); ch.Number > 0 {
			c.Chains = append(c.Chains, ch)
		}
	}
	if counted != nil {
		if c.Count, err = comptoir.CountCash(totals, counted); err != nil {
			return comptoir.Closing{}, err
		}
	}
	key := closingKey(h.LastTicket, c.Number)
	hash, sig, err := s.appendChained(tx, &h, key, comptoir.ClosingRecord, c, c.At)
	if err != nil {
		return comptoir.Closing{}, err
	}
	c.Hash, c.Signature = hash, sig
	if err := closings.Put([]byte(period), append(itob(c.Number), key...)); err != nil {
		return comptoir.Closing{}, err
	}
	h.LastClosing, h.LastHash = c.Number, hash
	return c, r.putHead(h)
}

// firstUnclosed finds, among the days with tickets inside period, the first part of length
// partLen (a day, or a month) that has no closing yet.
func firstUnclosed(r reg, period string, partLen int) (string, bool) {
	closings := r.closings
	prefix := []byte(period + "-")
	c := r.days.Cursor()
	for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
		if part := k[:partLen]; closings.Get(part) == nil {
			return string(part), false
		}
	}
	return "", true
}

// eachClosing calls fn with every closing of a part (length partLen) of period, in order.
func eachClosing(r reg, period string, partLen int, fn func(comptoir.Closing) error) error {
	prefix := period + "-"
	c := r.closings.Cursor()
	for k, v := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
		if len(k) != partLen {
			continue
		}
		_, key, err := closingIndex(v)
		if err != nil {
			return err
		}
		cl, err := decodeClosing(r, key)
		if err != nil {
			return err
		}
		if err := fn(cl); err != nil {
			return err
		}
	}
	return nil
}

// closingIndex reads an entry of the closings index: the closing's number and journal key.
func closingIndex(v []byte) (number uint64, key []byte, err error) {
	if len(v) != 8+keyLen {
		return 0, nil, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "index des clôtures", EN: "closings index"})
	}
	return btoi(v[:8]), v[8:], nil
}

func decodeClosing(r reg, key []byte) (comptoir.Closing, error) {
	rec, err := readRecord(r, key)
	if err != nil {
		return comptoir.Closing{}, err
	}
	var c comptoir.Closing
	if err := rec.decode(&c); err != nil {
		return comptoir.Closing{}, err
	}
	c.Hash = rec.hashHex()
	c.Signature = r.signature(comptoir.ChainClosings, key)
	return c, nil
}

// Closing reads the closing of a period; ok is false when the period is not closed.
func (s *Store) Closing(ctx context.Context, period string) (comptoir.Closing, bool, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Closing{}, false, err
	}
	if _, err := comptoir.ParsePeriod(period); err != nil {
		return comptoir.Closing{}, false, err
	}
	var c comptoir.Closing
	var ok bool
	err := s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		v := r.closings.Get([]byte(period))
		if v == nil {
			return nil
		}
		_, key, err := closingIndex(v)
		if err != nil {
			return err
		}
		c, err = decodeClosing(r, key)
		ok = err == nil
		return err
	})
	return c, ok, err
}
