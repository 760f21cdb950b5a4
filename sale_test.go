package comptoir_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// mustBuild builds a sale from a draft that must be valid.
func mustBuild(t *testing.T, d comptoir.SaleDraft) comptoir.Sale {
	t.Helper()
	s, err := comptoir.BuildSale(d)
	if err != nil {
		t.Fatalf("BuildSale: unexpected error %v", err)
	}
	return s
}

func lines(ls ...comptoir.Line) []comptoir.Line { return ls }

func payments(ps ...comptoir.Payment) []comptoir.Payment { return ps }

func TestBuildSale(t *testing.T) {
	tooMany := make([]comptoir.Line, comptoir.MaxLines+1)
	for i := range tooMany {
		tooMany[i] = comptoir.LineFor(pomme, 1)
	}
	withLine := func(f func(*comptoir.Line)) []comptoir.Line {
		l := comptoir.LineFor(vin, 1)
		f(&l)
		return lines(comptoir.LineFor(pomme, 1), l)
	}
	tests := []struct {
		name  string
		draft comptoir.SaleDraft
		want  *comptoir.Error
		// fr and en are fragments the explanation must hold.
		fr, en []string
	}{
		{name: "ErrEmptyTicket", draft: comptoir.SaleDraft{Payments: payments(pay(comptoir.Cash, 100))}, want: comptoir.ErrEmptyTicket},
		{name: "ErrEmptyTicket/refund", draft: comptoir.SaleDraft{RefundOf: 3, Lines: []comptoir.Line{}}, want: comptoir.ErrEmptyTicket},
		{name: "ErrTooManyLines", draft: comptoir.SaleDraft{Lines: tooMany, Payments: payments(pay(comptoir.Card, 50250))},
			want: comptoir.ErrTooManyLines, fr: []string{"200 au plus"}, en: []string{"200 at most"}},
		{name: "ErrZeroQuantity", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.Qty = 0 }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrZeroQuantity, fr: []string{vin.GTIN}},
		{name: "ErrZeroQuantity/refund", draft: comptoir.SaleDraft{RefundOf: 3, Lines: lines(comptoir.LineFor(vin, 0)), Payments: payments(pay(comptoir.Cash, -100))},
			want: comptoir.ErrZeroQuantity},
		{name: "ErrNegativeQuantity", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.Qty = -1 }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrNegativeQuantity, fr: []string{vin.GTIN, "remboursement"}, en: []string{"refund"}},
		{name: "ErrRefundPositiveQuantity", draft: comptoir.SaleDraft{RefundOf: 7, Lines: lines(comptoir.LineFor(vin, -1), comptoir.LineFor(pomme, 1)), Payments: payments(pay(comptoir.Cash, -950))},
			want: comptoir.ErrRefundPositiveQuantity, fr: []string{pomme.GTIN}},
		{name: "ErrQuantityTooLarge", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(pomme, comptoir.MaxQty+1)), Payments: payments(pay(comptoir.Card, 2500250))},
			want: comptoir.ErrQuantityTooLarge, fr: []string{pomme.GTIN, "9999 au plus"}, en: []string{"9999 at most"}},
		{name: "ErrQuantityTooLarge/refund", draft: comptoir.SaleDraft{RefundOf: 7, Lines: lines(comptoir.LineFor(pomme, -comptoir.MaxQty-1)), Payments: payments(pay(comptoir.Card, -2500250))},
			want: comptoir.ErrQuantityTooLarge},
		{name: "ErrGTINCheckDigit", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.GTIN = "4006381333932" }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrGTINCheckDigit, fr: []string{"4006381333932", "devrait être 1"}},
		{name: "ErrGTINChars", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.GTIN = "4006381333A31" }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrGTINChars},
		{name: "ErrGTINLength", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.GTIN = "400638" }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrGTINLength},
		{name: "ErrUnknownVATRate", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.VAT = 1960 }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrUnknownVATRate, en: []string{"19.6%"}},
		{name: "ErrInvalidPrice/zero", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.UnitPrice = 0 }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrInvalidPrice},
		{name: "ErrInvalidPrice/negative", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.UnitPrice = -1200 }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrInvalidPrice, fr: []string{"-12,00 €"}, en: []string{"-€12.00"}},
		{name: "ErrInvalidPrice/negative in refund", draft: comptoir.SaleDraft{RefundOf: 2, Lines: lines(comptoir.Line{GTIN: vin.GTIN, Name: "Vin", Qty: -1, UnitPrice: -1200, VAT: 2000}), Payments: payments(pay(comptoir.Cash, -1200))},
			want: comptoir.ErrInvalidPrice},
		{name: "ErrAmountTooLarge/price", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.UnitPrice = comptoir.MaxAmount + 1 }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrAmountTooLarge, fr: []string{"1 000 000,01 €"}},
		{name: "ErrEmptyName", draft: comptoir.SaleDraft{Lines: withLine(func(l *comptoir.Line) { l.Name = "\x1b\x07\x00\u200b" }), Payments: payments(pay(comptoir.Cash, 5000))},
			want: comptoir.ErrEmptyName},
		{name: "ErrUnderpaid", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Cash, 500), pay(comptoir.Card, 250))},
			want: comptoir.ErrUnderpaid,
			fr:   []string{"paiement insuffisant : il manque 2,50 € (total 10,00 €, reçu 7,50 €)"},
			en:   []string{"underpaid: €2.50 still due (total €10.00, received €7.50)"}},
		{name: "ErrUnderpaid/no payment", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1))},
			want: comptoir.ErrUnderpaid, fr: []string{"il manque 10,00 €"}},
		{name: "ErrUnderpaid/one cent", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Card, 999))},
			want: comptoir.ErrUnderpaid, fr: []string{"il manque 0,01 €"}},
		{name: "ErrOverpaidNonCash", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Card, 1500))},
			want: comptoir.ErrOverpaidNonCash, fr: []string{"dépasse le dû de 5,00 €"}, en: []string{"by €5.00"}},
		{name: "ErrOverpaidNonCash/other", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Card, 900), pay(comptoir.Other, 101))},
			want: comptoir.ErrOverpaidNonCash, fr: []string{"0,01 €"}},
		{name: "ErrOverpaidNonCash/cash too small for the change", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Cash, 100), pay(comptoir.Card, 1100))},
			want: comptoir.ErrOverpaidNonCash, fr: []string{"1,00 €"}},
		// A meal voucher gives no change: worth more than the ticket, it is refused even with cash
		// beside it, which the old rule let through as long as the cash covered the change.
		{name: "ErrMealVoucherExceeds", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.MealVoucher, 1200))},
			want: comptoir.E(comptoir.CodeMealVoucherExceeds),
			fr:   []string{"les titres-restaurant dépassent le dû de 2,00 € : un titre-restaurant ne rend pas de monnaie"},
			en:   []string{"meal vouchers exceed the amount due by €2.00: a meal voucher gives no change"}},
		{name: "ErrMealVoucherExceeds/with cash", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.MealVoucher, 1100), pay(comptoir.Cash, 2000))},
			want: comptoir.E(comptoir.CodeMealVoucherExceeds), fr: []string{"1,00 €"}},
		{name: "ErrMealVoucherExceeds/two vouchers", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.MealVoucher, 900), pay(comptoir.MealVoucher, 900))},
			want: comptoir.E(comptoir.CodeMealVoucherExceeds), fr: []string{"8,00 €"}},
		{name: "ErrOverpaidNonCash/cheque", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Cheque, 1500))},
			want: comptoir.ErrOverpaidNonCash, fr: []string{"le chèque", "5,00 €"}},
		{name: "ErrUnknownPaymentMethod", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay("bitcoin", 1000))},
			want: comptoir.ErrUnknownPaymentMethod, fr: []string{"« bitcoin »"}, en: []string{`"bitcoin"`}},
		{name: "ErrUnknownPaymentMethod/empty", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Cash, 500), pay("", 500))},
			want: comptoir.ErrUnknownPaymentMethod},
		{name: "ErrInvalidPayment/zero", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Card, 1000), pay(comptoir.Cash, 0))},
			want: comptoir.ErrInvalidPayment, fr: []string{"0,00 €"}},
		{name: "ErrInvalidPayment/negative on a sale", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Cash, 2000), pay(comptoir.Card, -1000))},
			want: comptoir.ErrInvalidPayment, fr: []string{"-10,00 €"}},
		{name: "ErrInvalidPayment/positive on a refund", draft: comptoir.SaleDraft{RefundOf: 4, Lines: lines(comptoir.LineFor(repas, -1)), Payments: payments(pay(comptoir.Cash, -2000), pay(comptoir.Card, 1000))},
			want: comptoir.ErrInvalidPayment, fr: []string{"10,00 €"}},
		{name: "ErrInvalidPayment/too large", draft: comptoir.SaleDraft{Lines: lines(comptoir.LineFor(repas, 1)), Payments: payments(pay(comptoir.Cash, comptoir.MaxAmount+1))},
			want: comptoir.ErrInvalidPayment},
		{name: "ErrInvalidPayment/too large refund", draft: comptoir.SaleDraft{RefundOf: 4, Lines: lines(comptoir.LineFor(repas, -1)), Payments: payments(pay(comptoir.Cash, -comptoir.MaxAmount-1))},
			want: comptoir.ErrInvalidPayment},
		{name: "ErrRefundPaymentMismatch/too little", draft: comptoir.SaleDraft{RefundOf: 4, Lines: lines(comptoir.LineFor(pomme, -1)), Payments: payments(pay(comptoir.Cash, -200))},
			want: comptoir.ErrRefundPaymentMismatch,
			fr:   []string{"le remboursement doit rendre exactement 2,50 € (rendu : 2,00 €)"},
			en:   []string{"the refund must pay back exactly €2.50 (paid back: €2.00)"}},
		{name: "ErrRefundPaymentMismatch/too much", draft: comptoir.SaleDraft{RefundOf: 4, Lines: lines(comptoir.LineFor(pomme, -1)), Payments: payments(pay(comptoir.Cash, -300))},
			want: comptoir.ErrRefundPaymentMismatch, fr: []string{"(rendu : 3,00 €)"}},
		{name: "ErrRefundPaymentMismatch/nothing", draft: comptoir.SaleDraft{RefundOf: 4, Lines: lines(comptoir.LineFor(pomme, -1))},
			want: comptoir.ErrRefundPaymentMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := comptoir.BuildSale(tt.draft)
			checkErr(t, err, tt.want)
			if s.Lines != nil || s.Total != 0 || s.Payments != nil {
				t.Errorf("BuildSale returned a partial sale %+v with the error", s)
			}
			contains(t, "Message(fr)", comptoir.Message(err, fr), tt.fr...)
			contains(t, "Message(en)", comptoir.Message(err, en), tt.en...)
		})
	}
}

