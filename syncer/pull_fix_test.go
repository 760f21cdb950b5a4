package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

// skipFeed is a memFeed that leaves out the changes of one kind as a register leaves out those it
// cannot use, and whose erasures leave a compaction pending, as the store's do.
type skipFeed struct {
	memFeed
	// skip is the kind of change ApplyPage leaves out.
	skip string
	// compactErr makes CompactIfPending fail.
	compactErr error
	pending    bool
	compacts   int
}

func (f *skipFeed) ApplyPage(ctx context.Context, page comptoir.ChangesPage) ([]error, error) {
	var kept []comptoir.Change
	var skipped []error
	for i, c := range page.Changes {
		if c.Kind == f.skip {
			skipped = append(skipped, comptoir.Wrap(comptoir.CodeChangeSkipped,
				comptoir.E(comptoir.CodeMalformedChange, comptoir.Text{FR: "voie", EN: "way"}), i+1, c.Kind))
			continue
		}
		kept = append(kept, c)
		if c.Kind == comptoir.ChangeErased {
			f.pending = true
		}
	}
	page.Changes = kept
	return skipped, f.ApplyChanges(ctx, page)
}

func (f *skipFeed) CompactIfPending(context.Context) (bool, error) {
	f.compacts++
	if f.compactErr != nil {
		return false, f.compactErr
	}
	done := f.pending
	f.pending = false
	return done, nil
}

// lines records what a Syncer writes in the register's log.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, fmt.Sprintf(format, args...))
}

// mixedFeed is a central whose feed holds five changes: two blocked addresses, an invalid consent
// (the third), and two erasures, one at the end of each of the first two pages of two.
func mixedFeed() *feedCentral {
	c := newFeedCentral(0)
	c.changes = []comptoir.Change{
		{Kind: comptoir.ChangeBlocked, Blocked: fmt.Sprintf("%064x", 1)},
		{Kind: comptoir.ChangeErased, Erased: "M0000000000000001"},
		{Kind: comptoir.ChangeConsent, Consent: &comptoir.RemoteConsent{ID: "M0000000000000002",
			Event: comptoir.ConsentEvent{Channel: comptoir.ChannelEmail, Via: "fax"}}},
		{Kind: comptoir.ChangeErased, Erased: "M0000000000000003"},
		{Kind: comptoir.ChangeBlocked, Blocked: fmt.Sprintf("%064x", 2)},
	}
	return c
}

// TestSyncer_SkippedChangesCountedAndLogged checks that a change the register leaves out is
// counted in the Report and said in the log, and that the pull goes on to the end of the feed.
func TestSyncer_SkippedChangesCountedAndLogged(t *testing.T) {
	c, f := mixedFeed(), &skipFeed{skip: comptoir.ChangeConsent}
	s, _ := pullSyncer(t, c, &f.memFeed, 0)
	s.Feed, s.PageSize = f, 2
	log := &lines{}
	s.Logf = log.logf
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := fmt.Sprintf("%d %d %d %v", rep.Skipped, rep.Changes, rep.Pages, rep.Pulled), "1 4 3 true"; got != want {
		t.Errorf("Report skipped, changes, pages, pulled = %s, want %s", got, want)
	}
	if got, want := f.cursor, "5"; got != want {
		t.Errorf("stored cursor = %q, want %q: the page with the skipped change must be stored", got, want)
	}
	if got, want := len(log.got), 1; got != want {
		t.Fatalf("log lines = %q, want %d", log.got, want)
	}
	if got, want := log.got[0], "change 1 (consent) sent by the central was skipped"; !strings.Contains(got, want) {
		t.Errorf("log line = %q, want it to contain %q", got, want)
	}
}

// TestSyncer_CompactsOnceAtTheEnd checks that the Syncer asks the Feed to compact once for a pull
// whose pages erased members, not once a page.
func TestSyncer_CompactsOnceAtTheEnd(t *testing.T) {
	c, f := mixedFeed(), &skipFeed{}
	s, _ := pullSyncer(t, c, &f.memFeed, 0)
	s.Feed, s.PageSize = f, 2
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := f.compacts, 1; got != want {
		t.Errorf("compactions asked = %d, want %d for a pull of %d pages", got, want, rep.Pages)
	}
	if !rep.Compacted {
		t.Errorf("Report = %+v, want Compacted", rep)
	}
}

