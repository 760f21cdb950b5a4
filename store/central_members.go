package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// The central's projections: what it derives from the events registers push, kept up to date in
// the transaction that applies each event and advances the register's acknowledged sequence, so
// that a replayed batch (which never reaches that transaction) changes none of them, and a batch
// that fails changes all of them back. Every change a register has to learn appends one entry to
// the feed, which Changes pages through.
//
// The buckets, beside those of central.go:
//
//	members/
//	    <member id>            -> centralMember: cards, basis, status, consent per channel,
//	                              balance, flags, registers and the member's last activity at
//	                              each, the email index key
//	cards/
//	    <card>                 -> member id of the card's first owner
//	memberkeys/
//	    <member id>            -> the member's data key wrapped to the central key and their
//	                              sealed personal data: erasure deletes it, which leaves every
//	                              copy of the sealed data (in the events too) unreadable
//	emails/
//	    <HMAC of the email>    -> member id, for MemberByEmail
//	blocked/
//	    <hex HMAC>             -> when the central learned it
//	feed/
//	    <seq>                  -> feedEntry: origin register, kind, member, hash or catalogue
//	catalogs/
//	    <version>              -> a price list PutCatalog stored
//	audit/
//	    <seq>                  -> who revealed, erased or changed a member's consent, and when
//	cardblocks/
//	    <register>             -> the first card sequence number of its block
var (
	bucketCMembers    = []byte("members")
	bucketCCards      = []byte("cards")
	bucketMemberKeys  = []byte("memberkeys")
	bucketEmails      = []byte("emails")
	bucketBlocked     = []byte("blocked")
	bucketFeed        = []byte("feed")
	bucketCatalogs    = []byte("catalogs")
	bucketCAudit      = []byte("audit")
	bucketCardBlocks  = []byte("cardblocks")
	keyCardConflicts  = []byte("card_conflicts")
	keyCardBlockCount = []byte("card_blocks")
)

// projectionBuckets are the buckets the projections need; OpenCentral creates those a central
// file of the first increment lacks.
var projectionBuckets = [][]byte{bucketCMembers, bucketCCards, bucketMemberKeys, bucketEmails,
	bucketBlocked, bucketFeed, bucketCatalogs, bucketCAudit, bucketCardBlocks}

// centralMember is a member as the central's projection holds them, stored in the binary form of
// central_codec.go. It carries no personal data: that stays sealed in memberkeys.
type centralMember struct {
	ID     comptoir.CustomerID
	Cards  []string
	Basis  comptoir.LawfulBasis
	Status comptoir.Status
	// Consent is the current consent per channel; only Granted and At are kept.
	Consent map[comptoir.Channel]comptoir.ConsentEvent
	Balance int64
	Flags   []string
	// EnrolledAt is when the first enrolment the central applied was made.
	EnrolledAt time.Time
	Registers  []string
	// Activity is the member's last activity at each register of Registers, in their order:
	// enrolment, sale, consent, rectification, stop or resume, dated as the central counts them
	// (see arrival). Empty for a member of format 2 until their next event.
	Activity []time.Time
	// CentralActivity is the member's last consent change made at the central itself.
	CentralActivity time.Time
	// Email is the member's key in the emails index, kept to delete it on a change or erasure.
	Email []byte
}

// memberSeal is the member's sealed personal data as the central keeps it for the back office.
type memberSeal struct {
	Key  []byte `json:"key"`
	Data []byte `json:"data"`
}

// feedEntry is one change of the feed. Member entries name the member only: what a register
// receives is built from the projection when it asks, so that it always gets the current state.
type feedEntry struct {
	// Origin is the register whose event made the change, "" for the central itself.
	Origin  string                 `json:"o,omitempty"`
	Kind    string                 `json:"k"`
	Member  comptoir.CustomerID    `json:"m,omitempty"`
	Hash    string                 `json:"h,omitempty"`
	Catalog uint64                 `json:"v,omitempty"`
	Consent *comptoir.ConsentEvent `json:"c,omitempty"`
}

