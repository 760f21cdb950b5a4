package devices_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/devices"
	"github.com/creack/pty"
)

// The scanner tests run the real serial code (tarm/serial on Linux termios) on the slave side of
// a pseudo-terminal pair; the test plays the scanner by writing on the master side.

// wait bounds every wait for something that must happen. It is generous because the tests must
// hold on a loaded two-core machine; nothing waits that long when all is well.
const wait = 15 * time.Second

// closeBound is what Close may take before the test calls it stuck. By design Close waits for one
// pending read (at most one read timeout, 100 ms here), but on a two-core machine running the
// race detector and other tests, the reader goroutine may wait seconds for a core: the bound
// tells a Close that waits for nothing but that read from one that waits for a reconnection's
// backoff or for a read with no timeout, which would never return.
const closeBound = 5 * time.Second

// newPTY opens a pseudo-terminal pair and returns the master, which the test writes to as the
// scanner would, and the slave's name, which the Scanner opens. The test's own handle on the slave
// is closed at once so that only the Scanner reads it.
func newPTY(t testing.TB) (*os.File, string) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatalf("no pseudo-terminal: %v", err)
	}
	name := slave.Name()
	slave.Close()
	t.Cleanup(func() { master.Close() })
	return master, name
}

// config is a configuration for tests: quick to reconnect.
func config(port string) devices.Config {
	return devices.Config{Port: port, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
}

func open(t testing.TB, cfg devices.Config) *devices.Scanner {
	t.Helper()
	sc, err := devices.Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { sc.Close() })
	return sc
}

// waitStatus waits for a status of a kind and returns it with the statuses seen before it.
func waitStatus(t testing.TB, sc *devices.Scanner, kind devices.StatusKind) (devices.Status, []devices.StatusKind) {
	t.Helper()
	var seen []devices.StatusKind
	timeout := time.After(wait)
	for {
		select {
		case st, ok := <-sc.Status():
			if !ok {
				t.Fatalf("status channel closed waiting for %v (saw %v)", kind, seen)
			}
			if st.At.IsZero() {
				t.Errorf("status %v without time", st.Kind)
			}
			if st.Kind == kind {
				return st, seen
			}
			seen = append(seen, st.Kind)
		case <-timeout:
			t.Fatalf("no %v status within %v (saw %v)", kind, wait, seen)
		}
	}
}

func nextScan(t testing.TB, sc *devices.Scanner) devices.Scan {
	t.Helper()
	select {
	case s, ok := <-sc.Scans():
		if !ok {
			t.Fatal("scans channel closed")
		}
		return s
	case <-time.After(wait):
		t.Fatalf("no scan within %v", wait)
	}
	return devices.Scan{}
}

func noScan(t testing.TB, sc *devices.Scanner, d time.Duration) {
	t.Helper()
	select {
	case s := <-sc.Scans():
		t.Errorf("unexpected scan %+v", s)
	case <-time.After(d):
	}
}

func write(t testing.TB, master *os.File, s string) {
	t.Helper()
	if _, err := master.WriteString(s); err != nil {
		t.Fatalf("write on the master: %v", err)
	}
}

// closeQuickly closes the scanner, checks that it took at most closeBound and that both channels
// are closed after it.
func closeQuickly(t *testing.T, sc *devices.Scanner) {
	t.Helper()
	start := time.Now()
	sc.Close()
	if d := time.Since(start); d > closeBound {
		t.Errorf("Close took %v, want at most %v", d, closeBound)
	} else {
		t.Logf("Close took %v", d)
	}
	for range sc.Scans() {
	}
	for range sc.Status() {
	}
	sc.Close() // twice is harmless
}

// noLeak checks that the goroutines running before a test are all that run after it. The
// scanner's goroutine has returned when Close returns, but the runtime may take a moment to count
// a timer's or a test helper's goroutine as gone, hence the short poll.
func noLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func code(t *testing.T, err error) comptoir.Code {
	t.Helper()
	var e *comptoir.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v (%T) is not a *comptoir.Error", err, err)
	}
	for _, l := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		if m := e.Message(l); strings.Contains(m, "%!") {
			t.Errorf("message %q", m)
		}
	}
	return e.Code
}

