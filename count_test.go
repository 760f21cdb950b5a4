package comptoir_test

import (
	"errors"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestCountCash(t *testing.T) {
	totals := comptoir.Totals{ByMethod: []comptoir.MethodTotal{{Method: comptoir.Cash, Amount: 1700}, {Method: comptoir.Card, Amount: 1000}}}
	got, err := comptoir.CountCash(totals, map[comptoir.PaymentMethod]comptoir.Money{comptoir.Cheque: 0, comptoir.Cash: 1720})
	if err != nil {
		t.Fatal(err)
	}
	// In the report's order, a method with no takings counted against zero, the card left out.
	want := []comptoir.CashCount{{Method: comptoir.Cash, Expected: 1700, Counted: 1720}, {Method: comptoir.Cheque, Expected: 0, Counted: 0}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("CountCash = %+v, want %+v", got, want)
	}
	if got, want := got[0].Difference(), comptoir.Money(20); got != want {
		t.Errorf("Difference = %v, want %v", got, want)
	}
	for _, bad := range []map[comptoir.PaymentMethod]comptoir.Money{
		{comptoir.Cash: -5},
		{comptoir.Cash: comptoir.MaxAmount + 1},
		{"bitcoin": 5},
	} {
		if _, err := comptoir.CountCash(totals, bad); err == nil {
			t.Errorf("CountCash(%v) accepted", bad)
		} else if e := (*comptoir.Error)(nil); !errors.As(err, &e) {
			t.Errorf("CountCash(%v) = %v, not a refusal", bad, err)
		}
	}
}

func TestClosing_CountConsistent(t *testing.T) {
	totals := comptoir.Totals{ByMethod: []comptoir.MethodTotal{{Method: comptoir.Cash, Amount: 1700}}}
	tests := []struct {
		name string
		c    comptoir.Closing
		want bool
	}{
		{"no count", comptoir.Closing{Kind: comptoir.MonthClosing, Totals: totals}, true},
		{"a day counted", comptoir.Closing{Kind: comptoir.DayClosing, Totals: totals, Count: []comptoir.CashCount{{Method: comptoir.Cash, Expected: 1700, Counted: 1600}}}, true},
		{"an expected amount that is not the takings", comptoir.Closing{Kind: comptoir.DayClosing, Totals: totals, Count: []comptoir.CashCount{{Method: comptoir.Cash, Expected: 1600, Counted: 1600}}}, false},
		{"a method twice", comptoir.Closing{Kind: comptoir.DayClosing, Totals: totals, Count: []comptoir.CashCount{{Method: comptoir.Cash, Expected: 1700}, {Method: comptoir.Cash, Expected: 1700}}}, false},
		{"a month counted", comptoir.Closing{Kind: comptoir.MonthClosing, Totals: totals, Count: []comptoir.CashCount{{Method: comptoir.Cash, Expected: 1700}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.CountConsistent(); got != tt.want {
				t.Errorf("CountConsistent = %v, want %v", got, tt.want)
			}
		})
	}
}
