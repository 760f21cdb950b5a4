package syncer_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

// centrals are the CentralService implementations the contract tests run against: every test
// below runs once per entry, so that a PostgreSQL central joins by adding its line.
var centrals = map[string]func(testing.TB) comptoir.CentralService{
	"bbolt":    newBoltCentral,
	"postgres": newPostgresCentral,
}

// audit runs the auditor of the server's central until every register is caught up, as the
// command's does in the background after each push.
func audit(tb testing.TB, s *syncer.Server) {
	tb.Helper()
	a, ok := s.Central.(interface{ AuditAll(context.Context) error })
	if !ok {
		tb.Fatalf("%T has no auditor", s.Central)
	}
	if err := a.AuditAll(context.Background()); err != nil {
		tb.Fatalf("AuditAll: %v", err)
	}
}

// newBoltCentral is the embedded central the command runs on, in a file of the test's own.
func newBoltCentral(tb testing.TB) comptoir.CentralService {
	tb.Helper()
	c, err := store.OpenCentral(filepath.Join(tb.TempDir(), "central.db"), store.CentralOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

const (
	base     = "http://127.0.0.1:8787" // the document's server, so that its router finds routes
	tokR1    = "r1-token-0123456789abcdef"
	tokR2    = "r2-token-0123456789abcdef"
	tokAdmin = "admin-token-0123456789abcdef"
)

var tokens = map[string]string{"R1": tokR1, "R2": tokR2, comptoir.AdminName: tokAdmin}

var (
	contractOnce   sync.Once
	contractRouter routers.Router
	contractErr    error
)

// contract loads openapi.yaml once, checks it (its examples included) and routes requests by it.
func contract(tb testing.TB) routers.Router {
	tb.Helper()
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(syncer.OpenAPI)
		if err != nil {
			contractErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contractErr = fmt.Errorf("openapi.yaml: %w", err)
			return
		}
		contractRouter, contractErr = legacy.NewRouter(doc)
	})
	if contractErr != nil {
		tb.Fatal(contractErr)
	}
	return contractRouter
}

// call is one request of a test and what the document says of it.
type call struct {
	method, path string
	token        string
	body         []byte // sent as is (already gzipped when gzip is set)
	gzip         bool   // Content-Encoding: gzip
	acceptGzip   bool
	header       map[string]string
	// invalid says the request breaks the document on purpose (no token, truncated body): the
	// validator must then refuse it too.
	invalid bool
}

// answer is a response with its body decompressed.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a call to the handler and checks the request and the response against openapi.yaml.
func do(t *testing.T, h http.Handler, c call) answer {
	t.Helper()
	router := contract(t)
	newReq := func(body []byte, gz bool) *http.Request {
		r := httptest.NewRequest(c.method, base+c.path, bytes.NewReader(body))
		if c.token != "" {
			r.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		if gz {
			r.Header.Set("Content-Encoding", "gzip")
		}
		if c.acceptGzip {
			r.Header.Set("Accept-Encoding", "gzip")
		}
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		return r
	}

	// The document describes the body once decompressed; a body that does not decompress is
	// checked as sent, and the document must refuse it.
	plain, gz := c.body, false
	if c.gzip {
		gz = true
		if zr, err := gzip.NewReader(bytes.NewReader(c.body)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				plain = b
			}
		}
	}
	vreq := newReq(plain, gz)
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		t.Fatalf("%s %s: no route in openapi.yaml: %v", c.method, c.path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent, IncludeResponseStatus: true}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if (reqErr != nil) != c.invalid {
		t.Errorf("%s %s: request against openapi.yaml: got error %v, want invalid=%v", c.method, c.path, reqErr, c.invalid)
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newReq(c.body, c.gzip))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s %s: answer says gzip but is not: %v", c.method, c.path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s %s: gzip answer: %v", c.method, c.path, err)
		}
	}
	// The response is checked against the operation even when the request was invalid on
	// purpose: the answer to a bad request is part of the contract too.
	in.Options = &openapi3filter.Options{AuthenticationFunc: bearerPresent, IncludeResponseStatus: true}
	if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options,
	}); err != nil {
		t.Errorf("%s %s: response %d against openapi.yaml: %v\n%s", c.method, c.path, res.StatusCode, err, body)
	}
	return answer{status: res.StatusCode, header: res.Header, body: body}
}

