package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Import copies a whole central into this one, which must be empty: comptoir-central migrate
// moves an embedded central to PostgreSQL with it. walk hands the source's content to the sink
// it is given (store.Central.Export), and runs in a goroutine of its own while this one writes,
// so that the source is never held in memory whole: its rows go to the database by COPY, table
// by table, as they come.
//
// Everything is written in one transaction, which first locks every table against writes, so
// that a central process started on the database meanwhile waits for the copy to be committed
// and then sees it whole. The database must hold no register, member or feed entry
// (CodeMigrateTargetNotEmpty), and must have been opened with the source's key file
// (CodeMigrateTargetOtherKey; CodeKeyMismatch for a walk that hands over no key): the registers
// pinned that key, and the sealed personal data opens only with it.
//
// PostgreSQL keeps each event ID once, where the embedded central may hold one ID under two
// registers (a register cloned from another's disk): the copy then fails on the second, and
// walk is called a second time to find both, refused with CodeMigrateDuplicateEventID.
//
// The feed's entries keep their numbers, the price lists their versions, the conflicts and the
// audit trail theirs, and the sequences behind them (and the card blocks') go on after them, so
// that a register's feed cursor stays valid after the move and the next number drawn is new. An
// event's times are kept to the microsecond, as timestamptz holds them (a register dates to the
// nanosecond): a replay of an event is compared at that precision.
//
// Before the commit the copy is read back in the same transaction: src is what the walk handed
// over, counted as it passed, dst what the database then holds, and any difference rolls the
// whole copy back with CodeMigrateMismatch.
func (c *Central) Import(ctx context.Context, walk func(central.Sink) error) (src, dst central.Totals, err error) {
	tx, err := c.pool.Begin(ctx)
	if err != nil {
		return src, dst, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := tx.Exec(ctx, "LOCK TABLE "+strings.Join(importTables, ", ")+" IN EXCLUSIVE MODE"); err != nil {
		return src, dst, err
	}
	var regs, members, feed int64
	err = tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM registers), (SELECT count(*) FROM members),
		(SELECT count(*) FROM feed)`).Scan(&regs, &members, &feed)
	if err != nil {
		return src, dst, err
	}
	if regs+members+feed > 0 {
		return src, dst, comptoir.E(comptoir.CodeMigrateTargetNotEmpty, regs, members, feed)
	}
	var check []byte
	if err := tx.QueryRow(ctx, "SELECT key_check FROM central").Scan(&check); err != nil {
		return src, dst, err
	}
	// The source's counters come first in the walk: a central of another key is refused before
	// anything is copied.
	// The database is empty here: another key's check in it was stored by a central opened on it
	// once with another key file, and only a new database can take this central's key.
	sameKey := func(k central.Counters) error {
		if !bytes.Equal(check, k.KeyCheck) {
			return comptoir.E(comptoir.CodeMigrateTargetOtherKey)
		}
		return nil
	}
	counters, totals, err := copyAll(ctx, tx, walk, sameKey)
	if id, dup := duplicateEventID(err); dup {
		// Nothing is committed; the transaction ends before the source is walked again to say
		// which events share the ID, so that its locks are not held meanwhile.
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return src, dst, findDuplicate(ctx, walk, id, err)
	}
	if err != nil {
		return src, dst, err
	}
	src = *totals
	if counters == nil {
		return src, dst, comptoir.E(comptoir.CodeKeyMismatch)
	}
	if err := setCounters(ctx, tx, *counters); err != nil {
		return src, dst, err
	}
	if dst, err = readTotals(ctx, tx); err != nil {
		return src, dst, err
	}
	if diff := src.Diff(dst); diff != nil {
		return src, dst, comptoir.E(comptoir.CodeMigrateMismatch, strings.Join(diff, "; "))
	}
	return src, dst, tx.Commit(ctx)
}

// importTables are the tables a copy writes, locked for its whole transaction.
var importTables = []string{"registers", "events", "conflicts", "signature_audit", "members", "cards",
	"member_seals", "emails", "blocked", "feed", "catalogs", "audit_trail", "card_blocks", "central"}

// importRow is one row for a table, or (table nil) the source's counters, which come first.
type importRow struct {
	table    *importTable
	values   []any
	counters *central.Counters
}

// importTable is a table a copy writes by COPY, and its columns in the order of a row's values.
type importTable struct {
	name    string
	columns []string
}

var (
	tRegisters  = &importTable{"registers", []string{"name", "acked_seq", "state"}}
	tSigAudit   = &importTable{"signature_audit", []string{"register", "state"}}
	tEvents     = &importTable{"events", []string{"register", "seq", "id", "type", "at", "received", "payload", "rejected"}}
	tConflicts  = &importTable{"conflicts", []string{"id", "register", "seq", "stored", "sent", "at"}}
	tMembers    = &importTable{"members", []string{"id", "balance", "status", "state"}}
	tCards      = &importTable{"cards", []string{"card", "member"}}
	tSeals      = &importTable{"member_seals", []string{"member", "key", "data"}}
	tEmails     = &importTable{"emails", []string{"hash", "member"}}
	tBlocked    = &importTable{"blocked", []string{"hash", "learned"}}
	tFeed       = &importTable{"feed", []string{"id", "entry"}}
	tCatalogs   = &importTable{"catalogs", []string{"version", "products"}}
	tAudit      = &importTable{"audit_trail", []string{"id", "at", "who", "member", "action", "detail"}}
	tCardBlocks = &importTable{"card_blocks", []string{"register", "first"}}
)

// copyAll runs walk in a goroutine that sends its rows here, and copies each run of one table's
// rows with one COPY; check judges the source's counters when they come. It returns them and
// what the walk handed over.
func copyAll(ctx context.Context, tx pgx.Tx, walk func(central.Sink) error, check func(central.Counters) error) (*central.Counters, *central.Totals, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows := make(chan importRow, 1024)
	sink, totals := central.Count(rowSink{ctx: wctx, rows: rows})
	walked := make(chan error, 1)
	go func() {
		defer close(rows)
		walked <- walk(sink)
	}()
	// stop ends the walk when the copy fails, and waits for it: nothing of the walk may run
	// after copyAll returns, since its transaction on the source ends with it.
	stop := func(err error) (*central.Counters, *central.Totals, error) {
		cancel()
		for range rows {
		}
		return nil, nil, errors.Join(err, ignoreCanceled(<-walked))
	}
	var counters *central.Counters
	next, ok := <-rows
	for ok {
		if next.table == nil {
			if err := check(*next.counters); err != nil {
				return stop(err)
			}
			counters = next.counters
			next, ok = <-rows
			continue
		}
		src := &rowSource{rows: rows, table: next.table, first: next.values}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{next.table.name}, next.table.columns, src); err != nil {
			return stop(err)
		}
		next, ok = src.after, src.more
	}
	if err := <-walked; err != nil {
		return nil, nil, err
	}
	return counters, totals, nil
}

// ignoreCanceled drops the walk's context error that stop itself caused.
func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// rowSource is pgx's CopyFromSource over the rows of one table that come in a run: it ends at
// the first row of another table (kept in after for the next COPY) or at the end of the walk.
type rowSource struct {
	rows  <-chan importRow
	table *importTable
	first []any
	cur   []any
	after importRow
	more  bool
}

func (s *rowSource) Next() bool {
	if s.first != nil {
		s.cur, s.first = s.first, nil
		return true
	}
	r, ok := <-s.rows
	if !ok {
		return false
	}
	if r.table != s.table {
		s.after, s.more = r, true
		return false
	}
	s.cur = r.values
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.cur, nil }

func (s *rowSource) Err() error { return nil }

// rowSink turns what the walk hands over into rows of the tables, as the PostgreSQL central
// stores them: what a column holds as JSON is the type package central names, as it marshals.
type rowSink struct {
	ctx  context.Context
	rows chan<- importRow
}

func (s rowSink) send(t *importTable, values ...any) error {
	select {
	case s.rows <- importRow{table: t, values: values}:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// jsonText is v's JSON as text, which COPY converts to the column's jsonb.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (s rowSink) Register(name string, st central.Register, au *central.Audit) error {
	state, err := jsonText(st)
	if err != nil {
		return err
	}
	if err := s.send(tRegisters, name, int64(st.AckedSeq), state); err != nil || au == nil {
		return err
	}
	audit, err := jsonText(au)
	if err != nil {
		return err
	}
	return s.send(tSigAudit, name, audit)
}

func (s rowSink) Event(register string, seq uint64, e central.StoredEvent) error {
	var rejected *string
	if e.Rejected != "" {
		rejected = &e.Rejected
	}
	return s.send(tEvents, register, int64(seq), e.ID, e.Type, e.At.UTC(), e.Received.UTC(), e.Payload, rejected)
}

// Conflict writes both versions as a push that meets the conflict records them (sideOf).
func (s rowSink) Conflict(n uint64, c central.Conflict) error {
	return s.send(tConflicts, int64(n), c.Register, int64(c.Seq), sideOf(c.Stored), sideOf(c.Sent), c.At.UTC())
}

func (s rowSink) Member(m central.Member) error {
	state, err := jsonText(m)
	if err != nil {
		return err
	}
	return s.send(tMembers, string(m.ID), m.Balance, string(m.Status), state)
}

func (s rowSink) Card(card string, owner comptoir.CustomerID) error {
	return s.send(tCards, card, string(owner))
}

func (s rowSink) Seal(id comptoir.CustomerID, seal central.Seal) error {
	return s.send(tSeals, string(id), seal.Key, seal.Data)
}

func (s rowSink) Email(hash []byte, owner comptoir.CustomerID) error {
	return s.send(tEmails, hash, string(owner))
}

func (s rowSink) Blocked(hash string, learned time.Time) error {
	return s.send(tBlocked, hash, learned.UTC())
}

func (s rowSink) Feed(n uint64, e central.FeedEntry) error {
	entry, err := jsonText(e)
	if err != nil {
		return err
	}
	return s.send(tFeed, int64(n), entry)
}

func (s rowSink) Catalog(version uint64, products []byte) error {
	return s.send(tCatalogs, int64(version), products)
}

func (s rowSink) Audit(n uint64, a central.AuditEntry) error {
	return s.send(tAudit, int64(n), a.At.UTC(), a.Who, string(a.Member), a.Action, a.Detail)
}

func (s rowSink) CardBlock(register string, first uint64) error {
	return s.send(tCardBlocks, register, int64(first))
}

func (s rowSink) Counters(k central.Counters) error {
	select {
	case s.rows <- importRow{counters: &k}:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// setCounters writes the central's counters and moves every sequence past what the copy holds:
// COPY writes the numbers it is given without drawing them, so the identity sequences would
// otherwise hand out the copied numbers again.
func setCounters(ctx context.Context, tx pgx.Tx, k central.Counters) error {
	b := &pgx.Batch{}
	b.Queue("UPDATE central SET card_conflicts = $1", int64(k.CardConflicts))
	for _, t := range [][2]string{{"feed", "id"}, {"catalogs", "version"}, {"audit_trail", "id"}, {"conflicts", "id"}} {
		b.Queue("SELECT setval(pg_get_serial_sequence('" + t[0] + "', '" + t[1] + "'), coalesce(max(" + t[1] + "), 0) + 1, false) FROM " + t[0])
	}
	// A set-up draws its block as (nextval - 1 + FirstCardBlock) × CardBlockSize: the next value
	// is the one that gives the embedded central's next block, or the block after the last one
	// copied if that is further (a file of the first increment kept no count).
	b.Queue(`SELECT setval('card_block_numbers', greatest($1::bigint, coalesce(max(first) / $2 + 1, 0), $3) - $3 + 1, false) FROM card_blocks`,
		int64(k.NextCardBlock), int64(central.CardBlockSize), int64(central.FirstCardBlock))
	return tx.SendBatch(ctx, b).Close()
}

// readTotals reads back, in the copy's transaction, what a copy checks.
func readTotals(ctx context.Context, tx pgx.Tx) (central.Totals, error) {
	t := central.Totals{Registers: map[string]central.RegisterTotals{}}
	rows, err := tx.Query(ctx, `SELECT r.name, r.acked_seq, r.state, (SELECT count(*) FROM events e WHERE e.register = r.name)
		FROM registers r`)
	if err != nil {
		return t, err
	}
	for rows.Next() {
		var name string
		var acked, events int64
		var raw []byte
		if err := rows.Scan(&name, &acked, &raw, &events); err != nil {
			rows.Close()
			return t, err
		}
		var st central.Register
		if err := json.Unmarshal(raw, &st); err != nil {
			rows.Close()
			return t, err
		}
		t.Registers[name] = central.RegisterTotals{AckedSeq: uint64(acked), Events: uint64(events), Tickets: st.Tickets,
			GrandTotal: st.GrandTotal, Rejected: st.Rejected, Conflicts: st.Conflicts}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	// Events of a register without a row would be left out above: counted apart, they show as a
	// register only in the copy.
	rows, err = tx.Query(ctx, `SELECT register, count(*) FROM events WHERE register NOT IN (SELECT name FROM registers) GROUP BY register`)
	if err != nil {
		return t, err
	}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			rows.Close()
			return t, err
		}
		t.Registers[name] = central.RegisterTotals{Events: uint64(n)}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	var conflicts, members, balances, cards, seals, emails, blocked, feed, catalogs, audit, blocks, cardConflicts int64
	err = tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM conflicts), (SELECT count(*) FROM members),
		(SELECT coalesce(sum(balance), 0)::bigint FROM members), (SELECT count(*) FROM cards),
		(SELECT count(*) FROM member_seals), (SELECT count(*) FROM emails), (SELECT count(*) FROM blocked),
		(SELECT count(*) FROM feed), (SELECT count(*) FROM catalogs), (SELECT count(*) FROM audit_trail),
		(SELECT count(*) FROM card_blocks), (SELECT card_conflicts FROM central)`).Scan(&conflicts, &members, &balances,
		&cards, &seals, &emails, &blocked, &feed, &catalogs, &audit, &blocks, &cardConflicts)
	if err != nil {
		return t, err
	}
	t.ConflictRecords, t.Members, t.Balances, t.Cards, t.Seals, t.Emails = uint64(conflicts), uint64(members), balances,
		uint64(cards), uint64(seals), uint64(emails)
	t.Blocked, t.Feed, t.Catalogs, t.AuditEntries, t.CardBlocks, t.CardConflicts = uint64(blocked), uint64(feed),
		uint64(catalogs), uint64(audit), uint64(blocks), uint64(cardConflicts)
	return t, nil
}

