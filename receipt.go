package comptoir

import "context"

// PrintLog counts the prints of each ticket: the first print is the receipt, every later one a
// numbered duplicate.
type PrintLog interface {
	// Printed is how many times a ticket was printed; CodeTicketNotFound when there is no such
	// ticket.
	Printed(ctx context.Context, number uint64) (uint64, error)
	// MarkPrinted records a print of a ticket and reports whether it was the first;
	// CodeTicketNotFound when there is no such ticket.
	MarkPrinted(ctx context.Context, number uint64) (first bool, err error)
}
