package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/internal/pgtest"
)

// BenchmarkPush_Members50 has 50 registers push batches of 100 tickets at once, straight to the
// PostgreSQL central (no HTTP), where one ticket in three names one of 20 000 members: each such
// batch moves balances and appends feed entries, and so takes the feed lock until its commit.
// It measures what members cost the pushes (their rows locked until the commit, and the feed
// lock) beside the same batches without members
// ("anonymous"): the central's rate ("events/s") and the 99th percentile of a push
// ("p99_push_ms"). Figures worth quoting need a durable server (COMPTOIR_TEST_PG).
func BenchmarkPush_Members50(b *testing.B) {
	for _, tc := range []struct {
		name  string
		every int // one ticket in every names a member; 0 for none
	}{{"anonymous", 0}, {"members", 3}} {
		b.Run(tc.name, func(b *testing.B) { benchMembers50(b, tc.every) })
	}
}

func benchMembers50(b *testing.B, every int) {
	const registers, batches, batch, members = 50, 20, 100, 20000
	ctx := context.Background()
	var elapsed time.Duration
	var lat []time.Duration
	for range b.N {
		b.StopTimer()
		dsn := pgtest.DSN(b)
		c, err := Open(ctx, dsn, Options{KeyPath: keyPath(b, dsn)})
		if err != nil {
			b.Fatal(err)
		}
		// The members are enrolled first, by a register of their own.
		var enrolments []comptoir.Event
		for m := range members {
			enrolments = append(enrolments, enrol(b, "R00", uint64(m+1), member(m), comptoir.CardNumber(uint64(m+1))))
		}
		for chunk := range slices.Chunk(enrolments, comptoir.MaxBatchEvents) {
			if _, err := c.Push(ctx, "R00", chunk); err != nil {
				b.Fatal(err)
			}
		}
		events := make([][]comptoir.Event, registers)
		for r := range events {
			name := fmt.Sprintf("R%02d", r+1)
			for n := range batches * batch {
				var id comptoir.CustomerID
				if every > 0 && n%every == 0 {
					id = member((r*batches*batch + n) % members)
				}
				events[r] = append(events[r], sale(b, name, uint64(n+1), id, 5, 0))
			}
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for r := range registers {
			wg.Go(func() {
				name := fmt.Sprintf("R%02d", r+1)
				for chunk := range slices.Chunk(events[r], batch) {
					t := time.Now()
					if _, err := c.Push(ctx, name, chunk); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					lat = append(lat, time.Since(t))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		elapsed += time.Since(start)
		b.StopTimer()
		c.Close()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(registers*batches*batch*b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_push_ms")
}
