package store_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// rechain recomputes, from the journal record at pos on, every record's prev_hash and hash, and
// the head's last hash: what a forger without the signing key does after editing a record, so
// that every hash and link holds again.
func rechain(tb testing.TB, tx *bbolt.Tx, register string, from []byte) {
	tb.Helper()
	j := registerBucket(tb, tx, "journal", register)
	c := j.Cursor()
	var prevOld, prevNew string
	for k, v := c.Seek(from); k != nil; k, v = c.Next() {
		rec := append([]byte(nil), v...)
		if prevOld != "" && prevOld != prevNew {
			rec = replaceInBody(tb, rec, `"prev_hash":"`+prevOld+`"`, `"prev_hash":"`+prevNew+`"`)
		}
		prevOld = hex.EncodeToString(rec[recHash:recBody])
		rec = rehash(rec)
		prevNew = hex.EncodeToString(rec[recHash:recBody])
		if err := j.Put(k, rec); err != nil {
			tb.Fatal(err)
		}
	}
	setHead(tb, tx, register, func(h map[string]any) { h["last_hash"] = prevNew })
}

// setHead edits the register's head as a forger with bbolt would.
func setHead(tb testing.TB, tx *bbolt.Tx, register string, edit func(map[string]any)) {
	tb.Helper()
	meta := tx.Bucket([]byte("meta"))
	key := []byte("head/" + register)
	v := meta.Get(key)
	var h map[string]any
	if err := json.Unmarshal(v[1:], &h); err != nil {
		tb.Fatal(err)
	}
	edit(h)
	b, err := json.Marshal(h)
	if err != nil {
		tb.Fatal(err)
	}
	if err := meta.Put(key, append([]byte{v[0]}, b...)); err != nil {
		tb.Fatal(err)
	}
}

// TestSigning_ForgerRecomputingTheChain edits one ticket and recomputes every later hash and link
// and the head, as a forger with the file but without the signing key would: the hash chain holds,
// and the edited ticket's signature names it. The same forger holding the key passes verify: the
// closing's hash, printed on its Z report and held by the central, is then what differs.
func TestSigning_ForgerRecomputingTheChain(t *testing.T) {
	for _, withKey := range []bool{false, true} {
		path := buildJournal(t)
		s := mustOpen(t, path, opts(newClock(day0.Add(24*time.Hour))))
		before, _, err := s.Closing(t.Context(), "2026-03-10")
		if err != nil || before.Signature == "" || before.GrandTotalAbs == 0 {
			t.Fatalf("Closing = %+v, %v: want a signed closing with its grand total in absolute value", before, err)
		}
		mustClose(t, s)
		editDB(t, path, func(tx *bbolt.Tx) error {
			pos := ticketPos(t, tx, 7)
			rewriteRecord(t, tx, pos, func(rec []byte) []byte {
				return replaceInBody(t, rec, `"cashier":"Alice"`, `"cashier":"Alicf"`)
			})
			rechain(t, tx, "R1", pos)
			if withKey {
				return store.ResignAll(tx, "R1", path+".sign")
			}
			return nil
		})
		s = mustOpen(t, path, opts(newClock(day0.Add(24*time.Hour))))
		rep := mustVerify(t, s)
		if !withKey {
			if rep.Broken == nil || rep.Broken.Code != comptoir.CodeSignatureInvalid || rep.At == nil || rep.At.Number != 7 || rep.At.Kind != comptoir.TicketRecord {
				t.Fatalf("Verify after a forgery without the key = %v at %+v, want ticket 7's signature", rep.Broken, rep.At)
			}
			if got, want := rep.Chain, comptoir.ChainTickets; got != want {
				t.Errorf("Chain = %q, want %q", got, want)
			}
			if msg := comptoir.Message(rep.Broken, comptoir.LangFR); !strings.Contains(msg, "ticket 7") || !strings.Contains(msg, "chaîne des tickets") {
				t.Errorf("French sentence = %q, want it to name ticket 7 and its chain", msg)
			}
		} else {
			if rep.Broken != nil {
				t.Fatalf("Verify after a forgery with the key = %v, want intact (the key's holder is the limit of signatures)", rep.Broken)
			}
			after, _, err := s.Closing(t.Context(), "2026-03-10")
			if err != nil || after.Hash == before.Hash {
				t.Errorf("the closing's hash after the forgery = %s, want it to differ from the printed %s", after.Hash, before.Hash)
			}
		}
		mustClose(t, s)
	}
}

