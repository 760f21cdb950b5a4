package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/internal/pgtest"
)

// day0 dates the tests' events; its nanoseconds check that replays compare to the microsecond.
var day0 = time.Date(2026, 11, 30, 9, 0, 0, 123456789, time.UTC)

// member is the ID of test member n.
func member(n int) comptoir.CustomerID { return comptoir.CustomerID(fmt.Sprintf("M%016x", n)) }

// sale is a register's ticket that earns the member earned points (and redeems redeemed), as a
// register's payload carries it. Its chain links are not those of a real register, which flags
// the register's chain and changes nothing of what the tests count.
func sale(tb testing.TB, register string, seq uint64, id comptoir.CustomerID, earned, redeemed int64) comptoir.Event {
	tb.Helper()
	record, err := json.Marshal(map[string]any{"register": register, "number": seq, "total": 700, "grand_total": 700 * seq,
		"prev_hash": "", "customer_id": id, "points_earned": earned, "points_redeemed": redeemed})
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(record)
	payload, err := json.Marshal(map[string]any{"register": register, "hash": hex.EncodeToString(sum[:]), "record": json.RawMessage(record)})
	if err != nil {
		tb.Fatal(err)
	}
	return comptoir.Event{Seq: seq, ID: fmt.Sprintf("%s-%d", register, seq), Type: comptoir.EventSaleRecorded,
		At: day0.Add(time.Duration(seq) * time.Second), Payload: payload}
}

// enrol is a register's enrolment of member id on card.
func enrol(tb testing.TB, register string, seq uint64, id comptoir.CustomerID, card string) comptoir.Event {
	tb.Helper()
	payload, err := json.Marshal(map[string]any{"id": id, "cards": []string{card}, "basis": comptoir.BasisContract,
		"consent": map[comptoir.Channel]bool{comptoir.ChannelEmail: true}})
	if err != nil {
		tb.Fatal(err)
	}
	return comptoir.Event{Seq: seq, ID: fmt.Sprintf("%s-%d", register, seq), Type: comptoir.EventCustomerEnrolled,
		At: day0.Add(time.Duration(seq) * time.Second), Payload: payload}
}

// mustPush pushes events and fails the test on a refusal.
func mustPush(tb testing.TB, c *Central, register string, events []comptoir.Event) comptoir.PushResult {
	tb.Helper()
	res, err := c.Push(context.Background(), register, events)
	if err != nil {
		tb.Fatalf("Push %s: %v", register, err)
	}
	return res
}

// wantCode fails the test unless err is the refusal code.
func wantCode(tb testing.TB, err error, code comptoir.Code) {
	tb.Helper()
	var e *comptoir.Error
	if !errors.As(err, &e) || e.Code != code {
		tb.Fatalf("got %v, want refusal %s", err, code)
	}
}

// balance is the member's balance at the central, read by card.
func balance(tb testing.TB, c *Central, card string) int64 {
	tb.Helper()
	m, err := c.Member(context.Background(), card, false, "")
	if err != nil {
		tb.Fatalf("Member %s: %v", card, err)
	}
	return m.Balance
}

// count is the single number a query returns.
func count(tb testing.TB, c *Central, query string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := c.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestOpen_KeyRefusals(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	_, err := Open(ctx, dsn, Options{})
	wantCode(t, err, comptoir.CodePostgresKeyPath)

	path := keyPath(t, dsn)
	open(t, dsn).Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the first Open created no key file: %v", err)
	}
	// Another central's key: refused, whoever made it.
	other := filepath.Join(t.TempDir(), "other.key")
	if _, err := central.LoadKeys(other, true); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, dsn, Options{KeyPath: other})
	wantCode(t, err, comptoir.CodeKeyMismatch)
	// The key file gone: refused, never created again, since a new key would orphan every seal.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, dsn, Options{KeyPath: path})
	wantCode(t, err, comptoir.CodeCentralKeyLost)
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Open created a new key for a database that has one")
	}
}

