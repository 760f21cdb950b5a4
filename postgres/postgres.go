// Package postgres is the central's storage on PostgreSQL, for a chain of shops that outgrows the
// embedded bbolt central: one database that several comptoir-central processes share, which its
// users back up and replicate with PostgreSQL's own tools.
//
// This first increment opens the database and brings its schema up to date; the central's
// storage interface comes with the next ones.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/comptoir/comptoir"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Central is the central's storage in a PostgreSQL database. It is safe for concurrent use, and
// several processes may each hold one on the same database.
type Central struct {
	pool *pgxpool.Pool
}

// Open connects to the PostgreSQL database dsn names (a postgres:// URL or keyword=value pairs)
// and applies the schema migrations it lacks. It refuses a DSN it cannot read
// (comptoir.CodePostgresAddress), a server it cannot connect to (comptoir.CodePostgresUnreachable)
// and a database whose schema is newer than this program's (comptoir.CodeSchemaTooNew). ctx
// bounds the opening only, not the life of the Central.
func Open(ctx context.Context, dsn string) (*Central, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parser's error repeats the DSN, and masks its password only when it can make the
		// DSN out: the refusal says nothing of the DSN rather than risk printing a password.
		return nil, comptoir.E(comptoir.CodePostgresAddress)
	}
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
	return &Central{pool: pool}, nil
}

// Close closes the Central's connections, waiting for those in use to be returned.
func (c *Central) Close() { c.pool.Close() }

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
