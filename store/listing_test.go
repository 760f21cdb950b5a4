package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

func TestEachProduct_InOrderAndStopsOnError(t *testing.T) {
	s := mustOpen(t, dbPath(t), opts(newClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))))
	products := benchProducts(1000)
	mustImport(t, s, products...)
	var got []comptoir.Product
	if err := s.EachProduct(context.Background(), func(p comptoir.Product) error {
		got = append(got, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if g, w := len(got), len(products); g != w {
		t.Fatalf("EachProduct gave %d products, want %d", g, w)
	}
	for i := range got {
		if got[i] != products[i] {
			t.Fatalf("product %d is %+v, want %+v", i, got[i], products[i])
		}
	}
	stop := errors.New("reader gone")
	n := 0
	err := s.EachProduct(context.Background(), func(comptoir.Product) error {
		if n++; n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("after an error from fn: %v after %d products, want %v after 10", err, n, stop)
	}
}

// TestEachProduct_Cancelled interrupts a listing as Ctrl+C does: the iteration stops within a few
// hundred products with the context's error, not at the end of the catalogue.
func TestEachProduct_Cancelled(t *testing.T) {
	s := mustOpen(t, dbPath(t), opts(newClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))))
	mustImport(t, s, benchProducts(5000)...)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := s.EachProduct(ctx, func(comptoir.Product) error {
		if n++; n == 100 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled listing ended with %v, want context.Canceled", err)
	}
	if n > 100+256 {
		t.Errorf("the listing went on for %d products after it was cancelled", n-100)
	}
	if err := s.EachProduct(ctx, func(comptoir.Product) error { t.Fatal("called on a cancelled context"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("listing on a cancelled context: %v", err)
	}
}

func TestEachAudit_Cancelled(t *testing.T) {
	o := opts(newClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)))
	o.NoSync = true
	s := mustOpen(t, dbPath(t), o)
	ctx := context.Background()
	for i := range 600 {
		if err := s.Block(ctx, "bloque"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.fr", "Karim"); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Audit(ctx)
	if err != nil || len(all) != 600 {
		t.Fatalf("Audit: %d entries, %v; want 600", len(all), err)
	}
	cctx, cancel := context.WithCancel(ctx)
	n := 0
	err = s.EachAudit(cctx, func(e comptoir.AuditEntry) error {
		if e != all[n] {
			t.Fatalf("entry %d is %+v, want %+v", n, e, all[n])
		}
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 600 {
		t.Errorf("cancelled audit listing: %v after %d entries", err, n)
	}
}
