package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// Verify walks the register's journal from the first record and reports the first one whose hash
// does not match its bytes, whose link to the previous record is broken, whose number skips, or
// whose totals (line totals, VAT, change, perpetual grand total, a closing's period totals) do
// not match what it sums. An error is returned only when the walk itself fails.
func (s *Store) Verify(ctx context.Context) (comptoir.VerifyReport, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.VerifyReport{}, err
	}
	var rep comptoir.VerifyReport
	err := s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		v := &verifier{rep: &rep, days: map[string]*comptoir.Totals{}, closed: map[string]comptoir.Totals{},
			sigs: r.sigs, lastSig: map[comptoir.Chain]string{}, checker: newSigChecker(), tx: tx, register: s.register}
		err := v.walk(ctx, tx, r, s.register)
		// A signature that does not verify is reported when it comes before the failure the walk
		// stopped on, or when the walk found nothing else.
		if bad := v.checker.wait(); bad != nil && (rep.Broken == nil || bad.pos <= v.pos) {
			rep = comptoir.VerifyReport{Tickets: rep.Tickets, Closings: rep.Closings, GrandTotal: rep.GrandTotal}
			v.failIn(bad.chain, comptoir.CodeSignatureInvalid, bad.ref, bad.chain)
		}
		return err
	})
	return rep, err
}

// walk is verify's walk of every chain in one read transaction: the keys first, since they say
// which key signs which record, then the journal, the reprints and the technical events, then
// the head.
func (v *verifier) walk(ctx context.Context, tx *bbolt.Tx, r reg, register []byte) error {
	if v.walkChain(tx, register, comptoir.KeyRecord) {
		return nil
	}
	c := r.journal.Cursor()
	var last comptoir.RecordRef
	n := uint64(0)
	for k, val := c.First(); k != nil; k, val = c.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ref, ok := keyRef(k)
		ref.Position = n
		if !ok {
			v.fail(comptoir.CodeUnreadableRecord, ref)
			return nil
		}
		last = ref
		v.pos++
		if v.check(ref, k, val) {
			return nil
		}
	}
	for _, kind := range []comptoir.RecordKind{comptoir.ReprintRecord, comptoir.EventRecord} {
		if v.walkChain(tx, register, kind) {
			return nil
		}
	}
	return v.checkTip(r, last)
}

// checkTip compares what the walk found with what the store keeps beside the journal: the head
// (a journal cut short, or a head rewritten, shows as a tip the walk did not reach) and the
// running day totals that X reports and the next Z close are made from.
func (v *verifier) checkTip(r reg, last comptoir.RecordRef) error {
	h, err := r.head()
	if err != nil {
		return err
	}
	switch {
	case h.LastTicket > v.ticket:
		v.fail(comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.TicketRecord, Number: v.ticket + 1})
		return nil
	case h.LastClosing > v.closing:
		v.fail(comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: comptoir.ClosingRecord, Number: v.closing + 1})
		return nil
	case h.LastHash != v.prev || h.LastTicket != v.ticket || h.LastClosing != v.closing || h.GrandTotal != v.gt:
		v.fail(comptoir.CodeChainBroken, last)
		return nil
	}
	// The other chains end where the head says: a last record deleted, with the head left as it
	// was, shows here.
	for _, kind := range []comptoir.RecordKind{comptoir.KeyRecord, comptoir.ReprintRecord, comptoir.EventRecord} {
		chain := comptoir.ChainOf(kind)
		hc, walked := h.chain(chain), v.numbered[chain]
		switch {
		case hc.Number > walked.Number:
			v.fail(comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: kind, Number: walked.Number + 1})
			return nil
		case hc.Number != walked.Number || hc.Hash != walked.Hash:
			v.fail(comptoir.CodeChainBroken, comptoir.RecordRef{Kind: kind, Number: walked.Number})
			return nil
		}
	}
	for _, chain := range comptoir.Chains {
		if h.chain(chain).Signature != v.lastSig[chain] {
			// A last signature removed, or a head pointing past it.
			ref := comptoir.RecordRef{Kind: kindOfChain[chain], Number: v.lastNumber(chain)}
			v.fail(comptoir.CodeSignatureChainBroken, ref, chain)
			return nil
		}
	}
	for _, chain := range comptoir.Chains {
		hc := comptoir.ChainHead{Chain: chain, Number: v.lastNumber(chain), Signature: v.lastSig[chain]}
		switch chain {
		case comptoir.ChainTickets, comptoir.ChainClosings:
			hc.Hash = v.prev
		default:
			hc.Hash = v.numbered[chain].Hash
		}
		v.rep.Heads = append(v.rep.Heads, hc)
	}
	days := map[string]bool{}
	for day := range v.days {
		days[day] = true
	}
	err = r.days.ForEach(func(k, _ []byte) error {
		days[string(k)] = true
		return nil
	})
	if err != nil {
		return err
	}
	for _, day := range slices.Sorted(maps.Keys(days)) {
		stored, err := r.dayTotals(h, day)
		if err != nil {
			return err
		}
		var want comptoir.Totals
		if t := v.days[day]; t != nil {
			want = *t
		}
		if !stored.Equal(want) {
			v.rep.Broken = comptoir.E(comptoir.CodeRunningTotalsMismatch, day)
			return nil
		}
	}
	return nil
}

