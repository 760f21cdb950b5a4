package ui_test

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// line is what a test checks of a ticket line.
type line struct {
	gtin string
	qty  int64
}

func ticket(ls []comptoir.Line) []line {
	var out []line
	for _, l := range ls {
		out = append(out, line{l.GTIN, l.Qty})
	}
	return out
}

func sameTicket(a, b []line) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSale_Update(t *testing.T) {
	tests := []struct {
		name string
		do   func(h *harness)
		want []line
		// result is a part of the row under the input.
		result string
	}{
		{"add a line", func(h *harness) { h.scanKeys(nutella) },
			[]line{{nutella, 1}}, "✓ Pâte à tartiner 400 g ajouté"},
		{"the same code again adds to its line", func(h *harness) { h.scanKeys(nutella); h.scanKeys(nutella) },
			[]line{{nutella, 2}}, "✓ Pâte à tartiner 400 g ajouté"},
		{"quantity prefix", func(h *harness) { h.scanKeys("3*" + nutella) },
			[]line{{nutella, 3}}, "✓ 3 × Pâte à tartiner 400 g ajouté"},
		{"quantity prefix waits for the code", func(h *harness) { h.scanKeys("2*"); h.scanKeys(coffee) },
			[]line{{coffee, 2}}, "✓ 2 × Café en grains 1 kg ajouté"},
		{"quantity prefix then a serial scan", func(h *harness) { h.typeText("4*"); h.send(ui.ScanMsg{Code: biscuits}) },
			[]line{{biscuits, 4}}, "✓ 4 × Petits beurre ajouté"},
		{"zero quantity refused", func(h *harness) { h.scanKeys(nutella); h.scanKeys("0*" + coffee) },
			[]line{{nutella, 1}}, "✗ quantité « 0 » invalide : un nombre entier de 1 à 9999"},
		{"quantity too large refused", func(h *harness) { h.scanKeys("10000*" + coffee) },
			nil, "✗ quantité « 10000 » invalide"},
		{"unknown code leaves the ticket unchanged", func(h *harness) { h.scanKeys(nutella); h.scanKeys(unknown) },
			[]line{{nutella, 1}}, "✗ article inconnu : le code 5000112637922 n'est pas au catalogue"},
		{"misread code refused", func(h *harness) { h.scanKeys(nutella); h.scanKeys("3017620422004") },
			[]line{{nutella, 1}}, "✗ code-barres « 3017620422004 » invalide : la clé de contrôle devrait être 3"},
		{"a word is not a code", func(h *harness) { h.scanKeys("bonjour") },
			nil, "✗ code-barres « bonjour » invalide : il ne doit contenir que des chiffres"},
		{"a loyalty card adds no line", func(h *harness) { h.scanKeys(nutella); h.scanKeys(card) },
			[]line{{nutella, 1}}, "✗ carte 0400000000008 inconnue : F2 inscrit ce client au programme"},
		{"burst in one key message", func(h *harness) { h.send(runes(nutella), key(tea.KeyEnter)) },
			[]line{{nutella, 1}}, "ajouté"},
		{"burst with its Enter in the same message", func(h *harness) { h.send(runes(nutella + "\r" + coffee + "\r")) },
			[]line{{nutella, 1}, {coffee, 1}}, "✓ Café en grains 1 kg ajouté"},
		{"burst split over several key messages", func(h *harness) {
			h.send(runes("30176"), runes("204"), runes("22003"), key(tea.KeyEnter))
		}, []line{{nutella, 1}}, "ajouté"},
		{"pasted list of codes", func(h *harness) {
			h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(nutella + "\n" + biscuits + "\n"), Paste: true})
		},
			[]line{{nutella, 1}, {biscuits, 1}}, "✓ Petits beurre ajouté"},
		{"AZERTY burst", func(h *harness) { h.send(runes(`"à&è-éà'ééàà"`), key(tea.KeyEnter)) },
			[]line{{nutella, 1}}, "✓ Pâte à tartiner 400 g ajouté"},
		{"AZERTY burst after a quantity", func(h *harness) { h.scanKeys(`2*'àà-"_&"""ç"&`) },
			[]line{{coffee, 2}}, "✓ 2 × Café en grains 1 kg ajouté"},
		{"backspace edits the input", func(h *harness) { h.typeText(nutella + "7"); h.send(key(tea.KeyBackspace), key(tea.KeyEnter)) },
			[]line{{nutella, 1}}, "ajouté"},
		{"delete removes the selected line", func(h *harness) { h.scanKeys(nutella); h.scanKeys(coffee); h.send(key(tea.KeyDelete)) },
			[]line{{nutella, 1}}, "✓ Café en grains 1 kg retiré du ticket"},
		{"up selects the line above", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys(coffee)
			h.scanKeys(biscuits)
			h.send(key(tea.KeyUp), key(tea.KeyUp), key(tea.KeyUp), key(tea.KeyDown), key(tea.KeyDelete))
		}, []line{{nutella, 1}, {biscuits, 1}}, "✓ Café en grains 1 kg retiré du ticket"},
		{"F3 asks for the quantity of the selected line", func(h *harness) {
			h.scanKeys(nutella)
			h.scanKeys(coffee)
			h.send(key(tea.KeyUp), key(tea.KeyF3))
			h.scanKeys("5")
		}, []line{{nutella, 5}, {coffee, 1}}, "✓ Pâte à tartiner 400 g : quantité 5"},
		{"F3 after a typed number applies it", func(h *harness) { h.scanKeys(nutella); h.typeText("12"); h.send(key(tea.KeyF3)) },
			[]line{{nutella, 12}}, "quantité 12"},
		{"F3 then Esc changes nothing", func(h *harness) {
			h.scanKeys(nutella)
			h.send(key(tea.KeyF3))
			h.typeText("7")
			h.send(key(tea.KeyEsc))
		},
			[]line{{nutella, 1}}, ""},
		{"F3 with a bad quantity changes nothing", func(h *harness) { h.scanKeys(nutella); h.send(key(tea.KeyF3)); h.scanKeys("abc") },
			[]line{{nutella, 1}}, "✗ quantité « abc » invalide"},
		{"a scan burst while F3 asks for a quantity adds the item", func(h *harness) { h.scanKeys(nutella); h.send(key(tea.KeyF3)); h.scanKeys(coffee) },
			[]line{{nutella, 1}, {coffee, 1}}, "✓ Café en grains 1 kg ajouté"},
		{"F3 on an empty ticket", func(h *harness) { h.send(key(tea.KeyF3)) },
			nil, "✗ le ticket est vide"},
		{"Enter on an empty ticket does not pay", func(h *harness) { h.send(key(tea.KeyEnter)) },
			nil, "✗ le ticket est vide : scannez au moins un article"},
		{"function keys type nothing", func(h *harness) { h.send(key(tea.KeyF4), key(tea.KeyF9), key(tea.KeyTab)); h.scanKeys(nutella) },
			[]line{{nutella, 1}}, "ajouté"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, comptoir.LangFR, 80, 24)
			tt.do(h)
			if got := ticket(h.lines()); !sameTicket(got, tt.want) {
				t.Errorf("ticket = %v, want %v", got, tt.want)
			}
			rows := strings.Split(h.view(), "\n")
			if got, want := len(rows), 24; got != want {
				t.Fatalf("the view has %d rows, want %d", got, want)
			}
			// The result sits on the row under the input, which holds "Code :".
			for i, row := range rows {
				if strings.Contains(row, "Code : ") || strings.Contains(row, "Quantité : ") {
					if tt.result == "" {
						if got := strings.TrimSpace(rows[i+1]); got != "" {
							t.Errorf("result row = %q, want it empty", got)
						}
					} else {
						contains(t, "the row under the input", rows[i+1], tt.result)
					}
					return
				}
			}
			t.Errorf("no input row in the view:\n%s", h.view())
		})
	}
}

