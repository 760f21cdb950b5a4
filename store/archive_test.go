package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
	"github.com/comptoir/comptoir/internal/journaltest"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// threeMonths fills February to April 2026, three tickets a day, with reprints and technical
// events on the way, every day and the months of February and March closed; the clock stands on
// the last day.
func threeMonths(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	last := time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)
	clk := newClock(last.Add(20 * time.Hour))
	o := opts(clk)
	o.NoSync = true
	s := mustOpen(t, dbPath(t), o)
	mustImport(t, s, pomme, vin)
	err := journaltest.FillDays(ctx, s, last, 69, 3, func(i int, at time.Time) comptoir.SaleDraft {
		d := byCard(line(pomme, int64(1+i)))
		d.At = at
		return d
	})
	if err != nil {
		t.Fatal(err)
	}
	// Prints and events are dated by the clock: two of each land in March, one in April. The
	// first print of a ticket is its receipt, so March holds one reprint and April the other.
	for _, when := range []time.Time{time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC), last.Add(12 * time.Hour)} {
		clk.Set(when)
		if _, err := s.MarkPrinted(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.LogEvent(ctx, comptoir.TechStart, "", "test"); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(last.Add(20 * time.Hour))
	return s
}

// TestExportArchive_Verifies exports a closed month and checks it with the verifier alone: intact,
// with the month's tickets, its day and month closings, the reprints and events of its days; the
// export is a technical event. A day, and a month not closed, are refused.
func TestExportArchive_Verifies(t *testing.T) {
	ctx := context.Background()
	s := threeMonths(t)
	defer mustClose(t, s)
	var buf bytes.Buffer
	sum, err := s.ExportArchive(ctx, "2026-03", &buf, "gerant")
	if err != nil {
		t.Fatalf("ExportArchive: %v", err)
	}
	if sum.Tickets != 31*3 || sum.Closings < 32 || sum.Keys != 1 || sum.Bytes != int64(buf.Len()) {
		t.Errorf("summary = %+v, want 93 tickets, 31 days and the month closed, one key, %d bytes", sum, buf.Len())
	}
	key, err := s.SigningKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := archive.Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), archive.VerifyOptions{KeyFingerprint: key.Fingerprint})
	if err != nil {
		t.Fatalf("Verify of the exported archive: %v", err)
	}
	march, _, err := s.Closing(ctx, "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Tickets != 93 || rep.Reprints != 1 || rep.Events != 2 || !rep.Totals.Equal(march.Totals) || rep.GrandTotal != march.GrandTotal || rep.GrandTotalAbs != march.GrandTotalAbs {
		t.Errorf("report = %+v, want March's 93 tickets, 1 reprint, 2 events, and its closing's totals", rep)
	}
	events, err := s.TechEvents(ctx, time.Time{}, 1)
	if err != nil || len(events) != 1 || events[0].Code != comptoir.TechArchiveExport || events[0].User != "gerant" {
		t.Errorf("last technical event = %+v, %v; want the export, by gerant", events, err)
	}

	for _, period := range []string{"2026-04", "2026-03-05", "2026-13"} {
		if _, err := s.ExportArchive(ctx, period, &bytes.Buffer{}, "gerant"); err == nil {
			t.Errorf("ExportArchive(%s) = nil error, want a refusal", period)
		}
	}
	if _, err := s.ExportArchive(ctx, "2026-04", &bytes.Buffer{}, ""); !isCode(err, comptoir.CodePeriodNotClosed) {
		t.Errorf("ExportArchive of an open month = %v, want %s", err, comptoir.CodePeriodNotClosed)
	}
}

// TestExportArchive_ForgedTicket exports the month after a forger without the key rewrote one of
// its tickets and every later hash: the archive's own signature holds (the register signed what
// it read), but its verification names the ticket.
func TestExportArchive_ForgedTicket(t *testing.T) {
	ctx := context.Background()
	s := threeMonths(t)
	path := s.Path()
	mustClose(t, s)
	if _, err := journaltest.ForgeTicket(path, "R1", 100); err != nil {
		t.Fatal(err)
	}
	o := opts(newClock(time.Date(2026, 4, 10, 20, 0, 0, 0, time.UTC)))
	s = mustOpen(t, path, o)
	defer mustClose(t, s)
	var buf bytes.Buffer
	if _, err := s.ExportArchive(ctx, "2026-03", &buf, "gerant"); err != nil {
		t.Fatal(err)
	}
	_, err := archive.Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), archive.VerifyOptions{})
	if err == nil {
		t.Fatal("Verify of an archive holding a forged ticket = nil error")
	}
	if msg := comptoir.Message(err, comptoir.LangEN); !bytes.Contains([]byte(msg), []byte("ticket 100")) {
		t.Errorf("refusal = %q, want it to name ticket 100", msg)
	}
}

