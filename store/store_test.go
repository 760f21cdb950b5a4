package store_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

func TestStore_RecordSale(t *testing.T) {
	ctx := context.Background()

	t.Run("NumberedChainedAndTotalled", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		drafts := []comptoir.SaleDraft{
			byCard(line(pomme, 2), line(vin, 1)),
			byCard(line(repas, 3)),
			byCard(line(journal, 1)),
		}
		var prev comptoir.Sale
		var gt comptoir.Money
		for i, d := range drafts {
			sale := mustRecord(t, s, d)
			gt += linesTotal(d.Lines)
			if got, want := sale.Number, uint64(i+1); got != want {
				t.Errorf("ticket %d: Number = %d, want %d", i, got, want)
			}
			if got, want := sale.Register, "R1"; got != want {
				t.Errorf("ticket %d: Register = %q, want %q", i, got, want)
			}
			if got, want := sale.PrevHash, prev.Hash; got != want {
				t.Errorf("ticket %d: PrevHash = %q, want the previous ticket's hash %q", i, got, want)
			}
			if got, want := len(sale.Hash), 64; got != want {
				t.Errorf("ticket %d: len(Hash) = %d, want %d (hex SHA-256)", i, got, want)
			}
			if sale.Hash == prev.Hash {
				t.Errorf("ticket %d: Hash = %q, the same as the previous ticket's", i, sale.Hash)
			}
			if got, want := sale.GrandTotal, gt; got != want {
				t.Errorf("ticket %d: GrandTotal = %d, want %d", i, got, want)
			}
			if got, want := sale.Day, "2026-03-10"; got != want {
				t.Errorf("ticket %d: Day = %q, want %q (from the store's clock)", i, got, want)
			}
			if got, want := sale.At, day0; !got.Equal(want) {
				t.Errorf("ticket %d: At = %v, want %v", i, got, want)
			}
			if got := mustSale(t, s, sale.Number); !reflect.DeepEqual(got, sale) {
				t.Errorf("Sale(%d) = %+v, want the recorded %+v", sale.Number, got, sale)
			}
			prev = sale
		}
		if got, want := mustLastTicket(t, s), uint64(3); got != want {
			t.Errorf("LastTicket = %d, want %d", got, want)
		}
		if got, want := mustGrandTotal(t, s), gt; got != want {
			t.Errorf("GrandTotal = %d, want %d", got, want)
		}
		tot := mustDayTotals(t, s, "2026-03-10")
		if got, want := tot.Tickets, int64(3); got != want {
			t.Errorf("DayTotals.Tickets = %d, want %d", got, want)
		}
		if got, want := tot.Total, gt; got != want {
			t.Errorf("DayTotals.Total = %d, want %d", got, want)
		}
		if got, want := len(mustOutbox(t, s)), 4; got != want {
			t.Errorf("len(Outbox) = %d, want %d (one event per ticket, and the signing key's declaration)", got, want)
		}
	})

	t.Run("Training", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		real1 := mustRecord(t, s, byCard(line(vin, 1)))
		tr := mustRecord(t, s, training(byCard(line(repas, 5))))
		real2 := mustRecord(t, s, byCard(line(pomme, 1)))

		if got, want := tr.Number, uint64(2); got != want {
			t.Errorf("training ticket Number = %d, want %d (same sequence)", got, want)
		}
		if !tr.Training {
			t.Errorf("training ticket Training = false, want true")
		}
		if got := mustSale(t, s, 2); !got.Training {
			t.Errorf("Sale(2).Training = false, want the journal to mark it")
		}
		if got, want := tr.GrandTotal, real1.GrandTotal; got != want {
			t.Errorf("training ticket GrandTotal = %d, want the previous %d", got, want)
		}
		if got, want := tr.PrevHash, real1.Hash; got != want {
			t.Errorf("training ticket PrevHash = %q, want %q (chained like any ticket)", got, want)
		}
		if got, want := real2.PrevHash, tr.Hash; got != want {
			t.Errorf("ticket 3 PrevHash = %q, want the training ticket's hash %q", got, want)
		}
		if got, want := real2.GrandTotal, vin.Price+pomme.Price; got != want {
			t.Errorf("ticket 3 GrandTotal = %d, want %d", got, want)
		}
		if got, want := mustGrandTotal(t, s), vin.Price+pomme.Price; got != want {
			t.Errorf("GrandTotal = %d, want %d", got, want)
		}
		tot := mustDayTotals(t, s, "2026-03-10")
		if got, want := tot.Tickets, int64(2); got != want {
			t.Errorf("DayTotals.Tickets = %d, want %d", got, want)
		}
		if got, want := tot.Training, int64(1); got != want {
			t.Errorf("DayTotals.Training = %d, want %d", got, want)
		}
		if got, want := tot.Total, vin.Price+pomme.Price; got != want {
			t.Errorf("DayTotals.Total = %d, want %d", got, want)
		}
		for _, m := range tot.ByMethod {
			if got, want := m.Amount, vin.Price+pomme.Price; m.Method == comptoir.Card && got != want {
				t.Errorf("DayTotals card = %d, want %d", got, want)
			}
		}
		for _, v := range tot.VAT {
			if v.Rate == comptoir.VATIntermediate {
				t.Errorf("DayTotals.VAT holds the training ticket's rate: %+v", v)
			}
		}
		if got, want := tot.FirstTicket, uint64(1); got != want {
			t.Errorf("DayTotals.FirstTicket = %d, want %d", got, want)
		}
		if got, want := tot.LastTicket, uint64(3); got != want {
			t.Errorf("DayTotals.LastTicket = %d, want %d", got, want)
		}
	})

	t.Run("ErrEmptyTicket", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		_, err := s.RecordSale(ctx, byCard())
		wantErr(t, err, comptoir.ErrEmptyTicket)
		if got, want := mustLastTicket(t, s), uint64(0); got != want {
			t.Errorf("LastTicket = %d, want %d", got, want)
		}
	})

	t.Run("ErrUnderpaid", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		mustRecord(t, s, byCard(line(pomme, 1)))
		before := mustOutbox(t, s)
		d := byCard(line(vin, 2))
		d.Payments = []comptoir.Payment{pay(comptoir.Cash, 2000)}
		_, err := s.RecordSale(ctx, d)
		wantErr(t, err, comptoir.ErrUnderpaid)
		if got, want := mustLastTicket(t, s), uint64(1); got != want {
			t.Errorf("LastTicket = %d, want %d (nothing recorded)", got, want)
		}
		if got := mustOutbox(t, s); !reflect.DeepEqual(got, before) {
			t.Errorf("Outbox = %d events, want the %d before the refusal", len(got), len(before))
		}
		if got, want := mustGrandTotal(t, s), pomme.Price; got != want {
			t.Errorf("GrandTotal = %d, want %d", got, want)
		}
	})

	t.Run("ErrTicketNotFound", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		mustRecord(t, s, byCard(line(pomme, 1)))
		_, err := s.RecordSale(ctx, refundOf(42, line(pomme, 1)))
		wantErr(t, err, comptoir.ErrTicketNotFound)
		if got, want := errArgs(t, err), []any{uint64(42)}; !reflect.DeepEqual(got, want) {
			t.Errorf("error args = %v, want %v", got, want)
		}
		_, err = s.Sale(ctx, 2)
		wantErr(t, err, comptoir.ErrTicketNotFound)
	})

	t.Run("ErrRefundExceeds", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		orig := mustRecord(t, s, byCard(line(pomme, 2), line(vin, 1)))
		_, err := s.RecordSale(ctx, refundOf(orig.Number, line(pomme, 3)))
		wantErr(t, err, comptoir.ErrRefundExceeds)

		r1 := mustRecord(t, s, refundOf(orig.Number, line(pomme, 1)))
		if got, want := r1.Total, -pomme.Price; got != want {
			t.Errorf("partial refund Total = %d, want %d", got, want)
		}
		if got, want := r1.RefundOf, orig.Number; got != want {
			t.Errorf("refund RefundOf = %d, want %d", got, want)
		}
		// One apple is left: refunding two now exceeds what remains.
		_, err = s.RecordSale(ctx, refundOf(orig.Number, line(pomme, 2)))
		wantErr(t, err, comptoir.ErrRefundExceeds)
		if got, want := errArgs(t, err)[0], int64(1); got != want {
			t.Errorf("remaining in refusal = %v, want %v", got, want)
		}
		mustRecord(t, s, refundOf(orig.Number, line(pomme, 1), line(vin, 1)))
		_, err = s.RecordSale(ctx, refundOf(orig.Number, line(vin, 1)))
		wantErr(t, err, comptoir.ErrRefundExceeds)

		if got, want := mustGrandTotal(t, s), comptoir.Money(0); got != want {
			t.Errorf("GrandTotal after refunding everything = %d, want %d", got, want)
		}
		tot := mustDayTotals(t, s, "2026-03-10")
		if got, want := tot.Refunds, -orig.Total; got != want {
			t.Errorf("DayTotals.Refunds = %d, want %d", got, want)
		}
		if got, want := tot.Tickets, int64(3); got != want {
			t.Errorf("DayTotals.Tickets = %d, want %d", got, want)
		}
	})

	t.Run("ErrRefundOfRefund", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		orig := mustRecord(t, s, byCard(line(pomme, 2)))
		r := mustRecord(t, s, refundOf(orig.Number, line(pomme, 1)))
		_, err := s.RecordSale(ctx, refundOf(r.Number, line(pomme, 1)))
		wantErr(t, err, comptoir.ErrRefundOfRefund)
	})

	t.Run("ErrRefundTrainingMismatch", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		real := mustRecord(t, s, byCard(line(pomme, 2)))
		tr := mustRecord(t, s, training(byCard(line(pomme, 2))))
		_, err := s.RecordSale(ctx, refundOf(tr.Number, line(pomme, 1)))
		wantErr(t, err, comptoir.ErrRefundTrainingMismatch)
		_, err = s.RecordSale(ctx, training(refundOf(real.Number, line(pomme, 1))))
		wantErr(t, err, comptoir.ErrRefundTrainingMismatch)
		// In the right mode both are accepted.
		mustRecord(t, s, training(refundOf(tr.Number, line(pomme, 1))))
		mustRecord(t, s, refundOf(real.Number, line(pomme, 1)))
		if got, want := mustLastTicket(t, s), uint64(4); got != want {
			t.Errorf("LastTicket = %d, want %d", got, want)
		}
	})

	t.Run("ErrDayClosed", func(t *testing.T) {
		clk := newClock(day0)
		s := mustOpen(t, dbPath(t), opts(clk))
		mustRecord(t, s, byCard(line(pomme, 1)))
		clk.Set(day0.Add(24 * time.Hour))
		mustClosePeriod(t, s, "2026-03-10")
		before := mustOutbox(t, s)

		_, err := s.RecordSale(ctx, at(day0.Add(time.Hour), byCard(line(vin, 1))))
		wantErr(t, err, comptoir.ErrDayClosed)
		if got, want := mustLastTicket(t, s), uint64(1); got != want {
			t.Errorf("LastTicket = %d, want %d", got, want)
		}
		if got, want := len(mustOutbox(t, s)), len(before); got != want {
			t.Errorf("len(Outbox) = %d, want %d", got, want)
		}
		// The next day is open, and the store's clock is on it.
		if sale := mustRecord(t, s, byCard(line(vin, 1))); sale.Day != "2026-03-11" {
			t.Errorf("Day = %q, want 2026-03-11", sale.Day)
		}
	})

	t.Run("ErrDayClosed/InClosedMonth", func(t *testing.T) {
		feb := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
		clk := newClock(feb)
		s := mustOpen(t, dbPath(t), opts(clk))
		mustRecord(t, s, byCard(line(pomme, 1)))
		clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		mustClosePeriod(t, s, "2026-02-03")
		mustClosePeriod(t, s, "2026-02")
		// 2026-02-20 never had a day closing of its own, but its month is sealed.
		_, err := s.RecordSale(ctx, at(time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC), byCard(line(vin, 1))))
		wantErr(t, err, comptoir.ErrDayClosed)
		if got, want := errArgs(t, err), []any{"2026-02"}; !reflect.DeepEqual(got, want) {
			t.Errorf("error args = %v, want %v (the sealed month)", got, want)
		}
		if got, want := mustLastTicket(t, s), uint64(1); got != want {
			t.Errorf("LastTicket = %d, want %d", got, want)
		}
	})
}

