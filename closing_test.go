package comptoir_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// numbered builds a sale and gives it the number the store would.
func numbered(t *testing.T, n uint64, d comptoir.SaleDraft) comptoir.Sale {
	t.Helper()
	s := mustBuild(t, d)
	s.Number = n
	return s
}

func TestTotalsAdd(t *testing.T) {
	// 1: a vin paid 20,00 € cash, 8,00 € change.
	s1 := numbered(t, 1, comptoir.SaleDraft{Lines: lines(comptoir.LineFor(vin, 1)), Payments: payments(pay(comptoir.Cash, 2000))})
	// 2: a vin and a pomme (14,50 €): 10,00 € card and 5,00 € cash, 0,50 € change.
	s2 := numbered(t, 2, comptoir.SaleDraft{Lines: lines(comptoir.LineFor(vin, 1), comptoir.LineFor(pomme, 1)), Payments: payments(pay(comptoir.Card, 1000), pay(comptoir.Cash, 500))})
	// 3: a training ticket, counted nowhere but in Training.
	s3 := numbered(t, 3, comptoir.SaleDraft{Training: true, Lines: lines(comptoir.LineFor(repas, 5)), Payments: payments(pay(comptoir.Card, 5000))})
	// 4: the vin of ticket 1 refunded in cash.
	s4 := numbered(t, 4, comptoir.SaleDraft{RefundOf: 1, Lines: lines(comptoir.LineFor(vin, -1)), Payments: payments(pay(comptoir.Cash, -1200))})
	// 5: a pomme paid with a meal voucher.
	s5 := numbered(t, 5, comptoir.SaleDraft{Lines: lines(comptoir.LineFor(pomme, 1)), Payments: payments(pay(comptoir.Other, 250))})
	// 6: a training refund, counted nowhere either.
	s6 := numbered(t, 6, comptoir.SaleDraft{Training: true, RefundOf: 3, Lines: lines(comptoir.LineFor(repas, -1)), Payments: payments(pay(comptoir.Cash, -1000))})

	want := comptoir.Totals{
		Tickets: 4,
		Total:   1200 + 1450 - 1200 + 250,
		Refunds: -1200,
		ByMethod: []comptoir.MethodTotal{
			{Method: comptoir.Cash, Amount: 1200 + 450 - 1200},
			{Method: comptoir.Card, Amount: 1000},
			{Method: comptoir.Other, Amount: 250},
		},
		VAT: []comptoir.VATLine{
			{Rate: comptoir.VATNormal, Base: 1000, VAT: 200, TTC: 1200},
			{Rate: comptoir.VATReduced, Base: 474, VAT: 26, TTC: 500},
		},
		FirstTicket: 1,
		LastTicket:  5,
		Training:    2,
	}
	orders := [][]comptoir.Sale{
		{s1, s2, s3, s4, s5, s6},
		{s6, s5, s4, s3, s2, s1},
		{s3, s5, s1, s6, s4, s2},
	}
	for _, order := range orders {
		var got comptoir.Totals
		for _, s := range order {
			got.Add(s)
		}
		if !got.Equal(want) {
			t.Errorf("Add in order %v:\n got %+v\nwant %+v", numbers(order), got, want)
		}
		// Cash is counted net of change: what is in the drawer.
		var sum comptoir.Money
		for _, m := range got.ByMethod {
			sum += m.Amount
		}
		if sum != got.Total {
			t.Errorf("Add in order %v: methods sum to %d, want the total %d", numbers(order), sum, got.Total)
		}
	}

	var onlyTraining comptoir.Totals
	onlyTraining.Add(s3)
	onlyTraining.Add(s6)
	if !onlyTraining.Equal(comptoir.Totals{Training: 2}) {
		t.Errorf("training tickets only: %+v, want just Training = 2", onlyTraining)
	}

	// Change is taken from the cash payments in turn: 5,00 € and 10,00 € cash for 12,00 €.
	var two comptoir.Totals
	two.Add(numbered(t, 7, comptoir.SaleDraft{Lines: lines(comptoir.LineFor(vin, 1)), Payments: payments(pay(comptoir.Cash, 500), pay(comptoir.Cash, 1000))}))
	if got, want := two.ByMethod, []comptoir.MethodTotal{{Method: comptoir.Cash, Amount: 1200}}; !slices.Equal(got, want) {
		t.Errorf("ByMethod = %+v, want %+v", got, want)
	}
}

