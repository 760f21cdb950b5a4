package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// rawEvent is a member event as a register would push it, with the payload given as a map.
func rawEvent(tb testing.TB, seq uint64, typ string, at time.Time, payload map[string]any) comptoir.Event {
	tb.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		tb.Fatal(err)
	}
	return comptoir.Event{Seq: seq, ID: fmt.Sprint("raw-", seq), Type: typ, At: at, Payload: body}
}

// consentChanges lists the consent changes of a register's whole feed.
func consentChanges(tb testing.TB, c *store.Central, register string) []comptoir.RemoteConsent {
	tb.Helper()
	all, _ := allChanges(tb, c, register, 0)
	var out []comptoir.RemoteConsent
	for _, ch := range all {
		if ch.Kind == comptoir.ChangeConsent {
			out = append(out, *ch.Consent)
		}
	}
	return out
}

func TestCentralPush_InvalidConsentRejectedNeverInFeed(t *testing.T) {
	c := centralAt(t, centralPath(t), newClock(day0.Add(time.Hour)))
	const id = "M0000000000000010"
	consent := func(seq uint64, ev map[string]any) comptoir.Event {
		return rawEvent(t, seq, comptoir.EventCustomerConsent, day0, map[string]any{"id": id, "event": ev})
	}
	evs := []comptoir.Event{
		rawEvent(t, 1, comptoir.EventCustomerEnrolled, day0, map[string]any{"id": id, "cards": []string{comptoir.CardNumber(100_300)}}),
		consent(2, map[string]any{"channel": "email", "granted": true, "at": day0, "via": "pigeon"}),
		consent(3, map[string]any{"channel": "email", "granted": true, "via": "register"}),
		consent(4, map[string]any{"channel": "email", "granted": true, "at": day0, "via": "register", "by": strings.Repeat("B", 65)}),
		consent(5, map[string]any{"channel": "email", "granted": true, "at": day0, "via": "register", "notice_version": strings.Repeat("9", 65)}),
		consent(6, map[string]any{"channel": "fax", "granted": true, "at": day0, "via": "register"}),
		consent(7, map[string]any{"channel": "sms", "granted": true, "at": day0, "via": "register", "by": "Alice\x07"}),
	}
	res, err := c.Push(context.Background(), "R1", evs)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if got, want := res, (comptoir.PushResult{AckedSeq: 7, Applied: 2, Rejected: 5}); got != want {
		t.Errorf("Push = %+v, want %+v: every invalid consent stored as rejected and acknowledged", got, want)
	}
	if got, want := mustSummary(t, c, "R1").Rejected, uint64(5); got != want {
		t.Errorf("summary Rejected = %d, want %d", got, want)
	}
	got := consentChanges(t, c, "R2")
	if len(got) != 1 {
		t.Fatalf("R2's feed holds %d consent changes, want only the valid one: %+v", len(got), got)
	}
	if ev := got[0].Event; ev.Channel != comptoir.ChannelSMS || ev.By != "Alice" {
		t.Errorf("consent in the feed = %+v, want the sms one, by cleaned to Alice", ev)
	}
	if m := mustMember(t, c, comptoir.CardNumber(100_300), false); m.Consent[comptoir.ChannelEmail] {
		t.Errorf("member's email consent = true, want no invalid event applied")
	}
}

// lastMemberChange is the member's state in the last member change of a register's feed.
func lastMemberChange(tb testing.TB, c *store.Central, register string, id comptoir.CustomerID) comptoir.RemoteMember {
	tb.Helper()
	all, _ := allChanges(tb, c, register, 0)
	var out *comptoir.RemoteMember
	for _, ch := range all {
		if ch.Kind == comptoir.ChangeMember && ch.Member.ID == id {
			out = ch.Member
		}
	}
	if out == nil {
		tb.Fatalf("no change of member %s in %s's feed", id, register)
	}
	return *out
}

