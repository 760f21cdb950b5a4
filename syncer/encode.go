package syncer

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/comptoir/comptoir"
)

// appendBatch writes a push's body, {"events":[...]} and a newline, by hand around the events'
// payloads, which go as they are. encoding/json would compact and re-validate every payload
// byte, and a batch is mostly payloads: journal records the central hashes as they come, so
// copying them is also what keeps their bytes. The central decodes it like json.Marshal's: the
// fields are the same, only the payloads' white space and escapes may differ from what
// encoding/json would have written, and the JSON they stand for is the same.
func appendBatch(b []byte, events []comptoir.Event) ([]byte, error) {
	b = append(b, `{"events":[`...)
	for i, ev := range events {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendEvent(b, ev); err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.Seq, err)
		}
	}
	return append(b, "]}\n"...), nil
}

// appendEvent writes one event as json.Marshal would, but for its payload, copied as it is.
func appendEvent(b []byte, ev comptoir.Event) ([]byte, error) {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, ev.Seq, 10)
	b = append(b, `,"id":`...)
	b = appendString(b, ev.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, ev.Type)
	b = append(b, `,"at":`...)
	if y := ev.At.Year(); y < 0 || y > 9999 {
		// time.Time.MarshalJSON refuses it too: RFC 3339 has four-digit years.
		return nil, fmt.Errorf("time %v out of RFC 3339's years", ev.At)
	}
	b = append(b, '"')
	b = ev.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","payload":`...)
	if len(ev.Payload) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, ev.Payload...)
	}
	return append(b, '}'), nil
}

// appendString writes s as a JSON string: as it is between quotes when nothing in it needs an
// escape, which is the case of every ID and type a register writes, else as encoding/json does.
func appendString(b []byte, s string) []byte {
	if plainString(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s) // A string always encodes.
	return append(b, q...)
}

// plainString reports whether encoding/json writes s as itself between quotes: printable
// ASCII with nothing it escapes.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// eventSizeBound is at least the bytes appendEvent writes for ev, and the comma before it,
// without writing them; it is exact for the events a register writes. A string that needs
// escapes is counted six bytes a byte, the most an escape takes.
func eventSizeBound(ev comptoir.Event) int {
	const fixed = len(`,{"seq":,"id":,"type":,"at":"","payload":}`)
	n := fixed + len(ev.Payload) + stringSizeBound(ev.ID) + stringSizeBound(ev.Type)
	if len(ev.Payload) == 0 {
		n += len("null")
	}
	var digits [20]byte
	n += len(strconv.AppendUint(digits[:0], ev.Seq, 10))
	var at [64]byte
	return n + len(ev.At.AppendFormat(at[:0], time.RFC3339Nano))
}

// stringSizeBound is at least the bytes appendString writes for s.
func stringSizeBound(s string) int {
	if plainString(s) {
		return len(s) + 2
	}
	return 6*len(s) + 2
}

// gzipWriters keeps gzip writers between pushes: a writer's compression state is hundreds of
// kilobytes, and the Syncer pushes batch after batch.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // The level is valid.
	return zw
}}

// batchBuffers keeps the uncompressed JSON of a batch between pushes.
var batchBuffers = sync.Pool{New: func() any { return new([]byte) }}

// gzipBatch writes a push's gzipped body into w. It compresses at gzip.BestSpeed: on a shop's
// network the bytes saved by a higher level are worth less than the time the register spends
// finding them, and a batch of journal records compresses well at any level.
func gzipBatch(w io.Writer, events []comptoir.Event) error {
	bp := batchBuffers.Get().(*[]byte)
	defer batchBuffers.Put(bp)
	data, err := appendBatch((*bp)[:0], events)
	if err != nil {
		return err
	}
	*bp = data
	zw := gzipWriters.Get().(*gzip.Writer)
	defer func() {
		// The pool keeps the writer, not the body it wrote into.
		zw.Reset(io.Discard)
		gzipWriters.Put(zw)
	}()
	zw.Reset(w)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}
