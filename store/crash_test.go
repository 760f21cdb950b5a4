//go:build unix

package store_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// The crash test runs this test binary again as a child that records tickets until it is killed.
const (
	// crashChildEnv holds the database path; when it is set, TestCrashChild is the child.
	crashChildEnv = "COMPTOIR_CRASH_CHILD"
	// crashSeedEnv seeds the child's choices, and the parent's when set, to replay a run.
	crashSeedEnv = "COMPTOIR_CRASH_SEED"
	// crashRebuildEnv holds the database path; when it is set, TestCrashRebuildChild is the child.
	crashRebuildEnv = "COMPTOIR_CRASH_REBUILD_CHILD"
)

// crashStart is the child's first business day: a few days before a month ends, so that the
// children close days and a month as well as record tickets.
var crashStart = time.Date(2026, 1, 29, 9, 0, 0, 0, time.UTC)

// TestCrashChild is the child process of TestStore_CrashSafety. It records tickets forever,
// writing "committed <number> <hash>" on stdout after each commit and "closed <period> <number>
// <hash>" after each closing, until the parent kills it. Run on its own it is skipped.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("the child of TestStore_CrashSafety; runs only when " + crashChildEnv + " is set")
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	if err := crashChild(path, seed); err != nil {
		fmt.Fprintf(os.Stderr, "crash child: %v\n", err)
		os.Exit(3)
	}
}

func crashChild(path string, seed uint64) error {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0xc0ffee))
	clk := newClock(crashStart)
	s, err := store.Open(path, store.Options{Timeout: 5 * time.Second, Now: clk.Now, Location: time.UTC})
	if err != nil {
		return err
	}
	products := []comptoir.Product{pomme, vin, repas, journal}
	for _, p := range products {
		_, err := s.Product(ctx, p.GTIN)
		if errors.Is(err, comptoir.ErrUnknownProduct) {
			if _, err := s.ImportProducts(ctx, products); err != nil {
				return err
			}
			break
		}
		if err != nil {
			return err
		}
	}
	closed := func(period string) (bool, error) {
		_, ok, err := s.Closing(ctx, period)
		return ok, err
	}
	closePeriod := func(period string) error {
		c, err := s.ClosePeriod(ctx, period)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(os.Stdout, "closed %s %d %s\n", c.Period, c.Number, c.Hash)
		return err
	}

	// Carry on from the last ticket's day, or the day after it if that day was closed.
	last, err := s.LastTicket(ctx)
	if err != nil {
		return err
	}
	day := crashStart
	if last > 0 {
		sale, err := s.Sale(ctx, last)
		if err != nil {
			return err
		}
		if day, err = comptoir.ParseDay(sale.Day); err != nil {
			return err
		}
	}
	for {
		ok, err := closed(day.Format("2006-01-02"))
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		day = day.AddDate(0, 0, 1)
	}
	clk.Set(day.Add(9 * time.Hour))
	// A kill may have struck between a month's last day closing and the month closing.
	if prev := day.AddDate(0, 0, -1); prev.Month() != day.Month() && last > 0 {
		month := prev.Format("2006-01")
		ok, err := closed(month)
		if err != nil {
			return err
		}
		if !ok {
			if err := closePeriod(month); err != nil {
				return err
			}
		}
	}

	perDay, onDay := 20+rng.IntN(40), 0
	for {
		if onDay == perDay {
			// The day is over: move the clock on, then close the day (and its month).
			prev := day
			day = day.AddDate(0, 0, 1)
			clk.Set(day.Add(9 * time.Hour))
			if err := closePeriod(prev.Format("2006-01-02")); err != nil {
				return err
			}
			if prev.Month() != day.Month() {
				if err := closePeriod(prev.Format("2006-01")); err != nil {
					return err
				}
			}
			perDay, onDay = 20+rng.IntN(40), 0
		}
		d, err := crashDraft(ctx, s, rng, products, last)
		if err != nil {
			return err
		}
		sale, err := s.RecordSale(ctx, d)
		if errors.Is(err, comptoir.ErrRefundExceeds) {
			continue // That ticket was refunded already.
		}
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(os.Stdout, "committed %d %s\n", sale.Number, sale.Hash); err != nil {
			return err
		}
		last = sale.Number
		onDay++
	}
}

