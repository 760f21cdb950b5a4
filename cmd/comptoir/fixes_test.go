package main

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

// settle hands a message to the register's screens, then the answers of the commands it starts,
// in the test's goroutine, until none is left.
func settle(m tea.Model, msgs ...tea.Msg) {
	for _, msg := range msgs {
		queue := []tea.Msg{msg}
		for len(queue) > 0 {
			msg := queue[0]
			queue = queue[1:]
			if _, quit := msg.(tea.QuitMsg); quit || msg == nil {
				continue
			}
			_, c := m.Update(msg)
			if c == nil {
				continue
			}
			switch out := c().(type) {
			case tea.BatchMsg:
				for _, c := range out {
					if c != nil {
						queue = append(queue, c())
					}
				}
			default:
				queue = append(queue, out)
			}
		}
	}
}

// enterLine types a line and Enter on the register's screens.
func enterLine(m tea.Model, s string) {
	settle(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}, tea.KeyMsg{Type: tea.KeyEnter})
}

// logins counts the logins and the logouts of each user in the audit trail of a closed register.
func logins(t *testing.T, db string) (in, out map[string]int) {
	t.Helper()
	s, err := store.Open(db, store.Options{MustExist: true, PINIterations: testPINIterations})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	audit, err := s.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in, out = map[string]int{}, map[string]int{}
	for _, e := range audit {
		switch e.Action {
		case comptoir.AuditLogin:
			in[e.Who]++
		case comptoir.AuditLogout:
			out[e.Who]++
		}
	}
	return in, out
}

// TestRegisterClose_LogsOutEveryStep quits the register (closes it as Ctrl+C twice does) while a
// user who logged in is at a step other than the sale: each login gets its logout.
func TestRegisterClose_LogsOutEveryStep(t *testing.T) {
	t.Run("choosing a new PIN", func(t *testing.T) {
		db := dbPath(t)
		r, err := openRegister(registerEnv(db, nil), registerFlags{})
		if err != nil {
			t.Fatal(err)
		}
		m := r.model()
		settle(m, tea.WindowSizeMsg{Width: 80, Height: 24})
		enterLine(m, comptoir.FirstManagerID)
		enterLine(m, r.firstPIN)
		if _, err := r.close(m); err != nil {
			t.Fatal(err)
		}
		in, out := logins(t, db)
		if got, want := in[comptoir.FirstManagerID], 1; got != want {
			t.Fatalf("%d logins of %s, want %d", got, comptoir.FirstManagerID, want)
		}
		if got, want := out[comptoir.FirstManagerID], 1; got != want {
			t.Errorf("%d logouts of %s, want %d", got, comptoir.FirstManagerID, want)
		}
	})
	t.Run("a manager at the manager prompt", func(t *testing.T) {
		db := dbPath(t)
		r, err := openRegister(registerEnv(db, nil), registerFlags{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := r.store.ChangePIN(ctx, comptoir.FirstManagerID, "7391", comptoir.FirstManagerID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.store.AddUser(ctx, comptoir.NewUser{ID: "camille", Role: comptoir.RoleCashier, PIN: "1357"}, comptoir.FirstManagerID); err != nil {
			t.Fatal(err)
		}
		if err := r.store.ChangePIN(ctx, "camille", "2580", "camille"); err != nil {
			t.Fatal(err)
		}
		m := r.model()
		settle(m, tea.WindowSizeMsg{Width: 80, Height: 24})
		enterLine(m, "camille")
		enterLine(m, "2580")
		settle(m, tea.KeyMsg{Type: tea.KeyF5})
		enterLine(m, comptoir.FirstManagerID)
		enterLine(m, "7391")
		if _, err := r.close(m); err != nil {
			t.Fatal(err)
		}
		in, out := logins(t, db)
		for _, id := range []string{"camille", comptoir.FirstManagerID} {
			if in[id] != 1 || out[id] != 1 {
				t.Errorf("%s: %d logins and %d logouts, want 1 of each", id, in[id], out[id])
			}
		}
	})
}