func numbers(ss []comptoir.Sale) []uint64 {
	var n []uint64
	for _, s := range ss {
		n = append(n, s.Number)
	}
	return n
}

// randomSale makes a valid sale (or refund, or training ticket) with random lines and payments.
func randomSale(t *testing.T, r *rand.Rand, n uint64) comptoir.Sale {
	t.Helper()
	refund := r.IntN(6) == 0
	ls := randomLines(r, 1+r.IntN(8), refund)
	var total comptoir.Money
	for _, l := range ls {
		total += l.Total
	}
	d := comptoir.SaleDraft{Lines: ls, Training: r.IntN(8) == 0}
	if refund {
		d.RefundOf = 1 + uint64(r.IntN(int(n)))
		card := -comptoir.Money(r.Int64N(int64(-total) + 1))
		if card != 0 {
			d.Payments = append(d.Payments, pay(comptoir.Card, card))
		}
		if rest := total - card; rest != 0 {
			d.Payments = append(d.Payments, pay(comptoir.Cash, rest))
		}
	} else {
		card := comptoir.Money(r.Int64N(int64(total) + 1))
		if card != 0 {
			d.Payments = append(d.Payments, pay([]comptoir.PaymentMethod{comptoir.Card, comptoir.Other}[r.IntN(2)], card))
		}
		// Cash covers the rest, sometimes with a note that calls for change.
		if rest := total - card + comptoir.Money(r.IntN(3)*r.IntN(5000)); rest != 0 {
			d.Payments = append(d.Payments, pay(comptoir.Cash, rest))
		}
	}
	return numbered(t, n, d)
}

func TestTotalsMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2026))
	for month := range 50 {
		var sales []comptoir.Sale
		for n := range uint64(1 + r.IntN(120)) {
			sales = append(sales, randomSale(t, r, n+1))
		}
		// Split the month into days at random points, some days empty.
		var days []comptoir.Totals
		var all comptoir.Totals
		for i := 0; i < len(sales); {
			j := min(len(sales), i+r.IntN(15))
			var day comptoir.Totals
			for _, s := range sales[i:j] {
				day.Add(s)
				all.Add(s)
			}
			days = append(days, day)
			i = j
		}
		var merged comptoir.Totals
		for _, d := range days {
			merged.Merge(d)
		}
		if !merged.Equal(all) {
			t.Fatalf("month %d: merging the days\n got %+v\nwant %+v", month, merged, all)
		}
		// Merging is associative: a year of two halves equals the year of its days.
		half := len(days) / 2
		var a, b, year comptoir.Totals
		for _, d := range days[:half] {
			a.Merge(d)
		}
		for _, d := range days[half:] {
			b.Merge(d)
		}
		year.Merge(a)
		year.Merge(b)
		if !year.Equal(all) {
			t.Fatalf("month %d: merging two halves\n got %+v\nwant %+v", month, year, all)
		}
		checkTotals(t, all, sales)
	}

	// Merging nothing changes nothing.
	var day comptoir.Totals
	day.Add(randomSale(t, r, 4))
	before := day
	before.ByMethod = slices.Clone(day.ByMethod)
	before.VAT = slices.Clone(day.VAT)
	day.Merge(comptoir.Totals{})
	if !day.Equal(before) {
		t.Errorf("Merge(empty) changed %+v into %+v", before, day)
	}
	// A day of training only bounds no ticket.
	day.Merge(comptoir.Totals{Training: 3})
	if got, want := day.Training, before.Training+3; got != want {
		t.Errorf("Training = %d, want %d", got, want)
	}
	if day.FirstTicket != 4 || day.LastTicket != 4 {
		t.Errorf("tickets %d-%d, want 4-4", day.FirstTicket, day.LastTicket)
	}
}