// centralAudit is one entry of the central's audit trail.
type centralAudit struct {
	At     time.Time           `json:"at"`
	Who    string              `json:"who"`
	Member comptoir.CustomerID `json:"member"`
	Action string              `json:"action"`
	Detail string              `json:"detail,omitempty"`
}

// The actions the central's audit trail records.
const (
	auditReveal  = "reveal"
	auditErase   = "erase"
	auditConsent = "consent"
)

func (m *centralMember) erased() bool { return m.Status == comptoir.StatusErased }

func (m *centralMember) flag(f string, on bool) {
	has := slices.Contains(m.Flags, f)
	switch {
	case on && !has:
		m.Flags = append(m.Flags, f)
		slices.Sort(m.Flags)
	case !on && has:
		m.Flags = slices.DeleteFunc(m.Flags, func(s string) bool { return s == f })
	}
}

// seenAt records that a register recorded something for the member at at (zero for something
// that is no activity of theirs); it reports whether the member's state for the feed changed: a
// new register, or a later last activity.
func (m *centralMember) seenAt(register string, at time.Time) bool {
	if len(m.Activity) != len(m.Registers) {
		// A member of format 2: their activity starts unknown at each register.
		m.Activity = make([]time.Time, len(m.Registers))
	}
	i, found := slices.BinarySearch(m.Registers, register)
	if !found {
		m.Registers = slices.Insert(m.Registers, i, register)
		m.Activity = slices.Insert(m.Activity, i, at)
		return true
	}
	if at.After(m.Activity[i]) {
		last := m.lastActivity()
		m.Activity[i] = at
		return at.After(last)
	}
	return false
}

