// Package syncer holds the wire protocol between registers and the central: the HTTP handler the
// central serves and the OpenAPI document (openapi.yaml) it is tested against (server.go for
// pushes and summaries, server_feed.go for set-up, the change feed and the back office,
// metrics.go for /metrics), and the other side, a client of every endpoint (client.go,
// client_feed.go) and the Syncer that drains the outbox through it (syncer.go).
package syncer

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
)

// OpenAPI is the document the protocol is written down in, served at /v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

// registerName is the register names the store accepts (store.Open checks the same pattern), so
// that a name the central answers about is one a register can have.
var registerName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Server is the central's HTTP handler. Its storage is an interface, so that the embedded bbolt
// central and a PostgreSQL one serve the same protocol.
type Server struct {
	// Central applies pushed batches (it answers only after its commit is durable, and so does
	// the server), hands registers their set-up and change feed, and answers the back office.
	Central comptoir.CentralService
	// MaxBatchBytes bounds a push's body once decompressed; MaxBatchEvents its number of events.
	// Zero means the defaults, comptoir.MaxBatchBytes and comptoir.MaxBatchEvents.
	MaxBatchBytes  int64
	MaxBatchEvents int
	// Logger receives what clients are never told: the text of unexpected errors.
	Logger *slog.Logger

	tokens  []token
	mux     *http.ServeMux
	metrics *metrics
}

// token is one name's credential, kept as a digest so that every comparison takes the same time
// whatever the lengths of the tokens compared.
type token struct {
	name   string
	digest [sha256.Size]byte
}

// NewServer builds the handler over a store and the tokens by name: one per register and
// comptoir.AdminName for the administrator. A token shared by two names is refused, since it
// could not say whom it speaks for.
func NewServer(central comptoir.CentralService, tokens map[string]string) (*Server, error) {
	s := &Server{Central: central, mux: http.NewServeMux()}
	seen := make(map[[sha256.Size]byte]string)
	for name, tok := range tokens {
		if name != comptoir.AdminName {
			if err := CheckRegister(name); err != nil {
				return nil, err
			}
		}
		if tok == "" {
			return nil, fmt.Errorf("syncer: empty token for %q", name)
		}
		d := sha256.Sum256([]byte(tok))
		if other, ok := seen[d]; ok {
			return nil, fmt.Errorf("syncer: %q and %q share one token", other, name)
		}
		seen[d] = name
		s.tokens = append(s.tokens, token{name: name, digest: d})
	}
	s.metrics = newMetrics(s)
	s.mux.HandleFunc("POST /v1/registers/{register}/events", s.handlePush)
	s.mux.HandleFunc("POST /v1/registers/{register}/setup", s.handleSetup)
	s.mux.HandleFunc("GET /v1/registers/{register}", s.handleRegister)
	s.mux.HandleFunc("GET /v1/changes", s.handleChanges)
	s.mux.HandleFunc("GET /v1/members/{card}", s.handleMember)
	s.mux.HandleFunc("GET /v1/members", s.handleMemberByEmail)
	s.mux.HandleFunc("POST /v1/members/{card}/consent", s.handleConsent)
	s.mux.HandleFunc("POST /v1/members/{card}/erase", s.handleErase)
	s.mux.HandleFunc("PUT /v1/catalog", s.handleCatalog)
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("GET /v1/openapi.yaml", s.handleOpenAPI)
	s.mux.Handle("GET /metrics", s.metrics.handler())
	return s, nil
}

// ServeHTTP routes a request and times it for the latency histogram, by the route it matched
// rather than its path, so that card numbers and register names never become labels.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(sw, r)
	s.metrics.observeRequest(r.Pattern, sw.status, time.Since(start))
}

// statusWriter remembers the status a handler answered with, for the metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's own writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) maxBytes() int64 {
	if s.MaxBatchBytes > 0 {
		return s.MaxBatchBytes
	}
	return comptoir.MaxBatchBytes
}

