package central

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/comptoir/comptoir"
)

// The central's key file never lives inside its database, so that a copy of the database alone
// opens no member's personal data: the embedded central keeps it beside its file (the database
// path with ".key" appended), a PostgreSQL central where --key says, the same file for every
// process sharing the database. It holds the central's X25519 private key, to which registers
// wrap members' data keys; the chain-wide lookup key, the central's own email index key and the
// check value the database keeps are derived from it, so that one file is the whole secret.

// keyHeader starts a central key file, so that a register's master key (same shape) given to
// the central is recognised as the wrong file.
const keyHeader = "comptoir-central-key-v1"

// Keys are the central's secrets, read once at open.
type Keys struct {
	// Private opens the data keys registers wrap to the central.
	Private *ecdh.PrivateKey
	// Lookup is the chain-wide key registers hash blocked identifiers under, handed out at
	// set-up.
	Lookup []byte
	// index keys the central's own email index, which registers never learn, so that a register
	// could not test addresses against a stolen copy of the central's database.
	index []byte
	// Check is stored in the database, to recognise its key file: a database opened with another
	// key file is refused rather than made to seal under a key its registers never pinned.
	Check []byte
}

// KeyPath is where the embedded central's key file of a database is.
func KeyPath(dbPath string) string { return dbPath + ".key" }

func deriveKeys(priv *ecdh.PrivateKey) *Keys {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, priv.Bytes())
		m.Write([]byte("comptoir/central-" + label + "/v1"))
		return m.Sum(nil)
	}
	return &Keys{Private: priv, Lookup: derive("lookup"), index: derive("index"), Check: derive("check")}
}

// Matches reports whether these keys are those whose check value a database holds.
func (k *Keys) Matches(check []byte) bool { return hmac.Equal(k.Check, check) }

// LoadKeys reads the central's key file. When it does not exist and create is true, a new key is
// drawn and written with mode 0600; when it does not exist otherwise, the database it belongs to
// has a key and the refusal is CodeCentralKeyLost, since a new key would orphan every sealed
// value and every register's pinned key. A key others can read is refused with
// CodeKeyPermissions, a file that is not a central key with CodeKeyInvalid.
func LoadKeys(path string, create bool) (*Keys, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, comptoir.E(comptoir.CodeCentralKeyLost, path)
		}
		k, err := createKeys(path)
		if errors.Is(err, fs.ErrExist) {
			// Another central process created it at the same moment: its key is the one.
			return LoadKeys(path, false)
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
	if !ok || header != keyHeader || err != nil {
		return nil, comptoir.E(comptoir.CodeKeyInvalid, path)
	}
	priv, err := ecdh.X25519().NewPrivateKey(secret)
	clear(secret)
	if err != nil {
		return nil, comptoir.E(comptoir.CodeKeyInvalid, path)
	}
	return deriveKeys(priv), nil
}

// createKeys draws the central's key and writes it with O_EXCL, so that two processes creating
// it at once never each believe their own key is it (the loser gets fs.ErrExist).
func createKeys(path string) (*Keys, error) {
	priv, err := comptoir.NewCentralKey()
	if err != nil {
		return nil, err
	}
	if err := WriteKeyFile(path, keyHeader, priv.Bytes()); err != nil {
		return nil, err
	}
	return deriveKeys(priv), nil
}

// WriteKeyFile writes a new key file, header then the secret in hexadecimal, durably, mode 0600,
// never over an existing file. The key is written whole to a temporary file beside path, synced,
// then linked to path: a process that finds path always reads a complete key, even while another
// is creating it, and a crash leaves either no key or the whole of it. Two programs creating the
// key at once must not each believe their own key is it: the loser's link fails, and it gets
// fs.ErrExist as it is; any other failure is CodeCannotWrite. The key's check value is committed
// to the database right after, so the directory entry is synced first: a crash must not leave a
// database whose key is lost.
func WriteKeyFile(path, header string, secret []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".new-*")
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	// CreateTemp asks for 0600 but the umask may take bits away: a key is for its owner only.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	if err := fillKeyFile(f, header, secret); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// A filesystem without hard links (FAT, some network shares): the key is created in
		// place, O_EXCL still deciding between two processes, which then may read it half
		// written for an instant, as before this file was linked.
		if err := writeInPlace(path, header, secret); err != nil {
			return err
		}
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// writeInPlace creates the key file at path and writes it, for a filesystem that cannot link;
// a file it could not fill is removed.
func writeInPlace(path, header string, secret []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	if err := fillKeyFile(f, header, secret); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// fillKeyFile writes a key file's content, header then the secret in hexadecimal, syncs it and
// closes it.
func fillKeyFile(f *os.File, header string, secret []byte) error {
	_, err := f.WriteString(header + "\n" + hex.EncodeToString(secret) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return nil
}

// EmailHash is the central's index key of a normalized email address: HMAC-SHA256 under the
// index key of "e", a zero byte and the address, the same shape as the chain-wide blocked hashes.
func (k *Keys) EmailHash(email string) []byte {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte("e\x00"))
	m.Write([]byte(email))
	return m.Sum(nil)
}

// OpenSeal opens a member's sealed personal data with the central's private key.
func (k *Keys) OpenSeal(id comptoir.CustomerID, s Seal) (comptoir.Personal, error) {
	dk, err := comptoir.UnwrapDataKey(k.Private, s.Key, id)
	if err != nil {
		return comptoir.Personal{}, err
	}
	defer clear(dk)
	return comptoir.OpenPersonalData(dk, s.Data, id)
}
