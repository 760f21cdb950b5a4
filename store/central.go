package store

import (
	"bytes"
	"context"

	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// The central's database is a file of its own, never a register's: it holds what every register
// pushed, keyed by register and sequence, and one summary per register that each push keeps up to
// date in its own transaction, so that answering about a register reads one key.
//
// The bucket tree, all buckets at the top level:
//
//	central/
//	    schema                  -> uint64 central schema version
//	registers/
//	    <register>              -> summary: acknowledged seq, tickets, grand total, chain tip,
//	                               chain check, last closing, last seen, rejected, conflicts
//	events/<register>/
//	    <seq>                   -> event as pushed: ID, type, time, payload, rejection reason
//	conflicts/
//	    <n>                     -> a refused push: register, seq, the stored and the sent event,
//	                               when it came
//
//	signature_audit/
//	    <register>              -> the auditor's cursor and findings (central_audit.go)
//
// The central bucket also holds key_check, the check value of the key file beside the database,
// compact_pending while an erasure's compaction is to be done (central_compact.go), and the
// counters card_blocks and card_conflicts; the members' projections and the change feed
// have buckets of their own, described in central_members.go.
//
// A register's Open refuses a central file as not a Comptoir database, since it has no meta
// bucket, and OpenCentral refuses a register's file by its meta bucket, since it has no central
// bucket: three projection buckets share a name with a register's (members, cards, audit) but
// are never read without that check. As in the register's tree, the events of a register only
// grow at their end, and sequence keys are big-endian so that bbolt's order is numeric order.
var (
	bucketCentral   = []byte("central")
	bucketRegisters = []byte("registers")
	bucketEvents    = []byte("events")
	bucketConflicts = []byte("conflicts")
)

// centralSchema is the central file's format version.
const centralSchema = 1

// CentralOptions configure OpenCentral. The zero value is usable.
type CentralOptions struct {
	// Timeout bounds the wait for the file lock; default one second.
	Timeout time.Duration
	// Now is the clock that dates what the central receives; default time.Now.
	Now func() time.Time
	// MustExist refuses to create the file.
	MustExist bool
	// MaxBatchEvents is the most events one push may carry; default comptoir.MaxBatchEvents. The
	// central's flag sets it here as in its HTTP layer.
	MaxBatchEvents int
	// NoSync skips fdatasync on commit: only for throwaway files. A push is then acknowledged
	// before it is durable, which breaks the central's promise.
	NoSync bool
	// MaxPageBytes bounds the encoded size of a page of changes; default DefaultMaxPageBytes.
	// A page always holds at least one change, however large.
	MaxPageBytes int
}

// Central is the central's embedded storage: a bbolt file that applies each register's pushed
// events exactly once and keeps a summary of every register.
type Central struct {
	// mu guards db, which an erasure's compaction replaces by a compacted copy of the file:
	// every transaction holds it for reading, the compaction for writing.
	mu       sync.RWMutex
	db       *bbolt.DB
	path     string
	now      func() time.Time
	maxBatch int
	maxPage  int
	timeout  time.Duration
	noSync   bool
	keys     *central.Keys
	// wake tells a running auditor that a push brought events; it holds one token, so that a
	// push never waits for the auditor and a burst of pushes wakes it once.
	wake chan struct{}
}

var _ comptoir.CentralService = (*Central)(nil)

// OpenCentral opens or creates the central's database at path, and its key file beside it (path
// with ".key" appended), created with the database (or at the first open of a database of the
// first increment, which had none) and never again. A register's
// database is refused with CodeRegisterDatabase, any other file that is not a central's (empty,
// foreign, a directory) with CodeNotADatabase, and a file another process holds with
// CodeDatabaseInUse; a database whose key file is gone with CodeCentralKeyLost, another
// central's key with CodeKeyMismatch, a key file others can read with CodeKeyPermissions.
func OpenCentral(path string, o CentralOptions) (*Central, error) {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBatchEvents <= 0 {
		o.MaxBatchEvents = comptoir.MaxBatchEvents
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = DefaultMaxPageBytes
	}
	db, err := openLocked(path, Options{Timeout: o.Timeout, NoSync: o.NoSync, MustExist: o.MustExist}, initCentral)
	if err != nil {
		return nil, err
	}
	// The key's check value, once stored, says that the database has a key: its absence is then
	// a lost key, refused. A database without it is new, or a first increment's, or one whose
	// first open stopped before the key was written: its key is created (or the one there read)
	// and the check stored.
	var check []byte
	err = db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketCentral)
		if c == nil {
			if tx.Bucket(bucketMeta) != nil {
				return comptoir.E(comptoir.CodeRegisterDatabase, path)
			}
			return comptoir.E(comptoir.CodeNotADatabase, path)
		}
		v := c.Get(keySchema)
		if len(v) != 8 {
			return damaged(path, []byte("central/schema"))
		}
		if n := btoi(v); n > centralSchema {
			return comptoir.E(comptoir.CodeSchemaTooNew, n, uint64(centralSchema))
		}
		for _, b := range [][]byte{bucketRegisters, bucketConflicts} {
			if tx.Bucket(b) == nil {
				return damaged(path, b)
			}
		}
		check = bytes.Clone(c.Get(keyCentralKeyCheck))
		return nil
	})
	var keys *central.Keys
	if err == nil {
		keys, err = central.LoadKeys(central.KeyPath(path), check == nil)
	}
	if err == nil && check != nil && !keys.Matches(check) {
		err = comptoir.E(comptoir.CodeKeyMismatch)
	}
	if err == nil {
		err = completeCentral(db, keys, check == nil)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	c := &Central{db: db, path: path, now: o.Now, maxBatch: o.MaxBatchEvents, maxPage: o.MaxPageBytes,
		timeout: o.Timeout, noSync: o.NoSync, keys: keys, wake: make(chan struct{}, 1)}
	// An erasure whose compaction failed or was cut short by a crash is finished before anything
	// else. If it fails again the mark stays, and the next erasure or opening tries again.
	_ = c.compactIfPending()
	return c, nil
}

