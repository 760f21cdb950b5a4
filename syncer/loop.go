package syncer

import (
	"context"
	"sync"
	"time"
)

// DefaultEvery is how often the background loop syncs when nobody asks: often enough that the
// central's figures and other shops' members are minutes old at most, rarely enough that a
// register offline for a day makes a few thousand quiet attempts, not millions.
const DefaultEvery = 30 * time.Second

// Loop runs a Syncer in the background of the register's process: every Every, and at once when
// someone asks (SyncNow). It publishes the Syncer's State to OnState before and after each run,
// so that the status bar shows a sync going on and its outcome.
//
// After a run that NeedsPerson (a register restored from an old backup, a token refused), the
// loop stops its periodic runs: the same refusal would come back every time. It runs again only
// when someone asks for a sync, after fixing what the message said.
type Loop struct {
	Syncer *Syncer
	// Every is the time between runs; zero is DefaultEvery.
	Every time.Duration
	// OnState receives the state after each change; it must not block for long (the TUI's
	// tea.Program.Send does not). Nil publishes nothing.
	OnState func(State)
	// Ticks replaces the timer when set: each value received starts a run, as the timer's would.
	// Tests drive the loop with it, without waiting on a clock.
	Ticks <-chan time.Time

	// nowOnce makes now once, whichever goroutine first needs it: a Loop built as a literal may
	// be started in one goroutine while another calls SyncNow.
	nowOnce sync.Once
	now     chan struct{}
}

// NewLoop builds a loop over a Syncer that publishes to onState.
func NewLoop(s *Syncer, every time.Duration, onState func(State)) *Loop {
	l := &Loop{Syncer: s, Every: every, OnState: onState}
	l.nowCh()
	return l
}

// SyncNow asks for a run as soon as the current one, if any, ends. It never blocks: asks made
// while one is already waiting make one run, which syncs everything they wanted.
func (l *Loop) SyncNow() {
	select {
	case l.nowCh() <- struct{}{}:
	default:
	}
}

// nowCh is the channel of "sync now", made on first use under nowOnce, so that a Loop built as
// a literal works whichever of Start and SyncNow comes first; NewLoop makes it at once.
func (l *Loop) nowCh() chan struct{} {
	l.nowOnce.Do(func() { l.now = make(chan struct{}, 1) })
	return l.now
}

// Start runs the loop in a goroutine and returns a channel closed once it stopped, after ctx
// is done.
func (l *Loop) Start(ctx context.Context) <-chan struct{} {
	l.nowCh()
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx)
	}()
	return done
}

// Run syncs at once, then every Every and on each SyncNow, until ctx is done. A run in progress
// when ctx ends is cut short: what the central acknowledged is already dropped from the outbox
// and what it did not stays for the next start.
func (l *Loop) Run(ctx context.Context) {
	now := l.nowCh()
	every := l.Every
	if every <= 0 {
		every = DefaultEvery
	}
	ticks := l.Ticks
	var timer *time.Ticker
	if ticks == nil {
		timer = time.NewTicker(every)
		defer timer.Stop()
		ticks = timer.C
	}
	periodic := l.once(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-now:
			periodic = l.once(ctx)
		case <-ticks:
			if periodic {
				periodic = l.once(ctx)
			}
		}
	}
}

// once makes one run and publishes the state around it. It reports whether the periodic runs
// may go on: false after an error that needs a person.
func (l *Loop) once(ctx context.Context) bool {
	l.publish(true)
	_, err := l.Syncer.Run(ctx)
	if ctx.Err() != nil {
		return false
	}
	l.publish(false)
	return !NeedsPerson(err)
}

func (l *Loop) publish(running bool) {
	if l.OnState == nil {
		return
	}
	st := l.Syncer.State()
	st.Running = running
	l.OnState(st)
}
