package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// storedEvent is an outbox entry as stored. An event about a journal record names the record
// (register and journal key) and its payload is read from the journal when the event is
// listed; any other event carries its payload itself.
type storedEvent struct {
	Seq      uint64          `json:"seq"`
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	At       time.Time       `json:"at"`
	Register string          `json:"register,omitempty"`
	Key      []byte          `json:"key,omitempty"`
	Payload  json.RawMessage `json:"payload,omitempty"`
}

// eventID derives an event's ID from its type and content. A journal record's content is its
// chained hash, so the ID is unique, and the same data always yields the same IDs.
func eventID(typ string, content []byte) string {
	h := sha256.New()
	h.Write([]byte(typ))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// appendEvent queues an event in the outbox in the caller's transaction.
func appendEvent(tx *bbolt.Tx, ev storedEvent) error {
	out := tx.Bucket(bucketOutbox)
	out.FillPercent = 1
	seq, err := out.NextSequence()
	if err != nil {
		return err
	}
	ev.Seq, ev.At = seq, ev.At.UTC()
	return out.Put(itob(seq), encode(ev))
}

// event turns a stored event into the event the syncer sends, reading a journal record's exact
// hashed bytes as its payload. regs keeps the register's buckets found for the event before:
// every event of an outbox names the same register, and finding its buckets costs five lookups.
func (ev storedEvent) event(tx *bbolt.Tx, regs *reg) (comptoir.Event, error) {
	out := comptoir.Event{Seq: ev.Seq, ID: ev.ID, Type: ev.Type, At: ev.At, Payload: ev.Payload}
	if ev.Key == nil {
		return out, nil
	}
	if regs.meta == nil || string(regs.name) != ev.Register {
		*regs = regBuckets(tx, []byte(ev.Register))
	}
	var rec record
	var err error
	if kind := kindOfEvent(ev.Type); chainBucket[kind] != nil {
		// A reprint, a technical event or a key lives in its chain's bucket, keyed by number.
		var ok bool
		if rec, ok, err = readChained(tx, []byte(ev.Register), kind, btoiSafe(ev.Key)); err == nil && !ok {
			err = comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "enregistrement manquant", EN: "missing record"})
		}
	} else {
		rec, err = readRecord(*regs, ev.Key)
	}
	if err != nil {
		return comptoir.Event{}, err
	}
	// The payload is copied around the record's bytes without parsing them: a record altered on
	// the disk must stop here, as verify would stop on it, rather than reach the central, where a
	// body forged to look like two records would be read as its author wished.
	if sum := sha256.Sum256(rec.body); sum != rec.hash {
		ref, _ := keyRef(ev.Key)
		if kind := kindOfEvent(ev.Type); chainBucket[kind] != nil {
			ref = comptoir.RecordRef{Kind: kind, Number: btoiSafe(ev.Key)}
		}
		return comptoir.Event{}, comptoir.E(comptoir.CodeHashMismatch, ref)
	}
	// The signature goes with the record, so that the central checks it with the register's key;
	// a record older than the register's key has none.
	var sig *comptoir.Signature
	s, ok, err := recordSignature(*regs, comptoir.ChainOf(kindOfEvent(ev.Type)), ev.Key)
	if err != nil {
		return comptoir.Event{}, err
	}
	if ok {
		sig = &s
	}
	payload, err := central.RecordPayload(ev.Register, rec.hashHex(), rec.body, sig)
	if err != nil {
		return comptoir.Event{}, err
	}
	out.Payload = payload
	return out, nil
}

// Outbox lists up to limit pending events from sequence after+1 on, oldest first. A limit of
// zero or less lists them all.
func (s *Store) Outbox(ctx context.Context, after uint64, limit int) ([]comptoir.Event, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var events []comptoir.Event
	err := s.view(func(tx *bbolt.Tx) error {
		outbox, err := s.bucket(tx, bucketOutbox)
		if err != nil {
			return err
		}
		var regs reg
		c := outbox.Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil; k, v = c.Next() {
			if limit > 0 && len(events) >= limit {
				break
			}
			stored, err := decodeStoredEvent(v)
			if err != nil {
				return err
			}
			ev, err := stored.event(tx, &regs)
			if err != nil {
				return err
			}
			events = append(events, ev)
		}
		return nil
	})
	return events, err
}

// PendingEvents counts the events waiting in the outbox. It reads two keys whatever the size of
// the outbox: sequences are contiguous, and events leave the outbox only from its front, once
// the central has acknowledged every event up to them (the highest contiguous sequence it holds).
func (s *Store) PendingEvents(ctx context.Context) (int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	var n int
	err := s.view(func(tx *bbolt.Tx) error {
		outbox, err := s.bucket(tx, bucketOutbox)
		if err != nil {
			return err
		}
		c := outbox.Cursor()
		first, _ := c.First()
		last, _ := c.Last()
		if first == nil {
			return nil
		}
		if len(first) != 8 || len(last) != 8 {
			return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "file des événements à synchroniser", EN: "outbox"})
		}
		n = int(btoi(last) - btoi(first) + 1)
		return nil
	})
	return n, err
}

// AckOutbox drops the events the central acknowledged, every one with a sequence up to upTo, in
// one transaction, and says how many it dropped. Sequences keep growing after it: they come from
// the outbox bucket's own counter, which deleting keys never lowers, so that a sequence the
// central holds is never given to another event.
//
// An acknowledgement past the last sequence this register ever gave is refused with
// CodeRegisterBehindCentral and drops nothing: the central holds events this file never wrote,
// so the file was restored from an older copy (or another register goes by its name).
func (s *Store) AckOutbox(ctx context.Context, upTo uint64) (int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	n := 0
	err := s.update(func(tx *bbolt.Tx) error {
		outbox, err := s.bucket(tx, bucketOutbox)
		if err != nil {
			return err
		}
		if last := outbox.Sequence(); upTo > last {
			return comptoir.E(comptoir.CodeRegisterBehindCentral, upTo, last)
		}
		c := outbox.Cursor()
		// Deleting under a cursor moves it to the next key, so it is read again from First.
		for k, _ := c.First(); k != nil && btoi(k) <= upTo; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// btoiSafe reads an 8-byte number, zero for a key of another length.
func btoiSafe(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return btoi(b)
}
