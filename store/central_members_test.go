package store_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// centralAt opens a central database on a clock the test moves, and closes it when the test ends.
func centralAt(tb testing.TB, path string, clk *clock) *store.Central {
	tb.Helper()
	c, err := store.OpenCentral(path, store.CentralOptions{Now: clk.Now, NoSync: true})
	if err != nil {
		tb.Fatalf("OpenCentral(%s): %v", path, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// shop is a register of the chain: a real store under its own name, with the products imported.
func shop(tb testing.TB, name string, clk *clock) *store.Store {
	tb.Helper()
	o := opts(clk)
	o.Register = name
	s := mustOpen(tb, dbPath(tb), o)
	mustImport(tb, s, pomme, vin, repas, journal)
	return s
}

// syncOnce pushes a register's whole outbox as its syncer would and drops what the central
// acknowledged; it returns the batch, for tests that send it again.
func syncOnce(tb testing.TB, c *store.Central, s *store.Store, register string, edit ...func([]comptoir.Event)) []comptoir.Event {
	tb.Helper()
	evs := mustOutbox(tb, s)
	if len(evs) == 0 {
		return nil
	}
	for _, fn := range edit {
		fn(evs)
	}
	acked := mustPush(tb, c, register, evs)
	if _, err := s.AckOutbox(context.Background(), acked); err != nil {
		tb.Fatalf("AckOutbox(%d): %v", acked, err)
	}
	return evs
}

// mustSetup sets a register up at the central.
func mustCentralSetup(tb testing.TB, c *store.Central, register string, req comptoir.SetupRequest) comptoir.Setup {
	tb.Helper()
	s, err := c.Setup(context.Background(), register, req)
	if err != nil {
		tb.Fatalf("Setup(%s): %v", register, err)
	}
	return s
}

// sealFor adds to every enrolment and rectification of a batch the member's personal data sealed
// for the central, as a register that pinned the central's key sends it: the register side of
// this is another increment's, so the test seals with the root's functions directly.
func sealFor(tb testing.TB, setup comptoir.Setup, people map[comptoir.CustomerID]comptoir.Personal) func([]comptoir.Event) {
	return func(evs []comptoir.Event) {
		tb.Helper()
		pub, err := comptoir.ParseCentralKey(setup.CentralKey)
		if err != nil {
			tb.Fatalf("ParseCentralKey: %v", err)
		}
		for i, e := range evs {
			if e.Type != comptoir.EventCustomerEnrolled && e.Type != comptoir.EventCustomerUpdated {
				continue
			}
			var fields map[string]any
			if err := json.Unmarshal(e.Payload, &fields); err != nil {
				tb.Fatalf("payload of %s: %v", e.Type, err)
			}
			id := comptoir.CustomerID(fields["id"].(string))
			p, ok := people[id]
			if !ok {
				continue
			}
			dk := make([]byte, comptoir.DataKeySize)
			rand.Read(dk)
			key, err := comptoir.WrapDataKey(pub, dk, id)
			if err != nil {
				tb.Fatalf("WrapDataKey: %v", err)
			}
			data, err := comptoir.SealPersonalData(dk, p, id)
			if err != nil {
				tb.Fatalf("SealPersonalData: %v", err)
			}
			fields["sealed"] = comptoir.SealedPersonal{Key: key, Data: data}
			if evs[i].Payload, err = json.Marshal(fields); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// hashBlocked adds to every email.blocked event of a batch the address's chain-wide hash, as a
// register that received the lookup key at set-up sends it.
func hashBlocked(tb testing.TB, setup comptoir.Setup, email string) func([]comptoir.Event) {
	return func(evs []comptoir.Event) {
		tb.Helper()
		for i, e := range evs {
			if e.Type != comptoir.EventEmailBlocked {
				continue
			}
			var fields map[string]any
			if err := json.Unmarshal(e.Payload, &fields); err != nil {
				tb.Fatal(err)
			}
			fields["hash"] = blockedHash(setup, email)
			evs[i].Payload, _ = json.Marshal(fields)
		}
	}
}

func blockedHash(setup comptoir.Setup, email string) string {
	m := hmac.New(sha256.New, setup.LookupKey)
	m.Write([]byte("e\x00" + email))
	return hex.EncodeToString(m.Sum(nil))
}

func mustMember(tb testing.TB, c *store.Central, card string, reveal bool) comptoir.CentralMember {
	tb.Helper()
	m, err := c.Member(context.Background(), card, reveal, "Bob")
	if err != nil {
		tb.Fatalf("Member(%s, reveal %v): %v", card, reveal, err)
	}
	return m
}

func mustBalance(tb testing.TB, s *store.Store, id comptoir.CustomerID) int64 {
	tb.Helper()
	b, err := s.MemberBalance(context.Background(), id)
	if err != nil {
		tb.Fatalf("MemberBalance(%s): %v", id, err)
	}
	return b
}

// enrolAt enrols a member at a register, under a given ID when the member is known elsewhere.
func enrolAt(tb testing.TB, s *store.Store, id comptoir.CustomerID, card string, p comptoir.Personal, consent map[comptoir.Channel]bool) comptoir.Customer {
	tb.Helper()
	e := enrolment(card, p, consent)
	e.ID = id
	return mustEnroll(tb, s, e)
}

func TestCentralMembers_BalanceSummedOverRegisters(t *testing.T) {
	clk := newClock(day0)
	c := centralAt(t, centralPath(t), newClock(day0.Add(48*time.Hour)))
	r1, r2 := shop(t, "R1", clk), shop(t, "R2", clk)
	card := comptoir.CardNumber(100_001)
	m := enrolAt(t, r1, "", card, jeanne, emailOnly)
	first := mustRecord(t, r1, withCustomer(m.ID, byCard(line(vin, 10))))  // 120 points
	mustRecord(t, r1, training(withCustomer(m.ID, byCard(line(vin, 10))))) // none: training
	mustRecord(t, r1, refundOf(first.Number, line(vin, 2)))                // 24 points back
	enrolAt(t, r2, m.ID, card, jeanne, emailOnly)                          // known at R2 too
	mustRecord(t, r2, withCustomer(m.ID, byCard(line(vin, 10))))           // 120 points
	redeem := withCustomer(m.ID, byCard(line(repas, 1)))                   // 100 points for 5 €
	redeem.PointsRedeemed, redeem.Payments = 100, []comptoir.Payment{pay(comptoir.Card, 500)}
	mustRecord(t, r2, redeem)

	batch1 := syncOnce(t, c, r1, "R1")
	syncOnce(t, c, r2, "R2")
	want := mustBalance(t, r1, m.ID) + mustBalance(t, r2, m.ID)
	got := mustMember(t, c, card, false)
	if got.Balance != want {
		t.Errorf("central balance = %d, want R1's %d + R2's %d = %d", got.Balance, mustBalance(t, r1, m.ID), mustBalance(t, r2, m.ID), want)
	}
	if got, want := got.Registers, []string{"R1", "R2"}; !slices.Equal(got, want) {
		t.Errorf("Registers = %v, want %v", got, want)
	}
	if len(got.Flags) != 0 || !got.EnrolledAt.Equal(day0) || got.Status != comptoir.StatusActive || !slices.Equal(got.Cards, []string{card}) {
		t.Errorf("member = flags %v, enrolled at %v, status %s, cards %v; want none, %v, active, [%s]", got.Flags, got.EnrolledAt, got.Status, got.Cards, day0, card)
	}

	t.Run("a replayed batch changes no balance", func(t *testing.T) {
		res, err := c.Push(context.Background(), "R1", batch1)
		if err != nil || res.Replayed != len(batch1) || res.Applied != 0 || res.Rejected != 0 {
			t.Errorf("replay = %+v, %v; want %d replayed, none applied", res, err, len(batch1))
		}
		if again := mustMember(t, c, card, false); again.Balance != want {
			t.Errorf("balance after the replay = %d, want %d", again.Balance, want)
		}
	})
	t.Run("the feed carries the balance as of the register's last ticket", func(t *testing.T) {
		page := mustChanges(t, c, "R1", "", 0)
		var found *comptoir.RemoteMember
		for _, ch := range page.Changes {
			if ch.Kind == comptoir.ChangeMember && ch.Member.ID == m.ID {
				found = ch.Member
			}
		}
		if found == nil {
			t.Fatalf("no member change for %s in %+v", m.ID, page.Changes)
		}
		if found.Balance != want || found.AsOfTicket != mustLastTicket(t, r1) {
			t.Errorf("member change = balance %d as of ticket %d, want %d as of %d", found.Balance, found.AsOfTicket, want, mustLastTicket(t, r1))
		}
	})
}

// overspendEvent is a ticket of a register that redeemed points it believed the member had, as a
// register that applied the central's balance records it; the register side of the pull is
// another increment's, so the record is written here with the fields the central reads.
func overspendEvent(tb testing.TB, register string, seq uint64, id comptoir.CustomerID, redeemed int64) comptoir.Event {
	tb.Helper()
	record, _ := json.Marshal(map[string]any{"register": register, "number": 1, "total": 700, "grand_total": 700,
		"prev_hash": "", "customer_id": id, "points_redeemed": redeemed, "points_earned": 7})
	sum := sha256.Sum256(record)
	payload, _ := json.Marshal(map[string]any{"register": register, "hash": hex.EncodeToString(sum[:]), "record": json.RawMessage(record)})
	return comptoir.Event{Seq: seq, ID: "overspend-" + register, Type: comptoir.EventSaleRecorded, At: day0, Payload: payload}
}

func TestCentralMembers_OverspendFlaggedNotRefused(t *testing.T) {
	clk := newClock(day0)
	c := centralAt(t, centralPath(t), newClock(day0.Add(48*time.Hour)))
	r1 := shop(t, "R1", clk)
	card := comptoir.CardNumber(100_002)
	m := enrolAt(t, r1, "", card, jeanne, emailOnly)
	mustRecord(t, r1, withCustomer(m.ID, byCard(line(vin, 10)))) // 120 points
	d := withCustomer(m.ID, byCard(line(vin, 1)))
	d.PointsRedeemed, d.Payments = 100, []comptoir.Payment{pay(comptoir.Card, 700)}
	mustRecord(t, r1, d) // 120 - 100 + 7 = 27
	syncOnce(t, c, r1, "R1")
	// R2 spent the same 100 points offline, before it learned of R1's redemption.
	res, err := c.Push(context.Background(), "R2", []comptoir.Event{overspendEvent(t, "R2", 1, m.ID, 100)})
	if err != nil || res.Rejected != 0 || res.Applied != 1 {
		t.Fatalf("Push of the overspending ticket = %+v, %v; want it applied", res, err)
	}
	got := mustMember(t, c, card, false)
	if want := mustBalance(t, r1, m.ID) - 100 + 7; got.Balance != want || want >= 0 {
		t.Errorf("central balance = %d, want %d (below zero)", got.Balance, want)
	}
	if !slices.Contains(got.Flags, comptoir.FlagOverspent) {
		t.Errorf("Flags = %v, want %q", got.Flags, comptoir.FlagOverspent)
	}
}

func TestCentralMembers_ConsentLatestWins(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	cclk := newClock(day0.Add(time.Hour))
	c := centralAt(t, centralPath(t), cclk)
	r1, r2 := shop(t, "R1", clk), shop(t, "R2", clk)
	card := comptoir.CardNumber(100_003)
	m := enrolAt(t, r1, "", card, jeanne, emailOnly)
	enrolAt(t, r2, m.ID, card, jeanne, emailOnly)
	consent := func(s *store.Store, ch comptoir.Channel, granted bool, at time.Time) {
		t.Helper()
		if err := s.ChangeConsent(ctx, m.ID, comptoir.ConsentEvent{Channel: ch, Granted: granted, At: at, By: "Alice"}); err != nil {
			t.Fatalf("ChangeConsent(%s, %v): %v", ch, granted, err)
		}
	}
	// R1 withdraws email at 10:20; R2 gave it again at 10:10 but pushes after R1: the later
	// change wins whatever the order of arrival.
	consent(r1, comptoir.ChannelEmail, false, day0.Add(20*time.Minute))
	consent(r2, comptoir.ChannelEmail, true, day0.Add(10*time.Minute))
	// Both change SMS at the same instant: the withdrawal wins the tie, pushed first or last.
	tie := day0.Add(30 * time.Minute)
	consent(r1, comptoir.ChannelSMS, false, tie)
	consent(r2, comptoir.ChannelSMS, true, tie)
	consent(r1, comptoir.ChannelPost, true, tie)
	consent(r2, comptoir.ChannelPost, false, tie)
	// R2's clock runs ten hours ahead: its grant counts when it reaches the central (11:00), so
	// that a withdrawal made on the web at 11:30 wins over it.
	consent(r2, comptoir.ChannelPhone, true, day0.Add(10*time.Hour))
	syncOnce(t, c, r1, "R1")
	syncOnce(t, c, r2, "R2")
	cclk.Set(day0.Add(2 * time.Hour))
	got, err := c.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelPhone, Granted: false, Via: comptoir.ViaWeb,
		NoticeVersion: "2026-02", By: "web-form", At: day0.Add(90 * time.Minute)})
	if err != nil {
		t.Fatalf("Consent: %v", err)
	}
	want := map[comptoir.Channel]bool{comptoir.ChannelEmail: false, comptoir.ChannelSMS: false, comptoir.ChannelPost: false,
		comptoir.ChannelPhone: false, comptoir.ChannelPartners: false}
	for ch, w := range want {
		if got.Consent[ch] != w {
			t.Errorf("consent %s = %v, want %v (all: %v)", ch, got.Consent[ch], w, got.Consent)
		}
	}
	t.Run("the central's change reaches every register with its history", func(t *testing.T) {
		for _, r := range []string{"R1", "R2"} {
			var ev *comptoir.ConsentEvent
			var member *comptoir.RemoteMember
			for _, ch := range mustChanges(t, c, r, "", 0).Changes {
				if ch.Kind == comptoir.ChangeConsent && ch.Consent.Event.Via == comptoir.ViaWeb {
					ev = &ch.Consent.Event
				}
				if ch.Kind == comptoir.ChangeMember {
					member = ch.Member
				}
			}
			if ev == nil || ev.NoticeVersion != "2026-02" || ev.By != "web-form" || ev.Granted || !ev.At.Equal(day0.Add(90*time.Minute)) {
				t.Errorf("%s: web consent change = %+v", r, ev)
			}
			if member == nil || member.Consent[comptoir.ChannelPhone] {
				t.Errorf("%s: member change = %+v, want phone withdrawn", r, member)
			}
		}
	})
	t.Run("a date after the central's clock counts at its clock", func(t *testing.T) {
		got, err := c.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelPartners, Granted: true, At: day0.Add(50 * time.Hour)})
		if err != nil || !got.Consent[comptoir.ChannelPartners] {
			t.Fatalf("Consent(partners, granted) = %v, %v", got.Consent, err)
		}
		// A withdrawal a minute later than the central's clock wins: the grant counted at 12:00.
		cclk.Set(day0.Add(2*time.Hour + time.Minute))
		got, err = c.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelPartners, Granted: false})
		if err != nil || got.Consent[comptoir.ChannelPartners] {
			t.Errorf("Consent(partners, withdrawn) = %v, %v", got.Consent, err)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		_, err := c.Consent(ctx, card, comptoir.CentralConsent{Channel: "pigeon", Granted: true})
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownChannel))
		_, err = c.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelEmail, Via: "fax"})
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownVia))
		_, err = c.Consent(ctx, comptoir.CardNumber(999), comptoir.CentralConsent{Channel: comptoir.ChannelEmail})
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
	})
}