func TestCentralMembers_LastActivityAndRetentionErasure(t *testing.T) {
	ctx := context.Background()
	// The central's clock is past everything the registers do, so that no date is clamped.
	c := centralAt(t, centralPath(t), newClock(day0.Add(4*365*24*time.Hour)))
	clk1, clk2 := newClock(day0), newClock(day0.Add(24*time.Hour))
	r1, r2 := shop(t, "R1", clk1), shop(t, "R2", clk2)
	card := comptoir.CardNumber(100_400)
	m := enrolAt(t, r1, "", card, jeanne, emailOnly)
	syncOnce(t, c, r1, "R1")
	enrolAt(t, r2, m.ID, card, jeanne, emailOnly)
	sale := day0.Add(100 * 24 * time.Hour)
	clk2.Set(sale)
	mustRecord(t, r2, withCustomer(m.ID, byCard(line(vin, 1))))
	syncOnce(t, c, r2, "R2")

	if got := lastMemberChange(t, c, "R1", m.ID).LastActivity; !got.Equal(sale) {
		t.Errorf("LastActivity in R1's feed = %v, want R2's sale at %v", got, sale)
	}
	acked := mustSummary(t, c, "R1").AckedSeq
	erase := func(at time.Time, lastActivity *time.Time) comptoir.PushResult {
		t.Helper()
		acked++
		p := map[string]any{"id": m.ID, "reason": "retention"}
		if lastActivity != nil {
			p["last_activity"] = lastActivity.Format(time.RFC3339)
		}
		res, err := c.Push(ctx, "R1", []comptoir.Event{rawEvent(t, acked, comptoir.EventCustomerErased, at, p)})
		if err != nil {
			t.Fatalf("Push of the erasure: %v", err)
		}
		return res
	}
	status := func() comptoir.Status { return mustMember(t, c, card, false).Status }

	t.Run("active elsewhere after the register's last activity", func(t *testing.T) {
		before := day0
		if res := erase(day0.Add(3*365*24*time.Hour), &before); res.Rejected != 1 || res.AckedSeq != acked {
			t.Errorf("Push = %+v, want the erasure acknowledged and rejected", res)
		}
		if got, want := status(), comptoir.StatusActive; got != want {
			t.Errorf("status = %s, want %s: the member is untouched", got, want)
		}
	})
	t.Run("without last_activity, active elsewhere within three years", func(t *testing.T) {
		if res := erase(sale.Add(365*24*time.Hour), nil); res.Rejected != 1 {
			t.Errorf("Push = %+v, want the erasure rejected", res)
		}
		if got, want := status(), comptoir.StatusActive; got != want {
			t.Errorf("status = %s, want %s", got, want)
		}
	})
	// The web's date has a fraction of a second, which the register's RFC 3339 date leaves out.
	web := sale.Add(2*time.Hour + 500*time.Millisecond)
	if _, err := c.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelEmail, Granted: false, Via: comptoir.ViaWeb, At: web}); err != nil {
		t.Fatal(err)
	}
	if got := mustMember(t, c, card, false).LastActivity; !got.Equal(web) {
		t.Errorf("LastActivity after a consent on the web = %v, want %v", got, web)
	}
	t.Run("a consent made at the central counts", func(t *testing.T) {
		after := sale.Add(time.Hour)
		if res := erase(day0.Add(3*365*24*time.Hour), &after); res.Rejected != 1 {
			t.Errorf("Push = %+v, want the erasure rejected", res)
		}
	})
	t.Run("no activity elsewhere since", func(t *testing.T) {
		// The register learned the web's activity from the feed, and sends it to the second.
		after := web
		if res := erase(day0.Add(3*365*24*time.Hour), &after); res.Rejected != 0 || res.Applied != 1 {
			t.Errorf("Push = %+v, want the erasure applied", res)
		}
		if got, want := status(), comptoir.StatusErased; got != want {
			t.Errorf("status = %s, want %s", got, want)
		}
	})
	if got, want := mustSummary(t, c, "R1").Rejected, uint64(3); got != want {
		t.Errorf("R1's rejected events = %d, want %d", got, want)
	}
}

// sealedKeys seals every enrolment of a batch for the central as sealFor does, and keeps each
// member's data key and wrapped key, for a test to look for them in the file.
type sealedKeys map[comptoir.CustomerID][2][]byte