// TestScannerFraming sends every framing and identifier through the real port.
func TestScannerFraming(t *testing.T) {
	master, name := newPTY(t)
	cfg := config(name)
	cfg.Debounce = devices.NoDebounce
	sc := open(t, cfg)
	waitStatus(t, sc, devices.Connected)

	tests := []struct {
		in   string
		want []devices.Scan
	}{
		{"3017620422003\r", []devices.Scan{{Code: "3017620422003"}}},
		{"3017620422004\n", []devices.Scan{{Code: "3017620422004"}}},
		{"3017620422005\r\n", []devices.Scan{{Code: "3017620422005"}}},
		{"3017620422006\t", []devices.Scan{{Code: "3017620422006"}}},
		{"3017620422007\x03", []devices.Scan{{Code: "3017620422007"}}},
		{"\x023017620422008\x03", []devices.Scan{{Code: "3017620422008"}}},
		{"\r\n\r\n3017620422009\r\r\n", []devices.Scan{{Code: "3017620422009"}}},
		{"]E03017620422003\r\n", []devices.Scan{{Code: "3017620422003", Symbology: "EAN-13"}}},
		{"]E496385074\r\n", []devices.Scan{{Code: "96385074", Symbology: "EAN-8"}}},
		{"]E3978020137962052495\r", []devices.Scan{{Code: "978020137962052495", Symbology: "EAN + add-on"}}},
		{"]C10103017620422003\r", []devices.Scan{{Code: "0103017620422003", Symbology: "GS1-128"}}},
		{"]C0ABC-123\r", []devices.Scan{{Code: "ABC-123", Symbology: "Code 128"}}},
		{"]A0CODE39\r", []devices.Scan{{Code: "CODE39", Symbology: "Code 39"}}},
		{"]d20103017620422003\r", []devices.Scan{{Code: "0103017620422003", Symbology: "GS1 DataMatrix"}}},
		{"]Q1https://example.org/x\r", []devices.Scan{{Code: "https://example.org/x", Symbology: "QR"}}},
		{"]X9other\r", []devices.Scan{{Code: "other", Symbology: "unknown"}}},
		{"A\rB\nC\r\nD\tE\x03", []devices.Scan{{Code: "A"}, {Code: "B"}, {Code: "C"}, {Code: "D"}, {Code: "E"}}},
	}
	for _, tt := range tests {
		before := time.Now()
		write(t, master, tt.in)
		for _, want := range tt.want {
			got := nextScan(t, sc)
			if got.Code != want.Code || got.Symbology != want.Symbology {
				t.Errorf("%q: scan %q (%q), want %q (%q)", tt.in, got.Code, got.Symbology, want.Code, want.Symbology)
			}
			if got.At.Before(before) || got.At.After(time.Now()) {
				t.Errorf("%q: scan time %v outside the write", tt.in, got.At)
			}
		}
	}
	if st := sc.Stats(); st.Scans != 21 || st.Noise != 0 || st.TooLong != 0 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestScannerNoiseAndTooLong checks that noise and over-long frames are dropped and counted, never
// delivered, and that the next code gets through.
func TestScannerNoiseAndTooLong(t *testing.T) {
	master, name := newPTY(t)
	sc := open(t, config(name))
	waitStatus(t, sc, devices.Connected)

	write(t, master, "\x00\x01\xffgarbage\r"+strings.Repeat("9", 100)+"\r]E0\x1b[31m\r"+strings.Repeat("8", 65)+"\n")
	write(t, master, "]E03017620422003\r\n")
	if got := nextScan(t, sc); got.Code != "3017620422003" || got.Symbology != devices.SymEAN13 {
		t.Errorf("scan %+v", got)
	}
	if st := sc.Stats(); st.Noise != 2 || st.TooLong != 2 || st.Scans != 1 {
		t.Errorf("stats %+v, want 2 noise, 2 too long, 1 scan", st)
	}
	noScan(t, sc, 200*time.Millisecond)
}

// TestScannerSplitWrites checks two codes in one write, and one code arriving in pieces.
func TestScannerSplitWrites(t *testing.T) {
	master, name := newPTY(t)
	sc := open(t, config(name))
	waitStatus(t, sc, devices.Connected)

	write(t, master, "]E03017620422003\r\n]E496385074\r\n")
	for _, want := range []string{"3017620422003", "96385074"} {
		if got := nextScan(t, sc); got.Code != want {
			t.Errorf("scan %q, want %q", got.Code, want)
		}
	}
	for _, piece := range []string{"]E", "0301", "7620", "422", "004\r", "\n"} {
		write(t, master, piece)
		time.Sleep(30 * time.Millisecond)
	}
	if got := nextScan(t, sc); got.Code != "3017620422004" || got.Symbology != devices.SymEAN13 {
		t.Errorf("scan %+v", got)
	}
	noScan(t, sc, 150*time.Millisecond)
	if st := sc.Stats(); st.Scans != 3 || st.Noise != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestScannerPartialTimeout checks that a partial frame left alone is dropped, so that it does not
// stick to the front of the next code.
func TestScannerPartialTimeout(t *testing.T) {
	master, name := newPTY(t)
	cfg := config(name)
	cfg.PartialTimeout = 150 * time.Millisecond
	sc := open(t, cfg)
	waitStatus(t, sc, devices.Connected)

	write(t, master, "99")
	time.Sleep(4 * cfg.PartialTimeout)
	write(t, master, "3017620422003\r")
	if got := nextScan(t, sc); got.Code != "3017620422003" {
		t.Errorf("scan %q, want the code without the stale bytes", got.Code)
	}
	if st := sc.Stats(); st.Noise != 1 {
		t.Errorf("noise = %d, want 1", st.Noise)
	}
}

func TestScannerDebounce(t *testing.T) {
	master, name := newPTY(t)
	cfg := config(name) // the default window, 300 ms
	sc := open(t, cfg)
	waitStatus(t, sc, devices.Connected)

	// The same code twice at once counts once, in one write or two.
	write(t, master, "3017620422003\r3017620422003\r")
	write(t, master, "3017620422003\r")
	if got := nextScan(t, sc); got.Code != "3017620422003" {
		t.Errorf("scan %q", got.Code)
	}
	noScan(t, sc, 100*time.Millisecond)
	// After the window, it counts again.
	time.Sleep(devices.DefaultDebounce)
	write(t, master, "3017620422003\r")
	if got := nextScan(t, sc); got.Code != "3017620422003" {
		t.Errorf("scan %q", got.Code)
	}
	// Another code in between ends the window: A B A is three scans.
	write(t, master, "A\rB\rA\r")
	for _, want := range []string{"A", "B", "A"} {
		if got := nextScan(t, sc); got.Code != want {
			t.Errorf("scan %q, want %q", got.Code, want)
		}
	}
	if st := sc.Stats(); st.Scans != 5 || st.Debounced != 2 {
		t.Errorf("stats %+v, want 5 scans and 2 debounced", st)
	}
}

// TestScannerSlowUI checks that a UI that does not read makes the scanner drop new scans, not
// wait, and that what it kept is in order.
func TestScannerSlowUI(t *testing.T) {
	master, name := newPTY(t)
	cfg := config(name)
	cfg.Debounce = devices.NoDebounce
	sc := open(t, cfg)
	waitStatus(t, sc, devices.Connected)

	var b strings.Builder
	for i := range 70 {
		fmt.Fprintf(&b, "%d\r", i)
	}
	write(t, master, b.String())
	deadline := time.Now().Add(wait)
	for st := sc.Stats(); st.Scans+st.Dropped < 70; st = sc.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v after %v", st, wait)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := sc.Stats(); st.Scans != 64 || st.Dropped != 6 {
		t.Errorf("stats %+v, want 64 scans and 6 dropped", st)
	}
	for i := range 64 {
		if got := nextScan(t, sc); got.Code != fmt.Sprint(i) {
			t.Fatalf("scan %q, want %d", got.Code, i)
		}
	}
	write(t, master, "after\r")
	if got := nextScan(t, sc); got.Code != "after" {
		t.Errorf("scan %q", got.Code)
	}
}

// TestScannerReconnect pulls the cable (closes the pty master), then plugs a new scanner in at the
// same path (a symlink re-pointed at a new pty, as udev does with /dev/serial/by-id).
func TestScannerReconnect(t *testing.T) {
	before := runtime.NumGoroutine()
	link := filepath.Join(t.TempDir(), "scanner")
	m1, n1 := newPTY(t)
	// The second scanner's pty is made now, while the first is open, so that it cannot get the
	// first one's /dev/pts number.
	m2, n2 := newPTY(t)
	if err := os.Symlink(n1, link); err != nil {
		t.Fatal(err)
	}
	sc := open(t, config(link))
	waitStatus(t, sc, devices.Connected)
	write(t, m1, "111\r")
	if got := nextScan(t, sc); got.Code != "111" {
		t.Errorf("scan %q", got.Code)
	}

	write(t, m1, "22") // half a code when the cable goes
	time.Sleep(20 * time.Millisecond)
	// The link goes before the pty it names: the scanner keeps the port it opened, and once the
	// pty is closed its /dev/pts number is free for any process on the machine (other packages'
	// tests make ptys too); a link left naming it could reconnect the scanner to a stranger's.
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	m1.Close()
	st, seen := waitStatus(t, sc, devices.Disconnected)
	if len(seen) != 0 {
		t.Errorf("statuses before Disconnected: %v", seen)
	}
	if c := code(t, st.Err); c != comptoir.CodeScannerUnplugged {
		t.Errorf("Disconnected with %v (%v)", c, st.Err)
	}
	if !strings.Contains(st.Err.Error(), link) {
		t.Errorf("the error does not name the port: %v", st.Err)
	}
	// Leave it time to fail to reopen several times: that must not be reported again.
	time.Sleep(300 * time.Millisecond)

	if err := os.Symlink(n2, link); err != nil {
		t.Fatal(err)
	}
	st, seen = waitStatus(t, sc, devices.Connected)
	if len(seen) != 0 || st.Err != nil {
		t.Errorf("statuses before Connected: %v; Connected with %v", seen, st.Err)
	}
	write(t, m2, "]E04006381333931\r")
	if got := nextScan(t, sc); got.Code != "4006381333931" || got.Symbology != devices.SymEAN13 {
		t.Errorf("scan %+v after reconnecting", got)
	}
	// Whether the half code was read before the hang-up depends on the scheduler (on a loaded
	// machine it may still sit in the pty when the cable goes): it is dropped as noise or never
	// read, but it never comes out as a scan, which the two scans above prove.
	if st := sc.Stats(); st.Reconnects != 1 || st.Scans != 2 || st.Noise > 1 {
		t.Errorf("stats %+v, want 1 reconnect, 2 scans, the half code as noise at most", st)
	}
	closeQuickly(t, sc)
	noLeak(t, before)
}

// TestScannerStartsUnplugged checks the choice made for a scanner missing at start: Open succeeds,
// says Disconnected, and the scanner is found when it is plugged in.
func TestScannerStartsUnplugged(t *testing.T) {
	link := filepath.Join(t.TempDir(), "scanner")
	sc := open(t, config(link))
	st, _ := waitStatus(t, sc, devices.Disconnected)
	if c := code(t, st.Err); c != comptoir.CodeScannerUnplugged {
		t.Errorf("Disconnected with %v", st.Err)
	}
	if !errors.Is(st.Err, os.ErrNotExist) {
		t.Errorf("the cause is lost: %v", st.Err)
	}
	time.Sleep(100 * time.Millisecond)

	master, name := newPTY(t)
	if err := os.Symlink(name, link); err != nil {
		t.Fatal(err)
	}
	if _, seen := waitStatus(t, sc, devices.Connected); len(seen) != 0 {
		t.Errorf("statuses before Connected: %v", seen)
	}
	write(t, master, "12345670\r")
	if got := nextScan(t, sc); got.Code != "12345670" {
		t.Errorf("scan %q", got.Code)
	}
	if st := sc.Stats(); st.Reconnects != 0 {
		t.Errorf("a first connection counted as a reconnect: %+v", st)
	}
}

// TestScannerNotASerialPort checks that a path that is no serial port is an Error, retried.
func TestScannerNotASerialPort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sc := open(t, config(path))
	st, _ := waitStatus(t, sc, devices.Error)
	if c := code(t, st.Err); c != comptoir.CodeScannerFailed {
		t.Errorf("Error with %v", st.Err)
	}
	closeQuickly(t, sc)
}

