package central

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/comptoir/comptoir"
)

// A record's event carries the record as the register hashed it, so its payload has one shape,
// written by RecordPayload on the register and read by SplitRecordPayload at the central; both
// skip encoding/json where they can prove it would read or write the same bytes, since a push
// or an outbox listing otherwise scans every record several times.

// RecordEvent is the payload of an event about a record: the register, the record's hash and its
// exact hashed bytes (the fields of the register's outbox payload, in their order), and the
// record's signature, absent on a record made before the register had a key. The signature is
// beside the record, never in it, so that the record's bytes stay the ones hashed.
type RecordEvent struct {
	Register  string              `json:"register"`
	Hash      string              `json:"hash"`
	Record    json.RawMessage     `json:"record"`
	Signature *comptoir.Signature `json:"signature,omitempty"`
}

// RecordPayload writes an event's payload for a record, the bytes json.Marshal writes for
// RecordEvent{register, hash, body, sig}, but by appending them: reading the outbox builds one
// for every event it lists, and json.Marshal would re-scan every byte of the record to compact
// and escape it. The record's bytes are the ones the register hashed, so they must reach the
// central unchanged; encoding/json wrote them compact and HTML escaped, and such bytes are what
// json.Marshal would copy as they are. Anything else (a register name, a signature or a record
// that json.Marshal would rewrite) goes through json.Marshal, so that the bytes never differ
// from what it writes.
func RecordPayload(register, hash string, body []byte, sig *comptoir.Signature) ([]byte, error) {
	if !PlainJSONString(register) || !PlainJSONString(hash) || !compactEscaped(body) || !plainSignature(sig) {
		return json.Marshal(RecordEvent{Register: register, Hash: hash, Record: body, Signature: sig})
	}
	n := len(`{"register":"","hash":"","record":}`) + len(register) + len(hash) + len(body)
	if sig != nil {
		n += len(`,"signature":{"chain":"","key":,"first":true,"prev":"","sig":""}`) + 20 + len(sig.Chain) + len(sig.Prev) + len(sig.Value)
	}
	b := make([]byte, 0, n)
	b = append(b, `{"register":"`...)
	b = append(b, register...)
	b = append(b, `","hash":"`...)
	b = append(b, hash...)
	b = append(b, `","record":`...)
	b = append(b, body...)
	if sig != nil {
		b = appendSignature(append(b, `,"signature":`...), sig)
	}
	return append(b, '}'), nil
}

// plainSignature reports whether every string of a signature is written by encoding/json as
// itself: always so of what a register signs (a chain's name, base64url), checked all the same.
func plainSignature(sig *comptoir.Signature) bool {
	return sig == nil || PlainJSONString(string(sig.Chain)) && PlainJSONString(sig.Prev) && PlainJSONString(sig.Value)
}

// appendSignature writes a signature whose strings are plain as json.Marshal writes it: fields in
// their declared order, first and prev left out when empty.
func appendSignature(b []byte, sig *comptoir.Signature) []byte {
	b = append(b, `{"chain":"`...)
	b = append(b, sig.Chain...)
	b = append(b, `","key":`...)
	b = strconv.AppendUint(b, sig.Key, 10)
	if sig.First {
		b = append(b, `,"first":true`...)
	}
	if sig.Prev != "" {
		b = append(b, `,"prev":"`...)
		b = append(b, sig.Prev...)
		b = append(b, '"')
	}
	b = append(b, `,"sig":"`...)
	b = append(b, sig.Value...)
	return append(b, `"}`...)
}

// PlainJSONString reports whether s is written by encoding/json as itself between quotes:
// printable ASCII with nothing it escapes.
func PlainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// compactEscaped reports whether json.Marshal of body as a json.RawMessage would copy it
// unchanged, as far as a single pass can tell: a JSON value starting with '{' with no white
// space outside its strings, no control character inside them, and none of the characters
// encoding/json escapes (<, >, &, U+2028, U+2029). It does not validate the grammar: the
// journal holds what encoding/json wrote, and the central checks every record's hash.
func compactEscaped(body []byte) bool {
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return false
	}
	inString, escaped := false, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inString && escaped:
			escaped = false
		case inString:
			switch {
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			case c < 0x20, c == '<', c == '>', c == '&':
				return false
			case c == 0xe2 && i+2 < len(body) && body[i+1] == 0x80 && (body[i+2] == 0xa8 || body[i+2] == 0xa9):
				return false
			}
		case c == '"':
			inString = true
		case c == ' ', c == '\t', c == '\n', c == '\r':
			return false
		}
	}
	return !inString
}

