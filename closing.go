package comptoir

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// MethodTotal is the net amount taken with one payment method over a period (cash net of change).
type MethodTotal struct {
	Method PaymentMethod `json:"method"`
	Amount Money         `json:"amount"`
}

// Totals are the running figures of a period: what a Z report prints and what a closing seals.
type Totals struct {
	// Tickets counts the real tickets (sales and refunds), not training ones.
	Tickets int64 `json:"tickets"`
	// Total is the period total: sales minus refunds, tax included.
	Total Money `json:"total"`
	// Refunds is the sum of the refund tickets' totals (zero or negative).
	Refunds Money `json:"refunds"`
	// Discounts is what loyalty redemptions took off the tickets, net of refunds.
	Discounts Money         `json:"discounts,omitempty"`
	ByMethod  []MethodTotal `json:"by_method"`
	VAT       []VATLine     `json:"vat"`
	// FirstTicket and LastTicket bound the real tickets of the period (zero when there are none).
	FirstTicket uint64 `json:"first_ticket"`
	LastTicket  uint64 `json:"last_ticket"`
	// Training counts the training tickets of the period, which count nowhere else.
	Training int64 `json:"training"`
}

// Add counts a recorded ticket in the totals. A training ticket only increments Training.
func (t *Totals) Add(s Sale) {
	if s.Training {
		t.Training++
		return
	}
	t.Tickets++
	t.Total += s.Total
	t.Discounts += s.Discount
	if s.IsRefund() {
		t.Refunds += s.Total
	}
	change := s.Change
	for _, p := range s.Payments {
		amount := p.Amount
		if p.Method == Cash && change > 0 {
			given := min(change, amount)
			amount -= given
			change -= given
		}
		t.addMethod(p.Method, amount)
	}
	t.VAT = mergeVAT(t.VAT, s.VAT)
	t.span(s.Number, s.Number)
}

// Merge adds the totals of another period, as a month closing sums its days.
func (t *Totals) Merge(o Totals) {
	t.Tickets += o.Tickets
	t.Total += o.Total
	t.Refunds += o.Refunds
	t.Discounts += o.Discounts
	t.Training += o.Training
	for _, m := range o.ByMethod {
		t.addMethod(m.Method, m.Amount)
	}
	t.VAT = mergeVAT(t.VAT, o.VAT)
	if o.FirstTicket != 0 {
		t.span(o.FirstTicket, o.LastTicket)
	}
}

// Equal reports whether two totals agree on every figure.
func (t Totals) Equal(o Totals) bool {
	if t.Tickets != o.Tickets || t.Total != o.Total || t.Refunds != o.Refunds || t.Discounts != o.Discounts || t.Training != o.Training ||
		t.FirstTicket != o.FirstTicket || t.LastTicket != o.LastTicket ||
		len(t.ByMethod) != len(o.ByMethod) || len(t.VAT) != len(o.VAT) {
		return false
	}
	for i := range t.ByMethod {
		if t.ByMethod[i] != o.ByMethod[i] {
			return false
		}
	}
	for i := range t.VAT {
		if t.VAT[i] != o.VAT[i] {
			return false
		}
	}
	return true
}

func (t *Totals) span(first, last uint64) {
	if t.FirstTicket == 0 || first < t.FirstTicket {
		t.FirstTicket = first
	}
	if last > t.LastTicket {
		t.LastTicket = last
	}
}

func (t *Totals) addMethod(m PaymentMethod, amount Money) {
	for i := range t.ByMethod {
		if t.ByMethod[i].Method == m {
			t.ByMethod[i].Amount += amount
			return
		}
	}
	t.ByMethod = append(t.ByMethod, MethodTotal{Method: m, Amount: amount})
	// Keep the methods in the fixed report order so equal totals encode to equal bytes.
	ordered := t.ByMethod[:0:0]
	for _, pm := range PaymentMethods {
		for _, x := range t.ByMethod {
			if x.Method == pm {
				ordered = append(ordered, x)
			}
		}
	}
	t.ByMethod = ordered
}

// ClosingKind says which period a closing seals.
type ClosingKind string

// The closing kinds: the daily Z, and the monthly and yearly closings that sum it.
const (
	DayClosing   ClosingKind = "day"
	MonthClosing ClosingKind = "month"
	YearClosing  ClosingKind = "year"
)

// Closing seals a period. It is recorded in the journal like a ticket, chained to the record
// before it, and never changes afterwards.
type Closing struct {
	Register string      `json:"register"`
	Number   uint64      `json:"number"`
	Kind     ClosingKind `json:"kind"`
	// Period is YYYY-MM-DD for a day, YYYY-MM for a month, YYYY for a year.
	Period string    `json:"period"`
	At     time.Time `json:"at"`
	Totals Totals    `json:"totals"`
	// GrandTotal is the register's perpetual grand total when the period was sealed.
	GrandTotal Money `json:"grand_total"`
	// GrandTotalAbs is the perpetual grand total in absolute value (see AbsGrandTotal). Closings
	// made before signatures existed do not carry it.
	GrandTotalAbs Money  `json:"grand_total_abs,omitempty"`
	PrevHash      string `json:"prev_hash"`
	Hash          string `json:"-"`
	// Signature is the closing's signature in the closing chain, kept beside the record.
	Signature string `json:"-"`
	// Chains is where the reprint, technical event and key chains stood when the period was
	// sealed: their last number, hash and signature. The closing's hash and signature cover them,
	// so that a tail of those chains deleted, with the head moved back, no longer matches a
	// closing. Closings made before signatures existed do not carry them.
	Chains []ChainHead `json:"chains,omitempty"`
	// Count is what the manager counted at a day's Z close, per payment method, beside what the
	// tickets say (see CountCash). It is left out of the record when nothing was counted, so that
	// a closing without a count is written, and hashed, exactly as before counts existed.
	Count []CashCount `json:"count,omitempty"`
}

// CashCount is one payment method counted at the Z close: the cash in the drawer, the card
// terminal's total, the cheques and vouchers in hand, against what the day's tickets took.
type CashCount struct {
	Method PaymentMethod `json:"method"`
	// Expected is the day's net takings of the method (cash net of change), as the closing's
	// totals have it.
	Expected Money `json:"expected"`
	Counted  Money `json:"counted"`
}

// Difference is what the count found beyond the takings: positive when there is more than
// expected, negative when something is missing.
func (c CashCount) Difference() Money { return c.Counted - c.Expected }

// CountCash builds a Z close's count from the amounts counted per method and the day's totals,
// in the report's order of methods; a method not counted is left out. It refuses an unknown
// method (CodeUnknownPaymentMethod), a negative amount (CodeInvalidAmount) and one beyond
// MaxAmount (CodeAmountTooLarge).
func CountCash(t Totals, counted map[PaymentMethod]Money) ([]CashCount, error) {
	for m, amount := range counted {
		if !slices.Contains(PaymentMethods, m) {
			return nil, E(CodeUnknownPaymentMethod, string(m))
		}
		if amount < 0 {
			return nil, E(CodeInvalidAmount, amount.Plain())
		}
		if amount > MaxAmount {
			return nil, E(CodeAmountTooLarge, amount.Plain())
		}
	}
	var out []CashCount
	for _, m := range PaymentMethods {
		amount, ok := counted[m]
		if !ok {
			continue
		}
		out = append(out, CashCount{Method: m, Expected: t.MethodAmount(m), Counted: amount})
	}
	return out, nil
}

// MethodAmount is the net amount taken with a method in the totals, zero when none was.
func (t Totals) MethodAmount(m PaymentMethod) Money {
	for _, x := range t.ByMethod {
		if x.Method == m {
			return x.Amount
		}
	}
	return 0
}

// CountConsistent reports whether a closing's count agrees with its totals: only a day's Z close
// has one, each method once, and each expected amount is the totals' figure for the method.
func (c Closing) CountConsistent() bool {
	if len(c.Count) == 0 {
		return true
	}
	if c.Kind != DayClosing {
		return false
	}
	seen := map[PaymentMethod]bool{}
	for _, x := range c.Count {
		if !slices.Contains(PaymentMethods, x.Method) || seen[x.Method] || x.Expected != c.Totals.MethodAmount(x.Method) {
			return false
		}
		seen[x.Method] = true
	}
	return true
}

// ParsePeriod reads a period as YYYY-MM-DD, YYYY-MM or YYYY and says which kind of closing seals
// it.
func ParsePeriod(s string) (ClosingKind, error) {
	layouts := []struct {
		layout string
		kind   ClosingKind
	}{{"2006-01-02", DayClosing}, {"2006-01", MonthClosing}, {"2006", YearClosing}}
	for _, l := range layouts {
		if len(s) == len(l.layout) {
			if _, err := time.Parse(l.layout, s); err == nil {
				return l.kind, nil
			}
		}
	}
	return "", E(CodeInvalidPeriod, s)
}

// PeriodBounds returns the first and the last business day (YYYY-MM-DD) of a period written as
// ParsePeriod reads it.
func PeriodBounds(period string) (first, last string, err error) {
	kind, err := ParsePeriod(period)
	if err != nil {
		return "", "", err
	}
	switch kind {
	case DayClosing:
		return period, period, nil
	case MonthClosing:
		start, _ := time.Parse("2006-01", period)
		return start.Format("2006-01-02"), start.AddDate(0, 1, -1).Format("2006-01-02"), nil
	}
	return period + "-01-01", period + "-12-31", nil
}

// CheckClosable applies the rules of when a period may be closed, given today's business day and
// the business day of the register's first record (empty when the journal holds nothing yet):
//
//   - nothing in the future: a period that has not started cannot be closed, and a month or a
//     year only once it is over (a day may be closed on the day itself, which is the evening Z);
//   - nothing before the register's first record: a closing there would seal an empty period for
//     ever, which only a typo (--date 1999-01-01, --year 0000) asks for;
//   - with an empty journal, only today: a shop that sold nothing on its first day may still make
//     its Z, but nothing can have happened before it.
//
// The store applies it in the transaction that records the closing, so the CLI and the TUI get
// the same refusals.
func CheckClosable(period, today, firstDay string) error {
	kind, err := ParsePeriod(period)
	if err != nil {
		return err
	}
	start, end, _ := PeriodBounds(period)
	switch {
	case start > today:
		return E(CodePeriodInFuture, period, today)
	case kind != DayClosing && end >= today:
		return E(CodePeriodNotOver, period)
	case firstDay == "" && period != today:
		return E(CodePeriodEmptyJournal, today, period)
	case firstDay != "" && end < firstDay:
		return E(CodePeriodBeforeJournal, period, firstDay)
	}
	return nil
}

// ParseDay reads a business day as YYYY-MM-DD.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, E(CodeInvalidDate, s)
	}
	return t, nil
}