// bearerPresent tells the validator whether a bearer token is there; whether the central knows
// it is the server's business, tested by status.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	tok, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return errors.New("no bearer token")
	}
	return nil
}

func event(seq uint64, id, typ string) comptoir.Event {
	return comptoir.Event{Seq: seq, ID: id, Type: typ, At: time.Date(2026, 11, 29, 10, 0, int(seq), 0, time.UTC),
		Payload: json.RawMessage(fmt.Sprintf(`{"ticket":%d}`, seq))}
}

// registerOutbox is the outbox of a real register that recorded twenty sales, made once: the events
// every store must take as tickets, with their real IDs, hashes, signatures and chains. Its first
// event is the register's key record, which the first sale made first; tickets follow from
// sequence 2.
var registerOutbox = sync.OnceValues(func() ([]comptoir.Event, error) {
	dir, err := os.MkdirTemp("", "comptoir-syncer-test")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	reg, err := store.Open(filepath.Join(dir, "register.db"), store.Options{Register: "R1", NoSync: true})
	if err != nil {
		return nil, err
	}
	defer reg.Close()
	// No catalogue import: a ticket carries its lines, and an import's technical event would
	// shift the sequence numbers the tests name.
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}
	for range 20 {
		d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, 1)},
			Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: p.Price}}}
		if _, err := reg.RecordSale(ctx, d); err != nil {
			return nil, err
		}
	}
	return reg.Outbox(ctx, 0, 0)
})

// sales are the register's events from sequence from to to, both included: the key record's at
// 1, ticket n's at n+1.
func sales(from, to uint64) []comptoir.Event {
	events, err := registerOutbox()
	if err != nil {
		panic(err)
	}
	return append([]comptoir.Event(nil), events[from-1:to]...)
}

func batchBody(tb testing.TB, events []comptoir.Event) []byte {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"events": events})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func push(register, token string, body []byte) call {
	return call{method: http.MethodPost, path: "/v1/registers/" + register + "/events", token: token, body: body}
}

func status(register, token string) call {
	return call{method: http.MethodGet, path: "/v1/registers/" + register, token: token}
}

func decode[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("answer %d %s: %v", a.status, a.body, err)
	}
	return v
}

func wantStatus(t *testing.T, a answer, want int, code string) {
	t.Helper()
	if a.status != want {
		t.Fatalf("status: got %d, want %d (%s)", a.status, want, a.body)
	}
	if code != "" {
		if got := decode[syncer.ErrorResponse](t, a).Code; got != code {
			t.Fatalf("code: got %q, want %q (%s)", got, code, a.body)
		}
	}
}

func wantAcked(t *testing.T, a answer, want uint64) {
	t.Helper()
	wantStatus(t, a, http.StatusOK, "")
	if got := decode[comptoir.PushResult](t, a).AckedSeq; got != want {
		t.Fatalf("acked_seq: got %d, want %d", got, want)
	}
}

// summary reads a register's summary with the administrator's token.
func summary(t *testing.T, h http.Handler, register string) comptoir.RegisterSummary {
	t.Helper()
	a := do(t, h, status(register, tokAdmin))
	wantStatus(t, a, http.StatusOK, "")
	return decode[comptoir.RegisterSummary](t, a)
}

// wantNothingStored checks that a register that never had a batch accepted is still unknown.
func wantNothingStored(t *testing.T, h http.Handler, register string) {
	t.Helper()
	wantStatus(t, do(t, h, status(register, tokAdmin)), http.StatusNotFound, string(comptoir.CodeUnknownRegisterCentral))
}