// TestPush_ExactlyOnceAcrossTwoCentrals pushes every batch through two central processes on one
// database at the same moment, as two centrals behind a load balancer receive a register's
// retries: each batch applies once, the other push finding it acknowledged.
func TestPush_ExactlyOnceAcrossTwoCentrals(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	registers := []string{"R1", "R2", "R3"}
	const rounds, size = 15, 20
	cards := map[comptoir.CustomerID]string{}
	for i := range 4 {
		cards[member(i)] = comptoir.CardNumber(uint64(100 + i))
	}
	var want [4]int64
	seqs := map[string]uint64{}
	// R1 enrols the members first, so that the back office finds them by card.
	var enrolments []comptoir.Event
	for i := range 4 {
		seqs["R1"]++
		enrolments = append(enrolments, enrol(t, "R1", seqs["R1"], member(i), cards[member(i)]))
	}
	mustPush(t, a, "R1", enrolments)
	applied := map[string]int{}
	var mu sync.Mutex
	for range rounds {
		var wg sync.WaitGroup
		for _, r := range registers {
			var batch []comptoir.Event
			for range size {
				seqs[r]++
				m := rand.IntN(4)
				pts := int64(1 + rand.IntN(9))
				want[m] += pts
				batch = append(batch, sale(t, r, seqs[r], member(m), pts, 0))
			}
			for _, c := range []*Central{a, b} {
				wg.Go(func() {
					res, err := c.Push(context.Background(), r, batch)
					if err != nil {
						t.Errorf("Push %s: %v", r, err)
						return
					}
					if res.AckedSeq != batch[len(batch)-1].Seq {
						t.Errorf("Push %s: acked %d, want %d", r, res.AckedSeq, batch[len(batch)-1].Seq)
					}
					mu.Lock()
					applied[r] += res.Applied
					mu.Unlock()
				})
			}
		}
		wg.Wait()
	}
	for _, r := range registers {
		want := int(seqs[r])
		if r == "R1" {
			want -= 4
		}
		if got := applied[r]; got != want {
			t.Errorf("%s: %d events applied over both centrals, want each once, %d", r, got, want)
		}
		if got := count(t, a, "SELECT count(*) FROM events WHERE register = $1", r); got != int64(seqs[r]) {
			t.Errorf("%s: %d events stored, want %d", r, got, seqs[r])
		}
	}
	for i := range 4 {
		if got := balance(t, b, cards[member(i)]); got != want[i] {
			t.Errorf("member %d: balance %d, want %d", i, got, want[i])
		}
	}
}

func TestPush_ReplayAndConflict(t *testing.T) {
	c := open(t, pgtest.DSN(t))
	evs := []comptoir.Event{sale(t, "R1", 1, member(1), 5, 0), sale(t, "R1", 2, member(1), 5, 0)}
	if got := mustPush(t, c, "R1", evs); got.Applied != 2 || got.AckedSeq != 2 {
		t.Fatalf("first push: %+v, want 2 applied", got)
	}
	// The register's clock gives nanoseconds, PostgreSQL keeps microseconds: still a replay.
	if got := mustPush(t, c, "R1", evs); got.Replayed != 2 || got.Applied != 0 {
		t.Fatalf("replay: %+v, want 2 replayed", got)
	}
	other := sale(t, "R1", 2, member(1), 6, 0)
	_, err := c.Push(context.Background(), "R1", []comptoir.Event{other})
	wantCode(t, err, comptoir.CodeSeqConflict)
	if got := count(t, c, "SELECT count(*) FROM conflicts"); got != 1 {
		t.Errorf("%d conflicts recorded, want 1", got)
	}
	_, err = c.Push(context.Background(), "R1", []comptoir.Event{sale(t, "R1", 4, member(1), 1, 0)})
	wantCode(t, err, comptoir.CodeSeqGap)
	sum, err := c.Register(context.Background(), "R1")
	if err != nil {
		t.Fatal(err)
	}
	if sum.AckedSeq != 2 || sum.Conflicts != 1 || sum.Tickets != 2 {
		t.Errorf("summary %+v, want acked 2, 1 conflict, 2 tickets", sum)
	}
}

