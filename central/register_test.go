package central_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
)

// chain builds a register's records as it pushes them: each record's payload as the outbox
// writes it, linked to the one before it in its chain, signed when the register has a key.
type chain struct {
	tb       testing.TB
	register string
	seq      uint64
	// tips are the hash of every chain's last record; sigs its last signature.
	tips map[comptoir.Chain]string
	sigs map[comptoir.Chain]string
	priv ed25519.PrivateKey
	key  uint64
}

func newChain(tb testing.TB, register string) *chain {
	tb.Helper()
	return &chain{tb: tb, register: register, tips: map[comptoir.Chain]string{}, sigs: map[comptoir.Chain]string{}}
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// event is the next event of the chain, carrying record (a value json.Marshal writes) of kind;
// payloadRegister is the register the payload names, usually the chain's own.
func (c *chain) event(typ string, kind comptoir.RecordKind, payloadRegister string, record any) comptoir.Event {
	c.tb.Helper()
	body, err := json.Marshal(record)
	if err != nil {
		c.tb.Fatal(err)
	}
	hash := hashOf(body)
	var sig *comptoir.Signature
	ch := comptoir.ChainOf(kind)
	if c.priv != nil {
		prev := c.sigs[ch]
		fields, err := comptoir.SignedFieldsOf(kind, body, hash, prev == "", prev)
		if err != nil {
			c.tb.Fatal(err)
		}
		sig = &comptoir.Signature{Chain: ch, Key: c.key, First: prev == "", Prev: prev, Value: comptoir.SignRecord(c.priv, fields)}
		c.sigs[ch] = sig.Value
	}
	payload, err := central.RecordPayload(payloadRegister, hash, body, sig)
	if err != nil {
		c.tb.Fatal(err)
	}
	c.tips[ch] = hash
	c.seq++
	return comptoir.Event{Seq: c.seq, ID: "ev-" + hash[:8], Type: typ, Payload: payload}
}

// ticketRecord is the part of a ticket record the central reads, with a total.
type ticketRecord struct {
	Register   string         `json:"register"`
	Number     uint64         `json:"number"`
	Total      comptoir.Money `json:"total"`
	GrandTotal comptoir.Money `json:"grand_total"`
	PrevHash   string         `json:"prev_hash"`
}

func (c *chain) ticket(number uint64, total, grandTotal comptoir.Money) comptoir.Event {
	c.tb.Helper()
	return c.event(comptoir.EventSaleRecorded, comptoir.TicketRecord, c.register,
		ticketRecord{Register: c.register, Number: number, Total: total, GrandTotal: grandTotal, PrevHash: c.tips[comptoir.ChainTickets]})
}

// keyRecord declares a new key created at from; the register signs what follows with it.
func (c *chain) keyRecord(number uint64, from map[comptoir.Chain]uint64) comptoir.Event {
	c.tb.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	// The first key signs its own record.
	c.priv, c.key = priv, number
	return c.event(central.EventKeyRecorded, comptoir.KeyRecord, c.register, comptoir.SigningKeyRecord{
		Register: c.register, Number: number, Reason: comptoir.KeyCreated,
		PublicKey: base64.StdEncoding.EncodeToString(pub), Fingerprint: comptoir.KeyFingerprint(pub),
		From: from, PrevHash: c.tips[comptoir.ChainKeys]})
}

// applyAll applies events in order, failing on any rejected.
func applyAll(tb testing.TB, st *central.Register, register string, events ...comptoir.Event) {
	tb.Helper()
	for _, e := range events {
		if reason := st.Apply(register, e); reason != "" {
			tb.Fatalf("Apply(%s, seq %d) rejected it: %s", register, e.Seq, reason)
		}
		st.AckedSeq = e.Seq
	}
}

func TestApply_LinkedTicketsCountAndHold(t *testing.T) {
	c := newChain(t, "R1")
	var st central.Register
	applyAll(t, &st, "R1", c.ticket(1, 1250, 1250), c.ticket(2, 300, 1550))
	if st.ChainBroken {
		t.Fatalf("chain broken at %q, want sound", st.ChainBreak)
	}
	if got, want := st.Tickets, uint64(2); got != want {
		t.Errorf("Tickets = %d, want %d", got, want)
	}
	if got, want := st.GrandTotal, comptoir.Money(1550); got != want {
		t.Errorf("GrandTotal = %d, want %d", got, want)
	}
	if got, want := st.LastOf(comptoir.ChainTickets), uint64(2); got != want {
		t.Errorf("LastOf(tickets) = %d, want %d", got, want)
	}
}

func TestApply_LinkBreakFlaggedOnceAtFirst(t *testing.T) {
	c := newChain(t, "R1")
	var st central.Register
	applyAll(t, &st, "R1", c.ticket(1, 1000, 1000))
	// Ticket 2 links to a chain the central never saw: kept and counted, flagged.
	c.tips[comptoir.ChainTickets] = strings.Repeat("0", 64)
	applyAll(t, &st, "R1", c.ticket(2, 500, 1500))
	if !st.ChainBroken {
		t.Fatal("ChainBroken = false after a ticket linked to another chain, want true")
	}
	want := comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 2}.Format(comptoir.LangEN)
	if st.ChainBreak != want || st.BreakSeq != 2 {
		t.Fatalf("break = %q at seq %d, want %q at seq 2", st.ChainBreak, st.BreakSeq, want)
	}
	if got, want := st.GrandTotal, comptoir.Money(1500); got != want {
		t.Errorf("GrandTotal = %d, want %d: a flagged ticket still counts", got, want)
	}
	// A later break, a wrong grand total, leaves the first one named.
	applyAll(t, &st, "R1", c.ticket(3, 100, 9999))
	if st.ChainBreak != want || st.BreakSeq != 2 {
		t.Errorf("break = %q at seq %d after a second one, want still %q at seq 2", st.ChainBreak, st.BreakSeq, want)
	}
}

