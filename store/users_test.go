package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"go.etcd.io/bbolt"
)

// userIterations keeps the PIN hashes of these tests fast.
const userIterations = 1000

// userOpts are the options of a store on a fixed clock with cheap PIN hashes.
func userOpts(c *clock) store.Options {
	o := opts(c)
	o.PINIterations = userIterations
	return o
}

// withUsers opens a store with the manager "anne" (PIN 2468) and the cashier "marie" (PIN 1357),
// who chose their own PINs.
func withUsers(t *testing.T, c *clock) *store.Store {
	t.Helper()
	s := mustOpen(t, dbPath(t), userOpts(c))
	ctx := context.Background()
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "anne", Role: comptoir.RoleManager, PIN: "2468"}, "setup"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "Marie", Role: comptoir.RoleCashier, PIN: "9051"}, "anne"); err != nil {
		t.Fatal(err)
	}
	// Marie chooses her own PIN, as her first login asks.
	if err := s.ChangePIN(ctx, "marie", "1357", "marie"); err != nil {
		t.Fatal(err)
	}
	return s
}

// lastAudit returns the last n entries of the audit trail.
func lastAudit(tb testing.TB, s *store.Store, n int) []comptoir.AuditEntry {
	tb.Helper()
	all := auditTrail(tb, s)
	if len(all) < n {
		tb.Fatalf("audit trail has %d entries, want at least %d", len(all), n)
	}
	return all[len(all)-n:]
}

// wantAudit checks who did what in an audit entry.
func wantAudit(tb testing.TB, e comptoir.AuditEntry, who string, action comptoir.AuditAction, detail string) {
	tb.Helper()
	if e.Who != who || e.Action != action || e.Detail != detail || e.Customer != "" {
		tb.Errorf("audit entry %+v, want who %q, action %q, detail %q, no member", e, who, action, detail)
	}
}

func TestUsers_AddAndList(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), userOpts(newClock(day0)))
	if has, err := s.HasUsers(ctx); err != nil || has {
		t.Fatalf("HasUsers on a new database = %v, %v; want false", has, err)
	}
	// The first user must be a manager.
	_, err := s.AddUser(ctx, comptoir.NewUser{ID: "marie", Role: comptoir.RoleCashier, PIN: "1357"}, "setup")
	wantErr(t, err, comptoir.E(comptoir.CodeFirstUserManager))
	if has, _ := s.HasUsers(ctx); has {
		t.Fatalf("a refused first cashier was added")
	}
	anne, err := s.AddUser(ctx, comptoir.NewUser{ID: " Anne ", Role: comptoir.RoleManager, PIN: "2468"}, "setup")
	if err != nil {
		t.Fatal(err)
	}
	if anne.ID != "anne" || anne.Role != comptoir.RoleManager || anne.MustChangePIN || anne.Disabled || !anne.CreatedAt.Equal(day0) {
		t.Errorf("first user = %+v, want manager anne who chose her PIN", anne)
	}
	marie, err := s.AddUser(ctx, comptoir.NewUser{ID: "marie", Role: comptoir.RoleCashier, PIN: "1357"}, "anne")
	if err != nil {
		t.Fatal(err)
	}
	if !marie.MustChangePIN || marie.CreatedBy != "anne" {
		t.Errorf("user added by a manager = %+v, want MustChangePIN and CreatedBy anne", marie)
	}

	for name, tt := range map[string]struct {
		u    comptoir.NewUser
		want comptoir.Code
	}{
		"taken ID":      {comptoir.NewUser{ID: "MARIE", Role: comptoir.RoleCashier, PIN: "1357"}, comptoir.CodeUserExists},
		"invalid ID":    {comptoir.NewUser{ID: "1234", Role: comptoir.RoleCashier, PIN: "1357"}, comptoir.CodeInvalidUserID},
		"unknown role":  {comptoir.NewUser{ID: "paul", Role: "admin", PIN: "1357"}, comptoir.CodeUnknownRole},
		"trivial PIN":   {comptoir.NewUser{ID: "paul", Role: comptoir.RoleCashier, PIN: "0000"}, comptoir.CodePINTrivial},
		"short PIN":     {comptoir.NewUser{ID: "paul", Role: comptoir.RoleCashier, PIN: "135"}, comptoir.CodePINLength},
		"letters (PIN)": {comptoir.NewUser{ID: "paul", Role: comptoir.RoleCashier, PIN: "13a7"}, comptoir.CodePINDigits},
	} {
		_, err := s.AddUser(ctx, tt.u, "anne")
		if !isCode(err, tt.want) {
			t.Errorf("%s: AddUser = %v, want %s", name, err, tt.want)
		}
	}

	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(users), 2; got != want {
		t.Fatalf("Users = %+v, want %d users", users, want)
	}
	if !reflect.DeepEqual(users, []comptoir.User{anne, marie}) {
		t.Errorf("Users = %+v, want anne then marie as added", users)
	}
	if u, err := s.User(ctx, "Marie"); err != nil || u != marie {
		t.Errorf("User(Marie) = %+v, %v; want %+v", u, err, marie)
	}
	_, err = s.User(ctx, "paul")
	wantErr(t, err, comptoir.E(comptoir.CodeUnknownUser))
	if has, err := s.HasUsers(ctx); err != nil || !has {
		t.Errorf("HasUsers = %v, %v; want true", has, err)
	}
	trail := lastAudit(t, s, 2)
	wantAudit(t, trail[0], "setup", comptoir.AuditUserAdded, "anne")
	wantAudit(t, trail[1], "anne", comptoir.AuditUserAdded, "marie")
}

