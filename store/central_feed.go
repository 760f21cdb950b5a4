package store

import (
	"context"
	"strconv"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// CardBlockSize is how many card sequence numbers the central gives each register.
const CardBlockSize = central.CardBlockSize

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
			cb := tx.Bucket(bucketCentral)
			n := uint64(central.FirstCardBlock)
			if v := cb.Get(keyCardBlockCount); len(v) == 8 {
				n = btoi(v)
			}
			first = n * CardBlockSize
			if err := cb.Put(keyCardBlockCount, itob(n+1)); err != nil {
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
		CentralKey: c.keys.Private.PublicKey().Bytes(),
		LookupKey:  append([]byte(nil), c.keys.Lookup...),
		CardsFirst: first,
		CardsLast:  first + CardBlockSize - 1,
		Now:        c.now().UTC(),
	}, nil
}

// DefaultMaxPageBytes is how large the encoded changes of one page may grow before the page
// stops; see central.DefaultMaxPageBytes.
const DefaultMaxPageBytes = central.DefaultMaxPageBytes

// checkCursor refuses a cursor past the end of the feed (CodeCursorAhead), or whose entry is not
// the one it was given for (CodeInvalidCursor): both are a central put back from an older
// backup, and the register must start again from the beginning. It returns the entry's bytes.
func checkCursor(feed *bbolt.Bucket, fc central.Cursor, cursor string) ([]byte, error) {
	if last := feed.Sequence(); fc.N > last {
		return nil, comptoir.E(comptoir.CodeCursorAhead, fc.N, last)
	}
	var v []byte
	if fc.N > 0 {
		v = feed.Get(itob(fc.N))
	}
	if !fc.Names(v) {
		return nil, comptoir.E(comptoir.CodeInvalidCursor, cursor)
	}
	return v, nil
}

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
	fc, err := central.ParseCursor(cursor)
	if err != nil {
		return comptoir.ChangesPage{}, err
	}
	var page comptoir.ChangesPage
	err = c.view(func(tx *bbolt.Tx) error {
		feed := tx.Bucket(bucketFeed)
		at, err := checkCursor(feed, fc, cursor)
		if err != nil {
			return err
		}
		st, _, err := readCentralRegister(tx, register)
		if err != nil {
			return err
		}
		p := central.NewPage(register, st.LastTicket, limit, c.maxPage, central.FormatCursor(fc.N, at))
		btx := boltTx{tx: tx, path: c.path}
		cur := feed.Cursor()
		for k, v := cur.Seek(itob(fc.N + 1)); k != nil; k, v = cur.Next() {
			var e central.FeedEntry
			if err := decode(v, &e); err != nil {
				return damaged(c.path, []byte("feed/"+strconv.FormatUint(btoi(k), 10)))
			}
			more, err := p.Add(btx, e, central.FormatCursor(btoi(k), v))
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
		page = p.Result()
		return nil
	})
	if err != nil {
		return comptoir.ChangesPage{}, err
	}
	page.Now = c.now().UTC()
	return page, nil
}
