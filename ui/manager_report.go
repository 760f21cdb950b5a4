package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/comptoir/comptoir"
)

// reportLines lays out a period's report as the CLI's report command prints it (the title, the
// summary, the VAT table, the payments, the grand total), one string per row, for the manager
// screen to scroll. The register names the X report's register, which a closing carries itself;
// key is the register's signing key, which a closed period's report names (see ChainHeadLines).
func reportLines(rep comptoir.PeriodReport, register string, key comptoir.KeyInfo, loc *time.Location, l comptoir.Lang) []string {
	if rep.Closed {
		return closingLines(rep.Closing, key, loc, l)
	}
	out := []string{text{"Rapport X (provisoire, non clôturé) — caisse %s — %s", "X report (provisional, not closed) — register %s — %s"}.f(l, clean(register), periodName(rep.Period, l))}
	return append(out, totalsLines(rep.Totals, rep.GrandTotal, l)...)
}

// closingLines lays out a closing as its report, with the time it was made in the shop's time
// zone, then the signing key and the chain head (ChainHeadLines), which a manager may copy into
// the shop's books.
func closingLines(c comptoir.Closing, key comptoir.KeyInfo, loc *time.Location, l comptoir.Lang) []string {
	title := map[comptoir.ClosingKind]text{
		comptoir.DayClosing:   {"Rapport Z n° %d — caisse %s — %s", "Z report no. %d — register %s — %s"},
		comptoir.MonthClosing: {"Clôture mensuelle n° %d — caisse %s — %s", "Monthly closing no. %d — register %s — %s"},
		comptoir.YearClosing:  {"Clôture annuelle n° %d — caisse %s — %s", "Yearly closing no. %d — register %s — %s"},
	}[c.Kind]
	out := []string{
		title.f(l, c.Number, clean(c.Register), periodName(c.Period, l)),
		text{"Clôturé le %s", "Closed on %s"}.f(l, c.At.In(loc).Format("2006-01-02 15:04:05")),
	}
	if len(c.Count) > 0 {
		// On screen the count comes first, where the manager sees it without scrolling: a
		// difference is what they act on. The printed report keeps it after the totals.
		out = append(out, "")
		out = append(out, countLines(c.Count, l)...)
	}
	out = append(out, totalsLines(c.Totals, c.GrandTotal, l)...)
	return append(out, ChainHeadLines(c, key, l)...)
}

// hexRow is how many hexadecimal digits of a hash a report prints on one line: half a SHA-256,
// so that the hash fits the narrowest paper (58 mm, 32 columns) in two lines, never cut.
const hexRow = 32

// ChainHeadLines ends a closing's report, on screen, on paper and in the report command alike:
// the signing key's number and fingerprint, then the chain head, which is the closing's hash in
// lines of 32 hexadecimal digits and the four characters of its signature. Kept on paper in the
// shop's books, they anchor the journal against whoever holds the key: a journal rewritten
// after this report no longer ends with this hash. key is the register's key in effect; when a
// later key was recorded after the closing (rotated since), the closing was signed by an older
// key, and the lines say so rather than show a fingerprint that did not sign it; the first key
// signed everything signed before any rotation, whatever the clocks said. A closing made before the
// register had a key shows its hash alone, on one line as it always did. Every line of a signed
// closing fits in 32 columns.
func ChainHeadLines(c comptoir.Closing, key comptoir.KeyInfo, l comptoir.Lang) []string {
	if c.Hash == "" {
		return nil
	}
	if c.Signature == "" {
		// A closing made before the register had a key: its report reads as it always did.
		return []string{text{"Empreinte              %s", "Hash                   %s"}.f(l, c.Hash)}
	}
	// A signed closing carries the perpetual grand total in absolute value too (refunds add to
	// it), which NF525 asks a closing to keep beside the grand total.
	out := []string{text{"Grand total perpétuel", "Perpetual grand total"}.in(l),
		text{"en valeur absolue : %s", "absolute value: %s"}.f(l, c.GrandTotalAbs.Format(l)), ""}
	switch {
	case key.Number == 0:
	case key.Number > 1 && key.At.After(c.At):
		out = append(out, text{"Signé par une clé antérieure", "Signed by a key older than"}.in(l),
			text{"à la clé n° %d", "key no. %d"}.f(l, key.Number))
	default:
		out = append(out, text{"Clé de signature n° %d", "Signing key no. %d"}.f(l, key.Number), key.Fingerprint)
	}
	out = append(out, text{"Empreinte (tête de chaîne)", "Hash (chain head)"}.in(l))
	for h := c.Hash; h != ""; {
		n := min(hexRow, len(h))
		out = append(out, h[:n])
		h = h[n:]
	}
	if x := comptoir.SignatureExtract(c.Signature); x != "" {
		out = append(out, text{"Signature : %s", "Signature: %s"}.f(l, x))
	}
	return out
}

