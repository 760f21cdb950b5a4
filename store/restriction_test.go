package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
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

// auditTrail reads the whole audit trail. The tests of restriction and erasure read it through
// this one helper, so that a change of the listing's form touches one place.
func auditTrail(tb testing.TB, s *store.Store) []comptoir.AuditEntry {
	tb.Helper()
	entries, err := s.Audit(context.Background())
	if err != nil {
		tb.Fatalf("Audit: %v", err)
	}
	return entries
}

// restricted enrols jeanne with a basis and a card, gives her 120 points and stops processing.
func restricted(tb testing.TB, s *store.Store, basis comptoir.LawfulBasis) comptoir.Customer {
	tb.Helper()
	mustImport(tb, s, vin)
	e := enrolment(comptoir.CardNumber(1), jeanne, emailOnly)
	e.Basis = basis
	c := mustEnroll(tb, s, e)
	mustRecord(tb, s, withCustomer(c.ID, byCard(line(vin, 10)))) // 120 points
	if err := s.StopProcessing(context.Background(), c.ID, "Manager"); err != nil {
		tb.Fatalf("StopProcessing: %v", err)
	}
	return c
}

// TestStore_WithdrawConsentDuringRestriction withdraws a consent from a member in stop processing:
// RGPD art. 7(3) makes withdrawal always possible, and the old code refused it.
func TestStore_WithdrawConsentDuringRestriction(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	c := restricted(t, s, comptoir.BasisConsentObtained)

	withdraw := comptoir.ConsentEvent{Channel: comptoir.ChannelEmail, Granted: false, By: "Manager", NoticeVersion: "2026-01"}
	if err := s.ChangeConsent(ctx, c.ID, withdraw); err != nil {
		t.Fatalf("withdrawing a consent during a restriction: %v", err)
	}
	history, err := s.ConsentHistory(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := comptoir.DeriveConsent(history); got.Granted(comptoir.ChannelEmail) {
		t.Errorf("email consent still granted after the withdrawal: %+v", got[comptoir.ChannelEmail])
	}
	if got, want := len(history), len(comptoir.Channels)+1; got != want {
		t.Errorf("%d consent events, want %d", got, want)
	}
	// Granting stays refused, and the member stays restricted.
	grant := withdraw
	grant.Granted = true
	wantErr(t, s.ChangeConsent(ctx, c.ID, grant), comptoir.E(comptoir.CodeStopProcessing))
	if got, _ := s.Customer(ctx, c.ID); got.Status != comptoir.StatusRestricted {
		t.Errorf("status after a withdrawal = %q, want restricted", got.Status)
	}
	var consentAudit int
	for _, e := range auditTrail(t, s) {
		if e.Action == comptoir.AuditConsent && e.Customer == c.ID && e.Detail == "email" {
			consentAudit++
		}
	}
	if consentAudit != 1 {
		t.Errorf("%d audit entries for the withdrawal, want 1", consentAudit)
	}

	// An erased member has nothing left to withdraw.
	if err := s.Erase(ctx, c.ID, "Manager"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.ChangeConsent(ctx, c.ID, withdraw), comptoir.E(comptoir.CodeCustomerErased))
}

// TestStore_RestrictionKeepsTheRights exercises, on a member in stop processing, the rights a
// restriction does not suspend: access, export, rectification and erasure. The old code refused
// rectification.
func TestStore_RestrictionKeepsTheRights(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	c := restricted(t, s, comptoir.BasisLegitimateInterests)

	name := "Jeannette"
	got, err := s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{FirstName: &name}, "Manager")
	if err != nil {
		t.Fatalf("rectifying a member in stop processing: %v", err)
	}
	if got.Personal.FirstName != name || got.Status != comptoir.StatusRestricted {
		t.Errorf("after the rectification: %+v", got)
	}
	revealed, err := s.Reveal(ctx, c.ID, "Manager")
	if err != nil || revealed.Personal.FirstName != name {
		t.Errorf("Reveal = %+v, %v", revealed, err)
	}
	x, err := s.Export(ctx, c.ID, "Manager")
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if x.Customer.Status != comptoir.StatusRestricted || x.Customer.Basis != comptoir.BasisLegitimateInterests ||
		x.Balance != 120 || len(x.Tickets) != 1 || x.Customer.Personal.FirstName != name {
		t.Errorf("export of a member in stop processing: %+v", x)
	}
	// Points stay frozen: a sale completes anonymously and earns nothing.
	if sale := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 1)))); sale.CustomerID != "" || sale.PointsEarned != 0 {
		t.Errorf("sale = customer %q, %d points; want anonymous", sale.CustomerID, sale.PointsEarned)
	}

	if err := s.Erase(ctx, c.ID, "Manager"); err != nil {
		t.Fatalf("erasing a member in stop processing: %v", err)
	}
	tomb, err := s.Customer(ctx, c.ID)
	if err != nil || tomb.Status != comptoir.StatusErased || tomb.Basis != comptoir.BasisLegitimateInterests {
		t.Errorf("tombstone %+v, %v; want erased with the basis it had", tomb, err)
	}
	// An erased member is neither restricted again nor lifted.
	wantErr(t, s.StopProcessing(ctx, c.ID, "Manager"), comptoir.E(comptoir.CodeCustomerErased))
	_, err = s.ResumeProcessing(ctx, c.ID, "Manager")
	wantErr(t, err, comptoir.E(comptoir.CodeCustomerErased))
	_, err = s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{FirstName: &name}, "Manager")
	wantErr(t, err, comptoir.E(comptoir.CodeCustomerErased))
}

