package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// CardBlockSize is how many card sequence numbers the central gives each register.
const CardBlockSize = 100_000

// firstCardBlock is the first block's number: block 0 (sequences below CardBlockSize) is left to
// the cards registers issued on their own before they were ever set up.
const firstCardBlock = 1

// Setup records what a register says of itself and hands it the central's public key, the
// chain-wide lookup key and its block of card numbers; see comptoir.CentralFeed. The block is
// drawn at the register's first set-up and stored, so that every later set-up, after a restart or
// a reopening of the file, gives the same one, and no two registers share a number. A register
// may set up before it ever pushed: its summary starts here. Demo, once said, stays.
func (c *Central) Setup(ctx context.Context, register string, req comptoir.SetupRequest) (comptoir.Setup, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.Setup{}, err
	}
	if err := checkCentralName(register); err != nil {
		return comptoir.Setup{}, err
	}
	var first uint64
	err := c.db.Update(func(tx *bbolt.Tx) error {
		blocks := tx.Bucket(bucketCardBlocks)
		if v := blocks.Get([]byte(register)); len(v) == 8 {
			first = btoi(v)
		} else {
			central := tx.Bucket(bucketCentral)
			n := uint64(firstCardBlock)
			if v := central.Get(keyCardBlockCount); len(v) == 8 {
				n = btoi(v)
			}
			first = n * CardBlockSize
			if err := central.Put(keyCardBlockCount, itob(n+1)); err != nil {
				return err
			}
			if err := blocks.Put([]byte(register), itob(first)); err != nil {
				return err
			}
		}
		st, _, err := readCentralRegister(tx, register)
		if err != nil {
			return err
		}
		st.Demo = st.Demo || req.Demo
		st.Software = comptoir.CleanText(req.Software)
		return putCentralRegister(tx, register, st)
	})
	if err != nil {
		return comptoir.Setup{}, err
	}
	return comptoir.Setup{
		Register:   register,
		CentralKey: c.keys.private.PublicKey().Bytes(),
		LookupKey:  append([]byte(nil), c.keys.lookup...),
		CardsFirst: first,
		CardsLast:  first + CardBlockSize - 1,
		Now:        c.now().UTC(),
	}, nil
}

// cursorPrefix starts every cursor the central writes, so that a cursor of another program or
// version is refused rather than read as a position.
const cursorPrefix = "f1."

// formatCursor writes the position after feed entry seq.
func formatCursor(seq uint64) string { return cursorPrefix + strconv.FormatUint(seq, 10) }

// parseCursor reads a cursor formatCursor wrote; "" is the beginning.
func parseCursor(cursor string) (uint64, error) {
	if cursor == "" {
		return 0, nil
	}
	rest, ok := strings.CutPrefix(cursor, cursorPrefix)
	n, err := strconv.ParseUint(rest, 10, 64)
	if !ok || err != nil || strconv.FormatUint(n, 10) != rest {
		return 0, comptoir.E(comptoir.CodeInvalidCursor, cursor)
	}
	return n, nil
}

// maxScanFactor bounds how many feed entries one page reads per change it may hold, so that a
// register whose own changes fill the feed still gets an answer in bounded time (with More set).
const maxScanFactor = 10

// Changes lists what a register has to apply after its cursor; see comptoir.CentralFeed.
//
// The feed holds every change in the order the central made it; a page skips what came from the
// asking register itself (it has it already) except members, whose balance also moves with what
// other registers recorded. Members are read from the projection as the page is built, so they
// carry their current state, once a page however often they changed within it, with AsOfTicket
// the last ticket of this register the central applied: the register adds its own later entries.
// A cursor this central did not write is refused with CodeInvalidCursor, one past the end of
// its feed (a central put back from an older backup) with CodeCursorAhead.
func (c *Central) Changes(ctx context.Context, register, cursor string, limit int) (comptoir.ChangesPage, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.ChangesPage{}, err
	}
	if err := checkCentralName(register); err != nil {
		return comptoir.ChangesPage{}, err
	}
	after, err := parseCursor(cursor)
	if err != nil {
		return comptoir.ChangesPage{}, err
	}
	if limit <= 0 || limit > comptoir.MaxChangesPage {
		limit = comptoir.MaxChangesPage
	}
	page := comptoir.ChangesPage{Changes: []comptoir.Change{}, Next: formatCursor(after)}
	err = c.db.View(func(tx *bbolt.Tx) error {
		feed := tx.Bucket(bucketFeed)
		if last := feed.Sequence(); after > last {
			return comptoir.E(comptoir.CodeCursorAhead, after, last)
		}
		st, _, err := readCentralRegister(tx, register)
		if err != nil {
			return err
		}
		members := make(map[comptoir.CustomerID]bool)
		scanned := 0
		cur := feed.Cursor()
		for k, v := cur.Seek(itob(after + 1)); k != nil; k, v = cur.Next() {
			if len(page.Changes) == limit || scanned == limit*maxScanFactor {
				page.More = true
				break
			}
			scanned++
			page.Next = formatCursor(btoi(k))
			var e feedEntry
			if err := decode(v, &e); err != nil {
				return damaged(c.path, []byte("feed/"+strconv.FormatUint(btoi(k), 10)))
			}
			if e.Origin == register && e.Kind != comptoir.ChangeMember {
				continue
			}
			ch, ok, err := c.change(tx, e, st.LastTicket, members)
			if err != nil {
				return err
			}
			if ok {
				page.Changes = append(page.Changes, ch)
			}
		}
		return nil
	})
	if err != nil {
		return comptoir.ChangesPage{}, err
	}
	page.Now = c.now().UTC()
	return page, nil
}

// change builds the change a feed entry stands for; ok is false for a member already in the
// page.
func (c *Central) change(tx *bbolt.Tx, e feedEntry, asOf uint64, members map[comptoir.CustomerID]bool) (comptoir.Change, bool, error) {
	ch := comptoir.Change{Kind: e.Kind}
	switch e.Kind {
	case comptoir.ChangeMember:
		if members[e.Member] {
			return ch, false, nil
		}
		members[e.Member] = true
		m, known, err := getCentralMember(tx, e.Member)
		if err != nil || !known {
			return ch, false, err
		}
		r := m.remote(asOf)
		ch.Member = &r
	case comptoir.ChangeConsent:
		if e.Consent == nil {
			return ch, false, nil
		}
		ch.Consent = &comptoir.RemoteConsent{ID: e.Member, Event: *e.Consent}
	case comptoir.ChangeErased:
		ch.Erased = e.Member
	case comptoir.ChangeBlocked:
		ch.Blocked = e.Hash
	case comptoir.ChangeCatalog:
		var products []comptoir.Product
		v := tx.Bucket(bucketCatalogs).Get(itob(e.Catalog))
		if v == nil {
			return ch, false, damaged(c.path, []byte("catalogs/"+strconv.FormatUint(e.Catalog, 10)))
		}
		if err := decode(v, &products); err != nil {
			return ch, false, err
		}
		ch.Catalog = products
	default:
		return ch, false, nil
	}
	return ch, true, nil
}
