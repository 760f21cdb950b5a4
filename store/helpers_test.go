package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// Products used across the tests. Their GTINs have valid check digits.
var (
	// pomme is at the reduced rate: 2,50 € TTC.
	pomme = comptoir.Product{GTIN: "3017620422003", Name: "Pomme", Price: 250, VAT: comptoir.VATReduced}
	// vin is at the normal rate: 12,00 € TTC.
	vin = comptoir.Product{GTIN: "4006381333931", Name: "Vin", Price: 1200, VAT: comptoir.VATNormal}
	// repas is at the intermediate rate: 10,00 € TTC.
	repas = comptoir.Product{GTIN: "96385074", Name: "Repas", Price: 1000, VAT: comptoir.VATIntermediate}
	// journal is a UPC-A code at the special rate: 2,10 € TTC.
	journal = comptoir.Product{GTIN: "036000291452", Name: "Journal", Price: 210, VAT: comptoir.VATSpecial}
)

// day0 is the business day most tests ring their tickets up on.
var day0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

// clock is a settable clock for store.Options.Now, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// opts are the options of a store on a fixed clock in UTC.
func opts(c *clock) store.Options {
	return store.Options{Now: c.Now, Location: time.UTC}
}

// dbPath is a fresh database file name in a temporary directory of the test.
func dbPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "comptoir.db")
}

// mustOpen opens a store and registers a cleanup that closes it, then checks the file's bbolt
// structure. Closing twice is harmless, so a test may close the store itself to reopen it.
func mustOpen(tb testing.TB, path string, o store.Options) *store.Store {
	tb.Helper()
	s, err := store.Open(path, o)
	if err != nil {
		tb.Fatalf("store.Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
		checkFile(tb, path)
	})
	return s
}

// checkFile opens a closed database read-only with bbolt and runs its consistency check.
func checkFile(tb testing.TB, path string) {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Errorf("bbolt.Open(%s) read-only: %v", path, err)
		return
	}
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			tb.Errorf("bbolt check of %s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		tb.Errorf("bbolt check of %s: %v", path, err)
	}
}

// mustClose closes a store, for tests that reopen the file.
func mustClose(tb testing.TB, s *store.Store) {
	tb.Helper()
	if err := s.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
}

// editDB opens a closed database with bbolt directly and changes it in one transaction, as an
// attacker or an older Comptoir would.
func editDB(tb testing.TB, path string, fn func(tx *bbolt.Tx) error) {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatalf("bbolt.Open(%s): %v", path, err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		tb.Fatalf("editing %s: %v", path, err)
	}
}

// line sells qty of a product.
func line(p comptoir.Product, qty int64) comptoir.Line { return comptoir.LineFor(p, qty) }

func pay(m comptoir.PaymentMethod, amount comptoir.Money) comptoir.Payment {
	return comptoir.Payment{Method: m, Amount: amount}
}

// linesTotal sums the lines' totals.
func linesTotal(lines []comptoir.Line) comptoir.Money {
	var t comptoir.Money
	for _, l := range lines {
		t += l.Total
	}
	return t
}

// byCard is a draft paid exactly by card.
func byCard(lines ...comptoir.Line) comptoir.SaleDraft {
	return comptoir.SaleDraft{Cashier: "Alice", Lines: lines, Payments: []comptoir.Payment{pay(comptoir.Card, linesTotal(lines))}}
}

// refundOf is a draft refunding lines (given with positive quantities) of a ticket, paid back by
// card.
func refundOf(number uint64, lines ...comptoir.Line) comptoir.SaleDraft {
	neg := make([]comptoir.Line, len(lines))
	for i, l := range lines {
		l.Qty, l.Total = -l.Qty, -l.Total
		neg[i] = l
	}
	return comptoir.SaleDraft{Cashier: "Alice", Lines: neg, RefundOf: number,
		Payments: []comptoir.Payment{pay(comptoir.Card, linesTotal(neg))}}
}

// at sets when a draft happened.
func at(t time.Time, d comptoir.SaleDraft) comptoir.SaleDraft {
	d.At = t
	return d
}

// training marks a draft as rung up in training mode.
func training(d comptoir.SaleDraft) comptoir.SaleDraft {
	d.Training = true
	return d
}

// mustRecord records a ticket and fails the test on any error.
func mustRecord(tb testing.TB, s *store.Store, d comptoir.SaleDraft) comptoir.Sale {
	tb.Helper()
	sale, err := s.RecordSale(context.Background(), d)
	if err != nil {
		tb.Fatalf("RecordSale: %v", err)
	}
	return sale
}

// mustClosePeriod closes a period and fails the test on any error.
func mustClosePeriod(tb testing.TB, s *store.Store, period string) comptoir.Closing {
	tb.Helper()
	c, err := s.ClosePeriod(context.Background(), period)
	if err != nil {
		tb.Fatalf("ClosePeriod(%s): %v", period, err)
	}
	return c
}

func mustImport(tb testing.TB, s *store.Store, products ...comptoir.Product) {
	tb.Helper()
	if _, err := s.ImportProducts(context.Background(), products); err != nil {
		tb.Fatalf("ImportProducts: %v", err)
	}
}

func mustLastTicket(tb testing.TB, s *store.Store) uint64 {
	tb.Helper()
	n, err := s.LastTicket(context.Background())
	if err != nil {
		tb.Fatalf("LastTicket: %v", err)
	}
	return n
}

func mustOutbox(tb testing.TB, s *store.Store) []comptoir.Event {
	tb.Helper()
	evs, err := s.Outbox(context.Background(), 0, 0)
	if err != nil {
		tb.Fatalf("Outbox: %v", err)
	}
	return evs
}

func mustDayTotals(tb testing.TB, s *store.Store, day string) comptoir.Totals {
	tb.Helper()
	t, err := s.DayTotals(context.Background(), day)
	if err != nil {
		tb.Fatalf("DayTotals(%s): %v", day, err)
	}
	return t
}

func mustGrandTotal(tb testing.TB, s *store.Store) comptoir.Money {
	tb.Helper()
	g, err := s.GrandTotal(context.Background())
	if err != nil {
		tb.Fatalf("GrandTotal: %v", err)
	}
	return g
}

func mustSale(tb testing.TB, s *store.Store, n uint64) comptoir.Sale {
	tb.Helper()
	sale, err := s.Sale(context.Background(), n)
	if err != nil {
		tb.Fatalf("Sale(%d): %v", n, err)
	}
	return sale
}

func mustVerify(tb testing.TB, s *store.Store) comptoir.VerifyReport {
	tb.Helper()
	rep, err := s.Verify(context.Background())
	if err != nil {
		tb.Fatalf("Verify: %v", err)
	}
	return rep
}

// wantErr fails the test unless err is a domain refusal matching target.
func wantErr(tb testing.TB, err error, target *comptoir.Error) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("error = nil, want %s", target.Code)
	}
	if !errors.Is(err, target) {
		tb.Fatalf("error = %v, want %s", err, target.Code)
	}
}

// errArgs returns the values a domain refusal carries.
func errArgs(tb testing.TB, err error) []any {
	tb.Helper()
	var e *comptoir.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v is not a *comptoir.Error", err)
	}
	return e.Args
}
