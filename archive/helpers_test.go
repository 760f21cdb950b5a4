package archive_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
)

// register builds a register's records the way the store does: bodies as JSON, hashed with
// SHA-256, linked by prev_hash, numbered per kind, signed per chain over SignedFieldsOf with the
// key in effect, grand totals running, closings summing their days or months. It keeps where
// every chain stood before each record, so that an archive can start anywhere.
type register struct {
	tb   testing.TB
	name string
	seed byte
	loc  *time.Location

	keys    []ed25519.PrivateKey // keys[n-1] is key record n's
	current uint64               // the key in effect (0: none yet)
	// selfSigned makes the next rotation signed by its own key, as a forger would.
	selfSigned bool

	journal  []entry
	reprints []entry
	events   []entry
	keyRecs  []entry

	prevHash map[comptoir.Chain]string // tickets' entry is the journal's
	number   map[comptoir.Chain]uint64
	lastSig  map[comptoir.Chain]string
	gt, abs  comptoir.Money
	days     map[string]*comptoir.Totals
	closed   map[string]comptoir.Totals
	sales    map[uint64]comptoir.Sale
}

// entry is an archive entry with the state before it, from which the anchors are taken.
type entry struct {
	archive.Entry
	day     string // the business day (a closing's: its period's first day)
	period  string // a closing's period
	anchors map[comptoir.Chain]archive.Anchor
	gt, abs comptoir.Money
}

func newRegister(tb testing.TB, seed byte) *register {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	return &register{
		tb: tb, name: "R1", seed: seed, loc: loc,
		prevHash: map[comptoir.Chain]string{}, number: map[comptoir.Chain]uint64{}, lastSig: map[comptoir.Chain]string{},
		days: map[string]*comptoir.Totals{}, closed: map[string]comptoir.Totals{}, sales: map[uint64]comptoir.Sale{},
	}
}

// newKey derives a key from the register's seed and the key's number, so that the same test
// gives the same archive bytes.
func (r *register) newKey() ed25519.PrivateKey {
	s := sha256.Sum256([]byte{r.seed, byte(len(r.keys) + 1)})
	return ed25519.NewKeyFromSeed(s[:])
}

// anchors is where every chain stands now.
func (r *register) anchors() map[comptoir.Chain]archive.Anchor {
	a := map[comptoir.Chain]archive.Anchor{}
	for _, c := range comptoir.Chains {
		a[c] = archive.Anchor{Number: r.number[c], Hash: r.prevHash[c], Signature: r.lastSig[c]}
	}
	// Tickets and closings share the journal's hash chain.
	a[comptoir.ChainClosings] = archive.Anchor{Number: r.number[comptoir.ChainClosings], Hash: r.prevHash[comptoir.ChainTickets], Signature: r.lastSig[comptoir.ChainClosings]}
	return a
}

// record hashes and signs a body of a kind and returns its entry; signer is the key that signs
// (0: unsigned).
func (r *register) record(kind comptoir.RecordKind, body any, signer uint64) entry {
	r.tb.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		r.tb.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	e := entry{Entry: archive.Entry{Kind: kind, Hash: hex.EncodeToString(sum[:]), Record: raw}, anchors: r.anchors(), gt: r.gt, abs: r.abs}
	chain := comptoir.ChainOf(kind)
	if signer != 0 {
		prev := r.lastSig[chain]
		f, err := comptoir.SignedFieldsOf(kind, raw, e.Hash, prev == "", prev)
		if err != nil {
			r.tb.Fatal(err)
		}
		sig := &comptoir.Signature{Chain: chain, Key: signer, First: prev == "", Prev: prev, Value: comptoir.SignRecord(r.keys[signer-1], f)}
		e.Signature = sig
		r.lastSig[chain] = sig.Value
	}
	hashChain := chain
	if kind == comptoir.ClosingRecord {
		hashChain = comptoir.ChainTickets
	}
	r.prevHash[hashChain] = e.Hash
	return e
}

