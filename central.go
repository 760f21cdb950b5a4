package comptoir

import (
	"context"
	"time"
)

// The central loyalty API receives every register's outbox events and applies each one exactly
// once. This file holds what its HTTP layer and its storage share, so that the embedded bbolt
// central and a PostgreSQL one can serve the same handler.

// Limits of a push, by default; the central's flags can change them.
const (
	// MaxBatchEvents is the most events one push may carry.
	MaxBatchEvents = 1000
	// MaxBatchBytes is the largest body one push may have, after gzip is undone.
	MaxBatchBytes = 8 << 20
)

// AdminName is the name the administrator's token goes by; no register may take it.
const AdminName = "admin"

// PushResult is the central's answer to a batch: the register's highest sequence number it now
// holds, every event up to it applied exactly once.
type PushResult struct {
	AckedSeq uint64 `json:"acked_seq"`
	// Applied, Replayed and Rejected count what the batch did, for the central's metrics; they
	// are not part of the answer.
	Applied  int `json:"-"`
	Replayed int `json:"-"`
	Rejected int `json:"-"`
	// ChainBreak names the first record whose link or number did not hold, when this batch is
	// the one that broke the register's chain; the HTTP layer logs it.
	ChainBreak string `json:"-"`
}

// RegisterSummary is what the central knows of one register, from what it pushed.
type RegisterSummary struct {
	Register string `json:"register"`
	AckedSeq uint64 `json:"acked_seq"`
	// Tickets counts the register's sales and refunds the central holds; GrandTotal is their
	// total, training tickets excluded, as the register's perpetual grand total counts them.
	Tickets    uint64    `json:"tickets"`
	GrandTotal Money     `json:"grand_total_cents"`
	LastSeen   time.Time `json:"last_seen"`
	// ChainOK is false once a pushed ticket or closing did not link to the previous record of
	// its register, or a number was skipped; ChainBreak names the first such record.
	ChainOK     bool   `json:"chain_ok"`
	ChainBreak  string `json:"chain_break,omitempty"`
	LastClosing string `json:"last_closing,omitempty"`
	// Rejected and Conflicts count the events stored as rejected (acknowledged, never applied)
	// and the pushes refused because a sequence number came back with other content.
	Rejected  uint64 `json:"rejected"`
	Conflicts uint64 `json:"conflicts"`
	// Demo is true once the register said at set-up that demo-data filled its database.
	Demo bool `json:"demo"`
	// Signed counts the pushed records whose signature the central checked with the register's
	// public key and found good; SignatureBreaks those it found missing, wrong, made by another
	// key or not following the previous signature of their chain (the first of them is
	// ChainBreak, "ticket 4 (signature)").
	Signed          uint64 `json:"signed"`
	SignatureBreaks uint64 `json:"signature_breaks"`
	// KeyBreaks counts the keys the register declared replaced (the previous one lost): a
	// declared break, which leaves the chains intact but says that records before it can no
	// longer be signed again by anyone. Fingerprint is the fingerprint of the key in effect, as
	// the register's Z reports print it; empty before the register's first key.
	KeyBreaks   int    `json:"key_breaks"`
	Fingerprint string `json:"fingerprint,omitempty"`
	// SignaturesPending counts the acknowledged events whose signatures the central has not
	// checked yet: a push is answered before them, and the central's auditor checks them just
	// after, in the background. Signed, SignatureBreaks, KeyBreaks, Fingerprint and a signature's
	// ChainBreak say what it found up to there.
	SignaturesPending uint64 `json:"signatures_pending"`
}

// CentralStore is the central's storage: it applies pushed events and answers about registers.
//
// Push applies a batch for one register in one durable transaction together with the register's
// new acknowledged sequence, and returns only once that commit is durable. Events must follow the
// acknowledged sequence without a gap: a batch whose first new event is not acked+1 is refused
// with CodeSeqGap (its Args carry the expected sequence). An event at or below the acknowledged
// sequence whose ID and content equal what is stored is a replay, acknowledged without effect;
// the same sequence with another ID or content is refused with CodeSeqConflict, recorded as a
// conflict and never overwrites what is stored. An event that can never be applied (an unknown
// type, a payload that does not parse) is stored as rejected with its reason and acknowledged, so
// that one bad event never blocks a register.
type CentralStore interface {
	Push(ctx context.Context, register string, events []Event) (PushResult, error)
	// Register summarises one register; CodeUnknownRegisterCentral when it never pushed.
	Register(ctx context.Context, register string) (RegisterSummary, error)
}