func TestSale_EnterOnEmptyInputGoesToPayment(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(nutella)
	h.send(key(tea.KeyEnter))
	contains(t, "the payment screen", h.view(), "Paiement · R1 · Camille")
	contains(t, "the payment screen", h.view(), "À PAYER  3,95 €")
}

func TestSale_CtrlC(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(nutella)
	h.send(key(tea.KeyCtrlC))
	if h.quit {
		t.Fatal("one Ctrl+C quit")
	}
	contains(t, "the status bar", h.view(), "Ctrl+C encore une fois pour quitter")
	// Any other key cancels the confirmation.
	h.send(key(tea.KeyDown))
	if strings.Contains(h.view(), "encore une fois") {
		t.Error("the confirmation stayed after another key")
	}
	h.send(key(tea.KeyCtrlC))
	if h.quit {
		t.Fatal("Ctrl+C, another key, Ctrl+C quit")
	}
	h.send(key(tea.KeyCtrlC))
	if !h.quit {
		t.Fatal("a second Ctrl+C did not quit")
	}
	// The open ticket is still there for the caller to keep as a draft.
	if got, want := ticket(h.lines()), []line{{nutella, 1}}; !sameTicket(got, want) {
		t.Errorf("ticket after quitting = %v, want %v", got, want)
	}
}