// TestPush_OppositeOrdersBalanceExact pushes, from two registers at once, batches that touch
// the same two members in opposite orders: the transactions lock them in one order, or retry a
// deadlock, and every point counts once.
func TestPush_OppositeOrdersBalanceExact(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	x, y := member(1), member(2)
	mustPush(t, a, "R0", []comptoir.Event{enrol(t, "R0", 1, x, comptoir.CardNumber(1)), enrol(t, "R0", 2, y, comptoir.CardNumber(2))})
	const rounds = 30
	var wg sync.WaitGroup
	for i, c := range []*Central{a, b} {
		register := fmt.Sprintf("R%d", i+1)
		first, second := x, y
		if i == 1 {
			first, second = y, x
		}
		wg.Go(func() {
			for r := range uint64(rounds) {
				batch := []comptoir.Event{sale(t, register, 2*r+1, first, 3, 0), sale(t, register, 2*r+2, second, 0, 1)}
				if _, err := c.Push(context.Background(), register, batch); err != nil {
					t.Errorf("Push %s: %v", register, err)
					return
				}
			}
		})
	}
	wg.Wait()
	// Each member earned 3 per round from one register and spent 1 per round at the other.
	for _, card := range []string{comptoir.CardNumber(1), comptoir.CardNumber(2)} {
		if got, want := balance(t, a, card), int64(rounds*(3-1)); got != want {
			t.Errorf("card %s: balance %d, want %d", card, got, want)
		}
	}
}

// TestPush_SameCardEnrolledAtOnce enrols one card for two members from two registers at the
// same moment: one owns it, the other is flagged, and the conflict is counted once.
func TestPush_SameCardEnrolledAtOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	for round := range 10 {
		card := comptoir.CardNumber(uint64(1000 + round))
		var wg sync.WaitGroup
		for i, c := range []*Central{a, b} {
			register := fmt.Sprintf("R%d", i+1)
			wg.Go(func() {
				ev := enrol(t, register, uint64(round+1), member(100*(i+1)+round), card)
				if _, err := c.Push(context.Background(), register, []comptoir.Event{ev}); err != nil {
					t.Errorf("Push %s: %v", register, err)
				}
			})
		}
		wg.Wait()
		if got := count(t, a, "SELECT count(*) FROM cards WHERE card = $1", card); got != 1 {
			t.Fatalf("card %s: %d owners, want 1", card, got)
		}
	}
	n, err := a.CardConflicts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Errorf("%d card conflicts counted, want 10", n)
	}
}

// products is a price list of one product, distinct for each n.
func products(n int) []comptoir.Product {
	body := fmt.Sprintf("2%011d", 1000+n)
	return []comptoir.Product{{GTIN: body + fmt.Sprint(comptoir.GTINCheckDigit(body)), Name: fmt.Sprintf("Article %d", n),
		Price: comptoir.Money(100 + n), VAT: comptoir.VATRates[0]}}
}

// poller reads the feed as a register does, page by page from its cursor.
type poller struct {
	c        *Central
	register string
	cursor   string
	limit    int
	changes  []comptoir.Change
}

// poll reads every page after the cursor.
func (p *poller) poll(tb testing.TB) {
	tb.Helper()
	for {
		page, err := p.c.Changes(context.Background(), p.register, p.cursor, p.limit)
		if err != nil {
			tb.Errorf("Changes: %v", err)
			return
		}
		p.changes = append(p.changes, page.Changes...)
		p.cursor = page.Next
		if !page.More {
			return
		}
	}
}

// catalogs counts the price lists the poller received, by the price of their one product.
func (p *poller) catalogs() map[comptoir.Money]int {
	seen := map[comptoir.Money]int{}
	for _, ch := range p.changes {
		if ch.Kind == comptoir.ChangeCatalog && len(ch.Catalog) == 1 {
			seen[ch.Catalog[0].Price]++
		}
	}
	return seen
}

