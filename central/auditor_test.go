package central

import (
	"context"
	"testing"
)

func TestAuditTurns_RunStoppedShortHasAnotherTurn(t *testing.T) {
	// R1's runs stop short of its acknowledged events (a bound of bytes, say) twice, with fewer
	// events than the limit; R2 is caught up in one run. Every run is committed, and R1 is read
	// until caught up.
	left := map[string]int{"R1": 3, "R2": 1}
	reads := map[string]int{}
	committed := 0
	read := func(register string) (*AuditRun, error) {
		if left[register] == 0 {
			return nil, nil
		}
		reads[register]++
		left[register]--
		return &AuditRun{Register: register, N: 2, More: left[register] > 0}, nil
	}
	commit := func(runs []*AuditRun) error {
		committed += len(runs)
		return nil
	}
	if err := AuditTurns(context.Background(), []string{"R1", "R2"}, 100, read, commit, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := reads["R1"], 3; got != want {
		t.Errorf("R1 read %d times, want %d", got, want)
	}
	if got, want := reads["R2"], 1; got != want {
		t.Errorf("R2 read %d times, want %d", got, want)
	}
	if got, want := committed, 4; got != want {
		t.Errorf("%d runs committed, want %d", got, want)
	}
}
