package syncer_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

var pate = comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}

// openRegister opens a register's database at path. Its catalogue stays empty: a ticket carries
// its lines, and an import would be a technical event of the outbox, which the tests count.
func openRegister(tb testing.TB, path string) *store.Store {
	tb.Helper()
	reg, err := store.Open(path, store.Options{Register: "R1", NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

// keyEvents is the events a register's outbox holds besides its sales: its first sale makes the
// register's signing key first, whose key record is an event of its own.
const keyEvents = 1

// sell records n sales of one to n jars, so that totals differ from sale to sale.
func sell(tb testing.TB, reg *store.Store, n int) {
	tb.Helper()
	for i := range n {
		p := pate.Price * comptoir.Money(i+1)
		d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(pate, int64(i+1))},
			Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: p}}}
		if _, err := reg.RecordSale(context.Background(), d); err != nil {
			tb.Fatal(err)
		}
	}
}

// central is a real central over HTTP: the server over a central of one backend of the contract
// table, behind an optional wrapper that plays a faulty network, counting the pushes it receives.
type central struct {
	url string
	// store is the central's storage, read beside the server to check what it holds. It is the
	// interface every backend implements, so that the checks run alike on each.
	store  comptoir.CentralService
	pushes atomic.Int64
}

// eachCentral runs test once per central of the contract table (centrals, in server_test.go), as
// a subtest named by the central, in the names' order, with the function that opens a new central
// of that backend: a central added to the table runs every end-to-end test too. A test that needs
// two centrals, one of which lost what the other holds, opens both with it.
func eachCentral(t *testing.T, test func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService)) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(centrals)) {
		newCentral := centrals[name]
		t.Run(name, func(t *testing.T) {
			// Each backend's subtest has its own centrals, servers, registers and folders, and
			// shares nothing with the other's but the processor and the PostgreSQL server: they
			// run side by side, so that their waits on commits and on creating a database
			// overlap rather than add up.
			t.Parallel()
			test(t, newCentral)
		})
	}
}

// startCentral opens a central with newCentral and serves it over HTTP, its handler wrapped by
// wrap when it is not nil.
func startCentral(tb testing.TB, newCentral func(testing.TB) comptoir.CentralService, wrap func(http.Handler) http.Handler) *central {
	tb.Helper()
	st := newCentral(tb)
	srv, err := syncer.NewServer(st, tokens)
	if err != nil {
		tb.Fatal(err)
	}
	c := &central{store: st}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			c.pushes.Add(1)
		}
		checkClientRequest(tb, r)
		h.ServeHTTP(w, r)
	}))
	tb.Cleanup(ts.Close)
	c.url = ts.URL
	return c
}

// sleeps records the waits of a Syncer instead of waiting.
type sleeps struct{ delays []time.Duration }

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.delays = append(s.delays, d)
	return nil
}

func newSyncer(tb testing.TB, reg *store.Store, url, token string, sl *sleeps) *syncer.Syncer {
	tb.Helper()
	client, err := syncer.NewClient(url, token)
	if err != nil {
		tb.Fatal(err)
	}
	return &syncer.Syncer{Outbox: reg, Central: client, Register: "R1", MaxEvents: 7, Sleep: sl.sleep}
}

func wantCode(tb testing.TB, err error, code comptoir.Code) {
	tb.Helper()
	if !errors.Is(err, comptoir.E(code)) {
		tb.Fatalf("error = %v, want %s", err, code)
	}
}

