package comptoir

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ScaleLayout says how the shop's scales write a price or a weight into the EAN-13 they print.
// GS1 leaves the prefixes 20 to 29 to each company (restricted circulation); the usual French
// layout is `2`, one digit of prefix, five digits of item code, five digits of price or weight and
// the check digit. A shop uses one layout for the whole 20–29 range.
type ScaleLayout string

// The named scale layouts. In each, digits 1–7 (the `2`, the prefix digit and the five-digit
// item) name the item, and the five digits 8–12 carry the value.
const (
	// ScalePrice5 is 2 P IIIII VVVVV C: the price in cents (up to 999,99 €).
	ScalePrice5 ScaleLayout = "price5"
	// ScaleWeight5 is 2 P IIIII WWWWW C: the weight in grams (up to 99,999 kg), priced at the
	// catalogue's price per kilogram.
	ScaleWeight5 ScaleLayout = "weight5"
	// ScalePrice4 is 2 P IIIII K VVVV C: a price check digit K, then the price in cents (up to
	// 99,99 €), for scales that guard the price against a misread of its own.
	ScalePrice4 ScaleLayout = "price4c"
	// ScaleNone reads codes 20–29 as ordinary GTINs, looked up in the catalogue as they are.
	ScaleNone ScaleLayout = "none"
)

// DefaultScaleLayout is the layout of a shop that has set none: price-embedded labels are what
// most French shop scales print.
const DefaultScaleLayout = ScalePrice5

// scaleLayouts lists the named layouts in the order a refusal lists them.
var scaleLayouts = []ScaleLayout{ScalePrice5, ScaleWeight5, ScalePrice4, ScaleNone}

// ParseScaleLayout reads a layout by its name; the empty name is the default.
func ParseScaleLayout(s string) (ScaleLayout, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return DefaultScaleLayout, nil
	}
	for _, l := range scaleLayouts {
		if string(l) == s {
			return l, nil
		}
	}
	names := make([]string, len(scaleLayouts))
	for i, l := range scaleLayouts {
		names[i] = string(l)
	}
	return "", E(CodeUnknownScaleLayout, s, strings.Join(names, ", "))
}

// Weighed reports whether the layout carries a weight rather than a price.
func (l ScaleLayout) Weighed() bool { return l == ScaleWeight5 }

// VariableMeasure is what a scale's code says: which item, and its price or its weight.
type VariableMeasure struct {
	// Code is the code as scanned; it is the GTIN the ticket's line carries, so that a refund
	// finds the item at the price it was sold.
	Code string
	// Base is the item's code in the catalogue: the scanned code with its value digits (and the
	// price check digit) zeroed and its check digit computed again. A scale item is imported
	// under that code, with its label, VAT rate and, for weight layouts, its price per kilogram.
	Base string
	// Price is the price the label carries (price layouts), Grams the weight (weight layouts).
	Price Money
	Grams int64
}

// ParseVariableMeasure reads a code printed by a shop scale under a layout. It answers ok false,
// with no error, for a code that is not a scale code under that layout: not a valid GTIN-13 with
// a prefix from 20 to 29, or any code under ScaleNone. A scale code is refused when its value is
// zero (CodeScaleZero) or its price check digit disagrees (CodeScalePriceCheck).
func ParseVariableMeasure(code string, layout ScaleLayout) (m VariableMeasure, ok bool, err error) {
	if len(code) != 13 || code[0] != '2' || layout == ScaleNone || ValidateGTIN(code) != nil {
		return VariableMeasure{}, false, nil
	}
	switch layout {
	case ScalePrice5, ScaleWeight5, ScalePrice4:
	default:
		return VariableMeasure{}, false, nil
	}
	body := code[:7] + "00000"
	m = VariableMeasure{Code: code, Base: body + strconv.Itoa(GTINCheckDigit(body))}
	value, _ := strconv.ParseInt(code[7:12], 10, 64)
	if layout == ScalePrice4 {
		value, _ = strconv.ParseInt(code[8:12], 10, 64)
		if int(code[7]-'0') != PriceCheckDigit(code[8:12]) {
			return VariableMeasure{}, true, E(CodeScalePriceCheck, code)
		}
	}
	if value == 0 {
		return VariableMeasure{}, true, E(CodeScaleZero, code)
	}
	if layout.Weighed() {
		m.Grams = value
	} else {
		m.Price = Money(value)
	}
	return m, true, nil
}

