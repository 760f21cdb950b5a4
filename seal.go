package comptoir

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
)

// Personal data travels to the central as a SealedPersonal: the data sealed under the member's
// own data key (as the register stores it), and that key wrapped to the central's X25519 public
// key. These functions are the two ends of it, in the root so that the register and every
// central implementation seal and open the same way.

// wrapInfo binds the derived wrapping key to its use, so that a key derived here serves nothing
// else.
const wrapInfo = "comptoir/wrap-to-central/v1"

// DataKeySize is the size of a member's data key: AES-256.
const DataKeySize = 32

// NewCentralKey draws the central's X25519 key pair.
func NewCentralKey() (*ecdh.PrivateKey, error) { return ecdh.X25519().GenerateKey(rand.Reader) }

// ParseCentralKey reads a central public key as Setup carries it; CodeCentralKeyInvalid when it
// is not one.
func ParseCentralKey(pub []byte) (*ecdh.PublicKey, error) {
	k, err := ecdh.X25519().NewPublicKey(pub)
	if err != nil {
		return nil, E(CodeCentralKeyInvalid)
	}
	return k, nil
}

// WrapDataKey wraps a member's data key to the central's public key: an ephemeral X25519 key
// agreement, HKDF-SHA256 over the shared secret with both public keys as salt, then AES-256-GCM
// with the member's ID as additional data, so that a wrapped key moved to another member does not
// open. The result is the ephemeral public key, the nonce and the sealed key.
func WrapDataKey(central *ecdh.PublicKey, dataKey []byte, id CustomerID) ([]byte, error) {
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	shared, err := eph.ECDH(central)
	if err != nil {
		return nil, err
	}
	kek, err := wrapKey(shared, eph.PublicKey().Bytes(), central.Bytes())
	if err != nil {
		return nil, err
	}
	sealed, err := sealWith(kek, dataKey, []byte(id))
	if err != nil {
		return nil, err
	}
	return append(eph.PublicKey().Bytes(), sealed...), nil
}

// UnwrapDataKey opens what WrapDataKey produced with the central's private key; a wrong key, a
// wrong member or altered bytes is CodeKeyMismatch, never a wrong key.
func UnwrapDataKey(central *ecdh.PrivateKey, wrapped []byte, id CustomerID) ([]byte, error) {
	const pubLen = 32
	if len(wrapped) < pubLen {
		return nil, E(CodeKeyMismatch)
	}
	eph, err := ecdh.X25519().NewPublicKey(wrapped[:pubLen])
	if err != nil {
		return nil, E(CodeKeyMismatch)
	}
	shared, err := central.ECDH(eph)
	if err != nil {
		return nil, E(CodeKeyMismatch)
	}
	kek, err := wrapKey(shared, eph.Bytes(), central.PublicKey().Bytes())
	if err != nil {
		return nil, err
	}
	return openWith(kek, wrapped[pubLen:], []byte(id))
}

// SealPersonalData seals personal data under a member's data key, bound to their ID.
func SealPersonalData(dataKey []byte, p Personal, id CustomerID) ([]byte, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return sealWith(dataKey, plain, []byte(id))
}

// OpenPersonalData opens what SealPersonalData produced (the register stores the same format).
func OpenPersonalData(dataKey, sealed []byte, id CustomerID) (Personal, error) {
	plain, err := openWith(dataKey, sealed, []byte(id))
	if err != nil {
		return Personal{}, err
	}
	var p Personal
	if err := json.Unmarshal(plain, &p); err != nil {
		return Personal{}, E(CodeKeyMismatch)
	}
	return p, nil
}

func wrapKey(shared, ephemeral, central []byte) ([]byte, error) {
	salt := append(append([]byte(nil), ephemeral...), central...)
	return hkdf.Key(sha256.New, shared, salt, wrapInfo, DataKeySize)
}

func sealWith(key, plaintext, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, E(CodeKeyMismatch)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plaintext, aad), nil
}

func openWith(key, sealed, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, E(CodeKeyMismatch)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize()+gcm.Overhead() {
		return nil, E(CodeKeyMismatch)
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], aad)
	if err != nil {
		return nil, E(CodeKeyMismatch)
	}
	return plain, nil
}
