package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// allYes and allNo are complete consent answers.
var (
	allNo     = map[comptoir.Channel]bool{comptoir.ChannelEmail: false, comptoir.ChannelSMS: false, comptoir.ChannelPhone: false, comptoir.ChannelPost: false, comptoir.ChannelPartners: false}
	emailOnly = map[comptoir.Channel]bool{comptoir.ChannelEmail: true, comptoir.ChannelSMS: false, comptoir.ChannelPhone: false, comptoir.ChannelPost: false, comptoir.ChannelPartners: false}
)

// jeanne is a member whose every personal value is distinctive enough to be searched for in
// the raw file.
var jeanne = comptoir.Personal{FirstName: "Jeanneton", LastName: "Vasseurquin", Email: "jeanneton.vasseurquin@exemple-mail.fr", Phone: "06 71 82 93 04"}

func enrolment(card string, p comptoir.Personal, consent map[comptoir.Channel]bool) comptoir.Enrolment {
	return comptoir.Enrolment{Card: card, Personal: p, Consent: consent, NoticeVersion: "2026-01", By: "Alice"}
}

func mustEnroll(tb testing.TB, s *store.Store, e comptoir.Enrolment) comptoir.Customer {
	tb.Helper()
	c, err := s.Enroll(context.Background(), e)
	if err != nil {
		tb.Fatalf("Enroll: %v", err)
	}
	return c
}

func TestStore_Enroll(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	card, err := s.NextCard(ctx)
	if err != nil || card != comptoir.CardNumber(1) {
		t.Fatalf("NextCard = %q, %v, want %q", card, err, comptoir.CardNumber(1))
	}
	c := mustEnroll(t, s, enrolment(card, jeanne, emailOnly))
	if got, want := c.Personal.Email, "jeanneton.vasseurquin@exemple-mail.fr"; got != want {
		t.Errorf("email = %q, want %q", got, want)
	}
	if got, want := c.Personal.Phone, "+33671829304"; got != want {
		t.Errorf("phone = %q, want %q", got, want)
	}
	if got, want := c.Basis, comptoir.BasisContract; got != want {
		t.Errorf("basis = %q, want %q", got, want)
	}
	if next, _ := s.NextCard(ctx); next != comptoir.CardNumber(2) {
		t.Errorf("NextCard after enrolling card 1 = %q, want %q", next, comptoir.CardNumber(2))
	}
	for name, find := range map[string]func() (comptoir.Customer, error){
		"card": func() (comptoir.Customer, error) { return s.CustomerByCard(ctx, card) },
		"email": func() (comptoir.Customer, error) {
			return s.CustomerByEmail(ctx, "Jeanneton.Vasseurquin@Exemple-Mail.fr")
		},
		"phone": func() (comptoir.Customer, error) { return s.CustomerByPhone(ctx, "+33 6 71 82 93 04") },
	} {
		got, err := find()
		if err != nil || got.ID != c.ID || got.Personal != c.Personal {
			t.Errorf("by %s: %+v, %v, want %+v", name, got, err, c)
		}
	}
	history, err := s.ConsentHistory(ctx, c.ID)
	if err != nil || len(history) != len(comptoir.Channels) {
		t.Fatalf("ConsentHistory = %d events, %v, want one per channel", len(history), err)
	}
	state := comptoir.DeriveConsent(history)
	for _, ch := range comptoir.Channels {
		if got, want := state.Granted(ch), emailOnly[ch]; got != want {
			t.Errorf("consent %s = %v, want %v", ch, got, want)
		}
		if e := state[ch]; e.NoticeVersion != "2026-01" || e.Via != comptoir.ViaRegister || e.By != "Alice" {
			t.Errorf("consent event %+v lacks its notice version, channel or author", e)
		}
	}
	info, err := os.Stat(path + ".key")
	if err != nil {
		t.Fatalf("the key file was not created beside the database: %v", err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %o, want 600", got)
	}
	// The outbox carries the pseudonymous ID, never personal data.
	for _, ev := range mustOutbox(t, s) {
		if bytes.Contains(ev.Payload, []byte("Vasseurquin")) || bytes.Contains(ev.Payload, []byte("exemple-mail")) {
			t.Errorf("outbox event %s carries personal data: %s", ev.Type, ev.Payload)
		}
	}

	refusals := []struct {
		name string
		e    comptoir.Enrolment
		want *comptoir.Error
	}{
		{"ErrCardTaken", enrolment(card, comptoir.Personal{FirstName: "A", LastName: "B"}, allNo), comptoir.E(comptoir.CodeCardTaken)},
		{"ErrEmailTaken", enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "A", LastName: "B", Email: jeanne.Email}, allNo), comptoir.E(comptoir.CodeEmailTaken)},
		{"ErrPhoneTaken", enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "A", LastName: "B", Phone: "0671829304"}, allNo), comptoir.E(comptoir.CodePhoneTaken)},
		{"ErrConsentMissing", enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "A", LastName: "B"}, map[comptoir.Channel]bool{comptoir.ChannelEmail: true}), comptoir.ErrConsentMissing},
		{"ErrNotACard", enrolment("3017620422003", comptoir.Personal{FirstName: "A", LastName: "B"}, allNo), comptoir.ErrNotACard},
		{"ErrInvalidEmail", enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "A", LastName: "B", Email: "a@b"}, allNo), comptoir.ErrInvalidEmail},
		{"ErrEmptyPersonName", enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "A"}, allNo), comptoir.ErrEmptyPersonName},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Enroll(ctx, tt.e)
			wantErr(t, err, tt.want)
		})
	}
	t.Run("ErrBlockedEmail", func(t *testing.T) {
		if err := s.Block(ctx, "Spam@Exemple.fr", "Manager"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Enroll(ctx, enrolment(comptoir.CardNumber(3), comptoir.Personal{FirstName: "A", LastName: "B", Email: "spam@exemple.fr"}, allNo))
		wantErr(t, err, comptoir.E(comptoir.CodeBlockedEmail))
		if msg := comptoir.Message(err, comptoir.LangFR); strings.Contains(msg, "spam@exemple.fr") {
			t.Errorf("the refusal repeats the blocked address in clear: %q", msg)
		}
		email := "spam@exemple.fr"
		_, err = s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{Email: &email}, "Manager")
		wantErr(t, err, comptoir.E(comptoir.CodeBlockedEmail))
	})
}

