package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
)

// simRegister is a simulated register: its events, built as the central checks them, and what
// it pushed.
type simRegister struct {
	name, token string
	events      []comptoir.Event
	tickets     uint64
	grand       comptoir.Money
}

// simMember is a member of the chain's loyalty scheme, enrolled by one register and earning
// points at all of them.
type simMember struct {
	id   comptoir.CustomerID
	card string
}

// newSimRegister makes a register's outbox: the enrolment of enrol, if given, then n sales of
// random amounts in cents, each ticket linked to the one before it as a register without a
// signing key pushes them, one in four to a random member of members, who earns a point per
// euro. balances adds up the points each member earns.
func newSimRegister(t *testing.T, name, token string, n int, enrol *simMember, members []simMember,
	balances map[comptoir.CustomerID]int64, rng *rand.Rand) *simRegister {
	t.Helper()
	r := &simRegister{name: name, token: token}
	add := func(typ string, payload []byte) {
		seq := uint64(len(r.events) + 1)
		r.events = append(r.events, comptoir.Event{Seq: seq, ID: fmt.Sprintf("%s-%d", name, seq), Type: typ,
			At: time.Date(2026, 11, 30, 8, 0, 0, int(seq)*1001, time.UTC), Payload: payload})
	}
	if enrol != nil {
		payload, err := json.Marshal(map[string]any{"id": enrol.id, "cards": []string{enrol.card},
			"basis": comptoir.BasisContract, "consent": map[comptoir.Channel]bool{comptoir.ChannelEmail: true}})
		if err != nil {
			t.Fatal(err)
		}
		add(comptoir.EventCustomerEnrolled, payload)
	}
	prev := ""
	for i := 1; i <= n; i++ {
		total := comptoir.Money(1 + rng.IntN(20_000))
		r.grand += total
		r.tickets++
		var member comptoir.CustomerID
		var points int64
		if rng.IntN(4) == 0 {
			member, points = members[rng.IntN(len(members))].id, int64(total)/100
			balances[member] += points
		}
		body, err := json.Marshal(struct {
			Register     string              `json:"register"`
			Number       uint64              `json:"number"`
			Total        comptoir.Money      `json:"total"`
			GrandTotal   comptoir.Money      `json:"grand_total"`
			PrevHash     string              `json:"prev_hash"`
			CustomerID   comptoir.CustomerID `json:"customer_id,omitempty"`
			PointsEarned int64               `json:"points_earned,omitempty"`
		}{name, uint64(i), total, r.grand, prev, member, points})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		prev = hex.EncodeToString(sum[:])
		payload, err := central.RecordPayload(name, prev, body, nil)
		if err != nil {
			t.Fatal(err)
		}
		add(comptoir.EventSaleRecorded, payload)
	}
	return r
}

// errDropped is a push whose answer the register never read: it may or may not have been
// applied.
var errDropped = errors.New("answer dropped")

// errLostAfterCommit is a push the central acknowledged whose answer was then lost: its batch is
// applied, and sending it again must change nothing.
var errLostAfterCommit = fmt.Errorf("acknowledged, %w", errDropped)

// How a push's answer is lost, if it is.
type dropMode int

const (
	// keepAnswer reads the answer.
	keepAnswer dropMode = iota
	// cancelAfterSend cancels the request as soon as it is sent: the central sees its client
	// go, and may or may not have committed the batch by then.
	cancelAfterSend
	// loseAnswer reads the central's whole answer, and so lets it commit, and then drops it, as
	// a proxy or the network would on the way back.
	loseAnswer
)

