package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// TestRun_DamagedDatabase deletes each bucket of a populated database in turn and runs every
// command on the result: each refuses with one sentence naming the missing bucket, never a stack
// trace. A missing bucket used to make catalog list and customer show panic, and a missing meta
// or days/R1 was reported as an unknown register.
func TestRun_DamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	pristine := filepath.Join(dir, "pristine.db")
	env := map[string]string{"COMPTOIR_DB": pristine}
	for _, args := range [][]string{
		{"demo-data", "--sales", "60", "--days", "3", "--customers", "5"},
		{"settings", "set", "shop.name", "Épicerie du coin"},
		{"receipt", "--ticket", "1", "--out", filepath.Join(dir, "ticket.txt"), "--text"},
	} {
		if r := runCmd(t, env, "", args...); r.code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	card := comptoir.CardNumber(1)
	day := time.Now().AddDate(0, 0, -2).Format("2006-01-02")
	commands := [][]string{
		{"catalog", "list"},
		{"catalog", "import", "-"},
		{"customer", "show", "--card", card},
		{"customer", "export", "--card", card},
		{"customer", "consent", "--card", card, "--channel", "sms", "--withdraw"},
		{"report", "--date", day},
		{"report"},
		{"close"},
		{"verify"},
		{"receipt", "--ticket", "2", "--out", "-", "--text"},
		{"gdpr", "audit"},
		{"gdpr", "register"},
		{"gdpr", "purge", "--inactive", "3y", "--dry-run"},
		{"settings", "show"},
		{"settings", "set", "shop.name", "Autre"},
		{"card", "new"},
	}
	csv := "gtin;name;price;vat\n3017620422003;Pâte à tartiner;4,25;5,5\n"

	for _, bucket := range topLevelBuckets(t, pristine) {
		if bucket == "printed/R1" {
			// Made on the first print; a file without it is sound.
			continue
		}
		t.Run(strings.ReplaceAll(bucket, "/", "_"), func(t *testing.T) {
			for _, args := range commands {
				path := filepath.Join(t.TempDir(), "damaged.db")
				copyTestFile(t, pristine, path)
				copyTestFile(t, pristine+".key", path+".key")
				deleteBucket(t, path, bucket)
				r := runCmd(t, map[string]string{"COMPTOIR_DB": path}, csv, args...)
				if r.code != exitFailed {
					t.Errorf("%v: exit %d, want %d (stdout %q, stderr %q)", args, r.code, exitFailed, r.stdout, r.stderr)
				}
				for _, bad := range []string{"panic", "goroutine", "nil pointer", "inconnue", "unknown"} {
					if strings.Contains(r.stderr, bad) {
						t.Errorf("%v: stderr says %q: %q", args, bad, r.stderr)
					}
				}
				want := "comptoir: base endommagée : il manque à " + path + " la partie « " + bucket + " » ; restaurez la dernière sauvegarde\n"
				if r.stderr != want {
					t.Errorf("%v: stderr = %q, want %q", args, r.stderr, want)
				}
			}
		})
	}

	// A register whose buckets are all gone is still named by its head in meta: it is damaged, not
	// a new empty register that reports 0 tickets.
	t.Run("all_of_R1", func(t *testing.T) {
		for _, args := range commands {
			path := filepath.Join(t.TempDir(), "damaged.db")
			copyTestFile(t, pristine, path)
			copyTestFile(t, pristine+".key", path+".key")
			for _, bucket := range []string{"journal/R1", "refunds/R1", "closings/R1", "days/R1"} {
				deleteBucket(t, path, bucket)
			}
			r := runCmd(t, map[string]string{"COMPTOIR_DB": path}, csv, args...)
			if r.code != exitFailed || !strings.Contains(r.stderr, "base endommagée") || !strings.Contains(r.stderr, "/R1 »") {
				t.Errorf("%v: exit %d, stderr %q, want the damaged database refusal naming a bucket of R1", args, r.code, r.stderr)
			}
		}
	})

	// English, for one bucket.
	path := filepath.Join(dir, "en.db")
	copyTestFile(t, pristine, path)
	deleteBucket(t, path, "days/R1")
	r := runCmd(t, map[string]string{"COMPTOIR_DB": path, "COMPTOIR_LANG": "en"}, "", "report")
	if want := "comptoir: database damaged: " + path + ` is missing its part "days/R1"; restore the last backup` + "\n"; r.stderr != want {
		t.Errorf("report in English: stderr = %q, want %q", r.stderr, want)
	}
}

// TestRun_NewRegisterInSoundFile checks that a register that has no bucket yet is still created
// by the commands that create, and refused as unknown by the others: only a register with some
// of its buckets is damaged.
func TestRun_NewRegisterInSoundFile(t *testing.T) {
	path := dbPath(t)
	env := map[string]string{"COMPTOIR_DB": path}
	if r := runCmd(t, env, "", "demo-data", "--sales", "10", "--days", "1"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, stderr %q", r.code, r.stderr)
	}
	r := runCmd(t, env, "", "--register", "R2", "verify")
	if r.code != exitFailed || !strings.Contains(r.stderr, "ne contient pas de caisse") {
		t.Errorf("verify of a new register: exit %d, stderr %q, want the unknown register refusal", r.code, r.stderr)
	}
	csv := "gtin;name;price;vat\n3017620422003;Pâte à tartiner;4,25;5,5\n"
	if r := runCmd(t, env, csv, "--register", "R2", "catalog", "import", "-"); r.code != exitOK {
		t.Errorf("catalog import for a new register: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCmd(t, env, "", "--register", "R2", "verify"); r.code != exitOK {
		t.Errorf("verify of the register created by the import: exit %d, stderr %q", r.code, r.stderr)
	}
}

// topLevelBuckets lists a closed file's top-level buckets.
func topLevelBuckets(tb testing.TB, path string) []string {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var names []string
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

// deleteBucket deletes a top-level bucket of a closed file, as damage or an attacker would.
func deleteBucket(tb testing.TB, path, bucket string) {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(bucket)) }); err != nil {
		tb.Fatalf("deleting %s: %v", bucket, err)
	}
}

func copyTestFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}
