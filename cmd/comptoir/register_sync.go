package main

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
	"github.com/comptoir/comptoir/ui"
)

// registerSync is the register's background sync: the loop over the store the screens use (the
// database is locked by the process, so the sync cannot run in another one), and what stopped it
// from starting.
type registerSync struct {
	loop *syncer.Loop
	done <-chan struct{}
	// err is why the sync could not start although a central is configured (a token file
	// others can read, no token): the manager screen says it.
	err error
	// lastErr is the last error logged, so that a central offline for a day writes one line,
	// not one every half minute.
	lastErr string
}

// prepareSync builds the background sync when a central is configured, in the environment
// (COMPTOIR_CENTRAL, COMPTOIR_TOKEN, COMPTOIR_CA_FILE) or in the shop's settings (sync.central,
// sync.token-file, which comptoir sync remembers). Without a central the register works alone,
// as before, and says it is offline.
func (r *register) prepareSync(set comptoir.SyncSettings) {
	t, err := r.e.resolveSync(syncFlags{}, set)
	if errors.Is(err, comptoir.E(comptoir.CodeNoCentral)) {
		return
	}
	var c *syncer.Client
	if err == nil {
		c, err = t.client(r.e.cfg.lang)
	}
	var sy *syncer.Syncer
	if err == nil {
		sy, err = r.e.newSyncer(r.ctx, r.store, c)
	}
	if err != nil {
		r.sync.err = err
		r.log.Printf("sync not started: %s", comptoir.Message(err, comptoir.LangEN))
		return
	}
	// What the Syncer says on its own (a change of the feed skipped, the feed read again from
	// its beginning) goes to the register's log, in turn with the other writers.
	sy.Logf = func(format string, args ...any) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.log.Printf(format, args...)
	}
	r.sync.loop = syncer.NewLoop(sy, syncer.DefaultEvery, nil)
	r.log.Printf("sync with %s every %s", c.BaseURL, syncer.DefaultEvery)
}

// startSync starts the background loop, publishing its state to the program's status bar.
func (r *register) startSync(p *tea.Program) {
	if r.sync.loop == nil {
		return
	}
	r.sync.loop.OnState = func(st syncer.State) {
		r.logSync(st)
		p.Send(ui.SyncStateMsg{State: uiSyncState(st)})
	}
	r.sync.done = r.sync.loop.Start(r.ctx)
}

// stopSync waits for the loop to end once the register's context is cancelled, so that the
// store is closed only after the sync let go of it.
func (r *register) stopSync() {
	if r.sync.done != nil {
		<-r.sync.done
	}
}

// logSync writes a sync's error in the register's log when it changed, and its end.
func (r *register) logSync(st syncer.State) {
	if st.Running {
		return
	}
	msg := ""
	if st.LastError != nil {
		msg = comptoir.Message(st.LastError, comptoir.LangEN)
	}
	if msg == r.sync.lastErr {
		return
	}
	r.sync.lastErr = msg
	// An anomaly (a file restored from an old backup, a central that disagrees on an event, a
	// record altered on the disk) is a technical event too, once each time it appears.
	var lerr error
	if isSyncAnomaly(st.LastError) {
		lerr = r.store.LogEvent(context.WithoutCancel(r.ctx), comptoir.TechSyncAnomaly, "", "stopped: "+msg)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if lerr != nil {
		r.log.Printf("sync anomaly not recorded in the technical event log: %s", comptoir.Message(lerr, comptoir.LangEN))
	}
	if msg == "" {
		r.log.Printf("sync: back to normal, %d events waiting", st.Pending)
		return
	}
	r.log.Printf("sync: %s", msg)
}

// uiSyncState is what the screens show of the sync's state.
func uiSyncState(st syncer.State) ui.SyncState {
	last := st.LastSuccess
	if st.LastPull.After(last) {
		last = st.LastPull
	}
	return ui.SyncState{Online: st.Online, Pending: st.Pending, LastSync: last, Running: st.Running,
		Err: st.LastError, ClockSkew: st.ClockSkew}
}

// syncState is the state the screens start with: the reason the sync could not start, if any.
func (r *register) syncState(pending int) ui.SyncState {
	return ui.SyncState{Pending: pending, Err: r.sync.err, LastSync: time.Time{}}
}