// TestStore_RawFileHoldsNoPersonalData writes members, rectifies one, and searches the raw
// database file for every personal value written, in every form it was written.
func TestStore_RawFileHoldsNoPersonalData(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	people := []comptoir.Personal{
		jeanne,
		{FirstName: "Maëlysandre", LastName: "Quintavalle", Email: "maelysandre.q@fournisseur-courriel.com", Phone: "+44 20 7946 0958"},
	}
	var ids []comptoir.CustomerID
	for i, p := range people {
		ids = append(ids, mustEnroll(t, s, enrolment(comptoir.CardNumber(uint64(i+1)), p, emailOnly)).ID)
	}
	newEmail, newLast := "nouvelle.adresse.jeanneton@autre-domaine.fr", "Vasseurquin-Delaporte"
	if _, err := s.UpdatePersonal(ctx, ids[0], comptoir.PersonalUpdate{Email: &newEmail, LastName: &newLast}, "Alice"); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, withCustomer(ids[1], byCard(line(vin, 1))))
	mustClose(t, s)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Jeanneton", "Vasseurquin", "exemple-mail", "0671829304", "671829304", "Maëlysandre", "Quintavalle",
		"fournisseur-courriel", "2079460958", "nouvelle.adresse", "autre-domaine", "Delaporte"}
	for _, v := range secrets {
		for _, form := range []string{v, strings.ToLower(v), strings.ToUpper(v)} {
			if bytes.Contains(raw, []byte(form)) {
				t.Errorf("the database file contains %q in clear", form)
			}
		}
	}
	// The data is still there for whoever holds the key.
	s = mustOpen(t, path, opts(newClock(day0)))
	c, err := s.Customer(ctx, ids[0])
	if err != nil || c.Personal.Email != newEmail || c.Personal.LastName != newLast {
		t.Errorf("after reopening: %+v, %v", c.Personal, err)
	}
}

