package store

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// The users bucket (schema 5):
//
//	users/       <id>                   -> user record: role, flags, PIN hash, wrong PINs in a row
//
// IDs are lower-case ASCII (comptoir.ParseUserID), so the bucket's byte order is the listing's.
var bucketUsers = []byte("users")

// The store is the register's UserService.
var _ comptoir.UserService = (*Store)(nil)

// systemWho is who the audit trail names for what the register does by itself.
const systemWho = "comptoir"

// userRecord is what the users bucket holds: the user, their PIN hash and the count of wrong PINs
// typed since their last login, kept so that a lockout survives a restart of the register.
type userRecord struct {
	comptoir.User
	PIN         comptoir.PINHash `json:"pin"`
	Failures    int              `json:"failures,omitempty"`
	LastFailure time.Time        `json:"last_failure,omitzero"`
}

// getUser reads a user's record; ok is false when there is none.
func getUser(b *bbolt.Bucket, id string) (rec userRecord, ok bool, err error) {
	v := b.Get([]byte(id))
	if v == nil {
		return rec, false, nil
	}
	if err := decode(v, &rec); err != nil {
		return rec, false, err
	}
	return rec, true, nil
}

func putUser(b *bbolt.Bucket, rec userRecord) error {
	return b.Put([]byte(rec.ID), encode(rec))
}

// findUser reads the record of a user an operation names, refusing an invalid or unknown ID.
func findUser(b *bbolt.Bucket, id string) (userRecord, error) {
	pid, err := comptoir.ParseUserID(id)
	if err != nil {
		return userRecord{}, err
	}
	rec, ok, err := getUser(b, pid)
	if err == nil && !ok {
		err = comptoir.E(comptoir.CodeUnknownUser, pid)
	}
	return rec, err
}

// AddUser adds a user with their first PIN. The first user of a database must be a manager, so
// that someone can manage the others; a user added while others exist must choose their own PIN
// at first login, since the manager who added them knows this one.
func (s *Store) AddUser(ctx context.Context, u comptoir.NewUser, by string) (comptoir.User, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.User{}, err
	}
	id, err := comptoir.ParseUserID(u.ID)
	if err != nil {
		return comptoir.User{}, err
	}
	role, err := comptoir.ParseRole(string(u.Role))
	if err != nil {
		return comptoir.User{}, err
	}
	if err := comptoir.ValidatePIN(u.PIN); err != nil {
		return comptoir.User{}, err
	}
	// The slow hash is made before the write transaction, which other writers wait for.
	h, err := comptoir.HashPIN(u.PIN, s.pinIter)
	if err != nil {
		return comptoir.User{}, err
	}
	var rec userRecord
	err = s.update(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err != nil {
			return err
		}
		if _, ok, err := getUser(b, id); err != nil {
			return err
		} else if ok {
			return comptoir.E(comptoir.CodeUserExists, id)
		}
		first := isEmpty(b)
		if first && role != comptoir.RoleManager {
			return comptoir.E(comptoir.CodeFirstUserManager)
		}
		now := s.now().UTC()
		rec = userRecord{User: comptoir.User{ID: id, Role: role, MustChangePIN: !first, CreatedAt: now,
			CreatedBy: comptoir.CleanText(by)}, PIN: h}
		if err := putUser(b, rec); err != nil {
			return err
		}
		return appendAudit(tx, now, by, comptoir.AuditUserAdded, "", id)
	})
	return rec.User, err
}

// isEmpty reports whether a bucket holds no key.
func isEmpty(b *bbolt.Bucket) bool {
	k, _ := b.Cursor().First()
	return k == nil
}

// EnsureFirstManager creates, on a database without users, the manager comptoir.FirstManagerID
// with a generated six-digit PIN that must be changed at first login, and returns the PIN: it is
// the only time anyone can read it. It returns "" and changes nothing when users exist.
func (s *Store) EnsureFirstManager(ctx context.Context) (string, error) {
	if err := checkCtx(ctx); err != nil {
		return "", err
	}
	pin := ""
	err := s.update(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err != nil || !isEmpty(b) {
			return err
		}
		// Hashing inside the transaction keeps two registers starting at once from both creating
		// the account; it happens once in the life of a database.
		p := comptoir.GeneratePIN()
		h, err := comptoir.HashPIN(p, s.pinIter)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		rec := userRecord{User: comptoir.User{ID: comptoir.FirstManagerID, Role: comptoir.RoleManager, MustChangePIN: true,
			CreatedAt: now, CreatedBy: systemWho}, PIN: h}
		if err := putUser(b, rec); err != nil {
			return err
		}
		if err := appendAudit(tx, now, systemWho, comptoir.AuditUserAdded, "", rec.ID); err != nil {
			return err
		}
		pin = p
		return nil
	})
	if err != nil {
		return "", err
	}
	return pin, nil
}

