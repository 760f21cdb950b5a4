package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// The journal record layout, as an attacker with the file and bbolt would see it.
const (
	recVersion = 0
	recKind    = 1
	recHash    = 2
	recBody    = 2 + sha256.Size
)

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// registerBucket finds one of a register's top-level buckets, such as journal/R1.
func registerBucket(tb testing.TB, tx *bbolt.Tx, kind, register string) *bbolt.Bucket {
	tb.Helper()
	b := tx.Bucket([]byte(kind + "/" + register))
	if b == nil {
		tb.Fatalf("no bucket %s/%s", kind, register)
	}
	return b
}

// ticketPos is the journal key of a ticket: its number, the kind byte 1, eight zero bytes.
func ticketPos(tb testing.TB, tx *bbolt.Tx, number uint64) []byte {
	tb.Helper()
	k := append(u64(number), 1, 0, 0, 0, 0, 0, 0, 0, 0)
	if registerBucket(tb, tx, "journal", "R1").Get(k) == nil {
		tb.Fatalf("ticket %d: no journal record under key %x", number, k)
	}
	return k
}

// closingPos finds the journal key of a period's closing: the closings index holds the closing
// number then the key.
func closingPos(tb testing.TB, tx *bbolt.Tx, period string) []byte {
	tb.Helper()
	v := registerBucket(tb, tx, "closings", "R1").Get([]byte(period))
	if len(v) != 8+17 {
		tb.Fatalf("closing %s: index value %x, want number and journal key", period, v)
	}
	return append([]byte(nil), v[8:]...)
}

// rewriteRecord changes the journal record at a position with edit, which gets a copy.
func rewriteRecord(tb testing.TB, tx *bbolt.Tx, pos []byte, edit func(rec []byte) []byte) {
	tb.Helper()
	j := registerBucket(tb, tx, "journal", "R1")
	v := j.Get(pos)
	if len(v) <= recBody {
		tb.Fatalf("journal record %x: %d bytes, too short", pos, len(v))
	}
	rec := edit(append([]byte(nil), v...))
	if err := j.Put(pos, rec); err != nil {
		tb.Fatalf("Put: %v", err)
	}
}

// bumpDigit changes the first digit of the value of the last occurrence of key in a JSON body,
// which for "total" is the ticket's own total rather than a line's.
func bumpDigit(tb testing.TB, rec []byte, key string) []byte {
	tb.Helper()
	i := bytes.LastIndex(rec[recBody:], []byte(`"`+key+`":`))
	if i < 0 {
		tb.Fatalf("no %q in record %s", key, rec[recBody:])
	}
	i += recBody + len(key) + 3
	if rec[i] == '-' {
		i++
	}
	if rec[i] < '0' || rec[i] > '9' {
		tb.Fatalf("%q is followed by %q, want a digit", key, rec[i:i+1])
	}
	rec[i] = '1' + (rec[i]-'0')%9 // another non-zero digit: the number stays valid JSON.
	return rec
}

// rehash recomputes a record's stored SHA-256 after its body was changed, as a forger would.
func rehash(rec []byte) []byte {
	sum := sha256.Sum256(rec[recBody:])
	copy(rec[recHash:recBody], sum[:])
	return rec
}

// replaceInBody changes old into new (same length) once in a record's body.
func replaceInBody(tb testing.TB, rec []byte, old, new string) []byte {
	tb.Helper()
	if len(old) != len(new) {
		tb.Fatalf("replaceInBody: %q and %q differ in length", old, new)
	}
	i := bytes.Index(rec[recBody:], []byte(old))
	if i < 0 {
		tb.Fatalf("no %q in record %s", old, rec[recBody:])
	}
	copy(rec[recBody+i:], new)
	return rec
}

// buildJournal records 20 tickets on two days, closing the first after ticket 10, with a refund
// and a training ticket among them, and closes the store. Ticket 7 is an ordinary sale.
func buildJournal(tb testing.TB) string {
	tb.Helper()
	path := dbPath(tb)
	clk := newClock(day0)
	o := opts(clk)
	o.NoSync = true
	s, err := store.Open(path, o)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	defer mustClose(tb, s)
	for n := 1; n <= 20; n++ {
		var d comptoir.SaleDraft
		switch n {
		case 4:
			d = refundOf(2, line(vin, 1))
		case 5:
			d = training(byCard(line(repas, 2)))
		default:
			d = byCard(line(pomme, int64(n)), line(vin, 1), line(journal, 2))
		}
		mustRecord(tb, s, d)
		if n == 10 {
			clk.Set(day0.Add(24 * time.Hour))
			mustClosePeriod(tb, s, "2026-03-10")
		}
	}
	return path
}

