package postgres

import (
	"context"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/jackc/pgx/v5"
)

// The back office's side of the central, through package central's rules: each change made
// centrally commits with its feed entries and its audit trail entry, in one transaction.

// Member finds a member by card; see comptoir.CentralMembers. With reveal, the personal data is
// opened and the reveal recorded in the central's audit trail under who, in the transaction
// that read it; an erased member is their tombstone, with nothing to reveal.
func (c *Central) Member(ctx context.Context, card string, reveal bool, who string) (comptoir.CentralMember, error) {
	if err := ctx.Err(); err != nil {
		return comptoir.CentralMember{}, err
	}
	return c.member(ctx, reveal, who, func(t *projTx) (comptoir.CustomerID, error) { return central.FindCard(t, card) })
}

// MemberByEmail finds a member by exact email address; see comptoir.CentralMembers. The address
// is looked up by its keyed hash, as the central keeps no address in clear.
func (c *Central) MemberByEmail(ctx context.Context, email string, reveal bool, who string) (comptoir.CentralMember, error) {
	if err := ctx.Err(); err != nil {
		return comptoir.CentralMember{}, err
	}
	if _, err := comptoir.NormalizeEmail(email); err != nil {
		return comptoir.CentralMember{}, err
	}
	return c.member(ctx, reveal, who, func(t *projTx) (comptoir.CustomerID, error) { return central.FindEmail(t, c.keys, email) })
}

// member shows the member find names. A look without reveal writes nothing and runs in a
// read-only snapshot, which locks no member: projTx's reads lock only in a read-write
// transaction.
func (c *Central) member(ctx context.Context, reveal bool, who string, find func(t *projTx) (comptoir.CustomerID, error)) (comptoir.CentralMember, error) {
	var out comptoir.CentralMember
	run := func(tx pgx.Tx) error {
		t := newProjTx(ctx, tx)
		t.readOnly = !reveal
		id, err := find(t)
		if err != nil {
			return err
		}
		if out, err = central.ShowMember(t, c.keys, id, reveal, who, c.now()); err != nil {
			return err
		}
		if !reveal {
			return nil
		}
		return c.commitProjections(ctx, tx, t, nil)
	}
	var err error
	if reveal {
		err = c.update(ctx, run)
	} else {
		err = c.view(ctx, run)
	}
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	return out, nil
}

// Consent records a consent change made centrally; see comptoir.CentralMembers and
// central.ApplyCentralConsent.
func (c *Central) Consent(ctx context.Context, card string, cc comptoir.CentralConsent) (comptoir.CentralMember, error) {
	if err := ctx.Err(); err != nil {
		return comptoir.CentralMember{}, err
	}
	now := c.now().UTC()
	ev, err := central.CentralConsentEvent(cc, now)
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	var out comptoir.CentralMember
	err = c.update(ctx, func(tx pgx.Tx) error {
		t := newProjTx(ctx, tx)
		var err error
		if out, err = central.ApplyCentralConsent(t, c.keys, card, ev, now); err != nil {
			return err
		}
		return c.commitProjections(ctx, tx, t, nil)
	})
	if err != nil {
		return comptoir.CentralMember{}, err
	}
	return out, nil
}

// Erase destroys a member's wrapped key and sealed personal data at the central and queues the
// erasure for every register; see comptoir.CentralMembers and central.EraseCard. Erasing an
// erased member again changes nothing and is not refused.
//
// What stays where: the erasure deletes the member's member_seals row (the wrapped data key and
// the sealed data) and their emails row in one transaction. PostgreSQL does not overwrite a
// deleted row: its bytes stay in the table's pages until VACUUM reclaims the space and a later
// write reuses it, in the write-ahead log until its segments are recycled, and in every base
// backup and archived WAL segment taken meanwhile, on replicas likewise. The wrapped key alone
// opens the data, and the registers destroy their copy of the data key: whoever keeps WAL
// archives or backups must expire them within the erasure delay the shop promises. The events
// keep the sealed data without its key (central.StripWrappedKey), unreadable.
func (c *Central) Erase(ctx context.Context, card, who string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.update(ctx, func(tx pgx.Tx) error {
		t := newProjTx(ctx, tx)
		erased, err := central.EraseCard(t, card, who, c.now())
		if err != nil || !erased {
			return err
		}
		return c.commitProjections(ctx, tx, t, nil)
	})
}

// PutCatalog stores a price list for every register to apply; see comptoir.CentralMembers and
// central.Catalog. An empty list changes nothing.
func (c *Central) PutCatalog(ctx context.Context, products []comptoir.Product) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	list, enc, err := central.Catalog(products)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	err = c.update(ctx, func(tx pgx.Tx) error {
		var version int64
		if err := tx.QueryRow(ctx, "INSERT INTO catalogs (products) VALUES ($1) RETURNING version", enc).Scan(&version); err != nil {
			return err
		}
		t := newProjTx(ctx, tx)
		if err := t.AppendFeed(central.FeedEntry{Kind: comptoir.ChangeCatalog, Catalog: uint64(version)}); err != nil {
			return err
		}
		return c.commitProjections(ctx, tx, t, nil)
	})
	if err != nil {
		return 0, err
	}
	return len(list), nil
}

// CardConflicts counts the enrolments that used a card another member already had, for the
// central's metrics.
func (c *Central) CardConflicts(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := c.pool.QueryRow(ctx, "SELECT card_conflicts FROM central").Scan(&n)
	return uint64(n), err
}
