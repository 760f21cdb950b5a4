package devices

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// The paper widths a receipt can be laid out for, in characters of the printer's standard font
// (Font A, 12 dots wide): 384 dots on 58 mm paper, 576 dots on 80 mm paper.
const (
	Width58mm = 32
	Width80mm = 48
)

// Receipt is a recorded ticket as the customer gets it on paper. It is printed on request only
// (French anti-waste rule), so building one never happens behind the cashier's back: the command
// builds it when asked and sends the bytes of ESCPOS to the printer.
//
// Rendering is pure: the same Receipt always gives the same text and the same bytes, which is
// what lets the tests compare them with golden files.
type Receipt struct {
	Sale comptoir.Sale
	Shop comptoir.ShopSettings
	// Lang is the language of the receipt; empty means French, the default language.
	Lang comptoir.Lang
	// Width is the number of characters per line: Width58mm or Width80mm. Any other is refused,
	// because a layout for the wrong paper wraps every line in two on the printer.
	Width int
	// Duplicate marks a reprint of a ticket already handed over. French rules require the
	// mention "DUPLICATA" on it, whatever the receipt's language.
	Duplicate bool
	// Copy numbers a duplicate: 2 for the first reprint (the receipt itself was copy 1), so that
	// every paper copy of a ticket can be told apart. Zero prints no number.
	Copy int
	// PointsBalance is the member's points balance after the ticket, nil when no member is
	// attached or the balance is unknown; the points section is printed only when it is set and
	// the ticket has a member.
	PointsBalance *int64
	// Location is the shop's time zone, in which the date and time are printed; nil means the
	// machine's local zone, as the store does.
	Location *time.Location
	// OpenDrawer adds the cash-drawer kick to the printer bytes. The caller decides (typically
	// when cash was paid or given back); the text rendering ignores it.
	OpenDrawer bool
	// Demo marks a receipt printed from a database filled by demo-data: "DÉMO" at the top and at
	// the bottom, so that no demonstration ticket passes for a real one.
	Demo bool
	// Software is the software's name and version printed at the foot of the receipt; empty
	// prints comptoir.Software(), the version of the running program. French rules ask a receipt
	// to name the software that recorded it; the field lets a test pin the text whatever the
	// version being built.
	Software string
}

// VATCode is the letter that stands for a VAT rate on a receipt's lines and in its breakdown:
// A for 20 %, B for 10 %, C for 5,5 % and D for 2,1 %. The mapping is fixed, not assigned in the
// order rates appear on a ticket, so that the same letter always means the same rate and a
// customer comparing two receipts is not misled. A rate outside the French rates (a ticket
// recorded under rules that have since changed) has no letter: the result is empty, and the
// breakdown still prints the rate itself.
func VATCode(r comptoir.VATRate) string {
	switch r {
	case comptoir.VATNormal:
		return "A"
	case comptoir.VATIntermediate:
		return "B"
	case comptoir.VATReduced:
		return "C"
	case comptoir.VATSpecial:
		return "D"
	}
	return ""
}