// TestUsers_PINNeverStoredInClear reads the users bucket directly: it holds a salted hash, never
// the PIN.
func TestUsers_PINNeverStoredInClear(t *testing.T) {
	path := dbPath(t)
	s := mustOpen(t, path, userOpts(newClock(day0)))
	if _, err := s.AddUser(context.Background(), comptoir.NewUser{ID: "anne", Role: comptoir.RoleManager, PIN: "24681357"}, ""); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	var raw []byte
	editDB(t, path, func(tx *bbolt.Tx) error {
		raw = slices.Clone(tx.Bucket([]byte("users")).Get([]byte("anne")))
		return nil
	})
	if len(raw) < 2 {
		t.Fatalf("users/anne = %q", raw)
	}
	var rec struct {
		PIN comptoir.PINHash `json:"pin"`
	}
	if err := json.Unmarshal(raw[1:], &rec); err != nil {
		t.Fatal(err)
	}
	if !rec.PIN.Verify("24681357") || rec.PIN.Iterations != userIterations || len(rec.PIN.Salt) != 16 {
		t.Errorf("stored PIN hash %+v does not verify the PIN with %d iterations and a 16-byte salt", rec.PIN, userIterations)
	}
	for i := 0; i+8 <= len(raw); i++ {
		if string(raw[i:i+8]) == "24681357" {
			t.Fatalf("the PIN is in the record in clear: %q", raw)
		}
	}
}

