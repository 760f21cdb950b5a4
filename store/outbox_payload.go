package store

import (
	"encoding/json"
)

// recordPayload writes an event's payload for a journal record, the bytes json.Marshal writes for
// eventPayload{register, hash, body}, but by appending them: reading the outbox builds one for
// every event it lists, and json.Marshal would re-scan every byte of the record to compact and
// escape it. The record's bytes are the ones the register hashed, so they must reach the central
// unchanged; encoding/json wrote them compact and HTML escaped, and such bytes are what
// json.Marshal would copy as they are. Anything else (a register name or a record that
// json.Marshal would rewrite) goes through json.Marshal, so that the bytes never differ from
// what it writes.
func recordPayload(register, hash string, body []byte) ([]byte, error) {
	if !plainJSONString(register) || !plainJSONString(hash) || !compactEscaped(body) {
		return json.Marshal(eventPayload{Register: register, Hash: hash, Record: body})
	}
	b := make([]byte, 0, len(`{"register":"","hash":"","record":}`)+len(register)+len(hash)+len(body))
	b = append(b, `{"register":"`...)
	b = append(b, register...)
	b = append(b, `","hash":"`...)
	b = append(b, hash...)
	b = append(b, `","record":`...)
	b = append(b, body...)
	return append(b, '}'), nil
}

// plainJSONString reports whether s is written by encoding/json as itself between quotes:
// printable ASCII with nothing it escapes.
func plainJSONString(s string) bool {
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
