package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// recordPayloadSeeds are records as the journal writes them and records json.Marshal would
// rewrite, which must go its way.
var recordPayloadSeeds = []string{
	`{"register":"R1","number":1,"lines":[{"name":"Pâté","qty":2}],"prev_hash":""}`,
	`{"name":"Fish \u0026 chips \u003cbig\u003e","note":"a \"quoted\" \\ word"}`,
	`{"name":"Fish & chips"}`,
	`{"name":"<b>"}`,
	`{"a": 1}`,
	"{\"a\":\n1}",
	"{\"line\":\"a\u2028b\",\"p\":\"c\u2029d\"}",
	`{"e":"\u2028"}`,
	`{"s":"ends with a backslash \\"}`,
	`{}`,
	`[1,2]`,
	`"text"`,
	`{"nested":{"x":[true,false,null,1.5e3,-2]}}`,
}

// signatureSeeds are signatures as registers write them (the first of a chain, a later one) and
// ones json.Marshal would escape, which must go its way.
var signatureSeeds = []*comptoir.Signature{
	nil,
	{Chain: comptoir.ChainTickets, Key: 1, First: true, Value: "Sm9-_abc"},
	{Chain: comptoir.ChainKeys, Key: 18446744073709551615, Prev: "cHJldg", Value: "c2ln"},
	{Chain: "a<b>", Key: 2, Prev: "p\"q", Value: "é"},
	{Chain: comptoir.ChainEvents},
}

// TestRecordPayload_SameBytesAsMarshal checks that the appended payload is, byte for byte, what
// json.Marshal writes: the central hashes the record's bytes, and registers' outboxes already
// hold events read the old way.
func TestRecordPayload_SameBytesAsMarshal(t *testing.T) {
	for _, reg := range []string{"R1", "caisse-2", "R<1>", "é"} {
		for _, body := range recordPayloadSeeds {
			for _, sig := range signatureSeeds {
				checkRecordPayload(t, reg, "00ff", []byte(body), sig)
			}
		}
	}
}

// FuzzRecordPayload checks the same for any valid JSON record, any register name and any
// signature.
func FuzzRecordPayload(f *testing.F) {
	for _, body := range recordPayloadSeeds {
		f.Add("R1", body, false, "", uint64(0), false, "", "")
		f.Add("R1", body, true, "tickets", uint64(1), true, "", "c2ln")
		f.Add("R1", body, true, "closings", uint64(3), false, "cHJldg", "c2ln")
	}
	f.Fuzz(func(t *testing.T, register, body string, signed bool, chain string, key uint64, first bool, prev, value string) {
		if !json.Valid([]byte(body)) {
			t.Skip()
		}
		var sig *comptoir.Signature
		if signed {
			sig = &comptoir.Signature{Chain: comptoir.Chain(chain), Key: key, First: first, Prev: prev, Value: value}
		}
		checkRecordPayload(t, register, "abc123", []byte(body), sig)
	})
}

func checkRecordPayload(t *testing.T, register, hash string, body []byte, sig *comptoir.Signature) {
	t.Helper()
	want, wantErr := json.Marshal(recordEvent{Register: register, Hash: hash, Record: body, Signature: sig})
	got, err := recordPayload(register, hash, body, sig)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("recordPayload(%q, %q) error = %v, json.Marshal's = %v", register, body, err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("recordPayload(%q, %q) = %s, want %s", register, body, got, want)
	}
}

// TestSplitRecordPayload_ReadsRecordPayload checks that what recordPayload writes is split back
// without encoding/json, to what encoding/json reads.
func TestSplitRecordPayload_ReadsRecordPayload(t *testing.T) {
	for _, body := range recordPayloadSeeds[:3] {
		for _, sig := range signatureSeeds[:3] {
			payload, err := recordPayload("R1", "00ff", []byte(body), sig)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := splitRecordPayload(payload)
			if !ok {
				t.Errorf("splitRecordPayload(%s) left it to encoding/json", payload)
			}
			if ok && !reflect.DeepEqual(got.Signature, sig) {
				t.Errorf("splitRecordPayload(%s) read the signature %+v, want %+v", payload, got.Signature, sig)
			}
			checkSplit(t, payload)
		}
	}
}

// FuzzSplitRecordPayload checks that a split whose record is valid JSON is what encoding/json
// reads from the payload.
func FuzzSplitRecordPayload(f *testing.F) {
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"a":1}}`))
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"a":1},"x":{}}`))
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"a":1} }`))
	f.Add([]byte(`{"register":"R\u0031","hash":"ab","record":{}}`))
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"a":1},"signature":{"chain":"tickets","key":1,"first":true,"sig":"c2ln"}}`))
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"a":1},"signature":{"chain":"tickets","key":2,"prev":"cA","sig":"c2ln"}}`))
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"signature":{"chain":"t","key":1,"sig":"s"}},"signature":{"chain":"t","key":01,"sig":"s"}}`))
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"a":1},"signature":{"chain":"t","key":1,"sig":"s"},"signature":{"chain":"u","key":1,"sig":"s"}}`))
	f.Add([]byte(`{"register":"R1","hash":"ab","record":{"a":1},"signature":{"chain":"t","key":1,"first":false,"sig":"s"}}`))
	f.Fuzz(func(t *testing.T, payload []byte) { checkSplit(t, payload) })
}

func checkSplit(t *testing.T, payload []byte) {
	t.Helper()
	got, ok := splitRecordPayload(payload)
	if !ok || !json.Valid(got.Record) {
		return
	}
	var want recordEvent
	if err := json.Unmarshal(payload, &want); err != nil {
		t.Fatalf("split %q, which encoding/json refuses: %v", payload, err)
	}
	if got.Register != want.Register || got.Hash != want.Hash || !bytes.Equal(got.Record, want.Record) ||
		!reflect.DeepEqual(got.Signature, want.Signature) {
		t.Fatalf("split %q as %+v, encoding/json reads %+v", payload, got, want)
	}
}

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
