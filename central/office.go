package central

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// The back office's side of the central: members across the chain, and the changes made
// centrally (consent on the web, erasure, the price list) that reach every register through the
// feed, each in the transaction that appends its feed entry.

// CardBlockSize is how many card sequence numbers the central gives each register.
const CardBlockSize = 100_000

// FirstCardBlock is the first block's number: block 0 (sequences below CardBlockSize) is left to
// the cards registers issued on their own before they were ever set up.
const FirstCardBlock = 1

// FindCard is the member a card belongs to: its first owner when two enrolments used it;
// CodeUnknownCard for a card no one holds.
func FindCard(tx Tx, card string) (comptoir.CustomerID, error) {
	id, ok, err := tx.CardOwner(card)
	if err == nil && !ok {
		err = comptoir.E(comptoir.CodeUnknownCard, card)
	}
	return id, err
}

// FindEmail is the member an email address belongs to, looked up by its keyed hash as the
// central keeps no address in clear; CodeUnknownCustomer (the address masked) for none.
func FindEmail(tx Tx, keys *Keys, email string) (comptoir.CustomerID, error) {
	norm, err := comptoir.NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	id, ok, err := tx.EmailOwner(keys.EmailHash(norm))
	if err == nil && !ok {
		err = comptoir.E(comptoir.CodeUnknownCustomer, comptoir.MaskEmail(norm))
	}
	return id, err
}

// ShowMember is a member as the back office sees them. With reveal, the personal data is opened
// and the reveal recorded in the central's audit trail under who, in the caller's transaction,
// so that no one sees personal data that the audit does not record; an erased member is their
// tombstone, with nothing to reveal and no reveal recorded.
func ShowMember(tx Tx, keys *Keys, id comptoir.CustomerID, reveal bool, who string, now time.Time) (comptoir.CentralMember, error) {
	m, known, err := tx.Member(id)
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	if !known {
		return comptoir.CentralMember{}, comptoir.E(comptoir.CodeUnknownCustomer, string(id))
	}
	out, err := view(tx, keys, m, reveal)
	if err != nil || !out.Revealed {
		return out, err
	}
	return out, appendAudit(tx, AuditEntry{At: now, Who: cmp.Or(who, comptoir.AdminName), Member: id, Action: AuditReveal})
}

// appendAudit adds an audit entry, its date in UTC and its author's name cleaned.
func appendAudit(tx Tx, a AuditEntry) error {
	a.At, a.Who = a.At.UTC(), comptoir.CleanText(a.Who)
	return tx.AppendAudit(a)
}

// view is a member as the back office sees them: personal data opened, masked unless revealed;
// none for a tombstone or a member whose register sent none.
func view(tx Tx, keys *Keys, m Member, reveal bool) (comptoir.CentralMember, error) {
	out := comptoir.CentralMember{RemoteMember: m.Remote(0), EnrolledAt: m.EnrolledAt, Registers: slices.Clone(m.Registers)}
	if m.Erased() {
		return out, nil
	}
	s, ok, err := tx.Seal(m.ID)
	if err != nil || !ok {
		return out, err
	}
	p, err := keys.OpenSeal(m.ID, s)
	if err != nil {
		return out, err
	}
	if reveal {
		out.Personal, out.Revealed = p, true
	} else {
		out.Personal = p.Mask()
	}
	return out, nil
}

// CentralConsentEvent checks a consent change made centrally and makes it the event every
// register records: the channel and where it was given are checked (a missing Via is the web),
// an At after the central's clock (now) counts at the clock, and who and the notice's version
// are bounded as a register's consent event is, since this one reaches every register too.
func CentralConsentEvent(cc comptoir.CentralConsent, now time.Time) (comptoir.ConsentEvent, error) {
	ch, err := comptoir.ParseChannel(string(cc.Channel))
	if err != nil {
		return comptoir.ConsentEvent{}, err
	}
	via := comptoir.ViaWeb
	if cc.Via != "" {
		if via, err = comptoir.ParseConsentVia(string(cc.Via)); err != nil {
			return comptoir.ConsentEvent{}, err
		}
	}
	now = now.UTC()
	at := now
	if !cc.At.IsZero() {
		at = Arrival(cc.At, now)
	}
	ev := comptoir.ConsentEvent{Channel: ch, Granted: cc.Granted, At: at, Via: via, By: comptoir.CleanText(cc.By),
		NoticeVersion: comptoir.CleanText(cc.NoticeVersion)}
	if utf8.RuneCountInString(ev.By) > maxConsentBy {
		return comptoir.ConsentEvent{}, comptoir.E(comptoir.CodeInvalidParameter, "by", ev.By)
	}
	if utf8.RuneCountInString(ev.NoticeVersion) > maxConsentNotice {
		return comptoir.ConsentEvent{}, comptoir.E(comptoir.CodeInvalidParameter, "notice_version", ev.NoticeVersion)
	}
	return ev, nil
}

