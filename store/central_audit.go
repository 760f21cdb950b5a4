package store

import (
	"bytes"
	"context"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// The auditor checks the signatures of what registers pushed, after the push and outside it: a
// push answers once its events are durable and their links checked, and the Ed25519
// verifications, which would cost more CPU than the rest of the push, run in the background in
// parallel (RunAuditor leaves the pushes a core). Each register has an audit cursor, the
// sequence number of the last event whose signature was checked, kept with what the checks hold
// (the declared keys, the last signature of every chain) and count, in a bucket of their own:
//
//	signature_audit/
//	    <register>              -> central.Audit, JSON
//
// so that a push neither reads nor writes them. The auditor reads a run of events after the
// cursor in a read transaction, works out in sequence order which key must have signed each
// record and which signature it must follow, verifies them all in parallel with no transaction
// open, then writes its findings and the new cursor in one write transaction (shared with other
// registers' runs of the same pass), only if the cursor is still where it read it: another
// auditor that got there first has checked those events, and this one starts again from where
// that one stopped. Every event is so checked once, in order,
// whatever the crashes and restarts: the cursor commits with what it counted.
var bucketSigAudit = []byte("signature_audit")

// DefaultAuditBatch is how many events AuditSignatures reads and checks at most in one run when
// given no limit; see central.DefaultAuditBatch.
const DefaultAuditBatch = central.DefaultAuditBatch

// readSigAudit reads a register's audit state; a register never audited starts at zero.
func readSigAudit(tx *bbolt.Tx, register string) (central.Audit, error) {
	var au central.Audit
	b := tx.Bucket(bucketSigAudit)
	if b == nil {
		return au, nil
	}
	v := b.Get([]byte(register))
	if v == nil {
		return au, nil
	}
	return au, decode(v, &au)
}

func putSigAudit(tx *bbolt.Tx, register string, au central.Audit) error {
	b, err := tx.CreateBucketIfNotExists(bucketSigAudit)
	if err != nil {
		return err
	}
	return b.Put([]byte(register), encode(au))
}

// readAuditEvent decodes a stored event for the auditor; see central.NewAuditEvent.
func readAuditEvent(seq uint64, v []byte) (central.AuditEvent, error) {
	ce, err := decodeCentralEvent(v)
	if err != nil {
		return central.AuditEvent{}, err
	}
	return central.NewAuditEvent(seq, ce.Type, ce.Rejected != "", ce.Payload), nil
}

// AuditSignatures checks the signatures of a register's events after its audit cursor, at most
// max of them (DefaultAuditBatch when max is 0 or less) and never past what is acknowledged,
// and advances the cursor: it returns how many events it went through, 0 when the register is
// caught up. A record whose signature does not hold is counted in SignatureBreaks and, when it
// comes before any other break of the register, named in ChainBreak ("ticket 2 (signature)");
// as in a push, nothing is refused. A register that never pushed is refused with
// CodeUnknownRegisterCentral.
func (c *Central) AuditSignatures(ctx context.Context, register string, limit int) (checked int, err error) {
	if limit <= 0 {
		limit = DefaultAuditBatch
	}
	if err := checkCentralName(register); err != nil {
		return 0, err
	}
	for {
		if err := checkCtx(ctx); err != nil {
			return 0, err
		}
		r, err := c.auditRead(ctx, register, limit, central.FullPace())
		if err != nil || r == nil {
			return 0, err
		}
		if err := c.update(func(tx *bbolt.Tx) error { return commitAudits(tx, []*central.AuditRun{r}) }); err != nil {
			return 0, err
		}
		if !r.Moved {
			return r.N, nil
		}
		// Another auditor checked these events first: what it found stands, and this one goes on
		// from where it stopped.
	}
}

// auditRead reads up to limit of a register's events after its audit cursor, and checks their
// signatures at pace p with no transaction open; nil when the register is caught up.
func (c *Central) auditRead(ctx context.Context, register string, limit int, p central.Pace) (*central.AuditRun, error) {
	var au central.Audit
	var acked uint64
	var seqs []uint64
	var values [][]byte
	err := c.view(func(tx *bbolt.Tx) error {
		st, known, err := readCentralRegister(tx, register)
		if err != nil {
			return err
		}
		if !known {
			return comptoir.E(comptoir.CodeUnknownRegisterCentral, register)
		}
		acked = st.AckedSeq
		if au, err = readSigAudit(tx, register); err != nil || au.Checked >= st.AckedSeq {
			return err
		}
		evs := tx.Bucket(regBucketName(bucketEvents, []byte(register)))
		if evs == nil {
			return damaged(c.path, regBucketName(bucketEvents, []byte(register)))
		}
		end := min(st.AckedSeq, au.Checked+uint64(limit))
		cur := evs.Cursor()
		size := 0
		for k, v := cur.Seek(itob(au.Checked + 1)); k != nil && btoi(k) <= end; k, v = cur.Next() {
			// Copied, to outlive the transaction, and decoded after it on every core.
			seqs = append(seqs, btoi(k))
			values = append(values, bytes.Clone(v))
			// A run is bounded in bytes too: a register may push events of megabytes each, and
			// a run holds its copies in memory, and this read transaction open, until checked.
			if size += len(v); size >= central.MaxAuditBytes {
				end = btoi(k)
				break
			}
		}
		if len(seqs) == 0 || seqs[len(seqs)-1] != end || seqs[0] != au.Checked+1 || uint64(len(seqs)) != end-au.Checked {
			return damaged(c.path, regBucketName(bucketEvents, []byte(register)))
		}
		return nil
	})
	if err != nil || len(seqs) == 0 {
		return nil, err
	}
	return central.CheckRun(ctx, register, au, len(seqs), seqs[len(seqs)-1], acked,
		func(i int) (central.AuditEvent, error) { return readAuditEvent(seqs[i], values[i]) }, p)
}

// commitAudits writes what runs found, each with its register's new cursor, in the caller's
// write transaction; a run whose register's cursor another auditor moved since it read is
// marked moved and writes nothing.
func commitAudits(tx *bbolt.Tx, runs []*central.AuditRun) error {
	for _, r := range runs {
		now, err := readSigAudit(tx, r.Register)
		if err != nil {
			return err
		}
		if r.Moved = now.Checked != r.From; r.Moved {
			continue
		}
		if r.BreakSeq != 0 {
			st, _, err := readCentralRegister(tx, r.Register)
			if err != nil {
				return err
			}
			// The break the summary now names is logged, whether it is the first one or an
			// earlier one than the push found (central.Register.FlagAudit).
			if r.Flagged = st.FlagAudit(r.BreakSeq, r.BreakWhat); r.Flagged {
				if err := putCentralRegister(tx, r.Register, st); err != nil {
					return err
				}
			}
		}
		if err := putSigAudit(tx, r.Register, r.Next); err != nil {
			return err
		}
	}
	return nil
}

// AuditAll checks the signatures of every register until each is caught up with what it had
// pushed when its turn came. An error with one register does not stop the others: they are all
// returned together.
func (c *Central) AuditAll(ctx context.Context) error {
	return c.auditAll(ctx, DefaultAuditBatch, central.FullPace(), nil)
}

// auditAll checks every register's signatures in turns (central.AuditTurns), committing the
// runs of several registers in one transaction: with many registers pushing a few events each,
// one commit (two fdatasyncs, which the pushes wait behind) serves them all.
func (c *Central) auditAll(ctx context.Context, limit int, p central.Pace, flagged func(register, first string)) error {
	var registers []string
	err := c.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRegisters).ForEach(func(k, _ []byte) error {
			registers = append(registers, string(k))
			return nil
		})
	})
	if err != nil {
		return err
	}
	return central.AuditTurns(ctx, registers, limit,
		func(register string) (*central.AuditRun, error) { return c.auditRead(ctx, register, limit, p) },
		func(runs []*central.AuditRun) error {
			return c.update(func(tx *bbolt.Tx) error { return commitAudits(tx, runs) })
		}, flagged)
}

// wakeAuditor tells a running auditor that there are events to check, without waiting.
func (c *Central) wakeAuditor() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// RunAuditor checks the signatures of what registers push until ctx ends: at once, o.Settle after
// a push that brought events, and every o.Every in case a wake was missed (central.RunAuditor).
// It returns when ctx is done, with no transaction of its own open, so that the caller may then
// close the central.
func (c *Central) RunAuditor(ctx context.Context, o central.AuditorOptions) {
	central.RunAuditor(ctx, o, c.wake, c.auditAll)
}
