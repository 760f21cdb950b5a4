package ui_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// someUsers is a shop with a manager, a cashier and a disabled cashier.
func someUsers() *fakeUsers {
	u := newUsers()
	u.add("marie", comptoir.RoleManager, "5308", false)
	u.add("camille", comptoir.RoleCashier, "4826", false)
	u.add("hugo", comptoir.RoleCashier, "7391", false)
	u.users["hugo"].user.Disabled = true
	return u
}

func TestLogin_Update(t *testing.T) {
	tests := []struct {
		name string
		do   func(h *loginHarness)
		// cashier is who is logged in after, "" for nobody.
		cashier string
		// want are parts of the screen after; hidden must not be on it.
		want   []string
		hidden []string
	}{
		{"a cashier logs in", func(h *loginHarness) { h.login("camille", "4826") },
			"camille", []string{"Comptoir · R1 · camille (caissier)", "Scannez un article"}, nil},
		{"the ID is read in any case", func(h *loginHarness) { h.login(" Camille ", "4826") },
			"camille", []string{"camille (caissier)"}, nil},
		{"the PIN is masked", func(h *loginHarness) { h.send(runes("camille"), key(tea.KeyEnter), runes("4826")) },
			"", []string{"Identifiant : camille", "Code PIN    : ••••_", "▸ Code PIN"}, []string{"4826"}},
		{"Tab goes to the other field", func(h *loginHarness) {
			h.send(runes("camille"), key(tea.KeyTab), runes("4826"), key(tea.KeyEnter))
		}, "camille", nil, nil},
		{"Enter on an empty ID asks for it", func(h *loginHarness) { h.send(key(tea.KeyEnter)) },
			"", []string{"› tapez votre identifiant, puis Entrée", "▸ Identifiant"}, nil},
		{"Enter on an empty PIN refuses", func(h *loginHarness) { h.send(runes("camille"), key(tea.KeyEnter), key(tea.KeyEnter)) },
			"", []string{"✗ aucun code PIN saisi"}, nil},
		{"a badge burst with its Enters logs in", func(h *loginHarness) { h.send(runes("camille\r4826\r")) },
			"camille", nil, nil},
		{"a wrong PIN is refused and the ID kept", func(h *loginHarness) { h.login("camille", "4827") },
			"", []string{"✗ identifiant ou code PIN incorrect", "Identifiant : camille", "▸ Code PIN    : _"}, nil},
		{"an unknown ID gets the same words", func(h *loginHarness) { h.login("zoe", "4826") },
			"", []string{"✗ identifiant ou code PIN incorrect"}, []string{"inconnu"}},
		{"five wrong PINs lock, with the minutes left", func(h *loginHarness) {
			for range comptoir.MaxPINFailures {
				h.send(runes("9999"), key(tea.KeyEnter))
			}
		}, "", []string{"✗ « camille » est verrouillé après 5 codes PIN faux : réessayez dans 1 min"}, nil},
		{"a disabled user is told so", func(h *loginHarness) { h.login("hugo", "7391") },
			"", []string{"✗ le compte « hugo » est désactivé : voyez un gérant"}, nil},
		{"Esc clears the result", func(h *loginHarness) { h.login("zoe", "4826"); h.send(key(tea.KeyEsc)) },
			"", nil, []string{"incorrect"}},
		{"a scan before login sells nothing", func(h *loginHarness) { h.send(scan(nutella)); h.login("camille", "4826") },
			"camille", []string{"Scannez un article"}, []string{"Pâte à tartiner"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
			if strings.Contains(tt.name, "five wrong") {
				h.send(runes("camille"), key(tea.KeyEnter))
			}
			tt.do(h)
			if got := h.m.Session().Cashier; got != tt.cashier {
				t.Errorf("logged in: %q, want %q", got, tt.cashier)
			}
			v := h.view()
			for _, w := range tt.want {
				contains(t, "the screen", v, w)
			}
			for _, s := range tt.hidden {
				if strings.Contains(v, s) {
					t.Errorf("the screen shows %q:\n%s", s, v)
				}
			}
		})
	}
}

func TestLogin_FirstManagerChoosesTheirPIN(t *testing.T) {
	users := newUsers()
	pin, _ := users.EnsureFirstManager(t.Context())
	h := newLoginHarness(t, comptoir.LangFR, users, pin, 80, 24)
	contains(t, "the first screen", h.view(), "identifiant « gerant », code PIN 318 204")

	h.login("gerant", pin)
	if got := h.m.Session().Cashier; got != "" {
		t.Fatalf("logged in as %q before choosing a PIN", got)
	}
	v := h.view()
	contains(t, "the new PIN screen", v, "Bienvenue, gerant (gérant). Choisissez votre propre code PIN")
	contains(t, "the new PIN screen", v, "▸ Nouveau code PIN")
	if strings.Contains(v, "318 204") {
		t.Errorf("the generated PIN stays on screen while a new one is chosen:\n%s", v)
	}

	steps := []struct {
		typed []string
		want  string
	}{
		{[]string{"1234"}, "✗ code PIN trop facile à deviner"},
		{[]string{"12a4"}, "✗ le code PIN ne contient que des chiffres"},
		{[]string{"123"}, "✗ le code PIN compte de 4 à 8 chiffres"},
		{[]string{"4826", "4827"}, "✗ les deux saisies du code PIN diffèrent"},
		{[]string{pin, pin}, "✗ le nouveau code PIN doit différer de celui qui vous a été donné"},
	}
	for _, s := range steps {
		for _, p := range s.typed {
			h.send(runes(p), key(tea.KeyEnter))
		}
		contains(t, "the screen after "+strings.Join(s.typed, ", "), h.view(), s.want)
		if got := h.m.Session().Cashier; got != "" {
			t.Fatalf("logged in as %q after a refused PIN", got)
		}
	}
	h.send(runes("4826"), key(tea.KeyEnter))
	contains(t, "the second typing", h.view(), "› tapez-le encore une fois")
	h.send(runes("4826"), key(tea.KeyEnter))
	if got, want := h.m.Session().Cashier, "gerant"; got != want {
		t.Fatalf("logged in as %q, want %q", got, want)
	}
	contains(t, "the sale", h.view(), "Comptoir · R1 · gerant (gérant)")
	if got := users.users["gerant"]; got.pin != "4826" || got.user.MustChangePIN {
		t.Errorf("gerant's PIN %q, must change %v; want 4826, false", got.pin, got.user.MustChangePIN)
	}

	// Logged out, the screen no longer tells the old PIN, and the new one logs in at once.
	h.send(key(tea.KeyF12))
	v = h.view()
	contains(t, "the login after logout", v, "▸ Identifiant")
	if strings.Contains(v, "318 204") {
		t.Errorf("the generated PIN is still shown after it was changed:\n%s", v)
	}
	h.login("gerant", "4826")
	if got, want := h.m.Session().Cashier, "gerant"; got != want {
		t.Errorf("logged in as %q, want %q", got, want)
	}
}