// HasUsers reports whether the database has any user, disabled ones included: once it has, the
// register asks who acts.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	if err := checkCtx(ctx); err != nil {
		return false, err
	}
	has := false
	err := s.view(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err == nil {
			has = !isEmpty(b)
		}
		return err
	})
	return has, err
}

// Users lists every user by ID, disabled ones included.
func (s *Store) Users(ctx context.Context) ([]comptoir.User, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	var out []comptoir.User
	err := s.view(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err != nil {
			return err
		}
		return b.ForEach(func(_, v []byte) error {
			var rec userRecord
			if err := decode(v, &rec); err != nil {
				return err
			}
			out = append(out, rec.User)
			return nil
		})
	})
	return out, err
}

// User finds a user by ID.
func (s *Store) User(ctx context.Context, id string) (comptoir.User, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.User{}, err
	}
	var rec userRecord
	err := s.view(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err != nil {
			return err
		}
		rec, err = findUser(b, id)
		return err
	})
	return rec.User, err
}

// ChangePIN sets a user's PIN, and clears their wrong PINs, which unlocks them. When by is not the
// user, the PIN is one someone else knows: the user must change it at their next login. A user
// who must change a given PIN may not set the same one again.
func (s *Store) ChangePIN(ctx context.Context, id, pin, by string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	if err := comptoir.ValidatePIN(pin); err != nil {
		return err
	}
	h, err := comptoir.HashPIN(pin, s.pinIter)
	if err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err != nil {
			return err
		}
		rec, err := findUser(b, id)
		if err != nil {
			return err
		}
		if rec.Disabled {
			return comptoir.E(comptoir.CodeUserDisabled, rec.ID)
		}
		self := by == rec.ID
		if self && rec.MustChangePIN && rec.PIN.Verify(pin) {
			return comptoir.E(comptoir.CodePINUnchanged)
		}
		rec.PIN, rec.MustChangePIN, rec.Failures, rec.LastFailure = h, !self, 0, time.Time{}
		if err := putUser(b, rec); err != nil {
			return err
		}
		return appendAudit(tx, s.now(), by, comptoir.AuditPINChanged, "", rec.ID)
	})
}

// DisableUser stops a user from logging in. The user stays in the list and the audit trail keeps
// naming them; disabling a disabled user changes nothing. The last active manager cannot be
// disabled: nobody could manage the accounts any more.
func (s *Store) DisableUser(ctx context.Context, id, by string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err != nil {
			return err
		}
		rec, err := findUser(b, id)
		if err != nil || rec.Disabled {
			return err
		}
		if rec.IsManager() {
			others := 0
			err := b.ForEach(func(_, v []byte) error {
				var o userRecord
				if err := decode(v, &o); err != nil {
					return err
				}
				if o.ID != rec.ID && o.IsManager() && !o.Disabled {
					others++
				}
				return nil
			})
			if err != nil {
				return err
			}
			if others == 0 {
				return comptoir.E(comptoir.CodeLastManager, rec.ID)
			}
		}
		rec.Disabled = true
		if err := putUser(b, rec); err != nil {
			return err
		}
		return appendAudit(tx, s.now(), by, comptoir.AuditUserDisabled, "", rec.ID)
	})
}

