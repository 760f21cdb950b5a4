package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestSplitStoredEvent_ReadsAppendEvent checks that an outbox entry about a journal record, as
// appendEvent writes it, is read without encoding/json, and as encoding/json reads it.
func TestSplitStoredEvent_ReadsAppendEvent(t *testing.T) {
	ev := storedEvent{Seq: 42, ID: "0123456789abcdef", Type: "sale.recorded", Register: "R1",
		At: time.Date(2026, 11, 27, 9, 30, 0, 123456789, time.UTC), Key: []byte{0, 0, 0, 0, 0, 0, 0, 7, 0xff}}
	v := encode(ev)
	if _, ok := splitStoredEvent(v); !ok {
		t.Fatalf("splitStoredEvent(%s) left it to encoding/json", v)
	}
	checkStoredEvent(t, v)
	withPayload := ev
	withPayload.Key, withPayload.Register, withPayload.Payload = nil, "", json.RawMessage(`{"at":"x"}`)
	checkStoredEvent(t, encode(withPayload))
}

// FuzzSplitStoredEvent checks that whatever the fast reader takes, encoding/json reads the same.
func FuzzSplitStoredEvent(f *testing.F) {
	f.Add(encode(storedEvent{Seq: 1, ID: "a", Type: "t", Register: "R1", At: time.Unix(0, 0).UTC(), Key: []byte{1}}))
	f.Add([]byte("\x01" + `{"seq":01,"id":"a","type":"t","at":"2026-11-27T09:30:00Z","register":"R1","key":"AQ=="}`))
	f.Add([]byte("\x01" + `{"seq":1,"id":"a","type":"t","at":"2026-11-27T09:30:00+01:00","register":"R1","key":"AQ"}`))
	f.Fuzz(func(t *testing.T, v []byte) { checkStoredEvent(t, v) })
}

func checkStoredEvent(t *testing.T, v []byte) {
	t.Helper()
	got, ok := splitStoredEvent(v)
	if !ok {
		return
	}
	var want storedEvent
	if err := decode(v, &want); err != nil {
		t.Fatalf("split %q, which decode refuses: %v", v, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("split %q as %+v, decode reads %+v", v, got, want)
	}
}
