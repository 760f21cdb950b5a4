package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/central"
)

// keyFileHeader starts a master key file, so that a wrong file is recognised as such.
const keyFileHeader = "comptoir-master-key-v1"

// masterKey is the key that wraps every member's data key. It lives in a file outside the
// database, so that a copy of the database alone reveals no personal data.
type masterKey struct {
	// wrap seals members' data keys; index keys the HMACs that exact lookups go through; check
	// is stored in the database to recognise the right key file.
	wrap, index, check []byte
}

func deriveKeys(secret []byte) *masterKey {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("comptoir/" + label + "/v1"))
		return m.Sum(nil)
	}
	return &masterKey{wrap: derive("wrap"), index: derive("index"), check: derive("check")}
}

// loadKeyFile reads the master key file. When it does not exist and create is true, a new random
// key is written with mode 0600; otherwise its absence is ErrKeyMissing. A file that is not a key
// file is ErrKeyInvalid.
func loadKeyFile(path string, create bool) (*masterKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, comptoir.E(comptoir.CodeKeyMissing, path)
		}
		return createKeyFile(path)
	}
	if err != nil {
		return nil, comptoir.Wrap(comptoir.CodeKeyInvalid, err, path)
	}
	// A key others can read protects nothing: refuse it rather than use it.
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, comptoir.E(comptoir.CodeKeyPermissions, path, path)
	}
	header, hexKey, ok := strings.Cut(strings.TrimSpace(string(data)), "\n")
	secret, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if !ok || header != keyFileHeader || err != nil || len(secret) != 32 {
		return nil, comptoir.E(comptoir.CodeKeyInvalid, path)
	}
	k := deriveKeys(secret)
	zero(secret)
	return k, nil
}

func createKeyFile(path string) (*masterKey, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	if err := writeKeyFile(path, keyFileHeader, secret); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
		return nil, err
	}
	k := deriveKeys(secret)
	zero(secret)
	return k, nil
}

// writeKeyFile writes a new key file, durably, mode 0600, never over an existing one; see
// central.WriteKeyFile, which the central's key file is written with too.
func writeKeyFile(path, header string, secret []byte) error {
	return central.WriteKeyFile(path, header, secret)
}

// matches reports whether the key is the one whose check value the database holds.
func (k *masterKey) matches(check []byte) bool { return hmac.Equal(k.check, check) }

// lookupHash is the keyed hash under which an exact value (an email, a phone) can be found
// without being stored: without the master key, it cannot be tested against guesses.
func (k *masterKey) lookupHash(kind, value string) []byte {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// seal encrypts plaintext with AES-256-GCM under key, binding it to aad (the member's ID) so
// that a sealed value moved to another member does not open.
func seal(key, plaintext, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plaintext, aad), nil
}

// open decrypts what seal produced; a wrong key or altered bytes is ErrKeyMismatch, never
// garbage.
func open(key, sealed, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize()+gcm.Overhead() {
		return nil, comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "valeur chiffrée", EN: "sealed value"})
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], aad)
	if err != nil {
		return nil, comptoir.E(comptoir.CodeKeyMismatch)
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// newDataKey draws a member's data key.
func newDataKey() ([]byte, error) {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	return k, err
}

// zero overwrites key material once it is no longer needed.
func zero(b []byte) { copy(b, bytes.Repeat([]byte{0}, len(b))) }
