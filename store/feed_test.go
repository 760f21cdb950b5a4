package store_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// fakeCentral is what a central hands a register: its key pair (the private half stays with the
// test, to open what the register seals) and the set-up.
type fakeCentral struct {
	priv  *ecdh.PrivateKey
	setup comptoir.Setup
}

// newFakeCentral draws a central key and a set-up with a block of card numbers from first to last.
func newFakeCentral(tb testing.TB, first, last uint64) fakeCentral {
	tb.Helper()
	priv, err := comptoir.NewCentralKey()
	if err != nil {
		tb.Fatal(err)
	}
	lookup := bytes.Repeat([]byte{0x5a}, 32)
	lookup[0] = byte(first)
	return fakeCentral{priv: priv, setup: comptoir.Setup{Register: "R1", CentralKey: priv.PublicKey().Bytes(), LookupKey: lookup,
		CardsFirst: first, CardsLast: last, Now: day0}}
}

func mustApplySetup(tb testing.TB, s *store.Store, c fakeCentral) {
	tb.Helper()
	if err := s.ApplySetup(context.Background(), c.setup); err != nil {
		tb.Fatalf("ApplySetup: %v", err)
	}
}

func mustApply(tb testing.TB, s *store.Store, next string, changes ...comptoir.Change) {
	tb.Helper()
	if err := s.ApplyChanges(context.Background(), comptoir.ChangesPage{Changes: changes, Next: next, Now: day0}); err != nil {
		tb.Fatalf("ApplyChanges(%s): %v", next, err)
	}
}

func mustCursor(tb testing.TB, s *store.Store) string {
	tb.Helper()
	c, err := s.Cursor(context.Background())
	if err != nil {
		tb.Fatalf("Cursor: %v", err)
	}
	return c
}

// remoteID is the pseudonymous ID of the n-th member of another shop.
func remoteID(n int) comptoir.CustomerID {
	return comptoir.CustomerID(fmt.Sprintf("M%016x", 0xabc000000+n))
}

func memberChange(m comptoir.RemoteMember) comptoir.Change {
	return comptoir.Change{Kind: comptoir.ChangeMember, Member: &m}
}

// emailHash is an address's hash under the chain's lookup key, as the protocol defines it.
func emailHash(key []byte, email string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("e\x00" + email))
	return hex.EncodeToString(m.Sum(nil))
}

func TestStore_ApplySetup(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	if _, ok, err := s.SyncSetup(ctx); err != nil || ok {
		t.Fatalf("SyncSetup before set-up = ok %v, %v; want false", ok, err)
	}
	c := newFakeCentral(t, 100_000, 199_999)
	mustApplySetup(t, s, c)
	mustApplySetup(t, s, c) // The same set-up again changes nothing.

	other := newFakeCentral(t, 100_000, 199_999)
	wantErr(t, s.ApplySetup(ctx, other.setup), comptoir.E(comptoir.CodeCentralKeyChanged))
	lookup := c.setup
	lookup.LookupKey = bytes.Repeat([]byte{1}, 32)
	wantErr(t, s.ApplySetup(ctx, lookup), comptoir.E(comptoir.CodeCentralKeyChanged))
	block := c.setup
	block.CardsFirst, block.CardsLast = 200_000, 299_999
	err := s.ApplySetup(ctx, block)
	wantErr(t, err, comptoir.E(comptoir.CodeCardBlockChanged))
	if got, want := fmt.Sprint(errArgs(t, err)), "[100000 199999 200000 299999]"; got != want {
		t.Errorf("CodeCardBlockChanged args = %s, want %s", got, want)
	}
	bad := c.setup
	bad.CentralKey = []byte("short")
	wantErr(t, s.ApplySetup(ctx, bad), comptoir.E(comptoir.CodeCentralKeyInvalid))
	bad = c.setup
	bad.LookupKey = nil
	wantErr(t, s.ApplySetup(ctx, bad), comptoir.E(comptoir.CodeInvalidSetup))
	mustClose(t, s)

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, c.setup.LookupKey) {
		t.Error("the database file holds the chain's lookup key in clear")
	}
	s = mustOpen(t, path, opts(newClock(day0)))
	got, ok, err := s.SyncSetup(ctx)
	if err != nil || !ok {
		t.Fatalf("SyncSetup after reopening = ok %v, %v", ok, err)
	}
	if !bytes.Equal(got.CentralKey, c.setup.CentralKey) || !bytes.Equal(got.LookupKey, c.setup.LookupKey) ||
		got.CardsFirst != 100_000 || got.CardsLast != 199_999 || got.Register != "R1" {
		t.Errorf("SyncSetup = %+v, want %+v", got, c.setup)
	}
}