func TestStore_RecordSales(t *testing.T) {
	ctx := context.Background()

	for _, tc := range []struct {
		name string
		bad  comptoir.SaleDraft
		want *comptoir.Error
	}{
		// Refused by the ticket rules before the transaction starts.
		{"BadDraft", byCard(), comptoir.ErrEmptyTicket},
		// Refused inside the transaction, after the first draft was written in it.
		{"RefusedInTransaction", refundOf(99, line(pomme, 1)), comptoir.ErrTicketNotFound},
	} {
		t.Run(tc.name+"/RecordsNone", func(t *testing.T) {
			s := mustOpen(t, dbPath(t), opts(newClock(day0)))
			mustRecord(t, s, byCard(line(repas, 1)))
			outbox := mustOutbox(t, s)
			totals := mustDayTotals(t, s, "2026-03-10")

			_, err := s.RecordSales(ctx, []comptoir.SaleDraft{byCard(line(pomme, 1)), tc.bad, byCard(line(vin, 1))})
			wantErr(t, err, tc.want)
			if got, want := mustLastTicket(t, s), uint64(1); got != want {
				t.Errorf("LastTicket = %d, want %d (none of the batch recorded)", got, want)
			}
			if got := mustOutbox(t, s); !reflect.DeepEqual(got, outbox) {
				t.Errorf("Outbox has %d events, want the %d before", len(got), len(outbox))
			}
			if got := mustDayTotals(t, s, "2026-03-10"); !got.Equal(totals) {
				t.Errorf("DayTotals = %+v, want unchanged %+v", got, totals)
			}
			if got, want := mustGrandTotal(t, s), repas.Price; got != want {
				t.Errorf("GrandTotal = %d, want %d", got, want)
			}
			// The numbers the failed batch would have used are still free.
			if got, want := mustRecord(t, s, byCard(line(pomme, 1))).Number, uint64(2); got != want {
				t.Errorf("next Number = %d, want %d", got, want)
			}
		})
	}

	t.Run("RefundInSameBatch", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		sales, err := s.RecordSales(ctx, []comptoir.SaleDraft{
			byCard(line(pomme, 2)),
			refundOf(1, line(pomme, 1)),
			refundOf(1, line(pomme, 1)),
		})
		if err != nil {
			t.Fatalf("RecordSales: %v", err)
		}
		for i, sale := range sales {
			if got, want := sale.Number, uint64(i+1); got != want {
				t.Errorf("sales[%d].Number = %d, want %d", i, got, want)
			}
			if i > 0 && sale.PrevHash != sales[i-1].Hash {
				t.Errorf("sales[%d].PrevHash = %q, want %q", i, sale.PrevHash, sales[i-1].Hash)
			}
		}
		// A third refund in another batch exceeds what the first batch left.
		_, err = s.RecordSales(ctx, []comptoir.SaleDraft{refundOf(1, line(pomme, 1))})
		wantErr(t, err, comptoir.ErrRefundExceeds)
	})
}

