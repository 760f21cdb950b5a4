package ui_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// TestSale_UnknownCodeDuringEnrolment scans an unknown code while the enrolment form is in front:
// the refusal of its look-up used to go to the form, which left the sale waiting for an answer
// for good, so that every later scan was queued and never sold.
func TestSale_UnknownCodeDuringEnrolment(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.send(key(tea.KeyF2))
	contains(t, "enrolment form", h.view(), "Inscription")
	h.send(scan(unknown), scan(nutella))
	if got := h.lines(); len(got) != 1 || got[0].GTIN != nutella {
		t.Fatalf("lines after an unknown code and a known one during enrolment = %+v, want the known one", got)
	}
	h.send(key(tea.KeyEsc))
	h.send(scan(biscuits))
	if got, want := len(h.lines()), 2; got != want {
		t.Errorf("after the form: %d lines, want %d", got, want)
	}
}

// TestLogout_DetachesMember checks that the member of the last ticket leaves with the cashier: the
// next cashier's sales used to earn points for them.
func TestLogout_DetachesMember(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.login("camille", "4826")
	h.send(scan(cardZoe))
	contains(t, "member attached", h.view(), "Z*** H***")
	h.send(key(tea.KeyF12))
	h.login("marie", "5308")
	if v := h.view(); strings.Contains(v, "Z*** H***") || strings.Contains(v, "MEMBRE") {
		t.Errorf("the next cashier still has the last customer attached:\n%s", v)
	}
}

// TestPayment_BurstOfTwoCodes types two codes in one burst on the payment screen, as a paste or
// two quick scans arrive: both go back to the ticket; the second used to be dropped.
func TestPayment_BurstOfTwoCodes(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.send(scan(nutella), key(tea.KeyEnter))
	contains(t, "payment", h.view(), "À PAYER")
	h.send(runes(coffee + "\r" + biscuits + "\r"))
	if got, want := len(h.lines()), 3; got != want {
		t.Errorf("after a burst of two codes on the payment screen: %d lines, want %d: %+v", got, want, h.lines())
	}
}

// TestManager_NoZCloseWithTicketOpen opens the manager screen with a ticket on the sale: the Z
// close is refused in words, since the store would refuse that ticket in a sealed day for ever.
func TestManager_NoZCloseWithTicketOpen(t *testing.T) {
	h := newManagerHarness(t, comptoir.LangFR, comptoir.RoleManager, 80, 24)
	h.send(scan(nutella))
	h.send(key(tea.KeyF5), key(tea.KeyF3))
	contains(t, "Z close with a ticket open", h.view(), "ticket en cours : encaissez-le ou videz-le avant la clôture Z")
	if _, closed := h.closing.closings["2026-11-30"]; closed {
		t.Error("the day was closed with a ticket open")
	}
}
