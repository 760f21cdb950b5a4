package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/devices"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/ui"
	"golang.org/x/term"
)

// registerFlags are the options of a bare run, which opens the register.
type registerFlags struct {
	scanner string
	baud    int
	// printer is the receipt printer's port (serial or USB printer class), empty for none;
	// printerBaud its speed and paper the roll's width in millimetres (58 or 80).
	printer     string
	printerBaud int
	paper       int
	// given names the options a flag or an environment variable set ("scanner", "paper"…):
	// the shop's device settings fill in only the others.
	given map[string]bool
}

// useSettings fills in, from the shop's device settings, each option that neither a flag nor an
// environment variable gave: a flag wins over the environment, which wins over the setting,
// which wins over the default.
func (f *registerFlags) useSettings(d comptoir.DeviceSettings) {
	for _, v := range []struct {
		name string
		set  bool
		use  func()
	}{
		{"scanner", d.Scanner != "", func() { f.scanner = d.Scanner }},
		{"scanner-baud", d.ScannerBaud > 0, func() { f.baud = d.ScannerBaud }},
		{"printer", d.Printer != "", func() { f.printer = d.Printer }},
		{"printer-baud", d.PrinterBaud > 0, func() { f.printerBaud = d.PrinterBaud }},
		{"paper", d.Paper > 0, func() { f.paper = d.Paper }},
	} {
		if v.set && !f.given[v.name] {
			v.use()
		}
	}
}

// isRegisterOption reports whether an argument is an option of the bare run rather than a command.
func isRegisterOption(a string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return strings.HasPrefix(a, "-") && (name == "scanner" || name == "scanner-baud" || name == "printer" ||
		name == "printer-baud" || name == "paper")
}

// parseRegisterFlags reads --scanner, --scanner-baud, --printer, --printer-baud and --paper,
// falling back on COMPTOIR_SCANNER, COMPTOIR_SCANNER_BAUD, COMPTOIR_PRINTER,
// COMPTOIR_PRINTER_BAUD and COMPTOIR_PAPER. What neither gives is left to the shop's device
// settings (useSettings), read once the database is open.
func parseRegisterFlags(args []string, getenv func(string) string) (registerFlags, error) {
	f := registerFlags{scanner: getenv("COMPTOIR_SCANNER"), baud: 9600, printer: getenv("COMPTOIR_PRINTER"),
		printerBaud: 9600, paper: 80, given: map[string]bool{}}
	f.given["scanner"], f.given["printer"] = f.scanner != "", f.printer != ""
	for _, v := range []struct {
		name, option string
		dst          *int
	}{{"COMPTOIR_SCANNER_BAUD", "scanner-baud", &f.baud}, {"COMPTOIR_PRINTER_BAUD", "printer-baud", &f.printerBaud},
		{"COMPTOIR_PAPER", "paper", &f.paper}} {
		if s := getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return f, usagef("%s : valeur invalide « %s »", "%s: invalid value %q", v.name, s)
			}
			*v.dst = n
			f.given[v.option] = true
		}
	}
	fs := newFlags("comptoir")
	fs.StringVar(&f.scanner, "scanner", f.scanner, "serial port of the scanner")
	fs.IntVar(&f.baud, "scanner-baud", f.baud, "speed of the scanner")
	fs.StringVar(&f.printer, "printer", f.printer, "port of the receipt printer")
	fs.IntVar(&f.printerBaud, "printer-baud", f.printerBaud, "speed of the printer's serial port")
	fs.IntVar(&f.paper, "paper", f.paper, "width of the paper roll in mm: 58 or 80")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	if f.baud <= 0 {
		return f, usagef("--scanner-baud attend un nombre positif", "--scanner-baud needs a positive number")
	}
	if f.printerBaud <= 0 {
		return f, usagef("--printer-baud attend un nombre positif", "--printer-baud needs a positive number")
	}
	if f.paper != 58 && f.paper != 80 {
		return f, usagef("--paper attend 58 ou 80 (mm)", "--paper needs 58 or 80 (mm)")
	}
	return f, nil
}

