package comptoir

import (
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// VATRate is a VAT (TVA) rate in basis points: 2000 is 20 %.
type VATRate int64

// The French VAT rates: normal, intermediate, reduced and special.
const (
	VATNormal       VATRate = 2000
	VATIntermediate VATRate = 1000
	VATReduced      VATRate = 550
	VATSpecial      VATRate = 210
)

// VATRates lists the rates a line may carry, highest first, which is the order of the breakdown on
// a ticket.
var VATRates = []VATRate{VATNormal, VATIntermediate, VATReduced, VATSpecial}

// Valid reports whether the rate is one of the French rates.
func (r VATRate) Valid() bool {
	for _, v := range VATRates {
		if r == v {
			return true
		}
	}
	return false
}

// Format renders the rate as people read it: "5,5 %" in French, "5.5%" in English.
func (r VATRate) Format(l Lang) string {
	s := strconv.FormatInt(int64(r)/100, 10)
	if frac := int64(r) % 100; frac != 0 {
		f := strconv.FormatInt(frac, 10)
		if frac < 10 {
			f = "0" + f
		}
		f = strings.TrimRight(f, "0")
		if l == LangEN {
			s += "." + f
		} else {
			s += "," + f
		}
	}
	if l == LangEN {
		return s + "%"
	}
	return s + " %"
}

// Letter is the code that stands for a rate on a ticket's lines, on screen and on receipts: A for
// 20 %, B for 10 %, C for 5,5 % and D for 2,1 %. The mapping is fixed rather than assigned in the
// order rates appear, so that a letter always means the same rate. A rate outside the French
// rates has no letter: the result is empty.
func (r VATRate) Letter() string {
	switch r {
	case VATNormal:
		return "A"
	case VATIntermediate:
		return "B"
	case VATReduced:
		return "C"
	case VATSpecial:
		return "D"
	}
	return ""
}

// String renders the rate in French.
func (r VATRate) String() string { return r.Format(LangFR) }

// ParseVATRate reads a rate as a percentage: "20", "10", "5.5", "5,5", "2.1", "2,10", "20 %".
// Only the French rates are accepted; anything else is ErrUnknownVATRate.
func ParseVATRate(s string) (VATRate, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	m, err := ParseMoney(t)
	if err != nil || m < 0 {
		return 0, E(CodeUnknownVATRate, s)
	}
	r := VATRate(m)
	if !r.Valid() {
		return 0, E(CodeUnknownVATRate, s)
	}
	return r, nil
}

// VATLine is one rate of a ticket's VAT breakdown: the tax-inclusive total of the lines at that
// rate (TTC), the amount before tax (HT) and the tax (TVA), with HT + VAT = TTC exactly.
type VATLine struct {
	Rate VATRate `json:"rate"`
	Base Money   `json:"base"`
	VAT  Money   `json:"vat"`
	TTC  Money   `json:"ttc"`
}

// VATFromTTC splits a tax-inclusive amount at a rate. The base is rounded half away from zero to
// the cent and the tax is what remains, so that base + tax equals the amount to the cent and, on a
// ticket, the rates sum exactly to the total.
func VATFromTTC(ttc Money, rate VATRate) VATLine {
	base := divRound(int64(ttc)*10000, 10000+int64(rate))
	return VATLine{Rate: rate, Base: Money(base), VAT: ttc - Money(base), TTC: ttc}
}

// divRound divides rounding half away from zero; d is positive.
func divRound(n, d int64) int64 {
	if n < 0 {
		return -((-n + d/2) / d)
	}
	return (n + d/2) / d
}

// VATBreakdown groups lines by rate and splits each group's total. Splitting per rate rather than
// per line is what French receipts show and keeps rounding to one cent per rate at most.
func VATBreakdown(lines []Line) []VATLine {
	sums := map[VATRate]Money{}
	for _, l := range lines {
		sums[l.VAT] += l.Total
	}
	out := make([]VATLine, 0, len(sums))
	for r, ttc := range sums {
		out = append(out, VATFromTTC(ttc, r))
	}
	sortVAT(out)
	return out
}

// VATBreakdownDiscounted is VATBreakdown after a discount on the whole ticket. The discount is
// shared between the rates in proportion to their totals, the cents left by rounding going to
// the rates with the largest remainders (the highest rate first on a tie), so that the rates
// still sum exactly to the ticket's total and each rate's tax is computed on what was paid.
//
// A discount can only be shared so when it has the sign of the ticket's total and is no larger,
// and every rate's total has that sign too, as on every ticket BuildSale makes. For any other
// (an edited journal record) there is no breakdown and the result is nil.
func VATBreakdownDiscounted(lines []Line, discount Money) []VATLine {
	v := VATBreakdown(lines)
	if discount == 0 {
		return v
	}
	var total Money
	for _, l := range v {
		total += l.TTC
	}
	// Without these conditions the shares below could overflow the division or never add up to
	// the discount, and the loop that hands out the last cents would not end.
	if total == 0 || (discount < 0) != (total < 0) || abs64(int64(discount)) > abs64(int64(total)) {
		return nil
	}
	for _, l := range v {
		if l.TTC != 0 && (l.TTC < 0) != (total < 0) {
			return nil
		}
	}
	type share struct {
		amount Money
		rem    uint64
	}
	shares := make([]share, len(v))
	var given Money
	absD, absT := abs64(int64(discount)), abs64(int64(total))
	for i, l := range v {
		// |discount| <= |total|, so |discount × ttc| / |total| <= |ttc| and the 128-bit product
		// divides without overflow.
		hi, lo := bits.Mul64(absD, abs64(int64(l.TTC)))
		q, r := bits.Div64(hi, lo, absT)
		// Every rate's total has the sign of the ticket's, so a share has the discount's sign.
		amount := Money(q)
		if discount < 0 {
			amount = -amount
		}
		shares[i] = share{amount, r}
		given += amount
	}
	// Rounding down leaves fewer cents to hand out than there are rates, on the discount's side.
	// Only rates' totals that overflowed (an edited record with absurd amounts) leave more, or
	// too many handed out already: then there is no breakdown either.
	if left := discount - given; left != 0 && ((left < 0) != (discount < 0) || abs64(int64(left)) >= uint64(len(v))) {
		return nil
	}
	order := make([]int, len(v))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return shares[order[a]].rem > shares[order[b]].rem })
	step := Money(1)
	if discount < 0 {
		step = -1
	}
	for i := 0; given != discount; i++ {
		shares[order[i%len(order)]].amount += step
		given += step
	}
	for i := range v {
		v[i] = VATFromTTC(v[i].TTC-shares[i].amount, v[i].Rate)
	}
	return v
}

func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

func sortVAT(v []VATLine) {
	sort.Slice(v, func(i, j int) bool { return v[i].Rate > v[j].Rate })
}

// mergeVAT adds the breakdown b into a, rate by rate. Bases and taxes are summed as recorded, not
// recomputed, so a period's VAT is exactly the sum of its tickets' VAT.
func mergeVAT(a, b []VATLine) []VATLine {
	for _, l := range b {
		found := false
		for i := range a {
			if a[i].Rate == l.Rate {
				a[i].Base += l.Base
				a[i].VAT += l.VAT
				a[i].TTC += l.TTC
				found = true
				break
			}
		}
		if !found {
			a = append(a, l)
		}
	}
	sortVAT(a)
	return a
}
