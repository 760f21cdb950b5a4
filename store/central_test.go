package store_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// mustOpenCentral opens a central database on a fixed clock and closes it when the test ends.
func mustOpenCentral(tb testing.TB, path string, noSync bool) *store.Central {
	tb.Helper()
	c, err := store.OpenCentral(path, store.CentralOptions{Now: newClock(day0.Add(48 * time.Hour)).Now, NoSync: noSync})
	if err != nil {
		tb.Fatalf("OpenCentral(%s): %v", path, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// centralPath is a fresh central file name in a temporary directory of the test.
func centralPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "central.db")
}

// registerWithSales records, on a real register, tickets of several lines, a training ticket, a
// refund and a day's closing, and returns the register's store and its outbox.
func registerWithSales(tb testing.TB, tickets int) (*store.Store, []comptoir.Event) {
	tb.Helper()
	clk := newClock(day0)
	s := mustOpen(tb, dbPath(tb), opts(clk))
	mustImport(tb, s, pomme, vin, repas, journal)
	products := []comptoir.Product{pomme, vin, repas, journal}
	for i := range tickets {
		d := byCard(line(products[i%4], int64(1+i%3)), line(products[(i+1)%4], 1))
		if i == 2 {
			d = training(d)
		}
		mustRecord(tb, s, d)
	}
	mustRecord(tb, s, refundOf(1, line(products[0], 1)))
	clk.Set(day0.Add(24 * time.Hour))
	mustClosePeriod(tb, s, day0.Format("2006-01-02"))
	mustRecord(tb, s, byCard(line(vin, 2)))
	return s, mustOutbox(tb, s)
}

// mustPush pushes a batch and fails the test on any error.
func mustPush(tb testing.TB, c *store.Central, register string, events []comptoir.Event) uint64 {
	tb.Helper()
	res, err := c.Push(context.Background(), register, events)
	if err != nil {
		tb.Fatalf("Push(%s, %d events from %d): %v", register, len(events), events[0].Seq, err)
	}
	return res.AckedSeq
}

// mustSummary reads a register's summary at the central.
func mustSummary(tb testing.TB, c *store.Central, register string) comptoir.RegisterSummary {
	tb.Helper()
	sum, err := c.Register(context.Background(), register)
	if err != nil {
		tb.Fatalf("Register(%s): %v", register, err)
	}
	return sum
}

// wantMatches fails unless the central's figures for a register are the register's own: every
// ticket but the training one, its perpetual grand total, an intact chain.
func wantMatches(tb testing.TB, got comptoir.RegisterSummary, s *store.Store, events []comptoir.Event) {
	tb.Helper()
	const trainingTickets = 1
	if want := mustLastTicket(tb, s) - trainingTickets; got.Tickets != want {
		tb.Errorf("Tickets = %d, want %d", got.Tickets, want)
	}
	if want := mustGrandTotal(tb, s); got.GrandTotal != want {
		tb.Errorf("GrandTotal = %d, want %d", got.GrandTotal, want)
	}
	if want := events[len(events)-1].Seq; got.AckedSeq != want {
		tb.Errorf("AckedSeq = %d, want %d", got.AckedSeq, want)
	}
	if !got.ChainOK || got.ChainBreak != "" {
		tb.Errorf("ChainOK, ChainBreak = %v, %q, want true, \"\"", got.ChainOK, got.ChainBreak)
	}
	if got.LastClosing != day0.Format("2006-01-02") {
		tb.Errorf("LastClosing = %q, want %q", got.LastClosing, day0.Format("2006-01-02"))
	}
	if got.Rejected != 0 || got.Conflicts != 0 {
		tb.Errorf("Rejected, Conflicts = %d, %d, want 0, 0", got.Rejected, got.Conflicts)
	}
}

// countEvents counts what the central file holds for a register, reading it with bbolt directly.
func countEvents(tb testing.TB, c *store.Central, register string) (events, conflicts int) {
	tb.Helper()
	if err := c.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
	editDB(tb, c.Path(), func(tx *bbolt.Tx) error {
		if b := tx.Bucket([]byte("events/" + register)); b != nil {
			events = b.Stats().KeyN
		}
		conflicts = tx.Bucket([]byte("conflicts")).Stats().KeyN
		return nil
	})
	return events, conflicts
}

func TestCentralPush_ExactlyOnce(t *testing.T) {
	s, events := registerWithSales(t, 12)
	c := mustOpenCentral(t, centralPath(t), false)
	want := events[len(events)-1].Seq
	if got := mustPush(t, c, "R1", events); got != want {
		t.Fatalf("first push acked %d, want %d", got, want)
	}
	first := mustSummary(t, c, "R1")
	wantMatches(t, first, s, events)
	if !first.LastSeen.Equal(day0.Add(48 * time.Hour)) {
		t.Errorf("LastSeen = %v, want the central's clock %v", first.LastSeen, day0.Add(48*time.Hour))
	}
	// The answer was lost: the register sends the same batch again, a part of it, and the same
	// batch after a JSON layer re-encoded it.
	indented, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var reencoded []comptoir.Event
	if err := json.Unmarshal(indented, &reencoded); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(reencoded[0].Payload, events[0].Payload) {
		t.Fatalf("the re-encoded payload is byte for byte the register's: the test tests nothing")
	}
	for _, batch := range [][]comptoir.Event{events, events[3:7], reencoded} {
		if got := mustPush(t, c, "R1", batch); got != want {
			t.Errorf("re-push acked %d, want %d", got, want)
		}
	}
	if again := mustSummary(t, c, "R1"); again != first {
		t.Errorf("summary after re-push = %+v, want unchanged %+v", again, first)
	}
	if n, _ := countEvents(t, c, "R1"); n != len(events) {
		t.Errorf("central holds %d events, want %d", n, len(events))
	}
	// What was acknowledged is on disk: a reopened central answers the same.
	c = mustOpenCentral(t, c.Path(), false)
	if got := mustPush(t, c, "R1", events); got != want {
		t.Errorf("push after reopening acked %d, want %d", got, want)
	}
	if again := mustSummary(t, c, "R1"); again != first {
		t.Errorf("summary after reopening = %+v, want %+v", again, first)
	}
}

func TestCentralPush_ReencodedChainIntact(t *testing.T) {
	s, events := registerWithSales(t, 5)
	c := mustOpenCentral(t, centralPath(t), true)
	// A JSON layer between the register and the central re-indents every payload: the records'
	// hashes are still checked against the bytes the register hashed.
	indented, err := json.MarshalIndent(events, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	var reencoded []comptoir.Event
	if err := json.Unmarshal(indented, &reencoded); err != nil {
		t.Fatal(err)
	}
	mustPush(t, c, "R1", reencoded)
	wantMatches(t, mustSummary(t, c, "R1"), s, events)
}

func TestCentralPush_GapRefused(t *testing.T) {
	_, events := registerWithSales(t, 5)
	c := mustOpenCentral(t, centralPath(t), true)
	ctx := context.Background()
	_, err := c.Push(ctx, "R1", events[2:])
	wantErr(t, err, comptoir.E(comptoir.CodeSeqGap))
	if got := errArgs(t, err); !slices.Equal(got, []any{uint64(1)}) {
		t.Errorf("gap args = %v, want [1]", got)
	}
	if _, err := c.Register(ctx, "R1"); err == nil {
		t.Errorf("a refused first push left a summary")
	}
	mustPush(t, c, "R1", events[:2])
	_, err = c.Push(ctx, "R1", events[3:])
	wantErr(t, err, comptoir.E(comptoir.CodeSeqGap))
	if got := errArgs(t, err); !slices.Equal(got, []any{uint64(3)}) {
		t.Errorf("gap args = %v, want [3]", got)
	}
	// A hole inside the batch refuses all of it, naming the missing number.
	holed := append(slices.Clone(events[2:4]), events[5:]...)
	_, err = c.Push(ctx, "R1", holed)
	wantErr(t, err, comptoir.E(comptoir.CodeSeqGap))
	if got := errArgs(t, err); !slices.Equal(got, []any{uint64(5)}) {
		t.Errorf("hole args = %v, want [5]", got)
	}
	if got := mustSummary(t, c, "R1").AckedSeq; got != 2 {
		t.Errorf("AckedSeq after refusals = %d, want 2", got)
	}
}

func TestCentralPush_ConflictRecordedNotOverwriting(t *testing.T) {
	s, events := registerWithSales(t, 5)
	c := mustOpenCentral(t, centralPath(t), false)
	ctx := context.Background()
	mustPush(t, c, "R1", events)
	before := mustSummary(t, c, "R1")

	for name, change := range map[string]func(e *comptoir.Event){
		"another id":      func(e *comptoir.Event) { e.ID = "another" },
		"another payload": func(e *comptoir.Event) { e.Payload = json.RawMessage(`{"other":true}`) },
	} {
		t.Run(name, func(t *testing.T) {
			other := slices.Clone(events[1:4])
			change(&other[1])
			res, err := c.Push(ctx, "R1", other)
			wantErr(t, err, comptoir.E(comptoir.CodeSeqConflict))
			if got := errArgs(t, err); !slices.Equal(got, []any{events[2].Seq}) {
				t.Errorf("conflict args = %v, want [%d]", got, events[2].Seq)
			}
			if res.AckedSeq != before.AckedSeq {
				t.Errorf("AckedSeq = %d, want %d", res.AckedSeq, before.AckedSeq)
			}
		})
	}
	after := mustSummary(t, c, "R1")
	if after.Conflicts != 2 {
		t.Errorf("Conflicts = %d, want 2", after.Conflicts)
	}
	after.Conflicts = 0
	if after != before {
		t.Errorf("summary after conflicts = %+v, want %+v but for the conflicts", after, before)
	}
	// What is stored is still the register's event: its replay is acknowledged.
	mustPush(t, c, "R1", events)
	wantMatches(t, func() comptoir.RegisterSummary { s := mustSummary(t, c, "R1"); s.Conflicts = 0; return s }(), s, events)

	n, conflicts := countEvents(t, c, "R1")
	if n != len(events) || conflicts != 2 {
		t.Errorf("central holds %d events and %d conflicts, want %d and 2", n, conflicts, len(events))
	}
	// Each conflict keeps both versions.
	editDB(t, c.Path(), func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("conflicts")).ForEach(func(_, v []byte) error {
			if !bytes.Contains(v, []byte(events[2].ID)) || !bytes.Contains(v, []byte(`"register":"R1"`)) {
				t.Errorf("conflict %s does not hold the stored event %s", v, events[2].ID)
			}
			if !bytes.Contains(v, []byte(`"another"`)) && !bytes.Contains(v, []byte(`{\"other\":true}`)) {
				t.Errorf("conflict %s does not hold the sent event", v)
			}
			return nil
		})
	})
}

