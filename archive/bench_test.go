package archive_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
)

// yearOfTickets is a register's year 2026: 300 signed tickets a day of three lines each, every
// day closed, each month closed on the 1st of the next before the shop opens, the year on
// 2027-01-01.
func yearOfTickets(b *testing.B) *register {
	b.Helper()
	r := newRegister(b, 11)
	r.key(at("2025-12-31", 8), comptoir.KeyCreated)
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for ; day.Year() == 2026; day = day.AddDate(0, 0, 1) {
		d := day.Format("2006-01-02")
		if day.Day() == 1 && day.Month() != time.January {
			r.close(at(d, 7), day.AddDate(0, 0, -1).Format("2006-01"))
		}
		open := at(d, 8)
		for i := range 300 {
			r.sell(open.Add(time.Duration(i)*2*time.Minute), false, 0, pomme, vin, pomme)
		}
		r.close(at(d, 20), d)
	}
	r.close(at("2027-01-01", 7), "2026-12")
	r.close(at("2027-01-01", 7).Add(time.Minute), "2026")
	// The helper keeps every sale for reprints: a year of them is not needed any more.
	r.sales = nil
	return r
}

// BenchmarkArchive_Year exports and verifies a year of a busy register (about 110 000 signed
// tickets, 365 day closings, 12 month closings and the year's): the goal is under 2 s each.
func BenchmarkArchive_Year(b *testing.B) {
	r := yearOfTickets(b)
	d := r.data("2026", exported)
	if got, want := len(d.Journal), 365*300+365+12+1; got != want {
		b.Fatalf("journal = %d records, want %d", got, want)
	}
	var buf bytes.Buffer
	var export, check time.Duration
	for b.Loop() {
		buf.Reset()
		start := time.Now()
		if _, err := archive.Write(&buf, d, r.keys[0], 1); err != nil {
			b.Fatal(err)
		}
		written := time.Now()
		rep, err := archive.Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), archive.VerifyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		check += time.Since(written)
		export += written.Sub(start)
		if rep.Tickets != 365*300 {
			b.Fatal(fmt.Sprintf("verified %d tickets", rep.Tickets))
		}
	}
	b.ReportMetric(export.Seconds()/float64(b.N), "s/export")
	b.ReportMetric(check.Seconds()/float64(b.N), "s/verify")
	b.ReportMetric(float64(buf.Len())/(1<<20), "MiB")
}