// checkTotals compares totals with figures recomputed directly from the tickets.
func checkTotals(t *testing.T, got comptoir.Totals, sales []comptoir.Sale) {
	t.Helper()
	var want comptoir.Totals
	byMethod := map[comptoir.PaymentMethod]comptoir.Money{}
	var lines []comptoir.Line
	for _, s := range sales {
		if s.Training {
			want.Training++
			continue
		}
		want.Tickets++
		want.Total += s.Total
		if s.IsRefund() {
			want.Refunds += s.Total
		}
		for _, p := range s.Payments {
			byMethod[p.Method] += p.Amount
		}
		byMethod[comptoir.Cash] -= s.Change
		lines = append(lines, s.Lines...)
		if want.FirstTicket == 0 || s.Number < want.FirstTicket {
			want.FirstTicket = s.Number
		}
		want.LastTicket = max(want.LastTicket, s.Number)
	}
	if got.Tickets != want.Tickets || got.Total != want.Total || got.Refunds != want.Refunds ||
		got.Training != want.Training || got.FirstTicket != want.FirstTicket || got.LastTicket != want.LastTicket {
		t.Fatalf("totals %+v, want %+v", got, want)
	}
	gotByMethod := map[comptoir.PaymentMethod]comptoir.Money{}
	for _, m := range got.ByMethod {
		gotByMethod[m.Method] += m.Amount
	}
	for _, m := range comptoir.PaymentMethods {
		if gotByMethod[m] != byMethod[m] {
			t.Fatalf("%s = %d, want %d", m, gotByMethod[m], byMethod[m])
		}
	}
	var vatTTC, vatSum comptoir.Money
	for i, v := range got.VAT {
		if i > 0 && got.VAT[i-1].Rate <= v.Rate {
			t.Fatalf("VAT %+v not ordered highest rate first", got.VAT)
		}
		if v.Base+v.VAT != v.TTC {
			t.Fatalf("VAT line %+v: base + VAT != TTC", v)
		}
		vatTTC += v.TTC
		vatSum += v.VAT
	}
	if vatTTC != got.Total {
		t.Fatalf("VAT lines sum to %d, want the total %d", vatTTC, got.Total)
	}
	// Per-ticket rounding keeps the period's VAT within a cent per rate and ticket of the VAT of the
	// whole period computed at once.
	var once comptoir.Money
	for _, v := range comptoir.VATBreakdown(lines) {
		once += v.VAT
	}
	if d := abs(int64(vatSum - once)); d > int64(len(sales)*len(comptoir.VATRates)) {
		t.Fatalf("period VAT %d is %d cents from %d", vatSum, d, once)
	}
}

