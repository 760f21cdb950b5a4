package store

import (
	"github.com/comptoir/comptoir"
)

// recordSignature reads the signature of a record for its outbox event from the register's
// buckets found once for the whole listing (readSig looks its bucket up at every call); ok is
// false when the record is not signed, which only a record made before the register's first key
// may be. A signature that cannot be read stops the listing, as a damaged record does.
func recordSignature(r reg, chain comptoir.Chain, recordKey []byte) (sig comptoir.Signature, ok bool, err error) {
	if r.sigs == nil {
		return comptoir.Signature{}, false, nil
	}
	v := r.sigs.Get(sigKey(chain, recordKey))
	if v == nil {
		return comptoir.Signature{}, false, nil
	}
	st, err := decodeStoredSig(v)
	if err != nil {
		return comptoir.Signature{}, false, err
	}
	return st.signature(chain), true, nil
}
