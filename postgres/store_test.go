package postgres

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/comptoir/comptoir/store"
)

// bothCentrals opens an embedded central and a PostgreSQL one, each empty, on the same clock, so
// that the same history gives both the same answers.
func bothCentrals(t *testing.T) (*store.Central, *Central) {
	t.Helper()
	now := func() time.Time { return day0.Add(time.Hour) }
	bolt, err := store.OpenCentral(filepath.Join(t.TempDir(), "central.db"), store.CentralOptions{Now: now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bolt.Close() })
	dsn := pgtest.DSN(t)
	pg, err := Open(context.Background(), dsn, Options{KeyPath: keyPath(t, dsn), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return bolt, pg
}

// TestSameAnswersAsEmbedded gives the embedded central and this one the same history, on the same
// clock, and compares what they answer: the summaries, and the feed page by page, cursors
// included, so that a register moved from one backend to the other keeps its cursor.
func TestSameAnswersAsEmbedded(t *testing.T) {
	ctx := context.Background()
	bolt, pg := bothCentrals(t)
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

// realSales are the events of a real register that recorded n sales: its key record at
// sequence 1, ticket k at k+1, signed.
func realSales(tb testing.TB, n int) []comptoir.Event {
	tb.Helper()
	ctx := context.Background()
	reg, err := store.Open(filepath.Join(tb.TempDir(), "register.db"), store.Options{Register: "R1", NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer reg.Close()
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}
	for range n {
		d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, 1)},
			Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: p.Price}}}
		if _, err := reg.RecordSale(ctx, d); err != nil {
			tb.Fatal(err)
		}
	}
	events, err := reg.Outbox(ctx, 0, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return events
}

// TestSameAuditAsEmbedded has both centrals audit the same signed events, one of them with a
// signature that does not hold and one pushed out of its chain: the summaries agree on what was
// checked, what broke and which break is named.
func TestSameAuditAsEmbedded(t *testing.T) {
	ctx := context.Background()
	events := realSales(t, 6)
	// Ticket 2's signature altered: its hash chain still links, only the auditor sees it.
	i := bytes.Index(events[2].Payload, []byte(`"sig":"`))
	if i < 0 {
		t.Fatalf("no signature in %s", events[2].Payload)
	}
	tampered := bytes.Clone(events[2].Payload)
	j := i + len(`"sig":"`)
	if tampered[j] == 'A' {
		tampered[j] = 'B'
	} else {
		tampered[j] = 'A'
	}
	events[2].Payload = tampered
	// Ticket 5 left out: ticket 6 goes under its sequence and breaks the chain at the push.
	events = append(events[:5], events[6])
	events[5].Seq = 6

	bolt, pg := bothCentrals(t)
	for _, c := range []interface {
		comptoir.CentralStore
		AuditAll(context.Context) error
	}{bolt, pg} {
		if _, err := c.Push(ctx, "R1", events); err != nil {
			t.Fatal(err)
		}
		if err := c.AuditAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	a, errA := bolt.Register(ctx, "R1")
	b, errB := pg.Register(ctx, "R1")
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("summary:\nbbolt    %+v (%v)\npostgres %+v (%v)", a, errA, b, errB)
	}
	if b.ChainBreak != "ticket 2 (signature)" || b.SignatureBreaks == 0 || b.SignaturesPending != 0 {
		t.Errorf("summary %+v, want the break named at ticket 2's signature, none pending", b)
	}
}
