package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/comptoir/comptoir/postgres"
	"github.com/comptoir/comptoir/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// testPassword is put in every PostgreSQL address the tests give: the test cluster trusts its
// socket and never asks for it, and the command must never print it.
const testPassword = "pw-never-printed-7f3a"

// pgURL is a new test database's address in the form --db recognises, postgres://, whatever
// form pgtest gives it in, with testPassword in it.
func pgURL(t *testing.T) string {
	t.Helper()
	cfg, err := pgconn.ParseConfig(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(cfg.User, testPassword), Path: "/" + cfg.Database}
	q := url.Values{"sslmode": {"disable"}}
	if strings.HasPrefix(cfg.Host, "/") {
		// A unix socket's folder goes in the query, where a URL can hold a path.
		q.Set("host", cfg.Host)
		q.Set("port", fmt.Sprint(cfg.Port))
	} else {
		u.Host = fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestParseFlags_Postgres(t *testing.T) {
	got, err := parseFlags([]string{"--tokens", "t", "--db", "postgres://u:p@db.example:5432/comptoir", "--key", "/etc/c.key"}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got.db != "postgres://u:p@db.example:5432/comptoir" || got.key != "/etc/c.key" {
		t.Fatalf("got %+v, want the address and the key file", got)
	}
	refused := map[string][]string{
		"postgres without key":   {"--tokens", "t", "--db", "postgres://u@h/db"},
		"postgresql without key": {"--tokens", "t", "--db", "POSTGRESQL://u@h/db"},
		"key with a file":        {"--tokens", "t", "--db", "c.db", "--key", "c.key"},
		"key with the default":   {"--tokens", "t", "--key", "c.key"},
	}
	for name, args := range refused {
		var stderr bytes.Buffer
		if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{open: openCentral}); got != exitUsage {
			t.Errorf("%s: exit code %d, want %d (%s)", name, got, exitUsage, stderr.String())
		}
		if !strings.Contains(stderr.String(), "--key") {
			t.Errorf("%s: %q does not name --key", name, stderr.String())
		}
	}
}

func TestParseMigrateFlags(t *testing.T) {
	got, err := parseMigrateFlags([]string{"--from", "/srv/central.db", "--to", "postgres://u@h/db"}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if want := (migrateConfig{from: "/srv/central.db", to: "postgres://u@h/db", key: "/srv/central.db.key", lang: comptoir.LangFR}); got != want {
		t.Fatalf("got %+v, want %+v: the key beside the copied file by default", got, want)
	}
	for name, args := range map[string][]string{
		"no from":    {"migrate", "--to", "postgres://u@h/db"},
		"no to":      {"migrate", "--from", "c.db"},
		"file to":    {"migrate", "--from", "c.db", "--to", "other.db"},
		"extra":      {"migrate", "--from", "c.db", "--to", "postgres://u@h/db", "now"},
		"bad option": {"migrate", "--db", "c.db"},
	} {
		var stderr bytes.Buffer
		if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{open: openCentral}); got != exitUsage {
			t.Errorf("%s: exit code %d, want %d (%s)", name, got, exitUsage, stderr.String())
		}
	}
}

// TestRun_PostgresUnreachableSaysNoPassword starts the central on a PostgreSQL server that is
// not there: one line saying which server and database, without the password.
func TestRun_PostgresUnreachableSaysNoPassword(t *testing.T) {
	var stderr bytes.Buffer
	db := "postgres://comptoir:" + testPassword + "@127.0.0.1:1/chain?connect_timeout=5&sslmode=disable"
	args := []string{"--tokens", writeTokens(t, goodTokens, 0o600), "--db", db, "--key", filepath.Join(t.TempDir(), "c.key"), "--lang", "en"}
	if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{open: openCentral}); got != exitFailed {
		t.Fatalf("exit code %d, want %d (%s)", got, exitFailed, stderr.String())
	}
	if strings.Contains(stderr.String(), testPassword) || !strings.Contains(stderr.String(), `"chain" on 127.0.0.1:1`) {
		t.Fatalf("stderr %q: want the database and server named, and no password", stderr.String())
	}
}

// lockedBuffer is what a central in this process logs, read while it writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveInProcess runs the command in this process with args, and returns its base URL, what it
// logs, and stop, which ends it and checks that it exited 0; the test's end stops it too.
func serveInProcess(t *testing.T, args []string) (base string, log *lockedBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	log = &lockedBuffer{}
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--lang", "en"}, args...), noEnv, io.Discard, log,
			&hooks{open: openCentral, listening: func(a string) { addr <- a }})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if got := <-exited; got != exitOK {
				t.Errorf("exit code %d: %s", got, log.String())
			}
		})
	}
	t.Cleanup(stop)
	select {
	case a := <-addr:
		return "http://" + a, log, stop
	case code := <-exited:
		cancel()
		exited <- code
		t.Fatalf("the central stopped with %d: %s", code, log.String())
		return "", nil, nil
	}
}