func withCustomer(id comptoir.CustomerID, d comptoir.SaleDraft) comptoir.SaleDraft {
	d.CustomerID = string(id)
	return d
}

// readRaw reads values of a bucket straight from the closed database file.
func readRaw(tb testing.TB, path, bucket, key string) []byte {
	tb.Helper()
	var v []byte
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bbolt.Tx) error {
		v = bytes.Clone(tx.Bucket([]byte(bucket)).Get([]byte(key)))
		return nil
	})
	return v
}

func TestStore_Erase(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustImport(t, s, vin)
	card := comptoir.CardNumber(1)
	c := mustEnroll(t, s, enrolment(card, jeanne, emailOnly))
	sale := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 2))))
	mustClose(t, s)
	wrapped := readRaw(t, path, "datakeys", string(c.ID))
	sealed := readRaw(t, path, "personal", string(c.ID))
	if len(wrapped) == 0 || len(sealed) == 0 {
		t.Fatal("no data key or sealed data before erasure")
	}

	s = mustOpen(t, path, opts(newClock(day0.Add(time.Hour))))
	if err := s.Erase(ctx, c.ID, "Manager"); err != nil {
		t.Fatalf("Erase: %v", err)
	}
	got, err := s.Customer(ctx, c.ID)
	if err != nil || got.Status != comptoir.StatusErased || got.Personal != (comptoir.Personal{}) || len(got.Cards) != 0 ||
		got.Basis != comptoir.BasisContract {
		t.Errorf("after erasure the member reads %+v, %v; want an empty tombstone with the basis it had", got, err)
	}
	_, err = s.CustomerByCard(ctx, card)
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
	_, err = s.CustomerByEmail(ctx, jeanne.Email)
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCustomer))
	// The ticket keeps the pseudonymous ID, and the points stay on the ledger.
	if kept := mustSale(t, s, sale.Number); kept.CustomerID != string(c.ID) {
		t.Errorf("the ticket's customer became %q", kept.CustomerID)
	}
	if _, balance, err := s.Points(ctx, c.ID); err != nil || balance != 24 {
		t.Errorf("points after erasure = %d, %v, want 24", balance, err)
	}
	_, err = s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{FirstName: &jeanne.FirstName}, "Manager")
	wantErr(t, err, comptoir.E(comptoir.CodeCustomerErased))
	audit, err := s.Audit(ctx)
	if err != nil || audit[len(audit)-1].Action != comptoir.AuditErase || audit[len(audit)-1].Customer != c.ID {
		t.Errorf("audit trail does not end with the erasure: %+v, %v", audit, err)
	}
	mustClose(t, s)

	// Neither the data key nor the sealed data survives anywhere in the file, not even in a page
	// bbolt freed: with the master key, nothing is left to open.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, wrapped) {
		t.Error("the erased member's wrapped data key is still in the file")
	}
	if bytes.Contains(raw, sealed[12:]) {
		t.Error("the erased member's sealed personal data is still in the file")
	}
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the compaction left its working file behind (%v)", err)
	}
}

func TestStore_ConsentHistorySurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	clk.Set(day0.Add(time.Hour))
	if err := s.ChangeConsent(ctx, c.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelEmail, Granted: false, By: "Bob", NoticeVersion: "2026-01"}); err != nil {
		t.Fatal(err)
	}
	clk.Set(day0.Add(2 * time.Hour))
	if err := s.ChangeConsent(ctx, c.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelSMS, Granted: true, Via: comptoir.ViaWeb, By: "web", NoticeVersion: "2026-02"}); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	s = mustOpen(t, path, opts(clk))
	history, err := s.ConsentHistory(ctx, c.ID)
	if err != nil || len(history) != len(comptoir.Channels)+2 {
		t.Fatalf("history = %d events, %v, want %d", len(history), err, len(comptoir.Channels)+2)
	}
	state := comptoir.DeriveConsent(history)
	if state.Granted(comptoir.ChannelEmail) || !state.Granted(comptoir.ChannelSMS) {
		t.Errorf("derived consent email=%v sms=%v, want withdrawn and given", state.Granted(comptoir.ChannelEmail), state.Granted(comptoir.ChannelSMS))
	}
	if got := state[comptoir.ChannelSMS]; got.Via != comptoir.ViaWeb || got.NoticeVersion != "2026-02" || !got.At.Equal(day0.Add(2*time.Hour)) {
		t.Errorf("sms consent event = %+v", got)
	}
	// The first answer is still there: history is never rewritten.
	if first := history[0]; first.Channel != comptoir.ChannelEmail || !first.Granted {
		t.Errorf("first event = %+v, want the enrolment's email yes", first)
	}
}

