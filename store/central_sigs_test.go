package store_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// signedRegister records, on a real register, technical events around twenty tickets and a
// day's closing, and one ticket the next day: every chain the central checks but reprints', each
// record signed. It returns the store and its outbox.
func signedRegister(tb testing.TB) (*store.Store, []comptoir.Event) {
	tb.Helper()
	clk := newClock(day0)
	s := mustOpen(tb, dbPath(tb), opts(clk))
	ctx := context.Background()
	mustImport(tb, s, pomme, vin, repas, journal)
	mustLog(tb, s, comptoir.TechStart, "")
	mustLog(tb, s, comptoir.TechLogin, "Alice")
	products := []comptoir.Product{pomme, vin, repas, journal}
	for i := range 20 {
		mustRecord(tb, s, byCard(line(products[i%4], int64(1+i%3)), line(vin, 1)))
	}
	mustLog(tb, s, comptoir.TechLogout, "Alice")
	clk.Set(day0.Add(24 * time.Hour))
	mustClosePeriod(tb, s, day0.Format("2006-01-02"))
	mustRecord(tb, s, byCard(line(vin, 2)))
	if _, err := s.SigningKey(ctx); err != nil {
		tb.Fatal(err)
	}
	return s, mustOutbox(tb, s)
}

func mustLog(tb testing.TB, s *store.Store, code comptoir.TechCode, user string) {
	tb.Helper()
	if err := s.LogEvent(context.Background(), code, user, ""); err != nil {
		tb.Fatalf("LogEvent(%s): %v", code, err)
	}
}

// payloadOf reads an event's payload as the central does, the signature apart.
type payloadOf struct {
	Register  string              `json:"register"`
	Hash      string              `json:"hash"`
	Record    json.RawMessage     `json:"record"`
	Signature *comptoir.Signature `json:"signature,omitempty"`
}

func readPayload(tb testing.TB, e comptoir.Event) payloadOf {
	tb.Helper()
	var p payloadOf
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		tb.Fatalf("event %d: %v", e.Seq, err)
	}
	return p
}

func writePayload(tb testing.TB, e *comptoir.Event, p payloadOf) {
	tb.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	e.Payload = b
}

// pushModes are two ways a register's outbox reaches the central: in one batch, whose links the
// push checks in one transaction, or one event a push, each its own transaction; the auditor
// checks the signatures after either, and must find the same.
var pushModes = []struct {
	name string
	push func(tb testing.TB, c *store.Central, events []comptoir.Event) comptoir.PushResult
}{
	{"one batch", func(tb testing.TB, c *store.Central, events []comptoir.Event) comptoir.PushResult {
		tb.Helper()
		res, err := c.Push(context.Background(), "R1", events)
		if err != nil {
			tb.Fatal(err)
		}
		return res
	}},
	{"one by one", func(tb testing.TB, c *store.Central, events []comptoir.Event) comptoir.PushResult {
		tb.Helper()
		var first comptoir.PushResult
		for i := range events {
			res, err := c.Push(context.Background(), "R1", events[i:i+1])
			if err != nil {
				tb.Fatal(err)
			}
			if first.ChainBreak == "" {
				first.ChainBreak = res.ChainBreak
			}
		}
		return first
	}},
}

// wantIntact pushes a register's whole outbox, both ways, audits it, and checks that the central
// found every record linked and every signature good, one per record (every event of these
// outboxes is a record's).
func wantIntact(t *testing.T, s *store.Store, events []comptoir.Event) comptoir.RegisterSummary {
	t.Helper()
	var sum comptoir.RegisterSummary
	for _, m := range pushModes {
		t.Run(m.name, func(t *testing.T) {
			sum = wantIntactPushed(t, s, events, m.push)
		})
	}
	return sum
}

