package postgres

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/comptoir/comptoir"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CheckTarget looks, without writing anything, at the database dsn names before a central is
// copied into it: Open applies the schema and stores the key's check, so that a database checked
// only afterwards would already hold Comptoir's tables. It refuses a database holding any table
// (or view) outside pg_catalog and information_schema that is not one of Comptoir's own
// (comptoir.CodeMigrateTargetForeign, naming them): another application's database, whose data
// the copy would sit beside, is never written to. Comptoir's own tables holding a register, a
// member or a feed entry are refused as Import refuses them (comptoir.CodeMigrateTargetNotEmpty),
// so that a database of another central is not taken for an empty one opened with another key.
//
// It reads in a read-only transaction of a connection of its own. An unreadable DSN is refused
// with comptoir.CodePostgresAddress and a server it cannot reach with
// comptoir.CodePostgresUnreachable, as Open refuses them.
func CheckTarget(ctx context.Context, dsn string) error {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// As in Open: the parser's error may repeat the DSN and its password.
		return comptoir.E(comptoir.CodePostgresAddress)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return refusal(cfg, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	// Read-only: nothing to commit, and a rollback ends it the same whatever happened.
	defer tx.Rollback(context.WithoutCancel(ctx))
	ours, err := ownTables()
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT n.nspname, c.relname, n.nspname = current_schema()
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
		AND n.nspname NOT IN ('pg_catalog', 'information_schema')
		AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
		AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
			AND d.objid = c.oid AND d.deptype = 'e')
		ORDER BY n.nspname, c.relname`)
	if err != nil {
		return err
	}
	var foreign []string
	found := 0
	for rows.Next() {
		var schema, name string
		var current bool
		if err := rows.Scan(&schema, &name, &current); err != nil {
			rows.Close()
			return err
		}
		// Comptoir creates its tables unqualified, so in the current schema: a table of the same
		// name in another schema is someone else's.
		if current && slices.Contains(ours, name) {
			found++
			continue
		}
		foreign = append(foreign, schema+"."+name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(foreign) > 0 {
		return comptoir.E(comptoir.CodeMigrateTargetForeign, strings.Join(foreign, ", "))
	}
	if found == 0 {
		return nil
	}
	// A database whose schema was applied only in part holds no central yet.
	var complete bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('registers') IS NOT NULL AND to_regclass('members') IS NOT NULL
		AND to_regclass('feed') IS NOT NULL`).Scan(&complete); err != nil || !complete {
		return err
	}
	var regs, members, feed int64
	err = tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM registers), (SELECT count(*) FROM members),
		(SELECT count(*) FROM feed)`).Scan(&regs, &members, &feed)
	if err != nil {
		return err
	}
	if regs+members+feed > 0 {
		return comptoir.E(comptoir.CodeMigrateTargetNotEmpty, regs, members, feed)
	}
	return nil
}

// createTable finds the tables a migration creates.
var createTable = regexp.MustCompile(`(?i)\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)

// ownTables lists Comptoir's own tables, read from the migrations that create them, so that a
// table added by a later migration is known here without a second list to keep.
func ownTables() ([]string, error) {
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		return nil, err
	}
	names := []string{"comptoir_schema"}
	for _, m := range migs {
		for _, sub := range createTable.FindAllStringSubmatch(m.sql, -1) {
			names = append(names, strings.ToLower(sub[1]))
		}
	}
	return names, nil
}
