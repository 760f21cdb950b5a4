package ui_test

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/comptoir/comptoir"
)

// TestView_Golden draws each screen in French and English at 80×24 and at one larger size,
// against testdata/TestView_Golden/*.golden (go test ./ui -update rewrites them).
func TestView_Golden(t *testing.T) {
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}}
	screens := []struct {
		name string
		do   func(h *harness)
	}{
		{"sale_empty", func(h *harness) {}},
		{"sale", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys("2*" + biscuits)
			h.scanKeys(soda)
			h.scanKeys(coffee)
			h.send(key(tea.KeyUp))
			h.scanKeys(unknown)
		}},
		{"sale_quantity", func(h *harness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyF3))
			h.typeText("4")
		}},
		{"sale_quit", func(h *harness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyCtrlC))
		}},
		{"help", func(h *harness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyF1))
		}},
		{"payment_split", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys(coffee)
			h.send(key(tea.KeyEnter))
			h.typeText("10")
			h.send(key(tea.KeyF6))
		}},
		{"payment_change", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys(coffee)
			h.send(key(tea.KeyEnter))
			h.scanKeys("50")
		}},
	}
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, size := range sizes {
			for _, s := range screens {
				if size.w != 80 && s.name != "sale" && s.name != "payment_change" {
					continue
				}
				t.Run(string(lang)+"_"+size.name+"_"+s.name, func(t *testing.T) {
					h := newHarness(t, lang, size.w, size.h)
					s.do(h)
					golden.RequireEqual(t, []byte(h.view()))
				})
			}
		}
	}
}