// key records a signing key: the first (created), a rotation signed by the previous key, or a
// replacement signed by itself.
func (r *register) key(at time.Time, reason comptoir.KeyReason) {
	r.tb.Helper()
	k := r.newKey()
	r.keys = append(r.keys, k)
	n := uint64(len(r.keys))
	from := map[comptoir.Chain]uint64{}
	for _, c := range comptoir.Chains {
		if r.number[c] != 0 {
			from[c] = r.number[c]
		}
	}
	pub := k.Public().(ed25519.PublicKey)
	rec := comptoir.SigningKeyRecord{
		Register: r.name, Number: n, At: at, Reason: reason, PublicKey: base64.StdEncoding.EncodeToString(pub),
		Fingerprint: comptoir.KeyFingerprint(pub), From: from, PrevHash: r.prevHash[comptoir.ChainKeys],
	}
	signer := n
	if reason == comptoir.KeyRotated && !r.selfSigned {
		signer = r.current
	}
	r.keyRecs = append(r.keyRecs, r.record(comptoir.KeyRecord, rec, signer))
	r.number[comptoir.ChainKeys] = n
	r.current = n
}

// sell records a ticket of the given lines, paid by card (or paid back on a refund).
func (r *register) sell(at time.Time, training bool, refundOf uint64, lines ...comptoir.Line) comptoir.Sale {
	r.tb.Helper()
	draft := comptoir.SaleDraft{At: at, Cashier: "alice", Lines: lines, Training: training, RefundOf: refundOf}
	priced, err := comptoir.PriceSale(draft)
	if err != nil {
		r.tb.Fatal(err)
	}
	method := comptoir.Card
	if len(r.journal)%3 == 0 && refundOf == 0 {
		// Some cash, with change, so that the day's totals by method are not trivial.
		method = comptoir.Cash
		draft.Payments = []comptoir.Payment{{Method: method, Amount: priced.Total + 30}}
	} else {
		draft.Payments = []comptoir.Payment{{Method: method, Amount: priced.Total}}
	}
	s, err := comptoir.BuildSale(draft)
	if err != nil {
		r.tb.Fatal(err)
	}
	s.Register, s.Number, s.At, s.Day = r.name, r.number[comptoir.ChainTickets]+1, at, comptoir.DayOf(at, r.loc)
	s.GrandTotal = r.gt
	if !s.Training {
		s.GrandTotal += s.Total
	}
	s.PrevHash = r.prevHash[comptoir.ChainTickets]
	e := r.record(comptoir.TicketRecord, s, r.current)
	r.number[comptoir.ChainTickets] = s.Number
	e.day = s.Day
	s.Hash = e.Hash
	r.gt, r.abs = s.GrandTotal, comptoir.AbsGrandTotal(r.abs, s)
	r.journal = append(r.journal, e)
	t := r.days[s.Day]
	if t == nil {
		t = &comptoir.Totals{}
		r.days[s.Day] = t
	}
	t.Add(s)
	r.sales[s.Number] = s
	return s
}

// close records the closing of a day, a month or a year.
func (r *register) close(at time.Time, period string) comptoir.Closing {
	r.tb.Helper()
	kind, err := comptoir.ParsePeriod(period)
	if err != nil {
		r.tb.Fatal(err)
	}
	var totals comptoir.Totals
	if kind == comptoir.DayClosing {
		if t := r.days[period]; t != nil {
			totals = *t
		}
	} else {
		for _, p := range slices.Sorted(maps.Keys(r.closed)) {
			if len(p) == len(period)+3 && strings.HasPrefix(p, period+"-") {
				totals.Merge(r.closed[p])
			}
		}
	}
	c := comptoir.Closing{
		Register: r.name, Number: r.number[comptoir.ChainClosings] + 1, Kind: kind, Period: period, At: at,
		Totals: totals, GrandTotal: r.gt, PrevHash: r.prevHash[comptoir.ChainTickets],
	}
	if r.current != 0 {
		c.GrandTotalAbs = r.abs
	}
	e := r.record(comptoir.ClosingRecord, c, r.current)
	r.number[comptoir.ChainClosings] = c.Number
	first, _, _ := comptoir.PeriodBounds(period)
	e.day, e.period = first, period
	r.journal = append(r.journal, e)
	r.closed[period] = totals
	return c
}