// eventsIDKey is the constraint that keeps each event ID once (events.id UNIQUE).
const eventsIDKey = "events_id_key"

// duplicateEventID reports whether err is PostgreSQL's refusal of an event ID already copied, and
// the ID its detail names ("Key (id)=(R1-1) already exists.", in the server's language), or ""
// when the detail cannot be read.
func duplicateEventID(err error) (id string, dup bool) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.ConstraintName != eventsIDKey {
		return "", false
	}
	_, rest, ok := strings.Cut(pgErr.Detail, "(id)=(")
	if end := strings.LastIndex(rest, ")"); ok && end > 0 {
		return rest[:end], true
	}
	return "", true
}

// findDuplicate walks the source again for the two events that share an ID, id or, when the
// server's message did not say which, the first one found twice, and refuses the copy naming
// both. The walk keeps the IDs it has seen only when it does not know which one it looks for.
// cause is returned when the walk finds none, which cannot happen with a source that did not
// change.
func findDuplicate(ctx context.Context, walk func(central.Sink) error, id string, cause error) error {
	d := &dupSink{ctx: ctx, id: id, seen: map[string]eventAt{}}
	err := walk(d)
	if d.found == nil && err == nil && id != "" {
		// The ID read from the server's message was not the one: look for any.
		d = &dupSink{ctx: ctx, seen: map[string]eventAt{}}
		err = walk(d)
	}
	switch {
	case d.found != nil:
		return d.found
	case err != nil:
		return errors.Join(cause, err)
	}
	return cause
}