// completeCentral stores the key's check value when the database has none, and creates the
// projections' buckets that a central file of the first increment lacks; it writes nothing when
// there is nothing to add. A first increment's members' projections start empty: the events it
// already held are not replayed into them.
func completeCentral(db *bbolt.DB, keys *central.Keys, storeCheck bool) error {
	missing := storeCheck
	err := db.View(func(tx *bbolt.Tx) error {
		for _, b := range projectionBuckets {
			missing = missing || tx.Bucket(b) == nil
		}
		return nil
	})
	if err != nil || !missing {
		return err
	}
	return db.Update(func(tx *bbolt.Tx) error {
		for _, b := range projectionBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if !storeCheck {
			return nil
		}
		return tx.Bucket(bucketCentral).Put(keyCentralKeyCheck, keys.Check)
	})
}

// initCentral lays out a new central file.
func initCentral(tx *bbolt.Tx) error {
	c, err := tx.CreateBucket(bucketCentral)
	if err != nil {
		return err
	}
	if err := c.Put(keySchema, itob(centralSchema)); err != nil {
		return err
	}
	for _, b := range append([][]byte{bucketRegisters, bucketConflicts}, projectionBuckets...) {
		if _, err := tx.CreateBucket(b); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the file.
func (c *Central) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.db.Close()
}

// view runs fn in a read transaction on the current file.
func (c *Central) view(fn func(tx *bbolt.Tx) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.db.View(fn)
}

// update runs fn in a write transaction on the current file.
func (c *Central) update(fn func(tx *bbolt.Tx) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.db.Update(fn)
}

// Path is the file the central was opened on.
func (c *Central) Path() string { return c.path }

// A pushed event as the central stores it (central.StoredEvent):
//
//	byte 0      format version (1)
//	uvarint     length of the header
//	header      JSON: ID, type, time, when received, why rejected
//	rest        the payload, exactly as it came
//
// The payload is kept as sent rather than inside the JSON header, which would re-encode (and
// re-scan) every byte of it, and so that a rejected payload that is not JSON is kept as it came.
type centralEvent = central.StoredEvent

// keyCentralKeyCheck is where the central bucket holds the check value of its key file.
var keyCentralKeyCheck = []byte("key_check")

func encodeCentralEvent(ce centralEvent) []byte {
	h := encode(ce)[1:]
	v := make([]byte, 0, 1+binary.MaxVarintLen64+len(h)+len(ce.Payload))
	v = append(v, valueVersion)
	v = binary.AppendUvarint(v, uint64(len(h)))
	v = append(append(v, h...), ce.Payload...)
	return v
}

func decodeCentralEvent(v []byte) (centralEvent, error) {
	var ce centralEvent
	bad := comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "événement reçu par la centrale", EN: "event held by the central"})
	if len(v) < 2 || v[0] != valueVersion {
		return ce, bad
	}
	n, k := binary.Uvarint(v[1:])
	if k <= 0 || n > uint64(len(v)-1-k) {
		return ce, bad
	}
	h := v[1+k : 1+k+int(n)]
	if err := json.Unmarshal(h, &ce); err != nil {
		return ce, bad
	}
	ce.Payload = bytes.Clone(v[1+k+int(n):])
	return ce, nil
}

