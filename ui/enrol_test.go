package ui_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/comptoir/comptoir"
)

// fillIdentity answers the notice and the identity questions of a form just opened.
func fillIdentity(h *harness, first, last, email string) {
	h.tb.Helper()
	h.send(key(tea.KeyEnter)) // the notice, read to the customer
	for _, v := range []string{first, last, email, ""} {
		if v != "" {
			h.typeText(v)
		}
		h.send(key(tea.KeyEnter))
	}
}

// answer answers the consent question in front: → is yes, ← is no.
func answer(h *harness, yes bool) {
	h.tb.Helper()
	if yes {
		h.send(key(tea.KeyRight))
	} else {
		h.send(key(tea.KeyLeft))
	}
	h.send(key(tea.KeyEnter))
}

func TestEnrol_UnknownCard(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(coffee)
	h.scanKeys(cardUnknown)
	h.send(key(tea.KeyF2))
	v := h.view()
	for _, want := range []string{"carte 0400000000046", "Notice d'information (version 2)", "Finalités",
		"Conservation : 3 ans après votre dernier passage", "Vos droits : accès, rectification", "Contact : rgpd@epicerie.fr"} {
		contains(t, "the notice", v, want)
	}
	fillIdentity(h, "Léa", "Martin", "Lea@Exemple.fr")
	contains(t, "the consent questions", h.view(), "Aucune réponse n'est choisie d'avance")
	// Enter without an answer is refused: there is no default, not even no; ↓ does not answer.
	h.send(key(tea.KeyDown))
	h.send(key(tea.KeyEnter))
	contains(t, "the consent questions", h.view(), "✗ il manque la réponse pour le canal e-mail")
	answers := []bool{true, false, false, true, false}
	for _, yes := range answers {
		answer(h, yes)
	}
	contains(t, "the sale screen", h.view(), "✓ membre L*** M*** inscrit, carte 0400000000046, attaché au ticket")
	contains(t, "the header", h.view(), "e-mail oui · SMS non · téléphone non · courrier oui · partenaires non")
	id, ok := h.customers.byCard[cardUnknown]
	if !ok {
		t.Fatal("nobody enrolled with the card")
	}
	m := h.customers.byID[id]
	if got, want := m.c.Personal, (comptoir.Personal{FirstName: "Léa", LastName: "Martin", Email: "lea@exemple.fr"}); got != want {
		t.Errorf("personal = %+v, want %+v", got, want)
	}
	state := comptoir.DeriveConsent(m.consent)
	for i, ch := range comptoir.Channels {
		if got := state.Granted(ch); got != answers[i] {
			t.Errorf("%s = %v, want %v", ch, got, answers[i])
		}
		if ev := state[ch]; ev.NoticeVersion != "2" || ev.By != "Camille" || ev.Via != comptoir.ViaRegister {
			t.Errorf("%s event = %+v", ch, ev)
		}
	}
	// The ticket earns the new member's points.
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	if got := comptoir.CustomerID(h.sales.sales[0].CustomerID); got != id {
		t.Errorf("ticket's member = %q, want %q", got, id)
	}
}

// TestEnrol_NextFreeCard gives the next free card when no unknown card was scanned.
func TestEnrol_NextFreeCard(t *testing.T) {
	h := newHarness(t, comptoir.LangEN, 80, 24)
	h.send(key(tea.KeyF2))
	contains(t, "the notice", h.view(), "card "+firstFreeCard)
	contains(t, "the notice", h.view(), "Retention: 3 years after your last visit")
	fillIdentity(h, "Ana", "Silva", "")
	for range comptoir.Channels {
		answer(h, false)
	}
	if _, ok := h.customers.byCard[firstFreeCard]; !ok {
		t.Errorf("nobody enrolled with %s", firstFreeCard)
	}
}

