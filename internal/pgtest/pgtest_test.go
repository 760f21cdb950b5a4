package pgtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// connect opens a connection to dsn, closed when the test ends.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect to the test's database: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// currentDatabase names the database conn is connected to.
func currentDatabase(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var name string
	if err := conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestDSN_NewEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	conn := connect(t, DSN(t))
	if got := currentDatabase(t, conn); !strings.HasPrefix(got, "comptoir_test_") {
		t.Errorf("current_database() = %q, want a comptoir_test_ database", got)
	}
	var tables int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if got, want := tables, 0; got != want {
		t.Errorf("a new database holds %d tables, want %d", got, want)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE t (cents bigint); INSERT INTO t VALUES (250), (1000)"); err != nil {
		t.Fatal(err)
	}
	var sum int64
	if err := conn.QueryRow(ctx, "SELECT sum(cents) FROM t").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if got, want := sum, int64(1250); got != want {
		t.Errorf("sum = %d, want %d", got, want)
	}
}

func TestDSN_TwoDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := connect(t, DSN(t)), connect(t, DSN(t))
	if nameA, nameB := currentDatabase(t, a), currentDatabase(t, b); nameA == nameB {
		t.Fatalf("two DSNs reach the same database %s", nameA)
	}
	if _, err := a.Exec(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var found bool
	if err := b.QueryRow(ctx, "SELECT to_regclass('only_in_a') IS NOT NULL").Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found {
		t.Error("a table created through one DSN is seen through the other")
	}
}

func TestDSN_DroppedAfterTheTest(t *testing.T) {
	var name string
	t.Run("uses a database", func(t *testing.T) {
		conn := connect(t, DSN(t))
		name = currentDatabase(t, conn)
	})
	// The subtest's cleanups have run: its connection is closed and its database dropped.
	var exists bool
	conn := connect(t, DSN(t))
	if err := conn.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestWithDatabase_URLAndKeywords(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://u:p@db.example:5433/postgres?sslmode=disable", "postgres://u:p@db.example:5433/x?sslmode=disable"},
		{"postgresql://u@/postgres?dbname=postgres&host=%2Ftmp", "postgresql://u@/x?host=%2Ftmp"},
		{"postgres://u@db.example", "postgres://u@db.example/x"},
		{"host=/tmp/s port=5432 user=postgres dbname=postgres", "host=/tmp/s port=5432 user=postgres dbname=postgres dbname=x"},
	}
	for _, tt := range tests {
		got, err := withDatabase(tt.dsn, "x")
		if err != nil {
			t.Errorf("withDatabase(%q): %v", tt.dsn, err)
			continue
		}
		if got != tt.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Errorf("the DSN %q does not parse: %v", got, err)
			continue
		}
		if got, want := cfg.Database, "x"; got != want {
			t.Errorf("the DSN %q names database %q, want %q", tt.dsn, got, want)
		}
	}
}

func TestReapOrphans_OnlyEndedBinaries(t *testing.T) {
	// A process that has ended gives the process ID of a test binary that is gone.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	folder := func(owner int) string {
		t.Helper()
		dir, err := os.MkdirTemp("", clusterPrefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(owner)), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	orphan, alive := folder(gone.Process.Pid), folder(os.Getpid())
	unclaimed := folder(0)
	if err := os.Remove(filepath.Join(unclaimed, ownerFile)); err != nil {
		t.Fatal(err)
	}
	reapOrphans()
	for _, tt := range []struct {
		what, dir string
		want      bool
	}{{"an ended binary's folder", orphan, false}, {"a running binary's folder", alive, true}, {"a folder without its owner yet", unclaimed, true}} {
		_, err := os.Stat(tt.dir)
		if got := err == nil; got != tt.want {
			t.Errorf("%s exists after reapOrphans: %v, want %v", tt.what, got, tt.want)
		}
	}
}
