package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// CardOwner finds the ID of the member a loyalty card belongs to. It needs no key: a manager can
// stop processing or erase a member even when the key file is lost.
func (s *Store) CardOwner(ctx context.Context, card string) (comptoir.CustomerID, error) {
	if err := checkCtx(ctx); err != nil {
		return "", err
	}
	if err := comptoir.ValidateCard(card); err != nil {
		return "", err
	}
	var id comptoir.CustomerID
	err := s.view(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketCards).Get([]byte(card))
		if v == nil {
			return comptoir.E(comptoir.CodeUnknownCard, card)
		}
		id = comptoir.CustomerID(v)
		return nil
	})
	return id, err
}

// CustomerByCard finds the member a loyalty card belongs to, with their personal data for the
// UI to mask.
func (s *Store) CustomerByCard(ctx context.Context, card string) (comptoir.Customer, error) {
	if err := comptoir.ValidateCard(card); err != nil {
		return comptoir.Customer{}, err
	}
	return s.findCustomer(ctx, func(tx *bbolt.Tx, _ *masterKey) []byte { return tx.Bucket(bucketCards).Get([]byte(card)) },
		comptoir.E(comptoir.CodeUnknownCard, card))
}

// CustomerByEmail finds a member by the exact email, through its keyed hash.
func (s *Store) CustomerByEmail(ctx context.Context, email string) (comptoir.Customer, error) {
	e, err := comptoir.NormalizeEmail(email)
	if err != nil {
		return comptoir.Customer{}, err
	}
	return s.findCustomer(ctx, func(tx *bbolt.Tx, k *masterKey) []byte { return tx.Bucket(bucketLookup).Get(lookupKey(k, 'e', e)) },
		comptoir.E(comptoir.CodeUnknownCustomer, comptoir.MaskEmail(e)))
}

// CustomerByPhone finds a member by the exact phone number, through its keyed hash.
func (s *Store) CustomerByPhone(ctx context.Context, phone string) (comptoir.Customer, error) {
	p, err := comptoir.NormalizePhone(phone)
	if err != nil {
		return comptoir.Customer{}, err
	}
	return s.findCustomer(ctx, func(tx *bbolt.Tx, k *masterKey) []byte { return tx.Bucket(bucketLookup).Get(lookupKey(k, 'p', p)) },
		comptoir.E(comptoir.CodeUnknownCustomer, comptoir.MaskPhone(p)))
}

// Customer reads a member by ID.
func (s *Store) Customer(ctx context.Context, id comptoir.CustomerID) (comptoir.Customer, error) {
	return s.findCustomer(ctx, func(*bbolt.Tx, *masterKey) []byte { return []byte(id) },
		comptoir.E(comptoir.CodeUnknownCustomer, string(id)))
}

func (s *Store) findCustomer(ctx context.Context, find func(*bbolt.Tx, *masterKey) []byte, notFound error) (comptoir.Customer, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Customer{}, err
	}
	keys, err := s.masterKey(false)
	if err != nil {
		return comptoir.Customer{}, err
	}
	var c comptoir.Customer
	err = s.view(func(tx *bbolt.Tx) error {
		id := find(tx, keys)
		if id == nil {
			return notFound
		}
		rec, err := getCustomer(tx, comptoir.CustomerID(id))
		if isCode(err, comptoir.CodeUnknownCustomer) {
			return notFound
		}
		if isCode(err, comptoir.CodeRemoteMember) {
			// A member of another shop: their card and status, without personal data.
			v, _, err := getRemote(tx, comptoir.CustomerID(id))
			c = v.customer()
			return err
		}
		if err != nil {
			return err
		}
		p, err := readPersonal(tx, keys, rec)
		c = rec.customer(p)
		return err
	})
	return c, err
}

// Reveal records in the audit trail that a manager looked at a member's unmasked personal data,
// and returns it.
func (s *Store) Reveal(ctx context.Context, id comptoir.CustomerID, who string) (comptoir.Customer, error) {
	c, err := s.Customer(ctx, id)
	if err != nil {
		return c, err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		return appendAudit(tx, s.now(), who, comptoir.AuditReveal, id, "")
	})
	return c, err
}

