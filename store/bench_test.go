//go:build linux

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
)

// benchProducts makes n products with valid in-store GTIN-13 codes (prefix 2) at every VAT rate.
func benchProducts(n int) []comptoir.Product {
	out := make([]comptoir.Product, n)
	for i := range out {
		body := fmt.Sprintf("2%011d", 1000+i)
		out[i] = comptoir.Product{
			GTIN:  body + fmt.Sprint(comptoir.GTINCheckDigit(body)),
			Name:  fmt.Sprintf("Article de test n° %d", i),
			Price: comptoir.Money(99 + 37*i),
			VAT:   comptoir.VATRates[i%len(comptoir.VATRates)],
		}
	}
	return out
}

// floorFile is a file for measuring the physical floor of one durable commit on a disk: writing
// a buffer at its start and fdatasync.
type floorFile struct {
	f   *os.File
	buf []byte
}

// newFloorFile creates the file in dir with size bytes already written and synced, so that the
// measurement overwrites allocated blocks, as a steady-state database does, and never grows it.
func newFloorFile(tb testing.TB, dir string, size int) *floorFile {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "floor"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		tb.Fatalf("floor file: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	ff := &floorFile{f: f, buf: make([]byte, size)}
	for i := range ff.buf {
		ff.buf[i] = byte(i)
	}
	if _, err := f.WriteAt(ff.buf, 0); err != nil {
		tb.Fatalf("floor write: %v", err)
	}
	if err := f.Sync(); err != nil {
		tb.Fatalf("floor sync: %v", err)
	}
	return ff
}

// commit writes the buffer durably once.
func (ff *floorFile) commit(tb testing.TB) {
	ff.buf[0]++
	if _, err := ff.f.WriteAt(ff.buf, 0); err != nil {
		tb.Fatalf("floor write: %v", err)
	}
	if err := syscall.Fdatasync(int(ff.f.Fd())); err != nil {
		tb.Fatalf("fdatasync: %v", err)
	}
}

// BenchmarkRecordSale_TenLines records a 10-line ticket durably per iteration, as the register
// does at the counter, and compares it with the physical floor on the same disk: one write of the
// ticket's bytes and one fdatasync. Goal: at most 2.5 times the floor ("x-floor" <= 2.5). A bbolt
// commit is two fdatasyncs (the dirty pages, then the meta page that makes them current), so 2
// is the least it can be, and a bare bbolt commit of one value of the same size measures 2.4-2.5
// on the disks here. A ticket writes about 8 pages: the root, the path to the last leaf of the
// journal and of the outbox, the freelist and the meta page. Measured: 2.6-2.8 (it was 3.4 with
// nested buckets, a ticket index, per-ticket day totals and outbox copies of each record).
// tenLineStore opens a durable store in dir with ten products, and the draft of a ticket selling
// them all, paid by card: the ticket the sale benchmarks record.
func tenLineStore(b *testing.B, dir string) (*store.Store, comptoir.SaleDraft) {
	b.Helper()
	s, err := store.Open(filepath.Join(dir, "bench.db"), store.Options{Now: newClock(day0).Now, Location: time.UTC})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	products := benchProducts(10)
	if _, err := s.ImportProducts(context.Background(), products); err != nil {
		b.Fatalf("ImportProducts: %v", err)
	}
	lines := make([]comptoir.Line, len(products))
	for i, p := range products {
		lines[i] = line(p, int64(1+i%3))
	}
	return s, byCard(lines...)
}

func BenchmarkRecordSale_TenLines(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	s, d := tenLineStore(b, dir)
	defer s.Close()
	// Warm up: the first commits grow the file, which costs an fsync of its own.
	var sale comptoir.Sale
	var err error
	for range 50 {
		if sale, err = s.RecordSale(ctx, d); err != nil {
			b.Fatalf("RecordSale: %v", err)
		}
	}
	body, err := json.Marshal(sale)
	if err != nil {
		b.Fatalf("Marshal: %v", err)
	}

	floor := newFloorFile(b, dir, len(body))

	// Each iteration records a ticket, then makes the floor's write durable, each timed on its
	// own: interleaving them exposes both to the same disk weather, which on a shared or
	// virtual disk changes from second to second. ns/op is the ticket alone.
	var commitNs, floorNs int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := s.RecordSale(ctx, d); err != nil {
			b.Fatalf("RecordSale: %v", err)
		}
		t1 := time.Now()
		floor.commit(b)
		commitNs += t1.Sub(t0).Nanoseconds()
		floorNs += time.Since(t1).Nanoseconds()
	}
	b.StopTimer()
	b.ReportMetric(float64(commitNs)/float64(b.N), "ns/op")
	b.ReportMetric(float64(len(body)), "ticket-bytes")
	b.ReportMetric(float64(floorNs)/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(commitNs)/float64(floorNs), "x-floor")
}

