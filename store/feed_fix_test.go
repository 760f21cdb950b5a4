package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// ackAll acknowledges every event of the outbox, as the central does after a push.
func ackAll(tb testing.TB, s *store.Store) {
	tb.Helper()
	events := mustOutbox(tb, s)
	if len(events) == 0 {
		return
	}
	if _, err := s.AckOutbox(context.Background(), events[len(events)-1].Seq); err != nil {
		tb.Fatalf("AckOutbox: %v", err)
	}
}

// mustConsent is a member's consent on a channel as the register derives it from their history.
func mustConsent(tb testing.TB, s *store.Store, id comptoir.CustomerID, ch comptoir.Channel) bool {
	tb.Helper()
	history, err := s.ConsentHistory(context.Background(), id)
	if err != nil {
		tb.Fatalf("ConsentHistory: %v", err)
	}
	return comptoir.DeriveConsent(history).Granted(ch)
}

// latestAudit is the latest entry of the audit trail.
func latestAudit(tb testing.TB, s *store.Store) comptoir.AuditEntry {
	tb.Helper()
	entries, err := s.Audit(context.Background())
	if err != nil || len(entries) == 0 {
		tb.Fatalf("Audit = %d entries, %v", len(entries), err)
	}
	return entries[len(entries)-1]
}

// localView is the central's view of a member of this shop: active, with their card and consent.
func localView(m comptoir.Customer, consent map[comptoir.Channel]bool) comptoir.RemoteMember {
	return comptoir.RemoteMember{ID: m.ID, Cards: m.Cards, Status: comptoir.StatusActive, Consent: consent}
}

// TestStore_ApplyPageSkipsInvalidConsent checks that an invalid consent made elsewhere (an unknown
// way of collection, no date), about a member unknown here or of this shop, is skipped and the
// rest of the page applied with its cursor, where it used to refuse the page for good.
func TestStore_ApplyPageSkipsInvalidConsent(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	c := newFakeCentral(t, 1000, 1999)
	mustApplySetup(t, s, c)
	local := mustEnroll(t, s, enrolment(comptoir.CardNumber(1000), jeanne, emailOnly))
	card := comptoir.CardNumber(5_000_009)
	skipped, err := s.ApplyPage(ctx, comptoir.ChangesPage{Next: "p1", Changes: []comptoir.Change{
		{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: remoteID(9), Event: comptoir.ConsentEvent{
			Channel: comptoir.ChannelEmail, Granted: true, At: day0, Via: "fax"}}},
		{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: local.ID, Event: comptoir.ConsentEvent{
			Channel: comptoir.ChannelEmail, Granted: false, Via: comptoir.ViaWeb}}},
		memberChange(comptoir.RemoteMember{ID: remoteID(9), Cards: []string{card}, Status: comptoir.StatusActive}),
	}})
	if err != nil {
		t.Fatalf("ApplyPage: %v", err)
	}
	if got, want := len(skipped), 2; got != want {
		t.Fatalf("skipped = %v, want %d", skipped, want)
	}
	for i, e := range skipped {
		wantErr(t, e, comptoir.E(comptoir.CodeChangeSkipped))
		if got, want := fmt.Sprint(errArgs(t, e)), fmt.Sprintf("[%d consent]", i+1); got != want {
			t.Errorf("skipped %d args = %s, want %s", i, got, want)
		}
	}
	if got, want := mustCursor(t, s), "p1"; got != want {
		t.Errorf("Cursor = %q, want %q", got, want)
	}
	if id, err := s.CardOwner(ctx, card); err != nil || id != remoteID(9) {
		t.Errorf("CardOwner(%s) = %q, %v; want the view beside the skipped changes applied", card, id, err)
	}
	if !mustConsent(t, s, local.ID, comptoir.ChannelEmail) {
		t.Error("the skipped withdrawal without a date was applied")
	}
}

