package central

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/comptoir/comptoir"
)

// The outbox event types of the records besides tickets and closings.
const (
	EventReprintRecorded = "reprint.recorded"
	EventTechRecorded    = "technical.recorded"
	EventKeyRecorded     = "key.recorded"
)

// kindOfEvent is the record kind an event type points at.
var kindOfEvent = map[string]comptoir.RecordKind{
	comptoir.EventSaleRecorded: comptoir.TicketRecord, comptoir.EventClosingRecorded: comptoir.ClosingRecord,
	EventReprintRecorded: comptoir.ReprintRecord, EventTechRecorded: comptoir.EventRecord, EventKeyRecorded: comptoir.KeyRecord,
}

// KindOfEvent is the record kind an event type carries; ok is false for an event that carries
// no record (a member's, or a type this version does not know).
func KindOfEvent(eventType string) (kind comptoir.RecordKind, ok bool) {
	kind, ok = kindOfEvent[eventType]
	return kind, ok
}

// Register is what the central holds of a register, as stored (its JSON is the stored format:
// field names and tags never change): its acknowledged sequence, its figures, the tips of its
// chains that the next records must link to, and the first break found in them.
type Register struct {
	AckedSeq    uint64         `json:"acked_seq"`
	Tickets     uint64         `json:"tickets"`
	GrandTotal  comptoir.Money `json:"grand_total"`
	LastTicket  uint64         `json:"last_ticket"`
	LastClosing uint64         `json:"last_closing_number"`
	LastHash    string         `json:"last_hash"`
	ChainBroken bool           `json:"chain_broken,omitempty"`
	ChainBreak  string         `json:"chain_break,omitempty"`
	LastPeriod  string         `json:"last_period,omitempty"`
	LastSeen    time.Time      `json:"last_seen"`
	Rejected    uint64         `json:"rejected,omitempty"`
	Conflicts   uint64         `json:"conflicts,omitempty"`
	// Demo and Software are what the register said of itself at its last set-up.
	Demo     bool   `json:"demo,omitempty"`
	Software string `json:"software,omitempty"`
	// BreakSeq is the sequence number of the event that holds ChainBreak, so that a signature
	// break the auditor finds after the push of a later link break still names the first; 0 in
	// a summary written before it was kept.
	BreakSeq uint64 `json:"break_seq,omitempty"`
	// The tips of the key, reprint and technical event chains (FromHolds, Apply). What the
	// signature checks hold and count is the auditor's (Audit).
	LastKey     uint64 `json:"last_key,omitempty"`
	KeyHash     string `json:"key_hash,omitempty"`
	LastReprint uint64 `json:"last_reprint,omitempty"`
	ReprintHash string `json:"reprint_hash,omitempty"`
	LastEvent   uint64 `json:"last_event,omitempty"`
	EventHash   string `json:"event_hash,omitempty"`
	// LegacyKeys are the keys a central that checked signatures in the push kept here: only
	// their number is read, as LastKey, and the summary is written again without them. The
	// auditor checks such a register's signatures again from its first event.
	LegacyKeys []json.RawMessage `json:"keys,omitempty"`
	// seq is the sequence number of the event being applied, for BreakSeq; never stored.
	seq uint64
}

// knownEventTypes are the event types registers send. Any other is rejected: a newer register's
// event this central cannot apply waits, stored, for a central that can.
var knownEventTypes = map[string]bool{
	comptoir.EventSaleRecorded: true, comptoir.EventClosingRecorded: true,
	comptoir.EventCustomerEnrolled: true, comptoir.EventCustomerUpdated: true,
	comptoir.EventCustomerConsent: true, comptoir.EventCustomerStopped: true,
	comptoir.EventCustomerResumed: true, comptoir.EventCustomerErased: true,
	comptoir.EventEmailBlocked: true,
	EventKeyRecorded:           true, EventReprintRecorded: true, EventTechRecorded: true,
}

// ticketPart is the part of a ticket record the central's figures and chain check read.
type ticketPart struct {
	Register   string         `json:"register"`
	Number     uint64         `json:"number"`
	Training   bool           `json:"training"`
	Total      comptoir.Money `json:"total"`
	GrandTotal comptoir.Money `json:"grand_total"`
	PrevHash   string         `json:"prev_hash"`
}

// closingPart is the part of a closing record the central reads.
type closingPart struct {
	Register   string         `json:"register"`
	Number     uint64         `json:"number"`
	Period     string         `json:"period"`
	GrandTotal comptoir.Money `json:"grand_total"`
	PrevHash   string         `json:"prev_hash"`
}

