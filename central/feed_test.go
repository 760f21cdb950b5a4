package central

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestParseCursor_RoundTrip(t *testing.T) {
	entry, err := EntryBytes(FeedEntry{Kind: comptoir.ChangeErased, Member: "M0000000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n uint64
		v []byte
	}{{0, nil}, {7, entry}} {
		c, err := ParseCursor(FormatCursor(tc.n, tc.v))
		if err != nil {
			t.Fatalf("ParseCursor(FormatCursor(%d)): %v", tc.n, err)
		}
		if got, want := c.N, tc.n; got != want {
			t.Errorf("N: got %d, want %d", got, want)
		}
		if !c.Names(tc.v) {
			t.Errorf("cursor %d does not name the entry it was made for", tc.n)
		}
		if tc.v != nil && c.Names(append([]byte{1}, `{"k":"catalog"}`...)) {
			t.Errorf("cursor %d names another entry", tc.n)
		}
	}
	if c, err := ParseCursor(""); err != nil || c.N != 0 || !c.Names(nil) {
		t.Errorf(`ParseCursor(""): got %+v, %v; want the beginning`, c, err)
	}
	// A cursor of the first increment names any entry of its number.
	if c, err := ParseCursor("f1.12"); err != nil || c.N != 12 || !c.Names(entry) {
		t.Errorf(`ParseCursor("f1.12"): got %+v, %v; want 12, untagged`, c, err)
	}
}

func TestParseCursor_Refused(t *testing.T) {
	for _, cursor := range []string{"f2.", "f2.1", "f2.1.abc", "f2.01.0011aabb", "f2.1.0011AABB", "f2.1.0011aabz",
		"f1.", "f1.x", "f1.-1", "f3.1.0011aabb", "12", " f2.1.0011aabb"} {
		_, err := ParseCursor(cursor)
		var e *comptoir.Error
		if !errors.As(err, &e) || e.Code != comptoir.CodeInvalidCursor {
			t.Errorf("ParseCursor(%q): got %v, want CodeInvalidCursor", cursor, err)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add("f1.3")
	f.Add(FormatCursor(42, []byte("x")))
	f.Fuzz(func(t *testing.T, cursor string) {
		c, err := ParseCursor(cursor)
		if err != nil || !c.tagged || cursor == "" {
			return
		}
		// A cursor read is one that writes back the same.
		if got := cursorPrefix + strings.SplitN(strings.TrimPrefix(cursor, cursorPrefix), ".", 2)[0] + "." + c.tag; got != cursor {
			t.Fatalf("ParseCursor(%q) reads as %q", cursor, got)
		}
	})
}

// feedMembers is a FeedReader over a map, and one price list.
type feedMembers map[comptoir.CustomerID]Member

func (f feedMembers) Member(id comptoir.CustomerID) (Member, bool, error) {
	m, ok := f[id]
	return m, ok, nil
}

func (f feedMembers) Catalog(version uint64) ([]comptoir.Product, error) {
	return []comptoir.Product{{GTIN: "3017620422003", Name: strings.Repeat("p", 200), Price: comptoir.Money(version)}}, nil
}

func TestPage_SkipsOwnAndDeduplicatesMembers(t *testing.T) {
	r := feedMembers{"M0000000000000001": {ID: "M0000000000000001", Balance: 40, Status: comptoir.StatusActive}}
	entries := []FeedEntry{
		{Origin: "R1", Kind: comptoir.ChangeBlocked, Hash: "aa"},                 // R1's own: skipped
		{Origin: "R1", Kind: comptoir.ChangeMember, Member: "M0000000000000001"}, // members always come
		{Origin: "R2", Kind: comptoir.ChangeMember, Member: "M0000000000000001"}, // once a page
		{Origin: "R2", Kind: comptoir.ChangeBlocked, Hash: "bb"},
		{Kind: comptoir.ChangeMember, Member: "M00000000000000ff"}, // unknown: nothing to send
	}
	p := NewPage("R1", 9, 0, 0, FormatCursor(0, nil))
	for i, e := range entries {
		if more, err := p.Add(r, e, FormatCursor(uint64(i+1), nil)); err != nil || !more {
			t.Fatalf("Add %d: got %v, %v; want room", i, more, err)
		}
	}
	page := p.Result()
	if got, want := len(page.Changes), 2; got != want {
		t.Fatalf("changes: got %d (%+v), want %d", got, page.Changes, want)
	}
	if m := page.Changes[0].Member; m == nil || m.Balance != 40 || m.AsOfTicket != 9 {
		t.Errorf("member change: got %+v, want balance 40 as of ticket 9", m)
	}
	if got, want := page.Changes[1].Blocked, "bb"; got != want {
		t.Errorf("blocked: got %q, want %q", got, want)
	}
	if got, want := page.Next, FormatCursor(5, nil); got != want || page.More {
		t.Errorf("next: got %q more %v, want %q and no more", got, page.More, want)
	}
}

func TestPage_Bounds(t *testing.T) {
	catalog := FeedEntry{Kind: comptoir.ChangeCatalog, Catalog: 1}
	// A byte bound below one change still lets the first in, and stops before the second.
	p := NewPage("R1", 0, 0, 10, "")
	for i := range 2 {
		more, err := p.Add(feedMembers{}, catalog, FormatCursor(uint64(i+1), nil))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := more, i == 0; got != want {
			t.Errorf("Add %d: got room %v, want %v", i, got, want)
		}
	}
	if page := p.Result(); len(page.Changes) != 1 || !page.More || page.Next != FormatCursor(1, nil) {
		t.Errorf("byte bound: got %d changes, more %v, next %q; want 1, more, after entry 1", len(page.Changes), page.More, page.Next)
	}
	// A register whose own entries fill the feed gets an answer after ten entries a change.
	p = NewPage("R1", 0, 2, 0, "")
	n := 0
	for ; n < 100; n++ {
		more, err := p.Add(feedMembers{}, FeedEntry{Origin: "R1", Kind: comptoir.ChangeBlocked}, FormatCursor(uint64(n+1), nil))
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
	}
	if page := p.Result(); n != 20 || !page.More || len(page.Changes) != 0 || page.Next != FormatCursor(20, nil) {
		t.Errorf("scan bound: stopped after %d entries, more %v, next %q; want 20, more", n, page.More, page.Next)
	}
}

func TestCheckBatch_Refusals(t *testing.T) {
	ok := comptoir.Event{Seq: 1, ID: "e1", Type: comptoir.EventSaleRecorded}
	for _, tc := range []struct {
		name string
		e    comptoir.Event
		want comptoir.Code
	}{
		{"no ID", comptoir.Event{Seq: 1, Type: "t"}, comptoir.CodeEventWithoutID},
		{"NUL in the ID", comptoir.Event{Seq: 1, ID: "e\x001", Type: "t"}, comptoir.CodeMalformedBatch},
		{"type not UTF-8", comptoir.Event{Seq: 1, ID: "e1", Type: "\xff"}, comptoir.CodeMalformedBatch},
		{"seq 0", comptoir.Event{Seq: 0, ID: "e1", Type: "t"}, comptoir.CodeBatchOrder},
	} {
		err := CheckBatch([]comptoir.Event{tc.e}, 10)
		var e *comptoir.Error
		if !errors.As(err, &e) || e.Code != tc.want {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
	if err := CheckBatch([]comptoir.Event{ok}, 10); err != nil {
		t.Errorf("a good batch: %v", err)
	}
}

func TestLoadKeys_CreatedAtOnceReadsOneWholeKey(t *testing.T) {
	// Two processes starting together on a new database with one key file: each must end with
	// the same, complete key, never an empty or partial file.
	for round := range 50 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("k%d", round))
		var wg sync.WaitGroup
		keys := make([]*Keys, 2)
		errs := make([]error, 2)
		for i := range keys {
			wg.Go(func() { keys[i], errs[i] = LoadKeys(path, true) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, process %d: %v", round, i, err)
			}
		}
		if !keys[0].Matches(keys[1].Check) {
			t.Fatalf("round %d: the two processes hold different keys", round)
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("round %d: key file %v, %v; want mode 0600", round, info, err)
		}
	}
}