// conflictSide is one version of a conflicting event in the record of the conflict, its payload
// as text since it may not be JSON.
type conflictSide struct {
	centralEvent
	Payload string `json:"payload"`
}

func sideOf(ce centralEvent) conflictSide {
	return conflictSide{centralEvent: ce, Payload: string(ce.Payload)}
}

// conflict is a refused push kept for the administrator: both versions of the sequence number
// and when the second one came.
type conflict struct {
	Register string       `json:"register"`
	Seq      uint64       `json:"seq"`
	Stored   conflictSide `json:"stored"`
	Sent     conflictSide `json:"sent"`
	At       time.Time    `json:"at"`
}

// errConflict carries a conflict out of the transaction that recorded it, which must commit.
type errConflict struct{ seq uint64 }

func (e errConflict) Error() string { return fmt.Sprintf("conflict at seq %d", e.seq) }

// Push applies a batch of a register's events; see comptoir.CentralStore. The whole batch is
// checked first (at most CentralOptions.MaxBatchEvents events, sequence numbers from 1 strictly increasing, IDs
// present), then applied in one durable transaction with the register's acknowledged sequence and
// summary: all of it or nothing. The new events must follow the acknowledged sequence one by
// one; a hole among them refuses the batch with CodeSeqGap naming the first missing number.
func (c *Central) Push(ctx context.Context, register string, events []comptoir.Event) (comptoir.PushResult, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.PushResult{}, err
	}
	if err := checkCentralName(register); err != nil {
		return comptoir.PushResult{}, err
	}
	if err := central.CheckBatch(events, c.maxBatch); err != nil {
		return comptoir.PushResult{}, err
	}
	var res comptoir.PushResult
	if len(events) == 0 {
		// Nothing to write: the answer is what is acknowledged, and a register that never
		// pushed gets no summary for an empty batch.
		err := c.view(func(tx *bbolt.Tx) error {
			st, _, err := readCentralRegister(tx, register)
			res.AckedSeq = st.AckedSeq
			return err
		})
		return res, err
	}
	// A batch of replays only, a register retrying after a lost answer, is answered from a read
	// transaction: an empty commit would still cost two fdatasyncs.
	replayed := false
	err := c.view(func(tx *bbolt.Tx) error {
		st, _, err := readCentralRegister(tx, register)
		if err != nil || events[len(events)-1].Seq > st.AckedSeq {
			return err
		}
		n, _, _, err := c.replays(tx, register, st.AckedSeq, events, c.now())
		replayed, res.AckedSeq, res.Replayed = n == len(events), st.AckedSeq, n
		return err
	})
	if err != nil || replayed {
		return res, err
	}
	var conflictAt uint64
	err = c.update(func(tx *bbolt.Tx) error {
		var err error
		res, err = c.push(tx, register, events)
		var ec errConflict
		if errors.As(err, &ec) {
			// The record of the conflict commits; nothing else was written.
			conflictAt = ec.seq
			return nil
		}
		return err
	})
	if err == nil && conflictAt != 0 {
		return res, comptoir.E(comptoir.CodeSeqConflict, conflictAt)
	}
	if err != nil {
		return comptoir.PushResult{}, err
	}
	// The batch is durable and acknowledged whatever happens now: a compaction that fails leaves
	// its mark, and the next erasure, push or opening does it. The auditor, if one runs, is told
	// there are signatures to check.
	_ = c.compactIfPending()
	c.wakeAuditor()
	return res, nil
}

