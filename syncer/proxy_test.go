package syncer_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/comptoir/comptoir/syncer"
)

// fault is what the fault proxy does to one request or one connection.
type fault int

const (
	faultNone fault = iota
	// faultReset accepts a connection and resets it at once, before any byte is read: from the
	// client's side, the central refused it.
	faultReset
	// faultDropRequest reads the request and closes the connection without forwarding it.
	faultDropRequest
	// faultDropAnswer forwards the request, so that the central commits, then closes the
	// client's connection without a byte of the answer.
	faultDropAnswer
	// faultServerError answers 500 without forwarding, as a failing proxy or central would.
	faultServerError
	// faultStallBefore holds the request until the client gives up, never forwarding it.
	faultStallBefore
	// faultStallAfter forwards the request, then holds the answer until the client gives up.
	faultStallAfter
	// faultTruncRequest forwards the first half of the body, which the central must refuse
	// whole, then closes the client's connection.
	faultTruncRequest
	// faultTruncAnswer forwards the request, then sends the client half of the answer and closes.
	faultTruncAnswer
	// faultRestart closes the central's server and store, opens the same file again behind a
	// new listener, then forwards the request there; requests forwarded meanwhile find the old
	// address closed and are answered 502.
	faultRestart
	faultCount
)

var faultNames = [...]string{"none", "reset", "drop request", "drop answer", "500", "stall before",
	"stall after", "truncate request", "truncate answer", "restart"}

func (f fault) String() string { return faultNames[f] }

// restartable is a real central, on one of the contract table's backends behind syncer.Server,
// that the proxy can restart on the same storage; its address changes with each start, as a
// process restarted on another port behind a fixed front would.
type restartable struct {
	tb      testing.TB
	backend *faultBackend
	tokens  map[string]string

	mu       sync.Mutex // serialises restarts
	st       openedCentral
	ts       *httptest.Server
	stopped  bool
	url      atomic.Pointer[string]
	restarts atomic.Int64
}

func newRestartable(tb testing.TB, backend *faultBackend, tokens map[string]string) *restartable {
	tb.Helper()
	c := &restartable{tb: tb, backend: backend, tokens: tokens}
	if err := c.start(); err != nil {
		tb.Fatalf("opening the %s central: %v", backend.name, err)
	}
	// A test that fails before it stops the central still closes it, before the backend's own
	// clean-up (registered earlier) drops its storage.
	tb.Cleanup(c.stop)
	return c
}

// start opens the central on its storage behind a new server. The caller holds mu, or no other
// goroutine knows the central yet.
func (c *restartable) start() error {
	st, err := c.backend.open()
	if err != nil {
		return err
	}
	srv, err := syncer.NewServer(st, c.tokens)
	if err != nil {
		return errors.Join(err, st.Close())
	}
	c.st, c.ts = st, httptest.NewServer(srv)
	u := c.ts.URL
	c.url.Store(&u)
	return nil
}

// stop closes the server, waiting for the requests in flight, then the store. Stopping a stopped
// central does nothing, so that the clean-up may follow the test's own stop.
func (c *restartable) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	c.stopped = true
	c.ts.Close()
	if err := c.st.Close(); err != nil {
		c.tb.Errorf("closing the central: %v", err)
	}
}

// restart stops the central and starts it again on the same storage. It is called from the
// proxy's handlers, which may not call Fatal: a failure to reopen is reported and the test ends
// at its next check.
func (c *restartable) restart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		// The test stopped the central to check it: a request still in flight finds it gone,
		// as it would a central shut down for good.
		return
	}
	c.ts.Close()
	if err := c.st.Close(); err != nil {
		c.tb.Errorf("closing the central for a restart: %v", err)
	}
	if err := c.start(); err != nil {
		// The server is closed: the requests that follow find its address closed, and are
		// answered 502, until the test ends.
		c.stopped = true
		c.tb.Errorf("opening the %s central again: %v", c.backend.name, err)
		return
	}
	c.restarts.Add(1)
}

// faultProxy is a reverse proxy in front of a restartable central that injects faults drawn
// from seeded generators: one per stream (a register's pushes and set-up, named by the path, and
// its pulls, named by the token; see streamOf), so that a stream's n-th request meets the same
// fault from one run to the next whatever the other registers do, and one for the connections.
// Restarts and timeouts still depend on timing, so a seed replays the draws, not every
// interleaving.
type faultProxy struct {
	tb      testing.TB
	central *restartable
	// rate is the share of requests that meet a fault, in [0, 1].
	rate float64
	seed uint64
	mu   sync.Mutex
	// only, when not faultNone, is the only fault injected (a test of one fault).
	only fault
	// forcePulls is how many of the next pulls meet a fault whatever the draw; pullFaults counts
	// the pulls that met one.
	forcePulls int
	pullFaults int
	rngs       map[string]*rand.Rand
	drawn      map[string]int
	conns      int
	connRng    *rand.Rand
	counts     [faultCount]int
	forward    *http.Transport
	ts         *httptest.Server
	requests   atomic.Int64
}

func newFaultProxy(tb testing.TB, central *restartable, seed uint64, rate float64) *faultProxy {
	tb.Helper()
	p := &faultProxy{tb: tb, central: central, rate: rate, seed: seed, rngs: make(map[string]*rand.Rand), drawn: make(map[string]int),
		connRng: rand.New(rand.NewPCG(seed, 0xc0)),
		// The proxy passes bodies as they are, gzip included, so that what it truncates is what
		// travels on the wire.
		forward: &http.Transport{DisableCompression: true}}
	p.ts = httptest.NewUnstartedServer(p)
	p.ts.Listener = &resetListener{Listener: p.ts.Listener, p: p}
	p.ts.Start()
	tb.Cleanup(func() {
		p.ts.Close()
		p.forward.CloseIdleConnections()
	})
	return p
}

