package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	// Reports print times in the shop's zone; pin it so golden files do not depend on the machine.
	time.Local = time.FixedZone("CET", 3600)
	os.Exit(m.Run())
}

// result is what one run of the program produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the program in-process with the given arguments and environment.
func runCmd(tb testing.TB, env map[string]string, stdin string, args ...string) result {
	tb.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func dbPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "comptoir.db")
}

func TestRun_Help(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"--help"}, {"-h"}} {
		r := runCmd(t, nil, "", args...)
		if got, want := r.code, exitOK; got != want {
			t.Errorf("%v: exit %d, want %d", args, got, want)
		}
		if !strings.Contains(r.stdout, "demo-data") || !strings.Contains(r.stdout, "Commandes") {
			t.Errorf("%v: help does not list the commands in French:\n%s", args, r.stdout)
		}
	}
	for _, args := range [][]string{{"close", "--help"}, {"verify", "-h"}, {"demo-data", "-help"}} {
		r := runCmd(t, nil, "", args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Commandes") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runCmd(t, map[string]string{"COMPTOIR_LANG": "en"}, "", "help")
	if !strings.Contains(r.stdout, "Commands:") {
		t.Errorf("COMPTOIR_LANG=en help is not in English:\n%s", r.stdout)
	}
}

func TestRun_UsageErrors(t *testing.T) {
	db := dbPath(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, "commande inconnue"},
		{"unknown global option", []string{"--bogus", "verify"}, "comptoir: option inconnue --bogus\n"},
		{"unknown flag", []string{"--db", db, "report", "--bogus"}, "report"},
		{"missing value", []string{"report", "--db"}, "--db attend une valeur"},
		{"bad language", []string{"--lang", "de", "help"}, "langue inconnue"},
		{"two periods", []string{"--db", db, "close", "--date", "2026-01-02", "--month", "2026-01"}, "une seule période"},
		{"catalog without file", []string{"--db", db, "catalog", "import"}, "catalog import"},
		{"stray argument", []string{"--db", db, "report", "2026-05-05"}, "argument inattendu « 2026-05-05 »"},
		{"bad flag value", []string{"--db", db, "demo-data", "--sales", "beaucoup"}, "demo-data : valeur invalide « beaucoup » pour --sales\n"},
		{"unknown option in French", []string{"--db", db, "verify", "--bogus"}, "verify : option inconnue --bogus\n"},
		{"unknown option, two dashes", []string{"--db", db, "receipt", "--bogus"}, "comptoir: receipt : option inconnue --bogus\n"},
		{"unknown option with a value", []string{"--db", db, "receipt", "--bogus=3"}, "receipt : option inconnue --bogus\n"},
		{"unknown option, one dash", []string{"--db", db, "receipt", "-bogus"}, "receipt : option inconnue --bogus\n"},
		{"unknown option in English", []string{"--db", db, "--lang", "en", "receipt", "--bogus"}, "comptoir: receipt: unknown option --bogus\n"},
		{"option without its value", []string{"--db", db, "receipt", "--ticket"}, "receipt : l'option --ticket attend une valeur\n"},
		{"bad boolean", []string{"--db", db, "receipt", "--text=peut-être"}, "receipt : valeur invalide « peut-être » pour --text\n"},
		{"bad value in English", []string{"--db", db, "--lang", "en", "customer", "enroll", "--card", "x", "--first"}, "customer enroll: option --first needs a value\n"},
		{"three dashes", []string{"--db", db, "receipt", "---ticket", "3"}, "receipt : option mal écrite « ---ticket »"},
		{"demo without days", []string{"--db", db, "demo-data", "--sales", "3", "--days", "0"}, "--days"},
		{"demo in the future", []string{"--db", db, "demo-data", "--sales", "3", "--days", "3", "--start", "2999-01-01"},
			"les jours de démonstration doivent finir avant aujourd'hui"},
		// The old code let these write tickets later than now and seal today. Two days from today
		// still reach today if the test runs across midnight.
		{"demo starting today", []string{"--db", db, "demo-data", "--sales", "3", "--days", "2", "--start", time.Now().Format("2006-01-02")},
			"et --days 2 vont jusqu'au"},
		{"demo reaching today", []string{"--db", db, "demo-data", "--sales", "3", "--days", "3", "--start", time.Now().AddDate(0, 0, -1).Format("2006-01-02")},
			"les jours de démonstration doivent finir avant aujourd'hui"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, nil, "", tt.args...)
			if got, want := r.code, exitUsage; got != want {
				t.Fatalf("exit %d, want %d (stderr %q)", got, want, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.want)
			}
		})
	}
}