func TestBuildSaleTotals(t *testing.T) {
	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	// Two pommes (5,00 € at 5,5 %), a vin (12,00 € at 20 %), a repas (10,00 € at 10 %): 27,00 €.
	basket := lines(comptoir.LineFor(pomme, 2), comptoir.LineFor(vin, 1), comptoir.LineFor(repas, 1))
	wantVAT := []comptoir.VATLine{
		{Rate: comptoir.VATNormal, Base: 1000, VAT: 200, TTC: 1200},
		{Rate: comptoir.VATIntermediate, Base: 909, VAT: 91, TTC: 1000},
		{Rate: comptoir.VATReduced, Base: 474, VAT: 26, TTC: 500},
	}
	tests := []struct {
		name     string
		draft    comptoir.SaleDraft
		total    comptoir.Money
		change   comptoir.Money
		vat      []comptoir.VATLine
		paid     comptoir.Money
		isRefund bool
	}{
		{"cash with change", comptoir.SaleDraft{At: at, Cashier: "Marie", Lines: basket, Payments: payments(pay(comptoir.Cash, 3000))},
			2700, 300, wantVAT, 3000, false},
		{"exact card", comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.Card, 2700))},
			2700, 0, wantVAT, 2700, false},
		// The change comes from the cash: the card pays 20,00 €, the cash 10,00 €, 3,00 € back.
		{"cash and card", comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.Card, 2000), pay(comptoir.Cash, 1000))},
			2700, 300, wantVAT, 3000, false},
		// All the cash is given back: the card alone pays the total.
		{"change equals cash", comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.Cash, 500), pay(comptoir.Card, 2700))},
			2700, 500, wantVAT, 3200, false},
		{"three methods", comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.Other, 1000), pay(comptoir.Card, 1000), pay(comptoir.Cash, 2000))},
			2700, 1300, wantVAT, 4000, false},
		{"refund", comptoir.SaleDraft{RefundOf: 12, Lines: lines(comptoir.LineFor(vin, -1)), Payments: payments(pay(comptoir.Card, -1200))},
			-1200, 0, []comptoir.VATLine{{Rate: comptoir.VATNormal, Base: -1000, VAT: -200, TTC: -1200}}, -1200, true},
		{"refund in two methods", comptoir.SaleDraft{RefundOf: 12, Lines: lines(comptoir.LineFor(vin, -1), comptoir.LineFor(pomme, -2)), Payments: payments(pay(comptoir.Card, -1000), pay(comptoir.Cash, -700))},
			-1700, 0, []comptoir.VATLine{{Rate: comptoir.VATNormal, Base: -1000, VAT: -200, TTC: -1200}, {Rate: comptoir.VATReduced, Base: -474, VAT: -26, TTC: -500}}, -1700, true},
		// A meal voucher up to the amount due, the rest in cash with change.
		{"meal voucher and cash", comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.MealVoucher, 900), pay(comptoir.MealVoucher, 900), pay(comptoir.Cash, 2000))},
			2700, 1100, wantVAT, 3800, false},
		{"meal voucher for the whole ticket", comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.MealVoucher, 2700))},
			2700, 0, wantVAT, 2700, false},
		{"cheque and card", comptoir.SaleDraft{Lines: basket, Payments: payments(pay(comptoir.Cheque, 2000), pay(comptoir.Card, 700))},
			2700, 0, wantVAT, 2700, false},
		{"refund of a meal voucher ticket in cash", comptoir.SaleDraft{RefundOf: 12, Lines: lines(comptoir.LineFor(vin, -1)), Payments: payments(pay(comptoir.Cash, -1200))},
			-1200, 0, []comptoir.VATLine{{Rate: comptoir.VATNormal, Base: -1000, VAT: -200, TTC: -1200}}, -1200, true},
		{"training", comptoir.SaleDraft{Training: true, Lines: lines(comptoir.LineFor(vin, 1)), Payments: payments(pay(comptoir.Cash, 1200))},
			1200, 0, []comptoir.VATLine{{Rate: comptoir.VATNormal, Base: 1000, VAT: 200, TTC: 1200}}, 1200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustBuild(t, tt.draft)
			if got, want := s.Total, tt.total; got != want {
				t.Errorf("Total = %d, want %d", got, want)
			}
			if got, want := s.Change, tt.change; got != want {
				t.Errorf("Change = %d, want %d", got, want)
			}
			if got, want := s.Paid(), tt.paid; got != want {
				t.Errorf("Paid() = %d, want %d", got, want)
			}
			if got, want := s.Paid()-s.Change, s.Total; got != want {
				t.Errorf("Paid() - Change = %d, want the total %d", got, want)
			}
			if got, want := s.IsRefund(), tt.isRefund; got != want {
				t.Errorf("IsRefund() = %v, want %v", got, want)
			}
			if !slices.Equal(s.VAT, tt.vat) {
				t.Errorf("VAT = %+v, want %+v", s.VAT, tt.vat)
			}
			if !slices.Equal(s.Lines, tt.draft.Lines) {
				t.Errorf("Lines = %+v, want %+v", s.Lines, tt.draft.Lines)
			}
			if !slices.Equal(s.Payments, tt.draft.Payments) {
				t.Errorf("Payments = %+v, want %+v", s.Payments, tt.draft.Payments)
			}
			if s.At != tt.draft.At || s.Cashier != tt.draft.Cashier || s.Training != tt.draft.Training || s.RefundOf != tt.draft.RefundOf {
				t.Errorf("context not carried: %+v from %+v", s, tt.draft)
			}
			if s.Number != 0 || s.Hash != "" || s.PrevHash != "" || s.GrandTotal != 0 {
				t.Errorf("BuildSale assigned store fields: %+v", s)
			}
			if !comptoir.CheckSale(s) {
				t.Errorf("CheckSale(built sale) = false")
			}
		})
	}
}

