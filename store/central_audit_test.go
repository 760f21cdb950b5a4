package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// audited runs the central's auditor over a register until it is caught up, then returns the
// register's summary, with nothing left pending.
func audited(tb testing.TB, c *store.Central, register string) comptoir.RegisterSummary {
	tb.Helper()
	for {
		n, err := c.AuditSignatures(context.Background(), register, 0)
		if err != nil {
			tb.Fatalf("AuditSignatures(%s): %v", register, err)
		}
		if n == 0 {
			break
		}
	}
	sum := mustSummary(tb, c, register)
	if sum.SignaturesPending != 0 {
		tb.Fatalf("%s: %d signatures pending after the audit, want 0", register, sum.SignaturesPending)
	}
	return sum
}

// TestCentralAudit_CatchesUpInSteps audits a register a few events at a time: each call
// advances the cursor by at most its limit, never past what is acknowledged, and the counts at
// the end are those of one audit of everything.
func TestCentralAudit_CatchesUpInSteps(t *testing.T) {
	_, events := signedRegister(t)
	ctx := context.Background()
	c := mustOpenCentral(t, centralPath(t), true)
	half := len(events) / 2
	mustPush(t, c, "R1", events[:half])
	const step = 5
	total := 0
	for {
		n, err := c.AuditSignatures(ctx, "R1", step)
		if err != nil {
			t.Fatal(err)
		}
		if n > step {
			t.Fatalf("AuditSignatures(max %d) went through %d events", step, n)
		}
		if n == 0 {
			break
		}
		total += n
		if got, want := mustSummary(t, c, "R1").SignaturesPending, uint64(half-total); got != want {
			t.Fatalf("SignaturesPending = %d after %d audited, want %d", got, total, want)
		}
	}
	if total != half {
		t.Fatalf("audited %d events before the second push, want the %d acknowledged", total, half)
	}
	mustPush(t, c, "R1", events[half:])
	if got, want := mustSummary(t, c, "R1").SignaturesPending, uint64(len(events)-half); got != want {
		t.Errorf("SignaturesPending = %d after the second push, want %d", got, want)
	}
	for {
		n, err := c.AuditSignatures(ctx, "R1", step)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		total += n
	}
	sum := mustSummary(t, c, "R1")
	if total != len(events) || sum.Signed != uint64(len(events)) || sum.SignatureBreaks != 0 || !sum.ChainOK || sum.SignaturesPending != 0 {
		t.Errorf("audited %d, summary = %+v; want %d signatures good, no break, nothing pending", total, sum, len(events))
	}
}