func TestCentralMembers_CardConflictFlaggedNotMerged(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	c := centralAt(t, centralPath(t), newClock(day0.Add(48*time.Hour)))
	r1, r2 := shop(t, "R1", clk), shop(t, "R2", clk)
	card := comptoir.CardNumber(100_004)
	a := enrolAt(t, r1, "", card, jeanne, emailOnly)
	b := enrolAt(t, r2, "", card, comptoir.Personal{FirstName: "Paul", LastName: "Durand"}, allNo)
	mustRecord(t, r1, withCustomer(a.ID, byCard(line(vin, 1)))) // 12 points for A
	mustRecord(t, r2, withCustomer(b.ID, byCard(line(vin, 5)))) // 60 points for B
	syncOnce(t, c, r1, "R1")
	syncOnce(t, c, r2, "R2")

	owner := mustMember(t, c, card, false)
	if owner.ID != a.ID || owner.Balance != 12 {
		t.Errorf("card %s = member %s with %d points, want its first owner %s with 12", card, owner.ID, owner.Balance, a.ID)
	}
	if !slices.Contains(owner.Flags, comptoir.FlagCardConflict) {
		t.Errorf("first owner's flags = %v, want %q", owner.Flags, comptoir.FlagCardConflict)
	}
	var second *comptoir.RemoteMember
	for _, ch := range mustChanges(t, c, "R3", "", 0).Changes {
		if ch.Kind == comptoir.ChangeMember && ch.Member.ID == b.ID {
			second = ch.Member
		}
	}
	if second == nil || second.Balance != 60 || slices.Contains(second.Cards, card) || !slices.Contains(second.Flags, comptoir.FlagCardConflict) {
		t.Errorf("second member = %+v, want 60 points, flagged, without the card", second)
	}
	if n, err := c.CardConflicts(ctx); err != nil || n != 1 {
		t.Errorf("CardConflicts = %d, %v, want 1", n, err)
	}
}