func TestBuildSaleRecomputesAndCleans(t *testing.T) {
	d := comptoir.SaleDraft{
		Cashier:        "\x1b[2JMarie\n",
		CustomerID:     "c-42",
		PointsEarned:   5,
		PointsRedeemed: 2,
		Lines: lines(
			comptoir.Line{GTIN: pomme.GTIN, Name: "\x1b[31mPomme\x1b[0m", Qty: 3, UnitPrice: 250, VAT: comptoir.VATReduced, Total: 1},
			comptoir.Line{GTIN: vin.GTIN, Name: strings.Repeat("Vin rouge ", 20), Qty: 1, UnitPrice: 1200, VAT: comptoir.VATNormal},
		),
		Payments: payments(pay(comptoir.Card, 1950)),
	}
	s := mustBuild(t, d)
	if got, want := s.Lines[0].Total, comptoir.Money(750); got != want {
		t.Errorf("line total = %d, want %d: it is quantity × price, whatever the draft said", got, want)
	}
	if got, want := s.Total, comptoir.Money(1950); got != want {
		t.Errorf("Total = %d, want %d", got, want)
	}
	if got, want := s.Lines[0].Name, "Pomme"; got != want {
		t.Errorf("line name = %q, want %q", got, want)
	}
	if got, want := s.Cashier, "Marie"; got != want {
		t.Errorf("Cashier = %q, want %q", got, want)
	}
	for _, l := range s.Lines {
		if strings.ContainsRune(l.Name, '\x1b') || len([]rune(l.Name)) > comptoir.MaxNameLen || strings.TrimSpace(l.Name) != l.Name {
			t.Errorf("line name %q not cleaned", l.Name)
		}
	}
	if s.CustomerID != "c-42" || s.PointsEarned != 5 || s.PointsRedeemed != 2 {
		t.Errorf("loyalty fields not carried: %+v", s)
	}
	if !comptoir.CheckSale(s) {
		t.Errorf("CheckSale(built sale) = false")
	}

	// The sale does not share memory with the draft: editing the draft later changes nothing.
	d.Lines[1].Qty = 5
	d.Payments[0].Amount = 1
	if s.Lines[1].Qty != 1 || s.Payments[0].Amount != 1950 {
		t.Errorf("editing the draft changed the sale: %+v", s)
	}

	// The largest ticket the limits allow: MaxLines lines.
	many := make([]comptoir.Line, comptoir.MaxLines)
	for i := range many {
		many[i] = comptoir.LineFor(repas, comptoir.MaxQty)
	}
	total := comptoir.Money(comptoir.MaxLines * comptoir.MaxQty * 1000)
	var pays []comptoir.Payment
	for due := total; due > 0; due -= min(due, comptoir.MaxAmount) {
		pays = append(pays, pay(comptoir.Card, min(due, comptoir.MaxAmount)))
	}
	s = mustBuild(t, comptoir.SaleDraft{Lines: many, Payments: pays})
	if got, want := s.Total, total; got != want {
		t.Errorf("Total = %d, want %d", got, want)
	}
	if got, want := s.VAT, []comptoir.VATLine{comptoir.VATFromTTC(total, comptoir.VATIntermediate)}; !slices.Equal(got, want) {
		t.Errorf("VAT = %+v, want %+v", got, want)
	}
}

