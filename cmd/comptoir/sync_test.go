package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

const syncToken = "r1-token-0123456789abcdef"

// startCentral runs the real central over a bbolt file of the test's own.
func startCentral(tb testing.TB) (string, *store.Central) {
	tb.Helper()
	return startCentralWith(tb, store.CentralOptions{}, nil)
}

// startCentralWith runs the real central with options (its clock) behind an optional wrapper
// of its handler (a central that is down), on plain HTTP or, with tlsServer, on HTTPS.
func startCentralWith(tb testing.TB, opts store.CentralOptions, wrap func(http.Handler) http.Handler) (string, *store.Central) {
	tb.Helper()
	ts, st := newCentralServer(tb, opts, wrap)
	ts.Start()
	tb.Cleanup(ts.Close)
	return ts.URL, st
}

func newCentralServer(tb testing.TB, opts store.CentralOptions, wrap func(http.Handler) http.Handler) (*httptest.Server, *store.Central) {
	tb.Helper()
	opts.NoSync = true
	st, err := store.OpenCentral(filepath.Join(tb.TempDir(), "central.db"), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	srv, err := syncer.NewServer(st, map[string]string{"R1": syncToken, "R2": "r2-token-0123456789abcdef", "admin": "admin-token-0123456789abcdef"})
	if err != nil {
		tb.Fatal(err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(h)
	}
	return httptest.NewUnstartedServer(h), st
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

// demoDB fills a database with demo-data's days and three members.
func demoDB(tb testing.TB, sales string) string {
	tb.Helper()
	db := dbPath(tb)
	if r := runCmd(tb, nil, "", "--db", db, "demo-data", "--sales", sales, "--customers", "3", "--days", "2", "--start", "2026-03-02"); r.code != exitOK {
		tb.Fatalf("demo-data: exit %d: %s", r.code, r.stderr)
	}
	return db
}

// openSynced opens a register's database after a sync, for the test to read.
func openSynced(tb testing.TB, db string) *store.Store {
	tb.Helper()
	reg, err := store.Open(db, store.Options{MustExist: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { reg.Close() })
	return reg
}

func TestSync_PushesAndPulls(t *testing.T) {
	url, central := startCentral(t)
	db := demoDB(t, "40")
	var waits []time.Duration
	tok := tokenFile(t, syncToken, 0o600)
	r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", url+"/", "--token-file", tok)
	if r.code != exitOK {
		t.Fatalf("sync: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Base de démonstration (demo-data) : la centrale marque cette caisse comme démo.\n",
		"événements envoyés, tout est acquitté.\n", "changements reçus de la centrale.\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout %q lacks %q", r.stdout, want)
		}
	}
	ctx := context.Background()
	sum, err := central.Register(ctx, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Demo {
		t.Error("the central does not mark the demo register as a demo")
	}
	reg := openSynced(t, db)
	last, _ := reg.LastTicket(ctx)
	gt, _ := reg.GrandTotal(ctx)
	pending, _ := reg.PendingEvents(ctx)
	set, _ := reg.Settings(ctx)
	setup, ok, err := reg.SyncSetup(ctx)
	reg.Close()
	if sum.Tickets != last || sum.GrandTotal != gt || !sum.ChainOK || pending != 0 {
		t.Errorf("central: %d tickets, %d cents, chain ok %v; register: %d tickets, %d cents, %d pending",
			sum.Tickets, sum.GrandTotal, sum.ChainOK, last, gt, pending)
	}
	if err != nil || !ok || setup.Register != "R1" || len(setup.CentralKey) != 32 {
		t.Errorf("SyncSetup = %+v, %v, %v; want the central's set-up pinned", setup, ok, err)
	}
	// The address and the token file are remembered, the token itself never.
	if got, want := set.Get("sync.central"), url; got != want {
		t.Errorf("sync.central = %q, want %q", got, want)
	}
	if got, want := set.Get("sync.token-file"), tok; got != want {
		t.Errorf("sync.token-file = %q, want %q", got, want)
	}
	if b, _ := os.ReadFile(db); bytes.Contains(b, []byte(syncToken)) {
		t.Error("the database holds the token")
	}

	// The back office changes a price and withdraws a member's consent: the next sync, with
	// nothing but the remembered settings, brings both.
	card := comptoir.CardNumber(1)
	if _, err := central.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelEmail, Granted: false, Via: comptoir.ViaWeb}); err != nil {
		t.Fatalf("central consent: %v", err)
	}
	p := demoProduct(t)
	p.Price += 10
	if _, err := central.PutCatalog(ctx, []comptoir.Product{p}); err != nil {
		t.Fatalf("central catalogue: %v", err)
	}
	r = runSyncCmd(t, nil, &waits, "--db", db, "sync")
	if r.code != exitOK || !strings.Contains(r.stdout, "Rien à envoyer, tout est acquitté.\n") || !strings.Contains(r.stdout, "changements reçus de la centrale.\n") {
		t.Fatalf("second sync: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	reg = openSynced(t, db)
	got, err := reg.Product(ctx, p.GTIN)
	if err != nil || got.Price != p.Price {
		t.Errorf("product after the pull = %+v, %v; want the price %v", got, err, p.Price)
	}
	c, err := reg.CustomerByCard(ctx, card)
	if err != nil {
		t.Fatal(err)
	}
	events, _ := reg.ConsentHistory(ctx, c.ID)
	if st := comptoir.DeriveConsent(events); st.Granted(comptoir.ChannelEmail) || st[comptoir.ChannelEmail].Via != comptoir.ViaWeb {
		t.Errorf("consent after the pull = %+v, want the email withdrawn on the web", st[comptoir.ChannelEmail])
	}
	reg.Close()

	// The third time, from the environment, in English: nothing to send or receive.
	r = runSyncCmd(t, map[string]string{"COMPTOIR_CENTRAL": url, "COMPTOIR_TOKEN": syncToken, "COMPTOIR_LANG": "en"}, &waits, "--db", db, "sync")
	if want := "Demo database (demo-data): the central marks this register as a demo.\nNothing to send, everything is acknowledged.\nNothing new to receive from the central.\n"; r.code != exitOK || r.stdout != want {
		t.Errorf("third sync: exit %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	if len(waits) != 0 {
		t.Errorf("syncs waited %v, want no retry", waits)
	}
}

// TestSync_WrongTokenWithNothingToSend notices a token the central refuses although nothing
// waits: the set-up and the pull ask the central all the same.
func TestSync_WrongTokenWithNothingToSend(t *testing.T) {
	url, _ := startCentral(t)
	db := demoDB(t, "3")
	var waits []time.Duration
	if r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", url, "--token", syncToken); r.code != exitOK {
		t.Fatalf("sync: exit %d, stderr %q", r.code, r.stderr)
	}
	r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--token", "nope")
	if r.code != exitFailed || !strings.Contains(r.stderr, "jeton absent ou inconnu") {
		t.Errorf("sync with a wrong token: exit %d, stderr %q; want the token refused", r.code, r.stderr)
	}
}

// TestSync_ClockSkew warns on stderr when the central's clock is minutes away, and still
// succeeds: the sync itself went through.
func TestSync_ClockSkew(t *testing.T) {
	url, _ := startCentralWith(t, store.CentralOptions{Now: func() time.Time { return time.Now().Add(5 * time.Minute) }}, nil)
	db := demoDB(t, "3")
	var waits []time.Duration
	r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", url, "--token", syncToken)
	if r.code != exitOK || !strings.Contains(r.stderr, "⚠ l'horloge de cette caisse retarde de 5 min sur celle de la centrale") {
		t.Errorf("sync: exit %d, stderr %q; want success and the clock warning", r.code, r.stderr)
	}
}

// TestSync_CAFile trusts a central whose certificate the shop made, given in a file.
func TestSync_CAFile(t *testing.T) {
	ts, _ := newCentralServer(t, store.CentralOptions{}, nil)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "central.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	db := demoDB(t, "3")
	var waits []time.Duration
	r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", ts.URL, "--token", syncToken, "--ca-file", ca)
	if r.code != exitOK {
		t.Errorf("sync with --ca-file: exit %d, stderr %q", r.code, r.stderr)
	}
	notPEM := filepath.Join(t.TempDir(), "central.der")
	if err := os.WriteFile(notPEM, ts.Certificate().Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", ts.URL, "--token", syncToken, "--ca-file", notPEM)
	if r.code != exitFailed || !strings.Contains(r.stderr, "aucun certificat PEM") {
		t.Errorf("sync with a DER file: exit %d, stderr %q; want it refused", r.code, r.stderr)
	}
}

// TestSync_RestoredBackupStops says what to do when the register's file is an old copy, and
// exits non-zero rather than loop.
func TestSync_RestoredBackupStops(t *testing.T) {
	url, _ := startCentral(t)
	db := demoDB(t, "3")
	backup := filepath.Join(t.TempDir(), "backup.db")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backup, b, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := os.ReadFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backup+".key", k, 0o600); err != nil {
		t.Fatal(err)
	}
	// A backup holds the signing key too: without it the old copy could not sign its sale.
	sk, err := os.ReadFile(db + ".sign")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backup+".sign", sk, 0o600); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	if r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", url, "--token", syncToken); r.code != exitOK {
		t.Fatalf("sync: exit %d, stderr %q", r.code, r.stderr)
	}
	// One more sale on the live file, sent; then the old copy comes back and sells another
	// ticket under the same number.
	sellOne(t, db, 1)
	if r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--token", syncToken); r.code != exitOK {
		t.Fatalf("sync: exit %d, stderr %q", r.code, r.stderr)
	}
	sellOne(t, backup, 2)
	if r := runSyncCmd(t, nil, &waits, "--db", backup, "sync", "--central", url, "--token", syncToken); r.code != exitFailed ||
		!strings.Contains(r.stderr, "sauvegarde") || len(waits) != 0 {
		t.Errorf("sync of the old copy: exit %d, stderr %q, %d waits; want it stopped with what to do, no retry", r.code, r.stderr, len(waits))
	}
	// The anomaly is in the old copy's technical event log, in English as the log's details are.
	if got := eventsOf(techEvents(t, backup), comptoir.TechSyncAnomaly); len(got) != 1 || !strings.HasPrefix(got[0].Detail, "stopped: ") {
		t.Errorf("sync anomalies recorded: %+v, want the stop", got)
	}
	if got := eventsOf(techEvents(t, db), comptoir.TechSyncAnomaly); len(got) != 0 {
		t.Errorf("the live file recorded sync anomalies: %+v", got)
	}
}

// demoProduct is a product of the demo catalogue.
func demoProduct(tb testing.TB) comptoir.Product {
	tb.Helper()
	products, err := demoProducts()
	if err != nil {
		tb.Fatal(err)
	}
	return products[0]
}

// sellOne records a sale of qty units of a demo product on the register's file at db.
func sellOne(tb testing.TB, db string, qty int64) {
	tb.Helper()
	s, err := store.Open(db, store.Options{Register: defaultReg, MustExist: true, PINIterations: testPINIterations})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	p := demoProduct(tb)
	d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, qty)},
		Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: p.Price * comptoir.Money(qty)}}}
	if _, err := s.RecordSale(context.Background(), d); err != nil {
		tb.Fatal(err)
	}
}

