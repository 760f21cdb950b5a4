package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// signingKeyHeader starts a signing key file, so that a wrong file is recognised as such.
const signingKeyHeader = "comptoir-signing-key-v1"

// signer is the register's signing key in effect, as the key chain's record number declares it.
type signer struct {
	number uint64
	priv   ed25519.PrivateKey
}

var _ comptoir.KeyService = (*Store)(nil)

// signerFor is the key that signs a new record: the one the key chain declares last, read from
// the key file once and kept. A journal without a key record gets its first key here, before its
// first signed record: the key file is made (or, when a crash left one behind, adopted) and its
// key record appended, with From at where every chain stands, so the records before it stay
// verified by their hash chain only.
func (s *Store) signerFor(tx *bbolt.Tx, h *head) (*signer, error) {
	number := h.chain(comptoir.ChainKeys).Number
	s.signMu.Lock()
	cached := s.signer
	s.signMu.Unlock()
	if cached != nil && cached.number == number && number > 0 {
		return cached, nil
	}
	if number == 0 {
		priv, err := s.loadOrCreateSigningKey()
		if err != nil {
			return nil, err
		}
		return s.recordKey(tx, h, priv, comptoir.KeyCreated, "", nil)
	}
	rec, err := lastKeyRecord(tx, s.register, number)
	if err != nil {
		return nil, err
	}
	priv, err := s.loadSigningKey(rec)
	if err != nil {
		return nil, err
	}
	sg := &signer{number: number, priv: priv}
	s.signMu.Lock()
	s.signer = sg
	s.signMu.Unlock()
	return sg, nil
}

// recordKey appends a key record declaring priv's public key, signed by by (a rotation) or by
// itself (a creation or a replacement), and makes priv the key in effect once the transaction
// commits. The cache is set at once: a transaction that rolls back leaves a cache whose number
// the head does not reach, which signerFor does not use.
func (s *Store) recordKey(tx *bbolt.Tx, h *head, priv ed25519.PrivateKey, reason comptoir.KeyReason, user string, by *signer) (*signer, error) {
	pub := priv.Public().(ed25519.PublicKey)
	from := map[comptoir.Chain]uint64{}
	for _, c := range comptoir.Chains {
		n := h.chain(c).Number
		switch c {
		case comptoir.ChainTickets:
			n = h.LastTicket
		case comptoir.ChainClosings:
			n = h.LastClosing
		}
		if n > 0 {
			from[c] = n
		}
	}
	number := h.chain(comptoir.ChainKeys).Number + 1
	self := &signer{number: number, priv: priv}
	if by == nil {
		by = self
	}
	now := s.now().UTC()
	ch := h.chain(comptoir.ChainKeys)
	rec := comptoir.SigningKeyRecord{Register: string(s.register), Number: number, At: now, Reason: reason,
		PublicKey: base64.StdEncoding.EncodeToString(pub), Fingerprint: comptoir.KeyFingerprint(pub),
		From: from, By: user, PrevHash: ch.Hash}
	key := chainRecordKey(number)
	hash, _, err := s.appendChainedBy(tx, h, key, comptoir.KeyRecord, rec, now, by)
	if err != nil {
		return nil, err
	}
	ch = h.chain(comptoir.ChainKeys)
	ch.Number, ch.Hash = number, hash
	h.setChain(comptoir.ChainKeys, ch)
	s.signMu.Lock()
	s.signer = self
	s.signMu.Unlock()
	return self, nil
}

// lastKeyRecord reads key record n.
func lastKeyRecord(tx *bbolt.Tx, register []byte, n uint64) (comptoir.SigningKeyRecord, error) {
	r, ok, err := readChained(tx, register, comptoir.KeyRecord, n)
	if err == nil && !ok {
		err = comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "enregistrement de clé manquant", EN: "missing key record"})
	}
	if err != nil {
		return comptoir.SigningKeyRecord{}, err
	}
	var k comptoir.SigningKeyRecord
	if err := r.decode(&k); err != nil {
		return comptoir.SigningKeyRecord{}, err
	}
	k.Hash = r.hashHex()
	return k, nil
}

