package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// appendEvent queues an event in the outbox in the caller's transaction. The event ID is derived
// from its type and payload: a journal record's payload holds its chained hash, so the ID is
// unique and the same data always yields the same IDs.
func appendEvent(tx *bbolt.Tx, typ string, at time.Time, payload []byte) error {
	out := tx.Bucket(bucketOutbox)
	seq, err := out.NextSequence()
	if err != nil {
		return err
	}
	h := sha256.New()
	h.Write([]byte(typ))
	h.Write(payload)
	ev := comptoir.Event{Seq: seq, ID: hex.EncodeToString(h.Sum(nil)[:16]), Type: typ, At: at.UTC(), Payload: payload}
	return out.Put(itob(seq), encode(ev))
}

// Outbox lists up to limit pending events from sequence after+1 on, oldest first. A limit of
// zero or less lists them all.
func (s *Store) Outbox(ctx context.Context, after uint64, limit int) ([]comptoir.Event, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var events []comptoir.Event
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil; k, v = c.Next() {
			if limit > 0 && len(events) >= limit {
				break
			}
			var ev comptoir.Event
			if err := decode(v, &ev); err != nil {
				return err
			}
			events = append(events, ev)
		}
		return nil
	})
	return events, err
}
