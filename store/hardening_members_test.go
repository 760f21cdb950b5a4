package store_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// TestStore_PartialRefundsOfADiscountedTicket refunds a ticket paid partly with points one unit
// at a time, and expects exactly what refunding it at once gives back: the money paid and the
// points redeemed, never more.
func TestStore_PartialRefundsOfADiscountedTicket(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, vin)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 20)))) // 240 points
	d := withCustomer(c.ID, comptoir.SaleDraft{Lines: []comptoir.Line{line(vin, 8)}, PointsRedeemed: 100,
		Payments: []comptoir.Payment{pay(comptoir.Card, 8*1200-500)}})
	sale, err := s.RecordSale(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var paidBack comptoir.Money
	var pointsBack int64
	for range 8 {
		r, err := s.RecordSale(ctx, comptoir.SaleDraft{RefundOf: sale.Number, Lines: []comptoir.Line{line(vin, -1)},
			Payments: []comptoir.Payment{pay(comptoir.Card, -1)}})
		if err != nil {
			// The amount to pay back is the store's to compute: ask it, then pay that.
			var e *comptoir.Error
			if !errors.As(err, &e) || e.Code != comptoir.CodeRefundPaymentMismatch {
				t.Fatalf("refund: %v", err)
			}
			due := -e.Args[0].(comptoir.Money)
			r, err = s.RecordSale(ctx, comptoir.SaleDraft{RefundOf: sale.Number, Lines: []comptoir.Line{line(vin, -1)},
				Payments: []comptoir.Payment{pay(comptoir.Card, due)}})
			if err != nil {
				t.Fatalf("refund: %v", err)
			}
		}
		paidBack -= r.Total
		pointsBack -= r.PointsRedeemed
	}
	if paidBack != sale.Total {
		t.Errorf("refunds paid back %v, want exactly what was paid: %v", paidBack, sale.Total)
	}
	if pointsBack != 100 {
		t.Errorf("refunds gave back %d points, want the 100 redeemed", pointsBack)
	}
	if rep := mustVerify(t, s); rep.Broken != nil {
		t.Errorf("Verify: %v", rep.Broken)
	}
}

func TestStore_KeyFilePermissions(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustClose(t, s)
	if err := os.Chmod(path+".key", 0o644); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, opts(newClock(day0)))
	_, err := s.Customer(ctx, c.ID)
	wantErr(t, err, comptoir.E(comptoir.CodeKeyPermissions))
}

// TestStore_PendingCompaction leaves an erasure's compaction undone, as a crash between the
// erasure's commit and the compaction would, and expects the next Open to do it.
func TestStore_PendingCompaction(t *testing.T) {
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustClose(t, s)
	editDB(t, path, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("compact-pending"), []byte{1}) })
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, opts(newClock(day0)))
	mustClose(t, s)
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Error("Open did not compact a file whose compaction was pending")
	}
	if v := readRaw(t, path, "meta", "compact-pending"); v != nil {
		t.Error("the pending mark survived the compaction")
	}
}

// TestStore_RefundOfSpentPoints earns points, spends them, then refunds the ticket that earned
// them: the points already spent are paid for out of the refund.
func TestStore_RefundOfSpentPoints(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, vin)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	first := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 10)))) // 120,00 € -> 120 points
	spend := withCustomer(c.ID, comptoir.SaleDraft{Lines: []comptoir.Line{line(vin, 1)}, PointsRedeemed: 100,
		Payments: []comptoir.Payment{pay(comptoir.Card, 700)}}) // 5,00 € off, 7 points earned
	if _, err := s.RecordSale(ctx, spend); err != nil {
		t.Fatal(err)
	}
	// Balance 27: refunding the 120 points' ticket takes back those 27, and the 93 spent cost
	// 93 × 5 € / 100 = 4,65 € off the 120,00 € paid back.
	refund, err := s.RecordSale(ctx, comptoir.SaleDraft{RefundOf: first.Number, Lines: []comptoir.Line{line(vin, -10)},
		Payments: []comptoir.Payment{pay(comptoir.Card, -11535)}})
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
	if refund.Total != -11535 || refund.PointsEarned != -27 {
		t.Errorf("refund = total %v, points %d; want -115,35 € and 27 points taken back", refund.Total, refund.PointsEarned)
	}
	if _, balance, _ := s.Points(ctx, c.ID); balance != 0 {
		t.Errorf("balance = %d, want 0", balance)
	}
	if rep := mustVerify(t, s); rep.Broken != nil {
		t.Errorf("Verify: %v", rep.Broken)
	}
}
