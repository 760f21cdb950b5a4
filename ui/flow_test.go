package ui_test

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// TestFlow_SaleToNextSale runs the register as a program: a serial scan, a keyboard burst and an
// AZERTY burst, payment in cash with change, the next sale, then Ctrl+C twice. Each step waits
// for the screen to show its outcome, so the test depends on no timing; the durations are only
// bounds after which it gives up.
func TestFlow_SaleToNextSale(t *testing.T) {
	scans := make(chan string, 1)
	sales := &fakeSales{}
	m := ui.New(ui.Config{
		Lang:    comptoir.LangFR,
		Session: ui.Session{Register: "R1", Cashier: "Camille"},
		Catalog: newCatalog(),
		Sales:   sales,
		Scans:   scans,
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	scans <- biscuits
	waitFor("Petits beurre ajouté")
	tm.Send(runes(nutella))
	tm.Send(key(tea.KeyEnter))
	waitFor("Pâte à tartiner 400 g ajouté")
	tm.Send(runes(`'àà-"_&"""ç"&`))
	tm.Send(key(tea.KeyEnter))
	waitFor("Café en grains 1 kg ajouté")
	tm.Send(key(tea.KeyEnter))
	waitFor("À PAYER  20,15 €")
	tm.Send(runes("50"))
	tm.Send(key(tea.KeyEnter))
	waitFor("ticket n° 1 enregistré")
	tm.Send(key(tea.KeyEnter))
	waitFor("Scannez un article")
	tm.Send(key(tea.KeyCtrlC))
	tm.Send(key(tea.KeyCtrlC))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*ui.Model)
	if got := len(final.Sale().Lines()); got != 0 {
		t.Errorf("the next ticket has %d lines", got)
	}
	if got, want := len(sales.sales), 1; got != want {
		t.Fatalf("%d tickets recorded, want %d", got, want)
	}
	s := sales.sales[0]
	if got, want := len(s.Lines), 3; got != want {
		t.Errorf("%d lines on the ticket, want %d", got, want)
	}
	if got, want := s.Change, comptoir.Money(2985); got != want {
		t.Errorf("change = %v, want %v", got, want)
	}
}