// ChangeConsent appends a consent event for a member: giving and withdrawing take the same one
// step. Withdrawing is always possible (RGPD art. 7(3)), also for a member in stop processing;
// giving is refused during a restriction, and both are refused for an erased member.
func (s *Store) ChangeConsent(ctx context.Context, id comptoir.CustomerID, ev comptoir.ConsentEvent) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if _, err := comptoir.ParseChannel(string(ev.Channel)); err != nil {
		return err
	}
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	ev.At, ev.By, ev.Remarks = ev.At.UTC(), comptoir.CleanText(ev.By), comptoir.CleanText(ev.Remarks)
	if ev.Via == "" {
		ev.Via = comptoir.ViaRegister
	}
	if _, err := comptoir.ParseConsentVia(string(ev.Via)); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		// A member of another shop can withdraw or give a consent at any register: the change
		// goes to the central in the outbox like any other.
		rec, err := memberForUpdate(tx, id, ev.At)
		if err != nil {
			return err
		}
		check := rec.processable
		if !ev.Granted {
			check = rec.present
		}
		if err := check(); err != nil {
			return err
		}
		if err := appendEntry(tx, &rec, entryConsent, ev); err != nil {
			return err
		}
		rec.LastActivity = ev.At
		if err := putCustomer(tx, rec); err != nil {
			return err
		}
		if err := appendAudit(tx, ev.At, ev.By, comptoir.AuditConsent, id, string(ev.Channel)); err != nil {
			return err
		}
		return appendMemberEvent(tx, comptoir.EventCustomerConsent, ev.At, map[string]any{"id": id, "event": ev})
	})
}

// ConsentHistory lists a member's consent events in the order they were recorded.
func (s *Store) ConsentHistory(ctx context.Context, id comptoir.CustomerID) ([]comptoir.ConsentEvent, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var out []comptoir.ConsentEvent
	err := s.view(func(tx *bbolt.Tx) error {
		// A member of another shop has no history here: the central's view (RemoteMember)
		// carries their consent.
		if _, err := getCustomer(tx, id); err != nil && !isCode(err, comptoir.CodeRemoteMember) {
			return err
		}
		var err error
		out, err = consentHistory(tx, id)
		return err
	})
	return out, err
}

func consentHistory(tx *bbolt.Tx, id comptoir.CustomerID) ([]comptoir.ConsentEvent, error) {
	var out []comptoir.ConsentEvent
	err := eachEntry(tx, id, entryConsent, func(v []byte) error {
		var ev comptoir.ConsentEvent
		if err := decode(v, &ev); err != nil {
			return err
		}
		out = append(out, ev)
		return nil
	})
	return out, err
}

// UpdatePersonal rectifies a member's personal data and records which fields changed (never
// their values) in the audit trail and the outbox. Rectification is a right of the person that a
// restriction does not suspend (RGPD art. 16 and 18), so a member in stop processing can be
// rectified. A blocked email, an email or phone of another member, an erased member are refused.
func (s *Store) UpdatePersonal(ctx context.Context, id comptoir.CustomerID, u comptoir.PersonalUpdate, who string) (comptoir.Customer, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Customer{}, err
	}
	keys, err := s.masterKey(false)
	if err != nil {
		return comptoir.Customer{}, err
	}
	var out comptoir.Customer
	err = s.update(func(tx *bbolt.Tx) error {
		rec, err := getCustomer(tx, id)
		if err != nil {
			return err
		}
		if err := rec.present(); err != nil {
			return err
		}
		if rec.Remote {
			return comptoir.E(comptoir.CodeRemoteMember, string(id))
		}
		old, err := readPersonal(tx, keys, rec)
		if err != nil {
			return err
		}
		p, fields, err := u.Apply(old)
		if err != nil {
			return err
		}
		if err := checkContact(tx, keys, id, p, old); err != nil {
			return err
		}
		lookup := tx.Bucket(bucketLookup)
		if old.Email != "" && old.Email != p.Email {
			if err := lookup.Delete(lookupKey(keys, 'e', old.Email)); err != nil {
				return err
			}
		}
		if old.Phone != "" && old.Phone != p.Phone {
			if err := lookup.Delete(lookupKey(keys, 'p', old.Phone)); err != nil {
				return err
			}
		}
		if err := putPersonal(tx, keys, id, p, false); err != nil {
			return err
		}
		now := s.now().UTC()
		rec.LastActivity = now
		if err := putCustomer(tx, rec); err != nil {
			return err
		}
		detail := strings.Join(fields, ",")
		if err := appendAudit(tx, now, who, comptoir.AuditUpdate, id, detail); err != nil {
			return err
		}
		out = rec.customer(p)
		payload := map[string]any{"id": id, "fields": fields}
		sealed, err := sealedForCentral(tx, keys, id)
		if err != nil {
			return err
		}
		if sealed != nil {
			payload["sealed"] = sealed
		}
		return appendMemberEvent(tx, comptoir.EventCustomerUpdated, now, payload)
	})
	return out, err
}

