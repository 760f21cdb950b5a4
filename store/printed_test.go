package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

func TestStore_MarkPrinted(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustImport(t, s, vin)
	sale := mustRecord(t, s, byCard(line(vin, 1)))
	first, err := s.MarkPrinted(ctx, sale.Number)
	if err != nil || !first {
		t.Fatalf("first print = %v, %v, want true", first, err)
	}
	mustClose(t, s)
	s = mustOpen(t, path, opts(newClock(day0)))
	if first, err := s.MarkPrinted(ctx, sale.Number); err != nil || first {
		t.Errorf("reprint after reopening = first %v, %v; want a duplicate", first, err)
	}
	_, err = s.MarkPrinted(ctx, 99)
	wantErr(t, err, comptoir.ErrTicketNotFound)
}

func TestStore_MemberBalance(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, vin)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 3))))
	if got, err := s.MemberBalance(ctx, c.ID); err != nil || got != 36 {
		t.Errorf("MemberBalance = %d, %v, want 36", got, err)
	}
	_, err := s.MemberBalance(ctx, "M0000000000000000")
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCustomer))
}

func TestStore_BalanceAfter(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	mustImport(t, s, vin)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	first := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 3)))) // 36
	clk.Set(day0.Add(time.Minute))
	second := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 2)))) // 24 -> 60
	for _, tc := range []struct {
		n    uint64
		want int64
	}{{first.Number, 36}, {second.Number, 60}} {
		if got, err := s.BalanceAfter(ctx, c.ID, tc.n); err != nil || got != tc.want {
			t.Errorf("BalanceAfter(ticket %d) = %d, %v, want %d", tc.n, got, err, tc.want)
		}
	}
}
