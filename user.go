package comptoir

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"
)

// Role is what a user of the register may do. A cashier sells, enrols members and records their
// consent; a manager may also close periods, reveal, export and erase members' data, change the
// shop's settings and manage the users.
type Role string

// The roles.
const (
	RoleCashier Role = "cashier"
	RoleManager Role = "manager"
)

// Roles lists the roles, the least powerful first.
var Roles = []Role{RoleCashier, RoleManager}

// roleNames names each role.
var roleNames = map[Role]Text{
	RoleCashier: {"caissier", "cashier"},
	RoleManager: {"gérant", "manager"},
}

// Format names the role in a language. A role this version does not know shows as its stored
// name rather than not at all.
func (r Role) Format(l Lang) string {
	if n, ok := roleNames[r]; ok {
		return n.In(l)
	}
	return string(r)
}

// ParseRole reads a role by its stored name or its name in either language, in any case:
// "cashier", "caissier", "caissière", "manager", "gérant", "gerant".
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "cashier", "caissier", "caissière", "caissiere":
		return RoleCashier, nil
	case "manager", "gérant", "gerant", "gérante", "gerante":
		return RoleManager, nil
	}
	return "", E(CodeUnknownRole, s)
}

// User is a person who works the register. The PIN is never part of it: only the store holds
// its hash.
type User struct {
	// ID is what the user types to log in: lower-case, see ParseUserID.
	ID   string `json:"id"`
	Role Role   `json:"role"`
	// Disabled users keep their ID (the audit trail names them) but can no longer log in.
	Disabled bool `json:"disabled"`
	// MustChangePIN is set when someone else chose the PIN (a generated one, one a manager set):
	// the user must choose their own before doing anything else.
	MustChangePIN bool      `json:"must_change_pin"`
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by,omitempty"`
}

// IsManager reports whether the user may do what only managers may.
func (u User) IsManager() bool { return u.Role == RoleManager }

// NewUser is a request to add a user.
type NewUser struct {
	ID   string
	Role Role
	// PIN is the user's first PIN, in clear; it is checked by ValidatePIN and only its hash is kept.
	PIN string
}

// FirstManagerID is the ID of the manager account a register creates for itself on a database
// without users (see UserService.EnsureFirstManager).
const FirstManagerID = "gerant"

// MaxUserIDLen bounds a user ID, so that it fits the status bar and the audit trail's column.
const MaxUserIDLen = 32

// ParseUserID reads a user ID as typed: spaces around it are dropped and capitals folded, so that
// "Marie" logs in as "marie". An ID is 2 to 32 characters, a letter first, then letters, digits,
// '.', '-' or '_' (ASCII only, so that every keyboard layout types it the same way). Starting with
// a letter keeps a PIN typed into the ID field by mistake from ever being a valid ID, and so from
// ever being written into the audit trail.
func ParseUserID(s string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(s))
	if len(id) < 2 || len(id) > MaxUserIDLen || id[0] < 'a' || id[0] > 'z' {
		return "", E(CodeInvalidUserID, s)
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return "", E(CodeInvalidUserID, s)
		}
	}
	return id, nil
}

// PIN lengths. Four digits is what a cashier types many times a day; eight is enough for a
// manager who wants more.
const (
	MinPINLen = 4
	MaxPINLen = 8
)

// ValidatePIN checks a new PIN: 4 to 8 ASCII digits, and not one of the PINs a thief tries first.
// Trivial PINs are: one digit repeated (0000), a run up or down (1234, 4321, 0123, 98765), and a
// shorter group repeated (1212, 123123, 12341234). Those few rules refuse the PINs most chosen
// while leaving about 99 % of the four-digit ones.
func ValidatePIN(pin string) error {
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return E(CodePINDigits)
		}
	}
	if len(pin) < MinPINLen || len(pin) > MaxPINLen {
		return E(CodePINLength, MinPINLen, MaxPINLen)
	}
	if trivialPIN(pin) {
		return E(CodePINTrivial)
	}
	return nil
}

// trivialPIN reports whether a PIN of digits is a run or a repetition.
func trivialPIN(pin string) bool {
	up, down := true, true
	for i := 1; i < len(pin); i++ {
		up = up && pin[i] == pin[i-1]+1
		down = down && pin[i] == pin[i-1]-1
	}
	if up || down {
		return true
	}
	// A group of n digits repeated: "0000" (n = 1), "1212" (n = 2), "123123" (n = 3).
	for n := 1; n <= len(pin)/2; n++ {
		if len(pin)%n == 0 && strings.Repeat(pin[:n], len(pin)/n) == pin {
			return true
		}
	}
	return false
}

// GeneratePIN draws a random six-digit PIN that ValidatePIN accepts, for an account the register
// creates itself. Six digits rather than four: it is shown once, and guessed by nobody meanwhile.
func GeneratePIN() string {
	const n = 6
	for {
		pin := make([]byte, 0, n)
		var b [16]byte
		for len(pin) < n {
			// crypto/rand.Read never fails (it aborts the program if the system's source does).
			_, _ = rand.Read(b[:])
			for _, c := range b {
				// 250 is the largest multiple of 10 under 256: no digit is likelier than another.
				if c < 250 && len(pin) < n {
					pin = append(pin, '0'+c%10)
				}
			}
		}
		if ValidatePIN(string(pin)) == nil {
			return string(pin)
		}
	}
}

// PINAlgorithm names how PINHash derives its key: PBKDF2 with HMAC-SHA-256.
const PINAlgorithm = "pbkdf2-sha256"

