package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

func TestStore_ClosePeriod(t *testing.T) {
	ctx := context.Background()

	t.Run("Day", func(t *testing.T) {
		clk := newClock(day0)
		path := dbPath(t)
		s := mustOpen(t, path, opts(clk))
		// 1: 17,00 € paid 20,00 € cash, 3,00 € change.
		d1 := byCard(line(pomme, 2), line(vin, 1))
		d1.Payments = []comptoir.Payment{pay(comptoir.Cash, 2000)}
		mustRecord(t, s, d1)
		// 2: 10,00 € by card.
		mustRecord(t, s, byCard(line(repas, 1)))
		// 3: 4,60 € paid 2,00 € by card and 3,00 € cash, 0,40 € change.
		d3 := byCard(line(journal, 1), line(pomme, 1))
		d3.Payments = []comptoir.Payment{pay(comptoir.Card, 200), pay(comptoir.Cash, 300)}
		mustRecord(t, s, d3)
		// 4: ticket 2 refunded by card.
		mustRecord(t, s, refundOf(2, line(repas, 1)))
		// 5: a training ticket, which counts nowhere.
		d5 := training(byCard(line(vin, 3)))
		d5.Payments = []comptoir.Payment{pay(comptoir.Cash, 5000)}
		last := mustRecord(t, s, d5)

		clk.Set(day0.Add(24 * time.Hour))
		c := mustClosePeriod(t, s, "2026-03-10")

		want := comptoir.Totals{
			Tickets: 4,
			Total:   1700 + 1000 + 460 - 1000,
			Refunds: -1000,
			ByMethod: []comptoir.MethodTotal{
				{Method: comptoir.Cash, Amount: 2000 - 300 + 300 - 40},
				{Method: comptoir.Card, Amount: 1000 + 200 - 1000},
			},
			// Each ticket splits its own rates, rounding the base half away from zero; the
			// day sums those splits: 20 % 1200 = 1000 + 200; 10 % 1000 = 909 + 91, refunded;
			// 5,5 % 500 = 474 + 26 and 250 = 237 + 13; 2,1 % 210 = 206 + 4.
			VAT: []comptoir.VATLine{
				{Rate: comptoir.VATNormal, Base: 1000, VAT: 200, TTC: 1200},
				{Rate: comptoir.VATIntermediate, Base: 0, VAT: 0, TTC: 0},
				{Rate: comptoir.VATReduced, Base: 711, VAT: 39, TTC: 750},
				{Rate: comptoir.VATSpecial, Base: 206, VAT: 4, TTC: 210},
			},
			FirstTicket: 1,
			LastTicket:  4,
			Training:    1,
		}
		if !c.Totals.Equal(want) {
			t.Errorf("closing Totals = %+v, want %+v", c.Totals, want)
		}
		if got, want := c.Kind, comptoir.DayClosing; got != want {
			t.Errorf("Kind = %q, want %q", got, want)
		}
		if got, want := c.Period, "2026-03-10"; got != want {
			t.Errorf("Period = %q, want %q", got, want)
		}
		if got, want := c.Number, uint64(1); got != want {
			t.Errorf("Number = %d, want %d", got, want)
		}
		if got, want := c.GrandTotal, comptoir.Money(2160); got != want {
			t.Errorf("GrandTotal = %d, want %d", got, want)
		}
		if got, want := c.PrevHash, last.Hash; got != want {
			t.Errorf("PrevHash = %q, want the last ticket's %q", got, want)
		}
		if got, want := c.At, day0.Add(24*time.Hour); !got.Equal(want) {
			t.Errorf("At = %v, want %v", got, want)
		}
		if got, want := c.Register, "R1"; got != want {
			t.Errorf("Register = %q, want %q", got, want)
		}
		if len(c.Hash) != 64 {
			t.Errorf("Hash = %q, want a hex SHA-256", c.Hash)
		}
		if got := mustDayTotals(t, s, "2026-03-10"); !got.Equal(c.Totals) {
			t.Errorf("DayTotals = %+v, want the closing's %+v", got, c.Totals)
		}

		// The next ticket chains onto the closing.
		next := mustRecord(t, s, byCard(line(pomme, 1)))
		if got, want := next.PrevHash, c.Hash; got != want {
			t.Errorf("next ticket PrevHash = %q, want the closing's %q", got, want)
		}
		if got, want := next.Number, uint64(6); got != want {
			t.Errorf("next ticket Number = %d, want %d", got, want)
		}

		// The closing and its outbox event survive reopening.
		mustClose(t, s)
		s = mustOpen(t, path, opts(clk))
		got, ok, err := s.Closing(ctx, "2026-03-10")
		if err != nil || !ok {
			t.Fatalf("Closing after reopening = ok %v, err %v", ok, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("Closing after reopening = %+v, want %+v", got, c)
		}
		var closingEvents int
		for _, ev := range mustOutbox(t, s) {
			if ev.Type == comptoir.EventClosingRecorded {
				closingEvents++
			}
		}
		if got, want := closingEvents, 1; got != want {
			t.Errorf("closing.recorded events = %d, want %d", got, want)
		}
	})

	t.Run("ErrAlreadyClosed", func(t *testing.T) {
		clk := newClock(day0)
		s := mustOpen(t, dbPath(t), opts(clk))
		mustRecord(t, s, byCard(line(pomme, 1)))
		mustClosePeriod(t, s, "2026-03-10")
		_, err := s.ClosePeriod(ctx, "2026-03-10")
		wantErr(t, err, comptoir.ErrAlreadyClosed)
		if got, want := errArgs(t, err), []any{"2026-03-10", uint64(1)}; !reflect.DeepEqual(got, want) {
			t.Errorf("error args = %v, want %v", got, want)
		}
	})

	t.Run("ErrAlreadyClosed/InsideClosedMonth", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		mustRecord(t, s, at(time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC), byCard(line(pomme, 1))))
		mustClosePeriod(t, s, "2026-02-03")
		month := mustClosePeriod(t, s, "2026-02")
		// 2026-02-04 had no ticket and was never closed, but its month is sealed.
		_, err := s.ClosePeriod(ctx, "2026-02-04")
		wantErr(t, err, comptoir.ErrAlreadyClosed)
		if got, want := errArgs(t, err), []any{"2026-02", month.Number}; !reflect.DeepEqual(got, want) {
			t.Errorf("error args = %v, want %v", got, want)
		}
		if _, ok, _ := s.Closing(ctx, "2026-02-04"); ok {
			t.Error("a day of a closed month got a closing")
		}
	})

	t.Run("ErrPeriodNotOver", func(t *testing.T) {
		clk := newClock(time.Date(2025, 12, 30, 10, 0, 0, 0, time.UTC))
		s := mustOpen(t, dbPath(t), opts(clk))
		mustRecord(t, s, byCard(line(pomme, 1)))
		clk.Set(day0)
		mustRecord(t, s, byCard(line(pomme, 1)))
		for _, period := range []string{"2026-03", "2026"} {
			_, err := s.ClosePeriod(ctx, period)
			wantErr(t, err, comptoir.ErrPeriodNotOver)
			if _, ok, _ := s.Closing(ctx, period); ok {
				t.Errorf("Closing(%s) ok after a refused close", period)
			}
		}
		for _, period := range []string{"2026-03-11", "2027-01-01", "2026-04", "2027"} {
			_, err := s.ClosePeriod(ctx, period)
			wantErr(t, err, comptoir.E(comptoir.CodePeriodInFuture))
			if _, ok, _ := s.Closing(ctx, period); ok {
				t.Errorf("Closing(%s) ok after a refused close", period)
			}
		}
		// Today has started: its Z close is allowed before midnight.
		mustClosePeriod(t, s, "2026-03-10")
		// Last month and last year are over.
		mustClosePeriod(t, s, "2026-02")
		mustClosePeriod(t, s, "2025-12-30")
		mustClosePeriod(t, s, "2025-12")
		mustClosePeriod(t, s, "2025")
	})

	t.Run("Month", func(t *testing.T) {
		clk := newClock(time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC))
		s := mustOpen(t, dbPath(t), opts(clk))
		mustRecord(t, s, byCard(line(pomme, 2)))
		mustRecord(t, s, byCard(line(vin, 1)))
		clk.Set(time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC))
		mustRecord(t, s, byCard(line(repas, 1)))
		mustRecord(t, s, refundOf(1, line(pomme, 1)))
		mustRecord(t, s, training(byCard(line(journal, 1))))
		clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		// A ticket of the next month does not belong to February.
		mustRecord(t, s, byCard(line(journal, 4)))

		d1 := mustClosePeriod(t, s, "2026-02-03")
		_, err := s.ClosePeriod(ctx, "2026-02")
		wantErr(t, err, comptoir.ErrUnclosedPeriod)
		if got, want := errArgs(t, err), []any{"2026-02-10", "2026-02"}; !reflect.DeepEqual(got, want) {
			t.Errorf("error args = %v, want %v", got, want)
		}
		d2 := mustClosePeriod(t, s, "2026-02-10")
		// An empty day closed in the month adds nothing.
		mustClosePeriod(t, s, "2026-02-20")
		m := mustClosePeriod(t, s, "2026-02")

		var want comptoir.Totals
		want.Merge(d1.Totals)
		want.Merge(d2.Totals)
		if !m.Totals.Equal(want) {
			t.Errorf("month Totals = %+v, want the merged days %+v", m.Totals, want)
		}
		if got, want := m.Totals.Tickets, int64(4); got != want {
			t.Errorf("month Tickets = %d, want %d", got, want)
		}
		if got, want := m.Totals.Training, int64(1); got != want {
			t.Errorf("month Training = %d, want %d", got, want)
		}
		if got, want := m.Totals.Total, 2*pomme.Price+vin.Price+repas.Price-pomme.Price; got != want {
			t.Errorf("month Total = %d, want %d", got, want)
		}
		if got, want := m.Totals.FirstTicket, uint64(1); got != want {
			t.Errorf("month FirstTicket = %d, want %d", got, want)
		}
		if got, want := m.Totals.LastTicket, uint64(4); got != want {
			t.Errorf("month LastTicket = %d, want %d", got, want)
		}
		if got, want := m.Kind, comptoir.MonthClosing; got != want {
			t.Errorf("Kind = %q, want %q", got, want)
		}
		if got, want := m.Number, uint64(4); got != want {
			t.Errorf("Number = %d, want %d", got, want)
		}
		if got, want := m.GrandTotal, mustGrandTotal(t, s); got != want {
			t.Errorf("month GrandTotal = %d, want the grand total %d", got, want)
		}
		if rep := mustVerify(t, s); rep.Broken != nil || rep.Closings != 4 {
			t.Errorf("Verify = %+v, want 4 closings, intact", rep)
		}
	})

	t.Run("Year", func(t *testing.T) {
		clk := newClock(time.Date(2025, 11, 14, 9, 0, 0, 0, time.UTC))
		s := mustOpen(t, dbPath(t), opts(clk))
		mustRecord(t, s, byCard(line(pomme, 2)))
		clk.Set(time.Date(2025, 12, 24, 9, 0, 0, 0, time.UTC))
		mustRecord(t, s, byCard(line(vin, 2)))
		d := byCard(line(repas, 1))
		d.Payments = []comptoir.Payment{pay(comptoir.Cash, 1500)}
		mustRecord(t, s, d)
		clk.Set(time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC))

		days := []comptoir.Closing{mustClosePeriod(t, s, "2025-11-14"), mustClosePeriod(t, s, "2025-12-24")}
		nov := mustClosePeriod(t, s, "2025-11")
		_, err := s.ClosePeriod(ctx, "2025")
		wantErr(t, err, comptoir.ErrUnclosedPeriod)
		if got, want := errArgs(t, err), []any{"2025-12", "2025"}; !reflect.DeepEqual(got, want) {
			t.Errorf("error args = %v, want %v", got, want)
		}
		dec := mustClosePeriod(t, s, "2025-12")
		y := mustClosePeriod(t, s, "2025")

		var fromMonths, fromDays comptoir.Totals
		fromMonths.Merge(nov.Totals)
		fromMonths.Merge(dec.Totals)
		for _, c := range days {
			fromDays.Merge(c.Totals)
		}
		if !y.Totals.Equal(fromMonths) {
			t.Errorf("year Totals = %+v, want the merged months %+v", y.Totals, fromMonths)
		}
		if !y.Totals.Equal(fromDays) {
			t.Errorf("year Totals = %+v, want the merged days %+v", y.Totals, fromDays)
		}
		if got, want := y.Totals.Total, 2*pomme.Price+2*vin.Price+repas.Price; got != want {
			t.Errorf("year Total = %d, want %d", got, want)
		}
		if got, want := y.Kind, comptoir.YearClosing; got != want {
			t.Errorf("Kind = %q, want %q", got, want)
		}
		if rep := mustVerify(t, s); rep.Broken != nil || rep.Closings != 5 {
			t.Errorf("Verify = %+v, want 5 closings, intact", rep)
		}
		// Nothing can be recorded in the sealed year any more.
		_, err = s.RecordSale(ctx, at(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), byCard(line(pomme, 1))))
		wantErr(t, err, comptoir.ErrDayClosed)
	})

	t.Run("EmptyDay", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		c := mustClosePeriod(t, s, "2026-03-10")
		if !c.Totals.Equal(comptoir.Totals{}) {
			t.Errorf("Totals = %+v, want zero", c.Totals)
		}
		if got, want := c.Number, uint64(1); got != want {
			t.Errorf("Number = %d, want %d", got, want)
		}
		if got, want := c.PrevHash, ""; got != want {
			t.Errorf("PrevHash = %q, want %q (first record)", got, want)
		}
		if rep := mustVerify(t, s); rep.Broken != nil || rep.Closings != 1 {
			t.Errorf("Verify = %+v, want 1 closing, intact", rep)
		}
	})

	t.Run("Closing", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		mustRecord(t, s, byCard(line(pomme, 1)))
		_, ok, err := s.Closing(ctx, "2026-03-10")
		if err != nil {
			t.Fatalf("Closing: %v", err)
		}
		if ok {
			t.Errorf("Closing of an open day: ok = true, want false")
		}
		c := mustClosePeriod(t, s, "2026-03-10")
		got, ok, err := s.Closing(ctx, "2026-03-10")
		if err != nil {
			t.Fatalf("Closing: %v", err)
		}
		if !ok {
			t.Fatalf("Closing of a closed day: ok = false, want true")
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("Closing = %+v, want %+v", got, c)
		}
		if got, want := got.Totals.Tickets, int64(1); got != want {
			t.Errorf("Closing.Totals.Tickets = %d, want %d", got, want)
		}
	})

	t.Run("ErrInvalidPeriod", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		for _, period := range []string{"2026-13", "2026-02-30", "26", "2026/03/10", ""} {
			_, err := s.ClosePeriod(ctx, period)
			wantErr(t, err, comptoir.ErrInvalidPeriod)
			_, _, err = s.Closing(ctx, period)
			wantErr(t, err, comptoir.ErrInvalidPeriod)
		}
		_, err := s.DayTotals(ctx, "2026-13-01")
		wantErr(t, err, comptoir.ErrInvalidDate)
	})
}

