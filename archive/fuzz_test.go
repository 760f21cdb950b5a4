package archive_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
)

// checkVerdict fails unless Verify gave a refusal with a sentence, never the net under an
// internal error.
func checkVerdict(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *comptoir.Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify returned %T %v, want a *comptoir.Error", err, err)
	}
	if strings.Contains(e.Message(comptoir.LangEN), "internal error") {
		t.Fatalf("Verify fell into its recover: %v", err)
	}
}

// FuzzVerify hands the archive reader any bytes: it must give a verdict, never panic nor read
// without bound. The seed corpus (testdata/fuzz/FuzzVerify) holds a small valid archive and a
// truncated one.
func FuzzVerify(f *testing.F) {
	b, _ := smallArchive(f)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := archive.Verify(bytes.NewReader(b), int64(len(b)), archive.VerifyOptions{})
		checkVerdict(t, err)
	})
}

// FuzzVerify_Journal reaches past the digests and the manifest's signature, which stop almost
// every random change of a whole archive: it puts any bytes in journal.jsonl of an archive whose
// manifest is signed again with the register's key, so that the walk of the records meets them.
func FuzzVerify_Journal(f *testing.F) {
	b, r := smallArchive(f)
	journal := files(f, b)[archive.FileJournal]
	f.Add(journal)
	f.Add(append(bytes.Clone(journal), journal...))
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, j []byte) {
		forged := resign(t, b, r.keys[0], func(name string, body []byte) []byte {
			if name == archive.FileJournal {
				return j
			}
			return body
		})
		_, err := archive.Verify(bytes.NewReader(forged), int64(len(forged)), archive.VerifyOptions{})
		checkVerdict(t, err)
	})
}

// resign rebuilds an archive after edit changed its files, with the manifest's digests
// recomputed and the manifest signed again by key: what the register itself would write.
func resign(tb testing.TB, b []byte, key ed25519.PrivateKey, edit func(name string, body []byte) []byte) []byte {
	tb.Helper()
	out := rewrite(tb, b, edit)
	bodies := files(tb, out)
	var sig archive.ManifestSignature
	if err := json.Unmarshal(bodies[archive.FileSignature], &sig); err != nil {
		tb.Fatal(err)
	}
	sig.Value = base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, bodies[archive.FileManifest]))
	s, _ := json.MarshalIndent(sig, "", "  ")
	bodies[archive.FileSignature] = append(s, '\n')
	var m archive.Manifest
	if err := json.Unmarshal(bodies[archive.FileManifest], &m); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	names := []string{"journal.jsonl", "reprints.jsonl", "events.jsonl", "keys.jsonl", "LISEZMOI.txt", "README.txt", "manifest.json", "manifest.sig"}
	if err := archive.EncodeZip(&buf, m.CreatedAt, names, bodies); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
