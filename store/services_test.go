package store_test

import (
	"context"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestStore_Refunds(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	orig := mustRecord(t, s, byCard(line(pomme, 2), line(vin, 1)))
	other := mustRecord(t, s, byCard(line(pomme, 1)))
	none, err := s.Refunds(ctx, orig.Number)
	if err != nil {
		t.Fatalf("Refunds before any refund: %v", err)
	}
	if got, want := len(none), 0; got != want {
		t.Fatalf("Refunds before any refund = %d tickets, want %d", got, want)
	}
	r1 := mustRecord(t, s, refundOf(orig.Number, line(pomme, 1)))
	mustRecord(t, s, refundOf(other.Number, line(pomme, 1)))
	r2 := mustRecord(t, s, refundOf(orig.Number, line(vin, 1)))

	got, err := s.Refunds(ctx, orig.Number)
	if err != nil {
		t.Fatalf("Refunds: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("Refunds = %d tickets, want 2 (the other ticket's refund is not one)", len(got))
	}
	for i, want := range []comptoir.Sale{r1, r2} {
		if got[i].Number != want.Number || got[i].Total != want.Total || got[i].Hash != want.Hash {
			t.Errorf("Refunds[%d] = ticket %d (%d, %s), want ticket %d (%d, %s)", i, got[i].Number, got[i].Total, got[i].Hash,
				want.Number, want.Total, want.Hash)
		}
	}
	// What the list says is what the refund rule counts: one apple is left, no wine.
	if err := comptoir.CheckRefund(comptoir.Sale{RefundOf: orig.Number, Lines: []comptoir.Line{line(pomme, -1)}}, orig, got); err != nil {
		t.Errorf("CheckRefund of the last apple against Refunds: %v", err)
	}
	err = comptoir.CheckRefund(comptoir.Sale{RefundOf: orig.Number, Lines: []comptoir.Line{line(vin, -1)}}, orig, got)
	wantErr(t, err, comptoir.ErrRefundExceeds)

	_, err = s.Refunds(ctx, 99)
	wantErr(t, err, comptoir.ErrTicketNotFound)
}

func TestStore_PendingEvents(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	pending := func() int {
		t.Helper()
		n, err := s.PendingEvents(ctx)
		if err != nil {
			t.Fatalf("PendingEvents: %v", err)
		}
		return n
	}
	if got, want := pending(), 0; got != want {
		t.Errorf("PendingEvents of a new database = %d, want %d", got, want)
	}
	mustRecord(t, s, byCard(line(pomme, 1)))
	mustRecord(t, s, byCard(line(vin, 1)))
	mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustClosePeriod(t, s, "2026-03-10")
	if got, want := pending(), len(mustOutbox(t, s)); got != want || got != 4 {
		t.Errorf("PendingEvents = %d, want %d, the length of the outbox, and 4", got, want)
	}
}