// URL is the proxy's address, the one the registers know.
func (p *faultProxy) URL() string { return p.ts.URL }

// draw picks the fault a request of a stream meets (see streamOf): a register's pushes and
// set-up, or its pulls.
func (p *faultProxy) draw(register string) fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.rngs[register]
	if !ok {
		// Each register's stream is its own, derived from the seed and its name.
		var h uint64 = 14695981039346656037
		for _, b := range []byte(register) {
			h = (h ^ uint64(b)) * 1099511628211
		}
		r = rand.New(rand.NewPCG(p.seed, h))
		p.rngs[register] = r
	}
	f := faultNone
	p.drawn[register]++
	// A test of one fault meets it at its first request at least, whatever the draws.
	first := p.only != faultNone && p.drawn[register] == 1
	pull := strings.HasPrefix(register, "changes ")
	forced := pull && p.forcePulls > 0
	if forced {
		p.forcePulls--
	}
	if r.Float64() < p.rate || first || forced {
		// Connection resets are drawn by the listener, not here.
		f = faultDropRequest + fault(r.IntN(int(faultCount-faultDropRequest)))
		if p.only != faultNone {
			f = p.only
		}
	}
	p.counts[f]++
	if pull && f != faultNone {
		p.pullFaults++
	}
	return f
}

// faultPulls makes the next n pulls, of any register, meet a fault drawn as usual.
func (p *faultProxy) faultPulls(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.forcePulls = n
}

// faultedPulls is how many pulls met a fault.
func (p *faultProxy) faultedPulls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pullFaults
}

// drawConn decides whether a new connection is reset.
func (p *faultProxy) drawConn() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	reset := (p.only == faultNone || p.only == faultReset) && p.connRng.Float64() < p.rate/4
	if p.only == faultReset {
		reset = p.connRng.Float64() < p.rate || p.conns == 0
	}
	p.conns++
	if reset {
		p.counts[faultReset]++
	}
	return reset
}

// injectOnly makes the proxy inject one fault only, at each register's first request (its first
// connection for faultReset) and then at the proxy's rate.
func (p *faultProxy) injectOnly(f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.only = f
}

// Counts says how many times each fault was injected, for the test's log.
func (p *faultProxy) Counts() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for f, n := range p.counts {
		if f != int(faultNone) && n > 0 {
			fmt.Fprintf(&b, "%s %d, ", fault(f), n)
		}
	}
	fmt.Fprintf(&b, "clean %d", p.counts[faultNone])
	return b.String()
}

// count is how many times a fault was injected.
func (p *faultProxy) count(f fault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[f]
}

// registerOf reads the register a request is about from its path, "" for other paths.
func registerOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/v1/registers/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// streamOf names the fault stream a register's request draws from: its pushes and its set-up
// name it in their path, its pulls by their token. The administrator's requests, and any other,
// meet no fault.
func streamOf(r *http.Request) string {
	if reg := registerOf(r.URL.Path); reg != "" && r.Method == http.MethodPost {
		return reg
	}
	if r.URL.Path == "/v1/changes" {
		return "changes " + r.Header.Get("Authorization")
	}
	return ""
}

// abort ends the handler by closing the client's connection without a complete answer.
func abort() { panic(http.ErrAbortHandler) }

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		abort()
	}
	f := faultNone
	if key := streamOf(r); key != "" {
		f = p.draw(key)
	}
	if f == faultTruncRequest && len(body) == 0 {
		// A request without a body is cut before its end as a dropped one is.
		f = faultDropRequest
	}
	switch f {
	case faultDropRequest:
		abort()
	case faultServerError:
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	case faultStallBefore:
		<-r.Context().Done()
		return
	case faultRestart:
		p.central.restart()
	case faultTruncRequest:
		cut := body[:len(body)/2]
		resp, data, err := p.send(r, cut)
		// The central read a whole request whose body is cut: it must refuse it, and store
		// nothing, which the test's final count checks. An error is a restart under way.
		if err == nil && resp.StatusCode != http.StatusBadRequest {
			p.tb.Errorf("a truncated body was answered %d %s, want 400", resp.StatusCode, data)
		}
		abort()
	}
	resp, data, err := p.send(r, body)
	if err != nil {
		// The central is restarting: a reverse proxy says so with a 502.
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	switch f {
	case faultDropAnswer:
		abort()
	case faultStallAfter:
		<-r.Context().Done()
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(resp.StatusCode)
	if f == faultTruncAnswer {
		_, _ = w.Write(data[:len(data)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		abort()
	}
	_, _ = w.Write(data)
}

// send forwards a request with the given body to the central as it is now and reads its answer.
func (p *faultProxy) send(r *http.Request, body []byte) (*http.Response, []byte, error) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, *p.central.url.Load()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	out.Header = r.Header.Clone()
	resp, err := p.forward.RoundTrip(out)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// resetListener resets some of the connections it accepts, as drawn by the proxy.
type resetListener struct {
	net.Listener
	p *faultProxy
}

func (l *resetListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if !l.p.drawConn() {
			return c, nil
		}
		if tc, ok := c.(*net.TCPConn); ok {
			// A zero linger sends a reset rather than an orderly close.
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	}
}

// centralFile is a central's database in a test's directory.
func centralFile(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "central.db")
}
