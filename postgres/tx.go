package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// projTx is package central's Tx over one PostgreSQL transaction. It buffers: each member is read
// (and locked) once, however many events of a batch touch them, and every write is held in memory
// until flush sends them all in one round trip, so that a push of a hundred events costs a few
// round trips rather than several per event. Reads see the writes made before them, as Tx
// requires, since they look in the buffer first.
type projTx struct {
	ctx context.Context
	tx  pgx.Tx
	// readOnly is set in a read-only transaction, whose reads lock nothing.
	readOnly bool

	members map[comptoir.CustomerID]*memberSlot
	cards   map[string]cardSlot
	seals   map[comptoir.CustomerID]*sealSlot
	emails  map[string]emailSlot
	feed    []central.FeedEntry
	audits  []central.AuditEntry
	// cardConflicts is how many card conflicts the transaction counted.
	cardConflicts int64
}

// memberSlot is a member as read, and whether it changed. stored says that the member has a row
// (locked by this transaction): a member without one is inserted, and the insertion must find no
// row, else another transaction created it meanwhile and this one must start again.
type memberSlot struct {
	m      central.Member
	stored bool
	dirty  bool
}

// cardSlot is a card's owner as read or written; added says the transaction gives it its owner.
type cardSlot struct {
	owner comptoir.CustomerID
	known bool
	added bool
}

// sealSlot is a member's seal as read or written.
type sealSlot struct {
	s       central.Seal
	ok      bool
	dirty   bool
	deleted bool
}

// emailSlot is an email index key's member as read or written.
type emailSlot struct {
	owner   comptoir.CustomerID
	ok      bool
	dirty   bool
	deleted bool
}

func newProjTx(ctx context.Context, tx pgx.Tx) *projTx {
	return &projTx{ctx: ctx, tx: tx, members: map[comptoir.CustomerID]*memberSlot{},
		cards: map[string]cardSlot{}, seals: map[comptoir.CustomerID]*sealSlot{}, emails: map[string]emailSlot{}}
}

var _ central.Tx = (*projTx)(nil)

// errRetry says that another transaction created a row this one believed absent: the whole
// transaction starts again, and then reads it.
var errRetry = errors.New("postgres: a concurrent transaction created a row first")

// prefetch reads and locks, in one round trip and in ID order, the members a batch names, and
// reads the owners of the cards it enrols. Two transactions locking members in the same order
// never deadlock over them; a card's other owner, met later, is locked when met, and the rare
// deadlock that then follows is retried whole (see retryable).
func (t *projTx) prefetch(ids []comptoir.CustomerID, cards []string) error {
	b := &pgx.Batch{}
	if len(ids) > 0 {
		b.Queue("SELECT state FROM members WHERE id = ANY($1) ORDER BY id FOR UPDATE", ids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var raw []byte
				if err := rows.Scan(&raw); err != nil {
					return err
				}
				var m central.Member
				if err := json.Unmarshal(raw, &m); err != nil {
					return err
				}
				t.members[m.ID] = &memberSlot{m: m, stored: true}
			}
			return rows.Err()
		})
	}
	if len(cards) > 0 {
		b.Queue("SELECT card, member FROM cards WHERE card = ANY($1)", cards).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var card, member string
				if err := rows.Scan(&card, &member); err != nil {
					return err
				}
				t.cards[card] = cardSlot{owner: comptoir.CustomerID(member), known: true}
			}
			return rows.Err()
		})
	}
	if b.Len() == 0 {
		return nil
	}
	if err := t.tx.SendBatch(t.ctx, b).Close(); err != nil {
		return err
	}
	// What the queries did not find has no row: a new member, a card no one holds.
	for _, id := range ids {
		if _, ok := t.members[id]; !ok {
			t.members[id] = &memberSlot{m: central.NewMember(id)}
		}
	}
	for _, card := range cards {
		if _, ok := t.cards[card]; !ok {
			t.cards[card] = cardSlot{}
		}
	}
	return nil
}

// cloneMember is a copy of m that shares no slice or map with it, so that what a caller changes
// in the member it got reaches the buffer only through PutMember.
func cloneMember(m central.Member) central.Member {
	m.Cards = slices.Clone(m.Cards)
	m.Flags = slices.Clone(m.Flags)
	m.Registers = slices.Clone(m.Registers)
	m.Activity = slices.Clone(m.Activity)
	m.Email = slices.Clone(m.Email)
	if m.Consent != nil {
		c := make(map[comptoir.Channel]comptoir.ConsentEvent, len(m.Consent))
		for k, v := range m.Consent {
			c[k] = v
		}
		m.Consent = c
	}
	return m
}

