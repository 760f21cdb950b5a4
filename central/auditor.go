package central

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"time"
)

// The auditor checks the signatures of what registers pushed, after the push and outside it: a
// push answers once its events are durable and their links checked, and the Ed25519
// verifications, which would cost more CPU than the rest of the push, run in the background in
// parallel, leaving the pushes a core. Each backend keeps, per register, the cursor of the last
// event checked with what the checks hold and count (Audit), reads a run of events after it,
// verifies them here (VerifyAll) with no transaction open, and commits its findings only if the
// cursor is still where it read it. The loop that runs the passes is the same for every backend
// (RunAuditor).

// DefaultAuditBatch is how many events of a register one run reads and checks at most when
// given no limit: enough to keep every core busy, a few megabytes of payloads.
const DefaultAuditBatch = 4096

// MaxAuditBytes bounds the stored events one run reads, whatever their number: a register may
// push events of megabytes each, and a run holds its copies in memory until checked.
const MaxAuditBytes = 16 << 20

// minParallel is the fewest verifications worth a goroutine of their own: below it, starting one
// costs more than it spares.
const minParallel = 16

// Pace is how the auditor shares the machine: on how many cores at most, and whether it yields
// to other goroutines after each event.
type Pace struct {
	Cores int
	// Yield lets the goroutines waiting to run (a push being decoded or applied, which a
	// register waits for) run before the next event, every 50 µs or so rather than when the
	// scheduler preempts the auditor, every 10 ms: the background auditor runs on what the
	// pushes leave.
	Yield bool
}

// FullPace is every core, no yielding: an audit someone waits for.
func FullPace() Pace { return Pace{Cores: runtime.GOMAXPROCS(0)} }

// Parallel runs fn(0) to fn(n-1) in up to p.Cores goroutines, fewer when n is too small to be
// worth them. It returns once every call has, or ctx ended.
func Parallel(ctx context.Context, n int, p Pace, fn func(i int)) {
	workers := max(1, min(p.Cores, n/minParallel))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if ctx.Err() != nil {
					return
				}
				fn(i)
				if p.Yield {
					runtime.Gosched()
				}
			}
		})
	}
	wg.Wait()
}

// VerifyAll verifies the checks that need it, at pace p.
func VerifyAll(ctx context.Context, checks []SigCheck, p Pace) {
	var todo []int
	for i := range checks {
		if checks[i].Pending() {
			todo = append(todo, i)
		}
	}
	Parallel(ctx, len(todo), p, func(j int) { checks[todo[j]].Verify() })
}

// AuditorOptions configure RunAuditor. The zero value is usable.
type AuditorOptions struct {
	// Every is how often the auditor looks for events besides being woken by each push; default
	// five seconds.
	Every time.Duration
	// Settle is how long the auditor waits, once woken by a push, for the pushes that follow it:
	// one pass then checks them all and commits them together, rather than one commit after
	// every push, which the next pushes would wait behind. Default a quarter of a second.
	Settle time.Duration
	// Batch is how many events of a register one run checks at most; default
	// DefaultAuditBatch.
	Batch int
	// Cores is how many cores the auditor verifies on at most; default all but one, at least
	// one, so that the pushes, which registers wait for, keep a core while it catches up.
	Cores int
	// Log receives the breaks the auditor flags and its errors; nil says nothing.
	Log *slog.Logger
	// Passed, when set, runs after each pass over every register, so that a test can wait for
	// one rather than guess how long it takes.
	Passed func()
}

// AuditPass is one pass of a backend's auditor over every register: runs of at most batch events,
// checked at pace p; flagged hears of each break that is its register's first.
type AuditPass func(ctx context.Context, batch int, p Pace, flagged func(register, first string)) error