func (s *Server) maxEvents() int {
	if s.MaxBatchEvents > 0 {
		return s.MaxBatchEvents
	}
	return comptoir.MaxBatchEvents
}

// CheckRegister refuses a name no register can have (CodeInvalidRegister), and the
// administrator's in any case (CodeReservedRegister), so that "Admin" cannot pass for a register
// beside "admin".
func CheckRegister(name string) error {
	if strings.EqualFold(name, comptoir.AdminName) {
		return comptoir.E(comptoir.CodeReservedRegister, name)
	}
	if !registerName.MatchString(name) {
		return comptoir.E(comptoir.CodeInvalidRegister, name)
	}
	return nil
}

// authenticate names who the request's bearer token belongs to. Every known token is compared,
// in constant time, so that the time taken says nothing of which one came close.
func (s *Server) authenticate(r *http.Request) (string, error) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", comptoir.E(comptoir.CodeUnauthorized)
	}
	d := sha256.Sum256([]byte(tok))
	who := ""
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare(d[:], t.digest[:]) == 1 {
			who = t.name
		}
	}
	if who == "" {
		return "", comptoir.E(comptoir.CodeUnauthorized)
	}
	return who, nil
}

// authorize checks the token, then the register named in the path, then that the token speaks
// for it: its own register's token, or the administrator's when admin is allowed.
func (s *Server) authorize(r *http.Request, admin bool) (string, error) {
	who, err := s.authenticate(r)
	if err != nil {
		return "", err
	}
	register := r.PathValue("register")
	if err := CheckRegister(register); err != nil {
		return "", err
	}
	if who != register && !(admin && who == comptoir.AdminName) {
		return "", comptoir.E(comptoir.CodeForbiddenRegister, register)
	}
	return register, nil
}

// handlePush applies a batch. Only the register's own token pushes: the administrator reads but
// never writes a register's journal.
func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	register, err := s.authorize(r, false)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	events, err := DecodeBatch(r.Body, r.Header.Get("Content-Encoding"), s.maxBytes(), s.maxEvents())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Central.Push(r.Context(), register, events)
	s.metrics.observePush(r.Context(), register, res, err)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if res.ChainBreak != "" {
		// Flagged, never refused: the events are the register's record and stay, but someone
		// must look, so the break is said once, when it happens.
		s.logger().Warn("register chain broken", "register", register, "first_broken", res.ChainBreak)
	}
	s.writeJSON(w, r, http.StatusOK, res)
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	register, err := s.authorize(r, true)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	sum, err := s.Central.Register(r.Context(), register)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, sum)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	s.write(w, r, http.StatusOK, OpenAPI)
}

// batch is a push's body.
type batch struct {
	Events []comptoir.Event `json:"events"`
}

// DecodeBatch reads a push's body: gzip undone when encoding says so, at most maxBytes once
// decompressed, at most maxEvents events, each with a sequence number, an id, a type, a time and
// a payload. It reads everything before the store sees anything, so that a refused body stores
// nothing. Refusals: CodeBatchTooLarge, CodeBatchTooManyEvents, CodeMalformedBatch.
func DecodeBatch(body io.Reader, encoding string, maxBytes int64, maxEvents int) ([]comptoir.Event, error) {
	data, err := readBody(body, encoding, maxBytes, comptoir.CodeBatchTooLarge, comptoir.CodeMalformedBatch)
	if err != nil {
		return nil, err
	}
	var b batch
	if events, ok := decodeBatchFast(data); ok {
		b.Events = events
	} else if err := decodeStrict(data, &b, comptoir.CodeMalformedBatch); err != nil {
		return nil, err
	}
	if b.Events == nil {
		return nil, comptoir.E(comptoir.CodeMalformedBatch, "no events list")
	}
	if len(b.Events) > maxEvents {
		return nil, comptoir.E(comptoir.CodeBatchTooManyEvents, maxEvents)
	}
	for i, e := range b.Events {
		if e.Seq == 0 || e.ID == "" || e.Type == "" || e.At.IsZero() || len(e.Payload) == 0 {
			return nil, comptoir.E(comptoir.CodeMalformedBatch, fmt.Sprintf("event %d lacks seq, id, type, at or payload", i+1))
		}
	}
	return b.Events, nil
}