// wantMatches checks that the central holds what the register's own report says, to the cent,
// and that the outbox is empty.
func wantMatches(tb testing.TB, c *central, reg *store.Store) {
	tb.Helper()
	ctx := context.Background()
	sum, err := c.store.Register(ctx, "R1")
	if err != nil {
		tb.Fatal(err)
	}
	last, err := reg.LastTicket(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	gt, err := reg.GrandTotal(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if sum.Tickets != last || sum.GrandTotal != gt || !sum.ChainOK || sum.Conflicts != 0 || sum.Rejected != 0 {
		tb.Errorf("central holds %d tickets, %d cents (chain ok %v, %d conflicts, %d rejected); the register %d tickets, %d cents",
			sum.Tickets, sum.GrandTotal, sum.ChainOK, sum.Conflicts, sum.Rejected, last, gt)
	}
	if n, err := reg.PendingEvents(ctx); err != nil || n != 0 {
		tb.Errorf("PendingEvents = %d, %v; want an empty outbox", n, err)
	}
}

func TestSyncer_PushesEverything(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		ctx := context.Background()
		c := startCentral(t, newCentral, nil)
		reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
		sell(t, reg, 20)
		s := newSyncer(t, reg, c.url, tokR1, &sleeps{})

		rep, err := s.Run(ctx)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if rep.Acked != 20+keyEvents || rep.Batches != 3 || rep.Pending != 0 {
			t.Errorf("Run = %+v, want %d events acknowledged in 3 batches of at most 7, none pending", rep, 20+keyEvents)
		}
		wantMatches(t, c, reg)
		st := s.State()
		if !st.Attempted || !st.Online || st.Pending != 0 || st.LastError != nil || st.LastSuccess.IsZero() {
			t.Errorf("State = %+v, want online, nothing pending, a last success and no error", st)
		}

		// A second run has nothing to send and sends nothing.
		before := c.pushes.Load()
		rep, err = s.Run(ctx)
		if err != nil || rep.Acked != 0 || rep.Batches != 0 {
			t.Errorf("second Run = %+v, %v; want nothing sent", rep, err)
		}
		if got := c.pushes.Load() - before; got != 0 {
			t.Errorf("second Run made %d pushes, want 0", got)
		}

		// New sales go on from where the central stands.
		sell(t, reg, 3)
		if rep, err := s.Run(ctx); err != nil || rep.Acked != 3 {
			t.Fatalf("third Run = %+v, %v; want 3 events acknowledged", rep, err)
		}
		wantMatches(t, c, reg)
	})
}

// TestSyncer_LostAnswer loses the central's answer once, after it committed: the retry is a
// replay, and every event ends at the central exactly once.
func TestSyncer_LostAnswer(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		var lost atomic.Bool
		c := startCentral(t, newCentral, func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && lost.CompareAndSwap(false, true) {
					h.ServeHTTP(httptest.NewRecorder(), r)
					http.Error(w, "bad gateway", http.StatusBadGateway)
					return
				}
				h.ServeHTTP(w, r)
			})
		})
		reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
		sell(t, reg, 10)
		sl := &sleeps{}
		s := newSyncer(t, reg, c.url, tokR1, sl)
		rep, err := s.Run(context.Background())
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if rep.Acked != 10+keyEvents {
			t.Errorf("Run acknowledged %d events, want %d", rep.Acked, 10+keyEvents)
		}
		if len(sl.delays) != 1 {
			t.Errorf("Run waited %d times, want once, after the lost answer", len(sl.delays))
		}
		if got, want := c.pushes.Load(), int64(3); got != want {
			t.Errorf("pushes = %d, want %d (two batches, one sent twice)", got, want)
		}
		wantMatches(t, c, reg)
	})
}

// copyFile copies a closed database, as a backup would.
func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// TestSyncer_RestoredRegister syncs a register, then puts back an older copy of its file: the
// syncer stops at once with the refusal that says what to do, and deletes nothing.
func TestSyncer_RestoredRegister(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		for _, tc := range []struct {
			name     string
			newSales int
			want     comptoir.Code
		}{
			{"as restored", 0, comptoir.CodeRegisterBehindCentral},
			{"sold after the restore", 2, comptoir.CodeRegisterDiverged},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				c := startCentral(t, newCentral, nil)
				dir := t.TempDir()
				path, backup := filepath.Join(dir, "r1.db"), filepath.Join(dir, "backup.db")
				reg := openRegister(t, path)
				sell(t, reg, 5)
				reg.Close()
				copyFile(t, path, backup)

				reg = openRegister(t, path)
				sell(t, reg, 5)
				if _, err := newSyncer(t, reg, c.url, tokR1, &sleeps{}).Run(ctx); err != nil {
					t.Fatalf("Run before the restore: %v", err)
				}
				reg.Close()
				copyFile(t, backup, path)

				reg = openRegister(t, path)
				defer reg.Close()
				sell(t, reg, tc.newSales)
				sl := &sleeps{}
				s := newSyncer(t, reg, c.url, tokR1, sl)
				before := c.pushes.Load()
				rep, err := s.Run(ctx)
				wantCode(t, err, tc.want)
				if got := c.pushes.Load() - before; got != 1 || len(sl.delays) != 0 {
					t.Errorf("Run made %d pushes and waited %d times, want one push and no retry", got, len(sl.delays))
				}
				if rep.Pending != keyEvents+5+tc.newSales || rep.Acked != 0 {
					t.Errorf("Run = %+v, want nothing dropped and %d events pending", rep, keyEvents+5+tc.newSales)
				}
				if st := s.State(); !st.Online || !errors.Is(st.LastError, comptoir.E(tc.want)) {
					t.Errorf("State = %+v, want online with the refusal as last error", st)
				}
				// Running again says the same, rather than looping or dropping anything.
				if _, err := s.Run(ctx); !errors.Is(err, comptoir.E(tc.want)) {
					t.Errorf("second Run: %v, want %s again", err, tc.want)
				}
			})
		}
	})
}