func TestRun_GlobalSettings(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "tarif.csv")
	if err := os.WriteFile(csv, []byte("gtin,name,price,vat\n3017620422003,Pâte à tartiner,\"4,25\",5.5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := filepath.Join(dir, "before.db")
	after := filepath.Join(dir, "after.db")
	fromEnv := filepath.Join(dir, "env.db")
	runs := []struct {
		env  map[string]string
		args []string
		db   string
		reg  string
	}{
		{nil, []string{"--db", before, "--register", "R2", "catalog", "import", csv}, before, "R2"},
		{nil, []string{"catalog", "import", csv, "--db=" + after, "--register=R3"}, after, "R3"},
		{map[string]string{"COMPTOIR_DB": fromEnv, "COMPTOIR_REGISTER": "R4"}, []string{"catalog", "import", csv}, fromEnv, "R4"},
	}
	for _, r := range runs {
		res := runCmd(t, r.env, "", r.args...)
		if res.code != exitOK {
			t.Fatalf("%v: exit %d: %s", r.args, res.code, res.stderr)
		}
		if !strings.Contains(res.stdout, "1 article importé dans") {
			t.Errorf("%v: stdout %q", r.args, res.stdout)
		}
		s, err := store.Open(r.db, store.Options{Register: r.reg})
		if err != nil {
			t.Fatalf("%v: the database was not written where asked: %v", r.args, err)
		}
		p, err := s.Product(context.Background(), "3017620422003")
		s.Close()
		if err != nil || p.Name != "Pâte à tartiner" {
			t.Errorf("%v: product %+v, %v", r.args, p, err)
		}
	}
	// A flag given on the command line wins over the environment.
	res := runCmd(t, map[string]string{"COMPTOIR_LANG": "fr"}, "", "--lang", "en", "--db", after, "--register", "R3", "report", "--date", "2026-01-02")
	if res.code != exitOK || !strings.Contains(res.stdout, "X report") {
		t.Errorf("--lang en over COMPTOIR_LANG=fr: exit %d, %q %q", res.code, res.stdout, res.stderr)
	}
}

func TestRun_CatalogImport(t *testing.T) {
	db := dbPath(t)
	t.Run("bad row names its line and imports nothing", func(t *testing.T) {
		in := "code-barres;libellé;prix;tva\n3017620422003;Pâte à tartiner;4,25;5,5\n3017620422004;Mauvais code;1,00;20\n"
		r := runCmd(t, nil, in, "--db", db, "catalog", "import", "-")
		if got, want := r.code, exitFailed; got != want {
			t.Fatalf("exit %d, want %d", got, want)
		}
		if want := "ligne 3 : code-barres « 3017620422004 » invalide : la clé de contrôle devrait être 3"; !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q does not contain %q", r.stderr, want)
		}
		list := runCmd(t, nil, "", "--db", db, "catalog", "list")
		if list.stdout != "" {
			t.Errorf("catalogue not empty after a refused import:\n%s", list.stdout)
		}
	})
	t.Run("semicolon file with French decimals", func(t *testing.T) {
		in := "3017620422003;Pâte à tartiner;4,25;5,5\n3760123450003;Baguette;1,30;5,5\n"
		r := runCmd(t, nil, in, "--db", db, "catalog", "import", "-")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		list := runCmd(t, nil, "", "--db", db, "--lang", "en", "catalog", "list")
		if !strings.Contains(list.stdout, "Pâte à tartiner") || !strings.Contains(list.stdout, "€4.25") || !strings.Contains(list.stdout, "5.5%") {
			t.Errorf("catalog list:\n%s", list.stdout)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		r := runCmd(t, nil, "", "--db", db, "catalog", "import", filepath.Join(t.TempDir(), "absent.csv"))
		if r.code != exitFailed || !strings.Contains(r.stderr, "fichier introuvable : ") || !strings.Contains(r.stderr, "absent.csv") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

func TestRun_DemoData(t *testing.T) {
	t.Run("same seed same journal", func(t *testing.T) {
		var verifies []string
		for range 2 {
			db := dbPath(t)
			r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "300", "--days", "5", "--seed", "7", "--start", "2026-03-28")
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "0 membres, 300 tickets du 2026-03-28 au 2026-04-01") {
				t.Errorf("summary %q", r.stdout)
			}
			s, err := store.Open(db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			last, _ := s.Sale(context.Background(), 300)
			key, err := s.SigningKey(context.Background())
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			if last.Signature == "" || key.Number == 0 {
				t.Errorf("the demo's last ticket is not signed (signature %q, key %d)", last.Signature, key.Number)
			}
			verifies = append(verifies, last.Hash, last.Signature, key.Fingerprint)
		}
		if verifies[0] == "" || verifies[0] != verifies[3] {
			t.Errorf("the last ticket's hash differs between two runs with the same seed: %q", verifies)
		}
		if verifies[1] != verifies[4] || verifies[2] != verifies[5] {
			t.Errorf("the last ticket's signature or the key differs between two runs with the same seed: %q", verifies)
		}
	})
	t.Run("catalogue and closings", func(t *testing.T) {
		db := dbPath(t)
		r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "120", "--days", "4", "--seed", "1", "--start", "2026-01-30")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		s, err := store.Open(db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		products, _ := s.Products(ctx)
		if len(products) < 200 {
			t.Errorf("demo catalogue has %d products, want at least 200", len(products))
		}
		rates := map[int64]int{}
		for _, p := range products {
			rates[int64(p.VAT)]++
		}
		if len(rates) != 4 {
			t.Errorf("demo catalogue VAT rates %v, want the four French rates", rates)
		}
		for _, p := range []string{"2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02", "2026-01"} {
			if _, ok, err := s.Closing(ctx, p); !ok || err != nil {
				t.Errorf("period %s not closed (%v)", p, err)
			}
		}
		if _, ok, _ := s.Closing(ctx, "2026-02"); ok {
			t.Error("February is closed although the demo ended on its second day")
		}
		s.Close()
		// A second demo on a database with tickets is refused.
		again := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "1", "--days", "1", "--start", "2026-01-01")
		if again.code != exitFailed || !strings.Contains(again.stderr, "base vide") {
			t.Errorf("second demo-data: exit %d, %q", again.code, again.stderr)
		}
	})
}

func TestRun_CloseReportVerify(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "200", "--days", "3", "--seed", "42", "--start", "2026-05-04"); r.code != exitOK {
		t.Fatalf("demo-data: %s", r.stderr)
	}
	t.Run("Z report golden", func(t *testing.T) {
		for _, lang := range []string{"fr", "en"} {
			r := runCmd(t, nil, "", "--db", db, "--lang", lang, "report", "--date", "2026-05-05")
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden(t, "report-2026-05-05."+lang+".txt", maskSigning(r.stdout))
		}
	})
	t.Run("X report of an open month sums its days", func(t *testing.T) {
		r := runCmd(t, nil, "", "--db", db, "report", "--month", "2026-05")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		golden(t, "report-2026-05.fr.txt", r.stdout)
	})
	t.Run("close refusals", func(t *testing.T) {
		r := runCmd(t, nil, "", "--db", db, "close", "--date", "2026-05-05")
		if r.code != exitFailed || !strings.Contains(r.stderr, "déjà clôturée (clôture n° 2)") {
			t.Errorf("closing twice: exit %d, %q", r.code, r.stderr)
		}
		r = runCmd(t, nil, "", "--db", db, "close", "--date", "2999-01-01")
		if r.code != exitFailed || !strings.Contains(r.stderr, "la période 2999-01-01 n'a pas encore commencé") {
			t.Errorf("closing the future: exit %d, %q", r.code, r.stderr)
		}
		// The old code sealed these empty periods, decades before the first ticket, for ever.
		for _, args := range [][]string{{"--date", "1999-01-01"}, {"--year", "0000"}, {"--month", "2026-04"}} {
			r = runCmd(t, nil, "", "--db", db, "close", args[0], args[1])
			want := "comptoir: la période " + args[1] + " se termine avant le premier enregistrement de la caisse (2026-05-04) : la clôturer la scellerait vide pour toujours\n"
			if r.code != exitFailed || r.stderr != want {
				t.Errorf("close %s %s: exit %d, %q, want %q", args[0], args[1], r.code, r.stderr, want)
			}
		}
		r = runCmd(t, nil, "", "--db", db, "close", "--date", "2026-02-30")
		if r.code != exitFailed || !strings.Contains(r.stderr, "période invalide") {
			t.Errorf("closing 30 February: exit %d, %q", r.code, r.stderr)
		}
		r = runCmd(t, nil, "", "--db", db, "close", "--date", "2026-05")
		if r.code != exitFailed || !strings.Contains(r.stderr, "période invalide « 2026-05 »") {
			t.Errorf("a month given to --date: exit %d, %q", r.code, r.stderr)
		}
	})
	t.Run("close today prints the Z", func(t *testing.T) {
		r := runCmd(t, nil, "", "--db", db, "close")
		if r.code != exitOK || !strings.Contains(r.stdout, "Rapport Z n° 4") || !strings.Contains(r.stdout, "Empreinte") {
			t.Errorf("close: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("verify intact", func(t *testing.T) {
		r := runCmd(t, nil, "", "--db", db, "verify")
		first, rest, _ := strings.Cut(r.stdout, "\n")
		if r.code != exitOK || !strings.HasPrefix(first, "journal intact : 200 tickets, 4 clôtures") {
			t.Errorf("verify: exit %d, %q %q", r.code, r.stdout, r.stderr)
		}
		// What follows the summary, when the store reports signatures, is the chains.
		if rest != "" && (!strings.Contains(rest, "  chaîne des tickets ") || !strings.Contains(rest, "Enregistrements signés : ")) {
			t.Errorf("verify: after the summary %q", rest)
		}
	})
	t.Run("database in use", func(t *testing.T) {
		s, err := store.Open(db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		start := time.Now()
		r := runCmd(t, nil, "", "--db", db, "verify")
		if r.code != exitFailed || !strings.Contains(r.stderr, "déjà ouverte par un autre programme") {
			t.Errorf("verify while open elsewhere: exit %d, %q", r.code, r.stderr)
		}
		if d := time.Since(start); d > 10*openTimeout {
			t.Errorf("waited %v for a locked database", d)
		}
	})
}

// golden compares output with testdata/name, or rewrites it with -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("%s differs from the golden file:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestRun_VerifyCatchesTampering(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "50", "--days", "2", "--seed", "5", "--start", "2026-06-01"); r.code != exitOK {
		t.Fatalf("demo-data: %s", r.stderr)
	}
	if _, err := journaltest.TamperTicket(db, "R1", 17); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{
		"fr": "comptoir: journal altéré : ticket 17 : l'empreinte ne correspond pas au contenu (enregistrement modifié)",
		"en": "comptoir: journal altered: ticket 17: the hash does not match the content (record altered)",
	} {
		r := runCmd(t, nil, "", "--db", db, "--lang", lang, "verify")
		if got, want := r.code, exitFailed; got != want {
			t.Errorf("%s: exit %d, want %d", lang, got, want)
		}
		// The sentence may go on with the chain the ticket belongs to, on the same line.
		if !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%s: stderr %q, want one line starting %q (stdout %q)", lang, r.stderr, want, r.stdout)
		}
	}
}

func TestRun_ReadingCommandsNeedAnExistingDatabase(t *testing.T) {
	t.Run("unknown register", func(t *testing.T) {
		db := dbPath(t)
		if r := runCmd(t, nil, "3017620422003;Pâte;4,25;5,5\n", "--db", db, "catalog", "import", "-"); r.code != exitOK {
			t.Fatalf("import: %s", r.stderr)
		}
		r := runCmd(t, nil, "", "--db", db, "--register", "R9", "verify")
		if r.code != exitFailed || !strings.Contains(r.stderr, "ne contient pas de caisse « R9 »") {
			t.Errorf("verify of an unknown register: exit %d, %q", r.code, r.stderr)
		}
	})

	for _, args := range [][]string{{"report"}, {"verify"}, {"close"}, {"catalog", "list"}} {
		db := dbPath(t)
		r := runCmd(t, nil, "", append([]string{"--db", db}, args...)...)
		if r.code != exitFailed || !strings.Contains(r.stderr, "n'existe pas") {
			t.Errorf("%v on a missing database: exit %d, %q", args, r.code, r.stderr)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("%v created %s (%v)", args, db, err)
		}
	}
}

func TestRun_DemoDataInterruptedLeavesTheDatabaseAsItWas(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "3017620422003;Pâte;4,25;5,5\n", "--db", db, "catalog", "import", "-"); r.code != exitOK {
		t.Fatalf("import: %s", r.stderr)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat(db + ".sign")
	keyBefore := err == nil
	// As if Ctrl-C came while the demo was filling: the first days are recorded, then the
	// context says it is cancelled.
	ctx := &countdownCtx{Context: context.Background()}
	ctx.left.Store(5)
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"--db", db, "demo-data", "--sales", "100", "--days", "4", "--start", "2026-01-01"},
		func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if code != exitFailed || !strings.Contains(errOut.String(), "interrompu") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("an interrupted demo changed the database")
	}
	// The demo's working copy is gone, and its key with it: a key left beside a journal that
	// does not declare it would sign the next records instead of the one the seed gives.
	leftovers(t, db)
	if _, err := os.Stat(db + ".sign"); (err == nil) != keyBefore {
		t.Errorf("signing key file there before the demo: %v, after the interrupted demo: %v", keyBefore, err == nil)
	}
	// The database can still be filled.
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "10", "--days", "1", "--start", "2026-01-01"); r.code != exitOK {
		t.Errorf("demo-data after an interrupted one: exit %d, %s", r.code, r.stderr)
	}
}