// readBody reads a request's whole body, gzip undone when encoding says so, at most maxBytes once
// decompressed: tooLarge past it, malformed for a broken or truncated gzip stream or an encoding
// the central does not speak. Everything is read before anything is decoded or stored, so that
// a refused body stores nothing.
func readBody(body io.Reader, encoding string, maxBytes int64, tooLarge, malformed comptoir.Code) ([]byte, error) {
	// The body as sent is bounded too: gzip members that decompress to nothing would otherwise
	// let a client stream forever under the decompressed limit. Compression can grow
	// incompressible data a little, hence the margin.
	body = &cappedReader{r: body, left: maxBytes + maxBytes/64 + 4096}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, comptoir.E(malformed, "broken gzip")
		}
		defer zr.Close()
		body = zr
	default:
		return nil, comptoir.E(malformed, "unknown Content-Encoding")
	}
	// A batch of 1 000 events is about 600 kB: a buffer that starts at 64 kB and doubles copies
	// it less than one grown from nothing, and costs a small body little.
	buf := bytes.NewBuffer(make([]byte, 0, min(maxBytes+1, 64<<10)))
	_, err := buf.ReadFrom(io.LimitReader(body, maxBytes+1))
	data := buf.Bytes()
	if errors.Is(err, errCapped) {
		return nil, comptoir.E(tooLarge, maxBytes)
	}
	if err != nil {
		return nil, comptoir.E(malformed, "broken or truncated gzip")
	}
	if int64(len(data)) > maxBytes {
		return nil, comptoir.E(tooLarge, maxBytes)
	}
	return data, nil
}

// decodeStrict reads exactly one JSON document into v, refusing unknown fields and anything
// after the document, so that a typo in a field's name is said rather than ignored.
func decodeStrict(data []byte, v any, malformed comptoir.Code) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return comptoir.E(malformed, "truncated JSON")
		}
		return comptoir.E(malformed, "invalid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return comptoir.E(malformed, "data after the document")
	}
	return nil
}

// errCapped ends a body longer than a cappedReader allows.
var errCapped = errors.New("syncer: body over its cap")

// cappedReader reads at most left bytes and fails past them, where io.LimitReader would end
// quietly and let a cut body pass for a short one.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, errCapped
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// status is the HTTP status of each refusal a client can act on. A code missing here is a
// failure of the central itself: 500, its text only in the log.
var status = map[comptoir.Code]int{
	comptoir.CodeMalformedBatch:         http.StatusBadRequest,
	comptoir.CodeInvalidRegister:        http.StatusBadRequest,
	comptoir.CodeReservedRegister:       http.StatusBadRequest,
	comptoir.CodeUnauthorized:           http.StatusUnauthorized,
	comptoir.CodeForbiddenRegister:      http.StatusForbidden,
	comptoir.CodeUnknownRegisterCentral: http.StatusNotFound,
	comptoir.CodeSeqGap:                 http.StatusConflict,
	comptoir.CodeSeqConflict:            http.StatusConflict,
	comptoir.CodeDuplicateEventID:       http.StatusConflict,
	comptoir.CodeBatchTooLarge:          http.StatusRequestEntityTooLarge,
	comptoir.CodeBatchTooManyEvents:     http.StatusRequestEntityTooLarge,

	// The pull and the back office.
	comptoir.CodeMalformedBody:    http.StatusBadRequest,
	comptoir.CodeBodyTooLarge:     http.StatusRequestEntityTooLarge,
	comptoir.CodeInvalidParameter: http.StatusBadRequest,
	comptoir.CodeAdminOnly:        http.StatusForbidden,
	comptoir.CodeRegisterOnly:     http.StatusForbidden,
	comptoir.CodeUnknownCard:      http.StatusNotFound,
	comptoir.CodeUnknownCustomer:  http.StatusNotFound,
	comptoir.CodeCustomerErased:   http.StatusGone,
	comptoir.CodeStopProcessing:   http.StatusConflict,
	comptoir.CodeNotACard:         http.StatusBadRequest,
	comptoir.CodeInvalidEmail:     http.StatusBadRequest,
	comptoir.CodeUnknownChannel:   http.StatusBadRequest,
	comptoir.CodeUnknownVia:       http.StatusBadRequest,
	comptoir.CodeInvalidCursor:    http.StatusBadRequest,
	// The central was put back from an older backup than the cursor: the register's state and
	// the central's disagree, which the register settles by starting its feed again.
	comptoir.CodeCursorAhead: http.StatusConflict,
	// A product of a price list that cannot be sold: the whole list is refused.
	comptoir.CodeGTINLength:     http.StatusBadRequest,
	comptoir.CodeGTINChars:      http.StatusBadRequest,
	comptoir.CodeGTINCheckDigit: http.StatusBadRequest,
	comptoir.CodeProductIsCard:  http.StatusBadRequest,
	comptoir.CodeEmptyName:      http.StatusBadRequest,
	comptoir.CodeInvalidPrice:   http.StatusBadRequest,
	comptoir.CodeAmountTooLarge: http.StatusBadRequest,
	comptoir.CodeUnknownVATRate: http.StatusBadRequest,
}