// runRegister opens the register's screens: what a bare "comptoir" does on a terminal. Off a
// terminal (a pipe, a script) a bare run prints the help, as it always did.
func runRegister(e *env, args []string) error {
	flags, err := parseRegisterFlags(args, e.getenv)
	if err != nil {
		return err
	}
	in, out, ok := e.screen()
	if !ok {
		if len(args) == 0 {
			return runHelp(e, nil)
		}
		return comptoir.E(comptoir.CodeNoTerminal)
	}
	r, err := openRegister(e, flags)
	if err != nil {
		return err
	}
	// A hang-up (an SSH session cut, a terminal closed) stops the screens like a signal to quit,
	// so that the open ticket is kept and the logout recorded rather than the process killed.
	ctx, stop := signal.NotifyContext(e.ctx, syscall.SIGHUP)
	defer stop()
	model := r.model()
	p := tea.NewProgram(model, tea.WithAltScreen(), tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx))
	r.startSync(p)
	// The model is a pointer that Update changes in place, so it still holds the open ticket when
	// the program ends without handing it back (a panic in a screen).
	_, runErr := p.Run()
	r.quit = runErr == nil || errors.Is(runErr, tea.ErrProgramKilled) || errors.Is(runErr, tea.ErrInterrupted)
	kept, err := r.close(model)
	if errors.Is(runErr, tea.ErrProgramPanic) {
		r.log.Printf("the screen stopped on a panic: %v", runErr)
		return comptoir.Wrap(comptoir.CodeCannotWrite, runErr)
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, tea.ErrInterrupted) {
		r.log.Printf("the screen stopped: %v", runErr)
		return comptoir.Wrap(comptoir.CodeCannotWrite, runErr)
	}
	if kept > 0 {
		lines := e.tr("lignes", "lines")
		if kept == 1 {
			lines = e.tr("ligne", "line")
		}
		fmt.Fprintf(e.stdout, e.tr("Ticket en cours gardé (%d %s) : il sera repris à la prochaine connexion.\n",
			"Open ticket kept (%d %s): it will be taken back at the next login.\n"), kept, lines)
	}
	return err
}

// screen returns the terminal the register draws on: standard input and output, both terminals.
func (e *env) screen() (in, out *os.File, ok bool) {
	in, okIn := e.stdin.(*os.File)
	out, okOut := e.stdout.(*os.File)
	if !okIn || !okOut || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return nil, nil, false
	}
	return in, out, true
}

// register is the running register: its store, the first manager's PIN when it was just made,
// the scanner, the log and the note that tells other commands the register holds the database.
type register struct {
	e        *env
	store    *store.Store
	session  ui.Session
	firstPIN string
	scans    chan string
	scanner  *devices.Scanner
	printer  *registerPrinter
	// mu orders the writes of the log and the open note, which commands make concurrently.
	mu      sync.Mutex
	rule    comptoir.PointsRule
	cancel  context.CancelFunc
	ctx     context.Context
	log     *log.Logger
	logFile io.Closer
	note    string
	// sync is the background sync with the central, when one is configured (register_sync.go).
	sync registerSync
	// quit says the screens ended as asked (a quit key, a signal, a hang-up), not on a failure:
	// close then records the stop as a technical event.
	quit bool
}

