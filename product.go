package comptoir

import (
	"context"
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

// CatalogService finds products by barcode and fills the catalogue from a price list.
type CatalogService interface {
	// Product finds a product by barcode. It refuses a malformed code with its GTIN error (the
	// scan was misread) and a well-formed one that is not in the catalogue with
	// CodeUnknownProduct.
	Product(ctx context.Context, gtin string) (Product, error)
	// ImportProducts adds or replaces products in one transaction and returns how many. The
	// first product NormalizeProduct refuses is refused with its error, and then nothing is
	// written. Tickets already recorded keep the price they were sold at.
	ImportProducts(ctx context.Context, products []Product) (int, error)
	// Products lists the catalogue in GTIN order, all in memory; a long listing goes through
	// EachProduct instead.
	Products(ctx context.Context) ([]Product, error)
	// EachProduct calls fn with every product in GTIN order as it reads them, in one read
	// transaction that holds one product in memory at a time. It stops at the first error fn
	// returns, which it returns, and with the context's error when the context is cancelled.
	EachProduct(ctx context.Context, fn func(Product) error) error
}
