package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

// downUntil plays a central that is not started yet: until up is set, every connection is cut
// before an answer, as a machine that refuses or drops it would.
func downUntil(up *atomic.Bool) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if up.Load() {
				h.ServeHTTP(w, r)
				return
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
	}
}

// TestRegister_SyncGoesOnline runs the register's screens with a central configured in the
// environment while the central is down: the status bar says offline and the log says why;
// once the central is up, the next run of the background loop sends everything and the status
// bar says online. Quitting stops the loop before the store is closed.
func TestRegister_SyncGoesOnline(t *testing.T) {
	var up atomic.Bool
	url, central := startCentralWith(t, store.CentralOptions{}, downUntil(&up))
	db := demoDB(t, "6")
	e := registerEnv(db, map[string]string{"COMPTOIR_CENTRAL": url, "COMPTOIR_TOKEN": syncToken})
	// The loop's retries wait on the test, not on a clock.
	e.sleep = func(context.Context, time.Duration) error { return nil }
	r, err := openRegister(e, registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if r.sync.loop == nil {
		t.Fatal("no background sync although a central is configured")
	}
	ticks := make(chan time.Time)
	r.sync.loop.Ticks = ticks
	var out syncBuffer
	model := r.model()
	p := tea.NewProgram(model, tea.WithInput(nil), tea.WithOutput(&out), tea.WithoutSignalHandler())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := p.Run(); err != nil {
			t.Errorf("the program failed: %v", err)
		}
	}()
	p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	r.startSync(p)
	logHas := func(s string) func() bool {
		return func() bool {
			b, _ := os.ReadFile(db + ".log")
			return bytes.Contains(b, []byte(s))
		}
	}
	waitUntil(t, "the status bar to say offline", func() bool { return strings.Contains(out.String(), "○ hors ligne") })
	waitUntil(t, "the log to say the central cannot be reached", logHas("cannot be reached"))
	if strings.Contains(out.String(), "● en ligne") {
		t.Fatal("the status bar says online while the central is down")
	}

	up.Store(true)
	ticks <- time.Now()
	waitUntil(t, "the status bar to say online", func() bool { return strings.Contains(out.String(), "● en ligne · 0 en attente · synchro") })
	waitUntil(t, "the log to say the sync is back", logHas("sync: back to normal"))

	p.Quit()
	<-done
	if _, err := r.close(model); err != nil {
		t.Fatal(err)
	}
	sum, err := central.Register(context.Background(), "R1")
	if err != nil || !sum.ChainOK || sum.Tickets != 6 || !sum.Demo {
		t.Errorf("central summary = %+v, %v; want the 6 demo tickets, chain intact, a demo", sum, err)
	}
}

// TestRegister_SyncSettings starts the background sync from the settings comptoir sync
// remembered, and says in the manager's words why it cannot start when the token file is gone.
func TestRegister_SyncSettings(t *testing.T) {
	url, _ := startCentral(t)
	db := demoDB(t, "2")
	tok := tokenFile(t, syncToken, 0o600)
	var waits []time.Duration
	if r := runSyncCmd(t, nil, &waits, "--db", db, "sync", "--central", url, "--token-file", tok); r.code != exitOK {
		t.Fatalf("sync: exit %d, stderr %q", r.code, r.stderr)
	}
	r, err := openRegister(registerEnv(db, nil), registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if r.sync.loop == nil || r.sync.err != nil {
		t.Errorf("loop %v, error %v; want the sync prepared from the settings", r.sync.loop, r.sync.err)
	}
	r.close(nil)

	if err := os.Remove(tok); err != nil {
		t.Fatal(err)
	}
	r, err = openRegister(registerEnv(db, nil), registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close(nil)
	if r.sync.loop != nil || r.sync.err == nil {
		t.Errorf("loop %v, error %v; want no loop and why", r.sync.loop, r.sync.err)
	}
	if st := r.syncState(0); st.Err == nil {
		t.Error("the screens are not told why the sync did not start")
	}
}

// TestRegister_NoCentralNoSync keeps a register without a central working alone, as before.
func TestRegister_NoCentralNoSync(t *testing.T) {
	r, err := openRegister(registerEnv(demoDB(t, "2"), nil), registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close(nil)
	if r.sync.loop != nil || r.sync.err != nil {
		t.Errorf("loop %v, error %v; want neither without a central", r.sync.loop, r.sync.err)
	}
}

// TestRegister_SyncAnomalyRecorded records a background sync's anomaly in the technical event log
// once, however many runs meet it, and an unreachable central not at all: that is the network, not
// the journal.
func TestRegister_SyncAnomalyRecorded(t *testing.T) {
	db := demoDB(t, "2")
	r, err := openRegister(registerEnv(db, nil), registerFlags{})
	if err != nil {
		t.Fatal(err)
	}
	diverged := comptoir.E(comptoir.CodeRegisterDiverged, 3, 5)
	for _, st := range []syncer.State{{LastError: comptoir.E(comptoir.CodeCentralUnreachable, "http://central")},
		{LastError: diverged}, {LastError: diverged}, {}} {
		r.logSync(st)
	}
	if _, err := r.close(nil); err != nil {
		t.Fatal(err)
	}
	got := eventsOf(techEvents(t, db), comptoir.TechSyncAnomaly)
	if len(got) != 1 || got[0].Detail != "stopped: "+diverged.Message(comptoir.LangEN) {
		t.Errorf("sync anomalies recorded: %+v, want the divergence once", got)
	}
}
