package journaltest

import (
	"context"
	"os"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// FillDays records perDay tickets on each of days business days ending on last, as draft makes
// them (the i-th ticket of a day, at 8:00 plus 3 seconds a ticket), one transaction a day. It
// closes every day but the last, as a shop's today stays open, and every month that ends on the
// way. The benchmarks build their large databases with it.
func FillDays(ctx context.Context, s *store.Store, last time.Time, days, perDay int, draft func(i int, at time.Time) comptoir.SaleDraft) error {
	drafts := make([]comptoir.SaleDraft, perDay)
	for d := days - 1; d >= 0; d-- {
		day := last.AddDate(0, 0, -d)
		open := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, last.Location())
		for i := range drafts {
			drafts[i] = draft(i, open.Add(time.Duration(i)*3*time.Second))
		}
		if _, err := s.RecordSales(ctx, drafts); err != nil {
			return err
		}
		if d == 0 {
			break
		}
		if _, err := s.ClosePeriod(ctx, day.Format("2006-01-02")); err != nil {
			return err
		}
		if next := day.AddDate(0, 0, 1); next.Month() != day.Month() {
			if _, err := s.ClosePeriod(ctx, day.Format("2006-01")); err != nil {
				return err
			}
		}
	}
	return nil
}

// Publish makes a built file durable, then gives it its final name, so that a cached database is
// never found half written.
func Publish(tmp, path string) error {
	if f, err := os.Open(tmp); err == nil {
		_ = f.Sync()
		f.Close()
	}
	return os.Rename(tmp, path)
}
