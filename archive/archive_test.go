package archive_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
)

var exported = time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)

func verify(tb testing.TB, b []byte, opts archive.VerifyOptions) (archive.Report, error) {
	tb.Helper()
	return archive.Verify(bytes.NewReader(b), int64(len(b)), opts)
}

func TestVerify_IntactArchive(t *testing.T) {
	r := shop(t, "")
	d := r.data("2026-03", exported)
	b := r.write(d)
	rep, err := verify(t, b, archive.VerifyOptions{KeyFingerprint: r.fingerprint(1)})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// March holds tickets 3 to 8 (6 tickets, one of April), February's month closing, March's
	// two days and March's own closing; reprints 1-3, events 2-5, the one key.
	want := archive.Report{
		Register: "R1", Period: "2026-03", Software: "Comptoir test", Fingerprint: r.fingerprint(1),
		Tickets: 6, Closings: 4, Reprints: 3, Events: 4, Keys: 1, Signed: 6 + 4 + 3 + 4 + 1,
	}
	month := r.closed["2026-03"]
	want.Totals = month
	want.GrandTotal, want.GrandTotalAbs = r.journal[len(r.journal)-1].gt, r.journal[len(r.journal)-1].abs
	got := rep
	got.Totals, want.Totals = comptoir.Totals{}, comptoir.Totals{}
	if got.Register != want.Register || got.Period != want.Period || got.Software != want.Software ||
		got.Fingerprint != want.Fingerprint || got.Tickets != want.Tickets || got.Closings != want.Closings ||
		got.Reprints != want.Reprints || got.Events != want.Events || got.Keys != want.Keys || got.Signed != want.Signed ||
		got.GrandTotal != want.GrandTotal || got.GrandTotalAbs != want.GrandTotalAbs || len(got.Breaks) != 0 {
		t.Errorf("report = %+v, want %+v", got, want)
	}
	if !rep.Totals.Equal(month) {
		t.Errorf("totals = %+v, want %+v", rep.Totals, month)
	}
	// March: 19,50 + 24,00 + 7,50 - 12,00 (the refund); the training ticket counts nowhere.
	if got, want := rep.Totals.Total, comptoir.Money(1950+2400+750-1200); got != want {
		t.Errorf("March total = %d, want %d", got, want)
	}
	if got, want := rep.Totals.Training, int64(1); got != want {
		t.Errorf("March training tickets = %d, want %d", got, want)
	}
}

func TestVerify_YearArchive(t *testing.T) {
	r := shop(t, comptoir.KeyRotated)
	for _, m := range []string{"2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"} {
		r.close(at(m+"-01", 12), m[:4]+"-"+m[5:])
	}
	// Nothing was closed for January, and April to November have no day closing: the year sums
	// what its months sealed.
	r.close(at("2026-12-31", 20), "2026-12-31")
	r.close(at("2027-01-01", 9), "2026-12")
	r.close(at("2027-01-01", 10), "2026")
	d := r.data("2026", exported.AddDate(1, 0, 0))
	rep, err := verify(t, r.write(d), archive.VerifyOptions{})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got, want := rep.Totals.Total, r.closed["2026"].Total; got != want || got == 0 {
		t.Errorf("year total = %d, want %d (not zero)", got, want)
	}
}

func TestWrite_SameDataSameBytes(t *testing.T) {
	r := shop(t, comptoir.KeyRotated)
	a := r.write(r.data("2026-03", exported))
	b := r.write(r.data("2026-03", exported))
	if !bytes.Equal(a, b) {
		t.Fatal("two writes of the same data differ")
	}
}

