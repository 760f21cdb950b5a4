package store_test

import (
	"context"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

func TestDraft_KeptPerRegisterAndTakenOnce(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	o := opts(newClock(day0))
	s, err := store.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	lines := []comptoir.Line{comptoir.LineFor(pomme, 3), comptoir.LineFor(vin, 1)}
	if err := s.SaveDraft(ctx, lines); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Another register of the same file has no draft.
	o2 := o
	o2.Register = "R2"
	s2, err := store.Open(path, o2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.TakeDraft(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("R2 TakeDraft = %v, %v; want no lines", got, err)
	}
	s2.Close()

	s, err = store.Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err = s.TakeDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Qty != 3 || got[0].Total != 750 || got[1].GTIN != vin.GTIN {
		t.Errorf("TakeDraft = %+v, want the two lines saved", got)
	}
	if got, err := s.TakeDraft(ctx); err != nil || len(got) != 0 {
		t.Errorf("second TakeDraft = %v, %v; want nothing: a draft is given back once", got, err)
	}
	// Saving no lines removes a draft.
	if err := s.SaveDraft(ctx, lines); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TakeDraft(ctx); err != nil || len(got) != 0 {
		t.Errorf("TakeDraft after saving nothing = %v, %v; want nothing", got, err)
	}
}

func TestDemo_MarkSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s, err := store.Open(path, opts(newClock(day0)))
	if err != nil {
		t.Fatal(err)
	}
	if demo, err := s.IsDemo(ctx); err != nil || demo {
		t.Fatalf("new database IsDemo = %v, %v; want false", demo, err)
	}
	if err := s.MarkDemo(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.Open(path, opts(newClock(day0)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if demo, err := s.IsDemo(ctx); err != nil || !demo {
		t.Errorf("IsDemo after MarkDemo = %v, %v; want true", demo, err)
	}
}
