// Package archive writes and verifies Comptoir's fiscal archives: one self-contained zip per
// closed period (a month or a year) holding every ticket, closing, reprint and technical event of
// the period as JSON Lines, the register's public keys, a manifest, and a signature over the
// manifest. It needs no database to verify one, only this package and the root's canonical
// strings, so that an auditor's copy of the verifier checks an archive on any machine.
package archive

import (
	"encoding/json"
	"time"

	"github.com/comptoir/comptoir"
)

// Format names the archive format in its manifest; a reader refuses any other.
const Format = "comptoir-archive-1"

// Entry is one record of an archive: its kind, its exact bytes as the journal hashed them, their
// SHA-256, and its signature (nil for a record made before the register had a signing key).
type Entry struct {
	Kind      comptoir.RecordKind `json:"kind"`
	Hash      string              `json:"hash"`
	Record    json.RawMessage     `json:"record"`
	Signature *comptoir.Signature `json:"signature,omitempty"`
}

// Anchor is where a chain stood just before the archive's first record of it, so that the first
// record's links can be checked without the records before it.
type Anchor struct {
	// Number is the last record of the chain before the archive's first one (zero when the
	// archive starts the chain).
	Number uint64 `json:"number"`
	// Hash is that record's hash: the prev_hash the archive's first record must carry. For
	// tickets and closings it is the hash of the journal record before the first journal entry,
	// whatever its kind, since the two share one hash chain.
	Hash string `json:"hash,omitempty"`
	// Signature is that record's signature: the previous signature the first signed record of
	// the chain in the archive must follow. Empty when the chain had no signed record yet.
	Signature string `json:"signature,omitempty"`
}

// Data is what the store hands the writer: the records of a closed period and where each chain
// stood before them.
type Data struct {
	Register string
	// Period is the closed period (YYYY-MM or YYYY) and Kind its closing's kind.
	Period string
	Kind   comptoir.ClosingKind
	// Software is comptoir.Software() at the export; CreatedAt the export's time.
	Software  string
	CreatedAt time.Time
	// Location is the shop's time zone (IANA name), in which business days are counted.
	Location string
	// Journal holds the tickets and closings from the period's first record to the period's
	// closing, in journal order: records of the next period recorded before that closing are
	// included, since the hash chain runs through them.
	Journal []Entry
	// Reprints and Events hold the reprints and technical events whose business day falls in
	// the period, in chain order; Keys every key record of the register.
	Reprints []Entry
	Events   []Entry
	Keys     []Entry
	// Anchors holds, per chain, where the chain stood before the archive's first record of it.
	// The journal's hash anchor is Anchors[comptoir.ChainTickets].Hash.
	Anchors map[comptoir.Chain]Anchor
	// GrandTotalBefore and GrandTotalAbsBefore are the perpetual grand totals before the first
	// journal entry, from which the tickets' grand totals and the closings' are checked.
	GrandTotalBefore    comptoir.Money
	GrandTotalAbsBefore comptoir.Money
}

// Summary is what an export wrote; the root names it, so that the store's ArchiveService returns
// it without the root depending on this package.
type Summary = comptoir.ArchiveSummary

// Report is what verifying an archive found.
type Report struct {
	Register string
	Period   string
	Software string
	// Fingerprint is the key that signed the archive.
	Fingerprint string
	Tickets     int
	Closings    int
	Reprints    int
	Events      int
	Keys        int
	// Signed counts the records whose signature verified.
	Signed int
	// Totals are the period's closing totals and GrandTotal/GrandTotalAbs the perpetual ones
	// at its closing, once verified.
	Totals        comptoir.Totals
	GrandTotal    comptoir.Money
	GrandTotalAbs comptoir.Money
	// Breaks lists the key records that replaced a lost key (declared breaks).
	Breaks []uint64
}
