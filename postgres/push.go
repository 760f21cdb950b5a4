package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxAttempts is how many times a transaction runs before its retryable failure is returned.
const maxAttempts = 8

// retryable reports whether a transaction failed only because another one ran at the same time,
// so that running it again will see the other's work and succeed: a deadlock, a serialization
// failure, a card another transaction enrolled first, a member another one created first.
func retryable(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40P01", "40001":
		return true
	case "23505":
		return pe.TableName == "cards"
	}
	return false
}

// update runs fn in a read-write transaction and commits it, running it all again when it
// failed only because of a concurrent one (retryable). fn must start from nothing each time.
func (c *Central) update(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var err error
	for range maxAttempts {
		err = pgx.BeginFunc(ctx, c.pool, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// view runs fn in a read-only transaction that sees one snapshot of the database throughout.
func (c *Central) view(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, c.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// commitProjections sends a transaction's buffered writes, extra (the events and the register's
// row of a push) and, last, its feed entries under the feed lock, in one round trip. The test
// hook then runs, the transaction still open with its entries inserted.
func (c *Central) commitProjections(ctx context.Context, tx pgx.Tx, t *projTx, extra func(b *pgx.Batch)) error {
	b := &pgx.Batch{}
	if err := t.queueWrites(b); err != nil {
		return err
	}
	if extra != nil {
		extra(b)
	}
	fed, err := t.queueFeed(b)
	if err != nil {
		return err
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
	}
	if fed && c.beforeCommit != nil {
		c.beforeCommit()
	}
	return nil
}

// readRegister reads a register's summary, locked for the transaction with lock; known is false
// when the register has no row.
func readRegister(ctx context.Context, tx pgx.Tx, register string, lock bool) (st central.Register, known bool, err error) {
	q := "SELECT state FROM registers WHERE name = $1"
	if lock {
		q += " FOR UPDATE"
	}
	var raw []byte
	err = tx.QueryRow(ctx, q, register).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	return st, true, json.Unmarshal(raw, &st)
}

// lockRegister makes sure the register has a row and locks it: the lock every push of the
// register takes first, so that two central processes receiving the same batch apply it once,
// the second finding it acknowledged.
func lockRegister(ctx context.Context, tx pgx.Tx, register string) (central.Register, error) {
	zero, err := json.Marshal(central.Register{})
	if err != nil {
		return central.Register{}, err
	}
	// Both statements go in one round trip: the insertion of a register's first row, which
	// does nothing once it has one, then the lock.
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO registers (name, acked_seq, state) VALUES ($1, 0, $2::jsonb)
		ON CONFLICT (name) DO NOTHING`, register, string(zero))
	var raw []byte
	b.Queue("SELECT state FROM registers WHERE name = $1 FOR UPDATE", register).QueryRow(func(row pgx.Row) error {
		return row.Scan(&raw)
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return central.Register{}, err
	}
	var st central.Register
	return st, json.Unmarshal(raw, &st)
}

// queuePutRegister queues the register's new summary.
func queuePutRegister(b *pgx.Batch, register string, st central.Register) error {
	state, err := json.Marshal(st)
	if err != nil {
		return err
	}
	b.Queue("UPDATE registers SET acked_seq = $2, state = $3::jsonb WHERE name = $1", register, int64(st.AckedSeq), string(state))
	return nil
}

// Push applies a batch of a register's events; see comptoir.CentralStore. It answers as the
// embedded central does, with the same refusals: the batch is checked first, a batch of replays
// only is answered from a read, and anything else is applied in one transaction with the
// register's row locked, its acknowledged sequence and summary, the projections and the feed.
func (c *Central) Push(ctx context.Context, register string, events []comptoir.Event) (comptoir.PushResult, error) {
	if err := ctx.Err(); err != nil {
		return comptoir.PushResult{}, err
	}
	if err := central.CheckName(register); err != nil {
		return comptoir.PushResult{}, err
	}
	if err := central.CheckBatch(events, c.maxBatch); err != nil {
		return comptoir.PushResult{}, err
	}
	// The acknowledged sequence is read first, in one statement: a batch that brings new events,
	// the usual one, then goes straight to its transaction.
	var acked int64
	err := c.pool.QueryRow(ctx, "SELECT acked_seq FROM registers WHERE name = $1", register).Scan(&acked)
	if errors.Is(err, pgx.ErrNoRows) {
		acked, err = 0, nil
	}
	if err != nil {
		return comptoir.PushResult{}, err
	}
	var res comptoir.PushResult
	if len(events) == 0 {
		// Nothing to write: the answer is what is acknowledged, and a register that never
		// pushed gets no summary for an empty batch.
		return comptoir.PushResult{AckedSeq: uint64(acked)}, nil
	}
	// A batch of replays only, a register retrying after a lost answer, is answered from a read:
	// it changes nothing, and must not wait behind the register's lock.
	replayed := false
	if events[len(events)-1].Seq <= uint64(acked) {
		err = c.view(ctx, func(tx pgx.Tx) error {
			st, _, err := readRegister(ctx, tx, register, false)
			if err != nil || events[len(events)-1].Seq > st.AckedSeq {
				return err
			}
			n, _, _, err := replays(ctx, tx, register, st.AckedSeq, events, c.now())
			replayed, res.AckedSeq, res.Replayed = n == len(events), st.AckedSeq, n
			return err
		})
	}
	if err != nil || replayed {
		return res, err
	}
	var conflictAt uint64
	err = c.update(ctx, func(tx pgx.Tx) error {
		conflictAt = 0
		var err error
		res, conflictAt, err = c.push(ctx, tx, register, events)
		return err
	})
	if err != nil {
		return comptoir.PushResult{}, c.duplicateID(ctx, err, register, events)
	}
	if conflictAt != 0 {
		return res, comptoir.E(comptoir.CodeSeqConflict, conflictAt)
	}
	if res.Applied+res.Rejected > 0 {
		c.wakeAuditor()
	}
	return res, nil
}

// duplicateID turns the unique violation of an event ID into a refusal that names the event; it
// returns any other error as it is. The events table keeps every event ID once across registers
// (0001_core.sql), where the embedded central only keys events by sequence number: a batch that
// would store an ID twice is refused whole rather than answered with an internal error.
func (c *Central) duplicateID(ctx context.Context, err error, register string, events []comptoir.Event) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" || pe.ConstraintName != "events_id_key" {
		return err
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	rows, qerr := c.pool.Query(ctx, "SELECT id FROM events WHERE id = ANY($1)", ids)
	if qerr != nil {
		return err
	}
	held, qerr := pgx.CollectRows(rows, pgx.RowTo[string])
	if qerr != nil {
		return err
	}
	seen := map[string]bool{}
	for _, id := range held {
		seen[id] = true
	}
	for _, e := range events {
		// An ID stored already (by another register, or this one under another sequence number),
		// or twice in this batch: the first event that would store it again is named. Replays,
		// stored under their own sequence numbers, were counted before the transaction.
		if seen[e.ID] {
			var stored bool
			if c.pool.QueryRow(ctx, "SELECT true FROM events WHERE id = $1 AND register = $2 AND seq = $3", e.ID, register, int64(e.Seq)).Scan(&stored) == nil {
				continue
			}
			return comptoir.E(comptoir.CodeDuplicateEventID, e.Seq, e.ID)
		}
		seen[e.ID] = true
	}
	return err
}

// push applies a checked batch in tx. A conflict is recorded, nothing else written, and its
// sequence number returned with a nil error, so that the record commits.
func (c *Central) push(ctx context.Context, tx pgx.Tx, register string, events []comptoir.Event) (comptoir.PushResult, uint64, error) {
	now := c.now().UTC()
	st, err := lockRegister(ctx, tx, register)
	if err != nil {
		return comptoir.PushResult{}, 0, err
	}
	i, stored, sent, err := replays(ctx, tx, register, st.AckedSeq, events, now)
	if err != nil {
		return comptoir.PushResult{}, 0, err
	}
	if i < len(events) && events[i].Seq <= st.AckedSeq {
		st.Conflicts++
		st.LastSeen = now
		b := &pgx.Batch{}
		b.Queue("INSERT INTO conflicts (register, seq, stored, sent, at) VALUES ($1, $2, $3, $4, $5)",
			register, int64(events[i].Seq), sideOf(stored), sideOf(sent), now)
		if err := queuePutRegister(b, register, st); err != nil {
			return comptoir.PushResult{}, 0, err
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return comptoir.PushResult{}, 0, err
		}
		return comptoir.PushResult{AckedSeq: st.AckedSeq}, events[i].Seq, nil
	}
	if i == len(events) {
		// Replays only, met here because another process applied the batch between the read
		// and the lock: acknowledged without effect and without a write.
		return comptoir.PushResult{AckedSeq: st.AckedSeq, Replayed: i}, 0, nil
	}
	for j, e := range events[i:] {
		if want := st.AckedSeq + 1 + uint64(j); e.Seq != want {
			return comptoir.PushResult{}, 0, comptoir.E(comptoir.CodeSeqGap, want)
		}
	}
	t := newProjTx(ctx, tx)
	if err := t.prefetch(central.NamedMembers(events[i:])); err != nil {
		return comptoir.PushResult{}, 0, err
	}
	res := comptoir.PushResult{Replayed: i}
	wasBroken := st.ChainBroken
	n := len(events) - i
	regs, ids, types, rejected := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	seqs := make([]int64, n)
	ats, received := make([]time.Time, n), make([]time.Time, n)
	payloads := make([][]byte, n)
	for j, e := range events[i:] {
		ce := central.NewStoredEvent(e, now)
		reason := st.Apply(register, e)
		if reason == "" {
			// The projections change in this transaction, which also advances the acknowledged
			// sequence: a replay never reaches it, so they too change exactly once.
			if reason, err = central.Project(t, c.keys, register, e, now); err != nil {
				return comptoir.PushResult{}, 0, err
			}
		}
		if reason != "" {
			st.Rejected++
			res.Rejected++
		} else {
			res.Applied++
		}
		regs[j], seqs[j], ids[j], types[j] = register, int64(e.Seq), ce.ID, ce.Type
		ats[j], received[j], payloads[j], rejected[j] = ce.At, ce.Received, ce.Payload, reason
		st.AckedSeq = e.Seq
	}
	st.LastSeen = now
	res.AckedSeq = st.AckedSeq
	if st.ChainBroken && !wasBroken {
		res.ChainBreak = st.ChainBreak
	}
	var putErr error
	err = c.commitProjections(ctx, tx, t, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO events (register, seq, id, type, at, received, payload, rejected)
			SELECT r, s, i, t, a, rc, p, NULLIF(rj, '')
			FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::bytea[], $8::text[])
			AS u(r, s, i, t, a, rc, p, rj)`, regs, seqs, ids, types, ats, received, payloads, rejected)
		putErr = queuePutRegister(b, register, st)
	})
	if err == nil {
		err = putErr
	}
	if err != nil {
		return comptoir.PushResult{}, 0, err
	}
	return res, 0, nil
}

// replays compares the events of a batch at or below the acknowledged sequence, which come first
// in a batch whose seqs increase, with what is stored, read in one query. It returns how many
// are replays of what is stored; when that one is not the last event at or below acked, it is a
// conflict, and stored and sent are its two versions.
func replays(ctx context.Context, tx pgx.Tx, register string, acked uint64, events []comptoir.Event, now time.Time) (n int, stored, sent central.StoredEvent, err error) {
	k := 0
	for k < len(events) && events[k].Seq <= acked {
		k++
	}
	if k == 0 {
		return 0, stored, sent, nil
	}
	seqs := make([]int64, k)
	for j := range k {
		seqs[j] = int64(events[j].Seq)
	}
	rows, err := tx.Query(ctx, `SELECT seq, id, type, at, received, payload, coalesce(rejected, '')
		FROM events WHERE register = $1 AND seq = ANY($2)`, register, seqs)
	if err != nil {
		return 0, stored, sent, err
	}
	byseq := make(map[uint64]central.StoredEvent, k)
	for rows.Next() {
		var seq int64
		var ce central.StoredEvent
		if err := rows.Scan(&seq, &ce.ID, &ce.Type, &ce.At, &ce.Received, &ce.Payload, &ce.Rejected); err != nil {
			rows.Close()
			return 0, stored, sent, err
		}
		ce.At, ce.Received = ce.At.UTC(), ce.Received.UTC()
		byseq[uint64(seq)] = ce
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, stored, sent, err
	}
	for ; n < k; n++ {
		sent = central.NewStoredEvent(events[n], now)
		var ok bool
		if stored, ok = byseq[events[n].Seq]; !ok {
			return n, stored, sent, damaged(fmt.Sprintf("events %s/%d", register, events[n].Seq))
		}
		// PostgreSQL keeps times to the microsecond: the sent time is compared as it would
		// have been stored. The conflict record keeps the sent event as it came.
		cmp := sent
		cmp.At = cmp.At.Truncate(time.Microsecond)
		if !stored.Same(cmp) {
			return n, stored, sent, nil
		}
	}
	return n, stored, sent, nil
}

// conflictSide is one version of a conflicting event in the record of the conflict, its payload
// as text since it may not be JSON, as the embedded central records it.
type conflictSide struct {
	central.StoredEvent
	Payload string `json:"payload"`
}

// sideOf is the JSON of one version of a conflicting event.
func sideOf(ce central.StoredEvent) string {
	v, err := json.Marshal(conflictSide{StoredEvent: ce, Payload: string(ce.Payload)})
	if err != nil {
		return "{}"
	}
	return string(v)
}

// wakeAuditor tells a running auditor that there are events to check, without waiting.
func (c *Central) wakeAuditor() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// damaged is the refusal for a row the database should hold and does not: what is missing is
// named as the embedded central names its buckets.
func damaged(what string) error {
	return comptoir.E(comptoir.CodeDatabaseDamaged, "PostgreSQL", what)
}
