package comptoir_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// signingKey is a fixed key, so that signatures in the tests are the same on every run.
func signingKey(tb testing.TB, seed byte) ed25519.PrivateKey {
	tb.Helper()
	s := sha256.Sum256([]byte{seed})
	return ed25519.NewKeyFromSeed(s[:])
}

// ticketRecord is a recorded ticket's bytes, as the journal hashes them, and their hash.
func ticketRecord(tb testing.TB, edit func(*comptoir.Sale)) ([]byte, string) {
	tb.Helper()
	s, err := comptoir.BuildSale(comptoir.SaleDraft{
		Lines:    []comptoir.Line{comptoir.LineFor(pomme, 2), comptoir.LineFor(vin, 1)},
		Payments: []comptoir.Payment{pay(comptoir.Cash, 2000)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	s.Register, s.Number, s.Day, s.GrandTotal = "R1", 42, "2026-03-14", 98250
	s.At = time.Date(2026, 3, 14, 10, 30, 0, 500_000_000, time.FixedZone("CET", 3600))
	s.PrevHash = strings.Repeat("ab", 32)
	if edit != nil {
		edit(&s)
	}
	body, err := json.Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(body)
	return body, hex.EncodeToString(sum[:])
}

func TestCanonical_Ticket(t *testing.T) {
	body, hash := ticketRecord(t, nil)
	f, err := comptoir.SignedFieldsOf(comptoir.TicketRecord, body, hash, false, "PREV")
	if err != nil {
		t.Fatal(err)
	}
	// 2 × 2,50 € at 5,5 % and 12,00 € at 20 %: 17,00 €; the time in UTC to the nanosecond, the
	// VAT lines sorted by rate.
	want := "comptoir-sig-1|tickets|sale|R1|42|2026-03-14T09:30:00.5Z|550:474:26:500,2000:1000:200:1200|1700|98250|0|0|PREV|" + hash
	if got := string(f.Canonical()); got != want {
		t.Errorf("Canonical =\n%q\nwant\n%q", got, want)
	}
}

func TestCanonical_FirstRecordAndEmptyVAT(t *testing.T) {
	f := comptoir.SignedFields{Chain: comptoir.ChainEvents, Type: "start", Register: "R1", Number: 1,
		At: time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC), First: true, Hash: "h"}
	if got, want := string(f.Canonical()), "comptoir-sig-1|events|start|R1|1|2026-03-14T08:00:00Z||0|0|0|1||h"; got != want {
		t.Errorf("Canonical = %q, want %q", got, want)
	}
}

func TestCanonical_VATOrderDoesNotMatter(t *testing.T) {
	a := sampleFields()
	b := sampleFields()
	slices.Reverse(b.VAT)
	if string(a.Canonical()) != string(b.Canonical()) {
		t.Errorf("the VAT lines' order changes the string:\n%s\n%s", a.Canonical(), b.Canonical())
	}
	// Canonical sorts a copy: the caller's lines stay as they were.
	if b.VAT[0].Rate != comptoir.VATNormal {
		t.Error("Canonical reordered the caller's VAT lines")
	}
}

func sampleFields() comptoir.SignedFields {
	return comptoir.SignedFields{
		Chain: comptoir.ChainClosings, Type: "closing-day", Register: "R1", Number: 7,
		At:            time.Date(2026, 3, 14, 21, 0, 0, 0, time.UTC),
		VAT:           []comptoir.VATLine{comptoir.VATFromTTC(500, comptoir.VATReduced), comptoir.VATFromTTC(1200, comptoir.VATNormal)},
		Total:         1700,
		GrandTotal:    98250,
		GrandTotalAbs: 99000,
		Prev:          "previous",
		Hash:          strings.Repeat("cd", 32),
	}
}

func TestVerifyRecord_AnyFieldChangedFails(t *testing.T) {
	key := signingKey(t, 1)
	pub := key.Public().(ed25519.PublicKey)
	sig := comptoir.SignRecord(key, sampleFields())
	if !comptoir.VerifyRecord(pub, sampleFields(), sig) {
		t.Fatal("the signature of the fields does not verify")
	}
	changes := []struct {
		name   string
		change func(*comptoir.SignedFields)
	}{
		{"chain", func(f *comptoir.SignedFields) { f.Chain = comptoir.ChainTickets }},
		{"type", func(f *comptoir.SignedFields) { f.Type = "closing-month" }},
		{"register", func(f *comptoir.SignedFields) { f.Register = "R2" }},
		{"number", func(f *comptoir.SignedFields) { f.Number++ }},
		{"time", func(f *comptoir.SignedFields) { f.At = f.At.Add(time.Nanosecond) }},
		{"VAT rate", func(f *comptoir.SignedFields) { f.VAT[0].Rate = comptoir.VATIntermediate }},
		{"VAT base", func(f *comptoir.SignedFields) { f.VAT[0].Base++ }},
		{"VAT amount", func(f *comptoir.SignedFields) { f.VAT[1].VAT++ }},
		{"VAT TTC", func(f *comptoir.SignedFields) { f.VAT[1].TTC++ }},
		{"VAT line removed", func(f *comptoir.SignedFields) { f.VAT = f.VAT[:1] }},
		{"total", func(f *comptoir.SignedFields) { f.Total++ }},
		{"grand total", func(f *comptoir.SignedFields) { f.GrandTotal++ }},
		{"grand total abs", func(f *comptoir.SignedFields) { f.GrandTotalAbs-- }},
		{"first", func(f *comptoir.SignedFields) { f.First = true }},
		{"previous signature", func(f *comptoir.SignedFields) { f.Prev = "previouS" }},
		{"hash", func(f *comptoir.SignedFields) { f.Hash = strings.Repeat("cd", 31) + "ce" }},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			f := sampleFields()
			c.change(&f)
			if comptoir.VerifyRecord(pub, f, sig) {
				t.Errorf("the signature still verifies after changing the %s", c.name)
			}
		})
	}
}

