package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/comptoir/comptoir"
)

// progressLog records what a comptoir.Progress is told.
type progressLog struct {
	steps []comptoir.ProgressStep
	done  []int
	total []int
}

func (l *progressLog) report(step comptoir.ProgressStep, done, total int) {
	l.steps, l.done, l.total = append(l.steps, step), append(l.done, done), append(l.total, total)
}

// check fails unless the reports of a step count from 1 to their total, in order.
func (l *progressLog) check(tb testing.TB, step comptoir.ProgressStep, total int) {
	tb.Helper()
	n := 0
	for i, s := range l.steps {
		if s != step {
			continue
		}
		if n++; l.done[i] != n || l.total[i] != total {
			tb.Fatalf("report %d of %s = %d/%d, want %d/%d", n, step, l.done[i], l.total[i], n, total)
		}
	}
	if n != total {
		tb.Errorf("%s reported %d times, want %d", step, n, total)
	}
}

// TestStore_ImportProductsProgress checks that a Progress in the context is told of each product
// written, and that an import without one works as before.
func TestStore_ImportProductsProgress(t *testing.T) {
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	products := make([]comptoir.Product, 25)
	for i := range products {
		body := fmt.Sprintf("2%011d", 5000+i)
		products[i] = comptoir.Product{GTIN: body + fmt.Sprint(comptoir.GTINCheckDigit(body)), Name: fmt.Sprint("Article ", i),
			Price: comptoir.Money(100 + i), VAT: comptoir.VATRates[i%len(comptoir.VATRates)]}
	}
	var log progressLog
	if n, err := s.ImportProducts(comptoir.WithProgress(context.Background(), log.report), products); err != nil || n != 25 {
		t.Fatalf("ImportProducts = %d, %v", n, err)
	}
	log.check(t, comptoir.StepWrite, 25)
	if _, err := s.ImportProducts(context.Background(), products); err != nil {
		t.Fatalf("ImportProducts without progress: %v", err)
	}
}

// TestStore_PurgeInactiveProgress checks that a purge tells a Progress of the members' keys
// examined, up to their number, then of each member erased; and that a context cancelled during
// the examination erases nobody.
func TestStore_PurgeInactiveProgress(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	var members []comptoir.CustomerID
	for i := range 3 {
		members = append(members, mustEnroll(t, s, enrolment(comptoir.CardNumber(uint64(i+1)), comptoir.Personal{FirstName: fmt.Sprint("Membre", i), LastName: "Ancien"}, allNo)).ID)
	}
	later := day0.AddDate(3, 0, 1)
	clk.Set(later)

	// Cancelled at the first key examined: the purge stops with the context's error.
	cctx, cancel := context.WithCancel(ctx)
	stop := func(step comptoir.ProgressStep, done, total int) { cancel() }
	if ids, err := s.PurgeInactive(comptoir.WithProgress(cctx, stop), later.AddDate(-3, 0, 0), false, "Manager"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled purge = %v, %v, want context.Canceled", ids, err)
	}
	for _, id := range members {
		if c, err := s.Customer(ctx, id); err != nil || c.Status == comptoir.StatusErased {
			t.Errorf("after a cancelled purge, member %s = %+v, %v; want them kept", id, c.Status, err)
		}
	}

	var log progressLog
	ids, err := s.PurgeInactive(comptoir.WithProgress(ctx, log.report), later.AddDate(-3, 0, 0), false, "Manager")
	if err != nil || len(ids) != 3 {
		t.Fatalf("PurgeInactive = %v, %v, want 3 members", ids, err)
	}
	keys, lastExamine := 0, -1
	for i, s := range log.steps {
		if s == comptoir.StepExamine {
			keys, lastExamine = log.total[i], i
		}
	}
	if lastExamine < 0 || keys < 3 || log.done[lastExamine] != keys {
		t.Errorf("examination ended at %v of %v, want all keys (at least one per member)", log.done, log.total)
	}
	log.check(t, comptoir.StepErase, 3)
	if first := len(log.steps) - 3; log.steps[first-1] != comptoir.StepExamine {
		t.Errorf("steps %v: the erasure must follow the examination", log.steps)
	}
}