func TestCentralMembers_ErasureMakesDataUnreadable(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	path := centralPath(t)
	c := centralAt(t, path, newClock(day0.Add(48*time.Hour)))
	setup := mustCentralSetup(t, c, "R1", comptoir.SetupRequest{})
	r1 := shop(t, "R1", clk)
	card := comptoir.CardNumber(100_005)
	m := enrolAt(t, r1, "", card, jeanne, emailOnly)
	want, err := comptoir.NormalizePersonal(jeanne)
	if err != nil {
		t.Fatal(err)
	}
	var wrapped []byte
	sealedBatch := syncOnce(t, c, r1, "R1", sealFor(t, setup, map[comptoir.CustomerID]comptoir.Personal{m.ID: want}), func(evs []comptoir.Event) {
		for _, e := range evs {
			var p struct{ Sealed comptoir.SealedPersonal }
			if e.Type == comptoir.EventCustomerEnrolled && json.Unmarshal(e.Payload, &p) == nil {
				wrapped = p.Sealed.Key
			}
		}
	})
	if len(wrapped) == 0 {
		t.Fatal("the enrolment was not sealed")
	}

	masked := mustMember(t, c, card, false)
	if masked.Revealed || masked.Personal != want.Mask() {
		t.Errorf("Member without reveal = %+v, revealed %v; want %+v", masked.Personal, masked.Revealed, want.Mask())
	}
	revealed := mustMember(t, c, card, true)
	if !revealed.Revealed || revealed.Personal != want {
		t.Errorf("Member with reveal = %+v, revealed %v; want %+v", revealed.Personal, revealed.Revealed, want)
	}
	byEmail, err := c.MemberByEmail(ctx, "  "+jeanne.Email+" ", false, "Bob")
	if err != nil || byEmail.ID != m.ID {
		t.Errorf("MemberByEmail = %s, %v; want %s", byEmail.ID, err, m.ID)
	}
	// The stored enrolment lost its wrapped key; the same batch sent again, key and all, is still
	// the same events.
	if res, err := c.Push(ctx, "R1", sealedBatch); err != nil || res.Replayed != len(sealedBatch) {
		t.Errorf("replay of the sealed batch = %+v, %v; want %d replayed", res, err, len(sealedBatch))
	}

	t.Run("a rectification replaces the sealed data and the email index", func(t *testing.T) {
		newEmail := "jeanne.v@exemple-mail.fr"
		updated, err := r1.UpdatePersonal(ctx, m.ID, comptoir.PersonalUpdate{Email: &newEmail}, "Alice")
		if err != nil {
			t.Fatal(err)
		}
		rectified := want
		rectified.Email = newEmail
		syncOnce(t, c, r1, "R1", sealFor(t, setup, map[comptoir.CustomerID]comptoir.Personal{updated.ID: rectified}))
		if got := mustMember(t, c, card, true); got.Personal != rectified {
			t.Errorf("revealed after the rectification = %+v, want %+v", got.Personal, rectified)
		}
		if got, err := c.MemberByEmail(ctx, newEmail, false, "Bob"); err != nil || got.ID != m.ID {
			t.Errorf("MemberByEmail(new) = %s, %v; want %s", got.ID, err, m.ID)
		}
		_, err = c.MemberByEmail(ctx, jeanne.Email, false, "Bob")
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownCustomer))
		want = rectified
	})

	if err := c.Erase(ctx, card, "Bob"); err != nil {
		t.Fatalf("Erase: %v", err)
	}
	if err := c.Erase(ctx, card, "Bob"); err != nil {
		t.Errorf("Erase again: %v, want nil", err)
	}
	for _, reveal := range []bool{false, true} {
		got := mustMember(t, c, card, reveal)
		if got.Status != comptoir.StatusErased || got.Personal != (comptoir.Personal{}) || got.Revealed {
			t.Errorf("Member(reveal %v) after erasure = status %s, %+v, revealed %v; want the tombstone", reveal, got.Status, got.Personal, got.Revealed)
		}
	}
	_, err = c.MemberByEmail(ctx, want.Email, true, "Bob")
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCustomer))

	t.Run("the erasure reaches every register", func(t *testing.T) {
		var erased bool
		for _, ch := range mustChanges(t, c, "R1", "", 0).Changes {
			erased = erased || ch.Kind == comptoir.ChangeErased && ch.Erased == m.ID
		}
		if !erased {
			t.Error("no erasure in R1's feed")
		}
	})
	t.Run("the file keeps neither the wrapped key nor an address", func(t *testing.T) {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		audits := 0
		editDB(t, path, func(tx *bbolt.Tx) error {
			if v := tx.Bucket([]byte("memberkeys")).Get([]byte(m.ID)); v != nil {
				t.Errorf("memberkeys/%s still holds %d bytes", m.ID, len(v))
			}
			if n := tx.Bucket([]byte("emails")).Stats().KeyN; n != 0 {
				t.Errorf("emails index holds %d keys, want 0", n)
			}
			audits = tx.Bucket([]byte("audit")).Stats().KeyN
			return tx.Bucket([]byte("events/R1")).ForEach(func(k, v []byte) error {
				// The payload is JSON, where bytes are base64.
				if bytes.Contains(v, []byte(base64.StdEncoding.EncodeToString(wrapped))) || bytes.Contains(v, wrapped) ||
					bytes.Contains(v, []byte(jeanne.LastName)) {
					t.Errorf("event %x keeps the wrapped key or the name in clear", k)
				}
				return nil
			})
		})
		// Two reveals and one erasure: neither the masked reads nor the repeated erasure.
		if audits != 3 {
			t.Errorf("audit entries = %d, want 3", audits)
		}
	})
}

