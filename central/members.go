package central

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// The central's projections: what it derives from the events registers push, kept up to date in
// the transaction that applies each event and advances the register's acknowledged sequence, so
// that a replayed batch (which never reaches that transaction) changes none of them, and a batch
// that fails changes all of them back. Every change a register has to learn appends one entry to
// the feed. The rules are here; each backend stores what they read and write through Tx.

// Member is a member as the central's projection holds them. It carries no personal data: that
// stays sealed (Seal), beside it, where an erasure destroys it.
type Member struct {
	ID     comptoir.CustomerID  `json:"id"`
	Cards  []string             `json:"cards,omitempty"`
	Basis  comptoir.LawfulBasis `json:"basis,omitempty"`
	Status comptoir.Status      `json:"status"`
	// Consent is the current consent per channel; a backend keeps only Granted and At (Stored).
	Consent map[comptoir.Channel]comptoir.ConsentEvent `json:"consent,omitempty"`
	Balance int64                                      `json:"balance"`
	Flags   []string                                   `json:"flags,omitempty"`
	// EnrolledAt is when the first enrolment the central applied was made.
	EnrolledAt time.Time `json:"enrolled_at,omitzero"`
	Registers  []string  `json:"registers,omitempty"`
	// Activity is the member's last activity at each register of Registers, in their order:
	// enrolment, sale, consent, rectification, stop or resume, dated as the central counts them
	// (see Arrival). Empty for a member kept before it was, until their next event.
	Activity []time.Time `json:"activity,omitempty"`
	// CentralActivity is the member's last consent change made at the central itself.
	CentralActivity time.Time `json:"central_activity,omitzero"`
	// Email is the member's key in the emails index, kept to delete it on a change or erasure.
	Email []byte `json:"email,omitempty"`
}

// Stored is the member as a backend keeps them: their consent per channel reduced to whether it
// is given and since when, which is all that decides the next change. Who recorded it, through
// what and with which remarks stay in the feed's consent entries and in the events, not in the
// projection, as data minimisation asks.
func (m Member) Stored() Member {
	if m.Consent == nil {
		return m
	}
	consent := make(map[comptoir.Channel]comptoir.ConsentEvent, len(m.Consent))
	for ch, ev := range m.Consent {
		consent[ch] = comptoir.ConsentEvent{Channel: ch, Granted: ev.Granted, At: ev.At}
	}
	m.Consent = consent
	return m
}

// NewMember is a member the central has not heard of yet, as Tx.Member returns them.
func NewMember(id comptoir.CustomerID) Member {
	return Member{ID: id, Status: comptoir.StatusActive}
}

// Seal is a member's sealed personal data as the central keeps it for the back office: their
// data key wrapped to the central key, and the data sealed under it.
type Seal struct {
	Key  []byte `json:"key"`
	Data []byte `json:"data"`
}

// FeedEntry is one change of the feed. Member entries name the member only: what a register
// receives is built from the projection when it asks, so that it always gets the current state.
// Its JSON is the embedded central's stored format.
type FeedEntry struct {
	// Origin is the register whose event made the change, "" for the central itself.
	Origin  string                 `json:"o,omitempty"`
	Kind    string                 `json:"k"`
	Member  comptoir.CustomerID    `json:"m,omitempty"`
	Hash    string                 `json:"h,omitempty"`
	Catalog uint64                 `json:"v,omitempty"`
	Consent *comptoir.ConsentEvent `json:"c,omitempty"`
}

// AuditEntry is one entry of the central's audit trail: who revealed, erased or changed a
// member's consent, and when.
type AuditEntry struct {
	At     time.Time           `json:"at"`
	Who    string              `json:"who"`
	Member comptoir.CustomerID `json:"member"`
	Action string              `json:"action"`
	Detail string              `json:"detail,omitempty"`
}

// The actions the central's audit trail records.
const (
	AuditReveal  = "reveal"
	AuditErase   = "erase"
	AuditConsent = "consent"
)

