package journaltest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
)

// TestFillDays_ClosesAllButTheLastDay fills three days across a month's end: both past days and
// the month that ended are closed, the last day is open, and the journal verifies.
func TestFillDays_ClosesAllButTheLastDay(t *testing.T) {
	ctx := context.Background()
	last := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{Location: time.UTC, NoSync: true,
		Now: func() time.Time { return last.Add(20 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}
	if _, err := s.ImportProducts(ctx, []comptoir.Product{p}); err != nil {
		t.Fatal(err)
	}
	err = journaltest.FillDays(ctx, s, last, 3, 2, func(i int, at time.Time) comptoir.SaleDraft {
		l := comptoir.LineFor(p, 1)
		return comptoir.SaleDraft{At: at, Lines: []comptoir.Line{l}, Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: l.Total}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	for period, want := range map[string]bool{"2026-02-27": true, "2026-02-28": true, "2026-02": true, "2026-03-01": false} {
		if _, ok, err := s.Closing(ctx, period); err != nil || ok != want {
			t.Errorf("closing of %s: closed %v (%v), want %v", period, ok, err, want)
		}
	}
	rep, err := s.Verify(ctx)
	if err != nil || rep.Broken != nil || rep.Tickets != 6 {
		t.Errorf("verify: %+v (%v), want 6 tickets intact", rep, err)
	}
}
