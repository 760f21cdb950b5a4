package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/ui"
)

// newFlags builds a subcommand's flag set whose errors become usage errors instead of printing.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// errShowHelp asks run to print the help and succeed, as "comptoir close --help" should.
var errShowHelp = errors.New("help requested")

// helpRequest is the errShowHelp a subcommand returns: it carries the subcommand's flags, so that
// a test can check that the help names every one.
type helpRequest struct{ flags *flag.FlagSet }

func (helpRequest) Error() string { return errShowHelp.Error() }

// Is makes a helpRequest errShowHelp for errors.Is.
func (helpRequest) Is(target error) bool { return target == errShowHelp }

// parseFlags parses a subcommand's flags and explains a mistake in the user's language; the flag
// package only speaks English, and names options with one dash where Comptoir documents two.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		return helpRequest{fs}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return usagef("%s : option inconnue %s", "%s: unknown option %s", fs.Name(), dashed(name))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return usagef("%s : l'option %s attend une valeur", "%s: option %s needs a value", fs.Name(), dashed(name))
	}
	// invalid value "x" for flag -n: …, invalid boolean value "x" for -b: …
	if value, rest, ok := strings.Cut(msg, " for "); ok && strings.HasPrefix(value, "invalid ") {
		name, _, _ := strings.Cut(strings.TrimPrefix(rest, "flag "), ":")
		if _, v, ok := strings.Cut(value, " value "); ok {
			if v, err := strconv.Unquote(v); err == nil {
				return usagef("%s : valeur invalide « %s » pour %s", "%s: invalid value %q for %s", fs.Name(), comptoir.CleanText(v), dashed(name))
			}
		}
		return usagef("%s : valeur invalide pour %s", "%s: invalid value for %s", fs.Name(), dashed(name))
	}
	if name, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return usagef("%s : option mal écrite « %s » : écrivez --nom ou --nom=valeur", "%s: malformed option %q: write --name or --name=value",
			fs.Name(), comptoir.CleanText(name))
	}
	return usagef("%s : %v", "%s: %v", fs.Name(), err)
}

// dashed writes an option's name as the help documents it, with two dashes, whichever number the
// flag package or the user put.
func dashed(name string) string { return "--" + strings.TrimLeft(name, "-") }

func runCatalog(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("catalog attend import FICHIER ou list", "catalog needs import FILE or list")
	}
	switch args[0] {
	case "import":
		if len(args) != 2 {
			return usagef("catalog import attend un fichier", "catalog import needs one file")
		}
		return catalogImport(e, args[1])
	case "list":
		return catalogList(e, args[1:])
	}
	return usagef("catalog : sous-commande inconnue « %s »", "catalog: unknown subcommand %q", args[0])
}

func catalogImport(e *env, path string) error {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return comptoir.E(comptoir.CodeFileNotFound, path)
		}
		if err != nil {
			return comptoir.Wrap(comptoir.CodeCannotRead, err)
		}
		defer f.Close()
		r = f
	}
	// A large price list shows its progress on stderr: rows read, then products written.
	prog := e.newProgress()
	defer prog.finish()
	// The whole file is parsed and checked before the database is opened: a bad row changes nothing.
	products, err := comptoir.ParseCatalogCSVProgress(r, prog.report)
	if err != nil {
		return err
	}
	s, err := e.open(true)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.ImportProducts(comptoir.WithProgress(e.ctx, prog.report), products)
	prog.finish()
	if err != nil {
		return err
	}
	if n == 1 {
		fmt.Fprintf(e.stdout, e.tr("1 article importé dans %s\n", "1 product imported into %s\n"), e.cfg.db)
	} else {
		fmt.Fprintf(e.stdout, e.tr("%d articles importés dans %s\n", "%d products imported into %s\n"), n, e.cfg.db)
	}
	return nil
}

// catalogList prints the catalogue in GTIN order, a product a line as the store reads it: code,
// price, VAT rate and name. The name comes last because it is the one column whose width cannot
// be known before every product has been read.
func catalogList(e *env, args []string) error {
	s, err := openNoArgs(e, "catalog list", args)
	if err != nil {
		return err
	}
	defer s.Close()
	l := e.cfg.lang
	out := newListing(e.stdout, column{width: 14}, column{width: priceWidth, right: true}, column{width: vatWidth(l), right: true})
	err = s.EachProduct(e.ctx, func(p comptoir.Product) error {
		return out.row(p.GTIN, p.Price.Format(l), p.VAT.Format(l), comptoir.CleanText(p.Name))
	})
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	return err
}

