package store

import (
	"context"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// RecordVoid writes in the audit trail that who took a line (or part of its quantity) off an open
// ticket: its GTIN, the quantity and the amount, never its label or a member.
func (s *Store) RecordVoid(ctx context.Context, who string, line comptoir.Line) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		return appendAudit(tx, s.now(), who, comptoir.AuditLineVoided, "", comptoir.VoidDetail(line))
	})
}

// RecordAbandon writes in the audit trail that who gave up an open ticket: how many lines and
// items, and its amount. A ticket without lines is nothing to record.
func (s *Store) RecordAbandon(ctx context.Context, who string, lines []comptoir.Line) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if len(lines) == 0 {
		return nil
	}
	return s.update(func(tx *bbolt.Tx) error {
		return appendAudit(tx, s.now(), who, comptoir.AuditTicketAbandoned, "", comptoir.AbandonDetail(lines))
	})
}

// TillCounts counts the voided lines and abandoned tickets of a business day in the shop's time
// zone, reading the audit trail from its end: entries are appended as they happen, so the walk
// stops a day before the day asked (a margin for an entry stamped with an earlier time).
func (s *Store) TillCounts(ctx context.Context, day string) (comptoir.TillCounts, error) {
	var c comptoir.TillCounts
	if err := checkCtx(ctx); err != nil {
		return c, err
	}
	start, err := time.ParseInLocation("2006-01-02", day, s.loc)
	if err != nil {
		return c, comptoir.E(comptoir.CodeInvalidPeriod, day)
	}
	end, stop := start.AddDate(0, 0, 1), start.AddDate(0, 0, -1)
	err = s.view(func(tx *bbolt.Tx) error {
		cur := tx.Bucket(bucketAudit).Cursor()
		n := 0
		for k, v := cur.Last(); k != nil; k, v = cur.Prev() {
			if n++; n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var e comptoir.AuditEntry
			if err := decode(v, &e); err != nil {
				return err
			}
			if e.At.Before(stop) {
				break
			}
			if !e.At.Before(start) && e.At.Before(end) {
				c.Add(e)
			}
		}
		return nil
	})
	return c, err
}
