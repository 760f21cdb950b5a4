package syncer_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// FuzzDecodeBatch feeds the decoder arbitrary bodies, plain and gzip: it never panics, refuses
// only with the three batch codes, and what it accepts respects the limits and is complete.
func FuzzDecodeBatch(f *testing.F) {
	valid := batchBody(f, sales(1, 3))
	f.Add(valid, false)
	f.Add(valid[:len(valid)/2], false)
	f.Add(gzipped(f, valid), true)
	z := gzipped(f, valid)
	f.Add(z[:len(z)-5], true)
	f.Add([]byte(`{"events":[]}`), false)
	f.Add([]byte(`{"events":[{"seq":0}]}`), false)
	f.Add([]byte(`{"events":null}`), false)
	f.Add([]byte(`{"events":[],"x":1} trailing`), false)
	f.Add([]byte{}, true)
	const maxBytes, maxEvents = 4096, 5
	f.Fuzz(func(t *testing.T, body []byte, gz bool) {
		enc := ""
		if gz {
			enc = "gzip"
		}
		events, err := syncer.DecodeBatch(bytes.NewReader(body), enc, maxBytes, maxEvents)
		if err != nil {
			var e *comptoir.Error
			if !errors.As(err, &e) || (e.Code != comptoir.CodeMalformedBatch && e.Code != comptoir.CodeBatchTooLarge && e.Code != comptoir.CodeBatchTooManyEvents) {
				t.Fatalf("refusal: got %v, want a batch code", err)
			}
			return
		}
		if len(events) > maxEvents {
			t.Fatalf("accepted %d events, limit %d", len(events), maxEvents)
		}
		if !gz && len(body) > maxBytes {
			t.Fatalf("accepted %d bytes, limit %d", len(body), maxBytes)
		}
		for _, e := range events {
			if e.Seq == 0 || e.ID == "" || e.Type == "" || e.At.IsZero() || len(e.Payload) == 0 {
				t.Fatalf("accepted an incomplete event %+v", e)
			}
		}
	})
}

func TestDecodeBatch_Codes(t *testing.T) {
	valid := batchBody(t, sales(1, 3))
	tests := []struct {
		name string
		body []byte
		enc  string
		want comptoir.Code
	}{
		{"ok", valid, "", ""},
		{"ok gzip", gzipped(t, valid), "GZIP", ""},
		{"too large", valid, "", comptoir.CodeBatchTooLarge},
		{"too many", batchBody(t, sales(1, 6)), "", comptoir.CodeBatchTooManyEvents},
		{"truncated", valid[:10], "", comptoir.CodeMalformedBatch},
		{"unknown field", []byte(`{"events":[],"more":1}`), "", comptoir.CodeMalformedBatch},
		{"two documents", []byte(`{"events":[]}{"events":[]}`), "", comptoir.CodeMalformedBatch},
		{"missing id", []byte(`{"events":[{"seq":1,"type":"sale.recorded","at":"2026-11-29T10:00:00Z","payload":{}}]}`), "", comptoir.CodeMalformedBatch},
		{"brotli", valid, "br", comptoir.CodeMalformedBatch},
		// Empty gzip members decompress to nothing: the body as sent is capped too.
		{"endless empty members", bytes.Repeat(gzipped(t, nil), 1000), "gzip", comptoir.CodeBatchTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Room for six signed events, whose payloads are near a kilobyte each.
			max := int64(64 << 10)
			if tt.want == comptoir.CodeBatchTooLarge {
				max = int64(len(valid) - 1)
			}
			_, err := syncer.DecodeBatch(bytes.NewReader(tt.body), tt.enc, max, 5)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if !errors.Is(err, comptoir.E(tt.want)) {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}
}