func TestWrite_SummaryAndReadableWithoutComptoir(t *testing.T) {
	r := shop(t, "")
	d := r.data("2026-03", exported)
	var buf bytes.Buffer
	sum, err := archive.Write(&buf, d, r.keys[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sum, (archive.Summary{Period: "2026-03", Tickets: 6, Closings: 4, Reprints: 3, Events: 4, Keys: 1,
		Fingerprint: r.fingerprint(1), Bytes: int64(buf.Len())}); got != want {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
	// Any zip reader opens it, and the manifest says what a person needs.
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var m archive.Manifest
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if f.Name == archive.FileManifest {
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
		}
		if f.Name == archive.FileJournal {
			if got, want := bytes.Count(body, []byte("\n")), len(d.Journal); got != want {
				t.Errorf("journal lines = %d, want %d", got, want)
			}
			// The record is written as its exact bytes.
			if !bytes.Contains(body, d.Journal[0].Record) {
				t.Error("the journal does not hold the first record's exact bytes")
			}
		}
	}
	wantNames := []string{"journal.jsonl", "reprints.jsonl", "events.jsonl", "keys.jsonl", "LISEZMOI.txt", "README.txt", "manifest.json", "manifest.sig"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("files = %v, want %v", names, wantNames)
	}
	if m.Format != archive.Format || m.Period != "2026-03" || m.Kind != comptoir.MonthClosing || !m.CreatedAt.Equal(exported) ||
		m.Counts.Tickets != 6 || len(m.Keys) != 1 || m.Keys[0].Fingerprint != r.fingerprint(1) || m.Location != "Europe/Paris" {
		t.Errorf("manifest = %+v", m)
	}
	if got, want := m.Anchors[comptoir.ChainTickets].Number, uint64(2); got != want {
		t.Errorf("tickets' anchor = %d, want %d", got, want)
	}
}

func TestWrite_RefusesAPeriodNotClosed(t *testing.T) {
	r := shop(t, "")
	d := r.data("2026-03", exported)
	d.Period = "2026-04"
	var buf bytes.Buffer
	_, err := archive.Write(&buf, d, r.keys[0], 1)
	wantCode(t, err, comptoir.CodePeriodNotClosed)
}

func TestWrite_RefusesAnotherKey(t *testing.T) {
	r := shop(t, comptoir.KeyRotated)
	var buf bytes.Buffer
	_, err := archive.Write(&buf, r.data("2026-03", exported), r.keys[0], 2)
	wantCode(t, err, comptoir.CodeSigningKeyMismatch)
}

// smallArchive is an archive small enough to change every one of its bytes in turn.
func smallArchive(tb testing.TB) ([]byte, *register) {
	tb.Helper()
	r := newRegister(tb, 3)
	r.key(at("2026-03-01", 8), comptoir.KeyCreated)
	s := r.sell(at("2026-03-02", 10), false, 0, pomme)
	r.reprint(at("2026-03-02", 11), s.Number)
	r.event(at("2026-03-02", 12), comptoir.TechStop, "")
	r.close(at("2026-03-02", 20), "2026-03-02")
	r.close(at("2026-04-01", 9), "2026-03")
	return r.write(r.data("2026-03", exported)), r
}

func TestVerify_EveryByteChangedFails(t *testing.T) {
	b, _ := smallArchive(t)
	if _, err := verify(t, b, archive.VerifyOptions{}); err != nil {
		t.Fatalf("intact archive: %v", err)
	}
	t.Logf("%d bytes", len(b))
	step := 1
	if testing.Short() || raceEnabled {
		step = 7
	}
	changed := slices.Clone(b)
	for i := 0; i < len(b); i += step {
		// The lowest bit on even offsets, the highest on odd ones: a padding bit or a flag
		// a reader ignores would show as either.
		delta := byte(1)
		if i%2 == 1 {
			delta = 0x80
		}
		changed[i] = b[i] ^ delta
		if _, err := verify(t, changed, archive.VerifyOptions{}); err == nil {
			t.Fatalf("byte %d of %d changed (^%#x): Verify passed", i, len(b), delta)
		}
		changed[i] = b[i]
	}
	// A byte more, or a byte less, at the end.
	if _, err := verify(t, append(slices.Clone(b), 0), archive.VerifyOptions{}); err == nil {
		t.Error("a byte appended: Verify passed")
	}
	if _, err := verify(t, b[:len(b)-1], archive.VerifyOptions{}); err == nil {
		t.Error("a byte cut: Verify passed")
	}
}

// forge rewrites a JSON Lines entry's record and recomputes its hash and every later prev_hash,
// as someone who edited the database behind Comptoir's back would, without the key: the
// signatures stay what they were.
func forge(tb testing.TB, entries []archive.Entry, i int, edit func(map[string]any)) {
	tb.Helper()
	rehash := func(j int, edit func(map[string]any)) string {
		var body map[string]any
		dec := json.NewDecoder(bytes.NewReader(entries[j].Record))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			tb.Fatal(err)
		}
		edit(body)
		raw, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		entries[j].Record, entries[j].Hash = raw, hex.EncodeToString(sum[:])
		return entries[j].Hash
	}
	prev := rehash(i, edit)
	for j := i + 1; j < len(entries); j++ {
		prev = rehash(j, func(m map[string]any) { m["prev_hash"] = prev })
	}
}

func TestVerify_ForgerWithoutTheKey_IsCaughtAtTheEditedTicket(t *testing.T) {
	r := shop(t, "")
	d := r.data("2026-03", exported)
	// Ticket 5 (the refund) is the 4th journal entry; the forger says it was rung up by someone
	// else, which changes no total, so that only the signature can tell.
	forge(t, d.Journal, 3, func(m map[string]any) { m["cashier"] = "mallory" })
	// The register exports what its database holds, and signs the archive with its key.
	_, err := verify(t, r.write(d), archive.VerifyOptions{})
	e := wantCode(t, err, comptoir.CodeArchiveBroken)
	if got, want := e.Message(comptoir.LangFR), "archive : signature invalide (enregistrement modifié ou signé sans la clé), ticket 5 (chaîne des tickets)"; got != want {
		t.Errorf("FR = %q\nwant %q", got, want)
	}
	if got, want := e.Message(comptoir.LangEN), "archive: invalid signature (record altered, or signed without the key), ticket 5 (ticket chain)"; got != want {
		t.Errorf("EN = %q\nwant %q", got, want)
	}
}

func TestVerify_ForgerEditingTheFile_IsCaughtByTheArchiveSignature(t *testing.T) {
	r := shop(t, "")
	d := r.data("2026-03", exported)
	b := r.write(d)
	forge(t, d.Journal, 3, func(m map[string]any) { m["cashier"] = "mallory" })
	// The forger rebuilds the archive with the recomputed hashes and the manifest's file
	// digests, but keeps the old manifest.sig: he has no key.
	forged := rewrite(t, b, func(name string, body []byte) []byte {
		if name == archive.FileJournal {
			var buf bytes.Buffer
			for _, e := range d.Journal {
				line, _ := json.Marshal(e)
				buf.Write(append(line, '\n'))
			}
			return buf.Bytes()
		}
		return body
	})
	_, err := verify(t, forged, archive.VerifyOptions{})
	wantCode(t, err, comptoir.CodeArchiveSignature)
}

// files reads the files of an archive.
func files(tb testing.TB, b []byte) map[string][]byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	bodies := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		if bodies[f.Name], err = io.ReadAll(rc); err != nil {
			tb.Fatal(err)
		}
	}
	return bodies
}

