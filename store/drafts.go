package store

import (
	"context"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// Keys of the meta bucket kept by this file: draft/<register> holds the open ticket a register
// kept when it quit, and demo marks a database filled by demo-data. A draft lives between a quit
// and the next login only, so it keeps the meta bucket small while tickets are recorded.
var (
	keyDraft = []byte("draft")
	keyDemo  = []byte("demo")
)

// draftRecord is a kept ticket as stored.
type draftRecord struct {
	Lines []comptoir.Line `json:"lines"`
}

// SaveDraft keeps the register's open ticket until the next login takes it back.
func (s *Store) SaveDraft(ctx context.Context, lines []comptoir.Line) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		meta, err := s.bucket(tx, bucketMeta)
		if err != nil {
			return err
		}
		k := regBucketName(keyDraft, s.register)
		if len(lines) == 0 {
			return meta.Delete(k)
		}
		return meta.Put(k, encode(draftRecord{Lines: lines}))
	})
}

// TakeDraft returns the register's kept ticket and removes it.
func (s *Store) TakeDraft(ctx context.Context) ([]comptoir.Line, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var rec draftRecord
	err := s.update(func(tx *bbolt.Tx) error {
		meta, err := s.bucket(tx, bucketMeta)
		if err != nil {
			return err
		}
		k := regBucketName(keyDraft, s.register)
		v := meta.Get(k)
		if v == nil {
			return nil
		}
		if err := decode(v, &rec); err != nil {
			return err
		}
		return meta.Delete(k)
	})
	if err != nil {
		return nil, err
	}
	return rec.Lines, nil
}

// MarkDemo marks the database as filled by demo-data, so that every screen and receipt says so.
func (s *Store) MarkDemo(ctx context.Context) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		meta, err := s.bucket(tx, bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keyDemo, []byte{valueVersion})
	})
}

// IsDemo reports whether demo-data filled the database.
func (s *Store) IsDemo(ctx context.Context) (bool, error) {
	if err := checkCtx(ctx); err != nil {
		return false, err
	}
	demo := false
	err := s.view(func(tx *bbolt.Tx) error {
		meta, err := s.bucket(tx, bucketMeta)
		if err != nil {
			return err
		}
		demo = meta.Get(keyDemo) != nil
		return nil
	})
	return demo, err
}

var _ comptoir.DraftService = (*Store)(nil)
