package ui_test

import (
	"syscall"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

func TestReceipt_Question(t *testing.T) {
	tests := []struct {
		name   string
		card   bool // paid by card rather than cash
		broken error
		do     func(h *harness)
		view   string // after do
		next   bool   // the next sale started
		prints []comptoir.ReceiptPlan
		saved  string
		drawer int
		marked uint64 // prints counted in the print log
	}{
		{"Enter: no receipt", false, nil, func(h *harness) { h.send(key(tea.KeyEnter)) },
			"Scannez un article", true, nil, "", 1, 0},
		{"n: no receipt", false, nil, func(h *harness) { h.typeText("n") },
			"Scannez un article", true, nil, "", 1, 0},
		{"Esc: no receipt", false, nil, func(h *harness) { h.send(key(tea.KeyEsc)) },
			"Scannez un article", true, nil, "", 1, 0},
		{"F1 prints the receipt; the drawer opened at payment", false, nil, func(h *harness) { h.send(key(tea.KeyF1)) },
			"✓ ticket n° 1 imprimé", true, []comptoir.ReceiptPlan{{Copy: 1, CountsAsPrint: true}}, "", 1, 1},
		{"no drawer for a card payment", true, nil, func(h *harness) { h.send(key(tea.KeyF1)) },
			"✓ ticket n° 1 imprimé", true, []comptoir.ReceiptPlan{{Copy: 1, CountsAsPrint: true}}, "", 0, 1},
		{"F2 saves under the name offered", false, nil, func(h *harness) { h.send(key(tea.KeyF2)); h.send(key(tea.KeyEnter)) },
			"✓ ticket n° 1 enregistré dans ticket-R1-000001.txt", true, nil, "ticket-R1-000001.txt", 1, 0},
		{"F2 saves under a name typed", false, nil, func(h *harness) {
			h.send(key(tea.KeyF2))
			for range len("ticket-R1-000001.txt") {
				h.send(key(tea.KeyBackspace))
			}
			h.scanKeys("reçu n.txt")
		}, "✓ ticket n° 1 enregistré dans reçu n.txt", true, nil, "reçu n.txt", 1, 0},
		{"F2 refuses an empty name", false, nil, func(h *harness) {
			h.send(key(tea.KeyF2))
			for range len("ticket-R1-000001.txt") {
				h.send(key(tea.KeyBackspace))
			}
			h.send(key(tea.KeyEnter))
		}, "✗ donnez un nom de fichier", false, nil, "", 1, 0},
		{"a printer off is said, the ticket stays recorded", false, &wrapped{syscall.EIO}, func(h *harness) { h.send(key(tea.KeyF1)) },
			"le ticket reste enregistré", false, nil, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := pay(t)
			h.printer.err = tt.broken
			if tt.card {
				h.send(key(tea.KeyF6))
			} else {
				h.send(key(tea.KeyEnter))
			}
			contains(t, "the receipt question", h.view(), "Ticket ? aucun par défaut")
			tt.do(h)
			contains(t, "the screen", h.view(), tt.view)
			if got, want := len(h.sales.sales), 1; got != want {
				t.Fatalf("%d tickets, want %d", got, want)
			}
			if got := len(h.lines()) == 0; got != tt.next {
				t.Errorf("next sale started = %v, want %v", got, tt.next)
			}
			if got, want := len(h.printer.printed), len(tt.prints); got != want {
				t.Fatalf("%d prints, want %d", got, want)
			}
			for i := range tt.prints {
				if got, want := h.printer.printed[i], tt.prints[i]; got != want {
					t.Errorf("print %d = %+v, want %+v", i, got, want)
				}
			}
			if tt.saved != "" {
				if _, ok := h.printer.saved[tt.saved]; !ok || len(h.printer.saved) != 1 {
					t.Errorf("saved = %v, want %s", h.printer.saved, tt.saved)
				}
			}
			if got, want := h.printer.drawer, tt.drawer; got != want {
				t.Errorf("the drawer opened %d times, want %d", got, want)
			}
			if got, want := h.printLog.counts[1], tt.marked; got != want {
				t.Errorf("%d prints counted, want %d", got, want)
			}
		})
	}
}

// TestReceipt_Duplicate prints a ticket printed before: the print says DUPLICATA.
func TestReceipt_Duplicate(t *testing.T) {
	h := pay(t)
	h.send(key(tea.KeyEnter))
	h.printLog.counts[1] = 1
	h.send(key(tea.KeyF1))
	contains(t, "the sale screen", h.view(), "✓ ticket n° 1 imprimé : DUPLICATA n° 2")
	if got, want := h.printer.printed[0], (comptoir.ReceiptPlan{Duplicate: true, Copy: 2, CountsAsPrint: true}); got != want {
		t.Errorf("plan = %+v, want %+v", got, want)
	}
}

// TestReceipt_NoPrinter says plainly that there is no printer, and the sale goes on.
func TestReceipt_NoPrinter(t *testing.T) {
	sales := &fakeSales{}
	m := ui.New(ui.Config{Lang: comptoir.LangEN, Session: ui.Session{Register: "R1"}, Catalog: newCatalog(), Sales: sales})
	h := &harness{tb: t, m: m, sales: sales}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.scanKeys(coffee)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyF1))
	contains(t, "the payment screen", h.view(), "✗ no receipt printer is set up")
	h.send(key(tea.KeyEsc))
	contains(t, "the sale screen", h.view(), "Scan an item")
}

// TestReceipt_PointsSaid says what the ticket did to the member's balance.
func TestReceipt_PointsSaid(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(coffee)
	h.scanKeys(cardZoe)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyF9))
	h.send(key(tea.KeyEnter))
	contains(t, "the receipt question", h.view(), "✓ ticket n° 1 enregistré · -196 points")
}