// registerOutbox records sales on a real register and returns its outbox and grand total.
func registerOutbox(t *testing.T, name string, sales int) ([]comptoir.Event, comptoir.Money) {
	t.Helper()
	ctx := context.Background()
	reg, err := store.Open(filepath.Join(t.TempDir(), "register.db"), store.Options{Register: name, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}
	for i := range sales {
		q := int64(i%3 + 1)
		d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, q)},
			Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: p.Price * comptoir.Money(q)}}}
		if _, err := reg.RecordSale(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	events, err := reg.Outbox(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	grand, err := reg.GrandTotal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return events, grand
}

// pushHTTP pushes a batch as a register and returns the status.
func pushHTTP(t *testing.T, base, register, token string, events []comptoir.Event) int {
	t.Helper()
	body, err := json.Marshal(map[string]any{"events": events})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/registers/"+register+"/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestRun_MigrateThenServeOnPostgres fills an embedded central through the command, stops it,
// migrates it to PostgreSQL with the command, then serves from PostgreSQL with the key file of
// the embedded central: the summary is the one the embedded central gave, a replay of what was
// pushed before the move is acknowledged without effect, new sales add up, and the log names the
// backend and database without the password. A second migration into the same database is
// refused.
func TestRun_MigrateThenServeOnPostgres(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "central.db")
	tokens := writeTokens(t, goodTokens, 0o600)
	events, grand := registerOutbox(t, "R1", 5)
	before, after := events[:4], events[4:]

	base, _, stop := serveInProcess(t, []string{"--db", file, "--tokens", tokens})
	if got := pushHTTP(t, base, "R1", "0123456789abcdef01", before); got != http.StatusOK {
		t.Fatalf("push to the embedded central: %d", got)
	}
	p := &centralProcess{url: base}
	embedded := p.summary(t, "R1", "aaaaaaaaaaaaaaaaaaaa")
	// The embedded central must be stopped for its file to be copied: a migration while it
	// serves is refused, and copies nothing.
	db := pgURL(t)
	var stdout, stderr bytes.Buffer
	if got := run(context.Background(), []string{"migrate", "--from", file, "--to", db, "--lang", "en"}, noEnv, &stdout, &stderr,
		&hooks{}); got != exitFailed || !strings.Contains(stderr.String(), "already open in another Comptoir program") {
		t.Fatalf("migrate while the central serves: exit code %d, %q; want the file refused as in use", got, stderr.String())
	}
	stop()
	stdout.Reset()
	stderr.Reset()
	if got := run(context.Background(), []string{"migrate", "--from", file, "--to", db, "--lang", "en"}, noEnv, &stdout, &stderr,
		&hooks{}); got != exitOK {
		t.Fatalf("migrate: exit code %d: %s", got, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"register R1: acknowledged sequence", "Everything matches", "--key " + central.KeyPath(file),
		"to the microsecond", embedded.GrandTotal.Format(comptoir.LangEN)} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate printed:\n%s\nwant %q in it", out, want)
		}
	}
	if strings.Contains(out, testPassword) {
		t.Errorf("migrate printed the password:\n%s", out)
	}
	stderr.Reset()
	if got := run(context.Background(), []string{"migrate", "--from", file, "--to", db, "--lang", "en"}, noEnv, io.Discard, &stderr,
		&hooks{}); got != exitFailed || !strings.Contains(stderr.String(), "not empty (1 registers") {
		t.Errorf("second migrate: exit code %d, %q; want the database refused as not empty", got, stderr.String())
	}

	base, log, _ := serveInProcess(t, []string{"--db", db, "--key", central.KeyPath(file), "--tokens", tokens})
	p = &centralProcess{url: base}
	moved := p.summary(t, "R1", "aaaaaaaaaaaaaaaaaaaa")
	if moved.AckedSeq != embedded.AckedSeq || moved.Tickets != embedded.Tickets || moved.GrandTotal != embedded.GrandTotal || !moved.ChainOK {
		t.Errorf("summary on PostgreSQL %+v, embedded %+v", moved, embedded)
	}
	if got := pushHTTP(t, base, "R1", "0123456789abcdef01", before); got != http.StatusOK {
		t.Errorf("replay on PostgreSQL: %d, want 200", got)
	}
	if got := pushHTTP(t, base, "R1", "0123456789abcdef01", after); got != http.StatusOK {
		t.Errorf("push on PostgreSQL: %d, want 200", got)
	}
	if sum := p.summary(t, "R1", "aaaaaaaaaaaaaaaaaaaa"); sum.AckedSeq != events[len(events)-1].Seq || sum.Tickets != 5 || sum.GrandTotal != grand || !sum.ChainOK {
		t.Errorf("summary after the push %+v, want every event, 5 tickets, %v, an intact chain", sum, grand)
	}
	cfg, _ := pgconn.ParseConfig(db)
	if l := log.String(); strings.Contains(l, testPassword) || !strings.Contains(l, "backend=postgres") || !strings.Contains(l, "/"+cfg.Database) {
		t.Errorf("log:\n%s\nwant the backend and the database named, and no password", l)
	}
}

