package comptoir

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The audited actions of the till: what a cashier took off a ticket before it was paid. A line
// voided or a ticket abandoned is money that was rung up and never taken, which an auditor (and
// the shop's owner) may ask about; the trail counts them instead of letting them vanish. Their
// entries name no member and hold no personal data: the detail is codes, quantities and amounts.
const (
	// AuditLineVoided is a line, or part of its quantity, taken off an open ticket.
	AuditLineVoided AuditAction = "line-voided"
	// AuditTicketAbandoned is an open ticket given up whole: a ticket kept at logout that could
	// not be taken back, or one the cashier emptied.
	AuditTicketAbandoned AuditAction = "ticket-abandoned"
)

// TillAudit records in the audit trail what a cashier took off tickets that were never paid,
// each call in one transaction of its own.
type TillAudit interface {
	// RecordVoid records that who took line (its GTIN, the quantity taken off and its amount)
	// off the open ticket.
	RecordVoid(ctx context.Context, who string, line Line) error
	// RecordAbandon records that who gave up an open ticket of these lines; no lines records
	// nothing.
	RecordAbandon(ctx context.Context, who string, lines []Line) error
	// TillCounts counts the voided lines and abandoned tickets of a business day (YYYY-MM-DD,
	// in the shop's time zone), for the X and Z reports on screen and on paper. They are read
	// from the audit trail, never part of a closing's sealed figures. It refuses a malformed day
	// with CodeInvalidPeriod.
	TillCounts(ctx context.Context, day string) (TillCounts, error)
}

// TillCounts is what was rung up on a day and taken off before payment: how many lines were
// voided (or quantities lowered) and for how much, how many tickets were abandoned and for how
// much.
type TillCounts struct {
	Voids         int   `json:"voids"`
	VoidAmount    Money `json:"void_amount"`
	Abandons      int   `json:"abandons"`
	AbandonAmount Money `json:"abandon_amount"`
}

// Add counts one audit entry of the till; entries of other actions, or whose detail this version
// cannot read, count for nothing.
func (c *TillCounts) Add(e AuditEntry) {
	_, _, amount, ok := splitTillDetail(e.Detail)
	if !ok {
		return
	}
	switch e.Action {
	case AuditLineVoided:
		c.Voids++
		c.VoidAmount += amount
	case AuditTicketAbandoned:
		c.Abandons++
		c.AbandonAmount += amount
	}
}

// VoidDetail is the audit detail of a voided line, in no language: "GTIN×qty=cents", which
// DetailIn says in words. It holds no name or label, only what the journal's lines hold.
func VoidDetail(l Line) string {
	return fmt.Sprintf("%s×%d=%d", CleanText(l.GTIN), l.Qty, int64(l.Total))
}

// AbandonDetail is the audit detail of an abandoned ticket, in no language: "lines×items=cents".
func AbandonDetail(lines []Line) string {
	var items int64
	var total Money
	for _, l := range lines {
		items += l.Qty
		total += l.Total
	}
	return fmt.Sprintf("%d×%d=%d", len(lines), items, int64(total))
}

// splitTillDetail reads "a×n=cents" back; ok is false for anything else (an entry of a later
// version), which is then shown as stored.
func splitTillDetail(d string) (a string, n int64, amount Money, ok bool) {
	a, rest, ok1 := strings.Cut(d, "×")
	ns, cents, ok2 := strings.Cut(rest, "=")
	if !ok1 || !ok2 {
		return "", 0, 0, false
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	c, err2 := strconv.ParseInt(cents, 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return a, n, Money(c), true
}

// tillDetailIn says a till entry's detail in a language: "3017620422003 × 2, 5,98 €" for a
// voided line, "3 lignes, 4 articles, 12,40 €" for an abandoned ticket.
func tillDetailIn(e AuditEntry, l Lang) string {
	a, n, amount, ok := splitTillDetail(e.Detail)
	if !ok {
		return e.Detail
	}
	if e.Action == AuditLineVoided {
		return fmt.Sprintf("%s × %d, %s", a, n, amount.Format(l))
	}
	lines, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return e.Detail
	}
	w := Text{"%d ligne%s, %d article%s, %s", "%d line%s, %d item%s, %s"}.In(l)
	return fmt.Sprintf(w, lines, pluralS(lines, l), n, pluralS(n, l), amount.Format(l))
}

// pluralS is the "s" of a plural: French takes it from two on, English for every count but one.
func pluralS(n int64, l Lang) string {
	if n == 1 || (l != LangEN && n == 0) {
		return ""
	}
	return "s"
}