func TestCentralMembers_RegisterErasureAndRestriction(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	c := centralAt(t, centralPath(t), newClock(day0.Add(48*time.Hour)))
	r1 := shop(t, "R1", clk)
	card := comptoir.CardNumber(100_006)
	m := enrolAt(t, r1, "", card, jeanne, emailOnly)
	if err := r1.StopProcessing(ctx, m.ID, "Alice"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c, r1, "R1")
	if got := mustMember(t, c, card, false); got.Status != comptoir.StatusRestricted {
		t.Errorf("status after stop processing = %s, want %s", got.Status, comptoir.StatusRestricted)
	}
	_, err := c.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelSMS, Granted: true})
	wantErr(t, err, comptoir.E(comptoir.CodeStopProcessing))
	if _, err := r1.ResumeProcessing(ctx, m.ID, "Alice"); err != nil {
		t.Fatal(err)
	}
	if err := r1.Erase(ctx, m.ID, "Alice"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c, r1, "R1")
	if got := mustMember(t, c, card, false); got.Status != comptoir.StatusErased {
		t.Errorf("status after the register's erasure = %s, want %s", got.Status, comptoir.StatusErased)
	}
	_, err = c.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelSMS, Granted: false})
	wantErr(t, err, comptoir.E(comptoir.CodeCustomerErased))
	var r1Erased, r2Erased bool
	for _, ch := range mustChanges(t, c, "R1", "", 0).Changes {
		r1Erased = r1Erased || ch.Kind == comptoir.ChangeErased
	}
	for _, ch := range mustChanges(t, c, "R2", "", 0).Changes {
		r2Erased = r2Erased || ch.Kind == comptoir.ChangeErased && ch.Erased == m.ID
	}
	if r1Erased || !r2Erased {
		t.Errorf("erasure in R1's feed %v, in R2's %v; want only in R2's, R1 having made it", r1Erased, r2Erased)
	}
}

