package central

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/comptoir/comptoir"
)

// Cursors. A cursor names the last feed entry the register applied and binds itself to that
// entry with a short hash of its stored bytes: "f2.<number>.<8 hex digits>". A central put back
// from an older backup, which then appended other entries under the same numbers, refuses the
// cursor instead of making the register skip what it never saw. Cursors of the first form,
// "f1.<number>", handed out by the first increment, are still read, without that check. Every
// backend numbers its feed from 1 and tags an entry's EntryBytes, so that a register keeps its
// cursor when its central moves from one backend to another with its feed.
const (
	cursorPrefixV1 = "f1."
	cursorPrefix   = "f2."
)

// EntryBytes is a feed entry as the embedded central stores it, the bytes its cursor tags hash:
// a format byte (1), then its JSON.
func EntryBytes(e FeedEntry) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return append([]byte{1}, b...), nil
}

// entryTag is the short hash that binds a cursor to the feed entry it names: 8 hex digits of the
// SHA-256 of the stored entry (of nothing for the beginning).
func entryTag(v []byte) string {
	sum := sha256.Sum256(v)
	return hex.EncodeToString(sum[:4])
}

// FormatCursor writes the position after feed entry n, whose stored bytes are v (nil for the
// beginning, n = 0).
func FormatCursor(n uint64, v []byte) string {
	return cursorPrefix + strconv.FormatUint(n, 10) + "." + entryTag(v)
}

// Cursor is a cursor as read: the entry it names and, but for the first form, its tag.
type Cursor struct {
	// N is the number of the last entry applied, 0 for the beginning.
	N      uint64
	tag    string
	tagged bool
}

// ParseCursor reads a cursor FormatCursor (or the first increment) wrote; "" is the beginning.
// Anything else is refused with CodeInvalidCursor.
func ParseCursor(cursor string) (Cursor, error) {
	if cursor == "" {
		return Cursor{tag: entryTag(nil), tagged: true}, nil
	}
	bad := comptoir.E(comptoir.CodeInvalidCursor, cursor)
	if rest, ok := strings.CutPrefix(cursor, cursorPrefixV1); ok {
		n, err := strconv.ParseUint(rest, 10, 64)
		if err != nil || strconv.FormatUint(n, 10) != rest {
			return Cursor{}, bad
		}
		return Cursor{N: n}, nil
	}
	rest, ok := strings.CutPrefix(cursor, cursorPrefix)
	num, tag, ok2 := strings.Cut(rest, ".")
	n, err := strconv.ParseUint(num, 10, 64)
	if !ok || !ok2 || err != nil || strconv.FormatUint(n, 10) != num || len(tag) != 8 {
		return Cursor{}, bad
	}
	if _, err := hex.DecodeString(tag); err != nil || strings.ToLower(tag) != tag {
		return Cursor{}, bad
	}
	return Cursor{N: n, tag: tag, tagged: true}, nil
}

// Names reports whether the cursor may name the entry whose stored bytes are v (nil for none,
// when N is 0 or the entry is gone): a cursor of the first form names any entry of its number, a
// tagged one only the entry it was given for. A cursor that names another entry is refused by
// the backend with CodeInvalidCursor.
func (c Cursor) Names(v []byte) bool {
	if !c.tagged {
		return true
	}
	if v == nil && c.N != 0 {
		return false
	}
	return entryTag(v) == c.tag
}

// DefaultMaxPageBytes is how large the encoded changes of one page may grow before the page
// stops (with More set), whatever its count: a price list is carried whole in every catalog
// change. A page always holds at least one change.
const DefaultMaxPageBytes = 4 << 20

// maxScanFactor bounds how many feed entries one page reads per change it may hold, so that a
// register whose own changes fill the feed still gets an answer in bounded time (with More set).
const maxScanFactor = 10

// FeedReader is what building a page reads besides the feed: the members' current projection
// and the price lists the catalog entries name.
type FeedReader interface {
	Member(id comptoir.CustomerID) (m Member, known bool, err error)
	Catalog(version uint64) ([]comptoir.Product, error)
}

