package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// mustChanges reads one page of a register's feed.
func mustChanges(tb testing.TB, c *store.Central, register, cursor string, limit int) comptoir.ChangesPage {
	tb.Helper()
	page, err := c.Changes(context.Background(), register, cursor, limit)
	if err != nil {
		tb.Fatalf("Changes(%s, %q, %d): %v", register, cursor, limit, err)
	}
	return page
}

// allChanges pages through a register's whole feed from the beginning, limit changes a page,
// and returns every change in order with the last cursor.
func allChanges(tb testing.TB, c *store.Central, register string, limit int) ([]comptoir.Change, string) {
	tb.Helper()
	var all []comptoir.Change
	cursor := ""
	for range 10_000 {
		page := mustChanges(tb, c, register, cursor, limit)
		if limit > 0 && len(page.Changes) > limit {
			tb.Fatalf("a page of limit %d holds %d changes", limit, len(page.Changes))
		}
		all = append(all, page.Changes...)
		cursor = page.Next
		if !page.More {
			return all, cursor
		}
	}
	tb.Fatalf("the feed never ends with limit %d", limit)
	return nil, ""
}

// firstOfEachMember keeps a member's first change of a list and drops its later ones: a page
// gives a member once, in their current state, so pages of different sizes differ only by these.
func firstOfEachMember(changes []comptoir.Change) []comptoir.Change {
	seen := map[comptoir.CustomerID]bool{}
	var out []comptoir.Change
	for _, ch := range changes {
		if ch.Kind == comptoir.ChangeMember {
			if seen[ch.Member.ID] {
				continue
			}
			seen[ch.Member.ID] = true
		}
		out = append(out, ch)
	}
	return out
}

// busyChain fills a central with changes of every kind from two real registers and from the
// central itself, and returns it with R1's setup.
func busyChain(tb testing.TB) (*store.Central, comptoir.Setup) {
	tb.Helper()
	ctx := context.Background()
	clk := newClock(day0)
	c := centralAt(tb, centralPath(tb), newClock(day0.Add(48*time.Hour)))
	setup := mustCentralSetup(tb, c, "R1", comptoir.SetupRequest{})
	r1, r2 := shop(tb, "R1", clk), shop(tb, "R2", clk)
	var ids []comptoir.CustomerID
	for i := range 4 {
		m := enrolAt(tb, r1, "", comptoir.CardNumber(uint64(100_100+i)), comptoir.Personal{FirstName: "Membre", LastName: fmt.Sprint("N", i)}, emailOnly)
		mustRecord(tb, r1, withCustomer(m.ID, byCard(line(vin, int64(i+1)))))
		ids = append(ids, m.ID)
	}
	if err := r1.ChangeConsent(ctx, ids[1], comptoir.ConsentEvent{Channel: comptoir.ChannelSMS, Granted: true}); err != nil {
		tb.Fatal(err)
	}
	if err := r1.Block(ctx, "spam@exemple.fr", "Alice"); err != nil {
		tb.Fatal(err)
	}
	syncOnce(tb, c, r1, "R1", hashBlocked(tb, setup, "spam@exemple.fr"))
	if _, err := c.PutCatalog(ctx, []comptoir.Product{pomme, vin}); err != nil {
		tb.Fatal(err)
	}
	enrolAt(tb, r2, ids[0], comptoir.CardNumber(100_100), comptoir.Personal{FirstName: "Membre", LastName: "N0"}, emailOnly)
	mustRecord(tb, r2, withCustomer(ids[0], byCard(line(repas, 2))))
	m := enrolAt(tb, r2, "", comptoir.CardNumber(200_001), comptoir.Personal{FirstName: "Autre", LastName: "Membre"}, allNo)
	mustRecord(tb, r2, withCustomer(m.ID, byCard(line(pomme, 4))))
	syncOnce(tb, c, r2, "R2")
	if err := c.Erase(ctx, comptoir.CardNumber(100_103), "Bob"); err != nil {
		tb.Fatal(err)
	}
	if _, err := c.Consent(ctx, comptoir.CardNumber(100_102), comptoir.CentralConsent{Channel: comptoir.ChannelPost, Granted: true}); err != nil {
		tb.Fatal(err)
	}
	return c, setup
}

