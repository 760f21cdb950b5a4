package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/creack/pty"
)

// e2e drives the real comptoir binary in a tmux session, as a cashier at a terminal would.
type e2e struct {
	t       *testing.T
	bin     string
	session string
}

// newE2E builds the binary and checks that tmux is there. CI installs tmux (.ci/run), so the test
// may only be skipped on a developer's machine without it, never in CI.
func newE2E(t *testing.T) *e2e {
	t.Helper()
	if testing.Short() {
		t.Skip("the end-to-end test builds and drives the binary")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is missing: .ci/run must install it")
		}
		t.Skip("tmux is not installed")
	}
	bin := filepath.Join(t.TempDir(), "comptoir")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return &e2e{t: t, bin: bin, session: fmt.Sprintf("comptoir-e2e-%d", os.Getpid())}
}

// cli runs one command of the binary and returns its standard output.
func (x *e2e) cli(env []string, args ...string) string {
	x.t.Helper()
	cmd := exec.Command(x.bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		x.t.Fatalf("comptoir %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return string(out)
}

func (x *e2e) tmux(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start opens the register in a detached tmux session of 80×24, the smallest screen it supports.
func (x *e2e) start(command string) {
	x.t.Helper()
	x.tmux("new-session", "-d", "-s", x.session, "-x", "80", "-y", "24", command)
	x.t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", x.session).Run() })
}

func (x *e2e) screen() string {
	out, err := exec.Command("tmux", "capture-pane", "-t", x.session, "-p").CombinedOutput()
	if err != nil {
		return ""
	}
	return string(out)
}

// waitFor waits until the screen shows text. It waits on what the screen says, never on a time:
// the bound only turns a register that never gets there into a failure with the screen shown.
func (x *e2e) waitFor(text string) string {
	x.t.Helper()
	var s string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s = x.screen(); strings.Contains(s, text) {
			return s
		}
	}
	x.t.Fatalf("the screen never showed %q; it shows:\n%s", text, s)
	return ""
}

// typeText types text as a burst, the way a keyboard-mode scanner or a paste delivers it.
func (x *e2e) typeText(text string) { x.t.Helper(); x.tmux("send-keys", "-t", x.session, "-l", text) }

func (x *e2e) key(keys ...string) {
	x.t.Helper()
	x.tmux(append([]string{"send-keys", "-t", x.session}, keys...)...)
}

// azerty types a code as a scanner set to a US layout does on a French AZERTY keyboard.
func azerty(code string) string {
	keys := []string{"à", "&", "é", `"`, "'", "(", "-", "è", "_", "ç"}
	var b strings.Builder
	for _, c := range code {
		b.WriteString(keys[c-'0'])
	}
	return b.String()
}

// TestE2E_CashierDay is the cashier's first sale on the real binary in tmux: on a fresh database
// with a price list and one member, the first manager logs in with the PIN the screen shows and
// chooses their own; three products arrive through the serial scanner (a pseudo-terminal), as a
// keyboard burst and as an AZERTY-mangled burst; the member's card is scanned; the ticket is paid
// in cash with change; the receipt is declined; the register quits. The report and the member's
// export then show the ticket, its member and the points it earned.
func TestE2E_CashierDay(t *testing.T) {
	x := newE2E(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "comptoir.db")
	env := []string{"COMPTOIR_DB=" + db, "COMPTOIR_LANG=fr", "NO_COLOR=1"}
	x.cli(env, "catalog", "import", "demo_catalog.csv")
	card := comptoir.CardNumber(1)
	x.cli(env, "customer", "enroll", "--card", card, "--first", "Jeanne", "--last", "Martin",
		"--email", "jeanne.martin@exemple.fr", "--consent", "email=oui,sms=non,phone=non,post=non,partners=non")

	master, slave, err := pty.Open()
	if err != nil {
		t.Fatalf("pseudo-terminal for the scanner: %v", err)
	}
	defer master.Close()
	port := slave.Name()
	defer slave.Close()

	x.start(fmt.Sprintf("env COMPTOIR_DB=%s COMPTOIR_LANG=fr NO_COLOR=1 %s --scanner %s", db, x.bin, port))
	first := x.waitFor("Première utilisation")
	m := regexp.MustCompile(`code PIN ([0-9 ]+) \(`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("no first PIN on the screen:\n%s", first)
	}
	x.typeText("gerant")
	x.key("Enter")
	x.typeText(strings.ReplaceAll(m[1], " ", ""))
	x.key("Enter")
	x.waitFor("Nouveau code PIN")
	const pin = "2580"
	x.typeText(pin)
	x.key("Enter")
	x.typeText(pin)
	x.key("Enter")
	x.waitFor("Scannez un article")

	// Through the serial scanner: the register reads the pseudo-terminal.
	if _, err := master.Write([]byte("3760123450003\r")); err != nil {
		t.Fatal(err)
	}
	x.waitFor("Baguette tradition")
	// A keyboard-mode scanner's burst, with a quantity typed before it.
	x.typeText("2*3760123450010")
	x.key("Enter")
	x.waitFor("Pain de campagne 400 g")
	// The same scanner on an AZERTY keyboard.
	x.typeText(azerty("3760123450027"))
	x.key("Enter")
	x.waitFor("Pain complet 500 g")
	// The member's card.
	x.typeText(card)
	x.key("Enter")
	x.waitFor("J*** M***")

	// 1,30 + 2 × 2,40 + 2,90 = 9,00 €, paid with a 20 € note.
	x.key("Enter")
	x.waitFor("À PAYER")
	x.typeText("20")
	x.key("Enter")
	paid := x.waitFor("RENDU")
	if !strings.Contains(paid, "11,00 €") {
		t.Errorf("the change of 20,00 € for 9,00 € is not 11,00 €:\n%s", paid)
	}
	// No receipt (the French anti-waste rule makes none the default).
	x.waitFor("Ticket ?")
	x.key("Escape")
	x.waitFor("Scannez un article")
	x.key("C-c")
	x.waitFor("encore une fois")
	x.key("C-c")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if exec.Command("tmux", "has-session", "-t", x.session).Run() != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the register did not quit after Ctrl+C twice:\n%s", x.screen())
		}
	}

	report := x.cli(env, "report")
	for _, want := range []string{"Tickets                       1", "Total de la période TTC  9,00 €"} {
		if !strings.Contains(report, want) {
			t.Errorf("report does not say %q:\n%s", want, report)
		}
	}
	out := x.cli(append(env, "COMPTOIR_AS=gerant", "COMPTOIR_PIN="+pin), "customer", "export", "--card", card)
	var export struct {
		Tickets []struct {
			Number       uint64 `json:"number"`
			PointsEarned int64  `json:"points_earned"`
		} `json:"tickets"`
		Balance int64 `json:"points_balance"`
	}
	if err := json.Unmarshal([]byte(out), &export); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	if len(export.Tickets) != 1 || export.Tickets[0].Number != 1 || export.Tickets[0].PointsEarned != 9 {
		t.Errorf("the member's tickets are %+v, want ticket 1 earning 9 points:\n%s", export.Tickets, out)
	}
	// One point per whole euro paid: 9 points for 9,00 €.
	if got, want := export.Balance, int64(9); got != want {
		t.Errorf("the member's balance is %d points, want %d:\n%s", got, want, out)
	}
}