func TestStore_StopProcessing(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, vin)
	e := enrolment(comptoir.CardNumber(1), jeanne, emailOnly)
	e.Basis = comptoir.BasisConsentObtained
	c := mustEnroll(t, s, e)
	mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 10)))) // 120 points
	if err := s.StopProcessing(ctx, c.ID, "Manager"); err != nil {
		t.Fatal(err)
	}
	// Giving a consent is processing the restriction freezes.
	err := s.ChangeConsent(ctx, c.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelSMS, Granted: true})
	wantErr(t, err, comptoir.E(comptoir.CodeStopProcessing))
	if msg := comptoir.Message(err, comptoir.LangEN); !strings.Contains(msg, "stop processing") {
		t.Errorf("message %q", msg)
	}
	redeem := withCustomer(c.ID, byCard(line(vin, 1)))
	redeem.PointsRedeemed = 100
	_, err = s.RecordSale(ctx, redeem)
	wantErr(t, err, comptoir.E(comptoir.CodeStopProcessing))
	// A sale with the card still completes, anonymously.
	sale := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 1))))
	if sale.CustomerID != "" || sale.PointsEarned != 0 {
		t.Errorf("sale of a member in stop processing = customer %q, %d points; want anonymous", sale.CustomerID, sale.PointsEarned)
	}
	if _, balance, _ := s.Points(ctx, c.ID); balance != 120 {
		t.Errorf("balance = %d, want 120 untouched", balance)
	}
	got, _ := s.Customer(ctx, c.ID)
	if got.Status != comptoir.StatusRestricted {
		t.Errorf("status = %q, want %q", got.Status, comptoir.StatusRestricted)
	}
	// The restriction is a status beside the basis, which it leaves as it was.
	if got.Basis != comptoir.BasisConsentObtained {
		t.Errorf("basis = %q, want %q kept through the restriction", got.Basis, comptoir.BasisConsentObtained)
	}
}