func TestSignRecord_RoundTripAndRefusals(t *testing.T) {
	key := signingKey(t, 2)
	pub := key.Public().(ed25519.PublicKey)
	other := signingKey(t, 3).Public().(ed25519.PublicKey)
	f := sampleFields()
	sig := comptoir.SignRecord(key, f)
	if got, want := len(sig), 86; got != want {
		t.Errorf("signature length = %d, want %d (64 bytes, base64url without padding)", got, want)
	}
	if sig != comptoir.SignRecord(key, f) {
		t.Error("Ed25519 signs the same fields twice differently")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sig)
	changed := "A"
	if sig[0] == 'A' {
		changed = "B"
	}
	tests := []struct {
		name  string
		pub   ed25519.PublicKey
		value string
		ok    bool
	}{
		{"the key", pub, sig, true},
		{"another key", other, sig, false},
		{"a short public key", pub[:31], sig, false},
		{"no public key", nil, sig, false},
		{"padded", pub, sig + "==", false},
		{"standard base64, padded", pub, base64.StdEncoding.EncodeToString(raw), false},
		{"truncated", pub, sig[:85], false},
		{"a character changed", pub, changed + sig[1:], false},
		{"not base64", pub, strings.Repeat("!", 86), false},
		{"empty", pub, "", false},
		{"a signature too long", pub, base64.RawURLEncoding.EncodeToString(append(raw, 0)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := comptoir.VerifyRecord(tt.pub, f, tt.value); got != tt.ok {
				t.Errorf("VerifyRecord = %v, want %v", got, tt.ok)
			}
		})
	}
}

