package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/creack/pty"
)

func TestScanKind(t *testing.T) {
	tests := []struct {
		code  string
		kind  comptoir.ScanKind
		valid bool
	}{
		{"3017620422003", comptoir.ScanProduct, true},
		{"96385074", comptoir.ScanProduct, true},
		{"036000291452", comptoir.ScanProduct, true},
		{"0400000000015", comptoir.ScanCard, true},
		// A GTIN-shaped code that fails its check is neither a product nor a card: the old code
		// called these "product" and "card".
		{"3017620422004", comptoir.ScanInvalid, false},
		{"0400000000016", comptoir.ScanInvalid, false},
		{"0000000000000", comptoir.ScanInvalid, false},
		{"400000000008", comptoir.ScanInvalid, false}, // a card read as a UPC-A
		{"HELLO-123", comptoir.ScanOther, false},
		{"30176204220O3", comptoir.ScanOther, false},
		{"123", comptoir.ScanOther, false},
	}
	for _, tt := range tests {
		kind, valid, err := scanKind(tt.code)
		if kind != tt.kind || valid != tt.valid {
			t.Errorf("scanKind(%q) = %s, %v; want %s, %v", tt.code, kind, valid, tt.kind, tt.valid)
		}
		if (err != nil) != (tt.kind == comptoir.ScanInvalid) {
			t.Errorf("scanKind(%q) error = %v", tt.code, err)
		}
	}
}

// syncBuffer is a bytes.Buffer the command writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun_Scanner runs the scanner command on the slave side of a pseudo-terminal and scans
// codes through the master, as a serial scanner would send them.
func TestRun_Scanner(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--lang", "en", "scanner", "--port", slave.Name(), "--json"}, func(string) string { return "" },
			strings.NewReader(""), &out, &errOut)
	}()
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(out.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the output after 5 s:\n%s%s", what, out.String(), errOut.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(`"event":"connected"`)
	for _, code := range []string{"]E03017620422003\r\n", "0400000000016\r", "\x07\x01noise\r"} {
		if _, err := master.Write([]byte(code)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(`"code":"0400000000016"`)
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d: %s", code, errOut.String())
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the scanner command did not stop when interrupted")
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want connected and two scans (the noise dropped):\n%s", len(lines), out.String())
	}
	if l := lines[1]; l["code"] != "3017620422003" || l["symbology"] != "EAN-13" || l["kind"] != "product" || l["valid"] != true {
		t.Errorf("first scan = %v", l)
	}
	if l := lines[2]; l["kind"] != "invalid" || l["valid"] != false || !strings.Contains(fmt.Sprint(l["error"]), "check digit should be 5") {
		t.Errorf("second scan = %v, want a card number with a wrong check digit, invalid", l)
	}
}

func TestRun_Receipt(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "30", "--days", "1", "--seed", "3", "--start", "2026-04-02"); r.code != exitOK {
		t.Fatalf("demo-data: %s", r.stderr)
	}
	runCmd(t, nil, "", "--db", db, "settings", "set", "shop.name", "Épicerie du Coin")
	first := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "3", "--out", "-", "--text", "--width", "32")
	if first.code != exitOK || !strings.Contains(first.stdout, "Épicerie du Coin") || !strings.Contains(first.stdout, "Ticket n° 3") ||
		strings.Contains(first.stdout, "DUPLICATA") {
		t.Fatalf("first print: exit %d\n%s%s", first.code, first.stdout, first.stderr)
	}
	// demo-data filled this database: its receipts say so at the top and at the bottom.
	if got := strings.Count(first.stdout, "*** DÉMO — TICKET FICTIF ***"); got != 2 {
		t.Errorf("the receipt of a demo database carries the DÉMO mark %d times, want 2:\n%s", got, first.stdout)
	}
	for _, l := range strings.Split(first.stdout, "\n") {
		if n := len([]rune(l)); n > 32 {
			t.Errorf("line of %d columns on 58 mm paper: %q", n, l)
		}
	}
	// A preview on the screen, and a print that failed, do not count as the receipt.
	if again := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "3", "--out", "-", "--text"); strings.Contains(again.stdout, "DUPLICATA") {
		t.Errorf("a second preview is marked DUPLICATA:\n%s", again.stdout)
	}
	failed := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "3", "--out", filepath.Join(t.TempDir(), "no", "such", "dir"))
	if failed.code != exitFailed || !strings.Contains(failed.stderr, "écriture impossible") {
		t.Errorf("a print to an impossible file: exit %d, %q", failed.code, failed.stderr)
	}
	// A file is no print either: the receipt stays to be printed.
	file := filepath.Join(t.TempDir(), "ticket3.txt")
	if r := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "3", "--out", file, "--text"); r.code != exitOK {
		t.Fatalf("save to a file: %s", r.stderr)
	}
	if b, _ := os.ReadFile(file); strings.Contains(string(b), "DUPLICATA") || !strings.Contains(string(b), "Ticket n° 3") {
		t.Errorf("the saved receipt:\n%s", b)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the saved receipt's mode: %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if again := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "3", "--out", "-", "--text"); strings.Contains(again.stdout, "DUPLICATA") {
		t.Errorf("a receipt saved to a file counted as its print:\n%s", again.stdout)
	}
	escpos := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "3", "--out", "-")
	if !strings.HasPrefix(escpos.stdout, "\x1b@\x1bt\x10") || !strings.Contains(escpos.stdout, "\xc9picerie") {
		t.Errorf("ESC/POS output does not select code page 16 and encode É in Windows-1252: %q", escpos.stdout[:min(40, len(escpos.stdout))])
	}
	t.Run("to a serial printer", func(t *testing.T) {
		master, slave, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		defer master.Close()
		defer slave.Close()
		got := make(chan []byte)
		go func() {
			var all []byte
			buf := make([]byte, 4096)
			for !bytes.Contains(all, []byte{0x1d, 'V'}) {
				n, err := master.Read(buf)
				if err != nil {
					break
				}
				all = append(all, buf[:n]...)
			}
			got <- all
		}()
		r := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "5", "--printer", slave.Name(), "--baud", "19200")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		select {
		case b := <-got:
			if !bytes.HasPrefix(b, []byte("\x1b@\x1bt\x10")) || !bytes.Contains(b, []byte("Ticket n\xb0 5")) {
				t.Errorf("the printer received %q", b[:min(60, len(b))])
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the printer received nothing up to the cut")
		}
		// The pseudo-terminal is a character device: what it received is the receipt, and the
		// next print is a duplicate.
		if again := runCmd(t, nil, "", "--db", db, "receipt", "--ticket", "5", "--out", "-", "--text"); !strings.Contains(again.stdout, "DUPLICATA n° 2") {
			t.Errorf("a reprint after a print on the device is not marked DUPLICATA n° 2:\n%s", again.stdout)
		}
	})
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"receipt", "--out", "-"}, exitUsage, "receipt attend --ticket"},
		{[]string{"receipt", "--ticket", "3"}, exitUsage, "receipt attend --ticket"},
		{[]string{"receipt", "--ticket", "3", "--out", "-", "--printer", "/dev/null"}, exitUsage, "receipt attend --ticket"},
		{[]string{"receipt", "--ticket", "3", "--out", "-", "--width", "40"}, exitUsage, "--width attend 32"},
		{[]string{"receipt", "--ticket", "999", "--out", "-"}, exitFailed, "ticket 999 introuvable"},
	} {
		r := runCmd(t, nil, "", append([]string{"--db", db}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
}
