package store

import (
	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// currentSchema is the schema version this code writes. Each migration moves a file from version
// i to i+1; they run in order, in one transaction, when Open finds an older file.
const currentSchema = 3

// migrations[i] upgrades a file at version i to version i+1.
var migrations = []func(tx *bbolt.Tx) error{
	// 0 -> 1: the initial layout.
	func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketCatalog, bucketOutbox} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 1 -> 2: running day totals. Files of version 1 (the first development layout, never given
	// to a shop) kept none; version 2 keeps them up to date with every ticket, so they are built
	// once here from the journal. The same step repairs them should their format change again.
	rebuildDayTotals,
	// 2 -> 3: loyalty members, their sealed personal data, consent, points and the audit trail.
	func(tx *bbolt.Tx) error {
		for _, b := range memberBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
}

func schemaVersion(tx *bbolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keySchema)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, comptoir.E(comptoir.CodeCorruptRecord, "schema version")
	}
	return btoi(v), nil
}

// migrate brings the file to currentSchema, or refuses a file written by a newer Comptoir rather
// than misreading it.
func migrate(tx *bbolt.Tx) error {
	v, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	if v > currentSchema {
		return comptoir.E(comptoir.CodeSchemaTooNew, v, uint64(currentSchema))
	}
	for ; v < currentSchema; v++ {
		if err := migrations[v](tx); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, itob(v+1)); err != nil {
			return err
		}
	}
	return nil
}

// rebuildDayTotals recomputes every register's running day totals from its journal.
func rebuildDayTotals(tx *bbolt.Tx) error {
	for _, name := range registers(tx) {
		if err := rebuildRegisterDays(tx, name); err != nil {
			return err
		}
	}
	return nil
}

func rebuildRegisterDays(tx *bbolt.Tx, name []byte) error {
	daysName := regBucketName(bucketDays, name)
	if tx.Bucket(daysName) != nil {
		if err := tx.DeleteBucket(daysName); err != nil {
			return err
		}
	}
	days, err := tx.CreateBucket(daysName)
	if err != nil {
		return err
	}
	// The days bucket rebuilt below holds every day; the head must not shadow one of them.
	r := regBuckets(tx, name)
	h, err := r.head()
	if err != nil {
		return err
	}
	h.Day, h.DayTotals = "", comptoir.Totals{}
	if err := r.putHead(h); err != nil {
		return err
	}
	journal := tx.Bucket(regBucketName(bucketJournal, name))
	totals := map[string]*comptoir.Totals{}
	var order []string
	err = journal.ForEach(func(k, v []byte) error {
		r, err := parseRecord(v)
		if err != nil || r.kind != comptoir.TicketRecord {
			return err
		}
		var sale comptoir.Sale
		if err := r.decode(&sale); err != nil {
			return err
		}
		t, ok := totals[sale.Day]
		if !ok {
			t = &comptoir.Totals{}
			totals[sale.Day] = t
			order = append(order, sale.Day)
		}
		t.Add(sale)
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range order {
		if err := days.Put([]byte(d), encode(totals[d])); err != nil {
			return err
		}
	}
	return nil
}

// comptoirSchema reads the schema version of a file it first recognises as a Comptoir database:
// one with its schema version, or, should meta be gone, with a register's buckets. Anything else
// (a bbolt file of another program, one that a crash left without its schema) is not a journal.
func comptoirSchema(tx *bbolt.Tx, path string) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	var v []byte
	if meta != nil {
		v = meta.Get(keySchema)
	}
	if v == nil {
		if len(registerNames(tx)) == 0 {
			return 0, comptoir.E(comptoir.CodeNotADatabase, path)
		}
		if meta == nil {
			return 0, damaged(path, bucketMeta)
		}
		return 0, damaged(path, regBucketName(bucketMeta, keySchema))
	}
	return schemaVersion(tx)
}
