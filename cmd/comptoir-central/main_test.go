package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
	"github.com/comptoir/comptoir/store"
)

func noEnv(string) string { return "" }

func TestParseFlags_Defaults(t *testing.T) {
	got, err := parseFlags([]string{"--tokens", "t.txt"}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := config{addr: defaultAddr, db: defaultDB, tokens: "t.txt", maxBody: comptoir.MaxBatchBytes,
		maxEvents: comptoir.MaxBatchEvents, lang: comptoir.LangFR}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestParseFlags_Values(t *testing.T) {
	got, err := parseFlags([]string{"--addr", ":9000", "--db=/srv/c.db", "--tokens", "t", "--max-body", "1024",
		"--max-events", "10", "--lang", "en", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := config{addr: ":9000", db: "/srv/c.db", tokens: "t", maxBody: 1024, maxEvents: 10, lang: comptoir.LangEN,
		tlsCert: "c.pem", tlsKey: "k.pem"}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestRun_UsageErrors(t *testing.T) {
	tests := map[string][]string{
		"no tokens":      {},
		"unknown flag":   {"--tokens", "t", "--port", "1"},
		"extra argument": {"--tokens", "t", "serve"},
		"zero max-body":  {"--tokens", "t", "--max-body", "0"},
		"bad max-events": {"--tokens", "t", "--max-events", "x"},
		"bad language":   {"--tokens", "t", "--lang", "de"},
	}
	for name, args := range tests {
		var stderr bytes.Buffer
		if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{open: openCentral}); got != exitUsage {
			t.Errorf("%s: exit code got %d, want %d (%s)", name, got, exitUsage, stderr.String())
		}
		if !strings.HasPrefix(stderr.String(), "comptoir-central: ") {
			t.Errorf("%s: stderr got %q, want one line starting with the command's name", name, stderr.String())
		}
	}
}

func TestRun_Help(t *testing.T) {
	var stderr bytes.Buffer
	if got := run(context.Background(), []string{"-h"}, func(k string) string {
		if k == "COMPTOIR_LANG" {
			return "en"
		}
		return ""
	}, io.Discard, &stderr, &hooks{open: openCentral}); got != exitOK {
		t.Fatalf("exit code: got %d, want 0", got)
	}
	if !strings.HasPrefix(stderr.String(), "usage: comptoir-central --tokens FILE") {
		t.Fatalf("help: got %q", stderr.String())
	}
}

func writeTokens(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens.txt")
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

const goodTokens = "# the shop's registers\nR1 0123456789abcdef01\n\nR2   fedcba9876543210fe\nadmin aaaaaaaaaaaaaaaaaaaa\n"

func TestReadTokens_OK(t *testing.T) {
	got, err := readTokens(writeTokens(t, goodTokens, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"R1": "0123456789abcdef01", "R2": "fedcba9876543210fe", "admin": "aaaaaaaaaaaaaaaaaaaa"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: got %q, want %q", k, got[k], v)
		}
	}
}

func TestReadTokens_Refusals(t *testing.T) {
	tests := []struct {
		name, text string
		mode       os.FileMode
		want       string // in the English sentence
	}{
		{"world readable", goodTokens, 0o644, "open to everyone"},
		{"three fields", "R1 0123456789abcdef01 extra\n", 0o600, "line 1: want"},
		{"one field", "\nR1\n", 0o600, "line 2: want"},
		{"short token", "R1 short\n", 0o600, "token too short"},
		{"twice", "R1 0123456789abcdef01\nR1 0123456789abcdef02\n", 0o600, "line 2: \"R1\" already has a token"},
		{"reserved", "Admin 0123456789abcdef01\n", 0o600, "reserved"},
		{"invalid name", "R/1 0123456789abcdef01\n", 0o600, "line 1:"},
		{"empty", "# nothing\n", 0o600, "holds no token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readTokens(writeTokens(t, tt.text, tt.mode))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// TestRun_PushToTheEmbeddedCentral runs the command on its bbolt file and pushes a register's
// real outbox to it: a register's sales, a replay of the same batch, then the summary the admin
// reads, whose tickets and grand total are the register's own.
func TestRun_PushToTheEmbeddedCentral(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	reg, err := store.Open(filepath.Join(dir, "register.db"), store.Options{Register: "R1"})
	if err != nil {
		t.Fatal(err)
	}
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}
	if _, err := reg.ImportProducts(ctx, []comptoir.Product{p}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, 2)},
			Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: comptoir.Euros(7, 90)}}}
		if _, err := reg.RecordSale(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	events, err := reg.Outbox(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	grand, _ := reg.GrandTotal(ctx)
	reg.Close()

	addr := make(chan string, 1)
	passed := make(chan struct{}, 1)
	h := &hooks{open: openCentral, listening: func(a string) { addr <- a }, auditPassed: func() {
		select {
		case passed <- struct{}{}:
		default:
		}
	}}
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "central.db"),
			"--tokens", writeTokens(t, goodTokens, 0o600)}, noEnv, io.Discard, &stderr, h)
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case code := <-exited:
		t.Fatalf("the central stopped with %d: %s", code, stderr.String())
	}
	body, err := json.Marshal(map[string]any{"events": events})
	if err != nil {
		t.Fatal(err)
	}
	for _, attempt := range []string{"first push", "replay"} {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/registers/R1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer 0123456789abcdef01")
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ack comptoir.PushResult
		err = json.NewDecoder(res.Body).Decode(&ack)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || ack.AckedSeq != events[len(events)-1].Seq {
			t.Fatalf("%s: status %d, ack %+v (%v), want 200 and %d", attempt, res.StatusCode, ack, err, events[len(events)-1].Seq)
		}
	}
	summary := func() comptoir.RegisterSummary {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/registers/R1", nil)
		req.Header.Set("Authorization", "Bearer aaaaaaaaaaaaaaaaaaaa")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var sum comptoir.RegisterSummary
		err = json.NewDecoder(res.Body).Decode(&sum)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if sum := summary(); sum.Tickets != 3 || sum.GrandTotal != grand || !sum.ChainOK {
		t.Errorf("summary %+v, want 3 tickets, grand total %v, chain intact", sum, grand)
	}
	// The command's auditor, woken by the push, checks every signature in the background.
	for {
		<-passed
		if sum := summary(); sum.SignaturesPending == 0 {
			if sum.Signed != uint64(len(events)) || sum.SignatureBreaks != 0 || !sum.ChainOK {
				t.Errorf("summary %+v, want %d signatures good", sum, len(events))
			}
			break
		}
	}
	cancel()
	if got := <-exited; got != exitOK {
		t.Fatalf("exit code %d: %s", got, stderr.String())
	}
}

// blockingCentral holds a push until released, to see the shutdown wait for it. The rest of the
// service is never called.
type blockingCentral struct {
	comptoir.CentralService
	entered, release chan struct{}
}

func (b *blockingCentral) Push(ctx context.Context, register string, events []comptoir.Event) (comptoir.PushResult, error) {
	close(b.entered)
	<-b.release
	return comptoir.PushResult{AckedSeq: uint64(len(events))}, nil
}

func (b *blockingCentral) Register(context.Context, string) (comptoir.RegisterSummary, error) {
	return comptoir.RegisterSummary{}, comptoir.E(comptoir.CodeUnknownRegisterCentral, "R1")
}

type closeCounter struct{ n int }

func (c *closeCounter) Close() error { c.n++; return nil }

// TestRun_ShutdownFinishesInFlight stops the central while a push is being committed: the push
// is answered, then the store is closed and the command exits 0.
func TestRun_ShutdownFinishesInFlight(t *testing.T) {
	central := &blockingCentral{entered: make(chan struct{}), release: make(chan struct{})}
	closer := &closeCounter{}
	addr := make(chan string, 1)
	stopping := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &hooks{
		open:         func(context.Context, config) (comptoir.CentralService, io.Closer, error) { return central, closer, nil },
		listening:    func(a string) { addr <- a },
		shuttingDown: func() { close(stopping) },
	}
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"--addr", "127.0.0.1:0", "--tokens", writeTokens(t, goodTokens, 0o600)}, noEnv, io.Discard, &stderr, h)
	}()
	base := "http://" + <-addr
	answered := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/registers/R1/events", strings.NewReader(
			`{"events":[{"seq":1,"id":"a","type":"sale.recorded","at":"2026-11-29T10:00:00Z","payload":{}}]}`))
		req.Header.Set("Authorization", "Bearer 0123456789abcdef01")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("push: %v", err)
			answered <- nil
			return
		}
		answered <- res
	}()
	<-central.entered
	cancel()
	<-stopping
	close(central.release)
	if res := <-answered; res == nil || res.StatusCode != http.StatusOK {
		t.Fatalf("in-flight push: got %v, want 200", res)
	} else {
		res.Body.Close()
	}
	if got := <-exited; got != exitOK {
		t.Fatalf("exit code: got %d, want 0 (%s)", got, stderr.String())
	}
	if closer.n != 1 {
		t.Fatalf("store closed %d times, want 1", closer.n)
	}
}