// TestStore_MalformedChangeCode checks that a change with a status this register does not know
// is said malformed, not a damaged record of this register's file.
func TestStore_MalformedChangeCode(t *testing.T) {
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	skipped, err := s.ApplyPage(context.Background(), comptoir.ChangesPage{Next: "p1", Changes: []comptoir.Change{
		memberChange(comptoir.RemoteMember{ID: remoteID(3), Cards: []string{comptoir.CardNumber(3)}, Status: "asleep"}),
		{Kind: comptoir.ChangeBlocked, Blocked: "zz"},
	}})
	if err != nil || len(skipped) != 2 {
		t.Fatalf("ApplyPage = %v, %v; want two changes skipped", skipped, err)
	}
	for _, e := range skipped {
		wantErr(t, e, comptoir.E(comptoir.CodeMalformedChange))
		if errors.Is(e, comptoir.ErrCorruptRecord) {
			t.Errorf("skipped change %v said a damaged record", e)
		}
	}
}

// TestStore_ViewRaisesLastActivity checks that a member's activity at other shops, carried by the
// central's view, keeps them from this shop's retention purge, also after the file is reopened.
func TestStore_ViewRaisesLastActivity(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	elsewhere := day0.AddDate(0, 10, 0)
	v := localView(m, emailOnly)
	v.LastActivity = elsewhere
	mustApply(t, s, "a1", memberChange(v))
	// A later view from a central that sends no date does not put the activity back.
	v.LastActivity = time.Time{}
	mustApply(t, s, "a2", memberChange(v))
	mustClose(t, s)
	s = mustOpen(t, path, opts(clk))
	rm, ok, err := s.RemoteMember(ctx, m.ID)
	if err != nil || !ok || !rm.LastActivity.Equal(elsewhere) {
		t.Errorf("RemoteMember = %+v, %v, %v; want the last activity %s", rm, ok, err, elsewhere)
	}
	clk.Set(day0.AddDate(2, 0, 0))
	ids, err := s.PurgeInactive(ctx, day0.AddDate(0, 6, 0), true, "Manager")
	if err != nil || len(ids) != 0 {
		t.Errorf("PurgeInactive = %v, %v; want nobody: the member was active elsewhere after the limit", ids, err)
	}
	ids, err = s.PurgeInactive(ctx, day0.AddDate(0, 11, 0), true, "Manager")
	if err != nil || len(ids) != 1 {
		t.Errorf("PurgeInactive past their activity elsewhere = %v, %v; want the member", ids, err)
	}
}

// TestStore_RetentionErasureCarriesLastActivity checks that the retention purge's erasure event
// says the last activity it judged by, for the central to refuse it when it knows a later one.
func TestStore_RetentionErasureCarriesLastActivity(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	clk.Set(day0.AddDate(3, 0, 0))
	if _, err := s.PurgeInactive(ctx, day0.AddDate(2, 0, 0), false, "Manager"); err != nil {
		t.Fatalf("PurgeInactive: %v", err)
	}
	events := mustOutbox(t, s)
	ev := events[len(events)-1]
	var p struct {
		Reason       string `json:"reason"`
		LastActivity string `json:"last_activity"`
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil || ev.Type != comptoir.EventCustomerErased {
		t.Fatalf("last event = %s %s, %v", ev.Type, ev.Payload, err)
	}
	if got, want := p.Reason+" "+p.LastActivity, "retention "+day0.Format(time.RFC3339); got != want {
		t.Errorf("erasure's reason and last activity = %q, want %q", got, want)
	}
}

// TestStore_ViewKeepsUnackedStop checks that the central's view of a member, built before a stop
// of processing made here reached it, does not undo the stop nor write a false resume; once the
// stop is acknowledged, the view's status counts again.
func TestStore_ViewKeepsUnackedStop(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	ackAll(t, s)
	if err := s.StopProcessing(ctx, m.ID, "Manager"); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, "s1", memberChange(localView(m, emailOnly)))
	got, err := s.Customer(ctx, m.ID)
	if err != nil || got.Status != comptoir.StatusRestricted {
		t.Errorf("Customer after an older view = %+v, %v; want still restricted", got.Status, err)
	}
	if e := latestAudit(t, s); e.Action != comptoir.AuditStopProcessing {
		t.Errorf("last audit entry = %+v, want the manager's stop, no resume", e)
	}
	// The stop reached the central; a resume made there now counts.
	ackAll(t, s)
	mustApply(t, s, "s2", memberChange(localView(m, emailOnly)))
	got, err = s.Customer(ctx, m.ID)
	if err != nil || got.Status != comptoir.StatusActive {
		t.Errorf("Customer after a resume at the central = %+v, %v; want active", got.Status, err)
	}
	if e := latestAudit(t, s); e.Action != comptoir.AuditResumeProcessing || e.Who != "centrale" {
		t.Errorf("last audit entry = %+v, want the central's resume", e)
	}
}

