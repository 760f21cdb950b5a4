package syncer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

// TestSyncer_ReadAheadMeanwhile records sales while batches travel, when the Syncer drops the
// batch before and reads the batch after: every event goes in the same run, in order, each once,
// and the outbox ends empty.
func TestSyncer_ReadAheadMeanwhile(t *testing.T) {
	reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
	sell(t, reg, 5)
	rec := &recorder{answer: func(n int, events []comptoir.Event) (comptoir.PushResult, error) {
		if n == 2 || n == 3 {
			// The last batch of those waiting at the start, and the one before it.
			sell(t, reg, 1)
		}
		return comptoir.PushResult{AckedSeq: events[len(events)-1].Seq}, nil
	}}
	s := &syncer.Syncer{Outbox: reg, Central: rec, Register: "R1", MaxEvents: 2}
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var next uint64 = 1
	for i, b := range rec.batches {
		for _, e := range b {
			if e.Seq != next {
				t.Fatalf("batch %d sends seq %d, want %d", i+1, e.Seq, next)
			}
			next++
		}
	}
	if got, want := next-1, uint64(keyEvents+7); got != want {
		t.Errorf("%d events sent, want %d", got, want)
	}
	if got, want := rep.Acked, keyEvents+7; got != want {
		t.Errorf("Run acknowledged %d events, want %d", got, want)
	}
	pending, err := reg.PendingEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pending, 0; got != want {
		t.Errorf("%d events pending, want %d", got, want)
	}
}

// TestSyncer_ReadAheadStopsOnRefusal refuses the second batch: the first is dropped all the
// same, which the read ahead did while the second travelled, and the second stays.
func TestSyncer_ReadAheadStopsOnRefusal(t *testing.T) {
	reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
	sell(t, reg, 4)
	rec := &recorder{answer: func(n int, events []comptoir.Event) (comptoir.PushResult, error) {
		if n == 2 {
			return comptoir.PushResult{}, comptoir.E(comptoir.CodeForbiddenRegister, "R1")
		}
		return comptoir.PushResult{AckedSeq: events[len(events)-1].Seq}, nil
	}}
	s := &syncer.Syncer{Outbox: reg, Central: rec, Register: "R1", MaxEvents: 2}
	rep, err := s.Run(context.Background())
	wantCode(t, err, comptoir.CodeForbiddenRegister)
	if got, want := rep.Acked, 2; got != want {
		t.Errorf("Run acknowledged %d events, want %d", got, want)
	}
	pending, err := reg.PendingEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pending, keyEvents+2; got != want {
		t.Errorf("%d events pending, want %d", got, want)
	}
}