// push applies a checked batch in the caller's transaction. A conflict is recorded, before
// anything else is written, and returned as errConflict, which Push lets commit.
func (c *Central) push(tx *bbolt.Tx, register string, events []comptoir.Event) (comptoir.PushResult, error) {
	now := c.now().UTC()
	st, _, err := readCentralRegister(tx, register)
	if err != nil {
		return comptoir.PushResult{}, err
	}
	evName := regBucketName(bucketEvents, []byte(register))
	evs := tx.Bucket(evName)
	i, stored, sent, err := c.replays(tx, register, st.AckedSeq, events, now)
	if err != nil {
		return comptoir.PushResult{}, err
	}
	if i < len(events) && events[i].Seq <= st.AckedSeq {
		conflicts := tx.Bucket(bucketConflicts)
		n, err := conflicts.NextSequence()
		if err != nil {
			return comptoir.PushResult{}, err
		}
		rec := conflict{Register: register, Seq: events[i].Seq, Stored: sideOf(stored), Sent: sideOf(sent), At: now}
		if err := conflicts.Put(itob(n), encode(rec)); err != nil {
			return comptoir.PushResult{}, err
		}
		st.Conflicts++
		st.LastSeen = now
		if err := putCentralRegister(tx, register, st); err != nil {
			return comptoir.PushResult{}, err
		}
		return comptoir.PushResult{AckedSeq: st.AckedSeq}, errConflict{seq: events[i].Seq}
	}
	if i == len(events) {
		// A batch of replays only: acknowledged without effect and without a write, so that a
		// register retrying after a lost answer costs no page (last seen is the last push that
		// brought something).
		return comptoir.PushResult{AckedSeq: st.AckedSeq, Replayed: i}, nil
	}
	if evs == nil {
		if evs, err = tx.CreateBucket(evName); err != nil {
			return comptoir.PushResult{}, err
		}
	}
	evs.FillPercent = 1
	res := comptoir.PushResult{Replayed: i}
	wasBroken := st.ChainBroken
	for _, e := range events[i:] {
		if e.Seq != st.AckedSeq+1 {
			return comptoir.PushResult{}, comptoir.E(comptoir.CodeSeqGap, st.AckedSeq+1)
		}
		ce := central.NewStoredEvent(e, now)
		reason := st.Apply(register, e)
		if reason == "" {
			// The projections change in this transaction, which also advances the acknowledged
			// sequence: a replay never reaches it, so they too change exactly once.
			if reason, err = central.Project(boltTx{tx: tx, path: c.path}, c.keys, register, e, now); err != nil {
				return comptoir.PushResult{}, err
			}
		}
		if reason != "" {
			ce.Rejected = reason
			st.Rejected++
			res.Rejected++
		} else {
			res.Applied++
		}
		if err := evs.Put(itob(e.Seq), encodeCentralEvent(ce)); err != nil {
			return comptoir.PushResult{}, err
		}
		st.AckedSeq = e.Seq
	}
	st.LastSeen = now
	res.AckedSeq = st.AckedSeq
	if st.ChainBroken && !wasBroken {
		res.ChainBreak = st.ChainBreak
	}
	return res, putCentralRegister(tx, register, st)
}

// replays compares the events of a batch at or below the acknowledged sequence, which come first
// in a batch whose seqs increase, with what is stored. It returns how many are replays of what is
// stored; when that one is not the last event at or below acked, it is a conflict, and stored and
// sent are its two versions.
func (c *Central) replays(tx *bbolt.Tx, register string, acked uint64, events []comptoir.Event, now time.Time) (n int, stored, sent centralEvent, err error) {
	evName := regBucketName(bucketEvents, []byte(register))
	evs := tx.Bucket(evName)
	for ; n < len(events) && events[n].Seq <= acked; n++ {
		sent = central.NewStoredEvent(events[n], now)
		var v []byte
		if evs != nil {
			v = evs.Get(itob(events[n].Seq))
		}
		if v == nil {
			return n, stored, sent, damaged(c.path, fmt.Appendf(evName, "/%d", events[n].Seq))
		}
		if stored, err = decodeCentralEvent(v); err != nil {
			return n, stored, sent, err
		}
		if !stored.Same(sent) {
			return n, stored, sent, nil
		}
	}
	return n, stored, sent, nil
}

// checkCentralName refuses the administrator's name and names a register cannot have.
func checkCentralName(register string) error { return central.CheckName(register) }

// readCentralRegister reads a register's summary; known is false when it never pushed.
func readCentralRegister(tx *bbolt.Tx, register string) (st central.Register, known bool, err error) {
	v := tx.Bucket(bucketRegisters).Get([]byte(register))
	if v == nil {
		return st, false, nil
	}
	if err := decode(v, &st); err != nil {
		return st, true, err
	}
	if st.LastKey == 0 {
		st.LastKey = uint64(len(st.LegacyKeys))
	}
	st.LegacyKeys = nil
	return st, true, nil
}

func putCentralRegister(tx *bbolt.Tx, register string, st central.Register) error {
	return tx.Bucket(bucketRegisters).Put([]byte(register), encode(st))
}

// Register summarises what a register pushed; CodeUnknownRegisterCentral when it never did.
func (c *Central) Register(ctx context.Context, register string) (comptoir.RegisterSummary, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.RegisterSummary{}, err
	}
	if err := checkCentralName(register); err != nil {
		return comptoir.RegisterSummary{}, err
	}
	var st central.Register
	var au central.Audit
	err := c.view(func(tx *bbolt.Tx) error {
		var known bool
		var err error
		if st, known, err = readCentralRegister(tx, register); err == nil && !known {
			err = comptoir.E(comptoir.CodeUnknownRegisterCentral, register)
		}
		if err == nil {
			au, err = readSigAudit(tx, register)
		}
		return err
	})
	if err != nil {
		return comptoir.RegisterSummary{}, err
	}
	return central.Summary(register, st, au), nil
}