func TestStore_Reopen(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	mustImport(t, s, pomme, vin, repas, journal)
	var sales []comptoir.Sale
	sales = append(sales, mustRecord(t, s, byCard(line(pomme, 2), line(vin, 1))))
	sales = append(sales, mustRecord(t, s, training(byCard(line(repas, 1)))))
	cashDraft := byCard(line(journal, 3))
	cashDraft.Payments = []comptoir.Payment{pay(comptoir.Cash, 1000)}
	sales = append(sales, mustRecord(t, s, cashDraft))
	sales = append(sales, mustRecord(t, s, refundOf(1, line(pomme, 1))))
	clk.Set(day0.Add(24 * time.Hour))
	sales = append(sales, mustRecord(t, s, byCard(line(repas, 2))))
	days := map[string]comptoir.Totals{
		"2026-03-10": mustDayTotals(t, s, "2026-03-10"),
		"2026-03-11": mustDayTotals(t, s, "2026-03-11"),
	}
	gt := mustGrandTotal(t, s)
	if gt == 0 {
		t.Fatalf("GrandTotal = 0 before reopening")
	}
	mustClose(t, s)

	s = mustOpen(t, path, opts(clk))
	for _, want := range sales {
		got := mustSale(t, s, want.Number)
		if got.Hash != want.Hash {
			t.Errorf("Sale(%d).Hash = %q after reopening, want %q", want.Number, got.Hash, want.Hash)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Sale(%d) = %+v after reopening, want %+v", want.Number, got, want)
		}
	}
	for day, want := range days {
		if got := mustDayTotals(t, s, day); !got.Equal(want) || want.Tickets == 0 {
			t.Errorf("DayTotals(%s) = %+v after reopening, want %+v", day, got, want)
		}
	}
	if got, want := mustGrandTotal(t, s), gt; got != want {
		t.Errorf("GrandTotal = %d after reopening, want %d", got, want)
	}
	if got, want := mustLastTicket(t, s), uint64(len(sales)); got != want {
		t.Errorf("LastTicket = %d after reopening, want %d", got, want)
	}
	p, err := s.Product(ctx, vin.GTIN)
	if err != nil {
		t.Fatalf("Product(%s) after reopening: %v", vin.GTIN, err)
	}
	if got, want := p, vin; got != want {
		t.Errorf("Product = %+v after reopening, want %+v", got, want)
	}
	if rep := mustVerify(t, s); rep.Broken != nil {
		t.Errorf("Verify after reopening: %v", rep.Broken)
	}
	// The chain continues where it stopped.
	next := mustRecord(t, s, byCard(line(vin, 1)))
	if got, want := next.Number, uint64(len(sales)+1); got != want {
		t.Errorf("next Number = %d, want %d", got, want)
	}
	if got, want := next.PrevHash, sales[len(sales)-1].Hash; got != want {
		t.Errorf("next PrevHash = %q, want %q", got, want)
	}
}