func TestCentralPush_RejectedAcknowledged(t *testing.T) {
	s, events := registerWithSales(t, 4)
	c := mustOpenCentral(t, centralPath(t), true)
	base := events[len(events)-1].Seq
	next := events[len(events)-1].At
	bad := []comptoir.Event{
		{Seq: base + 1, ID: "x1", Type: "coupon.printed", At: next, Payload: json.RawMessage(`{}`)},
		{Seq: base + 2, ID: "x2", Type: comptoir.EventSaleRecorded, At: next, Payload: json.RawMessage(`{"register":"R1","hash":"00","record":"not a record"}`)},
		{Seq: base + 3, ID: "x3", Type: comptoir.EventCustomerConsent, At: next, Payload: json.RawMessage(`not json`)},
	}
	mustPush(t, c, "R1", events)
	if got := mustPush(t, c, "R1", bad); got != base+3 {
		t.Fatalf("acked %d, want %d: rejected events are acknowledged", got, base+3)
	}
	// A replay of rejected events is acknowledged as well, the unparsable one included.
	if got := mustPush(t, c, "R1", bad); got != base+3 {
		t.Errorf("replay acked %d, want %d", got, base+3)
	}
	sum := mustSummary(t, c, "R1")
	if sum.Rejected != 3 {
		t.Errorf("Rejected = %d, want 3", sum.Rejected)
	}
	sum.Rejected = 0
	wantMatches(t, sum, s, slices.Concat(events, bad))
}

