package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// Member buckets (schema 4; schema 3 had the same, with a member record whose basis a stop of
// processing or an erasure overwrote):
//
//	members/     <id> 0x00              -> member record, without personal data
//	             <id> 'c' <seq>         -> consent event
//	             <id> 'p' <seq>         -> points ledger entry
//	             <id> 't' <seq>         -> register and number of a ticket of the member
//	personal/    <id>                   -> personal data sealed under the member's data key
//	datakeys/    <id>                   -> the member's data key sealed under the master key
//	cards/       <card>                 -> id
//	lookup/      <'e'|'p'><HMAC>        -> id: exact lookup by email or phone
//	blocklist/   <HMAC of the email>    -> when it was blocked
//	audit/       <seq>                  -> audit entry
//	remote/      <id>                   -> the central's view of a member (schema 6, store/feed.go)
//
// A member's record and histories share one bucket, under keys that start with the member's ID,
// so that a sale with a member (its points, its ticket link, the record's new balance) usually
// rewrites one leaf page instead of one in each of three buckets: the difference was half the
// cost of an anonymous ticket. The sequences come from a counter in the record.
//
//	settings/    <name>                 -> the shop's setting
//
// Erasing a member deletes the data key: the sealed personal data can then never be opened, even
// with the master key. The file is compacted afterwards so that no freed page keeps a copy.
var (
	bucketMembers   = []byte("members")
	bucketPersonal  = []byte("personal")
	bucketDataKeys  = []byte("datakeys")
	bucketCards     = []byte("cards")
	bucketLookup    = []byte("lookup")
	bucketBlocklist = []byte("blocklist")
	bucketAudit     = []byte("audit")
	keyKeyCheck     = []byte("keycheck")
	keyCardSeq      = []byte("cardseq")
	// keyCompactPending marks a file whose erasures still await the compaction that scrubs
	// freed pages.
	keyCompactPending = []byte("compact-pending")
	memberBuckets     = [][]byte{bucketMembers, bucketPersonal, bucketDataKeys, bucketCards, bucketLookup,
		bucketBlocklist, bucketAudit, bucketSettings}
)

// customerRecord is what the customers bucket holds: everything about a member but the person.
// Since schema 4 the basis is always a lawful basis and the status (restricted, erased) stands
// beside it; schema 3 overwrote the basis with "stop-processing" or "delete".
type customerRecord struct {
	ID           comptoir.CustomerID  `json:"id"`
	Cards        []string             `json:"cards"`
	Basis        comptoir.LawfulBasis `json:"basis"`
	Status       comptoir.Status      `json:"status"`
	ErasedAt     time.Time            `json:"erased_at,omitzero"`
	EnrolledAt   time.Time            `json:"enrolled_at"`
	LastActivity time.Time            `json:"last_activity"`
	// Balance is the sum of the member's points ledger, kept with every entry so that a sale
	// does not read the whole ledger to know what may be redeemed.
	Balance int64 `json:"balance"`
	// Seq numbers the member's entries (consent, points, tickets) in the members bucket.
	Seq uint64 `json:"seq"`
	// Remote marks the record of a member enrolled at another shop, made when they first bought
	// or changed a consent here: it has no personal data and no data key at this register.
	Remote bool `json:"remote,omitempty"`
}

// The kinds of entry a member has beside their record.
const (
	entryRecord  = 0x00
	entryConsent = 'c'
	entryPoints  = 'p'
	entryTicket  = 't'
)

func recordKey(id comptoir.CustomerID) []byte { return append([]byte(id), entryRecord) }

func (r customerRecord) customer(p comptoir.Personal) comptoir.Customer {
	return comptoir.Customer{ID: r.ID, Cards: slices.Clone(r.Cards), Basis: r.Basis, Status: r.Status, Personal: p,
		EnrolledAt: r.EnrolledAt, LastActivity: r.LastActivity, Remote: r.Remote}
}

func (r customerRecord) erased() bool     { return r.Status == comptoir.StatusErased }
func (r customerRecord) restricted() bool { return r.Status == comptoir.StatusRestricted }

// present refuses an erased member: what the person asks of their record (rectification, the
// withdrawal of a consent) needs the record to exist.
func (r customerRecord) present() error {
	if r.erased() {
		return comptoir.E(comptoir.CodeCustomerErased)
	}
	return nil
}

