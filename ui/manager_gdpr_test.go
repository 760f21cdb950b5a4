package ui_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

func TestManagerGDPR_Update(t *testing.T) {
	tests := []struct {
		name string
		do   func(h *managerHarness)
		// want is a part of the screen after do.
		want  string
		check func(t *testing.T, h *managerHarness)
	}{
		{"an address is blocked in the manager's name, shown masked", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlB)
			h.scanKeys("Jeanne@Exemple.fr")
		}, "bloquée : ni inscription ni écriture", func(t *testing.T, h *managerHarness) {
			if got, want := h.gdpr.blocked, []string{"jeanne@exemple.fr"}; !slices.Equal(got, want) {
				t.Errorf("blocked = %v, want %v", got, want)
			}
			if got, want := h.gdpr.audit[len(h.gdpr.audit)-1].Who, "gerant"; got != want {
				t.Errorf("the block is audited as %q, want %q", got, want)
			}
			if strings.Contains(h.view(), "jeanne@exemple.fr") {
				t.Errorf("the blocked address is shown in clear:\n%s", h.view())
			}
		}},
		{"an invalid address is refused and nothing is blocked", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlB)
			h.scanKeys("jeanne")
		}, "✗ ", func(t *testing.T, h *managerHarness) {
			if len(h.gdpr.blocked) != 0 {
				t.Errorf("blocked = %v, want nothing", h.gdpr.blocked)
			}
			contains(t, "the view", h.view(), "E-mail à bloquer : _")
		}},
		{"Esc leaves the block without blocking", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlB)
			h.typeText("jeanne@exemple.fr")
			h.press(tea.KeyEsc)
		}, "Ctrl+B Bloquer une adresse e-mail", func(t *testing.T, h *managerHarness) {
			if len(h.gdpr.blocked) != 0 {
				t.Errorf("blocked = %v, want nothing", h.gdpr.blocked)
			}
		}},
		{"the purge lists first and erases nobody", func(h *managerHarness) {
			h.inactiveMembers()
			h.press(tea.KeyF5, tea.KeyCtrlR)
		}, "M00000000000000b2", func(t *testing.T, h *managerHarness) {
			if len(h.gdpr.erased) != 0 {
				t.Errorf("the dry run erased %v", h.gdpr.erased)
			}
			if strings.Contains(h.view(), "M00000000000000c3") {
				t.Errorf("an active member is listed:\n%s", h.view())
			}
		}},
		{"Enter confirms the purge of the members listed", func(h *managerHarness) {
			h.inactiveMembers()
			h.press(tea.KeyF5, tea.KeyCtrlR, tea.KeyEnter)
		}, "✓ purge de rétention : 2 membre(s) effacé(s)", func(t *testing.T, h *managerHarness) {
			if got, want := h.gdpr.erased, []comptoir.CustomerID{"M00000000000000a1", "M00000000000000b2"}; !slices.Equal(got, want) {
				t.Errorf("erased = %v, want %v", got, want)
			}
			if got, want := h.gdpr.audit[len(h.gdpr.audit)-1].Who, "gerant"; got != want {
				t.Errorf("the erasure is audited as %q, want %q", got, want)
			}
		}},
		{"Esc cancels the purge", func(h *managerHarness) {
			h.inactiveMembers()
			h.press(tea.KeyF5, tea.KeyCtrlR, tea.KeyEsc)
		}, "purge annulée : personne n'a été effacé", func(t *testing.T, h *managerHarness) {
			if len(h.gdpr.erased) != 0 {
				t.Errorf("a cancelled purge erased %v", h.gdpr.erased)
			}
		}},
		{"a purge with nobody to erase says so", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlR)
		}, "aucun membre sans activité depuis le 2023-11-30 : rien à effacer", nil},
		{"the audit trail opens on its most recent entries and scrolls up", func(h *managerHarness) {
			for i := range 40 {
				h.gdpr.add(fmt.Sprintf("u%02d", i), comptoir.AuditLogin, "", "")
			}
			h.press(tea.KeyF5, tea.KeyCtrlT)
		}, "u39", func(t *testing.T, h *managerHarness) {
			if strings.Contains(h.view(), "u00") {
				t.Errorf("the oldest entry is on screen before scrolling:\n%s", h.view())
			}
			h.press(tea.KeyPgUp, tea.KeyPgUp, tea.KeyPgUp)
			contains(t, "the view after PgUp", h.view(), "u00")
		}},
		{"an empty audit trail says so", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlT)
		}, "Le journal d'audit est vide.", nil},
		{"F2 prints the X report shown", func(h *managerHarness) {
			h.sell(h.line(nutella, 2))
			h.press(tea.KeyF5, tea.KeyF2, tea.KeyF2)
		}, "✓ rapport envoyé à l'imprimante", func(t *testing.T, h *managerHarness) {
			if got, want := len(h.printer.reports), 1; got != want {
				t.Fatalf("reports printed = %d, want %d", got, want)
			}
			if got := h.printer.reports[0][0]; !strings.HasPrefix(got, "Rapport X") {
				t.Errorf("the printed report starts with %q, want its title", got)
			}
		}},
		{"F2 prints the Z report after the close", func(h *managerHarness) {
			h.sell(h.line(nutella, 2))
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyEnter, tea.KeyF2)
		}, "✓ rapport envoyé à l'imprimante", func(t *testing.T, h *managerHarness) {
			if len(h.printer.reports) != 1 || !strings.HasPrefix(h.printer.reports[0][0], "Rapport Z n° 1") {
				t.Errorf("reports printed = %q, want the Z report", h.printer.reports)
			}
		}},
		{"a printer that fails is said in words", func(h *managerHarness) {
			h.printer.err = comptoir.E(comptoir.CodeNoReportPrinter)
			h.press(tea.KeyF5, tea.KeyF2, tea.KeyF2)
		}, "✗ aucune imprimante de tickets n'est configurée (--printer)", nil},
		{"the X report counts the day's voids and abandons", func(h *managerHarness) {
			h.scanKeys("3*" + nutella)
			h.send(key(tea.KeyDelete))
			h.scanKeys(coffee)
			h.send(key(tea.KeyCtrlX), key(tea.KeyCtrlX))
			h.press(tea.KeyF5, tea.KeyF2, tea.KeyPgDown, tea.KeyPgDown)
		}, "Lignes annulées     1  11,85 €", func(t *testing.T, h *managerHarness) {
			contains(t, "the view", h.view(), "Tickets abandonnés  1  14,90 €")
		}},
		{"the Z report after the close counts them too", func(h *managerHarness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyDelete))
			h.press(tea.KeyF5, tea.KeyF3, tea.KeyEnter, tea.KeyPgDown, tea.KeyPgDown)
		}, "Lignes annulées     1  3,95 €", nil},
		{"the audit trail is not a report to print", func(h *managerHarness) {
			h.press(tea.KeyF5, tea.KeyCtrlT, tea.KeyF2)
		}, "Journal d'audit", func(t *testing.T, h *managerHarness) {
			if len(h.printer.reports) != 0 {
				t.Errorf("printed %q from the audit trail", h.printer.reports)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newManagerHarness(t, comptoir.LangFR, comptoir.RoleManager, 80, 24)
			tt.do(h)
			contains(t, "the view", h.view(), tt.want)
			if tt.check != nil {
				tt.check(t, h)
			}
		})
	}
}

// TestManagerGDPR_NoPrinterRefuses checks that a register started without a printer refuses to
// print a report in words, and stays on the report.
func TestManagerGDPR_NoPrinterRefuses(t *testing.T) {
	h := newManagerHarnessPrinter(t, comptoir.LangEN, comptoir.RoleManager, 80, 24, false)
	h.press(tea.KeyF5, tea.KeyF2, tea.KeyF2)
	v := h.view()
	contains(t, "the view", v, "✗ no receipt printer is set up (--printer): the report stays on screen")
	contains(t, "the view", v, "X report (provisional")
}
