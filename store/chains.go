package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// The records besides tickets and closings live in buckets of their own, one per chain, keyed by
// their 8-byte number and written in the journal's record format (kind 'R', 'E' or 'K'): each
// holds the previous record's hash of its bucket, so every chain is a hash chain of its own.
//
// Signatures live beside the records in sigs/<register>, never inside them: a record's bytes
// and hash stay what the central and older versions already hold, and the journal of a register
// made before signing existed keeps verifying. A signature's key is the chain's letter followed
// by the record's key in its bucket; its value is the key number (8 bytes), a flag byte (1 on
// the first signed record of its chain), the signature (64 bytes) and, after the first, the
// previous signature of the chain (64 bytes), which the outbox sends with the record.
var (
	bucketReprints = []byte("reprints")
	bucketTechLog  = []byte("techlog")
	bucketSignKeys = []byte("signkeys")
	bucketSigs     = []byte("sigs")
)

// chainLetter is the first byte of a signature's key in sigs/<register>.
var chainLetter = map[comptoir.Chain]byte{
	comptoir.ChainTickets: 't', comptoir.ChainClosings: 'c', comptoir.ChainReprints: 'r',
	comptoir.ChainEvents: 'e', comptoir.ChainKeys: 'k',
}

// chainBucket is the bucket kind of the chains stored by number.
var chainBucket = map[comptoir.RecordKind][]byte{
	comptoir.ReprintRecord: bucketReprints, comptoir.EventRecord: bucketTechLog, comptoir.KeyRecord: bucketSignKeys,
}

// kindLetter is the record's kind byte in the journal's record format.
var kindLetter = map[comptoir.RecordKind]byte{
	comptoir.TicketRecord: 'T', comptoir.ClosingRecord: 'C', comptoir.ReprintRecord: 'R',
	comptoir.EventRecord: 'E', comptoir.KeyRecord: 'K',
}

// The outbox event types of the records of the new chains, which the central reads by the same
// names.
const (
	eventReprintRecorded = central.EventReprintRecorded
	eventTechRecorded    = central.EventTechRecorded
	eventKeyRecorded     = central.EventKeyRecorded
)

// eventTypeOf is the outbox event type of a record kind.
var eventTypeOf = map[comptoir.RecordKind]string{
	comptoir.TicketRecord: comptoir.EventSaleRecorded, comptoir.ClosingRecord: comptoir.EventClosingRecorded,
	comptoir.ReprintRecord: eventReprintRecorded, comptoir.EventRecord: eventTechRecorded, comptoir.KeyRecord: eventKeyRecorded,
}

// kindOfEvent is the record kind an outbox event type points at, the zero kind for an event
// about no record.
func kindOfEvent(eventType string) comptoir.RecordKind {
	kind, _ := central.KindOfEvent(eventType)
	return kind
}

// storedSig is a signature as sigs/<register> keeps it.
type storedSig struct {
	key   uint64
	first bool
	sig   []byte
	prev  []byte
}

func (s storedSig) encode() []byte {
	b := make([]byte, 0, 9+2*ed25519.SignatureSize)
	b = append(b, itob(s.key)...)
	if s.first {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = append(b, s.sig...)
	return append(b, s.prev...)
}

func decodeStoredSig(v []byte) (storedSig, error) {
	bad := comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "signature enregistrée", EN: "stored signature"})
	if len(v) < 9+ed25519.SignatureSize || v[8] > 1 {
		return storedSig{}, bad
	}
	s := storedSig{key: btoi(v[:8]), first: v[8] == 1, sig: bytes.Clone(v[9 : 9+ed25519.SignatureSize])}
	rest := v[9+ed25519.SignatureSize:]
	switch {
	case s.first && len(rest) != 0, !s.first && len(rest) != ed25519.SignatureSize:
		return storedSig{}, bad
	}
	if !s.first {
		s.prev = bytes.Clone(rest)
	}
	return s, nil
}

