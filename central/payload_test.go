package central

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

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
	want, wantErr := json.Marshal(RecordEvent{Register: register, Hash: hash, Record: body, Signature: sig})
	got, err := RecordPayload(register, hash, body, sig)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("RecordPayload(%q, %q) error = %v, json.Marshal's = %v", register, body, err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("RecordPayload(%q, %q) = %s, want %s", register, body, got, want)
	}
}

// TestSplitRecordPayload_ReadsRecordPayload checks that what RecordPayload writes is split back
// without encoding/json, to what encoding/json reads.
func TestSplitRecordPayload_ReadsRecordPayload(t *testing.T) {
	for _, body := range recordPayloadSeeds[:3] {
		for _, sig := range signatureSeeds[:3] {
			payload, err := RecordPayload("R1", "00ff", []byte(body), sig)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := SplitRecordPayload(payload)
			if !ok {
				t.Errorf("SplitRecordPayload(%s) left it to encoding/json", payload)
			}
			if ok && !reflect.DeepEqual(got.Signature, sig) {
				t.Errorf("SplitRecordPayload(%s) read the signature %+v, want %+v", payload, got.Signature, sig)
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
	got, ok := SplitRecordPayload(payload)
	if !ok || !json.Valid(got.Record) {
		return
	}
	var want RecordEvent
	if err := json.Unmarshal(payload, &want); err != nil {
		t.Fatalf("split %q, which encoding/json refuses: %v", payload, err)
	}
	if got.Register != want.Register || got.Hash != want.Hash || !bytes.Equal(got.Record, want.Record) ||
		!reflect.DeepEqual(got.Signature, want.Signature) {
		t.Fatalf("split %q as %+v, encoding/json reads %+v", payload, got, want)
	}
}
