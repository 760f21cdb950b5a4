package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/internal/pgtest"
	"github.com/comptoir/comptoir/store"
	"github.com/jackc/pgx/v5/pgconn"
)

// importClock is the clock of both centrals: what they date must compare equal after the move.
func importClock() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 123456000, time.UTC) }

// saleRecord is the part of a ticket record the central reads, with a member's points.
type saleRecord struct {
	Register     string              `json:"register"`
	Number       uint64              `json:"number"`
	Total        comptoir.Money      `json:"total"`
	GrandTotal   comptoir.Money      `json:"grand_total"`
	PrevHash     string              `json:"prev_hash"`
	CustomerID   comptoir.CustomerID `json:"customer_id,omitempty"`
	PointsEarned int64               `json:"points_earned,omitempty"`
}

// till is a register as the central sees it: its ticket chain and its next sequence number.
type till struct {
	t        *testing.T
	name     string
	seq      uint64
	number   uint64
	grand    comptoir.Money
	prevHash string
}

func (r *till) next() uint64 { r.seq++; return r.seq }

// sale is the register's next ticket, of total cents, for member id (none when empty).
func (r *till) sale(total comptoir.Money, id comptoir.CustomerID, points int64) comptoir.Event {
	r.t.Helper()
	r.number++
	r.grand += total
	body, err := json.Marshal(saleRecord{Register: r.name, Number: r.number, Total: total, GrandTotal: r.grand,
		PrevHash: r.prevHash, CustomerID: id, PointsEarned: points})
	if err != nil {
		r.t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	payload, err := central.RecordPayload(r.name, hash, body, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.prevHash = hash
	seq := r.next()
	// The time has nanoseconds, which PostgreSQL keeps to the microsecond.
	return comptoir.Event{Seq: seq, ID: fmt.Sprintf("%s-sale-%d", r.name, seq), Type: comptoir.EventSaleRecorded,
		At: time.Date(2026, 11, 30, 9, 0, int(seq), 987654321, time.UTC), Payload: payload}
}

// enrol is the enrolment of member id on card, their personal data sealed for the central as a
// register that pinned its key seals it.
func (r *till) enrol(id comptoir.CustomerID, card string, centralKey []byte, p comptoir.Personal) comptoir.Event {
	r.t.Helper()
	pub, err := comptoir.ParseCentralKey(centralKey)
	if err != nil {
		r.t.Fatal(err)
	}
	dataKey := make([]byte, comptoir.DataKeySize)
	if _, err := rand.Read(dataKey); err != nil {
		r.t.Fatal(err)
	}
	wrapped, err := comptoir.WrapDataKey(pub, dataKey, id)
	if err != nil {
		r.t.Fatal(err)
	}
	sealed, err := comptoir.SealPersonalData(dataKey, p, id)
	if err != nil {
		r.t.Fatal(err)
	}
	payload, err := json.Marshal(map[string]any{"id": id, "cards": []string{card}, "basis": comptoir.BasisContract,
		"consent": map[comptoir.Channel]bool{comptoir.ChannelEmail: true, comptoir.ChannelSMS: false},
		"sealed":  comptoir.SealedPersonal{Key: wrapped, Data: sealed}})
	if err != nil {
		r.t.Fatal(err)
	}
	seq := r.next()
	return comptoir.Event{Seq: seq, ID: fmt.Sprintf("%s-enrol-%d", r.name, seq), Type: comptoir.EventCustomerEnrolled,
		At: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), Payload: payload}
}

// blocked is an email.blocked event carrying a chain-wide hash.
func (r *till) blocked(hash string) comptoir.Event {
	seq := r.next()
	return comptoir.Event{Seq: seq, ID: fmt.Sprintf("%s-blocked-%d", r.name, seq), Type: comptoir.EventEmailBlocked,
		At: time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC), Payload: []byte(`{"hash":"` + hash + `"}`)}
}

