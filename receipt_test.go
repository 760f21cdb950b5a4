package comptoir_test

import (
	"context"
	"errors"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestPlanReceipt_Table(t *testing.T) {
	cash := comptoir.Sale{Number: 7, Payments: []comptoir.Payment{pay(comptoir.Card, 500), pay(comptoir.Cash, 300)}}
	card := comptoir.Sale{Number: 8, Payments: []comptoir.Payment{pay(comptoir.Card, 800)}}
	cashBack := comptoir.Sale{Number: 9, RefundOf: 7, Payments: []comptoir.Payment{pay(comptoir.Cash, -300)}}
	for _, tc := range []struct {
		name          string
		sale          comptoir.Sale
		printedBefore uint64
		to            comptoir.ReceiptTarget
		drawerOpened  bool
		want          comptoir.ReceiptPlan
	}{
		{"first print of a cash sale at the printer opens the drawer", cash, 0, comptoir.ReceiptPrinter, false,
			comptoir.ReceiptPlan{Copy: 1, OpenDrawer: true, CountsAsPrint: true}},
		{"a refund given back in cash opens it too", cashBack, 0, comptoir.ReceiptPrinter, false,
			comptoir.ReceiptPlan{Copy: 1, OpenDrawer: true, CountsAsPrint: true}},
		{"no drawer for a card sale", card, 0, comptoir.ReceiptPrinter, false,
			comptoir.ReceiptPlan{Copy: 1, CountsAsPrint: true}},
		{"no drawer again when it was opened at payment", cash, 0, comptoir.ReceiptPrinter, true,
			comptoir.ReceiptPlan{Copy: 1, CountsAsPrint: true}},
		{"a reprint is a numbered duplicate and keeps the drawer shut", cash, 1, comptoir.ReceiptPrinter, false,
			comptoir.ReceiptPlan{Duplicate: true, Copy: 2, CountsAsPrint: true}},
		{"third print", card, 2, comptoir.ReceiptSpooled, false,
			comptoir.ReceiptPlan{Duplicate: true, Copy: 3, CountsAsPrint: true}},
		{"spooled: a print, no drawer of ours", cash, 0, comptoir.ReceiptSpooled, false,
			comptoir.ReceiptPlan{Copy: 1, CountsAsPrint: true}},
		{"preview: no print, no drawer", cash, 0, comptoir.ReceiptPreview, false,
			comptoir.ReceiptPlan{Copy: 1}},
		{"preview of a printed ticket says DUPLICATA", cash, 1, comptoir.ReceiptPreview, false,
			comptoir.ReceiptPlan{Duplicate: true, Copy: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := comptoir.PlanReceipt(tc.sale, tc.printedBefore, tc.to, tc.drawerOpened), tc.want; got != want {
				t.Errorf("PlanReceipt = %+v, want %+v", got, want)
			}
		})
	}
}

// printLog is a PrintLog in memory.
type printLog map[uint64]uint64

func (l printLog) Printed(_ context.Context, n uint64) (uint64, error) {
	if n == 0 {
		return 0, comptoir.E(comptoir.CodeTicketNotFound, n)
	}
	return l[n], nil
}

func (l printLog) MarkPrinted(_ context.Context, n uint64) (bool, error) {
	l[n]++
	return l[n] == 1, nil
}

func TestIssueReceipt_CountsOnlyWrittenPrints(t *testing.T) {
	ctx := context.Background()
	sale := comptoir.Sale{Number: 4, Payments: []comptoir.Payment{pay(comptoir.Cash, 1000)}}
	log := printLog{}
	issue := func(to comptoir.ReceiptTarget, reached comptoir.ReceiptTarget, werr error) comptoir.ReceiptPlan {
		t.Helper()
		plan, err := comptoir.IssueReceipt(ctx, log, sale, to, false, func(comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error) {
			return reached, werr
		})
		if !errors.Is(err, werr) {
			t.Fatalf("IssueReceipt error = %v, want %v", err, werr)
		}
		return plan
	}
	// A preview, a failed print and a printer path that turned out to be a file are no print.
	issue(comptoir.ReceiptPreview, comptoir.ReceiptPreview, nil)
	failed := comptoir.E(comptoir.CodeCannotWrite)
	if plan := issue(comptoir.ReceiptPrinter, comptoir.ReceiptPrinter, failed); !plan.OpenDrawer || plan.Duplicate {
		t.Errorf("plan of the failed first print = %+v, want the receipt with the drawer", plan)
	}
	issue(comptoir.ReceiptPrinter, comptoir.ReceiptPreview, nil)
	if got, want := log[4], uint64(0); got != want {
		t.Fatalf("prints counted after a preview, a failure and a file = %d, want %d", got, want)
	}
	if plan := issue(comptoir.ReceiptPrinter, comptoir.ReceiptPrinter, nil); plan.Duplicate || plan.Copy != 1 {
		t.Errorf("first real print = %+v, want the receipt, copy 1", plan)
	}
	if plan := issue(comptoir.ReceiptPrinter, comptoir.ReceiptPrinter, nil); !plan.Duplicate || plan.Copy != 2 || plan.OpenDrawer {
		t.Errorf("second print = %+v, want DUPLICATA copy 2 without the drawer", plan)
	}
	if got, want := log[4], uint64(2); got != want {
		t.Errorf("prints counted = %d, want %d", got, want)
	}
	_, err := comptoir.IssueReceipt(ctx, log, comptoir.Sale{}, comptoir.ReceiptPrinter, false, func(comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error) {
		t.Fatal("write called for a ticket the print log does not know")
		return comptoir.ReceiptPreview, nil
	})
	checkErr(t, err, comptoir.E(comptoir.CodeTicketNotFound))
}

func TestSale_ItemCount(t *testing.T) {
	apple := comptoir.Product{GTIN: "3017620422003", Name: "Pomme", Price: 45, VAT: comptoir.VATReduced}
	bread := comptoir.Product{GTIN: "3017620425035", Name: "Pain", Price: 120, VAT: comptoir.VATReduced}
	// 532 g of cheese at 18,90 €/kg: one item priced by its weight, not 532 items.
	cheese := comptoir.ScaleProduct(comptoir.Product{Name: "Comté", Price: 1890, VAT: comptoir.VATReduced},
		comptoir.VariableMeasure{Code: "2812345005323", Base: "2812345000007", Grams: 532})
	for _, tc := range []struct {
		name  string
		lines []comptoir.Line
		want  int64
	}{
		{"no line", nil, 0},
		{"quantities add up", []comptoir.Line{comptoir.LineFor(apple, 3), comptoir.LineFor(bread, 2)}, 5},
		{"a weighed line counts as one item", []comptoir.Line{comptoir.LineFor(cheese, 1)}, 1},
		{"weighed beside counted", []comptoir.Line{comptoir.LineFor(apple, 3), comptoir.LineFor(cheese, 1)}, 4},
		{"a refund counts the items given back", []comptoir.Line{comptoir.LineFor(apple, -3), comptoir.LineFor(cheese, -1)}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := (comptoir.Sale{Lines: tc.lines}).ItemCount(), tc.want; got != want {
				t.Errorf("ItemCount() = %d, want %d", got, want)
			}
		})
	}
}