// auditedCentral is a central whose auditor runs until its context ends and says when it has
// stopped, so that the test sees the store closed only after it.
type auditedCentral struct {
	blockingCentral
	running chan struct{}
	stopped bool
}

func (a *auditedCentral) RunAuditor(ctx context.Context, _ central.AuditorOptions) {
	close(a.running)
	<-ctx.Done()
	a.stopped = true
}

// auditCloser fails the test when the store is closed while its auditor runs.
type auditCloser struct {
	t *testing.T
	a *auditedCentral
}

func (c auditCloser) Close() error {
	if !c.a.stopped {
		c.t.Error("the store closed while its auditor ran")
	}
	return nil
}

// TestRun_AuditorStoppedBeforeClose starts the central on a store with an auditor: the command
// runs it, and at shutdown stops it before closing the store.
func TestRun_AuditorStoppedBeforeClose(t *testing.T) {
	central := &auditedCentral{running: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &hooks{open: func(context.Context, config) (comptoir.CentralService, io.Closer, error) {
		return central, auditCloser{t: t, a: central}, nil
	}}
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"--addr", "127.0.0.1:0", "--tokens", writeTokens(t, goodTokens, 0o600)}, noEnv, io.Discard, &stderr, h)
	}()
	select {
	case <-central.running:
	case code := <-exited:
		t.Fatalf("the central stopped with %d before running its auditor: %s", code, stderr.String())
	}
	cancel()
	if got := <-exited; got != exitOK {
		t.Fatalf("exit code: got %d, want 0 (%s)", got, stderr.String())
	}
	if !central.stopped {
		t.Error("the auditor still runs after the command returned")
	}
}

func TestReadTokens_Missing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.txt")
	_, err := readTokens(path)
	for lang, want := range map[comptoir.Lang]string{comptoir.LangFR: "fichier introuvable : " + path, comptoir.LangEN: "file not found: " + path} {
		if got := comptoir.Message(err, lang); got != want {
			t.Errorf("%s: %q, want %q: the whole sentence in the user's language", lang, got, want)
		}
	}
}
