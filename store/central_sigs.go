package store

import (
	"crypto/ed25519"
	"encoding/json"

	"github.com/comptoir/comptoir"
)

// The central checks every pushed record's signature with the register's public key, which the
// register's key records declare in its key chain: a record edited on the register's disk, its
// hash and every later link recomputed, still links to the chain, but only the key's holder can
// sign it again. A push checks only what is cheap and must be answered at once: the hash, link
// and number of every chain's records (tickets and closings, reprints, technical events, keys)
// and where a key record says the chains stand. The signatures, an Ed25519 verification each
// (about 50 µs of CPU, more than everything else the central does with a ticket), are checked
// just after, by the auditor (central_audit.go), so that a register never waits for them.

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
		return st.LastKey
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

// applyKey checks a key record's place in the key chain: its hash, its link and number, and its
// From against where the chains stand. Its signature, and which key must have made it, are the
// auditor's (sigAudit.key).
func (st *centralRegister) applyKey(k *comptoir.SigningKeyRecord, p recordEvent, hashOK bool) {
	ref := comptoir.RecordRef{Kind: comptoir.KeyRecord, Number: k.Number}
	st.check(ref, hashOK && k.Number == st.LastKey+1 && k.PrevHash == st.KeyHash && st.fromHolds(k.From))
	st.LastKey, st.KeyHash = k.Number, p.Hash
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