// Apply counts a new event, the one after st.AckedSeq, in the summary of the register that
// pushed it and checks its link to its chain; its signature is the auditor's (Audit). It returns
// why the event can never be applied, or "" once it is. It does not advance AckedSeq, nor touch
// LastSeen, Rejected or Conflicts, which are the storage's to keep with the event it stores.
func (st *Register) Apply(register string, e comptoir.Event) string {
	st.seq = e.Seq
	payload := e.Payload
	if !knownEventTypes[e.Type] {
		return "unknown event type " + e.Type
	}
	kind, isRecord := kindOfEvent[e.Type]
	if !isRecord {
		// Members' events are kept for the features that read them; their payload only has to
		// be a JSON object for now.
		if !json.Valid(payload) || bytes.TrimLeft(payload, " \t\r\n")[0] != '{' {
			return "payload is not a JSON object"
		}
		return ""
	}
	var t ticketPart
	var cl closingPart
	var k comptoir.SigningKeyRecord
	var n numberedPart
	var record any
	switch kind {
	case comptoir.TicketRecord:
		record = &t
	case comptoir.ClosingRecord:
		record = &cl
	case comptoir.KeyRecord:
		record = &k
	default:
		record = &n
	}
	// The payload as RecordPayload writes it is split without a pass over the record. The split
	// is what encoding/json reads only when the record is valid JSON, which unmarshalling it
	// checks; else the payload is read the long way, for the same answers in the same order.
	p, split := SplitRecordPayload(payload)
	var recordErr error
	if split {
		if split = json.Unmarshal(p.Record, record) == nil; !split {
			t, cl, k, n, p = ticketPart{}, closingPart{}, comptoir.SigningKeyRecord{}, numberedPart{}, RecordEvent{}
		}
	}
	if !split {
		if err := json.Unmarshal(payload, &p); err != nil || len(p.Record) == 0 || p.Record[0] != '{' {
			return "payload is not a journal record"
		}
	}
	if p.Register != register {
		return fmt.Sprintf("record of register %q pushed by %q", p.Register, register)
	}
	hashOK := recordHashIs(p.Record, p.Hash)
	if !split {
		recordErr = json.Unmarshal(p.Record, record)
	}
	switch kind {
	case comptoir.TicketRecord:
		if recordErr != nil || t.Register != register || t.Number == 0 {
			return "record is not a ticket of this register"
		}
		ref := comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: t.Number}
		if !t.Training {
			st.Tickets++
			st.GrandTotal += t.Total
		}
		st.check(ref, hashOK && t.Number == st.LastTicket+1 && t.PrevHash == st.LastHash && t.GrandTotal == st.GrandTotal)
		st.LastTicket, st.LastHash = t.Number, tipHash(p.Hash)
	case comptoir.ClosingRecord:
		if recordErr != nil || cl.Register != register || cl.Number == 0 {
			return "record is not a closing of this register"
		}
		if _, err := comptoir.ParsePeriod(cl.Period); err != nil {
			return "closing of no valid period"
		}
		ref := comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: cl.Number}
		st.check(ref, hashOK && cl.Number == st.LastClosing+1 && cl.PrevHash == st.LastHash && cl.GrandTotal == st.GrandTotal)
		st.LastClosing, st.LastHash, st.LastPeriod = cl.Number, tipHash(p.Hash), cl.Period
	case comptoir.KeyRecord:
		if recordErr != nil || k.Register != register || k.Number == 0 {
			return "record is not a key record of this register"
		}
		st.applyKey(&k, p, hashOK)
	default:
		if recordErr != nil || n.Register != register || n.Number == 0 {
			return fmt.Sprintf("record is not a %s of this register", kind)
		}
		// Reprints and technical events are chains of their own, each record holding the hash
		// of the one before it in its chain.
		last, tip := &st.LastReprint, &st.ReprintHash
		if kind == comptoir.EventRecord {
			last, tip = &st.LastEvent, &st.EventHash
		}
		ref := comptoir.RecordRef{Kind: kind, Number: n.Number}
		st.check(ref, hashOK && n.Number == *last+1 && n.PrevHash == *tip)
		*last, *tip = n.Number, tipHash(p.Hash)
	}
	return ""
}

// tipHash is the hash a chain's tip keeps of a record: the hash pushed with it when it is one (64
// lowercase hexadecimal digits), the register's own, which the next record links to even when
// these bytes were altered; anything else is no hash, and the next record's link breaks. A value
// that is not a hash is never kept: it is stored in the summary, where a database may refuse
// what it holds (a NUL character), and no record could link to it anyway.
func tipHash(h string) string {
	if len(h) != sha256.Size*2 {
		return ""
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return ""
		}
	}
	return h
}

// recordHashIs reports whether a pushed record's bytes hash to the hash pushed with it. The
// register hashed the bytes encoding/json wrote (compact, HTML escaped); a JSON layer between the
// two that re-indented the payload is undone by writing the record that way again, which costs a
// pass over it only when the bytes as they came do not match.
func recordHashIs(record []byte, want string) bool {
	sum := sha256.Sum256(record)
	if hex.EncodeToString(sum[:]) == want {
		return true
	}
	norm, err := json.Marshal(json.RawMessage(record))
	if err != nil {
		return false
	}
	sum = sha256.Sum256(norm)
	return hex.EncodeToString(sum[:]) == want
}

