package central

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// registerName is the register names a register's store accepts, so that a name the central
// answers about is one a register can have.
var registerName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// CheckName refuses the administrator's name (CodeReservedRegister) and names a register cannot
// have (CodeInvalidRegister).
func CheckName(register string) error {
	if register == comptoir.AdminName {
		return comptoir.E(comptoir.CodeReservedRegister, register)
	}
	if !registerName.MatchString(register) {
		return comptoir.E(comptoir.CodeInvalidRegister, register)
	}
	return nil
}

// CheckBatch refuses a batch the central cannot take whatever it holds: more than limit events
// (CodeBatchTooManyEvents), sequence numbers that do not increase strictly from 1
// (CodeBatchOrder), an event without an ID (CodeEventWithoutID), an ID or a type that is not
// text a database could keep (CodeMalformedBatch).
func CheckBatch(events []comptoir.Event, limit int) error {
	if len(events) > limit {
		return comptoir.E(comptoir.CodeBatchTooManyEvents, limit)
	}
	var prev uint64
	for _, e := range events {
		if e.Seq <= prev {
			return comptoir.E(comptoir.CodeBatchOrder, e.Seq)
		}
		if e.ID == "" {
			return comptoir.E(comptoir.CodeEventWithoutID, e.Seq)
		}
		// A database server keeps text as valid UTF-8 without NUL: an ID or a type it cannot
		// store would fail the batch at every retry, so every backend refuses it here alike.
		if !storableText(e.ID) || !storableText(e.Type) {
			return comptoir.E(comptoir.CodeMalformedBatch, fmt.Sprintf("event no. %d: an ID or a type that is not text", e.Seq))
		}
		prev = e.Seq
	}
	return nil
}

// storableText reports whether s is valid UTF-8 without a NUL character.
func storableText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// StoredEvent is a pushed event as the central keeps it: its payload exactly as it came, but for
// the member's wrapped data key (StripWrappedKey), and why it was rejected, if it was.
type StoredEvent struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	At       time.Time `json:"at"`
	Received time.Time `json:"received"`
	// Rejected is why the event can never be applied; empty for an applied event.
	Rejected string `json:"rejected,omitempty"`
	Payload  []byte `json:"-"`
}

// NewStoredEvent is an event as it is stored, received at received.
func NewStoredEvent(e comptoir.Event, received time.Time) StoredEvent {
	return StoredEvent{ID: e.ID, Type: e.Type, At: e.At.UTC(), Received: received,
		Payload: StripWrappedKey(e.Type, e.Payload)}
}

// Same reports whether a pushed event (o, from NewStoredEvent) is the one stored under its
// sequence: the same ID, type and time, and the same payload. Payloads compare as encoding/json
// writes them (compact, HTML escaped), which leaves the register's own encoding as it is, so
// that a replay sent again through any JSON layer compares equal to what is stored. Times
// compare to the nanosecond: a backend keeps them whole.
func (ce StoredEvent) Same(o StoredEvent) bool {
	if ce.ID != o.ID || ce.Type != o.Type || !ce.At.Equal(o.At) {
		return false
	}
	if bytes.Equal(ce.Payload, o.Payload) {
		return true
	}
	a, errA := json.Marshal(json.RawMessage(ce.Payload))
	b, errB := json.Marshal(json.RawMessage(o.Payload))
	return errA == nil && errB == nil && bytes.Equal(a, b)
}
