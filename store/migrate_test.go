package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// readSchema reads meta/schema from a closed file.
func readSchema(tb testing.TB, path string) uint64 {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatalf("bbolt.Open: %v", err)
	}
	defer db.Close()
	var v []byte
	err = db.View(func(tx *bbolt.Tx) error {
		v = append(v, tx.Bucket([]byte("meta")).Get([]byte("schema"))...)
		return nil
	})
	if err != nil {
		tb.Fatalf("View: %v", err)
	}
	if len(v) != 8 {
		tb.Fatalf("meta/schema = %x, want 8 bytes", v)
	}
	return btoi(v)
}

func btoi(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func TestStore_Migrate(t *testing.T) {
	t.Run("FromVersion1", func(t *testing.T) {
		path := dbPath(t)
		clk := newClock(day0)
		s := mustOpen(t, path, opts(clk))
		mustRecord(t, s, byCard(line(pomme, 2), line(vin, 1)))
		mustRecord(t, s, training(byCard(line(repas, 1))))
		d := byCard(line(journal, 1))
		d.Payments = []comptoir.Payment{pay(comptoir.Cash, 500)}
		mustRecord(t, s, d)
		clk.Set(day0.Add(24 * time.Hour))
		mustClosePeriod(t, s, "2026-03-10")
		mustRecord(t, s, refundOf(1, line(pomme, 1)))
		mustRecord(t, s, byCard(line(repas, 2)))
		days := []string{"2026-03-10", "2026-03-11"}
		before := map[string]comptoir.Totals{}
		for _, day := range days {
			before[day] = mustDayTotals(t, s, day)
		}
		gt := mustGrandTotal(t, s)
		mustClose(t, s)
		if got, want := readSchema(t, path), uint64(7); got != want {
			t.Fatalf("schema of a new file = %d, want %d", got, want)
		}

		// A version-1 file had no running day totals.
		editDB(t, path, func(tx *bbolt.Tx) error {
			if err := tx.Bucket([]byte("meta")).Put([]byte("schema"), u64(1)); err != nil {
				return err
			}
			// Nor any member bucket, which came with version 3, nor users, which came with version 5.
			for _, b := range []string{"members", "personal", "datakeys", "cards", "lookup", "blocklist", "audit", "settings", "users"} {
				if err := tx.DeleteBucket([]byte(b)); err != nil {
					return err
				}
			}
			return tx.DeleteBucket([]byte("days/R1"))
		})

		s = mustOpen(t, path, opts(clk))
		for _, day := range days {
			got := mustDayTotals(t, s, day)
			if !got.Equal(before[day]) {
				t.Errorf("DayTotals(%s) after migration = %+v, want %+v", day, got, before[day])
			}
			if got.Tickets == 0 {
				t.Errorf("DayTotals(%s) after migration has no ticket", day)
			}
		}
		if got, want := mustGrandTotal(t, s), gt; got != want {
			t.Errorf("GrandTotal after migration = %d, want %d", got, want)
		}
		if rep := mustVerify(t, s); rep.Broken != nil {
			t.Errorf("Verify after migration: %v", rep.Broken)
		}
		// The rebuilt totals keep running.
		mustRecord(t, s, byCard(line(vin, 1)))
		if got, want := mustDayTotals(t, s, "2026-03-11").Total, before["2026-03-11"].Total+vin.Price; got != want {
			t.Errorf("DayTotals.Total after a new ticket = %d, want %d", got, want)
		}
		mustClose(t, s)
		if got, want := readSchema(t, path), uint64(7); got != want {
			t.Errorf("schema after migration = %d, want %d", got, want)
		}
	})

	t.Run("ErrSchemaTooNew", func(t *testing.T) {
		path := dbPath(t)
		s := mustOpen(t, path, opts(newClock(day0)))
		mustRecord(t, s, byCard(line(pomme, 1)))
		mustClose(t, s)
		editDB(t, path, func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("schema"), u64(99))
		})

		s, err := store.Open(path, opts(newClock(day0)))
		if err == nil {
			s.Close()
			t.Fatalf("Open of a schema 99 file = nil error, want ErrSchemaTooNew")
		}
		wantErr(t, err, comptoir.ErrSchemaTooNew)
		if got, want := errArgs(t, err), []any{uint64(99), uint64(7)}; !reflect.DeepEqual(got, want) {
			t.Errorf("error args = %v, want %v", got, want)
		}
		if got, want := readSchema(t, path), uint64(99); got != want {
			t.Errorf("schema after a refused open = %d, want %d (file untouched)", got, want)
		}
		// The file is released: another program may open it.
		editDB(t, path, func(tx *bbolt.Tx) error { return nil })
	})
}
