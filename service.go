package comptoir

import "context"

// CatalogService finds products by barcode and replaces the catalogue from a price list.
type CatalogService interface {
	// Product finds a product by GTIN; ErrUnknownProduct when it is not in the catalogue.
	Product(ctx context.Context, gtin string) (Product, error)
	// ImportProducts adds or updates every product in one transaction: all of them or none.
	ImportProducts(ctx context.Context, products []Product) (int, error)
	// Products lists the catalogue ordered by GTIN.
	Products(ctx context.Context) ([]Product, error)
}

// SaleService records tickets in the journal and reads them back.
type SaleService interface {
	// RecordSale numbers, chains and durably records a ticket with its outbox event.
	RecordSale(ctx context.Context, d SaleDraft) (Sale, error)
	// Sale reads a recorded ticket by number; ErrTicketNotFound when there is none.
	Sale(ctx context.Context, number uint64) (Sale, error)
}

// ClosingService seals periods and reads their totals.
type ClosingService interface {
	// ClosePeriod seals a day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY).
	ClosePeriod(ctx context.Context, period string) (Closing, error)
	// Closing reads the closing of a period; ok is false when the period is not closed.
	Closing(ctx context.Context, period string) (c Closing, ok bool, err error)
	// DayTotals reads the running totals of a business day without scanning the journal.
	DayTotals(ctx context.Context, day string) (Totals, error)
	// GrandTotal is the register's perpetual grand total now.
	GrandTotal(ctx context.Context) (Money, error)
}

// JournalVerifier walks the tamper-evident journal.
type JournalVerifier interface {
	Verify(ctx context.Context) (VerifyReport, error)
}
