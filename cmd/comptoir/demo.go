package main

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// demoCatalog is a price list of a small French convenience store, in the semicolon format French
// spreadsheets export, so the demo goes through the same importer as a real shop's file.
//
//go:embed demo_catalog.csv
var demoCatalog []byte

// demoProducts parses the embedded demo catalogue.
func demoProducts() ([]comptoir.Product, error) {
	return comptoir.ParseCatalogCSV(bytes.NewReader(demoCatalog))
}

var demoCashiers = []string{"Camille", "Léa", "Hugo", "Karim"}

func runDemoData(e *env, args []string) error {
	fs := newFlags("demo-data")
	sales := fs.Int("sales", 0, "number of tickets")
	days := fs.Int("days", 7, "number of days")
	seed := fs.Uint64("seed", 1, "random seed")
	start := fs.String("start", "", "first day YYYY-MM-DD")
	customers := fs.Int("customers", 0, "number of loyalty members")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *customers < 0 || *customers > 100_000 {
		return usagef("--customers attend un nombre entre 0 et 100 000", "--customers needs a number from 0 to 100,000")
	}
	if *sales < 0 || *sales > 10_000_000 {
		return usagef("--sales attend un nombre entre 0 et 10 000 000", "--sales needs a number from 0 to 10,000,000")
	}
	if *days < 1 || *days > 3660 {
		return usagef("--days attend un nombre entre 1 et 3660", "--days needs a number from 1 to 3660")
	}
	today := midnight(time.Now())
	first := today.AddDate(0, 0, -*days)
	if *start != "" {
		d, err := comptoir.ParseDay(*start)
		if err != nil {
			return err
		}
		first = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local)
	}
	// Demo data ends before now: its last day is yesterday at the latest, so that no ticket is
	// dated later than the clock and today, which the shop may still sell on, is never sealed.
	last := first.AddDate(0, 0, *days-1)
	if !last.Before(today) {
		latest := today.AddDate(0, 0, -*days)
		return usagef("--start %s et --days %d vont jusqu'au %s : les jours de démonstration doivent finir avant aujourd'hui (%s), donc commencer le %s au plus tard",
			"--start %s and --days %d run to %s: demo days must end before today (%s), so start on %s at the latest",
			first.Format("2006-01-02"), *days, last.Format("2006-01-02"), today.Format("2006-01-02"), latest.Format("2006-01-02"))
	}
	products, err := demoProducts()
	if err != nil {
		return err
	}
	s, err := e.openDemo(*seed)
	if err != nil {
		return err
	}
	defer s.Close()
	// A journal with closings only (a shop that closed its first days without selling) is not
	// empty either: the demo's days would fall before its first record.
	tickets, closings, err := s.JournalSize(e.ctx)
	if err != nil {
		return err
	}
	if tickets != 0 || closings != 0 {
		return comptoir.E(comptoir.CodeJournalNotEmpty, e.cfg.db, tickets, closings)
	}
	// The demo fills a copy that takes the database's place only once complete: an interrupted or
	// failed demo leaves the database as it was, not half filled and refusing a second try. The
	// database stays locked the whole time, so that another command is refused rather than
	// writing into the file the copy replaces.
	var summary demoSummary
	// The members enrolled, then the days filled, on stderr: the summary stays stdout's.
	prog := e.newProgress()
	defer prog.finish()
	placed := false
	err = s.Rebuild(func(ts *store.Store) error {
		var err error
		summary, err = fillDemo(e, ts, products, first, *days, *sales, *customers, *seed, prog.report)
		if err != nil {
			return err
		}
		// The mark puts DÉMO on every screen of the register, so that nobody takes these
		// tickets for the shop's.
		if err := ts.MarkDemo(e.ctx); err != nil {
			return err
		}
		// The key goes in place before the copy does: a crash between the two leaves a key
		// file that no record declares yet, which the database's next record adopts, never a
		// journal whose key is missing.
		placed, err = e.placeDemoKey()
		return err
	})
	prog.finish()
	if e.signing.file != "" {
		os.Remove(e.signing.file)
	}
	if err != nil {
		if placed {
			os.Remove(e.signingKeyFile())
		}
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, e.tr(
		"Démo : %d articles, %d membres, %d tickets du %s au %s ; clôtures journalières : %d, mensuelles ou annuelles : %d ; grand total %s\n",
		"Demo: %d products, %d members, %d tickets from %s to %s; daily closings: %d, monthly or yearly: %d; grand total %s\n"),
		len(products), summary.members, summary.tickets, first.Format("2006-01-02"), first.AddDate(0, 0, *days-1).Format("2006-01-02"),
		summary.daily, summary.periodic, summary.grandTotal.Format(e.cfg.lang))
	return nil
}

