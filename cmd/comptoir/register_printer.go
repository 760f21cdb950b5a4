package main

import (
	"context"
	"log"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/devices"
	"github.com/comptoir/comptoir/store"
)

// registerPrinter is the register's receipt printer for the screens: receipts in ESC/POS to the
// printer's port, or as text to a new file, and the cash drawer's kick through the printer. It is
// there even without a printer, so that a receipt can still be saved to a file.
type registerPrinter struct {
	e     *env
	store *store.Store
	log   *log.Logger
	// port is the printer's serial line or USB printer-class device; empty when there is none.
	port  string
	baud  int
	width int
}

// newRegisterPrinter sets up the printer of --printer, --printer-baud and --paper: 58 mm paper
// takes 32 columns, 80 mm paper 48.
func newRegisterPrinter(e *env, s *store.Store, lg *log.Logger, f registerFlags) *registerPrinter {
	width := 48
	if f.paper == 58 {
		width = 32
	}
	return &registerPrinter{e: e, store: s, log: lg, port: f.printer, baud: f.printerBaud, width: width}
}

// receipt lays out a recorded ticket as planned, with the member's balance as it stood after it.
func (p *registerPrinter) receipt(ctx context.Context, sale comptoir.Sale, plan comptoir.ReceiptPlan) (devices.Receipt, error) {
	set, err := p.store.Settings(ctx)
	if err != nil {
		return devices.Receipt{}, err
	}
	r := devices.Receipt{Sale: sale, Shop: set, Lang: p.e.cfg.lang, Width: p.width, Location: p.store.Location(),
		Duplicate: plan.Duplicate, Copy: plan.Copy, OpenDrawer: plan.OpenDrawer}
	if r.Demo, err = p.store.IsDemo(ctx); err != nil {
		return devices.Receipt{}, err
	}
	if sale.CustomerID != "" {
		if balance, err := p.store.BalanceAfter(ctx, comptoir.CustomerID(sale.CustomerID), sale.Number); err == nil {
			r.PointsBalance = &balance
		}
	}
	return r, nil
}

// Print sends the receipt to the printer. Where the bytes went decides whether it counts: a
// printer path that turned out to be a new file is no print.
func (p *registerPrinter) Print(ctx context.Context, sale comptoir.Sale, plan comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error) {
	if p.port == "" {
		return comptoir.ReceiptPreview, comptoir.E(comptoir.CodeNoPrinter)
	}
	r, err := p.receipt(ctx, sale, plan)
	if err != nil {
		return comptoir.ReceiptPreview, err
	}
	data, err := r.ESCPOS()
	if err != nil {
		return comptoir.ReceiptPreview, err
	}
	device, err := p.e.writePrinter(p.port, p.baud, data)
	if err != nil {
		p.log.Printf("printing ticket %d on %s: %v", sale.Number, p.port, err)
	}
	return printerTarget(device), err
}

// Save writes the receipt as text to a new file; the rules of --out apply (never over an
// existing file, the database or a key).
func (p *registerPrinter) Save(ctx context.Context, sale comptoir.Sale, plan comptoir.ReceiptPlan, path string) error {
	r, err := p.receipt(ctx, sale, plan)
	if err != nil {
		return err
	}
	text, err := r.Text()
	if err != nil {
		return err
	}
	return p.e.writeOutput(path, false, []byte(text))
}

// OpenDrawer kicks the cash drawer through the printer. Without a printer there is no drawer to
// open from the register: the cashier opens it by hand.
func (p *registerPrinter) OpenDrawer(ctx context.Context) error {
	if p.port == "" {
		return nil
	}
	_, err := p.e.writePrinter(p.port, p.baud, devices.DrawerKick())
	if err != nil {
		p.log.Printf("opening the drawer through %s: %v", p.port, err)
	}
	return err
}

// PrintReport prints an X or Z report from the manager screen, as text in ESC/POS on the paper's
// width. Without a printer the report stays on screen: it refuses in words.
func (p *registerPrinter) PrintReport(_ context.Context, lines []string) error {
	if p.port == "" {
		return comptoir.E(comptoir.CodeNoReportPrinter)
	}
	if _, err := p.e.writePrinter(p.port, p.baud, devices.ReportESCPOS(lines, p.width)); err != nil {
		p.log.Printf("printing a report on %s: %v", p.port, err)
		return err
	}
	return nil
}
