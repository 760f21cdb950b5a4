package syncer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

// feedCentral is an in-memory central for the pull: a log of changes read by cursor (the index
// of the next change, in decimal), a set-up that answers the same keys every time and records
// what the register said, pushes acknowledged whole or refused as scripted, and failures on
// demand. It behaves as the contract says, so that the Syncer's paging and resumption are
// tested against a feed that really pages.
type feedCentral struct {
	mu      sync.Mutex
	changes []comptoir.Change
	key     []byte
	now     func() time.Time
	// failChanges and failSetup make the next calls fail with their error, one per call.
	failChanges []error
	failSetup   []error
	// pushErr refuses every push when set.
	pushErr error
	// stuck makes every page say More without moving its cursor.
	stuck bool

	setups   []comptoir.SetupRequest
	cursors  []string
	pushes   int
	limits   []int
	register string
}

func newFeedCentral(n int) *feedCentral {
	c := &feedCentral{key: make([]byte, 32), now: time.Now}
	c.key[0] = 1
	for i := range n {
		c.changes = append(c.changes, comptoir.Change{Kind: comptoir.ChangeBlocked, Blocked: fmt.Sprintf("%064x", i)})
	}
	return c
}

func (c *feedCentral) Push(_ context.Context, _ string, events []comptoir.Event) (comptoir.PushResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pushes++
	if c.pushErr != nil {
		return comptoir.PushResult{}, c.pushErr
	}
	return comptoir.PushResult{AckedSeq: events[len(events)-1].Seq}, nil
}

func (c *feedCentral) Setup(_ context.Context, register string, req comptoir.SetupRequest) (comptoir.Setup, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setups = append(c.setups, req)
	if len(c.failSetup) > 0 {
		err := c.failSetup[0]
		c.failSetup = c.failSetup[1:]
		return comptoir.Setup{}, err
	}
	name := register
	if c.register != "" {
		name = c.register
	}
	return comptoir.Setup{Register: name, CentralKey: c.key, LookupKey: make([]byte, 32),
		CardsFirst: 100_000, CardsLast: 199_999, Now: c.now()}, nil
}

func (c *feedCentral) Changes(_ context.Context, _, cursor string, limit int) (comptoir.ChangesPage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cursors = append(c.cursors, cursor)
	c.limits = append(c.limits, limit)
	if len(c.failChanges) > 0 {
		err := c.failChanges[0]
		c.failChanges = c.failChanges[1:]
		return comptoir.ChangesPage{}, err
	}
	from := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 || n > len(c.changes) {
			return comptoir.ChangesPage{}, comptoir.E(comptoir.CodeCentralAnswer, 400)
		}
		from = n
	}
	if c.stuck {
		return comptoir.ChangesPage{Next: cursor, More: true, Now: c.now()}, nil
	}
	to := min(from+limit, len(c.changes))
	return comptoir.ChangesPage{Changes: c.changes[from:to], Next: strconv.Itoa(to), More: to < len(c.changes), Now: c.now()}, nil
}

// calls returns how many set-ups and pages the central answered or refused.
func (c *feedCentral) calls() (setups, pages, pushes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.setups), len(c.cursors), c.pushes
}

// memFeed is the register's side in memory: the set-up pinned with its central key (another key
// refused, as the contract says), and each page applied with its cursor at once, or refused as a
// test asks, in which case neither is kept.
type memFeed struct {
	mu      sync.Mutex
	setup   *comptoir.Setup
	cursor  string
	applied []comptoir.Change
	// failApply refuses the page with that number (1 for the first page ever applied).
	failApply int
	pages     int
}

func (f *memFeed) ApplySetup(_ context.Context, s comptoir.Setup) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setup != nil && string(f.setup.CentralKey) != string(s.CentralKey) {
		return comptoir.E(comptoir.CodeCentralKeyChanged)
	}
	f.setup = &s
	return nil
}

func (f *memFeed) SyncSetup(context.Context) (comptoir.Setup, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setup == nil {
		return comptoir.Setup{}, false, nil
	}
	return *f.setup, true, nil
}

