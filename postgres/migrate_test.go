package postgres

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// files builds a migrations folder from file names and contents.
func files(kv ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i < len(kv); i += 2 {
		fsys["migrations/"+kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return fsys
}

func TestLoadMigrations_Embedded(t *testing.T) {
	migs := embedded(t)
	for i, m := range migs {
		if got, want := m.version, i+1; got != want {
			t.Errorf("migration %d has version %d, want %d", i, got, want)
		}
		if strings.TrimSpace(m.sql) == "" {
			t.Errorf("migration %04d_%s is empty", m.version, m.name)
		}
	}
	if got, want := migs[0].name, "core"; got != want {
		t.Errorf("the first migration is %q, want %q", got, want)
	}
}

func TestLoadMigrations_Refused(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"a gap", files("0001_a.sql", "SELECT 1", "0003_c.sql", "SELECT 1"), "0003_c.sql: version 3 where 2 was expected"},
		{"a repeated version", files("0001_a.sql", "SELECT 1", "0001_b.sql", "SELECT 1"), "0001_b.sql: version 1 where 2 was expected"},
		{"not starting at 1", files("0002_b.sql", "SELECT 1"), "version 2 where 1 was expected"},
		{"a bad name", files("0001_a.sql", "SELECT 1", "2_b.sql", "SELECT 1"), "2_b.sql: not named NNNN_name.sql"},
		{"none", fstest.MapFS{"migrations": &fstest.MapFile{Mode: 0o755 | 1<<31}}, "no migration"},
	}
	for _, tt := range tests {
		_, err := loadMigrations(tt.fsys)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: loadMigrations = %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

// steps are three migrations none of which can run twice: each creates a table, and each logs its
// version in a table whose primary key refuses a second entry.
var steps = files(
	"0001_log.sql", "CREATE TABLE step_log (version int PRIMARY KEY); CREATE TABLE one (x int); INSERT INTO step_log VALUES (1)",
	"0002_two.sql", "CREATE TABLE two (x int); INSERT INTO step_log VALUES (2)",
	"0003_three.sql", "CREATE TABLE three (x int); INSERT INTO step_log VALUES (3)",
)

// logged reads the versions the steps logged.
func logged(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	rows, err := pool.Query(context.Background(), "SELECT version FROM step_log ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestMigrate_ConcurrentProcessesApplyEachStepOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	migs, err := loadMigrations(steps)
	if err != nil {
		t.Fatal(err)
	}
	// Each migrator has a pool of its own, as each central process has.
	const migrators = 4
	pools := make([]*pgxpool.Pool, migrators)
	for i := range pools {
		pools[i] = newPool(t, dsn)
	}
	start := make(chan struct{})
	errs := make(chan error, migrators)
	for _, pool := range pools {
		go func() {
			<-start
			errs <- migrate(context.Background(), pool, migs)
		}()
	}
	close(start)
	for range migrators {
		if err := <-errs; err != nil {
			t.Errorf("migrate at the same time as others: %v", err)
		}
	}
	if got, want := logged(t, pools[0]), []int{1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("steps logged %v, want %v", got, want)
	}
	if got, want := len(schemaRows(t, pools[0])), 3; got != want {
		t.Errorf("comptoir_schema holds %d rows, want %d", got, want)
	}
}

func TestMigrate_FailedStepRollsBackAlone(t *testing.T) {
	dsn := pgtest.DSN(t)
	pool := newPool(t, dsn)
	broken := files(
		"0001_log.sql", "CREATE TABLE step_log (version int PRIMARY KEY); INSERT INTO step_log VALUES (1)",
		"0002_broken.sql", "CREATE TABLE half (x int); INSERT INTO step_log VALUES (2); SELECT 1/0",
	)
	migs, err := loadMigrations(broken)
	if err != nil {
		t.Fatal(err)
	}
	err = migrate(context.Background(), pool, migs)
	if err == nil || !strings.Contains(err.Error(), "schema migration 0002_broken") {
		t.Fatalf("migrate = %v, want the failure of 0002_broken", err)
	}
	// The first step committed on its own; nothing of the second remains.
	if got, want := logged(t, pool), []int{1}; !reflect.DeepEqual(got, want) {
		t.Errorf("steps logged %v, want %v", got, want)
	}
	if got, want := len(schemaRows(t, pool)), 1; got != want {
		t.Errorf("comptoir_schema holds %d rows, want %d", got, want)
	}
	var half bool
	if err := pool.QueryRow(context.Background(), "SELECT to_regclass('half') IS NOT NULL").Scan(&half); err != nil {
		t.Fatal(err)
	}
	if half {
		t.Error("the failed migration's table remains")
	}
}