// sealedIn reports the period already closed in the walk (the period itself, its month or its
// year) that period falls in.
func (v *verifier) sealedIn(period string) (string, bool) {
	for _, n := range []int{len("2006-01-02"), len("2006-01"), len("2006")} {
		if len(period) >= n {
			if _, ok := v.closed[period[:n]]; ok {
				return period[:n], true
			}
		}
	}
	return "", false
}

type verifier struct {
	rep     *comptoir.VerifyReport
	prev    string
	ticket  uint64
	closing uint64
	gt      comptoir.Money
	days    map[string]*comptoir.Totals
	closed  map[string]comptoir.Totals

	// sigs is the register's signature bucket (nil in a file older than signatures); keys the
	// key records walked; lastSig the last signature seen in each chain; numbered where the
	// chains stored by number stand.
	sigs     *bbolt.Bucket
	keys     []verifyKey
	lastSig  map[comptoir.Chain]string
	numbered map[comptoir.Chain]comptoir.ChainHead
	// gtAbs is the perpetual grand total in absolute value, which signed closings carry.
	gtAbs comptoir.Money
	// pos counts the records walked, in the order verify reports them; checker verifies their
	// signatures meanwhile.
	pos     uint64
	checker *sigChecker
	// tx and register are the walk's transaction and register, for the chain heads closings
	// recorded.
	tx       *bbolt.Tx
	register []byte
}

// verifyKey is a key record as verify uses it.
type verifyKey struct {
	number uint64
	reason comptoir.KeyReason
	pub    ed25519.PublicKey
	from   map[comptoir.Chain]uint64
}

// kindOfChain is the record kind a chain's failures are named by (tickets for the ticket chain,
// and so on).
var kindOfChain = map[comptoir.Chain]comptoir.RecordKind{
	comptoir.ChainTickets: comptoir.TicketRecord, comptoir.ChainClosings: comptoir.ClosingRecord,
	comptoir.ChainReprints: comptoir.ReprintRecord, comptoir.ChainEvents: comptoir.EventRecord, comptoir.ChainKeys: comptoir.KeyRecord,
}

// lastNumber is the number of the last record walked in a chain.
func (v *verifier) lastNumber(chain comptoir.Chain) uint64 {
	switch chain {
	case comptoir.ChainTickets:
		return v.ticket
	case comptoir.ChainClosings:
		return v.closing
	}
	return v.numbered[chain].Number
}

// keyFor is the key that must sign record n of a chain: the last key whose From the record comes
// after. ok is false for a record made before the register's first key, which only its hash
// chain protects.
func (v *verifier) keyFor(chain comptoir.Chain, n uint64) (verifyKey, bool) {
	var found verifyKey
	ok := false
	for _, k := range v.keys {
		if k.from[chain] < n {
			found, ok = k, true
		}
	}
	return found, ok
}

