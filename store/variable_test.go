package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// TestStore_ItemsWithoutBarcode records a ticket with a weighed item, a scale-priced item and an
// open-price department line, priced through the store's own catalogue and settings, then
// refunds two of them and checks that the journal verifies.
func TestStore_ItemsWithoutBarcode(t *testing.T) {
	ctx := context.Background()
	clk := newClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	s := mustOpen(t, dbPath(t), opts(clk))
	code := func(body string) string { return body + strconv.Itoa(comptoir.GTINCheckDigit(body)) }
	cheese := comptoir.Product{GTIN: code("281234500000"), Name: "Comté 18 mois", Price: 1890, VAT: comptoir.VATReduced}
	tart := comptoir.Product{GTIN: code("212345600000"), Name: "Tarte aux pommes", Price: 100, VAT: comptoir.VATReduced}
	mustImport(t, s, cheese, tart)

	if err := s.SetSetting(ctx, "scale.layout", "weight5"); err != nil {
		t.Fatal(err)
	}
	shop, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	weighed, err := comptoir.LookupCode(ctx, s, shop.ScaleLayout, code("281234500532"))
	if err != nil {
		t.Fatalf("LookupCode(weighed): %v", err)
	}
	if got, want := weighed.Price, comptoir.Money(1005); got != want {
		t.Errorf("weighed price = %v, want %v", got, want)
	}
	priced, err := comptoir.LookupCode(ctx, s, comptoir.ScalePrice5, code("212345601250"))
	if err != nil {
		t.Fatalf("LookupCode(priced): %v", err)
	}
	dept, err := comptoir.OpenPriceProduct(shop.DepartmentList()[0], 1, "12,50")
	if err != nil {
		t.Fatal(err)
	}

	sale := mustRecord(t, s, byCard(line(weighed, 1), line(priced, 2), line(dept, 1)))
	if got, want := sale.Total, comptoir.Money(1005+2*1250+1250); got != want {
		t.Errorf("total = %v, want %v", got, want)
	}
	got := mustSale(t, s, sale.Number)
	if got.Lines[0].GTIN != code("281234500532") || got.Lines[0].Name != "Comté 18 mois 0,532 kg à 18,90 €/kg" || got.Lines[2].GTIN != comptoir.DepartmentGTIN(1) {
		t.Errorf("recorded lines = %+v", got.Lines)
	}
	// A refund finds the scale item and the department line by code, price and rate.
	mustRecord(t, s, refundOf(sale.Number, line(priced, 1), line(dept, 1)))
	// A refund at another price is no refund of the ticket's line.
	other := dept
	other.Price = 999
	_, err = s.RecordSale(ctx, refundOf(sale.Number, line(other, 1)))
	if err == nil {
		t.Fatalf("a refund of the department line at another price was recorded")
	}
	if rep := mustVerify(t, s); rep.Broken != nil || rep.Tickets != 2 {
		t.Errorf("Verify = %+v (broken %v), want 2 intact tickets", rep, rep.Broken)
	}
}