func TestSync_Refusals(t *testing.T) {
	url, _ := startCentral(t)
	db := demoDB(t, "5")
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
		{"not an address", nil, []string{"--central", "central:8787", "--token", syncToken}, exitFailed, "n'est pas l'adresse d'une centrale", 0},
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

func TestSpanText(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Second, "45 s"},
		{2 * time.Minute, "2 min"},
		{2*time.Minute + 10*time.Second, "2 min 10 s"},
		{3*time.Hour + 5*time.Minute + 7*time.Second, "3 h 5 min"},
	} {
		if got := spanText(tc.d); got != tc.want {
			t.Errorf("spanText(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestSync_SkippedChange applies what it can of a page holding a change it cannot use, names
// that change on stderr and says how many were skipped, and succeeds: one bad change must never
// stop a register's feed.
func TestSync_SkippedChange(t *testing.T) {
	bad := comptoir.Change{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: "M0123456789abcdef",
		Event: comptoir.ConsentEvent{Channel: comptoir.ChannelEmail, Granted: true, At: time.Now(), Via: "pigeon"}}}
	url, _ := startCentralWith(t, store.CentralOptions{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v1/changes" {
				next.ServeHTTP(w, r)
				return
			}
			r.Header.Del("Accept-Encoding")
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var page comptoir.ChangesPage
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
				t.Errorf("the central's page: %v", err)
			}
			page.Changes = append([]comptoir.Change{bad}, page.Changes...)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(page)
		})
	})
	db := demoDB(t, "3")
	var waits []time.Duration
	r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", url, "--token", syncToken)
	if r.code != exitOK {
		t.Fatalf("sync: exit %d, stderr %q; want success", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "pigeon") || !strings.Contains(r.stderr, "1 changement de la centrale était inutilisable et a été ignoré") {
		t.Errorf("stderr %q; want the skipped change named and counted", r.stderr)
	}
}