func TestCentralMembers_InvalidMemberEventsRejected(t *testing.T) {
	c := centralAt(t, centralPath(t), newClock(day0))
	event := func(seq uint64, typ string, payload map[string]any) comptoir.Event {
		body, _ := json.Marshal(payload)
		return comptoir.Event{Seq: seq, ID: fmt.Sprint("e", seq), Type: typ, At: day0, Payload: body}
	}
	good := comptoir.CardNumber(100_200)
	evs := []comptoir.Event{
		event(1, comptoir.EventCustomerEnrolled, map[string]any{"id": "x", "cards": []string{good}}),
		event(2, comptoir.EventCustomerEnrolled, map[string]any{"id": strings.Repeat("M", 40_000), "cards": []string{good}}),
		event(3, comptoir.EventCustomerEnrolled, map[string]any{"id": "M0000000000000001", "cards": []string{"123"}}),
		event(4, comptoir.EventCustomerConsent, map[string]any{"id": "M0000000000000001"}),
		event(5, comptoir.EventCustomerEnrolled, map[string]any{"id": "M0000000000000002", "cards": []string{good}}),
	}
	res, err := c.Push(context.Background(), "R1", evs)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if res.AckedSeq != 5 || res.Rejected != 4 || res.Applied != 1 {
		t.Errorf("Push = %+v, want all acknowledged, 4 rejected, 1 applied", res)
	}
	if got := mustMember(t, c, good, false); got.ID != "M0000000000000002" {
		t.Errorf("card %s = %s, want the valid enrolment's member", good, got.ID)
	}
}