// Page builds one page of the change feed for a register, from the entries after its cursor
// offered one by one in the feed's order. The page skips what came from the asking register
// itself (it has it already) except members, whose balance also moves with what other registers
// recorded. Members are read from the projection as the page is built, so they carry their
// current state, once a page however often they changed within it, with AsOfTicket the last
// ticket of this register the central applied: the register adds its own later entries. A page
// stops at its limit of changes, after reading ten times as many entries, or once its changes'
// encoding would pass its byte bound, with More set; its first change goes in whatever its
// size.
type Page struct {
	register        string
	asOf            uint64
	limit, maxBytes int
	scanned, size   int
	members         map[comptoir.CustomerID]bool
	out             comptoir.ChangesPage
}

// NewPage starts a page for register at cursor start (its Next until an entry is taken), asOf
// being the last ticket of the register the central applied. A limit out of 1..MaxChangesPage
// is MaxChangesPage, a byte bound of 0 or less DefaultMaxPageBytes.
func NewPage(register string, asOf uint64, limit, maxBytes int, start string) *Page {
	if limit <= 0 || limit > comptoir.MaxChangesPage {
		limit = comptoir.MaxChangesPage
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxPageBytes
	}
	return &Page{register: register, asOf: asOf, limit: limit, maxBytes: maxBytes,
		members: make(map[comptoir.CustomerID]bool),
		out:     comptoir.ChangesPage{Changes: []comptoir.Change{}, Next: start}}
}

// Add offers the next entry of the feed, next being the cursor just after it. It reports false
// once the page is full: the entry is then not taken, and More is set.
func (p *Page) Add(r FeedReader, e FeedEntry, next string) (bool, error) {
	if len(p.out.Changes) == p.limit || p.scanned == p.limit*maxScanFactor {
		p.out.More = true
		return false, nil
	}
	p.scanned++
	if e.Origin == p.register && e.Kind != comptoir.ChangeMember {
		p.out.Next = next
		return true, nil
	}
	ch, ok, err := p.change(r, e)
	if err != nil {
		return false, err
	}
	if ok {
		// The size is what the page's JSON will carry; a change that would pass the bound
		// waits for the next page, unless the page would be empty without it.
		b, err := json.Marshal(ch)
		if err != nil {
			return false, err
		}
		if len(p.out.Changes) > 0 && p.size+len(b) > p.maxBytes {
			p.out.More = true
			return false, nil
		}
		p.size += len(b) + 1
		p.out.Changes = append(p.out.Changes, ch)
	}
	p.out.Next = next
	return true, nil
}

// Wants reports whether the page may still take an entry; when it is false, the next Add says
// so and sets More.
func (p *Page) Wants() bool {
	return len(p.out.Changes) < p.limit && p.scanned < p.limit*maxScanFactor
}

// SetMore marks the page as followed by entries it did not read.
func (p *Page) SetMore() { p.out.More = true }

// Result is the page built; the caller sets its Now.
func (p *Page) Result() comptoir.ChangesPage { return p.out }

// change builds the change a feed entry stands for; ok is false for a member already in the
// page, or an entry that stands for nothing.
func (p *Page) change(r FeedReader, e FeedEntry) (comptoir.Change, bool, error) {
	ch := comptoir.Change{Kind: e.Kind}
	switch e.Kind {
	case comptoir.ChangeMember:
		if p.members[e.Member] {
			return ch, false, nil
		}
		p.members[e.Member] = true
		m, known, err := r.Member(e.Member)
		if err != nil || !known {
			return ch, false, err
		}
		rm := m.Remote(p.asOf)
		ch.Member = &rm
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
		products, err := r.Catalog(e.Catalog)
		if err != nil {
			return ch, false, err
		}
		ch.Catalog = products
	default:
		return ch, false, nil
	}
	return ch, true, nil
}