// TestSyncer_CentralBehind points a register whose early events were acknowledged at a central
// that lost them: it refuses to go on, keeping what it has.
func TestSyncer_CentralBehind(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		ctx := context.Background()
		reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
		sell(t, reg, 4)
		if _, err := newSyncer(t, reg, startCentral(t, newCentral, nil).url, tokR1, &sleeps{}).Run(ctx); err != nil {
			t.Fatal(err)
		}
		sell(t, reg, 2)
		fresh := startCentral(t, newCentral, nil)
		rep, err := newSyncer(t, reg, fresh.url, tokR1, &sleeps{}).Run(ctx)
		wantCode(t, err, comptoir.CodeCentralBehind)
		if rep.Pending != 2 || fresh.pushes.Load() != 1 {
			t.Errorf("Run = %+v after %d pushes, want 2 events kept after one push", rep, fresh.pushes.Load())
		}
	})
}

// TestSyncer_CentralDown gives up after its attempts with the unreachable refusal, its waits
// growing and capped.
func TestSyncer_CentralDown(t *testing.T) {
	// A server closed at once: its address refuses connections.
	ts := httptest.NewServer(http.NotFoundHandler())
	down := ts.URL
	ts.Close()
	reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
	sell(t, reg, 3)
	for _, tc := range []struct {
		name   string
		jitter func() float64
	}{{"upper jitter", func() float64 { return 0.999999 }}, {"random jitter", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			sl := &sleeps{}
			s := newSyncer(t, reg, down, tokR1, sl)
			s.MaxAttempts, s.BaseDelay, s.MaxDelay, s.Jitter = 6, 100*time.Millisecond, 500*time.Millisecond, tc.jitter
			rep, err := s.Run(context.Background())
			wantCode(t, err, comptoir.CodeCentralUnreachable)
			if rep.Pending != keyEvents+3 {
				t.Errorf("Pending = %d, want %d", rep.Pending, keyEvents+3)
			}
			if st := s.State(); st.Online || st.Pending != keyEvents+3 || st.LastError == nil {
				t.Errorf("State = %+v, want offline with %d pending and the error", st, keyEvents+3)
			}
			schedule := []time.Duration{100, 200, 400, 500, 500}
			if len(sl.delays) != len(schedule) {
				t.Fatalf("waits = %v, want %d (one fewer than the attempts)", sl.delays, len(schedule))
			}
			for i, d := range sl.delays {
				ceil := schedule[i] * time.Millisecond
				if d > ceil || d < ceil/2 {
					t.Errorf("wait %d = %v, want in [%v, %v]", i+1, d, ceil/2, ceil)
				}
				if tc.jitter != nil && i > 0 && d < sl.delays[i-1] {
					t.Errorf("wait %d = %v, shorter than the one before (%v)", i+1, d, sl.delays[i-1])
				}
			}
		})
	}
}