// TestChanges_PausedWriterNeverSkipped holds a transaction open after it inserted its feed entry
// while another commits one, and a reader polls the feed meanwhile: the reader must not read
// past the paused entry, which would then commit below its cursor and never reach it. The feed
// lock makes the second writer wait for the first's commit.
func TestChanges_PausedWriterNeverSkipped(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	paused, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.beforeCommit = func() {
		once.Do(func() {
			close(paused)
			<-release
		})
	}
	firstDone, secondDone := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := a.PutCatalog(ctx, products(1))
		firstDone <- err
	}()
	<-paused
	go func() {
		_, err := b.PutCatalog(ctx, products(2))
		secondDone <- err
	}()
	// The second writer either commits (no lock) or waits for the feed lock: wait for one.
	waiting := false
	for !waiting {
		select {
		case err := <-secondDone:
			secondDone <- err
			waiting = true
		default:
			waiting = count(t, b, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0
		}
	}
	r := &poller{c: b, register: "R9", limit: 10}
	r.poll(t)
	close(release)
	for _, done := range []chan error{firstDone, secondDone} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	r.poll(t)
	got := r.catalogs()
	for _, n := range []int{1, 2} {
		if got[comptoir.Money(100+n)] != 1 {
			t.Errorf("price list %d received %d times, want once (got %v)", n, got[comptoir.Money(100+n)], got)
		}
	}
}

