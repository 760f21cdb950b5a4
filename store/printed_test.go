package store_test

import (
	"context"
	"testing"

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
