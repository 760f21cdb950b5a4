package comptoir_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/comptoir/comptoir"
)

func TestWrapDataKey_OpensOnlyForTheCentralAndTheMember(t *testing.T) {
	central, err := comptoir.NewCentralKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := comptoir.NewCentralKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := comptoir.ParseCentralKey(central.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	dataKey := bytes.Repeat([]byte{7}, comptoir.DataKeySize)
	wrapped, err := comptoir.WrapDataKey(pub, dataKey, "M1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(wrapped, dataKey) {
		t.Fatal("the wrapped key holds the data key in clear")
	}
	got, err := comptoir.UnwrapDataKey(central, wrapped, "M1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, dataKey) {
		t.Fatalf("unwrapped %x, want %x", got, dataKey)
	}
	flipped := bytes.Clone(wrapped)
	flipped[len(flipped)-1] ^= 1
	for name, try := range map[string]func() ([]byte, error){
		"another central": func() ([]byte, error) { return comptoir.UnwrapDataKey(other, wrapped, "M1") },
		"another member":  func() ([]byte, error) { return comptoir.UnwrapDataKey(central, wrapped, "M2") },
		"one bit changed": func() ([]byte, error) { return comptoir.UnwrapDataKey(central, flipped, "M1") },
		"truncated":       func() ([]byte, error) { return comptoir.UnwrapDataKey(central, wrapped[:20], "M1") },
	} {
		if _, err := try(); !errors.Is(err, comptoir.E(comptoir.CodeKeyMismatch)) {
			t.Errorf("%s: err = %v, want CodeKeyMismatch", name, err)
		}
	}
}

func TestSealPersonalData_RoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{3}, comptoir.DataKeySize)
	p := comptoir.Personal{FirstName: "Camille", LastName: "Martin", Email: "camille@example.fr"}
	sealed, err := comptoir.SealPersonalData(key, p, "M1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("camille")) {
		t.Fatal("sealed data holds the email in clear")
	}
	got, err := comptoir.OpenPersonalData(key, sealed, "M1")
	if err != nil {
		t.Fatal(err)
	}
	if got != p {
		t.Fatalf("opened %+v, want %+v", got, p)
	}
	if _, err := comptoir.OpenPersonalData(key, sealed, "M2"); !errors.Is(err, comptoir.E(comptoir.CodeKeyMismatch)) {
		t.Fatalf("opened as another member: err = %v", err)
	}
}

func TestParseCentralKey_Refusals(t *testing.T) {
	if _, err := comptoir.ParseCentralKey([]byte("short")); !errors.Is(err, comptoir.E(comptoir.CodeCentralKeyInvalid)) {
		t.Fatalf("err = %v, want CodeCentralKeyInvalid", err)
	}
}
