package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// recordingSink keeps what an export hands over, in the order it came.
type recordingSink struct {
	parts     []string
	registers map[string]central.Register
	events    map[string][]uint64
	payloads  map[string][][]byte
	feed      []uint64
	catalogs  map[uint64][]byte
	counters  central.Counters
}

func newRecordingSink() *recordingSink {
	return &recordingSink{registers: map[string]central.Register{}, events: map[string][]uint64{},
		payloads: map[string][][]byte{}, catalogs: map[uint64][]byte{}}
}

// part notes the part a row belongs to, once per run of rows.
func (s *recordingSink) part(name string) {
	if len(s.parts) == 0 || s.parts[len(s.parts)-1] != name {
		s.parts = append(s.parts, name)
	}
}

func (s *recordingSink) Register(name string, st central.Register, _ *central.Audit) error {
	s.part("registers")
	s.registers[name] = st
	return nil
}

func (s *recordingSink) Event(register string, seq uint64, e central.StoredEvent) error {
	s.part("events")
	s.events[register] = append(s.events[register], seq)
	s.payloads[register] = append(s.payloads[register], e.Payload)
	return nil
}

func (s *recordingSink) Conflict(uint64, central.Conflict) error { s.part("conflicts"); return nil }
func (s *recordingSink) Member(central.Member) error             { s.part("members"); return nil }
func (s *recordingSink) Card(string, comptoir.CustomerID) error  { s.part("cards"); return nil }
func (s *recordingSink) Seal(comptoir.CustomerID, central.Seal) error {
	s.part("seals")
	return nil
}
func (s *recordingSink) Email([]byte, comptoir.CustomerID) error { s.part("emails"); return nil }
func (s *recordingSink) Blocked(string, time.Time) error         { s.part("blocked"); return nil }

func (s *recordingSink) Feed(n uint64, _ central.FeedEntry) error {
	s.part("feed")
	s.feed = append(s.feed, n)
	return nil
}

func (s *recordingSink) Catalog(version uint64, products []byte) error {
	s.part("catalogs")
	s.catalogs[version] = products
	return nil
}

func (s *recordingSink) Audit(uint64, central.AuditEntry) error { s.part("audit"); return nil }
func (s *recordingSink) CardBlock(string, uint64) error         { s.part("cardblocks"); return nil }

func (s *recordingSink) Counters(k central.Counters) error {
	s.part("counters")
	s.counters = k
	return nil
}

// TestCentralExport_WalksEverything exports a central that holds two registers' pushes, a price
// list and its set-ups: every event once in sequence order with its payload as pushed, the
// feed's entries under their numbers, the price list's products as stored, the counters with
// the key's check value, each part in the order central.Sink lists them.
func TestCentralExport_WalksEverything(t *testing.T) {
	ctx := context.Background()
	c := mustOpenCentral(t, centralPath(t), true)
	_, events := registerWithSales(t, 4)
	for _, r := range []string{"R1", "R2"} {
		if _, err := c.Setup(ctx, r, comptoir.SetupRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	// R1's outbox is pushed in the name of both: R2's records name R1, and are kept rejected.
	mustPush(t, c, "R1", events)
	mustPush(t, c, "R2", events[:2])
	if _, err := c.PutCatalog(ctx, []comptoir.Product{pomme, vin}); err != nil {
		t.Fatal(err)
	}
	sink := newRecordingSink()
	if err := c.Export(ctx, sink); err != nil {
		t.Fatalf("Export: %v", err)
	}
	want := []string{"counters", "registers", "events", "cardblocks"}
	got := []string{}
	for _, p := range sink.parts {
		if p != "feed" && p != "catalogs" {
			got = append(got, p)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("parts %v, want %v with the feed and the price list", sink.parts, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("parts %v, want %v with the feed and the price list", sink.parts, want)
		}
	}
	if got, want := len(sink.events["R1"]), len(events); got != want {
		t.Fatalf("R1: %d events exported, want %d", got, want)
	}
	for i, seq := range sink.events["R1"] {
		if seq != events[i].Seq || !bytes.Equal(sink.payloads["R1"][i], events[i].Payload) {
			t.Fatalf("R1's event %d exported as seq %d, payload equal %v", events[i].Seq, seq, bytes.Equal(sink.payloads["R1"][i], events[i].Payload))
		}
	}
	if st := sink.registers["R1"]; st.AckedSeq != events[len(events)-1].Seq {
		t.Errorf("R1's summary acknowledges %d, want %d", st.AckedSeq, events[len(events)-1].Seq)
	}
	for i, n := range sink.feed {
		if n != uint64(i+1) {
			t.Fatalf("feed numbers %v, want 1 to %d", sink.feed, len(sink.feed))
		}
	}
	var products []comptoir.Product
	if err := json.Unmarshal(sink.catalogs[1], &products); err != nil || len(products) != 2 {
		t.Errorf("price list 1: %d products (%v), want 2", len(products), err)
	}
	if len(sink.counters.KeyCheck) == 0 || sink.counters.NextCardBlock != central.FirstCardBlock+2 {
		t.Errorf("counters %+v, want the key's check and the third card block next", sink.counters)
	}
}

// TestCentralExport_RefusesDamage exports a central one of whose events does not read back: the
// export is refused naming it, rather than leave the event out of a copy.
func TestCentralExport_RefusesDamage(t *testing.T) {
	path := centralPath(t)
	c := mustOpenCentral(t, path, true)
	_, events := registerWithSales(t, 1)
	mustPush(t, c, "R1", events)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("events/R1")).Put([]byte{0, 0, 0, 0, 0, 0, 0, 1}, []byte{9})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	c = mustOpenCentral(t, path, true)
	err = c.Export(context.Background(), newRecordingSink())
	if !errors.Is(err, comptoir.E(comptoir.CodeDatabaseDamaged)) {
		t.Fatalf("Export of a damaged event: %v, want %s", err, comptoir.CodeDatabaseDamaged)
	}
}