func TestCheckSale(t *testing.T) {
	sale := mustBuild(t, comptoir.SaleDraft{
		Lines:    lines(comptoir.LineFor(pomme, 2), comptoir.LineFor(vin, 1), comptoir.LineFor(repas, 1)),
		Payments: payments(pay(comptoir.Card, 2000), pay(comptoir.Cash, 1000)),
	})
	refund := mustBuild(t, comptoir.SaleDraft{RefundOf: 9, Lines: lines(comptoir.LineFor(vin, -1)), Payments: payments(pay(comptoir.Cash, -1200))})
	long := mustBuild(t, comptoir.SaleDraft{
		Lines:    lines(comptoir.Line{GTIN: vin.GTIN, Name: strings.Repeat("a", comptoir.MaxNameLen-1) + " b", Qty: 1, UnitPrice: 1200, VAT: 2000}),
		Payments: payments(pay(comptoir.Card, 1200)),
	})
	for _, s := range []comptoir.Sale{sale, refund, long} {
		if !comptoir.CheckSale(s) {
			t.Errorf("CheckSale(%+v) = false for a built sale", s)
		}
	}

	// A ticket recorded under older rules (the 19,6 % rate of before 2014, a label longer than
	// today's limit) still verifies: CheckSale checks arithmetic, not today's rules.
	old := comptoir.Sale{
		Lines: []comptoir.Line{{GTIN: vin.GTIN, Name: strings.Repeat("ancien libellé ", 10), Qty: 2, UnitPrice: 1000, VAT: 1960, Total: 2000}},
		Total: 2000, Payments: payments(pay(comptoir.Cash, 2500)), Change: 500,
	}
	old.VAT = comptoir.VATBreakdown(old.Lines)
	if !comptoir.CheckSale(old) {
		t.Errorf("CheckSale of a ticket at the old 19,6 %% rate = false, want true")
	}

	clone := func(s comptoir.Sale) comptoir.Sale {
		s.Lines = slices.Clone(s.Lines)
		s.VAT = slices.Clone(s.VAT)
		s.Payments = slices.Clone(s.Payments)
		return s
	}
	altered := []struct {
		name  string
		alter func(*comptoir.Sale)
	}{
		{"Total", func(s *comptoir.Sale) { s.Total++ }},
		{"Change", func(s *comptoir.Sale) { s.Change-- }},
		{"VAT amount", func(s *comptoir.Sale) { s.VAT[0].VAT++; s.VAT[0].Base-- }},
		{"VAT TTC", func(s *comptoir.Sale) { s.VAT[1].TTC++ }},
		{"VAT rate", func(s *comptoir.Sale) { s.VAT[2].Rate = comptoir.VATSpecial }},
		{"VAT line dropped", func(s *comptoir.Sale) { s.VAT = s.VAT[:2] }},
		{"line total", func(s *comptoir.Sale) { s.Lines[1].Total = 100 }},
		{"line quantity", func(s *comptoir.Sale) { s.Lines[0].Qty = 1 }},
		{"line price", func(s *comptoir.Sale) { s.Lines[0].UnitPrice = 200; s.Lines[0].Total = 400 }},
		{"line dropped", func(s *comptoir.Sale) { s.Lines = s.Lines[1:] }},
		{"payment", func(s *comptoir.Sale) { s.Payments[1].Amount = 2000 }},
		{"payment dropped", func(s *comptoir.Sale) { s.Payments = s.Payments[:1] }},
		{"refund flag", func(s *comptoir.Sale) { s.RefundOf = 3 }},
	}
	for _, tt := range altered {
		t.Run(tt.name, func(t *testing.T) {
			s := clone(sale)
			tt.alter(&s)
			if comptoir.CheckSale(s) {
				t.Errorf("CheckSale = true after altering the %s", tt.name)
			}
			if !comptoir.CheckSale(sale) {
				t.Errorf("CheckSale(original) = false: the alteration leaked into it")
			}
		})
	}
}

