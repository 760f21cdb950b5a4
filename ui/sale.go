package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
)

// SaleModel is the ticket being rung up: its lines, the code input under them, the total, and the
// result of the last action. Product look-ups run one at a time, in the order the codes came, so
// that a burst of scans gives its lines in scanning order.
type SaleModel struct {
	common  Common
	ctx     context.Context
	session Session
	catalog comptoir.CatalogService
	// members holds the loyalty member on the ticket, whom the header shows.
	members *members
	// tech records a look-up that the system, not the code, made fail.
	tech techLog

	lines    []comptoir.Line
	selected int
	// offset is the first line shown when the ticket is longer than the screen.
	offset int
	input  field
	// qtyMode is on while the input holds the new quantity of the selected line (after F3).
	qtyMode bool
	result  result
	// queue holds the codes waiting for their look-up; busy is true while one is running.
	queue []lookup
	busy  bool
	// payWhenDone is set by Enter on an empty input while codes are still being looked up.
	payWhenDone bool
	// ticket counts the tickets begun on this screen; Reset starts a new one.
	ticket int
	// settings gives the scale layout at each look-up and the departments of the open-price
	// entry; nil is comptoir.DefaultShopSettings. open is that entry, nil when it is closed.
	settings comptoir.SettingsService
	open     *openPrice
}

// lookup is a code to find in the catalogue and the quantity to sell of it.
type lookup struct {
	code string
	qty  int64
	// ticket is the ticket the code was scanned for (see SaleModel.ticket): an answer that comes
	// back after that ticket was emptied (a logout) must not land on the next one.
	ticket int
}

// productMsg is the catalogue's answer to a look-up, the product or why there is none. It always
// comes back to the sale screen, whichever screen is in front (an enrolment form, say), so that
// the next look-up starts.
type productMsg struct {
	lookup  lookup
	product comptoir.Product
	err     error
}

// NewSaleModel builds the sale screen. The catalogue is only called in commands.
func NewSaleModel(ctx context.Context, c Common, s Session, catalog comptoir.CatalogService) *SaleModel {
	return &SaleModel{common: c, ctx: ctx, session: s, catalog: catalog}
}

// Lines returns a copy of the ticket's lines, such as a draft to keep when the register quits.
func (m *SaleModel) Lines() []comptoir.Line { return append([]comptoir.Line(nil), m.lines...) }

// SetLines puts lines back on the ticket, such as a draft offered back at the next login.
func (m *SaleModel) SetLines(lines []comptoir.Line) {
	m.lines = append([]comptoir.Line(nil), lines...)
	m.selected = max(0, len(m.lines)-1)
	m.scroll()
}

// Total is the sum of the lines.
func (m *SaleModel) Total() comptoir.Money {
	var t comptoir.Money
	for _, l := range m.lines {
		t += l.Total
	}
	return t
}

// Reset empties the ticket for the next sale.
func (m *SaleModel) Reset() {
	m.lines, m.selected, m.offset, m.qtyMode, m.payWhenDone, m.open = nil, 0, 0, false, false, nil
	// Codes still waiting were for the ticket being emptied; the answer of a look-up running now
	// is recognised by its ticket and dropped.
	m.queue = nil
	m.ticket++
	m.input.take()
	m.result = result{}
}

// SetSize is the room the screen has, without the help and status bars the root draws.
func (m *SaleModel) SetSize(width, height int) {
	m.common.Width, m.common.Height = width, height
	m.scroll()
}

// Init starts nothing: the root model listens to the scanner.
func (m *SaleModel) Init() tea.Cmd { return nil }