// The GS1 weighting tables of price check digits: each maps a digit to the digit it weighs.
var (
	weight2Minus = [10]int{0, 2, 4, 6, 8, 9, 1, 3, 5, 7}
	weight3      = [10]int{0, 3, 6, 9, 2, 5, 8, 1, 4, 7}
	weight5Minus = [10]int{0, 5, 9, 4, 8, 3, 7, 2, 6, 1}
)

// PriceCheckDigit computes the GS1 check digit of a four-digit price field: the digits weighed
// 2-, 2-, 3 and 5-, summed, and the units of three times the sum. It returns -1 for a field that
// is not four digits.
func PriceCheckDigit(price string) int {
	if len(price) != 4 || !allDigits(price) {
		return -1
	}
	d := func(i int) int { return int(price[i] - '0') }
	sum := weight2Minus[d(0)] + weight2Minus[d(1)] + weight3[d(2)] + weight5Minus[d(3)]
	return sum * 3 % 10
}

// WeighedPrice is the price of a weight at a price per kilogram, rounded half away from zero to
// the cent, in integer arithmetic: 532 g at 18,90 €/kg is 10,05 € (10,0548 rounded).
func WeighedPrice(perKilo Money, grams int64) Money {
	p := int64(perKilo) * grams
	if p < 0 {
		return Money(-((-p + 500) / 1000))
	}
	return Money((p + 500) / 1000)
}

// FormatGrams writes a weight in kilograms with three decimals, the French way ("0,532 kg") or
// the English way ("0.532 kg").
func FormatGrams(grams int64, l Lang) string {
	sep := ","
	if l == LangEN {
		sep = "."
	}
	frac := strconv.FormatInt(grams%1000, 10)
	return strconv.FormatInt(grams/1000, 10) + sep + strings.Repeat("0", 3-len(frac)) + frac + " kg"
}

// ScaleProduct is the catalogue's product for a scale code, priced for that code: its GTIN is
// the scanned code and its price the label's price, or the weight at the catalogue's price per
// kilogram. A weighed item's label ends with its weight and price per kilogram, which French
// receipts must show, cut so that they always fit MaxNameLen.
func ScaleProduct(p Product, m VariableMeasure) Product {
	out := Product{GTIN: m.Code, Name: p.Name, Price: m.Price, VAT: p.VAT}
	if m.Grams > 0 {
		out.Price = WeighedPrice(p.Price, m.Grams)
		tail := " " + FormatGrams(m.Grams, LangFR) + " à " + p.Price.Format(LangFR) + "/kg"
		name := []rune(CleanText(p.Name))
		if room := MaxNameLen - utf8.RuneCountInString(tail); len(name) > room {
			name = name[:max(0, room)]
		}
		out.Name = strings.TrimSpace(string(name)) + tail
	}
	return out
}

// LookupCode finds what a code sells: a scale code (under the shop's layout) is looked up under
// its base code and priced for the code (ScaleProduct); any other code is looked up as it is. A
// scale item missing from the catalogue is refused with CodeUnknownScaleItem, which names the
// code to import it under.
func LookupCode(ctx context.Context, catalog CatalogService, layout ScaleLayout, code string) (Product, error) {
	m, ok, err := ParseVariableMeasure(code, layout)
	if err != nil {
		return Product{}, err
	}
	if !ok {
		return catalog.Product(ctx, code)
	}
	p, err := catalog.Product(ctx, m.Base)
	if err != nil {
		if errors.Is(err, ErrUnknownProduct) {
			return Product{}, E(CodeUnknownScaleItem, code, m.Base[2:7], m.Base)
		}
		return Product{}, err
	}
	return ScaleProduct(p, m), nil
}