func TestSale_CardScannedIsPassedOn(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(card)
	if got, want := len(h.out), 1; got != want {
		t.Fatalf("%d messages passed on, want %d", got, want)
	}
	if got, want := h.out[0].(ui.CardScannedMsg).Card, card; got != want {
		t.Errorf("card = %q, want %q", got, want)
	}
}

// TestSale_SerialScanner reads codes from the scanner's channel, in order, until it closes.
func TestSale_SerialScanner(t *testing.T) {
	scans := make(chan string, 3)
	scans <- nutella
	scans <- coffee
	scans <- nutella
	close(scans)
	m := ui.New(ui.Config{Lang: comptoir.LangFR, Catalog: newCatalog(), Sales: &fakeSales{}, Scans: scans})
	h := &harness{tb: t, m: m}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.send(m.Init()())
	if got, want := ticket(h.lines()), []line{{nutella, 2}, {coffee, 1}}; !sameTicket(got, want) {
		t.Errorf("ticket = %v, want %v", got, want)
	}
}

// TestSale_TextIsCleaned checks that a label's escape sequence never reaches the terminal.
func TestSale_TextIsCleaned(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys(coffee)
	if v := h.view(); strings.ContainsRune(v, '\x1b') || strings.Contains(v, "[31m") {
		t.Errorf("the view holds an escape sequence:\n%q", v)
	}
	contains(t, "the view", h.view(), "Café en grains 1 kg")
}

// TestSale_Scroll fills a ticket longer than the screen: the selected line stays visible and the
// rules say how many lines are hidden.
func TestSale_Scroll(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	lines := make([]comptoir.Line, 30)
	for i := range lines {
		lines[i] = comptoir.Line{GTIN: nutella, Name: "Article " + string(rune('A'+i%26)) + string(rune('a'+i/26)), Qty: 1, UnitPrice: 100, VAT: comptoir.VATNormal, Total: 100}
	}
	h.m.Sale().SetLines(lines)
	v := h.view()
	contains(t, "the view", v, "↑ 17 de plus")
	contains(t, "the view", v, "▸ Article Db")
	contains(t, "the view", v, "30 articles")
	contains(t, "the view", v, "TOTAL  30,00 €")
	for range 29 {
		h.send(key(tea.KeyUp))
	}
	v = h.view()
	contains(t, "the view", v, "↓ 17 de plus")
	contains(t, "the view", v, "▸ Article Aa")
	if strings.Contains(v, "↑") {
		t.Errorf("the top of the ticket says lines are hidden above:\n%s", v)
	}
}