// processable refuses, beside an erased member, one in stop processing: the processing the
// restriction freezes (points, consent grants, marketing) must not happen.
func (r customerRecord) processable() error {
	if err := r.present(); err != nil {
		return err
	}
	if r.restricted() {
		return comptoir.E(comptoir.CodeStopProcessing)
	}
	return nil
}

// masterKey loads the key that protects personal data, creating it on first use when create is
// true. The database keeps a check value of the key, so that a wrong or lost key file is told
// apart from a new one: once members exist, a missing key is never silently replaced.
func (s *Store) masterKey(create bool) (*masterKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.keys != nil {
		return s.keys, nil
	}
	var check []byte
	if err := s.view(func(tx *bbolt.Tx) error {
		check = bytes.Clone(tx.Bucket(bucketMeta).Get(keyKeyCheck))
		return nil
	}); err != nil {
		return nil, err
	}
	k, err := loadKeyFile(s.keyPath, create && check == nil)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if !k.matches(check) {
			return nil, comptoir.E(comptoir.CodeKeyMismatch)
		}
	} else if err := s.update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyKeyCheck, k.check) }); err != nil {
		return nil, err
	}
	s.keys = k
	return k, nil
}

// NextCard is the next free loyalty card number, for a manager printing a new card. After a
// set-up it is drawn from the central's block for this register, and a block used up is refused
// with CodeCardBlockExhausted. Enroll still takes a card outside the block: cards printed before
// the set-up stay good, and the card index refuses one another member (of any shop) has.
func (s *Store) NextCard(ctx context.Context) (string, error) {
	if err := checkCtx(ctx); err != nil {
		return "", err
	}
	var card string
	err := s.view(func(tx *bbolt.Tx) error {
		// Once the central gave this register a block of numbers, cards are drawn from it alone,
		// so that two registers never print the same card.
		if first, last, ok, err := cardBlock(tx); err != nil || ok {
			if err == nil {
				card, err = nextCardInBlock(tx, first, last)
			}
			return err
		}
		seq := uint64(0)
		if v := tx.Bucket(bucketMeta).Get(keyCardSeq); len(v) == 8 {
			seq = btoi(v)
		}
		for card = comptoir.CardNumber(seq + 1); tx.Bucket(bucketCards).Get([]byte(card)) != nil; {
			seq++
			card = comptoir.CardNumber(seq + 1)
		}
		return nil
	})
	return card, err
}

// Enroll records a new member with their card, sealed personal data and an explicit consent
// answer for every channel, in one transaction.
func (s *Store) Enroll(ctx context.Context, e comptoir.Enrolment) (comptoir.Customer, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Customer{}, err
	}
	e, err := comptoir.NormalizeEnrolment(e)
	if err != nil {
		return comptoir.Customer{}, err
	}
	p := e.Personal
	keys, err := s.masterKey(true)
	if err != nil {
		return comptoir.Customer{}, err
	}
	now := s.now().UTC()
	rec := customerRecord{Cards: []string{e.Card}, Basis: e.Basis, Status: comptoir.StatusActive, EnrolledAt: now, LastActivity: now}
	err = s.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketCards).Get([]byte(e.Card)) != nil {
			return comptoir.E(comptoir.CodeCardTaken, e.Card)
		}
		if err := checkContact(tx, keys, "", p, comptoir.Personal{}); err != nil {
			return err
		}
		id := e.ID
		if id == "" {
			if id, err = newCustomerID(tx); err != nil {
				return err
			}
		} else if !validCustomerID(id) || tx.Bucket(bucketMembers).Get(recordKey(id)) != nil {
			return comptoir.E(comptoir.CodeInvalidCustomerID, string(id))
		}
		rec.ID = id
		if err := putPersonal(tx, keys, id, p, true); err != nil {
			return err
		}
		if err := tx.Bucket(bucketCards).Put([]byte(e.Card), []byte(id)); err != nil {
			return err
		}
		if err := bumpCardSeq(tx, e.Card); err != nil {
			return err
		}
		for _, c := range comptoir.Channels {
			ev := comptoir.ConsentEvent{Channel: c, Granted: e.Consent[c], At: now, Via: e.Via, By: comptoir.CleanText(e.By),
				NoticeVersion: e.NoticeVersion, Remarks: "enrolment"}
			if err := appendEntry(tx, &rec, entryConsent, ev); err != nil {
				return err
			}
		}
		if err := putCustomer(tx, rec); err != nil {
			return err
		}
		if err := appendAudit(tx, now, e.By, comptoir.AuditEnrol, id, ""); err != nil {
			return err
		}
		payload := map[string]any{"id": id, "cards": rec.Cards, "basis": rec.Basis, "consent": e.Consent}
		sealed, err := sealedForCentral(tx, keys, id)
		if err != nil {
			return err
		}
		if sealed != nil {
			payload["sealed"] = sealed
		}
		return appendMemberEvent(tx, comptoir.EventCustomerEnrolled, now, payload)
	})
	if err != nil {
		return comptoir.Customer{}, err
	}
	return rec.customer(p), nil
}

