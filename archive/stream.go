package archive

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime"
	"sync"

	"github.com/comptoir/comptoir"
)

// item is one line of a JSON Lines file as a worker read it: everything that costs time to find
// (decoding, hashing, the signature's verification) is done in parallel, and the walk that
// needs the records in order only compares what the workers found.
type item struct {
	line int64
	// unreadable says the line is not an Entry; decoded that its record was read as its kind.
	unreadable bool
	decoded    bool
	entry      Entry
	hashOK     bool
	// sigOK says the signature verifies with the key it names, over the position it claims;
	// the walk checks that the key and the position are the right ones.
	sigOK bool

	number   uint64
	register string
	prevHash string
	sale     *comptoir.Sale
	saleOK   bool
	closing  *comptoir.Closing
	key      *comptoir.SigningKeyRecord
}

// parse reads one line. kind is the kind the file holds, empty for the journal (tickets and
// closings); withSig says whether the signing keys are known yet (the key records themselves
// are read before them).
func (v *verifier) parse(kind comptoir.RecordKind, line []byte, n int64, withSig bool) item {
	it := item{line: n}
	if json.Unmarshal(line, &it.entry) != nil {
		it.unreadable = true
		return it
	}
	e := &it.entry
	sum := sha256.Sum256(e.Record)
	it.hashOK = hex.EncodeToString(sum[:]) == e.Hash
	if kind != "" && e.Kind != kind || kind == "" && e.Kind != comptoir.TicketRecord && e.Kind != comptoir.ClosingRecord {
		return it
	}
	var err error
	switch e.Kind {
	case comptoir.TicketRecord:
		var s comptoir.Sale
		err = json.Unmarshal(e.Record, &s)
		it.sale, it.number, it.register, it.prevHash = &s, s.Number, s.Register, s.PrevHash
		it.saleOK = err == nil && comptoir.CheckSale(s)
	case comptoir.ClosingRecord:
		var c comptoir.Closing
		err = json.Unmarshal(e.Record, &c)
		it.closing, it.number, it.register, it.prevHash = &c, c.Number, c.Register, c.PrevHash
	case comptoir.ReprintRecord:
		var r comptoir.Reprint
		err = json.Unmarshal(e.Record, &r)
		it.number, it.register, it.prevHash = r.Number, r.Register, r.PrevHash
	case comptoir.EventRecord:
		var t comptoir.TechEvent
		err = json.Unmarshal(e.Record, &t)
		it.number, it.register, it.prevHash = t.Number, t.Register, t.PrevHash
	case comptoir.KeyRecord:
		var k comptoir.SigningKeyRecord
		err = json.Unmarshal(e.Record, &k)
		it.key, it.number, it.register, it.prevHash = &k, k.Number, k.Register, k.PrevHash
	}
	it.decoded = err == nil
	if withSig && it.decoded {
		it.sigOK = v.verifySig(&it)
	}
	return it
}

// verifySig verifies an entry's signature with the key it names. A ticket's or a closing's
// signed fields come from the record just decoded, through the same method comptoir.SignedFieldsOf
// uses on the bytes: decoding a ticket a third time would cost a year's verification a second.
func (v *verifier) verifySig(it *item) bool {
	e := &it.entry
	sig := e.Signature
	if sig == nil {
		return false
	}
	k := v.keys[sig.Key]
	if k == nil {
		return false
	}
	var f comptoir.SignedFields
	var err error
	switch {
	case it.sale != nil:
		f = it.sale.SignedFields(e.Hash, sig.First, sig.Prev)
	case it.closing != nil:
		f = it.closing.SignedFields(e.Hash, sig.First, sig.Prev)
	default:
		f, err = comptoir.SignedFieldsOf(e.Kind, e.Record, e.Hash, sig.First, sig.Prev)
	}
	return err == nil && comptoir.VerifyRecord(k.pub, f, sig.Value)
}

// stream reads a JSON Lines file of the archive and hands each record, parsed by workers in
// parallel, to each in the file's order. It stops at the first error each returns. The file is
// read line by line, a bounded number of lines ahead, so that a year of tickets is never held in
// memory.
func (v *verifier) stream(name string, kind comptoir.RecordKind, each func(*item) error) error {
	rc, err := v.openFile(name, maxFileSize)
	if err != nil {
		return err
	}
	defer rc.Close()
	type batch struct {
		lines [][]byte
		first int64
		out   chan []item
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *batch, 2*workers)
	order := make(chan *batch, 2*workers)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var scanErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		sc := bufio.NewScanner(rc)
		sc.Buffer(make([]byte, 0, 4<<10), maxLine)
		n := int64(0)
		for more := true; more; {
			b := &batch{first: n + 1, out: make(chan []item, 1)}
			var slab []byte
			var ends []int
			for len(ends) < batchLines {
				if more = sc.Scan(); !more {
					break
				}
				slab = append(slab, sc.Bytes()...)
				ends = append(ends, len(slab))
				n++
			}
			if len(ends) == 0 {
				break
			}
			start := 0
			for _, end := range ends {
				b.lines = append(b.lines, slab[start:end:end])
				start = end
			}
			select {
			case jobs <- b:
			case <-done:
				return
			}
			select {
			case order <- b:
			case <-done:
				return
			}
		}
		scanErr = sc.Err()
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				b.out <- v.parseBatch(kind, b.lines, b.first)
			}
		}()
	}
	defer wg.Wait()
	defer close(done)
	for b := range order {
		items := <-b.out
		for i := range items {
			if err := each(&items[i]); err != nil {
				return err
			}
		}
	}
	if scanErr != nil {
		return readErr(name, scanErr)
	}
	return nil
}

// parseBatch parses a batch of lines. A panic there would end the program from a goroutine
// Verify's recover cannot reach: it turns the batch's lines into unreadable records instead, as
// every input must get a verdict.
func (v *verifier) parseBatch(kind comptoir.RecordKind, lines [][]byte, first int64) (items []item) {
	defer func() {
		if recover() != nil {
			items = make([]item, len(lines))
			for i := range items {
				items[i] = item{line: first + int64(i), unreadable: true}
			}
		}
	}()
	items = make([]item, len(lines))
	for i, line := range lines {
		items[i] = v.parse(kind, line, first+int64(i), true)
	}
	return items
}