// signedJournal records a few tickets, prints duplicates and logs technical events, and returns
// the file's path, closed.
func signedJournal(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustImport(t, s, pomme, vin)
	sale := mustRecord(t, s, byCard(line(pomme, 2)))
	for range 4 {
		if _, err := s.MarkPrinted(ctx, sale.Number); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []comptoir.TechCode{comptoir.TechStart, comptoir.TechTrainingOn, comptoir.TechTrainingOff, comptoir.TechStop} {
		if err := s.LogEvent(ctx, code, "gerant", "detail"); err != nil {
			t.Fatal(err)
		}
	}
	mustRecord(t, s, byCard(line(vin, 1)))
	rep := mustVerify(t, s)
	if rep.Broken != nil || rep.Reprints != 3 || rep.Events != 5 || rep.Keys != 1 || rep.Signed != 2+3+5+1 {
		t.Fatalf("Verify = %+v (%v), want intact, 3 reprints, 5 events (import and four), 1 key, 11 signed", rep, rep.Broken)
	}
	mustClose(t, s)
	return path
}

// TestSigning_DeletedRecordsCaught deletes, from the reprint and technical event chains, a
// record in the middle and the last one, and renumbers the chain after a deletion as a forger
// would: each is caught and named with its chain.
func TestSigning_DeletedRecordsCaught(t *testing.T) {
	for _, tc := range []struct {
		name   string
		bucket string
		edit   func(t *testing.T, b *bbolt.Bucket)
		code   comptoir.Code
		ref    comptoir.RecordRef
	}{
		{"MiddleReprint", "reprints", func(t *testing.T, b *bbolt.Bucket) { b.Delete(u64(2)) },
			comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.ReprintRecord, Number: 2}},
		{"LastReprint", "reprints", func(t *testing.T, b *bbolt.Bucket) { b.Delete(u64(3)) },
			comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.ReprintRecord, Number: 3}},
		{"MiddleEvent", "techlog", func(t *testing.T, b *bbolt.Bucket) { b.Delete(u64(3)) },
			comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.EventRecord, Number: 3}},
		{"LastEvent", "techlog", func(t *testing.T, b *bbolt.Bucket) { b.Delete(u64(5)) },
			comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.EventRecord, Number: 5}},
		{
			// Event 3 deleted, event 4 moved into its place with its number, link and hash made
			// right: the signature, over the number and the previous signature, catches it.
			"RenumberedEvent", "techlog", func(t *testing.T, b *bbolt.Bucket) {
				prev := b.Get(u64(2))
				next := append([]byte(nil), b.Get(u64(4))...)
				next = replaceInBody(t, next, `"number":4`, `"number":3`)
				old := b.Get(u64(3))
				next = replaceInBody(t, next, `"prev_hash":"`+hex.EncodeToString(old[recHash:recBody])+`"`,
					`"prev_hash":"`+hex.EncodeToString(prev[recHash:recBody])+`"`)
				b.Delete(u64(4))
				b.Put(u64(3), rehash(next))
			},
			comptoir.CodeSignatureInvalid, comptoir.RecordRef{Kind: comptoir.EventRecord, Number: 3},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := signedJournal(t)
			editDB(t, path, func(tx *bbolt.Tx) error {
				tc.edit(t, registerBucket(t, tx, tc.bucket, "R1"))
				return nil
			})
			s := mustOpen(t, path, opts(newClock(day0)))
			rep := mustVerify(t, s)
			if rep.Broken == nil || rep.At == nil {
				t.Fatalf("Verify = intact, want %s at %+v", tc.code, tc.ref)
			}
			if got, want := rep.Broken.Code, tc.code; got != want {
				t.Errorf("Broken = %v, want %s", rep.Broken, want)
			}
			if rep.At.Kind != tc.ref.Kind || rep.At.Number != tc.ref.Number {
				t.Errorf("At = %+v, want %+v", *rep.At, tc.ref)
			}
			if got, want := rep.Chain, comptoir.ChainOf(tc.ref.Kind); got != want {
				t.Errorf("Chain = %q, want %q", got, want)
			}
		})
	}
}

