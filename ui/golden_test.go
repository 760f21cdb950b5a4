package ui_test

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// TestView_Golden draws each screen in French and English at 80×24 and at one larger size,
// against testdata/TestView_Golden/*.golden (go test ./ui -update rewrites them).
func TestView_Golden(t *testing.T) {
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}}
	// Each screen's golden file must hold its mark in its language, so that -update cannot bless
	// a screen that lost what it is for.
	screens := []struct {
		name   string
		fr, en string
		do     func(h *harness)
	}{
		{"sale_empty", "Scannez un article", "Scan an item", func(h *harness) {}},
		{"sale", "TOTAL  23,85 €", "TOTAL  €23.85", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys("2*" + biscuits)
			h.scanKeys(soda)
			h.scanKeys(coffee)
			h.send(key(tea.KeyUp))
			h.scanKeys(unknown)
		}},
		{"sale_quantity", "Quantité : 4_", "Quantity: 4_", func(h *harness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyF3))
			h.typeText("4")
		}},
		{"sale_quit", "Ctrl+C encore une fois pour quitter", "Ctrl+C again to quit", func(h *harness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyCtrlC))
		}},
		{"help", "Pg suiv. page suivante", "PgDn   next page", func(h *harness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyF1))
		}},
		{"payment_split", "RESTE                           8,85 €", "LEFT                             €8.85", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys(coffee)
			h.send(key(tea.KeyEnter))
			h.typeText("10")
			h.send(key(tea.KeyF6))
		}},
		{"payment_change", "RENDU", "CHANGE", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys(coffee)
			h.send(key(tea.KeyEnter))
			h.scanKeys("50")
		}},
		{"member_header", "MEMBRE   Z*** H***  ·  1 240 pts", "MEMBER   Z*** H***  ·  1,240 pts", func(h *harness) {
			h.scanKeys(coffee)
			h.scanKeys(cardZoe)
		}},
		{"member_panel", "Entrée oui ↔ non", "Enter yes ↔ no", func(h *harness) {
			h.scanKeys(cardZoe)
			h.send(key(tea.KeyF2))
			h.send(key(tea.KeyDown))
			h.send(key(tea.KeyEnter))
		}},
		{"member_remote", "membre d'un autre magasin", "member from another shop", func(h *harness) {
			h.scanKeys(cardRemote)
			h.send(key(tea.KeyF2))
		}},
		{"enrol_notice", "Conservation : 3 ans", "Retention: 3 years", func(h *harness) {
			h.scanKeys(cardUnknown)
			h.send(key(tea.KeyF2))
		}},
		{"enrol_consent", "Aucune réponse n'est choisie d'avance", "No answer is chosen beforehand", func(h *harness) {
			h.send(key(tea.KeyF2))
			fillIdentity(h, "Léa", "Martin", "lea@exemple.fr")
			answer(h, true)
		}},
		{"receipt_question", "Ticket ? aucun par défaut", "Receipt? none by default", func(h *harness) {
			h.scanKeys(coffee)
			h.send(key(tea.KeyEnter))
			h.scanKeys("20")
		}},
		{"sale_online", "● en ligne · 3 en attente · synchro 09:10", "● online · 3 waiting · synced 09:10", func(h *harness) {
			h.scanKeys(nutella)
			h.send(ui.SyncStateMsg{State: ui.SyncState{Online: true, Pending: 3, LastSync: time.Date(2026, 11, 30, 9, 10, 0, 0, time.Local)}})
		}},
		{"sale_skew", "⚠ horloge décalée", "⚠ clock off", func(h *harness) {
			h.send(ui.SyncStateMsg{State: ui.SyncState{Online: true, LastSync: time.Date(2026, 11, 30, 9, 10, 0, 0, time.Local),
				ClockSkew: 3 * time.Minute}})
		}},
		{"payment_points", "Points (200)", "Points (200)", func(h *harness) {
			h.scanKeys(coffee)
			h.scanKeys(cardZoe)
			h.send(key(tea.KeyEnter))
			h.send(key(tea.KeyF9))
		}},
	}
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, size := range sizes {
			for _, s := range screens {
				t.Run(string(lang)+"_"+size.name+"_"+s.name, func(t *testing.T) {
					h := newHarness(t, lang, size.w, size.h)
					s.do(h)
					checkScreen(t, h.view(), lang, s.fr, s.en, size.w, size.h)
				})
			}
		}
	}
}

// containsMark checks that a screen drawn for a golden file holds its mark. At 80×24 the mark
// must be there as written; a larger screen spaces columns and wraps sentences differently, so
// there the mark's words must be there in order, whatever spaces and line breaks lie between.
func containsMark(tb testing.TB, v, want string, w int) {
	tb.Helper()
	if w == 80 {
		contains(tb, "the view", v, want)
		return
	}
	if words := strings.Join(strings.Fields(want), " "); !strings.Contains(strings.Join(strings.Fields(v), " "), words) {
		tb.Errorf("the view does not hold the words %q:\n%s", words, v)
	}
}

// checkScreen checks a screen before its golden file: it shows its mark in the language (so that
// -update cannot bless a broken screen), fills exactly the size asked, and equals the golden.
func checkScreen(t *testing.T, v string, lang comptoir.Lang, fr, en string, w, h int) {
	t.Helper()
	want := fr
	if lang == comptoir.LangEN {
		want = en
	}
	containsMark(t, v, want, w)
	rows := strings.Split(v, "\n")
	if got := len(rows); got != h {
		t.Errorf("%d rows, want %d", got, h)
	}
	for i, r := range rows {
		if got := lipgloss.Width(r); got != w {
			t.Errorf("row %d is %d cells wide, want %d: %q", i, got, w, r)
		}
	}
	golden.RequireEqual(t, []byte(v))
}
