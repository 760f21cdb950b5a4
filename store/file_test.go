//go:build unix

package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// TestOpen_NotADatabase gives Open existing files that are not Comptoir databases: each is
// refused with ErrNotADatabase whether or not Open may create, and left byte for byte and mode
// for mode as it was. A zero-length file used to be initialised (keeping its mode 0644) and then
// verified as an intact journal.
func TestOpen_NotADatabase(t *testing.T) {
	foreignBolt := func(t *testing.T, path string, fn func(tx *bbolt.Tx) error) {
		t.Helper()
		db, err := bbolt.Open(path, 0o644, &bbolt.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	cases := []struct {
		name  string
		write func(t *testing.T, path string)
	}{
		{"Empty", func(t *testing.T, path string) { writeFile(t, path, nil) }},
		{"OneByte", func(t *testing.T, path string) { writeFile(t, path, []byte{0}) }},
		{"Text", func(t *testing.T, path string) { writeFile(t, path, []byte("gtin;name;price;vat\n")) }},
		{"Random4K", func(t *testing.T, path string) { writeFile(t, path, random(4096)) }},
		{"Random64K", func(t *testing.T, path string) { writeFile(t, path, random(64<<10)) }},
		{"EmptyBolt", func(t *testing.T, path string) {
			foreignBolt(t, path, func(*bbolt.Tx) error { return nil })
		}},
		{"ForeignBoltWithMeta", func(t *testing.T, path string) {
			foreignBolt(t, path, func(tx *bbolt.Tx) error {
				b, err := tx.CreateBucket([]byte("meta"))
				if err != nil {
					return err
				}
				if _, err := tx.CreateBucket([]byte("catalog")); err != nil {
					return err
				}
				return b.Put([]byte("version"), []byte("2"))
			})
		}},
	}
	for _, c := range cases {
		for _, mustExist := range []bool{false, true} {
			t.Run(c.name, func(t *testing.T) {
				path := dbPath(t)
				c.write(t, path)
				if err := os.Chmod(path, 0o644); err != nil {
					t.Fatal(err)
				}
				before := readFile(t, path)
				o := opts(newClock(day0))
				o.MustExist = mustExist
				s, err := store.Open(path, o)
				if err == nil {
					s.Close()
					t.Fatalf("Open(MustExist=%v) of a foreign file = nil error, want ErrNotADatabase", mustExist)
				}
				wantErr(t, err, comptoir.ErrNotADatabase)
				if got := readFile(t, path); !bytes.Equal(got, before) {
					t.Errorf("the refused file changed: %d bytes, was %d", len(got), len(before))
				}
				if got, want := fileMode(t, path), os.FileMode(0o644); got != want {
					t.Errorf("mode of the refused file = %v, want %v", got, want)
				}
				onlyFile(t, path)
			})
		}
	}
	t.Run("Directory", func(t *testing.T) {
		path := dbPath(t)
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := store.Open(path, opts(newClock(day0)))
		wantErr(t, err, comptoir.ErrNotADatabase)
	})
}

// TestOpen_NewFileMode creates databases under permissive and restrictive umasks: the file is
// 0600 every time, complete (it opens with MustExist), and no working file stays beside it.
func TestOpen_NewFileMode(t *testing.T) {
	for _, mask := range []int{0, 0o022, 0o077} {
		old := syscall.Umask(mask)
		path := dbPath(t)
		s, err := store.Open(path, opts(newClock(day0)))
		syscall.Umask(old)
		if err != nil {
			t.Fatalf("umask %03o: Open: %v", mask, err)
		}
		mustClose(t, s)
		if got, want := fileMode(t, path), os.FileMode(0o600); got != want {
			t.Errorf("umask %03o: mode of a new database = %v, want %v", mask, got, want)
		}
		o := opts(newClock(day0))
		o.MustExist = true
		s = mustOpen(t, path, o)
		mustClose(t, s)
		onlyFile(t, path)
	}
}

// TestOpen_CreateRace opens a new path from several goroutines at once, each adding a product:
// one creates the database, the others open it, nobody overwrites anybody's file.
func TestOpen_CreateRace(t *testing.T) {
	path := dbPath(t)
	products := []comptoir.Product{pomme, vin, repas, journal}
	errs := make(chan error, len(products))
	for _, p := range products {
		go func() {
			o := opts(newClock(day0))
			o.Timeout = 30 * time.Second
			s, err := store.Open(path, o)
			if err != nil {
				errs <- err
				return
			}
			_, err = s.ImportProducts(context.Background(), []comptoir.Product{p})
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			errs <- err
		}()
	}
	for range products {
		if err := <-errs; err != nil {
			t.Errorf("Open and import: %v", err)
		}
	}
	s := mustOpen(t, path, opts(newClock(day0)))
	for _, p := range products {
		if _, err := s.Product(context.Background(), p.GTIN); err != nil {
			t.Errorf("Product(%s): %v", p.GTIN, err)
		}
	}
	mustClose(t, s)
	onlyFile(t, path)
}

// TestStore_RebuildHoldsLock checks that a rebuild keeps every other opener out from the copy to
// the swap and while the store goes on with the new file, that a waiter gets the new file, and
// that a failed rebuild leaves the file as it was.
func TestStore_RebuildHoldsLock(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	mustImport(t, s, pomme)
	quick := opts(clk)
	quick.Timeout = 20 * time.Millisecond

	waiter := make(chan error, 1)
	err := s.Rebuild(func(next *store.Store) error {
		if _, err := store.Open(path, quick); !isCode(err, comptoir.CodeDatabaseInUse) {
			t.Errorf("Open during a rebuild = %v, want ErrDatabaseInUse", err)
		}
		go func() {
			o := opts(clk)
			o.Timeout = time.Minute
			w, err := store.Open(path, o)
			if err == nil {
				// The waiter must see what the rebuild wrote, not the file it replaced.
				_, err = w.Product(ctx, vin.GTIN)
				w.Close()
			}
			waiter <- err
		}()
		if _, err := next.Product(ctx, pomme.GTIN); err != nil {
			t.Errorf("the copy lacks the original's product: %v", err)
		}
		_, err := next.ImportProducts(ctx, []comptoir.Product{vin})
		return err
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if _, err := store.Open(path, quick); !isCode(err, comptoir.CodeDatabaseInUse) {
		t.Errorf("Open after a rebuild, while the store is open = %v, want ErrDatabaseInUse", err)
	}
	if _, err := s.Product(ctx, vin.GTIN); err != nil {
		t.Errorf("the store does not go on with the rebuilt file: %v", err)
	}
	mustClose(t, s)
	if err := <-waiter; err != nil {
		t.Errorf("a process waiting during the rebuild: %v", err)
	}

	s = mustOpen(t, path, opts(clk))
	boom := comptoir.E(comptoir.CodeCannotWrite)
	if err := s.Rebuild(func(next *store.Store) error {
		if _, err := next.ImportProducts(ctx, []comptoir.Product{repas}); err != nil {
			return err
		}
		return boom
	}); err != boom {
		t.Errorf("Rebuild with a failing fill = %v, want its error", err)
	}
	if _, err := s.Product(ctx, repas.GTIN); !isCode(err, comptoir.CodeUnknownProduct) {
		t.Errorf("a failed rebuild changed the database: Product = %v", err)
	}
	mustClose(t, s)
	onlyFile(t, path)
}

func isCode(err error, code comptoir.Code) bool { return errors.Is(err, comptoir.E(code)) }

func writeFile(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func fileMode(tb testing.TB, path string) os.FileMode {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Mode().Perm()
}

// onlyFile fails when anything but the database (and its key) is in its directory: a working
// file of a creation or a rewrite left behind.
func onlyFile(tb testing.TB, path string) {
	tb.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		// The master key and the signing key live beside the database, by design.
		if n := e.Name(); n != filepath.Base(path) && n != filepath.Base(path)+".key" && n != filepath.Base(path)+".sign" {
			tb.Errorf("%s left beside the database", n)
		}
	}
}

// TestStore_DamagedOtherRegister deletes every bucket of a second register whose ticket a member
// has: the register's head in meta still names it, so Open of the first register refuses the file
// with the missing bucket named, rather than letting the member's export dereference it.
func TestStore_DamagedOtherRegister(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	mustImport(t, s, pomme)
	c := mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	mustClose(t, s)
	o2 := opts(clk)
	o2.Register = "R2"
	s2 := mustOpen(t, path, o2)
	d := byCard(line(pomme, 1))
	d.CustomerID = string(c.ID)
	mustRecord(t, s2, d)
	mustClose(t, s2)
	editDB(t, path, func(tx *bbolt.Tx) error {
		for _, b := range []string{"journal/R2", "refunds/R2", "closings/R2", "days/R2"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	s, err := store.Open(path, opts(clk))
	if err == nil {
		_, err = s.Export(ctx, c.ID, "Alice")
		s.Close()
	}
	if !isCode(err, comptoir.CodeDatabaseDamaged) {
		t.Fatalf("Open and Export with a deleted register = %v, want database damaged", err)
	}
	if got, want := errArgs(t, err), []any{path, "journal/R2"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("error args = %v, want %v", got, want)
	}
}

// TestOpen_DamagedTree deletes each bucket of a database in turn: Open refuses the file with the
// bucket's name, whether or not it may create, and leaves the file as it was rather than
// recreating what is missing. A missing days/R1 or meta used to read as an unknown register, and
// Open without MustExist silently made a new empty journal/R1 beside the old records.
func TestOpen_DamagedTree(t *testing.T) {
	dir := t.TempDir()
	pristine := filepath.Join(dir, "pristine.db")
	clk := newClock(day0)
	s := mustOpen(t, pristine, opts(clk))
	mustImport(t, s, pomme)
	mustRecord(t, s, byCard(line(pomme, 1)))
	mustEnroll(t, s, enrolment(comptoir.CardNumber(1), jeanne, emailOnly))
	mustClose(t, s)
	buckets := []string{"meta", "catalog", "outbox", "members", "personal", "datakeys", "cards", "lookup",
		"blocklist", "audit", "settings", "users", "journal/R1", "refunds/R1", "closings/R1", "days/R1"}
	for _, bucket := range buckets {
		for _, mustExist := range []bool{false, true} {
			path := filepath.Join(t.TempDir(), "damaged.db")
			writeFile(t, path, readFile(t, pristine))
			editDB(t, path, func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(bucket)) })
			before := readFile(t, path)
			o := opts(clk)
			o.MustExist = mustExist
			s, err := store.Open(path, o)
			if err == nil {
				s.Close()
				t.Errorf("%s deleted, MustExist=%v: Open = nil error, want database damaged", bucket, mustExist)
				continue
			}
			if !isCode(err, comptoir.CodeDatabaseDamaged) {
				t.Errorf("%s deleted, MustExist=%v: Open = %v, want database damaged", bucket, mustExist, err)
				continue
			}
			if got, want := errArgs(t, err), []any{path, bucket}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s deleted: error args = %v, want %v", bucket, got, want)
			}
			if !bytes.Equal(readFile(t, path), before) {
				t.Errorf("%s deleted, MustExist=%v: the refused open changed the file", bucket, mustExist)
			}
		}
	}
}

// TestOpen_DamagedOldFile deletes a bucket of a file of an older schema: Open refuses it with the
// bucket's name before a migration reads the missing bucket.
func TestOpen_DamagedOldFile(t *testing.T) {
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, opts(clk))
	mustRecord(t, s, byCard(line(pomme, 1)))
	mustClose(t, s)
	// A version-2 file: no member bucket yet, and its journal gone.
	editDB(t, path, func(tx *bbolt.Tx) error {
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema"), u64(2)); err != nil {
			return err
		}
		for _, b := range []string{"members", "personal", "datakeys", "cards", "lookup", "blocklist", "audit", "settings", "journal/R1"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return nil
	})
	_, err := store.Open(path, opts(clk))
	if !isCode(err, comptoir.CodeDatabaseDamaged) {
		t.Fatalf("Open of a damaged version-2 file = %v, want database damaged", err)
	}
	if got, want := errArgs(t, err), []any{path, "journal/R1"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("error args = %v, want %v", got, want)
	}
	if got, want := readSchema(t, path), uint64(2); got != want {
		t.Errorf("schema after the refused open = %d, want %d (no migration)", got, want)
	}
}