func newServer(t *testing.T, newStore func(testing.TB) comptoir.CentralService) *syncer.Server {
	t.Helper()
	s, err := syncer.NewServer(newStore(t), tokens)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServer(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, s *syncer.Server)
	}{
		{"PushOK", func(t *testing.T, s *syncer.Server) {
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 3)))), 3)
			a := do(t, s, status("R1", tokR1))
			wantStatus(t, a, http.StatusOK, "")
			got := decode[comptoir.RegisterSummary](t, a)
			if got.Register != "R1" || got.AckedSeq != 3 || got.Tickets != 2 || !got.ChainOK || got.LastSeen.IsZero() {
				t.Fatalf("summary: got %+v, want R1 acked 3, 2 tickets, chain ok, last seen", got)
			}
		}},
		{"TextADatabaseRefuses", func(t *testing.T, s *syncer.Server) {
			// A NUL character where the central keeps text (a record's hash, an enrolment's
			// basis) is taken as every backend takes it: the ticket counts and breaks the
			// chain, the enrolment is stored as rejected; the register is never stuck.
			ticket := sales(1, 2)
			ticket[1].Payload = json.RawMessage(strings.Replace(string(ticket[1].Payload), `"hash":"`, `"hash":"\u0000`, 1))
			enrolment := comptoir.Event{Seq: 3, ID: "e3", Type: comptoir.EventCustomerEnrolled, At: ticket[1].At,
				Payload: json.RawMessage(`{"id":"M00000000000000a1","cards":[],"basis":"contract\u0000"}`)}
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, append(ticket, enrolment)))), 3)
			got := summary(t, s, "R1")
			if got.Tickets != 1 || got.ChainOK || got.Rejected != 1 {
				t.Fatalf("summary %+v, want 1 ticket, the chain broken, 1 rejected", got)
			}
		}},
		{"Replay", func(t *testing.T, s *syncer.Server) {
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 3)))), 3)
			// The answer was lost: the register sends the same batch, then one overlapping it.
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 3)))), 3)
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(2, 5)))), 5)
			if got := summary(t, s, "R1"); got.Tickets != 4 || got.AckedSeq != 5 {
				t.Fatalf("after replays: got %d tickets acked %d, want 4 and 5", got.Tickets, got.AckedSeq)
			}
		}},
		{"Gap", func(t *testing.T, s *syncer.Server) {
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 2)))), 2)
			a := do(t, s, push("R1", tokR1, batchBody(t, sales(4, 5))))
			wantStatus(t, a, http.StatusConflict, string(comptoir.CodeSeqGap))
			if got := decode[syncer.ErrorResponse](t, a).ExpectedSeq; got != 3 {
				t.Fatalf("expected_seq: got %d, want 3", got)
			}
			if got := summary(t, s, "R1"); got.AckedSeq != 2 || got.Tickets != 1 {
				t.Fatalf("after gap: got acked %d tickets %d, want 2 and 1", got.AckedSeq, got.Tickets)
			}
		}},
		{"GapOnFirstPush", func(t *testing.T, s *syncer.Server) {
			a := do(t, s, push("R1", tokR1, batchBody(t, sales(2, 3))))
			wantStatus(t, a, http.StatusConflict, string(comptoir.CodeSeqGap))
			if got := decode[syncer.ErrorResponse](t, a).ExpectedSeq; got != 1 {
				t.Fatalf("expected_seq: got %d, want 1", got)
			}
		}},
		{"Conflict", func(t *testing.T, s *syncer.Server) {
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 2)))), 2)
			other := []comptoir.Event{event(2, "another-id", comptoir.EventSaleRecorded), event(3, "id-3", comptoir.EventSaleRecorded)}
			wantStatus(t, do(t, s, push("R1", tokR1, batchBody(t, other))), http.StatusConflict, string(comptoir.CodeSeqConflict))
			got := summary(t, s, "R1")
			if got.AckedSeq != 2 || got.Tickets != 1 || got.Conflicts != 1 {
				t.Fatalf("after conflict: got acked %d tickets %d conflicts %d, want 2, 1, 1", got.AckedSeq, got.Tickets, got.Conflicts)
			}
			// What is stored was not overwritten: the original event still replays.
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(2, 2)))), 2)
		}},
		{"Rejected", func(t *testing.T, s *syncer.Server) {
			evs := append(append(sales(1, 2), event(3, "id-3", "no.such.type")), sales(4, 4)...)
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, evs))), 4)
			if got := summary(t, s, "R1"); got.Rejected != 1 || got.Tickets != 2 {
				t.Fatalf("rejected: got %d rejected %d tickets, want 1 and 2", got.Rejected, got.Tickets)
			}
		}},
		{"NoToken", func(t *testing.T, s *syncer.Server) {
			c := push("R1", "", batchBody(t, sales(1, 1)))
			c.invalid = true
			a := do(t, s, c)
			wantStatus(t, a, http.StatusUnauthorized, string(comptoir.CodeUnauthorized))
			if a.header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
			wantNothingStored(t, s, "R1")
		}},
		{"UnknownToken", func(t *testing.T, s *syncer.Server) {
			wantStatus(t, do(t, s, push("R1", "not-a-token", batchBody(t, sales(1, 1)))), http.StatusUnauthorized, string(comptoir.CodeUnauthorized))
			c := status("R1", "")
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusUnauthorized, string(comptoir.CodeUnauthorized))
			wantNothingStored(t, s, "R1")
		}},
		{"WrongRegister", func(t *testing.T, s *syncer.Server) {
			wantStatus(t, do(t, s, push("R2", tokR1, batchBody(t, sales(1, 1)))), http.StatusForbidden, string(comptoir.CodeForbiddenRegister))
			wantNothingStored(t, s, "R2")
			wantAcked(t, do(t, s, push("R2", tokR2, batchBody(t, sales(1, 1)))), 1)
			wantStatus(t, do(t, s, status("R2", tokR1)), http.StatusForbidden, string(comptoir.CodeForbiddenRegister))
		}},
		{"AdminReadsStatus", func(t *testing.T, s *syncer.Server) {
			wantAcked(t, do(t, s, push("R2", tokR2, batchBody(t, sales(1, 4)))), 4)
			if got := summary(t, s, "R2"); got.Register != "R2" || got.AckedSeq != 4 {
				t.Fatalf("admin summary: got %+v, want R2 acked 4", got)
			}
		}},
		{"AdminDoesNotPush", func(t *testing.T, s *syncer.Server) {
			wantStatus(t, do(t, s, push("R1", tokAdmin, batchBody(t, sales(1, 1)))), http.StatusForbidden, string(comptoir.CodeForbiddenRegister))
			wantNothingStored(t, s, "R1")
		}},
		{"AdminIsNoRegister", func(t *testing.T, s *syncer.Server) {
			for _, name := range []string{"admin", "Admin"} {
				wantStatus(t, do(t, s, push(name, tokAdmin, batchBody(t, sales(1, 1)))), http.StatusBadRequest, string(comptoir.CodeReservedRegister))
				wantStatus(t, do(t, s, status(name, tokAdmin)), http.StatusBadRequest, string(comptoir.CodeReservedRegister))
			}
		}},
		{"TooManyBytes", func(t *testing.T, s *syncer.Server) {
			body := batchBody(t, sales(1, 20))
			s.MaxBatchBytes = int64(len(body) - 1)
			wantStatus(t, do(t, s, push("R1", tokR1, body)), http.StatusRequestEntityTooLarge, string(comptoir.CodeBatchTooLarge))
			// Compressed small, too large once decompressed: the limit is on what is read.
			c := push("R1", tokR1, gzipped(t, body))
			c.gzip = true
			wantStatus(t, do(t, s, c), http.StatusRequestEntityTooLarge, string(comptoir.CodeBatchTooLarge))
			wantNothingStored(t, s, "R1")
			s.MaxBatchBytes = int64(len(body))
			wantAcked(t, do(t, s, push("R1", tokR1, body)), 20)
		}},
		{"TooManyEvents", func(t *testing.T, s *syncer.Server) {
			s.MaxBatchEvents = 3
			wantStatus(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 4)))), http.StatusRequestEntityTooLarge, string(comptoir.CodeBatchTooManyEvents))
			wantNothingStored(t, s, "R1")
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 3)))), 3)
		}},
		{"TruncatedJSON", func(t *testing.T, s *syncer.Server) {
			body := batchBody(t, sales(1, 3))
			c := push("R1", tokR1, body[:len(body)/2])
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBatch))
			wantNothingStored(t, s, "R1")
		}},
		{"BrokenGzip", func(t *testing.T, s *syncer.Server) {
			z := gzipped(t, batchBody(t, sales(1, 3)))
			for name, body := range map[string][]byte{"truncated": z[:len(z)-10], "not gzip": []byte("this is no gzip stream")} {
				c := push("R1", tokR1, body)
				c.gzip, c.invalid = true, true
				a := do(t, s, c)
				if a.status != http.StatusBadRequest {
					t.Fatalf("%s: got %d, want 400 (%s)", name, a.status, a.body)
				}
			}
			wantNothingStored(t, s, "R1")
		}},
		{"Gzip", func(t *testing.T, s *syncer.Server) {
			c := push("R1", tokR1, gzipped(t, batchBody(t, sales(1, 2))))
			c.gzip, c.acceptGzip = true, true
			a := do(t, s, c)
			wantAcked(t, a, 2)
			if got := a.header.Get("Content-Encoding"); got != "gzip" {
				t.Fatalf("Content-Encoding: got %q, want gzip", got)
			}
			// Without Accept-Encoding, the answer comes plain.
			a = do(t, s, status("R1", tokR1))
			if got := a.header.Get("Content-Encoding"); got != "" {
				t.Fatalf("Content-Encoding without Accept-Encoding: got %q, want none", got)
			}
		}},
		{"UnknownRegister", func(t *testing.T, s *syncer.Server) {
			wantStatus(t, do(t, s, status("R2", tokR2)), http.StatusNotFound, string(comptoir.CodeUnknownRegisterCentral))
		}},
		{"French", func(t *testing.T, s *syncer.Server) {
			c := push("R2", tokR1, batchBody(t, sales(1, 1)))
			c.header = map[string]string{"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
			a := do(t, s, c)
			if got := decode[syncer.ErrorResponse](t, a).Message; !strings.Contains(got, "ne parle pas") {
				t.Fatalf("message: got %q, want the French sentence", got)
			}
		}},
		{"Healthz", func(t *testing.T, s *syncer.Server) {
			a := do(t, s, call{method: http.MethodGet, path: "/healthz"})
			wantStatus(t, a, http.StatusOK, "")
			if got := decode[map[string]string](t, a)["status"]; got != "ok" {
				t.Fatalf("healthz: got %q, want ok", got)
			}
		}},
		{"OpenAPI", func(t *testing.T, s *syncer.Server) {
			a := do(t, s, call{method: http.MethodGet, path: "/v1/openapi.yaml"})
			wantStatus(t, a, http.StatusOK, "")
			if !bytes.Equal(a.body, syncer.OpenAPI) {
				t.Fatal("served document differs from the embedded one")
			}
		}},
	}
	for storeName, newStore := range centrals {
		for _, tt := range tests {
			t.Run(storeName+"/"+tt.name, func(t *testing.T) { tt.run(t, newServer(t, newStore)) })
		}
	}
}