// filledCentral is an embedded central filled through its API with a bit of everything it keeps:
// two registers' sales, members enrolled with sealed personal data, one of them spending points
// at the other register, a consent change made centrally, a price list, an erasure, a reveal, a
// blocked address, a conflict, a rejected event and the auditor's state. It returns the central
// and the card of the member that stays.
func filledCentral(t *testing.T) (*store.Central, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	bc, err := store.OpenCentral(path, store.CentralOptions{NoSync: true, Now: importClock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	r1, r2 := &till{t: t, name: "R1"}, &till{t: t, name: "R2"}
	s1, err := bc.Setup(ctx, "R1", comptoir.SetupRequest{Software: "comptoir test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bc.Setup(ctx, "R2", comptoir.SetupRequest{Demo: true}); err != nil {
		t.Fatal(err)
	}
	card, gone := comptoir.CardNumber(s1.CardsFirst), comptoir.CardNumber(s1.CardsFirst+1)
	push := func(r *till, events ...comptoir.Event) {
		t.Helper()
		if _, err := bc.Push(ctx, r.name, events); err != nil {
			t.Fatalf("push %s: %v", r.name, err)
		}
	}
	personal := comptoir.Personal{FirstName: "Claire", LastName: "Martin", Email: "claire.martin@example.com"}
	push(r1, r1.sale(1234, "", 0), r1.enrol("M00000000000000a1", card, s1.CentralKey, personal),
		r1.sale(995, "M00000000000000a1", 9), r1.enrol("M00000000000000a2", gone, s1.CentralKey,
			comptoir.Personal{FirstName: "Paul", LastName: "Durand"}))
	// R2's enrolment of another member on the first member's card is a card conflict: both are
	// flagged, the card stays with its first owner.
	s2, err := bc.Setup(ctx, "R2", comptoir.SetupRequest{})
	if err != nil {
		t.Fatal(err)
	}
	push(r2, r2.sale(250, "M00000000000000a1", 2), r2.sale(1, "", 0), r2.blocked(hex.EncodeToString(make([]byte, 32))),
		r2.enrol("M00000000000000b1", card, s2.CentralKey, comptoir.Personal{FirstName: "Léa", LastName: "Petit"}))
	// An event of a type this central does not know is stored as rejected.
	bad := comptoir.Event{Seq: r1.next(), ID: "R1-unknown", Type: "unknown.type", At: importClock(), Payload: []byte(`{}`)}
	push(r1, bad, r1.sale(4321, "", 0))
	// The same sequence number with other content is a conflict, kept.
	other := r2.sale(77, "", 0)
	other.Seq, other.ID = 1, "R2-other-1"
	if _, err := bc.Push(ctx, "R2", []comptoir.Event{other}); !errors.Is(err, comptoir.E(comptoir.CodeSeqConflict)) {
		t.Fatalf("conflicting push: %v, want a conflict", err)
	}
	r2.seq, r2.number, r2.grand = 4, 2, 251
	if _, err := bc.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelSMS, Granted: true, By: "web"}); err != nil {
		t.Fatal(err)
	}
	if _, err := bc.PutCatalog(ctx, []comptoir.Product{{GTIN: "3017620422003", Name: "Pâte à tartiner",
		Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}}); err != nil {
		t.Fatal(err)
	}
	if err := bc.Erase(ctx, gone, "back office"); err != nil {
		t.Fatal(err)
	}
	if _, err := bc.Member(ctx, card, true, "back office"); err != nil {
		t.Fatal(err)
	}
	if _, err := bc.AuditSignatures(ctx, "R1", 0); err != nil {
		t.Fatal(err)
	}
	return bc, card
}

// openImportTarget opens a PostgreSQL central on dsn with the embedded central's key file.
func openImportTarget(t *testing.T, dsn string, bc *store.Central) *Central {
	t.Helper()
	pc, err := Open(context.Background(), dsn, Options{KeyPath: central.KeyPath(bc.Path()), Now: importClock})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// export is the embedded central's walk, as comptoir-central migrate hands it to Import.
func export(bc *store.Central) func(central.Sink) error {
	return func(s central.Sink) error { return bc.Export(context.Background(), s) }
}

// pages reads a register's whole feed from cursor, three changes a page, the pages' clocks left
// out.
func pages(t *testing.T, c comptoir.CentralFeed, register, cursor string) []comptoir.ChangesPage {
	t.Helper()
	var out []comptoir.ChangesPage
	for range 100 {
		p, err := c.Changes(context.Background(), register, cursor, 3)
		if err != nil {
			t.Fatalf("Changes(%s, %q): %v", register, cursor, err)
		}
		p.Now = time.Time{}
		out = append(out, p)
		if !p.More {
			return out
		}
		cursor = p.Next
	}
	t.Fatal("the feed never ended")
	return nil
}

// TestImport_AnswersAsTheEmbeddedCentral moves a filled embedded central to PostgreSQL: the
// copy's check passes, and the PostgreSQL central then answers as the embedded one did, to the
// cent and to the cursor: the registers' summaries, their feed from the beginning and from a
// cursor the embedded central handed out, the members, revealed or not.
func TestImport_AnswersAsTheEmbeddedCentral(t *testing.T) {
	ctx := context.Background()
	bc, card := filledCentral(t)
	pc := openImportTarget(t, pgtest.DSN(t), bc)
	src, dst, err := pc.Import(ctx, export(bc))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if diff := src.Diff(dst); diff != nil {
		t.Fatalf("totals differ: %v", diff)
	}
	want := central.RegisterTotals{AckedSeq: 6, Events: 6, Tickets: 3, GrandTotal: 1234 + 995 + 4321, Rejected: 1}
	if got := src.Registers["R1"]; got != want {
		t.Errorf("R1 totals %+v, want %+v", got, want)
	}
	if src.Members != 3 || src.Balances != 11 || src.Feed == 0 || src.Catalogs != 1 || src.AuditEntries != 3 ||
		src.Blocked != 1 || src.CardBlocks != 2 || src.ConflictRecords != 1 || src.Seals != 2 || src.CardConflicts != 1 {
		t.Errorf("totals %+v: want 3 members with 11 points, a feed, 1 catalog, 3 audit entries, 1 blocked hash, 2 card blocks, 1 conflict, 2 seals, 1 card conflict", src)
	}

	for _, r := range []string{"R1", "R2"} {
		a, err := bc.Register(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		b, err := pc.Register(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: summary on PostgreSQL %+v, embedded %+v", r, b, a)
		}
		fromStart := pages(t, bc, r, "")
		if got := pages(t, pc, r, ""); !reflect.DeepEqual(got, fromStart) {
			t.Errorf("%s: feed from the start on PostgreSQL %+v, embedded %+v", r, got, fromStart)
		}
		// A cursor the embedded central handed out goes on where it stood.
		mid := fromStart[0].Next
		if got, want := pages(t, pc, r, mid), pages(t, bc, r, mid); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: feed from %s on PostgreSQL %+v, embedded %+v", r, mid, got, want)
		}
	}
	for _, reveal := range []bool{false, true} {
		a, err := bc.Member(ctx, card, reveal, "back office")
		if err != nil {
			t.Fatal(err)
		}
		b, err := pc.Member(ctx, card, reveal, "back office")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("member (reveal %v) on PostgreSQL %+v, embedded %+v", reveal, b, a)
		}
	}
	// The email index is the embedded central's, under the same key.
	a, err := bc.MemberByEmail(ctx, "claire.martin@example.com", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := pc.MemberByEmail(ctx, "claire.martin@example.com", false, ""); err != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("member by email on PostgreSQL %+v (%v), embedded %+v", b, err, a)
	}
	if n, err := pc.CardConflicts(ctx); err != nil || n != 1 {
		t.Errorf("card conflicts on PostgreSQL: %d (%v), want 1", n, err)
	}
	// A new conflict is numbered after the copied one.
	other := comptoir.Event{Seq: 1, ID: "R1-other-1", Type: comptoir.EventSaleRecorded, At: importClock(), Payload: []byte(`{}`)}
	if _, err := pc.Push(ctx, "R1", []comptoir.Event{other}); !errors.Is(err, comptoir.E(comptoir.CodeSeqConflict)) {
		t.Fatalf("conflicting push on PostgreSQL: %v, want a conflict", err)
	}
	var maxID int64
	if err := pc.pool.QueryRow(ctx, "SELECT max(id) FROM conflicts").Scan(&maxID); err != nil || maxID != 2 {
		t.Errorf("the new conflict's number: %d (%v), want 2", maxID, err)
	}
	// The next register's block of cards comes after the copied ones.
	s3, err := pc.Setup(ctx, "R3", comptoir.SetupRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s3.CardsFirst, uint64(central.FirstCardBlock+2)*central.CardBlockSize; got != want {
		t.Errorf("R3's first card number %d, want %d", got, want)
	}
	// The next feed entry is numbered after the copied ones: a cursor at the end sees it.
	end := pages(t, pc, "R1", "")
	if _, err := pc.PutCatalog(ctx, []comptoir.Product{{GTIN: "3017620422010", Name: "Confiture",
		Price: comptoir.Euros(2, 50), VAT: comptoir.VATReduced}}); err != nil {
		t.Fatal(err)
	}
	after := pages(t, pc, "R1", end[len(end)-1].Next)
	if len(after) != 1 || len(after[0].Changes) != 1 || after[0].Changes[0].Kind != comptoir.ChangeCatalog {
		t.Errorf("feed after the copy's end: %+v, want the new price list", after)
	}
}

// TestImport_RefusesANonEmptyTarget copies into a database that already holds a central: refused,
// and nothing of the second copy is written.
func TestImport_RefusesANonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	bc, _ := filledCentral(t)
	pc := openImportTarget(t, pgtest.DSN(t), bc)
	first, _, err := pc.Import(ctx, export(bc))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = pc.Import(ctx, export(bc))
	if !errors.Is(err, comptoir.E(comptoir.CodeMigrateTargetNotEmpty)) {
		t.Fatalf("second Import: %v, want %s", err, comptoir.CodeMigrateTargetNotEmpty)
	}
	tx, err := pc.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	now, err := readTotals(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := first.Diff(now); diff != nil {
		t.Errorf("the refused copy changed the database: %v", diff)
	}
}

// TestImport_RefusesAnotherKey copies into an empty database opened once with another key: the
// registers' pinned key would not match it, so the copy is refused, saying that the database must
// be created again, and nothing is written.
func TestImport_RefusesAnotherKey(t *testing.T) {
	ctx := context.Background()
	bc, _ := filledCentral(t)
	pc, err := Open(ctx, pgtest.DSN(t), Options{KeyPath: filepath.Join(t.TempDir(), "other.key")})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if _, _, err := pc.Import(ctx, export(bc)); !errors.Is(err, comptoir.E(comptoir.CodeMigrateTargetOtherKey)) {
		t.Fatalf("Import: %v, want %s", err, comptoir.CodeMigrateTargetOtherKey)
	}
	var n int64
	if err := pc.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM registers) + (SELECT count(*) FROM events)").Scan(&n); err != nil || n != 0 {
		t.Errorf("rows after the refused copy: %d (%v), want none", n, err)
	}
}