func sealKeeping(tb testing.TB, setup comptoir.Setup, keys sealedKeys) func([]comptoir.Event) {
	return func(evs []comptoir.Event) {
		tb.Helper()
		pub, err := comptoir.ParseCentralKey(setup.CentralKey)
		if err != nil {
			tb.Fatal(err)
		}
		for i, e := range evs {
			if e.Type != comptoir.EventCustomerEnrolled {
				continue
			}
			var fields map[string]any
			if err := json.Unmarshal(e.Payload, &fields); err != nil {
				tb.Fatal(err)
			}
			id := comptoir.CustomerID(fields["id"].(string))
			dk := make([]byte, comptoir.DataKeySize)
			rand.Read(dk)
			wrapped, err := comptoir.WrapDataKey(pub, dk, id)
			if err != nil {
				tb.Fatal(err)
			}
			data, err := comptoir.SealPersonalData(dk, comptoir.Personal{FirstName: "Membre", LastName: string(id), Email: strings.ToLower(string(id)) + "@exemple.fr"}, id)
			if err != nil {
				tb.Fatal(err)
			}
			keys[id] = [2][]byte{dk, wrapped}
			fields["sealed"] = comptoir.SealedPersonal{Key: wrapped, Data: data}
			if evs[i].Payload, err = json.Marshal(fields); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// fileHolds reports whether the file's raw bytes hold any of the secrets, raw or in base64.
func fileHolds(tb testing.TB, path string, secrets ...[]byte) bool {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range secrets {
		if bytes.Contains(raw, s) || bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString(s))) {
			return true
		}
	}
	return false
}

func TestCentralErase_FileKeepsNoWrappedKey(t *testing.T) {
	ctx := context.Background()
	path := centralPath(t)
	c := centralAt(t, path, newClock(day0.Add(48*time.Hour)))
	setup := mustCentralSetup(t, c, "R1", comptoir.SetupRequest{})
	r1 := shop(t, "R1", newClock(day0))
	r2 := shop(t, "R2", newClock(day0))
	cards := []string{comptoir.CardNumber(100_500), comptoir.CardNumber(100_501), comptoir.CardNumber(100_502)}
	var ids []comptoir.CustomerID
	for i, card := range cards {
		m := enrolAt(t, r1, "", card, comptoir.Personal{FirstName: "Membre", LastName: fmt.Sprint("N", i)}, emailOnly)
		mustRecord(t, r1, withCustomer(m.ID, byCard(line(vin, 1))))
		ids = append(ids, m.ID)
	}
	keys := sealedKeys{}
	batch := syncOnce(t, c, r1, "R1", sealKeeping(t, setup, keys))
	mustRecord(t, r2, byCard(line(pomme, 1)))
	syncOnce(t, c, r2, "R2")
	if !fileHolds(t, path, keys[ids[0]][1]) {
		t.Fatal("the wrapped key is not in the file before the erasure: the test looks for the wrong bytes")
	}

	if err := c.Erase(ctx, cards[0], "Bob"); err != nil {
		t.Fatalf("Erase: %v", err)
	}
	if fileHolds(t, path, keys[ids[0]][0], keys[ids[0]][1]) {
		t.Error("after Erase the file still holds the member's wrapped or data key")
	}
	if err := r1.Erase(ctx, ids[1], "Alice"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c, r1, "R1")
	if fileHolds(t, path, keys[ids[1]][0], keys[ids[1]][1]) {
		t.Error("after a pushed erasure the file still holds the member's wrapped or data key")
	}
	if got := mustMember(t, c, cards[2], true); !got.Revealed || got.Personal.LastName != string(ids[2]) {
		t.Errorf("the other member after the compactions = %+v, want their data intact", got)
	}
	if !fileHolds(t, path, keys[ids[2]][1]) {
		t.Error("the other member's wrapped key is gone from the file")
	}

	t.Run("pushes after the compaction are still exactly once", func(t *testing.T) {
		if res, err := c.Push(ctx, "R1", batch); err != nil || res.Replayed != len(batch) {
			t.Errorf("replay after the compaction = %+v, %v; want %d replayed", res, err, len(batch))
		}
		mustRecord(t, r1, byCard(line(pomme, 2)))
		sent := syncOnce(t, c, r1, "R1")
		if res, err := c.Push(ctx, "R1", sent); err != nil || res.Replayed != len(sent) || res.Applied != 0 {
			t.Errorf("second push of the same events = %+v, %v; want replayed only", res, err)
		}
		sum := mustSummary(t, c, "R1")
		if got, want := sum.Tickets, mustLastTicket(t, r1); got != want {
			t.Errorf("Tickets = %d, want %d: each ticket counted once", got, want)
		}
		if got, want := sum.GrandTotal, mustGrandTotal(t, r1); got != want || !sum.ChainOK {
			t.Errorf("GrandTotal = %d, chain ok %v; want %d, true", got, sum.ChainOK, want)
		}
	})
	t.Run("every register's events intact", func(t *testing.T) {
		want1, want2 := mustSummary(t, c, "R1").AckedSeq, mustSummary(t, c, "R2").AckedSeq
		n2, _ := countEvents(t, c, "R2")
		c2 := centralAt(t, path, newClock(day0.Add(48*time.Hour)))
		n1, _ := countEvents(t, c2, "R1")
		if uint64(n1) != want1 || uint64(n2) != want2 {
			t.Errorf("events held = R1 %d, R2 %d; want %d, %d", n1, n2, want1, want2)
		}
	})
}

func TestOpenCentral_FinishesACompactionCutShort(t *testing.T) {
	path := centralPath(t)
	c := mustOpenCentral(t, path, true)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	secret := bytes.Repeat([]byte("wrapped-key-left-behind-"), 40)
	editDB(t, path, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("memberkeys")).Put([]byte("M1"), secret) })
	// The erasure's transaction committed with its mark; the crash came before the compaction.
	editDB(t, path, func(tx *bbolt.Tx) error {
		if err := tx.Bucket([]byte("memberkeys")).Delete([]byte("M1")); err != nil {
			return err
		}
		return tx.Bucket([]byte("central")).Put([]byte("compact_pending"), []byte{1})
	})
	if !fileHolds(t, path, secret) {
		t.Skip("bbolt reused the freed page already: nothing left for the compaction to scrub")
	}
	c = mustOpenCentral(t, path, true)
	if fileHolds(t, path, secret) {
		t.Error("after OpenCentral the freed page still holds the deleted key")
	}
	c.Close()
	editDB(t, path, func(tx *bbolt.Tx) error {
		if v := tx.Bucket([]byte("central")).Get([]byte("compact_pending")); v != nil {
			t.Error("the compaction's mark is still there")
		}
		return nil
	})
}

