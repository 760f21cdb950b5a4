package store

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
	"go.etcd.io/bbolt"
)

var _ comptoir.ArchiveService = (*Store)(nil)

// ExportArchive writes the fiscal archive of a closed month or year (see package archive) and
// records the export as a technical event. The records are read in one read transaction, so the
// archive is the journal as it stood at one moment; the event is written after the archive, in a
// transaction of its own, and is part of the next period's archive.
func (s *Store) ExportArchive(ctx context.Context, period string, w io.Writer, by string) (comptoir.ArchiveSummary, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.ArchiveSummary{}, err
	}
	kind, err := comptoir.ParsePeriod(period)
	if err != nil || kind == comptoir.DayClosing {
		// A day is sealed by its Z close and archived with its month.
		return comptoir.ArchiveSummary{}, comptoir.E(comptoir.CodeArchivePeriod, period)
	}
	// A journal made before signatures, which has recorded nothing since, gets its key now: the
	// archive is signed, and says from where its records are.
	if err := s.update(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		h, err := r.head()
		if err != nil || h.chain(comptoir.ChainKeys).Number > 0 {
			return err
		}
		if _, err := s.signerFor(tx, &h); err != nil {
			return err
		}
		return r.putHead(h)
	}); err != nil {
		return comptoir.ArchiveSummary{}, err
	}
	var d archive.Data
	var sg *signer
	err = s.view(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		h, err := r.head()
		if err != nil {
			return err
		}
		if d, err = s.archiveData(tx, r, period, kind); err != nil {
			return err
		}
		if h.chain(comptoir.ChainKeys).Number == 0 {
			return comptoir.E(comptoir.CodeSigningKeyMissing, s.signPath)
		}
		rec, err := lastKeyRecord(tx, s.register, h.chain(comptoir.ChainKeys).Number)
		if err != nil {
			return err
		}
		priv, err := s.loadSigningKey(rec)
		if err != nil {
			return err
		}
		sg = &signer{number: rec.Number, priv: priv}
		return nil
	})
	if err != nil {
		return comptoir.ArchiveSummary{}, err
	}
	sum, err := archive.Write(w, d, sg.priv, sg.number)
	if err != nil {
		return comptoir.ArchiveSummary{}, err
	}
	out := sum
	detail := period + ": " + strings.Join([]string{
		itoa(out.Tickets) + " tickets", itoa(out.Closings) + " closings", itoa(out.Reprints) + " reprints", itoa(out.Events) + " events",
	}, ", ")
	if err := s.LogEvent(ctx, comptoir.TechArchiveExport, by, detail); err != nil {
		return out, err
	}
	return out, nil
}