// TestClient_Refusals maps the central's refusals back to the domain's codes.
func TestClient_Refusals(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		ctx := context.Background()
		c := startCentral(t, newCentral, nil)
		events := sales(3, 4)

		client, err := syncer.NewClient(c.url, "not-a-token")
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.Push(ctx, "R1", events)
		wantCode(t, err, comptoir.CodeUnauthorized)

		client.Token = tokR2
		_, err = client.Push(ctx, "R1", events)
		wantCode(t, err, comptoir.CodeForbiddenRegister)

		client.Token = tokR1
		_, err = client.Push(ctx, "R1", events)
		wantCode(t, err, comptoir.CodeSeqGap)
		var e *comptoir.Error
		if !errors.As(err, &e) || len(e.Args) != 1 || e.Args[0] != uint64(1) {
			t.Errorf("gap refusal = %#v, want the expected sequence 1", err)
		}

		res, err := client.Push(ctx, "R1", sales(1, 4))
		if err != nil || res.AckedSeq != 4 {
			t.Fatalf("Push(1..4) = %+v, %v; want acked 4", res, err)
		}
		other := sales(4, 4)
		other[0].ID = "another-id"
		_, err = client.Push(ctx, "R1", other)
		wantCode(t, err, comptoir.CodeSeqConflict)
		wantCode(t, err, comptoir.CodeCentralRefused)

		for _, bad := range []string{"", "ftp://central", "central:8787"} {
			if _, err := syncer.NewClient(bad, tokR1); !errors.Is(err, comptoir.E(comptoir.CodeNoCentral)) {
				t.Errorf("NewClient(%q): %v, want %s", bad, err, comptoir.CodeNoCentral)
			}
		}
		if _, err := syncer.NewClient(c.url, " "); !errors.Is(err, comptoir.E(comptoir.CodeNoSyncToken)) {
			t.Errorf("NewClient without a token: %v, want %s", err, comptoir.CodeNoSyncToken)
		}
	})
}

// TestClient_NotTheCentral refuses an answer that is not the central's without retrying it.
func TestClient_NotTheCentral(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<html>hello</html>")
	}))
	defer ts.Close()
	client, err := syncer.NewClient(ts.URL, tokR1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Push(context.Background(), "R1", sales(1, 1))
	wantCode(t, err, comptoir.CodeCentralAnswer)
	if syncer.Retryable(err) {
		t.Errorf("Retryable(%v) = true, want false", err)
	}
}

// recorder is a Pusher that answers what a test scripts and records the batches.
type recorder struct {
	batches [][]comptoir.Event
	answer  func(n int, events []comptoir.Event) (comptoir.PushResult, error)
}

func (r *recorder) Push(_ context.Context, _ string, events []comptoir.Event) (comptoir.PushResult, error) {
	r.batches = append(r.batches, events)
	return r.answer(len(r.batches), events)
}

// TestSyncer_GapAhead resolves a gap whose expected sequence is after the batch's first event:
// the central holds those events already, so they are dropped and the rest is sent.
func TestSyncer_GapAhead(t *testing.T) {
	reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
	sell(t, reg, 6)
	rec := &recorder{answer: func(n int, events []comptoir.Event) (comptoir.PushResult, error) {
		if n == 1 {
			return comptoir.PushResult{}, comptoir.E(comptoir.CodeSeqGap, uint64(4))
		}
		return comptoir.PushResult{AckedSeq: events[len(events)-1].Seq}, nil
	}}
	s := &syncer.Syncer{Outbox: reg, Central: rec, Register: "R1", Sleep: (&sleeps{}).sleep}
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rec.batches) != 2 || rec.batches[1][0].Seq != 4 || rep.Acked != keyEvents+6 || rep.Pending != 0 {
		t.Errorf("Run = %+v after %d batches, want the second batch from event 4 and all %d dropped", rep, len(rec.batches), keyEvents+6)
	}
}

// TestSyncer_ByteBound cuts batches by their size as well as their count.
func TestSyncer_ByteBound(t *testing.T) {
	reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
	// Six events: the key record's and five sales.
	sell(t, reg, 6-keyEvents)
	events, err := reg.Outbox(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{answer: func(_ int, events []comptoir.Event) (comptoir.PushResult, error) {
		return comptoir.PushResult{AckedSeq: events[len(events)-1].Seq}, nil
	}}
	// Room for two of the largest event and a quarter, less than any three take: batches of two,
	// the key record's event (smaller than a sale's) with the first sale.
	one := 0
	for _, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		one = max(one, len(b))
	}
	size := 64 + 9*one/4
	s := &syncer.Syncer{Outbox: reg, Central: rec, Register: "R1", MaxBytes: size}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.batches) != 3 {
		t.Errorf("%d batches, want 3 of two events", len(rec.batches))
	}
	for i, b := range rec.batches {
		if len(b) != 2 {
			t.Errorf("batch %d has %d events, want 2", i+1, len(b))
		}
	}
}

