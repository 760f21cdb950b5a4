package ui_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// fakeTechLog keeps the technical events in memory, numbered as the store numbers them. It is
// safe for the program run by teatest, whose commands run in goroutines of their own.
type fakeTechLog struct {
	mu     sync.Mutex
	events []comptoir.TechEvent
	err    error
}

func (f *fakeTechLog) LogEvent(_ context.Context, code comptoir.TechCode, user, detail string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if !code.Known() {
		return comptoir.E(comptoir.CodeUnknownTechEvent, string(code))
	}
	f.events = append(f.events, comptoir.TechEvent{Register: "R1", Number: uint64(len(f.events) + 1),
		At: fakeNow.Add(time.Duration(len(f.events)) * time.Minute), Code: code, User: user, Detail: detail})
	return nil
}

func (f *fakeTechLog) TechEvents(_ context.Context, since time.Time, limit int) ([]comptoir.TechEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []comptoir.TechEvent
	for _, e := range f.events {
		if !e.At.Before(since) {
			out = append(out, e)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

// codes lists the codes logged, in order.
func (f *fakeTechLog) codes() []comptoir.TechCode {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []comptoir.TechCode
	for _, e := range f.events {
		out = append(out, e.Code)
	}
	return out
}

// last is the last event logged of a code; ok is false when none was.
func (f *fakeTechLog) last(code comptoir.TechCode) (e comptoir.TechEvent, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.events) - 1; i >= 0; i-- {
		if f.events[i].Code == code {
			return f.events[i], true
		}
	}
	return comptoir.TechEvent{}, false
}

// fakeKeys is a register's first signing key.
type fakeKeys struct{ info comptoir.KeyInfo }

func (f fakeKeys) SigningKey(context.Context) (comptoir.KeyInfo, error) { return f.info, nil }
func (f fakeKeys) RotateKey(context.Context, string) (comptoir.KeyInfo, error) {
	return comptoir.KeyInfo{}, comptoir.E(comptoir.CodeActionUnavailable, "rotate")
}
func (f fakeKeys) ReplaceKey(context.Context, string) (comptoir.KeyInfo, error) {
	return comptoir.KeyInfo{}, comptoir.E(comptoir.CodeActionUnavailable, "replace")
}

var testKey = comptoir.KeyInfo{Number: 1, Reason: comptoir.KeyCreated, Fingerprint: "1a2b-3c4d-5e6f-7a8b-9c0d", At: fakeNow.Add(-48 * time.Hour)}

// fakeArchives writes a small archive of the periods its closing service has closed, and
// refuses the others as the store does.
type fakeArchives struct {
	closing *fakeClosing
	mu      sync.Mutex
	by      []string
	// fail makes the export fail after writing some bytes, as a disk full would.
	fail error
}

func (f *fakeArchives) ExportArchive(ctx context.Context, period string, w io.Writer, by string) (comptoir.ArchiveSummary, error) {
	kind, err := comptoir.ParsePeriod(period)
	if err != nil || kind == comptoir.DayClosing {
		return comptoir.ArchiveSummary{}, comptoir.E(comptoir.CodeInvalidPeriod, period)
	}
	if _, ok, _ := f.closing.Closing(ctx, period); !ok {
		return comptoir.ArchiveSummary{}, comptoir.E(comptoir.CodePeriodNotClosed, period)
	}
	n, err := fmt.Fprintf(w, "PK archive of %s", period)
	if err != nil {
		return comptoir.ArchiveSummary{}, err
	}
	if f.fail != nil {
		return comptoir.ArchiveSummary{}, f.fail
	}
	f.mu.Lock()
	f.by = append(f.by, by)
	f.mu.Unlock()
	return comptoir.ArchiveSummary{Period: period, Tickets: 2, Closings: 3, Reprints: 1, Events: 7, Keys: 1,
		Fingerprint: testKey.Fingerprint, Bytes: int64(n)}, nil
}

var (
	_ comptoir.TechLog        = (*fakeTechLog)(nil)
	_ comptoir.KeyService     = fakeKeys{}
	_ comptoir.ArchiveService = (*fakeArchives)(nil)
)

// withTechLog gives a harness's register a technical log.
func withTechLog(log *fakeTechLog) func(*ui.Config) {
	return func(c *ui.Config) { c.TechLog = log }
}

// TestTechLog_TillEvents checks the events the sale screen logs, in the cashier's name: a line
// voided with its label, quantity and amount, and a ticket given up with its line count and
// total; none names a customer.
func TestTechLog_TillEvents(t *testing.T) {
	log := &fakeTechLog{}
	h := newHarness(t, comptoir.LangFR, 80, 24, withTechLog(log))
	h.scanKeys("3*" + nutella)
	h.send(key(tea.KeyDelete))
	h.scanKeys(nutella)
	h.scanKeys(coffee)
	h.send(key(tea.KeyCtrlX), key(tea.KeyCtrlX))

	if got, want := fmt.Sprint(log.codes()), fmt.Sprint([]comptoir.TechCode{comptoir.TechLineVoided, comptoir.TechTicketAbandoned}); got != want {
		t.Fatalf("codes logged = %s, want %s", got, want)
	}
	v, _ := log.last(comptoir.TechLineVoided)
	if got, want := v.Detail, "Pâte à tartiner 400 g, quantity 3, amount €11.85"; got != want {
		t.Errorf("voided line's detail = %q, want %q", got, want)
	}
	a, _ := log.last(comptoir.TechTicketAbandoned)
	if got, want := a.Detail, "2 line(s), total €18.85"; got != want {
		t.Errorf("abandoned ticket's detail = %q, want %q", got, want)
	}
	for _, e := range log.events {
		if got, want := e.User, "Camille"; got != want {
			t.Errorf("%s logged as %q, want %q", e.Code, got, want)
		}
	}
}

// TestTechLog_TrainingSwitches checks that turning training mode on and off logs both switches in
// the name of the manager who acts, and that a ticket abandoned in training is marked so.
func TestTechLog_TrainingSwitches(t *testing.T) {
	log := &fakeTechLog{}
	h := newManagerHarnessPrinter(t, comptoir.LangFR, comptoir.RoleCashier, 80, 24, true, withTechLog(log))
	h.asManager()
	h.press(tea.KeyF6, tea.KeyEsc)
	h.scanKeys(nutella)
	h.send(key(tea.KeyCtrlX), key(tea.KeyCtrlX))
	h.asManager()
	h.press(tea.KeyF6)

	// The logins are the store's to log, and the fake users log none.
	want := []comptoir.TechCode{comptoir.TechTrainingOn, comptoir.TechLogout, comptoir.TechTicketAbandoned, comptoir.TechTrainingOff}
	if got := log.codes(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("codes logged = %v, want %v", got, want)
	}
	for _, c := range []comptoir.TechCode{comptoir.TechTrainingOn, comptoir.TechTrainingOff} {
		if e, _ := log.last(c); e.User != "gerant" {
			t.Errorf("%s logged as %q, want the manager gerant", c, e.User)
		}
	}
	if e, _ := log.last(comptoir.TechLogout); e.User != "gerant" || e.Detail != "left the manager screen" {
		t.Errorf("logout = %+v, want gerant leaving the manager screen", e)
	}
	if e, _ := log.last(comptoir.TechTicketAbandoned); !strings.HasPrefix(e.Detail, "training: ") || e.User != "camille" {
		t.Errorf("abandon in training = %+v, want camille's, marked training", e)
	}
}

// TestTechLog_LogoutKey checks that F12 logs the cashier's logout after the logout itself.
func TestTechLog_LogoutKey(t *testing.T) {
	log := &fakeTechLog{}
	h := newManagerHarnessPrinter(t, comptoir.LangEN, comptoir.RoleCashier, 80, 24, true, withTechLog(log))
	h.press(tea.KeyF12)
	e, ok := log.last(comptoir.TechLogout)
	if !ok {
		t.Fatalf("no logout logged: %v", log.codes())
	}
	if got, want := e.User+" / "+e.Detail, "camille / logged out at the register"; got != want {
		t.Errorf("logout = %q, want %q", got, want)
	}
}

// TestTechLog_SaleError checks that a ticket the store refused to record logs the error's
// sentence in English with what the cashier was doing, while the screen says it in French.
func TestTechLog_SaleError(t *testing.T) {
	log := &fakeTechLog{}
	h := newHarness(t, comptoir.LangFR, 80, 24, withTechLog(log))
	h.sales.err = comptoir.E(comptoir.CodeDayClosed, "2026-11-30")
	h.scanKeys(nutella)
	h.send(key(tea.KeyEnter))
	h.scanKeys("10")
	e, ok := log.last(comptoir.TechSaleError)
	if !ok {
		t.Fatalf("no sale error logged: %v", log.codes())
	}
	want := "recording a ticket of 1 line(s), €3.95: " + comptoir.Message(h.sales.err, comptoir.LangEN)
	if got := e.Detail; got != want {
		t.Errorf("detail = %q, want %q", got, want)
	}
	contains(t, "the screen", h.view(), "clôturée")
}

// TestTechLog_WriteFailureIsSaid checks that a log that cannot be written says so on the sale,
// and that the line is voided all the same.
func TestTechLog_WriteFailureIsSaid(t *testing.T) {
	log := &fakeTechLog{err: comptoir.E(comptoir.CodeCannotWrite)}
	h := newHarness(t, comptoir.LangEN, 80, 24, withTechLog(log))
	h.scanKeys(nutella)
	h.send(key(tea.KeyDelete))
	if got := len(h.lines()); got != 0 {
		t.Errorf("%d lines left, want the line voided", got)
	}
	contains(t, "the screen", h.view(), "✗")
}

// seedTech fills a log with the events of a morning, the last one with a detail too long for a
// row at 80 columns.
func seedTech(log *fakeTechLog) {
	ctx := context.Background()
	_ = log.LogEvent(ctx, comptoir.TechStart, "", "Comptoir 0.9.0-dev")
	_ = log.LogEvent(ctx, comptoir.TechLogin, "camille", "")
	_ = log.LogEvent(ctx, comptoir.TechLineVoided, "camille", "Pâte à tartiner 400 g, quantity 1, amount €3.95")
	_ = log.LogEvent(ctx, comptoir.TechPINRefused, "gerant", "")
	_ = log.LogEvent(ctx, comptoir.TechSaleError, "camille", "recording a ticket of 3 line(s), €23.85: the day 2026-11-30 is closed: no ticket can be added to it any more")
}

// TestTechLog_ManagerView checks the log's view: newest first, with the signing key above, and
// refused when the register has no log.
func TestTechLog_ManagerView(t *testing.T) {
	log := &fakeTechLog{}
	seedTech(log)
	h := newManagerHarnessPrinter(t, comptoir.LangEN, comptoir.RoleManager, 80, 24, true, withTechLog(log),
		func(c *ui.Config) { c.Keys = fakeKeys{testKey} })
	h.press(tea.KeyF5, tea.KeyCtrlE)
	v := h.view()
	contains(t, "the view", v, "Signing key no. 1  "+testKey.Fingerprint)
	newest, oldest := strings.Index(v, "sale stopped by an error"), strings.Index(v, "start")
	if newest < 0 || oldest < 0 || newest > oldest {
		t.Errorf("the events are not listed newest first:\n%s", v)
	}

	bare := newManagerHarness(t, comptoir.LangEN, comptoir.RoleManager, 80, 24)
	bare.press(tea.KeyF5, tea.KeyCtrlE)
	contains(t, "the view", bare.view(), "is not available on this register")
}

// TestTechLog_Golden draws the log's view and the archive's export at 80×24 in both languages.
func TestTechLog_Golden(t *testing.T) {
	// The archives go in a folder of the working directory, named as the screen shows it, so that
	// the golden files hold no temporary path: the test works in a temporary folder whose
	// testdata is the package's, where the golden files are.
	golden, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := os.Symlink(golden, filepath.Join(tmp, "testdata")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(tmp)
	screens := []struct {
		name   string
		fr, en string
		do     func(h *managerHarness)
	}{
		{"tech_events", "Journal technique", "Technical event log", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlE)
		}},
		{"archive_ask", "Période à archiver : 2026-10_", "Period to archive: 2026-10_", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlA)
		}},
		{"archive_done", "Archive de mois 2026-10 exportée", "Archive of month 2026-10 exported", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlA, tea.KeyEnter)
		}},
		{"archive_exists", "existe déjà", "already exists", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlA, tea.KeyEnter)
			h.press(tea.KeyEsc, tea.KeyCtrlA, tea.KeyEnter)
		}},
		{"archive_not_closed", "n'est pas clôturée", "is not closed", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlA, tea.KeyBackspace)
			h.scanKeys("1")
		}},
	}
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, s := range screens {
			t.Run(string(lang)+"_"+s.name, func(t *testing.T) {
				h, _ := archiveHarness(t, lang, "archives-"+string(lang)+"-"+s.name)
				s.do(h)
				checkScreen(t, h.view(), lang, s.fr, s.en, 80, 24)
			})
		}
	}
}