// Tx is what the rules read and write of a backend's projections, inside the one transaction
// that applies a change (a pushed event, or one made at the central). A backend may hold writes
// until its commit; reads must see the writes made before them in the same Tx.
type Tx interface {
	// Member is the member's projection; known is false (and m is NewMember(id)) for a member
	// the central never heard of.
	Member(id comptoir.CustomerID) (m Member, known bool, err error)
	PutMember(m *Member) error
	// CardOwner is the member a card was first enrolled to; ok is false for an unknown card.
	CardOwner(card string) (id comptoir.CustomerID, ok bool, err error)
	PutCard(card string, id comptoir.CustomerID) error
	// Seal is the member's sealed personal data; ok is false when none is kept.
	Seal(id comptoir.CustomerID) (s Seal, ok bool, err error)
	PutSeal(id comptoir.CustomerID, s Seal) error
	// DeleteSeal destroys the member's wrapped key and sealed data for good: an erasure. A
	// backend whose deletions leave the bytes on disk scrubs them once the transaction commits.
	DeleteSeal(id comptoir.CustomerID) error
	// EmailOwner is the member an email index key names; ok is false for none.
	EmailOwner(hash []byte) (id comptoir.CustomerID, ok bool, err error)
	PutEmail(hash []byte, id comptoir.CustomerID) error
	DeleteEmail(hash []byte) error
	// AddBlocked keeps a blocked identifier's hash with when the central learned it, and
	// reports whether it was new.
	AddBlocked(hash string, at time.Time) (added bool, err error)
	// AppendFeed adds a change at the end of the feed.
	AppendFeed(e FeedEntry) error
	// AppendAudit adds an entry to the central's audit trail.
	AppendAudit(a AuditEntry) error
	// CountCardConflict counts one more enrolment that used another member's card.
	CountCardConflict() error
}

// Erased reports whether the member is an erased member's tombstone.
func (m *Member) Erased() bool { return m.Status == comptoir.StatusErased }

// Flag sets or clears one of the member's flags, kept sorted.
func (m *Member) Flag(f string, on bool) {
	has := slices.Contains(m.Flags, f)
	switch {
	case on && !has:
		m.Flags = append(m.Flags, f)
		slices.Sort(m.Flags)
	case !on && has:
		m.Flags = slices.DeleteFunc(m.Flags, func(s string) bool { return s == f })
	}
}

// SeenAt records that a register recorded something for the member at at (zero for something
// that is no activity of theirs); it reports whether the member's state for the feed changed: a
// new register, or a later last activity.
func (m *Member) SeenAt(register string, at time.Time) bool {
	if len(m.Activity) != len(m.Registers) {
		// A member kept before activity was: their activity starts unknown at each register.
		m.Activity = make([]time.Time, len(m.Registers))
	}
	i, found := slices.BinarySearch(m.Registers, register)
	if !found {
		m.Registers = slices.Insert(m.Registers, i, register)
		m.Activity = slices.Insert(m.Activity, i, at)
		return true
	}
	if at.After(m.Activity[i]) {
		last := m.LastActivity()
		m.Activity[i] = at
		return at.After(last)
	}
	return false
}

