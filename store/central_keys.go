package store

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/comptoir/comptoir"
)

// The central's key file lives beside its database (the database path with ".key" appended) and
// never inside it, so that a copy of the database alone opens no member's personal data. It holds
// the central's X25519 private key, to which registers wrap members' data keys; the chain-wide
// lookup key and the central's own email index key are derived from it, so that one file is the
// whole secret to keep.

// centralKeyHeader starts a central key file, so that a register's master key (same place, same
// shape) given to the central is recognised as the wrong file.
const centralKeyHeader = "comptoir-central-key-v1"

// centralKeys are the central's secrets, read once at open.
type centralKeys struct {
	// private opens the data keys registers wrap to the central.
	private *ecdh.PrivateKey
	// lookup is the chain-wide key registers hash blocked identifiers under, handed out at
	// set-up.
	lookup []byte
	// index keys the central's own email index, which registers never learn, so that a register
	// could not test addresses against a stolen copy of the central's database.
	index []byte
	// check is stored in the database, to recognise its key file.
	check []byte
}

// keyCentralKeyCheck is where the central bucket holds the key's check value.
var keyCentralKeyCheck = []byte("key_check")

// centralKeyPath is where the central's key file of a database is.
func centralKeyPath(dbPath string) string { return dbPath + ".key" }

func deriveCentralKeys(priv *ecdh.PrivateKey) *centralKeys {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, priv.Bytes())
		m.Write([]byte("comptoir/central-" + label + "/v1"))
		return m.Sum(nil)
	}
	return &centralKeys{private: priv, lookup: derive("lookup"), index: derive("index"), check: derive("check")}
}

// loadCentralKey reads the central's key file. When it does not exist and create is true, a new
// key is drawn and written with mode 0600; when it does not exist otherwise, the database it
// belongs to has a key and the refusal is CodeCentralKeyLost, since a new key would orphan every
// sealed value and every register's pinned key. A key others can read is refused with
// CodeKeyPermissions, a file that is not a central key with CodeKeyInvalid.
func loadCentralKey(path string, create bool) (*centralKeys, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, comptoir.E(comptoir.CodeCentralKeyLost, path)
		}
		k, err := createCentralKey(path)
		if errors.Is(err, fs.ErrExist) {
			// Another central process created it at the same moment: its key is the one.
			return loadCentralKey(path, false)
		}
		return k, err
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
	if !ok || header != centralKeyHeader || err != nil {
		return nil, comptoir.E(comptoir.CodeKeyInvalid, path)
	}
	priv, err := ecdh.X25519().NewPrivateKey(secret)
	zero(secret)
	if err != nil {
		return nil, comptoir.E(comptoir.CodeKeyInvalid, path)
	}
	return deriveCentralKeys(priv), nil
}

// createCentralKey draws the central's key and writes it with O_EXCL, so that two processes
// creating it at once never each believe their own key is it (the loser gets fs.ErrExist).
func createCentralKey(path string) (*centralKeys, error) {
	priv, err := comptoir.NewCentralKey()
	if err != nil {
		return nil, err
	}
	if err := writeKeyFile(path, centralKeyHeader, priv.Bytes()); err != nil {
		return nil, err
	}
	return deriveCentralKeys(priv), nil
}

// emailHash is the central's index key of an email address: HMAC-SHA256 under the index key of
// "e", a zero byte and the normalized address, the same shape as the chain-wide blocked hashes.
func (k *centralKeys) emailHash(email string) []byte { return keyedHash(k.index, email) }

func keyedHash(key []byte, email string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("e\x00"))
	m.Write([]byte(email))
	return m.Sum(nil)
}
