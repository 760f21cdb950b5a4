package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// TestStore_VerifyBeyondTheChain covers tamperings that leave every record's hash and link
// intact: they edit what the store keeps beside the journal.
func TestStore_VerifyBeyondTheChain(t *testing.T) {
	ctx := context.Background()
	afterTomorrow := day0.Add(24 * time.Hour)

	t.Run("CodeClosedPeriodTicket", func(t *testing.T) {
		path := buildJournal(t)
		// Deleting the index entry of the closing of 2026-03-10 reopens the day to the store.
		editDB(t, path, func(tx *bbolt.Tx) error {
			return registerBucket(t, tx, "closings", "R1").Delete([]byte("2026-03-10"))
		})
		s := mustOpen(t, path, opts(newClock(afterTomorrow)))
		mustRecord(t, s, at(day0.Add(time.Hour), byCard(line(pomme, 1))))
		rep := mustVerify(t, s)
		if rep.Broken == nil || rep.Broken.Code != comptoir.CodeClosedPeriodTicket {
			t.Fatalf("Verify: Broken = %v, want %s", rep.Broken, comptoir.CodeClosedPeriodTicket)
		}
		if got, want := comptoir.Message(rep.Broken, comptoir.LangFR), "ticket 21 : enregistré dans la période 2026-03-10 déjà clôturée"; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})

	t.Run("CodeDuplicateClosing", func(t *testing.T) {
		path := buildJournal(t)
		editDB(t, path, func(tx *bbolt.Tx) error {
			return registerBucket(t, tx, "closings", "R1").Delete([]byte("2026-03-10"))
		})
		s := mustOpen(t, path, opts(newClock(afterTomorrow)))
		mustClosePeriod(t, s, "2026-03-10")
		rep := mustVerify(t, s)
		if rep.Broken == nil || rep.Broken.Code != comptoir.CodeDuplicateClosing {
			t.Fatalf("Verify: Broken = %v, want %s", rep.Broken, comptoir.CodeDuplicateClosing)
		}
		if got, want := rep.At.Number, uint64(2); rep.At.Kind != comptoir.ClosingRecord || got != want {
			t.Errorf("At = %+v, want closing %d", rep.At, want)
		}
	})

	for _, tc := range []struct {
		name string
		day  string
		edit func(t *testing.T, tx *bbolt.Tx)
	}{
		{"days bucket of a closed day", "2026-03-10", func(t *testing.T, tx *bbolt.Tx) {
			days := registerBucket(t, tx, "days", "R1")
			v := append([]byte(nil), days.Get([]byte("2026-03-10"))...)
			if err := days.Put([]byte("2026-03-10"), bumpValueDigit(t, v, "total")); err != nil {
				t.Fatal(err)
			}
		}},
		{"today's totals in the head", "2026-03-11", func(t *testing.T, tx *bbolt.Tx) {
			meta := tx.Bucket([]byte("meta"))
			v := append([]byte(nil), meta.Get([]byte("head/R1"))...)
			if err := meta.Put([]byte("head/R1"), bumpValueDigit(t, v, "tickets")); err != nil {
				t.Fatal(err)
			}
		}},
		{"a day with no ticket given totals", "2026-03-09", func(t *testing.T, tx *bbolt.Tx) {
			days := registerBucket(t, tx, "days", "R1")
			if err := days.Put([]byte("2026-03-09"), days.Get([]byte("2026-03-10"))); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run("CodeRunningTotalsMismatch/"+tc.name, func(t *testing.T) {
			path := buildJournal(t)
			editDB(t, path, func(tx *bbolt.Tx) error { tc.edit(t, tx); return nil })
			s := mustOpen(t, path, opts(newClock(afterTomorrow)))
			rep := mustVerify(t, s)
			if rep.Broken == nil || rep.Broken.Code != comptoir.CodeRunningTotalsMismatch {
				t.Fatalf("Verify: Broken = %v, want %s", rep.Broken, comptoir.CodeRunningTotalsMismatch)
			}
			if got, want := rep.Broken.Args, []any{tc.day}; len(got) != 1 || got[0] != want[0] {
				t.Errorf("Broken.Args = %v, want %v", got, want)
			}
		})
	}

	t.Run("CodeCorruptRecord/closings index", func(t *testing.T) {
		path := buildJournal(t)
		editDB(t, path, func(tx *bbolt.Tx) error {
			return registerBucket(t, tx, "closings", "R1").Put([]byte("2026-03-10"), []byte{1, 2, 3})
		})
		s := mustOpen(t, path, opts(newClock(afterTomorrow)))
		_, _, err := s.Closing(ctx, "2026-03-10")
		wantErr(t, err, comptoir.ErrCorruptRecord)
		_, err = s.ClosePeriod(ctx, "2026-03-10")
		wantErr(t, err, comptoir.ErrCorruptRecord)
		_, err = s.ClosePeriod(ctx, "2026-03")
		if err == nil {
			t.Error("closing a month over a corrupt index succeeded")
		}
	})
}

func TestOpen_Refusals(t *testing.T) {
	t.Run("ErrUnknownRegister", func(t *testing.T) {
		path := dbPath(t)
		mustClose(t, mustOpen(t, path, store.Options{Register: "R1"}))
		s, err := store.Open(path, store.Options{Register: "R2", MustExist: true})
		if err == nil {
			s.Close()
			t.Fatal("Open(R2, MustExist) = nil error, want ErrUnknownRegister")
		}
		wantErr(t, err, comptoir.ErrUnknownRegister)
		// The refused open wrote nothing: R2 is still unknown.
		if _, err := store.Open(path, store.Options{Register: "R2", MustExist: true}); err == nil {
			t.Error("a refused open created the register")
		}
	})
	t.Run("ErrNotADatabase", func(t *testing.T) {
		dir := t.TempDir()
		text := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(text, []byte("gtin;name;price;vat\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{text, dir} {
			s, err := store.Open(path, store.Options{Timeout: 100 * time.Millisecond})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) = nil error, want ErrNotADatabase", path)
			}
			wantErr(t, err, comptoir.ErrNotADatabase)
		}
		if b, _ := os.ReadFile(text); string(b) != "gtin;name;price;vat\n" {
			t.Errorf("the text file was changed: %q", b)
		}
	})
}

// bumpValueDigit changes the first digit of the number after the last "key": in a stored value
// (a version byte, then JSON), keeping it valid JSON.
func bumpValueDigit(tb testing.TB, v []byte, key string) []byte {
	tb.Helper()
	i := bytes.LastIndex(v, []byte(`"`+key+`":`))
	if i < 1 {
		tb.Fatalf("no %q in value %s", key, v)
	}
	i += len(key) + 3
	if v[i] == '-' {
		i++
	}
	if v[i] < '0' || v[i] > '9' {
		tb.Fatalf("%q is followed by %q, want a digit", key, v[i:i+1])
	}
	v[i] = '1' + (v[i]-'0')%9
	return v
}
