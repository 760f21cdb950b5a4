package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
)

// BenchmarkRecordSale_Signed records the durable 10-line ticket in two files side by side, one
// signing and one not, alternating, so that both meet the same disk weather: x-unsigned is what
// signing costs a sale (goal: at most 1.15).
func BenchmarkRecordSale_Signed(b *testing.B) {
	ctx := context.Background()
	signed, d := tenLineStore(b, b.TempDir())
	defer signed.Close()
	unsigned, _ := tenLineStore(b, b.TempDir())
	defer unsigned.Close()
	store.DisableSigning(unsigned)
	for range 50 {
		for _, s := range []*store.Store{signed, unsigned} {
			if _, err := s.RecordSale(ctx, d); err != nil {
				b.Fatalf("RecordSale: %v", err)
			}
		}
	}
	var signedNs, unsignedNs int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := signed.RecordSale(ctx, d); err != nil {
			b.Fatalf("RecordSale: %v", err)
		}
		t1 := time.Now()
		if _, err := unsigned.RecordSale(ctx, d); err != nil {
			b.Fatalf("RecordSale: %v", err)
		}
		signedNs += t1.Sub(t0).Nanoseconds()
		unsignedNs += time.Since(t1).Nanoseconds()
	}
	b.StopTimer()
	b.ReportMetric(float64(signedNs)/float64(b.N), "signed-ns/op")
	b.ReportMetric(float64(unsignedNs)/float64(b.N), "unsigned-ns/op")
	b.ReportMetric(float64(signedNs)/float64(unsignedNs), "x-unsigned")
}

// yearVersion names the cached database of BenchmarkExportArchive_Year; change it when the file
// format or the way the database is built changes.
const yearVersion = "v2-closing-chains"

// yearDB returns the path of a database holding the year 2025 at 300 one-line tickets a day,
// every day, month and the year closed, signed. It is built once and kept under the system's
// temporary directory (with its key file), since building it takes a while.
func yearDB(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "comptoir-bench-"+yearVersion)
	path := filepath.Join(dir, "year.db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	last := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + ".sign", path + ".sign"} {
		_ = os.Remove(p)
	}
	s, err := store.Open(tmp, store.Options{Now: newClock(last.Add(20 * time.Hour)).Now, Location: time.UTC, NoSync: true,
		SigningKeyFile: path + ".sign"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	products := benchProducts(10)
	if _, err := s.ImportProducts(ctx, products); err != nil {
		b.Fatal(err)
	}
	err = journaltest.FillDays(ctx, s, last, 366, 300, func(i int, when time.Time) comptoir.SaleDraft {
		return at(when, byCard(line(products[i%len(products)], 1)))
	})
	if err == nil {
		_, err = s.ClosePeriod(ctx, "2025")
	}
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

// BenchmarkExportArchive_Year exports the archive of a year of 300 tickets a day from the store
// and verifies it with the archive's verifier, each timed on its own (goals: under 2 s each).
func BenchmarkExportArchive_Year(b *testing.B) {
	path := yearDB(b)
	s, err := store.Open(path, store.Options{Now: newClock(time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)).Now, Location: time.UTC,
		SigningKeyFile: path + ".sign", NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var export, verify time.Duration
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		t0 := time.Now()
		sum, err := s.ExportArchive(ctx, "2025", &buf, "bench")
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		rep, err := archive.Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), archive.VerifyOptions{})
		if err != nil || rep.Tickets != sum.Tickets || sum.Tickets < 109_000 {
			b.Fatalf("Verify = %+v, %v; want the %d tickets exported", rep, err, sum.Tickets)
		}
		export += t1.Sub(t0)
		verify += time.Since(t1)
		size = buf.Len()
	}
	b.StopTimer()
	b.ReportMetric(export.Seconds()/float64(b.N), "s/export")
	b.ReportMetric(verify.Seconds()/float64(b.N), "s/verify")
	b.ReportMetric(float64(size)/(1<<20), "MiB")
}
