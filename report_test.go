package comptoir_test

import (
	"context"
	"testing"

	"github.com/comptoir/comptoir"
)

// fakeClosings is a ClosingService over fixed figures: the closings it holds, the running totals
// of any period, the grand total now.
type fakeClosings struct {
	comptoir.ClosingService
	closed  map[string]comptoir.Closing
	running comptoir.Totals
	grand   comptoir.Money
}

func (f fakeClosings) Closing(_ context.Context, p string) (comptoir.Closing, bool, error) {
	if _, err := comptoir.ParsePeriod(p); err != nil {
		return comptoir.Closing{}, false, err
	}
	c, ok := f.closed[p]
	return c, ok, nil
}

func (f fakeClosings) PeriodTotals(context.Context, string) (comptoir.Totals, error) {
	return f.running, nil
}

func (f fakeClosings) GrandTotal(context.Context) (comptoir.Money, error) { return f.grand, nil }

func TestReadReport_ClosedOrRunning(t *testing.T) {
	ctx := context.Background()
	z := comptoir.Closing{Number: 3, Period: "2026-03-10", Totals: comptoir.Totals{Tickets: 5, Total: 4200}, GrandTotal: 9000}
	svc := fakeClosings{closed: map[string]comptoir.Closing{"2026-03-10": z}, running: comptoir.Totals{Tickets: 2, Total: 1500}, grand: 10500}

	got, err := comptoir.ReadReport(ctx, svc, "2026-03-10")
	checkErr(t, err, nil)
	if !got.Closed || got.Closing.Number != 3 || got.Totals.Total != 4200 || got.GrandTotal != 9000 {
		t.Errorf("report of a closed day = %+v, want closing 3 with its own totals and grand total", got)
	}

	got, err = comptoir.ReadReport(ctx, svc, "2026-03-11")
	checkErr(t, err, nil)
	if got.Closed || got.Totals.Tickets != 2 || got.GrandTotal != 10500 || got.Period != "2026-03-11" {
		t.Errorf("report of an open day = %+v, want the running totals and the grand total now", got)
	}

	_, err = comptoir.ReadReport(ctx, svc, "2026-13")
	checkErr(t, err, comptoir.E(comptoir.CodeInvalidPeriod))
}