// reprint records a duplicate of a ticket.
func (r *register) reprint(at time.Time, ticket uint64) {
	r.tb.Helper()
	s := r.sales[ticket]
	rp := comptoir.Reprint{
		Register: r.name, Number: r.number[comptoir.ChainReprints] + 1, Ticket: ticket, Copy: 2, At: at,
		Day: comptoir.DayOf(at, r.loc), VAT: s.VAT, Total: s.Total, TicketHash: s.Hash, PrevHash: r.prevHash[comptoir.ChainReprints],
	}
	e := r.record(comptoir.ReprintRecord, rp, r.current)
	r.number[comptoir.ChainReprints] = rp.Number
	e.day = rp.Day
	r.reprints = append(r.reprints, e)
}

// event records a technical event.
func (r *register) event(at time.Time, code comptoir.TechCode, detail string) {
	r.tb.Helper()
	ev := comptoir.TechEvent{
		Register: r.name, Number: r.number[comptoir.ChainEvents] + 1, At: at, Day: comptoir.DayOf(at, r.loc),
		Code: code, User: "alice", Detail: detail, PrevHash: r.prevHash[comptoir.ChainEvents],
	}
	e := r.record(comptoir.EventRecord, ev, r.current)
	r.number[comptoir.ChainEvents] = ev.Number
	e.day = ev.Day
	r.events = append(r.events, e)
}

// data is what the store would hand the writer for a closed period: the journal from the
// period's first record to its closing, the reprints and events of its days, every key record,
// and the anchors before them.
func (r *register) data(period string, createdAt time.Time) archive.Data {
	r.tb.Helper()
	kind, err := comptoir.ParsePeriod(period)
	if err != nil {
		r.tb.Fatal(err)
	}
	first, last, _ := comptoir.PeriodBounds(period)
	in := func(e entry) bool { return e.day >= first && e.day <= last }
	d := archive.Data{
		Register: r.name, Period: period, Kind: kind, Software: "Comptoir test", CreatedAt: createdAt,
		Location: r.loc.String(), Anchors: map[comptoir.Chain]archive.Anchor{},
	}
	start, end := -1, -1
	for i, e := range r.journal {
		if start < 0 && in(e) {
			start = i
		}
		if e.period == period {
			end = i
		}
	}
	if start < 0 || end < 0 {
		r.tb.Fatalf("period %s has no records or no closing", period)
	}
	for _, e := range r.journal[start : end+1] {
		d.Journal = append(d.Journal, e.Entry)
	}
	a := r.journal[start].anchors
	d.Anchors[comptoir.ChainTickets], d.Anchors[comptoir.ChainClosings] = a[comptoir.ChainTickets], a[comptoir.ChainClosings]
	d.GrandTotalBefore, d.GrandTotalAbsBefore = r.journal[start].gt, r.journal[start].abs
	for _, f := range []struct {
		chain comptoir.Chain
		all   []entry
		out   *[]archive.Entry
	}{{comptoir.ChainReprints, r.reprints, &d.Reprints}, {comptoir.ChainEvents, r.events, &d.Events}} {
		d.Anchors[f.chain] = archive.Anchor{}
		for _, e := range f.all {
			if !in(e) {
				continue
			}
			if len(*f.out) == 0 {
				d.Anchors[f.chain] = e.anchors[f.chain]
			}
			*f.out = append(*f.out, e.Entry)
		}
	}
	d.Anchors[comptoir.ChainKeys] = archive.Anchor{}
	for _, e := range r.keyRecs {
		d.Keys = append(d.Keys, e.Entry)
	}
	return d
}