func TestCheckRefund(t *testing.T) {
	original := mustBuild(t, comptoir.SaleDraft{
		Lines:    lines(comptoir.LineFor(vin, 2), comptoir.LineFor(pomme, 3), comptoir.LineFor(journal, 1)),
		Payments: payments(pay(comptoir.Card, 3360)),
	})
	original.Number = 10
	training := original
	training.Training = true
	refundOf := func(training bool, ls ...comptoir.Line) comptoir.Sale {
		t.Helper()
		var total comptoir.Money
		for _, l := range ls {
			total += l.Total
		}
		s := mustBuild(t, comptoir.SaleDraft{RefundOf: 10, Training: training, Lines: ls, Payments: payments(pay(comptoir.Cash, total))})
		s.Number = 11
		return s
	}
	earlierRefund := refundOf(false, comptoir.LineFor(vin, -1))
	cheaperVin := vin
	cheaperVin.Price = 1100
	// The UPC-A journal is refunded under its EAN-13 form: the same product.
	journalEAN := journal
	journalEAN.GTIN = "0" + journal.GTIN
	aRefund := original
	aRefund.RefundOf = 3

	tests := []struct {
		name     string
		refund   comptoir.Sale
		original comptoir.Sale
		earlier  []comptoir.Sale
		want     *comptoir.Error
		fr, en   []string
	}{
		{name: "one unit", refund: refundOf(false, comptoir.LineFor(vin, -1)), original: original},
		{name: "everything", refund: refundOf(false, comptoir.LineFor(vin, -2), comptoir.LineFor(pomme, -3), comptoir.LineFor(journal, -1)), original: original},
		{name: "same product as EAN-13", refund: refundOf(false, comptoir.LineFor(journalEAN, -1)), original: original},
		{name: "rest after an earlier refund", refund: refundOf(false, comptoir.LineFor(vin, -1)), original: original, earlier: []comptoir.Sale{earlierRefund}},
		{name: "training", refund: refundOf(true, comptoir.LineFor(pomme, -3)), original: training},
		{name: "ErrRefundOfRefund", refund: refundOf(false, comptoir.LineFor(vin, -1)), original: aRefund, want: comptoir.ErrRefundOfRefund,
			fr: []string{"le ticket 10 est lui-même un remboursement"}, en: []string{"ticket 10 is itself a refund"}},
		{name: "ErrRefundTrainingMismatch/real refund of training", refund: refundOf(false, comptoir.LineFor(vin, -1)), original: training, want: comptoir.ErrRefundTrainingMismatch},
		{name: "ErrRefundTrainingMismatch/training refund of real", refund: refundOf(true, comptoir.LineFor(vin, -1)), original: original, want: comptoir.ErrRefundTrainingMismatch},
		{name: "ErrRefundNotInOriginal/gtin", refund: refundOf(false, comptoir.LineFor(repas, -1)), original: original, want: comptoir.ErrRefundNotInOriginal,
			fr: []string{"l'article 96385074 à ce prix et ce taux de TVA ne figure pas sur le ticket 10"}, en: []string{"item 96385074 at that price and VAT rate is not on ticket 10"}},
		{name: "ErrRefundNotInOriginal/price", refund: refundOf(false, comptoir.LineFor(cheaperVin, -1)), original: original, want: comptoir.ErrRefundNotInOriginal},
		// Refunding wine sold at 20 % as if it were at 2,1 % would move tax between rates while the
		// amounts still net to zero.
		{name: "ErrRefundNotInOriginal/VAT rate", refund: refundOf(false, comptoir.Line{GTIN: vin.GTIN, Name: vin.Name, Qty: -1, UnitPrice: vin.Price, VAT: comptoir.VATSpecial, Total: -vin.Price}), original: original, want: comptoir.ErrRefundNotInOriginal},
		{name: "ErrRefundNotInOriginal/after a valid line", refund: refundOf(false, comptoir.LineFor(vin, -1), comptoir.LineFor(repas, -1)), original: original, want: comptoir.ErrRefundNotInOriginal},
		{name: "ErrRefundExceeds", refund: refundOf(false, comptoir.LineFor(vin, -3)), original: original, want: comptoir.ErrRefundExceeds,
			fr: []string{"que 2 × 4006381333931 ", "ticket 10"}, en: []string{"only 2 × 4006381333931 of ticket 10"}},
		{name: "ErrRefundExceeds/split over two lines", refund: refundOf(false, comptoir.LineFor(pomme, -2), comptoir.LineFor(pomme, -2)), original: original, want: comptoir.ErrRefundExceeds,
			fr: []string{"que 1 × 3017620422003"}},
		{name: "ErrRefundExceeds/earlier refund", refund: refundOf(false, comptoir.LineFor(vin, -2)), original: original, earlier: []comptoir.Sale{earlierRefund}, want: comptoir.ErrRefundExceeds,
			fr: []string{"que 1 × 4006381333931"}},
		{name: "ErrRefundExceeds/all refunded already", refund: refundOf(false, comptoir.LineFor(vin, -1)), original: original, earlier: []comptoir.Sale{earlierRefund, earlierRefund}, want: comptoir.ErrRefundExceeds,
			fr: []string{"que 0 × 4006381333931"}},
		{name: "ErrRefundExceeds/EAN-13 counts with UPC-A", refund: refundOf(false, comptoir.LineFor(journal, -1), comptoir.LineFor(journalEAN, -1)), original: original, want: comptoir.ErrRefundExceeds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := comptoir.CheckRefund(tt.refund, tt.original, tt.earlier)
			checkErr(t, err, tt.want)
			contains(t, "Message(fr)", comptoir.Message(err, fr), tt.fr...)
			contains(t, "Message(en)", comptoir.Message(err, en), tt.en...)
		})
	}

	// Partial refunds accumulate: three pommes can be refunded one at a time, not a fourth time.
	var earlier []comptoir.Sale
	for i := range 3 {
		r := refundOf(false, comptoir.LineFor(pomme, -1))
		if err := comptoir.CheckRefund(r, original, earlier); err != nil {
			t.Fatalf("partial refund %d: unexpected error %v", i+1, err)
		}
		earlier = append(earlier, r)
	}
	err := comptoir.CheckRefund(refundOf(false, comptoir.LineFor(pomme, -1)), original, earlier)
	checkErr(t, err, comptoir.ErrRefundExceeds)
	// Other items are not affected by the pommes' refunds.
	if err := comptoir.CheckRefund(refundOf(false, comptoir.LineFor(vin, -2)), original, earlier); err != nil {
		t.Errorf("refunding the vins after the pommes: unexpected error %v", err)
	}
}