// StopProcessing restricts a member's processing (RGPD art. 18): no points, no consent given, no
// marketing; a sale with their card completes anonymously. Access, export, rectification, the
// withdrawal of consent and erasure stay possible. The restriction is a status beside the lawful
// basis, which it leaves as it was, so that ResumeProcessing finds it again. Asking twice changes
// nothing.
func (s *Store) StopProcessing(ctx context.Context, id comptoir.CustomerID, who string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		rec, err := memberForUpdate(tx, id, s.now().UTC())
		if err != nil {
			return err
		}
		if err := rec.present(); err != nil {
			return err
		}
		if rec.restricted() {
			return nil
		}
		now := s.now().UTC()
		rec.Status = comptoir.StatusRestricted
		if err := putCustomer(tx, rec); err != nil {
			return err
		}
		if err := appendAudit(tx, now, who, comptoir.AuditStopProcessing, id, ""); err != nil {
			return err
		}
		return appendMemberEvent(tx, comptoir.EventCustomerStopped, now, map[string]any{"id": id})
	})
}

// ResumeProcessing lifts a member's restriction: a manager's decision, recorded in the audit trail
// and as an outbox event that carries the pseudonymous ID only. The member is active again with
// the lawful basis they had, which the restriction never touched, and that basis is returned. A
// member who is not restricted is refused with CodeNotRestricted, an erased one with
// CodeCustomerErased. Like StopProcessing it needs no key.
func (s *Store) ResumeProcessing(ctx context.Context, id comptoir.CustomerID, who string) (comptoir.LawfulBasis, error) {
	if err := checkCtx(ctx); err != nil {
		return "", err
	}
	var basis comptoir.LawfulBasis
	err := s.update(func(tx *bbolt.Tx) error {
		rec, err := memberForUpdate(tx, id, s.now().UTC())
		if err != nil {
			return err
		}
		if err := rec.present(); err != nil {
			return err
		}
		if !rec.restricted() {
			return comptoir.E(comptoir.CodeNotRestricted)
		}
		now := s.now().UTC()
		rec.Status, basis = comptoir.StatusActive, rec.Basis
		if err := putCustomer(tx, rec); err != nil {
			return err
		}
		if err := appendAudit(tx, now, who, comptoir.AuditResumeProcessing, id, ""); err != nil {
			return err
		}
		return appendMemberEvent(tx, comptoir.EventCustomerResumed, now, map[string]any{"id": id})
	})
	if err != nil {
		return "", err
	}
	return basis, nil
}

// Block puts an email on the block list: it can then be neither enrolled nor written onto any
// member. Only its keyed hash is stored. The audit entry names the address by a reference cut
// from that keyed hash, and never names the member who has the address: a masked email or any
// other trace of it beside a member's ID would outlive the member's erasure.
func (s *Store) Block(ctx context.Context, email, who string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	e, err := comptoir.NormalizeEmail(email)
	if err != nil {
		return err
	}
	keys, err := s.masterKey(true)
	if err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		now := s.now().UTC()
		h := keys.lookupHash("email", e)
		if err := tx.Bucket(bucketBlocklist).Put(h, encode(now)); err != nil {
			return err
		}
		if err := appendAudit(tx, now, who, comptoir.AuditBlock, "", blockRef(h)); err != nil {
			return err
		}
		payload := map[string]any{"at": now}
		// With the chain's lookup key the central and every register can match the address
		// without ever seeing it.
		lk, err := chainLookupKey(tx, keys)
		if err != nil {
			return err
		}
		if lk != nil {
			payload["hash"] = hex.EncodeToString(chainEmailHash(lk, e))
			zero(lk)
		}
		return appendMemberEvent(tx, comptoir.EventEmailBlocked, now, payload)
	})
}

// Erase destroys a member's personal data at their request. The data key is deleted, so the
// sealed data can never be opened again, even with the master key; the sealed data, the lookup
// entries and the card links go too. A tombstone keeps the pseudonymous ID that tickets and
// points refer to. The file is then compacted, so that no freed page keeps a copy of the key.
func (s *Store) Erase(ctx context.Context, id comptoir.CustomerID, who string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error {
		rec, err := memberForUpdate(tx, id, s.now().UTC())
		if err != nil {
			return err
		}
		if rec.erased() {
			return nil
		}
		if err := eraseMember(tx, rec); err != nil {
			return err
		}
		if err := scrubAudit(tx, map[comptoir.CustomerID]bool{id: true}); err != nil {
			return err
		}
		if err := markCompactPending(tx); err != nil {
			return err
		}
		now := s.now().UTC()
		rec.Status, rec.ErasedAt, rec.Cards = comptoir.StatusErased, now, nil
		if err := putCustomer(tx, rec); err != nil {
			return err
		}
		if err := appendAudit(tx, now, who, comptoir.AuditErase, id, ""); err != nil {
			return err
		}
		return appendMemberEvent(tx, comptoir.EventCustomerErased, now, map[string]any{"id": id})
	})
	if err != nil {
		return err
	}
	return s.compact()
}

