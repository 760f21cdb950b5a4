package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
	"github.com/comptoir/comptoir/syncer"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key, in PEM, as a shop would
// make one for its central with openssl.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "comptoir central (test)"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "central.crt"), filepath.Join(dir, "central.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestRun_TLS runs the central over HTTPS with a self-signed certificate and pushes a register's
// outbox with a client that trusts that certificate; a client that does not is refused.
func TestRun_TLS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	reg, err := store.Open(filepath.Join(dir, "register.db"), store.Options{Register: "R1", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	p := comptoir.Product{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: comptoir.Euros(3, 95), VAT: comptoir.VATReduced}
	if _, err := reg.ImportProducts(ctx, []comptoir.Product{p}); err != nil {
		t.Fatal(err)
	}
	d := comptoir.SaleDraft{Lines: []comptoir.Line{comptoir.LineFor(p, 1)}, Payments: []comptoir.Payment{{Method: comptoir.Card, Amount: p.Price}}}
	if _, err := reg.RecordSale(ctx, d); err != nil {
		t.Fatal(err)
	}
	events, err := reg.Outbox(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	reg.Close()

	cert, key := selfSigned(t)
	addr := make(chan string, 1)
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "central.db"),
			"--tokens", writeTokens(t, goodTokens, 0o600), "--tls-cert", cert, "--tls-key", key},
			noEnv, io.Discard, &stderr, &hooks{open: openCentral, listening: func(a string) { addr <- a }})
	}()
	var url string
	select {
	case a := <-addr:
		url = "https://" + a
	case code := <-exited:
		t.Fatalf("the central stopped with %d: %s", code, stderr.String())
	}

	untrusting, err := syncer.NewClient(url, "0123456789abcdef01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := untrusting.Push(ctx, "R1", events); !errors.Is(err, comptoir.E(comptoir.CodeCentralUntrusted)) {
		t.Fatalf("a client that does not trust the certificate: got %v, want central_untrusted", err)
	}
	client, err := syncer.NewClient(url, "0123456789abcdef01")
	if err != nil {
		t.Fatal(err)
	}
	if err := client.TrustCAFile(cert); err != nil {
		t.Fatal(err)
	}
	res, err := client.Push(ctx, "R1", events)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.AckedSeq, events[len(events)-1].Seq; got != want {
		t.Fatalf("acked: got %d, want %d", got, want)
	}
	if _, err := client.Setup(ctx, "R1", comptoir.SetupRequest{}); err != nil {
		t.Fatalf("set-up over HTTPS: %v", err)
	}
	cancel()
	if got := <-exited; got != exitOK {
		t.Fatalf("exit code %d: %s", got, stderr.String())
	}
	if !strings.Contains(stderr.String(), "https://127.0.0.1:") {
		t.Errorf("log: got %q, want the https address", stderr.String())
	}
}

func TestRun_TLSRefusals(t *testing.T) {
	cert, _ := selfSigned(t)
	tokens := writeTokens(t, goodTokens, 0o600)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"cert without key", []string{"--tokens", tokens, "--tls-cert", cert}, exitUsage},
		{"key without cert", []string{"--tokens", tokens, "--tls-key", cert}, exitUsage},
		{"key is no key", []string{"--tokens", tokens, "--tls-cert", cert, "--tls-key", cert, "--db", filepath.Join(t.TempDir(), "c.db")}, exitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := run(context.Background(), tt.args, noEnv, io.Discard, &stderr, &hooks{open: openCentral}); got != tt.want {
				t.Fatalf("exit code: got %d, want %d (%s)", got, tt.want, stderr.String())
			}
			if !strings.HasPrefix(stderr.String(), "comptoir-central: ") || strings.Count(strings.TrimSpace(stderr.String()), "\n") > 1 {
				t.Fatalf("stderr: got %q, want one line", stderr.String())
			}
		})
	}
}
