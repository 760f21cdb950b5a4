package syncer

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/comptoir/comptoir"
)

// Pusher sends a batch of one register's events to the central; *Client is the real one.
type Pusher interface {
	Push(ctx context.Context, register string, events []comptoir.Event) (comptoir.PushResult, error)
}

// encodingPusher is a Pusher that encodes a batch apart from sending it, so that the Syncer
// encodes the next batch while one travels: *Client.
type encodingPusher interface {
	encodeBatch(events []comptoir.Event) ([]byte, error)
	pushEncoded(ctx context.Context, register string, body []byte) (comptoir.PushResult, error)
}

// Defaults of a Syncer's retries.
const (
	DefaultMaxAttempts = 6
	DefaultBaseDelay   = 500 * time.Millisecond
	DefaultMaxDelay    = 30 * time.Second
)

// StepPush is the push's progress step, in events acknowledged of those waiting at the start.
const StepPush comptoir.ProgressStep = "sync-push"

// batchOverhead is the room left in a batch's byte bound for {"events":[...]} around the events.
const batchOverhead = 64

// Syncer drains a register's outbox to the central: bounded batches, pushed in order, dropped
// locally only once the central acknowledged them. Then, with a Feed, it sets the register up and
// pulls what changed elsewhere, page after page. Run is safe to call from several goroutines
// (the TUI's background loop and its "sync now"): runs take turns.
type Syncer struct {
	Outbox   comptoir.OutboxService
	Central  Pusher
	Register string

	// Feed is the register's side of the pull, where the set-up and the changes are applied;
	// nil makes a run push only.
	Feed comptoir.FeedService
	// Pull asks the central for the set-up and the changes; nil uses Central when it can.
	Pull comptoir.CentralFeed
	// Demo says demo-data filled the register's database: the set-up tells the central, which
	// marks the register as a demo.
	Demo bool
	// Software names the program and its version at set-up.
	Software string
	// PageSize is how many changes a page asks for; zero is comptoir.MaxChangesPage.
	PageSize int

	// MaxEvents and MaxBytes bound a batch: its number of events and its JSON size before
	// gzip. Zero means comptoir.MaxBatchEvents and comptoir.MaxBatchBytes, the central's
	// defaults. A single event larger than MaxBytes goes alone, for the central to judge.
	MaxEvents int
	MaxBytes  int
	// MaxAttempts bounds the tries of one batch when the central cannot be reached or fails;
	// BaseDelay and MaxDelay shape the wait between tries: doubled each time, capped, with
	// jitter so that registers coming back together do not knock at the same instant.
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
	// Sleep waits between tries; nil waits on a timer, ending early when ctx is done. Tests
	// give one that records the delays instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter draws in [0, 1); nil is math/rand.
	Jitter func() float64
	// Now reads the clock for State; nil is time.Now.
	Now func() time.Time
	// Logf writes a line in the register's log: a change of the feed skipped, the feed read
	// again from its beginning. Nil writes nothing. It may be called from the goroutine of the
	// background loop.
	Logf func(format string, args ...any)

	run   sync.Mutex
	mu    sync.Mutex
	state State
	// setUp is set once this Syncer made a set-up: later runs skip it while the register's
	// file holds one. The first run of a process always makes one, so that a changed central
	// key or a demo mark is told at once.
	setUp bool
}

// State is what the last run said, for the status bar and the manager screen.
type State struct {
	// Attempted is false until a run tried to reach the central.
	Attempted bool
	// Online is whether the central answered the last attempt, whatever its answer.
	Online bool
	// Pending counts the events still in the outbox after the last run.
	Pending int
	// LastSuccess is when the central last acknowledged a batch or a run found nothing to send.
	LastSuccess time.Time
	// LastError is how the last run ended, nil when the outbox was emptied and the changes
	// pulled.
	LastError error
	// LastPull is when the last page of changes was applied, the feed read to its end.
	LastPull time.Time
	// ClockSkew is the central's clock minus the register's, measured at the last answer that
	// carried the central's time; see SkewWarning.
	ClockSkew time.Duration
	// Demo is the Syncer's Demo, for the screens to say that what syncs is a demo.
	Demo bool
	// Running is true while a run goes on, for the status bar.
	Running bool
}