func TestStore_ResumeProcessing(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	c := restricted(t, s, comptoir.BasisConsentObtained)
	mustClose(t, s)

	// Like stopping, lifting needs no key: a manager can act with the key file lost.
	o := opts(newClock(day0.Add(time.Hour)))
	o.KeyFile = filepath.Join(t.TempDir(), "absent.key")
	s = mustOpen(t, path, o)
	basis, err := s.ResumeProcessing(ctx, c.ID, "Manager")
	if err != nil {
		t.Fatalf("ResumeProcessing: %v", err)
	}
	if basis != comptoir.BasisConsentObtained {
		t.Errorf("ResumeProcessing = %q, want the basis the member had: %q", basis, comptoir.BasisConsentObtained)
	}
	_, err = s.ResumeProcessing(ctx, c.ID, "Manager")
	wantErr(t, err, comptoir.E(comptoir.CodeNotRestricted))
	if msg := comptoir.Message(err, comptoir.LangFR); msg != "ce membre n'est pas en arrêt de traitement : il n'y a rien à lever" {
		t.Errorf("message %q", msg)
	}
	_, err = s.ResumeProcessing(ctx, "M0000000000000000", "Manager")
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCustomer))
	mustClose(t, s)

	s = mustOpen(t, path, opts(newClock(day0.Add(2*time.Hour))))
	got, err := s.Customer(ctx, c.ID)
	if err != nil || got.Status != comptoir.StatusActive || got.Basis != comptoir.BasisConsentObtained {
		t.Errorf("after the lift: %+v, %v; want active with the basis it had", got, err)
	}
	// The member is processed again: points and consent grants.
	if sale := mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 1)))); sale.CustomerID != string(c.ID) || sale.PointsEarned != 12 {
		t.Errorf("sale after the lift = customer %q, %d points", sale.CustomerID, sale.PointsEarned)
	}
	if err := s.ChangeConsent(ctx, c.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelSMS, Granted: true}); err != nil {
		t.Errorf("granting a consent after the lift: %v", err)
	}

	var lifts []comptoir.AuditEntry
	for _, e := range auditTrail(t, s) {
		if e.Action == comptoir.AuditResumeProcessing {
			lifts = append(lifts, e)
		}
	}
	if len(lifts) != 1 || lifts[0].Customer != c.ID || lifts[0].Who != "Manager" || lifts[0].Detail != "" ||
		!lifts[0].At.Equal(day0.Add(time.Hour)) {
		t.Errorf("resume-processing audit entries %+v, want one by Manager about %s", lifts, c.ID)
	}
	var events []comptoir.Event
	for _, ev := range mustOutbox(t, s) {
		if ev.Type == comptoir.EventCustomerResumed {
			events = append(events, ev)
		}
	}
	if len(events) != 1 {
		t.Fatalf("%d %s events, want 1", len(events), comptoir.EventCustomerResumed)
	}
	if got, want := string(events[0].Payload), `{"id":"`+string(c.ID)+`"}`; got != want {
		t.Errorf("event payload %s, want the pseudonymous ID only: %s", got, want)
	}
}