func TestStore_Product(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, pomme, journal)

	t.Run("Found", func(t *testing.T) {
		p, err := s.Product(ctx, pomme.GTIN)
		if err != nil {
			t.Fatalf("Product: %v", err)
		}
		if got, want := p, pomme; got != want {
			t.Errorf("Product = %+v, want %+v", got, want)
		}
	})
	t.Run("ErrUnknownProduct", func(t *testing.T) {
		_, err := s.Product(ctx, vin.GTIN)
		wantErr(t, err, comptoir.ErrUnknownProduct)
	})
	t.Run("ErrGTINCheckDigit", func(t *testing.T) {
		bad := pomme.GTIN[:12] + string('0'+(pomme.GTIN[12]-'0'+1)%10)
		_, err := s.Product(ctx, bad)
		wantErr(t, err, comptoir.ErrGTINCheckDigit)
	})
	t.Run("UPCAandEAN13", func(t *testing.T) {
		for _, code := range []string{journal.GTIN, "0" + journal.GTIN, "00" + journal.GTIN} {
			p, err := s.Product(ctx, code)
			if err != nil {
				t.Fatalf("Product(%s): %v", code, err)
			}
			if got, want := p, journal; got != want {
				t.Errorf("Product(%s) = %+v, want %+v", code, got, want)
			}
		}
	})
	t.Run("EAN13ImportFoundAsUPCA", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		p13 := journal
		p13.GTIN = "0" + journal.GTIN
		mustImport(t, s, p13)
		p, err := s.Product(ctx, journal.GTIN)
		if err != nil {
			t.Fatalf("Product(%s): %v", journal.GTIN, err)
		}
		if got, want := p.Name, journal.Name; got != want {
			t.Errorf("Product(%s).Name = %q, want %q", journal.GTIN, got, want)
		}
		products, err := s.Products(ctx)
		if err != nil {
			t.Fatalf("Products: %v", err)
		}
		if got, want := len(products), 1; got != want {
			t.Errorf("len(Products) = %d, want %d", got, want)
		}
	})
}

