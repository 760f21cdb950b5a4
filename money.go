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
// "12,5", "-3,00", "1 234,50 €", "€12.50", "12€50". Spaces (including the no-break spaces French software
// puts between thousands) are ignored; the decimal separator is a comma or a point with at most two
// digits after it. Anything else is refused with ErrInvalidAmount; an amount beyond MaxAmount with
// ErrAmountTooLarge.
func ParseMoney(s string) (Money, error) {
	t := strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "\t", "").Replace(s)
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
	whole, frac, hasDec := t, "", false
	if i := strings.IndexAny(t, ",."); i >= 0 {
		whole, frac, hasDec = t[:i], t[i+1:], true
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

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
