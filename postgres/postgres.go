// Package postgres is the central's storage on PostgreSQL, for a chain of shops that outgrows the
// embedded bbolt central: one database that several comptoir-central processes share, which its
// users back up and replicate with PostgreSQL's own tools.
//
// The rules are package central's, the same the embedded central runs: this package only
// stores what they read and write, in transactions that hold across processes.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Central is the central's storage in a PostgreSQL database. It is safe for concurrent use, and
// several processes may each hold one on the same database: every rule that must hold across
// them (a batch applied once, a card's first owner, the feed's order) is held by the database's
// locks and constraints, never by this process's memory.
type Central struct {
	pool     *pgxpool.Pool
	keys     *central.Keys
	now      func() time.Time
	maxBatch int
	maxPage  int
	// wake tells a running auditor that a push brought events; it holds one token, so that a
	// push never waits for the auditor and a burst of pushes wakes it once.
	wake chan struct{}
	// beforeCommit, set by tests only, runs in a transaction that appended feed entries, after
	// they are inserted and before the commit, to hold it open while a reader polls the feed.
	beforeCommit func()
}

var _ comptoir.CentralService = (*Central)(nil)

// Options configure Open.
type Options struct {
	// KeyPath is the central's key file (see central.LoadKeys): required, since the key never
	// lives in the database, and the same file for every process sharing the database. It is
	// created with the database's first opening and never again.
	KeyPath string
	// Now is the clock that dates what the central receives; default time.Now.
	Now func() time.Time
	// MaxBatchEvents is the most events one push may carry; default comptoir.MaxBatchEvents.
	MaxBatchEvents int
	// MaxPageBytes bounds the encoded size of a page of changes; default
	// central.DefaultMaxPageBytes. A page always holds at least one change, however large.
	MaxPageBytes int
	// IdleInTransaction is how long the server lets one of this process's sessions sit idle
	// inside a transaction before it ends the session, and with it the transaction and its
	// locks; default DefaultIdleInTransaction. See sessionLimits.
	IdleInTransaction time.Duration
}

// DefaultIdleInTransaction is how long a session of the central may sit idle in a transaction.
// The central never waits for anyone inside one: a push, a page, a back-office change send their
// statements and commit, in milliseconds. A session idle that long belongs to a process that
// froze or lost the network while it held locks, the chain-wide feed lock among them.
const DefaultIdleInTransaction = 15 * time.Second

// sessionLimits are the settings every session of the central starts with, unless the address
// sets them: a process that freezes (a paused VM or container, a network cut without a reset)
// after taking a lock would otherwise keep it until the server's TCP keepalive gave up, about two
// hours with the systems' defaults, and every other process's pushes of members and price lists,
// which all take the feed lock, would wait that long. The server ends such a session after idle,
// releasing its locks (its transaction rolls back, and the register's retry applies the batch),
// and probes an idle TCP connection within a minute. They are set with SET once connected rather
// than as startup parameters, which a pooler such as PgBouncer refuses.
func sessionLimits(cfg *pgxpool.Config, idle time.Duration) {
	var sets []string
	for _, kv := range [][2]string{
		{"idle_in_transaction_session_timeout", fmt.Sprint(idle.Milliseconds())},
		{"tcp_keepalives_idle", "30"},
		{"tcp_keepalives_interval", "10"},
		{"tcp_keepalives_count", "3"},
	} {
		if _, set := cfg.ConnConfig.RuntimeParams[kv[0]]; !set {
			sets = append(sets, "SET "+kv[0]+" = "+kv[1])
		}
	}
	if len(sets) == 0 {
		return
	}
	stmt := strings.Join(sets, "; ")
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, stmt)
		return err
	}
}