func TestParsePaymentMethod(t *testing.T) {
	tests := []struct {
		in   string
		want comptoir.PaymentMethod
	}{
		{"cash", comptoir.Cash},
		{"especes", comptoir.Cash},
		{"espèces", comptoir.Cash},
		{"Espèces", comptoir.Cash},
		{"ESPÈCES", comptoir.Cash},
		{"liquide", comptoir.Cash},
		{"card", comptoir.Card},
		{"Card", comptoir.Card},
		{"carte", comptoir.Card},
		{" CB ", comptoir.Card},
		{"cb", comptoir.Card},
		{"other", comptoir.Other},
		{"autre", comptoir.Other},
		{"AUTRE", comptoir.Other},
		{"titre-restaurant", comptoir.MealVoucher},
		{"Titres-Restaurant", comptoir.MealVoucher},
		{"meal-voucher", comptoir.MealVoucher},
		{"meal_voucher", comptoir.MealVoucher},
		{"TR", comptoir.MealVoucher},
		{"chèque", comptoir.Cheque},
		{"Cheque", comptoir.Cheque},
		{"check", comptoir.Cheque},
	}
	for _, tt := range tests {
		got, err := comptoir.ParsePaymentMethod(tt.in)
		if err != nil {
			t.Errorf("ParsePaymentMethod(%q): unexpected error %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParsePaymentMethod(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"bitcoin", "", "chèques", "cartes", "c b", "titre"} {
		got, err := comptoir.ParsePaymentMethod(in)
		checkErr(t, err, comptoir.ErrUnknownPaymentMethod)
		if got != "" {
			t.Errorf("ParsePaymentMethod(%q) = %q with an error, want empty", in, got)
		}
		contains(t, "Message(fr)", comptoir.Message(err, fr), "« "+in+" »")
	}
}

func TestPaymentMethodFormat(t *testing.T) {
	tests := []struct {
		m      comptoir.PaymentMethod
		fr, en string
	}{
		{comptoir.Cash, "Espèces", "Cash"},
		{comptoir.Card, "Carte", "Card"},
		{comptoir.Other, "Autre", "Other"},
		{comptoir.MealVoucher, "Titre-restaurant", "Meal voucher"},
		{comptoir.Cheque, "Chèque", "Cheque"},
		{"bitcoin", "bitcoin", "bitcoin"},
	}
	for _, tt := range tests {
		if got, want := tt.m.Format(fr), tt.fr; got != want {
			t.Errorf("%q.Format(fr) = %q, want %q", tt.m, got, want)
		}
		if got, want := tt.m.Format(en), tt.en; got != want {
			t.Errorf("%q.Format(en) = %q, want %q", tt.m, got, want)
		}
	}
	// The methods known before meal vouchers and cheques keep their relative order: the totals of an
	// old closing recompute to the same list.
	if got, want := comptoir.PaymentMethods, []comptoir.PaymentMethod{comptoir.Cash, comptoir.Card, comptoir.MealVoucher, comptoir.Cheque, comptoir.Other}; !slices.Equal(got, want) {
		t.Errorf("PaymentMethods = %v, want %v", got, want)
	}
}

func TestPriceSale_NoPayments(t *testing.T) {
	d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(pomme, 2), comptoir.LineFor(vin, 1)}, Discount: 100}
	s, err := comptoir.PriceSale(d)
	checkErr(t, err, nil)
	if got, want := s.Total, comptoir.Money(2*250+1200-100); got != want {
		t.Errorf("Total = %v, want %v", got, want)
	}
	if s.Payments != nil || s.Change != 0 {
		t.Errorf("Payments = %v, Change = %v, want none", s.Payments, s.Change)
	}
	// What PriceSale computes is what BuildSale records once the due is paid.
	d.Payments = []comptoir.Payment{pay(comptoir.Cash, s.Total+50)}
	b, err := comptoir.BuildSale(d)
	checkErr(t, err, nil)
	if b.Total != s.Total || len(b.VAT) != len(s.VAT) || b.Change != 50 {
		t.Errorf("BuildSale = total %v, %d VAT lines, change %v; PriceSale = total %v, %d VAT lines", b.Total, len(b.VAT), b.Change, s.Total, len(s.VAT))
	}
	_, err = comptoir.PriceSale(comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(pomme, -1)}})
	checkErr(t, err, comptoir.E(comptoir.CodeNegativeQuantity))
}