// TestSyncer_CentralFailing retries a central that answers 503, then says it fails, online.
func TestSyncer_CentralFailing(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		c := startCentral(t, newCentral, func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, `{"code":"internal","message":"internal error: the central logged it; retry later"}`)
			})
		})
		reg := openRegister(t, filepath.Join(t.TempDir(), "r1.db"))
		sell(t, reg, 2)
		sl := &sleeps{}
		s := newSyncer(t, reg, c.url, tokR1, sl)
		s.MaxAttempts = 3
		rep, err := s.Run(context.Background())
		wantCode(t, err, comptoir.CodeCentralFailing)
		if c.pushes.Load() != 3 || len(sl.delays) != 2 || rep.Pending != keyEvents+2 {
			t.Errorf("%d pushes, %d waits, %d pending; want 3 pushes, 2 waits, %d pending", c.pushes.Load(), len(sl.delays), rep.Pending, keyEvents+2)
		}
		if st := s.State(); !st.Online {
			t.Errorf("State = %+v, want online: the central answered", st)
		}
	})
}

// checkClientRequest checks a request the client sent against openapi.yaml, its body as the
// document describes it (decompressed), and leaves the request as it came for the server.
func checkClientRequest(tb testing.TB, r *http.Request) {
	tb.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		tb.Errorf("reading the client's request: %v", err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	plain := body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			tb.Errorf("the client's body says gzip but is not: %v", err)
			return
		}
		if plain, err = io.ReadAll(zr); err != nil {
			tb.Errorf("the client's gzip body: %v", err)
			return
		}
	}
	vreq := httptest.NewRequest(r.Method, base+r.URL.Path, bytes.NewReader(plain))
	vreq.Header = r.Header.Clone()
	route, params, err := contract(tb).FindRoute(vreq)
	if err != nil {
		tb.Errorf("%s %s: no route in openapi.yaml: %v", r.Method, r.URL.Path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		tb.Errorf("%s %s: the client's request against openapi.yaml: %v", r.Method, r.URL.Path, err)
	}
}

// TestSyncer_RestoredAfterSync stops a register restored from a backup taken right after a sync:
// its outbox is empty, so no push is refused, and only the central's acknowledged sequence shows
// that the file is behind. Nothing is pulled into it.
func TestSyncer_RestoredAfterSync(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		ctx := context.Background()
		c := startCentral(t, newCentral, nil)
		dir := t.TempDir()
		path, backup := filepath.Join(dir, "r1.db"), filepath.Join(dir, "backup.db")
		reg := openRegister(t, path)
		sell(t, reg, 3)
		if _, err := pullingSyncer(t, reg, c.url).Run(ctx); err != nil {
			t.Fatalf("first Run: %v", err)
		}
		reg.Close()
		copyFile(t, path, backup)

		reg = openRegister(t, path)
		sell(t, reg, 2)
		if _, err := pullingSyncer(t, reg, c.url).Run(ctx); err != nil {
			t.Fatalf("Run before the restore: %v", err)
		}
		reg.Close()
		copyFile(t, backup, path)

		reg = openRegister(t, path)
		defer reg.Close()
		before := c.pushes.Load()
		rep, err := pullingSyncer(t, reg, c.url).Run(ctx)
		wantCode(t, err, comptoir.CodeRegisterBehindCentral)
		// The one POST is the set-up: nothing was pushed.
		if got := c.pushes.Load() - before; got != 1 || rep.Acked != 0 || rep.Pulled || rep.Changes != 0 {
			t.Errorf("Run = %+v after %d POSTs, want the set-up only and nothing pulled", rep, got)
		}
	})
}

// pullingSyncer is a Syncer that pushes and pulls, as the register's.
func pullingSyncer(tb testing.TB, reg *store.Store, url string) *syncer.Syncer {
	tb.Helper()
	s := newSyncer(tb, reg, url, tokR1, &sleeps{})
	s.Feed = reg
	return s
}