// priceWidth fits prices up to 9 999,99 €; a dearer product pushes its line's last columns right.
const priceWidth = 10

// vatWidth is the width of the widest VAT rate in a language.
func vatWidth(l comptoir.Lang) int {
	w := 0
	for _, r := range comptoir.VATRates {
		w = max(w, utf8.RuneCountInString(r.Format(l)))
	}
	return w
}

// periodArgs parses the arguments of a command that works on one period: --date YYYY-MM-DD,
// --month YYYY-MM or --year YYYY, today by default.
func periodArgs(e *env, name string, args []string) (string, error) {
	fs := newFlags(name)
	flags := []struct {
		kind  comptoir.ClosingKind
		value *string
	}{
		{comptoir.DayClosing, fs.String("date", "", "day YYYY-MM-DD")},
		{comptoir.MonthClosing, fs.String("month", "", "month YYYY-MM")},
		{comptoir.YearClosing, fs.String("year", "", "year YYYY")},
	}
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", usagef("%s : argument inattendu « %s »", "%s: unexpected argument %q", name, fs.Arg(0))
	}
	chosen := ""
	for _, f := range flags {
		if *f.value == "" {
			continue
		}
		if chosen != "" {
			return "", usagef("une seule période : --date, --month ou --year", "one period only: --date, --month or --year")
		}
		if kind, err := comptoir.ParsePeriod(*f.value); err != nil || kind != f.kind {
			return "", comptoir.E(comptoir.CodeInvalidPeriod, *f.value)
		}
		chosen = *f.value
	}
	if chosen == "" {
		chosen = comptoir.DayOf(e.clock.Now(), time.Local)
	}
	return chosen, nil
}

