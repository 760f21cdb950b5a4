package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	err := c.update(func(tx *bbolt.Tx) error {
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

// Cursors. A cursor names the last feed entry the register applied and binds itself to that
// entry with a short hash of its bytes: "f2.<seq>.<8 hex digits>". A central put back from an
// older backup, which then appended other entries under the same numbers, refuses the cursor
// instead of making the register skip what it never saw. Cursors of the first form, "f1.<seq>",
// handed out before, are still read, without that check.
const (
	cursorPrefixV1 = "f1."
	cursorPrefix   = "f2."
)

// DefaultMaxPageBytes is how large the encoded changes of one page may grow before the page
// stops (with More set), whatever its count: a price list is carried whole in every catalog
// change. A page always holds at least one change.
const DefaultMaxPageBytes = 4 << 20

// maxCatalogBytes bounds a price list's encoding, so that its change, sent whole in a page,
// stays far below what a register reads of an answer (64 MiB).
const maxCatalogBytes = 32 << 20

// entryTag is the short hash that binds a cursor to the feed entry it names: 8 hex digits of the
// SHA-256 of the stored entry (of nothing for the beginning).
func entryTag(v []byte) string {
	sum := sha256.Sum256(v)
	return hex.EncodeToString(sum[:4])
}

// formatCursor writes the position after feed entry seq, whose stored bytes are v.
func formatCursor(seq uint64, v []byte) string {
	return cursorPrefix + strconv.FormatUint(seq, 10) + "." + entryTag(v)
}

// feedCursor is a cursor as read: the entry it names and, but for the first form, its tag.
type feedCursor struct {
	seq    uint64
	tag    string
	tagged bool
}

// parseCursor reads a cursor formatCursor (or the first increment) wrote; "" is the beginning.
func parseCursor(cursor string) (feedCursor, error) {
	if cursor == "" {
		return feedCursor{tag: entryTag(nil), tagged: true}, nil
	}
	bad := comptoir.E(comptoir.CodeInvalidCursor, cursor)
	if rest, ok := strings.CutPrefix(cursor, cursorPrefixV1); ok {
		n, err := strconv.ParseUint(rest, 10, 64)
		if err != nil || strconv.FormatUint(n, 10) != rest {
			return feedCursor{}, bad
		}
		return feedCursor{seq: n}, nil
	}
	rest, ok := strings.CutPrefix(cursor, cursorPrefix)
	num, tag, ok2 := strings.Cut(rest, ".")
	n, err := strconv.ParseUint(num, 10, 64)
	if !ok || !ok2 || err != nil || strconv.FormatUint(n, 10) != num || len(tag) != 8 {
		return feedCursor{}, bad
	}
	if _, err := hex.DecodeString(tag); err != nil || strings.ToLower(tag) != tag {
		return feedCursor{}, bad
	}
	return feedCursor{seq: n, tag: tag, tagged: true}, nil
}

// check refuses a cursor past the end of the feed (CodeCursorAhead), or whose entry is not the
// one it was given for (CodeInvalidCursor): both are a central put back from an older backup,
// and the register must start again from the beginning. It returns the entry's bytes.
func (fc feedCursor) check(feed *bbolt.Bucket, cursor string) ([]byte, error) {
	if last := feed.Sequence(); fc.seq > last {
		return nil, comptoir.E(comptoir.CodeCursorAhead, fc.seq, last)
	}
	if fc.seq == 0 {
		if fc.tagged && fc.tag != entryTag(nil) {
			return nil, comptoir.E(comptoir.CodeInvalidCursor, cursor)
		}
		return nil, nil
	}
	v := feed.Get(itob(fc.seq))
	if fc.tagged && (v == nil || entryTag(v) != fc.tag) {
		return nil, comptoir.E(comptoir.CodeInvalidCursor, cursor)
	}
	return v, nil
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
// A page stops at limit changes or once its changes' encoding would pass
// CentralOptions.MaxPageBytes, with More set; its first change goes in whatever its size.
// A cursor this central did not write, or whose entry is not the one it was given for, is
// refused with CodeInvalidCursor, one past the end of its feed (a central put back from an older
// backup) with CodeCursorAhead.
func (c *Central) Changes(ctx context.Context, register, cursor string, limit int) (comptoir.ChangesPage, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.ChangesPage{}, err
	}
	if err := checkCentralName(register); err != nil {
		return comptoir.ChangesPage{}, err
	}
	fc, err := parseCursor(cursor)
	if err != nil {
		return comptoir.ChangesPage{}, err
	}
	if limit <= 0 || limit > comptoir.MaxChangesPage {
		limit = comptoir.MaxChangesPage
	}
	page := comptoir.ChangesPage{Changes: []comptoir.Change{}}
	err = c.view(func(tx *bbolt.Tx) error {
		feed := tx.Bucket(bucketFeed)
		at, err := fc.check(feed, cursor)
		if err != nil {
			return err
		}
		page.Next = formatCursor(fc.seq, at)
		st, _, err := readCentralRegister(tx, register)
		if err != nil {
			return err
		}
		members := make(map[comptoir.CustomerID]bool)
		scanned, size := 0, 0
		cur := feed.Cursor()
		for k, v := cur.Seek(itob(fc.seq + 1)); k != nil; k, v = cur.Next() {
			if len(page.Changes) == limit || scanned == limit*maxScanFactor {
				page.More = true
				break
			}
			scanned++
			var e feedEntry
			if err := decode(v, &e); err != nil {
				return damaged(c.path, []byte("feed/"+strconv.FormatUint(btoi(k), 10)))
			}
			next := formatCursor(btoi(k), v)
			if e.Origin == register && e.Kind != comptoir.ChangeMember {
				page.Next = next
				continue
			}
			ch, ok, err := c.change(tx, e, st.LastTicket, members)
			if err != nil {
				return err
			}
			if ok {
				// The size is what the page's JSON will carry; a change that would pass the
				// bound waits for the next page, unless the page would be empty without it.
				b, err := json.Marshal(ch)
				if err != nil {
					return err
				}
				if len(page.Changes) > 0 && size+len(b) > c.maxPage {
					page.More = true
					break
				}
				size += len(b) + 1
				page.Changes = append(page.Changes, ch)
			}
			page.Next = next
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