// signature is the stored signature as the domain writes it.
func (s storedSig) signature(chain comptoir.Chain) comptoir.Signature {
	out := comptoir.Signature{Chain: chain, Key: s.key, First: s.first, Value: base64.RawURLEncoding.EncodeToString(s.sig)}
	if !s.first {
		out.Prev = base64.RawURLEncoding.EncodeToString(s.prev)
	}
	return out
}

// sigKey is a record's key in sigs/<register>.
func sigKey(chain comptoir.Chain, recordKey []byte) []byte {
	return append([]byte{chainLetter[chain]}, recordKey...)
}

// readSig reads a record's signature; ok is false when the record is not signed.
func readSig(tx *bbolt.Tx, register []byte, chain comptoir.Chain, recordKey []byte) (sig comptoir.Signature, ok bool, err error) {
	b := tx.Bucket(regBucketName(bucketSigs, register))
	if b == nil {
		return comptoir.Signature{}, false, nil
	}
	v := b.Get(sigKey(chain, recordKey))
	if v == nil {
		return comptoir.Signature{}, false, nil
	}
	s, err := decodeStoredSig(v)
	if err != nil {
		return comptoir.Signature{}, false, err
	}
	return s.signature(chain), true, nil
}

// chainRecordKey is the key of record n in a chain stored by number.
func chainRecordKey(n uint64) []byte { return itob(n) }

// appendChained writes a record of a kind under key in its bucket (the journal for tickets and
// closings, its own bucket for the others), signs it in its chain, updates the chain's head in h
// and queues its outbox event, all in the caller's transaction. It returns the record's hash and
// its signature (empty when the register has no key yet, which only a journal made before
// signing existed may lack). The caller writes h.
func (s *Store) appendChained(tx *bbolt.Tx, h *head, key []byte, kind comptoir.RecordKind, v any, at time.Time) (hash, sig string, err error) {
	return s.appendChainedBy(tx, h, key, kind, v, at, nil)
}

// appendChainedBy is appendChained with the signing key given (a key record's), or the key in
// effect when by is nil.
func (s *Store) appendChainedBy(tx *bbolt.Tx, h *head, key []byte, kind comptoir.RecordKind, v any, at time.Time, by *signer) (hash, sig string, err error) {
	body, err := json.Marshal(v)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(body)
	val := make([]byte, 0, recordHeader+len(body))
	val = append(val, recordVersion, kindLetter[kind])
	val = append(val, sum[:]...)
	val = append(val, body...)
	name := bucketJournal
	if b, ok := chainBucket[kind]; ok {
		name = b
	}
	bucket := tx.Bucket(regBucketName(name, s.register))
	if bucket == nil {
		return "", "", comptoir.E(comptoir.CodeDatabaseDamaged, s.path, string(regBucketName(name, s.register)))
	}
	// Every chain only grows at its end: full pages waste no space and split less often.
	bucket.FillPercent = 1
	if err := bucket.Put(key, val); err != nil {
		return "", "", err
	}
	hash = hex.EncodeToString(sum[:])
	chain := comptoir.ChainOf(kind)
	if sig, err = s.sign(tx, h, chain, kind, key, v, body, hash, by); err != nil {
		return "", "", err
	}
	// The event points at the record instead of copying it: the record never changes, and a copy
	// would double the bytes every ticket's commit writes.
	eventType := eventTypeOf[kind]
	ev := storedEvent{Type: eventType, At: at, ID: eventID(eventType, sum[:]), Register: string(s.register), Key: key}
	if err := appendEvent(tx, ev); err != nil {
		return "", "", err
	}
	return hash, sig, nil
}