// archiveHarness is a manager's register whose October 2026 is closed, with a technical log, a
// signing key and archives written into dir.
func archiveHarness(tb testing.TB, lang comptoir.Lang, dir string) (*managerHarness, *fakeArchives) {
	tb.Helper()
	log := &fakeTechLog{}
	seedTech(log)
	var archives *fakeArchives
	h := newManagerHarnessPrinter(tb, lang, comptoir.RoleManager, 80, 24, true, withTechLog(log), func(c *ui.Config) {
		archives = &fakeArchives{closing: c.Closing.(*fakeClosing)}
		c.Keys, c.Archives, c.ArchiveDir = fakeKeys{testKey}, archives, dir
	})
	// October is closed, September too: the last closed month is offered.
	h.closing.closings["2026-09"] = comptoir.Closing{Kind: comptoir.MonthClosing, Period: "2026-09"}
	h.closing.closings["2026-10"] = comptoir.Closing{Kind: comptoir.MonthClosing, Period: "2026-10"}
	return h, archives
}

// TestArchive_Export checks the file the export writes: its name, its mode, the folder made
// 0700, the manager as who exported, and that a failed export leaves no file behind.
func TestArchive_Export(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "archives")
	h, archives := archiveHarness(t, comptoir.LangFR, dir)
	h.press(tea.KeyF5, tea.KeyCtrlA, tea.KeyEnter)
	path := filepath.Join(dir, "comptoir-R1-2026-10.zip")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the archive: %v\n%s", err, h.view())
	}
	if got, want := string(b), "PK archive of 2026-10"; got != want {
		t.Errorf("archive = %q, want %q", got, want)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%s mode %v, want %v", c.path, got, c.want)
		}
	}
	contains(t, "the view", h.view(), path)
	if got, want := fmt.Sprint(archives.by), "[gerant]"; got != want {
		t.Errorf("exported by %s, want %s", got, want)
	}

	// A year whose export fails half-way leaves nothing a manager could take for its archive.
	h.closing.closings["2025"] = comptoir.Closing{Kind: comptoir.YearClosing, Period: "2025"}
	archives.fail = comptoir.E(comptoir.CodeCannotWrite)
	h.press(tea.KeyEsc, tea.KeyCtrlA)
	for range len("2026-10") {
		h.press(tea.KeyBackspace)
	}
	h.scanKeys("2025")
	if _, err := os.Stat(filepath.Join(dir, "comptoir-R1-2025.zip")); !os.IsNotExist(err) {
		t.Errorf("a failed export left its file: %v", err)
	}
	contains(t, "the view", h.view(), "✗")
}