// TestSync_MemberOfAnotherShopShown shows, at a second register, a member enrolled at the
// first as what the register knows of them: no personal data, the consent the central decided.
func TestSync_MemberOfAnotherShopShown(t *testing.T) {
	url, _ := startCentral(t)
	var waits []time.Duration
	r1 := demoDB(t, "3")
	if r := runSyncCmd(t, nil, &waits, "--db", r1, "sync", "--central", url, "--token", syncToken); r.code != exitOK {
		t.Fatalf("R1 sync: exit %d, stderr %q", r.code, r.stderr)
	}
	card := comptoir.CardNumber(100_000) // the first card of R1's block
	if r := runCmd(t, nil, "", "--db", r1, "customer", "enroll", "--card", card, "--first", "Léa", "--last", "Dubois",
		"--email", "lea@example.fr", "--consent", "email=oui,sms=non,phone=non,post=non,partners=non"); r.code != exitOK {
		t.Fatalf("enroll: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runSyncCmd(t, nil, &waits, "--db", r1, "sync", "--token", syncToken); r.code != exitOK {
		t.Fatalf("R1 sync: exit %d, stderr %q", r.code, r.stderr)
	}
	r2 := dbPath(t)
	if r := runCmd(t, nil, "3017620422003;Pâte à tartiner;3,95;5,5\n", "--db", r2, "--register", "R2", "catalog", "import", "-"); r.code != exitOK {
		t.Fatalf("R2 catalogue: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runSyncCmd(t, nil, &waits, "--db", r2, "--register", "R2", "sync", "--central", url, "--token", "r2-token-0123456789abcdef"); r.code != exitOK {
		t.Fatalf("R2 sync: exit %d, stderr %q", r.code, r.stderr)
	}
	r := runCmd(t, nil, "", "--db", r2, "--register", "R2", "customer", "show", "--card", card)
	if r.code != exitOK {
		t.Fatalf("show at R2: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"membre d'un autre magasin", "Consentement e-mail       oui (selon la centrale)",
		"Consentement SMS          non (selon la centrale)", "Inscrit le                —"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show at R2 lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "Dubois") || strings.Contains(r.stdout, "D***") {
		t.Errorf("show at R2 holds personal data:\n%s", r.stdout)
	}
}