// TestImport_DuplicateEventIDNamed copies a central that holds one event ID under two registers,
// as the embedded central keeps a register cloned from another's disk: PostgreSQL keeps each ID
// once, and the refusal names the ID and both events instead of the server's raw error, with
// nothing copied.
func TestImport_DuplicateEventIDNamed(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	pc := open(t, dsn)
	at := importClock()
	walk := func(s central.Sink) error {
		if err := s.Counters(central.Counters{KeyCheck: pc.keys.Check}); err != nil {
			return err
		}
		for _, r := range []struct {
			register string
			seq      uint64
			id       string
		}{{"R1", 1, "R1-1"}, {"R1", 2, "R1-2"}, {"R2", 1, "R2-1"}, {"R2", 2, "R1-2"}, {"R2", 3, "R2-3"}} {
			e := central.StoredEvent{ID: r.id, Type: comptoir.EventSaleRecorded, At: at, Received: at, Payload: []byte(`{}`)}
			if err := s.Event(r.register, r.seq, e); err != nil {
				return err
			}
		}
		return nil
	}
	_, _, err := pc.Import(ctx, walk)
	var refusal *comptoir.Error
	if !errors.As(err, &refusal) || refusal.Code != comptoir.CodeMigrateDuplicateEventID {
		t.Fatalf("Import: %v, want %s", err, comptoir.CodeMigrateDuplicateEventID)
	}
	if got, want := fmt.Sprint(refusal.Args), fmt.Sprint([]any{"R1-2", "R1", uint64(2), "R2", uint64(2)}); got != want {
		t.Errorf("refusal's args = %s, want %s", got, want)
	}
	var n int64
	if err := pc.pool.QueryRow(ctx, "SELECT count(*) FROM events").Scan(&n); err != nil || n != 0 {
		t.Errorf("events after the refused copy: %d (%v), want none", n, err)
	}
}

// TestDuplicateEventID_ReadsTheDetail reads the ID out of the server's detail, in English or in
// another language, and still recognises the refusal when the detail says nothing readable.
func TestDuplicateEventID_ReadsTheDetail(t *testing.T) {
	for detail, want := range map[string]string{
		"Key (id)=(R1-2) already exists.":       "R1-2",
		"La clé « (id)=(R(1)-2) » existe déjà.": "R(1)-2",
		"something else":                        "",
	} {
		err := fmt.Errorf("copy: %w", &pgconn.PgError{Code: "23505", ConstraintName: eventsIDKey, Detail: detail})
		if got, dup := duplicateEventID(err); !dup || got != want {
			t.Errorf("%q: got %q, %v, want %q, true", detail, got, dup, want)
		}
	}
	if _, dup := duplicateEventID(&pgconn.PgError{Code: "23505", ConstraintName: "events_pkey"}); dup {
		t.Error("another constraint taken for the event ID's")
	}
}