func TestUsers_Authenticate(t *testing.T) {
	ctx := context.Background()
	s := withUsers(t, newClock(day0))
	u, err := s.Authenticate(ctx, "Marie", "1357")
	if err != nil || u.ID != "marie" || u.Role != comptoir.RoleCashier {
		t.Fatalf("Authenticate(marie, right PIN) = %+v, %v", u, err)
	}
	wantAudit(t, lastAudit(t, s, 1)[0], "marie", comptoir.AuditLogin, "")
	if err := s.Logout(ctx, "marie"); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, lastAudit(t, s, 1)[0], "marie", comptoir.AuditLogout, "")

	// An unknown ID and a wrong PIN get the same refusal, with the same values and words.
	_, wrongPIN := s.Authenticate(ctx, "marie", "9999")
	_, unknown := s.Authenticate(ctx, "paul", "1357")
	_, invalid := s.Authenticate(ctx, "1357", "2468")
	for name, err := range map[string]error{"wrong PIN": wrongPIN, "unknown ID": unknown, "invalid ID": invalid} {
		wantErr(t, err, comptoir.E(comptoir.CodeLoginRefused))
		if got, want := comptoir.Message(err, comptoir.LangFR), comptoir.Message(wrongPIN, comptoir.LangFR); got != want {
			t.Errorf("%s: %q, want the same words as a wrong PIN, %q", name, got, want)
		}
		if args := errArgs(t, err); len(args) != 0 {
			t.Errorf("%s: the refusal carries %v, which could tell IDs apart", name, args)
		}
	}
	// Every refused PIN is in the audit trail; a mistyped ID that is no ID at all (a PIN typed in
	// the ID field) is not written.
	trail := lastAudit(t, s, 3)
	wantAudit(t, trail[0], "marie", comptoir.AuditPINRefused, "")
	wantAudit(t, trail[1], "paul", comptoir.AuditPINRefused, "")
	wantAudit(t, trail[2], "", comptoir.AuditPINRefused, "")
}

// TestUsers_Lockout types five wrong PINs: the user is locked for a minute, even with the right
// PIN, and the lock survives closing the store; after the minute the right PIN works again.
func TestUsers_Lockout(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	path := dbPath(t)
	s := mustOpen(t, path, userOpts(clk))
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "anne", Role: comptoir.RoleManager, PIN: "2468"}, ""); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		clk.Set(day0.Add(time.Duration(i) * time.Second))
		_, err := s.Authenticate(ctx, "anne", "1111")
		wantErr(t, err, comptoir.E(comptoir.CodeLoginRefused))
	}
	clk.Set(day0.Add(5 * time.Second))
	_, err := s.Authenticate(ctx, "anne", "1111")
	wantErr(t, err, comptoir.E(comptoir.CodeUserLocked))
	if got, want := errArgs(t, err), []any{"anne", comptoir.MaxPINFailures, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("locked refusal args = %v, want %v", got, want)
	}
	if got := comptoir.Message(err, comptoir.LangFR); !strings.Contains(got, "réessayez dans 1 min") {
		t.Errorf("locked refusal %q does not say how long to wait", got)
	}

	// The lock is in the file, not in the process.
	mustClose(t, s)
	s = mustOpen(t, path, userOpts(clk))
	clk.Set(day0.Add(64 * time.Second))
	_, err = s.Authenticate(ctx, "anne", "2468")
	wantErr(t, err, comptoir.E(comptoir.CodeUserLocked))
	wantAudit(t, lastAudit(t, s, 1)[0], "anne", comptoir.AuditPINRefused, "locked")

	clk.Set(day0.Add(65 * time.Second))
	if _, err := s.Authenticate(ctx, "anne", "2468"); err != nil {
		t.Fatalf("Authenticate a minute after the lock = %v, want the login", err)
	}
	// The login forgot the failures: four more wrong PINs do not lock.
	for range 4 {
		_, err := s.Authenticate(ctx, "anne", "1111")
		wantErr(t, err, comptoir.E(comptoir.CodeLoginRefused))
	}
	if _, err := s.Authenticate(ctx, "anne", "2468"); err != nil {
		t.Fatalf("Authenticate after four wrong PINs = %v, want the login", err)
	}
}

// TestUsers_LockoutOneTryAfterTheMinute checks the rule after a lock: one try, and a wrong one
// locks again at once.
func TestUsers_LockoutOneTryAfterTheMinute(t *testing.T) {
	ctx := context.Background()
	clk := newClock(day0)
	s := withUsers(t, clk)
	for range comptoir.MaxPINFailures {
		_, _ = s.Authenticate(ctx, "marie", "1111")
	}
	clk.Set(day0.Add(time.Minute))
	_, err := s.Authenticate(ctx, "marie", "1111")
	wantErr(t, err, comptoir.E(comptoir.CodeUserLocked))
	clk.Set(day0.Add(90 * time.Second))
	_, err = s.Authenticate(ctx, "marie", "1357")
	wantErr(t, err, comptoir.E(comptoir.CodeUserLocked))
	// A manager's new PIN unlocks at once.
	if err := s.ChangePIN(ctx, "marie", "8642", "anne"); err != nil {
		t.Fatal(err)
	}
	u, err := s.Authenticate(ctx, "marie", "8642")
	if err != nil || !u.MustChangePIN {
		t.Errorf("Authenticate after a manager's reset = %+v, %v; want the login, with a PIN to change", u, err)
	}
}

