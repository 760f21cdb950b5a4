package comptoir

import (
	"strings"
	"unicode/utf8"
)

// MaxNameLen bounds a product label in runes, so that a line fits a receipt and a screen.
const MaxNameLen = 80

// Product is an item of the catalogue. Its price is tax-inclusive (TTC), as French shops display.
type Product struct {
	GTIN  string  `json:"gtin"`
	Name  string  `json:"name"`
	Price Money   `json:"price"`
	VAT   VATRate `json:"vat"`
}

// NormalizeProduct cleans a product that comes from outside and checks it: a valid GTIN outside
// the loyalty cards' range (prefix 04), a name that is not empty once control characters are
// stripped (truncated to MaxNameLen runes), a positive price within MaxAmount, and a French VAT
// rate.
func NormalizeProduct(p Product) (Product, error) {
	if err := ValidateGTIN(p.GTIN); err != nil {
		return Product{}, err
	}
	if IsCardRange(p.GTIN) {
		return Product{}, E(CodeProductIsCard, p.GTIN)
	}
	p.Name = CleanText(p.Name)
	if p.Name == "" {
		return Product{}, E(CodeEmptyName)
	}
	if utf8.RuneCountInString(p.Name) > MaxNameLen {
		// The cut may fall just after a space; trimming it keeps a normalized product normal, so
		// that normalizing it again (as BuildSale and CheckSale do) changes nothing.
		p.Name = strings.TrimSpace(string([]rune(p.Name)[:MaxNameLen]))
	}
	if p.Price <= 0 {
		return Product{}, E(CodeInvalidPrice, p.Price)
	}
	if p.Price > MaxAmount {
		return Product{}, E(CodeAmountTooLarge, p.Price)
	}
	if !p.VAT.Valid() {
		return Product{}, E(CodeUnknownVATRate, p.VAT)
	}
	return p, nil
}

// Line is one line of a ticket: a product at the price it was sold, a quantity and the line total.
// Lines copy the product rather than point at it, so a later price change never alters a ticket.
type Line struct {
	GTIN      string  `json:"gtin"`
	Name      string  `json:"name"`
	Qty       int64   `json:"qty"`
	UnitPrice Money   `json:"unit_price"`
	VAT       VATRate `json:"vat"`
	Total     Money   `json:"total"`
}

// LineFor builds a line selling qty of a product.
func LineFor(p Product, qty int64) Line {
	return Line{GTIN: p.GTIN, Name: p.Name, Qty: qty, UnitPrice: p.Price, VAT: p.VAT, Total: p.Price * Money(qty)}
}
