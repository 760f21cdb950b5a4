package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// sell records a ticket of the given lines paid by card, as if rung up at the counter.
func (h *managerHarness) sell(lines ...comptoir.Line) comptoir.Sale {
	h.tb.Helper()
	var total comptoir.Money
	for _, l := range lines {
		total += l.Total
	}
	s, err := h.sales.RecordSale(context.Background(), comptoir.SaleDraft{Cashier: "camille", Lines: lines,
		Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: total}}})
	if err != nil {
		h.tb.Fatal(err)
	}
	return s
}

func (h *managerHarness) line(gtin string, qty int64) comptoir.Line {
	h.tb.Helper()
	p, err := h.catalog.Product(context.Background(), gtin)
	if err != nil {
		h.tb.Fatal(err)
	}
	return comptoir.LineFor(p, qty)
}

// press sends keys one at a time, each after the answers of the one before, as a person types.
func (h *managerHarness) press(keys ...tea.KeyType) {
	h.tb.Helper()
	for _, k := range keys {
		h.send(key(k))
	}
}

// asManager opens the manager screen as the manager gerant, typing the PIN when a cashier is
// logged in.
func (h *managerHarness) asManager() {
	h.tb.Helper()
	h.press(tea.KeyF5)
	if strings.Contains(h.view(), "PIN") || strings.Contains(h.view(), "Identifiant") || strings.Contains(h.view(), "ID:") {
		h.scanKeys("gerant")
		h.scanKeys("318204")
	}
}

// inactiveMembers gives the GDPR fake two members without activity for more than the retention
// period and one active last month.
func (h *managerHarness) inactiveMembers() {
	h.gdpr.activity["M00000000000000a1"] = fakeNow.AddDate(-4, 0, 0)
	h.gdpr.activity["M00000000000000b2"] = fakeNow.AddDate(-3, -1, 0)
	h.gdpr.activity["M00000000000000c3"] = fakeNow.AddDate(0, -1, 0)
}

// seedAudit fills the GDPR fake's audit trail with one entry of each kind the till and the
// manager write.
func (h *managerHarness) seedAudit() {
	h.gdpr.add("camille", comptoir.AuditLogin, "", "")
	h.gdpr.add("camille", comptoir.AuditLineVoided, "", comptoir.VoidDetail(h.line(nutella, 2)))
	h.gdpr.add("camille", comptoir.AuditTicketAbandoned, "", comptoir.AbandonDetail([]comptoir.Line{h.line(nutella, 1), h.line(coffee, 3)}))
	h.gdpr.add("gerant", comptoir.AuditBlock, "", "5f3a9c0e21b4")
	h.gdpr.add("gerant", comptoir.AuditErase, "M00000000000000a1", "retention")
}

