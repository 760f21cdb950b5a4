package syncer_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	rules "github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

// benchVersion names the cached registers of the sync benchmarks; change it when the file
// format or the way they are built changes.
const benchVersion = "sync-v3"

// benchToday is the last business day of the cached registers, fixed so that a cached file stays
// valid whatever the date of the run.
var benchToday = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// cachedRegister returns the path of a register named name whose outbox holds the events of
// days business days of perDay one- to three-line tickets, every day closed but the last. It is
// built once and kept under the system's temporary directory, since building takes a while.
func cachedRegister(b *testing.B, file, name string, days, perDay int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "comptoir-bench-"+benchVersion)
	path := filepath.Join(dir, file)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	tmp := path + ".building"
	_ = os.Remove(tmp)
	s, err := store.Open(tmp, store.Options{Register: name, Location: time.UTC, NoSync: true,
		Now: func() time.Time { return benchToday.Add(20 * time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.ImportProducts(ctx, []comptoir.Product{pate, cola}); err != nil {
		b.Fatal(err)
	}
	err = journaltest.FillDays(ctx, s, benchToday, days, perDay, func(i int, at time.Time) comptoir.SaleDraft {
		q := int64(i%3 + 1)
		lines := []comptoir.Line{comptoir.LineFor(pate, q)}
		total := pate.Price * comptoir.Money(q)
		if i%2 == 0 {
			lines = append(lines, comptoir.LineFor(cola, 2))
			total += 2 * cola.Price
		}
		return comptoir.SaleDraft{At: at, Lines: lines, Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: total}}}
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := journaltest.Publish(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %v", path, time.Since(start).Round(time.Millisecond))
	return path
}

// openCopy opens a durable copy of a cached register in the benchmark's directory, so that each
// run starts from the full outbox.
func openCopy(b *testing.B, cached, name string) *store.Store {
	b.Helper()
	path := filepath.Join(b.TempDir(), filepath.Base(cached))
	in, err := os.Open(cached)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	reg, err := store.Open(path, store.Options{Register: name, Location: time.UTC,
		Now: func() time.Time { return benchToday.Add(20 * time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { reg.Close() })
	return reg
}

// auditModes are the two ways the sync benchmarks run the central: with its signature auditor
// in the background, woken by every push, as the command runs it, so that what the audit costs
// the pushes is measured with them; and without, the push path alone, the auditor run after the
// pushes ("audit_tail_ms" is then the whole audit).
var auditModes = []struct {
	name  string
	audit bool
}{{"auditor", true}, {"push_only", false}}

// benchCentral is a central the sync benchmarks measure: its service and its auditor.
type benchCentral interface {
	comptoir.CentralService
	AuditAll(ctx context.Context) error
	RunAuditor(ctx context.Context, o rules.AuditorOptions)
}

// benchBackends are the central's storages the sync benchmarks run on, each in the same run, so
// that their figures compare: the embedded bbolt file and PostgreSQL. The PostgreSQL tests' own
// server runs without fsync: figures worth reporting come from a durable server named by
// COMPTOIR_TEST_PG (internal/pgtest), as the README's were.
var benchBackends = []struct {
	name string
	open func(testing.TB) benchCentral
}{
	{"bbolt", func(tb testing.TB) benchCentral {
		tb.Helper()
		st, err := store.OpenCentral(filepath.Join(tb.TempDir(), "central.db"), store.CentralOptions{})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { st.Close() })
		return st
	}},
	{"postgres", func(tb testing.TB) benchCentral { return newPostgresCentral(tb).(benchCentral) }},
}

// durableCentral is a central of backend open that commits durably, as the command runs it,
// over loopback HTTP, its auditor running in the background when audit is true.
func durableCentral(b *testing.B, open func(testing.TB) benchCentral, tokens map[string]string, audit bool) (benchCentral, string) {
	b.Helper()
	st := open(b)
	if audit {
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			st.RunAuditor(ctx, rules.AuditorOptions{})
		}()
		// Cleanups run last first: the auditor stops before the store closes.
		b.Cleanup(func() {
			cancel()
			<-stopped
		})
	}
	srv, err := syncer.NewServer(st, tokens)
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	return st, ts.URL
}

// eachBackend runs bench once per backend and audit mode, as sub-benchmarks
// "<backend>/<mode>".
func eachBackend(b *testing.B, bench func(b *testing.B, open func(testing.TB) benchCentral, audit bool)) {
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			for _, m := range auditModes {
				b.Run(m.name, func(b *testing.B) { bench(b, be.open, m.audit) })
			}
		})
	}
}

// BenchmarkSync_Push100k drains a register's outbox of about 100 000 events (20 days of 5 000
// tickets and their closings) with the Syncer, over loopback HTTP to a central that commits
// durably, in batches of comptoir.MaxBatchEvents. Beside it, in the same run: (a) the same
// events applied straight to the central's Push in the same batches, without HTTP, the floor
// (goal: HTTP at least 50 % of its rate, "pct_of_direct"); and (b) one request per event
// through the client, measured on the first 1 000 events and extrapolated, since 100 000 of them
// would take minutes (goal: batches at least 30 times faster, "x_single").
func BenchmarkSync_Push100k(b *testing.B) { eachBackend(b, benchPush100k) }

func benchPush100k(b *testing.B, open func(testing.TB) benchCentral, audit bool) {
	cached := cachedRegister(b, "push100k.db", "R1", 20, 5000)
	tokens := map[string]string{"R1": tokR1, comptoir.AdminName: tokAdmin}
	ctx := context.Background()
	const sample = 1000
	var direct, viaHTTP, single, tail time.Duration
	var events int
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		reg := openCopy(b, cached, "R1")
		all, err := reg.Outbox(ctx, 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		events = len(all)

		// (a) The floor: the central's store alone, in the batches the Syncer sends.
		st, _ := durableCentral(b, open, tokens, audit)
		start := time.Now()
		for chunk := range slices.Chunk(all, comptoir.MaxBatchEvents) {
			if _, err := st.Push(ctx, "R1", chunk); err != nil {
				b.Fatal(err)
			}
		}
		direct += time.Since(start)

		// (b) One request per event, on a sample.
		_, url := durableCentral(b, open, tokens, audit)
		client, err := syncer.NewClient(url, tokR1)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for _, e := range all[:sample] {
			if _, err := client.Push(ctx, "R1", []comptoir.Event{e}); err != nil {
				b.Fatal(err)
			}
		}
		single += time.Since(start)

		// The measure: the Syncer draining the outbox over HTTP.
		st, url = durableCentral(b, open, tokens, audit)
		client, err = syncer.NewClient(url, tokR1)
		if err != nil {
			b.Fatal(err)
		}
		s := &syncer.Syncer{Outbox: reg, Central: client, Register: "R1"}
		b.StartTimer()
		start = time.Now()
		rep, err := s.Run(ctx)
		viaHTTP += time.Since(start)
		b.StopTimer()
		if err != nil || rep.Acked != events || rep.Pending != 0 {
			b.Fatalf("Run = %+v, %v; want %d events acknowledged", rep, err, events)
		}
		// The auditor catches up after the last push: how long it takes is the lag a break can
		// have before it is flagged.
		start = time.Now()
		wantAudited(b, st, "R1", uint64(events))
		tail += time.Since(start)
	}
	n := float64(b.N)
	httpRate := float64(events) * n / viaHTTP.Seconds()
	directRate := float64(events) * n / direct.Seconds()
	singleRate := float64(sample) * n / single.Seconds()
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(httpRate, "events/s")
	b.ReportMetric(directRate, "direct_events/s")
	b.ReportMetric(100*httpRate/directRate, "pct_of_direct")
	b.ReportMetric(singleRate, "single_events/s")
	b.ReportMetric(httpRate/singleRate, "x_single")
	b.ReportMetric(float64(tail.Milliseconds())/n, "audit_tail_ms")
}

// wantAudited runs the central's auditor until it has checked every signature the register
// pushed, and fails unless all of them, want, were good.
func wantAudited(b *testing.B, st benchCentral, register string, want uint64) {
	b.Helper()
	if err := st.AuditAll(context.Background()); err != nil {
		b.Fatal(err)
	}
	sum, err := st.Register(context.Background(), register)
	if err != nil || sum.SignaturesPending != 0 || sum.Signed != want || sum.SignatureBreaks != 0 || !sum.ChainOK {
		b.Fatalf("Register = %+v, %v; want %d signatures checked, all good", sum, err, want)
	}
}

// BenchmarkSync_Ingest50 has 50 registers push 2 000 events each at once, over loopback HTTP, to
// one central that commits durably, in batches of 100 (a register catching up after a short
// outage): the central's ingest rate ("events/s") and the 99th percentile of a batch's round
// trip as a register sees it ("p99_batch_ms"). The floor beside it is one register alone, the
// same batches, so that what concurrency costs a batch shows ("p99_alone_ms").
func BenchmarkSync_Ingest50(b *testing.B) { eachBackend(b, benchIngest50) }

func benchIngest50(b *testing.B, open func(testing.TB) benchCentral, audit bool) {
	const registers, perReg, batch = 50, 2000, 100
	ctx := context.Background()
	tokens := map[string]string{comptoir.AdminName: tokAdmin}
	names := make([]string, registers)
	outboxes := make([][]comptoir.Event, registers)
	for i := range names {
		names[i] = fmt.Sprintf("R%02d", i+1)
		tokens[names[i]] = fmt.Sprintf("ingest-token-%02d-0123456789abcdef", i+1)
		reg := openCopy(b, cachedRegister(b, names[i]+".db", names[i], 1, perReg), names[i])
		all, err := reg.Outbox(ctx, 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		outboxes[i] = all
	}
	// push sends one register's outbox in batches and returns each batch's round trip.
	push := func(url string, i int) ([]time.Duration, error) {
		client, err := syncer.NewClient(url, tokens[names[i]])
		if err != nil {
			return nil, err
		}
		// A register has its own connection, as each till on its own network would.
		client.HTTP = &http.Client{Transport: &http.Transport{}, Timeout: time.Minute}
		var lat []time.Duration
		for chunk := range slices.Chunk(outboxes[i], batch) {
			start := time.Now()
			if _, err := client.Push(ctx, names[i], chunk); err != nil {
				return nil, fmt.Errorf("%s: %w", names[i], err)
			}
			lat = append(lat, time.Since(start))
		}
		return lat, nil
	}
	p99 := func(lat []time.Duration) float64 {
		slices.Sort(lat)
		return float64(lat[len(lat)*99/100].Microseconds()) / 1000
	}
	b.ResetTimer()
	var elapsed, tail time.Duration
	var all, alone []time.Duration
	for range b.N {
		b.StopTimer()
		_, url := durableCentral(b, open, tokens, audit)
		lat, err := push(url, 0)
		if err != nil {
			b.Fatal(err)
		}
		alone = append(alone, lat...)
		central, url := durableCentral(b, open, tokens, audit)
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, registers)
		b.StartTimer()
		start := time.Now()
		for i := range registers {
			wg.Go(func() {
				lat, err := push(url, i)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				all = append(all, lat...)
				mu.Unlock()
			})
		}
		wg.Wait()
		elapsed += time.Since(start)
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		start = time.Now()
		for i := range registers {
			wantAudited(b, central, names[i], uint64(len(outboxes[i])))
		}
		tail += time.Since(start)
	}
	b.ReportMetric(float64(registers*perReg*b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(p99(all), "p99_batch_ms")
	b.ReportMetric(p99(alone), "p99_alone_ms")
	b.ReportMetric(float64(tail.Milliseconds())/float64(b.N), "audit_tail_ms")
}
