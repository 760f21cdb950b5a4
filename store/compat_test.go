package store_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/journaltest"
	"go.etcd.io/bbolt"
)

// oldJournal unpacks testdata/journal-before-vouchers.db.gz into a temporary file and returns its
// path. The file was made by the code of November 2026, before meal vouchers and cheques became
// payment methods of their own: `comptoir demo-data --start 2025-12-25 --days 10 --sales 80
// --seed 7`, so 80 tickets (some paid with a voucher under "other", refunds, training tickets),
// ten day closings and the closings of December 2025 and of the year 2025.
func oldJournal(tb testing.TB) string {
	tb.Helper()
	path := dbPath(tb)
	if err := journaltest.Unzip("testdata/journal-before-vouchers.db.gz", path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestCompat_JournalBeforeVouchers checks that a journal recorded before meal vouchers and cheques
// existed still verifies, that its records encode to the very bytes that were hashed (so nothing
// the new fields or methods added changes a canonical form), and that it goes on with tickets paid
// by the new methods.
func TestCompat_JournalBeforeVouchers(t *testing.T) {
	path := oldJournal(t)

	var records, others int
	editDB(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("journal/R1")).ForEach(func(k, v []byte) error {
			records++
			body := v[2+32:]
			var again []byte
			var err error
			switch v[1] {
			case 'T':
				var s comptoir.Sale
				if err = json.Unmarshal(body, &s); err == nil {
					again, err = json.Marshal(s)
				}
				for _, p := range s.Payments {
					if p.Method == comptoir.Other {
						others++
					}
				}
			case 'C':
				var c comptoir.Closing
				if err = json.Unmarshal(body, &c); err == nil {
					again, err = json.Marshal(c)
				}
			}
			if err != nil {
				t.Fatalf("record %x: %v", k, err)
			}
			if !bytes.Equal(again, body) {
				t.Errorf("record %x encodes differently today:\n%s\nwas\n%s", k, again, body)
			}
			return nil
		})
	})
	if got, want := records, 80+12; got != want {
		t.Fatalf("%d records in the old journal, want %d", got, want)
	}
	if others == 0 {
		t.Fatal("the old journal has no payment under other: it tests nothing about vouchers")
	}

	clk := newClock(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	s := mustOpen(t, path, opts(clk))
	rep := mustVerify(t, s)
	if rep.Broken != nil || rep.Tickets != 80 || rep.Closings != 12 || rep.GrandTotal != 174945 {
		t.Fatalf("Verify of the old journal = %+v (%v), want intact, 80 tickets, 12 closings, 1 749,45 €", rep, rep.Broken)
	}
	// The old closings keep their methods: the voucher payments stay under "other".
	dec, ok, err := s.Closing(t.Context(), "2025-12")
	if err != nil || !ok {
		t.Fatalf("Closing(2025-12) = %v, %v", ok, err)
	}
	var methods []string
	for _, m := range dec.Totals.ByMethod {
		methods = append(methods, string(m.Method))
	}
	if got, want := strings.Join(methods, ","), "cash,card,other"; got != want {
		t.Errorf("December's methods = %s, want %s", got, want)
	}

	// New tickets use the new methods, in the same journal, and the whole still verifies.
	d := byCard(line(vin, 2))
	d.Payments = []comptoir.Payment{pay(comptoir.MealVoucher, 900), pay(comptoir.Cheque, 1000), pay(comptoir.Cash, 1000)}
	sale := mustRecord(t, s, d)
	if got, want := sale.Change, comptoir.Money(500); got != want {
		t.Errorf("Change = %d, want %d", got, want)
	}
	c := mustClosePeriod(t, s, "2026-01-05")
	want := []comptoir.MethodTotal{{Method: comptoir.Cash, Amount: 500}, {Method: comptoir.MealVoucher, Amount: 900}, {Method: comptoir.Cheque, Amount: 1000}}
	if got := c.Totals.ByMethod; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("closing ByMethod = %+v, want %+v", got, want)
	}
	if rep := mustVerify(t, s); rep.Broken != nil || rep.Tickets != 81 || rep.Closings != 13 {
		t.Errorf("Verify after new methods = %+v (%v), want intact, 81 tickets, 13 closings", rep, rep.Broken)
	}
}

// TestCompat_SettingsStoredUnderOlderRules stores values that today's checks refuse, as the
// older code let them be stored, and reads them back: they load as they are, so that a tightened
// rule never stops the commands that read the settings.
func TestCompat_SettingsStoredUnderOlderRules(t *testing.T) {
	path := dbPath(t)
	s := mustOpen(t, path, opts(newClock(day0)))
	mustClose(t, s)
	old := map[string]string{"shop.name": "", "shop.vat-number": "FR99123456789", "points.per-euro": "500", "gdpr.notice-version": ""}
	editDB(t, path, func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("settings"))
		if err != nil {
			return err
		}
		for k, v := range old {
			enc, _ := json.Marshal(v)
			if err := b.Put([]byte(k), append([]byte{1}, enc...)); err != nil {
				return err
			}
		}
		return nil
	})
	s = mustOpen(t, path, opts(newClock(day0)))
	set, err := s.Settings(t.Context())
	if err != nil {
		t.Fatalf("Settings with values stored under older rules: %v", err)
	}
	for k, v := range old {
		if got := set.Get(k); got != v {
			t.Errorf("%s = %q, want %q as stored", k, got, v)
		}
	}
	// Setting another value works, and the stored ones are not checked again.
	if err := s.SetSetting(t.Context(), "shop.address", "1 rue de la Paix"); err != nil {
		t.Errorf("SetSetting beside values stored under older rules: %v", err)
	}
}
