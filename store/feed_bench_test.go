package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// feedMembers is how many members of other shops BenchmarkApplyChanges_RemoteMembers applies,
// in pages of comptoir.MaxChangesPage as the central sends them.
const feedMembers = 100_000

// feedMember is the n-th member of another shop: a pseudonymous ID as random as the central's
// (so that the inserts land all over the bucket, as they would), a card of another register's
// block, a balance, consent on two channels.
func feedMember(n int) comptoir.RemoteMember {
	h := sha256.Sum256([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	return comptoir.RemoteMember{ID: comptoir.CustomerID("M" + hex.EncodeToString(h[:8])),
		Cards: []string{comptoir.CardNumber(uint64(2_000_000 + n))}, Balance: int64(n % 1500), AsOfTicket: uint64(n % 40),
		Consent: map[comptoir.Channel]bool{comptoir.ChannelEmail: n%2 == 0, comptoir.ChannelSMS: n%3 == 0}, Status: comptoir.StatusActive}
}

// pagesSize is the size of a closed database counted in the pages it uses (its high-water mark,
// free pages included), which unlike the file's size does not jump by bbolt's growth steps.
func pagesSize(tb testing.TB, path string) int64 {
	tb.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var size int64
	db.View(func(tx *bbolt.Tx) error {
		size = tx.Size()
		return nil
	})
	return size
}

func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	info, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return info.Size()
}

// BenchmarkApplyChanges_RemoteMembers applies 100 000 members of other shops from the change
// feed, in pages of 1 000, each page one durable transaction with its cursor, then looks cards up
// among them. It reports the disk each member costs (goal: at most 300 bytes, card index
// included; a member enrolled here costs about 3 KB), as the file's growth and as the growth of
// the pages in use, and the time of a card lookup (CustomerByCard, as the counter does it).
func BenchmarkApplyChanges_RemoteMembers(b *testing.B) {
	ctx := context.Background()
	pages := make([]comptoir.ChangesPage, 0, feedMembers/comptoir.MaxChangesPage)
	for first := 1; first <= feedMembers; first += comptoir.MaxChangesPage {
		p := comptoir.ChangesPage{Next: "page", Now: day0}
		for n := first; n < first+comptoir.MaxChangesPage; n++ {
			p.Changes = append(p.Changes, memberChange(feedMember(n)))
		}
		pages = append(pages, p)
	}
	var fileGrowth, pageGrowth int64
	var path string
	for b.Loop() {
		path = dbPath(b)
		s, err := store.Open(path, opts(newClock(day0)))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.ApplySetup(ctx, newFakeCentral(b, 1, 99_999).setup); err != nil {
			b.Fatal(err)
		}
		s.Close()
		fileBefore, pagesBefore := fileSize(b, path), pagesSize(b, path)
		if s, err = store.Open(path, opts(newClock(day0))); err != nil {
			b.Fatal(err)
		}
		for _, p := range pages {
			if err := s.ApplyChanges(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		fileGrowth, pageGrowth = fileSize(b, path)-fileBefore, pagesSize(b, path)-pagesBefore
	}
	b.ReportMetric(float64(fileGrowth)/feedMembers, "file-B/member")
	b.ReportMetric(float64(pageGrowth)/feedMembers, "pages-B/member")

	s := mustOpen(b, path, opts(newClock(day0)))
	const lookups = 20_000
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	for range lookups {
		n := 1 + rng.IntN(feedMembers)
		c, err := s.CustomerByCard(ctx, comptoir.CardNumber(uint64(2_000_000+n)))
		if err != nil || !c.Remote {
			b.Fatalf("CustomerByCard(member %d) = %+v, %v", n, c, err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/lookups, "lookup-ns")
}