// TestStore_EraseLeavesNoPersonalTraceInAudit erases a member after the actions that wrote audit
// entries about her (a block of her address, a rectification, a reveal, a consent change, a stop
// of processing) and looks for any trace of her personal data beside her ID: in the trail, and
// in the raw file. The old code wrote her masked email beside her ID when her address was blocked.
func TestStore_EraseLeavesNoPersonalTraceInAudit(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	if err := s.Block(ctx, jeanne.Email, "Manager"); err != nil {
		t.Fatal(err)
	}
	phone := "07 11 22 33 44"
	if _, err := s.UpdatePersonal(ctx, c.ID, comptoir.PersonalUpdate{Phone: &phone}, "Manager"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reveal(ctx, c.ID, "Manager"); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeConsent(ctx, c.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelEmail}); err != nil {
		t.Fatal(err)
	}
	if err := s.StopProcessing(ctx, c.ID, "Manager"); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, c.ID, "Manager"); err != nil {
		t.Fatal(err)
	}

	p, _ := comptoir.NormalizePersonal(jeanne)
	newPhone, _ := comptoir.NormalizePhone(phone)
	traces := []string{p.Email, comptoir.MaskEmail(p.Email), p.Phone, comptoir.MaskPhone(p.Phone), newPhone,
		comptoir.MaskPhone(newPhone), p.FirstName, p.LastName, comptoir.MaskName(p.FirstName), comptoir.MaskName(p.LastName),
		"jeanneton", "vasseurquin", "exemple-mail", "***"}
	entries := auditTrail(t, s)
	var blocks int
	for _, e := range entries {
		for _, tr := range traces {
			if strings.Contains(strings.ToLower(e.Detail), strings.ToLower(tr)) {
				t.Errorf("audit entry %+v holds %q", e, tr)
			}
		}
		if e.Action == comptoir.AuditBlock {
			blocks++
			if e.Customer != "" {
				t.Errorf("block entry %+v names a member", e)
			}
		}
	}
	if blocks != 1 {
		t.Errorf("%d block entries, want 1", blocks)
	}
	mustClose(t, s)

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		if bytes.Contains(bytes.ToLower(raw), []byte(strings.ToLower(tr))) {
			t.Errorf("the database file still holds %q after the erasure", tr)
		}
	}
}

// putAudit appends audit entries to a closed file, as an older or a future Comptoir may have
// written them.
func putAudit(tb testing.TB, path string, entries ...comptoir.AuditEntry) {
	tb.Helper()
	editDB(tb, path, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		for _, e := range entries {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			e.Seq = seq
			v, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), append([]byte{1}, v...)); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestStore_EraseScrubsAuditDetails plants audit entries whose details hold a trace of the person
// (as an older Comptoir, or a careless new entry, would write) and erases their members, by
// request and by the retention purge: the details about them go, the harmless ones and those
// about other members stay.
func TestStore_EraseScrubsAuditDetails(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	a := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	stale := mustEnroll(t, s, enrolment(comptoir.CardNumber(2),
		comptoir.Personal{FirstName: "Paul", LastName: "Martin", Email: "paul@exemple.fr"}, allNo))
	clk.Set(day0.AddDate(4, 0, 0))
	other := mustEnroll(t, s, enrolment(comptoir.CardNumber(3),
		comptoir.Personal{FirstName: "Léa", LastName: "Petit", Email: "lea@exemple.fr"}, allNo))
	mustClose(t, s)
	at := day0.Add(time.Hour)
	putAudit(t, path,
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditBlock, Customer: a.ID, Detail: "j***@e***.fr"},
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditReveal, Customer: a.ID, Detail: "Jeanneton"},
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditConsent, Customer: a.ID, Detail: "sms"},
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditConsent, Customer: a.ID, Detail: "sms j***"},
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditUpdate, Customer: a.ID, Detail: "last_name,email"},
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditUpdate, Customer: a.ID, Detail: "email=j***@e***.fr"},
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditBlock, Customer: stale.ID, Detail: "p***@e***.fr"},
		comptoir.AuditEntry{At: at, Who: "M", Action: comptoir.AuditReveal, Customer: other.ID, Detail: "L***"},
	)

	s = mustOpen(t, path, opts(clk))
	if err := s.Erase(ctx, a.ID, "M"); err != nil {
		t.Fatal(err)
	}
	ids, err := s.PurgeInactive(ctx, day0.AddDate(3, 0, 0), false, "M")
	if err != nil || len(ids) != 1 || ids[0] != stale.ID {
		t.Fatalf("PurgeInactive = %v, %v, want %s", ids, err, stale.ID)
	}
	details := map[comptoir.CustomerID][]string{}
	for _, e := range auditTrail(t, s) {
		if e.Who == "M" && e.Action != comptoir.AuditErase {
			details[e.Customer] = append(details[e.Customer], string(e.Action)+":"+e.Detail)
		}
	}
	want := map[comptoir.CustomerID]string{
		a.ID:     "block: reveal: consent:sms consent: update:last_name,email update:",
		stale.ID: "block:",
		other.ID: "reveal:L***",
	}
	for id, w := range want {
		if got := strings.Join(details[id], " "); got != w {
			t.Errorf("audit details about %s = %q, want %q", id, got, w)
		}
	}
}