func TestManager_Update(t *testing.T) {
	tests := []struct {
		name string
		role comptoir.Role
		do   func(h *managerHarness)
		// want is a part of the screen after do.
		want  string
		check func(t *testing.T, h *managerHarness)
	}{
		{"a cashier is asked for a manager's PIN", comptoir.RoleCashier, func(h *managerHarness) { h.press(tea.KeyF5) },
			"écran réservé aux gérants", nil},
		{"the PIN is masked", comptoir.RoleCashier, func(h *managerHarness) {
			h.press(tea.KeyF5)
			h.scanKeys("gerant")
			h.typeText("3182")
		}, "Code PIN : ••••_", nil},
		{"a manager's PIN opens the menu and logs them in", comptoir.RoleCashier, func(h *managerHarness) { h.asManager() },
			"✓ gerant agit comme gérant", func(t *testing.T, h *managerHarness) {
				contains(t, "the view", h.view(), "Gérant · gerant (gérant)")
				if !slices.Contains(h.users.audit, "login gerant") {
					t.Errorf("audit = %v, want the manager's login", h.users.audit)
				}
			}},
		{"a cashier's own ID is refused", comptoir.RoleCashier, func(h *managerHarness) {
			h.press(tea.KeyF5)
			h.scanKeys("camille")
		}, "✗ « l'écran gérant » est réservé aux gérants, et « camille » est caissier", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "Identifiant : _")
			// Camille is selling: no login and logout of hers may say she left the register.
			if len(h.users.audit) != 0 {
				t.Errorf("audit = %v, want nothing recorded", h.users.audit)
			}
		}},
		{"a wrong PIN is refused", comptoir.RoleCashier, func(h *managerHarness) {
			h.press(tea.KeyF5)
			h.scanKeys("gerant")
			h.scanKeys("999999")
		}, "✗ identifiant ou code PIN incorrect", nil},
		{"a manager with a given PIN chooses their own first", comptoir.RoleCashier, func(h *managerHarness) {
			h.users.users["gerant"].user.MustChangePIN = true
			h.send(key(tea.KeyF5))
			h.scanKeys("gerant")
			h.scanKeys("318204")
			h.scanKeys("318204")
			contains(h.tb, "the view", h.view(), "✗ le nouveau code PIN doit différer")
			h.scanKeys("7391")
			h.scanKeys("7392")
			contains(h.tb, "the view", h.view(), "✗ les deux saisies du code PIN diffèrent")
			h.scanKeys("7391")
			contains(h.tb, "the view", h.view(), "Nouveau code PIN, encore : _")
			h.scanKeys("7391")
		}, "✓ code PIN de gerant changé ; gerant agit comme gérant", func(t *testing.T, h *managerHarness) {
			if u := h.users.users["gerant"]; u.pin != "7391" || u.user.MustChangePIN {
				t.Errorf("gerant = %+v with PIN %q, want their own PIN 7391", u.user, u.pin)
			}
		}},
		{"a long refusal is shown in full", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 1))
			h.press(tea.KeyF5, tea.KeyF4)
			h.scanKeys("2026-10")
		}, "la scellerait vide pour toujours", nil},
		{"a manager enters directly", comptoir.RoleManager, func(h *managerHarness) { h.press(tea.KeyF5) },
			"Rapport X du jour", func(t *testing.T, h *managerHarness) {
				if len(h.users.audit) != 0 {
					t.Errorf("audit = %v, want nothing", h.users.audit)
				}
			}},
		{"Esc returns to the sale and logs the prompted manager out", comptoir.RoleCashier, func(h *managerHarness) {
			h.asManager()
			h.press(tea.KeyEsc)
		}, "Scannez un article", func(t *testing.T, h *managerHarness) {
			if got := h.users.audit[len(h.users.audit)-1]; got != "logout gerant" {
				t.Errorf("last audit entry = %q, want the manager's logout", got)
			}
		}},
		{"X report of today", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 2))
			h.sell(h.line(coffee, 1))
			h.press(tea.KeyF5, tea.KeyF2)
		}, "Rapport X (provisoire, non clôturé) — caisse R1 — journée du 2026-11-30", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "Total de la période TTC  22,80 €")
		}},
		{"the report scrolls", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 2))
			h.press(tea.KeyF5, tea.KeyF2, tea.KeyPgDown)
		}, "Grand total perpétuel  7,90 €", nil},
		{"Z close asks first", comptoir.RoleManager, func(h *managerHarness) { h.press(tea.KeyF5, tea.KeyF3) },
			"› clôturer la journée du 2026-11-30 ? Entrée confirme", func(t *testing.T, h *managerHarness) {
				if len(h.closing.order) != 0 {
					t.Errorf("closed %v before confirmation", h.closing.order)
				}
			}},
		{"Z close cancelled", comptoir.RoleManager, func(h *managerHarness) { h.press(tea.KeyF5, tea.KeyF3, tea.KeyEsc) },
			"› clôture annulée", func(t *testing.T, h *managerHarness) {
				if len(h.closing.order) != 0 {
					t.Errorf("closed %v", h.closing.order)
				}
			}},
		{"Z close confirmed", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 1))
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyEnter)
		}, "✓ journée du 2026-11-30 : clôture n° 1 enregistrée dans le journal", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "Rapport Z n° 1 — caisse R1 — journée du 2026-11-30")
			if got, want := h.closing.order, []string{"2026-11-30"}; !slices.Equal(got, want) {
				t.Errorf("closings = %v, want %v", got, want)
			}
		}},
		{"a Z close with a cash count", comptoir.RoleManager, func(h *managerHarness) {
			d := comptoir.SaleDraft{Lines: []comptoir.Line{h.line(nutella, 2)}, Payments: []comptoir.Payment{{Method: comptoir.Cash, Amount: 1000}}}
			if _, err := h.sales.RecordSale(context.Background(), d); err != nil {
				h.tb.Fatal(err)
			}
			h.sell(h.line(coffee, 1))
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyF2)
			contains(h.tb, "the view", h.view(), "Espèces compté : _")
			h.scanKeys("7,40")
			// The card, meal vouchers, cheques and other methods are not counted.
			for range 4 {
				h.press(tea.KeyEnter)
			}
			contains(h.tb, "the view", h.view(), "clôturer la journée du 2026-11-30 avec ce comptage ?")
			if len(h.closing.order) != 0 {
				h.tb.Fatalf("closed %v before confirmation", h.closing.order)
			}
			h.press(tea.KeyEnter)
		}, "Espèces   7,90 €  7,40 €  -0,50 €  manque", func(t *testing.T, h *managerHarness) {
			c := h.closing.closings["2026-11-30"]
			want := comptoir.CashCount{Method: comptoir.Cash, Expected: 790, Counted: 740}
			if len(c.Count) != 1 || c.Count[0] != want {
				t.Errorf("count = %+v, want %+v", c.Count, want)
			}
		}},
		{"a count refuses an unreadable amount", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyF2)
			h.scanKeys("douze")
		}, "✗ montant illisible « douze »", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "Espèces compté : _")
		}},
		{"a count given up closes without one", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyF2)
			h.scanKeys("5")
			h.press(tea.KeyEsc, tea.KeyEnter)
		}, "✓ journée du 2026-11-30 : clôture n° 1", func(t *testing.T, h *managerHarness) {
			if c := h.closing.closings["2026-11-30"]; len(c.Count) != 0 {
				t.Errorf("count = %+v, want none", c.Count)
			}
		}},
		{"a closed day shows its Z report", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyEnter, tea.KeyEsc, tea.KeyF3, tea.KeyEnter)
		}, "Rapport Z n° 1 — caisse R1 — journée du 2026-11-30", func(t *testing.T, h *managerHarness) {
			if got := len(h.closing.order); got != 1 {
				t.Errorf("%d closings, want 1", got)
			}
		}},
		{"a Z close refused by the store", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF3)
			// Another register program closed the day meanwhile.
			if _, err := h.closing.ClosePeriod(context.Background(), "2026-11-30"); err != nil {
				h.tb.Fatal(err)
			}
			h.press(tea.KeyEnter)
		}, "✗ la période 2026-11-30 est déjà clôturée (clôture n° 1)", nil},
		{"the Z close shows the day's figures first", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(coffee, 1))
			h.press(tea.KeyF5, tea.KeyF3)
		}, "Total de la période TTC  14,90 €", nil},
		{"the month is not over", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 1))
			h.press(tea.KeyF5, tea.KeyF4)
			h.scanKeys("2026-11")
		}, "✗ la période 2026-11 n'est pas terminée", nil},
		{"a day is not a month", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF4)
			h.scanKeys("2026-11-02")
		}, "✗ période invalide « 2026-11-02 »", func(t *testing.T, h *managerHarness) {
			if len(h.closing.order) != 0 {
				t.Errorf("closed %v", h.closing.order)
			}
		}},
		{"journal intact", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 1))
			h.press(tea.KeyF5, tea.KeyF5)
		}, "✓ journal intact : 1 ticket, 0 clôture, grand total perpétuel", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "Journal intact : aucun enregistrement modifié")
		}},
		{"journal altered", comptoir.RoleManager, func(h *managerHarness) {
			h.journal.broken = comptoir.E(comptoir.CodeNumberGap, "ticket 2", 2)
			h.press(tea.KeyF5, tea.KeyF5)
		}, "JOURNAL ALTÉRÉ", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "✗ journal altéré : ticket 2 : numérotation non continue (attendu n° 2)")
		}},
		{"training mode on marks every screen and the tickets", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF6, tea.KeyEsc)
			h.scanKeys(nutella)
			h.press(tea.KeyEnter, tea.KeyEnter)
		}, "FORMATION : tickets d'entraînement", func(t *testing.T, h *managerHarness) {
			if got, want := len(h.sales.sales), 1; got != want {
				t.Fatalf("%d tickets, want %d", got, want)
			}
			if !h.sales.sales[0].Training {
				t.Error("the ticket is not a training ticket")
			}
		}},
		{"training mode refused with an open ticket", comptoir.RoleManager, func(h *managerHarness) {
			h.scanKeys(nutella)
			h.press(tea.KeyF5, tea.KeyF6)
		}, "✗ ticket en cours : encaissez-le ou videz-le avant de changer de mode", func(t *testing.T, h *managerHarness) {
			if strings.Contains(h.view(), "FORMATION :") {
				t.Error("training mode switched on")
			}
		}},
		{"catalogue import", comptoir.RoleManager, func(h *managerHarness) {
			path := filepath.Join(h.tb.(*testing.T).TempDir(), "prix.csv")
			if err := os.WriteFile(path, []byte("code;libellé;prix;tva\n3760074380015;Miel de lavande 250 g;6,50;5,5\n"), 0o600); err != nil {
				h.tb.Fatal(err)
			}
			h.press(tea.KeyF5, tea.KeyF8)
			h.scanKeys(path)
		}, "✓ 1 article(s) importé(s) dans le catalogue", func(t *testing.T, h *managerHarness) {
			if _, err := h.catalog.Product(context.Background(), "3760074380015"); err != nil {
				t.Errorf("the product was not imported: %v", err)
			}
		}},
		{"catalogue import refused with its line", comptoir.RoleManager, func(h *managerHarness) {
			path := filepath.Join(h.tb.(*testing.T).TempDir(), "prix.csv")
			if err := os.WriteFile(path, []byte("3760074380015;Miel;6,50;5,5\n3017620422003;Pâte;abc;5,5\n"), 0o600); err != nil {
				h.tb.Fatal(err)
			}
			h.press(tea.KeyF5, tea.KeyF8)
			h.scanKeys(path)
		}, "✗ ligne 2", func(t *testing.T, h *managerHarness) {
			if _, err := h.catalog.Product(context.Background(), "3760074380015"); err == nil {
				t.Error("a bad file imported its good rows")
			}
		}},
		{"catalogue import of a missing file", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF8)
			h.scanKeys("/nulle/part.csv")
		}, "✗ fichier introuvable : /nulle/part.csv", nil},
		{"a setting changed", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF10)
			for !strings.Contains(h.view(), "▸ Nom du magasin") {
				h.press(tea.KeyDown)
			}
			h.scanKeys("Épicerie Zoé")
		}, "✓ Nom du magasin : « Épicerie Zoé »", func(t *testing.T, h *managerHarness) {
			if got, want := h.settings.s.Name, "Épicerie Zoé"; got != want {
				t.Errorf("shop name = %q, want %q", got, want)
			}
		}},
		{"a setting refused", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF10)
			for !strings.Contains(h.view(), "▸ SIRET") {
				h.press(tea.KeyDown)
			}
			h.scanKeys("123")
		}, "✗ SIRET « 123 »", func(t *testing.T, h *managerHarness) {
			if got := h.settings.s.SIRET; got != "" {
				t.Errorf("SIRET = %q, want it unchanged", got)
			}
		}},
		{"Enter on an empty value clears nothing", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF10)
			for !strings.Contains(h.view(), "▸ Nom du magasin") {
				h.send(key(tea.KeyDown))
			}
			h.press(tea.KeyEnter)
		}, "› tapez la nouvelle valeur, puis Entrée (Suppr efface le réglage)", func(t *testing.T, h *managerHarness) {
			if got, want := h.settings.s.Name, "Comptoir"; got != want {
				t.Errorf("shop name = %q, want %q", got, want)
			}
		}},
		{"Del clears a setting", comptoir.RoleManager, func(h *managerHarness) {
			h.settings.s.Address = "3 rue des Lilas, Lyon"
			h.press(tea.KeyF5, tea.KeyF10)
			for !strings.Contains(h.view(), "▸ Adresse") {
				h.send(key(tea.KeyDown))
			}
			h.press(tea.KeyDelete)
		}, "✓ Adresse : effacé, plus rien n'est réglé", func(t *testing.T, h *managerHarness) {
			if got := h.settings.s.Address; got != "" {
				t.Errorf("address = %q, want it cleared", got)
			}
		}},
		{"a user added by the manager who acts", comptoir.RoleCashier, func(h *managerHarness) {
			h.asManager()
			h.press(tea.KeyF9, tea.KeyF2)
			h.scanKeys("Marie")
			h.scanKeys("caissière")
			h.scanKeys("4826")
		}, "✓ marie ajouté (caissier)", func(t *testing.T, h *managerHarness) {
			m, ok := h.users.users["marie"]
			if !ok || m.user.CreatedBy != "gerant" || m.user.Role != comptoir.RoleCashier {
				t.Errorf("marie = %+v, want a cashier added by gerant", m)
			}
		}},
		{"a trivial PIN refused", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF9, tea.KeyF2)
			h.scanKeys("marie")
			h.scanKeys("cashier")
			h.scanKeys("1234")
		}, "✗ code PIN trop facile à deviner", func(t *testing.T, h *managerHarness) {
			if _, ok := h.users.users["marie"]; ok {
				t.Error("marie was added")
			}
		}},
		{"the last manager cannot be disabled", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF9, tea.KeyDown, tea.KeyF3, tea.KeyEnter)
		}, "✗ « gerant » est le dernier gérant actif", nil},
		{"a cashier disabled", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF9, tea.KeyF3, tea.KeyEnter)
		}, "✓ camille désactivé", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "désactivé")
			if !h.users.users["camille"].user.Disabled {
				t.Error("camille is still active")
			}
		}},
		{"a PIN reset", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF9, tea.KeyF4)
			h.scanKeys("7391")
		}, "✓ nouveau code PIN de camille enregistré", func(t *testing.T, h *managerHarness) {
			if u := h.users.users["camille"]; u.pin != "7391" || !u.user.MustChangePIN {
				t.Errorf("camille = %+v, PIN %q: want 7391 to be changed at login", u.user, u.pin)
			}
		}},
		{"a refund of one line", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 2), h.line(coffee, 1))
			h.press(tea.KeyF5, tea.KeyF7)
			h.scanKeys("1")
			h.scanKeys("1")
			h.press(tea.KeyF3, tea.KeyEnter)
		}, "✓ remboursement enregistré : ticket n° 2, 3,95 € rendus en espèces", func(t *testing.T, h *managerHarness) {
			r := h.sales.sales[1]
			if r.RefundOf != 1 || len(r.Lines) != 1 || r.Lines[0].Qty != -1 || r.Cashier != "gerant" {
				t.Errorf("refund = %+v, want one Pâte à tartiner back from ticket 1 by gerant", r)
			}
		}},
		{"a refund of all that remains", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 2), h.line(coffee, 1))
			h.press(tea.KeyF5, tea.KeyF7)
			h.scanKeys("1")
			h.scanKeys("1")
			h.press(tea.KeyF3, tea.KeyEnter, tea.KeyF7)
			h.scanKeys("1")
			h.press(tea.KeyF2, tea.KeyF3)
		}, "› rembourser 18,85 € en espèces ?", nil},
		{"a refund beyond what remains", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 2))
			h.press(tea.KeyF5, tea.KeyF7)
			h.scanKeys("1")
			h.scanKeys("3")
		}, "✗ il ne reste que 2 × 3017620422003 à rembourser sur le ticket 1", nil},
		{"a refund of nothing", comptoir.RoleManager, func(h *managerHarness) {
			h.sell(h.line(nutella, 2))
			h.press(tea.KeyF5, tea.KeyF7)
			h.scanKeys("1")
			h.press(tea.KeyF3)
		}, "✗ rien à rembourser", nil},
		{"a refund of an unknown ticket", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF7)
			h.scanKeys("42")
		}, "✗ ticket 42 introuvable", nil},
		{"a member found by card, masked", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF11)
			h.scanKeys(card)
		}, "c-zoe", func(t *testing.T, h *managerHarness) {
			v := h.view()
			contains(t, "the view", v, "masquées")
			if strings.Contains(v, "Hamel") || strings.Contains(v, "zoe.hamel") {
				t.Errorf("personal data shown unmasked:\n%s", v)
			}
		}},
		{"an unknown card", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF11)
			h.scanKeys(comptoir.CardNumber(7))
		}, "✗ carte 0400000000077 inconnue", nil},
		{"a reveal is logged and forgotten on leaving", comptoir.RoleCashier, func(h *managerHarness) {
			h.asManager()
			h.press(tea.KeyF11)
			h.scanKeys(card)
			h.press(tea.KeyF2)
			contains(h.tb, "the view", h.view(), "zoe.hamel@example.org")
			h.press(tea.KeyEsc)
		}, "Carte : _", func(t *testing.T, h *managerHarness) {
			if strings.Contains(h.view(), "Hamel") {
				t.Errorf("the revealed data stayed on screen:\n%s", h.view())
			}
			if !slices.Contains(h.customers.audit, "reveal c-zoe by gerant") {
				t.Errorf("audit = %v, want the reveal by gerant", h.customers.audit)
			}
		}},
		{"an export to a new file", comptoir.RoleManager, func(h *managerHarness) {
			// A short relative path keeps the sentences on one row whatever the temporary
			// directory's name.
			t := h.tb.(*testing.T)
			t.Chdir(t.TempDir())
			path := "zoe.json"
			h.press(tea.KeyF5, tea.KeyF11)
			h.scanKeys(card)
			h.press(tea.KeyF3)
			h.scanKeys(path)
			contains(h.tb, "the view", h.view(), "✓ données de c-zoe exportées dans")
			data, err := os.ReadFile(path)
			if err != nil || !strings.Contains(string(data), `"id": "c-zoe"`) {
				h.tb.Errorf("export file: %v\n%s", err, data)
			}
			h.press(tea.KeyF3)
			h.scanKeys(path)
		}, "existe déjà : un export ne remplace jamais un fichier", nil},
		{"an erasure asks first", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF11)
			h.scanKeys(card)
			h.press(tea.KeyF4)
			contains(h.tb, "the view", h.view(), "effacer définitivement les données de c-zoe ?")
			if got := h.customers.byID["c-zoe"].c.Status; got != comptoir.StatusActive {
				h.tb.Errorf("status %s before confirmation", got)
			}
			h.press(tea.KeyEnter)
		}, "✓ membre c-zoe effacé", func(t *testing.T, h *managerHarness) {
			if got := h.customers.byID["c-zoe"].c.Status; got != comptoir.StatusErased {
				t.Errorf("status = %s, want erased", got)
			}
		}},
		{"stop then resume processing", comptoir.RoleManager, func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF11)
			h.scanKeys(card)
			h.press(tea.KeyF7)
			contains(h.tb, "the view", h.view(), "✗ ce membre n'est pas en arrêt de traitement")
			h.press(tea.KeyF6)
			contains(h.tb, "the view", h.view(), "arrêt du traitement (limitation)")
			h.press(tea.KeyF7)
		}, "✓ membre c-zoe : traitement repris", nil},
		{"the sync line", comptoir.RoleManager, func(h *managerHarness) { h.press(tea.KeyF5) },
			"Synchronisation : ○ hors ligne · 3 événements en attente", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newManagerHarness(t, comptoir.LangFR, tt.role, 80, 24)
			tt.do(h)
			contains(t, "the view", h.view(), tt.want)
			if tt.check != nil {
				tt.check(t, h)
			}
		})
	}
}

