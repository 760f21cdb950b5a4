package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
)

var fingerprintRE = regexp.MustCompile(`[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}`)

// techEvents reads a database's technical event log, for a test to check what a command recorded.
func techEvents(tb testing.TB, db string) []comptoir.TechEvent {
	tb.Helper()
	s, err := store.Open(db, store.Options{MustExist: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	events, err := s.TechEvents(context.Background(), time.Time{}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return events
}

// eventsOf keeps the events of a code.
func eventsOf(events []comptoir.TechEvent, code comptoir.TechCode) []comptoir.TechEvent {
	var out []comptoir.TechEvent
	for _, e := range events {
		if e.Code == code {
			out = append(out, e)
		}
	}
	return out
}

// TestKey_ShowRotateReplace walks a key's life from the command line: shown, rotated (the new
// fingerprint printed, the old file replaced), a replace refused while the key is there, then the
// key file lost and replaced, a declared break the event log holds and verify accepts.
func TestKey_ShowRotateReplace(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "20", "--days", "1", "--seed", "2", "--start", "2026-02-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	show := runCmd(t, nil, "", "--db", db, "key", "show")
	first := fingerprintRE.FindString(show.stdout)
	if show.code != exitOK || first == "" || !strings.Contains(show.stdout, "n° 1") || !strings.Contains(show.stdout, "créée") ||
		!strings.Contains(show.stdout, db+".sign") {
		t.Fatalf("key show: exit %d, stdout %q, stderr %q", show.code, show.stdout, show.stderr)
	}

	rot := runCmd(t, nil, "", "--db", db, "--lang", "en", "key", "rotate")
	second := fingerprintRE.FindString(rot.stdout)
	if rot.code != exitOK || second == "" || second == first || !strings.Contains(rot.stdout, "no. 2") ||
		!strings.Contains(rot.stdout, "Back up the key file "+db+".sign") {
		t.Fatalf("key rotate: exit %d, stdout %q, stderr %q", rot.code, rot.stdout, rot.stderr)
	}
	if show := runCmd(t, nil, "", "--db", db, "--lang", "en", "key", "show"); !strings.Contains(show.stdout, second) ||
		!strings.Contains(show.stdout, "rotated") || !strings.Contains(show.stdout, "no. 2") {
		t.Errorf("key show after the rotation: %q", show.stdout)
	}
	if fi, err := os.Stat(db + ".sign"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the new key file: %v, %v; want mode 0600", fi, err)
	}

	r := runCmd(t, nil, "", "--db", db, "key", "replace")
	if r.code != exitFailed || !strings.Contains(r.stderr, "key rotate") {
		t.Errorf("key replace of a key that is there: exit %d, stderr %q; want it refused, pointing to rotate", r.code, r.stderr)
	}

	if err := os.Remove(db + ".sign"); err != nil {
		t.Fatal(err)
	}
	rep := runCmd(t, nil, "", "--db", db, "key", "replace")
	third := fingerprintRE.FindString(rep.stdout)
	if rep.code != exitOK || third == "" || third == second || !strings.Contains(rep.stdout, "La rupture est enregistrée") {
		t.Fatalf("key replace of a lost key: exit %d, stdout %q, stderr %q", rep.code, rep.stdout, rep.stderr)
	}
	if v := runCmd(t, nil, "", "--db", db, "verify"); v.code != exitOK {
		t.Errorf("verify after a replacement: exit %d, stderr %q", v.code, v.stderr)
	}
	events := techEvents(t, db)
	if got := eventsOf(events, comptoir.TechKeyRotated); len(got) != 1 || !strings.Contains(got[0].Detail, second) {
		t.Errorf("rotation events: %+v", got)
	}
	if got := eventsOf(events, comptoir.TechKeyReplaced); len(got) != 1 || !strings.Contains(got[0].Detail, third) {
		t.Errorf("replacement events: %+v", got)
	}
}

// TestKey_NoneYet shows a database that has recorded nothing signed: no key, and where it will be.
func TestKey_NoneYet(t *testing.T) {
	db := dbPath(t)
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	r := runCmd(t, nil, "", "--db", db, "--lang", "en", "key", "show")
	if got, want := r.stdout, "No signing key yet: the register makes it with its first record, in "+db+".sign.\n"; r.code != exitOK || got != want {
		t.Errorf("key show: exit %d, stdout %q, want %q (stderr %q)", r.code, got, want, r.stderr)
	}
	if _, err := os.Stat(db + ".sign"); !os.IsNotExist(err) {
		t.Errorf("key show made a key file (%v)", err)
	}
}

// TestKey_ManagerOnly refuses rotate and replace to a cashier, and shows the key to anyone.
func TestKey_ManagerOnly(t *testing.T) {
	s := withStaff(t)
	for _, sub := range []string{"rotate", "replace"} {
		s.refused(s.as("marie", "1357", "", "key", sub), exitFailed, "comptoir key "+sub, "cashier key "+sub)
	}
	s.ok(s.as("", "", "", "key", "show"), "key show without a login")
	out := s.ok(s.as("anne", "2468", "", "key", "rotate"), "manager key rotate")
	if !strings.Contains(out, "Nouvelle clé de signature") {
		t.Errorf("key rotate printed %q", out)
	}
	if got := eventsOf(techEvents(t, s.db), comptoir.TechKeyRotated); len(got) != 1 || got[0].User != "anne" {
		t.Errorf("the rotation's event: %+v, want one by anne", got)
	}
	// A lost key must not lock the manager out of replacing it: logging in cannot depend on the
	// key that is lost.
	if err := os.Remove(s.db + ".sign"); err != nil {
		t.Fatal(err)
	}
	out = s.ok(s.as("anne", "2468", "", "key", "replace"), "manager key replace of a lost key")
	if !strings.Contains(out, "Clé de remplacement n° 3") {
		t.Errorf("key replace printed %q", out)
	}
}

// TestEvents_List lists the technical event log: verifications with their result, in the user's
// language, newest last, with --limit and --since.
func TestEvents_List(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "30", "--days", "2", "--seed", "9", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	for range 2 {
		if r := runCmd(t, nil, "", "--db", db, "verify"); r.code != exitOK {
			t.Fatalf("verify: exit %d, %s", r.code, r.stderr)
		}
	}
	if r := runCmd(t, nil, "", "--db", db, "key", "rotate"); r.code != exitOK {
		t.Fatalf("key rotate: exit %d, %s", r.code, r.stderr)
	}
	r := runCmd(t, nil, "", "--db", db, "events")
	if r.code != exitOK {
		t.Fatalf("events: exit %d, %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	verifies := 0
	for _, l := range lines {
		if strings.Contains(l, "vérification du journal") {
			verifies++
			if !strings.Contains(l, "intact: 30 tickets, 2 closings") {
				t.Errorf("a verification's line without its result: %q", l)
			}
		}
	}
	if got, want := verifies, 2; got != want {
		t.Errorf("%d verifications listed, want %d:\n%s", got, want, r.stdout)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "clé de signature renouvelée") || !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  `).MatchString(last) {
		t.Errorf("the last line is not the rotation, dated: %q", last)
	}

	en := runCmd(t, nil, "", "--db", db, "--lang", "en", "events", "--limit", "1")
	if got := strings.Count(en.stdout, "\n"); en.code != exitOK || got != 1 || !strings.Contains(en.stdout, "signing key rotated") {
		t.Errorf("events --limit 1 in English: exit %d, %d lines, %q", en.code, got, en.stdout)
	}
	later := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	if r := runCmd(t, nil, "", "--db", db, "events", "--since", later); r.code != exitOK || r.stdout != "Aucun événement technique.\n" {
		t.Errorf("events --since %s: exit %d, %q", later, r.code, r.stdout)
	}
	// The demo's catalogue import is dated the evening before its first day; the rest is today.
	today := time.Now().Format("2006-01-02")
	var todays []string
	for _, l := range lines {
		if strings.HasPrefix(l, today) {
			todays = append(todays, l)
		}
	}
	if r := runCmd(t, nil, "", "--db", db, "events", "--since", today); r.code != exitOK || len(todays) != len(lines)-1 || r.stdout != strings.Join(todays, "\n")+"\n" {
		t.Errorf("events --since today does not list today's events alone:\n%s", r.stdout)
	}
	for _, bad := range [][]string{{"--limit", "-1"}, {"extra"}, {"--since"}} {
		if r := runCmd(t, nil, "", append([]string{"--db", db, "events"}, bad...)...); r.code != exitUsage {
			t.Errorf("events %v: exit %d, want %d (stderr %q)", bad, r.code, exitUsage, r.stderr)
		}
	}
	if r := runCmd(t, nil, "", "--db", db, "events", "--since", "2026-13-01"); r.code != exitFailed {
		t.Errorf("events --since 2026-13-01: exit %d, want %d", r.code, exitFailed)
	}
}

// TestVerify_RecordsItsRun records every verify with its result, a broken journal's sentence in
// English, and still answers when the run cannot be recorded.
func TestVerify_RecordsItsRun(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "30", "--days", "1", "--seed", "4", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	v := runCmd(t, nil, "", "--db", db, "verify")
	if v.code != exitOK || !strings.HasPrefix(v.stdout, "journal intact : 30 tickets, 1 clôture") || v.stderr != "" {
		t.Fatalf("verify: exit %d, stdout %q, stderr %q", v.code, v.stdout, v.stderr)
	}
	got := eventsOf(techEvents(t, db), comptoir.TechVerify)
	if len(got) != 1 || !strings.HasPrefix(got[0].Detail, "intact: 30 tickets, 1 closings") {
		t.Fatalf("verify's event: %+v", got)
	}

	// Without its key file the register cannot sign the event: verify still says what it found,
	// and that the run is not recorded.
	if err := os.Rename(db+".sign", db+".sign.away"); err != nil {
		t.Fatal(err)
	}
	v = runCmd(t, nil, "", "--db", db, "verify")
	if v.code != exitOK || !strings.HasPrefix(v.stdout, "journal intact : 30 tickets") ||
		!strings.Contains(v.stderr, "cette vérification n'a pas pu être inscrite au journal des événements techniques") {
		t.Errorf("verify without the key file: exit %d, stdout %q, stderr %q", v.code, v.stdout, v.stderr)
	}
	if err := os.Rename(db+".sign.away", db+".sign"); err != nil {
		t.Fatal(err)
	}

	if _, err := journaltest.TamperTicket(db, "R1", 7); err != nil {
		t.Fatal(err)
	}
	if v := runCmd(t, nil, "", "--db", db, "verify"); v.code != exitFailed {
		t.Fatalf("verify of an altered journal: exit %d, stderr %q", v.code, v.stderr)
	}
	got = eventsOf(techEvents(t, db), comptoir.TechVerify)
	if len(got) != 2 || !strings.HasPrefix(got[1].Detail, "broken: ticket 7: ") {
		t.Errorf("verify's events after the alteration: %+v", got)
	}
}

// TestVerify_ChainLines follows an intact journal's summary with its chains and signed records.
func TestVerify_ChainLines(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "10", "--days", "1", "--seed", "4", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	s, err := store.Open(db, store.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Verify(context.Background())
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	v := runCmd(t, nil, "", "--db", db, "--lang", "en", "verify")
	if v.code != exitOK {
		t.Fatalf("verify: exit %d, %s", v.code, v.stderr)
	}
	if rep.Keys == 0 && rep.Signed == 0 && len(rep.Heads) == 0 {
		// The store's verify does not report chains yet: the summary stands alone.
		if got := strings.Count(v.stdout, "\n"); got != 1 {
			t.Errorf("verify printed %d lines without chains to report:\n%s", got, v.stdout)
		}
		return
	}
	for _, c := range comptoir.Chains {
		if !strings.Contains(v.stdout, "  "+c.Label(comptoir.LangEN)) {
			t.Errorf("verify does not name the %s:\n%s", c.Label(comptoir.LangEN), v.stdout)
		}
	}
	if !strings.Contains(v.stdout, "Signed records: ") {
		t.Errorf("verify does not count the signed records:\n%s", v.stdout)
	}
}

// TestVerifyDetail writes a verification's event detail from its report.
func TestVerifyDetail(t *testing.T) {
	intact := comptoir.VerifyReport{Tickets: 3, Closings: 1, Events: 2, Keys: 1, Signed: 7}
	if got, want := verifyDetail(intact), "intact: 3 tickets, 1 closings, 0 reprints, 2 events, 1 keys, 7 signed"; got != want {
		t.Errorf("intact: %q, want %q", got, want)
	}
	broken := comptoir.VerifyReport{Broken: comptoir.E(comptoir.CodeHashMismatch, comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 4}),
		Chain: comptoir.ChainTickets}
	if got := verifyDetail(broken); !strings.HasPrefix(got, "broken: ticket 4: ") || !strings.HasSuffix(got, " (ticket chain)") {
		t.Errorf("broken: %q", got)
	}
	// A sentence that names its chain already does not name it twice.
	signed := comptoir.VerifyReport{Broken: comptoir.E(comptoir.CodeSignatureInvalid, comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 4},
		comptoir.ChainTickets.Label(comptoir.LangEN)), Chain: comptoir.ChainTickets}
	if got := verifyDetail(signed); strings.Count(got, "ticket chain") != 1 {
		t.Errorf("a signature's failure: %q, want the chain named once", got)
	}
	j := journalBroken{broken.Broken, broken.Chain}
	if got := j.message(comptoir.LangFR); !strings.HasSuffix(got, " (chaîne des tickets)") {
		t.Errorf("the broken record's sentence does not name its chain: %q", got)
	}
}

// TestRegister_StartAndStop records the register's start with the version that runs, and its
// stop when the screens end as asked; a register closed on a failure records no stop.
func TestRegister_StartAndStop(t *testing.T) {
	db := dbPath(t)
	r, err := openRegister(registerEnv(db, nil), registerFlags{})
	if err != nil {
		t.Fatalf("openRegister: %v", err)
	}
	r.quit = true
	if _, err := r.close(nil); err != nil {
		t.Fatal(err)
	}
	r, err = openRegister(registerEnv(db, nil), registerFlags{})
	if err != nil {
		t.Fatalf("openRegister again: %v", err)
	}
	if _, err := r.close(nil); err != nil {
		t.Fatal(err)
	}
	events := techEvents(t, db)
	starts, stops := eventsOf(events, comptoir.TechStart), eventsOf(events, comptoir.TechStop)
	if len(starts) != 2 || len(stops) != 1 {
		t.Fatalf("%d starts and %d stops, want 2 and 1: %+v", len(starts), len(stops), events)
	}
	if got, want := starts[0].Detail, comptoir.Software(); got != want {
		t.Errorf("the start's detail %q, want %q", got, want)
	}
	if !(starts[0].Number < stops[0].Number && stops[0].Number < starts[1].Number) {
		t.Errorf("the stop is not between the starts: %+v", events)
	}
}

// TestRegister_StartRefusedWithoutKey refuses to open the register when it could not sign:
// the key file the journal declares is gone.
func TestRegister_StartRefusedWithoutKey(t *testing.T) {
	db := demoDB(t, "3")
	if err := os.Remove(db + ".sign"); err != nil {
		t.Fatal(err)
	}
	r, err := openRegister(registerEnv(db, nil), registerFlags{})
	if err == nil {
		r.close(nil)
		t.Fatal("the register opened without its signing key")
	}
	if got := comptoir.Message(err, comptoir.LangEN); !strings.Contains(got, "key replace") {
		t.Errorf("refusal %q does not say what to do", got)
	}
	if _, err := os.Stat(db + ".open"); !os.IsNotExist(err) {
		t.Errorf("the open note stayed (%v)", err)
	}
}

// TestDemoData_KeepsADeclaredKey fills a database whose journal declares its key already: the
// demo signs with it rather than with a key from its seed, and leaves no working key behind.
func TestDemoData_KeepsADeclaredKey(t *testing.T) {
	db := dbPath(t)
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.ReplaceKey(context.Background(), "test")
	s.Close()
	if err != nil || info.Number != 1 {
		t.Fatalf("first key: %+v, %v", info, err)
	}
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "10", "--days", "1", "--seed", "4", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	show := runCmd(t, nil, "", "--db", db, "key", "show")
	if !strings.Contains(show.stdout, info.Fingerprint) || !strings.Contains(show.stdout, "n° 1") {
		t.Errorf("the key after demo-data:\n%s\nwant key 1, %s", show.stdout, info.Fingerprint)
	}
	if v := runCmd(t, nil, "", "--db", db, "verify"); v.code != exitOK {
		t.Errorf("verify: exit %d, %s", v.code, v.stderr)
	}
	leftovers(t, db)
}

// TestDemoData_AsAUser runs demo-data as the manager of a database that has users but no key yet:
// the login that authorizes the demo is signed with the usual key file, which the demo keeps.
func TestDemoData_AsAUser(t *testing.T) {
	s := newShop(t)
	s.ok(s.as("", "", "2468\n2468\n", "user", "add", "--id", "anne", "--role", "manager"), "first manager")
	s.ok(s.as("anne", "2468", "", "demo-data", "--sales", "10", "--days", "1", "--seed", "4", "--start", "2026-03-02"), "demo-data as anne")
	s.ok(s.as("", "", "", "verify"), "verify")
	if _, err := os.Stat(s.db + ".sign"); err != nil {
		t.Errorf("no signing key beside the database after the demo: %v", err)
	}
	leftovers(t, s.db)
}