func TestCentralPush_PartialReplay(t *testing.T) {
	s, events := registerWithSales(t, 20)
	c := mustOpenCentral(t, centralPath(t), true)
	half := len(events) / 2
	mustPush(t, c, "R1", events[:half])
	if got := mustSummary(t, c, "R1").AckedSeq; got != events[half-1].Seq {
		t.Fatalf("AckedSeq after the first half = %d, want %d", got, events[half-1].Seq)
	}
	mustPush(t, c, "R1", events)
	wantMatches(t, mustSummary(t, c, "R1"), s, events)
	if n, _ := countEvents(t, c, "R1"); n != len(events) {
		t.Errorf("central holds %d events, want %d", n, len(events))
	}
}

func TestCentralPush_Concurrent(t *testing.T) {
	s, events := registerWithSales(t, 60)
	c := mustOpenCentral(t, centralPath(t), true)
	// Every goroutine pushes the whole outbox in batches of 7, as a register retrying from
	// several connections would: each batch reaches the central after the one before it.
	const pushers = 4
	var wg sync.WaitGroup
	errs := make(chan error, pushers)
	for range pushers {
		wg.Go(func() {
			for i := 0; i < len(events); i += 7 {
				if _, err := c.Push(context.Background(), "R1", events[i:min(i+7, len(events))]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Push: %v", err)
	}
	wantMatches(t, mustSummary(t, c, "R1"), s, events)
	if n, _ := countEvents(t, c, "R1"); n != len(events) {
		t.Errorf("central holds %d events, want %d", n, len(events))
	}
}

func TestCentralPush_ChainBreak(t *testing.T) {
	rehash := func(p map[string]json.RawMessage) {
		p["hash"] = json.RawMessage(fmt.Sprintf("%q", sha256Hex(p["record"])))
	}
	for _, tc := range []struct {
		name      string
		ticket    uint64 // the number of the ticket altered; 0 for the closing
		alter     func(tb testing.TB, p map[string]json.RawMessage)
		wantBreak string
		// wantPushed is the break the push names, before the auditor checks the signatures,
		// when it is not wantBreak.
		wantPushed string
	}{
		{"number skipped", 4, func(tb testing.TB, p map[string]json.RawMessage) {
			p["record"] = replaceOnce(tb, p["record"], `"number":4`, `"number":5`)
			rehash(p)
		}, "ticket 5", ""},
		{"closing altered", 0, func(tb testing.TB, p map[string]json.RawMessage) {
			p["record"] = replaceOnce(tb, p["record"], `"period":"2026-03-10"`, `"period":"2026-03-11"`)
		}, "closing 1", ""},
		{"total altered", 4, func(tb testing.TB, p map[string]json.RawMessage) {
			p["record"] = replaceOnce(tb, p["record"], `"total":`, `"total":1`)
		}, "ticket 4", ""},
		{"cashier altered", 4, func(tb testing.TB, p map[string]json.RawMessage) {
			p["record"] = replaceOnce(tb, p["record"], `"cashier":"Alice"`, `"cashier":"Alicia"`)
		}, "ticket 4", ""},
		// The record's hash holds, and the next ticket's link names the break when pushed; but
		// ticket 4's signature covers its hash, and no one without the key signs the new one:
		// the auditor, reaching it later, names it as the first break.
		{"record re-hashed", 4, func(tb testing.TB, p map[string]json.RawMessage) {
			p["record"] = replaceOnce(tb, p["record"], `"cashier":"Alice"`, `"cashier":"Mallory"`)
			rehash(p)
		}, "ticket 4 (signature)", "ticket 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, events := registerWithSales(t, 6)
			c := mustOpenCentral(t, centralPath(t), true)
			altered := slices.Clone(events)
			i := slices.IndexFunc(events, func(e comptoir.Event) bool { return e.Type == comptoir.EventClosingRecorded })
			if tc.ticket != 0 {
				i = ticketEvent(t, events, tc.ticket)
			}
			var p map[string]json.RawMessage
			if err := json.Unmarshal(altered[i].Payload, &p); err != nil {
				t.Fatalf("payload: %v", err)
			}
			tc.alter(t, p)
			altered[i].Payload, _ = json.Marshal(p)
			// The batch that breaks the chain names the break in its result, for the log.
			res, err := c.Push(context.Background(), "R1", altered[:len(altered)-1])
			if err != nil {
				t.Fatal(err)
			}
			wantPushed := cmp.Or(tc.wantPushed, tc.wantBreak)
			if res.ChainBreak != wantPushed {
				t.Errorf("PushResult.ChainBreak = %q, want %q", res.ChainBreak, wantPushed)
			}
			// A later batch of a chain already broken does not say it again.
			if res, err := c.Push(context.Background(), "R1", altered[len(altered)-1:]); err != nil || res.ChainBreak != "" {
				t.Errorf("the next batch: ChainBreak %q, err %v, want none", res.ChainBreak, err)
			}
			sum := audited(t, c, "R1")
			if sum.ChainOK || sum.ChainBreak != tc.wantBreak {
				t.Errorf("ChainOK, ChainBreak = %v, %q, want false, %q", sum.ChainOK, sum.ChainBreak, tc.wantBreak)
			}
			if sum.AckedSeq != events[len(events)-1].Seq || sum.Rejected != 0 {
				t.Errorf("AckedSeq, Rejected = %d, %d, want %d, 0: a break is flagged, never refused", sum.AckedSeq, sum.Rejected, events[len(events)-1].Seq)
			}
		})
	}
}

// ticketEvent is the index in an outbox of the event of ticket n. The outbox starts with the
// register's key record, which its first ticket made first, so an index is found, not assumed.
func ticketEvent(tb testing.TB, events []comptoir.Event, n uint64) int {
	tb.Helper()
	for i, e := range events {
		if e.Type != comptoir.EventSaleRecorded {
			continue
		}
		var p struct {
			Record struct {
				Number uint64 `json:"number"`
			} `json:"record"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			tb.Fatalf("event %d: %v", e.Seq, err)
		}
		if p.Record.Number == n {
			return i
		}
	}
	tb.Fatalf("no event of ticket %d in the outbox", n)
	return -1
}

// replaceOnce replaces the first old in b by new, failing when b does not hold old.
func replaceOnce(tb testing.TB, b []byte, old, new string) json.RawMessage {
	tb.Helper()
	if !bytes.Contains(b, []byte(old)) {
		tb.Fatalf("%s does not hold %s", b, old)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

func TestCentralPush_OtherRegistersRecordsRejected(t *testing.T) {
	_, events := registerWithSales(t, 3)
	c := mustOpenCentral(t, centralPath(t), true)
	// R2 pushes R1's journal: R2 speaks only for itself, so none of it counts, and none of it
	// blocks R2's own events.
	mustPush(t, c, "R2", events)
	sum := mustSummary(t, c, "R2")
	if sum.Rejected != uint64(len(events)) || sum.Tickets != 0 || sum.GrandTotal != 0 {
		t.Errorf("R2's summary = %+v, want %d rejected, no ticket, no total", sum, len(events))
	}
	if _, err := c.Register(context.Background(), "R1"); err == nil {
		t.Errorf("R1 has a summary though it never pushed")
	}
}

func TestCentralPush_NamesRefused(t *testing.T) {
	_, events := registerWithSales(t, 1)
	c := mustOpenCentral(t, centralPath(t), true)
	ctx := context.Background()
	_, err := c.Push(ctx, comptoir.AdminName, events)
	wantErr(t, err, comptoir.E(comptoir.CodeReservedRegister))
	_, err = c.Register(ctx, comptoir.AdminName)
	wantErr(t, err, comptoir.E(comptoir.CodeReservedRegister))
	for _, name := range []string{"", "R 1", "../R1", "caisse/1"} {
		_, err := c.Push(ctx, name, events)
		wantErr(t, err, comptoir.E(comptoir.CodeInvalidRegister))
	}
	_, err = c.Register(ctx, "R2")
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownRegisterCentral))
}

func TestCentralPush_BatchChecks(t *testing.T) {
	_, events := registerWithSales(t, 3)
	c := mustOpenCentral(t, centralPath(t), true)
	ctx := context.Background()
	big := make([]comptoir.Event, comptoir.MaxBatchEvents+1)
	for i := range big {
		big[i] = comptoir.Event{Seq: uint64(i + 1), ID: fmt.Sprint(i), Type: "x", Payload: json.RawMessage(`{}`)}
	}
	_, err := c.Push(ctx, "R1", big)
	wantErr(t, err, comptoir.E(comptoir.CodeBatchTooManyEvents))

	swapped := slices.Clone(events[:3])
	swapped[1], swapped[2] = swapped[2], swapped[1]
	_, err = c.Push(ctx, "R1", swapped)
	wantErr(t, err, comptoir.E(comptoir.CodeBatchOrder))

	zero := slices.Clone(events[:1])
	zero[0].Seq = 0
	_, err = c.Push(ctx, "R1", zero)
	wantErr(t, err, comptoir.E(comptoir.CodeBatchOrder))

	// The central's flag raises the limit.
	roomy, err := store.OpenCentral(centralPath(t), store.CentralOptions{MaxBatchEvents: len(big), NoSync: true})
	if err != nil {
		t.Fatalf("OpenCentral: %v", err)
	}
	defer roomy.Close()
	if res, err := roomy.Push(ctx, "R1", big); err != nil || res.AckedSeq != uint64(len(big)) {
		t.Errorf("push of %d events with the limit raised = %v, %v, want %d, nil", len(big), res, err, len(big))
	}

	noID := slices.Clone(events[:2])
	noID[1].ID = ""
	_, err = c.Push(ctx, "R1", noID)
	wantErr(t, err, comptoir.E(comptoir.CodeEventWithoutID))

	if res, err := c.Push(ctx, "R1", nil); err != nil || res.AckedSeq != 0 {
		t.Errorf("empty push = %v, %v, want 0, nil", res, err)
	}
	if _, err := c.Register(ctx, "R1"); err == nil {
		t.Errorf("refused pushes left a summary")
	}
}

func TestOpenCentral_RefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "register.db")
	s, err := store.Open(reg, store.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustClose(t, s)
	_, err = store.OpenCentral(reg, store.CentralOptions{})
	wantErr(t, err, comptoir.E(comptoir.CodeRegisterDatabase))

	foreign := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(foreign, bytes.Repeat([]byte("not a database\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = store.OpenCentral(foreign, store.CentralOptions{})
	wantErr(t, err, comptoir.E(comptoir.CodeNotADatabase))

	// A central's file is not a register's either.
	central := filepath.Join(dir, "central.db")
	c, err := store.OpenCentral(central, store.CentralOptions{})
	if err != nil {
		t.Fatalf("OpenCentral: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err = store.Open(central, store.Options{})
	wantErr(t, err, comptoir.E(comptoir.CodeNotADatabase))

	_, err = store.OpenCentral(filepath.Join(dir, "missing.db"), store.CentralOptions{MustExist: true})
	wantErr(t, err, comptoir.E(comptoir.CodeDatabaseMissing))
}

// BenchmarkCentralPush pushes 100,000 sale events in batches of 1000 straight to the central's
// store, each batch one durable commit with every record's links checked and its signature left
// to the auditor: the floor the HTTP layer is measured against.
func BenchmarkCentralPush(b *testing.B) {
	const total, batch = 100_000, 1000
	events := registerOutbox(b, total)
	var bytesPerEvent int
	for _, e := range events {
		bytesPerEvent += len(e.Payload)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c, err := store.OpenCentral(filepath.Join(b.TempDir(), fmt.Sprintf("central%d.db", i)), store.CentralOptions{})
		if err != nil {
			b.Fatalf("OpenCentral: %v", err)
		}
		b.StartTimer()
		for j := 0; j < len(events); j += batch {
			if _, err := c.Push(context.Background(), "R1", events[j:min(j+batch, len(events))]); err != nil {
				b.Fatalf("Push: %v", err)
			}
		}
		b.StopTimer()
		if sum, err := c.Register(context.Background(), "R1"); err != nil || sum.Tickets != total || !sum.ChainOK ||
			sum.SignaturesPending != uint64(len(events)) {
			b.Fatalf("Register = %+v, %v, want %d tickets, chain intact, %d signatures pending", sum, err, total, len(events))
		}
		c.Close()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(bytesPerEvent)/float64(len(events)), "payload-bytes/event")
}

// sha256Hex is the hex SHA-256 of b, as a journal record's hash is written.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// registerOutbox records total one-line tickets in a register of its own and returns its outbox:
// the signing key's event, then one event a ticket.
func registerOutbox(b *testing.B, total int) []comptoir.Event {
	b.Helper()
	path := filepath.Join(b.TempDir(), "register.db")
	s, err := store.Open(path, store.Options{Now: newClock(day0).Now, Location: time.UTC, NoSync: true})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	buildTickets(b, s, total, 5000)
	events, err := s.Outbox(context.Background(), 0, 0)
	if err != nil {
		b.Fatalf("Outbox: %v", err)
	}
	return events
}