// crashDraft makes the child's next ticket: mostly sales of 1 to 10 lines paid by card or in
// cash with change, some training tickets, and some refunds of one unit of an earlier ticket.
func crashDraft(ctx context.Context, s *store.Store, rng *rand.Rand, products []comptoir.Product, last uint64) (comptoir.SaleDraft, error) {
	r := rng.IntN(100)
	if r < 15 && last > 0 {
		orig, err := s.Sale(ctx, 1+rng.Uint64N(last))
		if err != nil {
			return comptoir.SaleDraft{}, err
		}
		if !orig.IsRefund() {
			l := orig.Lines[rng.IntN(len(orig.Lines))]
			l.Qty, l.Total = -1, -l.UnitPrice
			return comptoir.SaleDraft{Cashier: "Crash", Lines: []comptoir.Line{l}, RefundOf: orig.Number,
				Training: orig.Training, Payments: []comptoir.Payment{pay(comptoir.Cash, -l.UnitPrice)}}, nil
		}
	}
	lines := make([]comptoir.Line, 1+rng.IntN(10))
	for i := range lines {
		lines[i] = line(products[rng.IntN(len(products))], 1+rng.Int64N(3))
	}
	d := byCard(lines...)
	d.Cashier = "Crash"
	if rng.IntN(2) == 0 {
		// Cash, rounded up to the next ten euros.
		d.Payments = []comptoir.Payment{pay(comptoir.Cash, (linesTotal(lines)/1000+1)*1000)}
	}
	d.Training = r >= 15 && r < 25
	return d, nil
}

// committedClosing is what a child reported about a closing.
type committedClosing struct {
	number uint64
	hash   string
}

// TestStore_CrashSafety kills a process that records tickets at random moments, again and
// again on the same file, and checks after each kill that every commit it reported survived,
// that the journal verifies and that the outbox holds exactly one event per record.
func TestStore_CrashSafety(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("this is the child process")
	}
	crashRuns(t, "TestCrashChild", crashChildEnv, 120, true)
}

// TestStore_CrashSafetyRebuild kills a process that rebuilds the whole file again and again (each
// rebuild records a ticket in the copy, as demo-data fills one): after each kill the file at the
// path is the old one or the new one, complete, with every ticket reported committed.
func TestStore_CrashSafetyRebuild(t *testing.T) {
	if os.Getenv(crashRebuildEnv) != "" {
		t.Skip("this is the child process")
	}
	crashRuns(t, "TestCrashRebuildChild", crashRebuildEnv, 12, false)
}

// TestCrashRebuildChild is the child process of TestStore_CrashSafetyRebuild. It records each
// ticket through a rebuild of the file, writing "committed <number> <hash>" once the rebuilt file
// is in place, until the parent kills it. Run on its own it is skipped.
func TestCrashRebuildChild(t *testing.T) {
	path := os.Getenv(crashRebuildEnv)
	if path == "" {
		t.Skip("the child of TestStore_CrashSafetyRebuild; runs only when " + crashRebuildEnv + " is set")
	}
	if err := crashRebuildChild(path); err != nil {
		fmt.Fprintf(os.Stderr, "crash child: %v\n", err)
		os.Exit(3)
	}
}

func crashRebuildChild(path string) error {
	ctx := context.Background()
	s, err := store.Open(path, store.Options{Timeout: 5 * time.Second, Now: newClock(crashStart).Now, Location: time.UTC})
	if err != nil {
		return err
	}
	if _, err := s.ImportProducts(ctx, []comptoir.Product{pomme, vin}); err != nil {
		return err
	}
	for {
		var sale comptoir.Sale
		err := s.Rebuild(func(next *store.Store) error {
			var err error
			sale, err = next.RecordSale(ctx, byCard(line(pomme, 1), line(vin, 1)))
			return err
		})
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(os.Stdout, "committed %d %s\n", sale.Number, sale.Hash); err != nil {
			return err
		}
	}
}