// openDemo opens the database for demo-data. A register without a key yet gets one made from
// the seed, so that a seed always gives the same journal, signatures included; it is made in a
// working file beside the database, which takes the key file's name only once the demo's copy is
// complete (placeDemoKey): an interrupted demo leaves no key that no journal declares. A
// database whose journal declares its key already (a technical event was recorded: a catalogue
// import, the login of the user running the demo), or beside which a key file waits to be
// adopted, keeps that key: the demo's records are signed by it, and the seed cannot change a key
// the journal declared.
//
// The database is opened as usual first, because the login that authorizes the demo is itself a
// signed record, whose key must be the usual file's; only a database still without a key is
// opened again on the working file, the user already authenticated.
func (e *env) openDemo(seed uint64) (*store.Store, error) {
	s, err := e.open(true)
	if err != nil {
		return nil, err
	}
	if keyless, err := e.keyless(s); err != nil || !keyless {
		if err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	s.Close()
	e.signing = signingOptions{file: e.signingKeyFile() + ".demo", seed: binary.BigEndian.AppendUint64([]byte("demo-data/"), seed)}
	s, err = e.open(true)
	if err != nil {
		e.signing = signingOptions{}
		return nil, err
	}
	// This process holds the database's lock, which every demo holds while it uses the working
	// key file: one found now was left by a demo that was killed, with perhaps another seed.
	if err := os.Remove(e.signing.file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.Close()
		e.signing = signingOptions{}
		return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	// Another program may have recorded something between the two opens: its key is then the
	// usual file's, which the demo must use.
	keyless, err := e.keyless(s)
	if err == nil && keyless {
		return s, nil
	}
	s.Close()
	e.signing = signingOptions{}
	if err != nil {
		return nil, err
	}
	return e.open(true)
}

// keyless reports whether a database has no signing key yet: none declared by its journal, and
// no key file beside it waiting for its first record.
func (e *env) keyless(s *store.Store) (bool, error) {
	info, err := s.SigningKey(e.ctx)
	if err != nil {
		return false, err
	}
	_, statErr := os.Stat(e.signingKeyFile())
	return info.Number == 0 && errors.Is(statErr, fs.ErrNotExist), nil
}

// placeDemoKey gives the key the demo made in its working file the key file's name, and reports
// whether it did. The demo made none when the database had its key already.
func (e *env) placeDemoKey() (bool, error) {
	if e.signing.file == "" {
		return false, nil
	}
	if _, err := os.Stat(e.signing.file); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	// A link, not a rename: a key file that appeared meanwhile is never replaced.
	if err := os.Link(e.signing.file, e.signingKeyFile()); err != nil {
		return false, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	if d, err := os.Open(filepath.Dir(e.signingKeyFile())); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return true, nil
}

// demoSummary is what fillDemo recorded.
type demoSummary struct {
	tickets, daily, periodic, members int
	grandTotal                        comptoir.Money
}

// fillDemo records the demo catalogue, sales tickets over the days from first on, and the
// closings, telling progress of each member enrolled and each day filled and closed.
func fillDemo(e *env, s *store.Store, products []comptoir.Product, first time.Time, days, sales, customers int, seed uint64,
	progress comptoir.Progress) (demoSummary, error) {
	var sum demoSummary
	// The catalogue is imported the evening before the first day, on the demo's clock: its
	// technical event, which closings count, must not carry today's time, or a seed would no
	// longer give the same journal.
	e.clock.at = first.Add(-5 * time.Hour)
	if _, err := s.ImportProducts(e.ctx, products); err != nil {
		e.clock.at = time.Time{}
		return sum, err
	}
	g := demoGen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), products: products, refunded: map[uint64]bool{}}
	// The store's clock replays each closing at the hour a manager would have made it.
	defer func() { e.clock.at = time.Time{} }()
	if customers > 0 {
		// Members join the evening before the first day. Their draws come from a generator of
		// their own, so that adding members changes little of a seed's tickets (refunds only pick
		// anonymous tickets, so those may differ).
		e.clock.at = first.Add(-4 * time.Hour)
		if err := g.enrolMembers(e, s, customers, rand.New(rand.NewPCG(seed^0x5bd1e995, seed)), progress); err != nil {
			return sum, err
		}
		sum.members = customers
	}
	last := first.AddDate(0, 0, days-1)
	for i := 0; i < days; i++ {
		day := first.AddDate(0, 0, i)
		if i > 0 && day.Day() == 1 {
			// The manager seals the month that just ended before the first sale of the next.
			n, err := closeMonth(e, s, day.AddDate(0, -1, 0))
			if err != nil {
				return sum, err
			}
			sum.periodic += n
		}
		n := sales / days
		if i < sales%days {
			n++
		}
		if err := g.recordDay(e, s, day, n); err != nil {
			return sum, err
		}
		e.clock.at = day.Add(20 * time.Hour)
		if _, err := s.ClosePeriod(e.ctx, day.Format("2006-01-02")); err != nil {
			return sum, err
		}
		sum.daily++
		progress(stepDemoDays, i+1, days)
	}
	if end := last.AddDate(0, 0, 1); end.Day() == 1 && !end.After(time.Now()) {
		n, err := closeMonth(e, s, last)
		if err != nil {
			return sum, err
		}
		sum.periodic += n
	}
	sum.tickets = g.recorded
	var err error
	sum.grandTotal, err = s.GrandTotal(e.ctx)
	return sum, err
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.Local)
}

