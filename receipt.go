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

// ReceiptTarget is where a receipt's bytes go, which decides whether they are a print and
// whether they may open the cash drawer.
type ReceiptTarget int

// The receipt targets.
const (
	// ReceiptPreview is a receipt shown on a screen or saved to a file: nothing is printed, and
	// the next print is still the receipt.
	ReceiptPreview ReceiptTarget = iota
	// ReceiptSpooled is printer commands handed on to a printer the register does not drive
	// (a printer device on standard output): a print, but no drawer of the register's hangs
	// on it.
	ReceiptSpooled
	// ReceiptPrinter is the register's own receipt printer, whose drawer kick opens the cash
	// drawer.
	ReceiptPrinter
)

// Prints reports whether bytes that reached the target are a print of the ticket: only bytes
// that reach a printer are, so that a preview or a saved file leaves the next print the receipt.
func (t ReceiptTarget) Prints() bool { return t == ReceiptSpooled || t == ReceiptPrinter }

// ReceiptPlan is what a frontend does when it prints a ticket, decided by PlanReceipt.
type ReceiptPlan struct {
	// Duplicate marks a reprint of a ticket printed before: the receipt says DUPLICATA, as
	// French rules ask.
	Duplicate bool
	// Copy numbers the print: 1 for the receipt, 2 for the first duplicate, and so on.
	Copy int
	// OpenDrawer sends the drawer kick with the receipt.
	OpenDrawer bool
	// CountsAsPrint says whether the print is to be recorded (PrintLog.MarkPrinted) once its
	// bytes are written, and only then: a printer switched off must not turn the first real
	// print into a duplicate.
	CountsAsPrint bool
}

// HandlesCash reports whether cash changed hands on a ticket, taken or given back on a refund:
// that is when the cash drawer opens.
func (s Sale) HandlesCash() bool {
	for _, p := range s.Payments {
		if p.Method == Cash {
			return true
		}
	}
	return false
}

// PlanReceipt decides how to print a ticket that was printed printedBefore times, to a target.
// The first print is the receipt and every later one a numbered duplicate, whatever the target.
// The drawer opens with the first print of a ticket that handled cash at the register's own
// printer, never for a reprint, a spooled print or a preview, and not when the frontend already
// opened it at payment (drawerOpened: the register opens it on every cash payment, receipt or
// not). Only a target that prints counts as a print.
func PlanReceipt(sale Sale, printedBefore uint64, to ReceiptTarget, drawerOpened bool) ReceiptPlan {
	first := printedBefore == 0
	return ReceiptPlan{
		Duplicate:     !first,
		Copy:          int(printedBefore) + 1,
		OpenDrawer:    first && to == ReceiptPrinter && !drawerOpened && sale.HandlesCash(),
		CountsAsPrint: to.Prints(),
	}
}

// IssueReceipt prints a recorded ticket as both frontends do: it reads how many times the
// ticket was printed, plans the receipt (PlanReceipt), has write render and send it, and records
// the print only when write succeeded and reports a target that prints. write returns the
// target its bytes actually reached, which decides rather than the one planned: a printer path
// that turned out to be a file is a save, not a print. It returns the plan and write's error,
// or the print log's.
func IssueReceipt(ctx context.Context, log PrintLog, sale Sale, to ReceiptTarget, drawerOpened bool,
	write func(ReceiptPlan) (ReceiptTarget, error)) (ReceiptPlan, error) {
	printed, err := log.Printed(ctx, sale.Number)
	if err != nil {
		return ReceiptPlan{}, err
	}
	plan := PlanReceipt(sale, printed, to, drawerOpened)
	reached, err := write(plan)
	if err != nil || !reached.Prints() {
		return plan, err
	}
	_, err = log.MarkPrinted(ctx, sale.Number)
	return plan, err
}

// ItemCount is the number of items a ticket's receipt states: the sum of its lines' quantities,
// counted positive on a refund (items given back are items all the same). A weighed item's line
// counts its labels, one per weighing, never its grams: the weight lives in the line's price and
// label, and its quantity is the number of times the label was scanned.
func (s Sale) ItemCount() int64 {
	var n int64
	for _, l := range s.Lines {
		n += max(l.Qty, -l.Qty)
	}
	return n
}
