package ui_test

import (
	"strings"
	"syscall"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

const zoe = comptoir.CustomerID("M0000000000000001")

// TestMember_Card scans each kind of card on a ticket, pays it, and checks what the screen said
// and whom the recorded ticket belongs to.
func TestMember_Card(t *testing.T) {
	tests := []struct {
		name     string
		card     string
		broken   error
		view     string // on the sale screen after the scan
		customer comptoir.CustomerID
		activity bool
	}{
		{"an active member is attached", cardZoe, nil, "✓ membre Z*** H*** attaché au ticket : 1 240 points", zoe, true},
		{"a card typed through an AZERTY keyboard too", `à'ààààààààà&(`, nil, "✓ membre Z*** H*** attaché", zoe, true},
		{"a member in stop processing is announced, the sale anonymous", cardRestrict, nil, "› membre en arrêt du traitement (limitation) : vente anonyme, sans points", "", false},
		{"an erased member's card is said so", cardErased, nil, "✗ carte d'un membre effacé à sa demande : vente anonyme", "", false},
		{"an unknown card is offered for enrolment", cardUnknown, nil, "✗ carte 0400000000046 inconnue : F2 inscrit ce client au programme", "", false},
		{"a failing member file is said in words", cardZoe, &wrapped{syscall.ENOSPC}, "✗ disque plein", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, comptoir.LangFR, 80, 24)
			h.customers.err = tt.broken
			h.scanKeys(coffee)
			h.scanKeys(tt.card)
			v := h.view()
			contains(t, "the sale screen", v, tt.view)
			if tt.customer != "" {
				contains(t, "the header", v, "MEMBRE   Z*** H***  ·  1 240 pts")
				contains(t, "the header", v, "e-mail oui · SMS non · téléphone non · courrier non · partenaires non")
			} else if strings.Contains(v, "MEMBRE") {
				t.Errorf("a member is shown:\n%s", v)
			}
			if got := len(h.lines()); got != 1 {
				t.Errorf("the card changed the ticket: %d lines", got)
			}
			if got, want := len(h.customers.activity) == 1, tt.activity; got != want {
				t.Errorf("activity noted = %v, want %v", got, want)
			}
			h.customers.err = nil
			h.send(key(tea.KeyEnter))
			h.send(key(tea.KeyEnter))
			if got, want := len(h.sales.sales), 1; got != want {
				t.Fatalf("%d tickets recorded, want %d", got, want)
			}
			if got, want := comptoir.CustomerID(h.sales.sales[0].CustomerID), tt.customer; got != want {
				t.Errorf("ticket's member = %q, want %q", got, want)
			}
		})
	}
}

// TestMember_NeverUnmasked checks that a member's name, email and phone never reach the screen.
func TestMember_NeverUnmasked(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 120, 40)
	h.scanKeys(cardZoe)
	views := []string{h.view()}
	h.send(key(tea.KeyF2))
	views = append(views, h.view())
	for _, v := range views {
		for _, secret := range []string{"Zoé", "Hamel", takenEmail, "12 34 56", "+336"} {
			if strings.Contains(v, secret) {
				t.Errorf("the screen shows %q:\n%s", secret, v)
			}
		}
	}
	contains(t, "the member panel", views[1], "z***@e***.fr")
	contains(t, "the member panel", views[1], "06 ** ** ** 78")
}

// TestMember_Consent gives and withdraws consent from the member panel, one key each.
func TestMember_Consent(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(cardZoe)
	h.send(key(tea.KeyF2))
	contains(t, "the member panel", h.view(), "▸ e-mail        oui")
	h.send(key(tea.KeyDown))
	h.send(key(tea.KeyEnter))
	contains(t, "the member panel", h.view(), "✓ SMS : consentement donné")
	contains(t, "the member panel", h.view(), "▸ SMS           oui   depuis le 2026-11-30, en caisse, notice 2")
	m := h.customers.byID[zoe]
	last := m.consent[len(m.consent)-1]
	if last.Channel != comptoir.ChannelSMS || !last.Granted || last.By != "Camille" || last.Via != comptoir.ViaRegister || last.NoticeVersion != "2" {
		t.Errorf("consent event = %+v", last)
	}
	h.send(key(tea.KeyUp))
	h.send(key(tea.KeyEnter))
	contains(t, "the member panel", h.view(), "✓ e-mail : consentement retiré")
	h.send(key(tea.KeyEsc))
	contains(t, "the sale screen", h.view(), "e-mail non · SMS oui · téléphone non")
	if got := comptoir.DeriveConsent(m.consent); got.Granted(comptoir.ChannelEmail) || !got.Granted(comptoir.ChannelSMS) {
		t.Errorf("consent = %+v", got)
	}
}