// checkSig checks a record's signature in its chain and reports whether the walk must stop.
// signer is the key that must have signed it; fields builds what the signature covers (from the
// record already decoded, when the walk decoded it). The cheap checks (the signature is there,
// follows the previous one, names the right key) are made here; the Ed25519 verification itself
// goes to the workers (see sigChecker), which is what lets verify use every core.
func (v *verifier) checkSig(ref comptoir.RecordRef, recordKey []byte, signer verifyKey, fields func(first bool, prev string) (comptoir.SignedFields, error)) bool {
	chain := comptoir.ChainOf(ref.Kind)
	var raw []byte
	if v.sigs != nil {
		raw = v.sigs.Get(sigKey(chain, recordKey))
	}
	if raw == nil {
		return v.failIn(chain, comptoir.CodeSignatureMissing, ref, chain)
	}
	st, err := decodeStoredSig(raw)
	if err != nil {
		return v.failIn(chain, comptoir.CodeSignatureInvalid, ref, chain)
	}
	sig := st.signature(chain)
	if sig.First != (v.lastSig[chain] == "") || sig.Prev != v.lastSig[chain] {
		return v.failIn(chain, comptoir.CodeSignatureChainBroken, ref, chain)
	}
	if st.key != signer.number {
		return v.failIn(chain, comptoir.CodeSignatureInvalid, ref, chain)
	}
	f, err := fields(sig.First, sig.Prev)
	if err != nil || f.Number != ref.Number {
		return v.failIn(chain, comptoir.CodeSignatureInvalid, ref, chain)
	}
	v.checker.submit(sigJob{pos: v.pos, ref: ref, chain: chain, pub: signer.pub, fields: f, value: sig.Value})
	v.lastSig[chain] = sig.Value
	v.rep.Signed++
	return false
}

// checkSigned checks the signature of a record with the key in effect for it, when there is one.
func (v *verifier) checkSigned(ref comptoir.RecordRef, recordKey []byte, fields func(first bool, prev string) (comptoir.SignedFields, error)) bool {
	k, ok := v.keyFor(comptoir.ChainOf(ref.Kind), ref.Number)
	if !ok {
		return false
	}
	return v.checkSig(ref, recordKey, k, fields)
}

// fieldsOf builds a record's signed fields from its bytes.
func fieldsOf(kind comptoir.RecordKind, r record) func(first bool, prev string) (comptoir.SignedFields, error) {
	return func(first bool, prev string) (comptoir.SignedFields, error) {
		return comptoir.SignedFieldsOf(kind, r.body, r.hashHex(), first, prev)
	}
}

// sigJob is one Ed25519 verification, at its place in the walk.
type sigJob struct {
	pos    uint64
	ref    comptoir.RecordRef
	chain  comptoir.Chain
	pub    ed25519.PublicKey
	fields comptoir.SignedFields
	value  string
}

// sigChecker verifies signatures on every core while the walk goes on, and keeps the failure
// that comes first in the walk's order, which is the one verify reports.
type sigChecker struct {
	jobs  chan []sigJob
	batch []sigJob
	wg    sync.WaitGroup
	mu    sync.Mutex
	first *sigJob
}

func newSigChecker() *sigChecker {
	c := &sigChecker{jobs: make(chan []sigJob, 8)}
	for range runtime.GOMAXPROCS(0) {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for batch := range c.jobs {
				for i := range batch {
					j := &batch[i]
					if comptoir.VerifyRecord(j.pub, j.fields, j.value) {
						continue
					}
					c.mu.Lock()
					if c.first == nil || j.pos < c.first.pos {
						c.first = j
					}
					c.mu.Unlock()
				}
			}
		}()
	}
	return c
}

// submit queues a verification; they travel in batches, so that the channel costs nothing
// beside the verification.
func (c *sigChecker) submit(j sigJob) {
	c.batch = append(c.batch, j)
	if len(c.batch) == 64 {
		c.jobs <- c.batch
		c.batch = nil
	}
}

