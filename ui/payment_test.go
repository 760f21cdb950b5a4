package ui_test

import (
	"syscall"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// pay rings up a ticket of 18,85 € (a spread and a coffee) and opens the payment screen.
func pay(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(nutella)
	h.scanKeys(coffee)
	h.send(key(tea.KeyEnter))
	contains(t, "the payment screen", h.view(), "À PAYER  18,85 €")
	return h
}

func TestPayment_Update(t *testing.T) {
	tests := []struct {
		name     string
		do       func(h *harness)
		payments []comptoir.Payment // of the recorded ticket; nil when none is recorded
		change   comptoir.Money
		view     string
	}{
		{"Enter pays the due in cash", func(h *harness) { h.send(key(tea.KeyEnter)) },
			[]comptoir.Payment{{Method: comptoir.Cash, Amount: 1885}}, 0, "✓ ticket n° 1 enregistré"},
		{"an amount with a comma, change given", func(h *harness) { h.scanKeys("50,00") },
			[]comptoir.Payment{{Method: comptoir.Cash, Amount: 5000}}, 3115, "RENDU                          31,15 €"},
		{"an amount with a point", func(h *harness) { h.scanKeys("20.5") },
			[]comptoir.Payment{{Method: comptoir.Cash, Amount: 2050}}, 165, "RENDU"},
		{"card for the due", func(h *harness) { h.send(key(tea.KeyF6)) },
			[]comptoir.Payment{{Method: comptoir.Card, Amount: 1885}}, 0, "✓ ticket n° 1 enregistré"},
		{"cheque for the due", func(h *harness) { h.send(key(tea.KeyF7)) },
			[]comptoir.Payment{{Method: comptoir.Cheque, Amount: 1885}}, 0, "✓ ticket n° 1 enregistré"},
		{"split: meal voucher, card, then cash", func(h *harness) {
			h.typeText("8")
			h.send(key(tea.KeyF8))
			h.typeText("5")
			h.send(key(tea.KeyF6))
			h.send(key(tea.KeyEnter))
		}, []comptoir.Payment{{Method: comptoir.MealVoucher, Amount: 800}, {Method: comptoir.Card, Amount: 500}, {Method: comptoir.Cash, Amount: 585}}, 0, "✓ ticket n° 1 enregistré"},
		{"part paid, not recorded yet", func(h *harness) { h.scanKeys("10") },
			nil, 0, "RESTE                           8,85 €"},
		{"card beyond the due refused", func(h *harness) { h.typeText("20"); h.send(key(tea.KeyF6)) },
			nil, 0, "✗ la carte, le chèque ou l'autre moyen"},
		{"meal voucher beyond the due refused", func(h *harness) { h.typeText("20"); h.send(key(tea.KeyF8)) },
			nil, 0, "✗ les titres-restaurant dépassent le"},
		{"unreadable amount refused", func(h *harness) { h.scanKeys("12,505") },
			nil, 0, "✗ montant illisible « 12,505 »"},
		{"zero refused", func(h *harness) { h.scanKeys("0") },
			nil, 0, "✗ montant de paiement invalide 0,00 €"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := pay(t)
			tt.do(h)
			contains(t, "the view", h.view(), tt.view)
			if tt.payments == nil {
				if got := len(h.sales.sales); got != 0 {
					t.Fatalf("%d tickets recorded, want none", got)
				}
				return
			}
			if got, want := len(h.sales.sales), 1; got != want {
				t.Fatalf("%d tickets recorded, want %d", got, want)
			}
			s := h.sales.sales[0]
			if got, want := len(s.Payments), len(tt.payments); got != want {
				t.Fatalf("payments = %v, want %v", s.Payments, tt.payments)
			}
			for i := range s.Payments {
				if s.Payments[i] != tt.payments[i] {
					t.Errorf("payment %d = %v, want %v", i, s.Payments[i], tt.payments[i])
				}
			}
			if got, want := s.Change, tt.change; got != want {
				t.Errorf("change = %v, want %v", got, want)
			}
			if got, want := s.Cashier, "Camille"; got != want {
				t.Errorf("cashier = %q, want %q", got, want)
			}
		})
	}
}