func (f *memFeed) ApplyChanges(_ context.Context, page comptoir.ChangesPage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages++
	if f.pages == f.failApply {
		return comptoir.E(comptoir.CodeCannotWrite)
	}
	f.applied = append(f.applied, page.Changes...)
	f.cursor = page.Next
	return nil
}

func (f *memFeed) Cursor(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursor, nil
}

// pullSyncer is a Syncer over a real register's outbox with n sales, the in-memory central and
// feed, and waits recorded rather than slept.
func pullSyncer(tb testing.TB, c *feedCentral, f *memFeed, sales int) (*syncer.Syncer, *sleeps) {
	tb.Helper()
	reg := openRegister(tb, filepath.Join(tb.TempDir(), "r1.db"))
	tb.Cleanup(func() { reg.Close() })
	sell(tb, reg, sales)
	sl := &sleeps{}
	return &syncer.Syncer{Outbox: reg, Central: c, Feed: f, Register: "R1", Sleep: sl.sleep, PageSize: 1000}, sl
}

func TestSyncer_PullsEveryPage(t *testing.T) {
	ctx := context.Background()
	c, f := newFeedCentral(2500), &memFeed{}
	s, _ := pullSyncer(t, c, f, 3)
	rep, err := s.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := fmt.Sprint(c.cursors), "[ 1000 2000]"; got != want {
		t.Errorf("cursors asked = %s, want %s", got, want)
	}
	if got, want := len(f.applied), 2500; got != want {
		t.Fatalf("changes applied = %d, want %d", got, want)
	}
	for i, ch := range f.applied {
		if ch.Blocked != c.changes[i].Blocked {
			t.Fatalf("change %d applied = %s, want %s: pages out of order", i, ch.Blocked, c.changes[i].Blocked)
		}
	}
	if got, want := f.cursor, "2500"; got != want {
		t.Errorf("stored cursor = %q, want %q", got, want)
	}
	if rep.Acked != keyEvents+3 || rep.Changes != 2500 || rep.Pages != 3 || !rep.Pulled || !rep.SetUp {
		t.Errorf("Report = %+v, want %d acked, 2500 changes in 3 pages, pulled, set up", rep, keyEvents+3)
	}
	if st := s.State(); st.LastPull.IsZero() || st.LastError != nil || !st.Online || st.Running {
		t.Errorf("State = %+v, want a pull noted, online, no error, not running", st)
	}

	// Two more changes come: the next run asks from the stored cursor and gets only them.
	c.mu.Lock()
	c.changes = append(c.changes, comptoir.Change{Kind: comptoir.ChangeErased, Erased: "C1"}, comptoir.Change{Kind: comptoir.ChangeErased, Erased: "C2"})
	c.mu.Unlock()
	rep, err = s.Run(ctx)
	if err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if got, want := c.cursors[len(c.cursors)-1], "2500"; got != want {
		t.Errorf("second run asked from %q, want %q", got, want)
	}
	if rep.Changes != 2 || len(f.applied) != 2502 || f.cursor != "2502" {
		t.Errorf("second run pulled %d changes, %d applied in all, cursor %q; want 2, 2502, 2502", rep.Changes, len(f.applied), f.cursor)
	}
}

