package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/devices"
)

// runScanner is the set-up tool for a shop's scanner: it prints every scan as it arrives, with
// what the code is, and every connection and disconnection, until interrupted.
func runScanner(e *env, args []string) error {
	fs := newFlags("scanner")
	port := fs.String("port", "", "serial port, such as /dev/ttyACM0 or /dev/ttyUSB0")
	baud := fs.Int("baud", 9600, "speed")
	asJSON := fs.Bool("json", false, "one JSON object a line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *port == "" {
		return usagef("scanner attend --port, par exemple /dev/ttyACM0", "scanner needs --port, such as /dev/ttyACM0")
	}
	sc, err := devices.Open(devices.Config{Port: *port, Baud: *baud})
	if err != nil {
		return err
	}
	defer sc.Close()
	if !*asJSON {
		fmt.Fprintf(e.stdout, e.tr("Lecteur sur %s à %d bauds ; scannez des codes, Ctrl-C pour finir.\n",
			"Scanner on %s at %d baud; scan codes, Ctrl-C to stop.\n"), *port, *baud)
	}
	for {
		select {
		case <-e.ctx.Done():
			return nil
		case st := <-sc.Status():
			printStatus(e, st, *asJSON)
		case s := <-sc.Scans():
			printScan(e, s, *asJSON)
		}
	}
}

// scanKind says what a scanned code is for the register (comptoir.ClassifyCode) and whether it may
// be used as such: only a product or a card whose GTIN checks out is valid. The error explains an
// invalid GTIN-shaped code.
func scanKind(code string) (kind comptoir.ScanKind, valid bool, err error) {
	kind, err = comptoir.ClassifyCode(code)
	if kind == "" {
		// The framer only delivers readable codes; anything else is shown as unknown.
		kind = comptoir.ScanOther
	}
	return kind, kind == comptoir.ScanProduct || kind == comptoir.ScanCard, err
}

func printScan(e *env, s devices.Scan, asJSON bool) {
	kind, valid, err := scanKind(s.Code)
	if asJSON {
		out := struct {
			Code      string `json:"code"`
			Symbology string `json:"symbology"`
			Kind      string `json:"kind"`
			Valid     bool   `json:"valid"`
			Error     string `json:"error,omitempty"`
			At        string `json:"at"`
		}{Code: s.Code, Symbology: s.Symbology, Kind: string(kind), Valid: valid, At: s.At.Format(time.RFC3339)}
		if err != nil {
			out.Error = comptoir.Message(err, e.cfg.lang)
		}
		json.NewEncoder(e.stdout).Encode(out)
		return
	}
	kinds := map[comptoir.ScanKind][2]string{
		comptoir.ScanProduct: {"article", "product"}, comptoir.ScanCard: {"carte de fidélité", "loyalty card"},
		comptoir.ScanInvalid: {"code-barres faux", "bad barcode"}, comptoir.ScanOther: {"inconnu", "unknown"},
	}
	k := kinds[kind]
	check := e.tr("clé valide", "check digit valid")
	switch {
	case err != nil:
		check = comptoir.Message(err, e.cfg.lang)
	case kind == comptoir.ScanOther:
		check = "—"
	}
	fmt.Fprintf(e.stdout, "%s  %-20s %-10s %-18s %s\n", s.At.In(time.Local).Format("15:04:05"), s.Code, orDash(s.Symbology), e.tr(k[0], k[1]), check)
}

func printStatus(e *env, st devices.Status, asJSON bool) {
	event := map[devices.StatusKind]string{devices.Connected: "connected", devices.Disconnected: "disconnected", devices.Error: "error"}[st.Kind]
	if asJSON {
		out := map[string]string{"event": event, "at": st.At.Format(time.RFC3339)}
		if st.Err != nil {
			out["error"] = comptoir.Message(st.Err, e.cfg.lang)
		}
		json.NewEncoder(e.stdout).Encode(out)
		return
	}
	words := map[string][2]string{"connected": {"lecteur connecté", "scanner connected"}, "disconnected": {"lecteur débranché : en attente de son retour", "scanner unplugged: waiting for it to come back"},
		"error": {"erreur du lecteur", "scanner error"}}[event]
	line := e.tr(words[0], words[1])
	if st.Err != nil {
		line += " (" + comptoir.Message(st.Err, e.cfg.lang) + ")"
	}
	fmt.Fprintf(e.stdout, "%s  %s\n", st.At.In(time.Local).Format("15:04:05"), line)
}