func TestStore_Points(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustImport(t, s, vin, pomme)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))

	first := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 10), line(pomme, 1)))) // 122,50 € -> 122 points
	if got, want := first.PointsEarned, int64(122); got != want {
		t.Errorf("points earned = %d, want %d", got, want)
	}

	t.Run("redemption and its ticket fail together", func(t *testing.T) {
		before, outbox := mustLastTicket(t, s), len(mustOutbox(t, s))
		d := withCustomer(c.ID, byCard(line(vin, 1)))
		d.PointsRedeemed = 200
		_, err := s.RecordSale(ctx, d)
		wantErr(t, err, comptoir.ErrInsufficientPoints)
		d.PointsRedeemed = 150
		_, err = s.RecordSale(ctx, d)
		wantErr(t, err, comptoir.ErrRedeemUnit)
		if got := mustLastTicket(t, s); got != before {
			t.Errorf("a refused redemption recorded ticket %d", got)
		}
		if got := len(mustOutbox(t, s)); got != outbox {
			t.Errorf("a refused redemption queued %d events", got-outbox)
		}
		if _, balance, _ := s.Points(ctx, c.ID); balance != 122 {
			t.Errorf("balance after refusals = %d, want 122", balance)
		}
	})

	t.Run("redemption takes 5 euros off and commits with its ticket", func(t *testing.T) {
		lines := []comptoir.Line{line(vin, 1)}
		d := comptoir.SaleDraft{Lines: lines, CustomerID: string(c.ID), PointsRedeemed: 100,
			Payments: []comptoir.Payment{pay(comptoir.Card, 700)}}
		sale, err := s.RecordSale(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if sale.Discount != 500 || sale.Total != 700 || sale.PointsEarned != 7 {
			t.Errorf("sale = discount %v, total %v, earned %d; want 5,00 €, 7,00 €, 7", sale.Discount, sale.Total, sale.PointsEarned)
		}
		if got, want := sale.VAT[0].TTC, comptoir.Money(700); got != want {
			t.Errorf("VAT base after discount = %v, want %v", got, want)
		}
		ledger, balance, _ := s.Points(ctx, c.ID)
		if balance != 122-100+7 {
			t.Errorf("balance = %d, want %d", balance, 122-100+7)
		}
		if last := ledger[len(ledger)-2]; last.Kind != comptoir.PointsRedeem || last.Points != -100 || last.Ticket != sale.Number {
			t.Errorf("redeem entry = %+v", last)
		}
		if rep := mustVerify(t, s); rep.Broken != nil {
			t.Errorf("Verify: %v", rep.Broken)
		}

		// Refunding the discounted wine pays back what was paid, and takes back its points.
		refund, err := s.RecordSale(ctx, comptoir.SaleDraft{RefundOf: sale.Number, Lines: []comptoir.Line{line(vin, -1)},
			Payments: []comptoir.Payment{pay(comptoir.Card, -700)}})
		if err != nil {
			t.Fatalf("refund: %v", err)
		}
		if refund.Total != -700 || refund.CustomerID != string(c.ID) || refund.PointsEarned != -7 || refund.PointsRedeemed != -100 {
			t.Errorf("refund = total %v, customer %q, points earned %d, redeemed %d; want -7,00 €, the member, -7, -100 (given back)",
				refund.Total, refund.CustomerID, refund.PointsEarned, refund.PointsRedeemed)
		}
		if _, balance, _ := s.Points(ctx, c.ID); balance != 122 {
			t.Errorf("balance after the refund = %d, want 122 (as before the redemption)", balance)
		}
	})

	t.Run("export", func(t *testing.T) {
		x, err := s.Export(ctx, c.ID, "Manager")
		if err != nil {
			t.Fatal(err)
		}
		if x.Customer.Personal.LastName != "Vasseurquin" || len(x.Consent) != 5 || len(x.Tickets) != 3 || x.Balance != 122 || len(x.Points) != 5 {
			t.Errorf("export = %+v", x)
		}
		if x.Tickets[0].Number != first.Number || x.Tickets[0].Total != first.Total {
			t.Errorf("first exported ticket = %+v", x.Tickets[0])
		}
		if _, err := json.Marshal(x); err != nil {
			t.Errorf("export does not encode to JSON: %v", err)
		}
		audit, _ := s.Audit(ctx)
		if last := audit[len(audit)-1]; last.Action != comptoir.AuditExport || last.Who != "Manager" {
			t.Errorf("last audit entry = %+v, want the export", last)
		}
	})

	t.Run("training tickets touch no member", func(t *testing.T) {
		sale := mustRecord(t, s, training(withCustomer(c.ID, byCard(line(vin, 1)))))
		if sale.CustomerID != "" || sale.PointsEarned != 0 {
			t.Errorf("training sale = %+v", sale)
		}
	})
}

