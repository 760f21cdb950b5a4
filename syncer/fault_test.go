package syncer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

// cola is a second product, at another VAT rate, so that tickets mix rates.
var cola = comptoir.Product{GTIN: "5449000000996", Name: "Cola 33 cl", Price: comptoir.Euros(1, 20), VAT: comptoir.VATNormal}

// faultSeed is the seed of the fault draws: COMPTOIR_FAULT_SEED replays a failed run, otherwise a
// new one each run, always logged.
func faultSeed(tb testing.TB) uint64 {
	tb.Helper()
	if v := os.Getenv("COMPTOIR_FAULT_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			tb.Fatalf("COMPTOIR_FAULT_SEED=%q: %v", v, err)
		}
		return s
	}
	return uint64(time.Now().UnixNano())
}

// faultTokens are the tokens of the fault tests' registers and administrator.
func faultTokens(registers int) map[string]string {
	t := map[string]string{comptoir.AdminName: tokAdmin}
	for i := 1; i <= registers; i++ {
		t[regName(i)] = fmt.Sprintf("fault-token-%02d-0123456789abcdef", i)
	}
	return t
}

func regName(i int) string { return fmt.Sprintf("R%d", i) }

// till is a register of a fault test: a real store, its members, and what it sold that the
// central must end up holding.
type till struct {
	name    string
	path    string
	reg     *store.Store
	members []comptoir.CustomerID
	// training counts the training tickets, which verify counts and the central does not.
	training int
	n        int // sales drawn so far, so that sales differ
}

func openTill(tb testing.TB, dir string, i int) *till {
	tb.Helper()
	name := regName(i)
	path := filepath.Join(dir, name+".db")
	reg, err := store.Open(path, store.Options{Register: name, NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { reg.Close() })
	if _, err := reg.ImportProducts(context.Background(), []comptoir.Product{pate, cola}); err != nil {
		tb.Fatal(err)
	}
	return &till{name: name, path: path, reg: reg}
}

// enroll enrols n members, on cards of the register's own range so that cards are unique across
// the chain.
func (t *till) enroll(tb testing.TB, i, n int) {
	tb.Helper()
	consent := map[comptoir.Channel]bool{comptoir.ChannelEmail: true, comptoir.ChannelSMS: false,
		comptoir.ChannelPhone: false, comptoir.ChannelPost: false, comptoir.ChannelPartners: false}
	for k := range n {
		e := comptoir.Enrolment{Card: comptoir.CardNumber(uint64(i*100_000 + k + 1)), Consent: consent,
			Personal: comptoir.Personal{FirstName: "Membre", LastName: fmt.Sprintf("Caisse%dNo%d", i, k),
				Email: fmt.Sprintf("membre.%d.%d@exemple.fr", i, k)},
			NoticeVersion: "2026-01", By: "Alice"}
		c, err := t.reg.Enroll(context.Background(), e)
		if err != nil {
			tb.Fatalf("%s: Enroll: %v", t.name, err)
		}
		t.members = append(t.members, c.ID)
	}
}

// sellBatch records n plain sales in one transaction through RecordSales, every third one to a
// member, every 97th a training ticket, then one redemption and one refund of a member's sale
// through RecordSale. It returns the number of events it queued. It returns its error rather
// than failing the test, since it also runs beside the syncer, off the test's goroutine.
func (t *till) sellBatch(n int) (int, error) {
	ctx := context.Background()
	drafts := make([]comptoir.SaleDraft, 0, n)
	for range n {
		t.n++
		q1, q2 := int64(t.n%4+1), int64(t.n%3)
		lines := []comptoir.Line{comptoir.LineFor(pate, q1)}
		total := pate.Price * comptoir.Money(q1)
		if q2 > 0 {
			lines = append(lines, comptoir.LineFor(cola, q2))
			total += cola.Price * comptoir.Money(q2)
		}
		d := comptoir.SaleDraft{Lines: lines, Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: total}}}
		if t.n%3 == 0 && len(t.members) > 0 {
			d.CustomerID = string(t.members[t.n%len(t.members)])
		}
		if t.n%97 == 0 {
			d.Training = true
			t.training++
		}
		drafts = append(drafts, d)
	}
	sold, err := t.reg.RecordSales(ctx, drafts)
	if err != nil {
		return 0, fmt.Errorf("%s: RecordSales: %w", t.name, err)
	}
	events := len(sold)

	// A member spends 100 points when they have them, and the ticket is then refunded: the
	// points come back, and the central's ledger must show both, once.
	if len(t.members) == 0 {
		return events, nil
	}
	id := t.members[t.n%len(t.members)]
	balance, err := t.reg.MemberBalance(ctx, id)
	if err != nil || balance < 100 {
		return events, err
	}
	d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(pate, 3)}, CustomerID: string(id), PointsRedeemed: 100}
	q, err := t.reg.QuoteSale(ctx, d)
	if err != nil {
		return events, fmt.Errorf("%s: QuoteSale: %w", t.name, err)
	}
	d.Payments = []comptoir.Payment{{Method: comptoir.Card, Amount: q.Total}}
	sale, err := t.reg.RecordSale(ctx, d)
	if err != nil {
		return events, fmt.Errorf("%s: redemption: %w", t.name, err)
	}
	r := comptoir.SaleDraft{RefundOf: sale.Number, Lines: []comptoir.Line{comptoir.LineFor(pate, -1)}}
	if q, err = t.reg.QuoteSale(ctx, r); err != nil {
		return events + 1, fmt.Errorf("%s: QuoteSale of a refund: %w", t.name, err)
	}
	r.Payments = []comptoir.Payment{{Method: comptoir.Card, Amount: q.Total}}
	if _, err := t.reg.RecordSale(ctx, r); err != nil {
		return events + 1, fmt.Errorf("%s: refund: %w", t.name, err)
	}
	return events + 2, nil
}