// countLines lays out a Z close's cash count: per method, expected, counted and the difference,
// with the difference's sense in words so that it does not rest on a minus sign alone.
func countLines(count []comptoir.CashCount, l comptoir.Lang) []string {
	rows := [][]string{{text{"Comptage", "Count"}.in(l), text{"Attendu", "Expected"}.in(l), text{"Compté", "Counted"}.in(l), text{"Écart", "Difference"}.in(l), ""}}
	for _, x := range count {
		sense := ""
		switch d := x.Difference(); {
		case d < 0:
			sense = text{"manque", "short"}.in(l)
		case d > 0:
			sense = text{"excédent", "over"}.in(l)
		}
		rows = append(rows, []string{"  " + x.Method.Format(l), x.Expected.Format(l), x.Counted.Format(l), x.Difference().Format(l), sense})
	}
	return columns(rows)
}

// periodName says which period a report covers: "journée du 2026-11-30", "mois 2026-11".
func periodName(p string, l comptoir.Lang) string {
	switch len(p) {
	case len("2006-01-02"):
		return text{"journée du ", "day "}.in(l) + p
	case len("2006-01"):
		return text{"mois ", "month "}.in(l) + p
	}
	return text{"année ", "year "}.in(l) + p
}

// totalsLines lays out the figures of a period as a Z or X report does.
func totalsLines(t comptoir.Totals, grandTotal comptoir.Money, l comptoir.Lang) []string {
	var out []string
	var summary [][]string
	summary = append(summary, []string{text{"Tickets", "Tickets"}.in(l), fmt.Sprint(t.Tickets)})
	if t.FirstTicket != 0 {
		summary = append(summary, []string{text{"Numéros", "Numbers"}.in(l), fmt.Sprintf("%d – %d", t.FirstTicket, t.LastTicket)})
	}
	summary = append(summary, []string{text{"dont remboursements", "of which refunds"}.in(l), t.Refunds.Format(l)})
	if t.Discounts != 0 {
		summary = append(summary, []string{text{"dont remises fidélité", "of which loyalty discounts"}.in(l), (-t.Discounts).Format(l)})
	}
	summary = append(summary, []string{text{"Total de la période TTC", "Period total incl. VAT"}.in(l), t.Total.Format(l)})
	out = append(out, "")
	out = append(out, columns(summary)...)

	vatWord := text{"TVA", "VAT"}.in(l)
	vat := [][]string{{vatWord, text{"Base HT", "Net"}.in(l), vatWord, text{"TTC", "Gross"}.in(l)}}
	var base, tax comptoir.Money
	for _, v := range t.VAT {
		vat = append(vat, []string{v.Rate.Format(l), v.Base.Format(l), v.VAT.Format(l), v.TTC.Format(l)})
		base += v.Base
		tax += v.VAT
	}
	vat = append(vat, []string{text{"Total", "Total"}.in(l), base.Format(l), tax.Format(l), t.Total.Format(l)})
	out = append(out, "")
	out = append(out, columns(vat)...)

	pay := [][]string{{text{"Paiements (net du rendu)", "Payments (net of change)"}.in(l), ""}}
	for _, m := range comptoir.PaymentMethods {
		var amount comptoir.Money
		for _, x := range t.ByMethod {
			if x.Method == m {
				amount = x.Amount
			}
		}
		pay = append(pay, []string{"  " + m.Format(l), amount.Format(l)})
	}
	out = append(out, "")
	out = append(out, columns(pay)...)

	out = append(out, "")
	if t.Training > 0 {
		out = append(out, text{"Tickets de formation : %d (non comptés)", "Training tickets: %d (not counted)"}.f(l, t.Training))
	}
	out = append(out, text{"Grand total perpétuel  %s", "Perpetual grand total  %s"}.f(l, grandTotal.Format(l)))
	return out
}

// columns aligns rows of cells as the CLI's tables do: the first column on the left, the others
// (amounts) on the right, two spaces between columns.
func columns(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], lipgloss.Width(c))
		}
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			if i == 0 {
				cells[i] = c + strings.Repeat(" ", widths[i]-lipgloss.Width(c))
			} else {
				cells[i] = right(c, widths[i])
			}
		}
		out = append(out, strings.TrimRight(strings.Join(cells, "  "), " "))
	}
	return out
}
