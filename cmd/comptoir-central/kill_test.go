package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

// buildCentral builds this command into a directory of the test's, so that the kill test kills
// the real program, not a goroutine of the test.
func buildCentral(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is needed to build comptoir-central for the kill test")
	}
	bin := filepath.Join(t.TempDir(), "comptoir-central")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// centralProcess is a running comptoir-central and what it said on stderr.
type centralProcess struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{} // closed once stderr is read to its end
}

// listeningAddr finds the central's address in its log line: its URL, or its bare address as the
// first version wrote it.
var listeningAddr = regexp.MustCompile(`msg="central listening" (?:url=(\S+)|addr=(\S+))`)

// startCentralProcess runs the built central on db, with extra arguments after its own, and
// returns once it listens.
func startCentralProcess(t *testing.T, bin, db, tokens string, extra ...string) *centralProcess {
	t.Helper()
	args := append([]string{"--addr", "127.0.0.1:0", "--db", db, "--tokens", tokens, "--lang", "en"}, extra...)
	p := &centralProcess{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// A process still running at the end of a failed test is not left behind.
		_ = p.cmd.Process.Kill()
		<-p.done
		_ = p.cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listeningAddr.FindStringSubmatch(sc.Text()); m != nil {
				if m[1] != "" {
					addr <- m[1]
				} else {
					addr <- "http://" + m[2]
				}
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
	}()
	select {
	case p.url = <-addr:
	case <-p.done:
		t.Fatalf("comptoir-central ended before listening:\n%s", p.log())
	case <-time.After(time.Minute):
		// A log line this test no longer recognises would otherwise hang it until its timeout.
		t.Fatalf("comptoir-central did not say where it listens within a minute:\n%s", p.log())
	}
	return p
}

func (p *centralProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// summary asks the central about a register with the administrator's token.
func (p *centralProcess) summary(t *testing.T, register, admin string) comptoir.RegisterSummary {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.url+"/v1/registers/"+register, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s comptoir.RegisterSummary
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/registers/%s: %d, %v", register, resp.StatusCode, err)
	}
	return s
}

// audited waits for the central's auditor to have checked every signature the register pushed,
// and returns the register's summary then. The auditor runs in the central's process, which no
// hook of the test's reaches: its summary is read again every few milliseconds, for a minute at
// most.
func (p *centralProcess) audited(t *testing.T, register, admin string) comptoir.RegisterSummary {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(time.Minute)
	for {
		sum := p.summary(t, register, admin)
		if sum.SignaturesPending == 0 {
			return sum
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d signatures still pending after a minute", register, sum.SignaturesPending)
		}
		<-tick.C
	}
}

// ackWatch is a Pusher between a Syncer and its client that remembers the highest sequence the
// central acknowledged in an answer the register received, and says when the registers together
// saw a given number acknowledged.
type ackWatch struct {
	next  syncer.Pusher
	acked atomic.Uint64
	total *atomic.Uint64
	// inflight counts the pushes of every register under way, to say whether a kill landed
	// during one.
	inflight *atomic.Uint64
	at       uint64
	hit      chan struct{}
	once     *sync.Once
}

func (w *ackWatch) Push(ctx context.Context, register string, events []comptoir.Event) (comptoir.PushResult, error) {
	w.inflight.Add(1)
	res, err := w.next.Push(ctx, register, events)
	w.inflight.Add(^uint64(0))
	if err == nil {
		if prev := w.acked.Swap(res.AckedSeq); res.AckedSeq > prev {
			if w.total.Add(res.AckedSeq-prev) >= w.at {
				w.once.Do(func() { close(w.hit) })
			}
		} else {
			w.acked.Store(prev)
		}
	}
	return res, err
}

// TestCentral_KillDuringIngest builds comptoir-central, runs it on a durable file, and kills it
// with SIGKILL while three registers push to it, twice. Started again on the same file, it holds
// every event a register saw acknowledged, and the registers' syncers, resumed, finish with every event
// there exactly once and the central's figures equal to each register's.
func TestCentral_KillDuringIngest(t *testing.T) {
	const (
		registers = 3
		perReg    = 2000
		// perRegEvents is a register's outbox: its key record's event, which its first sale
		// made first, then one event per sale.
		perRegEvents = perReg + 1
	)
	// killAts are the events acknowledged, all registers together, at which the central is killed.
	killAts := []uint64{1500, 3500}
	bin := buildCentral(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "central.db")
	tokens := map[string]string{comptoir.AdminName: "admin-token-0123456789abcdef"}
	var lines bytes.Buffer
	for i := 1; i <= registers; i++ {
		tokens[fmt.Sprintf("R%d", i)] = fmt.Sprintf("kill-token-%02d-0123456789abcdef", i)
	}
	for name, tok := range tokens {
		fmt.Fprintf(&lines, "%s %s\n", name, tok)
	}
	tokFile := filepath.Join(dir, "tokens.txt")
	if err := os.WriteFile(tokFile, lines.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}
	regs := make([]*store.Store, registers)
	for i := range regs {
		reg, err := store.Open(filepath.Join(dir, fmt.Sprintf("r%d.db", i+1)), store.Options{Register: fmt.Sprintf("R%d", i+1), NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		defer reg.Close()
		// No catalogue import: a ticket carries its lines, and the import's technical event
		// would be one more event to count.
		for sold := 0; sold < perReg; sold += 200 {
			drafts := make([]comptoir.SaleDraft, 200)
			for k := range drafts {
				q := int64((sold+k)%5 + 1)
				drafts[k] = comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, q)},
					Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: p.Price * comptoir.Money(q)}}}
			}
			if _, err := reg.RecordSales(ctx, drafts); err != nil {
				t.Fatal(err)
			}
		}
		regs[i] = reg
	}

	var total, inflight atomic.Uint64
	watches := make([]*ackWatch, registers)
	for i := range watches {
		watches[i] = &ackWatch{total: &total, inflight: &inflight}
	}
	noWait := func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	var central *centralProcess
	// Killed twice, once early and once well into the registers' outboxes, each time started
	// again on the same file and checked before the registers go on.
	for _, killAt := range killAts {
		central = startCentralProcess(t, bin, db, tokFile)
		hit := make(chan struct{})
		var once sync.Once
		var killed atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, registers)
		for i, reg := range regs {
			name := fmt.Sprintf("R%d", i+1)
			client, err := syncer.NewClient(central.url, tokens[name])
			if err != nil {
				t.Fatal(err)
			}
			w := watches[i]
			w.next, w.at, w.hit, w.once = client, killAt, hit, &once
			// Pushes only: the watch in between is a Pusher, not the central's feed.
			s := &syncer.Syncer{Outbox: reg, Central: w, Register: name, MaxEvents: 100, MaxAttempts: 2, Sleep: noWait}
			wg.Go(func() {
				for {
					rep, err := s.Run(ctx)
					switch {
					case err != nil && killed.Load():
						// The central is gone: what this register saw acknowledged is in its watch.
						return
					case err != nil:
						errs <- fmt.Errorf("%s before the kill at %d: %w", name, killAt, err)
						return
					case rep.Pending == 0:
						// Pushed everything before the kill: the others are still pushing.
						return
					}
				}
			})
		}
		select {
		case <-hit:
		case err := <-errs:
			t.Fatalf("%v\n%s", err, central.log())
		}
		// The registers are pushing: the kill lands during their batches.
		killed.Store(true)
		busy := inflight.Load()
		if err := central.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-central.done
		_ = central.cmd.Wait()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		t.Logf("killed after %d events acknowledged; pushes in flight: %d", total.Load(), busy)

		central = startCentralProcess(t, bin, db, tokFile)
		for i, w := range watches {
			name := fmt.Sprintf("R%d", i+1)
			sum := central.summary(t, name, tokens[comptoir.AdminName])
			t.Logf("%s: acknowledged %d before the kill as the register saw it, %d at the central after", name, w.acked.Load(), sum.AckedSeq)
			if sum.AckedSeq < w.acked.Load() {
				t.Errorf("%s: the central holds up to %d after the kill, the register saw %d acknowledged", name, sum.AckedSeq, w.acked.Load())
			}
		}
		if killAt != killAts[len(killAts)-1] {
			// Stopped to be killed again by the next round, started afresh.
			_ = central.cmd.Process.Signal(syscall.SIGTERM)
			<-central.done
			_ = central.cmd.Wait()
		}
	}

	// The registers resume, each pushing what its outbox still holds.
	for i, reg := range regs {
		name := fmt.Sprintf("R%d", i+1)
		client, err := syncer.NewClient(central.url, tokens[name])
		if err != nil {
			t.Fatal(err)
		}
		// The resumed syncer pulls as well: the central killed twice sets the register up and
		// serves its feed.
		s := &syncer.Syncer{Outbox: reg, Central: client, Feed: reg, Register: name, MaxEvents: 100, Sleep: noWait}
		if rep, err := s.Run(ctx); err != nil || rep.Pending != 0 || !rep.Pulled {
			t.Fatalf("%s: resumed Run = %+v, %v; want everything acknowledged and the feed read", name, rep, err)
		}
		rep, err := reg.Verify(ctx)
		if err != nil || rep.Broken != nil {
			t.Fatalf("%s: Verify = %+v, %v", name, rep, err)
		}
		sum := central.summary(t, name, tokens[comptoir.AdminName])
		if sum.AckedSeq != perRegEvents || sum.Tickets != uint64(rep.Tickets) || sum.GrandTotal != rep.GrandTotal ||
			!sum.ChainOK || sum.Conflicts != 0 || sum.Rejected != 0 {
			t.Errorf("%s: central summary %+v; want acked %d, %d tickets, %d cents, an intact chain, nothing refused",
				name, sum, perRegEvents, rep.Tickets, rep.GrandTotal)
		}
		// Every record is signed, and the auditor, killed with the central and started again with
		// it, goes on from its cursor, which committed with what it had counted: each signature
		// checked once, none found broken, the last signature of each chain the one the next
		// record's follows.
		sum = central.audited(t, name, tokens[comptoir.AdminName])
		if sum.Signed != perRegEvents || sum.SignatureBreaks != 0 || !sum.ChainOK {
			t.Errorf("%s: %d signatures checked, %d breaks; want %d and none", name, sum.Signed, sum.SignatureBreaks, perRegEvents)
		}
	}

	// Stopped as an operator would, the file holds each register's events 1 to perRegEvents once.
	if err := central.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-central.done
	if err := central.cmd.Wait(); err != nil {
		t.Fatalf("comptoir-central after SIGTERM: %v\n%s", err, central.log())
	}
	bdb, err := bbolt.Open(db, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.View(func(tx *bbolt.Tx) error {
		for i := 1; i <= registers; i++ {
			b := tx.Bucket([]byte(fmt.Sprintf("events/R%d", i)))
			if b == nil {
				return fmt.Errorf("no events for R%d", i)
			}
			var want uint64 = 1
			if err := b.ForEach(func(k, _ []byte) error {
				if got := binary.BigEndian.Uint64(k); got != want {
					return fmt.Errorf("R%d: event %d stored after %d", i, got, want-1)
				}
				want++
				return nil
			}); err != nil {
				return err
			}
			if want-1 != perRegEvents {
				return fmt.Errorf("R%d: %d events stored, want %d", i, want-1, perRegEvents)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
