// Package journaltest alters Comptoir's journal behind the store's back, the way someone editing
// the bbolt file by hand would, so that tests and the README's demonstration can watch verify
// catch it. Nothing in the register imports it.
package journaltest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.etcd.io/bbolt"
)

// TamperTicket changes one digit of the first total in a ticket's stored record and leaves its
// hash as it was. It returns a sentence saying what it changed.
func TamperTicket(path, register string, ticket uint64) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return "", err
	}
	defer db.Close()
	var said string
	err = db.Update(func(tx *bbolt.Tx) error {
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