// LastActivity is the member's latest activity anywhere in the chain.
func (m *Member) LastActivity() time.Time {
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
func (m *Member) activityElsewhere(register string) (time.Time, string) {
	last, where := m.CentralActivity, ""
	for i, t := range m.Activity {
		if i < len(m.Registers) && m.Registers[i] != register && t.After(last) {
			last, where = t, m.Registers[i]
		}
	}
	return last, where
}

// ApplyConsent keeps ev when it wins over the channel's current consent; it reports whether it
// did.
func (m *Member) ApplyConsent(ev comptoir.ConsentEvent) bool {
	if cur, ok := m.Consent[ev.Channel]; ok && !comptoir.LatestConsent(ev, cur) {
		return false
	}
	if m.Consent == nil {
		m.Consent = make(map[comptoir.Channel]comptoir.ConsentEvent, len(comptoir.Channels))
	}
	m.Consent[ev.Channel] = ev
	return true
}

// Remote is the member as the feed carries them.
func (m *Member) Remote(asOf uint64) comptoir.RemoteMember {
	consent := make(map[comptoir.Channel]bool, len(m.Consent))
	for ch, ev := range m.Consent {
		consent[ch] = ev.Granted
	}
	return comptoir.RemoteMember{ID: m.ID, Cards: slices.Clone(m.Cards), Balance: m.Balance, AsOfTicket: asOf,
		Consent: consent, Status: m.Status, Flags: slices.Clone(m.Flags), LastActivity: m.LastActivity()}
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

// Project applies an accepted event of register to the projections, in the transaction that
// stores it, now being when the central received it. It returns why the event can never be
// applied (it is then stored as rejected), or "".
func Project(tx Tx, keys *Keys, register string, e comptoir.Event, now time.Time) (string, error) {
	switch e.Type {
	case comptoir.EventSaleRecorded:
		return "", projectSale(tx, register, e.Payload, e.At, now)
	case comptoir.EventClosingRecorded, EventKeyRecorded, EventReprintRecorded, EventTechRecorded:
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
	// must reject its event rather than fail the batch forever.
	if !p.ID.Valid() {
		return "member event without a valid member id", nil
	}
	for _, card := range p.Cards {
		if comptoir.ValidateCard(card) != nil {
			return "enrolment with an invalid card", nil
		}
	}
	// The basis is kept in the member's projection: one that is not a basis's code could not be
	// shown, and a database may refuse what it holds (a NUL character).
	if p.Basis != "" && !slices.Contains(comptoir.LawfulBases(), p.Basis) {
		return "enrolment with an unknown lawful basis", nil
	}
	m, known, err := tx.Member(p.ID)
	if err != nil {
		return "", err
	}
	if m.Erased() {
		// Erasure wins over everything: what a register did before it learned of it changes
		// nothing, and personal data sent after it is not kept.
		return "", nil
	}
	at := Arrival(e.At, now)
	if e.Type == comptoir.EventCustomerErased {
		if reason := retentionRefusal(&m, register, p, at); reason != "" {
			return reason, nil
		}
		if err := erase(tx, &m); err != nil {
			return "", err
		}
		m.SeenAt(register, time.Time{})
		if err := tx.PutMember(&m); err != nil {
			return "", err
		}
		return "", tx.AppendFeed(FeedEntry{Origin: register, Kind: comptoir.ChangeErased, Member: m.ID})
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
	changed := m.SeenAt(register, at) || !known
	feed := []FeedEntry{}
	switch e.Type {
	case comptoir.EventCustomerEnrolled:
		if m.EnrolledAt.IsZero() {
			m.EnrolledAt = at
		}
		if m.Basis == "" {
			m.Basis = p.Basis
		}
		if err := takeCards(tx, register, &m, p.Cards); err != nil {
			return "", err
		}
		for _, ch := range comptoir.Channels {
			granted, ok := p.Consent[ch]
			if !ok {
				continue
			}
			m.ApplyConsent(comptoir.ConsentEvent{Channel: ch, Granted: granted, At: at, Via: comptoir.ViaRegister,
				By: register, Remarks: "enrolment"})
		}
		changed = true
		if err := keepSealed(tx, keys, &m, p.Sealed); err != nil {
			return "", err
		}
	case comptoir.EventCustomerUpdated:
		if err := keepSealed(tx, keys, &m, p.Sealed); err != nil {
			return "", err
		}
	case comptoir.EventCustomerConsent:
		ev := consent
		ev.At = Arrival(ev.At, now)
		if m.ApplyConsent(ev) {
			changed = true
		}
		feed = append(feed, FeedEntry{Origin: register, Kind: comptoir.ChangeConsent, Member: m.ID, Consent: &ev})
	case comptoir.EventCustomerStopped:
		changed = changed || m.Status != comptoir.StatusRestricted
		m.Status = comptoir.StatusRestricted
	case comptoir.EventCustomerResumed:
		changed = changed || m.Status != comptoir.StatusActive
		m.Status = comptoir.StatusActive
	}
	if err := tx.PutMember(&m); err != nil {
		return "", err
	}
	if changed {
		feed = append(feed, FeedEntry{Origin: register, Kind: comptoir.ChangeMember, Member: m.ID})
	}
	for _, f := range feed {
		if err := tx.AppendFeed(f); err != nil {
			return "", err
		}
	}
	return "", nil
}

// NamedMembers is the members and the cards a batch's events name, each sorted, so that a backend
// that locks rows may lock every one the batch may touch, in one order, before applying it. It
// reads the payloads as Project does, and no further: a name the rules then ignore only costs a
// lock, and a card's other owner, which Project may meet, is not among them.
func NamedMembers(events []comptoir.Event) ([]comptoir.CustomerID, []string) {
	var ids []comptoir.CustomerID
	var cards []string
	for _, e := range events {
		switch e.Type {
		case comptoir.EventSaleRecorded:
			if !bytes.Contains(e.Payload, []byte(`"customer_id"`)) {
				continue
			}
			var p recordEnvelope
			var t saleMemberPart
			if json.Unmarshal(e.Payload, &p) == nil && json.Unmarshal(p.Record, &t) == nil && t.CustomerID.Valid() {
				ids = append(ids, t.CustomerID)
			}
		case comptoir.EventCustomerEnrolled, comptoir.EventCustomerUpdated, comptoir.EventCustomerConsent,
			comptoir.EventCustomerStopped, comptoir.EventCustomerResumed, comptoir.EventCustomerErased:
			var p memberEventPayload
			if json.Unmarshal(e.Payload, &p) == nil && p.ID.Valid() {
				ids = append(ids, p.ID)
				cards = append(cards, p.Cards...)
			}
		}
	}
	slices.Sort(ids)
	slices.Sort(cards)
	return slices.Compact(ids), slices.Compact(cards)
}

// Arrival is when a change counts at the central: when it was made, unless that is after its
// arrival, a register's clock running ahead, when it counts at its arrival.
func Arrival(at, now time.Time) time.Time {
	if at.After(now) {
		return now.UTC()
	}
	return at.UTC()
}

// takeCards gives a member the cards of their enrolment. A card another member already owns stays
// with them: both are flagged and the conflict counted, never merged, since merging two people's
// points and consent on a guess is worse than asking the shop to look.
func takeCards(tx Tx, register string, m *Member, cards []string) error {
	for _, card := range cards {
		owner, ok, err := tx.CardOwner(card)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			if err := tx.PutCard(card, m.ID); err != nil {
				return err
			}
			if !slices.Contains(m.Cards, card) {
				m.Cards = append(m.Cards, card)
			}
		case owner == m.ID:
			if !slices.Contains(m.Cards, card) {
				m.Cards = append(m.Cards, card)
			}
		default:
			m.Flag(comptoir.FlagCardConflict, true)
			first, _, err := tx.Member(owner)
			if err != nil {
				return err
			}
			first.Flag(comptoir.FlagCardConflict, true)
			if err := tx.PutMember(&first); err != nil {
				return err
			}
			if err := tx.AppendFeed(FeedEntry{Origin: register, Kind: comptoir.ChangeMember, Member: first.ID}); err != nil {
				return err
			}
			if err := tx.CountCardConflict(); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepSealed keeps a member's newly sealed personal data, replacing what was kept, and indexes
// their email. Data the central cannot open (a register that pinned another central's key) is
// not kept: the back office could never read it, and the event still applies.
func keepSealed(tx Tx, keys *Keys, m *Member, s *comptoir.SealedPersonal) error {
	if s == nil || len(s.Key) == 0 {
		return nil
	}
	seal := Seal{Key: s.Key, Data: s.Data}
	p, err := keys.OpenSeal(m.ID, seal)
	if err != nil {
		return nil
	}
	if err := tx.PutSeal(m.ID, seal); err != nil {
		return err
	}
	if err := dropEmail(tx, m); err != nil {
		return err
	}
	if email, err := comptoir.NormalizeEmail(p.Email); err == nil {
		m.Email = keys.EmailHash(email)
		return tx.PutEmail(m.Email, m.ID)
	}
	return nil
}

// dropEmail takes the member out of the email index.
func dropEmail(tx Tx, m *Member) error {
	if m.Email == nil {
		return nil
	}
	if owner, ok, err := tx.EmailOwner(m.Email); err != nil {
		return err
	} else if ok && owner == m.ID {
		if err := tx.DeleteEmail(m.Email); err != nil {
			return err
		}
	}
	m.Email = nil
	return nil
}

// erase leaves the tombstone of an erased member: the wrapped key and the sealed data go, and
// with them the email index; the cards stay, so that the back office finds the tombstone by card
// and no one else is enrolled on them.
func erase(tx Tx, m *Member) error {
	if err := tx.DeleteSeal(m.ID); err != nil {
		return err
	}
	if err := dropEmail(tx, m); err != nil {
		return err
	}
	m.Status, m.Consent = comptoir.StatusErased, nil
	return nil
}

// recordEnvelope is the part of a record event's payload that holds the record.
type recordEnvelope struct {
	Record json.RawMessage `json:"record"`
}

// projectSale moves a member's balance by what a ticket earned and redeemed. The record carries
// signed figures (a refund takes points back with a negative PointsEarned and gives redeemed ones
// back with a negative PointsRedeemed), so every ticket adds earned minus redeemed, as the
// register's ledger does. A balance below zero, offline redemptions at two registers having spent
// the same points, flags the member and refuses nothing.
func projectSale(tx Tx, register string, payload []byte, at, now time.Time) error {
	// Most tickets are anonymous: looking for the field first spares them a second parse.
	if !bytes.Contains(payload, []byte(`"customer_id"`)) {
		return nil
	}
	var p recordEnvelope
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil
	}
	var t saleMemberPart
	if err := json.Unmarshal(p.Record, &t); err != nil || !t.CustomerID.Valid() || t.Training {
		return nil
	}
	m, _, err := tx.Member(t.CustomerID)
	if err != nil {
		return err
	}
	delta := t.PointsEarned - t.PointsRedeemed
	seen := m.SeenAt(register, Arrival(at, now))
	if delta == 0 && !seen {
		return nil
	}
	m.Balance += delta
	m.Flag(comptoir.FlagOverspent, m.Balance < 0)
	if err := tx.PutMember(&m); err != nil {
		return err
	}
	return tx.AppendFeed(FeedEntry{Origin: register, Kind: comptoir.ChangeMember, Member: m.ID})
}

// projectBlocked adds a blocked identifier's chain-wide hash. A register without the lookup key
// sends none: there is nothing the other registers could compare.
func projectBlocked(tx Tx, register, hash string, now time.Time) error {
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		return nil
	}
	added, err := tx.AddBlocked(hash, now.UTC())
	if err != nil || !added {
		return err
	}
	return tx.AppendFeed(FeedEntry{Origin: register, Kind: comptoir.ChangeBlocked, Hash: hash})
}

// StripWrappedKey takes the member's wrapped data key out of a member event's payload before the
// event is stored: the key goes to the member's Seal, which erasure deletes, while the events are
// only ever appended to. The sealed data stays in the event, unreadable without the key.
// Stripping is a function of the payload alone, so that a replay, stripped the same way,
// compares equal to what is stored.
func StripWrappedKey(typ string, payload []byte) []byte {
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
func retentionRefusal(m *Member, register string, p memberEventPayload, at time.Time) string {
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