func TestApply_OtherRegistersRecordRejected(t *testing.T) {
	c := newChain(t, "R1")
	var st central.Register
	e := c.event(comptoir.EventSaleRecorded, comptoir.TicketRecord, "R2",
		ticketRecord{Register: "R2", Number: 1, Total: 700, GrandTotal: 700})
	if got, want := st.Apply("R1", e), `record of register "R2" pushed by "R1"`; got != want {
		t.Errorf("Apply of R2's ticket pushed by R1 = %q, want %q", got, want)
	}
	// The payload naming the pusher does not make another register's ticket its own.
	e = c.event(comptoir.EventSaleRecorded, comptoir.TicketRecord, "R1",
		ticketRecord{Register: "R2", Number: 1, Total: 700, GrandTotal: 700})
	if got, want := st.Apply("R1", e), "record is not a ticket of this register"; got != want {
		t.Errorf("Apply of R2's ticket in R1's payload = %q, want %q", got, want)
	}
	if st.Tickets != 0 || st.GrandTotal != 0 || st.ChainBroken {
		t.Errorf("summary after two rejected tickets = %+v, want untouched", st)
	}
}

func TestApply_RejectsWhatItCannotRead(t *testing.T) {
	var st central.Register
	for _, tc := range []struct {
		name, typ, payload, want string
	}{
		{"unknown type", "coupon.recorded", `{}`, "unknown event type coupon.recorded"},
		{"member event not an object", comptoir.EventCustomerEnrolled, `[1]`, "payload is not a JSON object"},
		{"record not JSON", comptoir.EventSaleRecorded, `{"register":"R1"`, "payload is not a journal record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := comptoir.Event{Seq: 1, ID: "x", Type: tc.typ, Payload: json.RawMessage(tc.payload)}
			if got := st.Apply("R1", e); got != tc.want {
				t.Errorf("Apply = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestApply_KeyRecordFromMustSayWhereChainsStand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		from   map[comptoir.Chain]uint64
		broken bool
	}{
		{"where the chains stand", map[comptoir.Chain]uint64{comptoir.ChainTickets: 2}, false},
		{"behind the tickets", map[comptoir.Chain]uint64{comptoir.ChainTickets: 1}, true},
		{"ahead of the tickets", map[comptoir.Chain]uint64{comptoir.ChainTickets: 3}, true},
		{"silent on the tickets", map[comptoir.Chain]uint64{}, true},
		{"naming an unknown chain", map[comptoir.Chain]uint64{comptoir.ChainTickets: 2, "coupons": 0}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newChain(t, "R1")
			var st central.Register
			applyAll(t, &st, "R1", c.ticket(1, 100, 100), c.ticket(2, 100, 200), c.keyRecord(1, tc.from))
			if st.ChainBroken != tc.broken {
				t.Errorf("ChainBroken = %v (%q), want %v", st.ChainBroken, st.ChainBreak, tc.broken)
			}
			want := comptoir.RecordRef{Kind: comptoir.KeyRecord, Number: 1}.Format(comptoir.LangEN)
			if tc.broken && st.ChainBreak != want {
				t.Errorf("ChainBreak = %q, want %q", st.ChainBreak, want)
			}
			if got, want := st.LastKey, uint64(1); got != want {
				t.Errorf("LastKey = %d, want %d", got, want)
			}
		})
	}
}

func TestFlagAudit_EarlierSignatureBreakTakesThePlace(t *testing.T) {
	st := central.Register{ChainBroken: true, ChainBreak: "ticket 5", BreakSeq: 5}
	if st.FlagAudit(7, "ticket 7 (signature)") {
		t.Errorf("FlagAudit(7) over a break at 5 = true, want false")
	}
	if !st.FlagAudit(3, "ticket 3 (signature)") || st.ChainBreak != "ticket 3 (signature)" || st.BreakSeq != 3 {
		t.Errorf("after FlagAudit(3) over a break at 5: %q at %d, want ticket 3 (signature) at 3", st.ChainBreak, st.BreakSeq)
	}
	// A break stored before its sequence was kept is never replaced: which came first is unknown.
	old := central.Register{ChainBroken: true, ChainBreak: "ticket 5"}
	if old.FlagAudit(1, "ticket 1 (signature)") {
		t.Errorf("FlagAudit over a break of unknown sequence = true, want false")
	}
}

func TestAudit_PlanVerifyTally(t *testing.T) {
	c := newChain(t, "R1")
	var st central.Register
	events := []comptoir.Event{c.ticket(1, 100, 100), c.keyRecord(1, map[comptoir.Chain]uint64{comptoir.ChainTickets: 1}),
		c.ticket(2, 100, 200)}
	// Ticket 3 is signed by a key the register never declared: its links hold, its signature
	// does not.
	_, other, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.priv = other
	events = append(events, c.ticket(3, 100, 300))
	applyAll(t, &st, "R1", events...)
	if st.ChainBroken {
		t.Fatalf("push found a break %q, want the links sound", st.ChainBreak)
	}
	var au central.Audit
	var aes []central.AuditEvent
	for _, e := range events {
		aes = append(aes, central.NewAuditEvent(e.Seq, e.Type, false, e.Payload))
	}
	checks := au.Plan(aes)
	for i := range checks {
		checks[i].Verify()
	}
	breakSeq, what := au.Tally(checks)
	if au.Signed != 2 || au.SignatureBreaks != 1 {
		t.Errorf("Signed, SignatureBreaks = %d, %d, want 2, 1 (key record and ticket 2 hold, ticket 3 not)", au.Signed, au.SignatureBreaks)
	}
	if breakSeq != 4 || what != "ticket 3 (signature)" {
		t.Errorf("first break = %q at seq %d, want \"ticket 3 (signature)\" at 4", what, breakSeq)
	}
	if au.Fingerprint() == "" {
		t.Error("Fingerprint() empty after a key record, want the key's")
	}
}

// TestRegister_StoredFormat checks the JSON names of what backends store: a central file
// written before this package existed must read the same.
func TestRegister_StoredFormat(t *testing.T) {
	st := central.Register{AckedSeq: 1, Tickets: 1, GrandTotal: 1, LastTicket: 1, LastClosing: 1, LastHash: "h",
		ChainBroken: true, ChainBreak: "b", LastPeriod: "p", Rejected: 1, Conflicts: 1, Demo: true, Software: "s",
		BreakSeq: 1, LastKey: 1, KeyHash: "k", LastReprint: 1, ReprintHash: "r", LastEvent: 1, EventHash: "e",
		LegacyKeys: []json.RawMessage{json.RawMessage(`{}`)}}
	au := central.Audit{Checked: 1, Keys: []central.Key{{Number: 1, Reason: comptoir.KeyCreated,
		From: map[comptoir.Chain]uint64{comptoir.ChainTickets: 1}}}, Sigs: map[comptoir.Chain]string{comptoir.ChainTickets: "s"},
		Signed: 1, SignatureBreaks: 1, KeyBreaks: 1}
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{st, []string{"acked_seq", "tickets", "grand_total", "last_ticket", "last_closing_number", "last_hash",
			"chain_broken", "chain_break", "last_period", "last_seen", "rejected", "conflicts", "demo", "software",
			"break_seq", "last_key", "key_hash", "last_reprint", "reprint_hash", "last_event", "event_hash", "keys"}},
		{au, []string{"checked", "keys", "sigs", "signed", "signature_breaks", "key_breaks"}},
		{au.Keys[0], []string{"number", "reason", "public", "from"}},
	} {
		b, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if got, want := len(m), len(tc.want); got != want {
			t.Errorf("%T has %d JSON fields (%s), want %d", tc.v, got, b, want)
		}
		for _, k := range tc.want {
			if _, ok := m[k]; !ok {
				t.Errorf("%T's JSON %s lacks %q", tc.v, b, k)
			}
		}
	}
}
