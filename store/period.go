package store

import (
	"context"
	"strings"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// PeriodTotals sums the running totals of a day, a month or a year, closed or not. A month reads
// at most 31 keys and a year at most 366, whatever the size of the journal.
func (s *Store) PeriodTotals(ctx context.Context, period string) (comptoir.Totals, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Totals{}, err
	}
	kind, err := comptoir.ParsePeriod(period)
	if err != nil {
		return comptoir.Totals{}, err
	}
	if kind == comptoir.DayClosing {
		return s.DayTotals(ctx, period)
	}
	var t comptoir.Totals
	err = s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		h, err := r.head()
		if err != nil {
			return err
		}
		prefix := period + "-"
		c := r.days.Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
			day, err := r.dayTotals(h, string(k))
			if err != nil {
				return err
			}
			t.Merge(day)
		}
		return nil
	})
	return t, err
}
