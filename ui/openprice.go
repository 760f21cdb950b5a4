package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// openPrice is the sale screen's entry of an item without a barcode: the cashier picks one of
// the shop's departments (setting sale.departments) and types the price; Enter adds the line
// under the department's internal code (comptoir.DepartmentGTIN).
type openPrice struct {
	departments []comptoir.Department
	selected    int
}

// departmentsMsg brings the shop's departments to open the entry with.
type departmentsMsg struct{ departments []comptoir.Department }

// Words of the open-price entry.
var (
	wordOpenTitle  = text{"Article sans code-barres : choisissez le rayon (↑ ↓), tapez le prix, Entrée", "Item without a barcode: pick the department (↑ ↓), type the price, Enter"}
	wordOpenPrompt = text{"Prix, %s : ", "Price, %s: "}
	wordOpenVAT    = text{"TVA %s", "VAT %s"}
	wordOpenReady  = text{"%s : tapez le prix (12,50), puis Entrée · Échap annule", "%s: type the price (12.50), then Enter · Esc cancels"}
)

// shopSettings reads the shop's settings, or gives the defaults to a register without the service.
func shopSettings(ctx context.Context, s comptoir.SettingsService) (comptoir.ShopSettings, error) {
	if s == nil {
		return comptoir.DefaultShopSettings(), nil
	}
	return s.Settings(ctx)
}

// openPriceKey answers F10: it reads the departments, and the entry opens when they come.
func (m *SaleModel) openPriceKey() tea.Cmd {
	m.qtyMode = false
	ctx, settings := m.ctx, m.settings
	return func() tea.Msg {
		shop, err := shopSettings(ctx, settings)
		if err != nil {
			return ErrorMsg{Err: err}
		}
		return departmentsMsg{departments: shop.DepartmentList()}
	}
}

// openEntry opens the entry on the first department. What was typed before F10 stays in the
// input: it may be the price already.
func (m *SaleModel) openEntry(ds []comptoir.Department) {
	if len(ds) == 0 {
		return
	}
	m.open = &openPrice{departments: ds}
	m.result = result{resultInfo, wordOpenReady.f(m.common.Lang, m.open.department().Name)}
}

func (o *openPrice) department() comptoir.Department { return o.departments[o.selected] }

// openKey handles a key while the entry is open: typing goes to the price, the arrows choose the
// department, Enter adds the line and Esc closes the entry without adding anything.
func (m *SaleModel) openKey(msg tea.KeyMsg) tea.Cmd {
	k := m.common.KeyMap
	switch {
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		var cmds []tea.Cmd
		for _, line := range m.input.typed(msg) {
			cmds = append(cmds, m.openSubmit(line))
		}
		return tea.Batch(cmds...)
	case key.Matches(msg, k.Enter):
		return m.openSubmit(m.input.take())
	case key.Matches(msg, k.Erase):
		m.input.erase()
	case key.Matches(msg, k.Cancel), key.Matches(msg, k.OpenPrice):
		m.open = nil
		m.input.take()
		m.result = result{}
	case key.Matches(msg, k.Up):
		m.open.selected = max(0, m.open.selected-1)
		m.result = result{resultInfo, wordOpenReady.f(m.common.Lang, m.open.department().Name)}
	case key.Matches(msg, k.Down):
		m.open.selected = min(len(m.open.departments)-1, m.open.selected+1)
		m.result = result{resultInfo, wordOpenReady.f(m.common.Lang, m.open.department().Name)}
	}
	return nil
}

// openSubmit adds the line of the price typed, or refuses it and keeps the entry open. A code
// that arrives instead (a keyboard-mode scan) closes the entry and is sold: no price is that long.
func (m *SaleModel) openSubmit(line string) tea.Cmd {
	line = strings.TrimSpace(line)
	if looksLikeCode(line) {
		m.open = nil
		return m.Enter(line)
	}
	p, err := comptoir.OpenPriceProduct(m.open.department(), m.open.selected+1, line)
	if err != nil {
		m.refuse(err)
		return nil
	}
	m.open = nil
	m.add(lookup{code: p.GTIN, qty: 1}, p)
	return nil
}

// openPrompt is the input's prompt while the entry is open: the price, of which department.
func (m *SaleModel) openPrompt() string {
	return wordOpenPrompt.f(m.common.Lang, clean(m.open.department().Name))
}

// openRows draws the entry in the n rows of the ticket's lines: a title, then the departments,
// the chosen one marked as well as in reverse video.
func (m *SaleModel) openRows(n int) []string {
	c, w, l := m.common, m.common.Width, m.common.Lang
	rows := []string{c.Styles.Faint.Render(fit("  "+wordOpenTitle.in(l), w))}
	for i, d := range m.open.departments {
		marker := "  "
		if i == m.open.selected {
			marker = "▸ "
		}
		row := fit(fmt.Sprintf("%s%d  %s", marker, i+1, fit(clean(d.Name), 40))+"  "+fit(wordOpenVAT.f(l, d.VAT.Format(l)), 11)+d.VAT.Letter(), w)
		if i == m.open.selected {
			row = c.Styles.Selected.Render(row)
		}
		rows = append(rows, row)
	}
	for len(rows) < n {
		rows = append(rows, strings.Repeat(" ", w))
	}
	// On a short screen the rows scroll so that the chosen department stays in sight.
	first := max(0, min(m.open.selected+2-n, len(rows)-n))
	return rows[first : first+n]
}

// openHelp is the help bar of the entry.
func (m *SaleModel) openHelp() []key.Binding {
	k := m.common.KeyMap
	return []key.Binding{k.Submit, k.Department, k.Cancel, k.Help}
}