// newCustomerID draws a pseudonymous ID: "M" and 16 hex digits, unrelated to the person.
func newCustomerID(tx *bbolt.Tx) (comptoir.CustomerID, error) {
	for {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		id := comptoir.CustomerID("M" + hex.EncodeToString(b))
		if tx.Bucket(bucketMembers).Get(recordKey(id)) == nil {
			return id, nil
		}
	}
}

// validCustomerID accepts the IDs newCustomerID draws: "M" and 16 lowercase hex digits.
func validCustomerID(id comptoir.CustomerID) bool { return id.Valid() }

func bumpCardSeq(tx *bbolt.Tx, card string) error {
	seq, err := strconv.ParseUint(card[2:12], 10, 64)
	if err != nil {
		return nil
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keyCardSeq); len(v) == 8 && btoi(v) >= seq {
		return nil
	}
	return meta.Put(keyCardSeq, itob(seq))
}

// checkContact refuses a blocked email, and an email or phone that another member already has.
// Only a new email is checked against the block list: blocking the address a member already has
// must not freeze the rest of their record (a name can still be corrected).
func checkContact(tx *bbolt.Tx, keys *masterKey, self comptoir.CustomerID, p, old comptoir.Personal) error {
	if p.Email != "" && p.Email != old.Email {
		if tx.Bucket(bucketBlocklist).Get(keys.lookupHash("email", p.Email)) != nil {
			return comptoir.E(comptoir.CodeBlockedEmail, comptoir.MaskEmail(p.Email))
		}
		if blocked, err := chainBlocked(tx, keys, p.Email); err != nil || blocked {
			if err == nil {
				err = comptoir.E(comptoir.CodeBlockedEmail, comptoir.MaskEmail(p.Email))
			}
			return err
		}
		if id := tx.Bucket(bucketLookup).Get(lookupKey(keys, 'e', p.Email)); id != nil && string(id) != string(self) {
			return comptoir.E(comptoir.CodeEmailTaken, comptoir.MaskEmail(p.Email))
		}
	}
	if p.Phone != "" {
		if id := tx.Bucket(bucketLookup).Get(lookupKey(keys, 'p', p.Phone)); id != nil && string(id) != string(self) {
			return comptoir.E(comptoir.CodePhoneTaken, comptoir.MaskPhone(p.Phone))
		}
	}
	return nil
}

func lookupKey(keys *masterKey, kind byte, value string) []byte {
	name := "email"
	if kind == 'p' {
		name = "phone"
	}
	return append([]byte{kind}, keys.lookupHash(name, value)...)
}

// putPersonal seals a member's personal data, with a new data key when fresh is true, and
// indexes the email and phone for exact lookups.
func putPersonal(tx *bbolt.Tx, keys *masterKey, id comptoir.CustomerID, p comptoir.Personal, fresh bool) error {
	var dataKey []byte
	var err error
	if fresh {
		if dataKey, err = newDataKey(); err != nil {
			return err
		}
		wrapped, err := seal(keys.wrap, dataKey, []byte(id))
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketDataKeys).Put([]byte(id), wrapped); err != nil {
			return err
		}
	} else if dataKey, err = unwrapDataKey(tx, keys, id); err != nil {
		return err
	}
	defer zero(dataKey)
	plain, err := json.Marshal(p)
	if err != nil {
		return err
	}
	sealed, err := seal(dataKey, plain, []byte(id))
	zero(plain)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketPersonal).Put([]byte(id), sealed); err != nil {
		return err
	}
	lookup := tx.Bucket(bucketLookup)
	if p.Email != "" {
		if err := lookup.Put(lookupKey(keys, 'e', p.Email), []byte(id)); err != nil {
			return err
		}
	}
	if p.Phone != "" {
		return lookup.Put(lookupKey(keys, 'p', p.Phone), []byte(id))
	}
	return nil
}

