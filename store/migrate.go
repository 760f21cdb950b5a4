package store

import (
	"bytes"
	"encoding/json"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// currentSchema is the schema version this code writes. Each migration moves a file from version
// i to i+1; they run in order, in one transaction, when Open finds an older file.
const currentSchema = 7

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
	// 3 -> 4: a member's restriction and erasure become a status beside the lawful basis, which
	// version 3 overwrote; block entries of the audit trail stop naming a member and a masked email.
	migrateMemberStatus,
	// 4 -> 5: the users of the register and their PIN hashes.
	func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketUsers)
		return err
	},
	// 5 -> 6: the central's view of members, those of other shops among them (store/feed.go).
	func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketRemote)
		return err
	},
	// 6 -> 7: the signature chains (reprints, technical events, keys, signatures) of every
	// register, and the perpetual grand total in absolute value that closings now carry, summed
	// once here from the journal. The first key is made with the next record, not here: a
	// migration must not write beside the database.
	migrateSignatures,
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
		return 0, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "version du format", EN: "schema version"})
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
	for _, name := range registerNames(tx) {
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

// memberRecordV3 is a member record as schema 3 wrote it: the restriction and the erasure were
// flags, and setting them overwrote the lawful basis with "stop-processing" or "delete".
type memberRecordV3 struct {
	customerRecord
	StopProcessing bool `json:"stop_processing"`
	Erased         bool `json:"erased"`
}

// migrateMemberStatus gives every member record a status (active, restricted, erased) and the
// last real lawful basis it had. Schema 3 set the basis only at enrolment and overwrote it at a
// stop of processing or an erasure, so the basis to restore is the one the member's
// customer.enrolled event carries: the outbox of a version-3 file holds every event ever made,
// for no syncer acknowledged and dropped any yet. The consent events and the audit trail never
// recorded a basis. A record with no such event (an outbox edited by hand) gets the default
// basis, contract, the one enrolment gives when none is named: the loyalty programme is a
// contract.
//
// The audit trail's block entries lose the member's ID and the masked email version 3 wrote
// beside it, which would have outlived the member's erasure; the details of the entries about
// members already erased are scrubbed as an erasure now does.
func migrateMemberStatus(tx *bbolt.Tx) error {
	members := tx.Bucket(bucketMembers)
	if members == nil {
		return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "membres", EN: "members bucket"})
	}
	enrolled, err := enrolledBases(tx)
	if err != nil {
		return err
	}
	type change struct {
		key []byte
		rec customerRecord
	}
	var changes []change
	erased := map[comptoir.CustomerID]bool{}
	err = members.ForEach(func(k, v []byte) error {
		// A record's key is the ID and one zero byte; an ID has no zero byte, while the key of
		// any other entry holds a big-endian sequence, whose high bytes are zero.
		if len(k) == 0 || k[len(k)-1] != entryRecord || bytes.IndexByte(k, entryRecord) != len(k)-1 {
			return nil
		}
		var old memberRecordV3
		if err := decode(v, &old); err != nil {
			return err
		}
		rec := old.customerRecord
		switch {
		case old.Erased || rec.Basis == comptoir.BasisDelete:
			rec.Status = comptoir.StatusErased
			erased[rec.ID] = true
		case old.StopProcessing || rec.Basis == comptoir.BasisStopProcessing:
			rec.Status = comptoir.StatusRestricted
		default:
			rec.Status = comptoir.StatusActive
		}
		if _, err := comptoir.ParseLawfulBasis(string(rec.Basis)); err != nil || rec.Basis.IsStatus() {
			basis, ok := enrolled[rec.ID]
			if !ok {
				basis = comptoir.BasisContract
			}
			rec.Basis = basis
		}
		changes = append(changes, change{bytes.Clone(k), rec})
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := members.Put(c.key, encode(c.rec)); err != nil {
			return err
		}
	}
	if err := unlinkBlockEntries(tx); err != nil {
		return err
	}
	return scrubAudit(tx, erased)
}

// enrolledBases reads the lawful basis each member was enrolled with from the outbox's
// customer.enrolled events, the only place schema 3 kept it once it was overwritten.
func enrolledBases(tx *bbolt.Tx) (map[comptoir.CustomerID]comptoir.LawfulBasis, error) {
	bases := map[comptoir.CustomerID]comptoir.LawfulBasis{}
	out := tx.Bucket(bucketOutbox)
	if out == nil {
		return bases, nil
	}
	err := out.ForEach(func(_, v []byte) error {
		var ev storedEvent
		if err := decode(v, &ev); err != nil {
			return err
		}
		if ev.Type != comptoir.EventCustomerEnrolled {
			return nil
		}
		var p struct {
			ID    comptoir.CustomerID  `json:"id"`
			Basis comptoir.LawfulBasis `json:"basis"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "événement à synchroniser " + ev.Type, EN: "outbox event " + ev.Type})
		}
		if b, err := comptoir.ParseLawfulBasis(string(p.Basis)); err == nil && !b.IsStatus() {
			bases[p.ID] = b
		}
		return nil
	})
	return bases, err
}

// unlinkBlockEntries rewrites the block entries of a version-3 audit trail, which named the
// member who had the address and its masked form, as Block now writes them: naming no member.
// The reference Block now gives cannot be computed from a masked email, so there is none.
func unlinkBlockEntries(tx *bbolt.Tx) error {
	return rewriteAudit(tx, func(e *comptoir.AuditEntry) bool {
		if e.Action != comptoir.AuditBlock || (e.Customer == "" && e.Detail == "") {
			return false
		}
		e.Customer, e.Detail = "", ""
		return true
	})
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

// migrateSignatures creates every register's signature buckets and sums its perpetual grand
// total in absolute value from its tickets.
func migrateSignatures(tx *bbolt.Tx) error {
	for _, name := range registerNames(tx) {
		for _, kind := range registerKinds[len(registerKinds6):] {
			if _, err := tx.CreateBucketIfNotExists(regBucketName(kind, name)); err != nil {
				return err
			}
		}
		r := regBuckets(tx, name)
		if r.journal == nil {
			continue
		}
		h, err := r.head()
		if err != nil {
			return err
		}
		var abs comptoir.Money
		c := r.journal.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if ref, ok := keyRef(k); !ok || ref.Kind != comptoir.TicketRecord {
				continue
			}
			rec, err := parseRecord(v)
			if err != nil {
				return err
			}
			var t struct {
				Training bool           `json:"training"`
				Total    comptoir.Money `json:"total"`
			}
			if err := rec.decode(&t); err != nil {
				return err
			}
			abs = comptoir.AbsGrandTotal(abs, comptoir.Sale{Training: t.Training, Total: t.Total})
		}
		h.GrandTotalAbs = abs
		if err := r.putHead(h); err != nil {
			return err
		}
	}
	return nil
}