func TestCentralChanges_PagingGivesEveryChangeOnceInOrder(t *testing.T) {
	c, _ := busyChain(t)
	for _, r := range []string{"R1", "R2", "R3"} {
		whole, cursor := allChanges(t, c, r, comptoir.MaxChangesPage)
		if len(whole) == 0 {
			t.Fatalf("%s: empty feed", r)
		}
		if page := mustChanges(t, c, r, cursor, 0); len(page.Changes) != 0 || page.More || page.Next != cursor {
			t.Errorf("%s: after the last page: %d changes, more %v, next %q; want none, false, %q", r, len(page.Changes), page.More, page.Next, cursor)
		}
		for _, limit := range []int{1, 2, 0} {
			got, _ := allChanges(t, c, r, limit)
			if got = firstOfEachMember(got); !reflect.DeepEqual(got, whole) {
				t.Errorf("%s: limit %d gives %d changes, want the %d of one page:\n got %s\nwant %s", r, limit, len(got), len(whole), kinds(got), kinds(whole))
			}
		}
	}
	t.Run("a page gives a member once", func(t *testing.T) {
		whole, _ := allChanges(t, c, "R3", 0)
		if got := firstOfEachMember(whole); len(got) != len(whole) {
			t.Errorf("one page holds %d changes, %d once each member is given once", len(whole), len(got))
		}
	})
	t.Run("cursors the central did not write are refused", func(t *testing.T) {
		for _, bad := range []string{"garbage", "f1.", "f1.-1", "f1.01", "12"} {
			_, err := c.Changes(context.Background(), "R1", bad, 0)
			wantErr(t, err, comptoir.E(comptoir.CodeInvalidCursor))
		}
		_, err := c.Changes(context.Background(), "R1", "f1.1000000", 0)
		wantErr(t, err, comptoir.E(comptoir.CodeCursorAhead))
		_, err = c.Changes(context.Background(), comptoir.AdminName, "", 0)
		wantErr(t, err, comptoir.E(comptoir.CodeReservedRegister))
	})
}

// kinds names a list of changes briefly, for a failure's message.
func kinds(changes []comptoir.Change) string {
	out := ""
	for _, ch := range changes {
		switch ch.Kind {
		case comptoir.ChangeMember:
			out += "member:" + string(ch.Member.ID) + " "
		case comptoir.ChangeConsent:
			out += "consent:" + string(ch.Consent.ID) + " "
		default:
			out += ch.Kind + " "
		}
	}
	return out
}

func TestCentralChanges_OwnOriginSkipped(t *testing.T) {
	c, setup := busyChain(t)
	count := func(changes []comptoir.Change) map[string]int {
		n := map[string]int{}
		for _, ch := range changes {
			n[ch.Kind]++
		}
		return n
	}
	r1, _ := allChanges(t, c, "R1", 0)
	r2, _ := allChanges(t, c, "R2", 0)
	got1, got2 := count(r1), count(r2)
	// R1 made the SMS consent change and the block: it gets neither back, but it gets the
	// central's consent change, its erasure and the catalogue, and every member, its own too,
	// whose balance R2's tickets moved.
	if got1[comptoir.ChangeBlocked] != 0 || got2[comptoir.ChangeBlocked] != 1 {
		t.Errorf("blocked changes: R1 %d, R2 %d; want 0 and 1", got1[comptoir.ChangeBlocked], got2[comptoir.ChangeBlocked])
	}
	if got1[comptoir.ChangeConsent] != 1 || got2[comptoir.ChangeConsent] != 2 {
		t.Errorf("consent changes: R1 %d, R2 %d; want 1 (the central's) and 2", got1[comptoir.ChangeConsent], got2[comptoir.ChangeConsent])
	}
	for _, got := range []map[string]int{got1, got2} {
		if got[comptoir.ChangeErased] != 1 || got[comptoir.ChangeCatalog] != 1 || got[comptoir.ChangeMember] != 5 {
			t.Errorf("changes = %v, want 1 erased, 1 catalog, 5 members", got)
		}
	}
	for _, ch := range r2 {
		if ch.Kind == comptoir.ChangeBlocked && ch.Blocked != blockedHash(setup, "spam@exemple.fr") {
			t.Errorf("blocked hash = %s, want the address's hash under the setup's lookup key", ch.Blocked)
		}
		if ch.Kind == comptoir.ChangeCatalog && !reflect.DeepEqual(ch.Catalog, []comptoir.Product{pomme, vin}) {
			t.Errorf("catalog = %+v, want pomme and vin", ch.Catalog)
		}
	}
}

