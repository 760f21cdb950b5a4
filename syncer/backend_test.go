package syncer_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.etcd.io/bbolt"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/comptoir/comptoir/postgres"
	"github.com/comptoir/comptoir/store"
)

// faultBackends are, for each central of the contract table (centrals, in server_test.go), what
// the fault tests need beyond a central that runs: a storage that outlives the central, so that
// the fault proxy can restart it, and a way to read what it stored that does not go through the
// central, so that the exactly-once check does not trust the code it checks. The names are the
// contract table's: eachFaultBackend runs the fault tests once per name of centrals and fails when
// this table lacks one, so that a central added there is restarted under faults too.
var faultBackends = map[string]func(testing.TB) *faultBackend{
	"bbolt":    newBoltBackend,
	"postgres": newPostgresBackend,
}

// openedCentral is a central a faultBackend opened, which the test closes to stop or restart it.
type openedCentral interface {
	comptoir.CentralService
	Close() error
}

// storedEvent is one event as the central stored it: its sequence number, its type, and its
// payload as the register sent it.
type storedEvent struct {
	seq     uint64
	typ     string
	payload []byte
}

// faultBackend is the storage of a restartable central on one backend.
type faultBackend struct {
	// name is the backend's name in the contract table.
	name string
	// open opens a central on the backend's storage, the same at every call, so that a restart
	// finds what the central stored before it. It returns its error rather than failing the
	// test, since the proxy restarts the central off the test's goroutine.
	open func() (openedCentral, error)
	// events reads the events the central stored for a register, in sequence order. The
	// central must be stopped: the embedded one holds its file locked while it runs.
	events func(register string) ([]storedEvent, error)
	// conflicts counts the conflicts the central recorded, over every register; the central
	// must be stopped, as for events.
	conflicts func() (int, error)
}

// eachFaultBackend runs test once per central of the contract table, as a subtest named by the
// central, with the function that makes a new storage of its backend: a test that restarts
// several centrals makes one storage for each.
func eachFaultBackend(t *testing.T, test func(t *testing.T, newBackend func(testing.TB) *faultBackend)) {
	t.Helper()
	for name := range faultBackends {
		if _, ok := centrals[name]; !ok {
			t.Errorf("faultBackends has the %s central, which the contract table centrals lacks", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(centrals)) {
		t.Run(name, func(t *testing.T) {
			// The fault tests mostly wait, on stalls that last until the client gives up and on
			// the centrals' commits, not on the processor: the backends run side by side, so
			// that their waits overlap rather than add up. Each has its own storage, proxy and
			// registers; nothing but the processor is shared.
			t.Parallel()
			newBackend, ok := faultBackends[name]
			if !ok {
				t.Fatalf("the contract table has the %s central, and faultBackends cannot restart it", name)
			}
			test(t, newBackend)
		})
	}
}

// newBoltBackend keeps the embedded central in a file of the test's own.
func newBoltBackend(tb testing.TB) *faultBackend {
	tb.Helper()
	path := centralFile(tb)
	// created is set by the first opening, which creates the file: every later one must find
	// it, so that a restart on a lost file fails rather than start an empty central.
	var created atomic.Bool
	return &faultBackend{
		name: "bbolt",
		open: func() (openedCentral, error) {
			c, err := store.OpenCentral(path, store.CentralOptions{MustExist: created.Load()})
			if err != nil {
				return nil, err
			}
			created.Store(true)
			return c, nil
		},
		events: func(register string) ([]storedEvent, error) {
			var evs []storedEvent
			err := viewBolt(path, func(tx *bbolt.Tx) error {
				b := tx.Bucket([]byte("events/" + register))
				if b == nil {
					return fmt.Errorf("no events for %s", register)
				}
				return b.ForEach(func(k, v []byte) error {
					if len(k) != 8 {
						return fmt.Errorf("%s: an event's key has %d bytes, want 8", register, len(k))
					}
					typ, payload, err := splitStored(v)
					if err != nil {
						return fmt.Errorf("%s: event %d: %w", register, binary.BigEndian.Uint64(k), err)
					}
					// bbolt's values live in its memory map, gone once the file is closed:
					// the payload is copied out of the transaction.
					evs = append(evs, storedEvent{seq: binary.BigEndian.Uint64(k), typ: typ, payload: slices.Clone(payload)})
					return nil
				})
			})
			return evs, err
		},
		conflicts: func() (int, error) {
			var n int
			err := viewBolt(path, func(tx *bbolt.Tx) error {
				b := tx.Bucket([]byte("conflicts"))
				if b == nil {
					return errors.New("the central has no conflicts bucket")
				}
				n = b.Stats().KeyN
				return nil
			})
			return n, err
		},
	}
}

// viewBolt reads a stopped embedded central's file in a read-only transaction.
func viewBolt(path string, fn func(*bbolt.Tx) error) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	err = db.View(fn)
	return errors.Join(err, db.Close())
}

// splitStored reads an event as the embedded central stores it: a version byte, a uvarint header
// length, the JSON header, then the payload as the register sent it.
func splitStored(v []byte) (typ string, payload []byte, err error) {
	if len(v) < 2 || v[0] != 1 {
		return "", nil, errors.New("stored event of an unknown format")
	}
	n, k := binary.Uvarint(v[1:])
	if k <= 0 {
		return "", nil, errors.New("stored event without a header")
	}
	start := 1 + k
	if n > uint64(len(v)-start) {
		return "", nil, errors.New("stored event's header is longer than the event")
	}
	end := start + int(n)
	var h struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(v[start:end], &h); err != nil {
		return "", nil, err
	}
	return h.Type, v[end:], nil
}

// newPostgresBackend keeps the PostgreSQL central in a database of the test's own, with its key
// file in the test's folder: every opening uses both, as a central process restarted on the same
// database and the same key file does.
func newPostgresBackend(tb testing.TB) *faultBackend {
	tb.Helper()
	dsn := pgtest.DSN(tb)
	key := filepath.Join(tb.TempDir(), "central.key")
	query := func(fn func(ctx context.Context, conn *pgx.Conn) error) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		return fn(ctx, conn)
	}
	return &faultBackend{
		name: "postgres",
		open: func() (openedCentral, error) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			return postgres.Open(ctx, dsn, postgres.Options{KeyPath: key})
		},
		events: func(register string) ([]storedEvent, error) {
			var evs []storedEvent
			err := query(func(ctx context.Context, conn *pgx.Conn) error {
				rows, err := conn.Query(ctx, "SELECT seq, type, payload FROM events WHERE register = $1 ORDER BY seq", register)
				if err != nil {
					return err
				}
				var ev storedEvent
				var seq int64
				_, err = pgx.ForEachRow(rows, []any{&seq, &ev.typ, &ev.payload}, func() error {
					// pgx scans a bytea into a new slice at each row, so that each event
					// appended keeps its own payload.
					ev.seq = uint64(seq)
					evs = append(evs, ev)
					return nil
				})
				return err
			})
			return evs, err
		},
		conflicts: func() (int, error) {
			var n int
			err := query(func(ctx context.Context, conn *pgx.Conn) error {
				return conn.QueryRow(ctx, "SELECT count(*) FROM conflicts").Scan(&n)
			})
			return n, err
		},
	}
}
