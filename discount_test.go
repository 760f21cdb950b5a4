package comptoir_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// Two products of 10,00 € TTC, at the normal and the reduced rate.
var (
	dix20 = comptoir.Product{GTIN: vin.GTIN, Name: "Vin", Price: 1000, VAT: comptoir.VATNormal}
	dix55 = comptoir.Product{GTIN: pomme.GTIN, Name: "Pomme", Price: 1000, VAT: comptoir.VATReduced}
)

// at makes a one-unit line of a given total at a rate.
func at(total comptoir.Money, rate comptoir.VATRate) comptoir.Line {
	return comptoir.Line{GTIN: vin.GTIN, Name: "x", Qty: 1, UnitPrice: total, VAT: rate, Total: total}
}

func TestBuildSaleDiscount(t *testing.T) {
	basket := lines(comptoir.LineFor(dix20, 1), comptoir.LineFor(dix55, 1))
	back := lines(comptoir.LineFor(dix20, -1), comptoir.LineFor(dix55, -1))
	// 5,00 € off 20,00 € shared in proportion: 7,50 € TTC left at each rate.
	halfOff := []comptoir.VATLine{
		{Rate: comptoir.VATNormal, Base: 625, VAT: 125, TTC: 750},
		{Rate: comptoir.VATReduced, Base: 711, VAT: 39, TTC: 750},
	}
	halfBack := []comptoir.VATLine{
		{Rate: comptoir.VATNormal, Base: -625, VAT: -125, TTC: -750},
		{Rate: comptoir.VATReduced, Base: -711, VAT: -39, TTC: -750},
	}
	free := []comptoir.VATLine{{Rate: comptoir.VATNormal}, {Rate: comptoir.VATReduced}}
	tests := []struct {
		name   string
		draft  comptoir.SaleDraft
		total  comptoir.Money
		change comptoir.Money
		vat    []comptoir.VATLine
		err    *comptoir.Error
		fr, en []string
	}{
		{name: "shared in proportion", draft: comptoir.SaleDraft{Lines: basket, Discount: 500, Payments: payments(pay(comptoir.Card, 1500))},
			total: 1500, vat: halfOff},
		{name: "change on the discounted total", draft: comptoir.SaleDraft{Lines: basket, Discount: 500, Payments: payments(pay(comptoir.Cash, 2000))},
			total: 1500, change: 500, vat: halfOff},
		{name: "no discount", draft: comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.Card, 2000))},
			total: 2000, vat: comptoir.VATBreakdown(basket)},
		{name: "one cent", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(vin, 1)), Discount: 1, Payments: payments(pay(comptoir.Card, 1199))},
			total: 1199, vat: []comptoir.VATLine{{Rate: comptoir.VATNormal, Base: 999, VAT: 200, TTC: 1199}}},
		{name: "whole ticket, nothing to pay", draft: comptoir.SaleDraft{Lines: basket, Discount: 2000},
			total: 0, vat: free},
		{name: "refund", draft: comptoir.SaleDraft{RefundOf: 3, Lines: back, Discount: -500, Payments: payments(pay(comptoir.Card, -1500))},
			total: -1500, vat: halfBack},
		{name: "refund without discount", draft: comptoir.SaleDraft{RefundOf: 3, Lines: back, Payments: payments(pay(comptoir.Cash, -2000))},
			total: -2000, vat: comptoir.VATBreakdown(back)},
		{name: "refund of a free ticket", draft: comptoir.SaleDraft{RefundOf: 3, Lines: back, Discount: -2000},
			total: 0, vat: free},
		{name: "ErrInvalidDiscount/more than the lines", draft: comptoir.SaleDraft{Lines: basket, Discount: 2001},
			err: comptoir.ErrInvalidDiscount, fr: []string{"remise invalide 20,01 € sur un ticket de 20,00 €"}, en: []string{"invalid discount €20.01 on a ticket of €20.00"}},
		{name: "ErrInvalidDiscount/negative", draft: comptoir.SaleDraft{Lines: basket, Discount: -1, Payments: payments(pay(comptoir.Card, 2001))},
			err: comptoir.ErrInvalidDiscount, fr: []string{"-0,01 €"}},
		{name: "ErrInvalidDiscount/positive on a refund", draft: comptoir.SaleDraft{RefundOf: 3, Lines: back, Discount: 500, Payments: payments(pay(comptoir.Card, -2500))},
			err: comptoir.ErrInvalidDiscount, fr: []string{"remise invalide 5,00 € sur un ticket de -20,00 €"}},
		{name: "ErrInvalidDiscount/more than the refund", draft: comptoir.SaleDraft{RefundOf: 3, Lines: back, Discount: -2001},
			err: comptoir.ErrInvalidDiscount, fr: []string{"-20,01 €"}},
		{name: "ErrUnderpaid on the discounted total", draft: comptoir.SaleDraft{Lines: basket, Discount: 500, Payments: payments(pay(comptoir.Card, 1400))},
			err: comptoir.ErrUnderpaid, fr: []string{"il manque 1,00 € (total 15,00 €, reçu 14,00 €)"}},
		{name: "ErrOverpaidNonCash on the discounted total", draft: comptoir.SaleDraft{Lines: basket, Discount: 500, Payments: payments(pay(comptoir.Card, 2000))},
			err: comptoir.ErrOverpaidNonCash, fr: []string{"dépasse le dû de 5,00 €"}},
		{name: "ErrInvalidPayment on a free ticket", draft: comptoir.SaleDraft{Lines: basket, Discount: 2000, Payments: payments(pay(comptoir.Card, 0))},
			err: comptoir.ErrInvalidPayment},
		{name: "ErrRefundPaymentMismatch on the discounted refund", draft: comptoir.SaleDraft{RefundOf: 3, Lines: back, Discount: -500, Payments: payments(pay(comptoir.Cash, -2000))},
			err: comptoir.ErrRefundPaymentMismatch, fr: []string{"exactement 15,00 € (rendu : 20,00 €)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := comptoir.BuildSale(tt.draft)
			checkErr(t, err, tt.err)
			contains(t, "Message(fr)", comptoir.Message(err, fr), tt.fr...)
			contains(t, "Message(en)", comptoir.Message(err, en), tt.en...)
			if tt.err != nil {
				if s.Lines != nil || s.Total != 0 || s.Discount != 0 {
					t.Errorf("BuildSale returned a partial sale %+v with the error", s)
				}
				return
			}
			if got, want := s.Total, tt.total; got != want {
				t.Errorf("Total = %d, want %d", got, want)
			}
			if got, want := s.Discount, tt.draft.Discount; got != want {
				t.Errorf("Discount = %d, want %d", got, want)
			}
			var lineSum comptoir.Money
			for _, l := range s.Lines {
				lineSum += l.Total
			}
			if got, want := s.Total, lineSum-tt.draft.Discount; got != want {
				t.Errorf("Total = %d, want the lines %d less the discount %d", got, lineSum, tt.draft.Discount)
			}
			if got, want := s.Change, tt.change; got != want {
				t.Errorf("Change = %d, want %d", got, want)
			}
			if !slices.Equal(s.VAT, tt.vat) {
				t.Errorf("VAT = %+v, want %+v", s.VAT, tt.vat)
			}
			var ttc comptoir.Money
			for _, v := range s.VAT {
				if v.Base+v.VAT != v.TTC {
					t.Errorf("VAT line %+v: base + VAT != TTC", v)
				}
				ttc += v.TTC
			}
			if ttc != s.Total {
				t.Errorf("VAT lines sum to %d, want the total %d", ttc, s.Total)
			}
			if got, want := s.Paid()-s.Change, s.Total; got != want {
				t.Errorf("Paid() - Change = %d, want the total %d", got, want)
			}
			if !comptoir.CheckSale(s) {
				t.Errorf("CheckSale(built sale) = false")
			}
		})
	}
}

