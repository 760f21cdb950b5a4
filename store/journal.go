package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"

	"github.com/comptoir/comptoir"
)

// A journal record is stored as:
//
//	byte 0      format version (1)
//	byte 1      kind: 'T' ticket, 'C' closing, 'R' reprint, 'E' technical event, 'K' key
//	bytes 2-33  SHA-256 of the body
//	bytes 34-   body: the record's canonical JSON, which holds the previous record's hash
//
// The hash covers the exact bytes written, so verifying never depends on re-encoding a record
// the same way years later; the previous hash inside the body chains the records.
//
// A record's key says where it stands and what it is, so that a ticket is found by its number
// without an index that every sale would have to update:
//
//	bytes 0-7   number of the last ticket recorded (the ticket's own number for a ticket)
//	byte 8      1 for a ticket, 2 for a closing
//	bytes 9-16  the closing's number (zero for a ticket)
//
// Keys only grow, so the journal is appended to at its end, and a cursor walks it in the order
// the records were chained.
const (
	recordVersion = 1
	recordHeader  = 2 + sha256.Size
)

const (
	keyLen        = 17
	keyTicket     = 1
	keyClosing    = 2
	keyKindOffset = 8
)

// ticketKey is the journal key of ticket n.
func ticketKey(n uint64) []byte {
	k := make([]byte, keyLen)
	binary.BigEndian.PutUint64(k, n)
	k[keyKindOffset] = keyTicket
	return k
}

// closingKey is the journal key of closing c, recorded when lastTicket was the last ticket.
func closingKey(lastTicket, c uint64) []byte {
	k := make([]byte, keyLen)
	binary.BigEndian.PutUint64(k, lastTicket)
	k[keyKindOffset] = keyClosing
	binary.BigEndian.PutUint64(k[keyKindOffset+1:], c)
	return k
}

// keyRef names the record a journal key points at; ok is false for a key this code never writes.
func keyRef(k []byte) (ref comptoir.RecordRef, ok bool) {
	if len(k) != keyLen {
		return comptoir.RecordRef{}, false
	}
	switch k[keyKindOffset] {
	case keyTicket:
		return comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: btoi(k[:8])}, true
	case keyClosing:
		return comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: btoi(k[keyKindOffset+1:])}, true
	}
	return comptoir.RecordRef{}, false
}

type record struct {
	kind comptoir.RecordKind
	hash [sha256.Size]byte
	body []byte
}

func parseRecord(v []byte) (record, error) {
	if len(v) < recordHeader || v[0] != recordVersion {
		return record{}, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "en-tête d'un enregistrement du journal", EN: "journal record header"})
	}
	var r record
	switch v[1] {
	case 'T':
		r.kind = comptoir.TicketRecord
	case 'C':
		r.kind = comptoir.ClosingRecord
	case 'R':
		r.kind = comptoir.ReprintRecord
	case 'E':
		r.kind = comptoir.EventRecord
	case 'K':
		r.kind = comptoir.KeyRecord
	default:
		return record{}, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "type d'un enregistrement du journal", EN: "journal record kind"})
	}
	copy(r.hash[:], v[2:recordHeader])
	r.body = v[recordHeader:]
	return r, nil
}

func (r record) decode(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		// The decoder's words ("invalid character …") mean nothing to a manager: the record is
		// named instead.
		return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "enregistrement du journal", EN: "journal record"})
	}
	return nil
}

func (r record) hashHex() string { return hex.EncodeToString(r.hash[:]) }

// eventPayload is what the outbox carries for a journal record: the exact bytes that were hashed,
// so the central API can verify the chain without trusting a re-encoding.
type eventPayload struct {
	Register string          `json:"register"`
	Hash     string          `json:"hash"`
	Record   json.RawMessage `json:"record"`
}

// readRecord reads the journal record under a key.
func readRecord(r reg, key []byte) (record, error) {
	if r.journal == nil {
		return record{}, r.missing(bucketJournal)
	}
	v := r.journal.Get(key)
	if v == nil {
		return record{}, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "enregistrement du journal manquant", EN: "missing journal record"})
	}
	return parseRecord(v)
}