// countdownCtx is a context that reports itself cancelled once Err has been asked a number of
// times: a way to interrupt a command in the middle of its work, deterministically.
type countdownCtx struct {
	context.Context
	left atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// TestRun_DemoDataEndsBeforeNow checks that a demo ending as late as allowed dates every ticket
// before now and leaves today open for the shop's real sales.
func TestRun_DemoDataEndsBeforeNow(t *testing.T) {
	db := dbPath(t)
	// Ending the day before yesterday keeps the test right if it runs across midnight.
	start := time.Now().AddDate(0, 0, -4).Format("2006-01-02")
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "40", "--days", "3", "--seed", "3", "--start", start); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	for n := uint64(1); n <= 40; n++ {
		sale, err := s.Sale(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if !sale.At.Before(now) {
			t.Errorf("ticket %d is dated %v, after now %v", n, sale.At, now)
		}
	}
	if _, ok, _ := s.Closing(ctx, now.Format("2006-01-02")); ok {
		t.Error("the demo closed today")
	}
}

// TestRun_ReportOldJournal prints the reports of a journal recorded before meal vouchers and
// cheques became payment methods (see store/testdata) and compares them with what the code of the
// time printed (testdata/old-journal-report-*): the only change allowed is the two new payment
// lines, at zero, since the old tickets keep their vouchers under "other", and the chain head.
func TestRun_ReportOldJournal(t *testing.T) {
	db := dbPath(t)
	if err := journaltest.Unzip("../../store/testdata/journal-before-vouchers.db.gz", db); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, nil, "", "--db", db, "verify"); r.code != exitOK || !strings.HasPrefix(r.stdout, "journal intact : 80 tickets, 12 clôtures") {
		t.Fatalf("verify of the old journal: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	for _, tc := range []struct{ lang, flag, period, golden string }{
		{"fr", "--month", "2025-12", "old-journal-report-2025-12.fr.txt"},
		{"en", "--month", "2025-12", "old-journal-report-2025-12.en.txt"},
		{"fr", "--date", "2026-01-02", "old-journal-report-2026-01-02.fr.txt"},
	} {
		r := runCmd(t, nil, "", "--db", db, "--lang", tc.lang, "report", tc.flag, tc.period)
		if r.code != exitOK {
			t.Fatalf("report %s %s: exit %d, %s", tc.flag, tc.period, r.code, r.stderr)
		}
		old, err := os.ReadFile(filepath.Join("testdata", tc.golden))
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		added, heads := 0, 0
		for _, l := range strings.SplitAfter(r.stdout, "\n") {
			f := strings.Fields(l)
			if len(f) > 0 && (f[0] == "Titre-restaurant" || f[0] == "Chèque" || f[0] == "Cheque" || strings.HasPrefix(l, "  Meal voucher ")) {
				if !strings.Contains(l, "0,00 €") && !strings.Contains(l, "€0.00") {
					t.Errorf("report %s %s: new line %q is not zero", tc.flag, tc.period, l)
				}
				added++
				continue
			}
			// A closing made before the register had a key reads as it always did: no key, no
			// chain head block (its hash line is the old one).
			if strings.HasPrefix(l, "Empreinte (tête de chaîne)") || strings.HasPrefix(l, "Hash (chain head)") {
				heads++
				continue
			}
			if strings.HasPrefix(l, "Clé de signature") || strings.HasPrefix(l, "Signing key") {
				t.Errorf("report %s %s: a closing made before the key names one: %q", tc.flag, tc.period, l)
			}
			kept = append(kept, l)
		}
		if heads != 0 {
			t.Errorf("report %s %s (%s): %d chain head lines, want none for an unsigned closing:\n%s", tc.flag, tc.period, tc.lang, heads, r.stdout)
		}
		if added != 2 {
			t.Errorf("report %s %s (%s): %d new payment lines, want 2:\n%s", tc.flag, tc.period, tc.lang, added, r.stdout)
		}
		if got := strings.Join(kept, ""); got != string(old) {
			t.Errorf("report %s %s (%s) without the new lines:\n%s\nwant what the old code printed:\n%s", tc.flag, tc.period, tc.lang, got, old)
		}
	}
}

// TestDemoRangeMessage checks the whole sentence that refuses a demo reaching today, with a fixed
// --start far in the future so that the days it names do not depend on the day the test runs.
func TestDemoRangeMessage(t *testing.T) {
	today := midnight(time.Now()).Format("2006-01-02")
	r := runCmd(t, nil, "", "--db", dbPath(t), "--lang", "en", "demo-data", "--sales", "3", "--days", "3", "--start", "2999-01-01")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--start 2999-01-01 and --days 3 run to 2999-01-03: demo days must end before today (") ||
		!strings.Contains(r.stderr, "), so start on ") {
		t.Errorf("exit %d, %q (today %s)", r.code, r.stderr, today)
	}
}

// A journal holding closings but no ticket is not empty: the demo's past days would fall before
// its first record, and the demo used to fail half way through instead of saying so.
func TestRun_DemoDataRefusesClosingsOnly(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "3017620422003;Nutella;3,20;5,5\n", "--db", db, "catalog", "import", "-"); r.code != exitOK {
		t.Fatalf("catalog import: %s", r.stderr)
	}
	if r := runCmd(t, nil, "", "--db", db, "close"); r.code != exitOK {
		t.Fatalf("close today: %s", r.stderr)
	}
	r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "3", "--days", "2")
	if got, want := r.code, exitFailed; got != want {
		t.Fatalf("demo-data on a closed day: exit %d, want %d (%q)", got, want, r.stderr)
	}
	if want := "(tickets : 0, clôtures : 1)"; !strings.Contains(r.stderr, want) {
		t.Errorf("demo-data on a closed day: %q, want it to say %q", r.stderr, want)
	}
}

// maskSigning replaces a report's key fingerprint and signature extract with fixed marks: they
// come from the register's signing key, made at random when the database is, while the golden
// report pins everything else (the chain head's hash included, which no key changes).
func maskSigning(report string) string {
	report = regexp.MustCompile(`(?m)^[0-9a-f]{4}(-[0-9a-f]{4}){4}$`).ReplaceAllString(report, "xxxx-xxxx-xxxx-xxxx-xxxx")
	return regexp.MustCompile(`(?m)^(Signature ?: ).{4}$`).ReplaceAllString(report, "${1}····")
}
