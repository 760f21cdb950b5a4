package comptoir_test

import (
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

func TestPointsRuleValidate(t *testing.T) {
	def := comptoir.DefaultPointsRule
	if def.PerEuro != 1 || def.RedeemPoints != 100 || def.RedeemValue != 500 {
		t.Errorf("DefaultPointsRule = %+v, want 1 point per euro and 100 points for 5,00 €", def)
	}
	with := func(f func(*comptoir.PointsRule)) comptoir.PointsRule {
		r := comptoir.DefaultPointsRule
		f(&r)
		return r
	}
	tests := []struct {
		name string
		rule comptoir.PointsRule
		want *comptoir.Error
	}{
		{"default", def, nil},
		{"no points earned", with(func(r *comptoir.PointsRule) { r.PerEuro = 0 }), nil},
		{"1000 per euro", with(func(r *comptoir.PointsRule) { r.PerEuro = 1000 }), nil},
		{"one point for one cent", comptoir.PointsRule{PerEuro: 1, RedeemPoints: 1, RedeemValue: 1}, nil},
		{"largest value", with(func(r *comptoir.PointsRule) { r.RedeemValue = comptoir.MaxAmount }), nil},
		{"zero RedeemPoints", with(func(r *comptoir.PointsRule) { r.RedeemPoints = 0 }), comptoir.ErrInvalidPointsRule},
		{"negative RedeemPoints", with(func(r *comptoir.PointsRule) { r.RedeemPoints = -100 }), comptoir.ErrInvalidPointsRule},
		{"negative PerEuro", with(func(r *comptoir.PointsRule) { r.PerEuro = -1 }), comptoir.ErrInvalidPointsRule},
		{"PerEuro over 1000", with(func(r *comptoir.PointsRule) { r.PerEuro = 1001 }), comptoir.ErrInvalidPointsRule},
		{"zero RedeemValue", with(func(r *comptoir.PointsRule) { r.RedeemValue = 0 }), comptoir.ErrInvalidPointsRule},
		{"negative RedeemValue", with(func(r *comptoir.PointsRule) { r.RedeemValue = -500 }), comptoir.ErrInvalidPointsRule},
		{"RedeemValue over MaxAmount", with(func(r *comptoir.PointsRule) { r.RedeemValue = comptoir.MaxAmount + 1 }), comptoir.ErrInvalidPointsRule},
		{"zero rule", comptoir.PointsRule{}, comptoir.ErrInvalidPointsRule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			checkErr(t, err, tt.want)
			if tt.want != nil {
				contains(t, "Message(fr)", comptoir.Message(err, fr), "règle de points invalide")
			}
		})
	}
}

func TestPointsRuleEarned(t *testing.T) {
	double := comptoir.PointsRule{PerEuro: 2, RedeemPoints: 100, RedeemValue: 500}
	none := comptoir.PointsRule{PerEuro: 0, RedeemPoints: 100, RedeemValue: 500}
	tests := []struct {
		rule comptoir.PointsRule
		paid comptoir.Money
		want int64
	}{
		{comptoir.DefaultPointsRule, 1299, 12},
		{comptoir.DefaultPointsRule, 1200, 12},
		{comptoir.DefaultPointsRule, 1300, 13},
		{comptoir.DefaultPointsRule, 99, 0},
		{comptoir.DefaultPointsRule, 100, 1},
		{comptoir.DefaultPointsRule, 1, 0},
		{comptoir.DefaultPointsRule, 0, 0},
		{comptoir.DefaultPointsRule, -1299, 0},
		{comptoir.DefaultPointsRule, -100, 0},
		{comptoir.DefaultPointsRule, comptoir.MaxAmount, 1_000_000},
		{double, 1299, 24},
		{double, 99, 0},
		{double, -5000, 0},
		{none, 1299, 0},
	}
	for _, tt := range tests {
		if got := tt.rule.Earned(tt.paid); got != tt.want {
			t.Errorf("%+v.Earned(%d) = %d, want %d", tt.rule, tt.paid, got, tt.want)
		}
	}
}