// TestRun_PostgresKeyFileShared starts a central on a new PostgreSQL database, which creates its
// key file, and pushes to it; a second central given no such file, or another central's key, is
// refused, since every process sharing the database must seal and open with the same key. A
// migration given another key than the embedded central's is refused before it opens the
// database.
func TestRun_PostgresKeyFileShared(t *testing.T) {
	dir := t.TempDir()
	db, key := pgURL(t), filepath.Join(dir, "central.key")
	tokens := writeTokens(t, goodTokens, 0o600)
	events, grand := registerOutbox(t, "R1", 2)
	base, _, _ := serveInProcess(t, []string{"--db", db, "--key", key, "--tokens", tokens})
	if got := pushHTTP(t, base, "R1", "0123456789abcdef01", events); got != http.StatusOK {
		t.Fatalf("push: %d", got)
	}
	p := &centralProcess{url: base}
	if sum := p.summary(t, "R1", "aaaaaaaaaaaaaaaaaaaa"); sum.AckedSeq != events[len(events)-1].Seq || sum.GrandTotal != grand {
		t.Errorf("summary %+v, want every event and %v", sum, grand)
	}

	other := filepath.Join(dir, "other.key")
	if _, err := central.LoadKeys(other, true); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct{ key, want string }{
		"missing key": {filepath.Join(dir, "missing.key"), "copy here the key file every process of this database uses"},
		"other key":   {other, "the encryption key does not match this database"},
	} {
		var stderr bytes.Buffer
		args := []string{"--addr", "127.0.0.1:0", "--db", db, "--key", tt.key, "--tokens", tokens, "--lang", "en"}
		if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{open: openCentral}); got != exitFailed ||
			!strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%s: exit code %d, %q; want %q", name, got, stderr.String(), tt.want)
		}
	}

	file := filepath.Join(dir, "central.db")
	bc, err := store.OpenCentral(file, store.CentralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bc.Close()
	target := pgURL(t)
	var stderr bytes.Buffer
	if got := run(context.Background(), []string{"migrate", "--from", file, "--to", target, "--key", other, "--lang", "en"},
		noEnv, io.Discard, &stderr, &hooks{}); got != exitFailed || !strings.Contains(stderr.String(), "the encryption key does not match") {
		t.Errorf("migrate with another key: exit code %d, %q; want the key refused", got, stderr.String())
	}
	// The refused migration left the database as it was: with the right key, it goes through.
	stderr.Reset()
	if got := run(context.Background(), []string{"migrate", "--from", file, "--to", target, "--lang", "en"},
		noEnv, io.Discard, &stderr, &hooks{}); got != exitOK {
		t.Errorf("migrate with the central's key after the refusal: exit code %d, %q", got, stderr.String())
	}
}

// TestRun_MigrateRefusesAnotherApplicationsDatabase migrates into a database that holds another
// application's table: the refusal names it, and nothing of Comptoir is written there.
func TestRun_MigrateRefusesAnotherApplicationsDatabase(t *testing.T) {
	ctx := context.Background()
	file := embeddedCentral(t)
	db := pgURL(t)
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE invoices (id int PRIMARY KEY, amount int); INSERT INTO invoices VALUES (1, 100)"); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if got := run(ctx, []string{"migrate", "--from", file, "--to", db, "--lang", "en"}, noEnv, io.Discard, &stderr, &hooks{}); got != exitFailed ||
		!strings.Contains(stderr.String(), "not Comptoir's (public.invoices)") {
		t.Errorf("migrate: exit code %d, %q; want the database refused, naming its table", got, stderr.String())
	}
	var tables string
	if err := conn.QueryRow(ctx, "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if got, want := tables, "invoices"; got != want {
		t.Errorf("tables after the refused migration: %q, want %q", got, want)
	}
}

// TestRun_MigrateIntoDatabaseOpenedWithAnotherKey migrates into an empty database a central was
// started on first, with a new key: the refusal says to drop the database and create it again.
func TestRun_MigrateIntoDatabaseOpenedWithAnotherKey(t *testing.T) {
	ctx := context.Background()
	file := embeddedCentral(t)
	db := pgURL(t)
	pc, err := postgres.Open(ctx, db, postgres.Options{KeyPath: filepath.Join(t.TempDir(), "new.key")})
	if err != nil {
		t.Fatal(err)
	}
	pc.Close()
	var stderr bytes.Buffer
	if got := run(ctx, []string{"migrate", "--from", file, "--to", db, "--lang", "en"}, noEnv, io.Discard, &stderr, &hooks{}); got != exitFailed ||
		!strings.Contains(stderr.String(), "opened once with another key") || !strings.Contains(stderr.String(), "drop it and create it again") {
		t.Errorf("migrate: exit code %d, %q; want the database said to be recreated", got, stderr.String())
	}
}