// crashRuns runs a child test again and again on one file, killing it each time after a number
// of its reports, and checks the file after each kill. The kill comes after reports, never after
// a time: on a loaded machine a child may commit little in a given time, and a test that counted
// on time saw no closing at all. With wantClosings, one run in five waits for a closing before
// it counts, so that days and a month are closed whatever the machine's load.
func crashRuns(t *testing.T, child, env string, maxReports int, wantClosings bool) {
	t.Helper()
	runs := 50
	if testing.Short() {
		runs = 10
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(crashSeedEnv); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, v, err)
		}
	}
	t.Logf("seed %d (set %s to replay)", seed, crashSeedEnv)
	rng := rand.New(rand.NewPCG(seed, 0))
	path := filepath.Join(t.TempDir(), "crash.db")

	tickets := map[uint64]string{}
	closings := map[string]committedClosing{}
	for run := range runs {
		reports := 1 + rng.IntN(maxReports)
		waitClosing := wantClosings && run%5 == 2
		lines := runCrashChild(t, child, env, path, seed+uint64(run), reports, waitClosing)
		for _, l := range lines {
			f := strings.Fields(l)
			switch {
			case len(f) == 3 && f[0] == "committed":
				n, err := strconv.ParseUint(f[1], 10, 64)
				if err != nil {
					t.Fatalf("run %d: child line %q: %v", run, l, err)
				}
				if h, ok := tickets[n]; ok {
					t.Fatalf("run %d: ticket %d reported committed twice (hashes %s, %s)", run, n, h, f[2])
				}
				tickets[n] = f[2]
			case len(f) == 4 && f[0] == "closed":
				n, err := strconv.ParseUint(f[2], 10, 64)
				if err != nil {
					t.Fatalf("run %d: child line %q: %v", run, l, err)
				}
				closings[f[1]] = committedClosing{number: n, hash: f[3]}
			default:
				t.Fatalf("run %d: unexpected child output %q", run, l)
			}
		}
		checkAfterCrash(t, run, path, tickets, closings)
		if t.Failed() {
			t.Fatalf("run %d (child seed %d, killed after %d reports) failed", run, seed+uint64(run), reports)
		}
	}
	t.Logf("%d kills: %d tickets and %d closings reported committed", runs, len(tickets), len(closings))
	if wantClosings && len(closings) == 0 {
		t.Errorf("no closing was made: the children should close days as they go")
	}
}