func wantIntactPushed(tb testing.TB, s *store.Store, events []comptoir.Event, push func(testing.TB, *store.Central, []comptoir.Event) comptoir.PushResult) comptoir.RegisterSummary {
	tb.Helper()
	c := mustOpenCentral(tb, centralPath(tb), true)
	push(tb, c, events)
	sum := audited(tb, c, "R1")
	signed := 0
	for _, e := range events {
		if readPayload(tb, e).Signature != nil {
			signed++
		}
	}
	if !sum.ChainOK || sum.SignatureBreaks != 0 || sum.Signed != uint64(signed) || sum.Rejected != 0 {
		tb.Errorf("summary = %+v, want an intact chain, %d signatures checked, no break, nothing rejected", sum, signed)
	}
	info, err := s.SigningKey(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if sum.Fingerprint != info.Fingerprint || info.Fingerprint == "" {
		tb.Errorf("Fingerprint = %q, want the register's %q", sum.Fingerprint, info.Fingerprint)
	}
	return sum
}

func TestCentralAudit_SignaturesChecked(t *testing.T) {
	s, events := signedRegister(t)
	if got, want := events[0].Type, "key.recorded"; got != want {
		t.Fatalf("first event = %s, want %s: a register declares its key before its first record", got, want)
	}
	for _, e := range events {
		if readPayload(t, e).Signature == nil {
			t.Fatalf("event %d (%s) carries no signature", e.Seq, e.Type)
		}
	}
	sum := wantIntact(t, s, events)
	if got, want := sum.Signed, uint64(len(events)); got != want {
		t.Errorf("Signed = %d, want %d: every record", got, want)
	}
	if sum.KeyBreaks != 0 {
		t.Errorf("KeyBreaks = %d, want 0", sum.KeyBreaks)
	}
}

// forge edits the record of the event at i with edit and recomputes its hash, then the link and
// hash of every later record of its hash chain (same event types, in order), as a forger who has
// the database but not the key would: the signatures stay what they were.
func forge(tb testing.TB, events []comptoir.Event, i int, types []string, edit func([]byte) []byte) []comptoir.Event {
	tb.Helper()
	out := make([]comptoir.Event, len(events))
	copy(out, events)
	p := readPayload(tb, out[i])
	old := p.Hash
	p.Record = edit(p.Record)
	p.Hash = sha256Hex(p.Record)
	writePayload(tb, &out[i], p)
	for j := i + 1; j < len(out); j++ {
		if !containsString(types, out[j].Type) {
			continue
		}
		q := readPayload(tb, out[j])
		q.Record = replaceOnce(tb, q.Record, `"prev_hash":"`+old+`"`, `"prev_hash":"`+p.Hash+`"`)
		old, q.Hash = q.Hash, sha256Hex(q.Record)
		writePayload(tb, &out[j], q)
		p = q
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCentralAudit_ForgedTicketCaught is also the proof that a push never verifies a signature:
// the forged ticket is acknowledged and the chain intact until the auditor reaches it.
func TestCentralAudit_ForgedTicketCaught(t *testing.T) {
	_, events := signedRegister(t)
	i := ticketEvent(t, events, 2)
	// Paid by card made paid in cash: the money could leave the till unseen.
	forged := forge(t, events, i, []string{comptoir.EventSaleRecorded, comptoir.EventClosingRecorded}, func(b []byte) []byte {
		return replaceOnce(t, b, `"method":"card"`, `"method":"cash"`)
	})
	for _, m := range pushModes {
		t.Run(m.name, func(t *testing.T) {
			c := mustOpenCentral(t, centralPath(t), true)
			if got := m.push(t, c, forged).ChainBreak; got != "" {
				t.Errorf("PushResult.ChainBreak = %q, want none: every hash and link holds, and a push checks no signature", got)
			}
			sum := mustSummary(t, c, "R1")
			if !sum.ChainOK || sum.Signed != 0 || sum.SignatureBreaks != 0 || sum.SignaturesPending != uint64(len(forged)) || sum.AckedSeq != uint64(len(forged)) {
				t.Errorf("summary before the audit = %+v, want everything acknowledged, intact, %d signatures pending", sum, len(forged))
			}
			sum = audited(t, c, "R1")
			if got, want := sum.ChainBreak, "ticket 2 (signature)"; got != want {
				t.Errorf("ChainBreak = %q, want %q: every hash and link holds, the signature does not", got, want)
			}
			if sum.ChainOK || sum.Rejected != 0 || sum.SignatureBreaks == 0 || sum.SignaturesPending != 0 {
				t.Errorf("summary = %+v, want the break flagged, nothing refused, nothing pending", sum)
			}
		})
	}
}

// TestCentralAudit_HashChainAloneWouldPass proves the forgery above is one the hash chain cannot
// see: the same forged outbox with every signature taken out, as a register made before keys
// would push it, is intact at the central.
func TestCentralAudit_HashChainAloneWouldPass(t *testing.T) {
	_, events := signedRegister(t)
	forged := forge(t, events, ticketEvent(t, events, 2), []string{comptoir.EventSaleRecorded, comptoir.EventClosingRecorded}, func(b []byte) []byte {
		return replaceOnce(t, b, `"method":"card"`, `"method":"cash"`)
	})
	var unsigned []comptoir.Event
	for _, e := range forged {
		if e.Type == "key.recorded" {
			continue
		}
		p := readPayload(t, e)
		p.Signature = nil
		writePayload(t, &e, p)
		e.Seq = uint64(len(unsigned) + 1)
		unsigned = append(unsigned, e)
	}
	c := mustOpenCentral(t, centralPath(t), true)
	mustPush(t, c, "R1", unsigned)
	if sum := audited(t, c, "R1"); !sum.ChainOK || sum.Signed != 0 {
		t.Errorf("summary = %+v, want intact and nothing signed: the hash chain alone misses the forgery", sum)
	}
}

// techEvent is the index in an outbox of the event of technical event n.
func techEvent(tb testing.TB, events []comptoir.Event, n uint64) int {
	tb.Helper()
	for i, e := range events {
		if e.Type != "technical.recorded" {
			continue
		}
		var r struct {
			Number uint64 `json:"number"`
		}
		if err := json.Unmarshal(readPayload(tb, e).Record, &r); err != nil {
			tb.Fatal(err)
		}
		if r.Number == n {
			return i
		}
	}
	tb.Fatalf("no technical event %d in the outbox", n)
	return -1
}

// renumber gives the events the sequence numbers from 1, as a forger rewriting the outbox would.
func renumber(events []comptoir.Event) []comptoir.Event {
	for i := range events {
		events[i].Seq = uint64(i + 1)
	}
	return events
}

func TestCentralAudit_DeletedTechEventCaught(t *testing.T) {
	for _, tc := range []struct {
		name  string
		forge func(tb testing.TB, events []comptoir.Event) []comptoir.Event
		want  string
	}{
		{"left out", func(tb testing.TB, events []comptoir.Event) []comptoir.Event {
			i := techEvent(tb, events, 2)
			return renumber(append(events[:i:i], events[i+1:]...))
		}, "technical event 3"},
		// The forger renumbers the next event and links it to the one before: the hash chain
		// holds, the signature does not.
		{"left out, the next renumbered and relinked", func(tb testing.TB, events []comptoir.Event) []comptoir.Event {
			i := techEvent(tb, events, 2)
			before := readPayload(tb, events[techEvent(tb, events, 1)]).Hash
			p := readPayload(tb, events[i])
			out := renumber(append(events[:i:i], events[i+1:]...))
			next := techEvent(tb, out, 3)
			q := readPayload(tb, out[next])
			q.Record = replaceOnce(tb, q.Record, `"number":3`, `"number":2`)
			q.Record = replaceOnce(tb, q.Record, `"prev_hash":"`+p.Hash+`"`, `"prev_hash":"`+before+`"`)
			q.Hash = sha256Hex(q.Record)
			writePayload(tb, &out[next], q)
			return out
		}, "technical event 2 (signature)"},
	} {
		_, events := signedRegister(t)
		forged := tc.forge(t, append([]comptoir.Event(nil), events...))
		for _, m := range pushModes {
			t.Run(tc.name+"/"+m.name, func(t *testing.T) {
				c := mustOpenCentral(t, centralPath(t), true)
				m.push(t, c, forged)
				if sum := audited(t, c, "R1"); sum.ChainOK || sum.ChainBreak != tc.want || sum.Rejected != 0 {
					t.Errorf("summary = %+v, want the break at %q, nothing refused", sum, tc.want)
				}
			})
		}
	}
}

func TestCentralAudit_RotatedKeyIntact(t *testing.T) {
	s, _ := signedRegister(t)
	before, err := s.SigningKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RotateKey(context.Background(), "Alice"); err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	mustRecord(t, s, byCard(line(pomme, 3)))
	mustLog(t, s, comptoir.TechLogin, "Bob")
	sum := wantIntact(t, s, mustOutbox(t, s))
	if sum.KeyBreaks != 0 || sum.Fingerprint == before.Fingerprint {
		t.Errorf("KeyBreaks, Fingerprint = %d, %q, want 0 and the new key's, not %q", sum.KeyBreaks, sum.Fingerprint, before.Fingerprint)
	}
}

func TestCentralAudit_ReplacedKeyIsADeclaredBreak(t *testing.T) {
	s, _ := signedRegister(t)
	if err := os.Remove(s.Path() + ".sign"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceKey(context.Background(), "Alice"); err != nil {
		t.Fatalf("ReplaceKey: %v", err)
	}
	mustRecord(t, s, byCard(line(pomme, 3)))
	sum := wantIntact(t, s, mustOutbox(t, s))
	if sum.KeyBreaks != 1 {
		t.Errorf("KeyBreaks = %d, want 1", sum.KeyBreaks)
	}
}

func TestCentralAudit_WrongSignaturesCaught(t *testing.T) {
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(tb testing.TB, p *payloadOf)
	}{
		{"signed by another key", func(tb testing.TB, p *payloadOf) {
			f, err := comptoir.SignedFieldsOf(comptoir.TicketRecord, p.Record, p.Hash, p.Signature.First, p.Signature.Prev)
			if err != nil {
				tb.Fatal(err)
			}
			p.Signature.Value = comptoir.SignRecord(other, f)
		}},
		{"unsigned", func(_ testing.TB, p *payloadOf) { p.Signature = nil }},
		{"said of another key", func(_ testing.TB, p *payloadOf) { p.Signature.Key++ }},
		{"in another chain", func(_ testing.TB, p *payloadOf) { p.Signature.Chain = comptoir.ChainClosings }},
		{"said first", func(_ testing.TB, p *payloadOf) { p.Signature.First, p.Signature.Prev = true, "" }},
		{"another ticket's", func(tb testing.TB, p *payloadOf) {
			p.Signature.Value = p.Signature.Prev
		}},
	} {
		_, events := signedRegister(t)
		i := ticketEvent(t, events, 3)
		p := readPayload(t, events[i])
		tc.edit(t, &p)
		writePayload(t, &events[i], p)
		for _, m := range pushModes {
			t.Run(tc.name+"/"+m.name, func(t *testing.T) {
				c := mustOpenCentral(t, centralPath(t), true)
				m.push(t, c, events)
				if sum := audited(t, c, "R1"); sum.ChainOK || sum.ChainBreak != "ticket 3 (signature)" || sum.Rejected != 0 {
					t.Errorf("summary = %+v, want the break at ticket 3's signature, nothing refused", sum)
				}
			})
		}
	}
}

// TestCentralAudit_ForgedKeyRecordCaught has a forger declare a key of their own, by rotation or
// replacement, moved before the records or exempting them from signing: none of it holds.
func TestCentralAudit_ForgedKeyRecordCaught(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(tb testing.TB, k map[string]any)
		want string
	}{
		// The key record says signing starts after ticket 3: tickets 1 to 3 would need no
		// signature. Its hash is recomputed, and so its own signature fails.
		{"From moved on", func(_ testing.TB, k map[string]any) {
			k["from"] = map[string]any{"tickets": 3}
		}, "key 1"},
		{"another public key", func(_ testing.TB, k map[string]any) {
			pub, _, _ := ed25519.GenerateKey(rand.Reader)
			k["public_key"] = base64.StdEncoding.EncodeToString(pub)
		}, "key 1 (signature)"},
		{"rotated with no key before", func(_ testing.TB, k map[string]any) {
			k["reason"] = "rotated"
		}, "key 1 (signature)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, events := signedRegister(t)
			p := readPayload(t, events[0])
			var k map[string]any
			if err := json.Unmarshal(p.Record, &k); err != nil {
				t.Fatal(err)
			}
			tc.edit(t, k)
			var err error
			if p.Record, err = json.Marshal(k); err != nil {
				t.Fatal(err)
			}
			p.Hash = sha256Hex(p.Record)
			writePayload(t, &events[0], p)
			c := mustOpenCentral(t, centralPath(t), true)
			mustPush(t, c, "R1", events)
			if sum := audited(t, c, "R1"); sum.ChainOK || !strings.HasPrefix(sum.ChainBreak, tc.want) || sum.Rejected != 0 {
				t.Errorf("summary = %+v, want the break at %q, nothing refused", sum, tc.want)
			}
		})
	}
}

// TestCentralAudit_MigratedJournal pushes the outbox of a journal made before signatures, which
// went on after its migration: its old records carry no signature and are checked by their hash
// chain, its new ones are signed, and all of it is intact.
func TestCentralAudit_MigratedJournal(t *testing.T) {
	path := oldJournal(t)
	clk := newClock(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	s := mustOpen(t, path, opts(clk))
	mustImport(t, s, vin)
	mustRecord(t, s, byCard(line(vin, 2)))
	events := mustOutbox(t, s)
	unsigned := 0
	for _, e := range events {
		if readPayload(t, e).Signature == nil {
			unsigned++
		}
	}
	if unsigned == 0 || unsigned == len(events) {
		t.Fatalf("%d of %d events unsigned, want the old ones only", unsigned, len(events))
	}
	for _, e := range events[:unsigned] {
		if readPayload(t, e).Signature != nil {
			t.Fatalf("event %d signed among the old ones", e.Seq)
		}
	}
	wantIntact(t, s, events)
}

// TestCentralAudit_LaterKeyIgnored declares, at the end of a batch, a second key under the first
// key's number, signed by itself. The auditor, which verifies a whole run of events at once,
// must check the register's genuine tickets, earlier in the run, with the key in effect when
// they came, not the forger's that bears the same number; the push names the forged key record
// as the break (its number), not a genuine ticket.
func TestCentralAudit_LaterKeyIgnored(t *testing.T) {
	_, events := signedRegister(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	first := readPayload(t, events[0])
	rec := comptoir.SigningKeyRecord{Register: "R1", Number: 1, At: day0.Add(30 * time.Hour), Reason: comptoir.KeyReplaced,
		PublicKey: base64.StdEncoding.EncodeToString(pub), Fingerprint: comptoir.KeyFingerprint(pub),
		From: map[comptoir.Chain]uint64{}, PrevHash: first.Hash}
	body, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	p := payloadOf{Register: "R1", Record: body, Hash: sha256Hex(body)}
	f, err := comptoir.SignedFieldsOf(comptoir.KeyRecord, body, p.Hash, false, first.Signature.Value)
	if err != nil {
		t.Fatal(err)
	}
	p.Signature = &comptoir.Signature{Chain: comptoir.ChainKeys, Key: 1, Prev: first.Signature.Value, Value: comptoir.SignRecord(priv, f)}
	forged := comptoir.Event{Seq: uint64(len(events) + 1), ID: "forged-key", Type: "key.recorded", At: rec.At}
	writePayload(t, &forged, p)
	events = append(events, forged)

	c := mustOpenCentral(t, centralPath(t), true)
	mustPush(t, c, "R1", events)
	sum := audited(t, c, "R1")
	if sum.ChainOK || sum.ChainBreak != "key 1" || sum.SignatureBreaks != 0 || sum.Signed != uint64(len(events)) {
		t.Errorf("summary = %+v, want the break at the forged key 1, every signature good (%d)", sum, len(events))
	}
}

// withReprints appends to a register's outbox the events of n reprints of its tickets, signed
// with the register's key file as the register signs them: the central's reprint chain checked
// from records made the way the store makes them (the store's own reprints come with the
// receipts' duplicates).
func withReprints(tb testing.TB, s *store.Store, events []comptoir.Event, n int) []comptoir.Event {
	tb.Helper()
	data, err := os.ReadFile(s.Path() + ".sign")
	if err != nil {
		tb.Fatal(err)
	}
	_, hexSeed, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	seed, err := hex.DecodeString(strings.TrimSpace(hexSeed))
	if err != nil || len(seed) != ed25519.SeedSize {
		tb.Fatalf("key file: %v", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	info, err := s.SigningKey(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	out := append([]comptoir.Event(nil), events...)
	var prevHash, prevSig string
	for i := range n {
		ticket := readPayload(tb, out[ticketEvent(tb, out, uint64(i+1))])
		var sale comptoir.Sale
		if err := json.Unmarshal(ticket.Record, &sale); err != nil {
			tb.Fatal(err)
		}
		at := day0.Add(time.Duration(30+i) * time.Hour)
		body, err := json.Marshal(comptoir.Reprint{Register: "R1", Number: uint64(i + 1), Ticket: sale.Number, Copy: 2, At: at,
			Day: at.Format("2006-01-02"), By: "Alice", VAT: sale.VAT, Total: sale.Total, TicketHash: ticket.Hash, PrevHash: prevHash})
		if err != nil {
			tb.Fatal(err)
		}
		p := payloadOf{Register: "R1", Hash: sha256Hex(body), Record: body}
		f, err := comptoir.SignedFieldsOf(comptoir.ReprintRecord, body, p.Hash, i == 0, prevSig)
		if err != nil {
			tb.Fatal(err)
		}
		p.Signature = &comptoir.Signature{Chain: comptoir.ChainReprints, Key: info.Number, First: i == 0, Prev: prevSig, Value: comptoir.SignRecord(priv, f)}
		e := comptoir.Event{Seq: uint64(len(out) + 1), ID: fmt.Sprintf("reprint-%d", i+1), Type: "reprint.recorded", At: at}
		writePayload(tb, &e, p)
		out = append(out, e)
		prevHash, prevSig = p.Hash, p.Signature.Value
	}
	return out
}

func TestCentralAudit_Reprints(t *testing.T) {
	s, events := signedRegister(t)
	events = withReprints(t, s, events, 3)
	t.Run("intact", func(t *testing.T) {
		wantIntact(t, s, events)
	})
	reprint := func(n int) int { return len(events) - 3 + n - 1 }
	for _, tc := range []struct {
		name  string
		forge func(tb testing.TB, events []comptoir.Event) []comptoir.Event
		want  string
	}{
		{"deleted", func(_ testing.TB, events []comptoir.Event) []comptoir.Event {
			return renumber(append(events[:reprint(2):reprint(2)], events[reprint(2)+1:]...))
		}, "reprint 3"},
		{"deleted, the next renumbered and relinked", func(tb testing.TB, events []comptoir.Event) []comptoir.Event {
			before := readPayload(tb, events[reprint(1)]).Hash
			gone := readPayload(tb, events[reprint(2)]).Hash
			out := renumber(append(events[:reprint(2):reprint(2)], events[reprint(2)+1:]...))
			q := readPayload(tb, out[len(out)-1])
			q.Record = replaceOnce(tb, q.Record, `"number":3`, `"number":2`)
			q.Record = replaceOnce(tb, q.Record, `"prev_hash":"`+gone+`"`, `"prev_hash":"`+before+`"`)
			q.Hash = sha256Hex(q.Record)
			writePayload(tb, &out[len(out)-1], q)
			return out
		}, "reprint 2 (signature)"},
		{"of another register", func(tb testing.TB, events []comptoir.Event) []comptoir.Event {
			q := readPayload(tb, events[reprint(1)])
			q.Record = replaceOnce(tb, q.Record, `"register":"R1"`, `"register":"R2"`)
			q.Hash = sha256Hex(q.Record)
			writePayload(tb, &events[reprint(1)], q)
			return events
		}, ""},
	} {
		forged := tc.forge(t, append([]comptoir.Event(nil), events...))
		for _, m := range pushModes {
			t.Run(tc.name+"/"+m.name, func(t *testing.T) {
				c := mustOpenCentral(t, centralPath(t), true)
				m.push(t, c, forged)
				sum := audited(t, c, "R1")
				if tc.want == "" {
					// A record another register wrote is not this register's to push: rejected,
					// as a ticket would be, and the reprint after it no longer links.
					if sum.Rejected != 1 || sum.ChainBreak != "reprint 2" {
						t.Errorf("summary = %+v, want 1 rejected and the break at reprint 2", sum)
					}
					return
				}
				if sum.ChainOK || sum.ChainBreak != tc.want || sum.Rejected != 0 {
					t.Errorf("summary = %+v, want the break at %q, nothing refused", sum, tc.want)
				}
			})
		}
	}
}