// eraseMember deletes what identifies a member. Lookup entries are found by scanning for the ID
// rather than by recomputing their hashes, so erasure works even without the master key.
func eraseMember(tx *bbolt.Tx, rec customerRecord) error {
	id := []byte(rec.ID)
	for _, b := range [][]byte{bucketDataKeys, bucketPersonal, bucketRemote} {
		if err := tx.Bucket(b).Delete(id); err != nil {
			return err
		}
	}
	for _, card := range rec.Cards {
		if err := tx.Bucket(bucketCards).Delete([]byte(card)); err != nil {
			return err
		}
	}
	var stale [][]byte
	lookup := tx.Bucket(bucketLookup)
	if err := lookup.ForEach(func(k, v []byte) error {
		if bytes.Equal(v, id) {
			stale = append(stale, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range stale {
		if err := lookup.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// blockRef is how the audit trail names a blocked address: the first bytes of its keyed hash,
// which is also its key in the block list. Without the master key it tells nothing of the address.
func blockRef(hash []byte) string { return hex.EncodeToString(hash[:6]) }

// safeAuditDetail reports whether an audit entry's detail is one of the few values known to hold
// nothing of a person: a consent's channel, the names of rectified fields, the reason of a
// retention erasure.
func safeAuditDetail(e comptoir.AuditEntry) bool {
	switch {
	case e.Detail == "":
		return true
	case e.Action == comptoir.AuditConsent:
		// ParseChannel knows a handful of words, none of them about a person.
		_, err := comptoir.ParseChannel(e.Detail)
		return err == nil
	case e.Action == comptoir.AuditUpdate:
		for _, f := range strings.Split(e.Detail, ",") {
			if !comptoir.IsPersonalField(f) {
				return false
			}
		}
		return true
	case e.Action == comptoir.AuditErase:
		return e.Detail == "retention"
	}
	return false
}

// scrubAudit clears, in the audit entries about the erased members, every detail that is not
// known to be free of personal data, so that after an erasure nothing in the trail ties a member's
// ID to a trace of the person (a masked email an older Comptoir wrote beside a block, a detail a
// later one might add). Who did what and when stays: that is the trail's purpose.
func scrubAudit(tx *bbolt.Tx, ids map[comptoir.CustomerID]bool) error {
	return rewriteAudit(tx, func(e *comptoir.AuditEntry) bool {
		if !ids[e.Customer] || safeAuditDetail(*e) {
			return false
		}
		e.Detail = ""
		return true
	})
}

// rewriteAudit puts back every audit entry that edit changed, in the caller's transaction. The
// trail is append-only for the actions it records; only what it must no longer say is rewritten.
func rewriteAudit(tx *bbolt.Tx, edit func(e *comptoir.AuditEntry) bool) error {
	b := tx.Bucket(bucketAudit)
	if b == nil {
		return comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "journal d'audit", EN: "audit bucket"})
	}
	type change struct {
		k []byte
		e comptoir.AuditEntry
	}
	var changes []change
	err := b.ForEach(func(k, v []byte) error {
		var e comptoir.AuditEntry
		if err := decode(v, &e); err != nil {
			return err
		}
		if edit(&e) {
			changes = append(changes, change{bytes.Clone(k), e})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := b.Put(c.k, encode(c.e)); err != nil {
			return err
		}
	}
	return nil
}

// compact rewrites the database into a fresh file holding only live data and puts it in place:
// bbolt does not clear the pages it frees, and an erased member's data key must not survive in
// one. swap keeps other processes out until the new file is in place, and a kill at any moment
// leaves the old file or the new one. An erasure marks the compaction as pending in its own
// transaction; the mark goes with the old file, so a compaction that failed or was cut short by
// a crash is done again at the next Open.
func (s *Store) compact() error {
	err := s.swap(".compact", func(dst *bbolt.DB) (*bbolt.DB, error) {
		err := bbolt.Compact(dst, s.db, 4<<20)
		if err == nil {
			err = dst.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyCompactPending) })
		}
		return dst, err
	})
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCompactFailed, err)
	}
	return nil
}

// markCompactPending records, in an erasure's transaction, that the file must be compacted.
func markCompactPending(tx *bbolt.Tx) error {
	return tx.Bucket(bucketMeta).Put(keyCompactPending, []byte{1})
}

// Points lists a member's points ledger and its balance.
func (s *Store) Points(ctx context.Context, id comptoir.CustomerID) ([]comptoir.PointsEntry, int64, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, 0, err
	}
	var out []comptoir.PointsEntry
	var balance int64
	err := s.view(func(tx *bbolt.Tx) error {
		rec, err := getCustomer(tx, id)
		if isCode(err, comptoir.CodeRemoteMember) {
			// A member of another shop with no entry here: the central's balance alone.
			v, _, err := getRemote(tx, id)
			balance = v.Balance
			return err
		}
		if err != nil {
			return err
		}
		if out, err = pointsLedger(tx, id); err != nil {
			return err
		}
		balance, err = s.balanceOf(tx, rec)
		return err
	})
	return out, balance, err
}