func unwrapDataKey(tx *bbolt.Tx, keys *masterKey, id comptoir.CustomerID) ([]byte, error) {
	wrapped := tx.Bucket(bucketDataKeys).Get([]byte(id))
	if wrapped == nil {
		return nil, comptoir.E(comptoir.CodeCustomerErased)
	}
	return open(keys.wrap, wrapped, []byte(id))
}

// readPersonal opens a member's sealed personal data; an erased member, and a member of another
// shop, have none here.
func readPersonal(tx *bbolt.Tx, keys *masterKey, rec customerRecord) (comptoir.Personal, error) {
	if rec.erased() || rec.Remote {
		return comptoir.Personal{}, nil
	}
	dataKey, err := unwrapDataKey(tx, keys, rec.ID)
	if err != nil {
		return comptoir.Personal{}, err
	}
	defer zero(dataKey)
	sealed := tx.Bucket(bucketPersonal).Get([]byte(rec.ID))
	if sealed == nil {
		return comptoir.Personal{}, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "données personnelles", EN: "personal data"})
	}
	plain, err := open(dataKey, sealed, []byte(rec.ID))
	if err != nil {
		return comptoir.Personal{}, err
	}
	defer zero(plain)
	var p comptoir.Personal
	if err := json.Unmarshal(plain, &p); err != nil {
		return comptoir.Personal{}, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "données personnelles", EN: "personal data"})
	}
	return p, nil
}

// getCustomer reads a member's record. A member of another shop, whom only the central's view
// names here, is refused with CodeRemoteMember: what needs their personal data cannot be done
// here, and the callers that can serve them (the card lookups, a sale) look for that code.
func getCustomer(tx *bbolt.Tx, id comptoir.CustomerID) (customerRecord, error) {
	var rec customerRecord
	v := tx.Bucket(bucketMembers).Get(recordKey(id))
	if v == nil {
		if tx.Bucket(bucketRemote).Get([]byte(id)) != nil {
			return rec, comptoir.E(comptoir.CodeRemoteMember, string(id))
		}
		return rec, comptoir.E(comptoir.CodeUnknownCustomer, string(id))
	}
	return rec, decode(v, &rec)
}

func putCustomer(tx *bbolt.Tx, rec customerRecord) error {
	return tx.Bucket(bucketMembers).Put(recordKey(rec.ID), encode(rec))
}

// appendEntry adds an entry of a kind to a member's history, numbered by the record's counter;
// the caller writes the record afterwards.
func appendEntry(tx *bbolt.Tx, rec *customerRecord, kind byte, v any) error {
	rec.Seq++
	k := append(append([]byte(rec.ID), kind), itob(rec.Seq)...)
	return tx.Bucket(bucketMembers).Put(k, encode(v))
}

func appendAudit(tx *bbolt.Tx, at time.Time, who string, action comptoir.AuditAction, id comptoir.CustomerID, detail string) error {
	b := tx.Bucket(bucketAudit)
	b.FillPercent = 1 // Append-only.
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e := comptoir.AuditEntry{Seq: seq, At: at.UTC(), Who: comptoir.CleanText(who), Action: action, Customer: id, Detail: detail}
	return b.Put(itob(seq), encode(e))
}

func appendMemberEvent(tx *bbolt.Tx, typ string, at time.Time, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	return appendEvent(tx, storedEvent{Type: typ, At: at, ID: eventID(typ, append(body, []byte(at.UTC().Format(time.RFC3339Nano))...)), Payload: body})
}

// eachEntry calls fn with a member's entries of one kind, in order.
func eachEntry(tx *bbolt.Tx, id comptoir.CustomerID, kind byte, fn func(v []byte) error) error {
	prefix := append([]byte(id), kind)
	c := tx.Bucket(bucketMembers).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = c.Next() {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}
