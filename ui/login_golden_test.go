package ui_test

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// TestLoginView_Golden draws the login screens in French and English at 80×24 and 120×40, against testdata/TestLoginView_Golden/*.golden (go test ./ui -update rewrites them).
func TestLoginView_Golden(t *testing.T) {
	screens := []struct {
		name   string
		fr, en string
		// first plays a database on which the first manager was just created.
		first bool
		do    func(h *loginHarness)
	}{
		{"first_use", "identifiant « gerant », code PIN 318 204", `First use: ID "gerant", PIN 318 204`, true,
			func(h *loginHarness) { h.send(runes("ger")) }},
		{"refused", "✗ identifiant ou code PIN incorrect", "✗ wrong ID or PIN", false,
			func(h *loginHarness) { h.login("camille", "1111") }},
		{"locked", "réessayez dans 1 min", "try again in 1 min", false, func(h *loginHarness) {
			h.send(runes("camille"), key(tea.KeyEnter))
			for range comptoir.MaxPINFailures {
				h.send(runes("9999"), key(tea.KeyEnter))
			}
		}},
		{"new_pin", "✗ les deux saisies du code PIN diffèrent", "✗ the two PINs typed differ", true, func(h *loginHarness) {
			h.login("gerant", "318204")
			h.send(runes("4826"), key(tea.KeyEnter), runes("4827"), key(tea.KeyEnter), runes("48"))
		}},
		{"new_pin_trivial", "(1212) ; choisissez-en un autre", "(1212); choose another", true, func(h *loginHarness) {
			h.login("gerant", "318204")
			h.send(runes("1212"), key(tea.KeyEnter))
		}},
		{"sale_logged_in", "Comptoir · R1 · camille (caissier)", "Comptoir · R1 · camille (cashier)", false, func(h *loginHarness) {
			h.login("camille", "4826")
			h.scanKeys(nutella)
			h.send(key(tea.KeyF1))
		}},
	}
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}}
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, size := range sizes {
			for _, s := range screens {
				t.Run(string(lang)+"_"+size.name+"_"+s.name, func(t *testing.T) {
					users := someUsers()
					pin := ""
					if s.first {
						users = newUsers()
						pin, _ = users.EnsureFirstManager(t.Context())
					}
					h := newLoginHarness(t, lang, users, pin, size.w, size.h)
					s.do(h)
					checkScreen(t, h.view(), lang, s.fr, s.en, size.w, size.h)
				})
			}
		}
	}
}
