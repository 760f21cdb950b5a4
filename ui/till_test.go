package ui_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// TestTill_VoidsGoToTheAuditTrail checks that every line taken off the ticket, whole or in part,
// is written in the audit trail in the cashier's name, with its code, quantity and amount.
func TestTill_VoidsGoToTheAuditTrail(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys("5*" + nutella)
	h.typeText("2")
	h.send(key(tea.KeyF3))     // 5 → 2: three voided
	h.send(key(tea.KeyDelete)) // the 2 left
	var got []string
	for _, e := range h.till.voids {
		if e.Who != "Camille" {
			t.Errorf("a void is recorded as %q, want Camille", e.Who)
		}
		got = append(got, e.DetailIn(comptoir.LangFR))
	}
	want := []string{nutella + " × 3, 11,85 €", nutella + " × 2, 7,90 €"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("voids recorded = %q, want %q", got, want)
	}
}

// TestTill_RaisingAQuantityVoidsNothing checks that only what is taken off is recorded.
func TestTill_RaisingAQuantityVoidsNothing(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(nutella)
	h.typeText("4")
	h.send(key(tea.KeyF3))
	if got := len(h.till.voids); got != 0 {
		t.Errorf("%d voids recorded for a quantity raised", got)
	}
}

// TestTill_DraftArrivingLateIsKept checks that a kept ticket arriving after another was begun is
// taken back in front of the new lines: nothing is dropped, and nothing is recorded as abandoned,
// since no line left the ticket.
func TestTill_DraftArrivingLateIsKept(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.drafts.lines = []comptoir.Line{comptoir.LineFor(comptoir.Product{GTIN: coffee, Price: comptoir.Euros(14, 90)}, 2)}
	// The login's command (which takes the draft back) is held while a code is scanned, as when
	// the disk is slow and the cashier quick.
	_, takeDraft := h.m.Update(ui.LoggedInMsg{User: comptoir.User{ID: "camille", Role: comptoir.RoleCashier}})
	h.scanKeys(nutella)
	h.send(takeDraft())
	if got := len(h.till.abandons); got != 0 {
		t.Errorf("abandons recorded = %d, want none", got)
	}
	if got := h.lines(); len(got) != 2 || got[0].GTIN != coffee || got[1].GTIN != nutella {
		t.Errorf("ticket = %+v, want the kept line then the new one", got)
	}
	contains(t, "the sale", h.view(), "repris")
}

// TestTill_DraftTakenBackIsNoAbandon checks that a kept ticket taken back records nothing.
func TestTill_DraftTakenBackIsNoAbandon(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.drafts.lines = []comptoir.Line{comptoir.LineFor(comptoir.Product{GTIN: coffee, Price: comptoir.Euros(14, 90)}, 2)}
	h.send(ui.LoggedInMsg{User: comptoir.User{ID: "camille", Role: comptoir.RoleCashier}})
	if got := len(h.till.abandons); got != 0 {
		t.Errorf("%d abandons recorded for a draft taken back", got)
	}
	if got := len(h.lines()); got != 1 {
		t.Errorf("ticket has %d lines, want the draft's 1", got)
	}
}

// TestTill_OnePointIsSingular checks the points said after a ticket: "+1 point", not "+1 points".
func TestTill_OnePointIsSingular(t *testing.T) {
	for _, tt := range []struct {
		lang comptoir.Lang
		want string
	}{{comptoir.LangFR, "enregistré · +1 point"}, {comptoir.LangEN, "· +1 point"}} {
		h := newHarness(t, tt.lang, 80, 24)
		h.scanKeys(biscuits)
		h.scanKeys(cardZoe)
		h.send(key(tea.KeyEnter))
		h.send(key(tea.KeyEnter))
		v := h.view()
		contains(t, "the receipt question", v, tt.want)
		if strings.Contains(v, "+1 points") {
			t.Errorf("the view says +1 points:\n%s", v)
		}
	}
}

func TestTill_AbandonKey(t *testing.T) {
	tests := []struct {
		name string
		keys []tea.KeyType
		// lines is how many lines the ticket keeps; abandons how many abandons are recorded.
		lines, abandons int
		want            string
	}{
		{"a first Ctrl+X asks and changes nothing", []tea.KeyType{tea.KeyCtrlX}, 2, 0, "abandonner ce ticket (18,85 €) ? Ctrl+X : oui · autre touche : non"},
		{"a second Ctrl+X abandons and records", []tea.KeyType{tea.KeyCtrlX, tea.KeyCtrlX}, 0, 1, "✓ ticket de 18,85 € abandonné, inscrit au journal d'audit"},
		{"another key keeps the ticket", []tea.KeyType{tea.KeyCtrlX, tea.KeyDown, tea.KeyCtrlX}, 2, 0, "Ctrl+X : oui"},
		{"Ctrl+C in between calls it off", []tea.KeyType{tea.KeyCtrlX, tea.KeyCtrlC, tea.KeyCtrlX}, 2, 0, "Ctrl+X : oui"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, comptoir.LangFR, 80, 24)
			h.scanKeys(nutella)
			h.scanKeys(coffee)
			for _, k := range tt.keys {
				h.send(key(k))
			}
			if got := len(h.lines()); got != tt.lines {
				t.Errorf("ticket has %d lines, want %d", got, tt.lines)
			}
			if got := len(h.till.abandons); got != tt.abandons {
				t.Errorf("%d abandons recorded, want %d", got, tt.abandons)
			}
			contains(t, "the sale", h.view(), tt.want)
		})
	}
}

func TestTill_AbandonEmptyTicketIsRefused(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.send(key(tea.KeyCtrlX))
	contains(t, "the sale", h.view(), "✗ ")
	if got := len(h.till.abandons); got != 0 {
		t.Errorf("%d abandons recorded for an empty ticket", got)
	}
}

func TestTill_AbandonTakesTheMemberOff(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(nutella)
	h.scanKeys(cardZoe)
	contains(t, "the sale with a member", h.view(), "MEMBRE")
	h.send(key(tea.KeyCtrlX), key(tea.KeyCtrlX))
	if strings.Contains(h.view(), "MEMBRE") {
		t.Errorf("the member is still on the next ticket:\n%s", h.view())
	}
}

// TestTill_TrainingRecordsNothing checks that voids and abandons of training tickets, which are
// counted nowhere, stay out of the audit trail.
func TestTill_TrainingRecordsNothing(t *testing.T) {
	h := newManagerHarness(t, comptoir.LangFR, comptoir.RoleManager, 80, 24)
	h.press(tea.KeyF5, tea.KeyF6, tea.KeyEsc)
	contains(t, "the sale", h.view(), "FORMATION")
	h.scanKeys("2*" + nutella)
	h.send(key(tea.KeyDelete))
	h.scanKeys(coffee)
	h.send(key(tea.KeyCtrlX), key(tea.KeyCtrlX))
	if len(h.till.voids) != 0 || len(h.till.abandons) != 0 {
		t.Errorf("training recorded voids %v and abandons %v", h.till.voids, h.till.abandons)
	}
	if got := len(h.lines()); got != 0 {
		t.Errorf("the training ticket kept %d lines after Ctrl+X twice", got)
	}
}