// TestSale_EnterWhileLookingUp presses Enter to pay while the last code is still being looked up
// (a burst's Enter followed at once by the cashier's): payment waits for the look-up, and is
// called off when the look-up is refused.
func TestSale_EnterWhileLookingUp(t *testing.T) {
	for _, tt := range []struct {
		code string
		pays bool
	}{{nutella, true}, {unknown, false}} {
		c := ui.NewCommon(comptoir.LangFR, ui.NewStyles(nil, false))
		m := ui.NewSaleModel(context.Background(), c, ui.Session{}, newCatalog())
		m.SetSize(80, 21)
		_, lookup := m.Update(runes(tt.code + "\r"))
		if lookup == nil {
			t.Fatalf("%s: no look-up started", tt.code)
		}
		if _, c := m.Update(key(tea.KeyEnter)); c != nil {
			t.Fatalf("%s: Enter during the look-up returned a command", tt.code)
		}
		_, after := m.Update(lookup())
		var msg tea.Msg
		if after != nil {
			msg = after()
		}
		if _, paid := msg.(ui.PayMsg); paid != tt.pays {
			t.Errorf("%s: after the look-up, message %T, want payment %v", tt.code, msg, tt.pays)
		}
	}
}

// TestSale_LineEndings feeds codes ended as scanners end them: CR, LF, CR LF, as separate keys or
// inside a burst. Each adds its line, and none is taken for an Enter on an empty input that
// would open the payment.
func TestSale_LineEndings(t *testing.T) {
	tests := []struct {
		name string
		msgs []tea.Msg
	}{
		{"CR", []tea.Msg{runes(nutella), key(tea.KeyEnter), runes(coffee), key(tea.KeyEnter)}},
		{"LF", []tea.Msg{runes(nutella), key(tea.KeyCtrlJ), runes(coffee), key(tea.KeyCtrlJ)}},
		{"CR LF", []tea.Msg{runes(nutella), key(tea.KeyEnter), key(tea.KeyCtrlJ), runes(coffee), key(tea.KeyEnter), key(tea.KeyCtrlJ)}},
		{"CR LF in a burst", []tea.Msg{runes(nutella + "\r\n" + coffee + "\r\n")}},
		{"blank lines pasted", []tea.Msg{runes("\n\n" + nutella + "\n\n" + coffee + "\n\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, comptoir.LangFR, 80, 24)
			h.send(tt.msgs...)
			if got, want := ticket(h.lines()), []line{{nutella, 1}, {coffee, 1}}; !sameTicket(got, want) {
				t.Errorf("ticket = %v, want %v", got, want)
			}
			contains(t, "the sale screen", h.view(), "Code : _")
		})
	}
}

// TestSale_Voids passes on what is taken off the ticket, for the audit trail.
func TestSale_Voids(t *testing.T) {
	h := newHarness(t, comptoir.LangFR, 80, 24)
	h.scanKeys("5*" + nutella)
	h.scanKeys(coffee)
	h.send(key(tea.KeyUp))
	h.typeText("2")
	h.send(key(tea.KeyF3)) // 5 → 2: three voided
	h.typeText("4")
	h.send(key(tea.KeyF3))     // 2 → 4: nothing voided
	h.send(key(tea.KeyDelete)) // the 4 left
	var got []line
	for _, m := range h.out {
		if v, ok := m.(ui.LineVoidedMsg); ok {
			got = append(got, line{v.Line.GTIN, v.Line.Qty})
			if v.Line.Total != v.Line.UnitPrice*comptoir.Money(v.Line.Qty) {
				t.Errorf("voided line total %v for %d × %v", v.Line.Total, v.Line.Qty, v.Line.UnitPrice)
			}
		}
	}
	if want := []line{{nutella, 3}, {nutella, 4}}; !sameTicket(got, want) {
		t.Errorf("voided = %v, want %v", got, want)
	}
}
