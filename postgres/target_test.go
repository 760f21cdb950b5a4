package postgres

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/pgtest"
)

// tableNames lists every table outside PostgreSQL's own schemas, as schema.name, in order.
func tableNames(t *testing.T, dsn string) []string {
	t.Helper()
	rows, err := newPool(t, dsn).Query(context.Background(), `SELECT schemaname || '.' || tablename FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestCheckTarget_RefusesAnotherApplicationsTables checks databases holding tables that are not
// Comptoir's, one of them named like Comptoir's in another schema: each is refused, naming the
// tables, and nothing is written to it.
func TestCheckTarget_RefusesAnotherApplicationsTables(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		setup []string
		want  string
	}{
		"another application": {[]string{"CREATE TABLE invoices (id int PRIMARY KEY, amount int)",
			"INSERT INTO invoices VALUES (1, 100)"}, "public.invoices"},
		"a view":                     {[]string{"CREATE VIEW answer AS SELECT 42 AS n"}, "public.answer"},
		"Comptoir's name, elsewhere": {[]string{"CREATE SCHEMA app", "CREATE TABLE app.registers (id int)"}, "app.registers"},
	} {
		t.Run(name, func(t *testing.T) {
			dsn := pgtest.DSN(t)
			pool := newPool(t, dsn)
			for _, sql := range tc.setup {
				if _, err := pool.Exec(ctx, sql); err != nil {
					t.Fatal(err)
				}
			}
			before := tableNames(t, dsn)
			err := CheckTarget(ctx, dsn)
			var refusal *comptoir.Error
			if !errors.As(err, &refusal) || refusal.Code != comptoir.CodeMigrateTargetForeign {
				t.Fatalf("CheckTarget: %v, want %s", err, comptoir.CodeMigrateTargetForeign)
			}
			if got := fmt.Sprint(refusal.Args...); got != tc.want {
				t.Errorf("tables named: %q, want %q", got, tc.want)
			}
			if after := tableNames(t, dsn); !reflect.DeepEqual(after, before) {
				t.Errorf("tables after the check: %v, want %v", after, before)
			}
		})
	}
}

// TestCheckTarget_AcceptsAnEmptyCentral checks a new database and one a central was opened on
// (its schema applied, no register yet): both are taken, the copy's own checks coming after.
func TestCheckTarget_AcceptsAnEmptyCentral(t *testing.T) {
	ctx := context.Background()
	fresh := pgtest.DSN(t)
	if err := CheckTarget(ctx, fresh); err != nil {
		t.Errorf("new database: %v", err)
	}
	opened := pgtest.DSN(t)
	open(t, opened)
	if err := CheckTarget(ctx, opened); err != nil {
		t.Errorf("database a central was opened on: %v", err)
	}
	// An extension's views (pg_stat_statements, often in the template database) are the
	// server's, not another application's tables.
	ext := pgtest.DSN(t)
	if _, err := newPool(t, ext).Exec(ctx, "CREATE EXTENSION pg_stat_statements"); err != nil {
		t.Fatal(err)
	}
	if err := CheckTarget(ctx, ext); err != nil {
		t.Errorf("database with pg_stat_statements: %v", err)
	}
}

// TestCheckTarget_RefusesAFilledCentral checks a database that holds a central: it is refused as
// Import refuses it, before the key is compared, so that its data is never said to be an empty
// database to recreate.
func TestCheckTarget_RefusesAFilledCentral(t *testing.T) {
	ctx := context.Background()
	bc, _ := filledCentral(t)
	dsn := pgtest.DSN(t)
	pc := openImportTarget(t, dsn, bc)
	if _, _, err := pc.Import(ctx, export(bc)); err != nil {
		t.Fatal(err)
	}
	if err := CheckTarget(ctx, dsn); !errors.Is(err, comptoir.E(comptoir.CodeMigrateTargetNotEmpty)) {
		t.Errorf("CheckTarget: %v, want %s", err, comptoir.CodeMigrateTargetNotEmpty)
	}
}

// TestCheckTarget_Address refuses an unreadable address without repeating it.
func TestCheckTarget_Address(t *testing.T) {
	err := CheckTarget(context.Background(), "postgres://u:secret@h:port/db")
	if !errors.Is(err, comptoir.E(comptoir.CodePostgresAddress)) {
		t.Fatalf("CheckTarget: %v, want %s", err, comptoir.CodePostgresAddress)
	}
}

// TestOwnTables lists the tables the migrations create, the schema's own table first.
func TestOwnTables(t *testing.T) {
	got, err := ownTables()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"comptoir_schema", "registers", "events", "central", "conflicts", "signature_audit", "members",
		"cards", "member_seals", "emails", "blocked", "feed", "catalogs", "audit_trail", "card_blocks"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ownTables() = %v, want %v", got, want)
	}
}