func TestStore_NextCardInBlock(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	// A card printed before the set-up, outside the block.
	mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	mustApplySetup(t, s, newFakeCentral(t, 500, 503))
	next := func() string {
		t.Helper()
		card, err := s.NextCard(ctx)
		if err != nil {
			t.Fatalf("NextCard: %v", err)
		}
		return card
	}
	if got, want := next(), comptoir.CardNumber(500); got != want {
		t.Fatalf("NextCard after set-up = %s, want the block's first %s", got, want)
	}
	mustEnroll(t, s, enrolment(next(), comptoir.Personal{FirstName: "Un", LastName: "Deux"}, allNo))
	// A card printed before the set-up still enrols, and does not move the block's draw.
	mustEnroll(t, s, enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "Trois", LastName: "Quatre"}, allNo))
	if got, want := next(), comptoir.CardNumber(501); got != want {
		t.Errorf("NextCard = %s, want %s", got, want)
	}
	// A member of another shop holding a card of the block: it is skipped, and taken at enrolment.
	mustApply(t, s, "c1", memberChange(comptoir.RemoteMember{ID: remoteID(1), Cards: []string{comptoir.CardNumber(501)}, Status: comptoir.StatusActive}))
	if got, want := next(), comptoir.CardNumber(502); got != want {
		t.Errorf("NextCard beside another shop's card = %s, want %s", got, want)
	}
	_, err := s.Enroll(ctx, enrolment(comptoir.CardNumber(501), comptoir.Personal{FirstName: "Cinq", LastName: "Six"}, allNo))
	wantErr(t, err, comptoir.E(comptoir.CodeCardTaken))
	mustEnroll(t, s, enrolment(next(), comptoir.Personal{FirstName: "Sept", LastName: "Huit"}, allNo))
	mustEnroll(t, s, enrolment(next(), comptoir.Personal{FirstName: "Neuf", LastName: "Dix"}, allNo))
	_, err = s.NextCard(ctx)
	wantErr(t, err, comptoir.E(comptoir.CodeCardBlockExhausted))
	if got, want := fmt.Sprint(errArgs(t, err)), "[500 503]"; got != want {
		t.Errorf("CodeCardBlockExhausted args = %s, want %s", got, want)
	}

	// The block's last card enrolled first leaves the others to draw.
	s = mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustApplySetup(t, s, newFakeCentral(t, 10, 12))
	mustEnroll(t, s, enrolment(comptoir.CardNumber(12), jeanne, emailOnly))
	if got, want := next(), comptoir.CardNumber(10); got != want {
		t.Errorf("NextCard after the block's last card = %s, want %s", got, want)
	}
}