// check flags the first record that does not link to the chain. The record is kept and counted
// all the same: the central holds what the register recorded, and the flag says it is not sound.
func (st *Register) check(ref comptoir.RecordRef, ok bool) {
	if !ok {
		st.flag(ref.Format(comptoir.LangEN))
	}
}

// flag names the first break of a register's links, found by the push of the event being
// applied; the auditor names a signature's (FlagAudit).
func (st *Register) flag(what string) {
	if !st.ChainBroken {
		st.ChainBroken, st.ChainBreak, st.BreakSeq = true, what, st.seq
	}
}

// The central checks every pushed record's signature with the register's public key, which the
// register's key records declare in its key chain: a record edited on the register's disk, its
// hash and every later link recomputed, still links to the chain, but only the key's holder can
// sign it again. A push checks only what is cheap and must be answered at once: the hash, link
// and number of every chain's records (tickets and closings, reprints, technical events, keys)
// and where a key record says the chains stand. The signatures, an Ed25519 verification each
// (about 50 µs of CPU, more than everything else the central does with a ticket), are checked
// just after, by the auditor (Audit), so that a register never waits for them.

// Key is a register's signing key as its key record declared it.
type Key struct {
	Number uint64             `json:"number"`
	Reason comptoir.KeyReason `json:"reason"`
	// Public is nil when the record's public key did not decode: every record it should have
	// signed is then flagged.
	Public ed25519.PublicKey `json:"public"`
	// From is, per chain, the number of the last record made before the key: it signs the ones
	// after, until the next key.
	From map[comptoir.Chain]uint64 `json:"from,omitempty"`
}

// numberedPart is the part of a reprint or technical event record the central reads.
type numberedPart struct {
	Register string `json:"register"`
	Number   uint64 `json:"number"`
	PrevHash string `json:"prev_hash"`
}

// LastOf is the number of the last record of a chain the central holds.
func (st *Register) LastOf(c comptoir.Chain) uint64 {
	switch c {
	case comptoir.ChainTickets:
		return st.LastTicket
	case comptoir.ChainClosings:
		return st.LastClosing
	case comptoir.ChainReprints:
		return st.LastReprint
	case comptoir.ChainEvents:
		return st.LastEvent
	case comptoir.ChainKeys:
		return st.LastKey
	}
	return 0
}

// FromHolds reports whether a key record's From says where every chain stands at the central
// when the key comes: the register writes it from the same chain heads, in the transaction that
// queues the key's event before any record the key signs. A From set further on would exempt
// records from signing; one set behind would claim records the key never signed.
func (st *Register) FromHolds(from map[comptoir.Chain]uint64) bool {
	for c, n := range from {
		if !slices.Contains(comptoir.Chains, c) || n != st.LastOf(c) {
			return false
		}
	}
	for _, c := range comptoir.Chains {
		if _, ok := from[c]; !ok && st.LastOf(c) != 0 {
			return false
		}
	}
	return true
}

// applyKey checks a key record's place in the key chain: its hash, its link and number, and its
// From against where the chains stand. Its signature, and which key must have made it, are the
// auditor's (Audit.Plan).
func (st *Register) applyKey(k *comptoir.SigningKeyRecord, p RecordEvent, hashOK bool) {
	ref := comptoir.RecordRef{Kind: comptoir.KeyRecord, Number: k.Number}
	st.check(ref, hashOK && k.Number == st.LastKey+1 && k.PrevHash == st.KeyHash && st.FromHolds(k.From))
	st.LastKey, st.KeyHash = k.Number, tipHash(p.Hash)
}

// FlagAudit names a signature break the auditor found in the event of sequence seq, and reports
// whether the summary changed: when the register had no break yet, or when the one it names
// was found by a push in a later event. The first break by sequence is the one named, as a push
// that checked signatures named it: a link break pushed after this record gives way to it.
func (st *Register) FlagAudit(seq uint64, what string) bool {
	if st.ChainBroken && (st.BreakSeq == 0 || seq >= st.BreakSeq) {
		return false
	}
	st.ChainBroken, st.ChainBreak, st.BreakSeq = true, what, seq
	return true
}

// Summary is what the central answers about a register: its summary st and what the auditor au
// found in it.
func Summary(register string, st Register, au Audit) comptoir.RegisterSummary {
	return comptoir.RegisterSummary{
		Register: register, AckedSeq: st.AckedSeq, Tickets: st.Tickets, GrandTotal: st.GrandTotal,
		LastSeen: st.LastSeen, ChainOK: !st.ChainBroken, ChainBreak: st.ChainBreak,
		LastClosing: st.LastPeriod, Rejected: st.Rejected, Conflicts: st.Conflicts, Demo: st.Demo,
		Signed: au.Signed, SignatureBreaks: au.SignatureBreaks, KeyBreaks: au.KeyBreaks, Fingerprint: au.Fingerprint(),
		SignaturesPending: st.AckedSeq - min(au.Checked, st.AckedSeq),
	}
}