func TestCentralCatalog_OneBadProductRefusesAll(t *testing.T) {
	ctx := context.Background()
	c := centralAt(t, centralPath(t), newClock(day0))
	bad := vin
	bad.Price = 0
	if _, err := c.PutCatalog(ctx, []comptoir.Product{pomme, bad, repas}); err == nil {
		t.Fatal("PutCatalog with a free product = nil error")
	}
	if page := mustChanges(t, c, "R1", "", 0); len(page.Changes) != 0 {
		t.Errorf("a refused price list put %d changes in the feed", len(page.Changes))
	}
	renamed := pomme
	renamed.Name = "  Pomme\x07 rouge "
	n, err := c.PutCatalog(ctx, []comptoir.Product{repas, pomme, renamed})
	if err != nil || n != 2 {
		t.Fatalf("PutCatalog = %d, %v; want 2 products (pomme given twice)", n, err)
	}
	page := mustChanges(t, c, "R1", "", 0)
	if len(page.Changes) != 1 || page.Changes[0].Kind != comptoir.ChangeCatalog {
		t.Fatalf("feed = %s, want one catalog", kinds(page.Changes))
	}
	want := []comptoir.Product{{GTIN: pomme.GTIN, Name: "Pomme rouge", Price: pomme.Price, VAT: pomme.VAT}, repas}
	if got := page.Changes[0].Catalog; !reflect.DeepEqual(got, want) {
		t.Errorf("catalog = %+v, want %+v", got, want)
	}
}