// TestStore_SealedPersonalInEvents checks that once a central key is pinned, enrolments and
// rectifications carry the personal data sealed for the central, which opens it, and that the
// address is in clear neither in the file nor in the outbox.
func TestStore_SealedPersonalInEvents(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	before := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), comptoir.Personal{FirstName: "Avant", LastName: "Installation"}, allNo))
	c := newFakeCentral(t, 1000, 1999)
	mustApplySetup(t, s, c)
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1000), jeanne, emailOnly))
	newEmail := "nouvelle.adresse.jeanneton@autre-domaine.fr"
	if _, err := s.UpdatePersonal(ctx, m.ID, comptoir.PersonalUpdate{Email: &newEmail}, "Alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.Block(ctx, "Bloquee.Pour.Toujours@Exemple-Mail.fr", "Manager"); err != nil {
		t.Fatal(err)
	}

	var sealed, beforeSealed []comptoir.SealedPersonal
	var blockHash string
	events := mustOutbox(t, s)
	for _, ev := range events {
		var p struct {
			ID     comptoir.CustomerID      `json:"id"`
			Sealed *comptoir.SealedPersonal `json:"sealed"`
			Hash   string                   `json:"hash"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatalf("%s payload: %v", ev.Type, err)
		}
		switch {
		case ev.Type == comptoir.EventEmailBlocked:
			blockHash = p.Hash
		case p.ID == before.ID && ev.Type == comptoir.EventCustomerEnrolled:
			if p.Sealed != nil {
				t.Errorf("%s before the set-up carries sealed data", ev.Type)
			}
		case p.ID == before.ID:
			// A member enrolled before the set-up reaches the central's CRM with the set-up.
			if ev.Type != comptoir.EventCustomerUpdated || p.Sealed == nil {
				t.Fatalf("%s of the member enrolled before the set-up: sealed %v", ev.Type, p.Sealed != nil)
			}
			beforeSealed = append(beforeSealed, *p.Sealed)
		case p.ID == m.ID && (ev.Type == comptoir.EventCustomerEnrolled || ev.Type == comptoir.EventCustomerUpdated):
			if p.Sealed == nil {
				t.Fatalf("%s after the set-up carries no sealed data", ev.Type)
			}
			sealed = append(sealed, *p.Sealed)
		}
		for _, secret := range []string{"Jeanneton", "jeanneton", "Vasseurquin", "exemple-mail", "autre-domaine", "671829304", "Bloquee"} {
			if bytes.Contains(ev.Payload, []byte(secret)) {
				t.Errorf("outbox event %s holds %q in clear", ev.Type, secret)
			}
		}
	}
	if got, want := len(sealed), 2; got != want {
		t.Fatalf("events with sealed data = %d, want %d (enrolment, rectification)", got, want)
	}
	for i, want := range []string{"jeanneton.vasseurquin@exemple-mail.fr", newEmail} {
		dk, err := comptoir.UnwrapDataKey(c.priv, sealed[i].Key, m.ID)
		if err != nil {
			t.Fatalf("the central cannot unwrap the data key of event %d: %v", i, err)
		}
		p, err := comptoir.OpenPersonalData(dk, sealed[i].Data, m.ID)
		if err != nil {
			t.Fatalf("the central cannot open the data of event %d: %v", i, err)
		}
		if p.Email != want || p.LastName != "Vasseurquin" {
			t.Errorf("event %d opens to %+v, want email %s", i, p, want)
		}
	}
	if got, want := len(beforeSealed), 1; got != want {
		t.Fatalf("events sealing the member enrolled before the set-up = %d, want %d", got, want)
	}
	dk, err := comptoir.UnwrapDataKey(c.priv, beforeSealed[0].Key, before.ID)
	if err != nil {
		t.Fatalf("the central cannot unwrap the data key of the member enrolled before: %v", err)
	}
	if p, err := comptoir.OpenPersonalData(dk, beforeSealed[0].Data, before.ID); err != nil || p.LastName != "Installation" {
		t.Errorf("the member enrolled before opens to %+v, %v", p, err)
	}
	// A second set-up, the same, sends nothing again.
	n := len(mustOutbox(t, s))
	mustApplySetup(t, s, c)
	if got := len(mustOutbox(t, s)); got != n {
		t.Errorf("a repeated set-up queued %d events", got-n)
	}
	if got, want := blockHash, emailHash(c.setup.LookupKey, "bloquee.pour.toujours@exemple-mail.fr"); got != want {
		t.Errorf("email.blocked hash = %q, want %q", got, want)
	}
	mustClose(t, s)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"jeanneton", "Vasseurquin", "exemple-mail", "autre-domaine", "0671829304", "Bloquee", "bloquee"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the database file holds %q in clear", secret)
		}
	}
}

func TestStore_ApplyChanges(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	c := newFakeCentral(t, 1000, 1999)
	mustApplySetup(t, s, c)
	local := mustEnroll(t, s, enrolment(comptoir.CardNumber(1000), jeanne, emailOnly))
	outbox := len(mustOutbox(t, s))
	noEcho := func() {
		t.Helper()
		if got := len(mustOutbox(t, s)); got != outbox {
			t.Errorf("applying changes queued %d outbox events, want none", got-outbox)
		}
	}
	if got := mustCursor(t, s); got != "" {
		t.Errorf("Cursor before any page = %q, want empty", got)
	}

	t.Run("catalog", func(t *testing.T) {
		cheaper := vin
		cheaper.Price = 990
		mustApply(t, s, "c1", comptoir.Change{Kind: comptoir.ChangeCatalog, Catalog: []comptoir.Product{pomme, cheaper}})
		p, err := s.Product(ctx, vin.GTIN)
		if err != nil || p.Price != 990 {
			t.Errorf("Product(vin) = %+v, %v; want the central's price 9,90 €", p, err)
		}
		if got := mustCursor(t, s); got != "c1" {
			t.Errorf("Cursor = %q, want c1", got)
		}
		noEcho()
	})

	t.Run("member of another shop", func(t *testing.T) {
		card := comptoir.CardNumber(5_000_001)
		mustApply(t, s, "c2", memberChange(comptoir.RemoteMember{ID: remoteID(1), Cards: []string{card}, Balance: 340,
			Consent: map[comptoir.Channel]bool{comptoir.ChannelSMS: true}, Status: comptoir.StatusActive, Flags: []string{comptoir.FlagOverspent}}))
		id, err := s.CardOwner(ctx, card)
		if err != nil || id != remoteID(1) {
			t.Fatalf("CardOwner = %q, %v; want %q", id, err, remoteID(1))
		}
		got, err := s.CustomerByCard(ctx, card)
		if err != nil || !got.Remote || got.ID != remoteID(1) || got.Personal != (comptoir.Personal{}) || got.Status != comptoir.StatusActive {
			t.Errorf("CustomerByCard = %+v, %v; want a remote member without personal data", got, err)
		}
		if _, balance, err := s.Points(ctx, remoteID(1)); err != nil || balance != 340 {
			t.Errorf("Points balance = %d, %v; want the central's 340", balance, err)
		}
		rm, ok, err := s.RemoteMember(ctx, remoteID(1))
		if err != nil || !ok || !rm.Consent[comptoir.ChannelSMS] || rm.Consent[comptoir.ChannelEmail] || len(rm.Flags) != 1 || rm.Flags[0] != comptoir.FlagOverspent {
			t.Errorf("RemoteMember = %+v, %v, %v", rm, ok, err)
		}
		_, err = s.UpdatePersonal(ctx, remoteID(1), comptoir.PersonalUpdate{FirstName: &jeanne.FirstName}, "Alice")
		wantErr(t, err, comptoir.E(comptoir.CodeRemoteMember))
		noEcho()
	})

	t.Run("consent made elsewhere joins the history", func(t *testing.T) {
		ev := comptoir.ConsentEvent{Channel: comptoir.ChannelEmail, Granted: false, At: day0.Add(time.Hour), Via: comptoir.ViaWeb,
			By: "jeanne (lien)", NoticeVersion: "2026-01"}
		mustApply(t, s, "c3", comptoir.Change{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: local.ID, Event: ev}})
		// The same event sent again is not written twice.
		mustApply(t, s, "c3", comptoir.Change{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: local.ID, Event: ev}})
		history, err := s.ConsentHistory(ctx, local.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(history), len(comptoir.Channels)+1; got != want {
			t.Errorf("consent history = %d events, want %d (enrolment's and the web's)", got, want)
		}
		last := history[len(history)-1]
		if last.Via != comptoir.ViaWeb || last.By != "jeanne (lien)" || last.Granted || !last.At.Equal(ev.At) {
			t.Errorf("last consent event = %+v, want %+v", last, ev)
		}
		if comptoir.DeriveConsent(history).Granted(comptoir.ChannelEmail) {
			t.Error("email consent still granted after a withdrawal on the web")
		}
		x, err := s.Export(ctx, local.ID, "Manager")
		if err != nil || x.Consent[len(x.Consent)-1].Via != comptoir.ViaWeb {
			t.Errorf("export's last consent = %+v, %v", x.Consent, err)
		}
		noEcho()
	})

	t.Run("stop and resume processing", func(t *testing.T) {
		view := comptoir.RemoteMember{ID: local.ID, Cards: []string{comptoir.CardNumber(1000)}, Status: comptoir.StatusRestricted}
		mustApply(t, s, "c4", memberChange(view))
		got, err := s.Customer(ctx, local.ID)
		if err != nil || got.Status != comptoir.StatusRestricted || got.Remote {
			t.Errorf("after a stop from the central: %+v, %v", got, err)
		}
		view.Status = comptoir.StatusActive
		mustApply(t, s, "c5", memberChange(view))
		if got, _ := s.Customer(ctx, local.ID); got.Status != comptoir.StatusActive {
			t.Errorf("after a resume from the central: status %s", got.Status)
		}
		noEcho()
	})

	t.Run("blocked address", func(t *testing.T) {
		addr := "bloquee.ailleurs@exemple-mail.fr"
		mustApply(t, s, "c6", comptoir.Change{Kind: comptoir.ChangeBlocked, Blocked: emailHash(c.setup.LookupKey, addr)})
		_, err := s.Enroll(ctx, enrolment(comptoir.CardNumber(1001), comptoir.Personal{FirstName: "X", LastName: "Y", Email: "Bloquee.Ailleurs@exemple-mail.fr"}, allNo))
		wantErr(t, err, comptoir.E(comptoir.CodeBlockedEmail))
		noEcho()
	})

	t.Run("an invalid change is skipped, the rest applied", func(t *testing.T) {
		skipped, err := s.ApplyPage(ctx, comptoir.ChangesPage{Next: "c7", Changes: []comptoir.Change{
			memberChange(comptoir.RemoteMember{ID: remoteID(2), Cards: []string{comptoir.CardNumber(6_000_000)}, Status: comptoir.StatusActive}),
			{Kind: comptoir.ChangeCatalog, Catalog: []comptoir.Product{{GTIN: "123", Name: "x", Price: 1}}},
			{Kind: "gossip"},
		}})
		if err != nil {
			t.Fatalf("ApplyPage: %v", err)
		}
		if got, want := len(skipped), 2; got != want {
			t.Fatalf("skipped = %v, want %d changes", skipped, want)
		}
		wantErr(t, skipped[0], comptoir.E(comptoir.CodeChangeSkipped))
		if got, want := fmt.Sprint(errArgs(t, skipped[0])), "[2 catalog]"; got != want {
			t.Errorf("CodeChangeSkipped args = %s, want %s", got, want)
		}
		wantErr(t, skipped[1], comptoir.E(comptoir.CodeMalformedChange))
		if got := mustCursor(t, s); got != "c7" {
			t.Errorf("Cursor after a page with skipped changes = %q, want c7", got)
		}
		if _, err := s.CardOwner(ctx, comptoir.CardNumber(6_000_000)); err != nil {
			t.Errorf("CardOwner of the valid view beside the skipped changes: %v", err)
		}
		noEcho()
	})

	t.Run("erasure", func(t *testing.T) {
		remoteCard := comptoir.CardNumber(5_000_001)
		mustApply(t, s, "c8", comptoir.Change{Kind: comptoir.ChangeErased, Erased: local.ID},
			comptoir.Change{Kind: comptoir.ChangeErased, Erased: remoteID(1)})
		if done, err := s.CompactIfPending(ctx); err != nil || !done {
			t.Errorf("CompactIfPending = %v, %v; want the erasure's compaction done", done, err)
		}
		got, err := s.Reveal(ctx, local.ID, "Manager")
		if err != nil || got.Status != comptoir.StatusErased || got.Personal != (comptoir.Personal{}) || len(got.Cards) != 0 {
			t.Errorf("Reveal after the central's erasure = %+v, %v; want an empty tombstone", got, err)
		}
		_, err = s.CustomerByCard(ctx, comptoir.CardNumber(1000))
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
		_, err = s.CustomerByCard(ctx, remoteCard)
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
		// A view sent after the erasure does not bring the member back.
		mustApply(t, s, "c9", memberChange(comptoir.RemoteMember{ID: remoteID(1), Cards: []string{remoteCard}, Status: comptoir.StatusActive}))
		_, err = s.CardOwner(ctx, remoteCard)
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
		noEcho()
		mustClose(t, s)
		// The personal data of the erased member is gone from the personal and datakeys buckets,
		// and the compaction left no freed page holding them.
		if v := readRaw(t, path, "datakeys", string(local.ID)); v != nil {
			t.Error("the erased member's data key is still stored")
		}
		if v := readRaw(t, path, "personal", string(local.ID)); v != nil {
			t.Error("the erased member's sealed data is still stored")
		}
		if v := readRaw(t, path, "meta", "compact-pending"); v != nil {
			t.Error("the erasure's compaction is still pending")
		}
		s = mustOpen(t, path, opts(clk))
	})
}

// TestStore_FeedErasureScrubsFile checks with the raw bytes that an erasure from the central
// leaves neither the member's data key nor their sealed data anywhere in the file.
func TestStore_FeedErasureScrubsFile(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	mustClose(t, s)
	wrapped := readRaw(t, path, "datakeys", string(m.ID))
	sealed := readRaw(t, path, "personal", string(m.ID))
	s = mustOpen(t, path, opts(newClock(day0)))
	outbox := len(mustOutbox(t, s))
	mustApply(t, s, "e1", comptoir.Change{Kind: comptoir.ChangeErased, Erased: m.ID})
	if done, err := s.CompactIfPending(ctx); err != nil || !done {
		t.Errorf("CompactIfPending = %v, %v; want the erasure's compaction done", done, err)
	}
	if got := len(mustOutbox(t, s)); got != outbox {
		t.Errorf("the central's erasure queued %d outbox events", got-outbox)
	}
	_, err := s.CustomerByEmail(ctx, jeanne.Email)
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCustomer))
	mustClose(t, s)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, wrapped) || bytes.Contains(raw, sealed[12:]) {
		t.Error("the member's data key or sealed data survives in the file after the central's erasure")
	}
}

// TestStore_BalanceCentralPlusOwn checks that the balance shown is the central's, which counts
// this register's entries up to AsOfTicket, plus this register's entries after it.
func TestStore_BalanceCentralPlusOwn(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, vin, pomme)
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	first := mustRecord(t, s, withCustomer(m.ID, byCard(line(vin, 1))))  // 12 points
	second := mustRecord(t, s, withCustomer(m.ID, byCard(line(vin, 2)))) // 24 points
	if first.Number != 1 || second.PointsEarned != 24 {
		t.Fatalf("tickets %d and %d points, want ticket 1 then 24 points", first.Number, second.PointsEarned)
	}
	// The central counted ticket 1 (12) and 100 points earned at another register.
	mustApply(t, s, "b1", memberChange(comptoir.RemoteMember{ID: m.ID, Cards: m.Cards, Balance: 112, AsOfTicket: 1, Status: comptoir.StatusActive}))
	if _, balance, err := s.Points(ctx, m.ID); err != nil || balance != 112+24 {
		t.Errorf("Points balance = %d, %v; want %d", balance, err, 112+24)
	}
	if got, err := s.MemberBalance(ctx, m.ID); err != nil || got != 112+24 {
		t.Errorf("MemberBalance = %d, %v; want %d", got, err, 112+24)
	}
	// The sale redeems from that balance.
	d := withCustomer(m.ID, byCard(line(vin, 1)))
	d.PointsRedeemed = 100
	d.Payments = []comptoir.Payment{pay(comptoir.Card, 700)}
	sale := mustRecord(t, s, d)
	if got, want := sale.Discount, comptoir.Money(500); got != want {
		t.Errorf("discount = %v, want %v", got, want)
	}
	if _, balance, _ := s.Points(ctx, m.ID); balance != 112+24-100+7 {
		t.Errorf("balance after redeeming = %d, want %d", balance, 112+24-100+7)
	}
}

// TestStore_RemoteMemberSale checks that a member of another shop can buy here, earn and redeem
// points, and that the sale's points count until the central acknowledges them.
func TestStore_RemoteMemberSale(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustImport(t, s, vin)
	card := comptoir.CardNumber(7_000_000)
	id := remoteID(7)
	mustApply(t, s, "r1", memberChange(comptoir.RemoteMember{ID: id, Cards: []string{card}, Balance: 250, Status: comptoir.StatusActive}))
	c, err := s.CustomerByCard(ctx, card)
	if err != nil || !c.Remote {
		t.Fatalf("CustomerByCard = %+v, %v", c, err)
	}
	if err := s.NoteActivity(ctx, id, day0); err != nil {
		t.Errorf("NoteActivity of a member of another shop: %v", err)
	}
	d := withCustomer(id, byCard(line(vin, 2)))
	d.PointsRedeemed = 200
	d.Payments = []comptoir.Payment{pay(comptoir.Card, 1400)}
	sale := mustRecord(t, s, d)
	if sale.CustomerID != string(id) || sale.Discount != 1000 || sale.PointsEarned != 14 {
		t.Errorf("sale = customer %q, discount %v, earned %d; want the member, 10,00 €, 14", sale.CustomerID, sale.Discount, sale.PointsEarned)
	}
	ledger, balance, err := s.Points(ctx, id)
	if err != nil || len(ledger) != 2 || balance != 250-200+14 {
		t.Errorf("Points = %d entries, balance %d, %v; want 2 entries, %d", len(ledger), balance, err, 250-200+14)
	}
	got, err := s.Customer(ctx, id)
	if err != nil || !got.Remote || got.Personal != (comptoir.Personal{}) {
		t.Errorf("Customer after a sale = %+v, %v; want still remote, without personal data", got, err)
	}
	if x, err := s.Export(ctx, id, "Manager"); err != nil || len(x.Tickets) != 1 || x.Balance != 64 {
		t.Errorf("Export = %+v, %v", x, err)
	}
	if got, err := s.BalanceAfter(ctx, id, sale.Number); err != nil || got != 64 {
		t.Errorf("BalanceAfter(ticket %d) = %d, %v; want 64", sale.Number, got, err)
	}
	// Once the central counted the ticket, its balance alone holds it.
	mustApply(t, s, "r2", memberChange(comptoir.RemoteMember{ID: id, Cards: []string{card}, Balance: 64, AsOfTicket: sale.Number, Status: comptoir.StatusActive}))
	if _, balance, _ := s.Points(ctx, id); balance != 64 {
		t.Errorf("balance once the central counted the ticket = %d, want 64", balance)
	}
	if got, err := s.BalanceAfter(ctx, id, sale.Number); err != nil || got != 64 {
		t.Errorf("BalanceAfter(ticket %d) once the central counted it = %d, %v; want 64", sale.Number, got, err)
	}
	// A consent withdrawn here goes to the central like any other.
	outbox := len(mustOutbox(t, s))
	if err := s.ChangeConsent(ctx, id, comptoir.ConsentEvent{Channel: comptoir.ChannelSMS, Granted: false}); err != nil {
		t.Fatalf("ChangeConsent: %v", err)
	}
	if got := len(mustOutbox(t, s)); got != outbox+1 {
		t.Errorf("a consent change here queued %d events, want 1", got-outbox)
	}
	if rep := mustVerify(t, s); rep.Broken != nil {
		t.Errorf("Verify: %v", rep.Broken)
	}
}

func TestStore_MigrateToRemoteBucket(t *testing.T) {
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustClose(t, s)
	editDB(t, path, func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket([]byte("remote")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), u64(5))
	})
	s = mustOpen(t, path, opts(newClock(day0)))
	mustApply(t, s, "m1", memberChange(comptoir.RemoteMember{ID: remoteID(3), Cards: []string{comptoir.CardNumber(3)}, Status: comptoir.StatusActive}))
	mustClose(t, s)
	if got, want := readSchema(t, path), uint64(7); got != want {
		t.Errorf("schema after migration = %d, want %d", got, want)
	}
}

// TestStore_ApplyChangesAtomic checks that a change failing while the page is applied (here, a
// damaged view in the file) rolls back the changes before it and keeps the old cursor.
func TestStore_ApplyChangesAtomic(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustApply(t, s, "a1", memberChange(comptoir.RemoteMember{ID: remoteID(4), Cards: []string{comptoir.CardNumber(4)}, Status: comptoir.StatusActive}))
	mustClose(t, s)
	editDB(t, path, func(tx *bbolt.Tx) error { return tx.Bucket([]byte("remote")).Put([]byte(remoteID(4)), []byte{9, 9}) })
	s = mustOpen(t, path, opts(newClock(day0)))
	cheaper := vin
	cheaper.Price = 100
	err := s.ApplyChanges(ctx, comptoir.ChangesPage{Next: "a2", Changes: []comptoir.Change{
		{Kind: comptoir.ChangeCatalog, Catalog: []comptoir.Product{cheaper}},
		memberChange(comptoir.RemoteMember{ID: remoteID(4), Cards: []string{comptoir.CardNumber(4)}, Balance: 10, Status: comptoir.StatusActive}),
	}})
	wantErr(t, err, comptoir.E(comptoir.CodeInvalidChange))
	if !errors.Is(err, comptoir.ErrCorruptRecord) {
		t.Errorf("error = %v, want its cause, a damaged record", err)
	}
	if got := mustCursor(t, s); got != "a1" {
		t.Errorf("Cursor after a failed page = %q, want the old a1", got)
	}
	_, err = s.Product(ctx, vin.GTIN)
	wantErr(t, err, comptoir.ErrUnknownProduct)
}

// TestStore_RemoteMemberRights checks that a member of another shop can exercise their rights at
// this register (stop processing, erasure), the change leaving in the outbox for the central, and
// that the retention purge leaves them to the central.
func TestStore_RemoteMemberRights(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	mustImport(t, s, vin)
	buyer, quiet := remoteID(8), remoteID(9)
	mustApply(t, s, "x1",
		memberChange(comptoir.RemoteMember{ID: buyer, Cards: []string{comptoir.CardNumber(8_000_008)}, Balance: 30, Status: comptoir.StatusActive}),
		memberChange(comptoir.RemoteMember{ID: quiet, Cards: []string{comptoir.CardNumber(8_000_009)}, Status: comptoir.StatusActive}))
	mustRecord(t, s, withCustomer(buyer, byCard(line(vin, 1))))

	clk.Set(day0.AddDate(4, 0, 0))
	purged, err := s.PurgeInactive(ctx, day0.AddDate(3, 0, 0), false, "Manager")
	if err != nil || len(purged) != 0 {
		t.Errorf("PurgeInactive = %v, %v; want no member of another shop purged here", purged, err)
	}

	outbox := len(mustOutbox(t, s))
	if err := s.StopProcessing(ctx, quiet, "Manager"); err != nil {
		t.Fatalf("StopProcessing of a member of another shop: %v", err)
	}
	if got, _ := s.Customer(ctx, quiet); got.Status != comptoir.StatusRestricted || !got.Remote {
		t.Errorf("after StopProcessing: %+v", got)
	}
	if err := s.Erase(ctx, buyer, "Manager"); err != nil {
		t.Fatalf("Erase of a member of another shop: %v", err)
	}
	_, err = s.CardOwner(ctx, comptoir.CardNumber(8_000_008))
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
	events := mustOutbox(t, s)[outbox:]
	if got, want := len(events), 2; got != want {
		t.Fatalf("outbox events = %d, want %d", got, want)
	}
	if events[0].Type != comptoir.EventCustomerStopped || events[1].Type != comptoir.EventCustomerErased {
		t.Errorf("outbox events = %s, %s; want a stop then an erasure", events[0].Type, events[1].Type)
	}
	if _, ok, _ := s.RemoteMember(ctx, buyer); ok {
		t.Error("the central's view of the erased member is still kept")
	}
}