func TestStore_Verify(t *testing.T) {
	t.Run("Intact", func(t *testing.T) {
		clk := newClock(time.Date(2026, 2, 26, 9, 0, 0, 0, time.UTC))
		s := mustOpen(t, dbPath(t), opts(clk))
		var gt comptoir.Money
		record := func(d comptoir.SaleDraft) {
			t.Helper()
			sale := mustRecord(t, s, d)
			if !sale.Training {
				gt += sale.Total
			}
		}
		record(byCard(line(pomme, 2), line(vin, 1)))
		record(training(byCard(line(repas, 1))))
		record(byCard(line(journal, 3)))
		record(refundOf(1, line(pomme, 1)))
		clk.Set(time.Date(2026, 2, 27, 9, 0, 0, 0, time.UTC))
		mustClosePeriod(t, s, "2026-02-26")
		record(byCard(line(vin, 2)))
		record(training(refundOf(2, line(repas, 1))))
		clk.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		mustClosePeriod(t, s, "2026-02-27")
		mustClosePeriod(t, s, "2026-02")
		record(refundOf(5, line(vin, 1)))

		rep := mustVerify(t, s)
		if rep.Broken != nil {
			t.Fatalf("Verify: Broken = %v at %+v, want nil", rep.Broken, rep.At)
		}
		if rep.At != nil {
			t.Errorf("Verify: At = %+v, want nil", rep.At)
		}
		if got, want := rep.Tickets, int64(7); got != want {
			t.Errorf("Tickets = %d, want %d", got, want)
		}
		if got, want := rep.Closings, int64(3); got != want {
			t.Errorf("Closings = %d, want %d", got, want)
		}
		if got, want := rep.GrandTotal, gt; got != want {
			t.Errorf("GrandTotal = %d, want %d", got, want)
		}
		if got, want := rep.GrandTotal, mustGrandTotal(t, s); got != want {
			t.Errorf("GrandTotal = %d, want the store's %d", got, want)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := mustOpen(t, dbPath(t), opts(newClock(day0)))
		rep := mustVerify(t, s)
		if rep.Broken != nil || rep.Tickets != 0 || rep.Closings != 0 || rep.GrandTotal != 0 {
			t.Errorf("Verify of an empty journal = %+v, want zero and intact", rep)
		}
	})
}

func TestStore_Verify_Tamper(t *testing.T) {
	for _, tc := range []struct {
		name string
		// tamper changes the closed file.
		tamper func(t *testing.T, tx *bbolt.Tx)
		code   comptoir.Code
		kind   comptoir.RecordKind
		number uint64
		// fr is what the French explanation must name.
		fr string
		// forged is the record a forger edited and re-hashed: without the signing key, its
		// signature catches the edit there, first; the other expectations are those against a
		// forger who also holds the key and signs everything again (store.ResignAll).
		forged comptoir.RecordRef
	}{
		{
			name: "TicketBody",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte { return bumpDigit(t, rec, "total") })
			},
			code: comptoir.CodeHashMismatch, kind: comptoir.TicketRecord, number: 7, fr: "ticket 7",
		},
		{
			name: "TicketStoredHash",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte {
					rec[recHash+5] ^= 0x01
					return rec
				})
			},
			code: comptoir.CodeHashMismatch, kind: comptoir.TicketRecord, number: 7, fr: "ticket 7",
		},
		{
			name: "TicketVersionByte",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte {
					rec[recVersion]++
					return rec
				})
			},
			code: comptoir.CodeUnreadableRecord, kind: comptoir.TicketRecord, number: 7, fr: "ticket 7",
		},
		{
			name: "TicketKindByte",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte {
					rec[recKind] = 'X'
					return rec
				})
			},
			code: comptoir.CodeUnreadableRecord, kind: comptoir.TicketRecord, number: 7, fr: "ticket 7",
		},
		{
			name: "Closing",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, closingPos(t, tx, "2026-03-10"), func(rec []byte) []byte { return bumpDigit(t, rec, "total") })
			},
			code: comptoir.CodeHashMismatch, kind: comptoir.ClosingRecord, number: 1, fr: "clôture 1",
		},
		{
			// A forger who edits a ticket consistently (here the cashier's name) and stores
			// the new hash passes the record's own checks; the next ticket's link catches it.
			name: "RehashedTicket",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte {
					return rehash(replaceInBody(t, rec, `"cashier":"Alice"`, `"cashier":"Alicf"`))
				})
			},
			code: comptoir.CodeChainBroken, kind: comptoir.TicketRecord, number: 8, fr: "ticket 8",
			forged: comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 7},
		},
		{
			// Rehashing a changed total is caught on the ticket itself: its lines do not sum
			// to it.
			name: "RehashedTicketTotal",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte { return rehash(bumpDigit(t, rec, "total")) })
			},
			code: comptoir.CodeTotalsMismatch, kind: comptoir.TicketRecord, number: 7, fr: "ticket 7",
			forged: comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 7},
		},
		{
			name: "RehashedGrandTotal",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte { return rehash(bumpDigit(t, rec, "grand_total")) })
			},
			code: comptoir.CodeGrandTotalMismatch, kind: comptoir.TicketRecord, number: 7, fr: "ticket 7",
			forged: comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 7},
		},
		{
			name: "RehashedClosingTotals",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, closingPos(t, tx, "2026-03-10"), func(rec []byte) []byte { return rehash(bumpDigit(t, rec, "total")) })
			},
			code: comptoir.CodeTotalsMismatch, kind: comptoir.ClosingRecord, number: 1, fr: "clôture 1",
			forged: comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: 1},
		},
		{
			// The last ticket has no successor to link to it: the head catches it.
			name: "RehashedLastTicket",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				rewriteRecord(t, tx, ticketPos(t, tx, 20), func(rec []byte) []byte {
					return rehash(replaceInBody(t, rec, `"cashier":"Alice"`, `"cashier":"Alicf"`))
				})
			},
			code: comptoir.CodeChainBroken, kind: comptoir.TicketRecord, number: 20, fr: "ticket 20",
			forged: comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: 20},
		},
		{
			name: "DeletedLastRecord",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				j := registerBucket(t, tx, "journal", "R1")
				if err := j.Delete(ticketPos(t, tx, 20)); err != nil {
					t.Fatalf("Delete: %v", err)
				}
			},
			code: comptoir.CodeRecordMissing, kind: comptoir.TicketRecord, number: 20, fr: "ticket 20",
		},
		{
			name: "DeletedMiddleRecord",
			tamper: func(t *testing.T, tx *bbolt.Tx) {
				j := registerBucket(t, tx, "journal", "R1")
				if err := j.Delete(ticketPos(t, tx, 12)); err != nil {
					t.Fatalf("Delete: %v", err)
				}
			},
			code: comptoir.CodeRecordMissing, kind: comptoir.TicketRecord, number: 12, fr: "ticket 12",
		},
	} {
		if tc.forged.Number != 0 {
			t.Run(tc.name+"WithoutKey", func(t *testing.T) {
				path := buildJournal(t)
				editDB(t, path, func(tx *bbolt.Tx) error {
					tc.tamper(t, tx)
					return nil
				})
				s := mustOpen(t, path, opts(newClock(day0.Add(24*time.Hour))))
				rep := mustVerify(t, s)
				if rep.Broken == nil || rep.Broken.Code != comptoir.CodeSignatureInvalid || rep.At == nil || rep.At.Kind != tc.forged.Kind || rep.At.Number != tc.forged.Number {
					t.Fatalf("Verify = %v at %v, want %s at %v", rep.Broken, rep.At, comptoir.CodeSignatureInvalid, tc.forged)
				}
				if got, want := rep.Chain, comptoir.ChainOf(tc.forged.Kind); got != want {
					t.Errorf("Chain = %q, want %q", got, want)
				}
			})
		}
		t.Run(tc.name, func(t *testing.T) {
			path := buildJournal(t)
			editDB(t, path, func(tx *bbolt.Tx) error {
				tc.tamper(t, tx)
				if tc.forged.Number != 0 {
					return store.ResignAll(tx, "R1", path+".sign")
				}
				return nil
			})
			s := mustOpen(t, path, opts(newClock(day0.Add(24*time.Hour))))
			rep := mustVerify(t, s)
			if rep.Broken == nil {
				t.Fatalf("Verify: Broken = nil, want %s", tc.code)
			}
			if got, want := rep.Broken.Code, tc.code; got != want {
				t.Errorf("Broken.Code = %s (%v), want %s", got, rep.Broken, want)
			}
			if rep.At == nil {
				t.Fatalf("Verify: At = nil, want %s %d", tc.kind, tc.number)
			}
			if got, want := rep.At.Kind, tc.kind; got != want {
				t.Errorf("At.Kind = %q, want %q", got, want)
			}
			if got, want := rep.At.Number, tc.number; got != want {
				t.Errorf("At.Number = %d, want %d", got, want)
			}
			if msg := comptoir.Message(rep.Broken, comptoir.LangFR); !strings.Contains(msg, tc.fr) {
				t.Errorf("French message = %q, want it to name %q", msg, tc.fr)
			}
			if msg := comptoir.Message(rep.Broken, comptoir.LangEN); strings.Contains(msg, "%!") {
				t.Errorf("English message = %q, malformed", msg)
			}
		})
	}

	t.Run("DeletedLastClosing", func(t *testing.T) {
		path := buildJournal(t)
		clk := newClock(day0.Add(24 * time.Hour))
		s := mustOpen(t, path, opts(clk))
		c := mustClosePeriod(t, s, "2026-03-11")
		mustClose(t, s)
		editDB(t, path, func(tx *bbolt.Tx) error {
			return registerBucket(t, tx, "journal", "R1").Delete(closingPos(t, tx, c.Period))
		})
		s = mustOpen(t, path, opts(clk))
		rep := mustVerify(t, s)
		if rep.Broken == nil {
			t.Fatalf("Verify: Broken = nil, want %s", comptoir.CodeRecordMissing)
		}
		if got, want := rep.Broken.Code, comptoir.CodeRecordMissing; got != want {
			t.Errorf("Broken.Code = %s, want %s", got, want)
		}
		if msg := comptoir.Message(rep.Broken, comptoir.LangFR); !strings.Contains(msg, "clôture 2") {
			t.Errorf("French message = %q, want it to name %q", msg, "clôture 2")
		}
	})

	t.Run("Untouched", func(t *testing.T) {
		// The same journal, not tampered with, verifies: the failures above are the tampering.
		s := mustOpen(t, buildJournal(t), opts(newClock(day0.Add(24*time.Hour))))
		rep := mustVerify(t, s)
		if rep.Broken != nil {
			t.Fatalf("Verify: Broken = %v, want nil", rep.Broken)
		}
		if got, want := rep.Tickets, int64(20); got != want {
			t.Errorf("Tickets = %d, want %d", got, want)
		}
		if got, want := rep.Closings, int64(1); got != want {
			t.Errorf("Closings = %d, want %d", got, want)
		}
	})
}