func TestTotalsEqual(t *testing.T) {
	base := func() comptoir.Totals {
		return comptoir.Totals{
			Tickets: 3, Total: 1000, Refunds: -200, Training: 1, FirstTicket: 4, LastTicket: 7,
			ByMethod: []comptoir.MethodTotal{{Method: comptoir.Cash, Amount: 600}, {Method: comptoir.Card, Amount: 400}},
			VAT:      []comptoir.VATLine{{Rate: comptoir.VATNormal, Base: 833, VAT: 167, TTC: 1000}},
		}
	}
	if a, b := base(), base(); !a.Equal(b) {
		t.Errorf("Equal(identical totals) = false")
	}
	changes := []struct {
		name   string
		change func(*comptoir.Totals)
	}{
		{"Tickets", func(x *comptoir.Totals) { x.Tickets++ }},
		{"Total", func(x *comptoir.Totals) { x.Total++ }},
		{"Refunds", func(x *comptoir.Totals) { x.Refunds-- }},
		{"Training", func(x *comptoir.Totals) { x.Training = 0 }},
		{"FirstTicket", func(x *comptoir.Totals) { x.FirstTicket = 3 }},
		{"LastTicket", func(x *comptoir.Totals) { x.LastTicket = 8 }},
		{"method amount", func(x *comptoir.Totals) { x.ByMethod[1].Amount++ }},
		{"method name", func(x *comptoir.Totals) { x.ByMethod[1].Method = comptoir.Other }},
		{"method added", func(x *comptoir.Totals) {
			x.ByMethod = append(x.ByMethod, comptoir.MethodTotal{Method: comptoir.Other})
		}},
		{"VAT amount", func(x *comptoir.Totals) { x.VAT[0].VAT++ }},
		{"VAT added", func(x *comptoir.Totals) { x.VAT = append(x.VAT, comptoir.VATLine{Rate: comptoir.VATReduced}) }},
	}
	for _, c := range changes {
		a, b := base(), base()
		c.change(&b)
		if a.Equal(b) || b.Equal(a) {
			t.Errorf("Equal = true after changing %s", c.name)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want comptoir.ClosingKind
	}{
		{"2026-03-15", comptoir.DayClosing},
		{"2024-02-29", comptoir.DayClosing},
		{"2026-03", comptoir.MonthClosing},
		{"2026-12", comptoir.MonthClosing},
		{"2026", comptoir.YearClosing},
	}
	for _, tt := range tests {
		got, err := comptoir.ParsePeriod(tt.in)
		if err != nil {
			t.Errorf("ParsePeriod(%q): unexpected error %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParsePeriod(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"2026-13-01", "2026-1", "abcd", "", "2026-02-30", "2023-02-29", "2026-13", "2026-00",
		"26-03-15", "2026/03/15", "15-03-2026", "2026-03-15T10:00", " 2026", "20261", "2026-3-15"} {
		t.Run(in, func(t *testing.T) {
			got, err := comptoir.ParsePeriod(in)
			checkErr(t, err, comptoir.ErrInvalidPeriod)
			if got != "" {
				t.Errorf("ParsePeriod(%q) = %q with an error", in, got)
			}
			contains(t, "Message(fr)", comptoir.Message(err, fr), "« "+strings.TrimSpace(in)+" »")
		})
	}
}

func TestParseDay(t *testing.T) {
	got, err := comptoir.ParseDay("2026-03-15")
	if err != nil {
		t.Fatalf("ParseDay: unexpected error %v", err)
	}
	if want := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ParseDay(2026-03-15) = %v, want %v", got, want)
	}
	for _, in := range []string{"2026-13-01", "2026-1", "abcd", "", "2026-03", "2026", "2026-02-30", "2026-3-15", "2026-03-15 ", "15/03/2026"} {
		t.Run(in, func(t *testing.T) {
			got, err := comptoir.ParseDay(in)
			checkErr(t, err, comptoir.ErrInvalidDate)
			if !got.IsZero() {
				t.Errorf("ParseDay(%q) = %v with an error", in, got)
			}
			contains(t, "Message(en)", comptoir.Message(err, en), "YYYY-MM-DD")
		})
	}
}

func TestDayOf(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		at   time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2026, 3, 15, 23, 30, 0, 0, time.UTC), paris, "2026-03-16"},
		{time.Date(2026, 3, 15, 21, 59, 0, 0, time.UTC), paris, "2026-03-15"},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), paris, "2027-01-01"},
		{time.Date(2026, 3, 15, 23, 30, 0, 0, time.UTC), time.UTC, "2026-03-15"},
	}
	for _, tt := range tests {
		if got, want := comptoir.DayOf(tt.at, tt.loc), tt.want; got != want {
			t.Errorf("DayOf(%v, %v) = %q, want %q", tt.at, tt.loc, got, want)
		}
	}
}

func TestRecordRefFormat(t *testing.T) {
	tests := []struct {
		ref    comptoir.RecordRef
		fr, en string
	}{
		{comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 42}, "ticket 42", "ticket 42"},
		{comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: 3}, "clôture 3", "closing 3"},
		{comptoir.RecordRef{Kind: comptoir.TicketRecord, Position: 7}, "enregistrement n° 7 du journal", "journal record #7"},
	}
	for _, tt := range tests {
		if got, want := tt.ref.Format(fr), tt.fr; got != want {
			t.Errorf("%+v.Format(fr) = %q, want %q", tt.ref, got, want)
		}
		if got, want := tt.ref.Format(en), tt.en; got != want {
			t.Errorf("%+v.Format(en) = %q, want %q", tt.ref, got, want)
		}
	}
}

