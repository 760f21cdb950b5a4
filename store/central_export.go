package store

import (
	"bytes"
	"context"
	"strconv"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// Export walks everything the central keeps through sink, in one read transaction, so that what
// it hands over is one consistent state of the file however long the walk (comptoir-central
// migrate copies it to PostgreSQL). The parts come in the order of central.Sink's methods, each
// table in its key's order, every value copied out of the file's memory; the feed's entries, the
// price lists, the conflicts and the audit trail keep their numbers. A value that does not read
// back is refused as damage, naming its bucket and key: a copy must not silently leave it out.
func (c *Central) Export(ctx context.Context, sink central.Sink) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return c.view(func(tx *bbolt.Tx) error {
		x := exporter{ctx: ctx, tx: tx, path: c.path, sink: sink}
		for _, step := range []func() error{x.counters, x.registers, x.events, x.conflicts, x.members, x.cards, x.seals,
			x.emails, x.blocked, x.feed, x.catalogs, x.audit, x.cardBlocks} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

// exporter is one Export's walk.
type exporter struct {
	ctx  context.Context
	tx   *bbolt.Tx
	path string
	sink central.Sink
	// n counts the values walked, so that the context is checked every so often rather than at
	// each value.
	n int
}

// each goes through a bucket's keys in order, checking the context every thousand values.
func (x *exporter) each(bucket []byte, fn func(k, v []byte) error) error {
	b := x.tx.Bucket(bucket)
	if b == nil {
		return damaged(x.path, bucket)
	}
	return b.ForEach(func(k, v []byte) error {
		if x.n++; x.n%1000 == 0 {
			if err := checkCtx(x.ctx); err != nil {
				return err
			}
		}
		return fn(k, v)
	})
}

// bad is the refusal of a value that does not read back.
func (x *exporter) bad(bucket []byte, key string) error {
	return damaged(x.path, []byte(string(bucket)+"/"+key))
}

func (x *exporter) registers() error {
	return x.each(bucketRegisters, func(k, _ []byte) error {
		st, _, err := readCentralRegister(x.tx, string(k))
		if err != nil {
			return x.bad(bucketRegisters, string(k))
		}
		var au *central.Audit
		if b := x.tx.Bucket(bucketSigAudit); b != nil && b.Get(k) != nil {
			a, err := readSigAudit(x.tx, string(k))
			if err != nil {
				return x.bad(bucketSigAudit, string(k))
			}
			au = &a
		}
		return x.sink.Register(string(k), st, au)
	})
}

// events walks every register's events, register by register in the registers' order.
func (x *exporter) events() error {
	return x.each(bucketRegisters, func(k, _ []byte) error {
		name := regBucketName(bucketEvents, k)
		if x.tx.Bucket(name) == nil {
			// A register that set up but never pushed has no events.
			return nil
		}
		return x.each(name, func(sk, v []byte) error {
			ce, err := decodeCentralEvent(v)
			if err != nil || len(sk) != 8 {
				return x.bad(name, strconv.Quote(string(sk)))
			}
			return x.sink.Event(string(k), btoi(sk), ce)
		})
	})
}

func (x *exporter) conflicts() error {
	return x.each(bucketConflicts, func(k, v []byte) error {
		var rec conflict
		if len(k) != 8 || decode(v, &rec) != nil {
			return x.bad(bucketConflicts, strconv.Quote(string(k)))
		}
		side := func(s conflictSide) central.StoredEvent {
			ce := s.centralEvent
			ce.Payload = []byte(s.Payload)
			return ce
		}
		return x.sink.Conflict(btoi(k), central.Conflict{Register: rec.Register, Seq: rec.Seq,
			Stored: side(rec.Stored), Sent: side(rec.Sent), At: rec.At})
	})
}

func (x *exporter) members() error {
	return x.each(bucketCMembers, func(k, v []byte) error {
		var m central.Member
		if err := unmarshalMember(&m, v); err != nil {
			return x.bad(bucketCMembers, string(k))
		}
		return x.sink.Member(m)
	})
}

func (x *exporter) cards() error {
	return x.each(bucketCCards, func(k, v []byte) error {
		return x.sink.Card(string(k), comptoir.CustomerID(v))
	})
}

func (x *exporter) seals() error {
	return x.each(bucketMemberKeys, func(k, v []byte) error {
		var s central.Seal
		if err := decode(v, &s); err != nil {
			return x.bad(bucketMemberKeys, string(k))
		}
		return x.sink.Seal(comptoir.CustomerID(k), s)
	})
}

func (x *exporter) emails() error {
	return x.each(bucketEmails, func(k, v []byte) error {
		return x.sink.Email(bytes.Clone(k), comptoir.CustomerID(v))
	})
}

func (x *exporter) blocked() error {
	return x.each(bucketBlocked, func(k, v []byte) error {
		var at time.Time
		if err := decode(v, &at); err != nil {
			return x.bad(bucketBlocked, string(k))
		}
		return x.sink.Blocked(string(k), at)
	})
}

func (x *exporter) feed() error {
	return x.each(bucketFeed, func(k, v []byte) error {
		var e central.FeedEntry
		if len(k) != 8 || decode(v, &e) != nil {
			return x.bad(bucketFeed, strconv.Quote(string(k)))
		}
		return x.sink.Feed(btoi(k), e)
	})
}

func (x *exporter) catalogs() error {
	return x.each(bucketCatalogs, func(k, v []byte) error {
		// PutCatalog stores the format byte, then the products' JSON as central.Catalog wrote it.
		if len(k) != 8 || len(v) < 2 || v[0] != valueVersion {
			return x.bad(bucketCatalogs, strconv.Quote(string(k)))
		}
		return x.sink.Catalog(btoi(k), bytes.Clone(v[1:]))
	})
}

func (x *exporter) audit() error {
	return x.each(bucketCAudit, func(k, v []byte) error {
		var a central.AuditEntry
		if len(k) != 8 || decode(v, &a) != nil {
			return x.bad(bucketCAudit, strconv.Quote(string(k)))
		}
		return x.sink.Audit(btoi(k), a)
	})
}

func (x *exporter) cardBlocks() error {
	return x.each(bucketCardBlocks, func(k, v []byte) error {
		if len(v) != 8 {
			return x.bad(bucketCardBlocks, string(k))
		}
		return x.sink.CardBlock(string(k), btoi(v))
	})
}

func (x *exporter) counters() error {
	cb := x.tx.Bucket(bucketCentral)
	k := central.Counters{KeyCheck: bytes.Clone(cb.Get(keyCentralKeyCheck))}
	if v := cb.Get(keyCardConflicts); len(v) == 8 {
		k.CardConflicts = btoi(v)
	}
	if v := cb.Get(keyCardBlockCount); len(v) == 8 {
		k.NextCardBlock = btoi(v)
	}
	return x.sink.Counters(k)
}
