package syncer_test

import (
	"context"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

// startLoop runs a loop over s driven by a tick channel the test owns, and returns the states it
// publishes, its ticks, and how to stop it and wait for it to end.
func startLoop(tb testing.TB, s *syncer.Syncer) (l *syncer.Loop, states chan syncer.State, ticks chan time.Time, stop func()) {
	tb.Helper()
	states = make(chan syncer.State, 16)
	ticks = make(chan time.Time)
	l = syncer.NewLoop(s, time.Hour, func(st syncer.State) { states <- st })
	l.Ticks = ticks
	ctx, cancel := context.WithCancel(context.Background())
	done := l.Start(ctx)
	stop = func() {
		cancel()
		<-done
	}
	tb.Cleanup(stop)
	return l, states, ticks, stop
}

// nextRun waits for the state published at the start of a run, then the one at its end, and
// returns the latter.
func nextRun(tb testing.TB, states <-chan syncer.State) syncer.State {
	tb.Helper()
	if st := <-states; !st.Running {
		tb.Fatalf("first state of a run = %+v, want Running", st)
	}
	st := <-states
	if st.Running {
		tb.Fatalf("last state of a run = %+v, want not Running", st)
	}
	return st
}

func TestLoop_SyncNowAndStop(t *testing.T) {
	c, f := newFeedCentral(3), &memFeed{}
	s, _ := pullSyncer(t, c, f, 2)
	l, states, ticks, stop := startLoop(t, s)

	// The loop syncs at once when it starts, so that the status bar is right from the start.
	st := nextRun(t, states)
	if !st.Online || st.Pending != 0 || st.LastPull.IsZero() || st.LastError != nil {
		t.Fatalf("state after the first run = %+v, want online, nothing pending, pulled", st)
	}

	// "Sync now" runs again; so does a tick.
	l.SyncNow()
	nextRun(t, states)
	ticks <- time.Now()
	nextRun(t, states)
	if _, pages, pushes := c.calls(); pages != 3 || pushes != 1 {
		t.Errorf("pages asked = %d, pushes = %d; want 3 runs' pages and the one push of the first", pages, pushes)
	}

	stop()
	// Once stopped, asking for a sync neither blocks nor runs anything.
	l.SyncNow()
	if _, pages, _ := c.calls(); pages != 3 {
		t.Errorf("pages asked after stop = %d, want 3", pages)
	}
}

// TestLoop_StopsAfterRefusal stops the periodic runs after a refusal that needs someone (a
// register restored from an old backup): ticks run nothing, "sync now" still does.
func TestLoop_StopsAfterRefusal(t *testing.T) {
	c, f := newFeedCentral(0), &memFeed{}
	c.pushErr = comptoir.Wrap(comptoir.CodeCentralRefused, &syncer.CentralError{Status: 409, Code: comptoir.CodeSeqConflict}, 409)
	s, _ := pullSyncer(t, c, f, 1)
	l, states, ticks, _ := startLoop(t, s)
	st := nextRun(t, states)
	if !syncer.NeedsPerson(st.LastError) {
		t.Fatalf("LastError = %v, want a refusal that needs someone", st.LastError)
	}
	// The tick is taken (the channel is unbuffered) and handled before "sync now" is read.
	ticks <- time.Now()
	ticks <- time.Now()
	l.SyncNow()
	nextRun(t, states)
	if _, _, pushes := c.calls(); pushes != 2 {
		t.Errorf("pushes = %d, want 2: the first run and the one asked for, none on the ticks", pushes)
	}

	// Once the cause is fixed, "sync now" goes through and the periodic runs start again.
	c.mu.Lock()
	c.pushErr = nil
	c.mu.Unlock()
	l.SyncNow()
	if st := nextRun(t, states); st.LastError != nil || st.Pending != 0 {
		t.Fatalf("state = %+v, want everything sent", st)
	}
	ticks <- time.Now()
	nextRun(t, states)
	if _, pages, _ := c.calls(); pages != 2 {
		t.Errorf("pages asked = %d, want 2: the fixed run's and the tick's", pages)
	}
}

// TestLoop_OfflineGoesOn keeps syncing on its ticks while the central is unreachable, and says
// so: the network comes back by itself.
func TestLoop_OfflineGoesOn(t *testing.T) {
	c, f := newFeedCentral(0), &memFeed{}
	c.pushErr = comptoir.E(comptoir.CodeCentralUnreachable, "http://central")
	s, _ := pullSyncer(t, c, f, 1)
	s.MaxAttempts = 1
	_, states, ticks, _ := startLoop(t, s)
	if st := nextRun(t, states); st.Online || st.Pending != keyEvents+1 {
		t.Fatalf("state = %+v, want offline with %d pending", st, keyEvents+1)
	}
	c.mu.Lock()
	c.pushErr = nil
	c.mu.Unlock()
	ticks <- time.Now()
	if st := nextRun(t, states); !st.Online || st.Pending != 0 || st.LastError != nil {
		t.Fatalf("state = %+v, want online with nothing pending", st)
	}
}