// openRegister opens the database for the register, creating it with the demo catalogue when
// there is none, makes the first manager on a database without users, and starts the scanner.
func openRegister(e *env, flags registerFlags) (*register, error) {
	_, statErr := os.Stat(e.cfg.db)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	s, err := store.Open(e.cfg.db, store.Options{Register: e.cfg.register, Timeout: openTimeout, Now: e.clock.Now,
		KeyFile: e.keyFile(), PINIterations: e.auth.pinIterations})
	if err != nil {
		return nil, registerOpenError(e.cfg.db, err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	r := &register{e: e, store: s, ctx: ctx, cancel: cancel, note: e.cfg.db + ".open",
		session: ui.Session{Register: e.cfg.register}}
	fail := func(err error) (*register, error) {
		r.close(nil)
		return nil, err
	}
	// The log sits beside the database; the screen is the cashier's and never shows it.
	lf, err := os.OpenFile(e.cfg.db+".log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fail(comptoir.Wrap(comptoir.CodeCannotWrite, err))
	}
	r.logFile = lf
	r.log = log.New(lf, "", log.LstdFlags)
	r.log.Printf("register %s opens %s (PID %d)", e.cfg.register, e.cfg.db, os.Getpid())
	if err := writeOpenNote(r.note, ""); err != nil {
		return fail(err)
	}
	if fresh {
		// A brand-new database gets the demo catalogue, so that the first scans sell something; a
		// shop imports its own price list over it from the manager's screen or the command line.
		products, err := demoProducts()
		if err == nil {
			_, err = s.ImportProducts(ctx, products)
		}
		if err != nil {
			return fail(err)
		}
		r.log.Printf("new database: demo catalogue of %d products imported", len(products))
	}
	if r.firstPIN, err = s.EnsureFirstManager(ctx); err != nil {
		return fail(err)
	}
	// The PIN itself is never logged: the screen shows it once.
	if r.firstPIN != "" {
		r.log.Printf("first manager %q created with a generated PIN", comptoir.FirstManagerID)
	} else {
		if r.firstPIN, err = reissueFirstPIN(ctx, s); err != nil {
			return fail(err)
		}
		if r.firstPIN != "" {
			r.log.Printf("first manager %q never logged in: a new PIN is generated and shown", comptoir.FirstManagerID)
		}
	}
	if r.session.Demo, err = s.IsDemo(ctx); err != nil {
		return fail(err)
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return fail(err)
	}
	r.rule = set.Points
	flags.useSettings(set.Devices)
	if flags.printer != "" {
		// Checked now rather than at the first receipt: a wrong path is said before any sale.
		if _, err := e.checkPrinter(flags.printer); err != nil {
			return fail(err)
		}
	}
	r.printer = newRegisterPrinter(e, s, r.log, flags)
	// The start is a technical event with the version that runs. A register that cannot record
	// it could not sign its first sale either (a signing key missing or not the journal's): it is
	// said now, before anyone sells, rather than at the first payment.
	if err := s.LogEvent(ctx, comptoir.TechStart, "", comptoir.Software()); err != nil {
		return fail(err)
	}
	r.prepareSync(set.Sync)
	if flags.scanner != "" {
		sc, err := devices.Open(devices.Config{Port: flags.scanner, Baud: flags.baud})
		if err != nil {
			return fail(err)
		}
		r.scanner = sc
		r.scans = make(chan string, 64)
		go r.readScanner(flags.scanner)
	}
	return r, nil
}

// generatedBy is who the store names as the creator of the first manager it generates.
const generatedBy = "comptoir"

// reissueFirstPIN gives the first manager a new generated PIN when nobody ever logged in with the
// last one: it was shown once, on a screen that may have been closed before anyone wrote it down,
// and without it nobody could ever log in or manage users. Only while that account is the
// database's sole user and still has the PIN the register chose; once someone chose their own PIN,
// or added another user, nothing is reissued.
func reissueFirstPIN(ctx context.Context, s *store.Store) (string, error) {
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 {
		return "", err
	}
	u := users[0]
	if u.ID != comptoir.FirstManagerID || !u.MustChangePIN || u.Disabled || u.CreatedBy != generatedBy {
		return "", nil
	}
	pin := comptoir.GeneratePIN()
	if err := s.ChangePIN(ctx, u.ID, pin, generatedBy); err != nil {
		return "", err
	}
	return pin, nil
}

// readScanner passes the serial scanner's codes to the screens and logs its (dis)connections,
// until the register closes.
func (r *register) readScanner(port string) {
	for {
		select {
		case <-r.ctx.Done():
			return
		case st := <-r.scanner.Status():
			msg := map[devices.StatusKind]string{devices.Connected: "connected", devices.Disconnected: "disconnected",
				devices.Error: "error"}[st.Kind]
			if st.Err != nil {
				msg += ": " + comptoir.Message(st.Err, comptoir.LangEN)
			}
			r.log.Printf("scanner %s %s", port, msg)
		case s := <-r.scanner.Scans():
			select {
			case r.scans <- s.Code:
			case <-r.ctx.Done():
				return
			}
		}
	}
}

// model builds the screens on the store's services.
func (r *register) model() *registerModel {
	pending, _ := r.store.PendingEvents(r.ctx)
	var syncNow func()
	if r.sync.loop != nil {
		syncNow = r.sync.loop.SyncNow
	}
	var scans <-chan string
	if r.scans != nil {
		scans = r.scans
	}
	m := ui.New(ui.Config{
		Context:  r.ctx,
		Lang:     r.e.cfg.lang,
		Color:    ui.ColorAllowed(r.e.getenv),
		Session:  r.session,
		Sync:     r.syncState(pending),
		SyncNow:  syncNow,
		Catalog:  r.store,
		Sales:    r.store,
		Scans:    scans,
		Users:    r.store,
		FirstPIN: r.firstPIN,
		Outbox:   r.store,
		Drafts:   r.store,

		Customers:  r.store,
		Points:     r.store,
		Settings:   r.store,
		PointsRule: r.rule,
		PrintLog:   r.store,
		Printer:    r.printer,
		Closing:    r.store,
		Journal:    r.store,
		Now:        r.store.Now,
		Location:   r.store.Location(),
		Till:       r.store,
		GDPR:       r.store,
		TechLog:    r.store,
		Keys:       r.store,
		Archives:   r.store,
		ArchiveDir: filepath.Join(filepath.Dir(r.e.cfg.db), "archives"),
	})
	return &registerModel{Model: m, r: r}
}

// close keeps the open ticket as a draft, records the logout of whoever was logged in, and
// releases the scanner, the note, the log and the database. It returns how many lines were kept.
func (r *register) close(m *registerModel) (kept int, err error) {
	ctx := context.WithoutCancel(r.ctx)
	if m != nil {
		if lines := m.OpenTicket(); len(lines) > 0 {
			if err = r.store.SaveDraft(ctx, lines); err == nil {
				kept = len(lines)
				r.log.Printf("open ticket kept for the next login (lines: %d)", kept)
			}
		}
		// Whoever logged in has their logout recorded, whatever step they quit at: a user
		// choosing their own PIN, a manager at the manager prompt, not only the cashier selling.
		for _, id := range m.LoggedIn() {
			if lerr := r.store.Logout(ctx, id); lerr != nil && err == nil {
				err = lerr
			}
		}
	}
	if r.quit {
		if lerr := r.store.LogEvent(ctx, comptoir.TechStop, "", comptoir.Software()); lerr != nil && err == nil {
			err = lerr
		}
	}
	r.cancel()
	r.stopSync()
	if r.scanner != nil {
		r.scanner.Close()
	}
	os.Remove(r.note)
	if cerr := r.store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if r.log != nil {
		if err != nil {
			r.log.Printf("closing: %v", err)
		}
		r.log.Printf("register closed")
		r.logFile.Close()
	}
	return kept, err
}

// registerModel is the register's screens with what only the program knows of: the note of who
// is logged in, and the log of errors.
type registerModel struct {
	*ui.Model
	r *register
}

// Update notes logins and logouts for the commands that find the database held, and logs
// errors, then lets the screens handle the message.
func (m *registerModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	// What the register writes beside the screens (its log, the open note) is IO: it runs in a
	// command, never in Update, so that a slow disk never holds a key press.
	var io tea.Cmd
	switch msg := msg.(type) {
	case ui.LoggedInMsg:
		io = m.r.write(func(r *register) {
			r.log.Printf("login %s (%s)", msg.User.ID, msg.User.Role)
			_ = writeOpenNote(r.note, msg.User.ID)
		})
	case ui.LoggedOutMsg:
		who := m.Session().Cashier
		io = m.r.write(func(r *register) {
			r.log.Printf("logout %s", who)
			if msg.Err != nil {
				r.log.Printf("error: the logout was not recorded: %s", comptoir.Message(msg.Err, comptoir.LangEN))
			}
			_ = writeOpenNote(r.note, "")
		})
	case ui.ErrorMsg:
		io = m.r.write(func(r *register) { r.log.Printf("error: %s", comptoir.Message(msg.Err, comptoir.LangEN)) })
	}
	_, c := m.Model.Update(msg)
	return m, tea.Batch(io, c)
}

// write runs a write of the register's own files in a command; it answers no message.
func (r *register) write(fn func(r *register)) tea.Cmd {
	return func() tea.Msg {
		r.mu.Lock()
		defer r.mu.Unlock()
		fn(r)
		return nil
	}
}

// writeOpenNote writes the note beside the database that says the register holds it: its PID,
// and who is logged in ("" for nobody).
func writeOpenNote(path, user string) error {
	body := fmt.Sprintf("pid %d\nuser %s\n", os.Getpid(), user)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return nil
}

// openNote is what a note says: the register's PID and who is logged in.
type openNote struct {
	pid  int
	user string
}

// readOpenNote reads the note beside a database. A note whose process is gone (the register was
// killed) is no note.
func readOpenNote(path string) (openNote, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return openNote{}, false
	}
	var n openNote
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "pid":
			n.pid, _ = strconv.Atoi(v)
		case "user":
			n.user = comptoir.CleanText(strings.TrimSpace(v))
		}
	}
	if n.pid <= 0 || !processAlive(n.pid) {
		return openNote{}, false
	}
	return n, true
}

// processAlive reports whether a process runs with that PID (signal 0 checks without sending).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, os.ErrPermission)
}

// registerOpenError turns "database in use" into "the register is open" when the register's note
// says it is the one holding the database: the user then knows where to go.
func registerOpenError(db string, err error) error {
	if !errors.Is(err, comptoir.ErrDatabaseInUse) {
		return err
	}
	n, ok := readOpenNote(db + ".open")
	switch {
	case !ok:
		return err
	case n.user != "":
		return comptoir.E(comptoir.CodeRegisterOpenBy, n.pid, n.user)
	}
	return comptoir.E(comptoir.CodeRegisterOpen, n.pid)
}