func pointsLedger(tx *bbolt.Tx, id comptoir.CustomerID) ([]comptoir.PointsEntry, error) {
	var out []comptoir.PointsEntry
	err := eachEntry(tx, id, entryPoints, func(v []byte) error {
		var e comptoir.PointsEntry
		if err := decode(v, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// Export gathers everything held on a member for the right of access and portability, and
// records the export in the audit trail.
func (s *Store) Export(ctx context.Context, id comptoir.CustomerID, who string) (comptoir.MemberExport, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.MemberExport{}, err
	}
	keys, err := s.masterKey(false)
	if err != nil {
		return comptoir.MemberExport{}, err
	}
	now := s.now().UTC()
	x := comptoir.MemberExport{ExportedAt: now}
	err = s.update(func(tx *bbolt.Tx) error {
		rec, err := memberForUpdate(tx, id, s.now().UTC())
		if err != nil {
			return err
		}
		p, err := readPersonal(tx, keys, rec)
		if err != nil {
			return err
		}
		x.Customer = rec.customer(p)
		if x.Consent, err = consentHistory(tx, id); err != nil {
			return err
		}
		if x.Points, err = pointsLedger(tx, id); err != nil {
			return err
		}
		if x.Balance, err = s.balanceOf(tx, rec); err != nil {
			return err
		}
		if x.Tickets, err = memberTickets(tx, id); err != nil {
			return err
		}
		return appendAudit(tx, now, who, comptoir.AuditExport, id, "")
	})
	return x, err
}

// memberTicket is a memtickets value: where to find a ticket of the member.
type memberTicket struct {
	Register string `json:"register"`
	Number   uint64 `json:"number"`
}

func memberTickets(tx *bbolt.Tx, id comptoir.CustomerID) ([]comptoir.TicketSummary, error) {
	var out []comptoir.TicketSummary
	err := eachEntry(tx, id, entryTicket, func(v []byte) error {
		var mt memberTicket
		if err := decode(v, &mt); err != nil {
			return err
		}
		sale, err := getSale(regBuckets(tx, []byte(mt.Register)), mt.Number)
		if err != nil {
			return err
		}
		out = append(out, comptoir.TicketSummary{Register: mt.Register, Number: mt.Number, At: sale.At, Total: sale.Total,
			PointsEarned: sale.PointsEarned, PointsRedeemed: sale.PointsRedeemed})
		return nil
	})
	return out, err
}

// Audit lists the audit trail, oldest first. It holds the whole trail in memory: listings go
// through EachAudit instead.
func (s *Store) Audit(ctx context.Context) ([]comptoir.AuditEntry, error) {
	var out []comptoir.AuditEntry
	err := s.EachAudit(ctx, func(e comptoir.AuditEntry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// EachAudit calls fn with every entry of the audit trail, oldest first, in one read transaction,
// as it reads them. It stops at the first error fn returns, and with the context's error when the
// context is cancelled. Each entry is decoded into memory of its own, so fn may keep it.
func (s *Store) EachAudit(ctx context.Context, fn func(comptoir.AuditEntry) error) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.view(func(tx *bbolt.Tx) error {
		n := 0
		return tx.Bucket(bucketAudit).ForEach(func(_, v []byte) error {
			if n++; n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var e comptoir.AuditEntry
			if err := decode(v, &e); err != nil {
				return err
			}
			return fn(e)
		})
	})
}