// Open connects to the PostgreSQL database dsn names (a postgres:// URL; pgx reads keyword=value
// pairs too, which comptoir-central refuses, so that a password is never taken for a file name),
// applies the schema migrations it lacks and reads the central's key file. It refuses a missing
// key path (comptoir.CodePostgresKeyPath), a DSN it cannot read (comptoir.CodePostgresAddress),
// a server it cannot connect to (comptoir.CodePostgresUnreachable), a database whose schema is
// newer than this program's (comptoir.CodeSchemaTooNew), a database whose key file is gone
// (comptoir.CodeCentralKeyLost) and another central's key (comptoir.CodeKeyMismatch). ctx
// bounds the opening only, not the life of the Central.
func Open(ctx context.Context, dsn string, o Options) (*Central, error) {
	if o.KeyPath == "" {
		return nil, comptoir.E(comptoir.CodePostgresKeyPath)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBatchEvents <= 0 {
		o.MaxBatchEvents = comptoir.MaxBatchEvents
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = central.DefaultMaxPageBytes
	}
	if o.IdleInTransaction <= 0 {
		o.IdleInTransaction = DefaultIdleInTransaction
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parser's error repeats the DSN, and masks its password only when it can make the
		// DSN out: the refusal says nothing of the DSN rather than risk printing a password.
		return nil, comptoir.E(comptoir.CodePostgresAddress)
	}
	sessionLimits(cfg, o.IdleInTransaction)
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, refusal(cfg, err)
	}
	if err := migrate(ctx, pool, migs); err != nil {
		pool.Close()
		return nil, refusal(cfg, err)
	}
	keys, err := openKeys(ctx, pool, o.KeyPath)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Central{pool: pool, keys: keys, now: o.Now, maxBatch: o.MaxBatchEvents, maxPage: o.MaxPageBytes,
		wake: make(chan struct{}, 1)}, nil
}

// openKeys reads the key file whose check value the database holds. A database without one is
// new: its key file is created (or the one there read) and its check stored. Two processes
// opening a new database at once may both get here; the first check stored wins, and the other
// process then compares its key with it like any later opening, so that a database never has
// two keys.
func openKeys(ctx context.Context, pool *pgxpool.Pool, path string) (*central.Keys, error) {
	check, err := keyCheck(ctx, pool)
	if err != nil {
		return nil, err
	}
	keys, err := central.LoadKeys(path, check == nil)
	if err != nil {
		return nil, err
	}
	if check == nil {
		if _, err := pool.Exec(ctx, "INSERT INTO central (key_check) VALUES ($1) ON CONFLICT DO NOTHING", keys.Check); err != nil {
			return nil, err
		}
		if check, err = keyCheck(ctx, pool); err != nil {
			return nil, err
		}
	}
	if !keys.Matches(check) {
		return nil, comptoir.E(comptoir.CodeKeyMismatch)
	}
	return keys, nil
}

// keyCheck is the check value of the database's key, nil before the first opening stored it.
func keyCheck(ctx context.Context, pool *pgxpool.Pool) ([]byte, error) {
	var check []byte
	err := pool.QueryRow(ctx, "SELECT key_check FROM central").Scan(&check)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return check, err
}

// Close closes the Central's connections, waiting for those in use to be returned.
func (c *Central) Close() error {
	c.pool.Close()
	return nil
}

// refusal turns a failure to connect into the refusal that names the database and the server;
// any other error is returned as it is.
func refusal(cfg *pgxpool.Config, err error) error {
	var connect *pgconn.ConnectError
	if !errors.As(err, &connect) {
		return err
	}
	return comptoir.Wrap(comptoir.CodePostgresUnreachable, oneLine{err}, cfg.ConnConfig.Database, server(cfg.ConnConfig.Config))
}

// server names where a connection goes: host and port, or a unix socket's file, which is what
// an administrator looks for.
func server(cfg pgconn.Config) string {
	if strings.HasPrefix(cfg.Host, "/") {
		return fmt.Sprintf("%s/.s.PGSQL.%d", strings.TrimSuffix(cfg.Host, "/"), cfg.Port)
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}

// oneLine keeps a cause on the line of the refusal it explains: the driver's error puts each
// attempt on a line of its own, and says the same twice when it tried with TLS and then without.
type oneLine struct{ err error }

func (e oneLine) Error() string {
	var parts []string
	for _, line := range strings.Split(strings.ReplaceAll(e.err.Error(), ":\n", ":\n\n"), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" && !slices.Contains(parts, line) {
			parts = append(parts, line)
		}
	}
	return strings.ReplaceAll(strings.Join(parts, "; "), ":; ", ": ")
}

func (e oneLine) Unwrap() error { return e.err }
