package ui_test

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	bkey "github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
	"github.com/muesli/termenv"
)

// TestKeyMap_NoPrintableKeys holds the key contract: no action sits on a printable character,
// since a keyboard-mode scanner types on the screens where the actions are. Every binding also
// has its help in both languages.
func TestKeyMap_NoPrintableKeys(t *testing.T) {
	fr, en := ui.NewKeyMap(comptoir.LangFR), ui.NewKeyMap(comptoir.LangEN)
	vf, ve := reflect.ValueOf(fr).Elem(), reflect.ValueOf(en).Elem()
	if vf.NumField() < 10 {
		t.Fatalf("the key map has %d bindings, expected more", vf.NumField())
	}
	for i := 0; i < vf.NumField(); i++ {
		name := vf.Type().Field(i).Name
		bf, be := vf.Field(i).Interface().(bkey.Binding), ve.Field(i).Interface().(bkey.Binding)
		for _, k := range bf.Keys() {
			if utf8.RuneCountInString(k) == 1 || k == "space" {
				t.Errorf("%s is on the printable key %q", name, k)
			}
		}
		if bf.Help().Key == "" || bf.Help().Desc == "" || be.Help().Desc == "" {
			t.Errorf("%s has no help", name)
		}
		if !strings.HasPrefix(bf.Help().Key, "F") && !strings.HasPrefix(bf.Help().Key, "Ctrl") && bf.Help().Desc == be.Help().Desc {
			t.Errorf("%s: the same help in French and English: %q", name, bf.Help().Desc)
		}
	}
}

// TestStyles_NoColor checks that without colour the styles write no colour, even on a terminal
// that has them, and that with colour they do.
func TestStyles_NoColor(t *testing.T) {
	if ui.ColorAllowed(func(string) string { return "1" }) {
		t.Error("NO_COLOR=1 allows colour")
	}
	if !ui.ColorAllowed(func(string) string { return "" }) {
		t.Error("no NO_COLOR forbids colour")
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	if got := ui.NewStyles(r, false).Refused.Render("x"); strings.Contains(got, "[3") || strings.Contains(got, ";3") {
		t.Errorf("a refusal without colour renders %q", got)
	}
	if got := ui.NewStyles(r, true).Refused.Render("x"); !strings.Contains(got, "\x1b[") {
		t.Errorf("a refusal with colour renders %q", got)
	}
}

// TestView_Marks shows the DÉMO and FORMATION marks on a line of their own on both screens.
func TestView_Marks(t *testing.T) {
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		m := ui.New(ui.Config{Lang: lang, Session: ui.Session{Register: "R1", Cashier: "Camille", Demo: true, Training: true},
			Catalog: newCatalog(), Sales: &fakeSales{}})
		h := &harness{tb: t, m: m}
		h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		h.scanKeys(nutella)
		for _, screen := range []string{"sale", "payment"} {
			if screen == "payment" {
				h.send(key(tea.KeyEnter))
			}
			v := h.view()
			demo, training := "DÉMO", "FORMATION"
			if lang == comptoir.LangEN {
				demo, training = "DEMO", "TRAINING"
			}
			contains(t, screen, v, demo)
			contains(t, screen, v, training)
			if got := len(strings.Split(v, "\n")); got != 24 {
				t.Errorf("%s %s: %d rows, want 24", lang, screen, got)
			}
		}
	}
}

func TestView_SyncState(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	contains(t, "the status bar", h.view(), "○ hors ligne · 3 en attente")
	h.send(ui.SyncStateMsg{State: ui.SyncState{Online: true, LastSync: time.Date(2026, 11, 30, 9, 10, 0, 0, time.UTC)}})
	contains(t, "the status bar", h.view(), "● en ligne · 0 en attente · synchro 09:10")
}

// TestView_AnySize draws the screens at sizes from none to large: no panic, and no row wider
// than the terminal.
func TestView_AnySize(t *testing.T) {
	for _, size := range [][2]int{{0, 0}, {1, 1}, {20, 5}, {40, 10}, {79, 23}, {200, 60}} {
		h := newHarness(t, comptoir.LangFR, size[0], size[1])
		h.scanKeys(soda)
		h.scanKeys(unknown)
		views := []string{h.view()}
		h.send(key(tea.KeyEnter))
		h.typeText("1")
		h.send(key(tea.KeyF8))
		views = append(views, h.view())
		for _, v := range views {
			for i, r := range strings.Split(v, "\n") {
				if got := lipgloss.Width(r); got > max(size[0], 1) && size[0] > 0 {
					t.Errorf("%dx%d: row %d is %d cells wide: %q", size[0], size[1], i, got, r)
				}
			}
		}
	}
}
