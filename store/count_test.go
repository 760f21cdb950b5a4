package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// hashOf is the journal hash of a closing as the store writes it: the SHA-256 of its JSON.
func hashOf(tb testing.TB, c comptoir.Closing) (string, string) {
	tb.Helper()
	body, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), string(body)
}

func TestStore_CloseDayCounted(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	path := dbPath(t)
	s := mustOpen(t, path, opts(clk))
	// 17,00 € paid 20,00 € cash (3,00 € change), then 10,00 € by card.
	d := byCard(line(pomme, 2), line(vin, 1))
	d.Payments = []comptoir.Payment{pay(comptoir.Cash, 2000)}
	mustRecord(t, s, d)
	mustRecord(t, s, byCard(line(repas, 1)))

	c, err := s.CloseDayCounted(ctx, "2026-03-10", map[comptoir.PaymentMethod]comptoir.Money{comptoir.Cash: 1650, comptoir.Card: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := []comptoir.CashCount{
		{Method: comptoir.Cash, Expected: 1700, Counted: 1650},
		{Method: comptoir.Card, Expected: 1000, Counted: 1000},
	}
	if len(c.Count) != len(want) || c.Count[0] != want[0] || c.Count[1] != want[1] {
		t.Errorf("Count = %+v, want %+v", c.Count, want)
	}
	if got, want := c.Count[0].Difference(), comptoir.Money(-50); got != want {
		t.Errorf("cash difference = %v, want %v", got, want)
	}
	hash, body := hashOf(t, c)
	if hash != c.Hash || !strings.Contains(body, `"count":[`) {
		t.Errorf("the count is not in the hashed record: %s", body)
	}
	rep, err := s.Verify(ctx)
	if err != nil || rep.Broken != nil {
		t.Fatalf("Verify = %+v, %v; want intact", rep, err)
	}
	read, ok, err := s.Closing(ctx, "2026-03-10")
	if err != nil || !ok || len(read.Count) != 2 || read.Count[0] != want[0] {
		t.Errorf("Closing read back = %+v, %v, %v; want the count", read, ok, err)
	}
}

// TestStore_ClosePeriod_NoCountSameBytes checks that a closing without a count is written as
// before counts existed: no count key in the hashed record, so old journals verify unchanged.
func TestStore_ClosePeriod_NoCountSameBytes(t *testing.T) {
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	mustRecord(t, s, byCard(line(pomme, 1)))
	c := mustClosePeriod(t, s, "2026-03-10")
	hash, body := hashOf(t, c)
	if hash != c.Hash {
		t.Fatalf("hash %s, the store wrote %s", hash, c.Hash)
	}
	if strings.Contains(body, "count") {
		t.Errorf("an uncounted closing carries a count key: %s", body)
	}
}

func TestStore_CloseDayCounted_Refusals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		period  string
		counted map[comptoir.PaymentMethod]comptoir.Money
		want    comptoir.Code
	}{
		{"a month", "2026-03", map[comptoir.PaymentMethod]comptoir.Money{comptoir.Cash: 0}, comptoir.CodeInvalidDate},
		{"a negative amount", "2026-03-10", map[comptoir.PaymentMethod]comptoir.Money{comptoir.Cash: -1}, comptoir.CodeInvalidAmount},
		{"an unknown method", "2026-03-10", map[comptoir.PaymentMethod]comptoir.Money{"bitcoin": 100}, comptoir.CodeUnknownPaymentMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock(day0)
			s := mustOpen(t, dbPath(t), store.Options{Now: clk.Now, Location: time.UTC})
			mustRecord(t, s, byCard(line(pomme, 1)))
			_, err := s.CloseDayCounted(ctx, tt.period, tt.counted)
			if !errors.Is(err, comptoir.E(tt.want)) {
				t.Fatalf("CloseDayCounted = %v, want %s", err, tt.want)
			}
			if _, ok, _ := s.Closing(ctx, "2026-03-10"); ok {
				t.Error("the day was closed despite the refusal")
			}
		})
	}
}
