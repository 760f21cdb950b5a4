package comptoir_test

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// testIterations keeps the hashes of these tests fast; the rules do not depend on the count.
const testIterations = 1000

func TestValidatePIN_Refusals(t *testing.T) {
	tests := []struct {
		pin  string
		want *comptoir.Error
	}{
		{"2468", nil},
		{"1357", nil},
		{"9051", nil},
		{"20260315", nil},
		{"0001", nil},
		{"1235", nil},
		{"", comptoir.E(comptoir.CodePINLength)},
		{"123", comptoir.E(comptoir.CodePINLength)},
		{"123456789", comptoir.E(comptoir.CodePINLength)},
		{"12a4", comptoir.E(comptoir.CodePINDigits)},
		{"12 45", comptoir.E(comptoir.CodePINDigits)},
		{"١٢٣٤", comptoir.E(comptoir.CodePINDigits)}, // Arabic-Indic digits are not ASCII digits.
		{"0000", comptoir.E(comptoir.CodePINTrivial)},
		{"99999999", comptoir.E(comptoir.CodePINTrivial)},
		{"1234", comptoir.E(comptoir.CodePINTrivial)},
		{"0123", comptoir.E(comptoir.CodePINTrivial)},
		{"4321", comptoir.E(comptoir.CodePINTrivial)},
		{"98765", comptoir.E(comptoir.CodePINTrivial)},
		{"1212", comptoir.E(comptoir.CodePINTrivial)},
		{"123123", comptoir.E(comptoir.CodePINTrivial)},
		{"12341234", comptoir.E(comptoir.CodePINTrivial)},
	}
	for _, tt := range tests {
		err := comptoir.ValidatePIN(tt.pin)
		checkErr(t, err, tt.want)
	}
	// The refusal of a trivial PIN says why, with examples, in both languages.
	err := comptoir.ValidatePIN("1111")
	contains(t, "trivial PIN, fr", comptoir.Message(err, fr), "trop facile à deviner")
	contains(t, "trivial PIN, en", comptoir.Message(err, en), "too easy to guess")
	contains(t, "length, fr", comptoir.Message(comptoir.ValidatePIN("12"), fr), "de 4 à 8 chiffres")
}

// TestValidatePIN_LeavesMostPINs checks that the trivial-PIN rules refuse few four-digit PINs: a
// rule that refused thousands would push cashiers to write their PIN down.
func TestValidatePIN_LeavesMostPINs(t *testing.T) {
	refused := 0
	for i := range 10000 {
		pin := []byte{byte('0' + i/1000), byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)}
		if comptoir.ValidatePIN(string(pin)) != nil {
			refused++
		}
	}
	// 10 repeated digits, 7 runs up, 7 runs down, 90 pairs of two different digits repeated.
	if got, want := refused, 114; got != want {
		t.Errorf("%d four-digit PINs refused, want %d", got, want)
	}
}

func TestGeneratePIN_Valid(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pin := comptoir.GeneratePIN()
		if got, want := len(pin), 6; got != want {
			t.Fatalf("GeneratePIN() = %q, %d digits, want %d", pin, got, want)
		}
		if err := comptoir.ValidatePIN(pin); err != nil {
			t.Errorf("GeneratePIN() = %q, which ValidatePIN refuses: %v", pin, err)
		}
		seen[pin] = true
	}
	// Fifty draws among a million PINs: a repeat would mean a broken source.
	if len(seen) < 49 {
		t.Errorf("50 generated PINs hold only %d different ones", len(seen))
	}
}

func TestHashPIN_SaltedAndVerified(t *testing.T) {
	a, err := comptoir.HashPIN("2468", testIterations)
	if err != nil {
		t.Fatal(err)
	}
	b, err := comptoir.HashPIN("2468", testIterations)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Verify("2468") || !b.Verify("2468") {
		t.Errorf("a hash does not verify its own PIN")
	}
	for _, wrong := range []string{"2469", "", "24680", "2468 "} {
		if a.Verify(wrong) {
			t.Errorf("hash of 2468 verifies %q", wrong)
		}
	}
	if got, want := len(a.Salt), 16; got != want {
		t.Errorf("salt of %d bytes, want %d", got, want)
	}
	if bytes.Equal(a.Salt, b.Salt) || bytes.Equal(a.Key, b.Key) {
		t.Errorf("two hashes of one PIN share their salt or key: %x/%x, %x/%x", a.Salt, b.Salt, a.Key, b.Key)
	}
	if got, want := a.Iterations, testIterations; got != want {
		t.Errorf("Iterations = %d, want %d", got, want)
	}
	if got, want := a.Algorithm, comptoir.PINAlgorithm; got != want {
		t.Errorf("Algorithm = %q, want %q", got, want)
	}
	// The count is part of the hash: the same salt and PIN with another count do not verify.
	other := a
	other.Iterations = testIterations + 1
	if other.Verify("2468") {
		t.Errorf("a hash verifies with another iteration count")
	}
	for name, h := range map[string]comptoir.PINHash{
		"unknown algorithm": {Algorithm: "md5", Iterations: a.Iterations, Salt: a.Salt, Key: a.Key},
		"no iterations":     {Algorithm: a.Algorithm, Salt: a.Salt, Key: a.Key},
		"no key":            {Algorithm: a.Algorithm, Iterations: a.Iterations, Salt: a.Salt},
		"zero value":        {},
	} {
		if h.Verify("2468") {
			t.Errorf("%s: Verify = true", name)
		}
	}
	if h, err := comptoir.HashPIN("2468", 0); err != nil || h.Iterations != comptoir.DefaultPINIterations {
		t.Errorf("HashPIN(count 0) = %d iterations, %v; want the default %d", h.Iterations, err, comptoir.DefaultPINIterations)
	}
}

