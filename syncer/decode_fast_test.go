package syncer

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/comptoir/comptoir"
)

// fastSeeds are bodies the fast reader takes and bodies it must leave to encoding/json.
var fastSeeds = []string{
	`{"events":[]}`,
	` { "events" : [ ] } ` + "\n",
	`{"events":[{"seq":1,"id":"a","type":"key.recorded","at":"2026-11-27T09:30:00Z","payload":{"register":"R1","hash":"ab","record":{"n":1},"signature":{"chain":"keys","key":1,"first":true,"sig":"c2ln"}}}]}`,
	`{"events":[{}]}`,
	`{"events":[{"seq":1,"id":"a","type":"t","at":"2026-11-27T09:30:00.5+01:00","payload":{"a":[1,-2.5e+3,true,false,null,"\u00e9\n"]}}]}`,
	`{"events":[{"payload":"x","at":"2026-11-27T09:30:00Z","type":"t","id":"a","seq":18446744073709551615}]}`,
	`{"events":[{"seq":18446744073709551616}]}`,
	`{"events":[{"seq":01}]}`,
	`{"events":[{"seq":1.0}]}`,
	`{"events":[{"seq":-1}]}`,
	`{"events":[{"seq":1,"seq":2}]}`,
	`{"events":[{"SEQ":1}]}`,
	`{"events":[{"s\u0065q":1}]}`,
	`{"events":[{"id":"\u0041"}]}`,
	`{"events":[{"id":"é"}]}`,
	`{"events":[{"payload":null}]}`,
	`{"events":[{"payload":nul}]}`,
	`{"events":[{"payload":{"a":1,}}]}`,
	`{"events":[{"payload":[1 2]}]}`,
	`{"events":[{"payload":"\x"}]}`,
	`{"events":[{"payload":01}]}`,
	`{"events":[{"payload":1.}]}`,
	`{"events":[{"payload":truex}]}`,
	`{"events":[{"at":"2026-11-27 09:30:00Z"}]}`,
	`{"events":[{"at":"2026-11-27T24:00:00Z"}]}`,
	`{"events":[{"x":1}]}`,
	`{"events":[],"x":1}`,
	`{"events":[]} trailing`,
	`{"events":null}`,
	`{"events":[{"seq":1}],}`,
	`{"events":[{"seq":1},]}`,
}

// TestDecodeBatchFast_TakesRegistersBatches checks that what the client writes, and what
// json.Marshal writes, is read by the fast reader: otherwise it would only cost a pass.
func TestDecodeBatchFast_TakesRegistersBatches(t *testing.T) {
	events := append([]comptoir.Event(nil), encodeSeeds[:3]...)
	events[1].ID, events[1].Type = "plain-id", "customer.updated"
	hand, err := appendBatch(nil, events)
	if err != nil {
		t.Fatal(err)
	}
	marshalled, err := json.Marshal(batch{Events: events})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range [][]byte{hand, marshalled} {
		got, ok := decodeBatchFast(body)
		if !ok {
			t.Fatalf("decodeBatchFast(%s) left it to encoding/json", body)
		}
		checkSameAsStrict(t, body, got)
	}
}

// FuzzDecodeBatchFast checks that whatever the fast reader takes, encoding/json reads as the
// very same events.
func FuzzDecodeBatchFast(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	hand, err := appendBatch(nil, encodeSeeds[:3])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(hand)
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := decodeBatchFast(body)
		if ok {
			checkSameAsStrict(t, body, got)
		}
	})
}

// TestDecodeBatchFast_Seeds runs the seeds through the same check, and the fuzz target's seeds
// run in every test run anyway.
func TestDecodeBatchFast_Seeds(t *testing.T) {
	took := 0
	for _, s := range fastSeeds {
		if got, ok := decodeBatchFast([]byte(s)); ok {
			took++
			checkSameAsStrict(t, []byte(s), got)
		}
	}
	if took < 5 {
		t.Errorf("the fast reader took %d seeds, want at least the 5 plain ones", took)
	}
}

func checkSameAsStrict(t *testing.T, body []byte, got []comptoir.Event) {
	t.Helper()
	var b batch
	if err := decodeStrict(body, &b, comptoir.CodeMalformedBatch); err != nil {
		t.Fatalf("decodeBatchFast took %q, encoding/json refuses it: %v", body, err)
	}
	if !reflect.DeepEqual(got, b.Events) {
		t.Fatalf("decodeBatchFast(%q) = %+v, encoding/json reads %+v", body, got, b.Events)
	}
}
