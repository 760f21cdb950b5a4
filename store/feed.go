package store

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// The register's side of the pull (schema 6):
//
//	meta/        sync-setup             -> what the central handed at set-up (setupRecord)
//	             sync-cursor            -> the change feed's cursor, stored with the page applied
//	remote/      <id>                   -> the central's view of a member (compact, see remoteView)
//	cards/       <card>                 -> id, for members of this shop and of other shops alike
//	blocklist/   'c' <HMAC>             -> an address blocked elsewhere, keyed by the chain's lookup key
//
// A member enrolled at another shop is only a remote/ entry and the card index: about a hundred
// bytes where a member of this shop costs kilobytes, so that a register can know every member of
// a chain. When such a member buys here, a member record without personal data is made for
// their points and tickets (customerRecord.Remote); the central's view stays beside it.
var (
	bucketRemote = []byte("remote")
	keySetup     = []byte("sync-setup")
	keyCursor    = []byte("sync-cursor")
)

// chainBlockPrefix starts the block list's keys of addresses blocked elsewhere, whose hashes use
// the chain's lookup key rather than this register's own index key.
const chainBlockPrefix = 'c'

// lookupKeyAAD binds the sealed lookup key to its use.
var lookupKeyAAD = []byte("comptoir/chain-lookup-key")

// centralWho is the name the audit trail gives to changes that came from the central.
const centralWho = "centrale"

// setupRecord is the set-up as stored: the lookup key sealed under the master key, so that the
// file alone never holds it in clear.
type setupRecord struct {
	Register    string `json:"register"`
	CentralKey  []byte `json:"central_key"`
	SealedKey   []byte `json:"sealed_lookup_key"`
	CardsFirst  uint64 `json:"cards_first"`
	CardsLast   uint64 `json:"cards_last"`
	lookupPlain []byte
}

// Compile-time check that Store is the register's side of the pull.
var _ comptoir.FeedService = (*Store)(nil)

// maxCardSeq is the largest sequence part of a card number (ten digits).
const maxCardSeq = 9_999_999_999

// ApplySetup pins the central's key and stores the chain's lookup key (sealed under the master
// key, which it creates if need be) and the block of card numbers. A later set-up must bring the
// same keys and the same block: another central key, or another lookup key, is refused with
// CodeCentralKeyChanged, another block with CodeCardBlockChanged, and nothing is written.
func (s *Store) ApplySetup(ctx context.Context, set comptoir.Setup) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if _, err := comptoir.ParseCentralKey(set.CentralKey); err != nil {
		return err
	}
	if len(set.LookupKey) != 32 {
		return comptoir.E(comptoir.CodeInvalidSetup, comptoir.Text{FR: "clé de recherche", EN: "lookup key"})
	}
	// No block at all (both zero) is a central that leaves the numbering to the register.
	if set.CardsFirst > set.CardsLast || set.CardsLast > maxCardSeq {
		return comptoir.E(comptoir.CodeInvalidSetup, comptoir.Text{FR: "bloc de cartes", EN: "card block"})
	}
	keys, err := s.masterKey(true)
	if err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		old, ok, err := readSetup(tx, keys)
		if err != nil {
			return err
		}
		if ok {
			if !bytes.Equal(old.CentralKey, set.CentralKey) || !hmac.Equal(old.lookupPlain, set.LookupKey) {
				return comptoir.E(comptoir.CodeCentralKeyChanged)
			}
			if old.CardsFirst != set.CardsFirst || old.CardsLast != set.CardsLast {
				return comptoir.E(comptoir.CodeCardBlockChanged, old.CardsFirst, old.CardsLast, set.CardsFirst, set.CardsLast)
			}
			return nil
		}
		sealed, err := seal(keys.wrap, set.LookupKey, lookupKeyAAD)
		if err != nil {
			return err
		}
		rec := setupRecord{Register: set.Register, CentralKey: bytes.Clone(set.CentralKey), SealedKey: sealed,
			CardsFirst: set.CardsFirst, CardsLast: set.CardsLast}
		if err := tx.Bucket(bucketMeta).Put(keySetup, encode(rec)); err != nil {
			return err
		}
		return sendEnrolledBefore(tx, keys, s.now().UTC())
	})
}

