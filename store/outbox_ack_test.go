package store_test

import (
	"context"
	"testing"

	"github.com/comptoir/comptoir"
)

// TestStore_AckOutbox drops what the central acknowledged, keeps the rest readable and counted,
// and numbers the next event after every number ever given, even once the outbox is empty.
func TestStore_AckOutbox(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	// The first event declares the register's signing key, made with its first ticket: three
	// tickets make four events.
	for range 3 {
		mustRecord(t, s, byCard(line(pomme, 1)))
	}
	ack := func(upTo uint64) int {
		t.Helper()
		n, err := s.AckOutbox(ctx, upTo)
		if err != nil {
			t.Fatalf("AckOutbox(%d): %v", upTo, err)
		}
		return n
	}
	pending := func() int {
		t.Helper()
		n, err := s.PendingEvents(ctx)
		if err != nil {
			t.Fatalf("PendingEvents: %v", err)
		}
		return n
	}
	if got, want := ack(2), 2; got != want {
		t.Errorf("AckOutbox(2) dropped %d events, want %d", got, want)
	}
	if got := mustOutbox(t, s); len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 4 {
		t.Fatalf("outbox after AckOutbox(2) = %v, want events 3 and 4", got)
	}
	if got, want := pending(), 2; got != want {
		t.Errorf("PendingEvents after AckOutbox(2) = %d, want %d", got, want)
	}
	// An acknowledgement already applied drops nothing more.
	if got, want := ack(2), 0; got != want {
		t.Errorf("AckOutbox(2) again dropped %d events, want %d", got, want)
	}
	if got, want := ack(4), 2; got != want {
		t.Errorf("AckOutbox(4) dropped %d events, want %d", got, want)
	}
	if got, want := pending(), 0; got != want {
		t.Errorf("PendingEvents of an acknowledged outbox = %d, want %d", got, want)
	}
	// The next event follows the last one given, never reusing a number the central holds.
	mustRecord(t, s, byCard(line(vin, 1)))
	if got := mustOutbox(t, s); len(got) != 1 || got[0].Seq != 5 {
		t.Fatalf("outbox after a new sale = %v, want event 5 alone", got)
	}
	if got, want := pending(), 1; got != want {
		t.Errorf("PendingEvents after a new sale = %d, want %d", got, want)
	}
}

// TestStore_AckOutbox_PastLastSequence refuses an acknowledgement of events this file never
// numbered (a register restored from an older copy) and drops nothing.
func TestStore_AckOutbox_PastLastSequence(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	// The signing key's declaration and two tickets: three events.
	mustRecord(t, s, byCard(line(pomme, 1)))
	mustRecord(t, s, byCard(line(pomme, 1)))
	_, err := s.AckOutbox(ctx, 4)
	wantErr(t, err, comptoir.E(comptoir.CodeRegisterBehindCentral))
	if got := errArgs(t, err); len(got) != 2 || got[0] != uint64(4) || got[1] != uint64(3) {
		t.Errorf("refusal values = %v, want the central's 4 and the file's 3", got)
	}
	if got := mustOutbox(t, s); len(got) != 3 {
		t.Errorf("outbox after a refused acknowledgement has %d events, want 3", len(got))
	}
}