func TestStore_ImportProducts(t *testing.T) {
	ctx := context.Background()

	t.Run("OneInvalidImportsNothing", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		bad := repas
		bad.Price = 0
		n, err := s.ImportProducts(ctx, []comptoir.Product{pomme, bad, vin})
		wantErr(t, err, comptoir.ErrInvalidPrice)
		if got, want := n, 0; got != want {
			t.Errorf("imported = %d, want %d", got, want)
		}
		products, err := s.Products(ctx)
		if err != nil {
			t.Fatalf("Products: %v", err)
		}
		if len(products) != 0 {
			t.Errorf("Products = %+v, want none", products)
		}
		_, err = s.Product(ctx, pomme.GTIN)
		wantErr(t, err, comptoir.ErrUnknownProduct)
	})

	t.Run("CleansNames", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		dirty := pomme
		dirty.Name = "  Pomme\x1b[31m  Gala\t"
		mustImport(t, s, dirty)
		p, err := s.Product(ctx, pomme.GTIN)
		if err != nil {
			t.Fatalf("Product: %v", err)
		}
		if strings.ContainsRune(p.Name, '\x1b') {
			t.Errorf("Name = %q, want control characters stripped", p.Name)
		}
	})

	t.Run("ReimportUpdatesPriceNotTickets", func(t *testing.T) {
		path := dbPath(t)
		s := mustOpen(t, path, opts(newClock(day0)))
		mustImport(t, s, pomme, vin)
		p, err := s.Product(ctx, pomme.GTIN)
		if err != nil {
			t.Fatalf("Product: %v", err)
		}
		sold := mustRecord(t, s, byCard(line(p, 2)))

		dearer := pomme
		dearer.Price = 300
		n, err := s.ImportProducts(ctx, []comptoir.Product{dearer})
		if err != nil {
			t.Fatalf("ImportProducts: %v", err)
		}
		if got, want := n, 1; got != want {
			t.Errorf("imported = %d, want %d", got, want)
		}
		p, err = s.Product(ctx, pomme.GTIN)
		if err != nil {
			t.Fatalf("Product: %v", err)
		}
		if got, want := p.Price, comptoir.Money(300); got != want {
			t.Errorf("Price after re-import = %d, want %d", got, want)
		}
		if _, err := s.Product(ctx, vin.GTIN); err != nil {
			t.Errorf("Product(vin) after a partial re-import: %v", err)
		}
		mustClose(t, s)

		s = mustOpen(t, path, opts(newClock(day0)))
		got := mustSale(t, s, sold.Number)
		if got, want := got.Lines[0].UnitPrice, pomme.Price; got != want {
			t.Errorf("recorded UnitPrice = %d, want the old %d", got, want)
		}
		if got, want := got.Total, 2*pomme.Price; got != want {
			t.Errorf("recorded Total = %d, want %d", got, want)
		}
		if got.Hash != sold.Hash {
			t.Errorf("recorded Hash = %q, want %q", got.Hash, sold.Hash)
		}
		if rep := mustVerify(t, s); rep.Broken != nil {
			t.Errorf("Verify: %v", rep.Broken)
		}
	})
}