// TestPayment_Esc goes back to the ticket, which is unchanged.
func TestPayment_Esc(t *testing.T) {
	h := pay(t)
	h.typeText("5")
	h.send(key(tea.KeyF6), key(tea.KeyEsc))
	contains(t, "the sale screen", h.view(), "Code : _")
	if got, want := ticket(h.lines()), []line{{nutella, 1}, {coffee, 1}}; !sameTicket(got, want) {
		t.Errorf("ticket = %v, want %v", got, want)
	}
	// The card payment taken before Esc is forgotten: paying again starts from the whole due.
	h.send(key(tea.KeyEnter))
	contains(t, "the payment screen", h.view(), "RESTE                          18,85 €")
}

// TestPayment_CodeGoesBackToTheTicket types a product code where an amount was expected: it is a
// scan, and lands on the ticket.
func TestPayment_CodeGoesBackToTheTicket(t *testing.T) {
	for _, code := range []string{biscuits, `"à&è-éà'ééàà"`} {
		h := pay(t)
		h.scanKeys(code)
		if len(h.sales.sales) != 0 {
			t.Fatalf("%s: a ticket was recorded", code)
		}
		contains(t, "the sale screen", h.view(), "Code : _")
		if got := len(h.lines()); got != 3 && code == biscuits || got != 2 && code != biscuits {
			t.Errorf("%s: %d lines on the ticket", code, got)
		}
	}
}

func TestPayment_NextSale(t *testing.T) {
	h := pay(t)
	h.send(key(tea.KeyEnter))
	contains(t, "the payment screen", h.view(), "Ticket ? aucun par défaut")
	h.send(key(tea.KeyEnter))
	if got := len(h.lines()); got != 0 {
		t.Errorf("the next sale starts with %d lines", got)
	}
	contains(t, "the sale screen", h.view(), "Scannez un article")
	// A serial scan right after a paid ticket starts the next one too.
	h = pay(t)
	h.send(key(tea.KeyEnter))
	h.send(scan(biscuits))
	if got, want := ticket(h.lines()), []line{{biscuits, 1}}; !sameTicket(got, want) {
		t.Errorf("ticket = %v, want %v", got, want)
	}
	// And so does a keyboard-mode scan.
	h = pay(t)
	h.send(key(tea.KeyEnter))
	h.scanKeys(soda)
	if got, want := ticket(h.lines()), []line{{soda, 1}}; !sameTicket(got, want) {
		t.Errorf("ticket = %v, want %v", got, want)
	}
	// A scan while the ticket is being recorded waits for the next ticket.
	h = pay(t)
	_, record := h.m.Update(key(tea.KeyEnter))
	h.send(scan(biscuits))
	if got := len(h.lines()); got != 2 {
		t.Errorf("the scan during recording changed the ticket being recorded: %d lines", got)
	}
	h.send(record(), key(tea.KeyEnter))
	if got, want := ticket(h.lines()), []line{{biscuits, 1}}; !sameTicket(got, want) {
		t.Errorf("next ticket = %v, want %v", got, want)
	}
}

// TestPayment_RecordFails shows the store's refusal under the input; Enter tries again.
func TestPayment_RecordFails(t *testing.T) {
	h := pay(t)
	h.sales.err = &wrapped{syscall.ENOSPC}
	h.send(key(tea.KeyEnter))
	contains(t, "the payment screen", h.view(), "✗ disque plein")
	h.sales.err = nil
	h.send(key(tea.KeyEnter))
	if got, want := len(h.sales.sales), 1; got != want {
		t.Fatalf("%d tickets recorded, want %d", got, want)
	}
	if got, want := h.sales.sales[0].Paid(), comptoir.Money(1885); got != want {
		t.Errorf("paid = %v, want %v (the cash taken once, not twice)", got, want)
	}
}

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "write: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }
