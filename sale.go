package comptoir

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Limits that keep a ticket printable and its arithmetic far from overflow.
const (
	MaxLines = 200
	MaxQty   = 9999
)

// PaymentMethod is how a customer pays. Its value is what the journal stores: a method is never
// renamed, so that old tickets keep reading as they were recorded.
type PaymentMethod string

// The payment methods. Meal vouchers (titres-restaurant, paper or card) and cheques have their own
// lines in the reports and closings; tickets recorded before they existed keep them under Other.
// "other" still covers gift cards and whatever else a shop takes.
const (
	Cash        PaymentMethod = "cash"
	Card        PaymentMethod = "card"
	MealVoucher PaymentMethod = "meal_voucher"
	Cheque      PaymentMethod = "cheque"
	Other       PaymentMethod = "other"
)

// PaymentMethods lists the methods in the order reports show them. A closing's totals list their
// methods in this order; the methods known before meal vouchers and cheques keep their relative
// order, so the totals of an old closing recompute to the same list.
var PaymentMethods = []PaymentMethod{Cash, Card, MealVoucher, Cheque, Other}

// ParsePaymentMethod reads a method in English or French ("espèces", "cb", "carte",
// "titre-restaurant", "chèque", "autre").
func ParsePaymentMethod(s string) (PaymentMethod, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "cash", "especes", "espèces", "liquide":
		return Cash, nil
	case "card", "carte", "cb":
		return Card, nil
	case "meal_voucher", "meal-voucher", "meal voucher", "voucher", "titre-restaurant", "titres-restaurant",
		"titre restaurant", "ticket-restaurant", "ticket restaurant", "tr":
		return MealVoucher, nil
	case "cheque", "chèque", "check":
		return Cheque, nil
	case "other", "autre":
		return Other, nil
	}
	return "", E(CodeUnknownPaymentMethod, s)
}

// paymentNames names each method in French and English, as reports and receipts print them.
var paymentNames = map[PaymentMethod]Text{
	Cash: {"Espèces", "Cash"}, Card: {"Carte", "Card"}, MealVoucher: {"Titre-restaurant", "Meal voucher"},
	Cheque: {"Chèque", "Cheque"}, Other: {"Autre", "Other"},
}

// Format names the method for a language.
func (m PaymentMethod) Format(l Lang) string {
	if n, ok := paymentNames[m]; ok {
		return n.In(l)
	}
	return string(m)
}

// Payment is an amount tendered with a method. On a refund the amounts are negative: money goes
// back to the customer.
type Payment struct {
	Method PaymentMethod `json:"method"`
	Amount Money         `json:"amount"`
}

// SaleDraft is what the cashier rings up before the register records it: lines, payments, and
// the context of the ticket. The store turns a valid draft into a numbered, chained Sale.
type SaleDraft struct {
	// At is when the sale happened; the store uses its clock when it is zero.
	At      time.Time
	Cashier string
	Lines   []Line
	// Payments tendered. Cash may exceed the total; the difference is the change given back.
	Payments []Payment
	// Training marks a ticket rung up to learn the till: recorded and marked, never counted.
	Training bool
	// RefundOf is the number of the ticket being refunded; its lines then have negative quantities.
	RefundOf uint64
	// CustomerID is the pseudonymous ID of a loyalty member, if one is attached.
	CustomerID     string
	PointsEarned   int64
	PointsRedeemed int64
	// Discount is taken off the ticket's total, such as the value of redeemed points. On a refund
	// it is negative: the share of the original ticket's discount that the refunded lines carried.
	Discount Money
}

