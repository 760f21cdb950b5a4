package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
)

// registerBenchVersion names the cached database of BenchmarkRegister_FirstFrameMillion; change
// it when the file format or the way the database is built changes.
const registerBenchVersion = "v1"

// registerBenchEnd is the last business day of the cached database, fixed so that the file stays
// valid whatever the date of the run.
var registerBenchEnd = time.Date(2026, 3, 10, 0, 0, 0, 0, time.Local)

// millionRegisterDB returns the path of a database of 1,000,000 one-line tickets over 100 days
// ending on registerBenchEnd, every day closed but the last and every month over closed too, with
// the demo catalogue and one manager who already chose a PIN (so that a start neither creates
// nor reissues one). Building it takes minutes, so it is built once and kept under the system's
// temporary directory, as the store's benchmarks keep theirs; the store's own file cannot be
// reused since its builder lives in the store's tests.
func millionRegisterDB(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "comptoir-bench-register-"+registerBenchVersion)
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
	_ = os.Remove(tmp + ".key")
	// The clock stands at the evening of the last day, after its tickets, so that every day and
	// month before it is over and may be closed.
	now := registerBenchEnd.Add(20 * time.Hour)
	clk := func() time.Time { return now }
	s, err := store.Open(tmp, store.Options{Now: clk, NoSync: true, PINIterations: testPINIterations})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	ctx := context.Background()
	products, err := demoProducts()
	if err != nil {
		b.Fatalf("demoProducts: %v", err)
	}
	if _, err := s.ImportProducts(ctx, products); err != nil {
		b.Fatalf("ImportProducts: %v", err)
	}
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "marie", Role: comptoir.RoleManager, PIN: "482915"}, "bench"); err != nil {
		b.Fatalf("AddUser: %v", err)
	}
	err = journaltest.FillDays(ctx, s, registerBenchEnd, days, perDay, func(i int, at time.Time) comptoir.SaleDraft {
		l := comptoir.LineFor(products[i%len(products)], 1)
		return comptoir.SaleDraft{Cashier: "marie", At: at, Lines: []comptoir.Line{l}, Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: l.Total}}}
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
	b.Logf("built %s (%d tickets over %d days) in %v", path, days*perDay, days, time.Since(start).Round(time.Second))
	return path
}

// linkOrCopy makes dst the same file as src: a hard link when the file system allows it (the
// database is hundreds of megabytes), a copy otherwise.
func linkOrCopy(b *testing.B, src, dst string) {
	b.Helper()
	if err := os.Link(src, dst); err == nil {
		return
	}
	in, err := os.Open(src)
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		b.Fatalf("Create: %v", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatalf("Copy: %v", err)
	}
	if err := out.Close(); err != nil {
		b.Fatalf("Close: %v", err)
	}
}

// BenchmarkRegister_FirstFrameMillion measures what a cashier waits for between typing
// "comptoir" and seeing the login screen, on a database of a million tickets: opening the store
// as the register does (log, note, users, settings), building the screens on the store's real
// services, Init, the terminal's size and the first View. Goal: under 200 ms ("ms/frame"). The
// close that follows each start is not timed. The page cache is warm after the first start, as
// it is on a register started every morning.
func BenchmarkRegister_FirstFrameMillion(b *testing.B) {
	cached := millionRegisterDB(b)
	// The register writes its log and note beside the database: a link in a directory of the
	// benchmark's own keeps them out of the cache.
	db := filepath.Join(b.TempDir(), "million.db")
	linkOrCopy(b, cached, db)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		e := registerEnv(db, nil)
		r, err := openRegister(e, registerFlags{baud: 9600, printerBaud: 9600, paper: 80})
		if err != nil {
			b.Fatalf("openRegister: %v", err)
		}
		m := r.model()
		_ = m.Init()
		next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		frame := next.View()
		total += time.Since(t0)
		b.StopTimer()
		if _, err := r.close(nil); err != nil && !errors.Is(err, context.Canceled) {
			b.Fatalf("close: %v", err)
		}
		if !strings.Contains(frame, "Identifiant") {
			b.Fatalf("first frame is not the login screen:\n%s", frame)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/frame")
}