// TestArchive_Flow runs the export as a program, the export's command in a goroutine of its own
// as Bubble Tea runs it: the manager opens the menu, asks for the archive, takes the month
// offered, and reads where it went.
func TestArchive_Flow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "archives")
	closing := newClosing(&fakeSales{})
	closing.closings["2026-10"] = comptoir.Closing{Kind: comptoir.MonthClosing, Period: "2026-10"}
	m := ui.New(ui.Config{
		Lang:       comptoir.LangEN,
		Session:    ui.Session{Register: "R1", Cashier: "gerant", UserID: "gerant", Role: comptoir.RoleManager},
		Catalog:    newCatalog(),
		Sales:      &fakeSales{},
		Closing:    closing,
		Archives:   &fakeArchives{closing: closing},
		ArchiveDir: dir,
		Now:        func() time.Time { return fakeNow },
		Location:   time.UTC,
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	tm.Send(key(tea.KeyF5))
	waitFor("Export the archive")
	tm.Send(key(tea.KeyCtrlA))
	waitFor("Period to archive: 2026-10_")
	tm.Send(key(tea.KeyEnter))
	waitFor("archive written")
	tm.Send(key(tea.KeyCtrlC))
	tm.Send(key(tea.KeyCtrlC))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if _, err := os.Stat(filepath.Join(dir, "comptoir-R1-2026-10.zip")); err != nil {
		t.Errorf("the archive: %v", err)
	}
}

// testSignature is a closing's signature as the store keeps it; its extract is "mK_5".
const testSignature = "P-mhYeK42gzw_R8t7w5kZaajMliFNUaMb-mwRXIs809vrBTcXKZKoFDFGyyU3yyIlmXbJTWCDtLZKLQD_lpnDQ"

// TestChainHeadLines checks how a closing's report ends: the key and the chain head in lines that
// fit 58 mm paper, the hash whole over two lines; an older key said as such; a closing made before
// the register had a key printed as it always was.
func TestChainHeadLines(t *testing.T) {
	hash := strings.Repeat("0123456789abcdef", 4)
	signed := comptoir.Closing{Hash: hash, Signature: testSignature, At: fakeNow, GrandTotalAbs: 123456}
	absFR := []string{"Grand total perpétuel", "en valeur absolue : 1 234,56 €"}
	absEN := []string{"Perpetual grand total", "absolute value: €1,234.56"}
	cases := []struct {
		name string
		c    comptoir.Closing
		key  comptoir.KeyInfo
		l    comptoir.Lang
		want []string
	}{
		{"signed fr", signed, testKey, comptoir.LangFR, append(absFR, "", "Clé de signature n° 1", testKey.Fingerprint,
			"Empreinte (tête de chaîne)", hash[:32], hash[32:], "Signature : mK_5")},
		{"signed en", signed, testKey, comptoir.LangEN, append(absEN, "", "Signing key no. 1", testKey.Fingerprint,
			"Hash (chain head)", hash[:32], hash[32:], "Signature: mK_5")},
		{"rotated since", signed, comptoir.KeyInfo{Number: 2, Fingerprint: "ffff-ffff-ffff-ffff-ffff", At: fakeNow.Add(time.Hour)}, comptoir.LangEN,
			append(absEN, "", "Signed by a key older than", "key no. 2", "Hash (chain head)", hash[:32], hash[32:], "Signature: mK_5")},
		{"key unknown", signed, comptoir.KeyInfo{}, comptoir.LangFR, append(absFR, "", "Empreinte (tête de chaîne)", hash[:32], hash[32:], "Signature : mK_5")},
		{"before the key", comptoir.Closing{Hash: hash}, testKey, comptoir.LangFR, []string{"Empreinte              " + hash}},
		{"no hash", comptoir.Closing{}, testKey, comptoir.LangFR, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ui.ChainHeadLines(c.c, c.key, c.l)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
				t.Errorf("lines = %q, want %q", got, c.want)
			}
			if c.c.Signature == "" {
				return
			}
			for _, line := range got {
				if n := len([]rune(line)); n > 32 {
					t.Errorf("line %q is %d columns, more than 58 mm paper's 32", line, n)
				}
			}
		})
	}
}