func TestCheckClosable(t *testing.T) {
	const today = "2026-03-10"
	tests := []struct {
		period, first string
		want          comptoir.Code // empty when the period may be closed
	}{
		{"2026-03-10", "2026-03-01", ""},
		{"2026-03-10", "", ""},
		{"2026-03-09", "", comptoir.CodePeriodEmptyJournal},
		{"2026-02", "", comptoir.CodePeriodEmptyJournal},
		{"2026-03-05", "2026-03-01", ""},
		{"2026-02", "2026-02-28", ""},
		{"2026-02", "2026-03-01", comptoir.CodePeriodBeforeJournal},
		{"2025", "2025-12-31", ""},
		{"2025", "2026-01-01", comptoir.CodePeriodBeforeJournal},
		{"1999-01-01", "2026-03-01", comptoir.CodePeriodBeforeJournal},
		{"0000", "2026-03-01", comptoir.CodePeriodBeforeJournal},
		{"2026-03", "2026-03-01", comptoir.CodePeriodNotOver},
		{"2026", "2025-01-01", comptoir.CodePeriodNotOver},
		{"2026-03-11", "2026-03-01", comptoir.CodePeriodInFuture},
		{"2026-04", "2026-03-01", comptoir.CodePeriodInFuture},
		{"2027", "", comptoir.CodePeriodInFuture},
		{"2026-3-1", "", comptoir.CodeInvalidPeriod},
	}
	for _, tt := range tests {
		err := comptoir.CheckClosable(tt.period, today, tt.first)
		var got comptoir.Code
		if e := (*comptoir.Error)(nil); errors.As(err, &e) {
			got = e.Code
		} else if err != nil {
			t.Errorf("CheckClosable(%s, first %q) = untyped %v", tt.period, tt.first, err)
		}
		if got != tt.want {
			t.Errorf("CheckClosable(%s, first %q) = %v, want code %q", tt.period, tt.first, err, tt.want)
		}
	}
	for _, tt := range []struct{ period, first, last string }{
		{"2026-03-10", "2026-03-10", "2026-03-10"},
		{"2024-02", "2024-02-01", "2024-02-29"},
		{"2025-12", "2025-12-01", "2025-12-31"},
		{"0000", "0000-01-01", "0000-12-31"},
	} {
		first, last, err := comptoir.PeriodBounds(tt.period)
		if err != nil || first != tt.first || last != tt.last {
			t.Errorf("PeriodBounds(%s) = %s, %s, %v, want %s, %s", tt.period, first, last, err, tt.first, tt.last)
		}
	}
}

// TestVerifyReport_Summary checks the counts' singular and plural: "1 tickets, 1 clôtures" was
// printed before.
func TestVerifyReport_Summary(t *testing.T) {
	for _, tc := range []struct {
		tickets, closings int64
		lang              comptoir.Lang
		want              string
	}{
		{1, 0, comptoir.LangFR, "journal intact : 1 ticket, 0 clôture, grand total perpétuel 1,30 €"},
		{2000, 32, comptoir.LangFR, "journal intact : 2000 tickets, 32 clôtures, grand total perpétuel 1,30 €"},
		{1, 0, comptoir.LangEN, "journal intact: 1 ticket, 0 closings, perpetual grand total €1.30"},
		{3, 1, comptoir.LangEN, "journal intact: 3 tickets, 1 closing, perpetual grand total €1.30"},
	} {
		rep := comptoir.VerifyReport{Tickets: tc.tickets, Closings: tc.closings, GrandTotal: comptoir.Euros(1, 30)}
		if got := rep.Summary(tc.lang); got != tc.want {
			t.Errorf("Summary(%d, %d, %s) = %q, want %q", tc.tickets, tc.closings, tc.lang, got, tc.want)
		}
	}
}