// sign signs a record just written in its chain with by, or the key in effect, and stores the
// signature.
func (s *Store) sign(tx *bbolt.Tx, h *head, chain comptoir.Chain, kind comptoir.RecordKind, key []byte, v any, body []byte, hash string, by *signer) (string, error) {
	if s.unsigned {
		return "", nil
	}
	sg := by
	if sg == nil {
		var err error
		if sg, err = s.signerFor(tx, h); err != nil {
			return "", err
		}
	}
	ch := h.chain(chain)
	fields, err := signedFieldsOf(kind, v, body, hash, ch.Signature == "", ch.Signature)
	if err != nil {
		return "", err
	}
	value := comptoir.SignRecord(sg.priv, fields)
	raw, _ := base64.RawURLEncoding.DecodeString(value)
	st := storedSig{key: sg.number, first: ch.Signature == "", sig: raw}
	if !st.first {
		st.prev, _ = base64.RawURLEncoding.DecodeString(ch.Signature)
	}
	sigs := tx.Bucket(regBucketName(bucketSigs, s.register))
	if sigs == nil {
		return "", comptoir.E(comptoir.CodeDatabaseDamaged, s.path, string(regBucketName(bucketSigs, s.register)))
	}
	sigs.FillPercent = 1
	if err := sigs.Put(sigKey(chain, key), st.encode()); err != nil {
		return "", err
	}
	ch.Signature = value
	h.setChain(chain, ch)
	return value, nil
}

// chain is where a chain stands in the head.
func (h *head) chain(c comptoir.Chain) comptoir.ChainHead {
	ch := h.Chains[c]
	ch.Chain = c
	return ch
}

func (h *head) setChain(c comptoir.Chain, ch comptoir.ChainHead) {
	if h.Chains == nil {
		h.Chains = map[comptoir.Chain]comptoir.ChainHead{}
	}
	ch.Chain = ""
	h.Chains[c] = ch
}

// appendNumbered appends a record to a chain stored by number (reprints, technical events, keys):
// it numbers it after the chain's head, links it to the previous record's hash through setPrev
// (called with the number and previous hash before the record is encoded), and moves the head.
func (s *Store) appendNumbered(tx *bbolt.Tx, h *head, kind comptoir.RecordKind, at time.Time, build func(number uint64, prev string) any) (number uint64, hash, sig string, err error) {
	chain := comptoir.ChainOf(kind)
	ch := h.chain(chain)
	number = ch.Number + 1
	v := build(number, ch.Hash)
	if hash, sig, err = s.appendChained(tx, h, chainRecordKey(number), kind, v, at); err != nil {
		return 0, "", "", err
	}
	ch = h.chain(chain)
	ch.Number, ch.Hash = number, hash
	h.setChain(chain, ch)
	return number, hash, sig, nil
}

// readChained reads record n of a chain stored by number.
func readChained(tx *bbolt.Tx, register []byte, kind comptoir.RecordKind, n uint64) (record, bool, error) {
	b := tx.Bucket(regBucketName(chainBucket[kind], register))
	if b == nil {
		return record{}, false, nil
	}
	v := b.Get(chainRecordKey(n))
	if v == nil {
		return record{}, false, nil
	}
	r, err := parseRecord(v)
	return r, true, err
}

// signature is the value of a record's signature, empty when it has none or it cannot be read
// (verify names the latter; a receipt only prints what there is).
func (r reg) signature(chain comptoir.Chain, recordKey []byte) string {
	if r.sigs == nil {
		return ""
	}
	v := r.sigs.Get(sigKey(chain, recordKey))
	if v == nil {
		return ""
	}
	st, err := decodeStoredSig(v)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(st.sig)
}

// signedFieldsOf is what a record's signature covers, read from the value just encoded rather
// than from its bytes: decoding a ten-line ticket again would cost a sale more than signing it.
// The record's SignedFields method is the one comptoir.SignedFieldsOf uses on the bytes, so both
// give the same fields; any other value goes the long way.
func signedFieldsOf(kind comptoir.RecordKind, v any, body []byte, hash string, first bool, prev string) (comptoir.SignedFields, error) {
	switch x := v.(type) {
	case *comptoir.Sale:
		return x.SignedFields(hash, first, prev), nil
	case comptoir.Closing:
		return x.SignedFields(hash, first, prev), nil
	case comptoir.Reprint:
		return x.SignedFields(hash, first, prev), nil
	case comptoir.TechEvent:
		return x.SignedFields(hash, first, prev), nil
	case comptoir.SigningKeyRecord:
		return x.SignedFields(hash, first, prev), nil
	}
	return comptoir.SignedFieldsOf(kind, body, hash, first, prev)
}
