package syncer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
)

// memCentral is an in-memory comptoir.CentralStore that keeps the documented promises: each
// (register, seq) applied once and in order, a whole batch or nothing, a gap refused with the
// expected sequence, a replay acknowledged without effect, another event under an acknowledged
// sequence refused and counted as a conflict, an event that can never be applied stored as
// rejected and acknowledged. The bbolt store runs the same tests.
type memCentral struct {
	mu   sync.Mutex
	regs map[string]*memRegister
	now  func() time.Time
}

type memRegister struct {
	events    []comptoir.Event // events[i] has seq i+1
	tickets   uint64
	rejected  uint64
	conflicts uint64
	lastSeen  time.Time
}

func newMemCentral(testing.TB) comptoir.CentralStore {
	return &memCentral{regs: map[string]*memRegister{}, now: time.Now}
}

// knownTypes are the event types the double can apply; any other is stored as rejected.
var knownTypes = map[string]bool{
	comptoir.EventSaleRecorded: true, comptoir.EventClosingRecorded: true,
	comptoir.EventCustomerEnrolled: true, comptoir.EventCustomerUpdated: true, comptoir.EventCustomerConsent: true,
	comptoir.EventCustomerStopped: true, comptoir.EventCustomerResumed: true, comptoir.EventCustomerErased: true,
	comptoir.EventEmailBlocked: true,
}

func sameEvent(a, b comptoir.Event) bool {
	return a.Seq == b.Seq && a.ID == b.ID && a.Type == b.Type && a.At.Equal(b.At) && bytes.Equal(a.Payload, b.Payload)
}

func (m *memCentral) Push(ctx context.Context, register string, events []comptoir.Event) (comptoir.PushResult, error) {
	if register == comptoir.AdminName {
		return comptoir.PushResult{}, comptoir.E(comptoir.CodeReservedRegister, register)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	reg := m.regs[register]
	if reg == nil {
		reg = &memRegister{}
	}
	acked := uint64(len(reg.events))
	var fresh []comptoir.Event
	for _, e := range events {
		switch {
		case e.Seq <= acked:
			if !sameEvent(reg.events[e.Seq-1], e) {
				// The conflict is recorded even though the batch is refused.
				reg.conflicts++
				m.regs[register] = reg
				return comptoir.PushResult{}, comptoir.E(comptoir.CodeSeqConflict, e.Seq)
			}
		case e.Seq == acked+uint64(len(fresh))+1:
			fresh = append(fresh, e)
		default:
			return comptoir.PushResult{}, comptoir.E(comptoir.CodeSeqGap, acked+uint64(len(fresh))+1)
		}
	}
	if len(events) == 0 && m.regs[register] == nil {
		return comptoir.PushResult{}, nil
	}
	for _, e := range fresh {
		switch {
		case !knownTypes[e.Type] || !json.Valid(e.Payload):
			reg.rejected++
		case e.Type == comptoir.EventSaleRecorded:
			reg.tickets++
		}
		reg.events = append(reg.events, e)
	}
	reg.lastSeen = m.now().UTC()
	m.regs[register] = reg
	return comptoir.PushResult{AckedSeq: uint64(len(reg.events))}, nil
}

func (m *memCentral) Register(ctx context.Context, register string) (comptoir.RegisterSummary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	reg := m.regs[register]
	if reg == nil {
		return comptoir.RegisterSummary{}, comptoir.E(comptoir.CodeUnknownRegisterCentral, register)
	}
	return comptoir.RegisterSummary{Register: register, AckedSeq: uint64(len(reg.events)), Tickets: reg.tickets,
		LastSeen: reg.lastSeen, ChainOK: true, Rejected: reg.rejected, Conflicts: reg.conflicts}, nil
}