// BenchmarkHashPIN measures the default PIN hash, which must take tens of milliseconds: slow for
// a thief with the file, quick enough for a login.
func BenchmarkHashPIN(b *testing.B) {
	for b.Loop() {
		if _, err := comptoir.HashPIN("2468", comptoir.DefaultPINIterations); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/hash")
}

func TestLockedFor_Rule(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		failures int
		now      time.Time
		want     time.Duration
	}{
		{"no failure", 0, t0, 0},
		{"four failures", 4, t0, 0},
		{"five failures, at once", 5, t0, time.Minute},
		{"five failures, 20 s later", 5, t0.Add(20 * time.Second), 40 * time.Second},
		{"five failures, a minute later", 5, t0.Add(time.Minute), 0},
		{"six failures, 59 s later", 6, t0.Add(59 * time.Second), time.Second},
		{"clock set back an hour", 5, t0.Add(-time.Hour), time.Minute},
	}
	for _, tt := range tests {
		if got := comptoir.LockedFor(tt.failures, t0, tt.now); got != tt.want {
			t.Errorf("%s: LockedFor(%d) = %v, want %v", tt.name, tt.failures, got, tt.want)
		}
	}
	for d, want := range map[time.Duration]int{time.Minute: 1, time.Second: 1, 61 * time.Second: 2, 0: 0} {
		if got := comptoir.MinutesLeft(d); got != want {
			t.Errorf("MinutesLeft(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestParseUserID_Rules(t *testing.T) {
	for in, want := range map[string]string{"marie": "marie", " Marie ": "marie", "jean-paul.d_2": "jean-paul.d_2", "gerant": "gerant",
		"ab": "ab", "a234567890123456789012345678901b": "a234567890123456789012345678901b"} {
		got, err := comptoir.ParseUserID(in)
		if err != nil || got != want {
			t.Errorf("ParseUserID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "a", "1234", "2marie", "marie dupont", "gérant", "marie;rm", "a2345678901234567890123456789012b", "\x1b[31mx"} {
		_, err := comptoir.ParseUserID(in)
		checkErr(t, err, comptoir.E(comptoir.CodeInvalidUserID))
	}
}

func TestRole_ParseAndFormat(t *testing.T) {
	for in, want := range map[string]comptoir.Role{"cashier": comptoir.RoleCashier, "Caissière": comptoir.RoleCashier,
		"manager": comptoir.RoleManager, "gérant": comptoir.RoleManager, "GERANT": comptoir.RoleManager} {
		if got, err := comptoir.ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := comptoir.ParseRole("admin")
	checkErr(t, err, comptoir.E(comptoir.CodeUnknownRole))
	for _, r := range comptoir.Roles {
		if r.Format(fr) == r.Format(en) {
			t.Errorf("%s has the same name in French and English", r)
		}
		for _, l := range langs {
			if got := r.Format(l); got == "" || utf8.RuneCountInString(got) > 10 {
				t.Errorf("%s.Format(%s) = %q", r, l, got)
			}
		}
	}
	if got, want := comptoir.RoleManager.Format(fr), "gérant"; got != want {
		t.Errorf("RoleManager.Format(fr) = %q, want %q", got, want)
	}
	if !(comptoir.User{Role: comptoir.RoleManager}).IsManager() || (comptoir.User{Role: comptoir.RoleCashier}).IsManager() {
		t.Errorf("IsManager does not follow the role")
	}
}

func TestRefusalReason_Format(t *testing.T) {
	for r, want := range map[comptoir.RefusalReason][2]string{
		comptoir.RefusedLocked:   {"verrouillé", "locked"},
		comptoir.RefusedDisabled: {"désactivé", "disabled"},
		"newer":                  {"newer", "newer"},
	} {
		if got := [2]string{r.Format(fr), r.Format(en)}; got != want {
			t.Errorf("%s.Format = %q, want %q", r, got, want)
		}
	}
}