// ApplyCentralConsent records a consent change made centrally (from CentralConsentEvent) for the
// card's member, decided against their current consent with comptoir.LatestConsent as every
// register decides it, and returns the member's new state. Withdrawing is always possible;
// giving is refused for a member in stop processing (CodeStopProcessing), both for an erased
// member (CodeCustomerErased). The consent event and the member's new state enter the feed, so
// that every register records it in the member's history on its next pull.
func ApplyCentralConsent(tx Tx, keys *Keys, card string, ev comptoir.ConsentEvent, now time.Time) (comptoir.CentralMember, error) {
	id, err := FindCard(tx, card)
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	m, _, err := tx.Member(id)
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	switch {
	case m.Erased():
		return comptoir.CentralMember{}, comptoir.E(comptoir.CodeCustomerErased)
	case ev.Granted && m.Status == comptoir.StatusRestricted:
		return comptoir.CentralMember{}, comptoir.E(comptoir.CodeStopProcessing)
	}
	m.ApplyConsent(ev)
	// A consent change at the central is the member's own doing: it counts as their activity,
	// which a shop's retention purge must see.
	if ev.At.After(m.CentralActivity) {
		m.CentralActivity = ev.At
	}
	if err := tx.PutMember(&m); err != nil {
		return comptoir.CentralMember{}, err
	}
	if err := tx.AppendFeed(FeedEntry{Kind: comptoir.ChangeConsent, Member: id, Consent: &ev}); err != nil {
		return comptoir.CentralMember{}, err
	}
	if err := tx.AppendFeed(FeedEntry{Kind: comptoir.ChangeMember, Member: id}); err != nil {
		return comptoir.CentralMember{}, err
	}
	who := cmp.Or(ev.By, string(ev.Via))
	if err := appendAudit(tx, AuditEntry{At: now, Who: who, Member: id, Action: AuditConsent, Detail: string(ev.Channel)}); err != nil {
		return comptoir.CentralMember{}, err
	}
	return view(tx, keys, m, false)
}

// EraseCard destroys the card's member's wrapped key and sealed personal data at the central and
// queues the erasure for every register, recorded in the audit trail under who. Erasing an
// erased member again changes nothing and is not refused: the person's request is met. It
// reports whether it erased.
func EraseCard(tx Tx, card, who string, now time.Time) (bool, error) {
	id, err := FindCard(tx, card)
	if err != nil {
		return false, err
	}
	m, _, err := tx.Member(id)
	if err != nil || m.Erased() {
		return false, err
	}
	if err := erase(tx, &m); err != nil {
		return false, err
	}
	if err := tx.PutMember(&m); err != nil {
		return false, err
	}
	if err := tx.AppendFeed(FeedEntry{Kind: comptoir.ChangeErased, Member: id}); err != nil {
		return false, err
	}
	return true, appendAudit(tx, AuditEntry{At: now, Who: cmp.Or(who, comptoir.AdminName), Member: id, Action: AuditErase})
}

// MaxCatalogBytes bounds a price list's encoding, so that its change, sent whole in a page,
// stays far below what a register reads of an answer (64 MiB).
const MaxCatalogBytes = 32 << 20

// Catalog normalizes a price list for every register to apply: every product is normalized
// first and the first one refused refuses the list; a GTIN given twice keeps its last product;
// the list is sorted by GTIN. It returns the list and its JSON, which a backend keeps as it is;
// an empty list is nil. A list whose JSON passes MaxCatalogBytes is refused with
// CodeBodyTooLarge: one larger than a register reads of an answer would stop every register's
// pull for good.
func Catalog(products []comptoir.Product) ([]comptoir.Product, []byte, error) {
	byGTIN := make(map[string]comptoir.Product, len(products))
	for _, p := range products {
		n, err := comptoir.NormalizeProduct(p)
		if err != nil {
			return nil, nil, err
		}
		byGTIN[n.GTIN] = n
	}
	if len(byGTIN) == 0 {
		return nil, nil, nil
	}
	list := make([]comptoir.Product, 0, len(byGTIN))
	for _, p := range byGTIN {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b comptoir.Product) int { return cmp.Compare(a.GTIN, b.GTIN) })
	enc, err := json.Marshal(list)
	if err != nil {
		return nil, nil, err
	}
	if len(enc) > MaxCatalogBytes {
		return nil, nil, comptoir.E(comptoir.CodeBodyTooLarge, MaxCatalogBytes)
	}
	return list, enc, nil
}