func TestKeyFingerprint_Format(t *testing.T) {
	pub := signingKey(t, 4).Public().(ed25519.PublicKey)
	fp := comptoir.KeyFingerprint(pub)
	if !regexp.MustCompile(`^[0-9a-f]{4}(-[0-9a-f]{4}){4}$`).MatchString(fp) {
		t.Errorf("fingerprint %q is not five groups of four hexadecimal digits", fp)
	}
	sum := sha256.Sum256(pub)
	if got, want := strings.ReplaceAll(fp, "-", ""), hex.EncodeToString(sum[:10]); got != want {
		t.Errorf("fingerprint digits = %s, want the first 10 bytes of the SHA-256 %s", got, want)
	}
	if comptoir.KeyFingerprint(signingKey(t, 5).Public().(ed25519.PublicKey)) == fp {
		t.Error("two keys have the same fingerprint")
	}
}

func TestSignatureExtract(t *testing.T) {
	tests := []struct{ sig, want string }{
		// Positions 3, 7, 13 and 19, counted from 1.
		{"ab3def7hijkl3nopqr9tuvwxyz", "3739"},
		{"0123456789abcdefghi", "26ci"},
		{"0123456789abcdefgh", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := comptoir.SignatureExtract(tt.sig); got != tt.want {
			t.Errorf("SignatureExtract(%q) = %q, want %q", tt.sig, got, tt.want)
		}
	}
	sig := comptoir.SignRecord(signingKey(t, 6), sampleFields())
	if got := comptoir.SignatureExtract(sig); len(got) != 4 || !strings.Contains(sig, got[:1]) {
		t.Errorf("extract of a real signature = %q", got)
	}
}

func TestSignedFieldsOf_EachKind(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	vat := []comptoir.VATLine{comptoir.VATFromTTC(1200, comptoir.VATNormal)}
	marshal := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sale, _ := ticketRecord(t, nil)
	refund, _ := ticketRecord(t, func(s *comptoir.Sale) { s.RefundOf = 41 })
	training, _ := ticketRecord(t, func(s *comptoir.Sale) { s.Training, s.RefundOf = true, 41 })
	tests := []struct {
		name string
		kind comptoir.RecordKind
		body []byte
		want comptoir.SignedFields
	}{
		{"sale", comptoir.TicketRecord, sale, comptoir.SignedFields{Chain: comptoir.ChainTickets, Type: "sale", Register: "R1", Number: 42, Total: 1700, GrandTotal: 98250}},
		{"refund", comptoir.TicketRecord, refund, comptoir.SignedFields{Chain: comptoir.ChainTickets, Type: "refund", Register: "R1", Number: 42, Total: 1700, GrandTotal: 98250}},
		{"training, even refunding", comptoir.TicketRecord, training, comptoir.SignedFields{Chain: comptoir.ChainTickets, Type: "training", Register: "R1", Number: 42, Total: 1700, GrandTotal: 98250}},
		{"day closing", comptoir.ClosingRecord, marshal(comptoir.Closing{Register: "R1", Number: 3, Kind: comptoir.DayClosing, Period: "2026-03-14", At: at,
			Totals: comptoir.Totals{Total: 1200, VAT: vat}, GrandTotal: 5000, GrandTotalAbs: 7000}),
			comptoir.SignedFields{Chain: comptoir.ChainClosings, Type: "closing-day", Register: "R1", Number: 3, At: at, VAT: vat, Total: 1200, GrandTotal: 5000, GrandTotalAbs: 7000}},
		{"reprint", comptoir.ReprintRecord, marshal(comptoir.Reprint{Register: "R1", Number: 2, Ticket: 42, Copy: 2, At: at, VAT: vat, Total: 1200}),
			comptoir.SignedFields{Chain: comptoir.ChainReprints, Type: "reprint", Register: "R1", Number: 2, At: at, VAT: vat, Total: 1200}},
		{"event", comptoir.EventRecord, marshal(comptoir.TechEvent{Register: "R1", Number: 9, At: at, Code: comptoir.TechPINRefused, User: "bob"}),
			comptoir.SignedFields{Chain: comptoir.ChainEvents, Type: "pin-refused", Register: "R1", Number: 9, At: at}},
		{"rotated key", comptoir.KeyRecord, marshal(comptoir.SigningKeyRecord{Register: "R1", Number: 2, At: at, Reason: comptoir.KeyRotated}),
			comptoir.SignedFields{Chain: comptoir.ChainKeys, Type: "key-rotated", Register: "R1", Number: 2, At: at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := comptoir.SignedFieldsOf(tt.kind, tt.body, "h", true, "")
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Hash, want.First = "h", true
			if tt.kind == comptoir.TicketRecord {
				// The ticket's own time and VAT, checked by the golden string above.
				want.At, want.VAT = f.At, f.VAT
			}
			if string(f.Canonical()) != string(want.Canonical()) {
				t.Errorf("fields =\n%s\nwant\n%s", f.Canonical(), want.Canonical())
			}
		})
	}
}

func TestSignedFieldsOf_Refusals(t *testing.T) {
	tests := []struct {
		name string
		kind comptoir.RecordKind
		body string
	}{
		{"an unknown kind", "invoice", `{}`},
		{"not JSON", comptoir.TicketRecord, `{"number":`},
		{"a number as text", comptoir.ClosingRecord, `{"number":"3"}`},
		{"an array", comptoir.EventRecord, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := comptoir.SignedFieldsOf(tt.kind, []byte(tt.body), "h", false, "p")
			checkErr(t, err, comptoir.E(comptoir.CodeCorruptRecord))
		})
	}
}

