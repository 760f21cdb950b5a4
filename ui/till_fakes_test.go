package ui_test

import (
	"context"
	"slices"
	"time"

	"github.com/comptoir/comptoir"
)

// PrintReport remembers the reports printed; err fails it, as a printer switched off does.
func (p *fakePrinter) PrintReport(_ context.Context, lines []string) error {
	if p.err != nil {
		return p.err
	}
	p.reports = append(p.reports, lines)
	return nil
}

// fakeTill keeps the voids and abandoned tickets it was told of, as the store's audit trail would.
type fakeTill struct {
	voids    []comptoir.AuditEntry
	abandons []comptoir.AuditEntry
}

func (f *fakeTill) RecordVoid(_ context.Context, who string, l comptoir.Line) error {
	f.voids = append(f.voids, comptoir.AuditEntry{Who: who, Action: comptoir.AuditLineVoided, Detail: comptoir.VoidDetail(l)})
	return nil
}

func (f *fakeTill) RecordAbandon(_ context.Context, who string, lines []comptoir.Line) error {
	if len(lines) == 0 {
		return nil
	}
	f.abandons = append(f.abandons, comptoir.AuditEntry{Who: who, Action: comptoir.AuditTicketAbandoned, Detail: comptoir.AbandonDetail(lines)})
	return nil
}

// TillCounts counts every void and abandon the fake was told of, whatever the day: the tests
// ring up one day only.
func (f *fakeTill) TillCounts(context.Context, string) (comptoir.TillCounts, error) {
	var c comptoir.TillCounts
	for _, e := range append(slices.Clone(f.voids), f.abandons...) {
		c.Add(e)
	}
	return c, nil
}

// fakeGDPR holds the block list, the audit trail and each member's last activity in memory, with
// the store's refusals of a bad address and its rule for the purge: no activity since before.
type fakeGDPR struct {
	blocked  []string
	audit    []comptoir.AuditEntry
	activity map[comptoir.CustomerID]time.Time
	erased   []comptoir.CustomerID
}

func newFakeGDPR() *fakeGDPR {
	return &fakeGDPR{activity: map[comptoir.CustomerID]time.Time{}}
}

func (f *fakeGDPR) add(who string, a comptoir.AuditAction, id comptoir.CustomerID, detail string) {
	f.audit = append(f.audit, comptoir.AuditEntry{Seq: uint64(len(f.audit) + 1), At: fakeNow, Who: who, Action: a, Customer: id, Detail: detail})
}

func (f *fakeGDPR) Block(_ context.Context, email, who string) error {
	e, err := comptoir.NormalizeEmail(email)
	if err != nil {
		return err
	}
	f.blocked = append(f.blocked, e)
	f.add(who, comptoir.AuditBlock, "", "ref")
	return nil
}

func (f *fakeGDPR) Audit(ctx context.Context) ([]comptoir.AuditEntry, error) {
	return slices.Clone(f.audit), nil
}

func (f *fakeGDPR) EachAudit(ctx context.Context, fn func(comptoir.AuditEntry) error) error {
	for _, e := range f.audit {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeGDPR) PurgeInactive(_ context.Context, before time.Time, dryRun bool, who string) ([]comptoir.CustomerID, error) {
	var ids []comptoir.CustomerID
	for id, at := range f.activity {
		if at.Before(before) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if dryRun {
		return ids, nil
	}
	for _, id := range ids {
		delete(f.activity, id)
		f.erased = append(f.erased, id)
		f.add(who, comptoir.AuditErase, id, "retention")
	}
	return ids, nil
}

var (
	_ comptoir.TillAudit   = (*fakeTill)(nil)
	_ comptoir.GDPRService = (*fakeGDPR)(nil)
)