// runCrashChild starts the child test on path, kills it with SIGKILL once it has reported
// reports commits (and a closing, with waitClosing), and returns every line it wrote. Waiting on
// what the child reports rather than on a clock keeps the test the same on a loaded machine; the
// kill still lands at a random point of the child's work, which goes on while the parent reads.
// The child is always killed and reaped, even when the test fails; should the test binary itself
// die (a panic, a -timeout), the child's next write to its closed stdout pipe ends it with
// SIGPIPE, so no child outlives the test for more than a commit.
func runCrashChild(t *testing.T, child, env, path string, seed uint64, reports int, waitClosing bool) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$")
	cmd.Env = append(os.Environ(), env+"="+path, crashSeedEnv+"="+strconv.FormatUint(seed, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("StdoutPipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child: %v", err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	reaped := false
	reap := func() error {
		_ = cmd.Process.Kill()
		for range lines {
		}
		reaped = true
		return cmd.Wait()
	}
	defer func() {
		if !reaped {
			_ = reap()
		}
	}()

	// The wait is for reports, not for time, so a loaded machine only makes it slower; the
	// deadline is far beyond any slow run and only turns a hung child into a clear failure
	// instead of the whole test binary's timeout.
	deadline := time.After(3 * time.Minute)
	var got []string
	closed := false
	for len(got) < reports || (waitClosing && !closed) {
		var l string
		var ok bool
		select {
		case l, ok = <-lines:
		case <-deadline:
			err := reap()
			t.Fatalf("the child made %d reports in 3 minutes, waiting for %d: %v\nstderr:\n%s", len(got), reports, err, stderr.Bytes())
		}
		if !ok {
			err := reap()
			t.Fatalf("the child ended by itself after %d reports: %v\nstderr:\n%s", len(got), err, stderr.Bytes())
		}
		got = append(got, l)
		closed = closed || strings.HasPrefix(l, "closed ")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("killing the child: %v", err)
	}
	// Lines written before the kill are commits too: read until the pipe closes.
	for l := range lines {
		got = append(got, l)
	}
	reaped = true
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed by SIGKILL: %v\nstderr:\n%s", err, stderr.Bytes())
	}
	return got
}

// checkAfterCrash reopens the file after a kill and checks it against what the children
// reported committed.
func checkAfterCrash(t *testing.T, run int, path string, tickets map[uint64]string, closings map[string]committedClosing) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(path, store.Options{Timeout: 5 * time.Second, Now: newClock(crashStart).Now, Location: time.UTC})
	if err != nil {
		t.Fatalf("run %d: reopening after the kill: %v", run, err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("run %d: Close: %v", run, err)
		}
		checkFile(t, path)
	}()

	last := mustLastTicket(t, s)
	var highest uint64
	for n := range tickets {
		highest = max(highest, n)
	}
	if last < highest {
		t.Errorf("run %d: LastTicket = %d, want at least %d (reported committed)", run, last, highest)
	}
	hashes := make([]string, last+1)
	for n := uint64(1); n <= last; n++ {
		hashes[n] = mustSale(t, s, n).Hash
	}
	for n, h := range tickets {
		if n > last {
			continue // Reported above.
		}
		if hashes[n] != h {
			t.Errorf("run %d: ticket %d hash = %s, want the committed %s", run, n, hashes[n], h)
		}
	}
	for period, want := range closings {
		c, ok, err := s.Closing(ctx, period)
		if err != nil || !ok {
			t.Errorf("run %d: Closing(%s) = ok %v, err %v, want the committed closing %d", run, period, ok, err, want.number)
			continue
		}
		if c.Number != want.number || c.Hash != want.hash {
			t.Errorf("run %d: Closing(%s) = no. %d %s, want no. %d %s", run, period, c.Number, c.Hash, want.number, want.hash)
		}
	}

	rep := mustVerify(t, s)
	if rep.Broken != nil {
		t.Errorf("run %d: Verify: %v (at %+v)", run, rep.Broken, rep.At)
	}
	if got, want := rep.Tickets, int64(last); got != want {
		t.Errorf("run %d: Verify counted %d tickets, want %d", run, got, want)
	}

	// The outbox holds one event per journal record, in journal order.
	var sales, closingEvents uint64
	var prevSeq uint64
	ids := map[string]bool{}
	for _, ev := range mustOutbox(t, s) {
		if ev.Seq <= prevSeq {
			t.Errorf("run %d: outbox seq %d after %d", run, ev.Seq, prevSeq)
		}
		prevSeq = ev.Seq
		if ids[ev.ID] {
			t.Errorf("run %d: outbox event ID %s twice", run, ev.ID)
		}
		ids[ev.ID] = true
		var p struct {
			Register string          `json:"register"`
			Hash     string          `json:"hash"`
			Record   json.RawMessage `json:"record"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatalf("run %d: outbox event %d payload: %v", run, ev.Seq, err)
		}
		if sum := sha256.Sum256(p.Record); hex.EncodeToString(sum[:]) != p.Hash {
			t.Errorf("run %d: outbox event %d: payload hash %s does not hash its record", run, ev.Seq, p.Hash)
		}
		switch ev.Type {
		case comptoir.EventSaleRecorded:
			sales++
			var sale comptoir.Sale
			if err := json.Unmarshal(p.Record, &sale); err != nil {
				t.Fatalf("run %d: outbox event %d record: %v", run, ev.Seq, err)
			}
			if sale.Number != sales {
				t.Errorf("run %d: sale event %d is for ticket %d, want %d", run, ev.Seq, sale.Number, sales)
			} else if sales > last || p.Hash != hashes[sales] {
				t.Errorf("run %d: sale event for ticket %d has hash %s, want the journal's", run, sales, p.Hash)
			}
		case comptoir.EventClosingRecorded:
			closingEvents++
			var c comptoir.Closing
			if err := json.Unmarshal(p.Record, &c); err != nil {
				t.Fatalf("run %d: outbox event %d record: %v", run, ev.Seq, err)
			}
			if c.Number != closingEvents {
				t.Errorf("run %d: closing event %d is for closing %d, want %d", run, ev.Seq, c.Number, closingEvents)
			}
			if got, ok, err := s.Closing(ctx, c.Period); err != nil || !ok || got.Hash != p.Hash {
				t.Errorf("run %d: closing event for %s has hash %s, want the journal's %s", run, c.Period, p.Hash, got.Hash)
			}
		case "key.recorded", "technical.recorded":
			// The register's first signing key, declared with its first record, and the
			// technical event of the catalogue's import.
		default:
			t.Errorf("run %d: unexpected outbox event type %q", run, ev.Type)
		}
	}
	if sales != last {
		t.Errorf("run %d: %d sale.recorded events, want %d", run, sales, last)
	}
	if got, want := int64(closingEvents), rep.Closings; got != want {
		t.Errorf("run %d: %d closing.recorded events, want %d", run, got, want)
	}
}