// closeMonth seals the month of day, and its year when it is December, at ten past midnight on
// the first day of the next month, as a manager would.
func closeMonth(e *env, s *store.Store, day time.Time) (int, error) {
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.Local)
	// Just after midnight on the first, the closing is dated now rather than a few minutes ahead.
	e.clock.at = month.AddDate(0, 1, 0).Add(10 * time.Minute)
	if now := time.Now(); e.clock.at.After(now) {
		e.clock.at = now
	}
	if _, err := s.ClosePeriod(e.ctx, month.Format("2006-01")); err != nil {
		return 0, err
	}
	if month.Month() != time.December {
		return 1, nil
	}
	if _, err := s.ClosePeriod(e.ctx, month.Format("2006")); err != nil {
		return 1, err
	}
	return 2, nil
}

// demoGen draws realistic tickets: a few items each, mostly paid by card, cash rounded up to a
// note, now and then a meal voucher, a refund of an earlier ticket or a training ticket.
type demoGen struct {
	rng      *rand.Rand
	products []comptoir.Product
	next     uint64 // number the next recorded ticket will get
	recorded int
	// sold holds the day's anonymous real sales that may still be refunded, by ticket number.
	sold     map[uint64]comptoir.Line
	refunded map[uint64]bool
	// members and balances are the demo's loyalty members and their points, which the demo
	// tracks to redeem only what a member has; mrng draws everything about them.
	members  []comptoir.CustomerID
	balances map[comptoir.CustomerID]int64
	mrng     *rand.Rand
	rule     comptoir.PointsRule
}

var (
	demoFirstNames = []string{"Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Zoé", "Lucas", "Hugo",
		"Louis", "Gabriel", "Arthur", "Jules", "Nathan", "Raphaël", "Aïcha", "Mehdi", "Élodie", "Théo"}
	demoLastNames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
		"Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"}
)

// enrolMembers enrols n members with cards 1 to n, varied consent, and IDs drawn from rng so
// that a seed always gives the same journal.
func (g *demoGen) enrolMembers(e *env, s *store.Store, n int, rng *rand.Rand, progress comptoir.Progress) error {
	set, err := s.Settings(e.ctx)
	if err != nil {
		return err
	}
	g.mrng, g.balances, g.rule = rng, map[comptoir.CustomerID]int64{}, set.Points
	for i := range n {
		first := demoFirstNames[rng.IntN(len(demoFirstNames))]
		last := demoLastNames[rng.IntN(len(demoLastNames))]
		consent := map[comptoir.Channel]bool{}
		for _, ch := range comptoir.Channels {
			consent[ch] = rng.IntN(100) < 40
		}
		p := comptoir.Personal{FirstName: first, LastName: last}
		if rng.IntN(100) < 80 {
			p.Email = strings.ToLower(fmt.Sprintf("%s.%s.%d@exemple.fr", asciiName(first), asciiName(last), i+1))
		}
		if rng.IntN(100) < 60 {
			p.Phone = fmt.Sprintf("06%08d", i+1)
		}
		id := comptoir.CustomerID(fmt.Sprintf("M%016x", rng.Uint64()))
		c, err := s.Enroll(e.ctx, comptoir.Enrolment{ID: id, Card: comptoir.CardNumber(uint64(i + 1)), Personal: p, Consent: consent,
			NoticeVersion: "1", By: "demo-data"})
		if err != nil {
			return err
		}
		g.members = append(g.members, c.ID)
		progress(stepDemoMembers, i+1, n)
	}
	return nil
}

// asciiName drops the accents of a name for an email address.
func asciiName(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ë", "e", "ï", "i", "î", "i", "ç", "c", "à", "a").Replace(s)
}

