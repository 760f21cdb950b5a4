package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// TestCatalogList_Lines pins the listing's form: in GTIN order, code, price and VAT rate in
// columns of fixed width, the name last; a price too wide for its column pushes its line only.
func TestCatalogList_Lines(t *testing.T) {
	db := dbPath(t)
	in := "3017620422003;Pâte à tartiner;4,25;5,5\n3760123450003;Baguette;1,30;5,5\n40084015;Gommes;12 345,00;20\n"
	if r := runCmd(t, nil, in, "--db", db, "catalog", "import", "-"); r.code != exitOK {
		t.Fatalf("import: %s", r.stderr)
	}
	for lang, want := range map[string]string{
		"fr": "" +
			"40084015        12 345,00 €   20 %  Gommes\n" +
			"3017620422003       4,25 €  5,5 %  Pâte à tartiner\n" +
			"3760123450003       1,30 €  5,5 %  Baguette\n",
		"en": "" +
			"40084015        €12,345.00   20%  Gommes\n" +
			"3017620422003        €4.25  5.5%  Pâte à tartiner\n" +
			"3760123450003        €1.30  5.5%  Baguette\n",
	} {
		r := runCmd(t, nil, "", "--db", db, "--lang", lang, "catalog", "list")
		if r.code != exitOK || r.stdout != want {
			t.Errorf("%s: exit %d, stderr %q, listing:\n%s--- want\n%s", lang, r.code, r.stderr, r.stdout, want)
		}
	}
	if r := runCmd(t, nil, "", "--db", db, "catalog", "list", "extra"); r.code != exitUsage || !strings.Contains(r.stderr, "argument inattendu") {
		t.Errorf("catalog list with an argument: exit %d, %q", r.code, r.stderr)
	}
}

// fillCatalog writes n products into a new database at path, without the durability a shop needs,
// to make a large catalogue fast.
func fillCatalog(tb testing.TB, path string, n int) {
	tb.Helper()
	s, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	products := make([]comptoir.Product, n)
	for i := range products {
		body := fmt.Sprintf("2%011d", 1000+i)
		products[i] = comptoir.Product{GTIN: body + fmt.Sprint(comptoir.GTINCheckDigit(body)), Name: fmt.Sprintf("Article n° %d", i),
			Price: comptoir.Money(99 + 37*i%100000), VAT: comptoir.VATRates[i%len(comptoir.VATRates)]}
	}
	if _, err := s.ImportProducts(context.Background(), products); err != nil {
		tb.Fatal(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
}

// cancellingWriter cancels its context at the first write, as Ctrl+C would once the listing has
// begun to show.
type cancellingWriter struct {
	cancel context.CancelFunc
	n      atomic.Int64
}

func (w *cancellingWriter) Write(p []byte) (int, error) {
	w.cancel()
	w.n.Add(int64(len(p)))
	return len(p), nil
}

func TestCatalogList_Interrupted(t *testing.T) {
	db := dbPath(t)
	const n = 20000
	fillCatalog(t, db, n)
	full := runCmd(t, nil, "", "--db", db, "catalog", "list")
	if got := strings.Count(full.stdout, "\n"); full.code != exitOK || got != n {
		t.Fatalf("the whole listing: exit %d, %d lines, want %d (%s)", full.code, got, n, full.stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancellingWriter{cancel: cancel}
	var errOut bytes.Buffer
	code := run(ctx, []string{"--db", db, "catalog", "list"}, func(string) string { return "" }, strings.NewReader(""), out, &errOut)
	if code != exitFailed || errOut.String() != "comptoir: interrompu\n" {
		t.Errorf("interrupted listing: exit %d, stderr %q", code, errOut.String())
	}
	if written := out.n.Load(); written > int64(len(full.stdout))/4 {
		t.Errorf("an interrupted listing wrote %d bytes of %d", written, len(full.stdout))
	}
}

// BenchmarkCatalogList lists a catalogue of 100 000 products, as catalog list does, to a writer
// that discards it: the cost per product must not grow with the catalogue.
func BenchmarkCatalogList(b *testing.B) {
	db := dbPath(b)
	const n = 100_000
	fillCatalog(b, db, n)
	args := []string{"--db", db, "catalog", "list"}
	getenv := func(string) string { return "" }
	for b.Loop() {
		if code := run(context.Background(), args, getenv, strings.NewReader(""), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/product")
}

// TestGDPRAudit_ActionsInTheUsersLanguage lists an audit trail in French and English: every line
// has the fixed columns, and actions and consent channels are named in the language, never by
// their stored names.
func TestGDPRAudit_ActionsInTheUsersLanguage(t *testing.T) {
	m := newMember(t)
	card := comptoir.CardNumber(1)
	id := m.enrollJeanne(card)
	m.ok("customer", "show", "--card", card, "--reveal")
	m.ok("customer", "consent", "--card", card, "--channel", "sms", "--grant")
	m.ok("customer", "export", "--card", card)
	m.ok("customer", "stop-processing", "--card", card)
	for lang, want := range map[string][]string{
		"fr": {"inscription", "affichage en clair", "consentement", "export des données", "arrêt du traitement"},
		"en": {"enrolment", "data revealed", "consent changed", "data export", "processing stopped"},
	} {
		out := m.ok("--lang", lang, "gdpr", "audit")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != len(want) {
			t.Fatalf("%s: %d audit lines, want %d:\n%s", lang, len(lines), len(want), out)
		}
		width := comptoir.AuditActionWidth(comptoir.Lang(lang))
		for i, line := range lines {
			// When (19 characters), who (12), the action (as wide as the language's longest), the
			// member; two spaces between columns.
			cells := []rune(line)
			if len(cells) < 19+2+12+2+width+2+17 {
				t.Fatalf("%s: line %d too short: %q", lang, i+1, line)
			}
			who := string(cells[21:33])
			action := strings.TrimRight(string(cells[35:35+width]), " ")
			member := string(cells[35+width+2 : 35+width+2+17])
			if who != testUser+strings.Repeat(" ", 12-len(testUser)) {
				t.Errorf("%s: line %d: who column %q", lang, i+1, who)
			}
			if action != want[i] {
				t.Errorf("%s: line %d: action %q, want %q\n%s", lang, i+1, action, want[i], line)
			}
			if member != string(id) {
				t.Errorf("%s: line %d does not name the member %s: %q", lang, i+1, id, line)
			}
		}
		if sms := comptoir.ChannelSMS.Format(comptoir.Lang(lang)); !strings.HasSuffix(lines[2], "  "+sms) {
			t.Errorf("%s: the consent line does not end with its channel %q: %q", lang, sms, lines[2])
		}
	}
}