// TestCentralAudit_TwoAuditorsCheckOnce runs two auditors at once on one register, in small
// steps so that they race for the cursor: between them they go through every event once, and
// every signature is counted once.
func TestCentralAudit_TwoAuditorsCheckOnce(t *testing.T) {
	_, events := signedRegister(t)
	c := mustOpenCentral(t, centralPath(t), true)
	mustPush(t, c, "R1", events)
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for {
				n, err := c.AuditSignatures(context.Background(), "R1", 3)
				if err != nil {
					errs <- err
					return
				}
				if n == 0 {
					return
				}
				total.Add(int64(n))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sum := mustSummary(t, c, "R1")
	if got, want := total.Load(), int64(len(events)); got != want {
		t.Errorf("the two auditors went through %d events, want %d: each once", got, want)
	}
	if sum.Signed != uint64(len(events)) || sum.SignatureBreaks != 0 || sum.SignaturesPending != 0 {
		t.Errorf("summary = %+v, want %d signatures counted once, no break", sum, len(events))
	}
}

// TestCentralAudit_CursorSurvivesReopen stops an audit half way, closes the central and opens
// it again: the auditor goes on from its cursor, and no signature is counted twice.
func TestCentralAudit_CursorSurvivesReopen(t *testing.T) {
	_, events := signedRegister(t)
	ctx := context.Background()
	path := centralPath(t)
	c, err := store.OpenCentral(path, store.CentralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustPush(t, c, "R1", events)
	if n, err := c.AuditSignatures(ctx, "R1", 10); err != nil || n != 10 {
		t.Fatalf("AuditSignatures = %d, %v; want 10", n, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = mustOpenCentral(t, path, false)
	sum := mustSummary(t, c, "R1")
	if sum.Signed != 10 || sum.SignaturesPending != uint64(len(events)-10) {
		t.Errorf("after reopening: Signed %d, pending %d; want 10 and %d", sum.Signed, sum.SignaturesPending, len(events)-10)
	}
	if err := c.AuditAll(ctx); err != nil {
		t.Fatal(err)
	}
	sum = mustSummary(t, c, "R1")
	if sum.Signed != uint64(len(events)) || sum.SignatureBreaks != 0 || sum.SignaturesPending != 0 || !sum.ChainOK {
		t.Errorf("summary = %+v, want %d signatures counted once, no break", sum, len(events))
	}
}

func TestCentralAudit_UnknownRegister(t *testing.T) {
	c := mustOpenCentral(t, centralPath(t), true)
	_, err := c.AuditSignatures(context.Background(), "R9", 0)
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownRegisterCentral))
	if err := c.AuditAll(context.Background()); err != nil {
		t.Errorf("AuditAll of a central with no register: %v", err)
	}
}

// TestCentralAudit_RunAuditor runs the background auditor: woken by the pushes, it checks a
// forged outbox pushed in two batches and another register's intact one, a few events of each
// at a time, committed together; it says the break it finds in its log once, and returns when
// its context ends.
func TestCentralAudit_RunAuditor(t *testing.T) {
	_, events := signedRegister(t)
	clk := newClock(day0)
	r2 := mustOpen(t, dbPath(t), store.Options{Register: "R2", Now: clk.Now, Location: time.UTC})
	mustImport(t, r2, vin)
	for range 5 {
		mustRecord(t, r2, byCard(line(vin, 1)))
	}
	intact := mustOutbox(t, r2)
	forged := forge(t, events, ticketEvent(t, events, 2), []string{comptoir.EventSaleRecorded, comptoir.EventClosingRecorded}, func(b []byte) []byte {
		return replaceOnce(t, b, `"method":"card"`, `"method":"cash"`)
	})
	c := mustOpenCentral(t, centralPath(t), true)
	var logged syncBuffer
	passed := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// A long period: the pushes must be what wakes it.
		c.RunAuditor(ctx, central.AuditorOptions{Every: time.Hour, Batch: 4, Log: slog.New(slog.NewTextHandler(&logged, nil)),
			Passed: func() {
				select {
				case passed <- struct{}{}:
				default:
				}
			}})
	}()
	half := len(forged) / 2
	mustPush(t, c, "R1", forged[:half])
	mustPush(t, c, "R1", forged[half:])
	mustPush(t, c, "R2", intact)
	for {
		<-passed
		other := mustSummary(t, c, "R2")
		if sum := mustSummary(t, c, "R1"); sum.SignaturesPending == 0 && other.SignaturesPending == 0 {
			if !other.ChainOK || other.Signed != uint64(len(intact)) || other.SignatureBreaks != 0 {
				t.Errorf("R2 = %+v, want intact, %d signatures good", other, len(intact))
			}
			if sum.ChainOK || sum.ChainBreak != "ticket 2 (signature)" || sum.Signed+sum.SignatureBreaks != uint64(len(forged)) {
				t.Errorf("summary = %+v, want the break at ticket 2's signature, all %d signatures checked", sum, len(forged))
			}
			break
		}
	}
	cancel()
	<-done
	if got := logged.String(); strings.Count(got, "register chain broken") != 1 || !strings.Contains(got, "R1") || !strings.Contains(got, "ticket 2 (signature)") {
		t.Errorf("log = %q, want one line naming R1 and ticket 2's signature", got)
	}
}

// syncBuffer is a buffer a logger writes to from the auditor's goroutine while the test reads it.
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

// BenchmarkCentralAudit measures the auditor alone: 20 000 signed tickets pushed to a central
// that commits durably, then their signatures checked on every core, in runs of
// DefaultAuditBatch events each committed with the cursor ("events/s").
func BenchmarkCentralAudit(b *testing.B) {
	const total, batch = 20_000, 1000
	events := registerOutbox(b, total)
	var elapsed time.Duration
	runs := 0
	for b.Loop() {
		runs++
		c := mustOpenCentral(b, filepath.Join(b.TempDir(), "central.db"), false)
		for j := 0; j < len(events); j += batch {
			if _, err := c.Push(context.Background(), "R1", events[j:min(j+batch, len(events))]); err != nil {
				b.Fatalf("Push: %v", err)
			}
		}
		start := time.Now()
		if err := c.AuditAll(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if sum := mustSummary(b, c, "R1"); sum.Signed != uint64(len(events)) || sum.SignaturesPending != 0 {
			b.Fatalf("summary = %+v, want %d signatures checked", sum, len(events))
		}
	}
	b.ReportMetric(float64(len(events)*runs)/elapsed.Seconds(), "events/s")
}

// TestCentralAudit_SummaryOfAPushThatChecked opens a register's summary as a central that
// checked signatures in the push wrote it (its keys and counts in the summary, no audit cursor):
// the push reads the number of keys from it, so that the next key record links, and the auditor
// checks every signature from the first event, each counted once.
func TestCentralAudit_SummaryOfAPushThatChecked(t *testing.T) {
	s, before := signedRegister(t)
	ctx := context.Background()
	path := centralPath(t)
	c, err := store.OpenCentral(path, store.CentralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustPush(t, c, "R1", before)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	editDB(t, path, func(tx *bbolt.Tx) error {
		regs := tx.Bucket([]byte("registers"))
		v := regs.Get([]byte("R1"))
		var sum map[string]any
		if err := json.Unmarshal(v[1:], &sum); err != nil {
			return err
		}
		if sum["last_key"] != 1.0 {
			t.Errorf("summary's last_key = %v, want 1", sum["last_key"])
		}
		delete(sum, "last_key")
		sum["keys"] = []map[string]any{{"number": 1, "reason": "created", "public": "AAAA"}}
		sum["signed"], sum["signature_breaks"] = len(before), 0
		b, err := json.Marshal(sum)
		if err != nil {
			return err
		}
		return regs.Put([]byte("R1"), append([]byte{v[0]}, b...))
	})
	if _, err := s.RotateKey(ctx, "Alice"); err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	mustRecord(t, s, byCard(line(pomme, 3)))
	events := mustOutbox(t, s)
	c = mustOpenCentral(t, path, true)
	mustPush(t, c, "R1", events[len(before):])
	sum := audited(t, c, "R1")
	if !sum.ChainOK || sum.Signed != uint64(len(events)) || sum.SignatureBreaks != 0 || sum.KeyBreaks != 0 {
		t.Errorf("summary = %+v, want intact, %d signatures good, each once", sum, len(events))
	}
}