func TestScannerCloseConnected(t *testing.T) {
	before := runtime.NumGoroutine()
	master, name := newPTY(t)
	sc := open(t, config(name))
	waitStatus(t, sc, devices.Connected)
	write(t, master, "1\r")
	nextScan(t, sc)
	time.Sleep(30 * time.Millisecond) // a read is pending in the kernel
	closeQuickly(t, sc)
	noLeak(t, before)
}

func TestScannerCloseDisconnected(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := config(filepath.Join(t.TempDir(), "missing"))
	cfg.MinBackoff, cfg.MaxBackoff = 2*time.Second, 2*time.Second // Close comes during a backoff
	sc := open(t, cfg)
	waitStatus(t, sc, devices.Disconnected)
	closeQuickly(t, sc)
	noLeak(t, before)
}

func TestScannerCloseHungUp(t *testing.T) {
	before := runtime.NumGoroutine()
	master, name := newPTY(t)
	// Through a link removed before the pty closes, as in TestScannerReconnect: the freed
	// /dev/pts number may go to another process's pty, which the scanner must not open.
	link := filepath.Join(t.TempDir(), "scanner")
	if err := os.Symlink(name, link); err != nil {
		t.Fatal(err)
	}
	sc := open(t, config(link))
	waitStatus(t, sc, devices.Connected)
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	master.Close()
	waitStatus(t, sc, devices.Disconnected)
	closeQuickly(t, sc)
	noLeak(t, before)
}

