package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// TestArchive_ExportAndVerify exports a closed month from the command line, then checks it with
// verify --archive from another folder with no database at all: intact, then refused once a
// byte changes, with the wrong fingerprint, and an archive never replaced.
func TestArchive_ExportAndVerify(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "60", "--days", "40", "--seed", "3", "--start", "2026-01-10"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	out := filepath.Join(t.TempDir(), "janvier.zip")
	r := runCmd(t, nil, "", "--db", db, "archive", "--period", "2026-01", "--out", out)
	if r.code != exitOK || !strings.Contains(r.stdout, "Archive 2026-01 écrite dans "+out) {
		t.Fatalf("archive: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive file: %v, %v; want mode 0600", fi, err)
	}
	if got := eventsOf(techEvents(t, db), "archive-export"); len(got) != 1 || !strings.HasPrefix(got[0].Detail, "2026-01: ") {
		t.Errorf("archive-export events = %+v, want one for 2026-01", got)
	}
	show := runCmd(t, nil, "", "--db", db, "key", "show")
	fp := fingerprintRE.FindString(show.stdout)

	// The verifier needs no database: --db names one that does not exist, and it stays so.
	none := filepath.Join(t.TempDir(), "none.db")
	v := runCmd(t, nil, "", "--db", none, "--lang", "en", "verify", "--archive", out, "--key-fingerprint", fp)
	if v.code != exitOK || !strings.Contains(v.stdout, "intact") {
		t.Fatalf("verify --archive: exit %d, stdout %q, stderr %q", v.code, v.stdout, v.stderr)
	}
	if _, err := os.Stat(none); !os.IsNotExist(err) {
		t.Errorf("verify --archive made a database: %v", err)
	}
	if v := runCmd(t, nil, "", "--db", none, "verify", "--archive", out, "--key-fingerprint", "0000-0000-0000-0000-0000"); v.code != exitFailed || !strings.Contains(v.stderr, "0000-0000-0000-0000-0000") {
		t.Errorf("verify --archive with another fingerprint: exit %d, stderr %q", v.code, v.stderr)
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	bad := filepath.Join(t.TempDir(), "altered.zip")
	if err := os.WriteFile(bad, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if v := runCmd(t, nil, "", "--db", none, "verify", "--archive", bad); v.code != exitFailed || !strings.Contains(v.stderr, "archive") {
		t.Errorf("verify --archive of an altered archive: exit %d, stderr %q", v.code, v.stderr)
	}

	if r := runCmd(t, nil, "", "--db", db, "archive", "--period", "2026-01", "--out", out); r.code != exitFailed || !strings.Contains(r.stderr, out) {
		t.Errorf("archive over an existing file: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "--db", db, "archive", "--period", "2026-02", "--out", filepath.Join(t.TempDir(), "f.zip")); r.code != exitFailed || !strings.Contains(r.stderr, "2026-02") {
		t.Errorf("archive of a month not closed: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "--db", db, "archive"); r.code != exitUsage {
		t.Errorf("archive without --period: exit %d, want %d", r.code, exitUsage)
	}
}

// TestVerify_KeyFingerprint checks verify --key-fingerprint on the journal: the fingerprint of a Z
// report passes; a journal rewritten without its key chain (keys, signatures and the head's
// chains deleted, which leaves a journal that looks made before signatures) verifies without it,
// and is refused with it.
func TestVerify_KeyFingerprint(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "20", "--days", "2", "--seed", "5", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	fp := fingerprintRE.FindString(runCmd(t, nil, "", "--db", db, "key", "show").stdout)
	if r := runCmd(t, nil, "", "--db", db, "verify", "--key-fingerprint", strings.ToUpper(fp)); r.code != exitOK {
		t.Fatalf("verify --key-fingerprint %s: exit %d, %s", fp, r.code, r.stderr)
	}

	// The forger deletes everything that says the journal was signed.
	bdb, err := bbolt.Open(db, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		for _, name := range []string{"signkeys/R1", "sigs/R1", "techlog/R1", "reprints/R1"} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		// The closings say how far the other chains went: the forger takes that out of each
		// and recomputes every hash and link of the journal after it.
		journal := tx.Bucket([]byte("journal/R1"))
		chains := regexp.MustCompile(`,"chains":\[[^\]]*\]`)
		var prevOld, prevNew string
		c := journal.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			body := chains.ReplaceAll(v[34:], nil)
			if prevOld != "" {
				body = bytes.Replace(body, []byte(`"prev_hash":"`+prevOld+`"`), []byte(`"prev_hash":"`+prevNew+`"`), 1)
			}
			sum := sha256.Sum256(body)
			prevOld, prevNew = hex.EncodeToString(v[2:34]), hex.EncodeToString(sum[:])
			if err := journal.Put(k, append(append([]byte{v[0], v[1]}, sum[:]...), body...)); err != nil {
				return err
			}
		}
		meta := tx.Bucket([]byte("meta"))
		v := meta.Get([]byte("head/R1"))
		var h map[string]any
		if err := json.Unmarshal(v[1:], &h); err != nil {
			return err
		}
		delete(h, "chains")
		h["last_hash"] = prevNew
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		return meta.Put([]byte("head/R1"), append([]byte{v[0]}, b...))
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(db + ".sign"); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, nil, "", "--db", db, "verify"); r.code != exitOK {
		t.Fatalf("verify of the journal stripped of its keys: exit %d, %s; the file alone cannot tell", r.code, r.stderr)
	}
	r := runCmd(t, nil, "", "--db", db, "verify", "--key-fingerprint", fp)
	if r.code != exitFailed || !strings.Contains(r.stderr, fp) || !strings.Contains(r.stderr, "réécrit") {
		t.Errorf("verify --key-fingerprint of the journal stripped of its keys: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestVerify_KeyFingerprintThroughKeys checks what a Z report's fingerprint vouches for: the keys
// it rotated to, not a key declared in place of a lost one, which a forger could declare too.
func TestVerify_KeyFingerprintThroughKeys(t *testing.T) {
	db := dbPath(t)
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "10", "--days", "1", "--seed", "6", "--start", "2026-03-02"); r.code != exitOK {
		t.Fatalf("demo-data: exit %d, %s", r.code, r.stderr)
	}
	first := fingerprintRE.FindString(runCmd(t, nil, "", "--db", db, "key", "show").stdout)
	if r := runCmd(t, nil, "", "--db", db, "key", "rotate"); r.code != exitOK {
		t.Fatalf("key rotate: exit %d, %s", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "--db", db, "verify", "--key-fingerprint", first); r.code != exitOK {
		t.Errorf("verify with the key before a rotation: exit %d, %s", r.code, r.stderr)
	}
	if err := os.Remove(db + ".sign"); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, nil, "", "--db", db, "key", "replace"); r.code != exitOK {
		t.Fatalf("key replace: exit %d, %s", r.code, r.stderr)
	}
	third := fingerprintRE.FindString(runCmd(t, nil, "", "--db", db, "key", "show").stdout)
	r := runCmd(t, nil, "", "--db", db, "--lang", "en", "verify", "--key-fingerprint", first)
	if r.code != exitFailed || !strings.Contains(r.stderr, "key no. 3 replaced it as lost") {
		t.Errorf("verify with a key replaced since: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "--db", db, "verify", "--key-fingerprint", third); r.code != exitOK {
		t.Errorf("verify with the replacing key: exit %d, %s", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "--db", db, "verify", "--key-fingerprint", "zzzz"); r.code != exitFailed || !strings.Contains(r.stderr, "1a2b-3c4d-5e6f-7a8b-9c0d") {
		t.Errorf("verify with a malformed fingerprint: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestEvents_NameWhoActed checks that a catalogue import and a setting changed from the command
// line are technical events in the name of the user who ran them.
func TestEvents_NameWhoActed(t *testing.T) {
	s := withStaff(t)
	s.ok(s.as("anne", "2468", "", "settings", "set", "shop.name", "Épicerie Martin"), "settings set")
	var got []string
	for _, e := range techEvents(t, s.db) {
		if e.Code == comptoir.TechCatalogImport || e.Code == comptoir.TechSettingsChanged {
			got = append(got, string(e.Code)+"/"+e.User)
		}
	}
	if want := []string{"catalog-import/anne", "settings-changed/anne"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events = %v, want %v", got, want)
	}
}