func TestStore_KeyFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "comptoir.db")
	o := opts(newClock(day0))
	s := mustOpen(t, path, o)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustClose(t, s)

	t.Run("ErrKeyMissing", func(t *testing.T) {
		o := o
		o.KeyFile = filepath.Join(dir, "elsewhere.key")
		s := mustOpen(t, path, o)
		_, err := s.Customer(ctx, c.ID)
		wantErr(t, err, comptoir.E(comptoir.CodeKeyMissing))
		if _, err := os.Stat(o.KeyFile); !os.IsNotExist(err) {
			t.Error("a new key was created although members exist under another one")
		}
		// The journal does not need the key.
		if _, err := s.GrandTotal(ctx); err != nil {
			t.Errorf("GrandTotal without the key: %v", err)
		}
	})
	t.Run("ErrKeyMismatch", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other.db")
		s2 := mustOpen(t, other, o)
		mustEnroll(t, s2, enrolment(comptoir.CardNumber(1), comptoir.Personal{FirstName: "A", LastName: "B"}, allNo))
		mustClose(t, s2)
		o := o
		o.KeyFile = other + ".key"
		s := mustOpen(t, path, o)
		_, err := s.Customer(ctx, c.ID)
		wantErr(t, err, comptoir.E(comptoir.CodeKeyMismatch))
	})
	t.Run("ErrKeyInvalid", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.key")
		if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		o := o
		o.KeyFile = bad
		s := mustOpen(t, path, o)
		_, err := s.Customer(ctx, c.ID)
		wantErr(t, err, comptoir.E(comptoir.CodeKeyInvalid))
	})
}

func TestStore_UpdatePersonal(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	email := "Nouvelle@Exemple.fr"
	got, err := s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{Email: &email}, "Alice")
	if err != nil || got.Personal.Email != "nouvelle@exemple.fr" || got.Personal.LastName != jeanne.LastName {
		t.Fatalf("UpdatePersonal = %+v, %v", got.Personal, err)
	}
	if _, err := s.CustomerByEmail(ctx, jeanne.Email); err == nil {
		t.Error("the old email still finds the member")
	}
	if found, err := s.CustomerByEmail(ctx, "nouvelle@exemple.fr"); err != nil || found.ID != c.ID {
		t.Errorf("the new email does not find the member: %v", err)
	}
	_, err = s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{}, "Alice")
	wantErr(t, err, comptoir.E(comptoir.CodeNothingToUpdate))
	bad := "pas-une-adresse"
	_, err = s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{Email: &bad}, "Alice")
	wantErr(t, err, comptoir.ErrInvalidEmail)
	audit, _ := s.Audit(ctx)
	if last := audit[len(audit)-1]; last.Action != comptoir.AuditUpdate || last.Detail != "email" {
		t.Errorf("last audit entry = %+v, want the email rectification", last)
	}
}

func TestStore_MemberRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "comptoir.db")
	o := opts(newClock(day0))
	s := mustOpen(t, path, o)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))

	t.Run("ErrBasisNotForEnrolment", func(t *testing.T) {
		for _, b := range []comptoir.LawfulBasis{comptoir.BasisStopProcessing, comptoir.BasisDelete} {
			e := enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "A", LastName: "B"}, allNo)
			e.Basis = b
			_, err := s.Enroll(ctx, e)
			wantErr(t, err, comptoir.E(comptoir.CodeBasisNotForEnrolment))
		}
	})
	t.Run("ErrUnknownVia", func(t *testing.T) {
		err := s.ChangeConsent(ctx, c.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelSMS, Granted: true, Via: "pigeon"})
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownVia))
		if h, _ := s.ConsentHistory(ctx, c.ID); len(h) != len(comptoir.Channels) {
			t.Errorf("a refused consent change was recorded: %d events", len(h))
		}
	})
	t.Run("blocking a member's own address does not freeze their record", func(t *testing.T) {
		if err := s.Block(ctx, jeanne.Email, "Manager"); err != nil {
			t.Fatal(err)
		}
		name := "Jeanne"
		if _, err := s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{FirstName: &name}, "Manager"); err != nil {
			t.Errorf("correcting the name of a member whose address is blocked: %v", err)
		}
	})
	mustClose(t, s)

	t.Run("CardOwner needs no key", func(t *testing.T) {
		o := o
		o.KeyFile = filepath.Join(dir, "lost.key")
		s := mustOpen(t, path, o)
		id, err := s.CardOwner(ctx, comptoir.CardNumber(1))
		if err != nil || id != c.ID {
			t.Fatalf("CardOwner = %q, %v, want %q", id, err, c.ID)
		}
		// With the key lost, the member can still be erased.
		if err := s.Erase(ctx, id, "Manager"); err != nil {
			t.Errorf("Erase without the key: %v", err)
		}
		_, err = s.CardOwner(ctx, comptoir.CardNumber(1))
		wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
	})
}