func TestChainOf_AndLabels(t *testing.T) {
	for _, c := range comptoir.Chains {
		for _, l := range langs {
			if c.Label(l) == "" || c.Label(l) == string(c) {
				t.Errorf("chain %s has no label in %s", c, l)
			}
		}
	}
	kinds := map[comptoir.RecordKind]comptoir.Chain{
		comptoir.TicketRecord: comptoir.ChainTickets, comptoir.ClosingRecord: comptoir.ChainClosings,
		comptoir.ReprintRecord: comptoir.ChainReprints, comptoir.EventRecord: comptoir.ChainEvents, comptoir.KeyRecord: comptoir.ChainKeys,
	}
	for k, want := range kinds {
		if got := comptoir.ChainOf(k); got != want {
			t.Errorf("ChainOf(%s) = %s, want %s", k, got, want)
		}
	}
}

func TestAbsGrandTotal(t *testing.T) {
	tests := []struct {
		name   string
		sale   comptoir.Sale
		before comptoir.Money
		want   comptoir.Money
	}{
		{"a sale adds its total", comptoir.Sale{Total: 1700}, 1000, 2700},
		{"a refund adds its total without its sign", comptoir.Sale{Total: -1200, RefundOf: 4}, 2700, 3900},
		{"a training ticket counts nowhere", comptoir.Sale{Total: 500, Training: true}, 3900, 3900},
		{"a training refund neither", comptoir.Sale{Total: -500, Training: true, RefundOf: 5}, 3900, 3900},
		{"a ticket of nothing", comptoir.Sale{}, 3900, 3900},
	}
	for _, tt := range tests {
		if got := comptoir.AbsGrandTotal(tt.before, tt.sale); got != tt.want {
			t.Errorf("%s: AbsGrandTotal(%d) = %d, want %d", tt.name, tt.before, got, tt.want)
		}
	}
}

// BenchmarkSignRecord signs one ticket's fields: the goal is under 50 µs.
func BenchmarkSignRecord(b *testing.B) {
	key := signingKey(b, 7)
	body, hash := ticketRecord(b, nil)
	f, err := comptoir.SignedFieldsOf(comptoir.TicketRecord, body, hash, false, strings.Repeat("x", 86))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		comptoir.SignRecord(key, f)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/sign")
}