// SplitRecordPayload reads a record's payload of the shape RecordPayload writes without
// encoding/json, which would scan the whole record once to validate it and again to find its
// end, before Register.Apply scans it twice more to read the ticket. It says ok only when
// json.Unmarshal would read the same register, hash, record bytes and signature from a payload
// whose record is valid JSON: it checks every byte but the record's, and the caller unmarshals
// the record, which checks those. Anything else is left to encoding/json.
func SplitRecordPayload(payload []byte) (p RecordEvent, ok bool) {
	const (
		head = `{"register":"`
		mid  = `","hash":"`
		tail = `","record":`
	)
	rest, found := bytes.CutPrefix(payload, []byte(head))
	if !found {
		return p, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 || !PlainJSONString(string(rest[:end])) {
		return p, false
	}
	register := rest[:end]
	if rest, found = bytes.CutPrefix(rest[end:], []byte(mid)); !found {
		return p, false
	}
	if end = bytes.IndexByte(rest, '"'); end < 0 || !PlainJSONString(string(rest[:end])) {
		return p, false
	}
	hash := rest[:end]
	if rest, found = bytes.CutPrefix(rest[end:], []byte(tail)); !found {
		return p, false
	}
	// A signature comes after the record. Its strings hold no quote, so the last `,"signature":{`
	// of the payload is the signature's own when the rest reads as one: whatever the record
	// holds before it, a record that is valid JSON ends where the signature starts.
	var sig *comptoir.Signature
	record := rest[:max(len(rest)-1, 0)]
	if i := bytes.LastIndex(rest, []byte(`,"signature":{`)); i >= 0 {
		s, ok := splitSignature(rest[i+len(`,"signature":`):])
		if !ok {
			return p, false
		}
		sig, record = &s, rest[:i]
	} else if len(rest) == 0 || rest[len(rest)-1] != '}' {
		return p, false
	}
	// The record runs to the signature or the payload's closing brace, with no white space
	// around it.
	if len(record) < 2 || record[0] != '{' || record[len(record)-1] != '}' {
		return p, false
	}
	return RecordEvent{Register: string(register), Hash: string(hash), Record: record, Signature: sig}, true
}

// splitSignature reads {"chain":"…","key":N[,"first":true][,"prev":"…"],"sig":"…"}} (the
// signature, then the payload's closing brace) as appendSignature writes it, each string plain;
// ok only when encoding/json would read the same.
func splitSignature(b []byte) (sig comptoir.Signature, ok bool) {
	str := func(prefix string) (string, bool) {
		rest, found := bytes.CutPrefix(b, []byte(prefix))
		if !found {
			return "", false
		}
		end := bytes.IndexByte(rest, '"')
		if end < 0 || !PlainJSONString(string(rest[:end])) {
			return "", false
		}
		b = rest[end+1:]
		return string(rest[:end]), true
	}
	chain, found := str(`{"chain":"`)
	if !found {
		return sig, false
	}
	sig.Chain = comptoir.Chain(chain)
	if b, found = bytes.CutPrefix(b, []byte(`,"key":`)); !found {
		return sig, false
	}
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	if n == 0 || n > 20 || (n > 1 && b[0] == '0') {
		return sig, false
	}
	key, err := strconv.ParseUint(string(b[:n]), 10, 64)
	if err != nil {
		return sig, false
	}
	sig.Key, b = key, b[n:]
	if rest, found := bytes.CutPrefix(b, []byte(`,"first":true`)); found {
		sig.First, b = true, rest
	}
	if bytes.HasPrefix(b, []byte(`,"prev":"`)) {
		if sig.Prev, found = str(`,"prev":"`); !found {
			return sig, false
		}
	}
	if sig.Value, found = str(`,"sig":"`); !found {
		return sig, false
	}
	return sig, string(b) == `}}`
}

// ReadRecordEvent reads a record's payload as Register.Apply does, the fast way when it can; ok
// is false when the payload is not a record's.
func ReadRecordEvent(payload []byte) (RecordEvent, bool) {
	if p, ok := SplitRecordPayload(payload); ok && json.Valid(p.Record) {
		return p, true
	}
	var p RecordEvent
	if err := json.Unmarshal(payload, &p); err != nil || len(p.Record) == 0 {
		return RecordEvent{}, false
	}
	return p, true
}
