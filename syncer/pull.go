package syncer

import (
	"context"
	"errors"
	"time"

	"github.com/comptoir/comptoir"
)

// pull sets the register up when it needs to, then applies the change feed page after page from
// the stored cursor until the central says no more wait. Each page and its cursor are stored in
// one transaction by the Feed, so that a run cut in the middle resumes after the last page
// applied and never applies one twice.
//
// A cursor the central refuses as past the end of its feed or as not its own (a central put back
// from a backup, or replaced) makes the pull start again from the beginning, once a run:
// applying a change twice does no harm, and skipping what the central holds would. Once the
// pages are applied, a Feed that can (a Compactor) compacts its file if they erased members,
// once for the whole pull.
func (s *Syncer) pull(ctx context.Context, rep *Report) (err error) {
	central := s.feed()
	if central == nil {
		// A Central that only pushes (an older client, a test's recorder): nothing to pull.
		return nil
	}
	if err := s.setup(ctx, central, rep); err != nil {
		return err
	}
	cursor, err := s.Feed.Cursor(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if rep.Pages > 0 {
			if cerr := s.compact(ctx, rep); err == nil {
				err = cerr
			}
		}
	}()
	for {
		var page comptoir.ChangesPage
		err := s.retry(ctx, func() error {
			var err error
			page, err = central.Changes(ctx, s.Register, cursor, s.pageSize())
			return err
		})
		if cursor != "" && !rep.Restarted && (errors.Is(err, comptoir.E(comptoir.CodeCursorAhead)) ||
			errors.Is(err, comptoir.E(comptoir.CodeInvalidCursor))) {
			rep.Restarted = true
			s.logf("sync: %s; reading the central's changes again from the beginning", comptoir.Message(err, comptoir.LangEN))
			cursor = ""
			continue
		}
		if err != nil {
			return err
		}
		s.noteClock(page.Now)
		skipped, err := s.apply(ctx, page)
		if err != nil {
			return err
		}
		for _, e := range skipped {
			s.logf("sync: %s", comptoir.Message(e, comptoir.LangEN))
		}
		rep.Skipped += len(skipped)
		rep.Changes += len(page.Changes) - len(skipped)
		rep.Pages++
		if !page.More {
			break
		}
		if page.Next == cursor {
			// More is promised from the very cursor just given: asking again would get the same
			// page forever. Stop and say so rather than loop.
			return comptoir.E(comptoir.CodeFeedStuck, cursor)
		}
		cursor = page.Next
	}
	rep.Pulled = true
	s.mu.Lock()
	s.state.LastPull = s.now()
	s.mu.Unlock()
	return nil
}