// eventAt is where an event is stored: its register and sequence number.
type eventAt struct {
	register string
	seq      uint64
}

// dupSink is the walk's sink that looks for an event ID held twice, and ends the walk there.
type dupSink struct {
	ctx   context.Context
	id    string
	seen  map[string]eventAt
	found error
}

// errDuplicateFound ends the walk once both events are found.
var errDuplicateFound = errors.New("postgres: duplicate event ID found")

func (d *dupSink) Event(register string, seq uint64, e central.StoredEvent) error {
	if err := d.ctx.Err(); err != nil {
		return err
	}
	if d.id != "" && e.ID != d.id {
		return nil
	}
	if first, ok := d.seen[e.ID]; ok {
		d.found = comptoir.E(comptoir.CodeMigrateDuplicateEventID, e.ID, first.register, first.seq, register, seq)
		return errDuplicateFound
	}
	d.seen[e.ID] = eventAt{register, seq}
	return nil
}

func (d *dupSink) Counters(central.Counters) error                         { return nil }
func (d *dupSink) Register(string, central.Register, *central.Audit) error { return nil }
func (d *dupSink) Conflict(uint64, central.Conflict) error                 { return nil }
func (d *dupSink) Member(central.Member) error                             { return nil }
func (d *dupSink) Card(string, comptoir.CustomerID) error                  { return nil }
func (d *dupSink) Seal(comptoir.CustomerID, central.Seal) error            { return nil }
func (d *dupSink) Email([]byte, comptoir.CustomerID) error                 { return nil }
func (d *dupSink) Blocked(string, time.Time) error                         { return nil }
func (d *dupSink) Feed(uint64, central.FeedEntry) error                    { return nil }
func (d *dupSink) Catalog(uint64, []byte) error                            { return nil }
func (d *dupSink) Audit(uint64, central.AuditEntry) error                  { return nil }
func (d *dupSink) CardBlock(string, uint64) error                          { return nil }
