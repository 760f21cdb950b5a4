package central

import (
	"fmt"
	"slices"
	"time"

	"github.com/comptoir/comptoir"
)

// Moving a central from one backend to another (comptoir-central migrate): the source walks
// everything it keeps through a Sink, in one snapshot, and the target writes what it is given in
// one transaction. Everything that a register or the back office can see again after the move is
// part of the walk, under the numbers it had: the feed's entries keep theirs, so that a
// register's cursor ("f2.<n>.<tag>", FormatCursor) still names the entry it was given for, and
// the price lists keep their versions, which the feed's catalog entries name.
//
// Totals are what the move checks: counted from the walk as it passes (Count) and read back
// from the target, they must be equal to the event and to the cent.

// Conflict is a refused push the central kept for the administrator: both versions of the
// sequence number and when the second one came.
type Conflict struct {
	Register string
	Seq      uint64
	Stored   StoredEvent
	Sent     StoredEvent
	At       time.Time
}

// Counters are the central's own values beside its tables.
type Counters struct {
	// KeyCheck is the check value of the central's key file (Keys.Check): the target must have
	// been opened with the same key, or the registers' pinned key and every sealed value would
	// no longer match it.
	KeyCheck []byte
	// CardConflicts counts the enrolments that used another member's card.
	CardConflicts uint64
	// NextCardBlock is the number of the next register's block of card numbers (its first
	// number is NextCardBlock × CardBlockSize); 0 when no register was ever set up.
	NextCardBlock uint64
}

// Sink receives a central's content as a backend walks it. Each part's rows come together, in
// the order of the methods below, each table's in its key's order; every value handed over is
// the sink's to keep (nothing in it points into the backend's memory). A Sink's error stops the
// walk, which returns it.
type Sink interface {
	// Counters come first, so that a target can refuse a central of another key before it
	// copies anything.
	Counters(c Counters) error
	// Register is a register's summary and the signature auditor's state of it, nil when the
	// auditor never ran over it.
	Register(name string, st Register, au *Audit) error
	// Event is a register's event of sequence seq, as stored.
	Event(register string, seq uint64, e StoredEvent) error
	// Conflict is the refused push numbered n.
	Conflict(n uint64, c Conflict) error
	Member(m Member) error
	Card(card string, owner comptoir.CustomerID) error
	Seal(id comptoir.CustomerID, s Seal) error
	Email(hash []byte, owner comptoir.CustomerID) error
	Blocked(hash string, learned time.Time) error
	// Feed is the feed entry numbered n.
	Feed(n uint64, e FeedEntry) error
	// Catalog is the price list of a version, its products' JSON as Catalog wrote it.
	Catalog(version uint64, products []byte) error
	// Audit is the audit trail's entry numbered n.
	Audit(n uint64, a AuditEntry) error
	// CardBlock is the first card number of a register's block.
	CardBlock(register string, first uint64) error
}

// RegisterTotals are what a move checks of one register.
type RegisterTotals struct {
	AckedSeq   uint64
	Events     uint64
	Tickets    uint64
	GrandTotal comptoir.Money
	Rejected   uint64
	Conflicts  uint64
}

// Totals are what a move checks of a whole central: per register, and the count of every other
// table, with the sum of the members' balances.
type Totals struct {
	Registers map[string]RegisterTotals
	// ConflictRecords counts the kept conflicts, which the registers' Conflicts count too.
	ConflictRecords uint64
	Members         uint64
	// Balances is the sum of every member's points balance.
	Balances      int64
	Cards         uint64
	Seals         uint64
	Emails        uint64
	Blocked       uint64
	Feed          uint64
	Catalogs      uint64
	AuditEntries  uint64
	CardBlocks    uint64
	CardConflicts uint64
}

// Diff lists, one sentence each, where t and o differ; nil when they match.
func (t Totals) Diff(o Totals) []string {
	var out []string
	names := make([]string, 0, len(t.Registers)+len(o.Registers))
	for name := range t.Registers {
		names = append(names, name)
	}
	for name := range o.Registers {
		if _, ok := t.Registers[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		a, inT := t.Registers[name]
		b, inO := o.Registers[name]
		switch {
		case !inT:
			out = append(out, fmt.Sprintf("register %s: only in the copy", name))
		case !inO:
			out = append(out, fmt.Sprintf("register %s: missing from the copy", name))
		case a != b:
			out = append(out, fmt.Sprintf("register %s: %+v, the copy %+v", name, a, b))
		}
	}
	a, b := t, o
	a.Registers, b.Registers = nil, nil
	if fmt.Sprint(a) != fmt.Sprint(b) {
		out = append(out, fmt.Sprintf("tables: %+v, the copy %+v", a, b))
	}
	return out
}

// Count wraps a sink so that the walk through it is counted: the totals are complete once the
// walk has returned.
func Count(next Sink) (Sink, *Totals) {
	c := &counter{next: next, t: &Totals{Registers: map[string]RegisterTotals{}}}
	return c, c.t
}

type counter struct {
	next Sink
	t    *Totals
}

func (c *counter) Register(name string, st Register, au *Audit) error {
	rt := c.t.Registers[name]
	rt.AckedSeq, rt.Tickets, rt.GrandTotal, rt.Rejected, rt.Conflicts = st.AckedSeq, st.Tickets, st.GrandTotal, st.Rejected, st.Conflicts
	c.t.Registers[name] = rt
	return c.next.Register(name, st, au)
}

func (c *counter) Event(register string, seq uint64, e StoredEvent) error {
	rt := c.t.Registers[register]
	rt.Events++
	c.t.Registers[register] = rt
	return c.next.Event(register, seq, e)
}

func (c *counter) Conflict(n uint64, cf Conflict) error {
	c.t.ConflictRecords++
	return c.next.Conflict(n, cf)
}

func (c *counter) Member(m Member) error {
	c.t.Members++
	c.t.Balances += m.Balance
	return c.next.Member(m)
}

func (c *counter) Card(card string, owner comptoir.CustomerID) error {
	c.t.Cards++
	return c.next.Card(card, owner)
}

func (c *counter) Seal(id comptoir.CustomerID, s Seal) error {
	c.t.Seals++
	return c.next.Seal(id, s)
}

func (c *counter) Email(hash []byte, owner comptoir.CustomerID) error {
	c.t.Emails++
	return c.next.Email(hash, owner)
}

func (c *counter) Blocked(hash string, learned time.Time) error {
	c.t.Blocked++
	return c.next.Blocked(hash, learned)
}

func (c *counter) Feed(n uint64, e FeedEntry) error {
	c.t.Feed++
	return c.next.Feed(n, e)
}

func (c *counter) Catalog(version uint64, products []byte) error {
	c.t.Catalogs++
	return c.next.Catalog(version, products)
}

func (c *counter) Audit(n uint64, a AuditEntry) error {
	c.t.AuditEntries++
	return c.next.Audit(n, a)
}

func (c *counter) CardBlock(register string, first uint64) error {
	c.t.CardBlocks++
	return c.next.CardBlock(register, first)
}

func (c *counter) Counters(k Counters) error {
	c.t.CardConflicts = k.CardConflicts
	return c.next.Counters(k)
}