// TestZReport_SigningKeyAndHead checks that the Z close shown, and printed, ends with the key's
// fingerprint and the chain head.
func TestZReport_SigningKeyAndHead(t *testing.T) {
	h := newManagerHarnessPrinter(t, comptoir.LangFR, comptoir.RoleManager, 80, 40, true, func(c *ui.Config) { c.Keys = fakeKeys{testKey} })
	h.closing.signature = testSignature
	h.sell(h.line(nutella, 1))
	h.press(tea.KeyF5, tea.KeyF3, tea.KeyEnter)
	v := h.view()
	for _, want := range []string{"Clé de signature n° 1", testKey.Fingerprint, strings.Repeat("ab", 16), "Signature : mK_5"} {
		contains(t, "the closing", v, want)
	}
	h.press(tea.KeyF2)
	if got := len(h.printer.reports); got != 1 {
		t.Fatalf("%d reports printed, want 1", got)
	}
	printed := strings.Join(h.printer.reports[0], "\n")
	if !strings.Contains(printed, testKey.Fingerprint) || !strings.Contains(printed, "Signature : mK_5") {
		t.Errorf("the printed report lacks the key or the head:\n%s", printed)
	}
}

// TestVerify_Chains checks the journal's check on the manager screen: the chains counted, the key
// in effect with its fingerprint, where each chain stands, a declared break, and the chain of a
// broken record.
func TestVerify_Chains(t *testing.T) {
	h := newManagerHarnessPrinter(t, comptoir.LangEN, comptoir.RoleManager, 80, 40, true, func(c *ui.Config) { c.Keys = fakeKeys{testKey} })
	h.journal.chains = func(r *comptoir.VerifyReport) {
		r.Reprints, r.Events, r.Keys, r.Signed = 1, 12, 2, 20
		r.Heads = []comptoir.ChainHead{{Chain: comptoir.ChainTickets, Number: 6, Signature: testSignature}}
		r.Breaks = []comptoir.KeyInfo{{Number: 2, Reason: comptoir.KeyReplaced, Fingerprint: "ffff-eeee-dddd-cccc-bbbb", At: fakeNow}}
	}
	h.press(tea.KeyF5, tea.KeyF5)
	v := h.view()
	for _, want := range []string{"Technical events      12", "Signatures verified   20", "Signing key no. 1  " + testKey.Fingerprint,
		"ticket chain  6  mK_5", "Declared break: key no. 2 replaced (lost) on 2026-11-30 09:12", "ffff-eeee-dddd-cccc-bbbb"} {
		contains(t, "the check", v, want)
	}

	h.journal.broken = comptoir.E(comptoir.CodeSignatureInvalid, "ticket 2", comptoir.ChainTickets.Label(comptoir.LangEN))
	h.journal.chains = func(r *comptoir.VerifyReport) { r.Chain = comptoir.ChainTickets }
	h.press(tea.KeyEsc, tea.KeyF5)
	contains(t, "the check", h.view(), "in the ticket chain")
}