// TestSigning_RotateAndReplace rotates the key (the chain goes on, signed by the old key), then
// loses it: the register refuses to record until the loss is declared, and the replacement is a
// declared break that verify names while the journal stays intact.
func TestSigning_RotateAndReplace(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustRecord(t, s, byCard(line(pomme, 1)))
	first, err := s.SigningKey(ctx)
	if err != nil || first.Number != 1 || first.Reason != comptoir.KeyCreated || len(first.Fingerprint) != 24 {
		t.Fatalf("SigningKey = %+v, %v; want key 1, created, with a fingerprint", first, err)
	}
	if _, err := s.ReplaceKey(ctx, "gerant"); !isCode(err, comptoir.CodeSigningKeyPresent) {
		t.Errorf("ReplaceKey of a key that is there = %v, want %s", err, comptoir.CodeSigningKeyPresent)
	}
	second, err := s.RotateKey(ctx, "gerant")
	if err != nil || second.Number != 2 || second.Reason != comptoir.KeyRotated || second.Fingerprint == first.Fingerprint {
		t.Fatalf("RotateKey = %+v, %v; want key 2, rotated, a new fingerprint", second, err)
	}
	if pub, err := store.SigningPublicKey(path + ".sign"); err != nil || comptoir.KeyFingerprint(pub) != second.Fingerprint {
		t.Errorf("key file after rotation holds %v (%v), want key 2", pub, err)
	}
	if _, err := os.Stat(path + ".sign.new"); !os.IsNotExist(err) {
		t.Errorf("the rotation's working file is left: %v", err)
	}
	sale := mustRecord(t, s, byCard(line(vin, 1)))
	if sale.Signature == "" {
		t.Error("a ticket after rotation is not signed")
	}
	if rep := mustVerify(t, s); rep.Broken != nil || rep.Keys != 2 || len(rep.Breaks) != 0 {
		t.Fatalf("Verify after rotation = %+v (%v), want intact, two keys, no break", rep, rep.Broken)
	}
	mustClose(t, s)

	// The key file is lost: nothing can be recorded, and the sentence says what to do.
	if err := os.Remove(path + ".sign"); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, opts(newClock(day0)))
	defer mustClose(t, s)
	_, err = s.RecordSale(ctx, byCard(line(vin, 1)))
	wantErr(t, err, comptoir.E(comptoir.CodeSigningKeyMissing))
	if msg := comptoir.Message(err, comptoir.LangFR); !strings.Contains(msg, "comptoir key replace") {
		t.Errorf("French sentence = %q, want it to name comptoir key replace", msg)
	}
	if n := mustLastTicket(t, s); n != 2 {
		t.Errorf("LastTicket after a refused sale = %d, want 2", n)
	}
	third, err := s.ReplaceKey(ctx, "gerant")
	if err != nil || third.Number != 3 || third.Reason != comptoir.KeyReplaced {
		t.Fatalf("ReplaceKey = %+v, %v; want key 3, replaced", third, err)
	}
	mustRecord(t, s, byCard(line(vin, 1)))
	rep := mustVerify(t, s)
	if rep.Broken != nil || rep.Keys != 3 || len(rep.Breaks) != 1 || rep.Breaks[0].Number != 3 {
		t.Fatalf("Verify after replacement = %+v (%v), want intact, three keys, the break of key 3", rep, rep.Broken)
	}
	events, err := s.TechEvents(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range events {
		codes = append(codes, string(e.Code))
	}
	if got := strings.Join(codes, ","); !strings.Contains(got, "key-rotated") || !strings.Contains(got, "key-replaced") {
		t.Errorf("technical events = %s, want the rotation and the replacement", got)
	}
}

