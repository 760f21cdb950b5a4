// Package store implements Comptoir's services on a bbolt file: the catalogue, the tamper-evident
// journal of tickets and closings, the running totals and the outbox of events to sync.
//
// The bucket tree, all buckets at the top level:
//
//	meta/
//	    schema                  -> uint64 schema version
//	    head/<register>         -> last ticket and closing numbers, last hash, grand total
//	catalog/
//	    <gtin, 14 digits>       -> product
//	journal/<register>/
//	    <ticket><kind><closing> -> record: version, kind, SHA-256, canonical JSON body
//	refunds/<register>/
//	    <orig><number>          -> (empty): the refunds of a ticket
//	closings/<register>/
//	    <period>                -> closing number, journal key
//	days/<register>/
//	    <YYYY-MM-DD>            -> running totals of the business day
//	outbox/
//	    <seq>                   -> event
//	users/
//	    <id>                    -> user: role, PIN hash, wrong PINs (store/users.go)
//
// The tree is flat on purpose. A commit rewrites every page on the path from the root to each key
// it changes, and recording a ticket is paid for in pages: nesting the register's buckets under
// registers/<register>/ cost two more pages per ticket, which showed as a third more time per
// durable ticket. The small meta bucket stays inline in the root page, so the head costs nothing.
//
// Sequence keys are big-endian uint64 so that bbolt's byte order is numeric order. Every value
// starts with a version byte so that a later format can read an older one. One exported method is
// one transaction; the lowercase helpers take a *bbolt.Tx so that a sale, its journal link, its
// running totals and its outbox event commit together or not at all.
package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// Bucket and key names.
var (
	bucketMeta     = []byte("meta")
	bucketCatalog  = []byte("catalog")
	bucketJournal  = []byte("journal")
	bucketRefunds  = []byte("refunds")
	bucketClosings = []byte("closings")
	bucketDays     = []byte("days")
	bucketOutbox   = []byte("outbox")
	keySchema      = []byte("schema")
	keyHead        = []byte("head")
)

// valueVersion is the first byte of every stored value written by this code.
const valueVersion = 1

// Options configure Open. The zero value is usable.
type Options struct {
	// Register names this till; tickets are numbered per register. Default "R1".
	Register string
	// Timeout bounds the wait for the file lock; another process holding the file gets
	// ErrDatabaseInUse instead of a hang. Default one second.
	Timeout time.Duration
	// Now is the clock; default time.Now. Tests and demo data set their own.
	Now func() time.Time
	// Location is the shop's time zone, which decides the business day; default time.Local.
	Location *time.Location
	// KeyFile is the master key file that protects members' personal data; default the database
	// path with ".key" appended. It is created on the first enrolment and must be kept, and
	// backed up, apart from the database.
	KeyFile string
	// PointsRule overrides the loyalty programme's rule of the shop's settings.
	PointsRule comptoir.PointsRule
	// MustExist refuses to create the file: commands that only read or seal an existing journal
	// must not answer "0 tickets, intact" about a new empty file made by a typo in its path.
	MustExist bool
	// NoSync skips fdatasync on commit. Only for building throwaway databases fast (benchmarks):
	// a crash can then lose or corrupt recent commits.
	NoSync bool
	// SigningKeyFile is the register's Ed25519 signing key file; default the database path with
	// ".sign" appended. It is made with the first record and must be kept, and backed up, apart
	// from the database.
	SigningKeyFile string
	// SigningSeed, when set, makes the signing key from this seed instead of at random: demo
	// data sets it so that the same seed always gives the same journal, signatures included.
	SigningSeed []byte
	// PINIterations is the PBKDF2 iteration count of the PIN hashes this store makes; default
	// comptoir.DefaultPINIterations. Tests lower it to stay fast.
	PINIterations int
}

// Store is a Comptoir database file opened for one register.
type Store struct {
	// mu guards db, which erasure replaces by a compacted copy of the file; every transaction
	// holds it for reading.
	mu       sync.RWMutex
	db       *bbolt.DB
	path     string
	timeout  time.Duration
	noSync   bool
	register []byte
	now      func() time.Time
	loc      *time.Location
	rule     comptoir.PointsRule
	pinIter  int

	keyPath string
	keyMu   sync.Mutex
	keys    *masterKey

	signPath string
	signSeed []byte
	// signMu guards signer, the signing key in effect, read from its file once.
	signMu sync.Mutex
	signer *signer
	// unsigned skips signing, only for the benchmark that measures what signing costs.
	unsigned bool
}

