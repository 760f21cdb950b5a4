package store

import (
	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// An erasure at the central deletes the member's wrapped data key, but bbolt never wipes the
// pages it frees: the key would stay readable in the file until the page is reused. So the
// transaction that erases marks the central bucket compact_pending, and once it has committed the
// whole file is copied, live data only, into a new file that is renamed over the old one, as the
// register does (store/gdpr.go). The mark goes with the old file and is deleted in the new one:
// a crash at any moment leaves the old file, marked, whose compaction OpenCentral finishes, or
// the new one, complete. A push that erased several members, or several pushes that erased while
// one compaction waited for the lock, cost one compaction.

// keyCentralCompactPending marks the central file as holding the freed pages of an erasure.
var keyCentralCompactPending = []byte("compact_pending")

// markCentralCompactPending records, in an erasure's transaction, that the file must be
// compacted.
func markCentralCompactPending(tx *bbolt.Tx) error {
	return tx.Bucket(bucketCentral).Put(keyCentralCompactPending, []byte{1})
}

// compactPendingLocked reports whether the file awaits a compaction; the caller holds c.mu.
func (c *Central) compactPendingLocked() bool {
	pending := false
	_ = c.db.View(func(tx *bbolt.Tx) error {
		pending = tx.Bucket(bucketCentral).Get(keyCentralCompactPending) != nil
		return nil
	})
	return pending
}

// compactIfPending compacts the file when an erasure marked it. Every request waits meanwhile:
// the copy holds the write lock, so that nothing committed to the old file is lost with it.
// Refusal: CodeCompactFailed, the mark left for the next erasure or opening.
func (c *Central) compactIfPending() error {
	c.mu.RLock()
	pending := c.compactPendingLocked()
	c.mu.RUnlock()
	if !pending {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Another request may have compacted while this one waited for the lock.
	if !c.compactPendingLocked() {
		return nil
	}
	if err := c.compactLocked(); err != nil {
		return comptoir.Wrap(comptoir.CodeCompactFailed, err)
	}
	return nil
}

// compactLocked copies the file into a new one beside it and renames it into place; the caller
// holds c.mu for writing. The old file's lock is released only once the new file is in place
// and locked, so that another process opening the path waits for the new file.
func (c *Central) compactLocked() error {
	dst, err := rebuildFile(c.path, ".compact", c.timeout, c.noSync, func(dst *bbolt.DB) (*bbolt.DB, error) {
		// bbolt.Compact keeps every bucket's sequence, so the feed and the audit go on numbering.
		if err := bbolt.Compact(dst, c.db, 4<<20); err != nil {
			return dst, err
		}
		return dst, dst.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketCentral).Delete(keyCentralCompactPending) })
	})
	if err != nil {
		return err
	}
	c.db.Close()
	c.db = dst
	return nil
}