// sell records sales until the register queued want events, failing the test on an error.
func (t *till) sell(tb testing.TB, queued *int, want, perBatch int) {
	tb.Helper()
	for *queued < want {
		n, err := t.sellBatch(min(perBatch, want-*queued))
		if err != nil {
			tb.Fatal(err)
		}
		*queued += n
	}
}

// noSleep is a Syncer's Sleep that returns at once, counting the waits: backoff costs no time.
type noSleep struct {
	mu sync.Mutex
	n  int
}

func (s *noSleep) sleep(ctx context.Context, _ time.Duration) error {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	return ctx.Err()
}

// TestSyncer_Faults pushes 10 000 events from four registers, selling while they sync and pulling
// the members the others enrol, through a proxy that refuses connections, drops requests, drops
// answers after the central committed, answers 500, stalls past the client's timeout, truncates
// bodies both ways and restarts the central. At the end every event is at the central exactly
// once, every chain is intact, every outbox is empty, the central's figures equal each register's
// own verify to the cent, and every member's points are the same at the central, at their shop
// and at every other register. It runs on every central of the contract table (see
// eachFaultBackend), with the same number of events on each: exactly once under restarts is what
// a backend must prove.
func TestSyncer_Faults(t *testing.T) {
	seed := faultSeed(t)
	t.Logf("fault seed %d: COMPTOIR_FAULT_SEED=%d go test -run 'TestSyncer_Faults$' ./syncer replays its draws "+
		"(-run 'TestSyncer_Faults$/^postgres$' on one backend)", seed, seed)
	eachFaultBackend(t, func(t *testing.T, newBackend func(testing.TB) *faultBackend) {
		testFaults(t, newBackend(t), seed)
	})
}