func TestSyncer_SetupOnce(t *testing.T) {
	ctx := context.Background()
	c, f := newFeedCentral(0), &memFeed{}
	s, _ := pullSyncer(t, c, f, 0)
	s.Demo, s.Software = true, "comptoir test"
	for range 3 {
		if _, err := s.Run(ctx); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	if got, want := len(c.setups), 1; got != want {
		t.Fatalf("set-ups = %d after 3 runs, want %d", got, want)
	}
	if got, want := c.setups[0], (comptoir.SetupRequest{Demo: true, Software: "comptoir test"}); got != want {
		t.Errorf("set-up said %+v, want %+v", got, want)
	}
	if f.setup == nil || f.setup.CardsFirst != 100_000 || string(f.setup.CentralKey) != string(c.key) {
		t.Errorf("stored set-up = %+v, want the central's key and card block", f.setup)
	}
	if !s.State().Demo {
		t.Error("State().Demo = false, want true for a demo register")
	}

	// A new process (a new Syncer on the same file) sets up again, once: that is how a changed
	// central key is noticed before anything is sealed to it.
	s2 := &syncer.Syncer{Outbox: s.Outbox, Central: c, Feed: f, Register: "R1", Sleep: (&sleeps{}).sleep}
	c.key = append([]byte(nil), c.key...)
	c.key[1] = 9
	_, err := s2.Run(ctx)
	wantCode(t, err, comptoir.CodeCentralKeyChanged)
	if !syncer.NeedsPerson(err) {
		t.Errorf("NeedsPerson(%v) = false, want true", err)
	}
	if _, pages, _ := c.calls(); pages != 3 {
		t.Errorf("pages asked = %d, want 3: no pull after a changed key", pages)
	}
}

// TestSyncer_SetupForAnotherRegister refuses a set-up the central made for another register's
// name: its card block would be issued twice.
func TestSyncer_SetupForAnotherRegister(t *testing.T) {
	c, f := newFeedCentral(1), &memFeed{}
	c.register = "R2"
	s, _ := pullSyncer(t, c, f, 0)
	_, err := s.Run(context.Background())
	wantCode(t, err, comptoir.CodeForbiddenRegister)
	if f.setup != nil || len(f.applied) != 0 {
		t.Errorf("stored set-up %+v and %d changes, want nothing", f.setup, len(f.applied))
	}
}

func TestSyncer_ClockSkew(t *testing.T) {
	local := time.Date(2026, 11, 30, 9, 10, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		skew time.Duration
		warn bool
	}{
		{"in step", 0, false},
		{"central ahead by 30 s", 30 * time.Second, false},
		{"central ahead by 2 min", 2 * time.Minute, true},
		{"central behind by 5 min", -5 * time.Minute, true},
		{"just at the limit", comptoir.ClockSkewLimit, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, f := newFeedCentral(1), &memFeed{}
			c.now = func() time.Time { return local.Add(tc.skew) }
			s, _ := pullSyncer(t, c, f, 0)
			s.Now = func() time.Time { return local }
			if _, err := s.Run(context.Background()); err != nil {
				t.Fatalf("Run: %v", err)
			}
			st := s.State()
			if got, want := st.ClockSkew, tc.skew; got != want {
				t.Errorf("ClockSkew = %v, want %v", got, want)
			}
			if got, want := st.SkewWarning(), tc.warn; got != want {
				t.Errorf("SkewWarning() = %v, want %v", got, want)
			}
		})
	}
}

func TestSyncer_PullRetries(t *testing.T) {
	ctx := context.Background()
	down := comptoir.E(comptoir.CodeCentralUnreachable, "http://central")
	failing := comptoir.E(comptoir.CodeCentralFailing, 503)
	c, f := newFeedCentral(1500), &memFeed{}
	// The set-up fails once, the second page twice: each is tried again after a wait.
	c.failSetup = []error{down}
	s, sl := pullSyncer(t, c, f, 2)
	first := true
	s.Central = &pageFailer{feedCentral: c, before: func(cursor string) error {
		if cursor == "1000" && first {
			c.failChanges = []error{failing, down}
			first = false
		}
		return nil
	}}
	rep, err := s.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := len(sl.delays), 3; got != want {
		t.Errorf("waits = %v, want %d (one for the set-up, two for the second page)", sl.delays, want)
	}
	if rep.Changes != 1500 || f.cursor != "1500" {
		t.Errorf("pulled %d changes, cursor %q; want 1500 and 1500", rep.Changes, f.cursor)
	}
	if got, want := fmt.Sprint(c.cursors), "[ 1000 1000 1000]"; got != want {
		t.Errorf("cursors asked = %s, want %s", got, want)
	}
}

// pageFailer lets a test arrange failures just before a page is asked.
type pageFailer struct {
	*feedCentral
	before func(cursor string) error
}

func (p *pageFailer) Changes(ctx context.Context, register, cursor string, limit int) (comptoir.ChangesPage, error) {
	p.mu.Lock()
	err := p.before(cursor)
	p.mu.Unlock()
	if err != nil {
		return comptoir.ChangesPage{}, err
	}
	return p.feedCentral.Changes(ctx, register, cursor, limit)
}

