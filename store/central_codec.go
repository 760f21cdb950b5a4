package store

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"go.etcd.io/bbolt"
)

// A member's projection is read for every member change a register pulls and written for every
// ticket of a member a register pushes: JSON made decoding it most of the cost of a page of the
// feed, so it has a compact binary form of its own. Consent keeps, per channel, only what decides
// the next change (whether it is given, and when): the events themselves, with who and through
// what, travel in the feed's consent entries and stay in the events as pushed.
//
//	byte 0     memberFormat
//	then       ID, cards, basis, status, consent (count, then channel, granted, time), balance,
//	           flags, enrolled at, registers, email index key, then (from format 3) the last
//	           activity at each register (count, then times, in the registers' order) and the
//	           last made at the central itself
//
// Strings and byte strings are a uvarint length and their bytes, lists a uvarint count and their
// items, times signed varint nanoseconds since 1970 (0 for none), the balance a signed varint.

// memberFormat is the first byte of a member's projection, so that a value of another format is
// refused as corrupt rather than misread. Format 2, without the activity, is still read: its
// members have none until their next event.
const (
	memberFormat   = 3
	memberFormatV2 = 2
)

func marshalMember(m *central.Member) []byte {
	b := make([]byte, 0, 96+len(m.Cards)*14+len(m.Registers)*8)
	b = append(b, memberFormat)
	b = appendString(b, string(m.ID))
	b = appendStrings(b, m.Cards)
	b = appendString(b, string(m.Basis))
	b = appendString(b, string(m.Status))
	channels := make([]comptoir.Channel, 0, len(m.Consent))
	for ch := range m.Consent {
		channels = append(channels, ch)
	}
	slices.Sort(channels)
	b = binary.AppendUvarint(b, uint64(len(channels)))
	for _, ch := range channels {
		ev := m.Consent[ch]
		b = appendString(b, string(ch))
		granted := byte(0)
		if ev.Granted {
			granted = 1
		}
		b = append(b, granted)
		b = appendTime(b, ev.At)
	}
	b = binary.AppendVarint(b, m.Balance)
	b = appendStrings(b, m.Flags)
	b = appendTime(b, m.EnrolledAt)
	b = appendStrings(b, m.Registers)
	b = appendString(b, string(m.Email))
	b = binary.AppendUvarint(b, uint64(len(m.Activity)))
	for _, t := range m.Activity {
		b = appendTime(b, t)
	}
	return appendTime(b, m.CentralActivity)
}

func unmarshalMember(m *central.Member, v []byte) error {
	if len(v) == 0 || v[0] != memberFormat && v[0] != memberFormatV2 {
		return errMemberRecord
	}
	r := memberReader{b: v[1:]}
	m.ID = comptoir.CustomerID(r.string())
	m.Cards = r.strings()
	m.Basis = comptoir.LawfulBasis(r.string())
	m.Status = comptoir.Status(r.string())
	if n := r.count(); n > 0 {
		m.Consent = make(map[comptoir.Channel]comptoir.ConsentEvent, n)
		for range n {
			ch := comptoir.Channel(r.string())
			granted := r.byte() == 1
			m.Consent[ch] = comptoir.ConsentEvent{Channel: ch, Granted: granted, At: r.time()}
		}
	}
	m.Balance = r.varint()
	m.Flags = r.strings()
	m.EnrolledAt = r.time()
	m.Registers = r.strings()
	if email := r.bytes(); len(email) > 0 {
		m.Email = email
	}
	if v[0] >= memberFormat {
		if n := r.count(); n > 0 {
			m.Activity = make([]time.Time, n)
			for i := range m.Activity {
				m.Activity[i] = r.time()
			}
		}
		m.CentralActivity = r.time()
	}
	if len(m.Activity) != 0 && len(m.Activity) != len(m.Registers) {
		return errMemberRecord
	}
	if r.bad || len(r.b) != 0 {
		return errMemberRecord
	}
	return nil
}

// errMemberRecord refuses a member's projection that does not read back.
var errMemberRecord = comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "membre tenu par la centrale", EN: "member held by the central"})

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, list []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, 0)
	}
	return binary.AppendVarint(b, t.UnixNano())
}

// memberReader reads what marshal wrote; the first error sticks, and every later read returns a
// zero value, so that unmarshal checks once at its end.
type memberReader struct {
	b   []byte
	bad bool
}

func (r *memberReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *memberReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a list's length, refusing one longer than what is left to read.
func (r *memberReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad, r.b = true, nil
		return 0
	}
	return int(n)
}

// bytes reads a byte string, copied out of the transaction's memory.
func (r *memberReader) bytes() []byte {
	n := r.count()
	out := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return out
}

func (r *memberReader) string() string {
	n := r.count()
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *memberReader) strings() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

func (r *memberReader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *memberReader) time() time.Time {
	n := r.varint()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func getCentralMember(tx *bbolt.Tx, id comptoir.CustomerID) (m central.Member, known bool, err error) {
	v := tx.Bucket(bucketCMembers).Get([]byte(id))
	if v == nil {
		return central.NewMember(id), false, nil
	}
	return m, true, unmarshalMember(&m, v)
}

func putCentralMember(tx *bbolt.Tx, m *central.Member) error {
	return tx.Bucket(bucketCMembers).Put([]byte(m.ID), marshalMember(m))
}
