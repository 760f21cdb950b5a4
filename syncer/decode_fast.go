package syncer

import (
	"bytes"

	"github.com/comptoir/comptoir"
)

// decodeBatchFast reads a push's body in one pass when it has the shape registers write:
// {"events":[...]} whose events have only the fields seq, id, type, at and payload, each at most
// once, spelt exactly so, with strings that need no unescaping, the payload a valid JSON value
// other than null, kept as it came. It says ok only when encoding/json, as decodeStrict uses it,
// would read the very same events; for anything else (an unknown field, an escape, a malformed
// body) it says !ok and the caller decodes with encoding/json, which also says what is wrong.
// encoding/json scans every payload byte twice and copies it; a batch is mostly payloads.
//
// The payloads share data's memory, which the caller no longer writes.
func decodeBatchFast(data []byte) (events []comptoir.Event, ok bool) {
	p := fastParser{data: data}
	if !p.literal(`{`) || !p.literal(`"events"`) || !p.literal(`:`) || !p.literal(`[`) {
		return nil, false
	}
	// Every event has a seq, so counting them sizes the list once; payloads that say "seq": too
	// only make it larger than needed.
	events = make([]comptoir.Event, 0, min(bytes.Count(data, []byte(`"seq":`)), comptoir.MaxBatchEvents+1))
	if p.peek() == ']' {
		p.i++
	} else {
		for {
			ev, ok := p.event()
			if !ok {
				return nil, false
			}
			events = append(events, ev)
			p.space()
			if p.i >= len(p.data) {
				return nil, false
			}
			c := p.data[p.i]
			p.i++
			if c == ']' {
				break
			}
			if c != ',' {
				return nil, false
			}
		}
	}
	if !p.literal(`}`) {
		return nil, false
	}
	p.space()
	return events, p.i == len(p.data)
}

// fastParser walks a body for decodeBatchFast.
type fastParser struct {
	data []byte
	i    int
}

// space skips JSON white space.
func (p *fastParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek is the next byte after white space, 0 at the end.
func (p *fastParser) peek() byte {
	p.space()
	if p.i >= len(p.data) {
		return 0
	}
	return p.data[p.i]
}

// literal consumes s after white space.
func (p *fastParser) literal(s string) bool {
	p.space()
	if len(p.data)-p.i < len(s) || string(p.data[p.i:p.i+len(s)]) != s {
		return false
	}
	p.i += len(s)
	return true
}

// plainString reads a string of printable ASCII without escapes, quotes included in raw.
func (p *fastParser) plainString() (s, raw []byte, ok bool) {
	p.space()
	start := p.i
	if p.i >= len(p.data) || p.data[p.i] != '"' {
		return nil, nil, false
	}
	for j := p.i + 1; j < len(p.data); j++ {
		switch c := p.data[j]; {
		case c == '"':
			p.i = j + 1
			return p.data[start+1 : j], p.data[start:p.i], true
		case c < 0x20, c >= 0x7f, c == '\\':
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// event reads one event object.
func (p *fastParser) event() (ev comptoir.Event, ok bool) {
	if !p.literal(`{`) {
		return ev, false
	}
	if p.peek() == '}' {
		p.i++
		return ev, true
	}
	var seen [5]bool
	for {
		key, _, ok := p.plainString()
		if !ok || !p.literal(`:`) {
			return ev, false
		}
		var field int
		switch string(key) {
		case "seq":
			field = 0
			if ev.Seq, ok = p.uint(); !ok {
				return ev, false
			}
		case "id", "type":
			field = 1
			v, _, ok := p.plainString()
			if !ok {
				return ev, false
			}
			if string(key) == "id" {
				ev.ID = string(v)
			} else {
				field = 2
				ev.Type = string(v)
			}
		case "at":
			field = 3
			_, raw, ok := p.plainString()
			if !ok || ev.At.UnmarshalJSON(raw) != nil {
				return ev, false
			}
		case "payload":
			field = 4
			p.space()
			start := p.i
			if p.peek() == 'n' || !p.value(0) {
				// A null payload is left to encoding/json, whose reading of it is its own.
				return ev, false
			}
			ev.Payload = p.data[start:p.i:p.i]
		default:
			return ev, false
		}
		if seen[field] {
			return ev, false
		}
		seen[field] = true
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return ev, true
		default:
			return ev, false
		}
	}
}

// uint reads an unsigned integer as encoding/json reads one into a uint64: no sign, no fraction,
// no exponent, no leading zero, no overflow.
func (p *fastParser) uint() (uint64, bool) {
	p.space()
	start := p.i
	var n uint64
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		d := uint64(p.data[p.i] - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
		p.i++
	}
	digits := p.i - start
	if digits == 0 || (digits > 1 && p.data[start] == '0') {
		return 0, false
	}
	if p.i < len(p.data) {
		switch p.data[p.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return n, true
}

// maxFastDepth is how deep a payload nests before the fast reader leaves it to encoding/json,
// whose own limit is far above what any register writes.
const maxFastDepth = 64

// value checks one JSON value at p.i, leaving p.i after it, as encoding/json's scanner would
// accept it (it does not check UTF-8 either).
func (p *fastParser) value(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	switch p.peek() {
	case '{':
		p.i++
		if p.peek() == '}' {
			p.i++
			return true
		}
		for {
			if p.peek() != '"' || !p.string() || !p.literal(`:`) || !p.value(depth+1) {
				return false
			}
			switch p.peek() {
			case ',':
				p.i++
			case '}':
				p.i++
				return true
			default:
				return false
			}
		}
	case '[':
		p.i++
		if p.peek() == ']' {
			p.i++
			return true
		}
		for {
			if !p.value(depth + 1) {
				return false
			}
			switch p.peek() {
			case ',':
				p.i++
			case ']':
				p.i++
				return true
			default:
				return false
			}
		}
	case '"':
		return p.string()
	case 't':
		return p.word("true")
	case 'f':
		return p.word("false")
	case 'n':
		return p.word("null")
	default:
		return p.number()
	}
}

// word consumes a literal with nothing glued to it that would make it another token.
func (p *fastParser) word(w string) bool {
	if len(p.data)-p.i < len(w) || string(p.data[p.i:p.i+len(w)]) != w {
		return false
	}
	p.i += len(w)
	return true
}

// string consumes a JSON string at p.i, escapes checked.
func (p *fastParser) string() bool {
	p.i++ // The opening quote.
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return false
			}
			switch p.data[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if len(p.data)-p.i < 6 {
					return false
				}
				for _, h := range p.data[p.i+2 : p.i+6] {
					if !isHex(h) {
						return false
					}
				}
				p.i += 6
			default:
				return false
			}
		default:
			p.i++
		}
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number consumes a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *fastParser) number() bool {
	d := p.data
	if p.i < len(d) && d[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(d) && d[p.i] == '0':
		p.i++
	case p.i < len(d) && d[p.i] >= '1' && d[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.i < len(d) && d[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return false
		}
	}
	if p.i < len(d) && (d[p.i] == 'e' || d[p.i] == 'E') {
		p.i++
		if p.i < len(d) && (d[p.i] == '+' || d[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false
		}
	}
	return true
}

// digits consumes decimal digits and says how many.
func (p *fastParser) digits() int {
	start := p.i
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}
