package central

import (
	"crypto/ed25519"
	"encoding/json"

	"github.com/comptoir/comptoir"
)

// The auditor checks the signatures of what registers pushed, after the push and outside it,
// in sequence order from a cursor kept per register (Audit.Checked). What it must check is
// worked out here in order (Plan), the Ed25519 verifications (SigCheck.Verify) may then run on
// every core in any order, since nothing in the state depends on their answers, and Tally
// counts what they found; the storage reads the events and commits the new state with the
// cursor it started from.

// Audit is what the auditor holds of a register.
type Audit struct {
	// Checked is the audit cursor: every event up to it had its signature checked.
	Checked uint64 `json:"checked"`
	// Keys are the keys the register declared in the events up to Checked.
	Keys []Key `json:"keys,omitempty"`
	// Sigs is the last signature of every chain, which the next record's must follow.
	Sigs            map[comptoir.Chain]string `json:"sigs,omitempty"`
	Signed          uint64                    `json:"signed,omitempty"`
	SignatureBreaks uint64                    `json:"signature_breaks,omitempty"`
	KeyBreaks       int                       `json:"key_breaks,omitempty"`
}

// Fingerprint is the fingerprint of the register's key in effect, empty before its first.
func (au *Audit) Fingerprint() string {
	if len(au.Keys) == 0 || au.Keys[len(au.Keys)-1].Public == nil {
		return ""
	}
	return comptoir.KeyFingerprint(au.Keys[len(au.Keys)-1].Public)
}

// keyFor is the key that signs record n of a chain: the last declared whose From is before n.
// ok is false when the record comes before the register's first key, or the register declared
// none: such a record is checked by its hash chain only.
func (au *Audit) keyFor(c comptoir.Chain, n uint64) (Key, bool) {
	for i := len(au.Keys) - 1; i >= 0; i-- {
		if au.Keys[i].From[c] < n {
			return au.Keys[i], true
		}
	}
	return Key{}, false
}

// SigCheck is one record's signature to judge, as Plan made it. verify is true when everything
// the signature says of itself holds (key, chain, place in the chain), and OK is then the answer
// of the Ed25519 verification of the record's signed fields with pub, which Verify gives; a
// check with verify false is a break, OK staying false.
type SigCheck struct {
	// Seq is the sequence number of the event that holds the record.
	Seq uint64
	// Ref names the record.
	Ref comptoir.RecordRef
	// OK is whether the signature holds, once Verify ran.
	OK     bool
	kind   comptoir.RecordKind
	verify bool
	pub    ed25519.PublicKey
	p      RecordEvent
}

// Pending reports whether the check needs Verify: everything else the signature says holds. A
// check that is not pending is a break already.
func (c *SigCheck) Pending() bool { return c.verify }

// Verify checks the signature's value over the record's signed fields, those
// comptoir.SignedFieldsOf builds (the same the register signed and verify checks), with the key
// Plan chose, and sets OK. It reads nothing but the check itself, so that checks verify on
// several cores at once; it does nothing to a check that is not pending.
func (c *SigCheck) Verify() {
	if !c.verify {
		return
	}
	sig := c.p.Signature
	fields, err := comptoir.SignedFieldsOf(c.kind, c.p.Record, c.p.Hash, sig.First, sig.Prev)
	c.OK = err == nil && comptoir.VerifyRecord(c.pub, fields, sig.Value)
}

// AuditEvent is a stored event as the auditor reads it (NewAuditEvent), decoded on every core
// before Plan goes through the events in order: whether it is a record to check, and what of it
// Plan needs.
type AuditEvent struct {
	seq    uint64
	record bool
	kind   comptoir.RecordKind
	number uint64
	p      RecordEvent
	// key is the key record's content, for a key record.
	key *comptoir.SigningKeyRecord
}

// NewAuditEvent reads a stored event for the auditor: the event of sequence seq, of type
// eventType, whose payload is as pushed, rejected when the push stored it as rejected. Events
// stored as rejected were never applied and carry nothing to check; nor does anything but a
// record, nor a record the push did not apply.
func NewAuditEvent(seq uint64, eventType string, rejected bool, payload []byte) AuditEvent {
	ae := AuditEvent{seq: seq}
	kind, isRecord := kindOfEvent[eventType]
	if !isRecord || rejected {
		return ae
	}
	p, ok := ReadRecordEvent(payload)
	if !ok {
		return ae
	}
	ae.kind, ae.p = kind, p
	if kind == comptoir.KeyRecord {
		var k comptoir.SigningKeyRecord
		if json.Unmarshal(p.Record, &k) != nil {
			return ae
		}
		ae.key, ae.number = &k, k.Number
	} else {
		var n struct {
			Number uint64 `json:"number"`
		}
		if json.Unmarshal(p.Record, &n) != nil {
			return ae
		}
		ae.number = n.Number
	}
	ae.record = true
	return ae
}

