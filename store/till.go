package store

import (
	"context"

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