// setup asks the central for the register's keys and card block when the register's file holds
// none, and on this Syncer's first run in any case: the set-up is idempotent at the central, and
// making it once per process tells the central a demo at once and notices a changed central key
// before any personal data is sealed to it.
func (s *Syncer) setup(ctx context.Context, central comptoir.CentralFeed, rep *Report) error {
	_, ok, err := s.Feed.SyncSetup(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	done := s.setUp
	s.mu.Unlock()
	if ok && done {
		return nil
	}
	var st comptoir.Setup
	req := comptoir.SetupRequest{Demo: s.Demo, Software: s.Software}
	err = s.retry(ctx, func() error {
		var err error
		st, err = central.Setup(ctx, s.Register, req)
		return err
	})
	if err != nil {
		return err
	}
	if st.Register != "" && st.Register != s.Register {
		// The token speaks for another register: applying its keys and cards here would
		// issue that register's card numbers twice.
		return comptoir.E(comptoir.CodeForbiddenRegister, s.Register)
	}
	s.noteClock(st.Now)
	if err := s.Feed.ApplySetup(ctx, st); err != nil {
		return err
	}
	if err := s.checkAcked(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	s.setUp = true
	s.mu.Unlock()
	rep.SetUp = true
	return nil
}

// PageApplier is a Feed that applies a page leaving out the changes it cannot use, and says
// which (each a comptoir.CodeChangeSkipped with its cause); *store.Store is one. The Syncer counts
// and logs them; a Feed that is not one refuses such a page whole through ApplyChanges.
type PageApplier interface {
	ApplyPage(ctx context.Context, page comptoir.ChangesPage) (skipped []error, err error)
}

// Compactor is a Feed whose erasures leave the compaction of its file pending; *store.Store is
// one. The Syncer asks it once at the end of a pull, rather than the Feed compacting after every
// page that erased someone.
type Compactor interface {
	CompactIfPending(ctx context.Context) (bool, error)
}

// apply applies a page through the Feed, skipping the changes it cannot use when it can.
func (s *Syncer) apply(ctx context.Context, page comptoir.ChangesPage) ([]error, error) {
	if pa, ok := s.Feed.(PageApplier); ok {
		return pa.ApplyPage(ctx, page)
	}
	return nil, s.Feed.ApplyChanges(ctx, page)
}

// compact has the Feed compact its file when the pull's erasures left that pending. A failure is
// the run's error, the pages staying applied: the mark stays, and the next run tries again.
func (s *Syncer) compact(ctx context.Context, rep *Report) error {
	c, ok := s.Feed.(Compactor)
	if !ok {
		return nil
	}
	done, err := c.CompactIfPending(ctx)
	rep.Compacted = done && err == nil
	if err != nil {
		s.logf("sync: %s", comptoir.Message(err, comptoir.LangEN))
	}
	return err
}

// noteClock records how far the central's clock is from the register's, from the time the
// central put in its answer. The answer's travel time is part of the measure; it is far below
// the minute a warning needs.
func (s *Syncer) noteClock(central time.Time) {
	if central.IsZero() {
		return
	}
	skew := central.Sub(s.now())
	s.mu.Lock()
	s.state.ClockSkew = skew
	s.mu.Unlock()
}

// feed is what the pull asks: Pull, or Central when it serves the feed too.
func (s *Syncer) feed() comptoir.CentralFeed {
	if s.Pull != nil {
		return s.Pull
	}
	if f, ok := s.Central.(comptoir.CentralFeed); ok {
		return f
	}
	return nil
}

func (s *Syncer) pageSize() int {
	if s.PageSize > 0 && s.PageSize <= comptoir.MaxChangesPage {
		return s.PageSize
	}
	return comptoir.MaxChangesPage
}

// NeedsPerson reports whether a run's error will not go away by syncing again: a register
// restored from an old backup or diverged from what the central holds, a central that lost data,
// a changed central key, a token refused, a feed that does not move. The background loop stops
// its periodic runs on one, until someone asks for a sync: repeating the same refusal every half
// minute would fill the log and change nothing.
func NeedsPerson(err error) bool {
	for _, code := range []comptoir.Code{
		comptoir.CodeRegisterBehindCentral, comptoir.CodeRegisterDiverged, comptoir.CodeCentralBehind,
		comptoir.CodeCentralKeyChanged, comptoir.CodeCentralKeyInvalid, comptoir.CodeUnauthorized,
		comptoir.CodeForbiddenRegister, comptoir.CodeFeedStuck, comptoir.CodeInvalidChange, comptoir.CodeMalformedPage,
		comptoir.CodeAnswerTooLarge,
	} {
		if errors.Is(err, comptoir.E(code)) {
			return true
		}
	}
	return false
}

// registerReader is a central that says what it holds of a register; *Client is one.
type registerReader interface {
	Register(ctx context.Context, register string) (comptoir.RegisterSummary, error)
}

// checkAcked asks the central how far it acknowledged this register and acknowledges as much
// here. A register restored from a backup taken after a sync has nothing to send, so no push is
// refused to tell it that the central holds events past its file's last number: this does, with
// CodeRegisterBehindCentral, before anything is pulled into the file or sold on it. Otherwise it
// drops only what the central already holds (an answer lost on the way).
func (s *Syncer) checkAcked(ctx context.Context) error {
	rr, ok := s.Central.(registerReader)
	if !ok {
		return nil
	}
	var sum comptoir.RegisterSummary
	err := s.retry(ctx, func() error {
		var err error
		sum, err = rr.Register(ctx, s.Register)
		return err
	})
	switch {
	case errors.Is(err, comptoir.E(comptoir.CodeUnknownRegisterCentral)):
		return nil // The central never received anything from this register.
	case err != nil:
		return err
	case sum.AckedSeq == 0:
		return nil
	}
	_, err = s.Outbox.AckOutbox(ctx, sum.AckedSeq)
	return err
}