// failingCentral fails as a disk would, with text a client must never see.
type failingCentral struct{}

var errDisk = errors.New("write /srv/central/secret.db: no space left on device")

func (failingCentral) Push(context.Context, string, []comptoir.Event) (comptoir.PushResult, error) {
	return comptoir.PushResult{}, errDisk
}

func (failingCentral) Register(context.Context, string) (comptoir.RegisterSummary, error) {
	return comptoir.RegisterSummary{}, comptoir.Wrap(comptoir.CodeDatabaseDamaged, errDisk, "central.db")
}

func (failingCentral) Setup(context.Context, string, comptoir.SetupRequest) (comptoir.Setup, error) {
	return comptoir.Setup{}, errDisk
}

func (failingCentral) Changes(context.Context, string, string, int) (comptoir.ChangesPage, error) {
	return comptoir.ChangesPage{}, errDisk
}

func (failingCentral) Member(context.Context, string, bool, string) (comptoir.CentralMember, error) {
	return comptoir.CentralMember{}, errDisk
}

func (failingCentral) MemberByEmail(context.Context, string, bool, string) (comptoir.CentralMember, error) {
	return comptoir.CentralMember{}, errDisk
}

func (failingCentral) Consent(context.Context, string, comptoir.CentralConsent) (comptoir.CentralMember, error) {
	return comptoir.CentralMember{}, errDisk
}