// TestScannerConfig checks that a configuration that can never work fails Open, with a refusal
// naming the setting, and that zero fields take their defaults.
func TestScannerConfig(t *testing.T) {
	bad := map[string]devices.Config{
		"port":            {},
		"baud":            {Port: "/dev/null", Baud: 9601},
		"data bits":       {Port: "/dev/null", DataBits: 9},
		"parity":          {Port: "/dev/null", Parity: 'X'},
		"stop bits":       {Port: "/dev/null", StopBits: 3},
		"read timeout":    {Port: "/dev/null", ReadTimeout: time.Second},
		"max length":      {Port: "/dev/null", MaxLen: -1},
		"min backoff":     {Port: "/dev/null", MinBackoff: -1},
		"max backoff":     {Port: "/dev/null", MinBackoff: time.Second, MaxBackoff: time.Millisecond},
		"partial timeout": {Port: "/dev/null", PartialTimeout: -1},
	}
	for field, cfg := range bad {
		sc, err := devices.Open(cfg)
		if err == nil {
			sc.Close()
			t.Errorf("%s: Open(%+v) succeeded", field, cfg)
			continue
		}
		if c := code(t, err); c != comptoir.CodeScannerConfig || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}

	master, name := newPTY(t)
	for _, cfg := range []devices.Config{
		{Port: name},
		{Port: name, Baud: 19200, DataBits: 7, Parity: 'E', StopBits: 2, ReadTimeout: 50 * time.Millisecond},
		{Port: name, Baud: 115200, Parity: 'O', ReadTimeout: devices.MaxReadTimeout},
	} {
		sc := open(t, cfg)
		waitStatus(t, sc, devices.Connected)
		write(t, master, "42\r")
		if got := nextScan(t, sc); got.Code != "42" {
			t.Errorf("%+v: scan %q", cfg, got.Code)
		}
		closeQuickly(t, sc)
	}
}