// Sale is a recorded ticket. Once recorded it never changes: a correction is another ticket.
type Sale struct {
	Register string    `json:"register"`
	Number   uint64    `json:"number"`
	At       time.Time `json:"at"`
	// Day is the business day the ticket belongs to (YYYY-MM-DD, in the shop's time zone).
	Day        string `json:"day"`
	Cashier    string `json:"cashier,omitempty"`
	Training   bool   `json:"training,omitempty"`
	RefundOf   uint64 `json:"refund_of,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	Lines      []Line `json:"lines"`
	// Discount is what was taken off the lines' sum (see SaleDraft.Discount).
	Discount       Money     `json:"discount,omitempty"`
	VAT            []VATLine `json:"vat"`
	Total          Money     `json:"total"`
	Payments       []Payment `json:"payments"`
	Change         Money     `json:"change"`
	PointsEarned   int64     `json:"points_earned,omitempty"`
	PointsRedeemed int64     `json:"points_redeemed,omitempty"`
	// GrandTotal is the perpetual grand total of the register after this ticket: the sum of every
	// non-training ticket ever recorded. Training tickets carry the total of the ticket before them.
	GrandTotal Money `json:"grand_total"`
	// PrevHash is the hash of the journal record before this one, hex-encoded.
	PrevHash string `json:"prev_hash"`
	// Hash is the SHA-256 of the record's canonical bytes. It is stored beside them, not in them.
	Hash string `json:"-"`
	// Signature is the ticket's signature in the ticket chain (Signature.Value), kept beside the
	// record; empty on a ticket made before the register had a signing key.
	Signature string `json:"-"`
}

// IsRefund reports whether the ticket refunds another.
func (s Sale) IsRefund() bool { return s.RefundOf != 0 }

// Paid is the sum of the payments tendered.
func (s Sale) Paid() Money {
	var p Money
	for _, pm := range s.Payments {
		p += pm.Amount
	}
	return p
}

// BuildSale applies the ticket rules to a draft and computes what follows from it: line totals,
// the total, the VAT breakdown per rate and the change. It refuses an empty ticket, an invalid
// line, a negative quantity outside a refund, a positive one inside a refund, an unknown payment
// method, an underpayment, a card paying more than is due, and a refund that does not pay back
// exactly its total. It assigns no number, time or hash: that is the store's job.
func BuildSale(d SaleDraft) (Sale, error) {
	s, err := PriceSale(d)
	if err != nil {
		return Sale{}, err
	}
	s.Payments = append([]Payment(nil), d.Payments...)
	change, err := settle(s.Total, s.Payments, d.RefundOf != 0)
	if err != nil {
		return Sale{}, err
	}
	s.Change = change
	return s, nil
}

// PriceSale applies the ticket rules to a draft's lines and discount as BuildSale does, and
// leaves the payments aside: it computes the line totals, the total and the VAT breakdown, and
// the sale it returns has no payment and no change. Its Total is what is due before the customer
// pays (on a refund, negative: what is paid back). It refuses what BuildSale refuses but the
// payments.
func PriceSale(d SaleDraft) (Sale, error) {
	if len(d.Lines) == 0 {
		return Sale{}, E(CodeEmptyTicket)
	}
	if len(d.Lines) > MaxLines {
		return Sale{}, E(CodeTooManyLines, MaxLines)
	}
	refund := d.RefundOf != 0
	s := Sale{
		At:             d.At,
		Cashier:        CleanText(d.Cashier),
		Training:       d.Training,
		RefundOf:       d.RefundOf,
		CustomerID:     d.CustomerID,
		PointsEarned:   d.PointsEarned,
		PointsRedeemed: d.PointsRedeemed,
		Discount:       d.Discount,
		Lines:          make([]Line, len(d.Lines)),
	}
	for i, l := range d.Lines {
		line, err := buildLine(l, refund)
		if err != nil {
			return Sale{}, err
		}
		s.Lines[i] = line
		s.Total += line.Total
	}
	// A discount lowers what is due, never below zero, and on a refund lowers what is paid back.
	if refund && (s.Discount > 0 || s.Discount < s.Total) || !refund && (s.Discount < 0 || s.Discount > s.Total) {
		return Sale{}, E(CodeInvalidDiscount, s.Discount, s.Total)
	}
	s.Total -= s.Discount
	s.VAT = VATBreakdownDiscounted(s.Lines, s.Discount)
	return s, nil
}

func buildLine(l Line, refund bool) (Line, error) {
	p, err := NormalizeProduct(Product{GTIN: l.GTIN, Name: l.Name, Price: l.UnitPrice, VAT: l.VAT})
	if err != nil {
		return Line{}, err
	}
	switch {
	case l.Qty == 0:
		return Line{}, E(CodeZeroQuantity, l.GTIN)
	case l.Qty > MaxQty || l.Qty < -MaxQty:
		return Line{}, E(CodeQuantityTooLarge, l.GTIN, MaxQty)
	case l.Qty < 0 && !refund:
		return Line{}, E(CodeNegativeQuantity, l.GTIN)
	case l.Qty > 0 && refund:
		return Line{}, E(CodeRefundPositiveQuantity, l.GTIN)
	}
	return LineFor(p, l.Qty), nil
}

// settle checks the payments against the total and returns the change to give.
//
// Only cash gives change. Meal vouchers give none either, by law, and the register refuses them
// beyond the amount due with their own sentence, since that is the mistake a cashier makes with a
// voucher worth more than a small ticket. The rule that vouchers pay for food only is not
// enforced: the register does not know which products qualify.
func settle(total Money, payments []Payment, refund bool) (Money, error) {
	var paid, cash, vouchers Money
	for _, p := range payments {
		if _, ok := paymentNames[p.Method]; !ok {
			return 0, E(CodeUnknownPaymentMethod, string(p.Method))
		}
		if p.Amount == 0 || p.Amount > MaxAmount || p.Amount < -MaxAmount || (p.Amount < 0) != refund {
			return 0, E(CodeInvalidPayment, p.Amount)
		}
		paid += p.Amount
		switch p.Method {
		case Cash:
			cash += p.Amount
		case MealVoucher:
			vouchers += p.Amount
		}
	}
	if !refund && vouchers > total {
		return 0, E(CodeMealVoucherExceeds, vouchers-total)
	}
	if refund {
		if paid != total {
			return 0, E(CodeRefundPaymentMismatch, -total, -paid)
		}
		return 0, nil
	}
	if paid < total {
		return 0, E(CodeUnderpaid, total-paid, total, paid)
	}
	change := paid - total
	if change > cash {
		return 0, E(CodeOverpaidNonCash, change-cash)
	}
	return change, nil
}

// CheckSale redoes the arithmetic of a recorded ticket and reports whether it agrees: each line
// total is quantity × unit price, the VAT breakdown splits the lines per rate, the total is their
// sum and the change is what was paid beyond it. The journal verifier uses it to catch a ticket
// whose totals were edited consistently with its hash but not with its lines.
//
// It checks arithmetic only, not today's rules (VAT rates, label cleaning, limits): a ticket
// recorded under older rules must still verify after the rules change.
func CheckSale(s Sale) bool {
	var total Money
	for _, l := range s.Lines {
		if l.Total != l.UnitPrice*Money(l.Qty) {
			return false
		}
		total += l.Total
	}
	total -= s.Discount
	// A nil breakdown means the discount cannot be shared between the rates (see
	// VATBreakdownDiscounted): no register builds such a ticket, whatever VAT it carries.
	vat := VATBreakdownDiscounted(s.Lines, s.Discount)
	if vat == nil || total != s.Total || !slices.Equal(vat, s.VAT) {
		return false
	}
	change := Money(0)
	if paid := s.Paid(); !s.IsRefund() && paid > total {
		change = paid - total
	}
	return change == s.Change
}

// CheckRefund checks a refund draft against the ticket it refunds and the refunds already made of
// it: the original must be a sale, in the same mode (training or not), and each refunded line must
// be an item of the original at its original price and VAT rate, for no more units than remain
// unrefunded.
func CheckRefund(refund Sale, original Sale, earlier []Sale) error {
	if original.IsRefund() {
		return E(CodeRefundOfRefund, original.Number)
	}
	if original.Training != refund.Training {
		return E(CodeRefundTrainingMismatch)
	}
	// An item is its barcode, price and VAT rate: a refund that changed the rate would move tax
	// from one rate to another while the amounts still net to zero.
	type item struct {
		gtin  string
		price Money
		vat   VATRate
	}
	key := func(l Line) item { return item{GTINKey(l.GTIN), l.UnitPrice, l.VAT} }
	remaining := map[item]int64{}
	for _, l := range original.Lines {
		remaining[key(l)] += l.Qty
	}
	for _, e := range earlier {
		for _, l := range e.Lines {
			remaining[key(l)] += l.Qty
		}
	}
	for _, l := range refund.Lines {
		k := key(l)
		left, ok := remaining[k]
		if !ok {
			return E(CodeRefundNotInOriginal, l.GTIN, original.Number)
		}
		if -l.Qty > left {
			return E(CodeRefundExceeds, left, l.GTIN, original.Number)
		}
		remaining[k] = left + l.Qty
	}
	return nil
}

// SaleService records tickets in the journal and reads them back.
type SaleService interface {
	// RecordSale applies the ticket rules (BuildSale, and CheckRefund for a refund) to a draft,
	// attaches the member's points, then numbers, chains and records the ticket durably with
	// its outbox event. It refuses what BuildSale refuses; a ticket in a closed day, month or
	// year (CodeDayClosed); a refund that CheckRefund refuses or of a ticket that does not
	// exist (CodeTicketNotFound); points redeemed beyond the balance (CodeInsufficientPoints)
	// or not in whole units (CodeRedeemUnit), or by a member in stop processing
	// (CodeStopProcessing); an unknown member (CodeUnknownCustomer). A member erased or in stop
	// processing otherwise makes an anonymous sale, and a training ticket is always anonymous.
	RecordSale(ctx context.Context, d SaleDraft) (Sale, error)
	// Sale reads a recorded ticket of this register by number; CodeTicketNotFound when there
	// is none.
	Sale(ctx context.Context, number uint64) (Sale, error)
	// QuoteSale applies the rules to a draft as RecordSale would, with the member's points and
	// a refund's share of the original ticket's discount, and returns the ticket it would
	// record, unnumbered and without payments, recording nothing: its Total is what the
	// customer owes, or on a refund (negative) what must be paid back, which only the store can
	// compute. It refuses what RecordSale refuses but the payments.
	QuoteSale(ctx context.Context, d SaleDraft) (Sale, error)
	// LastTicket is the number of the register's last ticket, zero when it has none.
	LastTicket(ctx context.Context) (uint64, error)
	// Refunds lists the refund tickets recorded against a ticket, oldest first: with the
	// ticket itself they tell what may still be refunded (see CheckRefund). It refuses a
	// ticket that does not exist with CodeTicketNotFound.
	Refunds(ctx context.Context, number uint64) ([]Sale, error)
}