func (t *projTx) Member(id comptoir.CustomerID) (central.Member, bool, error) {
	if s, ok := t.members[id]; ok {
		return cloneMember(s.m), s.stored || s.dirty, nil
	}
	q := "SELECT state FROM members WHERE id = $1 FOR UPDATE"
	if t.readOnly {
		q = "SELECT state FROM members WHERE id = $1"
	}
	var raw []byte
	err := t.tx.QueryRow(t.ctx, q, string(id)).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		t.members[id] = &memberSlot{m: central.NewMember(id)}
		return central.NewMember(id), false, nil
	}
	if err != nil {
		return central.Member{}, false, err
	}
	var m central.Member
	if err := json.Unmarshal(raw, &m); err != nil {
		return central.Member{}, false, err
	}
	t.members[id] = &memberSlot{m: m, stored: true}
	return cloneMember(m), true, nil
}

func (t *projTx) PutMember(m *central.Member) error {
	s, ok := t.members[m.ID]
	if !ok {
		// A member written without being read first: read it, so that its row is locked and
		// the write knows whether to insert or update.
		if _, _, err := t.Member(m.ID); err != nil {
			return err
		}
		s = t.members[m.ID]
	}
	s.m, s.dirty = cloneMember(*m), true
	return nil
}

func (t *projTx) CardOwner(card string) (comptoir.CustomerID, bool, error) {
	if s, ok := t.cards[card]; ok {
		return s.owner, s.known, nil
	}
	var member string
	err := t.tx.QueryRow(t.ctx, "SELECT member FROM cards WHERE card = $1", card).Scan(&member)
	if errors.Is(err, pgx.ErrNoRows) {
		t.cards[card] = cardSlot{}
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	t.cards[card] = cardSlot{owner: comptoir.CustomerID(member), known: true}
	return comptoir.CustomerID(member), true, nil
}

func (t *projTx) PutCard(card string, id comptoir.CustomerID) error {
	t.cards[card] = cardSlot{owner: id, known: true, added: true}
	return nil
}

func (t *projTx) Seal(id comptoir.CustomerID) (central.Seal, bool, error) {
	if s, ok := t.seals[id]; ok {
		return s.s, s.ok, nil
	}
	var s central.Seal
	err := t.tx.QueryRow(t.ctx, "SELECT key, data FROM member_seals WHERE member = $1", string(id)).Scan(&s.Key, &s.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		t.seals[id] = &sealSlot{}
		return central.Seal{}, false, nil
	}
	if err != nil {
		return central.Seal{}, false, err
	}
	t.seals[id] = &sealSlot{s: s, ok: true}
	return s, true, nil
}

func (t *projTx) PutSeal(id comptoir.CustomerID, s central.Seal) error {
	t.seals[id] = &sealSlot{s: s, ok: true, dirty: true}
	return nil
}

func (t *projTx) DeleteSeal(id comptoir.CustomerID) error {
	t.seals[id] = &sealSlot{dirty: true, deleted: true}
	return nil
}

func (t *projTx) EmailOwner(hash []byte) (comptoir.CustomerID, bool, error) {
	if s, ok := t.emails[string(hash)]; ok {
		return s.owner, s.ok, nil
	}
	var member string
	err := t.tx.QueryRow(t.ctx, "SELECT member FROM emails WHERE hash = $1", hash).Scan(&member)
	if errors.Is(err, pgx.ErrNoRows) {
		t.emails[string(hash)] = emailSlot{}
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	t.emails[string(hash)] = emailSlot{owner: comptoir.CustomerID(member), ok: true}
	return comptoir.CustomerID(member), true, nil
}

func (t *projTx) PutEmail(hash []byte, id comptoir.CustomerID) error {
	t.emails[string(hash)] = emailSlot{owner: id, ok: true, dirty: true}
	return nil
}

func (t *projTx) DeleteEmail(hash []byte) error {
	t.emails[string(hash)] = emailSlot{dirty: true, deleted: true}
	return nil
}

// AddBlocked inserts at once rather than at the flush: the insertion is what says whether the
// hash is new, and one that another transaction is inserting waits for its commit, then finds
// it, so that its feed entry is appended once across processes.
func (t *projTx) AddBlocked(hash string, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(t.ctx, "INSERT INTO blocked (hash, learned) VALUES ($1, $2) ON CONFLICT DO NOTHING", hash, at)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

func (t *projTx) AppendFeed(e central.FeedEntry) error {
	t.feed = append(t.feed, e)
	return nil
}

func (t *projTx) AppendAudit(a central.AuditEntry) error {
	t.audits = append(t.audits, a)
	return nil
}

func (t *projTx) CountCardConflict() error {
	t.cardConflicts++
	return nil
}

// queueWrites adds the buffered writes of the projections to b, in an order that never breaks
// a constraint: members before what refers to them, deletions of email keys before their new
// owners. Feed entries are not among them: see queueFeed.
func (t *projTx) queueWrites(b *pgx.Batch) error {
	var updIDs, updStatus, updState, insIDs, insStatus, insState []string
	var updBal, insBal []int64
	for _, id := range sortedKeys(t.members) {
		s := t.members[id]
		if !s.dirty {
			continue
		}
		state, err := json.Marshal(s.m.Stored())
		if err != nil {
			return err
		}
		if s.stored {
			updIDs, updBal, updStatus, updState = append(updIDs, string(id)), append(updBal, s.m.Balance), append(updStatus, string(s.m.Status)), append(updState, string(state))
		} else {
			insIDs, insBal, insStatus, insState = append(insIDs, string(id)), append(insBal, s.m.Balance), append(insStatus, string(s.m.Status)), append(insState, string(state))
		}
	}
	if len(updIDs) > 0 {
		b.Queue(`UPDATE members SET balance = u.balance, status = u.status, state = u.state::jsonb
			FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS u(id, balance, status, state)
			WHERE members.id = u.id`, updIDs, updBal, updStatus, updState)
	}
	if len(insIDs) > 0 {
		want := int64(len(insIDs))
		b.Queue(`INSERT INTO members (id, balance, status, state)
			SELECT id, balance, status, state::jsonb FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS u(id, balance, status, state)
			ON CONFLICT (id) DO NOTHING`, insIDs, insBal, insStatus, insState).Exec(func(tag pgconn.CommandTag) error {
			// A member this transaction found absent that another one created meanwhile: its
			// state here ignores the other's, so the transaction starts again and reads it.
			if tag.RowsAffected() != want {
				return errRetry
			}
			return nil
		})
	}
	var cards, cardOwners []string
	for _, card := range sortedKeys(t.cards) {
		if s := t.cards[card]; s.added {
			cards, cardOwners = append(cards, card), append(cardOwners, string(s.owner))
		}
	}
	if len(cards) > 0 {
		// No ON CONFLICT: a card another transaction enrolled meanwhile fails this one with a
		// unique violation, retried whole (retryable), which then finds the card's first owner.
		b.Queue("INSERT INTO cards (card, member) SELECT * FROM unnest($1::text[], $2::text[])", cards, cardOwners)
	}
	var delSeals, putSeals []string
	var putKeys, putData [][]byte
	for _, id := range sortedKeys(t.seals) {
		s := t.seals[id]
		switch {
		case !s.dirty:
		case s.deleted:
			delSeals = append(delSeals, string(id))
		default:
			putSeals, putKeys, putData = append(putSeals, string(id)), append(putKeys, s.s.Key), append(putData, s.s.Data)
		}
	}
	if len(delSeals) > 0 {
		b.Queue("DELETE FROM member_seals WHERE member = ANY($1)", delSeals)
	}
	if len(putSeals) > 0 {
		b.Queue(`INSERT INTO member_seals (member, key, data) SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[])
			ON CONFLICT (member) DO UPDATE SET key = excluded.key, data = excluded.data`, putSeals, putKeys, putData)
	}
	var delEmails, putEmails [][]byte
	var emailOwners []string
	for _, h := range sortedKeys(t.emails) {
		s := t.emails[h]
		switch {
		case !s.dirty:
		case s.deleted:
			delEmails = append(delEmails, []byte(h))
		default:
			putEmails, emailOwners = append(putEmails, []byte(h)), append(emailOwners, string(s.owner))
		}
	}
	if len(delEmails) > 0 {
		b.Queue("DELETE FROM emails WHERE hash = ANY($1)", delEmails)
	}
	if len(putEmails) > 0 {
		b.Queue(`INSERT INTO emails (hash, member) SELECT * FROM unnest($1::bytea[], $2::text[])
			ON CONFLICT (hash) DO UPDATE SET member = excluded.member`, putEmails, emailOwners)
	}
	for _, a := range t.audits {
		b.Queue("INSERT INTO audit_trail (at, who, member, action, detail) VALUES ($1, $2, $3, $4, $5)",
			a.At, a.Who, string(a.Member), a.Action, a.Detail)
	}
	if t.cardConflicts > 0 {
		b.Queue("UPDATE central SET card_conflicts = card_conflicts + $1", t.cardConflicts)
	}
	return nil
}

// feedLock is the key of the transaction-level advisory lock under which every transaction
// inserts its feed entries, last before its commit: "feed" in ASCII. Held until the commit, it
// makes the feed's ids the order of the commits, so that a reader that saw id n never sees a
// lower id commit after it (see 0002_projections.sql).
const feedLock int64 = 0x66656564

// queueFeed adds the feed entries to b, under the feed lock; it reports whether there were any.
// It must be the last thing queued before the commit: the lock makes every other writer of the
// feed wait for this transaction's end.
func (t *projTx) queueFeed(b *pgx.Batch) (bool, error) {
	if len(t.feed) == 0 {
		return false, nil
	}
	entries := make([]string, len(t.feed))
	for i, e := range t.feed {
		v, err := json.Marshal(e)
		if err != nil {
			return false, err
		}
		entries[i] = string(v)
	}
	b.Queue("SELECT pg_advisory_xact_lock($1)", feedLock)
	// WITH ORDINALITY keeps the entries in the order the rules appended them.
	b.Queue(`INSERT INTO feed (entry) SELECT e::jsonb FROM unnest($1::text[]) WITH ORDINALITY AS u(e, n) ORDER BY n`, entries)
	return true, nil
}

// sortedKeys is a map's keys in order, so that writes go in the same order in every transaction.
func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
