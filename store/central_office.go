package store

import (
	"cmp"
	"context"
	"slices"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// The back office's side of the central: members across the chain, and the changes made
// centrally (consent on the web, erasure, the price list) that reach every register through the
// feed, each in the transaction that appends its feed entry.

// Member finds a member by card; see comptoir.CentralMembers. With reveal, the personal data is
// opened and the reveal recorded in the central's audit trail under who, in one transaction; an
// erased member is their tombstone, with nothing to reveal and no reveal recorded.
func (c *Central) Member(ctx context.Context, card string, reveal bool, who string) (comptoir.CentralMember, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.CentralMember{}, err
	}
	return c.member(reveal, who, func(tx *bbolt.Tx) (comptoir.CustomerID, error) { return cardOwner(tx, card) })
}

// MemberByEmail finds a member by exact email address; see comptoir.CentralMembers. The address
// is looked up by its keyed hash, as the central keeps no address in clear.
func (c *Central) MemberByEmail(ctx context.Context, email string, reveal bool, who string) (comptoir.CentralMember, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.CentralMember{}, err
	}
	norm, err := comptoir.NormalizeEmail(email)
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	return c.member(reveal, who, func(tx *bbolt.Tx) (comptoir.CustomerID, error) {
		id := tx.Bucket(bucketEmails).Get(c.keys.emailHash(norm))
		if id == nil {
			return "", comptoir.E(comptoir.CodeUnknownCustomer, comptoir.MaskEmail(norm))
		}
		return comptoir.CustomerID(id), nil
	})
}

// member reads the member find names; a reveal writes its audit entry in the same transaction,
// so that no one sees personal data that the audit does not record.
func (c *Central) member(reveal bool, who string, find func(tx *bbolt.Tx) (comptoir.CustomerID, error)) (comptoir.CentralMember, error) {
	var out comptoir.CentralMember
	read := func(tx *bbolt.Tx) error {
		id, err := find(tx)
		if err != nil {
			return err
		}
		m, known, err := getCentralMember(tx, id)
		if err != nil {
			return err
		}
		if !known {
			return comptoir.E(comptoir.CodeUnknownCustomer, string(id))
		}
		if out, err = c.centralMember(tx, m, reveal); err != nil {
			return err
		}
		if !out.Revealed {
			return nil
		}
		return appendCentralAudit(tx, centralAudit{At: c.now(), Who: cmp.Or(who, comptoir.AdminName), Member: id, Action: auditReveal})
	}
	var err error
	if reveal {
		err = c.update(read)
	} else {
		err = c.view(read)
	}
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	return out, nil
}

// cardOwner is the member a card belongs to: its first owner when two enrolments used it.
func cardOwner(tx *bbolt.Tx, card string) (comptoir.CustomerID, error) {
	id := tx.Bucket(bucketCCards).Get([]byte(card))
	if id == nil {
		return "", comptoir.E(comptoir.CodeUnknownCard, card)
	}
	return comptoir.CustomerID(id), nil
}

// centralMember is a member as the back office sees them: personal data opened, masked unless
// revealed; none for a tombstone or a member whose register sent none.
func (c *Central) centralMember(tx *bbolt.Tx, m centralMember, reveal bool) (comptoir.CentralMember, error) {
	out := comptoir.CentralMember{RemoteMember: m.remote(0), EnrolledAt: m.EnrolledAt, Registers: slices.Clone(m.Registers)}
	if m.erased() {
		return out, nil
	}
	v := tx.Bucket(bucketMemberKeys).Get([]byte(m.ID))
	if v == nil {
		return out, nil
	}
	var s memberSeal
	if err := decode(v, &s); err != nil {
		return out, err
	}
	dk, err := comptoir.UnwrapDataKey(c.keys.private, s.Key, m.ID)
	if err != nil {
		return out, err
	}
	p, err := comptoir.OpenPersonalData(dk, s.Data, m.ID)
	zero(dk)
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

// Consent records a consent change made centrally; see comptoir.CentralMembers. The channel and
// where it was given are checked (a missing Via is the web), an At after the central's clock
// counts at the clock, and the change is decided against the member's current consent with
// comptoir.LatestConsent, as every register decides it. Withdrawing is always possible; giving is
// refused for a member in stop processing, and both for an erased member. The consent event and
// the member's new state enter the feed, so that every register records it in the member's
// history on its next pull.
func (c *Central) Consent(ctx context.Context, card string, cc comptoir.CentralConsent) (comptoir.CentralMember, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.CentralMember{}, err
	}
	ch, err := comptoir.ParseChannel(string(cc.Channel))
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	via := comptoir.ViaWeb
	if cc.Via != "" {
		if via, err = comptoir.ParseConsentVia(string(cc.Via)); err != nil {
			return comptoir.CentralMember{}, err
		}
	}
	now := c.now().UTC()
	at := now
	if !cc.At.IsZero() {
		at = arrival(cc.At, now)
	}
	ev := comptoir.ConsentEvent{Channel: ch, Granted: cc.Granted, At: at, Via: via, By: comptoir.CleanText(cc.By),
		NoticeVersion: comptoir.CleanText(cc.NoticeVersion)}
	// Bounded as a register's consent event is, since this one reaches every register too.
	if utf8.RuneCountInString(ev.By) > maxConsentBy {
		return comptoir.CentralMember{}, comptoir.E(comptoir.CodeInvalidParameter, "by", ev.By)
	}
	if utf8.RuneCountInString(ev.NoticeVersion) > maxConsentNotice {
		return comptoir.CentralMember{}, comptoir.E(comptoir.CodeInvalidParameter, "notice_version", ev.NoticeVersion)
	}
	var out comptoir.CentralMember
	err = c.update(func(tx *bbolt.Tx) error {
		id, err := cardOwner(tx, card)
		if err != nil {
			return err
		}
		m, _, err := getCentralMember(tx, id)
		if err != nil {
			return err
		}
		switch {
		case m.erased():
			return comptoir.E(comptoir.CodeCustomerErased)
		case ev.Granted && m.Status == comptoir.StatusRestricted:
			return comptoir.E(comptoir.CodeStopProcessing)
		}
		m.applyConsent(ev)
		// A consent change at the central is the member's own doing: it counts as their
		// activity, which a shop's retention purge must see.
		if ev.At.After(m.CentralActivity) {
			m.CentralActivity = ev.At
		}
		if err := putCentralMember(tx, &m); err != nil {
			return err
		}
		if err := appendFeed(tx, feedEntry{Kind: comptoir.ChangeConsent, Member: id, Consent: &ev}); err != nil {
			return err
		}
		if err := appendFeed(tx, feedEntry{Kind: comptoir.ChangeMember, Member: id}); err != nil {
			return err
		}
		who := cmp.Or(ev.By, string(ev.Via))
		if err := appendCentralAudit(tx, centralAudit{At: now, Who: who, Member: id, Action: auditConsent, Detail: string(ch)}); err != nil {
			return err
		}
		out, err = c.centralMember(tx, m, false)
		return err
	})
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	return out, nil
}