// ShortHelp lists the keys of the help bar. Ctrl+C and Del are left to the full help (F1): at 80
// columns the French bar has room for the member, quantity, manager and help keys, and F1 must
// never be the one cut off.
func (m *SaleModel) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	if m.open != nil {
		return m.openHelp()
	}
	if m.qtyMode {
		return []key.Binding{k.Enter, k.Cancel, k.Help, k.Quit}
	}
	// F4 (member off) is in the full help only: the short one has no room left for it at 80
	// columns, and the member panel that F2 opens shows it.
	member := m.members.keys(k)
	if len(member) > 1 {
		member = member[:1]
	}
	return append(append([]key.Binding{k.Enter}, member...), k.Quantity, k.Manager, k.Help)
}

// FullHelp lists every key of the screen, shown after F1.
func (m *SaleModel) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	if m.open != nil {
		return [][]key.Binding{m.openHelp(), {k.Erase, k.Quit}}
	}
	return [][]key.Binding{append([]key.Binding{k.Enter, k.Erase, k.Quantity, k.Remove, k.Cancel}, m.members.keys(k)...), {k.Up, k.Down, k.PageUp, k.PageDown, k.OpenPrice, k.Manager, k.Help, k.Quit}}
}

// Update handles a key, a scan or the catalogue's answer.
func (m *SaleModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m, m.key(msg)
	case ScanMsg:
		return m, m.Scan(msg.Code)
	case departmentsMsg:
		m.openEntry(msg.departments)
		return m, nil
	case productMsg:
		m.busy = false
		switch {
		case msg.lookup.ticket != m.ticket:
			// The ticket it was scanned for is gone.
		case msg.err != nil:
			m.payWhenDone = false
			m.refuse(msg.err)
			if systemFailure(msg.err) {
				who := m.session.Cashier
				return m, tea.Batch(m.next(), m.tech.cmd(comptoir.TechSaleError, who,
					saleErrorDetail(fmt.Sprintf("looking up code %s on a ticket of %d line(s)", clean(msg.lookup.code), len(m.lines)), msg.err)))
			}
		case !m.add(msg.lookup, msg.product):
			m.payWhenDone = false
		}
		return m, m.next()
	case ErrorMsg:
		m.refuse(msg.Err)
		return m, nil
	}
	return m, nil
}

func (m *SaleModel) key(msg tea.KeyMsg) tea.Cmd {
	k := m.common.KeyMap
	if m.open != nil {
		return m.openKey(msg)
	}
	switch {
	case key.Matches(msg, k.OpenPrice):
		return m.openPriceKey()
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		var cmds []tea.Cmd
		for _, line := range m.input.typed(msg) {
			cmds = append(cmds, m.submit(line))
		}
		return tea.Batch(cmds...)
	case key.Matches(msg, k.Enter):
		return m.submit(m.input.take())
	case key.Matches(msg, k.Erase):
		m.input.erase()
	case key.Matches(msg, k.Cancel):
		if m.qtyMode {
			m.qtyMode = false
			m.input.take()
			m.result = result{}
		}
	case key.Matches(msg, k.Quantity):
		return m.quantityKey()
	case key.Matches(msg, k.Remove):
		return m.remove()
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.rows())
	case key.Matches(msg, k.PageDown):
		m.move(m.rows())
	}
	return nil
}

// Scan adds the code a serial scanner read. A quantity typed before it ("3*") applies to it,
// as it would to a code typed after it.
func (m *SaleModel) Scan(code string) tea.Cmd {
	// A scan closes the open-price entry: whoever scans wants the item sold.
	m.open = nil
	if m.qtyMode {
		m.qtyMode = false
		m.input.take()
	}
	prefix := m.input.String()
	if strings.HasSuffix(prefix, "*") && allDigits(strings.TrimSuffix(prefix, "*")) {
		m.input.take()
		return m.Enter(prefix + code)
	}
	return m.Enter(code)
}