// TestStore_MigrateMemberStatus opens a file in the version-3 layout, written directly with
// bbolt: members whose basis was overwritten by a stop of processing or an erasure, one whose
// enrolment left no trace, a block entry with a masked email beside a member's ID. Each member
// gets a status and the last real basis it had back.
func TestStore_MigrateMemberStatus(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	enrol := func(n uint64, first string, basis comptoir.LawfulBasis) comptoir.Customer {
		e := enrolment(comptoir.CardNumber(n), comptoir.Personal{FirstName: first, LastName: "Test"}, allNo)
		e.Basis = basis
		return mustEnroll(t, s, e)
	}
	stopped := enrol(1, "Anne", comptoir.BasisConsentObtained)
	erased := enrol(2, "Bruno", comptoir.BasisLegitimateInterests)
	active := enrol(3, "Chloé", comptoir.BasisLegalObligation)
	untraced := enrol(4, "David", comptoir.BasisVitalInterests)
	if err := s.Erase(ctx, erased.ID, "M"); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)

	// The version-3 layout: flags, and the basis overwritten by them.
	old := map[comptoir.CustomerID]map[string]any{
		stopped.ID:  {"basis": "stop-processing", "stop_processing": true},
		erased.ID:   {"basis": "delete", "erased": true},
		active.ID:   {},
		untraced.ID: {"basis": "stop-processing", "stop_processing": true},
	}
	editDB(t, path, func(tx *bbolt.Tx) error {
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema"), u64(3)); err != nil {
			return err
		}
		members := tx.Bucket([]byte("members"))
		for id, fields := range old {
			key := append([]byte(id), 0)
			var rec map[string]any
			if err := json.Unmarshal(members.Get(key)[1:], &rec); err != nil {
				return err
			}
			delete(rec, "status")
			for k, v := range fields {
				rec[k] = v
			}
			v, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			if err := members.Put(key, append([]byte{1}, v...)); err != nil {
				return err
			}
		}
		// No outbox event is left of the last member's enrolment.
		out := tx.Bucket([]byte("outbox"))
		c := out.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if bytes.Contains(v, []byte(`"type":"customer.enrolled"`)) && bytes.Contains(v, []byte(untraced.ID)) {
				return out.Delete(k)
			}
		}
		t.Errorf("no enrolment event for %s in the outbox", untraced.ID)
		return nil
	})
	putAudit(t, path, comptoir.AuditEntry{At: day0, Who: "M", Action: comptoir.AuditBlock, Customer: active.ID, Detail: "c***@e***.fr"})

	s = mustOpen(t, path, opts(newClock(day0)))
	want := map[comptoir.CustomerID]struct {
		basis  comptoir.LawfulBasis
		status comptoir.Status
	}{
		stopped.ID: {comptoir.BasisConsentObtained, comptoir.StatusRestricted},
		erased.ID:  {comptoir.BasisLegitimateInterests, comptoir.StatusErased},
		active.ID:  {comptoir.BasisLegalObligation, comptoir.StatusActive},
		// No trace of the basis: the default one, contract.
		untraced.ID: {comptoir.BasisContract, comptoir.StatusRestricted},
	}
	for id, w := range want {
		got, err := s.Customer(ctx, id)
		if err != nil || got.Basis != w.basis || got.Status != w.status {
			t.Errorf("%s after migration: basis %q, status %q, %v; want %q, %q", id, got.Basis, got.Status, err, w.basis, w.status)
		}
	}
	for _, e := range auditTrail(t, s) {
		if e.Action == comptoir.AuditBlock && (e.Customer != "" || e.Detail != "") {
			t.Errorf("block entry after migration %+v, want neither member nor masked email", e)
		}
	}
	// The restored basis is the one a lift finds.
	if basis, err := s.ResumeProcessing(ctx, stopped.ID, "M"); err != nil || basis != comptoir.BasisConsentObtained {
		t.Errorf("ResumeProcessing after migration = %q, %v", basis, err)
	}
	mustClose(t, s)
	if got, want := readSchema(t, path), uint64(7); got != want {
		t.Errorf("schema after migration = %d, want %d", got, want)
	}
}