func TestUsers_ChangePIN(t *testing.T) {
	ctx := context.Background()
	s := withUsers(t, newClock(day0))
	u, err := s.User(ctx, "marie")
	if err != nil || u.MustChangePIN {
		t.Fatalf("marie after choosing her PIN = %+v, %v; want no PIN to change", u, err)
	}
	wantErr(t, s.ChangePIN(ctx, "marie", "4321", "marie"), comptoir.E(comptoir.CodePINTrivial))
	wantErr(t, s.ChangePIN(ctx, "paul", "8642", "anne"), comptoir.E(comptoir.CodeUnknownUser))
	if err := s.ChangePIN(ctx, "marie", "8642", "anne"); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, lastAudit(t, s, 1)[0], "anne", comptoir.AuditPINChanged, "marie")
	if _, err := s.Authenticate(ctx, "marie", "1357"); !isCode(err, comptoir.CodeLoginRefused) {
		t.Errorf("the old PIN after a change: %v, want refused", err)
	}
	// A PIN given by someone else must be changed, and not for itself.
	wantErr(t, s.ChangePIN(ctx, "marie", "8642", "marie"), comptoir.E(comptoir.CodePINUnchanged))
	if err := s.ChangePIN(ctx, "marie", "7531", "marie"); err != nil {
		t.Fatal(err)
	}
	if u, err := s.Authenticate(ctx, "marie", "7531"); err != nil || u.MustChangePIN {
		t.Errorf("Authenticate with the PIN she chose = %+v, %v", u, err)
	}
}

func TestUsers_Disable(t *testing.T) {
	ctx := context.Background()
	s := withUsers(t, newClock(day0))
	// The last active manager stays.
	wantErr(t, s.DisableUser(ctx, "anne", "anne"), comptoir.E(comptoir.CodeLastManager))
	if err := s.DisableUser(ctx, "marie", "anne"); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, lastAudit(t, s, 1)[0], "anne", comptoir.AuditUserDisabled, "marie")
	// Disabling again changes nothing and records nothing.
	n := len(auditTrail(t, s))
	if err := s.DisableUser(ctx, "marie", "anne"); err != nil {
		t.Fatal(err)
	}
	if got := len(auditTrail(t, s)); got != n {
		t.Errorf("disabling a disabled user added %d audit entries", got-n)
	}
	// A disabled user learns it only with the right PIN; a wrong one gets the usual refusal.
	_, err := s.Authenticate(ctx, "marie", "9999")
	wantErr(t, err, comptoir.E(comptoir.CodeLoginRefused))
	_, err = s.Authenticate(ctx, "marie", "1357")
	wantErr(t, err, comptoir.E(comptoir.CodeUserDisabled))
	wantAudit(t, lastAudit(t, s, 1)[0], "marie", comptoir.AuditPINRefused, "disabled")
	wantErr(t, s.ChangePIN(ctx, "marie", "8642", "anne"), comptoir.E(comptoir.CodeUserDisabled))
	// With a second manager, the first may go.
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "bruno", Role: comptoir.RoleManager, PIN: "8642"}, "anne"); err != nil {
		t.Fatal(err)
	}
	if err := s.DisableUser(ctx, "anne", "bruno"); err != nil {
		t.Errorf("DisableUser(anne) with another manager = %v", err)
	}
	users, _ := s.Users(ctx)
	if got, want := len(users), 3; got != want {
		t.Errorf("%d users listed, want %d: disabled users stay listed", got, want)
	}
}

