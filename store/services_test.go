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
	// Four events and the declaration of the signing key made with the first ticket.
	if got, want := pending(), len(mustOutbox(t, s)); got != want || got != 5 {
		t.Errorf("PendingEvents = %d, want %d, the length of the outbox, and 5", got, want)
	}
}

func TestStore_QuoteSale(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, vin, pomme)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 20)))) // 240 points
	before := len(mustOutbox(t, s))

	// A sale paying with 100 points: the quote says what is due after the discount.
	d := withCustomer(c.ID, comptoir.SaleDraft{Lines: []comptoir.Line{line(vin, 8)}, PointsRedeemed: 100})
	q, err := s.QuoteSale(ctx, d)
	if err != nil {
		t.Fatalf("QuoteSale: %v", err)
	}
	if got, want := q.Total, comptoir.Money(8*1200-500); got != want {
		t.Errorf("quoted Total = %v, want %v", got, want)
	}
	if got, want := mustLastTicket(t, s), uint64(1); got != want {
		t.Errorf("LastTicket after a quote = %d, want %d: a quote records nothing", got, want)
	}
	if got := len(mustOutbox(t, s)); got != before {
		t.Errorf("outbox after a quote = %d events, want %d", got, before)
	}
	d.Payments = []comptoir.Payment{pay(comptoir.Card, q.Total)}
	sale := mustRecord(t, s, d)
	if sale.Total != q.Total || sale.PointsEarned != q.PointsEarned || sale.Discount != q.Discount {
		t.Errorf("recorded %v (earned %d, discount %v), quoted %v (earned %d, discount %v)", sale.Total, sale.PointsEarned, sale.Discount,
			q.Total, q.PointsEarned, q.Discount)
	}

	// Refunding the discounted ticket a bottle at a time: each quote is what the store then
	// accepts as paid back, and together they give back exactly what was paid.
	var paidBack comptoir.Money
	for i := range 8 {
		refund := comptoir.SaleDraft{RefundOf: sale.Number, Lines: []comptoir.Line{line(vin, -1)}}
		q, err := s.QuoteSale(ctx, refund)
		if err != nil {
			t.Fatalf("QuoteSale of refund %d: %v", i+1, err)
		}
		refund.Payments = []comptoir.Payment{pay(comptoir.Card, q.Total)}
		r, err := s.RecordSale(ctx, refund)
		if err != nil {
			t.Fatalf("refund %d paid back the quoted %v: %v", i+1, q.Total, err)
		}
		if r.Total != q.Total || r.PointsEarned != q.PointsEarned {
			t.Errorf("refund %d recorded %v (points %d), quoted %v (points %d)", i+1, r.Total, r.PointsEarned, q.Total, q.PointsEarned)
		}
		paidBack -= r.Total
	}
	if paidBack != sale.Total {
		t.Errorf("refunds paid back %v, want %v", paidBack, sale.Total)
	}

	_, err = s.QuoteSale(ctx, comptoir.SaleDraft{RefundOf: sale.Number, Lines: []comptoir.Line{line(vin, -1)}})
	wantErr(t, err, comptoir.ErrRefundExceeds)
	_, err = s.QuoteSale(ctx, comptoir.SaleDraft{})
	wantErr(t, err, comptoir.E(comptoir.CodeEmptyTicket))
	mustClosePeriod(t, s, "2026-03-10")
	_, err = s.QuoteSale(ctx, comptoir.SaleDraft{Lines: []comptoir.Line{line(pomme, 1)}})
	wantErr(t, err, comptoir.E(comptoir.CodeDayClosed))
}