// TestArchive_RegisterNameInFileName checks that a register's name cannot lead the archive out of
// its folder: a separator in it becomes '_'.
func TestArchive_RegisterNameInFileName(t *testing.T) {
	dir := t.TempDir()
	h := newManagerHarnessPrinter(t, comptoir.LangEN, comptoir.RoleManager, 80, 24, true, func(c *ui.Config) {
		c.Session.Register = "../caisse 2"
		c.Archives, c.ArchiveDir = &fakeArchives{closing: c.Closing.(*fakeClosing)}, dir
	})
	h.closing.closings["2026-10"] = comptoir.Closing{Kind: comptoir.MonthClosing, Period: "2026-10"}
	h.press(tea.KeyF5, tea.KeyCtrlA, tea.KeyEnter)
	if _, err := os.Stat(filepath.Join(dir, "comptoir-.._caisse_2-2026-10.zip")); err != nil {
		t.Errorf("the archive: %v\n%s", err, h.view())
	}
}

// brokenCatalog is a catalogue whose disk fails on every look-up.
type brokenCatalog struct{ *fakeCatalog }

func (brokenCatalog) Product(context.Context, string) (comptoir.Product, error) {
	return comptoir.Product{}, comptoir.Wrap(comptoir.CodeCannotRead, errors.New("input/output error"))
}