// TestStore_OutboxRefusesAlteredRecord stops the outbox at a journal record altered on the disk
// without its hash, as verify does, rather than send a body forged to read as two records: the
// outbox copies record bytes into events without parsing them.
func TestStore_OutboxRefusesAlteredRecord(t *testing.T) {
	path := buildJournal(t)
	editDB(t, path, func(tx *bbolt.Tx) error {
		rewriteRecord(t, tx, ticketPos(t, tx, 7), func(rec []byte) []byte {
			body := bytes.Replace(rec[recBody:], []byte(`"cashier":"Alice"`), []byte(`"cashier":"Alice"},"hash":"forged","record":{"x":1`), 1)
			if bytes.Equal(body, rec[recBody:]) {
				t.Fatal("ticket 7 names no cashier Alice")
			}
			return append(rec[:recBody:recBody], body...)
		})
		return nil
	})
	s := mustOpen(t, path, opts(newClock(day0.Add(24*time.Hour))))
	events, err := s.Outbox(context.Background(), 0, 0)
	if err == nil || !strings.Contains(comptoir.Message(err, comptoir.LangFR), "ticket 7") {
		t.Fatalf("Outbox = %d events, err %v; want the altered ticket 7 refused", len(events), err)
	}
	if !errors.Is(err, comptoir.E(comptoir.CodeHashMismatch)) {
		t.Errorf("err = %v, want CodeHashMismatch", err)
	}
}