func TestCheckSaleDiscount(t *testing.T) {
	sale := mustBuild(t, comptoir.SaleDraft{
		Lines:    lines(comptoir.LineFor(dix20, 1), comptoir.LineFor(dix55, 1), comptoir.LineFor(journal, 3)),
		Discount: 500, Payments: payments(pay(comptoir.Cash, 2200)),
	})
	refund := mustBuild(t, comptoir.SaleDraft{RefundOf: 1, Lines: lines(comptoir.LineFor(dix20, -1), comptoir.LineFor(journal, -1)), Discount: -190, Payments: payments(pay(comptoir.Cash, -1020))})
	free := mustBuild(t, comptoir.SaleDraft{Lines: lines(comptoir.LineFor(dix55, 1)), Discount: 1000})
	for _, s := range []comptoir.Sale{sale, refund, free} {
		if !comptoir.CheckSale(s) {
			t.Errorf("CheckSale(%+v) = false for a built sale", s)
		}
	}
	altered := []struct {
		name  string
		s     comptoir.Sale
		alter func(*comptoir.Sale)
	}{
		{"discount up", sale, func(s *comptoir.Sale) { s.Discount++ }},
		{"discount down", sale, func(s *comptoir.Sale) { s.Discount-- }},
		{"discount dropped", sale, func(s *comptoir.Sale) { s.Discount = 0 }},
		{"refund discount", refund, func(s *comptoir.Sale) { s.Discount = -100 }},
		{"refund discount dropped", refund, func(s *comptoir.Sale) { s.Discount = 0 }},
		{"free ticket discount", free, func(s *comptoir.Sale) { s.Discount = 900 }},
		// The discount and the total edited together still disagree with the VAT breakdown.
		{"discount and total", sale, func(s *comptoir.Sale) { s.Discount += 100; s.Total -= 100; s.Change += 100 }},
		// Moving a cent of discount from one rate to another keeps every sum but not the shares.
		{"shares", sale, func(s *comptoir.Sale) {
			s.VAT[0] = comptoir.VATFromTTC(s.VAT[0].TTC+1, s.VAT[0].Rate)
			s.VAT[1] = comptoir.VATFromTTC(s.VAT[1].TTC-1, s.VAT[1].Rate)
		}},
	}
	for _, tt := range altered {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			s.VAT = slices.Clone(s.VAT)
			tt.alter(&s)
			if comptoir.CheckSale(s) {
				t.Errorf("CheckSale = true after altering the %s", tt.name)
			}
		})
	}

	// Records no register builds, edited so that their figures agree with each other: a discount
	// larger than the ticket, of the other sign, or on lines of both signs. CheckSale refuses
	// them, and promptly: the journal verifier must not hang or crash on an edited record.
	vin1 := comptoir.LineFor(vin, 1)
	tampered := []struct {
		name string
		s    comptoir.Sale
	}{
		{"discount larger than the lines", comptoir.Sale{Lines: lines(vin1), Discount: 1500, Total: -300,
			VAT: []comptoir.VATLine{comptoir.VATFromTTC(-300, comptoir.VATNormal)}}},
		{"negative discount on a sale", comptoir.Sale{Lines: lines(vin1), Discount: -500, Total: 1700,
			VAT: []comptoir.VATLine{comptoir.VATFromTTC(1700, comptoir.VATNormal)}, Payments: payments(pay(comptoir.Cash, 1700))}},
		{"positive discount on a refund", comptoir.Sale{RefundOf: 1, Lines: lines(comptoir.LineFor(vin, -1)), Discount: 500, Total: -1700,
			VAT: []comptoir.VATLine{comptoir.VATFromTTC(-1700, comptoir.VATNormal)}, Payments: payments(pay(comptoir.Cash, -1700))}},
		{"lines of both signs", comptoir.Sale{Lines: lines(at(1000, comptoir.VATNormal), at(-900, comptoir.VATReduced)), Discount: 50, Total: 50,
			VAT: []comptoir.VATLine{comptoir.VATFromTTC(975, comptoir.VATNormal), comptoir.VATFromTTC(-925, comptoir.VATReduced)}}},
		{"lines summing to zero", comptoir.Sale{Lines: lines(at(1000, comptoir.VATNormal), at(-1000, comptoir.VATReduced)), Discount: 1, Total: -1,
			VAT: []comptoir.VATLine{comptoir.VATFromTTC(999, comptoir.VATNormal), comptoir.VATFromTTC(-1000, comptoir.VATReduced)}}},
		{"huge lines of both signs", comptoir.Sale{Lines: lines(at(10_000_000_000, comptoir.VATNormal), at(-9_999_999_999, comptoir.VATReduced)), Discount: 10_000_000_000, Total: -9_999_999_999}},
		// Rates' totals that overflow when summed: 2 × (2⁶³ − 1) + 7 wraps to 5.
		{"overflowing rates", comptoir.Sale{Lines: lines(at(math.MaxInt64, comptoir.VATNormal), at(math.MaxInt64, comptoir.VATIntermediate), at(7, comptoir.VATReduced)), Discount: 2, Total: 3}},
		{"no VAT breakdown", comptoir.Sale{Lines: lines(vin1), Discount: 1500, Total: -300}},
	}
	for _, tt := range tampered {
		t.Run(tt.name, func(t *testing.T) {
			within(t, 5*time.Second, func() {
				if comptoir.CheckSale(tt.s) {
					t.Errorf("CheckSale(%+v) = true", tt.s)
				}
				comptoir.VATBreakdownDiscounted(tt.s.Lines, tt.s.Discount)
			})
		})
	}
}

