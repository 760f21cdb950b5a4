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

// TestFlow_EnrolPayPrint runs the register as a program, blinking cursors and all: an unknown
// card, the enrolment with the huh form, a cash payment and a printed receipt. Each step waits
// for the screen to show its outcome; the durations are only bounds after which it gives up.
func TestFlow_EnrolPayPrint(t *testing.T) {
	customers := newCustomers()
	sales := &fakeSales{members: customers, rule: comptoir.DefaultPointsRule}
	printer := &fakePrinter{saved: map[string]comptoir.ReceiptPlan{}}
	m := ui.New(ui.Config{
		Lang:      comptoir.LangFR,
		Session:   ui.Session{Register: "R1", Cashier: "Camille"},
		Catalog:   newCatalog(),
		Sales:     sales,
		Customers: customers,
		Points:    customers,
		Settings:  &fakeSettings{comptoir.DefaultShopSettings()},
		PrintLog:  &fakePrintLog{sales: sales, counts: map[uint64]uint64{}},
		Printer:   printer,
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	tm.Send(runes(coffee))
	tm.Send(key(tea.KeyEnter))
	waitFor("Café en grains 1 kg ajouté")
	tm.Send(runes(cardUnknown))
	tm.Send(key(tea.KeyEnter))
	waitFor("F2 inscrit ce client")
	tm.Send(key(tea.KeyF2))
	waitFor("Lu au client")
	tm.Send(key(tea.KeyEnter))
	// huh moves the focus with a command of its own: each key waits for the field it is meant
	// for, as a cashier's eyes do.
	waitFor("┃ Prénom")
	tm.Send(runes("Léa"))
	tm.Send(key(tea.KeyEnter))
	waitFor("┃ Nom")
	tm.Send(runes("Martin"))
	tm.Send(key(tea.KeyEnter))
	waitFor("┃ E-mail")
	tm.Send(key(tea.KeyEnter))
	waitFor("┃ Téléphone")
	tm.Send(key(tea.KeyEnter))
	for _, q := range []string{"par e-mail", "par SMS", "au téléphone", "par courrier", "à nos partenaires"} {
		waitFor(q + " ?")
		tm.Send(key(tea.KeyLeft))
		waitFor("┃ ← non →")
		tm.Send(key(tea.KeyEnter))
	}
	waitFor("inscrit, carte 0400000000046")
	tm.Send(key(tea.KeyEnter))
	waitFor("À PAYER")
	tm.Send(runes("20"))
	tm.Send(key(tea.KeyEnter))
	waitFor("Ticket ? aucun par défaut")
	tm.Send(key(tea.KeyF1))
	waitFor("ticket n° 1 imprimé")
	tm.Send(key(tea.KeyCtrlC))
	tm.Send(key(tea.KeyCtrlC))
	tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	if got, want := len(printer.printed), 1; got != want {
		t.Fatalf("%d prints, want %d", got, want)
	}
	if got, want := printer.drawer, 1; got != want {
		t.Errorf("the drawer opened %d times, want %d", got, want)
	}
	id, ok := customers.byCard[cardUnknown]
	if !ok {
		t.Fatal("nobody enrolled")
	}
	if got := comptoir.CustomerID(sales.sales[0].CustomerID); got != id {
		t.Errorf("ticket's member = %q, want %q", got, id)
	}
}
