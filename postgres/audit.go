package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/jackc/pgx/v5"
)

// The signature auditor, as the embedded central runs it (see package central's auditor): a run
// reads a register's events after its audit cursor in a read-only snapshot, verifies them with no
// transaction open, then commits its findings with the new cursor only if the cursor is still
// where it read it. The commit locks the register's signature_audit row (FOR UPDATE): a row
// another process is committing is waited for, a commit being short, and a cursor it moved makes
// this run start again from there, so that two central processes never count the same events
// twice, and one never spins re-reading and re-verifying while the other holds the row. A commit
// locks signature_audit rows first, then the registers rows whose summary a break changes, in
// register order; a push locks only its registers row, so that no two of them wait in a cycle.

// readAudit reads a register's audit state, with lock appended to the query ("" for none);
// a register never audited starts at zero, and exists is then false.
func readAudit(ctx context.Context, tx pgx.Tx, register, lock string) (au central.Audit, exists bool, err error) {
	var raw []byte
	err = tx.QueryRow(ctx, "SELECT state FROM signature_audit WHERE register = $1 "+lock, register).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return au, false, nil
	}
	if err != nil {
		return au, false, err
	}
	return au, true, json.Unmarshal(raw, &au)
}

// AuditSignatures checks the signatures of a register's events after its audit cursor, at most
// limit of them (central.DefaultAuditBatch when limit is 0 or less) and never past what is
// acknowledged, and advances the cursor: it returns how many events it went through, 0 when the
// register is caught up. It answers as the embedded central's AuditSignatures does.
func (c *Central) AuditSignatures(ctx context.Context, register string, limit int) (int, error) {
	if limit <= 0 {
		limit = central.DefaultAuditBatch
	}
	if err := central.CheckName(register); err != nil {
		return 0, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		r, err := c.auditRead(ctx, register, limit, central.FullPace())
		if err != nil || r == nil {
			return 0, err
		}
		if err := c.commitAudits(ctx, []*central.AuditRun{r}); err != nil {
			return 0, err
		}
		if !r.Moved {
			return r.N, nil
		}
		// Another auditor checked these events first, or is committing them: what it found
		// stands, and this one goes on from where it stopped.
	}
}

// AuditAll checks the signatures of every register until each is caught up with what it had
// pushed when its turn came. An error with one register does not stop the others: they are all
// returned together.
func (c *Central) AuditAll(ctx context.Context) error {
	return c.auditAll(ctx, central.DefaultAuditBatch, central.FullPace(), nil)
}

// RunAuditor checks the signatures of what registers push until ctx ends; see
// central.RunAuditor. Each push that brought events wakes it; the pushes other processes
// receive are found by its periodic pass.
func (c *Central) RunAuditor(ctx context.Context, o central.AuditorOptions) {
	central.RunAuditor(ctx, o, c.wake, c.auditAll)
}

// auditRead reads up to limit of a register's events after its audit cursor, and checks their
// signatures at pace p with no transaction open; nil when the register is caught up.
func (c *Central) auditRead(ctx context.Context, register string, limit int, p central.Pace) (*central.AuditRun, error) {
	var au central.Audit
	var acked uint64
	var seqs []uint64
	var types []string
	var rejected []bool
	var payloads [][]byte
	err := c.view(ctx, func(tx pgx.Tx) error {
		st, known, err := readRegister(ctx, tx, register, false)
		if err != nil {
			return err
		}
		if !known {
			return comptoir.E(comptoir.CodeUnknownRegisterCentral, register)
		}
		acked = st.AckedSeq
		if au, _, err = readAudit(ctx, tx, register, ""); err != nil || au.Checked >= st.AckedSeq {
			return err
		}
		end := min(st.AckedSeq, au.Checked+uint64(limit))
		rows, err := tx.Query(ctx, `SELECT seq, type, rejected IS NOT NULL, payload FROM events
			WHERE register = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`, register, int64(au.Checked), int64(end))
		if err != nil {
			return err
		}
		defer rows.Close()
		size := 0
		for rows.Next() {
			var seq int64
			var typ string
			var rej bool
			var payload []byte
			if err := rows.Scan(&seq, &typ, &rej, &payload); err != nil {
				return err
			}
			seqs, types, rejected, payloads = append(seqs, uint64(seq)), append(types, typ), append(rejected, rej), append(payloads, payload)
			// A run is bounded in bytes too: a register may push events of megabytes each, and a
			// run holds them in memory until checked.
			if size += len(payload); size >= central.MaxAuditBytes {
				end = uint64(seq)
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(seqs) == 0 || seqs[len(seqs)-1] != end || seqs[0] != au.Checked+1 || uint64(len(seqs)) != end-au.Checked {
			return damaged(fmt.Sprintf("events %s/%d-%d", register, au.Checked+1, end))
		}
		return nil
	})
	if err != nil || len(seqs) == 0 {
		return nil, err
	}
	return central.CheckRun(ctx, register, au, len(seqs), seqs[len(seqs)-1], acked, func(i int) (central.AuditEvent, error) {
		return central.NewAuditEvent(seqs[i], types[i], rejected[i], payloads[i]), nil
	}, p)
}

// commitAudits writes what runs found, each with its register's new cursor, in one transaction;
// a run whose register's cursor another auditor moved since it read, or whose row another
// process holds, is marked moved and writes nothing.
func (c *Central) commitAudits(ctx context.Context, runs []*central.AuditRun) error {
	slices.SortFunc(runs, func(a, b *central.AuditRun) int { return strings.Compare(a.Register, b.Register) })
	return c.update(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		var breaks []*central.AuditRun
		for _, r := range runs {
			r.Moved, r.Flagged = false, false
			if _, err := tx.Exec(ctx, `INSERT INTO signature_audit (register, state) VALUES ($1, '{"checked":0}')
				ON CONFLICT (register) DO NOTHING`, r.Register); err != nil {
				return err
			}
			now, exists, err := readAudit(ctx, tx, r.Register, "FOR UPDATE")
			if err != nil {
				return err
			}
			if r.Moved = !exists || now.Checked != r.From; r.Moved {
				continue
			}
			state, err := json.Marshal(r.Next)
			if err != nil {
				return err
			}
			b.Queue("UPDATE signature_audit SET state = $2::jsonb WHERE register = $1", r.Register, string(state))
			if r.BreakSeq != 0 {
				breaks = append(breaks, r)
			}
		}
		for _, r := range breaks {
			st, _, err := readRegister(ctx, tx, r.Register, true)
			if err != nil {
				return err
			}
			// The break the summary now names is logged, whether it is the first one or an
			// earlier one than the push found (central.Register.FlagAudit).
			if r.Flagged = st.FlagAudit(r.BreakSeq, r.BreakWhat); r.Flagged {
				if err := queuePutRegister(b, r.Register, st); err != nil {
					return err
				}
			}
		}
		if b.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// auditAll checks every register's signatures in turns (central.AuditTurns), committing the
// runs of several registers in one transaction.
func (c *Central) auditAll(ctx context.Context, limit int, p central.Pace, flagged func(register, first string)) error {
	rows, err := c.pool.Query(ctx, "SELECT name FROM registers ORDER BY name")
	if err != nil {
		return err
	}
	registers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return central.AuditTurns(ctx, registers, limit,
		func(register string) (*central.AuditRun, error) { return c.auditRead(ctx, register, limit, p) },
		func(runs []*central.AuditRun) error { return c.commitAudits(ctx, runs) }, flagged)
}