// SkewWarning reports whether the register's clock is further from the central's than
// comptoir.ClockSkewLimit: consent changes are decided by their time, and tickets are dated by it.
func (st State) SkewWarning() bool {
	return st.ClockSkew > comptoir.ClockSkewLimit || st.ClockSkew < -comptoir.ClockSkewLimit
}

// Report is what one run did.
type Report struct {
	// Acked counts the events dropped from the outbox because the central acknowledged them.
	Acked int
	// Batches counts the batches the central acknowledged.
	Batches int
	// Pending counts the events left in the outbox.
	Pending int
	// SetUp is true when the run made a set-up; Changes counts the changes applied (skipped ones
	// left out) and Pages the pages stored.
	SetUp   bool
	Changes int
	Pages   int
	// Skipped counts the changes of the pulled pages the register could not use and left out,
	// each said in the log (Logf).
	Skipped int
	// Restarted is true when the central refused the stored cursor (CodeCursorAhead,
	// CodeInvalidCursor) and the feed was read again from its beginning.
	Restarted bool
	// Compacted is true when the pull's erasures made the register compact its file.
	Compacted bool
	// Pulled is true once the feed was read to its end.
	Pulled bool
}

// State returns what the last run said.
func (s *Syncer) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Run pushes the whole outbox, batch after batch, until it is empty or a batch cannot go; then,
// with a Feed, it sets the register up when needed and pulls the change feed to its end. It
// stops at the first refusal it cannot resolve by itself and never loops on one: a register
// restored from an older copy of its file (CodeRegisterBehindCentral, CodeRegisterDiverged), a
// central that lost what it acknowledged (CodeCentralBehind), a token refused, a changed central
// key, a feed that does not move (CodeFeedStuck); and after MaxAttempts tries of one request
// when the central cannot be reached or fails. NeedsPerson tells those that syncing again will
// not cure.
func (s *Syncer) Run(ctx context.Context) (Report, error) {
	s.run.Lock()
	defer s.run.Unlock()
	s.mu.Lock()
	s.state.Running, s.state.Demo = true, s.Demo
	s.mu.Unlock()
	rep, err := s.drain(ctx)
	// Changes are pulled only after a push that went through: a register the central refuses
	// (restored from an old backup, a token refused) must stop and say so rather than go on
	// applying what others did, and an unreachable central would not answer a pull either.
	if err == nil && s.Feed != nil {
		err = s.pull(ctx, &rep)
	}
	// A first set-up queues the data of members enrolled before it, sealed for the central: send
	// them in the same run, so that a sync that succeeds leaves nothing waiting.
	if err == nil && rep.SetUp {
		var more Report
		more, err = s.drain(ctx)
		rep.Acked += more.Acked
		rep.Batches += more.Batches
	}
	pending, perr := s.Outbox.PendingEvents(ctx)
	if perr == nil {
		rep.Pending = pending
	} else if err == nil {
		err = perr
	}
	s.mu.Lock()
	s.state.Pending = rep.Pending
	s.state.LastError = err
	s.state.Running = false
	if err == nil {
		s.state.LastSuccess = s.now()
	}
	s.mu.Unlock()
	return rep, err
}