// BenchmarkFdatasyncFloor is the floor alone: one 1.5 KB write and one fdatasync.
func BenchmarkFdatasyncFloor(b *testing.B) {
	floor := newFloorFile(b, b.TempDir(), 1536)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		floor.commit(b)
	}
}

// buildTickets records n tickets of 1 to 3 lines in batches, without fdatasync, on the day of the
// store's clock.
func buildTickets(tb testing.TB, s *store.Store, n, batch int) {
	tb.Helper()
	ctx := context.Background()
	products := benchProducts(10)
	if _, err := s.ImportProducts(ctx, products); err != nil {
		tb.Fatalf("ImportProducts: %v", err)
	}
	drafts := make([]comptoir.SaleDraft, 0, batch)
	for i := 0; i < n; i++ {
		lines := make([]comptoir.Line, 1+i%3)
		for j := range lines {
			lines[j] = line(products[(i+j)%len(products)], int64(1+j))
		}
		drafts = append(drafts, byCard(lines...))
		if len(drafts) == batch || i == n-1 {
			if _, err := s.RecordSales(ctx, drafts); err != nil {
				tb.Fatalf("RecordSales: %v", err)
			}
			drafts = drafts[:0]
		}
	}
}

// BenchmarkVerify walks a journal of 10,000 tickets.
func BenchmarkVerify(b *testing.B) {
	const tickets = 10_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "verify.db")
	o := store.Options{Now: newClock(day0).Now, Location: time.UTC, NoSync: true}
	s, err := store.Open(path, o)
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	buildTickets(b, s, tickets, 1000)
	if err := s.Close(); err != nil {
		b.Fatalf("Close: %v", err)
	}
	o.NoSync = false
	if s, err = store.Open(path, o); err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := s.Verify(ctx)
		if err != nil {
			b.Fatalf("Verify: %v", err)
		}
		if rep.Broken != nil || rep.Tickets != tickets {
			b.Fatalf("Verify = %+v, want %d tickets, intact", rep, tickets)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/tickets, "ns/ticket")
}

// millionVersion names the cached database of BenchmarkOpenMillion; change it when the file
// format or the way the database is built changes.
const millionVersion = "v3-signed-schema7"

// millionToday is the last business day of the million-ticket database: the store's "today",
// fixed so that the cached file stays valid whatever the date of the run.
var millionToday = day0

// millionDB returns the path of a database of 1,000,000 one-line tickets over 100 days ending on
// millionToday, every day closed but the last, and every month over closed too. It is built once
// and kept under the system's temporary directory, since building it takes a while.
func millionDB(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "comptoir-bench-"+millionVersion)
	path := filepath.Join(dir, "million.db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatalf("MkdirAll: %v", err)
	}
	const days, perDay = 100, 10_000
	start := time.Now()
	tmp := path + ".building"
	_ = os.Remove(tmp)
	s, err := store.Open(tmp, store.Options{Now: newClock(millionToday.Add(10 * time.Hour)).Now, Location: time.UTC, NoSync: true})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	ctx := context.Background()
	products := benchProducts(10)
	if _, err := s.ImportProducts(ctx, products); err != nil {
		b.Fatalf("ImportProducts: %v", err)
	}
	err = journaltest.FillDays(ctx, s, millionToday, days, perDay, func(i int, when time.Time) comptoir.SaleDraft {
		return at(when, byCard(line(products[i%len(products)], 1)))
	})
	if err != nil {
		b.Fatalf("FillDays: %v", err)
	}
	if err := s.Close(); err != nil {
		b.Fatalf("Close: %v", err)
	}
	if err := journaltest.Publish(tmp, path); err != nil {
		b.Fatalf("Publish: %v", err)
	}
	b.Logf("built %s (%d tickets over %d days) in %v", path, days*perDay, days, time.Since(start).Round(time.Millisecond))
	return path
}

// BenchmarkOpenMillion opens a database of a million tickets, reads today's running totals and
// closes it, as the register does when it starts. Goal: under 100 ms ("ms/open"), which holds
// because opening reads the meta pages and one key, whatever the size of the journal.
func BenchmarkOpenMillion(b *testing.B) {
	path := millionDB(b)
	ctx := context.Background()
	today := millionToday.Format("2006-01-02")
	o := store.Options{Now: newClock(millionToday.Add(18 * time.Hour)).Now, Location: time.UTC}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := store.Open(path, o)
		if err != nil {
			b.Fatalf("Open: %v", err)
		}
		t, err := s.DayTotals(ctx, today)
		if err != nil {
			b.Fatalf("DayTotals: %v", err)
		}
		if err := s.Close(); err != nil {
			b.Fatalf("Close: %v", err)
		}
		if t.Tickets == 0 || t.Total <= 0 {
			b.Fatalf("DayTotals(%s) = %+v, want today's tickets", today, t)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/open")
}
