package comptoir

import (
	"strconv"
	"strings"
)

// Money is an amount in euro cents. Amounts are never floats: a float cannot hold 0,10 € exactly,
// and a register whose totals drift by a cent fails its audit.
type Money int64

// MaxAmount bounds any single price or payment (one million euros). With quantities also bounded,
// no ticket total can come anywhere near overflowing an int64.
const MaxAmount Money = 100_000_000

// Euros builds an amount from whole euros and cents, for tests and literals: Euros(12, 50).
func Euros(euros, cents int64) Money { return Money(euros*100 + cents) }

// String formats the amount the French way, which is the default language.
func (m Money) String() string { return m.Format(LangFR) }

// Format renders the amount for a language: "1 234,50 €" in French, "€1,234.50" in English.
func (m Money) Format(l Lang) string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = uint64(-m)
	}
	units, cents := u/100, u%100
	sep, dec := " ", ","
	if l == LangEN {
		sep, dec = ",", "."
	}
	digits := strconv.FormatUint(units, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if l == LangEN {
		b.WriteString("€")
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	b.WriteString(dec)
	if cents < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.FormatUint(cents, 10))
	if l != LangEN {
		b.WriteString(" €")
	}
	return b.String()
}

// Plain renders the amount with a decimal point and no symbol ("-12.50"), for files and logs that
// a program reads back.
func (m Money) Plain() string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = uint64(-m)
	}
	s := strconv.FormatUint(u/100, 10) + "." + strconv.FormatUint(u%100/10, 10) + strconv.FormatUint(u%10, 10)
	if neg {
		return "-" + s
	}
	return s
}

// ParseMoney reads an amount as people type it or spreadsheets export it: "12,50", "12.50", "12",
// "12,5", "-3,00", "1 234,50 €", "€12.50", "12€50". The decimal separator is a comma or a point
// with at most two digits after it. A space (or the no-break spaces French software writes) may
// only separate groups of three digits in the whole part, as in "1 234 567,50", or stand beside
// the euro sign or around the amount: "1 2 3 4" is not read as 1 234, which a stray key or a
// column of small numbers pasted into one cell would otherwise become. A misplaced space is
// refused with CodeAmountGrouping, anything else with ErrInvalidAmount; an amount beyond
// MaxAmount with ErrAmountTooLarge.
func ParseMoney(s string) (Money, error) {
	t := strings.TrimFunc(s, isMoneySpace)
	// Spaces beside a euro sign belong to it: "12,50 €", "€ 12.50", "12 € 50".
	if strings.Contains(t, "€") {
		parts := strings.Split(t, "€")
		for i := range parts {
			if i > 0 {
				parts[i] = strings.TrimLeftFunc(parts[i], isMoneySpace)
			}
			if i < len(parts)-1 {
				parts[i] = strings.TrimRightFunc(parts[i], isMoneySpace)
			}
		}
		t = strings.Join(parts, "€")
	}
	// "12€50" is how French price tags often write 12,50 €: a euro sign between digits is the
	// decimal separator; anywhere else it is only a symbol.
	if i := strings.Index(t, "€"); i > 0 && i+len("€") < len(t) && allDigits(t[i-1:i]) && allDigits(t[i+len("€"):i+len("€")+1]) {
		t = t[:i] + "," + t[i+len("€"):]
	}
	t = strings.ReplaceAll(t, "€", "")
	neg := false
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	} else if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	t = strings.TrimLeftFunc(t, isMoneySpace)
	whole, frac, hasDec := t, "", false
	if i := strings.IndexAny(t, ",."); i >= 0 {
		whole, frac, hasDec = t[:i], t[i+1:], true
	}
	if strings.ContainsFunc(frac, isGroupSpace) {
		return 0, E(CodeAmountGrouping, s)
	}
	if strings.ContainsFunc(whole, isGroupSpace) {
		var ok bool
		if whole, ok = ungroup(whole); !ok {
			return 0, E(CodeAmountGrouping, s)
		}
	}
	if whole == "" && frac == "" || len(frac) > 2 || hasDec && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, E(CodeInvalidAmount, s)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 9 {
		return 0, E(CodeAmountTooLarge, s)
	}
	var cents int64
	for _, c := range whole {
		cents = cents*10 + int64(c-'0')
	}
	cents *= 100
	switch len(frac) {
	case 1:
		cents += int64(frac[0]-'0') * 10
	case 2:
		cents += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	if Money(cents) > MaxAmount {
		return 0, E(CodeAmountTooLarge, s)
	}
	if neg {
		cents = -cents
	}
	return Money(cents), nil
}

// isMoneySpace reports the spaces an amount may hold around it and beside its euro sign: the
// ordinary one, the no-break spaces French software writes, and a tab at the end of a cell.
func isMoneySpace(r rune) bool { return isGroupSpace(r) || r == '\t' }

// isGroupSpace reports the spaces that separate thousands: the ordinary one and the no-break spaces
// (U+00A0, and U+202F which French typography prefers).
func isGroupSpace(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' }

// ungroup joins the digit groups of a whole part written with thousands separators ("1 234 567"),
// and reports whether they were groups: one to three digits first, then groups of exactly three,
// each after a single space.
func ungroup(whole string) (string, bool) {
	groups := strings.FieldsFunc(whole, isGroupSpace)
	seps := 0
	for _, r := range whole {
		if isGroupSpace(r) {
			seps++
		}
	}
	if len(groups) == 0 || seps != len(groups)-1 || len(groups[0]) > 3 {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
