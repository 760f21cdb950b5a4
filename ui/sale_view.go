package ui

import (
	"fmt"
	"strings"
)

// Words of the sale screen.
var (
	wordCode     = text{"Code : ", "Code: "}
	wordQuantity = text{"Quantité : ", "Quantity: "}
	wordTotal    = text{"TOTAL", "TOTAL"}
	wordItem     = text{"article", "item"}
	wordItems    = text{"articles", "items"}
	wordMore     = text{"%d de plus", "%d more"}
	wordEmpty    = text{"Scannez un article ou tapez son code, puis Entrée · F10 article sans code", "Scan an item or type its code, then Enter · F10 item without a barcode"}
)

// bigTotal reports whether the screen has room for the total drawn three rows high.
func (m *SaleModel) bigTotal() bool { return m.common.Height >= 18 && m.common.Width >= 60 }

// rows is how many ticket lines the screen shows at once.
func (m *SaleModel) rows() int {
	fixed := 2 + len(m.members.header(m.common, m.session, "")) + 2
	if m.bigTotal() {
		fixed += 3
	}
	return max(1, m.common.Height-fixed)
}

// scroll keeps the selected line on screen.
func (m *SaleModel) scroll() {
	n := m.rows()
	if m.selected < m.offset {
		m.offset = m.selected
	}
	if m.selected >= m.offset+n {
		m.offset = m.selected - n + 1
	}
	m.offset = max(0, min(m.offset, len(m.lines)-n))
}

// View draws the screen: header, ticket lines, input with the total, and the last result.
func (m *SaleModel) View() string {
	c, w, l := m.common, m.common.Width, m.common.Lang
	who := "Comptoir · " + clean(m.session.Register)
	if m.session.Cashier != "" {
		who += " · " + clean(m.session.Cashier)
		if m.session.Role != "" {
			who += " (" + m.session.Role.Format(l) + ")"
		}
	}
	out := m.members.header(c, m.session, who)

	n := m.rows()
	above, below := m.offset, max(0, len(m.lines)-m.offset-n)
	if m.open != nil {
		above, below = 0, 0
	}
	label := func(arrow string, k int) string {
		if k == 0 {
			return ""
		}
		return arrow + " " + wordMore.f(l, k)
	}
	out = append(out, rule(c.Styles, w, label("↑", above)))
	if m.open != nil {
		// The open-price entry takes the lines' room; the total stays in sight below it.
		out = append(out, m.openRows(n)...)
	}
	for i := 0; i < n && m.open == nil; i++ {
		j := m.offset + i
		switch {
		case j < len(m.lines):
			out = append(out, m.lineRow(j))
		case j == 0:
			out = append(out, c.Styles.Faint.Render(fit("  "+wordEmpty.in(l), w)))
		default:
			out = append(out, strings.Repeat(" ", w))
		}
	}
	out = append(out, rule(c.Styles, w, label("↓", below)))

	prompt := wordCode
	if m.qtyMode {
		prompt = wordQuantity
	}
	promptText := prompt.in(l)
	if m.open != nil {
		promptText = m.openPrompt()
	}
	in := "  " + c.Styles.Prompt.Render(promptText) + clean(m.input.String()) + "_"
	var count int64
	for _, line := range m.lines {
		count += line.Qty
	}
	articles := fmt.Sprintf("%d %s", count, plural(count, wordItem, wordItems, l))
	total := m.Total().Format(l)
	if !m.bigTotal() {
		out = append(out, spread(in, articles+"    "+c.Styles.Total.Render(wordTotal.in(l)+"  "+total)+" ", w))
		out = append(out, m.result.render(c.Styles, w))
		return strings.Join(out, "\n")
	}
	// The total drawn large above the input, beside the count; the input and the result under
	// it keep whole rows, since a refusal's reason must be read in full.
	// The amount is also written plainly beside the digits, for whoever reads the screen as text.
	digits := big(total)
	left := []string{"  " + articles, "  " + c.Styles.Total.Render(wordTotal.in(l)+"  "+total), ""}
	for i := range 3 {
		out = append(out, spread(left[i], c.Styles.Total.Render(digits[i])+"  ", w))
	}
	out = append(out, fit(in, w), m.result.render(c.Styles, w))
	return strings.Join(out, "\n")
}

// lineRow draws one ticket line: label, quantity × unit price, line total and VAT letter. The
// selected line has a marker as well as reverse video, so the selection shows without colour.
func (m *SaleModel) lineRow(i int) string {
	l, lang, w := m.lines[i], m.common.Lang, m.common.Width
	marker := "  "
	if i == m.selected {
		marker = "▸ "
	}
	tail := right(fmt.Sprint(l.Qty), 6) + " × " + right(l.UnitPrice.Format(lang), 9) +
		right(l.Total.Format(lang), 14) + "  " + fit(l.VAT.Letter(), 1) + " "
	if w < 60 {
		// A narrow terminal keeps the label readable: the quantity stays, the unit price goes.
		tail = right(fmt.Sprint(l.Qty)+" ×", 6) + right(l.Total.Format(lang), 12) + " " + fit(l.VAT.Letter(), 1) + " "
	}
	row := fit(marker+fit(clean(l.Name), w-2-len([]rune(tail)))+tail, w)
	if i == m.selected {
		return m.common.Styles.Selected.Render(row)
	}
	return row
}

var _ Component = (*SaleModel)(nil)
