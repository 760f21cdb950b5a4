package comptoir

import (
	"context"
	"encoding/json"
	"time"
)

// Event is one entry of the outbox: a change the register made, to be pushed to the central API.
type Event struct {
	Seq  uint64    `json:"seq"`
	ID   string    `json:"id"`
	Type string    `json:"type"`
	At   time.Time `json:"at"`
	// Payload is the event's JSON document, stored and sent as JSON rather than base64 so that
	// an event costs no more bytes than the record it carries.
	Payload json.RawMessage `json:"payload"`
}

// The event types the journal emits.
const (
	EventSaleRecorded    = "sale.recorded"
	EventClosingRecorded = "closing.recorded"
)

// Event types about members and the block list. Their payloads carry the pseudonymous ID, never
// personal data; a blocked address's event carries not even that, only when it was blocked.
const (
	EventCustomerEnrolled = "customer.enrolled"
	EventCustomerUpdated  = "customer.updated"
	EventCustomerConsent  = "customer.consent"
	EventCustomerStopped  = "customer.stop-processing"
	EventCustomerResumed  = "customer.resume-processing"
	EventCustomerErased   = "customer.erased"
	EventEmailBlocked     = "email.blocked"
)

// OutboxService reads the events waiting to be pushed to the central API and drops those it
// acknowledged.
type OutboxService interface {
	// Outbox lists up to limit pending events from sequence after+1 on, oldest first; a limit
	// of zero or less lists them all.
	Outbox(ctx context.Context, after uint64, limit int) ([]Event, error)
	// PendingEvents counts the events waiting to be pushed, for the status bar's "N en
	// attente", without reading them.
	PendingEvents(ctx context.Context) (int, error)
	// AckOutbox drops the events the central acknowledged, every one up to sequence upTo, in one
	// transaction, and says how many it dropped; the syncer calls it only once the central
	// answered. Sequences are never given again after it. An acknowledgement past the last
	// sequence ever given is refused with CodeRegisterBehindCentral and drops nothing.
	AckOutbox(ctx context.Context, upTo uint64) (int, error)
}