func TestLogin_EscFromNewPINLogsOut(t *testing.T) {
	users := newUsers()
	pin, _ := users.EnsureFirstManager(t.Context())
	h := newLoginHarness(t, comptoir.LangFR, users, pin, 80, 24)
	h.login("gerant", pin)
	h.send(key(tea.KeyEsc))
	v := h.view()
	contains(t, "the screen after Esc", v, "▸ Identifiant : _")
	contains(t, "the screen after Esc", v, "code PIN 318 204")
	if got, want := strings.Join(users.audit, ", "), "add gerant by comptoir, login gerant, logout gerant"; got != want {
		t.Errorf("audit: %s, want %s", got, want)
	}
}

func TestLogin_LogoutKeepsTheTicketForTheNextLogin(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.login("camille", "4826")
	h.scanKeys("2*" + nutella)
	h.scanKeys(biscuits)
	h.send(key(tea.KeyF12))
	if got := h.m.Session().Cashier; got != "" {
		t.Fatalf("still logged in as %q after F12", got)
	}
	if got, want := len(h.drafts.lines), 2; got != want {
		t.Fatalf("the draft has %d lines, want %d", got, want)
	}
	if got := len(h.lines()); got != 0 {
		t.Errorf("the ticket still has %d lines behind the login screen", got)
	}
	h.login("marie", "5308")
	if got, want := ticket(h.lines()), []line{{nutella, 2}, {biscuits, 1}}; !sameTicket(got, want) {
		t.Errorf("ticket after login = %v, want %v", got, want)
	}
	contains(t, "the sale", h.view(), "› ticket gardé à la fermeture repris : 3 articles, 9,20 €")
	if got := len(h.drafts.lines); got != 0 {
		t.Errorf("the draft is still kept after it was taken back (%d lines)", got)
	}
	if got, want := strings.Join(h.users.audit, ", "), "login camille, logout camille, login marie"; got != want {
		t.Errorf("audit: %s, want %s", got, want)
	}
}

func TestLogin_LogoutKeyOnlyOnTheSale(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.login("camille", "4826")
	h.scanKeys(nutella)
	h.send(key(tea.KeyEnter)) // to payment
	h.send(key(tea.KeyF12))
	if got, want := h.m.Session().Cashier, "camille"; got != want {
		t.Errorf("F12 on the payment logged %q out", want)
	}
	contains(t, "the payment", h.view(), "À PAYER")
}

func TestStatus_PendingCountAfterASale(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.login("camille", "4826")
	h.outbox.n = 5
	h.scanKeys(nutella)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	if got := len(h.sales.sales); got != 1 {
		t.Fatalf("%d tickets recorded, want 1:\n%s", got, h.view())
	}
	contains(t, "the status bar", h.view(), "○ hors ligne · 5 en attente")
}

func TestOpenTicket_NothingOnceThePaymentIsRecorded(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.login("camille", "4826")
	h.scanKeys(nutella)
	if got := len(h.m.OpenTicket()); got != 1 {
		t.Errorf("open ticket has %d lines, want 1", got)
	}
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	if got := len(h.m.OpenTicket()); got != 0 {
		t.Errorf("open ticket has %d lines after it was paid, want none", got)
	}
}

func TestOpenTicket_NextTicketTypedRightAfterPayment(t *testing.T) {
	h := newLoginHarness(t, comptoir.LangFR, someUsers(), "", 80, 24)
	h.login("camille", "4826")
	h.scanKeys(nutella)
	h.send(key(tea.KeyEnter))
	h.send(key(tea.KeyEnter))
	// The next code is typed before the Enter's NextSaleMsg comes back: that late message must
	// not empty the ticket just begun.
	h.scanKeys(biscuits)
	h.send(ui.NextSaleMsg{})
	if got, want := ticket(h.m.OpenTicket()), []line{{biscuits, 1}}; !sameTicket(got, want) {
		t.Errorf("open ticket = %v, want %v", got, want)
	}
}

func TestLogin_DemoMarkBeforeLogin(t *testing.T) {
	m := ui.New(ui.Config{Lang: comptoir.LangFR, Session: ui.Session{Register: "R1", Demo: true}, Catalog: newCatalog(),
		Sales: &fakeSales{}, Users: someUsers()})
	m.SetSize(80, 24)
	contains(t, "the login screen", m.View(), "DÉMO : base de démonstration")
}
