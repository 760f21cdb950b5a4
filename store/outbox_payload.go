package store

import (
	"bytes"
	"encoding/base64"
	"strconv"

	"github.com/comptoir/comptoir/central"
)

// A record's payload, which the outbox writes and the central reads, is central.RecordPayload's;
// the outbox entry around it is the register's own, read here.

// decodeStoredEvent reads an outbox entry. An entry about a journal record, as appendEvent
// writes it, is read without encoding/json, which costs as much as the rest of reading the
// outbox; anything else (a payload, an escape, another order) is left to decode. It says what
// decode would say of the same bytes.
func decodeStoredEvent(v []byte) (storedEvent, error) {
	if ev, ok := splitStoredEvent(v); ok {
		return ev, nil
	}
	var ev storedEvent
	err := decode(v, &ev)
	return ev, err
}

// splitStoredEvent reads {"seq":N,"id":"…","type":"…","at":"…","register":"…","key":"…"} after
// the value's version byte, each string printable ASCII without escapes; ok only when
// encoding/json would read the same.
func splitStoredEvent(v []byte) (ev storedEvent, ok bool) {
	if len(v) == 0 || v[0] != valueVersion {
		return ev, false
	}
	rest, found := bytes.CutPrefix(v[1:], []byte(`{"seq":`))
	if !found {
		return ev, false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || n > 19 || (n > 1 && rest[0] == '0') {
		return ev, false
	}
	seq, err := strconv.ParseUint(string(rest[:n]), 10, 64)
	if err != nil {
		return ev, false
	}
	ev.Seq = seq
	rest = rest[n:]
	var at, key []byte
	for _, f := range []struct {
		name string
		into *[]byte
	}{{`,"id":"`, nil}, {`","type":"`, nil}, {`","at":"`, &at}, {`","register":"`, nil}, {`","key":"`, &key}} {
		if rest, found = bytes.CutPrefix(rest, []byte(f.name)); !found {
			return ev, false
		}
		end := bytes.IndexByte(rest, '"')
		if end < 0 || !central.PlainJSONString(string(rest[:end])) {
			return ev, false
		}
		switch f.name {
		case `,"id":"`:
			ev.ID = string(rest[:end])
		case `","type":"`:
			ev.Type = string(rest[:end])
		case `","register":"`:
			ev.Register = string(rest[:end])
		default:
			*f.into = rest[:end]
		}
		rest = rest[end:]
	}
	if string(rest) != `"}` {
		return ev, false
	}
	// The quotes around the time are those of the JSON text, as time.Time.UnmarshalJSON wants.
	if err := ev.At.UnmarshalJSON(append(append([]byte{'"'}, at...), '"')); err != nil {
		return ev, false
	}
	if ev.Key, err = base64.StdEncoding.DecodeString(string(key)); err != nil || len(ev.Key) == 0 {
		return ev, false
	}
	return ev, true
}