// Erase destroys a member's wrapped key and sealed personal data at the central and queues the
// erasure for every register; see comptoir.CentralMembers. The file is then compacted, so that no
// freed page keeps a copy of the wrapped key. Erasing an erased member again changes nothing and
// is not refused: the person's request is met.
func (c *Central) Erase(ctx context.Context, card, who string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	err := c.update(func(tx *bbolt.Tx) error {
		id, err := cardOwner(tx, card)
		if err != nil {
			return err
		}
		m, _, err := getCentralMember(tx, id)
		if err != nil || m.erased() {
			return err
		}
		if err := eraseCentralMember(tx, &m); err != nil {
			return err
		}
		if err := putCentralMember(tx, &m); err != nil {
			return err
		}
		if err := appendFeed(tx, feedEntry{Kind: comptoir.ChangeErased, Member: id}); err != nil {
			return err
		}
		return appendCentralAudit(tx, centralAudit{At: c.now(), Who: cmp.Or(who, comptoir.AdminName), Member: id, Action: auditErase})
	})
	if err != nil {
		return err
	}
	// The erasure is committed; the compaction scrubs the wrapped key from the freed pages. Its
	// failure is said (CodeCompactFailed), and its mark makes the next push or opening retry.
	return c.compactIfPending()
}

// PutCatalog stores a price list for every register to apply; see comptoir.CentralMembers. Every
// product is normalized first and the first one refused refuses the list, before anything is
// written. A GTIN given twice keeps its last product. An empty list changes nothing.
func (c *Central) PutCatalog(ctx context.Context, products []comptoir.Product) (int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	byGTIN := make(map[string]comptoir.Product, len(products))
	for _, p := range products {
		n, err := comptoir.NormalizeProduct(p)
		if err != nil {
			return 0, err
		}
		byGTIN[n.GTIN] = n
	}
	if len(byGTIN) == 0 {
		return 0, nil
	}
	list := make([]comptoir.Product, 0, len(byGTIN))
	for _, p := range byGTIN {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b comptoir.Product) int { return cmp.Compare(a.GTIN, b.GTIN) })
	// The list goes whole into one change of the feed: one larger than a register reads of an
	// answer would stop every register's pull for good, so it is refused here.
	enc := encode(list)
	if len(enc) > maxCatalogBytes {
		return 0, comptoir.E(comptoir.CodeBodyTooLarge, maxCatalogBytes)
	}
	err := c.update(func(tx *bbolt.Tx) error {
		catalogs := tx.Bucket(bucketCatalogs)
		version, err := catalogs.NextSequence()
		if err != nil {
			return err
		}
		if err := catalogs.Put(itob(version), enc); err != nil {
			return err
		}
		return appendFeed(tx, feedEntry{Kind: comptoir.ChangeCatalog, Catalog: version})
	})
	if err != nil {
		return 0, err
	}
	return len(list), nil
}

// CardConflicts counts the enrolments that used a card another member already had, for the
// central's metrics.
func (c *Central) CardConflicts(ctx context.Context) (uint64, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	var n uint64
	err := c.view(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketCentral).Get(keyCardConflicts); len(v) == 8 {
			n = btoi(v)
		}
		return nil
	})
	return n, err
}