// Text renders the receipt as plain text: one line per printed line, each at most Width runes,
// each ended by a newline. Centred lines are padded on the left with spaces. It is what a
// preview on screen or an e-receipt shows; ESCPOS prints the same rows.
func (r Receipt) Text() (string, error) {
	rows, err := r.rows()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, row := range rows {
		for _, l := range row.layout(r.Width) {
			if row.center {
				l = centre(l, r.Width)
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

// row is one element of the receipt: a few words, a label and an amount, a table. It is laid out
// for a number of columns only when rendered, because the printer lays a double-width row out in
// half as many columns as a normal one.
type row struct {
	bold, center bool
	// big asks for double size: double width and height when the row fits on one line in half the
	// columns, double height only otherwise (see ESCPOS).
	big    bool
	layout func(cols int) []string
}

// receiptWords are the fixed words of a receipt in one language.
type receiptWords struct {
	training                  [2]string
	demo                      [2]string
	ticket, register, cashier string
	refund, refundOf          string
	subtotal, discount, total string
	vat, net, tax, gross, sum string
	change                    string
	items                     string
	signature                 string
	earned, redeemed, balance string
	vatNumber                 string
	// On a refund the points move the other way: earned points are taken back, redeemed ones
	// given back.
	takenBack, givenBack string
	thanks               string
	dateLayout           string
}

var words = map[comptoir.Lang]receiptWords{
	comptoir.LangFR: {
		// The training mark is given as two phrases so that, on narrow paper, it breaks between
		// them rather than leaving "***" alone on a line.
		training: [2]string{"*** FORMATION —", "NE PAS REMETTRE ***"},
		demo:     [2]string{"*** DÉMO —", "TICKET FICTIF ***"},
		ticket:   "Ticket n° ", register: "Caisse ", cashier: "Caissier : ",
		refund: "REMBOURSEMENT", refundOf: "du ticket n° ",
		subtotal: "Sous-total", discount: "Remise fidélité", total: "TOTAL TTC",
		vat: "TVA", net: "HT", tax: "TVA", gross: "TTC", sum: "Total",
		change: "Rendu", items: "Nombre d'articles : ", signature: "Signature : ",
		earned: "Points gagnés", redeemed: "Points utilisés", balance: "Solde de points",
		takenBack: "Points repris", givenBack: "Points rendus", vatNumber: "TVA intracom. ",
		thanks:     "Merci de votre visite",
		dateLayout: "02/01/2006 15:04",
	},
	comptoir.LangEN: {
		training: [2]string{"*** TRAINING —", "NOT A RECEIPT ***"},
		// The mark keeps the word DÉMO the screens show in French, with its English beside it.
		demo:   [2]string{"*** DÉMO (DEMO) —", "NOT A REAL SALE ***"},
		ticket: "Ticket no. ", register: "Register ", cashier: "Cashier: ",
		refund: "REFUND", refundOf: "of ticket no. ",
		subtotal: "Subtotal", discount: "Loyalty discount", total: "TOTAL",
		vat: "VAT", net: "Net", tax: "VAT", gross: "Gross", sum: "Total",
		change: "Change", items: "Items: ", signature: "Signature: ",
		earned: "Points earned", redeemed: "Points redeemed", balance: "Points balance",
		takenBack: "Points taken back", givenBack: "Points given back", vatNumber: "VAT no. ",
		thanks:     "Thank you",
		dateLayout: "2006-01-02 15:04",
	},
}

// duplicate is the legal mention on a reprint. It stays French on an English receipt: it is the
// word French rules ask for, and an English reader understands it.
const duplicate = "DUPLICATA"

// amountPad follows the amounts that carry no VAT code, so that every amount on the receipt ends
// in the same column as the line totals, which are followed by a space and their code.
const amountPad = "  "

// rows builds the receipt's content, checking the width and the language first.
func (r Receipt) rows() ([]row, error) {
	if r.Width != Width58mm && r.Width != Width80mm {
		return nil, comptoir.E(comptoir.CodeInvalidSetting, "width", strconv.Itoa(r.Width))
	}
	lang := r.Lang
	if lang == "" {
		lang = comptoir.LangFR
	}
	w, ok := words[lang]
	if !ok {
		return nil, comptoir.E(comptoir.CodeUnknownLang, string(lang))
	}
	loc := r.Location
	if loc == nil {
		loc = time.Local
	}
	s := r.Sale
	money := func(m comptoir.Money) string { return m.Format(lang) }
	var rows []row
	add := func(rs ...row) { rows = append(rows, rs...) }

	if r.Demo {
		add(phrases(w.demo[:]...).with(true, true, false))
	}
	if s.Training {
		add(phrases(w.training[:]...).with(true, true, false))
	}

	// Header: who sold. The shop's settings come from a file a person edited: cleaned like any
	// text from outside, so that no escape sequence reaches the printer.
	if name := comptoir.CleanText(r.Shop.Name); name != "" {
		add(phrases(name).with(true, true, true))
	}
	if addr := comptoir.CleanText(r.Shop.Address); addr != "" {
		add(phrases(addr).with(false, true, false))
	}
	if siret := comptoir.CleanText(r.Shop.SIRET); siret != "" {
		add(phrases("SIRET "+groupSIRET(siret)).with(false, true, false))
	}
	if vat := comptoir.CleanText(r.Shop.VATNumber); vat != "" {
		add(phrases(w.vatNumber+vat).with(false, true, false))
	}
	if legal := comptoir.CleanText(r.Shop.Legal); legal != "" {
		add(phrases(legal).with(false, true, false))
	}
	add(rule())

	if r.Duplicate {
		mention := duplicate
		if r.Copy > 1 {
			mention += " n° " + strconv.Itoa(r.Copy)
		}
		add(phrases(mention).with(true, true, false))
	}
	add(pair(w.ticket+strconv.FormatUint(s.Number, 10), s.At.In(loc).Format(w.dateLayout)))
	reg, cashier := comptoir.CleanText(s.Register), comptoir.CleanText(s.Cashier)
	switch {
	case reg != "" && cashier != "":
		add(pair(w.register+reg, w.cashier+cashier))
	case reg != "":
		add(pair(w.register+reg, ""))
	case cashier != "":
		add(pair(w.cashier+cashier, ""))
	}
	// Four characters of the ticket's signature, as the certified registers print them: a
	// customer or an inspector holding the paper can compare them with the signed journal or an
	// archive. A duplicate carries the ticket's own signature; a ticket made before the register
	// had a key has none, and the line is left out rather than printed empty.
	if extract := comptoir.SignatureExtract(s.Signature); extract != "" {
		add(pair(w.signature+extract, ""))
	}
	if s.IsRefund() {
		add(phrases(w.refund, w.refundOf+strconv.FormatUint(s.RefundOf, 10)).with(true, true, false))
	}
	add(rule())

	// Lines: the label on its own line, cut to fit, then the arithmetic and the total with the
	// VAT code that the breakdown below explains.
	var subtotal comptoir.Money
	for _, l := range s.Lines {
		add(cut(comptoir.CleanText(l.Name)))
		code := VATCode(l.VAT)
		if code == "" {
			code = " "
		}
		add(pair("  "+strconv.FormatInt(l.Qty, 10)+" × "+money(l.UnitPrice), money(l.Total)+" "+code))
		subtotal += l.Total
	}
	// The count closes the lines, where a customer checking the basket against the paper reads it.
	add(pair(w.items+strconv.FormatInt(s.ItemCount(), 10), ""))
	add(rule())

	if s.Discount != 0 {
		add(pair(w.subtotal, money(subtotal)+amountPad))
		add(pair(w.discount, money(-s.Discount)+amountPad))
	}
	total := pair(w.total, money(s.Total)+amountPad)
	total.bold, total.big = true, true
	add(total)
	add(row{layout: vatTable(s.VAT, s.Total, lang, w)})
	add(rule())

	for _, p := range s.Payments {
		add(pair(comptoir.CleanText(p.Method.Format(lang)), money(p.Amount)+amountPad))
	}
	if s.Change != 0 {
		add(pair(w.change, money(s.Change)+amountPad))
	}

	// Points: counts only. The member's ID and personal data never go on paper, which a customer
	// may leave on the counter.
	if s.CustomerID != "" && r.PointsBalance != nil {
		add(rule())
		if s.PointsEarned < 0 {
			add(pair(w.takenBack, strconv.FormatInt(-s.PointsEarned, 10)+amountPad))
		} else {
			add(pair(w.earned, strconv.FormatInt(s.PointsEarned, 10)+amountPad))
		}
		if s.PointsRedeemed < 0 {
			add(pair(w.givenBack, strconv.FormatInt(-s.PointsRedeemed, 10)+amountPad))
		} else if s.PointsRedeemed != 0 {
			add(pair(w.redeemed, strconv.FormatInt(s.PointsRedeemed, 10)+amountPad))
		}
		add(pair(w.balance, strconv.FormatInt(*r.PointsBalance, 10)+amountPad))
	}

	add(rule())
	add(phrases(w.thanks).with(false, true, false))
	// The software that recorded the ticket goes above the bottom marks, which stay the last line.
	software := r.Software
	if software == "" {
		software = comptoir.Software()
	}
	add(phrases(comptoir.CleanText(software)).with(false, true, false))
	// The training mark is repeated at the bottom so that tearing off the top does not turn a
	// training ticket into something that looks like a receipt.
	if s.Training {
		add(phrases(w.training[:]...).with(true, true, false))
	}
	if r.Demo {
		add(phrases(w.demo[:]...).with(true, true, false))
	}
	return rows, nil
}

// with sets a row's style: bold, centred, big.
func (r row) with(bold, center, big bool) row {
	r.bold, r.center, r.big = bold, center, big
	return r
}

// phrases is text that wraps. It breaks between phrases when they do not fit together, and
// inside a phrase, between words, only when the phrase alone does not fit.
func phrases(ps ...string) row {
	return row{layout: func(cols int) []string {
		var lines []string
		cur := ""
		for _, p := range ps {
			switch {
			case p == "":
				continue
			case cur == "":
				cur = p
			case runes(cur)+1+runes(p) <= cols:
				cur += " " + p
			default:
				lines = append(lines, cur)
				cur = p
			}
			if runes(cur) > cols {
				wrapped := wrap(cur, cols)
				lines = append(lines, wrapped[:len(wrapped)-1]...)
				cur = wrapped[len(wrapped)-1]
			}
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		return lines
	}}
}

// pair is a left part and a right-aligned part on one line, or, when they do not fit together,
// the left part wrapped and the right part alone on the next line: an amount is never cut.
func pair(left, right string) row {
	return row{layout: func(cols int) []string {
		// A left part that fits is kept as it is, indentation included; only a longer one wraps.
		lines := []string{left}
		if runes(left) > cols {
			lines = wrap(left, cols)
		}
		if right == "" {
			return lines
		}
		last := lines[len(lines)-1]
		if gap := cols - runes(last) - runes(right); gap >= 1 {
			lines[len(lines)-1] = last + strings.Repeat(" ", gap) + right
			return lines
		}
		for _, r := range wrap(right, cols) {
			lines = append(lines, strings.Repeat(" ", cols-runes(r))+r)
		}
		return lines
	}}
}

// cut is a label on one line, cut with an ellipsis when it is too long: a product label can be
// 80 runes, and three lines per item would make a long receipt for nothing.
func cut(s string) row {
	return row{layout: func(cols int) []string {
		rs := []rune(s)
		if len(rs) <= cols {
			return []string{s}
		}
		return []string{strings.TrimRight(string(rs[:cols-1]), " ") + "…"}
	}}
}

// rule is a line of dashes across the paper. Dashes print the same in every code page.
func rule() row {
	return row{layout: func(cols int) []string { return []string{strings.Repeat("-", cols)} }}
}

// vatTable lays out the VAT breakdown: a code letter and rate, then the amount before tax, the
// tax and the amount with tax, plus a total line when there are several rates. It uses the
// widest layout that fits: amounts with their euro sign, then without (the header then says
// "€"), then, for amounts too large for any table, each rate on four lines.
func vatTable(vat []comptoir.VATLine, total comptoir.Money, lang comptoir.Lang, w receiptWords) func(int) []string {
	return func(cols int) []string {
		label := func(v comptoir.VATLine) string {
			if c := VATCode(v.Rate); c != "" {
				return c + " " + v.Rate.Format(lang)
			}
			return v.Rate.Format(lang)
		}
		var base, tax comptoir.Money
		for _, v := range vat {
			base += v.Base
			tax += v.VAT
		}
		for _, symbol := range []bool{true, false} {
			amount := func(m comptoir.Money) string {
				if symbol {
					return m.Format(lang)
				}
				return strings.TrimSpace(strings.ReplaceAll(m.Format(lang), "€", ""))
			}
			head := w.vat
			if !symbol {
				head += " €"
			}
			table := [][4]string{{head, w.net, w.tax, w.gross}}
			for _, v := range vat {
				table = append(table, [4]string{label(v), amount(v.Base), amount(v.VAT), amount(v.TTC)})
			}
			if len(vat) > 1 {
				table = append(table, [4]string{w.sum, amount(base), amount(tax), amount(total)})
			}
			if lines, ok := columns(table, cols); ok {
				return lines
			}
		}
		var lines []string
		for _, v := range vat {
			lines = append(lines, label(v))
			lines = append(lines, pair("  "+w.net, v.Base.Format(lang)).layout(cols)...)
			lines = append(lines, pair("  "+w.tax, v.VAT.Format(lang)).layout(cols)...)
			lines = append(lines, pair("  "+w.gross, v.TTC.Format(lang)).layout(cols)...)
		}
		return lines
	}
}

// columns lays out a table whose first column is left-aligned and the others right-aligned
// against the right edge, the spare room going between the first column and the others. It
// reports false when the table does not fit in cols.
func columns(table [][4]string, cols int) ([]string, bool) {
	var width [4]int
	for _, r := range table {
		for i, c := range r {
			width[i] = max(width[i], runes(c))
		}
	}
	need := width[0] + 3 + width[1] + width[2] + width[3]
	if need > cols {
		return nil, false
	}
	first := width[0] + cols - need
	lines := make([]string, len(table))
	for i, r := range table {
		var b strings.Builder
		b.WriteString(r[0] + strings.Repeat(" ", first-runes(r[0])))
		for j := 1; j < 4; j++ {
			b.WriteString(strings.Repeat(" ", 1+width[j]-runes(r[j])) + r[j])
		}
		lines[i] = b.String()
	}
	return lines, true
}

// wrap breaks text between words into lines of at most cols runes; a word longer than a line
// is split.
func wrap(s string, cols int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		for runes(word) > cols {
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			rs := []rune(word)
			lines = append(lines, string(rs[:cols]))
			word = string(rs[cols:])
		}
		switch {
		case cur == "":
			cur = word
		case runes(cur)+1+runes(word) <= cols:
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = word
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// centre pads a line on the left to centre it; no spaces are added on the right.
func centre(s string, cols int) string {
	if n := runes(s); n < cols {
		return strings.Repeat(" ", (cols-n)/2) + s
	}
	return s
}

// groupSIRET prints a SIRET number as it is usually read, SIREN then establishment number
// ("732 829 320 00074"); anything else is printed as it is.
func groupSIRET(s string) string {
	if len(s) != 14 || strings.Trim(s, "0123456789") != "" {
		return s
	}
	return s[0:3] + " " + s[3:6] + " " + s[6:9] + " " + s[9:]
}

func runes(s string) int { return utf8.RuneCountInString(s) }