func (s *Syncer) drain(ctx context.Context) (Report, error) {
	var rep Report
	// The progress counts the events acknowledged of those waiting when the run started; events
	// recorded meanwhile go too, and the count is then capped at the total.
	progress := comptoir.ProgressFrom(ctx)
	total := 0
	if progress != nil {
		n, err := s.Outbox.PendingEvents(ctx)
		if err != nil {
			return rep, err
		}
		total = n
	}
	// dropped counts the events dropped from the outbox once the central acknowledged them.
	dropped := func(n int) {
		rep.Acked += n
		rep.Batches++
		if progress != nil {
			progress(StepPush, min(rep.Acked, total), total)
		}
		s.mu.Lock()
		s.state.LastSuccess = s.now()
		s.mu.Unlock()
	}
	// acked is a sequence the central acknowledged whose events are still to be dropped from
	// the outbox, zero when there is none: they are dropped while the next batch travels.
	var acked uint64
	var body []byte
	events, err := s.Outbox.Outbox(ctx, 0, s.maxEvents())
	for {
		if err != nil {
			return rep, err
		}
		if len(events) == 0 {
			return rep, nil
		}
		events = cutBatch(events, s.maxBytes())
		first, last := events[0].Seq, events[len(events)-1].Seq
		if body == nil {
			body = s.encodeAhead(events)
		}
		// While this batch travels and the central commits it, the register drops the batch
		// before it, which the central acknowledged, and reads and encodes the batch after it,
		// so that the register's work and the central's overlap rather than add up. Reading
		// past last is safe meanwhile: the outbox grows only at its end and loses events only
		// at its front, up to what the central acknowledged. Dropping acknowledged events
		// later than at once is safe too: a run stopped before would send them again, and the
		// central answers a replay without applying it.
		next := make(chan ahead, 1)
		go func(upTo uint64) {
			var a ahead
			if upTo > 0 {
				if a.dropped, a.ackErr = s.Outbox.AckOutbox(ctx, upTo); a.ackErr != nil {
					next <- a
					return
				}
			}
			a.events, a.err = s.Outbox.Outbox(ctx, last, s.maxEvents())
			if a.err == nil && len(a.events) > 0 {
				a.events = cutBatch(a.events, s.maxBytes())
				a.body = s.encodeAhead(a.events)
			}
			next <- a
		}(acked)
		res, err := s.push(ctx, events, body)
		body = nil
		// The outbox's work ends before anything else touches it, so that an OutboxService is
		// never used from two goroutines at once, and nothing is left running after Run.
		a := <-next
		if acked > 0 {
			if a.ackErr != nil {
				// The push's own failure, when there is one, is what the shop must hear (a
				// refusal that needs someone); the batch left undropped is only sent again.
				if err != nil {
					return rep, err
				}
				return rep, a.ackErr
			}
			dropped(a.dropped)
			acked = 0
		}
		var upTo uint64
		switch {
		case err == nil:
			upTo = res.AckedSeq
			if upTo < last {
				// The central said it took the batch but acknowledged less than it: nothing
				// sent again would change that, so stop rather than loop.
				return rep, comptoir.E(comptoir.CodeCentralBehind, upTo+1, first)
			}
		case errors.Is(err, comptoir.E(comptoir.CodeSeqGap)):
			expected := gapExpected(err)
			if expected <= first {
				// The central expects an event this register dropped after the central
				// acknowledged it: the central lost data. Sending again cannot fix it.
				return rep, comptoir.E(comptoir.CodeCentralBehind, expected, first)
			}
			// The central holds more than this outbox says it acknowledged: an answer was
			// lost. What comes before its expected sequence is acknowledged.
			upTo = expected - 1
		case errors.Is(err, comptoir.E(comptoir.CodeSeqConflict)):
			return rep, comptoir.Wrap(comptoir.CodeRegisterDiverged, err, first, last)
		default:
			return rep, err
		}
		if upTo == last && a.ackErr == nil && a.err == nil && len(a.events) > 0 {
			acked, events, body = upTo, a.events, a.body
			continue
		}
		// The central acknowledged past this batch, or the read ahead failed, or found nothing
		// while events may have been recorded since: drop now and read again from the front.
		n, err := s.Outbox.AckOutbox(ctx, upTo)
		if err != nil {
			return rep, err
		}
		dropped(n)
		events, err = s.Outbox.Outbox(ctx, 0, s.maxEvents())
	}
}