// TestTechLog_LookupFailure checks that a look-up the system made fail is logged as an error that
// stopped a sale, while an unknown code, the cashier's to correct, is not.
func TestTechLog_LookupFailure(t *testing.T) {
	log := &fakeTechLog{}
	h := newHarness(t, comptoir.LangEN, 80, 24, withTechLog(log))
	h.scanKeys(unknown)
	if got := log.codes(); len(got) != 0 {
		t.Errorf("an unknown code logged %v", got)
	}
	broken := newHarness(t, comptoir.LangEN, 80, 24, withTechLog(log), func(c *ui.Config) { c.Catalog = brokenCatalog{newCatalog()} })
	broken.scanKeys(nutella)
	e, ok := log.last(comptoir.TechSaleError)
	if !ok {
		t.Fatalf("no sale error logged: %v", log.codes())
	}
	if want := "looking up code " + nutella + " on a ticket of 0 line(s): "; !strings.HasPrefix(e.Detail, want) || e.User != "Camille" {
		t.Errorf("event = %+v, want Camille's, starting %q", e, want)
	}
}

// TestTechLog_VerifyRun checks that a verification run from the manager screen is a technical
// event with its result, in the manager's name.
func TestTechLog_VerifyRun(t *testing.T) {
	log := &fakeTechLog{}
	h := newManagerHarnessPrinter(t, comptoir.LangFR, comptoir.RoleCashier, 80, 24, true, withTechLog(log))
	h.asManager()
	h.press(tea.KeyF5)
	e, ok := log.last(comptoir.TechVerify)
	if !ok {
		t.Fatalf("codes logged = %v, want a verification", log.codes())
	}
	if e.User != "gerant" || !strings.HasPrefix(e.Detail, "intact: ") {
		t.Errorf("verification logged = %+v, want gerant's, intact", e)
	}
}