// TestExportArchive_ClosingCountsTheNextMorning closes March on the morning of April 1st, after a
// login that day: the month's closing counted that event, so the archive holds it although its
// day is April's, and verifies. With that event deleted and the head moved back, the archive no
// longer verifies: the closing says how far the log went.
func TestExportArchive_ClosingCountsTheNextMorning(t *testing.T) {
	ctx := context.Background()
	clk := newClock(time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC))
	path := dbPath(t)
	s := mustOpen(t, path, opts(clk))
	mustRecord(t, s, at(clk.Now(), byCard(line(pomme, 1))))
	if err := s.LogEvent(ctx, comptoir.TechStart, "", "march"); err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC))
	if err := s.LogEvent(ctx, comptoir.TechStart, "", "april"); err != nil {
		t.Fatal(err)
	}
	mustClosePeriod(t, s, "2026-03-31")
	mustClosePeriod(t, s, "2026-03")
	export := func() ([]byte, comptoir.ArchiveSummary) {
		t.Helper()
		var buf bytes.Buffer
		sum, err := s.ExportArchive(ctx, "2026-03", &buf, "")
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), sum
	}
	data, sum := export()
	if sum.Events != 2 {
		t.Errorf("archive events = %d, want March's and the one of April 1st the closing counted", sum.Events)
	}
	if _, err := archive.Verify(bytes.NewReader(data), int64(len(data)), archive.VerifyOptions{}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	events, err := s.TechEvents(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)

	// The forger deletes the April event and everything after it, and moves the head back.
	editDB(t, path, func(tx *bbolt.Tx) error {
		log := registerBucket(t, tx, "techlog", "R1")
		for _, e := range events {
			if e.Number >= 2 {
				log.Delete(u64(e.Number))
				registerBucket(t, tx, "sigs", "R1").Delete(append([]byte{'e'}, u64(e.Number)...))
			}
		}
		setHead(t, tx, "R1", func(h map[string]any) {
			h["chains"].(map[string]any)["events"] = map[string]any{"number": 1, "hash": events[0].Hash, "signature": events[0].Signature}
		})
		return nil
	})
	s = mustOpen(t, path, opts(clk))
	defer mustClose(t, s)
	if rep := mustVerify(t, s); rep.Broken == nil || rep.At == nil || rep.At.Kind != comptoir.EventRecord {
		t.Errorf("store Verify = %v at %+v, want a technical event missing", rep.Broken, rep.At)
	}
	data, _ = export()
	if _, err := archive.Verify(bytes.NewReader(data), int64(len(data)), archive.VerifyOptions{}); err == nil {
		t.Error("Verify of the archive without the event its closing counted = nil error")
	}
}

// TestExportArchive_JournalBeforeSignatures archives December 2025 of a journal made before
// signatures, which has recorded nothing since: the export makes the register's key first, and the
// archive, its records unsigned as they were made, verifies.
func TestExportArchive_JournalBeforeSignatures(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, oldJournal(t), opts(newClock(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))))
	defer mustClose(t, s)
	var buf bytes.Buffer
	sum, err := s.ExportArchive(ctx, "2025-12", &buf, "")
	if err != nil {
		t.Fatalf("ExportArchive: %v", err)
	}
	rep, err := archive.Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), archive.VerifyOptions{KeyFingerprint: sum.Fingerprint})
	if err != nil || rep.Tickets == 0 || rep.Signed != 1 {
		t.Errorf("Verify = %+v, %v; want intact, its tickets unsigned and the key's record signed", rep, err)
	}
	if _, err := s.ExportArchive(ctx, "2025-12-31", &bytes.Buffer{}, ""); !isCode(err, comptoir.CodeArchivePeriod) {
		t.Errorf("ExportArchive of a day = %v, want %s", err, comptoir.CodeArchivePeriod)
	}
}