// loadSigningKey reads the key file and checks it is the key the record declares. A rotation cut
// short by a crash (the record committed, the new file not yet in place) is finished here.
func (s *Store) loadSigningKey(rec comptoir.SigningKeyRecord) (ed25519.PrivateKey, error) {
	want, err := rec.Public()
	if err != nil {
		return nil, err
	}
	priv, err := readSigningKeyFile(s.signPath)
	if errors.Is(err, fs.ErrNotExist) {
		if next, nerr := readSigningKeyFile(s.signPath + ".new"); nerr == nil && bytes.Equal(next.Public().(ed25519.PublicKey), want) {
			if err := os.Rename(s.signPath+".new", s.signPath); err != nil {
				return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
			}
			return next, nil
		}
		return nil, comptoir.E(comptoir.CodeSigningKeyMissing, s.signPath)
	}
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), want) {
		if next, nerr := readSigningKeyFile(s.signPath + ".new"); nerr == nil && bytes.Equal(next.Public().(ed25519.PublicKey), want) {
			if err := os.Rename(s.signPath+".new", s.signPath); err != nil {
				return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
			}
			return next, nil
		}
		return nil, comptoir.E(comptoir.CodeSigningKeyMismatch, s.signPath)
	}
	return priv, nil
}

// loadOrCreateSigningKey reads the key file of a register that has no key record yet, or makes
// it: from Options.SigningSeed when set (demo data, so that a seed gives the same journal), else
// at random.
func (s *Store) loadOrCreateSigningKey() (ed25519.PrivateKey, error) {
	priv, err := readSigningKeyFile(s.signPath)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return priv, err
	}
	seed := make([]byte, ed25519.SeedSize)
	if s.signSeed != nil {
		sum := sha256.Sum256(append([]byte("comptoir/signing-seed/v1/"), s.signSeed...))
		copy(seed, sum[:])
	} else if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	defer zero(seed)
	if err := writeKeyFile(s.signPath, signingKeyHeader, seed); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// readSigningKeyFile reads a signing key file; its absence is fs.ErrNotExist as it is.
func readSigningKeyFile(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, comptoir.Wrap(comptoir.CodeSigningKeyInvalid, err, path)
	}
	// A signing key others can read lets them sign: refuse it rather than use it.
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, comptoir.E(comptoir.CodeSigningKeyPermissions, path, path)
	}
	header, hexKey, ok := strings.Cut(strings.TrimSpace(string(data)), "\n")
	seed, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if !ok || header != signingKeyHeader || err != nil || len(seed) != ed25519.SeedSize {
		return nil, comptoir.E(comptoir.CodeSigningKeyInvalid, path)
	}
	defer zero(seed)
	return ed25519.NewKeyFromSeed(seed), nil
}

// SigningKey is the key in effect; its Number is zero while the journal has none yet (a register
// gets its key with its first record).
func (s *Store) SigningKey(ctx context.Context) (comptoir.KeyInfo, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.KeyInfo{}, err
	}
	var info comptoir.KeyInfo
	err := s.view(func(tx *bbolt.Tx) error {
		h, err := regBuckets(tx, s.register).head()
		if err != nil {
			return err
		}
		n := h.chain(comptoir.ChainKeys).Number
		if n == 0 {
			return nil
		}
		rec, err := lastKeyRecord(tx, s.register, n)
		info = keyInfo(rec)
		return err
	})
	return info, err
}

func keyInfo(rec comptoir.SigningKeyRecord) comptoir.KeyInfo {
	return comptoir.KeyInfo{Number: rec.Number, Reason: rec.Reason, Fingerprint: rec.Fingerprint, PublicKey: rec.PublicKey, At: rec.At}
}

// RotateKey makes a new key and records it signed by the current one, with a technical event. The
// new key is written to <file>.new first and takes the old one's place once its record is
// durable; a crash between the two is finished by the next use of the key.
func (s *Store) RotateKey(ctx context.Context, by string) (comptoir.KeyInfo, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.KeyInfo{}, err
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return comptoir.KeyInfo{}, err
	}
	defer zero(seed)
	priv := ed25519.NewKeyFromSeed(seed)
	var info comptoir.KeyInfo
	err := s.update(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		h, err := r.head()
		if err != nil {
			return err
		}
		old, err := s.signerFor(tx, &h)
		if err != nil {
			return err
		}
		// A leftover of a rotation that never committed is not a key anyone relies on.
		os.Remove(s.signPath + ".new")
		if err := writeKeyFile(s.signPath+".new", signingKeyHeader, seed); err != nil {
			return comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
		if _, err := s.recordKey(tx, &h, priv, comptoir.KeyRotated, by, old); err != nil {
			return err
		}
		if err := s.appendTech(tx, &h, comptoir.TechKeyRotated, by, "key "+strconv.FormatUint(old.number+1, 10)+" "+comptoir.KeyFingerprint(priv.Public().(ed25519.PublicKey))); err != nil {
			return err
		}
		rec, err := lastKeyRecord(tx, s.register, h.chain(comptoir.ChainKeys).Number)
		info = keyInfo(rec)
		if err != nil {
			return err
		}
		return r.putHead(h)
	})
	if err != nil {
		os.Remove(s.signPath + ".new")
		s.forgetSigner()
		return comptoir.KeyInfo{}, err
	}
	if err := os.Rename(s.signPath+".new", s.signPath); err != nil {
		return info, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	syncDir(filepath.Dir(s.signPath))
	return info, nil
}