func TestOpen(t *testing.T) {
	t.Run("ErrDatabaseMissing", func(t *testing.T) {
		path := dbPath(t)
		s, err := store.Open(path, store.Options{MustExist: true})
		if err == nil {
			s.Close()
			t.Fatal("Open(MustExist) of a missing file = nil error, want ErrDatabaseMissing")
		}
		wantErr(t, err, comptoir.ErrDatabaseMissing)
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("Open(MustExist) created %s (%v)", path, err)
		}
		// Once the file exists, MustExist opens it.
		mustClose(t, mustOpen(t, path, store.Options{}))
		mustClose(t, mustOpen(t, path, store.Options{MustExist: true}))
	})

	t.Run("ErrInvalidRegister", func(t *testing.T) {
		path := dbPath(t)
		for _, name := range []string{"R 1", "R/1", "caisse€", strings.Repeat("A", 33), "R1\n"} {
			s, err := store.Open(path, store.Options{Register: name})
			if err == nil {
				s.Close()
				t.Fatalf("Open(Register: %q) = nil error, want ErrInvalidRegister", name)
			}
			wantErr(t, err, comptoir.ErrInvalidRegister)
		}
	})

	t.Run("ErrDatabaseInUse", func(t *testing.T) {
		path := dbPath(t)
		first := mustOpen(t, path, opts(newClock(day0)))
		start := time.Now()
		second, err := store.Open(path, store.Options{Timeout: 100 * time.Millisecond})
		elapsed := time.Since(start)
		if err == nil {
			second.Close()
			t.Fatalf("second Open = nil error, want ErrDatabaseInUse")
		}
		wantErr(t, err, comptoir.ErrDatabaseInUse)
		if elapsed > 2*time.Second {
			t.Errorf("second Open took %v, want it to give up after about its 100ms timeout", elapsed)
		}
		// The first store is unaffected.
		mustRecord(t, first, byCard(line(pomme, 1)))
	})

	t.Run("TwoRegisters", func(t *testing.T) {
		path := dbPath(t)
		o1 := opts(newClock(day0))
		o1.Register = "R1"
		o2 := opts(newClock(day0))
		o2.Register = "caisse-2"

		s1 := mustOpen(t, path, o1)
		a1 := mustRecord(t, s1, byCard(line(pomme, 1)))
		mustRecord(t, s1, byCard(line(pomme, 1)))
		mustClose(t, s1)

		s2 := mustOpen(t, path, o2)
		b1 := mustRecord(t, s2, byCard(line(vin, 1)))
		if got, want := b1.Number, uint64(1); got != want {
			t.Errorf("first ticket of caisse-2: Number = %d, want %d", got, want)
		}
		if got, want := b1.PrevHash, ""; got != want {
			t.Errorf("first ticket of caisse-2: PrevHash = %q, want %q", got, want)
		}
		if got, want := b1.Register, "caisse-2"; got != want {
			t.Errorf("Register = %q, want %q", got, want)
		}
		if got, want := b1.GrandTotal, vin.Price; got != want {
			t.Errorf("caisse-2 GrandTotal = %d, want %d (its own)", got, want)
		}
		if got, want := mustDayTotals(t, s2, "2026-03-10").Tickets, int64(1); got != want {
			t.Errorf("caisse-2 DayTotals.Tickets = %d, want %d", got, want)
		}
		if rep := mustVerify(t, s2); rep.Broken != nil || rep.Tickets != 1 {
			t.Errorf("caisse-2 Verify = %+v, want 1 ticket, intact", rep)
		}
		mustClose(t, s2)

		s1 = mustOpen(t, path, o1)
		if got, want := mustLastTicket(t, s1), uint64(2); got != want {
			t.Errorf("R1 LastTicket = %d, want %d", got, want)
		}
		if got := mustSale(t, s1, 1); got.Hash != a1.Hash {
			t.Errorf("R1 Sale(1).Hash = %q, want %q", got.Hash, a1.Hash)
		}
		a3 := mustRecord(t, s1, byCard(line(pomme, 1)))
		if got, want := a3.Number, uint64(3); got != want {
			t.Errorf("R1 next Number = %d, want %d", got, want)
		}
		if rep := mustVerify(t, s1); rep.Broken != nil || rep.Tickets != 3 {
			t.Errorf("R1 Verify = %+v, want 3 tickets, intact", rep)
		}
		// The outbox is shared and holds both registers' events.
		var regs []string
		for _, ev := range mustOutbox(t, s1) {
			var p struct{ Register string }
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatalf("payload: %v", err)
			}
			regs = append(regs, p.Register)
		}
		// Each register declares its signing key with its first ticket.
		if got, want := regs, []string{"R1", "R1", "R1", "caisse-2", "caisse-2", "R1"}; !reflect.DeepEqual(got, want) {
			t.Errorf("outbox registers = %v, want %v", got, want)
		}
	})
}