func (failingCentral) Erase(context.Context, string, string) error { return errDisk }

func (failingCentral) PutCatalog(context.Context, []comptoir.Product) (int, error) { return 0, errDisk }

func TestServer_InternalErrorHidden(t *testing.T) {
	s, err := syncer.NewServer(failingCentral{}, tokens)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	s.Logger = newTextLogger(&logged)
	for _, c := range []call{push("R1", tokR1, batchBody(t, sales(1, 1))), status("R1", tokR1),
		setupCall("R1", tokR1, []byte(`{"demo":false}`)), changes(tokR1, ""), member(memberCard, tokAdmin, false),
		memberByEmail("a@example.com", tokAdmin), consent(memberCard, tokAdmin, []byte(`{"channel":"email","granted":false,"via":"web"}`)),
		erase(memberCard, tokAdmin), catalog(tokAdmin, []byte(`{"products":[]}`))} {
		a := do(t, s, c)
		wantStatus(t, a, http.StatusInternalServerError, "internal")
		if bytes.Contains(a.body, []byte("secret")) || bytes.Contains(a.body, []byte("space")) {
			t.Fatalf("%s %s: internal text reached the client: %s", c.method, c.path, a.body)
		}
	}
	if !strings.Contains(logged.String(), "no space left") {
		t.Fatalf("log: got %q, want the cause", logged.String())
	}
}