// submit handles a line ended by Enter: a quantity after F3, a code, or payment when it is empty.
func (m *SaleModel) submit(line string) tea.Cmd {
	line = strings.TrimSpace(line)
	if m.qtyMode {
		m.qtyMode = false
		if line == "" {
			m.result = result{}
			return nil
		}
		if looksLikeCode(line) {
			// A scan that came while the quantity was asked for: no quantity is that long, so
			// it is the next item, not a typo to refuse.
			return m.Enter(line)
		}
		return m.setQuantity(line)
	}
	if line == "" {
		if m.busy || len(m.queue) > 0 {
			// A code is still being looked up: payment waits for the total to be final, and is
			// called off if a look-up is refused, so that the cashier sees why.
			m.payWhenDone = true
			return nil
		}
		if len(m.lines) == 0 {
			m.refuse(comptoir.E(comptoir.CodeEmptyTicket))
			return nil
		}
		return cmd(PayMsg{})
	}
	return m.Enter(line)
}

// Enter adds an entry as typed: a code, possibly after a quantity and a star ("3*3017620422003").
// An invalid entry is refused with its reason and changes nothing.
func (m *SaleModel) Enter(entry string) tea.Cmd {
	entry = strings.TrimSpace(entry)
	qty := int64(1)
	code := entry
	if i := strings.IndexByte(entry, '*'); i >= 0 {
		q, err := parseQty(strings.TrimSpace(entry[:i]))
		if err != nil {
			m.refuse(err)
			return nil
		}
		qty, code = q, strings.TrimSpace(entry[i+1:])
		if code == "" {
			// The quantity waits in the input for the code, typed or scanned.
			m.input.take()
			for _, r := range strconv.FormatInt(q, 10) + "*" {
				m.input.insert(r)
			}
			m.result = result{resultInfo, text{"quantité %d : scannez ou tapez le code de l'article", "quantity %d: scan or type the item's code"}.f(m.common.Lang, q)}
			return nil
		}
	}
	if s, ok := comptoir.UnmangleAZERTY(code); ok {
		code = s
	}
	kind, err := comptoir.ClassifyCode(code)
	switch {
	case err != nil:
		m.refuse(err)
		return nil
	case kind == comptoir.ScanCard:
		m.result = result{resultInfo, text{"carte de fidélité %s lue", "loyalty card %s read"}.f(m.common.Lang, code)}
		return cmd(CardScannedMsg{Card: code})
	case kind != comptoir.ScanProduct:
		// A readable code that is not a GTIN: say what a product code looks like.
		m.refuse(comptoir.ValidateGTIN(code))
		return nil
	}
	m.queue = append(m.queue, lookup{code: code, qty: qty, ticket: m.ticket})
	return m.next()
}

// next starts the next look-up when none is running.
func (m *SaleModel) next() tea.Cmd {
	if m.busy {
		return nil
	}
	if len(m.queue) == 0 {
		if m.payWhenDone {
			m.payWhenDone = false
			return cmd(PayMsg{})
		}
		return nil
	}
	l := m.queue[0]
	m.queue = m.queue[1:]
	m.busy = true
	ctx, catalog, settings := m.ctx, m.catalog, m.settings
	return func() tea.Msg {
		// The layout is read at each look-up, so that a change on the manager screen applies
		// to the next scan.
		shop, err := shopSettings(ctx, settings)
		if err != nil {
			return productMsg{lookup: l, err: err}
		}
		p, err := comptoir.LookupCode(ctx, catalog, shop.ScaleLayout, l.code)
		return productMsg{lookup: l, product: p, err: err}
	}
}

// add puts a product found in the catalogue on the ticket and reports whether it could. The same product scanned again adds
// to its line, which keeps tickets short and the quantity easy to check.
func (m *SaleModel) add(l lookup, p comptoir.Product) bool {
	p.Name = clean(p.Name)
	for i, line := range m.lines {
		if comptoir.GTINKey(line.GTIN) != comptoir.GTINKey(p.GTIN) || line.UnitPrice != p.Price || line.VAT != p.VAT {
			continue
		}
		if line.Qty+l.qty > comptoir.MaxQty {
			m.refuse(comptoir.E(comptoir.CodeQuantityTooLarge, p.GTIN, comptoir.MaxQty))
			return false
		}
		m.lines[i] = relined(line, line.Qty+l.qty)
		m.selected = i
		m.scroll()
		m.added(l.qty, p.Name)
		return true
	}
	if len(m.lines) >= comptoir.MaxLines {
		m.refuse(comptoir.E(comptoir.CodeTooManyLines, comptoir.MaxLines))
		return false
	}
	m.lines = append(m.lines, comptoir.LineFor(p, l.qty))
	m.selected = len(m.lines) - 1
	m.scroll()
	m.added(l.qty, p.Name)
	return true
}