// TestMember_ConsentRefused shows the store's refusal in words and keeps the consent shown.
func TestMember_ConsentRefused(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(cardZoe)
	h.send(key(tea.KeyF2))
	// The member is erased elsewhere (a manager at the back office) while the panel is open.
	h.customers.byID[zoe].c.Status = comptoir.StatusErased
	h.send(key(tea.KeyEnter))
	contains(t, "the member panel", h.view(), "✗ ce membre a été effacé à sa demande")
	contains(t, "the member panel", h.view(), "▸ e-mail        oui")
}

// TestMember_Detach takes the member off the ticket with F4 on the panel.
func TestMember_Detach(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(coffee)
	h.scanKeys(cardZoe)
	h.send(key(tea.KeyF2))
	h.send(key(tea.KeyF4))
	v := h.view()
	contains(t, "the sale screen", v, "✓ membre retiré du ticket : vente anonyme")
	if strings.Contains(v, "MEMBRE") {
		t.Errorf("the member is still shown:\n%s", v)
	}
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	if got := h.sales.sales[0].CustomerID; got != "" {
		t.Errorf("ticket's member = %q, want none", got)
	}
}

// TestMember_NextSaleIsAnonymous checks that a member stays on their ticket only.
func TestMember_NextSaleIsAnonymous(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(coffee)
	h.scanKeys(cardZoe)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	h.scanKeys(coffee)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	if got, want := len(h.sales.sales), 2; got != want {
		t.Fatalf("%d tickets, want %d", got, want)
	}
	if got := h.sales.sales[1].CustomerID; got != "" {
		t.Errorf("second ticket's member = %q, want none", got)
	}
	if got, want := h.sales.sales[0].PointsEarned, int64(14); got != want {
		t.Errorf("points earned = %d, want %d", got, want)
	}
}

func TestPoints_Redeem(t *testing.T) {
	tests := []struct {
		name     string
		card     string
		do       func(h *harness)
		view     string
		redeemed int64
		paid     comptoir.Money
	}{
		{"F9 spends whole units within the due", cardZoe, func(h *harness) { h.send(key(tea.KeyF9)) },
			"✓ 200 points : 10,00 € de remise", 200, 490},
		{"F9 again gives them back", cardZoe, func(h *harness) { h.send(key(tea.KeyF9)); h.send(key(tea.KeyF9)) },
			"✓ points rendus au solde", 0, 1490},
		{"too few points", cardPoor, func(h *harness) { h.send(key(tea.KeyF9)) },
			"✗ 40 points : il en faut 100 pour 5,00", 0, 1490},
		{"not after a payment", cardZoe, func(h *harness) { h.typeText("2"); h.send(key(tea.KeyF6)); h.send(key(tea.KeyF9)) },
			"✗ les points se dépensent avant le", 0, 1490},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, comptoir.LangFR, 80, 24)
			h.scanKeys(coffee)
			h.scanKeys(tt.card)
			h.send(key(tea.KeyEnter))
			tt.do(h)
			contains(t, "the payment screen", h.view(), tt.view)
			h.send(key(tea.KeyEnter))
			if got, want := len(h.sales.sales), 1; got != want {
				t.Fatalf("%d tickets, want %d", got, want)
			}
			s := h.sales.sales[0]
			if got, want := s.PointsRedeemed, tt.redeemed; got != want {
				t.Errorf("points redeemed = %d, want %d", got, want)
			}
			if got, want := s.Paid(), tt.paid; got != want {
				t.Errorf("paid = %v, want %v", got, want)
			}
		})
	}
}

// TestPoints_HintOnlyWithEnough offers F9 only to a member whose balance buys a unit off.
func TestPoints_HintOnlyWithEnough(t *testing.T) {
	for _, tt := range []struct {
		card string
		want bool
	}{{cardZoe, true}, {cardPoor, false}, {"", false}} {
		h := newHarness(t, comptoir.LangFR, 80, 24)
		h.scanKeys(coffee)
		if tt.card != "" {
			h.scanKeys(tt.card)
		}
		h.send(key(tea.KeyEnter))
		if got := strings.Contains(h.view(), "F9 points (1 240)"); got != tt.want {
			t.Errorf("%q: F9 offered = %v, want %v:\n%s", tt.card, got, tt.want, h.view())
		}
	}
}

// TestMember_DetachFromTicket takes the member off with F4 right on the ticket.
func TestMember_DetachFromTicket(t *testing.T) {
	h := newHarness(t, comptoir.LangEN, 80, 24)
	h.scanKeys(cardZoe)
	h.send(key(tea.KeyF4))
	contains(t, "the sale screen", h.view(), "✓ member taken off the ticket: anonymous sale")
	// Without a member F4 does nothing, and F2 opens the enrolment.
	h.send(key(tea.KeyF4))
	h.send(key(tea.KeyF2))
	contains(t, "the enrolment", h.view(), "Information notice (version 2)")
}
