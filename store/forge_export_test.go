package store

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// ResignAll re-signs every signed record of a register's chains, in chain order, with the key
// file's key, and moves the head's signatures: what a forger who holds the signing key does
// after editing records. Tests use it to show what still catches such a forger (links, totals,
// the head, the central) once the signatures no longer can.
func ResignAll(tx *bbolt.Tx, register, keyPath string) error {
	priv, err := readSigningKeyFile(keyPath)
	if err != nil {
		return err
	}
	reg := []byte(register)
	r := regBuckets(tx, reg)
	h, err := r.head()
	if err != nil {
		return err
	}
	last := map[comptoir.Chain]string{}
	resign := func(kind comptoir.RecordKind, key, val []byte) error {
		rec, err := parseRecord(val)
		if err != nil {
			return err
		}
		chain := comptoir.ChainOf(kind)
		v := r.sigs.Get(sigKey(chain, key))
		if v == nil {
			return nil
		}
		st, err := decodeStoredSig(v)
		if err != nil {
			return err
		}
		// The forger signs what the record holds now, with its hash recomputed.
		sum := sha256.Sum256(rec.body)
		f, err := comptoir.SignedFieldsOf(kind, rec.body, hex.EncodeToString(sum[:]), last[chain] == "", last[chain])
		if err != nil {
			return err
		}
		value := comptoir.SignRecord(priv, f)
		st.sig, _ = base64.RawURLEncoding.DecodeString(value)
		st.first, st.prev = last[chain] == "", nil
		if !st.first {
			st.prev, _ = base64.RawURLEncoding.DecodeString(last[chain])
		}
		last[chain] = value
		return r.sigs.Put(sigKey(chain, key), st.encode())
	}
	c := r.journal.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		ref, ok := keyRef(k)
		if !ok {
			continue
		}
		if err := resign(ref.Kind, k, v); err != nil {
			return err
		}
	}
	for _, kind := range []comptoir.RecordKind{comptoir.ReprintRecord, comptoir.EventRecord} {
		b := tx.Bucket(regBucketName(chainBucket[kind], reg))
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := resign(kind, k, v); err != nil {
				return err
			}
		}
	}
	for chain, value := range last {
		ch := h.chain(chain)
		ch.Signature = value
		h.setChain(chain, ch)
	}
	return r.putHead(h)
}

// SigningPublicKey reads the public half of a signing key file.
func SigningPublicKey(keyPath string) (ed25519.PublicKey, error) {
	priv, err := readSigningKeyFile(keyPath)
	if err != nil {
		return nil, err
	}
	return priv.Public().(ed25519.PublicKey), nil
}

// DisableSigning makes a store record without signing, for the benchmark that measures what
// signing costs. Its journal no longer verifies.
func DisableSigning(s *Store) { s.unsigned = true }