// testFaults is TestSyncer_Faults on one backend.
func testFaults(t *testing.T, backend *faultBackend, seed uint64) {
	const (
		registers   = 4
		totalEvents = 10_000
		perBatch    = 40 // sales per RecordSales, a few more events with the redemptions
		members     = 12
	)
	tokens := faultTokens(registers)
	central := newRestartable(t, backend, tokens)
	proxy := newFaultProxy(t, central, seed, 0.3)

	dir := t.TempDir()
	tills := make([]*till, registers)
	for i := range tills {
		tills[i] = openTill(t, dir, i+1)
		tills[i].enroll(t, i+1, members)
	}

	// Each register sells its share: 60 % before its syncer starts (a register that was offline),
	// the rest while it syncs.
	share := totalEvents / registers
	queued := make([]int, registers)
	for i, tl := range tills {
		queued[i] = members
		tl.sell(t, &queued[i], share*6/10, perBatch)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2*registers)
	sleeps := make([]*noSleep, registers)
	syncers := make([]*syncer.Syncer, registers)
	runs := make([]int, registers)
	for i, tl := range tills {
		sold := make(chan struct{}, 1)
		done := make(chan struct{})
		sleeps[i] = &noSleep{}
		client, err := syncer.NewClient(proxy.URL(), tokens[tl.name])
		if err != nil {
			t.Fatal(err)
		}
		// A short timeout, so that a stall costs a second; a batch commits in milliseconds.
		client.HTTP = &http.Client{Timeout: time.Second}
		// Each register also pulls, so that the members the others enrol reach it through the
		// same faults while everyone sells.
		s := &syncer.Syncer{Outbox: tl.reg, Central: client, Feed: tl.reg, Register: tl.name, MaxEvents: 50,
			PageSize: 20, MaxAttempts: 4, Sleep: sleeps[i].sleep}
		if i%2 == 1 {
			// Every other register's batches are cut by their size, before their count.
			s.MaxBytes = 24 << 10
		}
		syncers[i] = s

		wg.Add(2)
		go func() {
			// The rest of the register's share, sold while its syncer pushes.
			defer wg.Done()
			defer close(done)
			for queued[i] < share {
				n, err := tl.sellBatch(min(perBatch, share-queued[i]))
				queued[i] += n
				if err != nil {
					errs <- err
					return
				}
				select {
				case sold <- struct{}{}:
				default:
				}
			}
		}()
		go func() {
			defer wg.Done()
			for {
				runs[i]++
				rep, err := s.Run(ctx)
				if ctx.Err() != nil {
					errs <- fmt.Errorf("%s: still %d events to push after %d runs: %w", tl.name, rep.Pending, runs[i], ctx.Err())
					return
				}
				if err != nil && !syncer.Retryable(err) {
					errs <- fmt.Errorf("%s: run %d stopped on a refusal a fault must never cause: %w", tl.name, runs[i], err)
					return
				}
				if err != nil || rep.Pending > 0 || !rep.Pulled {
					continue
				}
				select {
				case <-done:
					// Selling ended before this run began or during it: one more run
					// empties what it queued last, then the outbox is checked as empty.
					if rep, err := s.Run(ctx); err == nil && rep.Pending == 0 && rep.Pulled {
						return
					}
				case <-sold:
				case <-ctx.Done():
					errs <- fmt.Errorf("%s: %w", tl.name, ctx.Err())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("faults injected: %s; %d central restarts, %d requests", proxy.Counts(), central.restarts.Load(), proxy.requests.Load())
	for i, tl := range tills {
		t.Logf("%s: %d events, %d runs, %d waits", tl.name, queued[i], runs[i], sleeps[i].n)
	}
	if t.Failed() {
		return
	}
	// One more pull each, now that every register pushed its last sale, still through the
	// faults: every register then shows every member of the others with the balance their own
	// shop shows, which checkExactlyOnce finds equal to the central's ledger.
	for _, s := range syncers {
		syncUntilClean(t, s, "last pull")
	}
	for i, home := range tills {
		for _, id := range home.members {
			want, err := home.reg.MemberBalance(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for j, other := range tills {
				if j == i {
					continue
				}
				if got, err := other.reg.MemberBalance(context.Background(), id); err != nil || got != want {
					t.Errorf("%s shows %d points for %s of %s (%v), %s shows %d", other.name, got, id, home.name, err, home.name, want)
				}
			}
		}
	}
	central.stop()
	checkExactlyOnce(t, central.backend, tills)
}

// checkExactlyOnce checks what the stopped central stored, read from its storage rather than
// through it, against every register's: the events 1 to the register's last sequence each stored
// once and none else, the summary's acknowledged sequence, tickets and grand total equal to the
// register's verify, an intact chain, no conflict, nothing rejected, an empty outbox, and every
// member's points at the central equal to the register's balance. It checks the same on every
// backend.
func checkExactlyOnce(t *testing.T, backend *faultBackend, tills []*till) {
	t.Helper()
	ctx := context.Background()
	type ledger map[string]int64
	stored := make(map[string]uint64)
	points := make(map[string]ledger)
	n, err := backend.conflicts()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the central recorded %d conflicts, want none", n)
	}
	for _, tl := range tills {
		evs, err := backend.events(tl.name)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			t.Fatalf("no events for %s", tl.name)
		}
		led := make(ledger)
		points[tl.name] = led
		var want uint64 = 1
		for _, ev := range evs {
			if ev.seq != want {
				t.Fatalf("%s: event %d stored after %d", tl.name, ev.seq, want-1)
			}
			want++
			if err := addPoints(led, ev.typ, ev.payload); err != nil {
				t.Fatalf("%s: event %d: %v", tl.name, ev.seq, err)
			}
		}
		stored[tl.name] = want - 1
	}

	// The central is opened again on its storage, as after a restart, for its summaries.
	central, err := backend.open()
	if err != nil {
		t.Fatal(err)
	}
	defer central.Close()
	for _, tl := range tills {
		sum, err := central.Register(ctx, tl.name)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := tl.reg.Verify(ctx)
		if err != nil || rep.Broken != nil {
			t.Fatalf("%s: Verify = %+v, %v; want an intact journal", tl.name, rep, err)
		}
		if n, err := tl.reg.PendingEvents(ctx); err != nil || n != 0 {
			t.Errorf("%s: PendingEvents = %d, %v; want an empty outbox", tl.name, n, err)
		}
		balances := make(map[string]int64)
		for _, id := range tl.members {
			b, err := tl.reg.MemberBalance(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			balances[string(id)] = b
		}
		if err := tl.reg.Close(); err != nil {
			t.Fatal(err)
		}
		last := outboxSeq(t, tl.path)
		if got, want := stored[tl.name], last; got != want {
			t.Errorf("%s: the central holds events 1 to %d, the register queued 1 to %d", tl.name, got, want)
		}
		if got, want := sum.AckedSeq, last; got != want {
			t.Errorf("%s: acked_seq = %d, want the register's last sequence %d", tl.name, got, want)
		}
		if got, want := sum.Tickets, uint64(rep.Tickets)-uint64(tl.training); got != want {
			t.Errorf("%s: central tickets = %d, want %d (verify's %d less %d training)", tl.name, got, want, rep.Tickets, tl.training)
		}
		if got, want := sum.GrandTotal, rep.GrandTotal; got != want {
			t.Errorf("%s: central grand total = %d cents, want the register's %d", tl.name, got, want)
		}
		if !sum.ChainOK || sum.Conflicts != 0 || sum.Rejected != 0 {
			t.Errorf("%s: chain ok %v (%s), %d conflicts, %d rejected; want intact, none, none",
				tl.name, sum.ChainOK, sum.ChainBreak, sum.Conflicts, sum.Rejected)
		}
		var earned int64
		for id, want := range balances {
			earned += want
			if got := points[tl.name][id]; got != want {
				t.Errorf("%s: member %s has %d points at the central, %d at the register", tl.name, id, got, want)
			}
		}
		if len(tl.members) > 0 && earned == 0 {
			t.Errorf("%s: no member holds a point, so the ledger was not checked", tl.name)
		}
	}
}

// addPoints adds a stored sale event's points to the member's ledger: typ is the event's type,
// payload its payload as the register sent it.
func addPoints(led map[string]int64, typ string, payload []byte) error {
	if typ != comptoir.EventSaleRecorded {
		return nil
	}
	var p struct {
		Record comptoir.Sale `json:"record"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return err
	}
	if p.Record.CustomerID != "" {
		led[p.Record.CustomerID] += p.Record.PointsEarned - p.Record.PointsRedeemed
	}
	return nil
}

// outboxSeq reads the last sequence a closed register's outbox ever gave: the count of events it
// queued, acknowledged or not.
func outboxSeq(tb testing.TB, path string) uint64 {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var seq uint64
	if err := db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("outbox"))
		if b == nil {
			return errors.New("no outbox")
		}
		seq = b.Sequence()
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return seq
}

// TestSyncer_EachFault meets each fault alone, at every other request and at the first one, with
// one register of 200 events pushed in batches of 20: when the mixed test fails, the one that
// fails here names the fault. It runs on every central of the contract table, a new central for
// each fault.
func TestSyncer_EachFault(t *testing.T) {
	seed := faultSeed(t)
	t.Logf("fault seed %d: COMPTOIR_FAULT_SEED=%d go test -run 'TestSyncer_EachFault$' ./syncer replays its draws "+
		"(-run 'TestSyncer_EachFault$/^postgres$' on one backend)", seed, seed)
	eachFaultBackend(t, func(t *testing.T, newBackend func(testing.TB) *faultBackend) {
		for f := faultReset; f < faultCount; f++ {
			t.Run(f.String(), func(t *testing.T) {
				tokens := faultTokens(1)
				central := newRestartable(t, newBackend(t), tokens)
				proxy := newFaultProxy(t, central, seed, 0.5)
				proxy.injectOnly(f)
				tl := openTill(t, t.TempDir(), 1)
				tl.enroll(t, 1, 3)
				queued := 3
				tl.sell(t, &queued, 200, 40)

				client, err := syncer.NewClient(proxy.URL(), tokens[tl.name])
				if err != nil {
					t.Fatal(err)
				}
				// A stall costs this timeout; a batch of 20 commits in milliseconds.
				client.HTTP = &http.Client{Timeout: 300 * time.Millisecond}
				sl := &noSleep{}
				s := &syncer.Syncer{Outbox: tl.reg, Central: client, Register: tl.name, MaxEvents: 20, MaxAttempts: 3, Sleep: sl.sleep}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				runs := 0
				for {
					runs++
					rep, err := s.Run(ctx)
					if err != nil && !syncer.Retryable(err) {
						t.Fatalf("run %d stopped on a refusal %s must never cause: %v", runs, f, err)
					}
					if err == nil && rep.Pending == 0 {
						break
					}
				}
				t.Logf("%s: %d events in %d runs, %d waits; faults: %s", tl.name, queued, runs, sl.n, proxy.Counts())
				if proxy.count(f) == 0 {
					t.Fatalf("the proxy never injected %s", f)
				}
				if f == faultRestart && central.restarts.Load() == 0 {
					t.Fatal("the central never restarted")
				}
				central.stop()
				checkExactlyOnce(t, central.backend, []*till{tl})
			})
		}
	})
}

// syncUntilClean runs a Syncer until a run pushes everything and reads the feed to its end,
// failing on a refusal no fault may cause.
func syncUntilClean(t *testing.T, s *syncer.Syncer, stage string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for runs := 1; ; runs++ {
		rep, err := s.Run(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s, %s: still %d events to push after %d runs: %v", stage, s.Register, rep.Pending, runs, ctx.Err())
		}
		if err != nil && !syncer.Retryable(err) {
			t.Fatalf("%s, %s: run %d stopped on a refusal a fault must never cause: %v", stage, s.Register, runs, err)
		}
		if err == nil && rep.Pending == 0 && rep.Pulled {
			return
		}
	}
}

// TestSyncer_FaultsPull makes a consent withdrawal and an erasure at the central, with the
// administrator's client, and has them reach two registers through the same faults as the push:
// the register that enrolled the members and one that knows them only from the feed. The pushes
// on the way end exactly once as in TestSyncer_Faults. It runs on every central of the contract
// table.
func TestSyncer_FaultsPull(t *testing.T) {
	seed := faultSeed(t)
	t.Logf("fault seed %d: COMPTOIR_FAULT_SEED=%d go test -run 'TestSyncer_FaultsPull$' ./syncer replays its draws "+
		"(-run 'TestSyncer_FaultsPull$/^postgres$' on one backend)", seed, seed)
	eachFaultBackend(t, func(t *testing.T, newBackend func(testing.TB) *faultBackend) {
		testFaultsPull(t, newBackend(t), seed)
	})
}

// testFaultsPull is TestSyncer_FaultsPull on one backend.
func testFaultsPull(t *testing.T, backend *faultBackend, seed uint64) {
	ctx := context.Background()
	tokens := faultTokens(2)
	central := newRestartable(t, backend, tokens)
	proxy := newFaultProxy(t, central, seed, 0.3)
	dir := t.TempDir()
	tills := []*till{openTill(t, dir, 1), openTill(t, dir, 2)}
	syncers := make([]*syncer.Syncer, len(tills))
	for i, tl := range tills {
		client, err := syncer.NewClient(proxy.URL(), tokens[tl.name])
		if err != nil {
			t.Fatal(err)
		}
		client.HTTP = &http.Client{Timeout: time.Second}
		// Pages of two changes, so that a pull is several requests and a fault can cut the feed
		// between pages.
		syncers[i] = &syncer.Syncer{Outbox: tl.reg, Central: client, Feed: tl.reg, Register: tl.name,
			MaxEvents: 20, MaxAttempts: 3, PageSize: 2, Sleep: (&noSleep{}).sleep}
	}
	syncAll := func(stage string) {
		t.Helper()
		for _, s := range syncers {
			syncUntilClean(t, s, stage)
		}
	}

	// Set up through the faults: the central's key pinned, the card blocks handed out.
	syncAll("set-up")
	r1 := tills[0]
	consent := map[comptoir.Channel]bool{comptoir.ChannelEmail: true, comptoir.ChannelSMS: true,
		comptoir.ChannelPhone: false, comptoir.ChannelPost: false, comptoir.ChannelPartners: false}
	var cards []string
	var ids []comptoir.CustomerID
	for k, name := range []string{"Withdraws", "Erased"} {
		card, err := r1.reg.NextCard(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := r1.reg.Enroll(ctx, comptoir.Enrolment{Card: card, Consent: consent, NoticeVersion: "2026-01", By: "Alice",
			Personal: comptoir.Personal{FirstName: "Membre", LastName: name, Email: fmt.Sprintf("membre.pull.%d@exemple.fr", k)}})
		if err != nil {
			t.Fatalf("Enroll %s: %v", card, err)
		}
		cards, ids = append(cards, card), append(ids, c.ID)
	}
	r1.members = ids[:1]
	queued := 2
	r1.sell(t, &queued, 200, 20)
	// The other register sells too, anonymously, so that both push through the faults.
	queued2 := 0
	tills[1].sell(t, &queued2, 100, 20)
	syncAll("enrolments")
	// The second register learnt the members from the feed, through the faults.
	for k, card := range cards {
		c, err := tills[1].reg.CustomerByCard(ctx, card)
		if err != nil || c.ID != ids[k] {
			t.Fatalf("R2: CustomerByCard(%s) = %+v, %v; want the member enrolled at R1", card, c, err)
		}
	}

	// The member withdraws their email consent on the web, and the other is erased at the
	// central; the administrator's client speaks to the central itself.
	admin, err := syncer.NewClient(*central.url.Load(), tokAdmin)
	if err != nil {
		t.Fatal(err)
	}
	withdrawn := comptoir.CentralConsent{Channel: comptoir.ChannelEmail, Granted: false, Via: comptoir.ViaWeb,
		NoticeVersion: "2026-01", By: "web"}
	if _, err := admin.Consent(ctx, cards[0], withdrawn); err != nil {
		t.Fatalf("Consent: %v", err)
	}
	if err := admin.Erase(ctx, cards[1], "dpo"); err != nil {
		t.Fatalf("Erase: %v", err)
	}
	// The pulls that bring them meet faults for sure, not only as drawn.
	const forced = 6
	before := proxy.faultedPulls()
	proxy.faultPulls(forced)
	syncAll("consent and erasure")
	t.Logf("faults injected: %s; %d central restarts, %d pulls faulted", proxy.Counts(), central.restarts.Load(), proxy.faultedPulls())
	if got := proxy.faultedPulls() - before; got < forced {
		t.Fatalf("%d pulls met a fault while the consent and the erasure came, want at least %d", got, forced)
	}

	for _, tl := range tills {
		// Every register shows the central's consent: email withdrawn, SMS still given.
		v, ok, err := tl.reg.RemoteMember(ctx, ids[0])
		if err != nil || !ok {
			t.Fatalf("%s: RemoteMember = %v, %v; want the central's view of the member", tl.name, ok, err)
		}
		if v.Consent[comptoir.ChannelEmail] || !v.Consent[comptoir.ChannelSMS] {
			t.Errorf("%s: consent = %v; want email withdrawn and SMS given", tl.name, v.Consent)
		}
		// The erased member's card finds nobody any more, anywhere.
		if c, err := tl.reg.CustomerByCard(ctx, cards[1]); err == nil && c.Status != comptoir.StatusErased {
			t.Errorf("%s: CustomerByCard(erased card) = %+v; want nobody or a tombstone", tl.name, c)
		}
	}
	// The shop that enrolled them has the web withdrawal in the member's history, and destroyed
	// its copy of the erased member's data.
	history, err := r1.reg.ConsentHistory(ctx, ids[0])
	if err != nil {
		t.Fatalf("R1: ConsentHistory: %v", err)
	}
	if !slices.ContainsFunc(history, func(ev comptoir.ConsentEvent) bool {
		return ev.Channel == comptoir.ChannelEmail && !ev.Granted && ev.Via == comptoir.ViaWeb
	}) {
		t.Errorf("R1: consent history %+v; want the withdrawal made on the web", history)
	}
	if state := comptoir.DeriveConsent(history); state.Granted(comptoir.ChannelEmail) {
		t.Errorf("R1: email consent still given after the withdrawal: %+v", state)
	}
	c, err := r1.reg.Customer(ctx, ids[1])
	if err != nil {
		t.Fatalf("R1: Customer(erased): %v", err)
	}
	if c.Status != comptoir.StatusErased || c.Personal != (comptoir.Personal{}) {
		t.Errorf("R1: the erased member is %+v; want erased, no personal data", c)
	}
	if v, ok, err := tills[1].reg.RemoteMember(ctx, ids[1]); err != nil || (ok && v.Status != comptoir.StatusErased) {
		t.Errorf("R2: the erased member's view = %+v, %v; want erased", v, err)
	}
	central.stop()
	checkExactlyOnce(t, central.backend, tills)
}
