package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens the Central on dsn, closed when the test ends.
func open(t *testing.T, dsn string) *Central {
	t.Helper()
	c, err := Open(context.Background(), dsn, Options{KeyPath: keyPath(t, dsn)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testKeys holds the key file of each test database, so that every Central a test opens on
// its database reads the same key, as the processes sharing one database do.
var testKeys sync.Map

// keyPath is the key file of the test database dsn, in the folder of the test that first asked.
func keyPath(t testing.TB, dsn string) string {
	t.Helper()
	p, _ := testKeys.LoadOrStore(dsn, filepath.Join(t.TempDir(), "central.key"))
	return p.(string)
}

// newPool opens a pool on dsn for the test to look at the database behind the Central's back.
func newPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// schemaRow is one row of comptoir_schema.
type schemaRow struct {
	Version int
	Name    string
	Applied time.Time
}

// schemaRows reads comptoir_schema in version order.
func schemaRows(t *testing.T, pool *pgxpool.Pool) []schemaRow {
	t.Helper()
	rows, err := pool.Query(context.Background(), "SELECT version, name, applied_at FROM comptoir_schema ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []schemaRow
	for rows.Next() {
		var r schemaRow
		if err := rows.Scan(&r.Version, &r.Name, &r.Applied); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// columns lists a table's columns as "name type null" in their order, "null" being YES or NO.
func columns(t *testing.T, pool *pgxpool.Pool, table string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT column_name || ' ' || data_type || ' ' || is_nullable
		FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// embedded loads the migrations the package embeds.
func embedded(t *testing.T) []migration {
	t.Helper()
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	return migs
}

// uniqueViolation checks that err is PostgreSQL's refusal of a duplicate on constraint.
func uniqueViolation(t *testing.T, what string, err error, constraint string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Errorf("%s: err = %v, want a unique violation of %s", what, err, constraint)
		return
	}
	if pgErr.Code != "23505" || pgErr.ConstraintName != constraint {
		t.Errorf("%s: error %s on %q, want 23505 (unique violation) on %q", what, pgErr.Code, pgErr.ConstraintName, constraint)
	}
}

func TestOpen_FreshDatabaseMigrates(t *testing.T) {
	dsn := pgtest.DSN(t)
	open(t, dsn)
	pool := newPool(t, dsn)
	migs := embedded(t)
	rows := schemaRows(t, pool)
	if got, want := len(rows), len(migs); got != want {
		t.Fatalf("comptoir_schema holds %d versions, want %d", got, want)
	}
	for i, r := range rows {
		if r.Version != migs[i].version || r.Name != migs[i].name {
			t.Errorf("comptoir_schema row %d = %d %s, want %d %s", i, r.Version, r.Name, migs[i].version, migs[i].name)
		}
	}
	wantColumns := map[string][]string{
		"registers": {"name text NO", "acked_seq bigint NO", "state jsonb NO"},
		"events": {"register text NO", "seq bigint NO", "id text NO", "type text NO",
			"at timestamp with time zone NO", "received timestamp with time zone NO",
			"payload bytea NO", "rejected text YES"},
	}
	for table, want := range wantColumns {
		if got := columns(t, pool, table); !reflect.DeepEqual(got, want) {
			t.Errorf("%s's columns = %q, want %q", table, got, want)
		}
	}

	// Exactly once in the database: a sequence number or an event ID stored twice is refused.
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO registers VALUES ('R1', 1, '{}')`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO events VALUES ($1, $2, $3, 'sale.recorded', now(), now(), '{"total":1250}', NULL)`
	if _, err := pool.Exec(ctx, insert, "R1", 1, "e1"); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Exec(ctx, insert, "R1", 1, "e2")
	uniqueViolation(t, "the same register and sequence number", err, "events_pkey")
	_, err = pool.Exec(ctx, insert, "R2", 1, "e1")
	uniqueViolation(t, "the same event ID from another register", err, "events_id_key")
	var payload []byte
	if err := pool.QueryRow(ctx, `SELECT payload FROM events WHERE id = 'e1'`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if got, want := string(payload), `{"total":1250}`; got != want {
		t.Errorf("payload = %s, want the bytes sent %s", got, want)
	}
}

func TestOpen_TwiceChangesNothing(t *testing.T) {
	dsn := pgtest.DSN(t)
	c := open(t, dsn)
	pool := newPool(t, dsn)
	before := schemaRows(t, pool)
	c.Close()
	open(t, dsn)
	if after := schemaRows(t, pool); !reflect.DeepEqual(after, before) {
		t.Errorf("comptoir_schema after a second Open = %v, want it unchanged %v", after, before)
	}
}

func TestOpen_NewerSchemaRefused(t *testing.T) {
	dsn := pgtest.DSN(t)
	c := open(t, dsn)
	c.Close()
	pool := newPool(t, dsn)
	n := len(embedded(t))
	if _, err := pool.Exec(context.Background(), "INSERT INTO comptoir_schema (version, name) VALUES ($1, 'from_a_later_comptoir')", n+1); err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), dsn, Options{KeyPath: keyPath(t, dsn)})
	if err == nil {
		c.Close()
		t.Fatal("Open accepted a database whose schema is newer than the program's")
	}
	var e *comptoir.Error
	if !errors.As(err, &e) || e.Code != comptoir.CodeSchemaTooNew {
		t.Fatalf("Open: %v, want refusal %s", err, comptoir.CodeSchemaTooNew)
	}
	if got, want := e.Message(comptoir.LangEN), fmt.Sprintf("the database has format %d, newer than this program (format %d): upgrade Comptoir", n+1, n); got != want {
		t.Errorf("the refusal says %q, want %q", got, want)
	}
	if got, want := e.Message(comptoir.LangFR), fmt.Sprintf("la base est au format %d, plus récent que ce programme (format %d) : mettez Comptoir à jour", n+1, n); got != want {
		t.Errorf("the refusal says %q, want %q", got, want)
	}
	if got, want := len(schemaRows(t, pool)), n+1; got != want {
		t.Errorf("comptoir_schema holds %d rows after the refusal, want %d", got, want)
	}
}

func TestOpen_ConcurrentOpensMigrateOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	const opens = 4
	start := make(chan struct{})
	errs := make(chan error, opens)
	centrals := make(chan *Central, opens)
	for range opens {
		go func() {
			<-start
			c, err := Open(context.Background(), dsn, Options{KeyPath: keyPath(t, dsn)})
			if err == nil {
				centrals <- c
			}
			errs <- err
		}()
	}
	close(start)
	for range opens {
		if err := <-errs; err != nil {
			t.Errorf("Open at the same time as others: %v", err)
		}
	}
	close(centrals)
	for c := range centrals {
		c.Close()
	}
	pool := newPool(t, dsn)
	rows := schemaRows(t, pool)
	if got, want := len(rows), len(embedded(t)); got != want {
		t.Errorf("comptoir_schema holds %d rows after %d concurrent opens, want one per version, %d", got, opens, want)
	}
}

func TestOpen_Unreachable(t *testing.T) {
	// A socket folder where no server listens; no PostgreSQL server is needed for this test.
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	tests := []struct {
		dsn, database, server string
	}{
		{"host=" + dir + " port=5432 user=comptoir dbname=central password=s3cret connect_timeout=10",
			"central", dir + "/.s.PGSQL.5432"},
		{fmt.Sprintf("postgres://comptoir:s3cret@127.0.0.1:%d/shops?connect_timeout=10", closedPort),
			"shops", fmt.Sprintf("127.0.0.1:%d", closedPort)},
	}
	for _, tt := range tests {
		c, err := Open(context.Background(), tt.dsn, Options{KeyPath: filepath.Join(t.TempDir(), "central.key")})
		if err == nil {
			c.Close()
			t.Errorf("Open(%q) connected where no server listens", tt.dsn)
			continue
		}
		var e *comptoir.Error
		if !errors.As(err, &e) || e.Code != comptoir.CodePostgresUnreachable {
			t.Errorf("Open(%q): %v, want refusal %s", tt.dsn, err, comptoir.CodePostgresUnreachable)
			continue
		}
		en := e.Message(comptoir.LangEN)
		want := fmt.Sprintf("cannot connect to PostgreSQL database %q on %s: check the address given to --db, that the server is running and that it accepts this user: ", tt.database, tt.server)
		if !strings.HasPrefix(en, want) {
			t.Errorf("the refusal says %q, want it to start with %q", en, want)
		}
		for _, l := range []comptoir.Lang{comptoir.LangEN, comptoir.LangFR} {
			if m := e.Message(l); strings.Contains(m, "s3cret") || strings.Contains(m, "\n") {
				t.Errorf("the refusal shows the password or spans lines: %q", m)
			}
		}
	}
}

func TestOpen_UnreadableAddress(t *testing.T) {
	for _, dsn := range []string{"postgres://comptoir:s3cret@db.example:port/central", "host=/tmp port=five password=s3cret"} {
		c, err := Open(context.Background(), dsn, Options{KeyPath: keyPath(t, dsn)})
		if err == nil {
			c.Close()
			t.Errorf("Open(%q) accepted an unreadable address", dsn)
			continue
		}
		var e *comptoir.Error
		if !errors.As(err, &e) || e.Code != comptoir.CodePostgresAddress {
			t.Errorf("Open(%q): %v, want refusal %s", dsn, err, comptoir.CodePostgresAddress)
			continue
		}
		if m := e.Message(comptoir.LangEN); strings.Contains(m, "s3cret") {
			t.Errorf("the refusal shows the password: %q", m)
		}
	}
}

func TestOneLine_EachAttemptOnce(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dial error", "dial error"},
		{"failed to connect to `user=u database=d`:\n\ta: refused\n\ta: refused", "failed to connect to `user=u database=d`: a: refused"},
		{"failed to connect to `user=u database=d`:\n\ta: refused\n\tb: refused", "failed to connect to `user=u database=d`: a: refused; b: refused"},
	}
	for _, tt := range tests {
		if got := (oneLine{errors.New(tt.in)}).Error(); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