// Plan goes through decoded events in sequence order and works out, for every signed or
// must-be-signed record, what its signature must be: the key, the chain, first or following the
// chain's last signature. It updates the audit state as the central's checks in the push once
// did, but leaves the verifications themselves to the caller, since nothing in the state depends
// on their answers.
func (au *Audit) Plan(events []AuditEvent) []SigCheck {
	var checks []SigCheck
	for _, e := range events {
		if !e.record {
			continue
		}
		if e.key != nil {
			checks = append(checks, au.key(e.seq, e.key, e.p))
			continue
		}
		ref := comptoir.RecordRef{Kind: e.kind, Number: e.number}
		key, must := au.keyFor(comptoir.ChainOf(e.kind), e.number)
		if !must && len(au.Keys) > 0 {
			continue
		}
		if !must {
			// The register declared no key yet: a record it did not sign is one made before keys
			// existed; a signature no declared key can have made is a break.
			if e.p.Signature == nil {
				continue
			}
			key = Key{}
		}
		checks = append(checks, au.check(e.seq, e.kind, ref, e.p, key))
	}
	return checks
}

// key judges a key record's signature and declares its key. A created key (the first) and a
// replaced one (the previous lost) sign their own record; a rotated one is signed by the key
// before it, so that the chain of keys goes on unbroken. A replacement is a declared break:
// counted and shown, not a broken chain.
func (au *Audit) key(seq uint64, k *comptoir.SigningKeyRecord, p RecordEvent) SigCheck {
	ref := comptoir.RecordRef{Kind: comptoir.KeyRecord, Number: k.Number}
	pub, err := k.Public()
	if err != nil {
		pub = nil
	}
	key := Key{Number: k.Number, Reason: k.Reason, Public: pub, From: k.From}
	var by Key
	switch {
	case k.Reason == comptoir.KeyCreated && len(au.Keys) == 0, k.Reason == comptoir.KeyReplaced:
		by = key
	case k.Reason == comptoir.KeyRotated && len(au.Keys) > 0:
		by = au.Keys[len(au.Keys)-1]
	default:
		// A second "created" key, or a rotation with no key before it: nothing may sign it.
		by = Key{Number: 0}
	}
	if k.Reason == comptoir.KeyReplaced {
		au.KeyBreaks++
	}
	c := au.check(seq, comptoir.KeyRecord, ref, p, by)
	au.Keys = append(au.Keys, key)
	return c
}

// check judges what a record's signature says of itself: made by key, in the right chain, first
// of its chain or following the last signature checked for it. What it carries becomes the
// chain's last signature whatever the answer, so that the next record is checked against what
// the register pushed. The signature's value over the record's fields, those
// comptoir.SignedFieldsOf builds (the same the register signed and verify checks), is left to
// verify when everything else holds.
func (au *Audit) check(seq uint64, kind comptoir.RecordKind, ref comptoir.RecordRef, p RecordEvent, key Key) SigCheck {
	chain := comptoir.ChainOf(kind)
	prev := au.Sigs[chain]
	sig := p.Signature
	ok := sig != nil && key.Public != nil && sig.Chain == chain && sig.Key == key.Number &&
		sig.First == (prev == "") && sig.Prev == prev
	if sig != nil {
		if au.Sigs == nil {
			au.Sigs = map[comptoir.Chain]string{}
		}
		au.Sigs[chain] = sig.Value
	}
	return SigCheck{Seq: seq, Ref: ref, kind: kind, verify: ok, pub: key.Public, p: p}
}

// Tally counts what verified checks found, every check of a run once Verify ran on each: a
// holding signature in Signed, any other in SignatureBreaks. It returns the first break, by
// sequence number and as the register's summary names it ("ticket 2 (signature)"), breakSeq 0
// when there is none.
func (au *Audit) Tally(checks []SigCheck) (breakSeq uint64, breakWhat string) {
	for _, ch := range checks {
		if ch.OK {
			au.Signed++
			continue
		}
		au.SignatureBreaks++
		if breakSeq == 0 {
			breakSeq, breakWhat = ch.Seq, ch.Ref.Format(comptoir.LangEN)+" (signature)"
		}
	}
	return breakSeq, breakWhat
}

// Clone is a copy of the state that shares nothing with it, for a run to work on while the
// state it read may still be the one to keep.
func (au Audit) Clone() Audit {
	au.Keys = append([]Key(nil), au.Keys...)
	if au.Sigs != nil {
		sigs := make(map[comptoir.Chain]string, len(au.Sigs))
		for ch, v := range au.Sigs {
			sigs[ch] = v
		}
		au.Sigs = sigs
	}
	return au
}