func TestCentralSetup_StableAndDisjoint(t *testing.T) {
	ctx := context.Background()
	path := centralPath(t)
	c, err := store.OpenCentral(path, store.CentralOptions{Now: newClock(day0).Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s1 := mustCentralSetup(t, c, "R1", comptoir.SetupRequest{Demo: true, Software: "comptoir test"})
	s2 := mustCentralSetup(t, c, "R2", comptoir.SetupRequest{})
	again := mustCentralSetup(t, c, "R1", comptoir.SetupRequest{})
	if !reflect.DeepEqual(s1, again) {
		t.Errorf("second set-up = %+v, want the first %+v", again, s1)
	}
	if s1.CardsLast-s1.CardsFirst+1 != store.CardBlockSize || s2.CardsFirst <= s1.CardsLast && s1.CardsFirst <= s2.CardsLast {
		t.Errorf("blocks R1 [%d, %d] and R2 [%d, %d], want %d numbers each, disjoint", s1.CardsFirst, s1.CardsLast, s2.CardsFirst, s2.CardsLast, store.CardBlockSize)
	}
	if len(s1.CentralKey) != 32 || len(s1.LookupKey) != 32 || !s1.Now.Equal(day0) {
		t.Errorf("setup = key %d bytes, lookup %d bytes, now %v", len(s1.CentralKey), len(s1.LookupKey), s1.Now)
	}
	if _, err := comptoir.ParseCentralKey(s1.CentralKey); err != nil {
		t.Errorf("ParseCentralKey: %v", err)
	}
	sum, err := c.Register(ctx, "R1")
	if err != nil || !sum.Demo || sum.AckedSeq != 0 {
		t.Errorf("Register(R1) before any push = %+v, %v; want known, demo", sum, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = centralAt(t, path, newClock(day0))
	if after := mustCentralSetup(t, c, "R1", comptoir.SetupRequest{}); !reflect.DeepEqual(after, s1) {
		t.Errorf("set-up after reopening = %+v, want %+v", after, s1)
	}
	if s3 := mustCentralSetup(t, c, "R3", comptoir.SetupRequest{}); s3.CardsFirst <= s2.CardsLast && s3.CardsFirst >= s1.CardsFirst {
		t.Errorf("R3's block [%d, %d] overlaps an earlier one", s3.CardsFirst, s3.CardsLast)
	}
	_, err = c.Setup(ctx, comptoir.AdminName, comptoir.SetupRequest{})
	wantErr(t, err, comptoir.E(comptoir.CodeReservedRegister))
}

func TestOpenCentral_KeyFile(t *testing.T) {
	path := centralPath(t)
	c, err := store.OpenCentral(path, store.CentralOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	info, err := os.Stat(path + ".key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file = %v, %v; want mode 0600", info, err)
	}
	key, _ := os.ReadFile(path + ".key")

	t.Run("readable by others", func(t *testing.T) {
		if err := os.Chmod(path+".key", 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(path+".key", 0o600)
		_, err := store.OpenCentral(path, store.CentralOptions{})
		wantErr(t, err, comptoir.E(comptoir.CodeKeyPermissions))
	})
	t.Run("missing beside an existing database", func(t *testing.T) {
		if err := os.Remove(path + ".key"); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path+".key", key, 0o600)
		_, err := store.OpenCentral(path, store.CentralOptions{})
		wantErr(t, err, comptoir.E(comptoir.CodeCentralKeyLost))
		if _, err := os.Stat(path + ".key"); !os.IsNotExist(err) {
			t.Errorf("a refused open created a key file: %v", err)
		}
	})
	t.Run("a register's key is not the central's", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "central.db")
		if err := os.WriteFile(other+".key", []byte("comptoir-master-key-v1\n"+fmt.Sprintf("%064x", 7)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := store.OpenCentral(other, store.CentralOptions{})
		wantErr(t, err, comptoir.E(comptoir.CodeKeyInvalid))
	})
	t.Run("another central's key", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "central.db")
		o, err := store.OpenCentral(other, store.CentralOptions{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		foreign, _ := os.ReadFile(other + ".key")
		if err := os.WriteFile(path+".key", foreign, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path+".key", key, 0o600)
		_, err = store.OpenCentral(path, store.CentralOptions{})
		wantErr(t, err, comptoir.E(comptoir.CodeKeyMismatch))
	})
	t.Run("a first increment's database gets its key", func(t *testing.T) {
		old := filepath.Join(t.TempDir(), "central.db")
		o, err := store.OpenCentral(old, store.CentralOptions{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		// The first increment wrote neither the key's check value nor the projections' buckets.
		editDB(t, old, func(tx *bbolt.Tx) error {
			for _, b := range []string{"members", "cards", "memberkeys", "emails", "blocked", "feed", "catalogs", "audit", "cardblocks"} {
				if err := tx.DeleteBucket([]byte(b)); err != nil {
					return err
				}
			}
			return tx.Bucket([]byte("central")).Delete([]byte("key_check"))
		})
		if err := os.Remove(old + ".key"); err != nil {
			t.Fatal(err)
		}
		c := centralAt(t, old, newClock(day0))
		if _, err := os.Stat(old + ".key"); err != nil {
			t.Errorf("no key created for the first increment's database: %v", err)
		}
		mustCentralSetup(t, c, "R1", comptoir.SetupRequest{})
		if page := mustChanges(t, c, "R1", "", 0); len(page.Changes) != 0 {
			t.Errorf("feed of an upgraded database = %s, want empty", kinds(page.Changes))
		}
	})
	t.Run("the same key after reopening", func(t *testing.T) {
		c1 := centralAt(t, path, newClock(day0))
		s := mustCentralSetup(t, c1, "R1", comptoir.SetupRequest{})
		c1.Close()
		c2 := centralAt(t, path, newClock(day0))
		if again := mustCentralSetup(t, c2, "R1", comptoir.SetupRequest{}); !slices.Equal(again.CentralKey, s.CentralKey) || !slices.Equal(again.LookupKey, s.LookupKey) {
			t.Error("the keys changed across a reopening")
		}
	})
}

// BenchmarkCentralChanges_Members pages a register through the feed of 100 000 members enrolled
// and served elsewhere: how many members a second the central sends.
func BenchmarkCentralChanges_Members(b *testing.B) {
	const members = 100_000
	ctx := context.Background()
	c := centralAt(b, centralPath(b), newClock(day0))
	batch := make([]comptoir.Event, 0, comptoir.MaxBatchEvents)
	for i := range members {
		id := fmt.Sprintf("M%016x", i)
		payload, _ := json.Marshal(map[string]any{"id": id, "cards": []string{comptoir.CardNumber(uint64(100_000 + i))},
			"basis": comptoir.BasisContract, "consent": emailOnly})
		batch = append(batch, comptoir.Event{Seq: uint64(i + 1), ID: "e" + id, Type: comptoir.EventCustomerEnrolled, At: day0, Payload: payload})
		if len(batch) == cap(batch) {
			if _, err := c.Push(ctx, "R1", batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	for b.Loop() {
		got, _ := allChanges(b, c, "R2", 0)
		if len(got) != members {
			b.Fatalf("%d changes, want %d", len(got), members)
		}
	}
	b.ReportMetric(float64(members)*float64(b.N)/b.Elapsed().Seconds(), "members/s")
}

func TestCentralChanges_StatusAndBlockedOnce(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	c := centralAt(t, centralPath(t), newClock(day0.Add(48*time.Hour)))
	setup := mustCentralSetup(t, c, "R1", comptoir.SetupRequest{})
	r1, r2 := shop(t, "R1", clk), shop(t, "R2", clk)
	card := comptoir.CardNumber(100_300)
	m := enrolAt(t, r1, "", card, jeanne, emailOnly)
	if err := r1.StopProcessing(ctx, m.ID, "Alice"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*store.Store{r1, r2} {
		if err := r.Block(ctx, "spam@exemple.fr", "Alice"); err != nil {
			t.Fatal(err)
		}
	}
	syncOnce(t, c, r1, "R1", hashBlocked(t, setup, "spam@exemple.fr"))
	syncOnce(t, c, r2, "R2", hashBlocked(t, setup, "spam@exemple.fr"))
	status := func() (comptoir.Status, int) {
		t.Helper()
		var st comptoir.Status
		blocked := 0
		changes, _ := allChanges(t, c, "R3", 0)
		for _, ch := range changes {
			if ch.Kind == comptoir.ChangeMember && ch.Member.ID == m.ID {
				st = ch.Member.Status
			}
			if ch.Kind == comptoir.ChangeBlocked {
				blocked++
			}
		}
		return st, blocked
	}
	if st, blocked := status(); st != comptoir.StatusRestricted || blocked != 1 {
		t.Errorf("feed = status %s, %d blocked; want %s, the address blocked at two registers once", st, blocked, comptoir.StatusRestricted)
	}
	if _, err := r1.ResumeProcessing(ctx, m.ID, "Alice"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c, r1, "R1")
	if st, _ := status(); st != comptoir.StatusActive {
		t.Errorf("status after resume = %s, want %s", st, comptoir.StatusActive)
	}
}