func runClose(e *env, args []string) error {
	p, err := periodArgs(e, "close", args)
	if err != nil {
		return err
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.ClosePeriod(e.ctx, p)
	if err != nil {
		return err
	}
	printClosing(e, s.Location(), c, signingKey(e, s))
	return nil
}

func runReport(e *env, args []string) error {
	p, err := periodArgs(e, "report", args)
	if err != nil {
		return err
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := comptoir.ReadReport(e.ctx, s, p)
	if err != nil {
		return err
	}
	if rep.Closed {
		printClosing(e, s.Location(), rep.Closing, signingKey(e, s))
		return nil
	}
	fmt.Fprintf(e.stdout, e.tr("Rapport X (provisoire, non clôturé) — caisse %s — %s\n", "X report (provisional, not closed) — register %s — %s\n"), s.Register(), periodName(e, p))
	printTotals(e, rep.Totals, rep.GrandTotal)
	return nil
}

// signingKey is the register's signing key for a closing's report to name; zero when it cannot be
// read, since the report stands without it: its hash and signature extract do.
func signingKey(e *env, keys comptoir.KeyService) comptoir.KeyInfo {
	k, err := keys.SigningKey(e.ctx)
	if err != nil {
		return comptoir.KeyInfo{}
	}
	return k
}

// printClosing prints a closing as its report, with the time it was made in the shop's time zone,
// ending as the manager screen's and the printed report do (ui.ChainHeadLines): the signing key
// and the chain head.
func printClosing(e *env, loc *time.Location, c comptoir.Closing, key comptoir.KeyInfo) {
	title := map[comptoir.ClosingKind][2]string{
		comptoir.DayClosing:   {"Rapport Z n° %d — caisse %s — %s\n", "Z report no. %d — register %s — %s\n"},
		comptoir.MonthClosing: {"Clôture mensuelle n° %d — caisse %s — %s\n", "Monthly closing no. %d — register %s — %s\n"},
		comptoir.YearClosing:  {"Clôture annuelle n° %d — caisse %s — %s\n", "Yearly closing no. %d — register %s — %s\n"},
	}[c.Kind]
	fmt.Fprintf(e.stdout, e.tr(title[0], title[1]), c.Number, c.Register, periodName(e, c.Period))
	fmt.Fprintf(e.stdout, e.tr("Clôturé le %s\n", "Closed on %s\n"), c.At.In(loc).Format("2006-01-02 15:04:05"))
	printTotals(e, c.Totals, c.GrandTotal)
	if len(c.Count) > 0 {
		// The cash count of a Z close made at the register: counted against the takings.
		l := e.cfg.lang
		var count table
		count.add(e.tr("Comptage", "Count"), e.tr("Attendu", "Expected"), e.tr("Compté", "Counted"), e.tr("Écart", "Difference"))
		for _, x := range c.Count {
			count.add("  "+x.Method.Format(l), x.Expected.Format(l), x.Counted.Format(l), x.Difference().Format(l))
		}
		fmt.Fprintln(e.stdout)
		count.write(e.stdout)
		fmt.Fprintln(e.stdout)
	}
	for _, line := range ui.ChainHeadLines(c, key, e.cfg.lang) {
		fmt.Fprintln(e.stdout, line)
	}
}

func periodName(e *env, p string) string {
	switch len(p) {
	case len("2006-01-02"):
		return e.tr("journée du ", "day ") + p
	case len("2006-01"):
		return e.tr("mois ", "month ") + p
	}
	return e.tr("année ", "year ") + p
}

// printTotals prints the figures of a period as a Z or X report does.
func printTotals(e *env, t comptoir.Totals, grandTotal comptoir.Money) {
	l := e.cfg.lang
	w := e.stdout
	var summary table
	summary.add(e.tr("Tickets", "Tickets"), fmt.Sprint(t.Tickets))
	if t.FirstTicket != 0 {
		summary.add(e.tr("Numéros", "Numbers"), fmt.Sprintf("%d – %d", t.FirstTicket, t.LastTicket))
	}
	summary.add(e.tr("dont remboursements", "of which refunds"), t.Refunds.Format(l))
	if t.Discounts != 0 {
		summary.add(e.tr("dont remises fidélité", "of which loyalty discounts"), (-t.Discounts).Format(l))
	}
	summary.add(e.tr("Total de la période TTC", "Period total incl. VAT"), t.Total.Format(l))
	fmt.Fprintln(w)
	summary.write(w)

	var vat table
	vat.add(e.tr("TVA", "VAT"), e.tr("Base HT", "Net"), e.tr("TVA", "VAT"), e.tr("TTC", "Gross"))
	var base, tax comptoir.Money
	for _, v := range t.VAT {
		vat.add(v.Rate.Format(l), v.Base.Format(l), v.VAT.Format(l), v.TTC.Format(l))
		base += v.Base
		tax += v.VAT
	}
	vat.add(e.tr("Total", "Total"), base.Format(l), tax.Format(l), t.Total.Format(l))
	fmt.Fprintln(w)
	vat.write(w)

	var pay table
	pay.add(e.tr("Paiements (net du rendu)", "Payments (net of change)"), "")
	for _, m := range comptoir.PaymentMethods {
		var amount comptoir.Money
		for _, x := range t.ByMethod {
			if x.Method == m {
				amount = x.Amount
			}
		}
		pay.add("  "+m.Format(l), amount.Format(l))
	}
	fmt.Fprintln(w)
	pay.write(w)

	fmt.Fprintln(w)
	if t.Training > 0 {
		fmt.Fprintf(w, e.tr("Tickets de formation : %d (non comptés)\n", "Training tickets: %d (not counted)\n"), t.Training)
	}
	fmt.Fprintf(w, e.tr("Grand total perpétuel  %s\n", "Perpetual grand total  %s\n"), grandTotal.Format(l))
}

func runVerify(e *env, args []string) error {
	fl := newFlags("verify")
	file := fl.String("archive", "", "archive file to check, without the database")
	fingerprint := fl.String("key-fingerprint", "", "fingerprint of the key the archive must be signed by")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if err := noArgs(fl); err != nil {
		return err
	}
	if *fingerprint != "" && !fingerprintForm.MatchString(strings.ToLower(strings.TrimSpace(*fingerprint))) {
		return comptoir.E(comptoir.CodeInvalidFingerprint, *fingerprint)
	}
	if *file != "" {
		return verifyArchive(e, *file, *fingerprint)
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.Verify(e.ctx)
	if err != nil {
		return err
	}
	// Every run is a technical event with its result. A run that cannot be recorded (a key file
	// missing, a disk full) still says what it found: the check matters more than its trace.
	if lerr := s.LogEvent(e.ctx, comptoir.TechVerify, e.cfg.user, verifyDetail(rep)); lerr != nil {
		defer fmt.Fprintln(e.stderr, "comptoir:", e.tr("cette vérification n'a pas pu être inscrite au journal des événements techniques : ",
			"this verification could not be recorded in the technical event log: ")+comptoir.Message(lerr, e.cfg.lang))
	}
	if rep.Broken != nil {
		return journalBroken{rep.Broken, rep.Chain}
	}
	if *fingerprint != "" {
		// Signatures prove nothing to whoever does not know the key: a journal rewritten whole,
		// key chain included, verifies as one made before signatures. A fingerprint kept on a Z
		// report is the anchor outside the file.
		if err := vouches(rep, *fingerprint); err != nil {
			return journalBroken{err, comptoir.ChainKeys}
		}
	}
	fmt.Fprintln(e.stdout, rep.Summary(e.cfg.lang))
	printChains(e, s.Location(), rep)
	return nil
}

// fingerprintForm is a key fingerprint as Z reports print it.
var fingerprintForm = regexp.MustCompile(`^[0-9a-f]{4}(-[0-9a-f]{4}){4}$`)

// vouches checks that a key the user trusts (its fingerprint from a Z report) vouches for the
// whole journal after it: the journal declares it, and every key after it is a rotation, whose
// record the key before signed. A replacement vouches for itself only: a forger without the key
// could declare one, so the fingerprint of a Z report printed since is needed to trust it.
func vouches(rep comptoir.VerifyReport, fingerprint string) *comptoir.Error {
	want := strings.ToLower(strings.TrimSpace(fingerprint))
	trusted := -1
	for i, k := range rep.SigningKeys {
		if k.Fingerprint == want {
			trusted = i
		}
	}
	if trusted < 0 {
		return comptoir.E(comptoir.CodeKeyNotDeclared, want)
	}
	for _, k := range rep.SigningKeys[trusted+1:] {
		if k.Reason != comptoir.KeyRotated {
			return comptoir.E(comptoir.CodeKeyReplacedSince, want, k.Number)
		}
	}
	return nil
}

// verifyDetail is what the technical event of a verification says, in English as the log's
// details are: the counts of an intact journal, or the sentence naming the first record that
// failed and its chain.
func verifyDetail(rep comptoir.VerifyReport) string {
	if rep.Broken != nil {
		return "broken: " + journalBroken{rep.Broken, rep.Chain}.message(comptoir.LangEN)
	}
	return fmt.Sprintf("intact: %d tickets, %d closings, %d reprints, %d events, %d keys, %d signed",
		rep.Tickets, rep.Closings, rep.Reprints, rep.Events, rep.Keys, rep.Signed)
}

// printChains follows verify's summary with a line per signature chain and its count, the records
// whose signature verified, and every declared break: a key recorded in place of a lost one. A
// journal made before signatures has no chain to report and prints the summary alone.
func printChains(e *env, loc *time.Location, rep comptoir.VerifyReport) {
	if rep.Keys == 0 && rep.Signed == 0 && len(rep.Heads) == 0 {
		return
	}
	l := e.cfg.lang
	counts := map[comptoir.Chain]int64{comptoir.ChainTickets: rep.Tickets, comptoir.ChainClosings: rep.Closings,
		comptoir.ChainReprints: rep.Reprints, comptoir.ChainEvents: rep.Events, comptoir.ChainKeys: rep.Keys}
	var t table
	for _, c := range comptoir.Chains {
		t.add("  "+c.Label(l), fmt.Sprint(counts[c]))
	}
	t.write(e.stdout)
	total := rep.Tickets + rep.Closings + rep.Reprints + rep.Events + rep.Keys
	fmt.Fprintf(e.stdout, e.tr("Enregistrements signés : %d sur %d", "Signed records: %d of %d"), rep.Signed, total)
	if rep.Signed < total {
		fmt.Fprint(e.stdout, e.tr(" (ceux d'avant la première clé sont vérifiés par leur chaînage)",
			" (those made before the first key are checked by their hash chain)"))
	}
	fmt.Fprintln(e.stdout)
	for _, b := range rep.Breaks {
		fmt.Fprintf(e.stdout, e.tr("Rupture déclarée : clé n° %d, enregistrée le %s en remplacement d'une clé perdue (empreinte %s)\n",
			"Declared break: key no. %d, recorded on %s in place of a lost key (fingerprint %s)\n"),
			b.Number, b.At.In(loc).Format("2006-01-02 15:04:05"), b.Fingerprint)
	}
}

// journalBroken is the refusal verify ends with when a record fails, with the chain it belongs to.
type journalBroken struct {
	err   *comptoir.Error
	chain comptoir.Chain
}

func (j journalBroken) Error() string { return "journal altered: " + j.err.Error() }

// Unwrap lets the generic error printer explain the broken record.
func (j journalBroken) Unwrap() error { return j.err }

// message says which record failed and, unless the sentence names it already, in which chain.
func (j journalBroken) message(l comptoir.Lang) string {
	msg := j.err.Message(l)
	if label := j.chain.Label(l); j.chain != "" && !strings.Contains(msg, label) {
		msg += " (" + label + ")"
	}
	return msg
}