// lastActivity is the member's latest activity anywhere in the chain.
func (m *centralMember) lastActivity() time.Time {
	last := m.CentralActivity
	for _, t := range m.Activity {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// activityElsewhere is the member's latest activity at another register than register, or at
// the central itself, with where it was ("" for the central).
func (m *centralMember) activityElsewhere(register string) (time.Time, string) {
	last, where := m.CentralActivity, ""
	for i, t := range m.Activity {
		if m.Registers[i] != register && t.After(last) {
			last, where = t, m.Registers[i]
		}
	}
	return last, where
}

// applyConsent keeps ev when it wins over the channel's current consent; it reports whether it
// did.
func (m *centralMember) applyConsent(ev comptoir.ConsentEvent) bool {
	if cur, ok := m.Consent[ev.Channel]; ok && !comptoir.LatestConsent(ev, cur) {
		return false
	}
	if m.Consent == nil {
		m.Consent = make(map[comptoir.Channel]comptoir.ConsentEvent, len(comptoir.Channels))
	}
	m.Consent[ev.Channel] = ev
	return true
}

// remote is the member as the feed carries them.
func (m *centralMember) remote(asOf uint64) comptoir.RemoteMember {
	consent := make(map[comptoir.Channel]bool, len(m.Consent))
	for ch, ev := range m.Consent {
		consent[ch] = ev.Granted
	}
	return comptoir.RemoteMember{ID: m.ID, Cards: slices.Clone(m.Cards), Balance: m.Balance, AsOfTicket: asOf,
		Consent: consent, Status: m.Status, Flags: slices.Clone(m.Flags), LastActivity: m.lastActivity()}
}

// appendFeed adds one change at the end of the feed.
func appendFeed(tx *bbolt.Tx, e feedEntry) error {
	feed := tx.Bucket(bucketFeed)
	feed.FillPercent = 1
	seq, err := feed.NextSequence()
	if err != nil {
		return err
	}
	return feed.Put(itob(seq), encode(e))
}

// appendCentralAudit adds one entry to the central's audit trail.
func appendCentralAudit(tx *bbolt.Tx, a centralAudit) error {
	b := tx.Bucket(bucketCAudit)
	b.FillPercent = 1
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	a.At, a.Who = a.At.UTC(), comptoir.CleanText(a.Who)
	return b.Put(itob(seq), encode(a))
}

// memberEventPayload is the part of a member event's payload the projections read; each type
// fills its own fields.
type memberEventPayload struct {
	ID      comptoir.CustomerID       `json:"id"`
	Cards   []string                  `json:"cards"`
	Basis   comptoir.LawfulBasis      `json:"basis"`
	Consent map[comptoir.Channel]bool `json:"consent"`
	Sealed  *comptoir.SealedPersonal  `json:"sealed"`
	Event   *comptoir.ConsentEvent    `json:"event"`
	Hash    string                    `json:"hash"`
	// Reason and LastActivity come with an erasure: "retention" for the retention purge, with
	// the member's last activity as the erasing register knew it.
	// LastActivity is read as text so that an empty or unreadable date counts as none rather
	// than making the whole event unreadable.
	Reason       string `json:"reason"`
	LastActivity string `json:"last_activity"`
}

// saleMemberPart is the part of a ticket record that moves a member's points.
type saleMemberPart struct {
	CustomerID     comptoir.CustomerID `json:"customer_id"`
	Training       bool                `json:"training"`
	PointsEarned   int64               `json:"points_earned"`
	PointsRedeemed int64               `json:"points_redeemed"`
}

// project applies an accepted event to the projections, in the transaction that stores it. It
// returns why the event can never be applied (it is then stored as rejected), or "".
func (c *Central) project(tx *bbolt.Tx, register string, e comptoir.Event, now time.Time) (string, error) {
	switch e.Type {
	case comptoir.EventSaleRecorded:
		return "", c.projectSale(tx, register, e.Payload, e.At, now)
	case comptoir.EventClosingRecorded, eventKeyRecorded, eventReprintRecorded, eventTechRecorded:
		return "", nil
	}
	var p memberEventPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return "payload is not a member event", nil
	}
	if e.Type == comptoir.EventEmailBlocked {
		return "", projectBlocked(tx, register, p.Hash, now)
	}
	// A member ID or a card is a key of the projections: one that no register could have made
	// (bbolt refuses keys over 32 KiB) must reject its event rather than fail the batch forever.
	if !validCustomerID(p.ID) {
		return "member event without a valid member id", nil
	}
	for _, card := range p.Cards {
		if comptoir.ValidateCard(card) != nil {
			return "enrolment with an invalid card", nil
		}
	}
	m, known, err := getCentralMember(tx, p.ID)
	if err != nil {
		return "", err
	}
	if m.erased() {
		// Erasure wins over everything: what a register did before it learned of it changes
		// nothing, and personal data sent after it is not kept.
		return "", nil
	}
	at := arrival(e.At, now)
	if e.Type == comptoir.EventCustomerErased {
		if reason := retentionRefusal(&m, register, p, at); reason != "" {
			return reason, nil
		}
		if err := eraseCentralMember(tx, &m); err != nil {
			return "", err
		}
		m.seenAt(register, time.Time{})
		if err := putCentralMember(tx, &m); err != nil {
			return "", err
		}
		return "", appendFeed(tx, feedEntry{Origin: register, Kind: comptoir.ChangeErased, Member: m.ID})
	}
	var consent comptoir.ConsentEvent
	if e.Type == comptoir.EventCustomerConsent {
		// Checked before anything changes: a consent event that a register would refuse must
		// never reach the feed, where it would stop every other register's pull.
		if p.Event == nil {
			return "consent event without its consent", nil
		}
		var reason string
		if consent, reason = checkConsentEvent(*p.Event); reason != "" {
			return reason, nil
		}
	}
	changed := m.seenAt(register, at) || !known
	feed := []feedEntry{}
	switch e.Type {
	case comptoir.EventCustomerEnrolled:
		if m.EnrolledAt.IsZero() {
			m.EnrolledAt = arrival(e.At, now)
		}
		if m.Basis == "" {
			m.Basis = p.Basis
		}
		if err := c.takeCards(tx, register, &m, p.Cards); err != nil {
			return "", err
		}
		for _, ch := range comptoir.Channels {
			granted, ok := p.Consent[ch]
			if !ok {
				continue
			}
			ev := comptoir.ConsentEvent{Channel: ch, Granted: granted, At: arrival(e.At, now), Via: comptoir.ViaRegister,
				By: register, Remarks: "enrolment"}
			m.applyConsent(ev)
		}
		changed = true
		if err := c.keepSealed(tx, &m, p.Sealed); err != nil {
			return "", err
		}
	case comptoir.EventCustomerUpdated:
		if err := c.keepSealed(tx, &m, p.Sealed); err != nil {
			return "", err
		}
	case comptoir.EventCustomerConsent:
		ev := consent
		ev.At = arrival(ev.At, now)
		if m.applyConsent(ev) {
			changed = true
		}
		feed = append(feed, feedEntry{Origin: register, Kind: comptoir.ChangeConsent, Member: m.ID, Consent: &ev})
	case comptoir.EventCustomerStopped:
		changed = changed || m.Status != comptoir.StatusRestricted
		m.Status = comptoir.StatusRestricted
	case comptoir.EventCustomerResumed:
		changed = changed || m.Status != comptoir.StatusActive
		m.Status = comptoir.StatusActive
	}
	if err := putCentralMember(tx, &m); err != nil {
		return "", err
	}
	if changed {
		feed = append(feed, feedEntry{Origin: register, Kind: comptoir.ChangeMember, Member: m.ID})
	}
	for _, f := range feed {
		if err := appendFeed(tx, f); err != nil {
			return "", err
		}
	}
	return "", nil
}

// arrival is when a change counts at the central: when it was made, unless that is after its
// arrival, a register's clock running ahead, when it counts at its arrival.
func arrival(at, now time.Time) time.Time {
	if at.After(now) {
		return now.UTC()
	}
	return at.UTC()
}

// takeCards gives a member the cards of their enrolment. A card another member already owns stays
// with them: both are flagged and the conflict counted, never merged, since merging two people's
// points and consent on a guess is worse than asking the shop to look.
func (c *Central) takeCards(tx *bbolt.Tx, register string, m *centralMember, cards []string) error {
	idx := tx.Bucket(bucketCCards)
	for _, card := range cards {
		owner := idx.Get([]byte(card))
		switch {
		case owner == nil:
			if err := idx.Put([]byte(card), []byte(m.ID)); err != nil {
				return err
			}
			if !slices.Contains(m.Cards, card) {
				m.Cards = append(m.Cards, card)
			}
		case string(owner) == string(m.ID):
			if !slices.Contains(m.Cards, card) {
				m.Cards = append(m.Cards, card)
			}
		default:
			m.flag(comptoir.FlagCardConflict, true)
			first, _, err := getCentralMember(tx, comptoir.CustomerID(owner))
			if err != nil {
				return err
			}
			first.flag(comptoir.FlagCardConflict, true)
			if err := putCentralMember(tx, &first); err != nil {
				return err
			}
			if err := appendFeed(tx, feedEntry{Origin: register, Kind: comptoir.ChangeMember, Member: first.ID}); err != nil {
				return err
			}
			central := tx.Bucket(bucketCentral)
			var n uint64
			if v := central.Get(keyCardConflicts); len(v) == 8 {
				n = btoi(v)
			}
			if err := central.Put(keyCardConflicts, itob(n+1)); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepSealed keeps a member's newly sealed personal data, replacing what was kept, and indexes
// their email. Data the central cannot open (a register that pinned another central's key) is
// not kept: the back office could never read it, and the event still applies.
func (c *Central) keepSealed(tx *bbolt.Tx, m *centralMember, s *comptoir.SealedPersonal) error {
	if s == nil || len(s.Key) == 0 {
		return nil
	}
	dk, err := comptoir.UnwrapDataKey(c.keys.private, s.Key, m.ID)
	if err != nil {
		return nil
	}
	p, err := comptoir.OpenPersonalData(dk, s.Data, m.ID)
	zero(dk)
	if err != nil {
		return nil
	}
	if err := tx.Bucket(bucketMemberKeys).Put([]byte(m.ID), encode(memberSeal{Key: s.Key, Data: s.Data})); err != nil {
		return err
	}
	emails := tx.Bucket(bucketEmails)
	if m.Email != nil {
		if owner := emails.Get(m.Email); string(owner) == string(m.ID) {
			if err := emails.Delete(m.Email); err != nil {
				return err
			}
		}
		m.Email = nil
	}
	if email, err := comptoir.NormalizeEmail(p.Email); err == nil {
		m.Email = c.keys.emailHash(email)
		return emails.Put(m.Email, []byte(m.ID))
	}
	return nil
}

// eraseCentralMember leaves the tombstone of an erased member: the wrapped key and the sealed
// data go, and with them the email index; the cards stay, so that the back office finds the
// tombstone by card and no one else is enrolled on them. The file is marked for compaction, so
// that no freed page keeps the wrapped key (see central_compact.go).
func eraseCentralMember(tx *bbolt.Tx, m *centralMember) error {
	if err := tx.Bucket(bucketMemberKeys).Delete([]byte(m.ID)); err != nil {
		return err
	}
	if err := markCentralCompactPending(tx); err != nil {
		return err
	}
	if m.Email != nil {
		emails := tx.Bucket(bucketEmails)
		if owner := emails.Get(m.Email); string(owner) == string(m.ID) {
			if err := emails.Delete(m.Email); err != nil {
				return err
			}
		}
	}
	m.Email, m.Status, m.Consent = nil, comptoir.StatusErased, nil
	return nil
}

// projectSale moves a member's balance by what a ticket earned and redeemed. The record carries
// signed figures (a refund takes points back with a negative PointsEarned and gives redeemed ones
// back with a negative PointsRedeemed), so every ticket adds earned minus redeemed, as the
// register's ledger does. A balance below zero, offline redemptions at two registers having spent
// the same points, flags the member and refuses nothing.
func (c *Central) projectSale(tx *bbolt.Tx, register string, payload []byte, at, now time.Time) error {
	// Most tickets are anonymous: looking for the field first spares them a second parse.
	if !bytes.Contains(payload, []byte(`"customer_id"`)) {
		return nil
	}
	var p eventPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil
	}
	var t saleMemberPart
	if err := json.Unmarshal(p.Record, &t); err != nil || !validCustomerID(t.CustomerID) || t.Training {
		return nil
	}
	m, _, err := getCentralMember(tx, t.CustomerID)
	if err != nil {
		return err
	}
	delta := t.PointsEarned - t.PointsRedeemed
	seen := m.seenAt(register, arrival(at, now))
	if delta == 0 && !seen {
		return nil
	}
	m.Balance += delta
	m.flag(comptoir.FlagOverspent, m.Balance < 0)
	if err := putCentralMember(tx, &m); err != nil {
		return err
	}
	return appendFeed(tx, feedEntry{Origin: register, Kind: comptoir.ChangeMember, Member: m.ID})
}

// projectBlocked adds a blocked identifier's chain-wide hash. A register without the lookup key
// sends none: there is nothing the other registers could compare.
func projectBlocked(tx *bbolt.Tx, register, hash string, now time.Time) error {
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		return nil
	}
	blocked := tx.Bucket(bucketBlocked)
	if blocked.Get([]byte(hash)) != nil {
		return nil
	}
	if err := blocked.Put([]byte(hash), encode(now)); err != nil {
		return err
	}
	return appendFeed(tx, feedEntry{Origin: register, Kind: comptoir.ChangeBlocked, Hash: hash})
}

// stripWrappedKey takes the member's wrapped data key out of a member event's payload before the
// event is stored: the key goes to memberkeys, which erasure deletes, while the events are only
// ever appended to. The sealed data stays in the event, unreadable without the key. Stripping is
// a function of the payload alone, so that a replay, stripped the same way, compares equal to
// what is stored.
func stripWrappedKey(typ string, payload []byte) []byte {
	if typ != comptoir.EventCustomerEnrolled && typ != comptoir.EventCustomerUpdated ||
		!bytes.Contains(payload, []byte(`"sealed"`)) {
		return payload
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil {
		return payload
	}
	var s comptoir.SealedPersonal
	if err := json.Unmarshal(fields["sealed"], &s); err != nil || len(s.Key) == 0 {
		return payload
	}
	data, err := json.Marshal(struct {
		Data []byte `json:"data"`
	}{s.Data})
	if err != nil {
		return payload
	}
	fields["sealed"] = data
	out, err := json.Marshal(fields)
	if err != nil {
		return payload
	}
	return out
}

// Bounds of what a consent event may carry, as a register's applier checks them: who recorded it
// and the notice's version are short names, the remarks a sentence.
const (
	maxConsentBy      = 64
	maxConsentNotice  = 64
	maxConsentRemarks = 256
)

// checkConsentEvent checks a consent event a register pushed as every register checks one it
// pulls (a known channel, a known way it was given, a date, short texts cleaned), so that the
// feed never carries one a register refuses. It returns the event cleaned, or why it can never
// be applied.
func checkConsentEvent(ev comptoir.ConsentEvent) (comptoir.ConsentEvent, string) {
	if _, err := comptoir.ParseChannel(string(ev.Channel)); err != nil {
		return ev, "consent of an unknown channel"
	}
	if ev.Via != "" {
		if _, err := comptoir.ParseConsentVia(string(ev.Via)); err != nil {
			return ev, "consent given through an unknown way"
		}
	}
	if ev.At.IsZero() {
		return ev, "consent without a date"
	}
	ev.By, ev.NoticeVersion, ev.Remarks = comptoir.CleanText(ev.By), comptoir.CleanText(ev.NoticeVersion), comptoir.CleanText(ev.Remarks)
	switch {
	case utf8.RuneCountInString(ev.By) > maxConsentBy:
		return ev, "consent recorded by a name too long"
	case utf8.RuneCountInString(ev.NoticeVersion) > maxConsentNotice:
		return ev, "consent with a notice version too long"
	case utf8.RuneCountInString(ev.Remarks) > maxConsentRemarks:
		return ev, "consent with remarks too long"
	}
	return ev, ""
}

// retentionWindow is how far back, without the erasing register's last activity in the event, an
// activity elsewhere makes a retention erasure wrong: the longest retention a shop may set.
const retentionWindow = 3 * 365 * 24 * time.Hour

// retentionReason is the reason a retention purge's erasure carries.
const retentionReason = "retention"

// retentionRefusal says why a retention erasure must not apply, or "": the purge at one shop
// judges by what that shop saw, and a member active elsewhere since is not inactive. The event
// carries the member's last activity as the erasing register knew it; any activity the central
// knows at another register (or at the central) after it refuses the erasure. An erasure without
// it (from a register before this check) is refused when the member was active elsewhere within
// retentionWindow before the erasure was made (at). Erasures at the member's request (no
// reason) always apply.
func retentionRefusal(m *centralMember, register string, p memberEventPayload, at time.Time) string {
	if p.Reason != retentionReason {
		return ""
	}
	last, where := m.activityElsewhere(register)
	if last.IsZero() {
		return ""
	}
	since, err := time.Parse(time.RFC3339Nano, p.LastActivity)
	if err != nil || since.IsZero() {
		since = at.Add(-retentionWindow)
	}
	// Registers write the date to the second (RFC 3339): an activity within the second it
	// names is the one it knew, not a later one.
	if !last.Truncate(time.Second).After(since) {
		return ""
	}
	if where == "" {
		where = "the central"
	} else {
		where = "register " + where
	}
	return fmt.Sprintf("retention erasure of a member active at %s on %s, after %s", where,
		last.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
}
