package store

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

var _ comptoir.TechLog = (*Store)(nil)

// LogEvent appends an event to the technical event log, chained and signed, in a transaction of
// its own. An unknown code is refused; a long detail is cut.
func (s *Store) LogEvent(ctx context.Context, code comptoir.TechCode, user, detail string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if !code.Known() {
		return comptoir.E(comptoir.CodeUnknownTechEvent, string(code))
	}
	return s.update(func(tx *bbolt.Tx) error { return s.logTech(tx, code, user, detail) })
}

// logTech appends a technical event in the caller's transaction, for the changes that must not
// happen without their trace (a catalogue import, a setting, an archive): the caller must not
// hold the head, which it reads and writes.
func (s *Store) logTech(tx *bbolt.Tx, code comptoir.TechCode, user, detail string) error {
	return s.logTechWith(tx, code, user, detail, false)
}

// logTechIfSigning appends a technical event as logTech does, unless the signing key cannot be
// used (missing, not the journal's, readable by others): then nothing is appended and the
// caller goes on. Logging in must not need the key, or a manager whose key file was lost could
// never log in to declare the loss (comptoir key replace), whose own record then marks the break.
func (s *Store) logTechIfSigning(tx *bbolt.Tx, code comptoir.TechCode, user, detail string) error {
	return s.logTechWith(tx, code, user, detail, true)
}

func (s *Store) logTechWith(tx *bbolt.Tx, code comptoir.TechCode, user, detail string, keyOptional bool) error {
	r := regBuckets(tx, s.register)
	h, err := r.head()
	if err != nil {
		return err
	}
	if keyOptional {
		if _, err := s.signerFor(tx, &h); err != nil {
			if keyUnusable(err) {
				return nil
			}
			return err
		}
	}
	if err := s.appendTech(tx, &h, code, user, detail); err != nil {
		return err
	}
	return r.putHead(h)
}

// keyUnusable reports whether err says the signing key file cannot be used as it is.
func keyUnusable(err error) bool {
	for _, c := range []comptoir.Code{comptoir.CodeSigningKeyMissing, comptoir.CodeSigningKeyMismatch,
		comptoir.CodeSigningKeyPermissions, comptoir.CodeSigningKeyInvalid} {
		if isCode(err, c) {
			return true
		}
	}
	return false
}

// appendTech appends a technical event to the log in the caller's transaction, moving h.
func (s *Store) appendTech(tx *bbolt.Tx, h *head, code comptoir.TechCode, user, detail string) error {
	now := s.now()
	_, _, _, err := s.appendNumbered(tx, h, comptoir.EventRecord, now.UTC(), func(number uint64, prev string) any {
		return comptoir.TechEvent{Register: string(s.register), Number: number, At: now.UTC(), Day: comptoir.DayOf(now, s.loc),
			Code: code, User: comptoir.CleanText(user), Detail: cutText(comptoir.CleanText(detail), comptoir.MaxTechDetail), PrevHash: prev}
	})
	return err
}

// cutText cuts s to at most n bytes on a character boundary.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// TechEvents lists the technical events from since on (all when since is zero), oldest first,
// the latest limit of them when limit > 0.
func (s *Store) TechEvents(ctx context.Context, since time.Time, limit int) ([]comptoir.TechEvent, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var out []comptoir.TechEvent
	err := s.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket(regBucketName(bucketTechLog, s.register))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		// The log is read from its end, so that the latest events of a long log cost only what
		// is listed.
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if limit > 0 && len(out) >= limit {
				break
			}
			r, err := parseRecord(v)
			if err != nil {
				return err
			}
			var e comptoir.TechEvent
			if err := r.decode(&e); err != nil {
				return err
			}
			if !since.IsZero() && e.At.Before(since) {
				break
			}
			e.Hash = r.hashHex()
			if sig, ok, err := readSig(tx, s.register, comptoir.ChainEvents, k); err != nil {
				return err
			} else if ok {
				e.Signature = sig.Value
			}
			out = append(out, e)
		}
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}