// TestSyncer_PullGivesUp stops after MaxAttempts when the central stays unreachable, says it is
// offline and keeps the cursor where it was.
func TestSyncer_PullGivesUp(t *testing.T) {
	down := comptoir.E(comptoir.CodeCentralUnreachable, "http://central")
	c, f := newFeedCentral(10), &memFeed{}
	s, sl := pullSyncer(t, c, f, 1)
	s.MaxAttempts = 3
	c.failChanges = []error{down, down, down, down}
	_, err := s.Run(context.Background())
	wantCode(t, err, comptoir.CodeCentralUnreachable)
	if syncer.NeedsPerson(err) {
		t.Errorf("NeedsPerson(%v) = true, want false: the network comes back by itself", err)
	}
	if got, want := len(sl.delays), 2; got != want {
		t.Errorf("waits = %d, want %d", got, want)
	}
	st := s.State()
	if st.Online || st.LastError == nil || !st.LastPull.IsZero() || f.cursor != "" {
		t.Errorf("State = %+v, cursor %q; want offline, the error, no pull, no cursor", st, f.cursor)
	}
}

// TestSyncer_PullResumes applies pages until one cannot be stored, then resumes after the last
// page stored: none is applied twice, none skipped.
func TestSyncer_PullResumes(t *testing.T) {
	ctx := context.Background()
	c, f := newFeedCentral(2500), &memFeed{failApply: 2}
	s, _ := pullSyncer(t, c, f, 0)
	_, err := s.Run(ctx)
	wantCode(t, err, comptoir.CodeCannotWrite)
	if len(f.applied) != 1000 || f.cursor != "1000" {
		t.Fatalf("after the failure: %d applied, cursor %q; want 1000 and 1000", len(f.applied), f.cursor)
	}
	if _, err := s.Run(ctx); err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if got, want := fmt.Sprint(c.cursors), "[ 1000 1000 2000]"; got != want {
		t.Errorf("cursors asked = %s, want %s", got, want)
	}
	if got, want := len(f.applied), 2500; got != want {
		t.Errorf("applied = %d, want %d", got, want)
	}
}

func TestSyncer_FeedStuck(t *testing.T) {
	c, f := newFeedCentral(5), &memFeed{}
	c.stuck = true
	s, _ := pullSyncer(t, c, f, 0)
	_, err := s.Run(context.Background())
	wantCode(t, err, comptoir.CodeFeedStuck)
	if _, pages, _ := c.calls(); pages != 1 {
		t.Errorf("pages asked = %d, want 1: a feed that does not move is not asked again", pages)
	}
	if !syncer.NeedsPerson(err) {
		t.Errorf("NeedsPerson(%v) = false, want true", err)
	}
}

// TestSyncer_RestoredStopsBeforePull stops a register the central refuses (restored from an old
// backup) before any set-up or pull: it must not apply what others did to a file it should stop
// selling on.
func TestSyncer_RestoredStopsBeforePull(t *testing.T) {
	c, f := newFeedCentral(5), &memFeed{}
	c.pushErr = comptoir.Wrap(comptoir.CodeCentralRefused, &syncer.CentralError{Status: 409, Code: comptoir.CodeSeqConflict}, 409)
	s, sl := pullSyncer(t, c, f, 2)
	_, err := s.Run(context.Background())
	wantCode(t, err, comptoir.CodeRegisterDiverged)
	if !syncer.NeedsPerson(err) {
		t.Errorf("NeedsPerson(%v) = false, want true", err)
	}
	setups, pages, pushes := c.calls()
	if setups != 0 || pages != 0 || pushes != 1 || len(sl.delays) != 0 {
		t.Errorf("set-ups %d, pages %d, pushes %d, waits %d; want one push and nothing else", setups, pages, pushes, len(sl.delays))
	}
	if msg := comptoir.Message(err, comptoir.LangFR); !strings.Contains(msg, "sauvegarde") || !strings.Contains(msg, "--register") {
		t.Errorf("message = %q, want it to say what to do", msg)
	}
}