// products makes n products with names of about size bytes.
func products(n, from, size int) []comptoir.Product {
	out := make([]comptoir.Product, n)
	for i := range out {
		body := fmt.Sprintf("376%09d", from+i)
		out[i] = comptoir.Product{GTIN: body + strconv.Itoa(comptoir.GTINCheckDigit(body)), Name: strings.Repeat("x", size),
			Price: 100, VAT: comptoir.VATNormal}
	}
	return out
}

func TestCentralChanges_PagesBoundedBySize(t *testing.T) {
	ctx := context.Background()
	const limit = 3000
	c, err := store.OpenCentral(centralPath(t), store.CentralOptions{Now: newClock(day0).Now, NoSync: true, MaxPageBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// Two lists of about 2 KB, then one past the bound, which must still go through alone.
	for i, n := range []int{15, 15, 60} {
		if _, err := c.PutCatalog(ctx, products(n, i*100, 100)); err != nil {
			t.Fatal(err)
		}
	}
	cursor, catalogs := "", 0
	for range 10 {
		page := mustChanges(t, c, "R1", cursor, 0)
		b, err := json.Marshal(page.Changes)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Changes) > 1 && len(b) > limit {
			t.Errorf("a page of %d changes encodes to %d bytes, over %d", len(page.Changes), len(b), limit)
		}
		if len(page.Changes) == 0 && page.More {
			t.Fatal("an empty page says more changes wait")
		}
		catalogs += len(page.Changes)
		cursor = page.Next
		if !page.More {
			break
		}
	}
	if got, want := catalogs, 3; got != want {
		t.Errorf("catalog changes over the pages = %d, want %d", got, want)
	}
}

func TestCentralChanges_CursorBoundToItsEntry(t *testing.T) {
	ctx := context.Background()
	path := centralPath(t)
	c := centralAt(t, path, newClock(day0))
	for i := range 3 {
		if _, err := c.PutCatalog(ctx, products(1, i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	first := mustChanges(t, c, "R1", "", 1)
	if !strings.HasPrefix(first.Next, "f2.1.") || len(first.Next) != len("f2.1.")+8 {
		t.Fatalf("cursor = %q, want f2.1.<8 hex digits>", first.Next)
	}
	second := mustChanges(t, c, "R1", first.Next, 1)
	if legacy := mustChanges(t, c, "R1", "f1.1", 1); len(legacy.Changes) != 1 || legacy.Next != second.Next {
		t.Errorf("the first form f1.1 gives %d changes, next %q; want the same page as %q", len(legacy.Changes), legacy.Next, first.Next)
	}
	tampered := first.Next[:len(first.Next)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", first.Next[len(first.Next)-1])+1)%16])
	for _, bad := range []string{tampered, "f2.1", "f2.1.", "f2.01." + first.Next[5:], "f2.1.XYZWXYZW"} {
		_, err := c.Changes(ctx, "R1", bad, 0)
		wantErr(t, err, comptoir.E(comptoir.CodeInvalidCursor))
	}
	_, err := c.Changes(ctx, "R1", "f2.99."+first.Next[5:], 0)
	wantErr(t, err, comptoir.E(comptoir.CodeCursorAhead))

	// A central put back from an older backup that then made other changes: the entry the
	// cursor names is another one now.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	editDB(t, path, func(tx *bbolt.Tx) error {
		feed := tx.Bucket([]byte("feed"))
		return feed.Put(binaryKey(1), bytes.Clone(feed.Get(binaryKey(2))))
	})
	c = centralAt(t, path, newClock(day0))
	_, err = c.Changes(ctx, "R1", first.Next, 0)
	wantErr(t, err, comptoir.E(comptoir.CodeInvalidCursor))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	editDB(t, path, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("feed")).Delete(binaryKey(2)) })
	c = centralAt(t, path, newClock(day0))
	_, err = c.Changes(ctx, "R1", second.Next, 0)
	wantErr(t, err, comptoir.E(comptoir.CodeInvalidCursor))
}

// binaryKey is a sequence key as the store writes it: 8 bytes, big-endian.
func binaryKey(n uint64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return b
}
