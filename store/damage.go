package store

import (
	"bytes"
	"strings"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// treeAt lists the buckets a file of schema version v holds: the top-level ones, and the kinds
// each register has. Versions 1 and 2 are the development layouts migrations still read.
// printed/<register> is made on the first print, so it is never required.
func treeAt(v uint64) (top, kinds [][]byte) {
	switch {
	case v == 0:
		return nil, nil
	case v == 1:
		// Version 1 kept no running day totals: migration 2 builds them.
		return [][]byte{bucketMeta, bucketCatalog, bucketOutbox}, [][]byte{bucketJournal, bucketRefunds, bucketClosings}
	case v == 2:
		return [][]byte{bucketMeta, bucketCatalog, bucketOutbox}, registerKinds6
	case v <= 4:
		return append([][]byte{bucketMeta, bucketCatalog, bucketOutbox}, memberBuckets...), registerKinds6
	case v == 5:
		// Version 5 added the users.
		return append(append([][]byte{bucketMeta, bucketCatalog, bucketOutbox}, memberBuckets...), bucketUsers), registerKinds6
	case v == 6:
		// Version 6 added the central's view of members.
		return append(append([][]byte{bucketMeta, bucketCatalog, bucketOutbox}, memberBuckets...), bucketUsers, bucketRemote), registerKinds6
	default:
		// Version 7 added the signature chains of every register.
		return append(append([][]byte{bucketMeta, bucketCatalog, bucketOutbox}, memberBuckets...), bucketUsers, bucketRemote), registerKinds
	}
}

// checkTree makes sure the file holds every bucket of its schema version v: the top-level ones
// and, for every register the file knows, all of that register's buckets. A register with some of
// its buckets but not all is damaged, not unknown. Open calls it before migrating (migrations
// read the buckets of the version they start from) and after, so that no command reads a missing
// bucket and a deleted part of the file is named rather than taken for a new register.
func checkTree(tx *bbolt.Tx, path string, v uint64) error {
	top, kinds := treeAt(v)
	for _, name := range top {
		if tx.Bucket(name) == nil {
			return damaged(path, name)
		}
	}
	for _, reg := range registerNames(tx) {
		for _, kind := range kinds {
			if name := regBucketName(kind, reg); tx.Bucket(name) == nil {
				return damaged(path, name)
			}
		}
	}
	return nil
}

// registerNames lists the registers the file knows: those with at least one of their buckets,
// and those whose head (last numbers, hash and grand total) meta still holds, so that a register
// whose buckets were all deleted is damaged rather than taken for a new, empty one.
func registerNames(tx *bbolt.Tx) [][]byte {
	seen := map[string]bool{}
	var names [][]byte
	add := func(name, prefix []byte) {
		if len(name) > len(prefix) && bytes.HasPrefix(name, prefix) && !seen[string(name[len(prefix):])] {
			seen[string(name[len(prefix):])] = true
			names = append(names, bytes.Clone(name[len(prefix):]))
		}
	}
	_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		for _, kind := range registerKinds {
			add(name, regBucketName(kind, nil))
		}
		return nil
	})
	if meta := tx.Bucket(bucketMeta); meta != nil {
		prefix := regBucketName(keyHead, nil)
		c := meta.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			add(k, prefix)
		}
	}
	return names
}

// damaged is the refusal for a file that lost a bucket.
func damaged(path string, bucket []byte) error {
	return comptoir.E(comptoir.CodeDatabaseDamaged, path, string(bucket))
}

// bucket finds a top-level bucket for a read or a write. Open checked the tree, so a missing
// bucket is damage found late; it is refused with the bucket's name, never dereferenced.
func (s *Store) bucket(tx *bbolt.Tx, name []byte) (*bbolt.Bucket, error) {
	if b := tx.Bucket(name); b != nil {
		return b, nil
	}
	return nil, damaged(s.path, name)
}

// missing is the refusal for a register whose bucket of a kind is gone. Open checks the buckets
// of every register it finds, but a record may point into a register none of whose buckets is
// left (a member's ticket at another till): read paths check before they dereference.
func (r reg) missing(kind []byte) error {
	path := ""
	if r.meta != nil {
		path = txPath(r.meta.Tx())
	}
	return comptoir.E(comptoir.CodeDatabaseDamaged, path, string(regBucketName(kind, r.name)))
}

// txPath is the database's path as the user named it: a rebuilt file was opened under the name
// of its working copy, which was then renamed to the database's.
func txPath(tx *bbolt.Tx) string {
	p := tx.DB().Path()
	// A compaction inside a rebuild works on the rebuild's copy: its suffix comes last.
	for _, suffix := range []string{".compact", ".rebuild"} {
		p = strings.TrimSuffix(p, suffix)
	}
	return p
}