// TestStore_ClosePeriod_Bounds reproduces "close --date 1999-01-01" and "close --year 0000", which
// sealed empty periods decades before the first ticket for ever: periods that end before the
// register's first record, and periods in the future, are refused; with an empty journal only the
// current day may be closed.
func TestStore_ClosePeriod_Bounds(t *testing.T) {
	ctx := context.Background()
	refuse := func(t *testing.T, s *store.Store, period string, want comptoir.Code, args ...any) {
		t.Helper()
		_, err := s.ClosePeriod(ctx, period)
		wantErr(t, err, comptoir.E(want))
		if got := errArgs(t, err); !reflect.DeepEqual(got, args) {
			t.Errorf("ClosePeriod(%s) error args = %v, want %v", period, got, args)
		}
		if _, ok, _ := s.Closing(ctx, period); ok {
			t.Errorf("Closing(%s) ok after a refused close", period)
		}
	}

	t.Run("BeforeFirstTicket", func(t *testing.T) {
		clk := newClock(day0)
		s := mustOpen(t, dbPath(t), opts(clk))
		mustRecord(t, s, byCard(line(pomme, 1)))
		clk.Set(day0.AddDate(0, 2, 0))
		for _, period := range []string{"1999-01-01", "0000", "1999", "2026-03-09", "2026-02", "2025", "0000-01"} {
			refuse(t, s, period, comptoir.CodePeriodBeforeJournal, period, "2026-03-10")
		}
		// The first day, a day without tickets after it, and the periods around them may be closed.
		mustClosePeriod(t, s, "2026-03-10")
		mustClosePeriod(t, s, "2026-03-20")
		mustClosePeriod(t, s, "2026-03")
		if rep := mustVerify(t, s); rep.Broken != nil || rep.Closings != 3 {
			t.Errorf("Verify = %+v, want 3 closings, intact", rep)
		}
	})

	t.Run("EmptyJournal", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		for _, period := range []string{"1999-01-01", "2026-03-09", "2026-02", "2025", "0000"} {
			refuse(t, s, period, comptoir.CodePeriodEmptyJournal, "2026-03-10", period)
		}
		refuse(t, s, "2026-03-11", comptoir.CodePeriodInFuture, "2026-03-11", "2026-03-10")
		// A shop that sold nothing on its first day still makes its Z; that closing is then the
		// register's first record, and the day before it stays out of reach.
		mustClosePeriod(t, s, "2026-03-10")
		refuse(t, s, "2026-03-09", comptoir.CodePeriodBeforeJournal, "2026-03-09", "2026-03-10")
	})

	t.Run("Future", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		mustRecord(t, s, byCard(line(pomme, 1)))
		for _, period := range []string{"2026-03-11", "2026-04", "2027", "9999-12-31"} {
			refuse(t, s, period, comptoir.CodePeriodInFuture, period, "2026-03-10")
		}
	})

	t.Run("FirstRecordIsAClosing", func(t *testing.T) {
		// A journal that starts with an empty day's closing (allowed on that day) counts from it.
		clk := newClock(day0)
		s := mustOpen(t, dbPath(t), opts(clk))
		mustClosePeriod(t, s, "2026-03-10")
		clk.Set(day0.AddDate(0, 0, 3))
		mustRecord(t, s, byCard(line(pomme, 1)))
		refuse(t, s, "2026-03-09", comptoir.CodePeriodBeforeJournal, "2026-03-09", "2026-03-10")
		mustClosePeriod(t, s, "2026-03-11")
	})
}