// ReplaceKey makes a new key when the current one is lost, recorded as a declared break with a
// technical event. A key file that is present and right is refused: that key is rotated, not
// replaced. A file that is there but wrong (another register's, unreadable) is set aside as
// <file>.replaced-<n>, never deleted.
func (s *Store) ReplaceKey(ctx context.Context, by string) (comptoir.KeyInfo, error) {
	if err := checkCtx(ctx); err != nil {
		return comptoir.KeyInfo{}, err
	}
	var info comptoir.KeyInfo
	err := s.update(func(tx *bbolt.Tx) error {
		r := regBuckets(tx, s.register)
		h, err := r.head()
		if err != nil {
			return err
		}
		n := h.chain(comptoir.ChainKeys).Number
		if n > 0 {
			rec, err := lastKeyRecord(tx, s.register, n)
			if err != nil {
				return err
			}
			// Only a key that is lost is replaced: absent, or a file that is not the key the
			// journal declares (another register's, an old backup's, unreadable garbage). A
			// key refused for its permissions, or a file that cannot be read, is still the
			// key: its refusal says what to do, and a replacement would be a break for ever.
			switch _, err := s.loadSigningKey(rec); {
			case err == nil:
				return comptoir.E(comptoir.CodeSigningKeyPresent, s.signPath)
			case isCode(err, comptoir.CodeSigningKeyMissing):
			case isCode(err, comptoir.CodeSigningKeyMismatch), isCode(err, comptoir.CodeSigningKeyInvalid) && !isSystem(err):
				if err := setAside(s.signPath, n); err != nil {
					return err
				}
			default:
				return err
			}
		}
		priv, err := s.loadOrCreateSigningKey()
		if err != nil {
			return err
		}
		reason := comptoir.KeyReplaced
		if n == 0 {
			reason = comptoir.KeyCreated
		}
		if _, err := s.recordKey(tx, &h, priv, reason, by, nil); err != nil {
			return err
		}
		code := comptoir.TechKeyReplaced
		if n == 0 {
			code = comptoir.TechKeyCreated
		}
		if err := s.appendTech(tx, &h, code, by, "key "+strconv.FormatUint(n+1, 10)+" "+comptoir.KeyFingerprint(priv.Public().(ed25519.PublicKey))); err != nil {
			return err
		}
		rec, err := lastKeyRecord(tx, s.register, n+1)
		info = keyInfo(rec)
		if err != nil {
			return err
		}
		return r.putHead(h)
	})
	if err != nil {
		s.forgetSigner()
	}
	return info, err
}

// forgetSigner drops the cached key after a transaction that may have set it rolled back.
func (s *Store) forgetSigner() {
	s.signMu.Lock()
	s.signer = nil
	s.signMu.Unlock()
}

// isSystem reports whether a refusal wraps the system's error (a file that could not be read),
// rather than saying what the file holds.
func isSystem(err error) bool {
	var e *comptoir.Error
	return errors.As(err, &e) && e.Err != nil
}

// setAside keeps a key file that is not the journal's under a name of its own, mode 0600, never
// over another file: it may be the only copy of a key someone needs to read old archives.
func setAside(path string, n uint64) error {
	for i := 0; ; i++ {
		name := path + ".replaced-" + strconv.FormatUint(n, 10)
		if i > 0 {
			name += "-" + strconv.Itoa(i)
		}
		err := os.Link(path, name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
		if err := os.Chmod(name, 0o600); err != nil {
			return comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
		if err := os.Remove(path); err != nil {
			return comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
		return nil
	}
}