// TestSyncer_CompactionFailureReported checks that a compaction that fails is the run's error and
// leaves the pages applied.
func TestSyncer_CompactionFailureReported(t *testing.T) {
	c, f := mixedFeed(), &skipFeed{compactErr: comptoir.E(comptoir.CodeCompactFailed)}
	s, _ := pullSyncer(t, c, &f.memFeed, 0)
	s.Feed = f
	rep, err := s.Run(context.Background())
	if !errors.Is(err, comptoir.E(comptoir.CodeCompactFailed)) {
		t.Fatalf("Run = %v, want the compaction's failure", err)
	}
	if got, want := f.cursor, "5"; got != want || rep.Compacted {
		t.Errorf("stored cursor = %q, compacted %v; want %q, not compacted: the pages stay applied", got, rep.Compacted, want)
	}
}

// cursorRefusal is a refusal of the stored cursor as the client returns it: the central's code
// wrapped in CodeCentralRefused.
func cursorRefusal(code comptoir.Code) error {
	return comptoir.Wrap(comptoir.CodeCentralRefused, comptoir.E(code, 9, 5), 409)
}

// TestSyncer_RestartsFeedOnRefusedCursor checks that a cursor the central refuses (a central put
// back from a backup) makes the pull read the feed again from its beginning, and says so.
func TestSyncer_RestartsFeedOnRefusedCursor(t *testing.T) {
	for _, code := range []comptoir.Code{comptoir.CodeCursorAhead, comptoir.CodeInvalidCursor} {
		t.Run(string(code), func(t *testing.T) {
			c, f := newFeedCentral(3), &memFeed{cursor: "9"}
			c.failChanges = []error{cursorRefusal(code)}
			s, _ := pullSyncer(t, c, f, 0)
			log := &lines{}
			s.Logf = log.logf
			rep, err := s.Run(context.Background())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got, want := fmt.Sprint(c.cursors), "[9 ]"; got != want {
				t.Errorf("cursors asked = %s, want %s", got, want)
			}
			if !rep.Restarted || rep.Changes != 3 || f.cursor != "3" {
				t.Errorf("Report = %+v, cursor %q; want restarted, 3 changes, cursor 3", rep, f.cursor)
			}
			if len(log.got) != 1 || !strings.Contains(log.got[0], "from the beginning") {
				t.Errorf("log = %q, want one line saying the feed is read again", log.got)
			}
		})
	}
}

// TestSyncer_RestartsOnlyOnce checks that a central refusing the cursor again after the restart
// ends the run with its refusal rather than a loop.
func TestSyncer_RestartsOnlyOnce(t *testing.T) {
	c, f := newFeedCentral(3), &memFeed{cursor: "9"}
	c.failChanges = []error{cursorRefusal(comptoir.CodeCursorAhead), cursorRefusal(comptoir.CodeInvalidCursor)}
	s, _ := pullSyncer(t, c, f, 0)
	rep, err := s.Run(context.Background())
	if !errors.Is(err, comptoir.E(comptoir.CodeInvalidCursor)) {
		t.Fatalf("Run = %v, want the second refusal", err)
	}
	if got, want := fmt.Sprint(c.cursors), "[9 ]"; got != want || !rep.Restarted {
		t.Errorf("cursors asked = %s, restarted %v; want %s, restarted", got, rep.Restarted, want)
	}
}

// TestNeedsPerson_RefusedPage checks that a page the register refuses (a change failing against
// its own damaged data, a page without a cursor) stops the periodic runs: the same page would be
// refused every time.
func TestNeedsPerson_RefusedPage(t *testing.T) {
	for _, err := range []error{
		comptoir.Wrap(comptoir.CodeInvalidChange, comptoir.E(comptoir.CodeCorruptRecord), 1, comptoir.ChangeMember),
		comptoir.E(comptoir.CodeMalformedPage, comptoir.Text{FR: "x", EN: "x"}),
	} {
		if !syncer.NeedsPerson(err) {
			t.Errorf("NeedsPerson(%v) = false, want true", err)
		}
	}
}

// TestLoop_LiteralSyncNowWhileStarting checks, under the race detector, that a Loop built as a
// literal can be asked for a sync while another goroutine starts it.
func TestLoop_LiteralSyncNowWhileStarting(t *testing.T) {
	c, f := newFeedCentral(0), &memFeed{}
	s, _ := pullSyncer(t, c, f, 0)
	states := make(chan syncer.State, 16)
	l := &syncer.Loop{Syncer: s, Ticks: make(chan time.Time), OnState: func(st syncer.State) { states <- st }}
	ctx, cancel := context.WithCancel(context.Background())
	asked := make(chan struct{})
	go func() {
		defer close(asked)
		l.SyncNow()
	}()
	done := l.Start(ctx)
	<-asked
	nextRun(t, states)
	cancel()
	<-done
}
