package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"runtime"
	"sync"

	"github.com/comptoir/comptoir"
)

// The central checks every pushed record's signature with the register's public key, which the
// register's key records declare in its key chain: a record edited on the register's disk, its
// hash and every later link recomputed, still links to the chain, but only the key's holder can
// sign it again. What the central holds of the keys (their public keys and from where each one
// signs), the last signature of every chain and the hash chains of reprints and technical events
// lives in the register's summary, read and written by every push in its one transaction: a
// register declares a key at set-up and at each rotation or replacement, a handful in its life.

// centralKey is a register's signing key as its key record declared it.
type centralKey struct {
	Number uint64             `json:"number"`
	Reason comptoir.KeyReason `json:"reason"`
	// Public is nil when the record's public key did not decode: every record it should have
	// signed is then flagged.
	Public ed25519.PublicKey `json:"public"`
	// From is, per chain, the number of the last record made before the key: it signs the ones
	// after, until the next key.
	From map[comptoir.Chain]uint64 `json:"from,omitempty"`
}

// centralNumbered is the part of a reprint or technical event record the central reads.
type centralNumbered struct {
	Register string `json:"register"`
	Number   uint64 `json:"number"`
	PrevHash string `json:"prev_hash"`
}

// lastOf is the number of the last record of a chain the central holds.
func (st *centralRegister) lastOf(c comptoir.Chain) uint64 {
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
		return uint64(len(st.Keys))
	}
	return 0
}

// fromHolds reports whether a key record's From says where every chain stands at the central
// when the key comes: the register writes it from the same chain heads, in the transaction that
// queues the key's event before any record the key signs. A From set further on would exempt
// records from signing; one set behind would claim records the key never signed.
func (st *centralRegister) fromHolds(from map[comptoir.Chain]uint64) bool {
	for c, n := range from {
		if _, known := chainLetter[c]; !known || n != st.lastOf(c) {
			return false
		}
	}
	for _, c := range comptoir.Chains {
		if _, ok := from[c]; !ok && st.lastOf(c) != 0 {
			return false
		}
	}
	return true
}

// keyFor is the key that signs record n of a chain: the last declared whose From is before n.
// ok is false when the record comes before the register's first key, or the register declared
// none: such a record is checked by its hash chain only.
func (st *centralRegister) keyFor(c comptoir.Chain, n uint64) (centralKey, bool) {
	for i := len(st.Keys) - 1; i >= 0; i-- {
		if st.Keys[i].From[c] < n {
			return st.Keys[i], true
		}
	}
	return centralKey{}, false
}

// applyKey checks a key record and declares its key. Its link and number are checked as a
// ticket's are, and its From against where the chains stand. A created key (the first) and a
// replaced one (the previous lost) sign their own record; a rotated one is signed by the key
// before it, so that the chain of keys goes on unbroken. A replacement is a declared break:
// counted and shown, not a broken chain.
func (st *centralRegister) applyKey(k *comptoir.SigningKeyRecord, p recordEvent, hashOK bool) {
	ref := comptoir.RecordRef{Kind: comptoir.KeyRecord, Number: k.Number}
	st.check(ref, hashOK && k.Number == uint64(len(st.Keys))+1 && k.PrevHash == st.KeyHash && st.fromHolds(k.From))
	st.KeyHash = p.Hash
	pub, err := k.Public()
	if err != nil {
		pub = nil
	}
	key := centralKey{Number: k.Number, Reason: k.Reason, Public: pub, From: k.From}
	var by centralKey
	switch {
	case k.Reason == comptoir.KeyCreated && len(st.Keys) == 0, k.Reason == comptoir.KeyReplaced:
		by = key
	case k.Reason == comptoir.KeyRotated && len(st.Keys) > 0:
		by = st.Keys[len(st.Keys)-1]
	default:
		// A second "created" key, or a rotation with no key before it: nothing may sign it.
		by = centralKey{Number: 0}
	}
	if k.Reason == comptoir.KeyReplaced {
		st.KeyBreaks++
	}
	st.checkSignature(comptoir.KeyRecord, ref, p, by)
	st.Keys = append(st.Keys, key)
}

// applySigned checks the signature of a ticket, closing, reprint or technical event with the key
// in effect for its number. A record before the register's first key carries none and needs
// none; one after must be signed.
func (st *centralRegister) applySigned(kind comptoir.RecordKind, ref comptoir.RecordRef, p recordEvent) {
	key, must := st.keyFor(comptoir.ChainOf(kind), ref.Number)
	if !must && len(st.Keys) > 0 {
		return
	}
	if !must {
		// The register declared no key yet: a record it did not sign is one made before keys
		// existed; a signature no declared key can have made is a break.
		if p.Signature == nil {
			return
		}
		key = centralKey{}
	}
	st.checkSignature(kind, ref, p, key)
}

