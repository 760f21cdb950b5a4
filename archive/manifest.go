package archive

import (
	"encoding/json"
	"time"

	"github.com/comptoir/comptoir"
)

// The names of the files of an archive, in the order the writer stores them. A reader refuses
// any other name, and any name twice.
const (
	FileJournal   = "journal.jsonl"
	FileReprints  = "reprints.jsonl"
	FileEvents    = "events.jsonl"
	FileKeys      = "keys.jsonl"
	FileLisezmoi  = "LISEZMOI.txt"
	FileReadme    = "README.txt"
	FileManifest  = "manifest.json"
	FileSignature = "manifest.sig"
)

// dataFiles are the files the manifest describes, in the archive's order.
var dataFiles = []string{FileJournal, FileReprints, FileEvents, FileKeys, FileLisezmoi, FileReadme}

// Manifest describes an archive: what it holds, the digest of every other file, where each chain
// stood before it, and the totals it must add up to. manifest.sig signs its exact bytes, so that
// through the digests the signature covers every file.
type Manifest struct {
	// Format is always Format: a reader refuses any other.
	Format string `json:"format"`
	// Software is the name and version of the software that wrote the archive.
	Software string `json:"software"`
	// Register is the till whose records the archive holds.
	Register string `json:"register"`
	// Period is the closed period, YYYY-MM or YYYY, and Kind its closing's kind.
	Period string               `json:"period"`
	Kind   comptoir.ClosingKind `json:"kind"`
	// CreatedAt is when the archive was written.
	CreatedAt time.Time `json:"created_at"`
	// Location is the shop's time zone (IANA name), in which business days are counted.
	Location string `json:"location"`
	// Files lists every file of the archive but the manifest and its signature.
	Files []FileDigest `json:"files"`
	// Keys lists the register's signing keys, as keys.jsonl declares them.
	Keys []KeyDigest `json:"keys"`
	// Anchors holds, per chain, where the chain stood before the archive's first record of it.
	Anchors map[comptoir.Chain]Anchor `json:"anchors"`
	// GrandTotalBefore and GrandTotalAbsBefore are the perpetual grand totals, in cents, before
	// the journal's first record.
	GrandTotalBefore    comptoir.Money `json:"grand_total_before"`
	GrandTotalAbsBefore comptoir.Money `json:"grand_total_abs_before"`
	// Closing is the number of the period's closing in the closing chain.
	Closing uint64 `json:"closing"`
	// Totals are the period's totals as its closing sealed them.
	Totals comptoir.Totals `json:"totals"`
	// GrandTotal and GrandTotalAbs are the perpetual grand totals, in cents, at the period's
	// closing.
	GrandTotal    comptoir.Money `json:"grand_total"`
	GrandTotalAbs comptoir.Money `json:"grand_total_abs"`
	// Counts are the number of records of each kind the archive holds.
	Counts Counts `json:"counts"`
}

// FileDigest is one file of an archive as its manifest describes it.
type FileDigest struct {
	Name string `json:"name"`
	// SHA256 is the hex SHA-256 of the file's bytes.
	SHA256 string `json:"sha256"`
	// Lines is the number of newline characters in the file (one per record in a JSON Lines
	// file).
	Lines int64 `json:"lines"`
}

// KeyDigest is one of the register's signing keys as the manifest lists it.
type KeyDigest struct {
	// Number is the key record's number in the key chain.
	Number uint64 `json:"number"`
	// Fingerprint is comptoir.KeyFingerprint of the public key.
	Fingerprint string `json:"fingerprint"`
	// PublicKey is the Ed25519 public key, base64 (standard, padded).
	PublicKey string `json:"public_key"`
	// Reason says why the key was recorded: created, rotated or replaced.
	Reason comptoir.KeyReason `json:"reason"`
}

// Counts are the number of records of each kind an archive holds.
type Counts struct {
	Tickets  int `json:"tickets"`
	Closings int `json:"closings"`
	Reprints int `json:"reprints"`
	Events   int `json:"events"`
	Keys     int `json:"keys"`
}

// ManifestSignature is manifest.sig: the signature of manifest.json's exact bytes.
type ManifestSignature struct {
	// Key is the number of the key record of the key that signed.
	Key uint64 `json:"key"`
	// Fingerprint is that key's fingerprint, for a person to compare with a Z report.
	Fingerprint string `json:"fingerprint"`
	// Value is the Ed25519 signature, base64url without padding.
	Value string `json:"sig"`
}

// encode is manifest.sig's exact bytes. The verifier rebuilds them from the values it read and
// compares, so that no byte of manifest.sig can change (a space for a tab) unnoticed.
func (s ManifestSignature) encode() []byte {
	b, _ := json.MarshalIndent(s, "", "  ")
	return append(b, '\n')
}