// recordDay records a day's tickets in batches: one commit per batch instead of one per ticket.
func (g *demoGen) recordDay(e *env, s *store.Store, day time.Time, n int) error {
	if g.next == 0 {
		last, err := s.LastTicket(e.ctx)
		if err != nil {
			return err
		}
		g.next = last + 1
	}
	g.sold = map[uint64]comptoir.Line{}
	times := make([]time.Duration, n)
	for i := range times {
		// Between 8:30 and 19:30.
		times[i] = 8*time.Hour + 30*time.Minute + time.Duration(g.rng.Int64N(int64(11*time.Hour)))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	const batch = 5000
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		drafts := make([]comptoir.SaleDraft, 0, hi-lo)
		for _, t := range times[lo:hi] {
			drafts = append(drafts, g.draft(day.Add(t)))
		}
		if _, err := s.RecordSales(e.ctx, drafts); err != nil {
			return err
		}
		g.recorded += len(drafts)
	}
	return nil
}

func (g *demoGen) draft(at time.Time) comptoir.SaleDraft {
	number := g.next
	g.next++
	d := comptoir.SaleDraft{At: at, Cashier: demoCashiers[g.rng.IntN(len(demoCashiers))]}
	if r := g.rng.IntN(100); r < 2 && len(g.sold) > 0 {
		if orig, line, ok := g.pickRefund(); ok {
			line.Qty = -1
			line.Total = -line.UnitPrice
			d.RefundOf = orig
			d.Lines = []comptoir.Line{line}
			d.Payments = []comptoir.Payment{{Method: comptoir.Cash, Amount: line.Total}}
			return d
		}
	} else if r < 3 {
		d.Training = true
	}
	lines := 1 + g.rng.IntN(6)
	var total comptoir.Money
	for range lines {
		p := g.products[g.rng.IntN(len(g.products))]
		qty := int64(1)
		if g.rng.IntN(5) == 0 {
			qty = 2 + g.rng.Int64N(3)
		}
		l := comptoir.LineFor(p, qty)
		d.Lines = append(d.Lines, l)
		total += l.Total
	}
	switch r := g.rng.IntN(100); {
	case r < 55:
		d.Payments = []comptoir.Payment{{Method: comptoir.Card, Amount: total}}
	case r < 92:
		d.Payments = []comptoir.Payment{{Method: comptoir.Cash, Amount: cashTendered(total, g.rng)}}
	default:
		// A meal voucher rarely matches the total; the rest is paid by card. A voucher gives no
		// change, so it never pays more than the total.
		voucher := min(total, comptoir.Euros(9, 0))
		d.Payments = []comptoir.Payment{{Method: comptoir.MealVoucher, Amount: voucher}}
		if rest := total - voucher; rest > 0 {
			d.Payments = append(d.Payments, comptoir.Payment{Method: comptoir.Card, Amount: rest})
		}
	}
	if !d.Training {
		if !g.attachMember(&d, total) {
			g.sold[number] = d.Lines[0]
		}
	}
	return d
}

// attachMember gives about a third of the tickets to a member, who now and then redeems 100
// points for 5 € off; the payment is then reduced by the discount. It reports whether it did.
func (g *demoGen) attachMember(d *comptoir.SaleDraft, total comptoir.Money) bool {
	if len(g.members) == 0 || g.mrng.IntN(100) >= 35 {
		return false
	}
	id := g.members[g.mrng.IntN(len(g.members))]
	d.CustomerID = string(id)
	rule := g.rule
	if g.balances[id] >= rule.RedeemPoints && total > rule.RedeemValue && g.mrng.IntN(100) < 30 {
		d.PointsRedeemed = rule.RedeemPoints
		g.balances[id] -= rule.RedeemPoints
		total -= rule.RedeemValue
		// The customer pays what is left; cash change, vouchers and cards as usual would need
		// the same care, so a redeeming member pays by card.
		d.Payments = []comptoir.Payment{{Method: comptoir.Card, Amount: total}}
	}
	g.balances[id] += rule.Earned(total)
	return true
}

// pickRefund chooses a ticket of the day not yet refunded and returns its first line.
func (g *demoGen) pickRefund() (uint64, comptoir.Line, bool) {
	numbers := make([]uint64, 0, len(g.sold))
	for n := range g.sold {
		if !g.refunded[n] {
			numbers = append(numbers, n)
		}
	}
	if len(numbers) == 0 {
		return 0, comptoir.Line{}, false
	}
	sort.Slice(numbers, func(i, j int) bool { return numbers[i] < numbers[j] })
	n := numbers[g.rng.IntN(len(numbers))]
	g.refunded[n] = true
	return n, g.sold[n], true
}

// cashTendered is what a customer hands over: the exact amount, or the next 5, 10, 20 or 50 euros.
func cashTendered(total comptoir.Money, rng *rand.Rand) comptoir.Money {
	steps := []comptoir.Money{1, 500, 1000, 2000, 5000}
	step := steps[rng.IntN(len(steps))]
	return (total + step - 1) / step * step
}