// rewrite rebuilds an archive in its own zip layout after edit changed its files, with the
// manifest's digests recomputed.
func rewrite(tb testing.TB, b []byte, edit func(name string, body []byte) []byte) []byte {
	tb.Helper()
	bodies := files(tb, b)
	names := []string{"journal.jsonl", "reprints.jsonl", "events.jsonl", "keys.jsonl", "LISEZMOI.txt", "README.txt", "manifest.json", "manifest.sig"}
	for _, name := range names {
		bodies[name] = edit(name, bodies[name])
	}
	var m archive.Manifest
	if err := json.Unmarshal(bodies[archive.FileManifest], &m); err != nil {
		tb.Fatal(err)
	}
	for i, f := range m.Files {
		sum := sha256.Sum256(bodies[f.Name])
		m.Files[i].SHA256, m.Files[i].Lines = hex.EncodeToString(sum[:]), int64(bytes.Count(bodies[f.Name], []byte("\n")))
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	bodies[archive.FileManifest] = append(mb, '\n')
	var out bytes.Buffer
	if err := archive.EncodeZip(&out, m.CreatedAt, names, bodies); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

func TestVerify_DeletedRecords(t *testing.T) {
	tests := []struct {
		name   string
		delete func(d *archive.Data)
		code   comptoir.Code
	}{
		{"reprint", func(d *archive.Data) { d.Reprints = slices.Delete(d.Reprints, 1, 2) }, comptoir.CodeArchiveBroken},
		{"event", func(d *archive.Data) { d.Events = slices.Delete(d.Events, 1, 2) }, comptoir.CodeArchiveBroken},
		{"ticket", func(d *archive.Data) { d.Journal = slices.Delete(d.Journal, 0, 1) }, comptoir.CodeArchiveBroken},
		{"reprint renumbered", func(d *archive.Data) {
			d.Reprints = slices.Delete(d.Reprints, 0, 1)
			d.Anchors[comptoir.ChainReprints] = archive.Anchor{}
			for i := range d.Reprints {
				forge(t, d.Reprints, i, func(m map[string]any) { m["number"] = i + 1 })
			}
		}, comptoir.CodeArchiveBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shop(t, "")
			d := r.data("2026-03", exported)
			tt.delete(&d)
			_, err := verify(t, r.write(d), archive.VerifyOptions{})
			wantCode(t, err, tt.code)
		})
	}
}

func TestVerify_KeyFingerprint(t *testing.T) {
	tests := []struct {
		name   string
		reason comptoir.KeyReason
		key    uint64 // the fingerprint given, of that key (0: another key)
		ok     bool
		breaks []uint64
	}{
		{"the archive's key", "", 1, true, nil},
		{"another key", "", 0, false, nil},
		{"the key before a rotation", comptoir.KeyRotated, 1, true, nil},
		{"the key after a rotation", comptoir.KeyRotated, 2, true, nil},
		{"the key before a replacement", comptoir.KeyReplaced, 1, false, []uint64{2}},
		{"the key after a replacement", comptoir.KeyReplaced, 2, true, []uint64{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shop(t, tt.reason)
			b := r.write(r.data("2026-03", exported))
			fp := "0000-1111-2222-3333-4444"
			if tt.key != 0 {
				fp = strings.ToUpper(r.fingerprint(tt.key))
			}
			rep, err := verify(t, b, archive.VerifyOptions{KeyFingerprint: fp})
			if !tt.ok {
				e := wantCode(t, err, comptoir.CodeArchiveFingerprint)
				if got, want := e.Message(comptoir.LangEN), "the archive is signed by key "+r.fingerprint(r.current)+", not by the expected key "+strings.ToLower(fp); got != want {
					t.Errorf("message = %q, want %q", got, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !slices.Equal(rep.Breaks, tt.breaks) {
				t.Errorf("breaks = %v, want %v", rep.Breaks, tt.breaks)
			}
		})
	}
}

func TestVerify_RotationSignedByTheNewKeyFails(t *testing.T) {
	// A key record claiming to be a rotation must be signed by the key before it: signed by
	// itself it is a replacement in disguise.
	r := shop(t, "")
	r.selfSigned = true
	r.key(at("2026-04-01", 12), comptoir.KeyRotated)
	_, err := verify(t, r.write(r.data("2026-03", exported)), archive.VerifyOptions{})
	wantCode(t, err, comptoir.CodeArchiveBroken)
}

func TestVerify_ChangesThatKeepTheFileReadable(t *testing.T) {
	// want is the start of the English refusal: what was found, and where.
	tests := []struct {
		name string
		want string
		edit func(t *testing.T, d *archive.Data, r *register)
	}{
		{"a ticket's grand total", "archive: perpetual grand total does not add up, ticket 3", func(t *testing.T, d *archive.Data, r *register) {
			forge(t, d.Journal, 0, func(m map[string]any) { m["grand_total"] = 1 })
		}},
		{"a signature's previous value", "archive: the signature does not follow the previous one of its chain (a record deleted or moved), ticket 4", func(t *testing.T, d *archive.Data, r *register) {
			s := *d.Journal[2].Signature
			s.Prev = "x"
			d.Journal[2].Signature = &s
		}},
		{"a signature removed", "archive: missing signature, ticket 4", func(t *testing.T, d *archive.Data, r *register) { d.Journal[2].Signature = nil }},
		{"a signature's key", "archive: signed by another key than the one in effect, ticket 4", func(t *testing.T, d *archive.Data, r *register) {
			s := *d.Journal[2].Signature
			s.Key = 2
			d.Journal[2].Signature = &s
		}},
		{"two tickets swapped", "archive: number out of sequence (a record deleted or added), ticket 4", func(t *testing.T, d *archive.Data, r *register) {
			d.Journal[0], d.Journal[2] = d.Journal[2], d.Journal[0]
		}},
		{"the anchor's signature", "archive: the signature does not follow the previous one of its chain (a record deleted or moved), ticket 3", func(t *testing.T, d *archive.Data, r *register) {
			a := d.Anchors[comptoir.ChainTickets]
			a.Signature = ""
			d.Anchors[comptoir.ChainTickets] = a
		}},
		{"the grand total before", "archive: perpetual grand total does not add up, ticket 3", func(t *testing.T, d *archive.Data, r *register) { d.GrandTotalBefore++ }},
		{"a ticket of another register", "archive: record of another register, key 1", func(t *testing.T, d *archive.Data, r *register) { d.Register = "R2" }},
		{"a day closing's totals", "archive: totals do not add up, closing 4", func(t *testing.T, d *archive.Data, r *register) {
			// The 5th entry is the day closing of March 2nd.
			forge(t, d.Journal, 4, func(m map[string]any) { m["totals"].(map[string]any)["total"] = json.Number("1") })
		}},
		{"a month closing's totals", "archive: totals do not add up, closing 6", func(t *testing.T, d *archive.Data, r *register) {
			forge(t, d.Journal, len(d.Journal)-1, func(m map[string]any) { m["totals"].(map[string]any)["tickets"] = json.Number("99") })
		}},
		{"a closing's absolute grand total", "archive: perpetual grand total in absolute value does not add up, closing 4", func(t *testing.T, d *archive.Data, r *register) {
			forge(t, d.Journal, 4, func(m map[string]any) { m["grand_total_abs"] = json.Number("1") })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shop(t, comptoir.KeyRotated)
			d := r.data("2026-03", exported)
			tt.edit(t, &d, r)
			_, err := verify(t, r.write(d), archive.VerifyOptions{})
			e := wantCode(t, err, comptoir.CodeArchiveBroken)
			if got := e.Message(comptoir.LangEN); !strings.HasPrefix(got, tt.want) {
				t.Errorf("refusal = %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestVerify_RefusesMalformedZips(t *testing.T) {
	b, _ := smallArchive(t)
	tests := []struct {
		name  string
		files func(names []string) []string // the files to put, by name, in order
	}{
		{"a file missing", func(n []string) []string {
			return slices.DeleteFunc(n, func(s string) bool { return s == "events.jsonl" })
		}},
		{"a file twice", func(n []string) []string { return append(n, "events.jsonl") }},
		{"an unknown file", func(n []string) []string { return append(n, "../../etc/passwd") }},
		{"too many files", func(n []string) []string { return append(n, n...) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			bodies := map[string][]byte{}
			var names []string
			for _, f := range zr.File {
				rc, _ := f.Open()
				bodies[f.Name], _ = io.ReadAll(rc)
				names = append(names, f.Name)
			}
			var out bytes.Buffer
			zw := zip.NewWriter(&out)
			for _, name := range tt.files(names) {
				w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
				w.Write(bodies[name])
			}
			zw.Close()
			_, err := verify(t, out.Bytes(), archive.VerifyOptions{})
			wantCode(t, err, comptoir.CodeArchiveInvalid)
		})
	}
	for _, bad := range [][]byte{nil, []byte("PK"), []byte("not a zip at all")} {
		_, err := verify(t, bad, archive.VerifyOptions{})
		wantCode(t, err, comptoir.CodeArchiveInvalid)
	}
}

func TestVerify_RefusesAHugeFileWithoutReadingIt(t *testing.T) {
	// A zip whose journal claims 10 GB (deflated zeros would make it real): refused from its
	// header, before anything is read.
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, name := range []string{"journal.jsonl", "manifest.json"} {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		w.Write([]byte("{}\n"))
	}
	zw.Close()
	b := out.Bytes()
	// Patch the central directory's uncompressed size of the journal to 10 GB (ZIP64 would be
	// needed beyond 4 GiB; 0xFFFFFFF0 is as large as a plain header claims).
	cd := bytes.Index(b, []byte("PK\x01\x02"))
	b[cd+24], b[cd+25], b[cd+26], b[cd+27] = 0xF0, 0xFF, 0xFF, 0xFF
	_, err := verify(t, b, archive.VerifyOptions{})
	wantCode(t, err, comptoir.CodeArchiveInvalid)
}

func TestVerify_StreamsLongFiles(t *testing.T) {
	// A year's journal is read a line at a time: check that a line as long as a ticket of
	// MaxLines lines passes the scanner.
	r := newRegister(t, 5)
	r.key(at("2026-03-01", 8), comptoir.KeyCreated)
	lines := make([]comptoir.Line, comptoir.MaxLines)
	for i := range lines {
		lines[i] = pomme
		lines[i].Name = strings.Repeat("Pomme reinette ", 24)
	}
	r.sell(at("2026-03-02", 10), false, 0, lines...)
	r.close(at("2026-03-02", 20), "2026-03-02")
	r.close(at("2026-04-01", 9), "2026-03")
	d := r.data("2026-03", exported)
	if n := len(d.Journal[0].Record); n < 16<<10 {
		t.Fatalf("the ticket is %d bytes, want a long one", n)
	}
	if _, err := verify(t, r.write(d), archive.VerifyOptions{}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// TestReadme_CanonicalRuleMatchesTheCode checks the example the archive's explanations give
// against Canonical, so that the rule a person follows without Comptoir is the one it signs.
func TestReadme_CanonicalRuleMatchesTheCode(t *testing.T) {
	f := comptoir.SignedFields{
		Chain: comptoir.ChainTickets, Type: "sale", Register: "R1", Number: 42,
		At:    time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
		VAT:   []comptoir.VATLine{comptoir.VATFromTTC(500, comptoir.VATNormal), comptoir.VATFromTTC(1200, comptoir.VATReduced)},
		Total: 1700, GrandTotal: 98250, Prev: "<S of ticket 41>", Hash: "<H>",
	}
	want := string(f.Canonical())
	b, _ := smallArchive(t)
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	for _, file := range zr.File {
		if !strings.HasSuffix(file.Name, ".txt") {
			continue
		}
		rc, _ := file.Open()
		sc := bufio.NewScanner(rc)
		found := false
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "Example: ") || strings.HasPrefix(line, "Exemple : ") {
				found = true
				example := line[strings.Index(line, "comptoir-sig-1"):]
				example = strings.ReplaceAll(example, "<S du ticket 41>", "<S of ticket 41>")
				if example != want {
					t.Errorf("%s: example %q\nCanonical    %q", file.Name, example, want)
				}
			}
		}
		if !found {
			t.Errorf("%s gives no example of the signed string", file.Name)
		}
	}
}

// The archive must verify with the public key alone: no private key is needed to check it.
func TestVerify_NeedsNoPrivateKey(t *testing.T) {
	b, r := smallArchive(t)
	for i := range r.keys {
		r.keys[i] = ed25519.PrivateKey(make([]byte, ed25519.PrivateKeySize))
	}
	if _, err := verify(t, b, archive.VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestVerify_RecordsBeforeTheFirstKey(t *testing.T) {
	// February starts before the register had a key: its first ticket and closing are verified
	// by their hash chain only, and the records after the key must be signed.
	r := shop(t, "")
	d := r.data("2026-02", exported)
	if d.Journal[0].Signature != nil {
		t.Fatal("the first record of February is signed")
	}
	rep, err := verify(t, r.write(d), archive.VerifyOptions{})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got, want := rep.Signed, rep.Tickets+rep.Closings+rep.Events+rep.Reprints+rep.Keys-2; got != want {
		t.Errorf("signed = %d, want %d (all but the two records before the key)", got, want)
	}

	// A signature on a record made before the first key is one no key can have made.
	d = r.data("2026-02", exported)
	signed := *d.Journal[2].Signature
	d.Journal[0].Signature = &signed
	_, err = verify(t, r.write(d), archive.VerifyOptions{})
	e := wantCode(t, err, comptoir.CodeArchiveBroken)
	if got, want := e.Message(comptoir.LangEN), "archive: signature before the first key, ticket 1 (ticket chain)"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestVerify_FileChangedMessage(t *testing.T) {
	b, _ := smallArchive(t)
	bodies := files(t, b)
	// The manifest keeps its digests: the file no longer matches them.
	forged := bytes.Replace(b, bodies[archive.FileEvents], bytes.Replace(bodies[archive.FileEvents], []byte("stop"), []byte("stap"), 1), 1)
	_, err := verify(t, forged, archive.VerifyOptions{})
	e := wantCode(t, err, comptoir.CodeArchiveBroken)
	for l, want := range map[comptoir.Lang]string{
		comptoir.LangFR: "archive : contenu différent de l'empreinte du manifeste, fichier events.jsonl (journal des événements techniques)",
		comptoir.LangEN: "archive: content differs from the manifest's hash, file events.jsonl (technical event log)",
	} {
		if got := e.Message(l); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
}

func TestReport_Summary(t *testing.T) {
	r := shop(t, comptoir.KeyReplaced)
	rep, err := verify(t, r.write(r.data("2026-03", exported)), archive.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gt := rep.GrandTotal
	for l, want := range map[comptoir.Lang]string{
		comptoir.LangFR: "archive intacte : période 2026-03, caisse R1, 6 tickets, 4 clôtures, 3 duplicatas, 4 événements techniques, 19 signatures vérifiées, clé " +
			r.fingerprint(2) + ", grand total perpétuel " + gt.Format(comptoir.LangFR) + " ; rupture déclarée : la clé 2 a remplacé une clé perdue",
		comptoir.LangEN: "archive intact: period 2026-03, register R1, 6 tickets, 4 closings, 3 reprints, 4 technical events, 19 signatures verified, key " +
			r.fingerprint(2) + ", perpetual grand total " + gt.Format(comptoir.LangEN) + "; declared break: key 2 replaced a lost key",
	} {
		if got := rep.Summary(l); got != want {
			t.Errorf("%s:\n got %q\nwant %q", l, got, want)
		}
	}
}

func TestVerify_ManifestSignedButWrong(t *testing.T) {
	// Whoever holds the key can sign any manifest: its totals must still be the closing's.
	r := shop(t, "")
	b := r.write(r.data("2026-03", exported))
	forged := resign(t, b, r.keys[0], func(name string, body []byte) []byte {
		if name != archive.FileManifest {
			return body
		}
		var m archive.Manifest
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		m.GrandTotal++
		out, _ := json.MarshalIndent(m, "", "  ")
		return append(out, '\n')
	})
	_, err := verify(t, forged, archive.VerifyOptions{})
	e := wantCode(t, err, comptoir.CodeArchiveBroken)
	if got, want := e.Message(comptoir.LangEN), "archive: totals differ from the manifest's, closing 6 (closing chain)"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}
