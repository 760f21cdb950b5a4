package ui_test

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// statusBar is the last row of the screen.
func statusBar(v string) string {
	rows := strings.Split(v, "\n")
	return rows[len(rows)-1]
}

func TestStatusBar_Sync(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 10, 0, 0, time.Local)
	for _, tc := range []struct {
		name  string
		state ui.SyncState
		want  string
		not   string
	}{
		{"offline", ui.SyncState{Pending: 3}, "○ hors ligne · 3 en attente", "synchro"},
		{"online", ui.SyncState{Online: true, Pending: 3, LastSync: at}, "● en ligne · 3 en attente · synchro 09:10", "horloge"},
		{"clock ahead", ui.SyncState{Online: true, LastSync: at, ClockSkew: -2 * time.Minute}, "· ⚠ horloge décalée", "hors ligne"},
		{"clock within the limit", ui.SyncState{Online: true, ClockSkew: comptoir.ClockSkewLimit}, "● en ligne · 0 en attente", "horloge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, comptoir.LangFR, 80, 24)
			h.send(ui.SyncStateMsg{State: tc.state})
			bar := statusBar(h.view())
			if !strings.Contains(bar, tc.want) || strings.Contains(bar, tc.not) {
				t.Errorf("status bar = %q, want %q and not %q", bar, tc.want, tc.not)
			}
		})
	}
}

func TestManager_SyncNow(t *testing.T) {
	asked := 0
	h := newManagerHarnessPrinter(t, comptoir.LangFR, comptoir.RoleManager, 80, 24, false, func(c *ui.Config) {
		c.SyncNow = func() { asked++ }
	})
	h.press(tea.KeyF5, tea.KeyF12)
	if got, want := asked, 1; got != want {
		t.Fatalf("SyncNow called %d times, want %d", got, want)
	}
	v := h.view()
	if !strings.Contains(v, "synchronisation demandée") || !strings.Contains(v, "synchronisation en cours…") {
		t.Errorf("the screen does not say the sync was asked for and runs:\n%s", v)
	}
	// The loop answers with its state: the menu says when it went through and what stopped it.
	h.send(ui.SyncStateMsg{State: ui.SyncState{Online: true, LastSync: time.Date(2026, 11, 30, 9, 10, 0, 0, time.Local),
		Err: comptoir.E(comptoir.CodeUnauthorized)}})
	v = h.view()
	if !strings.Contains(v, "dernière synchro 2026-11-30 09:10") || !strings.Contains(v, "⚠ "+comptoir.Message(comptoir.E(comptoir.CodeUnauthorized), comptoir.LangFR)[:20]) {
		t.Errorf("the menu does not say the last sync and its error:\n%s", v)
	}
}

// TestManager_SyncNowWithoutCentral says that no central is configured rather than doing nothing.
func TestManager_SyncNowWithoutCentral(t *testing.T) {
	h := newManagerHarness(t, comptoir.LangEN, comptoir.RoleManager, 80, 24)
	h.press(tea.KeyF5, tea.KeyF12)
	if v := h.view(); !strings.Contains(v, "the central's address is unknown") {
		t.Errorf("F12 without a central does not say so:\n%s", v)
	}
}

// TestMember_Remote attaches a member of another shop: named by what they are, with the chain's
// balance, never a masked name that would look like a member of this shop with a blank file.
func TestMember_Remote(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(cardRemote)
	v := h.view()
	contains(t, "the sale screen", v, "MEMBRE   membre d'un autre magasin  ·  340 pts")
	contains(t, "the sale screen", v, "✓ membre d'un autre magasin attaché au ticket : 340 points")
	h.send(key(tea.KeyF2))
	v = h.view()
	if strings.Contains(v, "Nom :") || strings.Contains(v, "données masquées") {
		t.Errorf("the panel shows personal data rows for a member of another shop:\n%s", v)
	}
	contains(t, "the member panel", v, "SMS           oui   d'après la centrale")
}