func TestNewServer_Refusals(t *testing.T) {
	for name, toks := range map[string]map[string]string{
		"shared token":  {"R1": "same", "R2": "same"},
		"empty token":   {"R1": ""},
		"reserved name": {"Admin": "x"},
		"invalid name":  {"R 1": "x"},
	} {
		if _, err := syncer.NewServer(newBoltCentral(t), toks); err == nil {
			t.Errorf("%s: got no error, want a refusal", name)
		}
	}
}

func TestServer_ChainBreakLogged(t *testing.T) {
	var log bytes.Buffer
	s, err := syncer.NewServer(newBoltCentral(t), tokens)
	if err != nil {
		t.Fatal(err)
	}
	s.Logger = newTextLogger(&log)
	// Ticket 2 left out: ticket 3 goes under sequence 3 and does not link to ticket 1.
	events := sales(1, 4)
	broken := []comptoir.Event{events[0], events[1], events[3]}
	broken[2].Seq = 3
	wantAcked(t, do(t, s, push("R1", tokens["R1"], batchBody(t, broken))), 3)
	if got := summary(t, s, "R1"); got.ChainOK || got.ChainBreak != "ticket 3" {
		t.Fatalf("summary: chain ok %v, break %q, want false, ticket 3", got.ChainOK, got.ChainBreak)
	}
	if got := log.String(); !strings.Contains(got, "register chain broken") || !strings.Contains(got, "ticket 3") || !strings.Contains(got, "R1") {
		t.Errorf("log = %q, want one line naming R1 and ticket 3", got)
	}
	// Ticket 3's signature follows ticket 2's, which the central never got: a signature break
	// too, which the auditor finds after the push and the metric counts.
	if got := summary(t, s, "R1"); got.SignatureBreaks != 0 || got.SignaturesPending != 3 {
		t.Errorf("summary before the audit: %d breaks, %d pending, want 0 and 3", got.SignatureBreaks, got.SignaturesPending)
	}
	audit(t, s)
	if got := summary(t, s, "R1"); got.SignatureBreaks != 1 || got.Signed != 2 || got.ChainBreak != "ticket 3" {
		t.Errorf("summary: %d signatures checked, %d breaks, break %q, want 2, 1 and still ticket 3", got.Signed, got.SignatureBreaks, got.ChainBreak)
	}
	if got := value(sample(t, scrape(t, s), "comptoir_central_signature_breaks_total", map[string]string{"register": "R1"})); got != 1 {
		t.Errorf("comptoir_central_signature_breaks_total{register=R1} = %v, want 1", got)
	}
}
