package store

import (
	"context"
	"sort"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// bucketSettings holds the shop's settings, by name: settings/<name> -> value.
var bucketSettings = []byte("settings")

// Settings reads the shop's settings, defaults filled in for what was never set.
func (s *Store) Settings(ctx context.Context) (comptoir.ShopSettings, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.ShopSettings{}, err
	}
	var out comptoir.ShopSettings
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		out, err = readSettings(tx)
		return err
	})
	return out, err
}

func readSettings(tx *bbolt.Tx) (comptoir.ShopSettings, error) {
	set := comptoir.DefaultShopSettings()
	b := tx.Bucket(bucketSettings)
	if b == nil {
		return set, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var value string
		if err := decode(v, &value); err != nil {
			return err
		}
		// A setting this version no longer knows is skipped, not fatal.
		if err := set.Load(string(k), value); err != nil && !isCode(err, comptoir.CodeUnknownSetting) {
			return err
		}
		return nil
	})
	return set, err
}

// SetSetting changes one of the shop's settings after checking it. The points rule applies to
// tickets recorded from the next opening of the store on.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		set, err := readSettings(tx)
		if err != nil {
			return err
		}
		if err := set.Set(key, value); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bucketSettings)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(key), encode(set.Get(key))); err != nil {
			return err
		}
		return s.logTech(tx, comptoir.TechSettingsChanged, comptoir.ActorFrom(ctx), key+" = "+set.Get(key))
	})
}

// NoteActivity records that a member showed up (their card was scanned), which keeps them from
// the retention purge. Sales, consent changes and rectifications count by themselves.
func (s *Store) NoteActivity(ctx context.Context, id comptoir.CustomerID, at time.Time) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		rec, err := getCustomer(tx, id)
		if isCode(err, comptoir.CodeRemoteMember) {
			// A member of another shop has no record here to keep from the purge.
			return nil
		}
		// A member in stop processing is read-only: not even their activity is written.
		if err != nil || rec.erased() || rec.restricted() || !at.After(rec.LastActivity) {
			return err
		}
		rec.LastActivity = at.UTC()
		return putCustomer(tx, rec)
	})
}

// PurgeInactive erases every member with no activity since before, as the retention period
// asks, and returns their IDs in order. With dryRun it only lists them. All erasures commit
// together and the file is compacted once. A comptoir.Progress in the context is told of every
// key of the members' file examined (comptoir.StepExamine) and every member erased
// (comptoir.StepErase). A cancelled context stops the purge and erases nobody.
func (s *Store) PurgeInactive(ctx context.Context, before time.Time, dryRun bool, who string) ([]comptoir.CustomerID, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var ids []comptoir.CustomerID
	run := s.update
	if dryRun {
		run = s.view
	}
	progress := comptoir.ProgressFrom(ctx)
	err := run(func(tx *bbolt.Tx) error {
		var stale []customerRecord
		members := tx.Bucket(bucketMembers)
		// The keys are counted only for a progress report: it costs a walk of the bucket's pages.
		keys, seen := 0, 0
		if progress != nil {
			keys = members.Stats().KeyN
		}
		err := members.ForEach(func(k, v []byte) error {
			if seen++; progress != nil {
				progress(comptoir.StepExamine, seen, keys)
			}
			if seen%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if len(k) == 0 || k[len(k)-1] != entryRecord || len(k) != 18 {
				return nil
			}
			var rec customerRecord
			if err := decode(v, &rec); err != nil {
				return err
			}
			// A member of another shop is the central's to keep or purge: their record here
			// holds no personal data, and erasing it would erase them in every shop.
			if rec.erased() || rec.Remote || !rec.LastActivity.Before(before) {
				return nil
			}
			// Inactive here, the member may buy at another shop: the central's view carries
			// their last activity in the chain, and the purge judges by the later of the two.
			last, err := chainLastActivity(tx, rec)
			if err != nil {
				return err
			}
			if last.Before(before) {
				rec.LastActivity = last
				stale = append(stale, rec)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if progress != nil {
			progress(comptoir.StepExamine, seen, seen)
		}
		// Interrupted while examining, the purge erases nobody rather than some.
		if err := ctx.Err(); err != nil {
			return err
		}
		sort.Slice(stale, func(i, j int) bool { return stale[i].ID < stale[j].ID })
		if !dryRun && len(stale) > 0 {
			erased := map[comptoir.CustomerID]bool{}
			for _, rec := range stale {
				erased[rec.ID] = true
			}
			if err := scrubAudit(tx, erased); err != nil {
				return err
			}
		}
		now := s.now().UTC()
		for i, rec := range stale {
			ids = append(ids, rec.ID)
			if dryRun {
				continue
			}
			if i%checkEvery == checkEvery-1 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := eraseMember(tx, rec); err != nil {
				return err
			}
			if err := markCompactPending(tx); err != nil {
				return err
			}
			rec.Status, rec.ErasedAt, rec.Cards = comptoir.StatusErased, now, nil
			if err := putCustomer(tx, rec); err != nil {
				return err
			}
			if err := appendAudit(tx, now, who, comptoir.AuditErase, rec.ID, "retention"); err != nil {
				return err
			}
			// The central erases in every shop on this event: it carries the last activity the
			// purge judged by, for the central to refuse the erasure of a member it knows active
			// since, elsewhere, whose activity had not reached this register yet.
			payload := map[string]any{"id": rec.ID, "reason": "retention",
				"last_activity": rec.LastActivity.UTC().Format(time.RFC3339)}
			if err := appendMemberEvent(tx, comptoir.EventCustomerErased, now, payload); err != nil {
				return err
			}
			if progress != nil {
				progress(comptoir.StepErase, i+1, len(stale))
			}
		}
		return nil
	})
	if err != nil || dryRun || len(ids) == 0 {
		return ids, err
	}
	return ids, s.compact()
}

// chainLastActivity is a member's last activity in the chain: the later of this register's
// record and the central's view of them.
func chainLastActivity(tx *bbolt.Tx, rec customerRecord) (time.Time, error) {
	v, ok, err := getRemote(tx, rec.ID)
	if err != nil || !ok || !v.LastActivity.After(rec.LastActivity) {
		return rec.LastActivity, err
	}
	return v.LastActivity, nil
}