func TestPointsRuleDiscount(t *testing.T) {
	rule := comptoir.DefaultPointsRule
	tests := []struct {
		name            string
		points, balance int64
		want            comptoir.Money
		err             *comptoir.Error
		fr, en          []string
	}{
		{name: "one unit", points: 100, balance: 100, want: 500},
		{name: "three units", points: 300, balance: 1000, want: 1500},
		{name: "the whole balance", points: 1200, balance: 1200, want: 6000},
		{name: "ErrRedeemUnit/half", points: 150, balance: 1000, err: comptoir.ErrRedeemUnit,
			fr: []string{"par tranches de 100 (5,00 € la tranche)"}, en: []string{"units of 100 (€5.00 each)"}},
		{name: "ErrRedeemUnit/one point", points: 1, balance: 1000, err: comptoir.ErrRedeemUnit},
		{name: "ErrRedeemUnit/zero", points: 0, balance: 1000, err: comptoir.ErrRedeemUnit},
		{name: "ErrRedeemUnit/negative", points: -100, balance: 1000, err: comptoir.ErrRedeemUnit},
		{name: "ErrInsufficientPoints", points: 200, balance: 150, err: comptoir.ErrInsufficientPoints,
			fr: []string{"solde insuffisant : 200 points demandés, 150 disponibles"}, en: []string{"200 asked, 150 available"}},
		{name: "ErrInsufficientPoints/empty balance", points: 100, balance: 0, err: comptoir.ErrInsufficientPoints,
			fr: []string{"100 points demandés, 0 disponibles"}},
		{name: "ErrInsufficientPoints/negative balance", points: 100, balance: -40, err: comptoir.ErrInsufficientPoints,
			fr: []string{"-40 disponibles"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rule.Discount(tt.points, tt.balance)
			checkErr(t, err, tt.err)
			if got != tt.want {
				t.Errorf("Discount(%d, %d) = %d, want %d", tt.points, tt.balance, got, tt.want)
			}
			contains(t, "Message(fr)", comptoir.Message(err, fr), tt.fr...)
			contains(t, "Message(en)", comptoir.Message(err, en), tt.en...)
		})
	}
	other := comptoir.PointsRule{PerEuro: 1, RedeemPoints: 250, RedeemValue: 1000}
	if got, err := other.Discount(500, 600); err != nil || got != 2000 {
		t.Errorf("Discount(500, 600) = %d, %v, want 2000 with 250 points for 10,00 €", got, err)
	}
	_, err := other.Discount(100, 600)
	checkErr(t, err, comptoir.ErrRedeemUnit)
	contains(t, "Message(fr)", comptoir.Message(err, fr), "tranches de 250 (10,00 € la tranche)")
}

func TestBalance(t *testing.T) {
	at := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	ledger := []comptoir.PointsEntry{
		{Kind: comptoir.PointsEarn, Points: 27, At: at, Register: "R1", Ticket: 1},
		{Kind: comptoir.PointsEarn, Points: 120, At: at, Register: "R2", Ticket: 8},
		{Kind: comptoir.PointsRedeem, Points: -100, At: at, Register: "R1", Ticket: 2},
		{Kind: comptoir.PointsAdjust, Points: 15, At: at, Reason: "geste commercial"},
		{Kind: comptoir.PointsAdjust, Points: -5, At: at, Reason: "erreur"},
		{Kind: comptoir.PointsExpire, Points: -20, At: at},
	}
	if got, want := comptoir.Balance(ledger), int64(27+120-100+15-5-20); got != want {
		t.Errorf("Balance = %d, want %d", got, want)
	}
	if got := comptoir.Balance(nil); got != 0 {
		t.Errorf("Balance(nil) = %d, want 0", got)
	}
	// The central balance is the sum of every register's ledger, whatever the order.
	var r1, r2 []comptoir.PointsEntry
	for _, e := range ledger {
		if e.Register == "R2" {
			r2 = append(r2, e)
		} else {
			r1 = append(r1, e)
		}
	}
	if got, want := comptoir.Balance(r1)+comptoir.Balance(r2), comptoir.Balance(ledger); got != want {
		t.Errorf("Balance(R1) + Balance(R2) = %d, want %d", got, want)
	}
	if got, want := comptoir.Balance(append(append([]comptoir.PointsEntry(nil), r2...), r1...)), comptoir.Balance(ledger); got != want {
		t.Errorf("Balance in another order = %d, want %d", got, want)
	}
}