// ErrorResponse is the body of every refusal.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// ExpectedSeq comes with seq_gap: the sequence number the central expects next.
	ExpectedSeq uint64 `json:"expected_seq,omitempty"`
}

// Error answers a refusal with its status and sentence, in French when the request prefers it.
// Anything that is not a refusal a client can act on is logged and answered with a generic 500:
// a disk path or a store's internals never reach a client.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	var e *comptoir.Error
	code := http.StatusInternalServerError
	if errors.As(err, &e) {
		if c, ok := status[e.Code]; ok {
			code = c
		}
	}
	if code == http.StatusInternalServerError {
		s.logger().Error("central: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg := "internal error: the central logged it; retry later"
		if prefersFrench(r) {
			msg = "erreur interne : la centrale l'a consignée ; réessayez plus tard"
		}
		s.writeJSON(w, r, code, ErrorResponse{Code: "internal", Message: msg})
		return
	}
	lang := comptoir.LangEN
	if prefersFrench(r) {
		lang = comptoir.LangFR
	}
	// The sentence is built without the cause: a refusal's cause may be a system error.
	resp := ErrorResponse{Code: string(e.Code), Message: (&comptoir.Error{Code: e.Code, Args: e.Args}).Message(lang)}
	if e.Code == comptoir.CodeSeqGap && len(e.Args) > 0 {
		resp.ExpectedSeq = asSeq(e.Args[0])
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="comptoir"`)
	}
	s.writeJSON(w, r, code, resp)
}

// asSeq reads a sequence number from a refusal's values, whichever integer type the store used.
func asSeq(v any) uint64 {
	switch n := v.(type) {
	case uint64:
		return n
	case int:
		if n > 0 {
			return uint64(n)
		}
	case int64:
		if n > 0 {
			return uint64(n)
		}
	case uint:
		return uint64(n)
	}
	return 0
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// prefersFrench reads Accept-Language's first choice; English is the default of a machine
// talking to a machine.
func prefersFrench(r *http.Request) bool {
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(first)), "fr")
}

func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, code int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.logger().Error("central: encode answer", "err", err)
		code, data = http.StatusInternalServerError, []byte(`{"code":"internal","message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	s.write(w, r, code, append(data, '\n'))
}

// write sends a body, gzip-compressed when the request accepts it.
func (s *Server) write(w http.ResponseWriter, r *http.Request, code int, data []byte) {
	w.Header().Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r) {
		w.WriteHeader(code)
		_, _ = w.Write(data)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(code)
	zw := gzip.NewWriter(w)
	_, _ = zw.Write(data)
	_ = zw.Close()
}

// acceptsGzip reads Accept-Encoding, honouring an explicit refusal (gzip;q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