// TestStore_FastClockFollowsCentralConsent plays the review's scenario: this register's clock
// runs ten minutes fast; a consent given here at 12:10 by its clock (12:00 in fact) reaches the
// central, which counts it at its arrival; the member withdraws on the web at 12:05. The
// register's history would keep the grant (12:10 beats 12:05): once its own change is
// acknowledged, the central's view decides, and history, export and counter say withdrawn.
func TestStore_FastClockFollowsCentralConsent(t *testing.T) {
	ctx := context.Background()
	noon := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	fast := 10 * time.Minute
	clk := newClock(noon.Add(fast - time.Hour))
	s := mustOpen(t, dbPath(t), opts(clk))
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, allNo))
	ackAll(t, s)
	clk.Set(noon.Add(fast))
	if err := s.ChangeConsent(ctx, m.ID, comptoir.ConsentEvent{Channel: comptoir.ChannelEmail, Granted: true, By: "Caisse"}); err != nil {
		t.Fatal(err)
	}
	withdrawn := map[comptoir.Channel]bool{comptoir.ChannelEmail: false}
	web := comptoir.Change{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: m.ID, Event: comptoir.ConsentEvent{
		Channel: comptoir.ChannelEmail, Granted: false, At: noon.Add(5 * time.Minute), Via: comptoir.ViaWeb, By: "web"}}}

	// While the grant is still in the outbox, the view (which does not count it) decides nothing.
	clk.Set(noon.Add(fast + 6*time.Minute))
	mustApply(t, s, "f1", web, memberChange(localView(m, withdrawn)))
	if !mustConsent(t, s, m.ID, comptoir.ChannelEmail) {
		t.Fatal("a view that predates the register's grant withdrew it")
	}

	ackAll(t, s)
	clk.Set(noon.Add(fast + 7*time.Minute))
	mustApply(t, s, "f2", web, memberChange(localView(m, withdrawn)))
	if mustConsent(t, s, m.ID, comptoir.ChannelEmail) {
		t.Error("the register still shows the consent the central withdrew")
	}
	history, err := s.ConsentHistory(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := history[len(history)-1]
	if last.Granted || last.By != "centrale" || last.Via != comptoir.ViaCentral || !last.At.Equal(clk.Now()) {
		t.Errorf("last consent event = %+v, want a withdrawal by the central dated by this register's clock %s", last, clk.Now())
	}
	export, err := s.Export(ctx, m.ID, "Manager")
	if err != nil {
		t.Fatal(err)
	}
	if got := comptoir.DeriveConsent(export.Consent).Granted(comptoir.ChannelEmail); got {
		t.Error("the export still shows the consent the central withdrew")
	}
	// A view that agrees records nothing more.
	n := len(history)
	mustApply(t, s, "f3", memberChange(localView(m, withdrawn)))
	if history, _ = s.ConsentHistory(ctx, m.ID); len(history) != n {
		t.Errorf("history grew from %d to %d on a view that agrees", n, len(history))
	}
}

