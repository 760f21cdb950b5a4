package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/creack/pty"
)

// bigPriceList is a price list of n products with valid in-store codes, header first.
func bigPriceList(n int) string {
	var b strings.Builder
	b.WriteString("gtin;libellé;prix;tva\n")
	for i := range n {
		body := fmt.Sprintf("2%011d", 1000+i)
		fmt.Fprintf(&b, "%s%d;Article %d;%d,%02d;20\n", body, comptoir.GTINCheckDigit(body), i, 1+i%50, i%100)
	}
	return b.String()
}

// TestProgress_PlainLinesOffATerminal imports a price list of 20 001 products, fills three demo
// days and purges members with stderr a buffer: stderr gets plain lines in order, and stdout
// only what it always said.
func TestProgress_PlainLinesOffATerminal(t *testing.T) {
	t.Run("catalog import", func(t *testing.T) {
		db := dbPath(t)
		r := runCmd(t, nil, bigPriceList(20_001), "--db", db, "catalog", "import", "-")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if got, want := r.stdout, "20001 articles importés dans "+db+"\n"; got != want {
			t.Errorf("stdout = %q, want %q", got, want)
		}
		want := "Lecture du tarif : ligne 10000 sur 20002\n" +
			"Lecture du tarif : ligne 20000 sur 20002\n" +
			"Lecture du tarif : ligne 20002 sur 20002\n" +
			"Écriture du catalogue : 10000 articles sur 20001\n" +
			"Écriture du catalogue : 20000 articles sur 20001\n" +
			"Écriture du catalogue : 20001 articles sur 20001\n"
		if got := r.stderr; got != want {
			t.Errorf("stderr = %q, want %q", got, want)
		}
	})
	t.Run("small import says nothing more", func(t *testing.T) {
		db := dbPath(t)
		r := runCmd(t, nil, bigPriceList(20), "--db", db, "--lang", "en", "catalog", "import", "-")
		if got, want := r.stdout, "20 products imported into "+db+"\n"; r.code != exitOK || got != want || r.stderr != "" {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0, %q and nothing", r.code, got, r.stderr, want)
		}
	})
	t.Run("demo-data", func(t *testing.T) {
		db := dbPath(t)
		r := runCmd(t, nil, "", "--db", db, "--lang", "en", "demo-data", "--sales", "30", "--days", "3", "--start", "2026-03-28", "--customers", "2")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if got, want := r.stderr, "Demo, days: day 1 of 3\nDemo, days: day 2 of 3\nDemo, days: day 3 of 3\n"; got != want {
			t.Errorf("stderr = %q, want %q", got, want)
		}
		if !strings.HasPrefix(r.stdout, "Demo: ") || strings.Count(r.stdout, "\n") != 1 ||
			!strings.Contains(r.stdout, "2 members, 30 tickets from 2026-03-28 to 2026-03-30") {
			t.Errorf("stdout = %q, want the one-line summary only", r.stdout)
		}
	})
}

// TestProgressReport_Steps feeds the report the figures a purge gives it, off a terminal: the
// examination shows a line every tenth of the way, the erasure a line every thousand members and
// the last, and a step under its size shows nothing.
func TestProgressReport_Steps(t *testing.T) {
	var out bytes.Buffer
	e := &env{stderr: &out, getenv: func(string) string { return "" }, cfg: config{lang: comptoir.LangEN}}
	p := e.newProgress()
	for i := 1; i <= 20_000; i++ {
		p.report(comptoir.StepExamine, i, 20_000)
	}
	p.report(comptoir.StepExamine, 20_000, 20_000)
	for i := 1; i <= 2_500; i++ {
		p.report(comptoir.StepErase, i, 2_500)
	}
	p.report(comptoir.StepWrite, 5, 5)
	p.finish()
	var want strings.Builder
	for pct := 0; pct <= 100; pct += 10 {
		fmt.Fprintf(&want, "Examining the members: %d%%\n", pct)
	}
	want.WriteString("Erasing: 1000 members of 2500\nErasing: 2000 members of 2500\nErasing: 2500 members of 2500\n")
	if got := out.String(); got != want.String() {
		t.Errorf("report wrote\n%s\nwant\n%s", got, want.String())
	}
}

// TestProgress_BarOnATerminal imports a large price list with stderr a pseudo-terminal: a bar is
// drawn in place (some frame shows a percentage), the line is cleared at the end, and stdout is
// what it is off a terminal.
func TestProgress_BarOnATerminal(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	read := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(master) // Ends with EIO once the slave is closed.
		read <- b
	}()
	db := dbPath(t)
	var stdout bytes.Buffer
	e := &env{ctx: context.Background(), stdin: strings.NewReader(bigPriceList(20_001)), stdout: &stdout, stderr: slave,
		clock: &clock{}, auth: auth{pinIterations: testPINIterations}}
	code := runEnv(e, []string{"--db", db, "--lang", "en", "catalog", "import", "-"}, func(k string) string {
		return map[string]string{"NO_COLOR": "1"}[k]
	})
	slave.Close()
	term := string(<-read)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, term)
	}
	if got, want := stdout.String(), "20001 products imported into "+db+"\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	frames := strings.Split(term, "\r")
	percent := regexp.MustCompile(`^Reading the price list +[█░]+ +\d+%  \d+/20002\x1b\[K$`)
	var reading, writing, full int
	for _, f := range frames {
		switch {
		case percent.MatchString(f):
			reading++
		case strings.HasPrefix(f, "Writing the catalogue") && strings.Contains(f, "%"):
			writing++
		}
		if strings.Contains(f, "100%") {
			full++
		}
	}
	if reading < 2 || writing < 2 || full == 0 {
		t.Errorf("frames: %d reading, %d writing, %d at 100%%; want a bar for each step that reaches 100%%:\n%q",
			reading, writing, full, term[:min(len(term), 600)])
	}
	if !strings.HasSuffix(term, "\r\x1b[K") {
		t.Errorf("the terminal ends with %q, want the bar's line cleared", term[max(0, len(term)-80):])
	}
	if strings.Contains(term, "\x1b[3") || strings.Contains(term, "\x1b[38") {
		t.Errorf("colours with NO_COLOR set: %q", term[:min(len(term), 300)])
	}
}
