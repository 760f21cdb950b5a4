// Package journaltest alters Comptoir's journal behind the store's back, the way someone editing
// the bbolt file by hand would, so that tests and the README's demonstration can watch verify
// catch it. Nothing in the register imports it.
package journaltest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.etcd.io/bbolt"
)

// update edits the database at path, which must exist, in one bbolt transaction.
func update(path string, fn func(tx *bbolt.Tx) error) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(fn)
}

// TamperTicket changes one digit of the first total in a ticket's stored record and leaves its
// hash as it was. It returns a sentence saying what it changed.
func TamperTicket(path, register string, ticket uint64) (string, error) {
	var said string
	err := update(path, func(tx *bbolt.Tx) error {
		journal := tx.Bucket([]byte("journal/" + register))
		if journal == nil {
			return fmt.Errorf("no register %s in %s", register, path)
		}
		// A ticket's journal key is its number, the kind byte 1, and eight zero bytes.
		key := make([]byte, 17)
		binary.BigEndian.PutUint64(key, ticket)
		key[8] = 1
		val := bytes.Clone(journal.Get(key))
		if val == nil {
			return fmt.Errorf("no ticket %d", ticket)
		}
		// The body starts after the version, kind and 32-byte hash; the first digit of the total is
		// the byte right after the "total" key.
		i := bytes.Index(val, []byte(`"total":`))
		if i < 34 {
			return errors.New("ticket record not understood")
		}
		i += len(`"total":`)
		if val[i] == '-' {
			i++
		}
		old := val[i]
		val[i] = '0' + (old-'0'+1)%10
		if val[i] == '0' {
			val[i] = '1'
		}
		said = fmt.Sprintf("ticket %d: one digit of the first total in its record changed from %c to %c, hash left as it was", ticket, old, val[i])
		return journal.Put(key, val)
	})
	return said, err
}

// ForgeTicket edits a ticket as a forger with the file but without the signing key would: one
// letter of the cashier's name changes case, the record's hash is recomputed, and so is every
// later record's link and hash, and the head's last hash. Every hash and every link then holds;
// only the signatures can tell. It returns a sentence saying what it changed.
func ForgeTicket(path, register string, ticket uint64) (string, error) {
	var said string
	err := update(path, func(tx *bbolt.Tx) error {
		journal := tx.Bucket([]byte("journal/" + register))
		meta := tx.Bucket([]byte("meta"))
		if journal == nil || meta == nil {
			return fmt.Errorf("no register %s in %s", register, path)
		}
		key := make([]byte, 17)
		binary.BigEndian.PutUint64(key, ticket)
		key[8] = 1
		val := bytes.Clone(journal.Get(key))
		const body = 2 + sha256.Size
		i := bytes.Index(val, []byte(`"cashier":"`))
		if val == nil || i < body {
			return fmt.Errorf("no ticket %d with a cashier", ticket)
		}
		i += len(`"cashier":"`)
		if c := val[i] | 0x20; c < 'a' || c > 'z' {
			return errors.New("the cashier's name does not start with a letter")
		}
		old := val[i]
		val[i] ^= 0x20
		said = fmt.Sprintf("ticket %d: the cashier's name now starts with %c instead of %c; its hash, and every later link and hash, recomputed", ticket, val[i], old)
		var prevOld, prevNew string
		c := journal.Cursor()
		for k, v := c.Seek(key); k != nil; k, v = c.Next() {
			rec := bytes.Clone(v)
			if bytes.Equal(k, key) {
				rec = val
			}
			if prevOld != "" {
				rec = bytes.Replace(rec, []byte(`"prev_hash":"`+prevOld+`"`), []byte(`"prev_hash":"`+prevNew+`"`), 1)
			}
			prevOld = hex.EncodeToString(rec[2:body])
			sum := sha256.Sum256(rec[body:])
			copy(rec[2:body], sum[:])
			prevNew = hex.EncodeToString(sum[:])
			if err := journal.Put(k, rec); err != nil {
				return err
			}
		}
		headKey := []byte("head/" + register)
		h := bytes.Clone(meta.Get(headKey))
		h = bytes.Replace(h, []byte(`"last_hash":"`+prevOld+`"`), []byte(`"last_hash":"`+prevNew+`"`), 1)
		return meta.Put(headKey, h)
	})
	return said, err
}

// Unzip writes the database a gzip file holds (a journal made by an older Comptoir and kept in
// testdata) to path, so that tests open it as a user's file.
func Unzip(gzPath, path string) error {
	f, err := os.Open(gzPath)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
