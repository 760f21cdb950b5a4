package store_test

import (
	"context"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestStore_PurgeInactive(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	mustImport(t, s, vin)
	old := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), comptoir.Personal{FirstName: "Ancien", LastName: "Client", Email: "ancien@exemple.fr"}, allNo))
	buyer := mustEnroll(t, s, enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "Fidèle", LastName: "Acheteur"}, allNo))
	scanned := mustEnroll(t, s, enrolment(comptoir.CardNumber(3), comptoir.Personal{FirstName: "Carte", LastName: "Scannée"}, allNo))
	consenting := mustEnroll(t, s, enrolment(comptoir.CardNumber(4), comptoir.Personal{FirstName: "Avis", LastName: "Changé"}, allNo))

	// Three years and a day later, three of them showed up in the last year.
	later := day0.AddDate(3, 0, 1)
	clk.Set(later.AddDate(-1, 0, 0))
	mustRecord(t, s, withCustomer(buyer.ID, byCard(line(vin, 1))))
	if err := s.NoteActivity(ctx, scanned.ID, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeConsent(ctx, consenting.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelPost, Granted: true}); err != nil {
		t.Fatal(err)
	}
	clk.Set(later)
	before := later.AddDate(-3, 0, 0)

	ids, err := s.PurgeInactive(ctx, before, true, "Manager")
	if err != nil || len(ids) != 1 || ids[0] != old.ID {
		t.Fatalf("dry run = %v, %v, want only %s", ids, err, old.ID)
	}
	if c, _ := s.Customer(ctx, old.ID); c.Status == comptoir.StatusErased {
		t.Fatal("a dry run erased a member")
	}
	ids, err = s.PurgeInactive(ctx, before, false, "Manager")
	if err != nil || len(ids) != 1 || ids[0] != old.ID {
		t.Fatalf("purge = %v, %v, want only %s", ids, err, old.ID)
	}
	if c, err := s.Customer(ctx, old.ID); err != nil || c.Status != comptoir.StatusErased || c.Personal != (comptoir.Personal{}) {
		t.Errorf("purged member = %+v, %v, want an empty tombstone", c, err)
	}
	for _, id := range []comptoir.CustomerID{buyer.ID, scanned.ID, consenting.ID} {
		if c, err := s.Customer(ctx, id); err != nil || c.Status != comptoir.StatusActive {
			t.Errorf("active member %s was purged (%v)", id, err)
		}
	}
	audit, _ := s.Audit(ctx)
	if last := audit[len(audit)-1]; last.Action != comptoir.AuditErase || last.Detail != "retention" || last.Customer != old.ID {
		t.Errorf("last audit entry = %+v, want the retention erasure", last)
	}
	// A second purge finds nobody: tombstones are not erased again.
	if ids, err := s.PurgeInactive(ctx, before, false, "Manager"); err != nil || len(ids) != 0 {
		t.Errorf("second purge = %v, %v, want nothing", ids, err)
	}
	if rep := mustVerify(t, s); rep.Broken != nil {
		t.Errorf("Verify after purge: %v", rep.Broken)
	}
}

func TestStore_Settings(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	set, err := s.Settings(ctx)
	if err != nil || set.Points != comptoir.DefaultPointsRule || set.NoticeVersion == "" {
		t.Fatalf("default settings = %+v, %v", set, err)
	}
	if err := s.SetSetting(ctx, "shop.siret", "123 456 789 00007"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "points.redeem-points", "200"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.SetSetting(ctx, "shop.siret", "12345"), comptoir.E(comptoir.CodeSIRETLength))
	wantErr(t, s.SetSetting(ctx, "points.redeem-points", "0"), comptoir.E(comptoir.CodeRedeemPointsRange))
	wantErr(t, s.SetSetting(ctx, "shop.colour", "bleu"), comptoir.E(comptoir.CodeUnknownSetting))
	mustClose(t, s)

	// The rule of the settings applies from the next opening on.
	s = mustOpen(t, path, opts(newClock(day0)))
	set, _ = s.Settings(ctx)
	if set.SIRET != "12345678900007" || set.Points.RedeemPoints != 200 {
		t.Errorf("settings after reopening = %+v", set)
	}
	mustImport(t, s, vin)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	mustRecord(t, s, withCustomer(c.ID, byCard(line(vin, 30)))) // 360 points
	d := withCustomer(c.ID, comptoir.SaleDraft{Lines: []comptoir.Line{line(vin, 1)}, Payments: []comptoir.Payment{pay(comptoir.Card, 700)}})
	d.PointsRedeemed = 100
	_, err = s.RecordSale(ctx, d)
	wantErr(t, err, comptoir.ErrRedeemUnit)
	d.PointsRedeemed = 200
	if _, err := s.RecordSale(ctx, d); err != nil {
		t.Errorf("redeeming 200 points under a 200-point rule: %v", err)
	}
}