// runReceipt prints, or saves, the receipt of a recorded ticket. What a print is, when it is a
// duplicate and when the drawer opens is comptoir.IssueReceipt's decision, which the register's
// screens share: the first print of a ticket is its receipt; any later one is marked DUPLICATA.
// Only bytes that reach a printer are a print: a file written with --out, a preview on the screen
// or a print that failed leaves the next print the receipt.
func runReceipt(e *env, args []string) error {
	fs := newFlags("receipt")
	ticket := fs.Uint64("ticket", 0, "ticket number")
	printer := fs.String("printer", "", "serial port of the printer")
	baud := fs.Int("baud", 9600, "speed of the printer's serial port")
	out := fs.String("out", "", "file, - for standard output")
	force := fs.Bool("force", false, "replace an existing file given to --out")
	width := fs.Int("width", 48, "columns: 32 (58 mm) or 48 (80 mm)")
	text := fs.Bool("text", false, "plain text instead of printer commands")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *ticket == 0 || (*printer == "") == (*out == "") {
		return usagef("receipt attend --ticket N et soit --printer PORT, soit --out FICHIER",
			"receipt needs --ticket N and either --printer PORT or --out FILE")
	}
	if *width != 32 && *width != 48 {
		return usagef("--width attend 32 (58 mm) ou 48 (80 mm)", "--width needs 32 (58 mm) or 48 (80 mm)")
	}
	if *force && (*out == "" || *out == "-") {
		return usagef("--force ne vaut que pour --out FICHIER", "--force only goes with --out FILE")
	}
	// The output is checked before the database is opened: a path that will be refused is
	// reported at once, and writing checks again on the file it opens.
	target := comptoir.ReceiptPreview
	switch {
	case *printer != "":
		device, err := e.checkPrinter(*printer)
		if err != nil {
			return err
		}
		target = printerTarget(device)
	case *out == "-":
		if err := e.checkStdout(); err != nil {
			return err
		}
		// Printer commands sent to a printer's device are a print, though not through the
		// register's own printer; a pipe, a file or the text on a terminal is a preview.
		if !*text && stdoutPrints(e.stdout) {
			target = comptoir.ReceiptSpooled
		}
	default:
		if err := e.checkOutput(*out, *force); err != nil {
			return err
		}
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	sale, err := s.Sale(e.ctx, *ticket)
	if err != nil {
		return err
	}
	set, err := s.Settings(e.ctx)
	if err != nil {
		return err
	}
	r := devices.Receipt{Sale: sale, Shop: set, Lang: e.cfg.lang, Width: *width, Location: time.Local}
	// A receipt of a demo database says so, wherever it is printed.
	if r.Demo, err = s.IsDemo(e.ctx); err != nil {
		return err
	}
	if sale.CustomerID != "" {
		if balance, err := s.BalanceAfter(e.ctx, comptoir.CustomerID(sale.CustomerID), sale.Number); err == nil {
			r.PointsBalance = &balance
		}
	}
	// A command run after the sale has opened no drawer: the receipt's first print at the
	// register's printer opens it for cash.
	_, err = comptoir.IssueReceipt(e.ctx, s, sale, target, false, func(plan comptoir.ReceiptPlan) (comptoir.ReceiptTarget, error) {
		r.Duplicate, r.Copy, r.OpenDrawer = plan.Duplicate, plan.Copy, plan.OpenDrawer
		var data []byte
		if *text {
			t, err := r.Text()
			if err != nil {
				return target, err
			}
			data = []byte(t)
		} else {
			var err error
			if data, err = r.ESCPOS(); err != nil {
				return target, err
			}
		}
		switch {
		case *printer != "":
			// What was written decides, not what the path was when it was checked.
			device, err := e.writePrinter(*printer, *baud, data)
			return printerTarget(device), err
		case *out == "-":
			if _, err := e.stdout.Write(data); err != nil {
				return target, comptoir.Wrap(comptoir.CodeCannotWrite, err)
			}
			return target, nil
		}
		return target, e.writeOutput(*out, *force, data)
	})
	return err
}

// printerTarget is what --printer reaches: the register's printer when the path is a device, a
// file saved under that name otherwise.
func printerTarget(device bool) comptoir.ReceiptTarget {
	if device {
		return comptoir.ReceiptPrinter
	}
	return comptoir.ReceiptPreview
}
