package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

const syncToken = "r1-token-0123456789abcdef"

// startCentral runs the real central over a bbolt file of the test's own.
func startCentral(tb testing.TB) (string, *store.Central) {
	tb.Helper()
	st, err := store.OpenCentral(filepath.Join(tb.TempDir(), "central.db"), store.CentralOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	srv, err := syncer.NewServer(st, map[string]string{"R1": syncToken, "R2": "r2-token-0123456789abcdef"})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return ts.URL, st
}

// tokenFile writes the register's token in a file with the given mode.
func tokenFile(tb testing.TB, token string, mode os.FileMode) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "token")
	if err := os.WriteFile(path, []byte(token+"\n"), mode); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		tb.Fatal(err)
	}
	return path
}

// runSyncCmd runs comptoir with recorded waits instead of real ones.
func runSyncCmd(tb testing.TB, vars map[string]string, waits *[]time.Duration, args ...string) result {
	tb.Helper()
	var out, errOut bytes.Buffer
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, clock: &clock{},
		auth:  auth{pinIterations: testPINIterations},
		sleep: func(_ context.Context, d time.Duration) error { *waits = append(*waits, d); return nil }}
	code := runEnv(e, args, func(k string) string { return vars[k] })
	return result{code, out.String(), errOut.String()}
}

func TestSync_PushesEverything(t *testing.T) {
	url, central := startCentral(t)
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "40", "--days", "2", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d: %s", r.code, r.stderr)
	}
	var waits []time.Duration
	tok := tokenFile(t, syncToken, 0o600)
	r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", url, "--token-file", tok)
	if r.code != exitOK || !strings.Contains(r.stdout, "événements envoyés, tout est acquitté.") {
		t.Fatalf("sync: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	sum, err := central.Register(ctx, "R1")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := store.Open(db, store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	last, _ := reg.LastTicket(ctx)
	gt, _ := reg.GrandTotal(ctx)
	pending, _ := reg.PendingEvents(ctx)
	reg.Close()
	if sum.Tickets != last || sum.GrandTotal != gt || !sum.ChainOK || pending != 0 {
		t.Errorf("central: %d tickets, %d cents, chain ok %v; register: %d tickets, %d cents, %d pending",
			sum.Tickets, sum.GrandTotal, sum.ChainOK, last, gt, pending)
	}

	// The second time, from the environment, in English: nothing to send.
	r = runSyncCmd(t, map[string]string{"COMPTOIR_CENTRAL": url, "COMPTOIR_TOKEN": syncToken, "COMPTOIR_LANG": "en"}, &waits, "--db", db, "sync")
	if r.code != exitOK || r.stdout != "Nothing to send, everything is acknowledged.\n" {
		t.Errorf("second sync: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if len(waits) != 0 {
		t.Errorf("syncs waited %v, want no retry", waits)
	}
}

func TestSync_Refusals(t *testing.T) {
	url, _ := startCentral(t)
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "5", "--days", "1", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d: %s", r.code, r.stderr)
	}
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	for _, tc := range []struct {
		name  string
		vars  map[string]string
		args  []string
		code  int
		want  string
		waits int
	}{
		{"no central", nil, nil, exitFailed, "adresse de la centrale inconnue", 0},
		{"no token", map[string]string{"COMPTOIR_CENTRAL": url}, nil, exitFailed, "jeton de la caisse absent", 0},
		{"unknown token", nil, []string{"--central", url, "--token", "nope"}, exitFailed, "jeton absent ou inconnu", 0},
		{"another register's token", nil, []string{"--central", url, "--token", "r2-token-0123456789abcdef"}, exitFailed,
			"ce jeton ne parle pas pour la caisse « R1 »", 0},
		{"token file others read", nil, []string{"--central", url, "--token-file", tokenFile(t, syncToken, 0o644)}, exitFailed,
			"lisible par d'autres utilisateurs", 0},
		{"both tokens", nil, []string{"--central", url, "--token", "x", "--token-file", "y"}, exitUsage, "pas les deux", 0},
		{"central down", nil, []string{"--central", downURL, "--token", syncToken}, exitFailed, "est injoignable", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var waits []time.Duration
			r := runSyncCmd(t, tc.vars, &waits, append([]string{"--db", db, "sync"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") > 2 {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
			if len(waits) != tc.waits {
				t.Errorf("waited %d times, want %d", len(waits), tc.waits)
			}
		})
	}
}

// TestSync_OnceUsersExist: any user may sync, with their PIN; nobody without one.
func TestSync_OnceUsersExist(t *testing.T) {
	url, _ := startCentral(t)
	s := withStaff(t)
	vars := map[string]string{"COMPTOIR_CENTRAL": url, "COMPTOIR_TOKEN": syncToken}
	var waits []time.Duration
	r := runSyncCmd(t, vars, &waits, "--db", s.db, "sync")
	if r.code != exitFailed {
		t.Errorf("sync without --as: exit %d, stderr %q; want a refusal", r.code, r.stderr)
	}
	vars["COMPTOIR_AS"], vars["COMPTOIR_PIN"] = "marie", "1357"
	r = runSyncCmd(t, vars, &waits, "--db", s.db, "sync")
	if r.code != exitOK {
		t.Errorf("sync as the cashier: exit %d, stderr %q", r.code, r.stderr)
	}
}
