package postgres

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/comptoir/comptoir/store"
)

// TestSameAnswersAsEmbedded gives the embedded central and this one the same history, on the same
// clock, and compares what they answer: the summaries, and the feed page by page, cursors
// included, so that a register moved from one backend to the other keeps its cursor.
func TestSameAnswersAsEmbedded(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return day0.Add(time.Hour) }
	bolt, err := store.OpenCentral(filepath.Join(t.TempDir(), "central.db"), store.CentralOptions{Now: now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bolt.Close() })
	dsn := pgtest.DSN(t)
	pg, err := Open(ctx, dsn, Options{KeyPath: keyPath(t, dsn), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	centrals := []comptoir.CentralService{bolt, pg}

	enrolments := []comptoir.Event{enrol(t, "R0", 1, member(1), comptoir.CardNumber(1)), enrol(t, "R0", 2, member(2), comptoir.CardNumber(2)),
		enrol(t, "R0", 3, member(3), comptoir.CardNumber(1))}
	var sales []comptoir.Event
	for seq := range uint64(12) {
		sales = append(sales, sale(t, "R1", seq+1, member(1+int(seq)%2), 4, int64(seq%3)))
	}
	for _, c := range centrals {
		if _, err := c.Setup(ctx, "R1", comptoir.SetupRequest{Demo: true, Software: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, batch := range [][]comptoir.Event{enrolments, sales[:5], sales[3:], {}} {
			if _, err := c.Push(ctx, batch0(batch), batch); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.PutCatalog(ctx, products(7)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Consent(ctx, comptoir.CardNumber(2), comptoir.CentralConsent{Channel: comptoir.ChannelPost, Granted: true}); err != nil {
			t.Fatal(err)
		}
		if err := c.Erase(ctx, comptoir.CardNumber(2), "dpo"); err != nil {
			t.Fatal(err)
		}
	}
	for _, register := range []string{"R0", "R1"} {
		a, errA := bolt.Register(ctx, register)
		b, errB := pg.Register(ctx, register)
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("summary of %s:\nbbolt    %+v (%v)\npostgres %+v (%v)", register, a, errA, b, errB)
		}
	}
	for _, register := range []string{"R1", "R9"} {
		var curA, curB string
		for {
			a, errA := bolt.Changes(ctx, register, curA, 2)
			b, errB := pg.Changes(ctx, register, curB, 2)
			if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("page of %s after %q:\nbbolt    %+v (%v)\npostgres %+v (%v)", register, curA, a, errA, b, errB)
			}
			curA, curB = a.Next, b.Next
			if !a.More {
				break
			}
		}
	}
	for _, card := range []string{comptoir.CardNumber(1), comptoir.CardNumber(2)} {
		a, errA := bolt.Member(ctx, card, true, "dpo")
		b, errB := pg.Member(ctx, card, true, "dpo")
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("member %s:\nbbolt    %+v (%v)\npostgres %+v (%v)", card, a, errA, b, errB)
		}
	}
	nA, _ := bolt.CardConflicts(ctx)
	nB, _ := pg.CardConflicts(ctx)
	if nA != nB || nA != 1 {
		t.Errorf("card conflicts: bbolt %d, postgres %d, want 1", nA, nB)
	}
}

// batch0 is the register that pushes a batch of the tests' events, named in their IDs.
func batch0(events []comptoir.Event) string {
	if len(events) == 0 {
		return "R1"
	}
	id := events[0].ID
	return id[:2]
}