// wait finishes every verification and returns the first that failed, nil when none did.
func (c *sigChecker) wait() *sigJob {
	if len(c.batch) > 0 {
		c.jobs <- c.batch
	}
	close(c.jobs)
	c.wg.Wait()
	return c.first
}

// walkChain walks a chain stored by number (keys, reprints, technical events): hashes, links,
// numbers and signatures. It reports whether the walk must stop.
func (v *verifier) walkChain(tx *bbolt.Tx, register []byte, kind comptoir.RecordKind) bool {
	chain := comptoir.ChainOf(kind)
	if v.numbered == nil {
		v.numbered = map[comptoir.Chain]comptoir.ChainHead{}
	}
	b := tx.Bucket(regBucketName(chainBucket[kind], register))
	if b == nil {
		return false
	}
	var head comptoir.ChainHead
	c := b.Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		v.pos++
		ref := comptoir.RecordRef{Kind: kind, Number: head.Number + 1}
		if len(k) != 8 {
			return v.failIn(chain, comptoir.CodeUnreadableRecord, ref)
		}
		if n := btoi(k); n > ref.Number {
			return v.failIn(chain, comptoir.CodeRecordMissing, ref)
		} else if n < ref.Number {
			return v.failIn(chain, comptoir.CodeNumberGap, comptoir.RecordRef{Kind: kind, Number: n}, ref.Number)
		}
		r, err := parseRecord(val)
		if err != nil || r.kind != kind {
			return v.failIn(chain, comptoir.CodeUnreadableRecord, ref)
		}
		if sum := sha256.Sum256(r.body); !bytes.Equal(sum[:], r.hash[:]) {
			return v.failIn(chain, comptoir.CodeHashMismatch, ref)
		}
		var common struct {
			Register string `json:"register"`
			Number   uint64 `json:"number"`
			PrevHash string `json:"prev_hash"`
		}
		if r.decode(&common) != nil {
			return v.failIn(chain, comptoir.CodeUnreadableRecord, ref)
		}
		if common.PrevHash != head.Hash {
			return v.failIn(chain, comptoir.CodeChainBroken, ref)
		}
		if common.Number != ref.Number || common.Register != string(register) {
			return v.failIn(chain, comptoir.CodeNumberGap, ref, ref.Number)
		}
		if kind == comptoir.KeyRecord {
			if v.checkKey(ref, k, r) {
				return true
			}
		} else if v.checkSigned(ref, k, fieldsOf(kind, r)) {
			return true
		}
		head = comptoir.ChainHead{Number: ref.Number, Hash: r.hashHex()}
		v.numbered[chain] = head
		switch kind {
		case comptoir.KeyRecord:
			v.rep.Keys++
		case comptoir.ReprintRecord:
			v.rep.Reprints++
		case comptoir.EventRecord:
			v.rep.Events++
		}
	}
	return false
}