// Authenticate checks a user's PIN, in one write transaction that also records the outcome: the
// login, or the refusal and, for a known user, one more wrong PIN. An unknown ID and a wrong PIN
// get the same refusal and take the same time (a PIN is hashed either way), so that trying IDs
// tells nothing of which exist. A locked user is refused before the PIN is checked, so that a
// locked account is no oracle; a disabled user learns it only with the right PIN. A hash made with
// fewer iterations than the store's count is remade at the login, the one time the PIN is known.
//
// The wrong PIN that locks a user says so (CodeUserLocked), or a cashier would keep typing in vain:
// someone trying IDs can tell after five tries that one exists, the price of telling the cashier
// why they must wait.
func (s *Store) Authenticate(ctx context.Context, id, pin string) (comptoir.User, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.User{}, err
	}
	pid, perr := comptoir.ParseUserID(id)
	// The PIN is checked (a slow hash, tens of milliseconds) against the record read in a read
	// transaction, before the write transaction: a login must not hold every other writer, a
	// sale among them, while it hashes. The write transaction re-reads the record and checks
	// again only if its PIN changed in between.
	var seen userRecord
	var known bool
	if perr == nil {
		err := s.view(func(tx *bbolt.Tx) error {
			b, err := s.bucket(tx, bucketUsers)
			if err != nil {
				return err
			}
			seen, known, err = getUser(b, pid)
			return err
		})
		if err != nil {
			return comptoir.User{}, err
		}
	}
	verified := false
	var rehash *comptoir.PINHash
	if known {
		verified = seen.PIN.Verify(pin)
		if verified && seen.PIN.Iterations < s.pinIter {
			h, err := comptoir.HashPIN(pin, s.pinIter)
			if err != nil {
				return comptoir.User{}, err
			}
			rehash = &h
		}
	} else {
		s.dummyVerify(pin)
	}
	var (
		user    comptoir.User
		refusal error
	)
	// A refusal is returned after the commit: the wrong PIN and the audit entry must stay.
	authTx := func(tx *bbolt.Tx) error {
		refusal = nil
		b, err := s.bucket(tx, bucketUsers)
		if err != nil {
			return err
		}
		now := s.now()
		refused := comptoir.E(comptoir.CodeLoginRefused)
		rec, ok := userRecord{}, false
		if perr == nil {
			if rec, ok, err = getUser(b, pid); err != nil {
				return err
			}
		}
		if !ok {
			// Only a well-formed ID is written: a PIN typed into the ID field is never one.
			refusal = refused
			return appendAudit(tx, now, pid, comptoir.AuditPINRefused, "", "")
		}
		if left := comptoir.LockedFor(rec.Failures, rec.LastFailure, now); left > 0 {
			refusal = comptoir.E(comptoir.CodeUserLocked, rec.ID, comptoir.MaxPINFailures, comptoir.MinutesLeft(left))
			return appendAudit(tx, now, rec.ID, comptoir.AuditPINRefused, "", string(comptoir.RefusedLocked))
		}
		ok = verified
		if !known || !bytes.Equal(rec.PIN.Key, seen.PIN.Key) || !bytes.Equal(rec.PIN.Salt, seen.PIN.Salt) {
			// The user was added or their PIN changed since the read: check against this record.
			ok, rehash = rec.PIN.Verify(pin), nil
		}
		if !ok {
			rec.Failures++
			rec.LastFailure = now.UTC()
			refusal = refused
			if left := comptoir.LockedFor(rec.Failures, rec.LastFailure, now); left > 0 {
				// The wrong PIN that locks says so, or the user would keep typing in vain.
				refusal = comptoir.E(comptoir.CodeUserLocked, rec.ID, comptoir.MaxPINFailures, comptoir.MinutesLeft(left))
			}
			if err := putUser(b, rec); err != nil {
				return err
			}
			return appendAudit(tx, now, rec.ID, comptoir.AuditPINRefused, "", "")
		}
		if rec.Disabled {
			refusal = comptoir.E(comptoir.CodeUserDisabled, rec.ID)
			return appendAudit(tx, now, rec.ID, comptoir.AuditPINRefused, "", string(comptoir.RefusedDisabled))
		}
		rec.Failures, rec.LastFailure = 0, time.Time{}
		if rehash != nil {
			rec.PIN = *rehash
		}
		if err := putUser(b, rec); err != nil {
			return err
		}
		user = rec.User
		return appendAudit(tx, now, rec.ID, comptoir.AuditLogin, "", "")
	}
	// The technical event log records every login and every refused PIN (NF525), in the same
	// transaction as the audit entry, so that neither is kept without the other.
	err := s.update(func(tx *bbolt.Tx) error {
		if err := authTx(tx); err != nil {
			return err
		}
		if refusal != nil {
			who := ""
			if perr == nil {
				// Only a well-formed ID is written: a PIN typed into the ID field is never one.
				who = pid
			}
			var e *comptoir.Error
			detail := ""
			if errors.As(refusal, &e) {
				detail = string(e.Code)
			}
			return s.logTechIfSigning(tx, comptoir.TechPINRefused, who, detail)
		}
		return s.logTechIfSigning(tx, comptoir.TechLogin, user.ID, "")
	})
	if err != nil {
		return comptoir.User{}, err
	}
	return user, refusal
}

// dummyVerify spends on a PIN for an unknown ID the time a known user's PIN takes.
func (s *Store) dummyVerify(pin string) {
	h := comptoir.PINHash{Algorithm: comptoir.PINAlgorithm, Iterations: s.pinIter, Salt: make([]byte, 16), Key: make([]byte, 32)}
	_ = h.Verify(pin)
}

// Logout records that a user left the register.
func (s *Store) Logout(ctx context.Context, id string) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	return s.update(func(tx *bbolt.Tx) error {
		b, err := s.bucket(tx, bucketUsers)
		if err != nil {
			return err
		}
		rec, err := findUser(b, id)
		if err != nil {
			return err
		}
		// The technical event of a logout is the caller's, which knows why the session ended.
		return appendAudit(tx, s.now(), rec.ID, comptoir.AuditLogout, "", "")
	})
}
