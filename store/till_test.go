package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestRecordVoid_WritesOneAuditEntryWithoutLabel(t *testing.T) {
	ctx := context.Background()
	c := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(c))
	defer mustClose(t, s)

	if err := s.RecordVoid(ctx, "alice", line(pomme, 2)); err != nil {
		t.Fatal(err)
	}
	audit, err := s.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(audit), 1; got != want {
		t.Fatalf("audit entries = %d, want %d: %+v", got, want, audit)
	}
	e := audit[0]
	if got, want := e.Action, comptoir.AuditLineVoided; got != want {
		t.Errorf("action = %q, want %q", got, want)
	}
	if got, want := e.Who, "alice"; got != want {
		t.Errorf("who = %q, want %q", got, want)
	}
	if got, want := e.Detail, "3017620422003×2=500"; got != want {
		t.Errorf("detail = %q, want %q", got, want)
	}
	if got, want := e.DetailIn(comptoir.LangFR), "3017620422003 × 2, 5,00 €"; got != want {
		t.Errorf("detail in French = %q, want %q", got, want)
	}
	if !e.At.Equal(day0) || e.Customer != "" {
		t.Errorf("entry at %v about %q, want %v about no member", e.At, e.Customer, day0)
	}
}

func TestRecordAbandon_CountsLinesItemsAndAmount(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	defer mustClose(t, s)

	if err := s.RecordAbandon(ctx, "bob", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAbandon(ctx, "bob", []comptoir.Line{line(pomme, 3), line(vin, 1)}); err != nil {
		t.Fatal(err)
	}
	audit, err := s.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(audit), 1; got != want {
		t.Fatalf("audit entries = %d, want %d (an empty ticket records nothing): %+v", got, want, audit)
	}
	if got, want := audit[0].Action, comptoir.AuditTicketAbandoned; got != want {
		t.Errorf("action = %q, want %q", got, want)
	}
	if got, want := audit[0].DetailIn(comptoir.LangEN), "2 lines, 4 items, €19.50"; got != want {
		t.Errorf("detail in English = %q, want %q", got, want)
	}
}

func TestRecordVoid_RefusesCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	defer mustClose(t, s)
	if err := s.RecordVoid(ctx, "alice", line(pomme, 1)); err == nil {
		t.Error("a cancelled context recorded a void")
	}
}

func TestTillCounts_CountsTheDayAsked(t *testing.T) {
	ctx := context.Background()
	c := newClock(day0.AddDate(0, 0, -1))
	s := mustOpen(t, dbPath(t), opts(c))
	defer mustClose(t, s)

	mustVoid := func(l comptoir.Line) {
		t.Helper()
		if err := s.RecordVoid(ctx, "alice", l); err != nil {
			t.Fatal(err)
		}
	}
	mustVoid(line(vin, 5)) // the day before
	c.Set(day0)
	mustVoid(line(pomme, 2))
	mustVoid(line(pomme, 1))
	if err := s.RecordAbandon(ctx, "alice", []comptoir.Line{line(vin, 1), line(pomme, 1)}); err != nil {
		t.Fatal(err)
	}
	c.Set(day0.AddDate(0, 0, 1))
	mustVoid(line(vin, 3)) // the day after

	got, err := s.TillCounts(ctx, "2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	want := comptoir.TillCounts{Voids: 2, VoidAmount: 750, Abandons: 1, AbandonAmount: 1450}
	if got != want {
		t.Errorf("TillCounts = %+v, want %+v", got, want)
	}
	if _, err := s.TillCounts(ctx, "2026-03"); !errors.Is(err, comptoir.E(comptoir.CodeInvalidPeriod)) {
		t.Errorf("TillCounts of a month = %v, want %s", err, comptoir.CodeInvalidPeriod)
	}
}