// checkKey checks a key record: a rotation is signed by the key before it, a creation or a
// replacement by itself; a replacement is a declared break, which the report lists.
func (v *verifier) checkKey(ref comptoir.RecordRef, recordKey []byte, r record) bool {
	var k comptoir.SigningKeyRecord
	if r.decode(&k) != nil {
		return v.failIn(comptoir.ChainKeys, comptoir.CodeUnreadableRecord, ref)
	}
	pub, err := k.Public()
	if err != nil || k.Fingerprint != comptoir.KeyFingerprint(pub) {
		return v.failIn(comptoir.ChainKeys, comptoir.CodeSignatureInvalid, ref, comptoir.ChainKeys)
	}
	vk := verifyKey{number: k.Number, reason: k.Reason, pub: pub, from: k.From}
	signer := vk
	switch k.Reason {
	case comptoir.KeyRotated:
		if len(v.keys) == 0 {
			return v.failIn(comptoir.ChainKeys, comptoir.CodeSignatureInvalid, ref, comptoir.ChainKeys)
		}
		signer = v.keys[len(v.keys)-1]
	case comptoir.KeyCreated:
		if len(v.keys) > 0 {
			// Only the first key is created; a later one is rotated or declared a replacement.
			return v.failIn(comptoir.ChainKeys, comptoir.CodeSignatureInvalid, ref, comptoir.ChainKeys)
		}
	case comptoir.KeyReplaced:
		v.rep.Breaks = append(v.rep.Breaks, comptoir.KeyInfo{Number: k.Number, Reason: k.Reason, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, At: k.At})
	default:
		return v.failIn(comptoir.ChainKeys, comptoir.CodeUnreadableRecord, ref)
	}
	if v.checkSig(ref, recordKey, signer, fieldsOf(comptoir.KeyRecord, r)) {
		return true
	}
	// Each key starts where the chains stood: never before the previous key's start.
	if len(v.keys) > 0 {
		last := v.keys[len(v.keys)-1]
		for c, n := range last.from {
			if vk.from[c] < n {
				return v.failIn(comptoir.ChainKeys, comptoir.CodeSignatureInvalid, ref, comptoir.ChainKeys)
			}
		}
	}
	v.keys = append(v.keys, vk)
	v.rep.SigningKeys = append(v.rep.SigningKeys, comptoir.KeyInfo{Number: k.Number, Reason: k.Reason, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, At: k.At})
	return false
}

// holds reports whether a chain head a closing recorded is in the file: the record of its number
// with its hash and its signature.
func (v *verifier) holds(ch comptoir.ChainHead) bool {
	kind, ok := kindOfChain[ch.Chain]
	if !ok || chainBucket[kind] == nil || v.tx == nil {
		return false
	}
	b := v.tx.Bucket(regBucketName(chainBucket[kind], v.register))
	if b == nil {
		return false
	}
	val := b.Get(chainRecordKey(ch.Number))
	if val == nil {
		return false
	}
	r, err := parseRecord(val)
	if err != nil || r.hashHex() != ch.Hash {
		return false
	}
	return ch.Signature == "" || regBuckets(v.tx, v.register).signature(ch.Chain, chainRecordKey(ch.Number)) == ch.Signature
}

// failIn records the first broken record of a chain and stops the walk.
func (v *verifier) failIn(chain comptoir.Chain, code comptoir.Code, ref comptoir.RecordRef, args ...any) bool {
	v.rep.Chain = chain
	return v.fail(code, ref, args...)
}

// check verifies one record, named by its key, and reports whether the walk must stop.
func (v *verifier) check(ref comptoir.RecordRef, key, val []byte) bool {
	// Records follow each other without gaps: a number skipped is a record deleted.
	expected := v.ticket + 1
	if ref.Kind == comptoir.ClosingRecord {
		expected = v.closing + 1
	}
	if ref.Number > expected {
		return v.fail(comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: ref.Kind, Number: expected})
	}
	if ref.Number < expected {
		return v.fail(comptoir.CodeNumberGap, ref, expected)
	}
	r, err := parseRecord(val)
	if err != nil || r.kind != ref.Kind {
		return v.fail(comptoir.CodeUnreadableRecord, ref)
	}
	if sum := sha256.Sum256(r.body); !bytes.Equal(sum[:], r.hash[:]) {
		return v.fail(comptoir.CodeHashMismatch, ref)
	}
	if r.kind == comptoir.TicketRecord {
		var s comptoir.Sale
		if r.decode(&s) != nil {
			return v.fail(comptoir.CodeUnreadableRecord, ref)
		}
		if v.checkSigned(ref, key, func(first bool, prev string) (comptoir.SignedFields, error) {
			return s.SignedFields(r.hashHex(), first, prev), nil
		}) {
			return true
		}
		return v.checkTicket(ref, r, s)
	}
	var c comptoir.Closing
	if r.decode(&c) != nil {
		return v.fail(comptoir.CodeUnreadableRecord, ref)
	}
	if v.checkSigned(ref, key, func(first bool, prev string) (comptoir.SignedFields, error) {
		return c.SignedFields(r.hashHex(), first, prev), nil
	}) {
		return true
	}
	return v.checkClosing(ref, r, c)
}