// Compile-time checks that Store implements the domain's services.
var (
	_ comptoir.CatalogService  = (*Store)(nil)
	_ comptoir.SaleService     = (*Store)(nil)
	_ comptoir.ClosingService  = (*Store)(nil)
	_ comptoir.JournalVerifier = (*Store)(nil)
)

var registerName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Open opens or creates the database at path, migrates it forward to the current schema and
// makes sure the register's buckets exist. An existing file that is not a Comptoir database
// (empty, foreign, a directory) is refused with ErrNotADatabase and left untouched; a database
// missing a bucket is refused with CodeDatabaseDamaged naming it; a file another process holds,
// or is rewriting, with ErrDatabaseInUse once Timeout has passed.
func Open(path string, o Options) (*Store, error) {
	if o.Register == "" {
		o.Register = "R1"
	}
	if !registerName.MatchString(o.Register) {
		return nil, comptoir.E(comptoir.CodeInvalidRegister, o.Register)
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	db, err := openLocked(path, o, func(tx *bbolt.Tx) error {
		if err := migrate(tx); err != nil {
			return err
		}
		return createRegister(tx, []byte(o.Register))
	})
	if err != nil {
		return nil, err
	}
	if o.KeyFile == "" {
		o.KeyFile = path + ".key"
	}
	s := &Store{db: db, path: path, timeout: o.Timeout, noSync: o.NoSync, register: []byte(o.Register), now: o.Now,
		loc: o.Location, rule: o.PointsRule, keyPath: o.KeyFile, pinIter: o.PINIterations,
		signPath: o.SigningKeyFile, signSeed: o.SigningSeed}
	if s.signPath == "" {
		s.signPath = path + ".sign"
	}
	if s.pinIter <= 0 {
		s.pinIter = comptoir.DefaultPINIterations
	}
	if err := s.prepare(o.MustExist); err != nil {
		db.Close()
		return nil, err
	}
	if s.compactPending() {
		// An erasure's compaction failed or was cut short: finish it before anything else. If it
		// fails again the mark stays and the next Open tries again; selling goes on meanwhile.
		_ = s.compact()
	}
	if s.rule == (comptoir.PointsRule{}) {
		set, err := s.Settings(context.Background())
		if err != nil {
			db.Close()
			return nil, err
		}
		s.rule = set.Points
	}
	if err := s.rule.Validate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// compactPending reports whether an erasure still awaits its compaction.
func (s *Store) compactPending() bool {
	pending := false
	_ = s.view(func(tx *bbolt.Tx) error {
		pending = tx.Bucket(bucketMeta).Get(keyCompactPending) != nil
		return nil
	})
	return pending
}

// Close releases the file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Close()
}

// view runs a read transaction.
func (s *Store) view(fn func(tx *bbolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.View(fn)
}

// update runs a durable write transaction.
func (s *Store) update(fn func(tx *bbolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.Update(fn)
}

// Path is the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Register is the register this store records for.
func (s *Store) Register() string { return string(s.register) }

// Location is the shop's time zone.
func (s *Store) Location() *time.Location { return s.loc }

// Now reads the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// prepare migrates the file and creates the register's buckets, unless the register must
// already exist. It only opens a write transaction when something has to change, because an
// empty commit still costs two fdatasyncs and opening must stay fast.
func (s *Store) prepare(mustExist bool) error {
	ready := false
	err := s.view(func(tx *bbolt.Tx) error {
		v, err := comptoirSchema(tx, s.path)
		if err != nil {
			return err
		}
		if v <= currentSchema {
			if err := checkTree(tx, s.path, v); err != nil {
				return err
			}
		}
		known := regBuckets(tx, s.register).ready()
		if mustExist && !known && len(registerNames(tx)) > 0 {
			// A mistyped --register must not answer "0 tickets, intact" about a register that
			// does not exist.
			return comptoir.E(comptoir.CodeUnknownRegister, s.path, string(s.register))
		}
		ready = v == currentSchema && known
		return nil
	})
	if err != nil || ready {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		if err := migrate(tx); err != nil {
			return err
		}
		// A missing bucket is damage, which creating the register's buckets must not hide.
		if err := checkTree(tx, s.path, currentSchema); err != nil {
			return err
		}
		return createRegister(tx, s.register)
	})
}

// reg is one register's buckets within a transaction.
type reg struct {
	name                             []byte
	meta, journal, refunds, closings *bbolt.Bucket
	days                             *bbolt.Bucket
	// sigs holds the signatures of every chain; nil in a file older than signatures.
	sigs *bbolt.Bucket
}

// regBucketName names a register's bucket of a kind: "journal/R1".
func regBucketName(kind, register []byte) []byte {
	return append(append(append([]byte(nil), kind...), '/'), register...)
}

// regBuckets finds a register's buckets; they exist once Open has prepared the register.
func regBuckets(tx *bbolt.Tx, name []byte) reg {
	b := func(kind []byte) *bbolt.Bucket { return tx.Bucket(regBucketName(kind, name)) }
	return reg{name: name, meta: tx.Bucket(bucketMeta), journal: b(bucketJournal),
		refunds: b(bucketRefunds), closings: b(bucketClosings), days: b(bucketDays), sigs: b(bucketSigs)}
}

// ready reports whether every bucket of the register exists.
func (r reg) ready() bool {
	return r.meta != nil && r.journal != nil && r.refunds != nil && r.closings != nil && r.days != nil
}

// registerKinds are the kinds of bucket each register has.
var registerKinds = [][]byte{bucketJournal, bucketRefunds, bucketClosings, bucketDays,
	bucketReprints, bucketTechLog, bucketSignKeys, bucketSigs}

// registerKinds6 are the kinds of bucket a register had before signatures (schema 6 and older).
var registerKinds6 = registerKinds[:4]

func createRegister(tx *bbolt.Tx, name []byte) error {
	for _, kind := range registerKinds {
		if _, err := tx.CreateBucketIfNotExists(regBucketName(kind, name)); err != nil {
			return err
		}
	}
	return nil
}

// head is the tip of a register's journal, kept so that recording a ticket reads one key.
type head struct {
	LastTicket  uint64         `json:"last_ticket"`
	LastClosing uint64         `json:"last_closing"`
	LastHash    string         `json:"last_hash"`
	GrandTotal  comptoir.Money `json:"grand_total"`
	// GrandTotalAbs is the perpetual grand total in absolute value (comptoir.AbsGrandTotal),
	// which closings carry.
	GrandTotalAbs comptoir.Money `json:"grand_total_abs,omitempty"`
	// Chains is where each signature chain stands: the last signature of the ticket and closing
	// chains, and the number, hash and signature of the last reprint, technical event and key.
	Chains map[comptoir.Chain]comptoir.ChainHead `json:"chains,omitempty"`
	// Day and DayTotals are the running totals of the business day of the last ticket. They live
	// in the head, which every sale rewrites anyway, and reach the days bucket when a ticket of
	// another day comes: writing the days bucket with every ticket cost a page per commit.
	Day       string          `json:"day,omitempty"`
	DayTotals comptoir.Totals `json:"day_totals"`
}

func (r reg) head() (head, error) {
	var h head
	if v := r.meta.Get(regBucketName(keyHead, r.name)); v != nil {
		if err := decode(v, &h); err != nil {
			return h, err
		}
	}
	return h, nil
}

// dayTotals reads the running totals of a day: from the head for the day of the last ticket,
// from the days bucket for any other.
func (r reg) dayTotals(h head, day string) (comptoir.Totals, error) {
	var t comptoir.Totals
	if day == h.Day {
		return h.DayTotals, nil
	}
	if v := r.days.Get([]byte(day)); v != nil {
		if err := decode(v, &t); err != nil {
			return t, err
		}
	}
	return t, nil
}

func (r reg) putHead(h head) error { return r.meta.Put(regBucketName(keyHead, r.name), encode(h)) }

// encode writes a value as its version byte and JSON.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own plain structs are encoded; failing here is a programming error.
		panic(fmt.Sprintf("store: encode %T: %v", v, err))
	}
	return append([]byte{valueVersion}, b...)
}

// decode reads a value written by encode. It copies nothing it keeps: json.Unmarshal copies
// strings out of the transaction's memory.
func decode(b []byte, v any) error {
	if len(b) == 0 || b[0] != valueVersion {
		return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "version de valeur inconnue", EN: "unknown value version"})
	}
	if err := json.Unmarshal(b[1:], v); err != nil {
		// The decoder's words ("invalid character …") mean nothing to a manager.
		return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "valeur enregistrée", EN: "stored value"})
	}
	return nil
}

func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// checkCtx refuses work whose context is already done, before a transaction starts.
func checkCtx(ctx context.Context) error { return ctx.Err() }

// isCode reports whether err is a domain refusal with that code.
func isCode(err error, code comptoir.Code) bool {
	return errors.Is(err, comptoir.E(code))
}