func TestStatusKindString(t *testing.T) {
	got := []string{devices.Connected.String(), devices.Disconnected.String(), devices.Error.String(), devices.StatusKind(0).String()}
	if want := []string{"connected", "disconnected", "error", "StatusKind(0)"}; !slices.Equal(got, want) {
		t.Errorf("%q", got)
	}
}

// BenchmarkScanLatency measures the time from the bytes written on the pty master to the Scan on
// the channel. The goal is under 1 ms median: a cashier must never wait on the register, and the
// scanner's own decode takes tens of milliseconds anyway. A pty has no line speed; at 9600 baud a
// real 15-byte frame adds about 16 ms on the wire, which no software can remove.
func BenchmarkScanLatency(b *testing.B) {
	master, name := newPTY(b)
	cfg := config(name)
	cfg.Debounce = devices.NoDebounce
	sc := open(b, cfg)
	waitStatus(b, sc, devices.Connected)

	var lat []time.Duration
	i := 0
	for b.Loop() {
		frame := []byte(fmt.Sprintf("%013d\r\n", i)) // distinct codes
		i++
		start := time.Now()
		if _, err := master.Write(frame); err != nil {
			b.Fatal(err)
		}
		select {
		case <-sc.Scans():
		case <-time.After(wait):
			b.Fatal("no scan")
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	b.ReportMetric(us(lat[len(lat)/2]), "median-µs")
	b.ReportMetric(us(lat[len(lat)*99/100]), "p99-µs")
}

// TestScannerLateReads sends a code in two parts with a pause longer than the partial timeout
// but no silent read between them, as when the reader goroutine was kept from running on a
// loaded machine: the code must arrive whole, never its end alone.
func TestScannerLateReads(t *testing.T) {
	master, name := newPTY(t)
	cfg := config(name)
	cfg.PartialTimeout = 50 * time.Millisecond
	cfg.ReadTimeout = 200 * time.Millisecond
	sc := open(t, cfg)
	waitStatus(t, sc, devices.Connected)
	// With a read timeout longer than the partial timeout, a pause shorter than the read
	// timeout gives no silent read in between.
	write(t, master, "]E030176")
	time.Sleep(80 * time.Millisecond)
	write(t, master, "20422003\r")
	if got := nextScan(t, sc); got.Code != "3017620422003" {
		t.Errorf("scan %q, want the whole code", got.Code)
	}
}
