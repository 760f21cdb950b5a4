package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// TestRun_ReportShowsCashCount checks that a Z close counted at the register prints its count,
// counted against expected per method, in the report command.
func TestRun_ReportShowsCashCount(t *testing.T) {
	db := dbPath(t)
	now := time.Date(2026, 3, 10, 18, 0, 0, 0, time.Local)
	s, err := store.Open(db, store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte", Price: 395, VAT: comptoir.VATReduced}
	if _, err := s.RecordSale(ctx, comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, 2)},
		Payments: []comptoir.Payment{{Method: comptoir.Cash, Amount: 1000}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CloseDayCounted(ctx, "2026-03-10", map[comptoir.PaymentMethod]comptoir.Money{comptoir.Cash: 740}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	r := runCmd(t, nil, "", "--db", db, "report", "--date", "2026-03-10")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Comptage   Attendu  Compté    Écart", "Espèces   7,90 €  7,40 €  -0,50 €"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCmd(t, nil, "", "--db", db, "verify"); r.code != exitOK {
		t.Errorf("verify after a counted close: exit %d: %s", r.code, r.stderr)
	}
}