// ahead is what the register did while a batch travelled: the events of the batch before it
// dropped, and the next batch read and encoded.
type ahead struct {
	dropped int
	ackErr  error
	events  []comptoir.Event
	body    []byte
	err     error
}

// push sends one batch, its body as encoded ahead when there is one, retrying with capped
// exponential backoff when the central cannot be reached or fails. Resending is harmless: the
// central applies each sequence once.
func (s *Syncer) push(ctx context.Context, events []comptoir.Event, body []byte) (comptoir.PushResult, error) {
	var res comptoir.PushResult
	err := s.retry(ctx, func() error {
		var err error
		if ep, ok := s.Central.(encodingPusher); ok && body != nil {
			res, err = ep.pushEncoded(ctx, s.Register, body)
		} else {
			res, err = s.Central.Push(ctx, s.Register, events)
		}
		return err
	})
	return res, err
}

// encodeAhead is the body of a batch when the central's client encodes apart from sending,
// nil otherwise or when encoding fails (Push then says why).
func (s *Syncer) encodeAhead(events []comptoir.Event) []byte {
	ep, ok := s.Central.(encodingPusher)
	if !ok || len(events) == 0 {
		return nil
	}
	body, err := ep.encodeBatch(events)
	if err != nil {
		return nil
	}
	return body
}

// retry calls fn until it succeeds, fails for good, or has been tried MaxAttempts times, waiting
// with capped exponential backoff in between. Every answer, even a refusal, says the central is
// online; only CodeCentralUnreachable says it is not.
func (s *Syncer) retry(ctx context.Context, fn func() error) error {
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	for attempt := 1; ; attempt++ {
		err := fn()
		s.mu.Lock()
		s.state.Attempted = true
		s.state.Online = !errors.Is(err, comptoir.E(comptoir.CodeCentralUnreachable)) && ctx.Err() == nil
		s.mu.Unlock()
		if err == nil || !Retryable(err) || attempt >= attempts {
			return err
		}
		if err := s.sleep(ctx, s.backoff(attempt)); err != nil {
			return err
		}
	}
}

// backoff is the wait after the given failed attempt: BaseDelay doubled each time up to
// MaxDelay, then drawn in its upper half ("equal jitter"), so that it never falls below half
// of the schedule nor exceeds the cap.
func (s *Syncer) backoff(attempt int) time.Duration {
	base, ceil := s.BaseDelay, s.MaxDelay
	if base <= 0 {
		base = DefaultBaseDelay
	}
	if ceil <= 0 {
		ceil = DefaultMaxDelay
	}
	d := base
	for i := 1; i < attempt && d < ceil; i++ {
		d *= 2
	}
	d = min(d, ceil)
	jitter := s.Jitter
	if jitter == nil {
		jitter = rand.Float64
	}
	return d/2 + time.Duration(jitter()*float64(d/2))
}

func (s *Syncer) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Syncer) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Syncer) maxEvents() int {
	if s.MaxEvents > 0 {
		return s.MaxEvents
	}
	return comptoir.MaxBatchEvents
}

func (s *Syncer) maxBytes() int {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return comptoir.MaxBatchBytes
}

// cutBatch keeps the events that fit in maxBytes of JSON, the first one always. It measures
// each event by a bound on what the client writes for it rather than by encoding it: encoding is
// the client's work, and doing it twice cost a register as much as sending.
func cutBatch(events []comptoir.Event, maxBytes int) []comptoir.Event {
	size := batchOverhead
	for i, ev := range events {
		size += eventSizeBound(ev)
		if size > maxBytes && i > 0 {
			return events[:i]
		}
	}
	return events
}

// gapExpected reads the expected sequence a CodeSeqGap refusal carries; zero when it has none.
func gapExpected(err error) uint64 {
	var e *comptoir.Error
	for errors.As(err, &e) {
		if e.Code == comptoir.CodeSeqGap {
			if len(e.Args) > 0 {
				return asSeq(e.Args[0])
			}
			return 0
		}
		err = e.Err
	}
	return 0
}