// checkSignature checks a record's signature: made by key, in the right chain, first of its
// chain or following the last signature the central holds for it, and valid over the fields
// comptoir.SignedFieldsOf builds from the record, the same the register signed and verify
// checks. A record that fails is flagged as a break of its chain, never refused; whatever it
// carries becomes the chain's last signature, so that the next record is checked against what
// the register pushed.
func (st *centralRegister) checkSignature(kind comptoir.RecordKind, ref comptoir.RecordRef, p recordEvent, key centralKey) {
	chain := comptoir.ChainOf(kind)
	prev := st.Sigs[chain]
	sig := p.Signature
	ok := sig != nil && key.Public != nil && sig.Chain == chain && sig.Key == key.Number &&
		sig.First == (prev == "") && sig.Prev == prev
	switch {
	case ok && st.pre.answers(key.Public, sig):
		ok = st.pre.ok
	case ok:
		fields, err := comptoir.SignedFieldsOf(kind, p.Record, p.Hash, sig.First, sig.Prev)
		ok = err == nil && comptoir.VerifyRecord(key.Public, fields, sig.Value)
	}
	if sig != nil {
		if st.Sigs == nil {
			st.Sigs = map[comptoir.Chain]string{}
		}
		st.Sigs[chain] = sig.Value
	}
	if ok {
		st.Signed++
		return
	}
	st.SignatureBreaks++
	st.flag(ref.Format(comptoir.LangEN) + " (signature)")
}

// fingerprint is the fingerprint of the register's key in effect, empty before its first.
func (st *centralRegister) fingerprint() string {
	if len(st.Keys) == 0 || st.Keys[len(st.Keys)-1].Public == nil {
		return ""
	}
	return comptoir.KeyFingerprint(st.Keys[len(st.Keys)-1].Public)
}

// preSig is a signature checked before the batch's transaction: whether value verified with pub
// over the fields of the event's record with first and prev. apply uses it when the key and
// the chain position it needs are the ones checked, and checks again otherwise.
type preSig struct {
	done  bool
	ok    bool
	pub   ed25519.PublicKey
	first bool
	prev  string
	value string
}

// minPreverify is the smallest batch whose signatures are checked in parallel before its
// transaction: below it, starting goroutines costs more than it spares.
const minPreverify = 16

// preverify checks the signatures of a batch's records in parallel, before the transaction
// that applies them one by one: an Ed25519 verification costs more than everything else the
// central does with a ticket, and the transaction is one goroutine. Which key signs a record and
// which signature comes before it depend on the records before it, so this only guesses them:
// the key the signature names (among those the central holds and those the batch declares) and
// the previous signature the record says. apply takes the answer only when its own choice is
// the same, so that a wrong guess costs a verification again, never a wrong answer.
func preverify(known []centralKey, events []comptoir.Event) []preSig {
	if len(events) < minPreverify {
		return nil
	}
	keys := make(map[uint64]ed25519.PublicKey, len(known)+1)
	for _, k := range known {
		keys[k.Number] = k.Public
	}
	// The keys the batch declares, in order, so that the records after them find them. A key
	// record's own signature (created or replaced) is made by the key it declares.
	for _, e := range events {
		if e.Type != eventKeyRecorded {
			continue
		}
		p, ok := readRecordEvent(e.Payload)
		if !ok {
			continue
		}
		var k comptoir.SigningKeyRecord
		if json.Unmarshal(p.Record, &k) != nil {
			continue
		}
		if pub, err := k.Public(); err == nil {
			keys[k.Number] = pub
		}
	}
	out := make([]preSig, len(events))
	workers := min(runtime.GOMAXPROCS(0), len(events)/minPreverify)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(events); i += workers {
				kind, isRecord := kindOfEvent[events[i].Type]
				if !isRecord {
					continue
				}
				p, ok := readRecordEvent(events[i].Payload)
				if !ok || p.Signature == nil || keys[p.Signature.Key] == nil {
					continue
				}
				sig := p.Signature
				pub := keys[sig.Key]
				fields, err := comptoir.SignedFieldsOf(kind, p.Record, p.Hash, sig.First, sig.Prev)
				out[i] = preSig{done: true, ok: err == nil && comptoir.VerifyRecord(pub, fields, sig.Value),
					pub: pub, first: sig.First, prev: sig.Prev, value: sig.Value}
			}
		})
	}
	wg.Wait()
	return out
}

// readRecordEvent reads a record's payload as apply does, the fast way when it can.
func readRecordEvent(payload []byte) (recordEvent, bool) {
	if p, ok := splitRecordPayload(payload); ok && json.Valid(p.Record) {
		return p, true
	}
	var p recordEvent
	if err := json.Unmarshal(payload, &p); err != nil || len(p.Record) == 0 {
		return recordEvent{}, false
	}
	return p, true
}

// answers reports whether a check made before the transaction is the one apply needs.
func (ps *preSig) answers(pub ed25519.PublicKey, sig *comptoir.Signature) bool {
	return ps != nil && ps.done && bytes.Equal(ps.pub, pub) && ps.first == sig.First && ps.prev == sig.Prev && ps.value == sig.Value
}
