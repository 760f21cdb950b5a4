package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/creack/pty"
)

// registerEnv is the environment of a register on a database, with cheap PIN hashes.
func registerEnv(db string, vars map[string]string) *env {
	var out, errOut bytes.Buffer
	return &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, clock: &clock{},
		auth: auth{pinIterations: testPINIterations}, getenv: func(k string) string { return vars[k] },
		cfg: config{db: db, register: defaultReg, lang: comptoir.LangFR}}
}

// waitUntil polls a condition the register reaches on its own (a scanner connecting), failing the
// test when it does not within a generous bound.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("gave up waiting for %s", what)
}

// TestRegister_FirstDayOnAFreshDatabase runs the register's screens on a database that does not
// exist yet, with a serial scanner on a pseudo-terminal: the first manager logs in with the PIN
// the screen shows, chooses their own, sells an item scanned on the serial line and one typed,
// is paid in cash, starts another ticket and quits with Ctrl+C twice. The store then holds the
// ticket, the new PIN, the kept draft and the logout; the note and the scanner are gone.
func TestRegister_FirstDayOnAFreshDatabase(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	port := slave.Name()
	slave.Close()
	defer master.Close()

	db := dbPath(t)
	e := registerEnv(db, nil)
	r, err := openRegister(e, registerFlags{scanner: port, baud: 9600})
	if err != nil {
		t.Fatal(err)
	}
	if r.firstPIN == "" {
		t.Fatal("no first manager's PIN on a new database")
	}
	if n, ok := readOpenNote(db + ".open"); !ok || n.pid != os.Getpid() || n.user != "" {
		t.Errorf("open note = %+v, %v; want this PID and nobody logged in", n, ok)
	}
	var out syncBuffer
	p := tea.NewProgram(r.model(), tea.WithInput(nil), tea.WithOutput(&out), tea.WithoutSignalHandler())
	done := make(chan tea.Model, 1)
	go func() {
		m, err := p.Run()
		if err != nil {
			t.Errorf("the program failed: %v", err)
		}
		done <- m
	}()
	p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	// seen is how much of the output the last wait read: each wait looks at what came after, so
	// that a sentence shown twice is waited for twice.
	seen := 0
	waitFor := func(s string) {
		t.Helper()
		waitUntil(t, "the screen to show "+s, func() bool {
			o := out.String()
			i := strings.Index(o[seen:], s)
			if i < 0 {
				return false
			}
			seen += i + len(s)
			return true
		})
	}
	typeLine := func(s string) {
		p.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
		p.Send(tea.KeyMsg{Type: tea.KeyEnter})
	}
	waitFor("code PIN " + r.firstPIN[:3] + " " + r.firstPIN[3:])
	typeLine("gerant")
	typeLine(r.firstPIN)
	waitFor("Choisissez votre propre code PIN")
	typeLine("4826")
	typeLine("4826")
	waitFor("Comptoir · R1 · gerant (gérant)")
	if n, ok := readOpenNote(db + ".open"); !ok || n.user != "gerant" {
		t.Errorf("open note after login = %+v, %v; want gerant", n, ok)
	}

	waitUntil(t, "the scanner to connect", func() bool {
		b, _ := os.ReadFile(db + ".log")
		return bytes.Contains(b, []byte(port+" connected"))
	})
	if _, err := master.WriteString("3760123450003\r"); err != nil {
		t.Fatal(err)
	}
	waitFor("Baguette tradition ajouté")
	typeLine("2*3760123450010")
	waitFor("2 × Pain de campagne 400 g ajouté")
	p.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("À PAYER")
	typeLine("10")
	waitFor("ticket n° 1 enregistré")
	p.Send(tea.KeyMsg{Type: tea.KeyEnter})
	typeLine("3760123450003")
	waitFor("Baguette tradition ajouté")
	p.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	p.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	var final *registerModel
	select {
	case m := <-done:
		final, _ = m.(*registerModel)
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl+C twice did not quit")
	}
	ok := final != nil
	if !ok {
		t.Fatal("the final model is not the register's")
	}
	kept, err := r.close(final)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kept, 1; got != want {
		t.Errorf("%d lines kept, want %d", got, want)
	}
	if _, err := os.Stat(db + ".open"); !os.IsNotExist(err) {
		t.Errorf("the open note is still there after closing: %v", err)
	}

	s, err := store.Open(db, store.Options{MustExist: true, PINIterations: testPINIterations})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	sale, err := s.Sale(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sale.Total, comptoir.Money(610); got != want {
		t.Errorf("ticket 1 total %v, want %v", got, want)
	}
	if got, want := sale.Change, comptoir.Money(390); got != want {
		t.Errorf("ticket 1 change %v, want %v", got, want)
	}
	if got, want := sale.Cashier, "gerant"; got != want {
		t.Errorf("ticket 1 cashier %q, want %q", got, want)
	}
	if _, err := s.Authenticate(ctx, "gerant", "4826"); err != nil {
		t.Errorf("the new PIN does not log in: %v", err)
	}
	u, _ := s.User(ctx, "gerant")
	if u.MustChangePIN {
		t.Error("gerant must still change their PIN")
	}
	draft, err := s.TakeDraft(ctx)
	if err != nil || len(draft) != 1 || draft[0].GTIN != "3760123450003" {
		t.Errorf("draft = %+v, %v; want the baguette", draft, err)
	}
	if n, _ := s.PendingEvents(ctx); n == 0 {
		t.Error("no event waits to sync after a sale")
	}
	log, _ := os.ReadFile(db + ".log")
	for _, want := range []string{"demo catalogue", "first manager", "login gerant", "kept for the next login", "register closed"} {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	// The log's dates, its PID and the test's random folder name are digits that may happen to
	// hold a PIN: only what the register wrote is searched.
	words := bytes.ReplaceAll(log, []byte(filepath.Dir(db)), []byte("DIR"))
	words = regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d |\(PID \d+\)`).ReplaceAll(words, nil)
	for _, secret := range []string{r.firstPIN, "4826"} {
		if bytes.Contains(words, []byte(secret)) {
			t.Errorf("the log holds a PIN:\n%s", log)
		}
	}
}

// TestRun_RegisterOpenSaysSo checks that a command run while the register holds the database says
// so, with the register's PID and who is logged in, instead of a bare "in use".
func TestRun_RegisterOpenSaysSo(t *testing.T) {
	s := newShop(t)
	r, err := openRegister(registerEnv(s.db, nil), registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close(nil)
	s.refused(s.runIn(nil, strings.NewReader(""), "report"), exitFailed,
		"la caisse est ouverte sur ce poste (PID "+strconv.Itoa(os.Getpid())+") et tient la base : faites-le depuis l'écran gérant", "report")
	if err := writeOpenNote(s.db+".open", "gerant"); err != nil {
		t.Fatal(err)
	}
	s.refused(s.runIn(map[string]string{"COMPTOIR_LANG": "en"}, strings.NewReader(""), "verify"), exitFailed,
		`the register is open on this machine (PID `+strconv.Itoa(os.Getpid())+`, "gerant" logged in)`, "verify")
	// A second register on the same database says it too.
	_, err = openRegister(registerEnv(s.db, nil), registerFlags{})
	if got, want := comptoir.Message(err, comptoir.LangFR), "« gerant » connecté"; !strings.Contains(got, want) {
		t.Errorf("second register: %q, want %q in it", got, want)
	}
}

// TestReadOpenNote_DeadProcessIsNoNote checks that the note of a register that was killed does not
// blame it for a database another program holds.
func TestReadOpenNote_DeadProcessIsNoNote(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a process: %v", err)
	}
	path := dbPath(t) + ".open"
	if err := os.WriteFile(path, []byte("pid "+strconv.Itoa(cmd.Process.Pid)+"\nuser gerant\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, ok := readOpenNote(path); ok {
		t.Errorf("note of a finished process read as %+v", n)
	}
	inUse := comptoir.E(comptoir.CodeDatabaseInUse, "x")
	if got := registerOpenError(strings.TrimSuffix(path, ".open"), inUse); got != error(inUse) {
		t.Errorf("registerOpenError = %v, want the plain in-use refusal", got)
	}
}

func TestParseRegisterFlags_FlagsWinOverEnvironment(t *testing.T) {
	vars := map[string]string{"COMPTOIR_SCANNER": "/dev/ttyACM0", "COMPTOIR_SCANNER_BAUD": "19200"}
	getenv := func(k string) string { return vars[k] }
	f, err := parseRegisterFlags(nil, getenv)
	if err != nil || f.scanner != "/dev/ttyACM0" || f.baud != 19200 {
		t.Errorf("from the environment: %+v, %v", f, err)
	}
	f, err = parseRegisterFlags([]string{"--scanner", "/dev/ttyUSB1", "--scanner-baud=115200"}, getenv)
	if err != nil || f.scanner != "/dev/ttyUSB1" || f.baud != 115200 {
		t.Errorf("from flags: %+v, %v", f, err)
	}
	if _, err := parseRegisterFlags(nil, func(k string) string { return map[string]string{"COMPTOIR_SCANNER_BAUD": "fast"}[k] }); err == nil {
		t.Error("COMPTOIR_SCANNER_BAUD=fast accepted")
	}
	if _, err := parseRegisterFlags([]string{"--scanner-baud", "0"}, getenv); err == nil {
		t.Error("--scanner-baud 0 accepted")
	}
}

func TestRun_RegisterNeedsATerminal(t *testing.T) {
	s := newShop(t)
	s.refused(s.runIn(nil, strings.NewReader(""), "--scanner", "/dev/ttyACM0"), exitFailed, "la caisse s'affiche dans un terminal", "--scanner off a terminal")
	if _, err := os.Stat(s.db); !os.IsNotExist(err) {
		t.Errorf("a refused register created the database: %v", err)
	}
	r := s.runIn(nil, strings.NewReader(""), "--bogus")
	if r.code != exitUsage {
		t.Errorf("--bogus: exit %d, want %d", r.code, exitUsage)
	}
}

func TestRegister_DemoDatabaseIsMarked(t *testing.T) {
	s := newShop(t)
	s.ok(s.runIn(nil, strings.NewReader(""), "demo-data", "--sales", "3", "--days", "1"), "demo-data")
	r, err := openRegister(registerEnv(s.db, nil), registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close(nil)
	if !r.session.Demo {
		t.Error("a database filled by demo-data is not marked DÉMO")
	}
	if r.firstPIN == "" {
		t.Error("no first manager on a demo database without users")
	}
}

func TestRegister_NewDatabaseIsNotMarkedDemo(t *testing.T) {
	r, err := openRegister(registerEnv(dbPath(t), nil), registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close(nil)
	if r.session.Demo {
		t.Error("a new database with the demo catalogue only is marked DÉMO: its tickets are real")
	}
	ps, err := r.store.Products(context.Background())
	if err != nil || len(ps) == 0 {
		t.Errorf("new database catalogue: %d products, %v; want the demo catalogue", len(ps), err)
	}
}

// TestRegister_FirstPINReissuedUntilClaimed checks that the first manager's PIN, shown once, is
// shown again (a new one) when the register was closed before anyone used it, and no longer once
// the manager chose their own.
func TestRegister_FirstPINReissuedUntilClaimed(t *testing.T) {
	db := dbPath(t)
	ctx := context.Background()
	open := func() *register {
		t.Helper()
		r, err := openRegister(registerEnv(db, nil), registerFlags{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := open()
	first := r.firstPIN
	r.close(nil)
	r = open()
	second := r.firstPIN
	if second == "" {
		t.Fatal("no PIN shown at the second opening: nobody could ever log in")
	}
	if _, err := r.store.Authenticate(ctx, "gerant", first); !errors.Is(err, comptoir.E(comptoir.CodeLoginRefused)) {
		t.Errorf("the first PIN still logs in: %v", err)
	}
	u, err := r.store.Authenticate(ctx, "gerant", second)
	if err != nil || !u.MustChangePIN {
		t.Fatalf("the reissued PIN: %+v, %v; want a login that must change its PIN", u, err)
	}
	if err := r.store.ChangePIN(ctx, "gerant", "4826", "gerant"); err != nil {
		t.Fatal(err)
	}
	r.close(nil)
	r = open()
	defer r.close(nil)
	if r.firstPIN != "" {
		t.Error("a PIN is reissued after the manager chose their own")
	}
}