// sendEnrolledBefore queues, for every member enrolled here before the first set-up, their
// personal data sealed for the central, now that a key is pinned: their enrolment went out
// without it, and the central is the shop's CRM. It goes as a rectification that changes no
// field, in the set-up's own transaction, so that no member is left out if the set-up is cut.
func sendEnrolledBefore(tx *bbolt.Tx, keys *masterKey, now time.Time) error {
	var ids []comptoir.CustomerID
	err := tx.Bucket(bucketMembers).ForEach(func(k, v []byte) error {
		if len(k) == 0 || k[len(k)-1] != entryRecord || bytes.IndexByte(k, entryRecord) != len(k)-1 {
			return nil
		}
		var rec customerRecord
		if err := decode(v, &rec); err != nil {
			return err
		}
		if !rec.erased() && !rec.Remote && tx.Bucket(bucketPersonal).Get([]byte(rec.ID)) != nil {
			ids = append(ids, rec.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		sealed, err := sealedForCentral(tx, keys, id)
		if err != nil {
			return err
		}
		payload := map[string]any{"id": id, "fields": []string{}, "sealed": sealed}
		if err := appendMemberEvent(tx, comptoir.EventCustomerUpdated, now, payload); err != nil {
			return err
		}
	}
	return nil
}

// SyncSetup returns what ApplySetup stored, the lookup key opened; ok is false before the first
// set-up. Now is left zero: it is the central's clock at set-up, which is not kept.
func (s *Store) SyncSetup(ctx context.Context) (comptoir.Setup, bool, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Setup{}, false, err
	}
	var stored bool
	if err := s.view(func(tx *bbolt.Tx) error {
		stored = tx.Bucket(bucketMeta).Get(keySetup) != nil
		return nil
	}); err != nil || !stored {
		return comptoir.Setup{}, false, err
	}
	// The master key is loaded outside the read transaction: loading it may write its check
	// value, and a write inside a read transaction of the same goroutine can deadlock bbolt.
	keys, err := s.masterKey(false)
	if err != nil {
		return comptoir.Setup{}, false, err
	}
	var set comptoir.Setup
	var ok bool
	err = s.view(func(tx *bbolt.Tx) error {
		rec, found, err := readSetup(tx, keys)
		if err != nil || !found {
			return err
		}
		ok = true
		set = comptoir.Setup{Register: rec.Register, CentralKey: rec.CentralKey, LookupKey: rec.lookupPlain,
			CardsFirst: rec.CardsFirst, CardsLast: rec.CardsLast}
		return nil
	})
	return set, ok, err
}

// readSetup reads the stored set-up and opens its lookup key; ok is false before the first.
func readSetup(tx *bbolt.Tx, keys *masterKey) (setupRecord, bool, error) {
	var rec setupRecord
	v := tx.Bucket(bucketMeta).Get(keySetup)
	if v == nil {
		return rec, false, nil
	}
	if err := decode(v, &rec); err != nil {
		return rec, false, err
	}
	if keys != nil {
		plain, err := open(keys.wrap, rec.SealedKey, lookupKeyAAD)
		if err != nil {
			return rec, false, err
		}
		rec.lookupPlain = plain
	}
	return rec, true, nil
}

// pinnedCentral is the central's public key once a set-up pinned it, nil before.
func pinnedCentral(tx *bbolt.Tx) (*ecdh.PublicKey, error) {
	rec, ok, err := readSetup(tx, nil)
	if err != nil || !ok {
		return nil, err
	}
	return comptoir.ParseCentralKey(rec.CentralKey)
}

// chainLookupKey is the chain-wide lookup key once a set-up stored it, nil before.
func chainLookupKey(tx *bbolt.Tx, keys *masterKey) ([]byte, error) {
	rec, ok, err := readSetup(tx, keys)
	if err != nil || !ok {
		return nil, err
	}
	return rec.lookupPlain, nil
}

// chainEmailHash is an address's hash under the chain's lookup key, the same at every register:
// HMAC-SHA256 of "e", a zero byte and the normalized address.
func chainEmailHash(lookupKey []byte, email string) []byte {
	m := hmac.New(sha256.New, lookupKey)
	m.Write([]byte("e\x00"))
	m.Write([]byte(email))
	return m.Sum(nil)
}

// chainBlocked reports whether an address was blocked elsewhere in the chain.
func chainBlocked(tx *bbolt.Tx, keys *masterKey, email string) (bool, error) {
	lk, err := chainLookupKey(tx, keys)
	if err != nil || lk == nil {
		return false, err
	}
	defer zero(lk)
	key := append([]byte{chainBlockPrefix}, chainEmailHash(lk, email)...)
	return tx.Bucket(bucketBlocklist).Get(key) != nil, nil
}

// sealedForCentral is a member's personal data as an event carries it to the central: the blob
// the personal bucket holds, and the member's data key wrapped to the pinned central key. It is
// nil before a set-up pinned a key: the data then stays at the register.
func sealedForCentral(tx *bbolt.Tx, keys *masterKey, id comptoir.CustomerID) (*comptoir.SealedPersonal, error) {
	central, err := pinnedCentral(tx)
	if err != nil || central == nil {
		return nil, err
	}
	dataKey, err := unwrapDataKey(tx, keys, id)
	if err != nil {
		return nil, err
	}
	defer zero(dataKey)
	wrapped, err := comptoir.WrapDataKey(central, dataKey, id)
	if err != nil {
		return nil, err
	}
	return &comptoir.SealedPersonal{Key: wrapped, Data: bytes.Clone(tx.Bucket(bucketPersonal).Get([]byte(id)))}, nil
}

// cardBlock is the block of card numbers the central gave this register; ok is false without one.
func cardBlock(tx *bbolt.Tx) (first, last uint64, ok bool, err error) {
	rec, found, err := readSetup(tx, nil)
	if err != nil || !found || (rec.CardsFirst == 0 && rec.CardsLast == 0) {
		return 0, 0, false, err
	}
	return rec.CardsFirst, rec.CardsLast, true, nil
}

// nextCardInBlock draws the next free card of the block: after the highest card enrolled when it
// lies in the block, then from the block's start, so that a card printed before the set-up
// outside the block, or one enrolled out of order, never makes the block look used up while a
// number is free.
func nextCardInBlock(tx *bbolt.Tx, first, last uint64) (string, error) {
	start := first
	if v := tx.Bucket(bucketMeta).Get(keyCardSeq); len(v) == 8 && btoi(v) >= first && btoi(v) < last {
		start = btoi(v) + 1
	}
	cards := tx.Bucket(bucketCards)
	for i := range last - first + 1 {
		seq := first + (start-first+i)%(last-first+1)
		if card := comptoir.CardNumber(seq); cards.Get([]byte(card)) == nil {
			return card, nil
		}
	}
	return "", comptoir.E(comptoir.CodeCardBlockExhausted, first, last)
}

// Cursor is the cursor the last ApplyChanges stored, "" before the first.
func (s *Store) Cursor(ctx context.Context) (string, error) {
	if err := checkCtx(ctx); err != nil {
		return "", err
	}
	var cur string
	err := s.view(func(tx *bbolt.Tx) error {
		cur = string(tx.Bucket(bucketMeta).Get(keyCursor))
		return nil
	})
	return cur, err
}

// ApplyChanges applies a page of the central's change feed and stores its next cursor, in one
// transaction; see ApplyPage, whose skipped changes it leaves out of its answer.
func (s *Store) ApplyChanges(ctx context.Context, page comptoir.ChangesPage) error {
	_, err := s.ApplyPage(ctx, page)
	return err
}

// ApplyPage applies a page of the central's change feed and stores its next cursor, in one
// transaction: a crash or a refusal leaves the old cursor, and the next pull asks for the same
// page again. A change this register cannot use (a consent with an unknown way of collection, a
// view with a bad card) is left out and the rest applied, so that one bad change made anywhere in
// the chain never stops this register's pull for good: each skipped change is returned as a
// CodeChangeSkipped naming its position and kind, its cause saying why, for the caller to count
// and log. A change that fails against this register's own data (a damaged record) refuses the
// page with CodeInvalidChange: skipping it would lose it, and a person has to look.
//
// Nothing it applies goes to the outbox: the changes came from the central and must not go back
// to it. A page that erases members scrubs the audit trail once for all of them and marks the
// file for compaction, which CompactIfPending does once the pull is over: compacting the whole
// file after every page would hold the counter for as long, page after page. ApplyPage returns
// nil once the page is committed.
func (s *Store) ApplyPage(ctx context.Context, page comptoir.ChangesPage) ([]error, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	// Without a next cursor the page cannot be stored as read: the feed would start again from
	// its beginning, page after page.
	if page.Next == "" {
		return nil, comptoir.E(comptoir.CodeMalformedPage, comptoir.Text{FR: "pas de curseur suivant", EN: "no next cursor"})
	}
	invalid := map[int]error{}
	for i, c := range page.Changes {
		if err := validateChange(c); err != nil {
			invalid[i] = comptoir.Wrap(comptoir.CodeChangeSkipped, err, i+1, shortKind(c.Kind))
		}
	}
	if needsKey(page) {
		if _, err := s.masterKey(true); err != nil {
			return nil, err
		}
	}
	// The audit trail and the tombstones are dated by this register's clock, as the rest of its
	// trail is.
	now := s.now().UTC()
	var skipped []error
	err := s.update(func(tx *bbolt.Tx) error {
		skipped = skipped[:0]
		a := applier{tx: tx, now: now, erased: map[comptoir.CustomerID]bool{}}
		if needsOutbox(page) {
			var err error
			if a.unacked, err = unackedMemberEvents(tx); err != nil {
				return err
			}
		}
		for i, c := range page.Changes {
			if err, bad := invalid[i]; bad {
				skipped = append(skipped, err)
				continue
			}
			if err := a.apply(c); err != nil {
				if _, ok := err.(*comptoir.Error); ok {
					return comptoir.Wrap(comptoir.CodeInvalidChange, err, i+1, c.Kind)
				}
				return err
			}
		}
		if len(a.erased) > 0 {
			// Once for the page: scrubbing reads the whole trail.
			if err := scrubAudit(tx, a.erased); err != nil {
				return err
			}
			if err := markCompactPending(tx); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyCursor, []byte(page.Next))
	})
	if err != nil {
		return nil, err
	}
	return skipped, nil
}

// CompactIfPending compacts the file when an erasure left the compaction pending, and reports
// whether it did. The Syncer calls it once at the end of a pull whose pages erased members; a
// compaction that fails leaves the mark, and the next call, or the next opening, does it.
func (s *Store) CompactIfPending(ctx context.Context) (bool, error) {
	if err := checkCtx(ctx); err != nil {
		return false, err
	}
	var pending bool
	if err := s.view(func(tx *bbolt.Tx) error {
		pending = tx.Bucket(bucketMeta).Get(keyCompactPending) != nil
		return nil
	}); err != nil || !pending {
		return false, err
	}
	return true, s.compact()
}

// needsOutbox reports whether applying a page reads the outbox: a member view must not undo a
// stop, a resume or a consent made here that the central has not acknowledged yet.
func needsOutbox(page comptoir.ChangesPage) bool {
	return slices.ContainsFunc(page.Changes, func(c comptoir.Change) bool { return c.Kind == comptoir.ChangeMember })
}

// unacked is what the outbox still holds, unacknowledged, about one member.
type unacked struct {
	// status is set for a stop or resume of processing, consent for a consent change.
	status, consent bool
}

// unackedMemberEvents lists the members with a stop, a resume or a consent change (an enrolment
// carries consent answers too) in the outbox. The central's view of such a member does not count
// their change yet: taking its status or consent would undo what was just done at the counter.
func unackedMemberEvents(tx *bbolt.Tx) (map[comptoir.CustomerID]unacked, error) {
	out := map[comptoir.CustomerID]unacked{}
	err := tx.Bucket(bucketOutbox).ForEach(func(_, v []byte) error {
		var ev storedEvent
		if err := decode(v, &ev); err != nil {
			return err
		}
		status := ev.Type == comptoir.EventCustomerStopped || ev.Type == comptoir.EventCustomerResumed
		if !status && ev.Type != comptoir.EventCustomerConsent && ev.Type != comptoir.EventCustomerEnrolled {
			return nil
		}
		var p struct {
			ID comptoir.CustomerID `json:"id"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "file des événements à synchroniser", EN: "outbox"})
		}
		u := out[p.ID]
		u.status = u.status || status
		u.consent = u.consent || !status
		out[p.ID] = u
		return nil
	})
	return out, err
}

// shortKind is a change's kind as a message names it: the central's text, cleaned of control
// characters and cut, since it goes to the register's log.
func shortKind(kind string) string {
	kind = comptoir.CleanText(kind)
	if r := []rune(kind); len(r) > 32 {
		kind = string(r[:32]) + "…"
	}
	return kind
}

// needsKey reports whether applying a page needs the master key, which it then creates like a
// first enrolment does: a blocked address is checked at enrolment against the chain's lookup key,
// which the master key seals, and the member lookups that find members of other shops open the
// key first (they also find members of this shop, whose data it protects).
func needsKey(page comptoir.ChangesPage) bool {
	return slices.ContainsFunc(page.Changes, func(c comptoir.Change) bool {
		return c.Kind == comptoir.ChangeBlocked || c.Kind == comptoir.ChangeMember
	})
}

// validateChange checks a change before anything is written: one it refuses is skipped.
func validateChange(c comptoir.Change) error {
	switch c.Kind {
	case comptoir.ChangeCatalog:
		for _, p := range c.Catalog {
			if _, err := comptoir.NormalizeProduct(p); err != nil {
				return err
			}
		}
	case comptoir.ChangeMember:
		if c.Member == nil {
			return comptoir.E(comptoir.CodeInvalidCustomerID, "")
		}
		m := c.Member
		if !validCustomerID(m.ID) {
			return comptoir.E(comptoir.CodeInvalidCustomerID, string(m.ID))
		}
		for _, card := range m.Cards {
			if err := comptoir.ValidateCard(card); err != nil {
				return err
			}
		}
		if _, ok := statusCodes[m.Status]; !ok && m.Status != "" {
			return comptoir.E(comptoir.CodeMalformedChange, comptoir.Text{FR: "statut " + string(m.Status), EN: "status " + string(m.Status)})
		}
		for ch := range m.Consent {
			if !slices.Contains(comptoir.Channels, ch) {
				return comptoir.E(comptoir.CodeUnknownChannel, string(ch))
			}
		}
	case comptoir.ChangeConsent:
		if c.Consent == nil || !validCustomerID(c.Consent.ID) {
			id := ""
			if c.Consent != nil {
				id = string(c.Consent.ID)
			}
			return comptoir.E(comptoir.CodeInvalidCustomerID, id)
		}
		ev := c.Consent.Event
		if !slices.Contains(comptoir.Channels, ev.Channel) {
			return comptoir.E(comptoir.CodeUnknownChannel, string(ev.Channel))
		}
		if ev.Via != "" {
			if _, err := comptoir.ParseConsentVia(string(ev.Via)); err != nil {
				return err
			}
		}
		if ev.At.IsZero() {
			return comptoir.E(comptoir.CodeInvalidDate, "")
		}
	case comptoir.ChangeErased:
		if !validCustomerID(c.Erased) {
			return comptoir.E(comptoir.CodeInvalidCustomerID, string(c.Erased))
		}
	case comptoir.ChangeBlocked:
		if h, err := hex.DecodeString(c.Blocked); err != nil || len(h) != sha256.Size {
			return comptoir.E(comptoir.CodeMalformedChange, comptoir.Text{FR: "empreinte bloquée", EN: "blocked hash"})
		}
	default:
		return comptoir.E(comptoir.CodeMalformedChange, comptoir.Text{FR: "type de modification " + shortKind(c.Kind), EN: "kind of change " + shortKind(c.Kind)})
	}
	return nil
}

// applier applies the changes of one page in its transaction.
type applier struct {
	tx  *bbolt.Tx
	now time.Time
	// erased holds the members of this shop the page erased: the audit trail is scrubbed of them
	// once for the page, and the file must be compacted.
	erased map[comptoir.CustomerID]bool
	// unacked is what the outbox holds about members, unacknowledged (see unackedMemberEvents);
	// read only for a page with member views.
	unacked map[comptoir.CustomerID]unacked
}

func (a *applier) apply(c comptoir.Change) error {
	switch c.Kind {
	case comptoir.ChangeCatalog:
		cat := a.tx.Bucket(bucketCatalog)
		for _, p := range c.Catalog {
			np, err := comptoir.NormalizeProduct(p)
			if err != nil {
				return err
			}
			if err := cat.Put([]byte(comptoir.GTINKey(np.GTIN)), encode(np)); err != nil {
				return err
			}
		}
		return nil
	case comptoir.ChangeMember:
		return a.member(*c.Member)
	case comptoir.ChangeConsent:
		return a.consent(*c.Consent)
	case comptoir.ChangeErased:
		return a.erase(c.Erased)
	case comptoir.ChangeBlocked:
		h, _ := hex.DecodeString(c.Blocked)
		return a.tx.Bucket(bucketBlocklist).Put(append([]byte{chainBlockPrefix}, h...), encode(a.now))
	}
	return nil
}

// member stores the central's view of a member. A member of this shop keeps their record, which
// takes the view's status (a stop or resume of processing made elsewhere) and its new cards; a
// member of another shop is the view alone. An erased member stays erased whatever comes later.
func (a *applier) member(m comptoir.RemoteMember) error {
	if m.Status == comptoir.StatusErased {
		return a.erase(m.ID)
	}
	if m.Status == "" {
		m.Status = comptoir.StatusActive
	}
	old, known, err := getRemote(a.tx, m.ID)
	if err != nil {
		return err
	}
	if known && old.Status == comptoir.StatusErased {
		return nil
	}
	rec, err := getCustomer(a.tx, m.ID)
	local := err == nil
	if err != nil && !isCode(err, comptoir.CodeUnknownCustomer) && !isCode(err, comptoir.CodeRemoteMember) {
		return err
	}
	if local && rec.erased() {
		return nil
	}
	v := remoteView{ID: m.ID, Balance: m.Balance, AsOfTicket: m.AsOfTicket, Status: m.Status,
		Consent: consentBits(m.Consent), Flags: flagBits(m.Flags), LastActivity: m.LastActivity.UTC().Truncate(time.Second)}
	if m.LastActivity.IsZero() || (known && old.LastActivity.After(v.LastActivity)) {
		// An older central sends no date, and a view never moves the last activity back.
		v.LastActivity = old.LastActivity
	}
	cards := a.tx.Bucket(bucketCards)
	// A card another member already has here is a conflict the central flags; this register keeps
	// its own link rather than move the card.
	for _, card := range m.Cards {
		owner := cards.Get([]byte(card))
		if owner != nil && string(owner) != string(m.ID) {
			continue
		}
		v.Cards = append(v.Cards, card)
		if owner == nil {
			if err := cards.Put([]byte(card), []byte(m.ID)); err != nil {
				return err
			}
		}
	}
	if known {
		for _, card := range old.Cards {
			if !slices.Contains(v.Cards, card) && !(local && slices.Contains(rec.Cards, card)) &&
				string(cards.Get([]byte(card))) == string(m.ID) {
				if err := cards.Delete([]byte(card)); err != nil {
					return err
				}
			}
		}
	}
	if err := putRemote(a.tx, v); err != nil {
		return err
	}
	if !local {
		return nil
	}
	changed := false
	for _, card := range v.Cards {
		if !slices.Contains(rec.Cards, card) {
			rec.Cards, changed = append(rec.Cards, card), true
		}
	}
	// Activity at other shops keeps the member from this shop's retention purge. A member in stop
	// processing is read-only, as NoteActivity has it: the purge reads the view's date beside.
	if m.LastActivity.After(rec.LastActivity) && !rec.restricted() {
		rec.LastActivity, changed = m.LastActivity.UTC(), true
	}
	pending := a.unacked[m.ID]
	switch {
	case pending.status:
		// A stop or resume made here is still in the outbox: the view predates it, and taking
		// its status would undo the counter's decision and write a false audit entry.
	case m.Status == comptoir.StatusRestricted && !rec.restricted():
		rec.Status, changed = comptoir.StatusRestricted, true
		if err := appendAudit(a.tx, a.now, centralWho, comptoir.AuditStopProcessing, m.ID, ""); err != nil {
			return err
		}
	case m.Status == comptoir.StatusActive && rec.restricted():
		rec.Status, changed = comptoir.StatusActive, true
		if err := appendAudit(a.tx, a.now, centralWho, comptoir.AuditResumeProcessing, m.ID, ""); err != nil {
			return err
		}
	}
	// A view without a consent map says nothing of consent (a central that does not send it),
	// not that every consent was withdrawn.
	if !pending.consent && m.Consent != nil {
		// Every consent change of this member made here reached the central, which decided with
		// them all: its answer per channel is the member's consent. The register's own history
		// can disagree when its clock ran fast (its events keep their date here, the central
		// counts them at their arrival), and the history, the export and the counter must say
		// what the central says.
		followed, err := a.followConsent(&rec, m)
		if err != nil {
			return err
		}
		changed = changed || followed
	}
	if !changed {
		return nil
	}
	return putCustomer(a.tx, rec)
}

// followConsent records, for every channel where the member's history here decides otherwise
// than the central's view, the central's decision as a consent event of the central, dated by
// this register's clock so that it wins over every event the history holds, and audited. A
// channel the view leaves out is one the central knows no consent for: no consent. It reports
// whether it recorded any; the caller writes the record. The view does not say how the winning
// consent was collected, so the event names no way (Via) and says where it came from.
func (a *applier) followConsent(rec *customerRecord, m comptoir.RemoteMember) (bool, error) {
	history, err := consentHistory(a.tx, rec.ID)
	if err != nil {
		return false, err
	}
	followed := false
	state := comptoir.DeriveConsent(history)
	for _, ch := range comptoir.Channels {
		want := m.Consent[ch]
		// No consent is given to a member in stop processing, here as at the counter; a
		// withdrawal always goes through.
		if state.Granted(ch) == want || (want && rec.restricted()) {
			continue
		}
		cur := state[ch]
		at := a.now
		if !at.After(cur.At) {
			// This register's clock is behind the event it holds (the clock was put back): the
			// central's decision must still win, by a nanosecond.
			at = cur.At.Add(time.Nanosecond)
		}
		ev := comptoir.ConsentEvent{Channel: ch, Granted: want, At: at, Via: comptoir.ViaCentral, By: centralWho, Remarks: centralRemark}
		if err := appendEntry(a.tx, rec, entryConsent, ev); err != nil {
			return false, err
		}
		if err := appendAudit(a.tx, a.now, centralWho, comptoir.AuditConsent, rec.ID, string(ch)); err != nil {
			return false, err
		}
		followed = true
	}
	return followed, nil
}

// centralRemark is the remark of a consent event recorded from the central's view, which
// carries the central's decision but not the event it came from.
const centralRemark = "décision de la centrale"

// consent appends a consent event made elsewhere to the history of a member of this shop, where
// DeriveConsent decides the current state with LatestConsent. A member of another shop keeps no
// history here: the central's view carries their current consent.
func (a *applier) consent(rc comptoir.RemoteConsent) error {
	rec, err := getCustomer(a.tx, rc.ID)
	if isCode(err, comptoir.CodeUnknownCustomer) || isCode(err, comptoir.CodeRemoteMember) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec.erased() {
		return nil
	}
	ev := rc.Event
	ev.At, ev.By, ev.Remarks = ev.At.UTC(), comptoir.CleanText(ev.By), comptoir.CleanText(ev.Remarks)
	// An event the history already holds (this register's own, sent back by a central that
	// echoes, or a page sent twice) is not written twice.
	history, err := consentHistory(a.tx, rc.ID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(history, func(h comptoir.ConsentEvent) bool {
		return h.Channel == ev.Channel && h.Granted == ev.Granted && h.At.Equal(ev.At) && h.Via == ev.Via && h.By == ev.By
	}) {
		return nil
	}
	if err := appendEntry(a.tx, &rec, entryConsent, ev); err != nil {
		return err
	}
	if ev.At.After(rec.LastActivity) {
		rec.LastActivity = ev.At
	}
	if err := putCustomer(a.tx, rec); err != nil {
		return err
	}
	// The trail says when this register learnt of it and that it came from the central; the
	// history keeps the event's own date and author.
	return appendAudit(a.tx, a.now, centralWho, comptoir.AuditConsent, rc.ID, string(ev.Channel))
}

// erase destroys this register's copy of a member erased elsewhere exactly as a local erasure
// does, without its outbox event; a member of another shop is marked erased and loses their
// cards, so that no card finds them again and no later view brings them back.
func (a *applier) erase(id comptoir.CustomerID) error {
	rec, err := getCustomer(a.tx, id)
	if err == nil {
		if rec.erased() {
			return nil
		}
		if err := eraseMember(a.tx, rec); err != nil {
			return err
		}
		rec.Status, rec.ErasedAt, rec.Cards = comptoir.StatusErased, a.now, nil
		if err := putCustomer(a.tx, rec); err != nil {
			return err
		}
		a.erased[id] = true
		return appendAudit(a.tx, a.now, centralWho, comptoir.AuditErase, id, "")
	}
	if !isCode(err, comptoir.CodeUnknownCustomer) && !isCode(err, comptoir.CodeRemoteMember) {
		return err
	}
	old, known, err := getRemote(a.tx, id)
	if err != nil {
		return err
	}
	if known {
		for _, card := range old.Cards {
			if string(a.tx.Bucket(bucketCards).Get([]byte(card))) == string(id) {
				if err := a.tx.Bucket(bucketCards).Delete([]byte(card)); err != nil {
					return err
				}
			}
		}
	}
	return putRemote(a.tx, remoteView{ID: id, Status: comptoir.StatusErased})
}

// remoteView is the central's view of a member as this register keeps it.
type remoteView struct {
	ID         comptoir.CustomerID
	Cards      []string
	Balance    int64
	AsOfTicket uint64
	Status     comptoir.Status
	// Consent has bit i set when the member consents on comptoir.Channels[i].
	Consent uint64
	// Flags has bit i set for knownFlags[i].
	Flags uint64
	// LastActivity is the member's latest activity in the chain, to the second; zero when the
	// central sent none.
	LastActivity time.Time
}

// knownFlags are the central's flags this register keeps, in the order of their bits. A flag a
// later central adds is not kept until this list names it.
var knownFlags = []string{comptoir.FlagOverspent, comptoir.FlagCardConflict}

// statusCodes are the statuses' codes in a remote view.
var statusCodes = map[comptoir.Status]byte{comptoir.StatusActive: 0, comptoir.StatusRestricted: 1, comptoir.StatusErased: 2}

func consentBits(m map[comptoir.Channel]bool) uint64 {
	var bits uint64
	for i, ch := range comptoir.Channels {
		if m[ch] {
			bits |= 1 << i
		}
	}
	return bits
}

func flagBits(flags []string) uint64 {
	var bits uint64
	for i, f := range knownFlags {
		if slices.Contains(flags, f) {
			bits |= 1 << i
		}
	}
	return bits
}

// remoteFormat is the first byte of a remote view, so that a later format can read this one.
const remoteFormat = 1

// encodeRemote writes a view in a few dozen bytes: the format, the status, then varints of the
// consent and flag bits, the balance, the ticket it counts to, the number of cards and each
// card's ten-digit sequence (the prefix 04 and the check digit follow from it). JSON would take
// three times the room, and a chain's members are many.
func encodeRemote(v remoteView) []byte {
	b := make([]byte, 0, 16+len(v.Cards)*6)
	b = append(b, remoteFormat, statusCodes[v.Status])
	b = binary.AppendUvarint(b, v.Consent)
	b = binary.AppendUvarint(b, v.Flags)
	b = binary.AppendVarint(b, v.Balance)
	b = binary.AppendUvarint(b, v.AsOfTicket)
	b = binary.AppendUvarint(b, uint64(len(v.Cards)))
	for _, card := range v.Cards {
		seq, _ := strconv.ParseUint(card[2:12], 10, 64)
		b = binary.AppendUvarint(b, seq)
	}
	// The last activity comes after the cards, in Unix seconds, so that a view written before it
	// existed reads as one without a date.
	if !v.LastActivity.IsZero() {
		b = binary.AppendVarint(b, v.LastActivity.Unix())
	}
	return b
}

func decodeRemote(id comptoir.CustomerID, b []byte) (remoteView, error) {
	bad := comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "membre d'un autre magasin", EN: "member of another shop"})
	v := remoteView{ID: id}
	if len(b) < 2 || b[0] != remoteFormat {
		return v, bad
	}
	for st, code := range statusCodes {
		if code == b[1] {
			v.Status = st
		}
	}
	if v.Status == "" {
		return v, bad
	}
	b = b[2:]
	var fields [5]uint64
	for i := range fields {
		var n int
		if i == 2 {
			var x int64
			x, n = binary.Varint(b)
			fields[i] = uint64(x)
		} else {
			fields[i], n = binary.Uvarint(b)
		}
		if n <= 0 {
			return v, bad
		}
		b = b[n:]
	}
	v.Consent, v.Flags, v.Balance, v.AsOfTicket = fields[0], fields[1], int64(fields[2]), fields[3]
	for range fields[4] {
		seq, n := binary.Uvarint(b)
		if n <= 0 {
			return v, bad
		}
		b = b[n:]
		v.Cards = append(v.Cards, comptoir.CardNumber(seq))
	}
	if len(b) > 0 {
		sec, n := binary.Varint(b)
		if n <= 0 {
			return v, bad
		}
		v.LastActivity = time.Unix(sec, 0).UTC()
	}
	return v, nil
}

func putRemote(tx *bbolt.Tx, v remoteView) error {
	return tx.Bucket(bucketRemote).Put([]byte(v.ID), encodeRemote(v))
}

// getRemote reads the central's view of a member; ok is false when there is none.
func getRemote(tx *bbolt.Tx, id comptoir.CustomerID) (remoteView, bool, error) {
	b := tx.Bucket(bucketRemote).Get([]byte(id))
	if b == nil {
		return remoteView{}, false, nil
	}
	v, err := decodeRemote(id, b)
	return v, err == nil, err
}

// member is the view as the feed's type: what RemoteMember returns.
func (v remoteView) member() comptoir.RemoteMember {
	m := comptoir.RemoteMember{ID: v.ID, Cards: slices.Clone(v.Cards), Balance: v.Balance, AsOfTicket: v.AsOfTicket,
		Status: v.Status, Consent: map[comptoir.Channel]bool{}, LastActivity: v.LastActivity}
	for i, ch := range comptoir.Channels {
		m.Consent[ch] = v.Consent&(1<<i) != 0
	}
	for i, f := range knownFlags {
		if v.Flags&(1<<i) != 0 {
			m.Flags = append(m.Flags, f)
		}
	}
	return m
}

// customer is a member of another shop as the register shows them: no personal data.
func (v remoteView) customer() comptoir.Customer {
	return comptoir.Customer{ID: v.ID, Cards: slices.Clone(v.Cards), Status: v.Status, Remote: true}
}

// localRecord is the member record made when a member of another shop first does something here
// (a sale, a consent change, a request under the RGPD): it holds their points and tickets, never
// personal data. Its basis is the loyalty programme's contract, the one an enrolment gives when
// none is named; their enrolment date is the central's to know, so it stays zero.
func (v remoteView) localRecord(now time.Time) customerRecord {
	return customerRecord{ID: v.ID, Cards: slices.Clone(v.Cards), Basis: comptoir.BasisContract, Status: v.Status,
		LastActivity: now, Remote: true}
}

// RemoteMember returns the central's view of a member (a member of this shop or of another):
// balance as the central counts it, consent, status and flags; ok is false when the central sent
// none. The balance to show is MemberBalance, which adds this register's newer entries.
func (s *Store) RemoteMember(ctx context.Context, id comptoir.CustomerID) (comptoir.RemoteMember, bool, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.RemoteMember{}, false, err
	}
	var v remoteView
	var ok bool
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		v, ok, err = getRemote(tx, id)
		return err
	})
	if err != nil || !ok {
		return comptoir.RemoteMember{}, false, err
	}
	return v.member(), true, nil
}

// memberForUpdate reads a member's record for a change made here, making the record of a member
// of another shop on their first change (it is written by the caller, if at all): a member can
// buy, change a consent, stop processing or ask for erasure at any shop of the chain, and the
// change reaches the central in the outbox. It refuses an unknown member with
// CodeUnknownCustomer.
func memberForUpdate(tx *bbolt.Tx, id comptoir.CustomerID, now time.Time) (customerRecord, error) {
	rec, err := getCustomer(tx, id)
	if !isCode(err, comptoir.CodeRemoteMember) {
		return rec, err
	}
	v, _, err := getRemote(tx, id)
	if err != nil {
		return customerRecord{}, err
	}
	return v.localRecord(now), nil
}

// balanceOf is the balance to show and to redeem from: once the central sent its view, the
// central's balance (every register's ledger up to this register's ticket AsOfTicket) plus this
// register's own entries after that ticket; before, the member's own ledger here.
func (s *Store) balanceOf(tx *bbolt.Tx, rec customerRecord) (int64, error) {
	v, ok, err := getRemote(tx, rec.ID)
	if err != nil || !ok {
		return rec.Balance, err
	}
	sum := v.Balance
	err = eachEntry(tx, rec.ID, entryPoints, func(b []byte) error {
		var e comptoir.PointsEntry
		if err := decode(b, &e); err != nil {
			return err
		}
		if e.Register == string(s.register) && e.Ticket > v.AsOfTicket {
			sum += e.Points
		}
		return nil
	})
	return sum, err
}
