package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/jackc/pgx/v5"
)

// Register summarises what a register pushed; CodeUnknownRegisterCentral when it never did
// (nor set up). The signature figures are the auditor's, read in the same snapshot.
func (c *Central) Register(ctx context.Context, register string) (comptoir.RegisterSummary, error) {
	if err := ctx.Err(); err != nil {
		return comptoir.RegisterSummary{}, err
	}
	if err := central.CheckName(register); err != nil {
		return comptoir.RegisterSummary{}, err
	}
	var st central.Register
	var au central.Audit
	err := c.view(ctx, func(tx pgx.Tx) error {
		var known bool
		var err error
		if st, known, err = readRegister(ctx, tx, register, false); err == nil && !known {
			err = comptoir.E(comptoir.CodeUnknownRegisterCentral, register)
		}
		if err == nil {
			au, _, err = readAudit(ctx, tx, register, "")
		}
		return err
	})
	if err != nil {
		return comptoir.RegisterSummary{}, err
	}
	return central.Summary(register, st, au), nil
}

// Setup records what a register says of itself and hands it the central's public key, the
// chain-wide lookup key and its block of card numbers; see comptoir.CentralFeed. The block is
// drawn from the card_block_numbers sequence at the register's first set-up and stored, so that
// every later set-up, by any process, gives the same one, and no two registers share a number.
// A register may set up before it ever pushed: its summary starts here. Demo, once said, stays.
func (c *Central) Setup(ctx context.Context, register string, req comptoir.SetupRequest) (comptoir.Setup, error) {
	if err := ctx.Err(); err != nil {
		return comptoir.Setup{}, err
	}
	if err := central.CheckName(register); err != nil {
		return comptoir.Setup{}, err
	}
	var first int64
	err := c.update(ctx, func(tx pgx.Tx) error {
		// Two set-ups of one register at once each draw a number; the second's insertion waits
		// for the first's commit, then does nothing, and both read the first's block. The
		// number drawn in vain is a block no register gets, which costs nothing.
		_, err := tx.Exec(ctx, `INSERT INTO card_blocks (register, first)
			SELECT $1, (nextval('card_block_numbers') - 1 + $2) * $3
			WHERE NOT EXISTS (SELECT 1 FROM card_blocks WHERE register = $1)
			ON CONFLICT (register) DO NOTHING`, register, int64(central.FirstCardBlock), int64(central.CardBlockSize))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT first FROM card_blocks WHERE register = $1", register).Scan(&first); err != nil {
			return err
		}
		st, err := lockRegister(ctx, tx, register)
		if err != nil {
			return err
		}
		st.Demo = st.Demo || req.Demo
		st.Software = comptoir.CleanText(req.Software)
		b := &pgx.Batch{}
		if err := queuePutRegister(b, register, st); err != nil {
			return err
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return comptoir.Setup{}, err
	}
	return comptoir.Setup{
		Register:   register,
		CentralKey: c.keys.Private.PublicKey().Bytes(),
		LookupKey:  append([]byte(nil), c.keys.Lookup...),
		CardsFirst: uint64(first),
		CardsLast:  uint64(first) + central.CardBlockSize - 1,
		Now:        c.now().UTC(),
	}, nil
}

// Changes lists what a register has to apply after its cursor; see comptoir.CentralFeed and
// central.Page, which builds the page as the embedded central does, so that a register keeps
// its cursor when its central moves from one backend to the other with its feed.
//
// The cursor is a feed id, and the feed is gap-safe: every transaction inserts its entries last,
// under the feed lock held until its commit (queueFeed), so that no entry ever commits below an
// id a reader has seen. The page is read in one snapshot. A cursor this central did not write,
// or whose entry is not the one it was given for, is refused with CodeInvalidCursor, one past the
// end of the feed (a database put back from an older backup) with CodeCursorAhead.
func (c *Central) Changes(ctx context.Context, register, cursor string, limit int) (comptoir.ChangesPage, error) {
	if err := ctx.Err(); err != nil {
		return comptoir.ChangesPage{}, err
	}
	if err := central.CheckName(register); err != nil {
		return comptoir.ChangesPage{}, err
	}
	cur, err := central.ParseCursor(cursor)
	if err != nil {
		return comptoir.ChangesPage{}, err
	}
	if limit <= 0 || limit > comptoir.MaxChangesPage {
		limit = comptoir.MaxChangesPage
	}
	var page comptoir.ChangesPage
	err = c.view(ctx, func(tx pgx.Tx) error {
		var last int64
		var at []byte
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM feed").Scan(&last); err != nil {
			return err
		}
		if cur.N > uint64(last) {
			return comptoir.E(comptoir.CodeCursorAhead, cur.N, uint64(last))
		}
		if cur.N > 0 {
			var raw []byte
			err := tx.QueryRow(ctx, "SELECT entry FROM feed WHERE id = $1", int64(cur.N)).Scan(&raw)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if err == nil {
				if at, err = entryBytes(raw); err != nil {
					return err
				}
			}
		}
		if !cur.Names(at) {
			return comptoir.E(comptoir.CodeInvalidCursor, cursor)
		}
		st, _, err := readRegister(ctx, tx, register, false)
		if err != nil {
			return err
		}
		ids, entries, err := readFeed(ctx, tx, cur.N, limit)
		if err != nil {
			return err
		}
		r, err := newFeedReader(ctx, tx, entries)
		if err != nil {
			return err
		}
		p := central.NewPage(register, st.LastTicket, limit, c.maxPage, central.FormatCursor(cur.N, at))
		for i, e := range entries {
			b, err := central.EntryBytes(e)
			if err != nil {
				return err
			}
			ok, err := p.Add(r, e, central.FormatCursor(ids[i], b))
			if err != nil {
				return err
			}
			if !ok {
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

// entryBytes is a stored entry's bytes as central.EntryBytes writes them, which its cursor tags.
// jsonb keeps the entry's values, not its bytes: they are written again from the decoded entry,
// as the embedded central wrote them.
func entryBytes(raw []byte) ([]byte, error) {
	var e central.FeedEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	return central.EntryBytes(e)
}

// readFeed reads the entries after id n, as many as a page of limit may go through and one more,
// so that the page knows whether more follow.
func readFeed(ctx context.Context, tx pgx.Tx, n uint64, limit int) ([]uint64, []central.FeedEntry, error) {
	rows, err := tx.Query(ctx, "SELECT id, entry FROM feed WHERE id > $1 ORDER BY id LIMIT $2", int64(n), limit*10+1)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []uint64
	var entries []central.FeedEntry
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, nil, err
		}
		var e central.FeedEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, nil, damaged(fmt.Sprintf("feed %d", id))
		}
		ids, entries = append(ids, uint64(id)), append(entries, e)
	}
	return ids, entries, rows.Err()
}

// feedReader is central.FeedReader over a read snapshot: the members the entries name, read in
// one query before the page is built, and the price lists, read when met.
type feedReader struct {
	ctx     context.Context
	tx      pgx.Tx
	members map[comptoir.CustomerID]central.Member
}

func newFeedReader(ctx context.Context, tx pgx.Tx, entries []central.FeedEntry) (*feedReader, error) {
	r := &feedReader{ctx: ctx, tx: tx, members: map[comptoir.CustomerID]central.Member{}}
	var ids []string
	seen := map[comptoir.CustomerID]bool{}
	for _, e := range entries {
		if e.Kind == comptoir.ChangeMember && !seen[e.Member] {
			seen[e.Member] = true
			ids = append(ids, string(e.Member))
		}
	}
	if len(ids) == 0 {
		return r, nil
	}
	rows, err := tx.Query(ctx, "SELECT state FROM members WHERE id = ANY($1)", ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var m central.Member
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		r.members[m.ID] = m
	}
	return r, rows.Err()
}

func (r *feedReader) Member(id comptoir.CustomerID) (central.Member, bool, error) {
	m, ok := r.members[id]
	if !ok {
		return central.NewMember(id), false, nil
	}
	return m, true, nil
}

func (r *feedReader) Catalog(version uint64) ([]comptoir.Product, error) {
	var raw []byte
	err := r.tx.QueryRow(r.ctx, "SELECT products FROM catalogs WHERE version = $1", int64(version)).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, damaged(fmt.Sprintf("catalogs %d", version))
	}
	if err != nil {
		return nil, err
	}
	var products []comptoir.Product
	if err := json.Unmarshal(raw, &products); err != nil {
		return nil, err
	}
	return products, nil
}
