package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"

	"github.com/comptoir/comptoir"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles holds the schema's migrations, migrations/NNNN_name.sql, numbered from 0001
// without a gap. A migration, once released, is never edited: a change to the schema is a new
// file, which every database then receives once.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one step of the schema: version n takes a database from version n-1 to n.
type migration struct {
	version int
	name    string
	sql     string
}

// migrationName is how a migration's file is named: its version on four digits, then what it does.
var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads the migrations in fsys's migrations folder, in version order. It refuses a
// file named otherwise, a version that repeats and a missing version, so that a mistake in the
// set fails every test rather than skip a step on some database.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var migs []migration
	for _, e := range entries { // fs.ReadDir sorts by name, hence by version
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: not named NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if want := len(migs) + 1; v != want {
			return nil, fmt.Errorf("migration %s: version %d where %d was expected", e.Name(), v, want)
		}
		sql, err := fs.ReadFile(fsys, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		migs = append(migs, migration{version: v, name: m[2], sql: string(sql)})
	}
	if len(migs) == 0 {
		return nil, fmt.Errorf("no migration in migrations/")
	}
	return migs, nil
}

// schemaLock is the key of the advisory lock that serializes migrations: "comptoir" in ASCII.
// Advisory locks are per database, so centrals on other databases of the server never wait on it.
const schemaLock int64 = 0x636f6d70746f6972

// createSchemaTable records the schema's versions: one row per migration applied, with when.
const createSchemaTable = `CREATE TABLE comptoir_schema (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`

// migrate brings the database to the last of migs, one migration per transaction, and refuses a
// database whose schema is newer. Several processes may migrate one database at once: each
// transaction first takes the schema lock, then reads the version, so that a process that waited
// finds the migration applied by the other and goes on to the next, or finds nothing left to do.
func migrate(ctx context.Context, pool *pgxpool.Pool, migs []migration) error {
	for {
		done, err := migrateOne(ctx, pool, migs)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies, in one transaction, the migration that follows the database's version; it
// reports done when the database was up to date already.
func migrateOne(ctx context.Context, pool *pgxpool.Pool, migs []migration) (done bool, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// A transaction-level lock is released by the commit or rollback, whatever happens to this
		// process: a central killed mid-migration leaves no lock behind.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", schemaLock); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regclass('comptoir_schema') IS NOT NULL").Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.Exec(ctx, createSchemaTable); err != nil {
				return err
			}
		}
		var version int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM comptoir_schema").Scan(&version); err != nil {
			return err
		}
		if version > len(migs) {
			return comptoir.E(comptoir.CodeSchemaTooNew, version, len(migs))
		}
		if version == len(migs) {
			done = true
			return nil
		}
		m := migs[version]
		// Without arguments the statement goes by the simple protocol, which runs the file's
		// several statements in this transaction.
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("schema migration %04d_%s: %w", m.version, m.name, err)
		}
		_, err := tx.Exec(ctx, "INSERT INTO comptoir_schema (version, name) VALUES ($1, $2)", m.version, m.name)
		return err
	})
	return done, err
}