// TestStore_RemoteConsentAudit checks that the audit entry of a consent made elsewhere is dated
// by this register's clock and names the central, the history keeping the event's own date.
func TestStore_RemoteConsentAudit(t *testing.T) {
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	clk.Set(day0.Add(time.Hour))
	mustApply(t, s, "r1", comptoir.Change{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: m.ID,
		Event: comptoir.ConsentEvent{Channel: comptoir.ChannelSMS, Granted: true, At: day0.Add(time.Minute), Via: comptoir.ViaWeb, By: "web"}}})
	e := latestAudit(t, s)
	if e.Action != comptoir.AuditConsent || e.Who != "centrale" || !e.At.Equal(clk.Now()) {
		t.Errorf("audit entry = %+v, want a consent by centrale at %s", e, clk.Now())
	}
}

// TestStore_FeedErasuresCompactedOnce checks that a page erasing members of this shop commits
// without compacting the file, leaving the compaction to CompactIfPending, once.
func TestStore_FeedErasuresCompactedOnce(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	a := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	b := mustEnroll(t, s, enrolment(comptoir.CardNumber(2), comptoir.Personal{FirstName: "Paul", LastName: "Durandet"}, allNo))
	mustApply(t, s, "e1", comptoir.Change{Kind: comptoir.ChangeErased, Erased: a.ID}, comptoir.Change{Kind: comptoir.ChangeErased, Erased: b.ID})
	for _, id := range []comptoir.CustomerID{a.ID, b.ID} {
		if got, err := s.Customer(ctx, id); err != nil || got.Status != comptoir.StatusErased {
			t.Errorf("Customer(%s) = %+v, %v; want erased", id, got.Status, err)
		}
	}
	if done, err := s.CompactIfPending(ctx); err != nil || !done {
		t.Errorf("CompactIfPending = %v, %v; want the page's compaction left to it", done, err)
	}
	if done, err := s.CompactIfPending(ctx); err != nil || done {
		t.Errorf("CompactIfPending again = %v, %v; want nothing left", done, err)
	}
}

// TestStore_ApplyPageRefusesPageWithoutCursor checks that a page without a next cursor, which
// cannot be stored as read, is refused whole: nothing applied, the old cursor kept.
func TestStore_ApplyPageRefusesPageWithoutCursor(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	mustApply(t, s, "n1")
	card := comptoir.CardNumber(7)
	_, err := s.ApplyPage(ctx, comptoir.ChangesPage{Changes: []comptoir.Change{
		memberChange(comptoir.RemoteMember{ID: remoteID(7), Cards: []string{card}, Status: comptoir.StatusActive})}})
	wantErr(t, err, comptoir.E(comptoir.CodeMalformedPage))
	if got, want := mustCursor(t, s), "n1"; got != want {
		t.Errorf("Cursor = %q, want the old %q", got, want)
	}
	_, err = s.CardOwner(ctx, card)
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownCard))
}

// TestStore_ViewWithoutConsentKeepsHistory checks that a view without a consent map (a central
// that does not send it) is not read as every consent withdrawn, and that a member in stop
// processing is given no consent by a view, as at the counter.
func TestStore_ViewWithoutConsentKeepsHistory(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), opts(newClock(day0)))
	m := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	ackAll(t, s)
	mustApply(t, s, "v1", memberChange(localView(m, nil)))
	if !mustConsent(t, s, m.ID, comptoir.ChannelEmail) {
		t.Error("a view without consent withdrew the member's consent")
	}
	if err := s.StopProcessing(ctx, m.ID, "Manager"); err != nil {
		t.Fatal(err)
	}
	ackAll(t, s)
	v := localView(m, map[comptoir.Channel]bool{comptoir.ChannelEmail: true, comptoir.ChannelSMS: true})
	v.Status = comptoir.StatusRestricted
	mustApply(t, s, "v2", memberChange(v))
	if mustConsent(t, s, m.ID, comptoir.ChannelSMS) {
		t.Error("a view gave a consent to a member in stop processing")
	}
}
