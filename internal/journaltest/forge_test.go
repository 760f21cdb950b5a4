package journaltest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
)

// TestForgeTicket_CaughtBySignatureOnly forges a ticket with every later hash and link made
// right: verify names that ticket, and by its signature, not by a hash or a link.
func TestForgeTicket_CaughtBySignatureOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	last := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	o := store.Options{Location: time.UTC, NoSync: true, Now: func() time.Time { return last.Add(20 * time.Hour) }}
	s, err := store.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte", Price: 250, VAT: comptoir.VATReduced}
	if _, err := s.ImportProducts(ctx, []comptoir.Product{p}); err != nil {
		t.Fatal(err)
	}
	err = journaltest.FillDays(ctx, s, last, 2, 4, func(i int, at time.Time) comptoir.SaleDraft {
		return comptoir.SaleDraft{At: at, Cashier: "Anne", Lines: []comptoir.Line{comptoir.LineFor(p, 1)},
			Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: 250}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	said, err := journaltest.ForgeTicket(path, "R1", 3)
	if err != nil {
		t.Fatalf("ForgeTicket: %v", err)
	}
	t.Log(said)
	s, err = store.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Broken == nil || rep.Broken.Code != comptoir.CodeSignatureInvalid || rep.At == nil || rep.At.Kind != comptoir.TicketRecord || rep.At.Number != 3 {
		t.Fatalf("Verify after forging ticket 3 = %v at %+v, want ticket 3's signature", rep.Broken, rep.At)
	}
	sale, err := s.Sale(ctx, 3)
	if err != nil || sale.Cashier != "anne" {
		t.Errorf("forged ticket's cashier = %q, %v; want %q", sale.Cashier, err, "anne")
	}
}
