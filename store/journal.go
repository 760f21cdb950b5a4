package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// A journal record is stored as:
//
//	byte 0      format version (1)
//	byte 1      kind: 'T' ticket, 'C' closing
//	bytes 2-33  SHA-256 of the body
//	bytes 34-   body: the record's canonical JSON, which holds the previous record's hash
//
// The hash covers the exact bytes written, so verifying never depends on re-encoding a record
// the same way years later; the previous hash inside the body chains the records.
const (
	recordVersion = 1
	recordHeader  = 2 + sha256.Size
)

var kindByte = map[comptoir.RecordKind]byte{comptoir.TicketRecord: 'T', comptoir.ClosingRecord: 'C'}

type record struct {
	kind comptoir.RecordKind
	hash [sha256.Size]byte
	body []byte
}

func parseRecord(v []byte) (record, error) {
	if len(v) < recordHeader || v[0] != recordVersion {
		return record{}, comptoir.E(comptoir.CodeCorruptRecord, "journal record header")
	}
	var r record
	switch v[1] {
	case 'T':
		r.kind = comptoir.TicketRecord
	case 'C':
		r.kind = comptoir.ClosingRecord
	default:
		return record{}, comptoir.E(comptoir.CodeCorruptRecord, "journal record kind")
	}
	copy(r.hash[:], v[2:recordHeader])
	r.body = v[recordHeader:]
	return r, nil
}

func (r record) decode(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return comptoir.E(comptoir.CodeCorruptRecord, err.Error())
	}
	return nil
}

func (r record) hashHex() string { return hex.EncodeToString(r.hash[:]) }

// appendRecord hashes a record's canonical body, appends it to the register's journal and queues
// its outbox event, all in the caller's transaction. It returns the hash and the journal position.
func appendRecord(tx *bbolt.Tx, register []byte, kind comptoir.RecordKind, v any, eventType string, at time.Time) (string, uint64, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return "", 0, err
	}
	sum := sha256.Sum256(body)
	val := make([]byte, 0, recordHeader+len(body))
	val = append(val, recordVersion, kindByte[kind])
	val = append(val, sum[:]...)
	val = append(val, body...)
	journal := tx.Bucket(regBucketName(bucketJournal, register))
	// The journal only ever grows at its end: full pages waste no space and split less often.
	journal.FillPercent = 1
	seq, err := journal.NextSequence()
	if err != nil {
		return "", 0, err
	}
	if err := journal.Put(itob(seq), val); err != nil {
		return "", 0, err
	}
	hash := hex.EncodeToString(sum[:])
	// The event points at the record instead of copying it: the record never changes, and a copy
	// would double the bytes every ticket's commit writes.
	ev := storedEvent{Type: eventType, At: at, ID: eventID(eventType, sum[:]), Register: string(register), Position: seq}
	if err := appendEvent(tx, ev); err != nil {
		return "", 0, err
	}
	return hash, seq, nil
}

// eventPayload is what the outbox carries for a journal record: the exact bytes that were hashed,
// so the central API can verify the chain without trusting a re-encoding.
type eventPayload struct {
	Register string          `json:"register"`
	Hash     string          `json:"hash"`
	Record   json.RawMessage `json:"record"`
}

// readRecord reads the journal record at a position.
func readRecord(r reg, seq uint64) (record, error) {
	v := r.journal.Get(itob(seq))
	if v == nil {
		return record{}, comptoir.E(comptoir.CodeCorruptRecord, "missing journal record")
	}
	return parseRecord(v)
}