// RunAuditor runs pass until ctx ends: at once, o.Settle after wake (a push that brought events)
// and every o.Every in case a wake was missed or another process received the push. It returns
// when ctx is done, with no pass running, so that the caller may then close the central.
func RunAuditor(ctx context.Context, o AuditorOptions, wake <-chan struct{}, pass AuditPass) {
	if o.Every <= 0 {
		o.Every = 5 * time.Second
	}
	if o.Settle <= 0 {
		o.Settle = 250 * time.Millisecond
	}
	if o.Batch <= 0 {
		o.Batch = DefaultAuditBatch
	}
	if o.Cores <= 0 {
		o.Cores = max(1, runtime.GOMAXPROCS(0)-1)
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tick := time.NewTicker(o.Every)
	defer tick.Stop()
	for {
		err := pass(ctx, o.Batch, Pace{Cores: o.Cores, Yield: true}, func(register, first string) {
			// Flagged, never refused, as a link break in a push is: said once, when found.
			log.Warn("register chain broken", "register", register, "first_broken", first)
		})
		if err != nil && ctx.Err() == nil {
			log.Error("central: signature audit", "err", err)
		}
		if o.Passed != nil {
			o.Passed()
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
			settle := time.NewTimer(o.Settle)
			select {
			case <-ctx.Done():
				settle.Stop()
				return
			case <-settle.C:
			}
		case <-tick.C:
		}
	}
}

// AuditRun is what one run of an auditor found over a register's events, to commit.
type AuditRun struct {
	Register string
	// From is the cursor the run started from, Next the audit state after its events, N how
	// many events it went through.
	From uint64
	Next Audit
	N    int
	// BreakSeq and BreakWhat are the first break the run found, BreakSeq 0 when none.
	BreakSeq  uint64
	BreakWhat string
	// More is true when the run stopped before the register's acknowledged sequence (its limit
	// of events or of bytes): the register has another turn.
	More bool
	// Moved and Flagged are what committing it said: another auditor had moved the cursor (and
	// nothing of this run was written), or the run's break is the register's first.
	Moved   bool
	Flagged bool
}

// CheckRun checks a run of n events of a register, those after au's cursor, the last being
// number last, of acked acknowledged: event(i) reads the i-th of them, on every core at pace p, then the run is planned
// in order, its signatures verified at pace p, and what they found tallied. It returns the run to
// commit; a read error, or ctx's end, is returned instead.
func CheckRun(ctx context.Context, register string, au Audit, n int, last, acked uint64, event func(i int) (AuditEvent, error), p Pace) (*AuditRun, error) {
	r := &AuditRun{Register: register, From: au.Checked, Next: au.Clone(), N: n, More: last < acked}
	events := make([]AuditEvent, n)
	errs := make([]error, n)
	Parallel(ctx, n, p, func(i int) { events[i], errs[i] = event(i) })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	checks := r.Next.Plan(events)
	VerifyAll(ctx, checks, p)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.BreakSeq, r.BreakWhat = r.Next.Tally(checks)
	r.Next.Checked = last
	return r, nil
}

// AuditTurns is an auditor's pass over registers, in turns: each turn reads and checks a run of up
// to limit events of each register with some to check (read, nil when it is caught up), and
// commits what the runs found for about limit events at a time, several registers at once, so
// that with many registers pushing a few events each one commit serves them all. A register with
// more to check (its run stopped at a limit of events or of bytes), or whose run another auditor
// overtook, has another turn, until each is caught up with what it had pushed when its turn came. flagged, when set,
// hears of each break that is its register's first. An error with one register does not stop
// the others: they are all returned together.
func AuditTurns(ctx context.Context, registers []string, limit int, read func(register string) (*AuditRun, error),
	commit func(runs []*AuditRun) error, flagged func(register, first string)) error {
	var errs []error
	for len(registers) > 0 {
		var again []string
		var runs []*AuditRun
		total := 0
		flush := func() error {
			if len(runs) == 0 {
				return nil
			}
			if err := commit(runs); err != nil {
				return err
			}
			for _, r := range runs {
				if r.Flagged && flagged != nil {
					flagged(r.Register, r.BreakWhat)
				}
				if r.Moved || r.More {
					again = append(again, r.Register)
				}
			}
			runs, total = runs[:0], 0
			return nil
		}
		for _, reg := range registers {
			r, err := read(reg)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if r == nil {
				continue
			}
			runs, total = append(runs, r), total+r.N
			if total >= limit {
				if err := flush(); err != nil {
					return errors.Join(append(errs, err)...)
				}
			}
		}
		if err := flush(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		registers = again
	}
	return errors.Join(errs...)
}
