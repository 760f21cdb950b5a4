package store

import (
	"context"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// The back office's side of the central: members across the chain, and the changes made
// centrally (consent on the web, erasure, the price list) that reach every register through the
// feed, each in the transaction that appends its feed entry. The rules are package central's.

// Member finds a member by card; see comptoir.CentralMembers. With reveal, the personal data is
// opened and the reveal recorded in the central's audit trail under who, in one transaction; an
// erased member is their tombstone, with nothing to reveal and no reveal recorded.
func (c *Central) Member(ctx context.Context, card string, reveal bool, who string) (comptoir.CentralMember, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.CentralMember{}, err
	}
	return c.member(reveal, who, func(tx boltTx) (comptoir.CustomerID, error) { return central.FindCard(tx, card) })
}

// MemberByEmail finds a member by exact email address; see comptoir.CentralMembers. The address
// is looked up by its keyed hash, as the central keeps no address in clear.
func (c *Central) MemberByEmail(ctx context.Context, email string, reveal bool, who string) (comptoir.CentralMember, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.CentralMember{}, err
	}
	if _, err := comptoir.NormalizeEmail(email); err != nil {
		return comptoir.CentralMember{}, err
	}
	return c.member(reveal, who, func(tx boltTx) (comptoir.CustomerID, error) { return central.FindEmail(tx, c.keys, email) })
}

// member reads the member find names; a reveal writes its audit entry in the same transaction,
// so that no one sees personal data that the audit does not record.
func (c *Central) member(reveal bool, who string, find func(tx boltTx) (comptoir.CustomerID, error)) (comptoir.CentralMember, error) {
	var out comptoir.CentralMember
	read := func(btx *bbolt.Tx) error {
		tx := boltTx{tx: btx, path: c.path}
		id, err := find(tx)
		if err != nil {
			return err
		}
		out, err = central.ShowMember(tx, c.keys, id, reveal, who, c.now())
		return err
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

// Consent records a consent change made centrally; see comptoir.CentralMembers and
// central.ApplyCentralConsent.
func (c *Central) Consent(ctx context.Context, card string, cc comptoir.CentralConsent) (comptoir.CentralMember, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.CentralMember{}, err
	}
	now := c.now().UTC()
	ev, err := central.CentralConsentEvent(cc, now)
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	var out comptoir.CentralMember
	err = c.update(func(tx *bbolt.Tx) error {
		out, err = central.ApplyCentralConsent(boltTx{tx: tx, path: c.path}, c.keys, card, ev, now)
		return err
	})
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	return out, nil
}

// Erase destroys a member's wrapped key and sealed personal data at the central and queues the
// erasure for every register; see comptoir.CentralMembers and central.EraseCard. The file is then
// compacted, so that no freed page keeps a copy of the wrapped key.
func (c *Central) Erase(ctx context.Context, card, who string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	err := c.update(func(tx *bbolt.Tx) error {
		_, err := central.EraseCard(boltTx{tx: tx, path: c.path}, card, who, c.now())
		return err
	})
	if err != nil {
		return err
	}
	// The erasure is committed; the compaction scrubs the wrapped key from the freed pages. Its
	// failure is said (CodeCompactFailed), and its mark makes the next push or opening retry.
	return c.compactIfPending()
}

// PutCatalog stores a price list for every register to apply; see comptoir.CentralMembers and
// central.Catalog. An empty list changes nothing.
func (c *Central) PutCatalog(ctx context.Context, products []comptoir.Product) (int, error) {
	if err := checkCtx(ctx); err != nil {
		return 0, err
	}
	list, enc, err := central.Catalog(products)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	err = c.update(func(tx *bbolt.Tx) error {
		catalogs := tx.Bucket(bucketCatalogs)
		version, err := catalogs.NextSequence()
		if err != nil {
			return err
		}
		if err := catalogs.Put(itob(version), append([]byte{valueVersion}, enc...)); err != nil {
			return err
		}
		return boltTx{tx: tx, path: c.path}.AppendFeed(central.FeedEntry{Kind: comptoir.ChangeCatalog, Catalog: version})
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