// within fails the test if f does not return in time.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
	}
}

func TestVATBreakdownDiscounted(t *testing.T) {
	vat := func(ls ...comptoir.VATLine) []comptoir.VATLine { return ls }
	n, i, r, s := comptoir.VATNormal, comptoir.VATIntermediate, comptoir.VATReduced, comptoir.VATSpecial
	f := comptoir.VATFromTTC
	tests := []struct {
		name     string
		lines    []comptoir.Line
		discount comptoir.Money
		want     []comptoir.VATLine
	}{
		{"no discount", lines(at(1000, n), at(1000, r)), 0, vat(f(1000, n), f(1000, r))},
		{"even split", lines(at(1000, n), at(1000, r)), 500, vat(f(750, n), f(750, r))},
		{"in proportion", lines(at(3000, n), at(1000, r)), 400, vat(f(2700, n), f(900, r))},
		// Half a cent each: the tie goes to the highest rate.
		{"tie to the highest rate", lines(at(1000, n), at(1000, r)), 1, vat(f(999, n), f(1000, r))},
		{"tie to the highest rate, given last", lines(at(1000, r), at(1000, n)), 1, vat(f(999, n), f(1000, r))},
		// Exact shares 0,5 + 1 + 3,5: one cent left, to the highest of the two largest remainders.
		{"largest remainders", lines(at(100, n), at(200, i), at(700, r)), 5, vat(f(99, n), f(199, i), f(697, r))},
		// Exact shares 0,7 + 6,3 and 6,3 + 0,7: the cent goes to the largest remainder.
		{"largest remainder first", lines(at(100, n), at(900, r)), 7, vat(f(99, n), f(894, r))},
		{"largest remainder last", lines(at(900, n), at(100, r)), 7, vat(f(894, n), f(99, r))},
		{"one rate", lines(at(1200, n), at(800, n)), 333, vat(f(1667, n))},
		{"four rates", lines(at(1, n), at(1, i), at(1, r), at(1, s)), 3, vat(f(0, n), f(0, i), f(0, r), f(1, s))},
		{"whole ticket", lines(at(1234, n), at(567, s)), 1801, vat(f(0, n), f(0, s))},
		{"refund", lines(at(-100, n), at(-200, i), at(-700, r)), -5, vat(f(-99, n), f(-199, i), f(-697, r))},
		{"refund, tie", lines(at(-1000, n), at(-1000, r)), -1, vat(f(-999, n), f(-1000, r))},
		{"whole refund", lines(at(-1000, n), at(-1000, r)), -2000, vat(f(0, n), f(0, r))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := comptoir.VATBreakdownDiscounted(tt.lines, tt.discount)
			if !slices.Equal(got, tt.want) {
				t.Errorf("VATBreakdownDiscounted = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestVATBreakdownDiscountedRandom checks the sharing of a discount between rates on random
// tickets: exact sums, shares in proportion to the cent, the largest remainders served first.
func TestVATBreakdownDiscountedRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 5))
	for n := range 5000 {
		refund := n%3 == 0
		ls := randomLines(r, 1+r.IntN(12), refund)
		var total comptoir.Money
		for _, l := range ls {
			total += l.Total
		}
		var discount comptoir.Money
		switch n % 7 {
		case 0:
		case 1:
			discount = total
		case 2:
			discount = 1
		default:
			discount = comptoir.Money(r.Int64N(int64(abs(int64(total))) + 1))
		}
		if refund {
			discount = -abs64m(discount)
		}
		plain := comptoir.VATBreakdown(ls)
		got := comptoir.VATBreakdownDiscounted(ls, discount)
		if discount == 0 && !slices.Equal(got, plain) {
			t.Fatalf("ticket %d: no discount gives %+v, want VATBreakdown %+v", n, got, plain)
		}
		if len(got) != len(plain) {
			t.Fatalf("ticket %d: %d VAT lines, want %d", n, len(got), len(plain))
		}
		var sum comptoir.Money
		type cut struct {
			extra bool
			rem   *big.Int
			rate  comptoir.VATRate
		}
		var cuts []cut
		absT := big.NewInt(abs(int64(total)))
		for i, v := range got {
			if v.Rate != plain[i].Rate {
				t.Fatalf("ticket %d: rates %+v, want those of %+v", n, got, plain)
			}
			if v != comptoir.VATFromTTC(v.TTC, v.Rate) {
				t.Fatalf("ticket %d: VAT line %+v is not its TTC split at its rate", n, v)
			}
			if v.TTC != 0 && (v.TTC < 0) != (total < 0) {
				t.Fatalf("ticket %d: VAT line %+v has the sign opposite to the total %d", n, v, total)
			}
			share := plain[i].TTC - v.TTC
			if share != 0 && (share < 0) != (discount < 0) {
				t.Fatalf("ticket %d: share %d of rate %s has the sign opposite to the discount %d", n, share, v.Rate, discount)
			}
			if abs(int64(share)) > abs(int64(plain[i].TTC)) {
				t.Fatalf("ticket %d: share %d of rate %s exceeds its TTC %d", n, share, v.Rate, plain[i].TTC)
			}
			// ||share| × |total| − |discount × ttc|| < |total|: the share is the exact one rounded to
			// a neighbouring cent, away from zero when the rate got one of the cents left over.
			exact := new(big.Int).Mul(big.NewInt(abs(int64(discount))), big.NewInt(abs(int64(plain[i].TTC))))
			diff := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(abs(int64(share))), absT), exact)
			if diff.CmpAbs(absT) >= 0 {
				t.Fatalf("ticket %d: share %d of rate %s is not %d × %d / %d to the cent", n, share, v.Rate, discount, plain[i].TTC, total)
			}
			cuts = append(cuts, cut{extra: diff.Sign() > 0, rem: new(big.Int).Rem(exact, absT), rate: v.Rate})
			sum += v.TTC
		}
		if sum != total-discount {
			t.Fatalf("ticket %d: VAT lines sum to %d, want %d - %d", n, sum, total, discount)
		}
		for _, a := range cuts {
			for _, b := range cuts {
				if a.extra && !b.extra && (a.rem.Cmp(b.rem) < 0 || a.rem.Cmp(b.rem) == 0 && a.rate < b.rate) {
					t.Fatalf("ticket %d: rate %s (remainder %v) got a cent before rate %s (remainder %v)", n, a.rate, a.rem, b.rate, b.rem)
				}
			}
		}

		// The same ticket rung up: it builds, pays exactly and verifies.
		d := comptoir.SaleDraft{Lines: ls, Discount: discount}
		if refund {
			d.RefundOf = 1
		}
		if due := total - discount; due != 0 {
			d.Payments = payments(pay(comptoir.Card, due))
		}
		s, err := comptoir.BuildSale(d)
		if err != nil {
			t.Fatalf("ticket %d: BuildSale: %v", n, err)
		}
		if !slices.Equal(s.VAT, got) || s.Total != total-discount || !comptoir.CheckSale(s) {
			t.Fatalf("ticket %d: built sale %+v disagrees with the breakdown %+v", n, s, got)
		}
	}
}