// TestManager_AnswerAfterLeaving checks that an answer of the manager screen arriving once the
// sale is back in front stays the manager's: it must not end the sale screen's look-up.
func TestManager_AnswerAfterLeaving(t *testing.T) {
	h := newManagerHarness(t, comptoir.LangFR, comptoir.RoleManager, 80, 24)
	h.press(tea.KeyF5)
	_, report := h.m.Update(key(tea.KeyF2))
	h.press(tea.KeyEsc)
	h.scanKeys(nutella)
	h.send(report())
	v := h.view()
	contains(t, "the view", v, "✓ Pâte à tartiner 400 g ajouté")
	if strings.Contains(v, "Rapport X") {
		t.Errorf("the report landed on the sale:\n%s", v)
	}
}

// TestManagerView_Golden draws the manager screens in French and English at 80×24 and 120×40
// against
// testdata/TestManagerView_Golden/*.golden (go test ./ui -update rewrites them).
func TestManagerView_Golden(t *testing.T) {
	screens := []struct {
		name   string
		role   comptoir.Role
		fr, en string
		do     func(h *managerHarness)
	}{
		{"pin", comptoir.RoleCashier, "Code PIN : ••••", "PIN: ••••", func(h *managerHarness) {
			h.press(tea.KeyF5)
			h.scanKeys("gerant")
			h.typeText("3182")
		}},
		{"menu", comptoir.RoleManager, "F10  Réglages du magasin", "F10  Shop settings", func(h *managerHarness) { h.press(tea.KeyF5) }},
		{"x_report", comptoir.RoleManager, "Rapport X (provisoire", "X report (provisional", func(h *managerHarness) {
			h.sell(h.line(nutella, 2), h.line(soda, 1))
			h.sell(h.line(coffee, 1))
			h.press(tea.KeyF5, tea.KeyF2)
		}},
		{"z_confirm", comptoir.RoleManager, "clôturer la journée du 2026-11-30 ?", "close the day 2026-11-30?", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF3)
		}},
		{"z_count", comptoir.RoleManager, "avec ce comptage", "with this count", func(h *managerHarness) {
			h.sell(h.line(nutella, 2), h.line(soda, 1))
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyF2)
			h.scanKeys("0")
			h.scanKeys("10,20")
			for range 3 {
				h.press(tea.KeyEnter)
			}
		}},
		{"verify", comptoir.RoleManager, "journal intact : 1 ticket,", "journal intact: 1 ticket,", func(h *managerHarness) {
			h.sell(h.line(nutella, 1))
			h.press(tea.KeyF5, tea.KeyF5)
		}},
		{"settings", comptoir.RoleManager, "Réglages du magasin", "Shop settings", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF10)
		}},
		{"users", comptoir.RoleManager, "caissier", "cashier", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF9)
		}},
		{"settings_refused", comptoir.RoleManager, "✗ SIRET « 123 »", "✗ invalid SIRET \"123\"", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF10)
			for !strings.Contains(h.view(), "▸ SIRET") {
				h.press(tea.KeyDown)
			}
			h.scanKeys("123")
		}},
		{"training", comptoir.RoleManager, "FORMATION", "TRAINING", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF6)
		}},
		{"period_refused", comptoir.RoleManager, "pour toujours", "for ever", func(h *managerHarness) {
			h.sell(h.line(nutella, 1))
			h.press(tea.KeyF5, tea.KeyF4)
			h.scanKeys("2026-10")
		}},
		{"member", comptoir.RoleManager, "Droits des membres", "Members' rights", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyF11)
			h.scanKeys(card)
		}},
		{"refund", comptoir.RoleManager, "Quantité à rembourser", "Quantity to refund", func(h *managerHarness) {
			h.sell(h.line(nutella, 2), h.line(coffee, 1))
			h.press(tea.KeyF5, tea.KeyF7)
			h.scanKeys("1")
		}},
		{"block", comptoir.RoleManager, "E-mail à bloquer : jeanne@exemple.fr_", "Email to block: jeanne@exemple.fr_", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlB)
			h.typeText("jeanne@exemple.fr")
		}},
		{"purge_dry_run", comptoir.RoleManager, "effacer ces 2 membre(s) pour de bon ?", "erase these 2 member(s) for good?", func(h *managerHarness) {
			h.inactiveMembers()
			h.press(tea.KeyF5, tea.KeyCtrlR)
		}},
		{"purge_done", comptoir.RoleManager, "2 membre(s) effacé(s)", "2 member(s) erased", func(h *managerHarness) {
			h.inactiveMembers()
			h.press(tea.KeyF5, tea.KeyCtrlR, tea.KeyEnter)
		}},
		{"audit", comptoir.RoleManager, "ticket abandonné", "ticket abandoned", func(h *managerHarness) {
			h.seedAudit()
			h.press(tea.KeyF5, tea.KeyCtrlT)
		}},
		{"sync_stopped", comptoir.RoleManager, "remettez la sauvegarde la plus récente", "Stop selling on this database: put back the", func(h *managerHarness) {
			h.send(ui.SyncStateMsg{State: ui.SyncState{Online: true, Pending: 12, LastSync: time.Date(2026, 11, 30, 9, 10, 0, 0, time.Local),
				Err: comptoir.E(comptoir.CodeRegisterBehindCentral, uint64(1204), uint64(1190)), ClockSkew: -3 * time.Minute}})
			h.press(tea.KeyF5)
		}},
	}
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}}
	for _, lang := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		for _, size := range sizes {
			for _, s := range screens {
				t.Run(string(lang)+"_"+size.name+"_"+s.name, func(t *testing.T) {
					h := newManagerHarness(t, lang, s.role, size.w, size.h)
					s.do(h)
					checkScreen(t, h.view(), lang, s.fr, s.en, size.w, size.h)
				})
			}
		}
	}
}