// pushOnce sends a batch to base, its answer lost as drop says. It returns nil once the central
// acknowledged the batch's last event, a permanent error for an answer no retry can change (a
// 4xx), and any other error for a push to try again elsewhere.
func pushOnce(client *http.Client, base string, r *simRegister, body []byte, last uint64, drop dropMode) (permanent, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if drop == cancelAfterSend {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/registers/"+r.name+"/events", bytes.NewReader(body))
	if err != nil {
		return err, nil
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if drop == cancelAfterSend && err != nil {
		return nil, errDropped
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if drop == loseAnswer && res.StatusCode == http.StatusOK {
		return nil, errLostAfterCommit
	}
	if drop == loseAnswer {
		return nil, errDropped
	}
	if res.StatusCode >= 400 && res.StatusCode < 500 {
		return fmt.Errorf("%s: status %d: %s", r.name, res.StatusCode, b), nil
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", res.StatusCode)
	}
	var ack comptoir.PushResult
	if err := json.Unmarshal(b, &ack); err != nil {
		return nil, err
	}
	if ack.AckedSeq != last {
		return fmt.Errorf("%s: batch up to %d acknowledged up to %d", r.name, last, ack.AckedSeq), nil
	}
	return nil, nil
}

// TestCentral_ScaleOutOnPostgres runs two comptoir-central processes on one PostgreSQL database
// and one key file, and has 50 simulated registers push their sales through both at random, in
// batches of 3 to 100 events. About one answer in eight is dropped, either by a cancel as soon
// as the batch is sent or after the central answered, and the register then sends the same batch
// to the other central; halfway through, one central is killed with SIGKILL and
// started again on the same database, the pushes it was answering retried on the other. At the
// end every register's summary holds what it pushed, to the event and to the cent, the database
// holds every (register, seq) once, and every member's balance is the points their sales earned
// at any register.
func TestCentral_ScaleOutOnPostgres(t *testing.T) {
	const (
		registers = 50
		perReg    = 600
		// The first members registers each enrol a member, at the start of their outbox.
		members = 20
		total   = registers*perReg + members
		// maxAttempts bounds a batch's retries, so that a central that never answers fails the
		// test instead of hanging it.
		maxAttempts = 200
	)
	db := pgURL(t)
	bin := buildCentral(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "central.key")
	admin := "admin-token-0123456789abcdef"
	var lines bytes.Buffer
	fmt.Fprintf(&lines, "%s %s\n", comptoir.AdminName, admin)
	rng := rand.New(rand.NewPCG(11, 4))
	chain := make([]simMember, members)
	for i := range chain {
		chain[i] = simMember{id: comptoir.CustomerID(fmt.Sprintf("M%016x", i+1)), card: comptoir.CardNumber(uint64(1000 + i))}
	}
	balances := map[comptoir.CustomerID]int64{}
	regs := make([]*simRegister, registers)
	for i := range regs {
		name, token := fmt.Sprintf("R%02d", i+1), fmt.Sprintf("scale-token-%02d-0123456789abcdef", i+1)
		fmt.Fprintf(&lines, "%s %s\n", name, token)
		var enrol *simMember
		if i < members {
			enrol = &chain[i]
		}
		regs[i] = newSimRegister(t, name, token, perReg, enrol, chain, balances, rand.New(rand.NewPCG(uint64(i), 7)))
	}
	tokFile := filepath.Join(dir, "tokens.txt")
	if err := os.WriteFile(tokFile, lines.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	// The first central creates the key file and stores its check in the database; the second
	// starts once it has, as a second machine given the same file would.
	procs := [2]*centralProcess{startCentralProcess(t, bin, db, tokFile, "--key", key)}
	procs[1] = startCentralProcess(t, bin, db, tokFile, "--key", key)
	var urls [2]atomic.Pointer[string]
	for i, p := range procs {
		urls[i].Store(&p.url)
	}
	// restarted counts the pushes the restarted central acknowledged.
	var acked, dropped, lostAfterCommit, retried, restartedServed atomic.Int64
	var restarted atomic.Pointer[string]
	halfway := make(chan struct{})
	var halfOnce sync.Once
	client := &http.Client{Timeout: time.Minute}
	errs := make(chan error, registers)
	var wg sync.WaitGroup
	for i, r := range regs {
		seed := rng.Uint64()
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			for next := 0; next < len(r.events); {
				n := min(3+rng.IntN(98), len(r.events)-next)
				batch := r.events[next : next+n]
				body, err := json.Marshal(map[string]any{"events": batch})
				if err != nil {
					errs <- err
					return
				}
				last := batch[n-1].Seq
				target := rng.IntN(2)
				for attempt := 1; ; attempt++ {
					base := *urls[target].Load()
					// One answer in eight is lost, half of them before the central may commit.
					drop := keepAnswer
					if rng.IntN(8) == 0 {
						drop = cancelAfterSend + dropMode(rng.IntN(2))
					}
					permanent, err := pushOnce(client, base, r, body, last, drop)
					if permanent != nil {
						errs <- permanent
						return
					}
					if err == nil {
						if p := restarted.Load(); p != nil && *p == base {
							restartedServed.Add(1)
						}
						break
					}
					if errors.Is(err, errDropped) {
						dropped.Add(1)
					}
					if errors.Is(err, errLostAfterCommit) {
						lostAfterCommit.Add(1)
					}
					if attempt == maxAttempts {
						errs <- fmt.Errorf("%s: batch up to %d not acknowledged after %d attempts: %v", r.name, last, attempt, err)
						return
					}
					// The same batch, to the other central.
					retried.Add(1)
					target = 1 - target
				}
				next += n
				if acked.Add(int64(n)) >= total/2 {
					halfOnce.Do(func() { close(halfway) })
				}
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()

	select {
	case <-halfway:
	case <-finished:
		t.Fatal("the registers finished before halfway")
	}
	// Killed while registers push through it: its open transactions die with its connections, and
	// the registers whose pushes it held retry them on the other central.
	if err := procs[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-procs[0].done
	_ = procs[0].cmd.Wait()
	killedAt := acked.Load()
	procs[0] = startCentralProcess(t, bin, db, tokFile, "--key", key)
	restarted.Store(&procs[0].url)
	urls[0].Store(&procs[0].url)
	<-finished
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d events in %d registers; killed after %d acknowledged; %d answers dropped, %d batches sent again, %d of them acknowledged already; the restarted central acknowledged %d pushes",
		total, registers, killedAt, dropped.Load(), retried.Load(), lostAfterCommit.Load(), restartedServed.Load())

	// Every register's figures, as both centrals give them, are what it pushed.
	for i, r := range regs {
		p := procs[i%2]
		sum := p.summary(t, r.name, admin)
		if sum.AckedSeq != uint64(len(r.events)) || sum.Tickets != r.tickets || sum.GrandTotal != r.grand || !sum.ChainOK ||
			sum.Rejected != 0 || sum.Conflicts != 0 {
			t.Errorf("%s: summary %+v; want %d events, %d tickets, %d cents, an intact chain, nothing refused",
				r.name, sum, len(r.events), r.tickets, r.grand)
		}
	}
	// And the database holds every event once.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows, pairs, ids, complete int64
	err = conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT (register, seq)), count(DISTINCT id),
		(SELECT count(*) FROM (SELECT register FROM events GROUP BY register HAVING count(*) = max(seq) AND min(seq) = 1) r)
		FROM events`).Scan(&rows, &pairs, &ids, &complete)
	if err != nil {
		t.Fatal(err)
	}
	if rows != total || pairs != total || ids != total || complete != registers {
		t.Errorf("events: %d rows, %d distinct (register, seq), %d distinct ids, %d registers with every event from 1; want %d, %d, %d, %d",
			rows, pairs, ids, complete, total, total, total, registers)
	}
	// And every member's balance is the points they earned, wherever, each sale counted once.
	got := map[comptoir.CustomerID]int64{}
	dbRows, err := conn.Query(ctx, "SELECT id, balance FROM members")
	if err != nil {
		t.Fatal(err)
	}
	for dbRows.Next() {
		var id string
		var balance int64
		if err := dbRows.Scan(&id, &balance); err != nil {
			t.Fatal(err)
		}
		got[comptoir.CustomerID(id)] = balance
	}
	if err := dbRows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != members {
		t.Errorf("%d members in the database, want %d", len(got), members)
	}
	for _, m := range chain {
		if got[m.id] != balances[m.id] {
			t.Errorf("member %s: balance %d, want %d", m.id, got[m.id], balances[m.id])
		}
	}
}
