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
func (s *Syncer) pull(ctx context.Context, rep *Report) error {
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
	for {
		var page comptoir.ChangesPage
		err := s.retry(ctx, func() error {
			var err error
			page, err = central.Changes(ctx, s.Register, cursor, s.pageSize())
			return err
		})
		if err != nil {
			return err
		}
		s.noteClock(page.Now)
		if err := s.Feed.ApplyChanges(ctx, page); err != nil {
			return err
		}
		rep.Changes += len(page.Changes)
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
	s.mu.Lock()
	s.setUp = true
	s.mu.Unlock()
	rep.SetUp = true
	return nil
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
		comptoir.CodeForbiddenRegister, comptoir.CodeFeedStuck,
	} {
		if errors.Is(err, comptoir.E(code)) {
			return true
		}
	}
	return false
}