// write writes an archive of d signed by the key in effect.
func (r *register) write(d archive.Data) []byte {
	r.tb.Helper()
	var buf bytes.Buffer
	if _, err := archive.Write(&buf, d, r.keys[r.current-1], r.current); err != nil {
		r.tb.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func (r *register) fingerprint(n uint64) string {
	return comptoir.KeyFingerprint(r.keys[n-1].Public().(ed25519.PublicKey))
}

// Products of the test tickets.
var (
	pomme = comptoir.Line{GTIN: "3017620422003", Name: "Pomme", Qty: 3, UnitPrice: 250, VAT: comptoir.VATReduced, Total: 750}
	vin   = comptoir.Line{GTIN: "4006381333931", Name: "Vin", Qty: 1, UnitPrice: 1200, VAT: comptoir.VATNormal, Total: 1200}
)

func at(day string, hour int) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15", fmt.Sprintf("%s %02d", day, hour), mustLoc())
	if err != nil {
		panic(err)
	}
	return t
}

func mustLoc() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

// shop is a register with a month of February before the key existed, then a key, then March:
// tickets (a refund and a training one among them), reprints, events, day closings, February's
// closing recorded on March 2nd, and March's on April 1st after a ticket of April.
func shop(tb testing.TB, rotate comptoir.KeyReason) *register {
	tb.Helper()
	r := newRegister(tb, 7)
	r.sell(at("2026-02-27", 10), false, 0, pomme)
	r.close(at("2026-02-27", 20), "2026-02-27")
	r.key(at("2026-02-28", 8), comptoir.KeyCreated)
	r.event(at("2026-02-28", 8), comptoir.TechKeyCreated, "")
	r.sell(at("2026-02-28", 10), false, 0, vin)
	r.close(at("2026-02-28", 20), "2026-02-28")
	r.event(at("2026-03-02", 9), comptoir.TechStart, "")
	s := r.sell(at("2026-03-02", 10), false, 0, pomme, vin)
	r.close(at("2026-03-02", 11), "2026-02")
	r.reprint(at("2026-03-02", 12), s.Number)
	r.sell(at("2026-03-02", 13), true, 0, vin)
	r.sell(at("2026-03-02", 14), false, s.Number, comptoir.Line{GTIN: vin.GTIN, Name: vin.Name, Qty: -1, UnitPrice: 1200, VAT: comptoir.VATNormal, Total: -1200})
	r.event(at("2026-03-02", 15), comptoir.TechLineVoided, "ticket 6")
	r.close(at("2026-03-02", 20), "2026-03-02")
	if rotate != "" {
		r.key(at("2026-03-03", 8), rotate)
	}
	r.sell(at("2026-03-03", 10), false, 0, vin, vin)
	r.event(at("2026-03-03", 11), comptoir.TechLogin, "")
	r.reprint(at("2026-03-03", 12), s.Number)
	r.reprint(at("2026-03-03", 12), s.Number)
	r.sell(at("2026-03-03", 13), false, 0, pomme)
	r.event(at("2026-03-03", 19), comptoir.TechStop, "")
	r.close(at("2026-03-03", 20), "2026-03-03")
	r.sell(at("2026-04-01", 10), false, 0, pomme)
	r.close(at("2026-04-01", 11), "2026-03")
	return r
}

// wantCode fails the test unless err is a refusal of the code with a sentence in both languages.
func wantCode(tb testing.TB, err error, code comptoir.Code) *comptoir.Error {
	tb.Helper()
	var e *comptoir.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v, want a refusal %s", err, code)
	}
	if e.Code != code {
		tb.Fatalf("error = %v (%s), want %s", err, e.Code, code)
	}
	for _, l := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		if m := e.Message(l); m == "" || strings.Contains(m, "%!") {
			tb.Fatalf("message in %s is malformed: %q", l, m)
		}
	}
	return e
}