func TestUsers_EnsureFirstManager(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, dbPath(t), userOpts(newClock(day0)))
	pin, err := s.EnsureFirstManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := comptoir.ValidatePIN(pin); err != nil || len(pin) != 6 {
		t.Fatalf("generated PIN %q: %v, want six digits ValidatePIN accepts", pin, err)
	}
	u, err := s.User(ctx, comptoir.FirstManagerID)
	if err != nil || u.Role != comptoir.RoleManager || !u.MustChangePIN {
		t.Fatalf("the first manager = %+v, %v; want a manager who must change the PIN", u, err)
	}
	wantAudit(t, lastAudit(t, s, 1)[0], "comptoir", comptoir.AuditUserAdded, "gerant")
	// The PIN is given once: a second call changes nothing.
	again, err := s.EnsureFirstManager(ctx)
	if err != nil || again != "" {
		t.Errorf("EnsureFirstManager on a database with users = %q, %v; want \"\"", again, err)
	}
	if u, err := s.Authenticate(ctx, "gerant", pin); err != nil || !u.MustChangePIN {
		t.Errorf("Authenticate(gerant, generated PIN) = %+v, %v", u, err)
	}
	wantErr(t, s.ChangePIN(ctx, "gerant", pin, "gerant"), comptoir.E(comptoir.CodePINUnchanged))
}

// TestUsers_HashGrowsAtLogin opens a store with more iterations than a PIN was hashed with: the
// next login remakes the hash with the new count, and the PIN keeps working.
func TestUsers_HashGrowsAtLogin(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, userOpts(clk))
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "anne", Role: comptoir.RoleManager, PIN: "2468"}, ""); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	o := userOpts(clk)
	o.PINIterations = 2 * userIterations
	s = mustOpen(t, path, o)
	if _, err := s.Authenticate(ctx, "anne", "2468"); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	var rec struct {
		PIN comptoir.PINHash `json:"pin"`
	}
	editDB(t, path, func(tx *bbolt.Tx) error {
		return json.Unmarshal(tx.Bucket([]byte("users")).Get([]byte("anne"))[1:], &rec)
	})
	if got, want := rec.PIN.Iterations, 2*userIterations; got != want || !rec.PIN.Verify("2468") {
		t.Errorf("hash after a login with more iterations: %d iterations, want %d and the PIN verified", got, want)
	}
}

// TestUsers_MigrationAddsBucket turns a new file back into a version-4 one, without users: Open
// migrates it to version 5 with the users bucket, and users can be added.
func TestUsers_MigrationAddsBucket(t *testing.T) {
	path := dbPath(t)
	clk := newClock(day0)
	s := mustOpen(t, path, userOpts(clk))
	mustRecord(t, s, byCard(line(pomme, 1)))
	mustClose(t, s)
	editDB(t, path, func(tx *bbolt.Tx) error {
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema"), u64(4)); err != nil {
			return err
		}
		return tx.DeleteBucket([]byte("users"))
	})
	s = mustOpen(t, path, userOpts(clk))
	if _, err := s.AddUser(context.Background(), comptoir.NewUser{ID: "anne", Role: comptoir.RoleManager, PIN: "2468"}, ""); err != nil {
		t.Fatalf("AddUser after migration: %v", err)
	}
	mustClose(t, s)
	if got, want := readSchema(t, path), uint64(7); got != want {
		t.Errorf("schema after migration = %d, want %d", got, want)
	}
}

func TestUsers_CancelledContext(t *testing.T) {
	s := withUsers(t, newClock(day0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Authenticate(ctx, "marie", "1357"); !errors.Is(err, context.Canceled) {
		t.Errorf("Authenticate with a cancelled context = %v", err)
	}
	if _, err := s.AddUser(ctx, comptoir.NewUser{ID: "paul", Role: comptoir.RoleCashier, PIN: "8642"}, "anne"); !errors.Is(err, context.Canceled) {
		t.Errorf("AddUser with a cancelled context = %v", err)
	}
}