func (m *SaleModel) added(qty int64, name string) {
	if qty == 1 {
		m.result = result{resultOK, text{"%s ajouté", "%s added"}.f(m.common.Lang, name)}
		return
	}
	m.result = result{resultOK, text{"%d × %s ajouté", "%d × %s added"}.f(m.common.Lang, qty, name)}
}

// quantityKey answers F3: a quantity already typed applies at once, otherwise the input asks
// for it.
func (m *SaleModel) quantityKey() tea.Cmd {
	if len(m.lines) == 0 {
		m.refuse(comptoir.E(comptoir.CodeEmptyTicket))
		return nil
	}
	if s := strings.TrimSpace(m.input.String()); s != "" && allDigits(s) {
		m.input.take()
		return m.setQuantity(s)
	}
	m.input.take()
	m.qtyMode = true
	m.result = result{resultInfo, text{"nouvelle quantité de %s, puis Entrée (Échap annule)", "new quantity of %s, then Enter (Esc cancels)"}.f(m.common.Lang, m.lines[m.selected].Name)}
	return nil
}

func (m *SaleModel) setQuantity(s string) tea.Cmd {
	q, err := parseQty(s)
	if err != nil {
		m.refuse(err)
		return nil
	}
	l := m.lines[m.selected]
	m.lines[m.selected] = relined(l, q)
	m.result = result{resultOK, text{"%s : quantité %d", "%s: quantity %d"}.f(m.common.Lang, l.Name, q)}
	if q < l.Qty {
		return voided(relined(l, l.Qty-q))
	}
	return nil
}

func (m *SaleModel) remove() tea.Cmd {
	if len(m.lines) == 0 {
		m.refuse(comptoir.E(comptoir.CodeEmptyTicket))
		return nil
	}
	l := m.lines[m.selected]
	m.lines = append(m.lines[:m.selected], m.lines[m.selected+1:]...)
	m.selected = min(m.selected, max(0, len(m.lines)-1))
	m.scroll()
	m.result = result{resultOK, text{"%s retiré du ticket", "%s removed from the ticket"}.f(m.common.Lang, l.Name)}
	return voided(l)
}

// relined is a line with another quantity, its total computed again.
func relined(l comptoir.Line, qty int64) comptoir.Line {
	return comptoir.LineFor(comptoir.Product{GTIN: l.GTIN, Name: l.Name, Price: l.UnitPrice, VAT: l.VAT}, qty)
}

// voided reports what was taken off the ticket, for the audit trail: voided lines are counted,
// never silently dropped.
func voided(l comptoir.Line) tea.Cmd { return cmd(LineVoidedMsg{Line: l}) }

func (m *SaleModel) move(d int) {
	if len(m.lines) == 0 {
		return
	}
	m.selected = min(max(0, m.selected+d), len(m.lines)-1)
	m.scroll()
}

// refuse shows why the last action changed nothing.
func (m *SaleModel) refuse(err error) {
	m.result = result{resultRefused, comptoir.Message(err, m.common.Lang)}
}

// parseQty reads a quantity typed by the cashier: a whole number from 1 to MaxQty.
func parseQty(s string) (int64, error) {
	q, err := strconv.ParseInt(s, 10, 64)
	if err != nil || !allDigits(s) || q < 1 || q > comptoir.MaxQty {
		return 0, comptoir.E(comptoir.CodeInvalidQuantity, s, comptoir.MaxQty)
	}
	return q, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