// TestEnrol_Refusals checks what the form and the store refuse, in words, and that nothing the
// customer said is lost.
func TestEnrol_Refusals(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.send(key(tea.KeyF2))
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	contains(t, "the form", h.view(), "✗ le prénom et le nom sont obligatoires")
	h.typeText("Léa")
	h.send(key(tea.KeyEnter))
	h.typeText("Martin")
	h.send(key(tea.KeyEnter))
	h.typeText("lea@exemple")
	h.send(key(tea.KeyEnter))
	contains(t, "the form", h.view(), "✗ adresse e-mail invalide « lea@exemple »")
	h.send(key(tea.KeyCtrlU))
	h.typeText(takenEmail)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	for range comptoir.Channels {
		answer(h, true)
	}
	v := h.view()
	contains(t, "the form", v, "✗ l'adresse zoe@exemple.fr est déjà celle d'un autre membre")
	contains(t, "the form kept the answers", v, "> Léa")
	contains(t, "the form kept the answers", v, "> "+takenEmail)
	// The notice was read: the new form starts at the identity.
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyCtrlU))
	h.typeText(blockedEmail)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	for range comptoir.Channels {
		h.send(key(tea.KeyEnter)) // the answers given before stay chosen
	}
	contains(t, "the form", h.view(), "✗ l'adresse spam@exemple.fr est sur la liste de blocage")
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyCtrlU))
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	for range comptoir.Channels {
		h.send(key(tea.KeyEnter))
	}
	contains(t, "the sale screen", h.view(), "✓ membre L*** M*** inscrit")
	id := h.customers.byCard[firstFreeCard]
	if got := comptoir.DeriveConsent(h.customers.byID[id].consent); !got.Granted(comptoir.ChannelPartners) {
		t.Errorf("the answers were lost: %+v", got)
	}
}

// TestEnrol_Esc gives up the enrolment: back to the ticket, nobody enrolled.
func TestEnrol_Esc(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(coffee)
	h.send(key(tea.KeyF2))
	h.send(key(tea.KeyEnter))
	h.typeText("Léa")
	h.send(key(tea.KeyEsc))
	contains(t, "the sale screen", h.view(), "Code : _")
	// The five members of the fakes (one of another shop), none enrolled.
	if got, want := len(h.customers.byID), 5; got != want {
		t.Errorf("%d members, want %d", got, want)
	}
	if got := len(h.lines()); got != 1 {
		t.Errorf("the ticket has %d lines", got)
	}
	// A serial scan during the form lands on the ticket, the form stays.
	h.send(key(tea.KeyF2))
	h.send(scan(nutella))
	contains(t, "the form", h.view(), "Notice d'information")
	if got := len(h.lines()); got != 2 {
		t.Errorf("the ticket has %d lines, want 2", got)
	}
}

// TestEnrol_RefusalOnTwoRows checks that a refusal too long for a narrow screen's row goes on
// over the second row, indented under the sentence, rather than being cut.
func TestEnrol_RefusalOnTwoRows(t *testing.T) {
	const w, height = 40, 24
	h := newHarness(t, comptoir.LangFR, w, height)
	h.send(key(tea.KeyF2))
	h.send(key(tea.KeyEnter))
	h.typeText("Léa")
	h.send(key(tea.KeyEnter))
	h.typeText("Martin")
	h.send(key(tea.KeyEnter))
	h.typeText("lea@exemple")
	h.send(key(tea.KeyEnter))
	rows := strings.Split(h.view(), "\n")
	if got, want := len(rows), height; got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
	at := -1
	for i, r := range rows {
		if strings.HasPrefix(r, "  ✗") && i+1 < len(rows) {
			at = i
		}
	}
	if at < 0 {
		t.Fatalf("no refusal on the screen:\n%s", h.view())
	}
	last := rows[at : at+2]
	if got, want := strings.TrimRight(last[0], " "), "  ✗ adresse e-mail invalide «"; got != want {
		t.Errorf("first row of the refusal = %q, want %q", got, want)
	}
	if got, want := strings.TrimRight(last[1], " "), "    lea@exemple »"; got != want {
		t.Errorf("second row of the refusal = %q, want %q", got, want)
	}
	for i, r := range last {
		if got := lipgloss.Width(r); got != w {
			t.Errorf("refusal row %d is %d cells wide, want %d", i, got, w)
		}
	}
}
