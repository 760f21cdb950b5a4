package syncer

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// encodeSeeds are events as registers write them and events with everything encoding/json
// escapes.
var encodeSeeds = []comptoir.Event{
	{Seq: 1, ID: "0123456789abcdef0123456789abcdef", Type: comptoir.EventSaleRecorded,
		At:      time.Date(2026, 11, 27, 9, 30, 0, 123456789, time.UTC),
		Payload: json.RawMessage(`{"register":"R1","hash":"ab","record":{"name":"Fish \u0026 chips","n":1}}`)},
	{Seq: 18446744073709551615, ID: "id \"quoted\" <&> \\ é \u2028", Type: "type\n\t",
		At:      time.Date(2026, 3, 29, 2, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
		Payload: json.RawMessage("{ \"spaced\" : [1, 2,\n 3], \"html\": \"<b>&</b>\" }")},
	{Seq: 7, ID: "x", Type: "customer.enrolled", At: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), Payload: json.RawMessage(`"s"`)},
	{Seq: 8, ID: "y", Type: "email.blocked", At: time.Unix(0, 0).In(time.FixedZone("", -(9*3600 + 30*60))), Payload: nil},
	// A signed record's payload: the signature beside the record, copied as it is.
	{Seq: 9, ID: "z", Type: comptoir.EventSaleRecorded, At: time.Date(2026, 11, 27, 9, 31, 0, 0, time.UTC),
		Payload: json.RawMessage(`{"register":"R1","hash":"ab","record":{"n":2},"signature":{"chain":"tickets","key":1,"prev":"cHJldg","sig":"c2ln"}}`)},
}

// TestAppendBatch_DecodesLikeMarshal checks that the hand-written batch reads as the same events
// as json.Marshal's, the payloads as the same JSON, and that eventSizeBound bounds it.
func TestAppendBatch_DecodesLikeMarshal(t *testing.T) {
	checkBatchEncoding(t, encodeSeeds)
	checkBatchEncoding(t, []comptoir.Event{})
}

// TestAppendBatch_PayloadBytesKept checks that a payload's bytes go as they are, not re-encoded:
// a record's hash is over its bytes.
func TestAppendBatch_PayloadBytesKept(t *testing.T) {
	b, err := appendBatch(nil, encodeSeeds[1:2])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, encodeSeeds[1].Payload) {
		t.Errorf("batch %s does not hold the payload %s as it is", b, encodeSeeds[1].Payload)
	}
}

// TestAppendBatch_YearOutOfRange refuses a time RFC 3339 cannot write, as json.Marshal does.
func TestAppendBatch_YearOutOfRange(t *testing.T) {
	ev := encodeSeeds[0]
	ev.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := appendBatch(nil, []comptoir.Event{ev}); err == nil {
		t.Error("appendBatch of year 10000 succeeded, want an error")
	}
}

// TestGzipBatch_DecodeBatch checks that the central's DecodeBatch reads the gzipped body, twice in
// a row so that a pooled writer is reused.
func TestGzipBatch_DecodeBatch(t *testing.T) {
	events := encodeSeeds[:3]
	for range 2 {
		var body bytes.Buffer
		if err := gzipBatch(&body, events); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeBatch(&body, "gzip", comptoir.MaxBatchBytes, comptoir.MaxBatchEvents)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(events) {
			t.Fatalf("DecodeBatch read %d events, want %d", len(got), len(events))
		}
		for i := range events {
			if !sameEvent(got[i], events[i]) {
				t.Errorf("event %d = %+v, want %+v", i, got[i], events[i])
			}
		}
	}
}

// FuzzAppendBatch checks any event whose payload is JSON.
func FuzzAppendBatch(f *testing.F) {
	for _, ev := range encodeSeeds {
		f.Add(ev.Seq, ev.ID, ev.Type, ev.At.UnixNano(), 3600, string(ev.Payload))
	}
	f.Fuzz(func(t *testing.T, seq uint64, id, typ string, nanos int64, offset int, payload string) {
		if payload != "" && !json.Valid([]byte(payload)) {
			t.Skip()
		}
		at := time.Unix(0, nanos).In(time.FixedZone("", offset%(24*3600)))
		ev := comptoir.Event{Seq: seq, ID: id, Type: typ, At: at}
		if payload != "" {
			ev.Payload = json.RawMessage(payload)
		}
		checkBatchEncoding(t, []comptoir.Event{ev, ev})
	})
}

func checkBatchEncoding(t *testing.T, events []comptoir.Event) {
	t.Helper()
	want, wantErr := json.Marshal(batch{Events: events})
	got, err := appendBatch(nil, events)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("appendBatch error = %v, json.Marshal's = %v", err, wantErr)
	}
	if err != nil {
		return
	}
	var a, b batch
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("appendBatch wrote %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if len(a.Events) != len(b.Events) {
		t.Fatalf("%d events read, want %d", len(a.Events), len(b.Events))
	}
	for i := range a.Events {
		if !sameEvent(a.Events[i], b.Events[i]) {
			t.Errorf("event %d read as %+v, want %+v", i, a.Events[i], b.Events[i])
		}
	}
	size := len(`{"events":[`) - 1 + len("]}\n")
	for _, ev := range events {
		size += eventSizeBound(ev)
	}
	if len(events) == 0 {
		size++
	}
	if size < len(got) {
		t.Errorf("size bound %d, want at least the %d bytes written", size, len(got))
	}
}

// sameEvent compares two events read back, their payloads as the same JSON.
func sameEvent(a, b comptoir.Event) bool {
	pa, errA := json.Marshal(a.Payload)
	pb, errB := json.Marshal(b.Payload)
	return a.Seq == b.Seq && a.ID == b.ID && a.Type == b.Type && a.At.Equal(b.At) &&
		errA == nil && errB == nil && bytes.Equal(pa, pb)
}
