package store

import (
	"strconv"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// The central's projections: what it derives from the events registers push, kept up to date in
// the transaction that applies each event and advances the register's acknowledged sequence, by
// the rules of package central (central.Project), which read and write them here through boltTx.
//
// The buckets, beside those of central.go:
//
//	members/
//	    <member id>            -> central.Member: cards, basis, status, consent per channel,
//	                              balance, flags, registers and the member's last activity at
//	                              each, the email index key
//	cards/
//	    <card>                 -> member id of the card's first owner
//	memberkeys/
//	    <member id>            -> the member's data key wrapped to the central key and their
//	                              sealed personal data: erasure deletes it, which leaves every
//	                              copy of the sealed data (in the events too) unreadable
//	emails/
//	    <HMAC of the email>    -> member id, for MemberByEmail
//	blocked/
//	    <hex HMAC>             -> when the central learned it
//	feed/
//	    <seq>                  -> central.FeedEntry: origin register, kind, member, hash or catalogue
//	catalogs/
//	    <version>              -> a price list PutCatalog stored
//	audit/
//	    <seq>                  -> who revealed, erased or changed a member's consent, and when
//	cardblocks/
//	    <register>             -> the first card sequence number of its block
var (
	bucketCMembers    = []byte("members")
	bucketCCards      = []byte("cards")
	bucketMemberKeys  = []byte("memberkeys")
	bucketEmails      = []byte("emails")
	bucketBlocked     = []byte("blocked")
	bucketFeed        = []byte("feed")
	bucketCatalogs    = []byte("catalogs")
	bucketCAudit      = []byte("audit")
	bucketCardBlocks  = []byte("cardblocks")
	keyCardConflicts  = []byte("card_conflicts")
	keyCardBlockCount = []byte("card_blocks")
)

// projectionBuckets are the buckets the projections need; OpenCentral creates those a central
// file of the first increment lacks.
var projectionBuckets = [][]byte{bucketCMembers, bucketCCards, bucketMemberKeys, bucketEmails,
	bucketBlocked, bucketFeed, bucketCatalogs, bucketCAudit, bucketCardBlocks}

// boltTx is the central's projections in a bbolt transaction, as the rules of package central
// read and write them (central.Tx, central.FeedReader).
type boltTx struct {
	tx   *bbolt.Tx
	path string
}

var (
	_ central.Tx         = boltTx{}
	_ central.FeedReader = boltTx{}
)

func (b boltTx) Member(id comptoir.CustomerID) (central.Member, bool, error) {
	return getCentralMember(b.tx, id)
}

func (b boltTx) PutMember(m *central.Member) error { return putCentralMember(b.tx, m) }

func (b boltTx) CardOwner(card string) (comptoir.CustomerID, bool, error) {
	id := b.tx.Bucket(bucketCCards).Get([]byte(card))
	return comptoir.CustomerID(id), id != nil, nil
}

func (b boltTx) PutCard(card string, id comptoir.CustomerID) error {
	return b.tx.Bucket(bucketCCards).Put([]byte(card), []byte(id))
}

func (b boltTx) Seal(id comptoir.CustomerID) (central.Seal, bool, error) {
	var s central.Seal
	v := b.tx.Bucket(bucketMemberKeys).Get([]byte(id))
	if v == nil {
		return s, false, nil
	}
	return s, true, decode(v, &s)
}

func (b boltTx) PutSeal(id comptoir.CustomerID, s central.Seal) error {
	return b.tx.Bucket(bucketMemberKeys).Put([]byte(id), encode(s))
}

// DeleteSeal deletes the member's wrapped key and marks the file for compaction, so that no freed
// page keeps it (see central_compact.go).
func (b boltTx) DeleteSeal(id comptoir.CustomerID) error {
	if err := b.tx.Bucket(bucketMemberKeys).Delete([]byte(id)); err != nil {
		return err
	}
	return markCentralCompactPending(b.tx)
}

func (b boltTx) EmailOwner(hash []byte) (comptoir.CustomerID, bool, error) {
	id := b.tx.Bucket(bucketEmails).Get(hash)
	return comptoir.CustomerID(id), id != nil, nil
}

func (b boltTx) PutEmail(hash []byte, id comptoir.CustomerID) error {
	return b.tx.Bucket(bucketEmails).Put(hash, []byte(id))
}

func (b boltTx) DeleteEmail(hash []byte) error { return b.tx.Bucket(bucketEmails).Delete(hash) }

func (b boltTx) AddBlocked(hash string, at time.Time) (bool, error) {
	blocked := b.tx.Bucket(bucketBlocked)
	if blocked.Get([]byte(hash)) != nil {
		return false, nil
	}
	return true, blocked.Put([]byte(hash), encode(at))
}

// AppendFeed adds one change at the end of the feed.
func (b boltTx) AppendFeed(e central.FeedEntry) error {
	feed := b.tx.Bucket(bucketFeed)
	feed.FillPercent = 1
	seq, err := feed.NextSequence()
	if err != nil {
		return err
	}
	return feed.Put(itob(seq), encode(e))
}

// AppendAudit adds one entry to the central's audit trail.
func (b boltTx) AppendAudit(a central.AuditEntry) error {
	audit := b.tx.Bucket(bucketCAudit)
	audit.FillPercent = 1
	seq, err := audit.NextSequence()
	if err != nil {
		return err
	}
	return audit.Put(itob(seq), encode(a))
}

func (b boltTx) CountCardConflict() error {
	c := b.tx.Bucket(bucketCentral)
	var n uint64
	if v := c.Get(keyCardConflicts); len(v) == 8 {
		n = btoi(v)
	}
	return c.Put(keyCardConflicts, itob(n+1))
}

func (b boltTx) Catalog(version uint64) ([]comptoir.Product, error) {
	var products []comptoir.Product
	v := b.tx.Bucket(bucketCatalogs).Get(itob(version))
	if v == nil {
		return nil, damaged(b.path, []byte("catalogs/"+strconv.FormatUint(version, 10)))
	}
	return products, decode(v, &products)
}