// TestSigning_KeyFileRefused refuses a key file others can read and one that is not the key the
// journal declares, without recording anything.
func TestSigning_KeyFileRefused(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustRecord(t, s, byCard(line(pomme, 1)))
	mustClose(t, s)

	if err := os.Chmod(path+".sign", 0o644); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, opts(newClock(day0)))
	_, err := s.RecordSale(ctx, byCard(line(pomme, 1)))
	wantErr(t, err, comptoir.E(comptoir.CodeSigningKeyPermissions))
	// A key refused for its permissions is not lost: replacing it is refused the same way, and
	// the file stays.
	_, err = s.ReplaceKey(ctx, "anne")
	wantErr(t, err, comptoir.E(comptoir.CodeSigningKeyPermissions))
	if _, err := os.Stat(path + ".sign"); err != nil {
		t.Errorf("key file after a refused replacement: %v", err)
	}
	mustClose(t, s)
	if err := os.Chmod(path+".sign", 0o600); err != nil {
		t.Fatal(err)
	}

	// Another register's key file in its place.
	other := dbPath(t)
	o := mustOpen(t, other, opts(newClock(day0)))
	mustRecord(t, o, byCard(line(pomme, 1)))
	mustClose(t, o)
	data, err := os.ReadFile(other + ".sign")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".sign", data, 0o600); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, opts(newClock(day0)))
	defer mustClose(t, s)
	_, err = s.RecordSale(ctx, byCard(line(pomme, 1)))
	wantErr(t, err, comptoir.E(comptoir.CodeSigningKeyMismatch))
	if n := mustLastTicket(t, s); n != 1 {
		t.Errorf("LastTicket after refusals = %d, want 1", n)
	}
	// Another register's key is not this journal's: a replacement sets it aside, mode 0600,
	// beside a file of the same name left by an earlier one, never over it.
	if err := os.WriteFile(path+".sign.replaced-1", []byte("earlier"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceKey(ctx, "anne"); err != nil {
		t.Fatalf("ReplaceKey over another register's key: %v", err)
	}
	if got, err := os.ReadFile(path + ".sign.replaced-1"); err != nil || string(got) != "earlier" {
		t.Errorf("the earlier set-aside file = %q, %v; want it untouched", got, err)
	}
	if fi, err := os.Stat(path + ".sign.replaced-1-1"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the set-aside key: %v, %v; want it kept, mode 0600", fi, err)
	}
	mustRecord(t, s, byCard(line(pomme, 1)))
	if rep := mustVerify(t, s); rep.Broken != nil || len(rep.Breaks) != 1 {
		t.Errorf("Verify after the replacement = %v, %d breaks; want intact with one", rep.Broken, len(rep.Breaks))
	}
}

// TestSigning_SeedGivesSameJournal records the same tickets in two files with the same signing
// seed and clock: their signatures are the same, so demo data stays reproducible.
func TestSigning_SeedGivesSameJournal(t *testing.T) {
	var sigs [2][]string
	for i := range 2 {
		clk := newClock(day0)
		o := opts(clk)
		o.SigningSeed = []byte("seed 7")
		s := mustOpen(t, dbPath(t), o)
		for _, p := range []comptoir.Product{pomme, vin} {
			sigs[i] = append(sigs[i], mustRecord(t, s, byCard(line(p, 1))).Signature)
		}
		clk.Set(day0.Add(24 * time.Hour))
		sigs[i] = append(sigs[i], mustClosePeriod(t, s, "2026-03-10").Signature)
		mustClose(t, s)
	}
	if strings.Join(sigs[0], ",") != strings.Join(sigs[1], ",") || sigs[0][0] == "" {
		t.Errorf("signatures with the same seed differ: %v and %v", sigs[0], sigs[1])
	}
}

// TestSigning_TechEvents checks the log's refusals, its cut details, and the listing's since and
// limit; logins and refused PINs are logged by the store itself.
func TestSigning_TechEvents(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	s := mustOpen(t, dbPath(t), opts(clk))
	defer mustClose(t, s)
	if err := s.LogEvent(ctx, "coffee-break", "", ""); !isCode(err, comptoir.CodeUnknownTechEvent) {
		t.Errorf("LogEvent of an unknown code = %v, want %s", err, comptoir.CodeUnknownTechEvent)
	}
	long := strings.Repeat("é", comptoir.MaxTechDetail)
	if err := s.LogEvent(ctx, comptoir.TechSaleError, "anne", long); err != nil {
		t.Fatal(err)
	}
	clk.Set(day0.Add(time.Hour))
	if err := s.LogEvent(ctx, comptoir.TechStart, "", "v1"); err != nil {
		t.Fatal(err)
	}
	all, err := s.TechEvents(ctx, time.Time{}, 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("TechEvents = %d events, %v; want 2", len(all), err)
	}
	if d := all[0].Detail; len(d) > comptoir.MaxTechDetail || !strings.HasPrefix(long, d) || len(d) < comptoir.MaxTechDetail-1 {
		t.Errorf("a long detail kept %d bytes, want it cut to %d on a character", len(d), comptoir.MaxTechDetail)
	}
	if all[0].Number != 1 || all[1].Number != 2 || all[1].PrevHash != all[0].Hash || all[1].Signature == "" {
		t.Errorf("events = %+v, want numbered, linked and signed", all)
	}
	if got, err := s.TechEvents(ctx, day0.Add(30*time.Minute), 0); err != nil || len(got) != 1 || got[0].Code != comptoir.TechStart {
		t.Errorf("TechEvents since half an hour = %+v, %v; want the start alone", got, err)
	}
	if got, err := s.TechEvents(ctx, time.Time{}, 1); err != nil || len(got) != 1 || got[0].Number != 2 {
		t.Errorf("TechEvents limit 1 = %+v, %v; want the latest", got, err)
	}
}

// TestCompat_JournalBeforeSignatures opens a journal made before signatures existed: it migrates
// and verifies by its hash chain; its first new record brings the first key, whose record says
// signing starts after the old records; a forger who rewrites an old ticket and recomputes every
// later hash is caught at the first signed record, whose signature covers its link.
func TestCompat_JournalBeforeSignatures(t *testing.T) {
	path := oldJournal(t)
	clk := newClock(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	s := mustOpen(t, path, opts(clk))
	rep := mustVerify(t, s)
	if rep.Broken != nil || rep.Signed != 0 || rep.Keys != 0 || rep.Tickets != 80 {
		t.Fatalf("Verify of the migrated journal = %+v (%v), want intact, unsigned, 80 tickets", rep, rep.Broken)
	}
	sale := mustRecord(t, s, byCard(line(vin, 1)))
	c := mustClosePeriod(t, s, "2026-01-05")
	if sale.Signature == "" || c.Signature == "" {
		t.Fatal("the new ticket and closing are not signed")
	}
	// The closing's grand total in absolute value sums every old ticket too: the migration
	// counted them.
	var abs comptoir.Money
	for n := uint64(1); n <= 81; n++ {
		abs = comptoir.AbsGrandTotal(abs, mustSale(t, s, n))
	}
	if got, want := c.GrandTotalAbs, abs; got != want {
		t.Errorf("GrandTotalAbs = %d, want %d", got, want)
	}
	rep = mustVerify(t, s)
	if rep.Broken != nil || rep.Keys != 1 || rep.Signed != 3 || rep.Tickets != 81 {
		t.Fatalf("Verify after the first signed records = %+v (%v), want intact, 1 key, 3 signed", rep, rep.Broken)
	}
	mustClose(t, s)

	editDB(t, path, func(tx *bbolt.Tx) error {
		pos := ticketPos(t, tx, 40)
		rewriteRecord(t, tx, pos, func(rec []byte) []byte {
			// The cashier's name changes by one letter: nothing but the hash and the
			// signatures could tell.
			i := bytes.Index(rec, []byte(`"cashier":"`)) + len(`"cashier":"`)
			rec[i] ^= 0x20
			return rec
		})
		rechain(t, tx, "R1", pos)
		return nil
	})
	s = mustOpen(t, path, opts(clk))
	defer mustClose(t, s)
	rep = mustVerify(t, s)
	if rep.Broken == nil || rep.At == nil || rep.At.Kind != comptoir.TicketRecord || rep.At.Number != 81 {
		t.Fatalf("Verify after rewriting an old ticket = %v at %+v, want ticket 81, the first signed", rep.Broken, rep.At)
	}
}

// TestSigning_StoreLogsItsOwnEvents checks the technical events the store writes in the same
// transaction as what they record: a catalogue import, a setting, a login and a refused PIN. A
// logout's event is the screen's, which knows why the session ended.
func TestSigning_StoreLogsItsOwnEvents(t *testing.T) {
	ctx := context.Background()
	o := opts(newClock(day0))
	o.PINIterations = 1000
	s := mustOpen(t, dbPath(t), o)
	defer mustClose(t, s)
	mustImport(t, s, pomme, vin)
	if err := s.SetSetting(comptoir.WithActor(ctx, "anne"), "shop.name", "Épicerie Martin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "anne", Role: comptoir.RoleManager, PIN: "2468"}, "setup"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "anne", "1111"); err == nil {
		t.Fatal("a wrong PIN was accepted")
	}
	if _, err := s.Authenticate(ctx, "anne", "2468"); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, "anne"); err != nil {
		t.Fatal(err)
	}
	events, err := s.TechEvents(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, string(e.Code)+"/"+e.User+"/"+e.Detail)
	}
	want := []string{"catalog-import//2 products", "settings-changed/anne/shop.name = Épicerie Martin",
		"pin-refused/anne/login_refused", "login/anne/"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("technical events =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep := mustVerify(t, s); rep.Broken != nil || rep.Events != 4 {
		t.Errorf("Verify = %+v (%v), want intact with 4 events", rep, rep.Broken)
	}
}

// TestSigning_TailDeletedBeforeAClosing deletes the last technical event with its signature and
// moves the head back to the event before, as a forger without the key would: the chains alone
// then hold, but the day's closing recorded how far the log went, and verify names the event.
func TestSigning_TailDeletedBeforeAClosing(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	mustRecord(t, s, byCard(line(pomme, 1)))
	for _, code := range []comptoir.TechCode{comptoir.TechStart, comptoir.TechPINRefused, comptoir.TechSettingsChanged} {
		if err := s.LogEvent(ctx, code, "anne", ""); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(day0.Add(24 * time.Hour))
	c := mustClosePeriod(t, s, "2026-03-10")
	if len(c.Chains) == 0 {
		t.Fatalf("closing chains = %+v, want the heads of the other chains", c.Chains)
	}
	events, err := s.TechEvents(ctx, time.Time{}, 0)
	if err != nil || len(events) != 3 {
		t.Fatalf("TechEvents = %d, %v", len(events), err)
	}
	mustClose(t, s)
	prev := events[1]
	editDB(t, path, func(tx *bbolt.Tx) error {
		registerBucket(t, tx, "techlog", "R1").Delete(u64(3))
		registerBucket(t, tx, "sigs", "R1").Delete(append([]byte{'e'}, u64(3)...))
		setHead(t, tx, "R1", func(h map[string]any) {
			h["chains"].(map[string]any)["events"] = map[string]any{"number": 2, "hash": prev.Hash, "signature": prev.Signature}
		})
		return nil
	})
	s = mustOpen(t, path, opts(clk))
	defer mustClose(t, s)
	rep := mustVerify(t, s)
	if rep.Broken == nil || rep.Broken.Code != comptoir.CodeRecordMissing || rep.At == nil || rep.At.Kind != comptoir.EventRecord || rep.At.Number != 3 {
		t.Fatalf("Verify = %v at %+v, want technical event 3 missing", rep.Broken, rep.At)
	}
	if got, want := rep.Chain, comptoir.ChainEvents; got != want {
		t.Errorf("Chain = %q, want %q", got, want)
	}
}
