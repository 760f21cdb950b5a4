package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/comptoir/comptoir/store"
)

// BenchmarkRecordSale_Signed records the durable 10-line ticket in two files side by side, one
// signing and one not, alternating, so that both meet the same disk weather: x-unsigned is what
// signing costs a sale (goal: at most 1.15).
func BenchmarkRecordSale_Signed(b *testing.B) {
	ctx := context.Background()
	signed, d := tenLineStore(b, b.TempDir())
	defer signed.Close()
	unsigned, _ := tenLineStore(b, b.TempDir())
	defer unsigned.Close()
	store.DisableSigning(unsigned)
	for range 50 {
		for _, s := range []*store.Store{signed, unsigned} {
			if _, err := s.RecordSale(ctx, d); err != nil {
				b.Fatalf("RecordSale: %v", err)
			}
		}
	}
	var signedNs, unsignedNs int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := signed.RecordSale(ctx, d); err != nil {
			b.Fatalf("RecordSale: %v", err)
		}
		t1 := time.Now()
		if _, err := unsigned.RecordSale(ctx, d); err != nil {
			b.Fatalf("RecordSale: %v", err)
		}
		signedNs += t1.Sub(t0).Nanoseconds()
		unsignedNs += time.Since(t1).Nanoseconds()
	}
	b.StopTimer()
	b.ReportMetric(float64(signedNs)/float64(b.N), "signed-ns/op")
	b.ReportMetric(float64(unsignedNs)/float64(b.N), "unsigned-ns/op")
	b.ReportMetric(float64(signedNs)/float64(unsignedNs), "x-unsigned")
}