// DefaultPINIterations is the PBKDF2 iteration count of new PIN hashes: about 35 ms on a 2020s
// server core, a few times more on a small register. A PIN has few digits, so the hash must be slow
// for a stolen file not to give up every PIN in seconds; it must also stay fast enough for a login.
// Hashes keep their own count, so raising this later strengthens each PIN at its next change or
// login.
const DefaultPINIterations = 200_000

const (
	pinSaltLen = 16
	pinKeyLen  = 32
)

// PINHash is a PIN as the store keeps it: a salted, slow hash and how it was made.
type PINHash struct {
	Algorithm  string `json:"alg"`
	Iterations int    `json:"iter"`
	Salt       []byte `json:"salt"`
	Key        []byte `json:"key"`
}

// HashPIN hashes a PIN with a new random salt and the given PBKDF2 iteration count
// (DefaultPINIterations when it is not positive). It does not validate the PIN: ValidatePIN
// decides which PINs may be set, HashPIN only how they are kept.
func HashPIN(pin string, iterations int) (PINHash, error) {
	if iterations <= 0 {
		iterations = DefaultPINIterations
	}
	salt := make([]byte, pinSaltLen)
	_, _ = rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, pin, salt, iterations, pinKeyLen)
	if err != nil {
		return PINHash{}, err
	}
	return PINHash{Algorithm: PINAlgorithm, Iterations: iterations, Salt: salt, Key: key}, nil
}

// Verify reports whether pin is the PIN the hash was made from, in a time that does not depend on
// where the two differ. A hash of an unknown algorithm or a damaged one verifies nothing.
func (h PINHash) Verify(pin string) bool {
	if h.Algorithm != PINAlgorithm || h.Iterations <= 0 || len(h.Salt) == 0 || len(h.Key) == 0 {
		return false
	}
	key, err := pbkdf2.Key(sha256.New, pin, h.Salt, h.Iterations, len(h.Key))
	return err == nil && subtle.ConstantTimeCompare(key, h.Key) == 1
}

// The lockout rule: MaxPINFailures wrong PINs in a row lock the user for PINLockout.
const (
	MaxPINFailures = 5
	PINLockout     = time.Minute
)

// LockedFor says how much longer a user is locked out, given their wrong PINs in a row and when
// the last one was typed; zero means they may try. Once the minute is over the user gets one try:
// the failures are only forgotten at a successful login, so each further wrong PIN locks them
// again for a minute. That keeps a thief to one guess a minute after the first five, where
// forgetting them would allow five. A clock set back never lengthens the lock beyond PINLockout.
func LockedFor(failures int, lastFailure, now time.Time) time.Duration {
	if failures < MaxPINFailures {
		return 0
	}
	left := lastFailure.Add(PINLockout).Sub(now)
	if left <= 0 {
		return 0
	}
	return min(left, PINLockout)
}

// MinutesLeft rounds a lock's remaining time up to whole minutes, as a user is told it.
func MinutesLeft(d time.Duration) int {
	return int((d + time.Minute - 1) / time.Minute)
}

// RefusalReason is why a right PIN, or a PIN not even checked, was refused, as the audit trail's
// detail of a refused PIN records it; a wrong PIN has none.
type RefusalReason string

// The reasons of a refusal other than a wrong PIN.
const (
	RefusedLocked   RefusalReason = "locked"
	RefusedDisabled RefusalReason = "disabled"
)

// Format names the reason in a language; an unknown one shows as stored.
func (r RefusalReason) Format(l Lang) string {
	if n, ok := refusalNames[r]; ok {
		return n.In(l)
	}
	return string(r)
}

// refusalNames names the reasons of a refusal.
var refusalNames = map[RefusalReason]Text{RefusedLocked: {"verrouillé", "locked"}, RefusedDisabled: {"désactivé", "disabled"}}

// UserService manages the people who work the register and checks who they are.
//
// Authenticate refuses an unknown ID and a wrong PIN with the same CodeLoginRefused, so that
// nobody can learn which IDs exist by trying; it says CodeUserLocked (with the minutes left) while
// a user is locked out, and CodeUserDisabled only once the PIN was right. Logins, logouts, refused
// PINs, and every change to a user go to the audit trail.
type UserService interface {
	// AddUser adds a user; by names who adds them. The first user must be a manager
	// (CodeFirstUserManager). A user added while others exist must change the PIN at first login,
	// since the person who added them knows it.
	AddUser(ctx context.Context, u NewUser, by string) (User, error)
	// Users lists the users by ID, disabled ones included.
	Users(ctx context.Context) ([]User, error)
	// User finds a user by ID; CodeUnknownUser when there is none.
	User(ctx context.Context, id string) (User, error)
	// HasUsers reports whether the database has any user: until it has, the register runs without
	// logins, as it did before users existed.
	HasUsers(ctx context.Context) (bool, error)
	// ChangePIN sets a user's PIN and unlocks them. A PIN set by someone else than the user must
	// be changed at their next login; one they set themselves clears that duty.
	ChangePIN(ctx context.Context, id, pin, by string) error
	// DisableUser stops a user from logging in; it refuses to disable the last active manager.
	DisableUser(ctx context.Context, id, by string) error
	// Authenticate checks a user's PIN and records the login or the refusal.
	Authenticate(ctx context.Context, id, pin string) (User, error)
	// Logout records that a user left the register.
	Logout(ctx context.Context, id string) error
	// EnsureFirstManager creates, on a database without users, the manager FirstManagerID with a
	// generated PIN they must change at first login, and returns that PIN: it is the only time it
	// can be read. It returns "" when the database already has users.
	EnsureFirstManager(ctx context.Context) (pin string, err error)
}