// DayOf is the business day of an instant in the shop's time zone.
func DayOf(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

// RecordKind says whether a journal record is a ticket or a closing.
type RecordKind string

// The journal record kinds.
const (
	TicketRecord  RecordKind = "ticket"
	ClosingRecord RecordKind = "closing"
)

// RecordRef names a journal record for a person: "ticket 42", "clôture 3".
type RecordRef struct {
	Kind   RecordKind
	Number uint64
	// Position is the record's place in the journal (1 for the first), used when its key cannot be read.
	Position uint64
}

// Format names the record in a language.
func (r RecordRef) Format(l Lang) string {
	kind := string(r.Kind)
	if l == LangFR {
		switch r.Kind {
		case ClosingRecord:
			kind = "clôture"
		case ReprintRecord:
			kind = "duplicata"
		case EventRecord:
			kind = "événement technique"
		case KeyRecord:
			kind = "clé"
		}
	} else if r.Kind == EventRecord {
		kind = "technical event"
	}
	if r.Number == 0 {
		if l == LangFR {
			return fmt.Sprintf("enregistrement n° %d du journal", r.Position)
		}
		return fmt.Sprintf("journal record #%d", r.Position)
	}
	return fmt.Sprintf("%s %d", kind, r.Number)
}

// VerifyReport is what walking the journal found.
type VerifyReport struct {
	Tickets    int64
	Closings   int64
	GrandTotal Money
	// Broken is the first record that failed, nil when the journal is intact.
	Broken *Error
	// At names the broken record; Chain is the signature chain it belongs to.
	At    *RecordRef
	Chain Chain
	// Reprints, Events and Keys count the records of the other chains; Signed counts the records
	// whose signature verified, across every chain.
	Reprints int64
	Events   int64
	Keys     int64
	Signed   int64
	// SigningKeys lists every key the key chain declares, in order: what a fingerprint kept from
	// a Z report is checked against (a journal rewritten without its key chain declares none).
	SigningKeys []KeyInfo
	// Breaks lists the declared breaks: the keys recorded as replacing a lost one. They are not
	// failures, but verify names them, because records signed by a lost key can no longer be
	// told from records its finder signed.
	Breaks []KeyInfo
	// Heads is where each chain stands at the end of the walk.
	Heads []ChainHead
}

// Summary says what an intact journal holds, as verify prints it and the manager screen shows it:
// "journal intact : 1 ticket, 0 clôture, grand total perpétuel 1,30 €".
func (r VerifyReport) Summary(l Lang) string {
	if l == LangEN {
		return fmt.Sprintf("journal intact: %s, %s, perpetual grand total %s",
			countOf(r.Tickets, "ticket", "tickets", l), countOf(r.Closings, "closing", "closings", l), r.GrandTotal.Format(l))
	}
	return fmt.Sprintf("journal intact : %s, %s, grand total perpétuel %s",
		countOf(r.Tickets, "ticket", "tickets", l), countOf(r.Closings, "clôture", "clôtures", l), r.GrandTotal.Format(l))
}

// Outcome is verify's result in one English line, as the technical event log keeps it: "intact:
// 12 tickets, 1 closing, 14 signed" or the broken record's sentence and its chain.
func (r VerifyReport) Outcome() string {
	if r.Broken != nil {
		out := "broken: " + r.Broken.Message(LangEN)
		if r.Chain != "" {
			out += " (" + r.Chain.Label(LangEN) + ")"
		}
		return out
	}
	return fmt.Sprintf("intact: %s, %s, %d signed", countOf(r.Tickets, "ticket", "tickets", LangEN),
		countOf(r.Closings, "closing", "closings", LangEN), r.Signed)
}

// countOf writes a count with its noun, singular or plural as the language has it: French puts 0
// and 1 in the singular, English only 1.
func countOf(n int64, one, many string, l Lang) string {
	if n == 1 || (n == 0 && l != LangEN) {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ClosingService seals periods and reads their totals.
type ClosingService interface {
	// ClosePeriod seals a business day (the Z close), a month (YYYY-MM) or a year (YYYY) and
	// records its closing in the journal. It refuses a malformed period (CodeInvalidPeriod),
	// one that CheckClosable refuses (in the future, not over, before the first record), one
	// already closed (CodeAlreadyClosed), and a month or a year with a day or month that has
	// tickets but no closing (CodeUnclosedPeriod).
	ClosePeriod(ctx context.Context, period string) (Closing, error)
	// CloseDayCounted seals a business day as ClosePeriod does, with the amounts the manager
	// counted per payment method (see CountCash): the expected amounts are read in the same
	// transaction as the closing, so that a ticket recorded after the count cannot slip in
	// unnoticed. It refuses what ClosePeriod and CountCash refuse, and a month or a year
	// (CodeInvalidDate).
	CloseDayCounted(ctx context.Context, day string, counted map[PaymentMethod]Money) (Closing, error)
	// Closing reads the closing of a period; ok is false when the period is not closed. It
	// refuses a malformed period with CodeInvalidPeriod.
	Closing(ctx context.Context, period string) (c Closing, ok bool, err error)
	// DayTotals reads the running totals of a business day (YYYY-MM-DD) without scanning the
	// journal; a malformed day is refused with CodeInvalidDate.
	DayTotals(ctx context.Context, day string) (Totals, error)
	// PeriodTotals sums the running totals of a day, a month or a year, closed or not: the
	// figures of an X report. It refuses a malformed period with CodeInvalidPeriod.
	PeriodTotals(ctx context.Context, period string) (Totals, error)
	// GrandTotal is the register's perpetual grand total now.
	GrandTotal(ctx context.Context) (Money, error)
}

// JournalVerifier walks the tamper-evident journal.
type JournalVerifier interface {
	// Verify walks the register's journal from the first record and reports the first one that
	// fails in VerifyReport.Broken. It returns an error only when the walk itself fails (the
	// context cancelled, the file unreadable), never for an altered record.
	Verify(ctx context.Context) (VerifyReport, error)
}

// PeriodReport is what a report of a period shows: the closing of a sealed period (a Z report, or
// a monthly or yearly closing), else the running totals and the grand total now (an X report,
// provisional).
type PeriodReport struct {
	Period string
	// Closed says whether the period is sealed; Closing is then its closing.
	Closed  bool
	Closing Closing
	// Totals and GrandTotal are the closing's when the period is closed, the running ones
	// otherwise.
	Totals     Totals
	GrandTotal Money
}

// ReadReport builds the report of a period as the report command and the manager screen show it:
// the closing when the period is closed, else its running totals with the grand total now. It
// refuses a malformed period with CodeInvalidPeriod.
func ReadReport(ctx context.Context, s ClosingService, period string) (PeriodReport, error) {
	c, ok, err := s.Closing(ctx, period)
	if err != nil {
		return PeriodReport{}, err
	}
	if ok {
		return PeriodReport{Period: period, Closed: true, Closing: c, Totals: c.Totals, GrandTotal: c.GrandTotal}, nil
	}
	t, err := s.PeriodTotals(ctx, period)
	if err != nil {
		return PeriodReport{}, err
	}
	gt, err := s.GrandTotal(ctx)
	if err != nil {
		return PeriodReport{}, err
	}
	return PeriodReport{Period: period, Totals: t, GrandTotal: gt}, nil
}