// TestChanges_ConcurrentWritersEveryChangeOnce writes the feed from several goroutines on two
// centrals (price lists, consent changes at the central, members' sales pushed) while a reader
// polls it page by page: at the end the reader has every price list and every consent change
// exactly once, and every member's last state.
func TestChanges_ConcurrentWritersEveryChangeOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	const members = 4
	var evs []comptoir.Event
	for i := range members {
		evs = append(evs, enrol(t, "R0", uint64(i+1), member(i), comptoir.CardNumber(uint64(i+1))))
	}
	mustPush(t, a, "R0", evs)
	const catalogs, consents, pushes = 20, 20, 20
	var wg sync.WaitGroup
	stop := make(chan struct{})
	r := &poller{c: b, register: "R9", limit: 3}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
				r.poll(t)
			}
		}
	}()
	wg.Go(func() {
		for n := range catalogs {
			c := []*Central{a, b}[n%2]
			if _, err := c.PutCatalog(ctx, products(n)); err != nil {
				t.Errorf("PutCatalog: %v", err)
			}
		}
	})
	wg.Go(func() {
		for n := range consents {
			c := []*Central{b, a}[n%2]
			cc := comptoir.CentralConsent{Channel: comptoir.ChannelSMS, Granted: n%2 == 0, At: day0.Add(time.Duration(n+1) * time.Minute)}
			if _, err := c.Consent(ctx, comptoir.CardNumber(uint64(n%members+1)), cc); err != nil {
				t.Errorf("Consent: %v", err)
			}
		}
	})
	for i, register := range []string{"R1", "R2"} {
		c := []*Central{a, b}[i]
		wg.Go(func() {
			for seq := range uint64(pushes) {
				ev := sale(t, register, seq+1, member(int(seq)%members), 2, 0)
				if _, err := c.Push(ctx, register, []comptoir.Event{ev}); err != nil {
					t.Errorf("Push: %v", err)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-readerDone
	r.poll(t)
	got := r.catalogs()
	for n := range catalogs {
		if got[comptoir.Money(100+n)] != 1 {
			t.Errorf("price list %d received %d times, want once", n, got[comptoir.Money(100+n)])
		}
	}
	nConsent := 0
	last := map[comptoir.CustomerID]comptoir.RemoteMember{}
	for _, ch := range r.changes {
		switch ch.Kind {
		case comptoir.ChangeConsent:
			nConsent++
		case comptoir.ChangeMember:
			last[ch.Member.ID] = *ch.Member
		}
	}
	if nConsent != consents {
		t.Errorf("%d consent changes received, want %d", nConsent, consents)
	}
	if got, want := int64(len(r.changes)), count(t, a, "SELECT count(*) FROM feed"); got > want {
		t.Errorf("%d changes received from a feed of %d entries", got, want)
	}
	for i := range members {
		m, err := a.Member(ctx, comptoir.CardNumber(uint64(i+1)), false, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := last[member(i)]; got.Balance != m.Balance || !got.LastActivity.Equal(m.LastActivity) || got.Consent[comptoir.ChannelSMS] != m.Consent[comptoir.ChannelSMS] {
			t.Errorf("member %d: last received %+v, want the central's %+v", i, got, m.RemoteMember)
		}
	}
}

// TestChanges_CursorChecks refuses a cursor past the feed's end and one whose entry is not the
// one it was given for, as the embedded central does.
func TestChanges_CursorChecks(t *testing.T) {
	ctx := context.Background()
	c := open(t, pgtest.DSN(t))
	if _, err := c.PutCatalog(ctx, products(1)); err != nil {
		t.Fatal(err)
	}
	page, err := c.Changes(ctx, "R1", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Changes) != 1 || page.More {
		t.Fatalf("page %+v, want the one price list", page)
	}
	_, err = c.Changes(ctx, "R1", central.FormatCursor(5, nil), 0)
	wantCode(t, err, comptoir.CodeCursorAhead)
	_, err = c.Changes(ctx, "R1", central.FormatCursor(1, []byte("another entry")), 0)
	wantCode(t, err, comptoir.CodeInvalidCursor)
	again, err := c.Changes(ctx, "R1", page.Next, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 || again.Next != page.Next {
		t.Errorf("after the last change: %+v, want nothing and the same cursor", again)
	}
}

// TestAudit_CountsOnce audits one register from two centrals at once: every event is checked
// once, and the cursor ends at what was acknowledged.
func TestAudit_CountsOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	var evs []comptoir.Event
	for seq := range uint64(50) {
		evs = append(evs, sale(t, "R1", seq+1, member(1), 1, 0))
	}
	mustPush(t, a, "R1", evs)
	var wg sync.WaitGroup
	for _, c := range []*Central{a, b} {
		wg.Go(func() {
			if err := c.AuditAll(ctx); err != nil {
				t.Errorf("AuditAll: %v", err)
			}
		})
	}
	wg.Wait()
	sum, err := a.Register(ctx, "R1")
	if err != nil {
		t.Fatal(err)
	}
	if sum.SignaturesPending != 0 {
		t.Errorf("%d signatures pending after the audits, want 0", sum.SignaturesPending)
	}
	n, err := a.AuditSignatures(ctx, "R1", 0)
	if err != nil || n != 0 {
		t.Errorf("AuditSignatures after the audits: %d, %v, want 0 events", n, err)
	}
}

// TestPush_NewMemberFromTwoRegistersAtOnce has two registers record the first sale of a member
// the central never heard of at the same moment: both transactions find no row, one inserts it
// and the other starts again and adds to it, so that no point is lost.
func TestPush_NewMemberFromTwoRegistersAtOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	const rounds = 20
	for round := range rounds {
		id := member(500 + round)
		var wg sync.WaitGroup
		for i, c := range []*Central{a, b} {
			register := fmt.Sprintf("R%d", i+1)
			wg.Go(func() {
				ev := sale(t, register, uint64(round+1), id, int64(i+1), 0)
				if _, err := c.Push(context.Background(), register, []comptoir.Event{ev}); err != nil {
					t.Errorf("Push %s: %v", register, err)
				}
			})
		}
		wg.Wait()
		if got := count(t, a, "SELECT balance FROM members WHERE id = $1", string(id)); got != 3 {
			t.Fatalf("round %d: balance %d, want 3, both sales", round, got)
		}
	}
}

// TestRunAuditor_WokenByPush runs the auditor in the background: a push wakes it, and it
// catches the register up.
func TestRunAuditor_WokenByPush(t *testing.T) {
	c := open(t, pgtest.DSN(t))
	ctx, cancel := context.WithCancel(context.Background())
	passed := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.RunAuditor(ctx, central.AuditorOptions{Every: time.Hour, Settle: time.Millisecond, Passed: func() {
			select {
			case passed <- struct{}{}:
			default:
			}
		}})
	}()
	defer func() {
		cancel()
		<-done
	}()
	<-passed // the first pass, over nothing
	mustPush(t, c, "R1", []comptoir.Event{sale(t, "R1", 1, "", 0, 0), sale(t, "R1", 2, "", 0, 0)})
	for {
		<-passed
		sum, err := c.Register(context.Background(), "R1")
		if err != nil {
			t.Fatal(err)
		}
		if sum.SignaturesPending == 0 {
			return
		}
	}
}

// TestPush_FrozenProcessReleasesTheFeedLock freezes a process after it inserted its feed
// entries, before its commit, as a paused VM or a cut network would, and pushes a member's sale
// and a price list through another process: both wait for the frozen session's end, which the
// server brings after the idle limit, never for the frozen process.
func TestPush_FrozenProcessReleasesTheFeedLock(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	a, err := Open(ctx, dsn, Options{KeyPath: keyPath(t, dsn), IdleInTransaction: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b := open(t, dsn)
	x, y := member(1), member(2)
	mustPush(t, b, "R0", []comptoir.Event{enrol(t, "R0", 1, x, comptoir.CardNumber(1)), enrol(t, "R0", 2, y, comptoir.CardNumber(2))})
	frozen, thaw := make(chan struct{}), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(thaw) }) }
	// Released however the test ends, so that closing the frozen process does not wait forever.
	defer release()
	a.beforeCommit = func() {
		close(frozen)
		<-thaw
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Push(ctx, "R1", []comptoir.Event{sale(t, "R1", 1, x, 5, 0)})
		done <- err
	}()
	<-frozen
	bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := b.Push(bctx, "R2", []comptoir.Event{sale(t, "R2", 1, y, 7, 0)}); err != nil {
		t.Fatalf("a member's sale through the other process, while one is frozen: %v", err)
	}
	if _, err := b.PutCatalog(bctx, products(1)); err != nil {
		t.Fatalf("a price list through the other process, while one is frozen: %v", err)
	}
	release()
	if err := <-done; err == nil {
		t.Errorf("the frozen process's push committed after its session was ended")
	}
	// Its register sends the batch again, and it applies once.
	a.beforeCommit = nil
	if got := mustPush(t, a, "R1", []comptoir.Event{sale(t, "R1", 1, x, 5, 0)}); got.Applied != 1 {
		t.Errorf("the retry: %+v, want 1 applied", got)
	}
	if got, want := balance(t, b, comptoir.CardNumber(1)), int64(5); got != want {
		t.Errorf("balance of the frozen push's member: %d, want %d", got, want)
	}
}

// TestMember_StoredConsentMinimal checks that a member's row keeps, per channel, only whether
// consent is given and since when, as the embedded central's does: who recorded it and through
// what stay in the feed and the audit trail.
func TestMember_StoredConsentMinimal(t *testing.T) {
	c := open(t, pgtest.DSN(t))
	card := comptoir.CardNumber(1)
	mustPush(t, c, "R1", []comptoir.Event{enrol(t, "R1", 1, member(1), card)})
	if _, err := c.Consent(context.Background(), card, comptoir.CentralConsent{Channel: comptoir.ChannelSMS, Granted: true, By: "Jeanne Dupont"}); err != nil {
		t.Fatal(err)
	}
	var state string
	if err := c.pool.QueryRow(context.Background(), "SELECT state::text FROM members WHERE id = $1", string(member(1))).Scan(&state); err != nil {
		t.Fatal(err)
	}
	for _, kept := range []string{"Jeanne", `"via": "web"`, `"via": "register"`, "enrolment"} {
		if strings.Contains(state, kept) {
			t.Errorf("the member's row keeps %s: %s", kept, state)
		}
	}
	m, err := c.Member(context.Background(), card, false, "")
	if err != nil || !m.Consent[comptoir.ChannelSMS] || !m.Consent[comptoir.ChannelEmail] {
		t.Errorf("Member = %+v, %v; want SMS and email given", m.RemoteMember, err)
	}
}

// TestPush_DuplicateEventIDRefused pushes, as a second register, an event whose ID the first
// already pushed (a register copied from another's disk): refused with its code, nothing of the
// batch stored, and the first register's event untouched.
func TestPush_DuplicateEventIDRefused(t *testing.T) {
	c := open(t, pgtest.DSN(t))
	mustPush(t, c, "R1", []comptoir.Event{sale(t, "R1", 1, "", 0, 0)})
	copied := sale(t, "R2", 1, "", 0, 0)
	copied.ID = "R1-1"
	_, err := c.Push(context.Background(), "R2", []comptoir.Event{copied})
	wantCode(t, err, comptoir.CodeDuplicateEventID)
	if got := count(t, c, "SELECT count(*) FROM events WHERE register = 'R2'"); got != 0 {
		t.Errorf("%d events of R2 stored, want none", got)
	}
	if got := count(t, c, "SELECT count(*) FROM events WHERE id = 'R1-1' AND register = 'R1'"); got != 1 {
		t.Errorf("R1's event: %d rows, want 1", got)
	}
}
