package central_test

import (
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
)

// discard is a sink that keeps nothing.
type discard struct{}

func (discard) Register(string, central.Register, *central.Audit) error { return nil }
func (discard) Event(string, uint64, central.StoredEvent) error         { return nil }
func (discard) Conflict(uint64, central.Conflict) error                 { return nil }
func (discard) Member(central.Member) error                             { return nil }
func (discard) Card(string, comptoir.CustomerID) error                  { return nil }
func (discard) Seal(comptoir.CustomerID, central.Seal) error            { return nil }
func (discard) Email([]byte, comptoir.CustomerID) error                 { return nil }
func (discard) Blocked(string, time.Time) error                         { return nil }
func (discard) Feed(uint64, central.FeedEntry) error                    { return nil }
func (discard) Catalog(uint64, []byte) error                            { return nil }
func (discard) Audit(uint64, central.AuditEntry) error                  { return nil }
func (discard) CardBlock(string, uint64) error                          { return nil }
func (discard) Counters(central.Counters) error                         { return nil }

// TestCount_TotalsAndDiff counts a small walk and compares it with a copy that lost a cent and
// a feed entry: both differences are named, and equal totals have none.
func TestCount_TotalsAndDiff(t *testing.T) {
	s, got := central.Count(discard{})
	_ = s.Register("R1", central.Register{AckedSeq: 2, Tickets: 2, GrandTotal: 1999}, nil)
	_ = s.Event("R1", 1, central.StoredEvent{})
	_ = s.Event("R1", 2, central.StoredEvent{})
	_ = s.Member(central.Member{ID: "M1", Balance: 7})
	_ = s.Member(central.Member{ID: "M2", Balance: -2})
	_ = s.Feed(1, central.FeedEntry{})
	_ = s.Counters(central.Counters{CardConflicts: 1})
	want := central.RegisterTotals{AckedSeq: 2, Events: 2, Tickets: 2, GrandTotal: 1999}
	if r := got.Registers["R1"]; r != want || got.Members != 2 || got.Balances != 5 || got.Feed != 1 || got.CardConflicts != 1 {
		t.Fatalf("totals %+v, want R1 %+v, 2 members with 5 points, 1 feed entry, 1 card conflict", got, want)
	}
	same := *got
	same.Registers = map[string]central.RegisterTotals{"R1": want}
	if diff := got.Diff(same); diff != nil {
		t.Errorf("equal totals differ: %v", diff)
	}
	other := same
	other.Registers = map[string]central.RegisterTotals{"R1": {AckedSeq: 2, Events: 2, Tickets: 2, GrandTotal: 1998}, "R9": {}}
	other.Feed = 0
	diff := got.Diff(other)
	if len(diff) != 3 || !strings.HasPrefix(diff[0], "register R1:") || !strings.HasPrefix(diff[1], "register R9: only in the copy") ||
		!strings.HasPrefix(diff[2], "tables:") {
		t.Errorf("Diff = %q, want R1, R9 and the tables named", diff)
	}
}
