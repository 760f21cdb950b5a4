package archive

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"

	"github.com/comptoir/comptoir"
)

// The explanations an archive carries, so that whoever opens it in ten years, without Comptoir,
// knows what each file holds and how to check it.
var (
	//go:embed LISEZMOI.txt
	lisezmoi []byte
	//go:embed README.txt
	readme []byte
)

// Write writes the archive of a closed period to w: the records of d as JSON Lines, the
// explanations, the manifest, and the manifest's signature by key, the private key of the key
// record numbered keyNumber in d.Keys. The same Data and key give the same bytes: the files come
// in a fixed order and carry d.CreatedAt as their time.
//
// It refuses a period with no closing in d.Journal (comptoir.CodePeriodNotClosed), a malformed
// period (comptoir.CodeInvalidPeriod), a key that is not the one d.Keys declares under
// keyNumber (comptoir.CodeSigningKeyMismatch), and a record that cannot be read or put on one
// line (comptoir.CodeCorruptRecord).
func Write(w io.Writer, d Data, key ed25519.PrivateKey, keyNumber uint64) (Summary, error) {
	// The kind is the period's, whatever d.Kind says: the verifier checks that they agree.
	kind, err := comptoir.ParsePeriod(d.Period)
	if err != nil {
		return Summary{}, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return Summary{}, comptoir.E(comptoir.CodeSigningKeyInvalid, comptoir.Text{FR: "clé de signature de l'archive", EN: "archive's signing key"})
	}
	m := Manifest{
		Format: Format, Software: d.Software, Register: d.Register, Period: d.Period, Kind: kind,
		CreatedAt: d.CreatedAt, Location: d.Location, Anchors: d.Anchors,
		GrandTotalBefore: d.GrandTotalBefore, GrandTotalAbsBefore: d.GrandTotalAbsBefore,
		Counts: Counts{Reprints: len(d.Reprints), Events: len(d.Events), Keys: len(d.Keys)},
	}
	if m.Anchors == nil {
		m.Anchors = map[comptoir.Chain]Anchor{}
	}
	closed := false
	for _, e := range d.Journal {
		switch e.Kind {
		case comptoir.TicketRecord:
			m.Counts.Tickets++
			continue
		case comptoir.ClosingRecord:
			m.Counts.Closings++
		default:
			return Summary{}, corrupt()
		}
		var c comptoir.Closing
		if json.Unmarshal(e.Record, &c) != nil {
			return Summary{}, corrupt()
		}
		if c.Period == d.Period && !closed {
			closed = true
			m.Closing, m.Totals, m.GrandTotal, m.GrandTotalAbs = c.Number, c.Totals, c.GrandTotal, c.GrandTotalAbs
		}
	}
	if !closed {
		return Summary{}, comptoir.E(comptoir.CodePeriodNotClosed, d.Period)
	}
	pub := key.Public().(ed25519.PublicKey)
	fingerprint := comptoir.KeyFingerprint(pub)
	signer := false
	for _, e := range d.Keys {
		var k comptoir.SigningKeyRecord
		if e.Kind != comptoir.KeyRecord || json.Unmarshal(e.Record, &k) != nil {
			return Summary{}, corrupt()
		}
		m.Keys = append(m.Keys, KeyDigest{Number: k.Number, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, Reason: k.Reason})
		if k.Number == keyNumber {
			declared, err := k.Public()
			signer = err == nil && declared.Equal(pub)
		}
	}
	if !signer {
		return Summary{}, comptoir.E(comptoir.CodeSigningKeyMismatch, fingerprint)
	}

	zw := newZipEncoder(w, d.CreatedAt)
	sum := sha256.New()
	files := map[string][]Entry{FileJournal: d.Journal, FileReprints: d.Reprints, FileEvents: d.Events, FileKeys: d.Keys}
	texts := map[string][]byte{FileLisezmoi: lisezmoi, FileReadme: readme}
	for _, name := range dataFiles {
		zw.begin(name)
		sum.Reset()
		lc := &lineCounter{h: sum}
		bw := bufio.NewWriterSize(io.MultiWriter(zw, lc), 64<<10)
		if text, ok := texts[name]; ok {
			_, err = bw.Write(text)
		} else {
			err = writeEntries(bw, files[name])
		}
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			return Summary{}, err
		}
		zw.end()
		m.Files = append(m.Files, FileDigest{Name: name, SHA256: hex.EncodeToString(sum.Sum(nil)), Lines: lc.lines})
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Summary{}, err
	}
	manifest = append(manifest, '\n')
	sig := ManifestSignature{
		Key: keyNumber, Fingerprint: fingerprint,
		Value: base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, manifest)),
	}
	for _, f := range []struct {
		name string
		body []byte
	}{{FileManifest, manifest}, {FileSignature, sig.encode()}} {
		zw.begin(f.name)
		zw.Write(f.body)
		zw.end()
	}
	if err := zw.close(); err != nil {
		return Summary{}, err
	}
	return Summary{
		Period: d.Period, Tickets: m.Counts.Tickets, Closings: m.Counts.Closings, Reprints: m.Counts.Reprints,
		Events: m.Counts.Events, Keys: m.Counts.Keys, Fingerprint: fingerprint, Bytes: zw.off,
	}, nil
}

func corrupt() error {
	return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "enregistrement à archiver", EN: "record to archive"})
}

// writeEntries writes entries as JSON Lines. The record is written as its exact bytes, not
// re-encoded, because they are what the journal hashed and signed: an encoder could reorder or
// escape them differently.
func writeEntries(w *bufio.Writer, entries []Entry) error {
	for _, e := range entries {
		if len(e.Record) == 0 || bytes.ContainsAny(e.Record, "\r\n") {
			return corrupt()
		}
		kind, _ := json.Marshal(e.Kind)
		h, _ := json.Marshal(e.Hash)
		w.WriteString(`{"kind":`)
		w.Write(kind)
		w.WriteString(`,"hash":`)
		w.Write(h)
		w.WriteString(`,"record":`)
		w.Write(e.Record)
		if e.Signature != nil {
			sig, err := json.Marshal(e.Signature)
			if err != nil {
				return err
			}
			w.WriteString(`,"signature":`)
			w.Write(sig)
		}
		if _, err := w.WriteString("}\n"); err != nil {
			return err
		}
	}
	return nil
}

// lineCounter hashes a file as it is written and counts its lines, for the manifest.
type lineCounter struct {
	h     hash.Hash
	lines int64
}

func (l *lineCounter) Write(p []byte) (int, error) {
	l.lines += int64(bytes.Count(p, []byte{'\n'}))
	return l.h.Write(p)
}