// archiveData gathers a closed period's records: the journal from the period's first record to
// its closing, the reprints and technical events of its days, every key record, and where each
// chain stood before them.
func (s *Store) archiveData(tx *bbolt.Tx, r reg, period string, kind comptoir.ClosingKind) (archive.Data, error) {
	idx := r.closings.Get([]byte(period))
	if idx == nil {
		return archive.Data{}, comptoir.E(comptoir.CodePeriodNotClosed, period)
	}
	_, closingK, err := closingIndex(idx)
	if err != nil {
		return archive.Data{}, err
	}
	d := archive.Data{Register: string(s.register), Period: period, Kind: kind, Software: comptoir.Software(),
		CreatedAt: s.now().UTC(), Location: s.loc.String(), Anchors: map[comptoir.Chain]archive.Anchor{}}
	inPeriod := func(day string) bool { return strings.HasPrefix(day, period) }

	// The journal: every record before the period's first one only moves the anchors.
	var before struct {
		ticket, closing       uint64
		hash                  string
		ticketSig, closingSig string
		gt, gtAbs             comptoir.Money
	}
	started := false
	c := r.journal.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		ref, ok := keyRef(k)
		if !ok {
			return archive.Data{}, comptoir.E(comptoir.CodeUnreadableRecord, ref)
		}
		rec, err := parseRecord(v)
		if err != nil {
			return archive.Data{}, err
		}
		var part struct {
			Day        string         `json:"day"`
			Period     string         `json:"period"`
			Training   bool           `json:"training"`
			Total      comptoir.Money `json:"total"`
			GrandTotal comptoir.Money `json:"grand_total"`
		}
		if !started {
			if err := rec.decode(&part); err != nil {
				return archive.Data{}, err
			}
			started = ref.Kind == comptoir.TicketRecord && inPeriod(part.Day) || ref.Kind == comptoir.ClosingRecord && inPeriod(part.Period)
		}
		chain := comptoir.ChainOf(ref.Kind)
		if !started {
			before.hash = rec.hashHex()
			sig := r.signature(chain, k)
			if ref.Kind == comptoir.TicketRecord {
				before.ticket, before.gt = ref.Number, part.GrandTotal
				before.gtAbs = comptoir.AbsGrandTotal(before.gtAbs, comptoir.Sale{Training: part.Training, Total: part.Total})
				if sig != "" {
					before.ticketSig = sig
				}
			} else {
				before.closing = ref.Number
				if sig != "" {
					before.closingSig = sig
				}
			}
			continue
		}
		e := archive.Entry{Kind: ref.Kind, Hash: rec.hashHex(), Record: json.RawMessage(append([]byte(nil), rec.body...))}
		if sig, ok, err := readSig(tx, s.register, chain, k); err != nil {
			return archive.Data{}, err
		} else if ok {
			e.Signature = &sig
		}
		d.Journal = append(d.Journal, e)
		if string(k) == string(closingK) {
			break
		}
	}
	d.Anchors[comptoir.ChainTickets] = archive.Anchor{Number: before.ticket, Hash: before.hash, Signature: before.ticketSig}
	d.Anchors[comptoir.ChainClosings] = archive.Anchor{Number: before.closing, Hash: before.hash, Signature: before.closingSig}
	d.GrandTotalBefore, d.GrandTotalAbsBefore = before.gt, before.gtAbs

	// The closings of the segment recorded how far the other chains went: the archive holds
	// those records too, whatever their day (a login on the morning of the next month, before
	// the month's closing), so that the verifier can check every head a closing recorded.
	upTo := map[comptoir.Chain]uint64{}
	for _, e := range d.Journal {
		if e.Kind != comptoir.ClosingRecord {
			continue
		}
		var c struct {
			Chains []comptoir.ChainHead `json:"chains"`
		}
		if err := json.Unmarshal(e.Record, &c); err != nil {
			return archive.Data{}, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "clôture", EN: "closing"})
		}
		for _, h := range c.Chains {
			upTo[h.Chain] = max(upTo[h.Chain], h.Number)
		}
	}

	// Reprints and technical events of the period's days, with the record before the first.
	for _, k := range []comptoir.RecordKind{comptoir.ReprintRecord, comptoir.EventRecord} {
		limit := upTo[comptoir.ChainOf(k)]
		entries, anchor, err := s.archiveNumbered(tx, r, k, inPeriod, limit)
		if err != nil {
			return archive.Data{}, err
		}
		d.Anchors[comptoir.ChainOf(k)] = anchor
		if k == comptoir.ReprintRecord {
			d.Reprints = entries
		} else {
			d.Events = entries
		}
	}
	keys, _, err := s.archiveNumbered(tx, r, comptoir.KeyRecord, func(string) bool { return true }, 0)
	if err != nil {
		return archive.Data{}, err
	}
	d.Keys = keys
	return d, nil
}

// archiveNumbered reads the records of a chain stored by number from the first whose day the
// period holds (in) to the last such one, or to record upTo when a closing counted that far, and
// the anchor before them. Keys, which have no day, are all taken.
func (s *Store) archiveNumbered(tx *bbolt.Tx, r reg, kind comptoir.RecordKind, in func(day string) bool, upTo uint64) ([]archive.Entry, archive.Anchor, error) {
	chain := comptoir.ChainOf(kind)
	b := tx.Bucket(regBucketName(chainBucket[kind], s.register))
	var anchor archive.Anchor
	var out []archive.Entry
	if b == nil {
		return nil, anchor, nil
	}
	var pending []archive.Entry
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		rec, err := parseRecord(v)
		if err != nil {
			return nil, anchor, err
		}
		var part struct {
			Day string `json:"day"`
		}
		if err := rec.decode(&part); err != nil {
			return nil, anchor, err
		}
		e := archive.Entry{Kind: kind, Hash: rec.hashHex(), Record: json.RawMessage(append([]byte(nil), rec.body...))}
		if sig, ok, err := readSig(tx, s.register, chain, k); err != nil {
			return nil, anchor, err
		} else if ok {
			e.Signature = &sig
		}
		switch {
		case in(part.Day) || len(out) > 0 && btoi(k) <= upTo:
			// The records between two of the period's are the period's too: a chain is archived
			// without holes.
			out = append(out, pending...)
			out = append(out, e)
			pending = nil
		case len(out) == 0:
			anchor = archive.Anchor{Number: btoi(k), Hash: e.Hash}
			if e.Signature != nil {
				anchor.Signature = e.Signature.Value
			}
		default:
			pending = append(pending, e)
		}
	}
	return out, anchor, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