func abs64m(m comptoir.Money) comptoir.Money { return comptoir.Money(abs(int64(m))) }

func TestTotalsDiscounts(t *testing.T) {
	// 1: 20,00 € less 5,00 € by card.
	s1 := numbered(t, 1, comptoir.SaleDraft{Lines: lines(comptoir.LineFor(dix20, 1), comptoir.LineFor(dix55, 1)), Discount: 500, Payments: payments(pay(comptoir.Card, 1500))})
	// 2: a vin without discount, in cash.
	s2 := numbered(t, 2, comptoir.SaleDraft{Lines: lines(comptoir.LineFor(vin, 1)), Payments: payments(pay(comptoir.Cash, 1200))})
	// 3: a training ticket with a discount, counted nowhere.
	s3 := numbered(t, 3, comptoir.SaleDraft{Training: true, Lines: lines(comptoir.LineFor(vin, 1)), Discount: 300, Payments: payments(pay(comptoir.Cash, 900))})
	// 4: the first line of ticket 1 refunded with its share of the discount.
	s4 := numbered(t, 4, comptoir.SaleDraft{RefundOf: 1, Lines: lines(comptoir.LineFor(dix20, -1)), Discount: -250, Payments: payments(pay(comptoir.Card, -750))})
	want := comptoir.Totals{
		Tickets:   3,
		Total:     1500 + 1200 - 750,
		Refunds:   -750,
		Discounts: 500 - 250,
		ByMethod:  []comptoir.MethodTotal{{Method: comptoir.Cash, Amount: 1200}, {Method: comptoir.Card, Amount: 750}},
		VAT: []comptoir.VATLine{
			{Rate: comptoir.VATNormal, Base: 625 + 1000 - 625, VAT: 125 + 200 - 125, TTC: 750 + 1200 - 750},
			{Rate: comptoir.VATReduced, Base: 711, VAT: 39, TTC: 750},
		},
		FirstTicket: 1, LastTicket: 4, Training: 1,
	}
	var all comptoir.Totals
	for _, s := range []comptoir.Sale{s1, s2, s3, s4} {
		all.Add(s)
	}
	if !all.Equal(want) {
		t.Errorf("Add:\n got %+v\nwant %+v", all, want)
	}
	var day1, day2, merged comptoir.Totals
	day1.Add(s1)
	day1.Add(s2)
	day2.Add(s3)
	day2.Add(s4)
	if got, want := day1.Discounts, comptoir.Money(500); got != want {
		t.Errorf("day 1 Discounts = %d, want %d", got, want)
	}
	if got, want := day2.Discounts, comptoir.Money(-250); got != want {
		t.Errorf("day 2 Discounts = %d, want %d (the training discount does not count)", got, want)
	}
	merged.Merge(day1)
	merged.Merge(day2)
	if !merged.Equal(want) {
		t.Errorf("Merge:\n got %+v\nwant %+v", merged, want)
	}

	var training comptoir.Totals
	training.Add(s3)
	if training.Discounts != 0 || !training.Equal(comptoir.Totals{Training: 1}) {
		t.Errorf("a training ticket counted: %+v", training)
	}

	other := want
	other.Discounts++
	if want.Equal(other) || other.Equal(want) {
		t.Errorf("Equal = true for totals that differ in Discounts")
	}
}