func (v *verifier) checkTicket(ref comptoir.RecordRef, r record, s comptoir.Sale) bool {
	if s.PrevHash != v.prev {
		return v.fail(comptoir.CodeChainBroken, ref)
	}
	if s.Number != ref.Number {
		// The content of another ticket was moved under this key.
		return v.fail(comptoir.CodeNumberGap, ref, ref.Number)
	}
	if _, err := comptoir.ParseDay(s.Day); err != nil || !comptoir.CheckSale(s) {
		return v.fail(comptoir.CodeTotalsMismatch, ref)
	}
	if p, ok := v.sealedIn(s.Day); ok {
		// Only an index edited behind the store's back lets a ticket into a sealed period.
		return v.fail(comptoir.CodeClosedPeriodTicket, ref, p)
	}
	gt := v.gt
	if !s.Training {
		gt += s.Total
	}
	if s.GrandTotal != gt {
		return v.fail(comptoir.CodeGrandTotalMismatch, ref, gt)
	}
	t, ok := v.days[s.Day]
	if !ok {
		t = &comptoir.Totals{}
		v.days[s.Day] = t
	}
	t.Add(s)
	v.gtAbs = comptoir.AbsGrandTotal(v.gtAbs, s)
	v.prev, v.ticket, v.gt = r.hashHex(), s.Number, gt
	v.rep.Tickets++
	v.rep.GrandTotal = gt
	return false
}

func (v *verifier) checkClosing(ref comptoir.RecordRef, r record, c comptoir.Closing) bool {
	if c.PrevHash != v.prev {
		return v.fail(comptoir.CodeChainBroken, ref)
	}
	if c.Number != ref.Number {
		return v.fail(comptoir.CodeNumberGap, ref, ref.Number)
	}
	if kind, err := comptoir.ParsePeriod(c.Period); err != nil || kind != c.Kind {
		return v.fail(comptoir.CodeTotalsMismatch, ref)
	}
	if p, ok := v.sealedIn(c.Period); ok {
		return v.fail(comptoir.CodeDuplicateClosing, ref, p)
	}
	var want comptoir.Totals
	switch c.Kind {
	case comptoir.DayClosing:
		if t := v.days[c.Period]; t != nil {
			want = *t
		}
	default:
		for p, t := range v.closed {
			if len(p) == len(c.Period)+3 && strings.HasPrefix(p, c.Period+"-") {
				want.Merge(t)
			}
		}
	}
	if !want.Equal(c.Totals) || !c.CountConsistent() {
		return v.fail(comptoir.CodeTotalsMismatch, ref)
	}
	if c.GrandTotal != v.gt {
		return v.fail(comptoir.CodeGrandTotalMismatch, ref, v.gt)
	}
	// A signed closing carries the grand total in absolute value too; closings made before
	// signatures existed do not.
	if _, signed := v.keyFor(comptoir.ChainClosings, c.Number); signed && c.GrandTotalAbs != v.gtAbs {
		return v.fail(comptoir.CodeGrandTotalMismatch, ref, v.gtAbs)
	}
	for _, ch := range c.Chains {
		if !v.holds(ch) {
			// A tail of the chain deleted, and the head moved back with it: the closing still
			// says how far the chain went.
			return v.failIn(ch.Chain, comptoir.CodeRecordMissing, comptoir.RecordRef{Kind: kindOfChain[ch.Chain], Number: ch.Number})
		}
	}
	v.closed[c.Period] = c.Totals
	v.prev, v.closing = r.hashHex(), c.Number
	v.rep.Closings++
	return false
}

// fail records the first broken record and stops the walk. Records are named by their journal
// key rather than by their content, which may be what was tampered with.
func (v *verifier) fail(code comptoir.Code, ref comptoir.RecordRef, args ...any) bool {
	if v.rep.Chain == "" {
		v.rep.Chain = comptoir.ChainOf(ref.Kind)
	}
	v.rep.Broken = comptoir.E(code, append([]any{ref}, args...)...)
	v.rep.At = &ref
	return true
}
