package syncer_test

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

// tlsCentral serves a real central, opened with newCentral, over HTTPS with httptest's certificate
// and writes that certificate to a PEM file, as a shop hands its central's certificate to its
// registers.
func tlsCentral(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) (ts *httptest.Server, caFile string) {
	t.Helper()
	ts = httptest.NewUnstartedServer(newServer(t, newCentral))
	// A client that does not trust the certificate is refused on purpose: the server's line
	// about it is no news.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	caFile = filepath.Join(t.TempDir(), "central.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(caFile, block, 0o644); err != nil {
		t.Fatal(err)
	}
	return ts, caFile
}

// trustingClient is a client of the central with token that trusts the central's certificate.
func trustingClient(t *testing.T, url, token, caFile string) *syncer.Client {
	t.Helper()
	c, err := syncer.NewClient(url, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.TrustCAFile(caFile); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClient_FeedAndBackOffice(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		ctx := context.Background()
		ts, ca := tlsCentral(t, newCentral)
		r1, r2 := trustingClient(t, ts.URL, tokR1, ca), trustingClient(t, ts.URL, tokR2, ca)
		admin := trustingClient(t, ts.URL, tokAdmin, ca)

		// Set-up: the same answer twice, and a demo register says so.
		first, err := r1.Setup(ctx, "R1", comptoir.SetupRequest{Demo: true, Software: "comptoir test"})
		if err != nil {
			t.Fatal(err)
		}
		again, err := r1.Setup(ctx, "R1", comptoir.SetupRequest{Demo: true})
		if err != nil {
			t.Fatal(err)
		}
		if string(first.CentralKey) != string(again.CentralKey) || first.CardsFirst != again.CardsFirst || len(first.LookupKey) != 32 {
			t.Fatalf("setups: got %+v then %+v, want the same keys and block", first, again)
		}
		s2, err := r2.Setup(ctx, "R2", comptoir.SetupRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if s2.CardsFirst == first.CardsFirst {
			t.Fatalf("R1 and R2 share the card block at %d", s2.CardsFirst)
		}

		// R2 enrols a member; the back office finds them by card and by email.
		card := comptoir.CardNumber(s2.CardsFirst)
		if _, err := r2.Push(ctx, "R2", []comptoir.Event{enrolment(t, 1, "M00000000000000b2", card, s2.CentralKey)}); err != nil {
			t.Fatal(err)
		}
		m, err := admin.Member(ctx, card, true, "Paul Durand")
		if err != nil {
			t.Fatal(err)
		}
		if !m.Revealed || m.Personal != memberPersonal {
			t.Fatalf("revealed member: got %+v, want %+v", m, memberPersonal)
		}
		byEmail, err := admin.MemberByEmail(ctx, memberPersonal.Email, false, "")
		if err != nil {
			t.Fatal(err)
		}
		if byEmail.ID != m.ID || byEmail.Revealed {
			t.Fatalf("by email: got %+v, want %s masked", byEmail, m.ID)
		}

		// The back office withdraws consent, sends a price list and erases the member: R1 reads all
		// of it in its feed, page by page.
		after, err := admin.Consent(ctx, card, comptoir.CentralConsent{Channel: comptoir.ChannelEmail, Granted: false, Via: comptoir.ViaWeb})
		if err != nil {
			t.Fatal(err)
		}
		if after.Consent[comptoir.ChannelEmail] {
			t.Fatalf("consent after withdrawal: got %v, want email false", after.Consent)
		}
		n, err := admin.PutCatalog(ctx, []comptoir.Product{{GTIN: "3017620422003", Name: "Pâte à tartiner", Price: 395, VAT: comptoir.VATReduced}})
		if err != nil || n != 1 {
			t.Fatalf("price list: got %d, %v, want 1 product", n, err)
		}
		if err := admin.Erase(ctx, card, "Paul Durand"); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		cursor := ""
		for range 100 {
			page, err := r1.Changes(ctx, "R1", cursor, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Changes) > 1 {
				t.Fatalf("page of %d changes, asked for 1", len(page.Changes))
			}
			for _, c := range page.Changes {
				kinds[c.Kind]++
			}
			cursor = page.Next
			if !page.More {
				break
			}
		}
		for _, k := range []string{comptoir.ChangeMember, comptoir.ChangeConsent, comptoir.ChangeCatalog, comptoir.ChangeErased} {
			if kinds[k] == 0 {
				t.Errorf("R1's feed has no %s change: %v", k, kinds)
			}
		}
		if m, err := admin.Member(ctx, card, true, ""); err != nil || m.Revealed || m.Personal != (comptoir.Personal{}) {
			t.Fatalf("erased member: got %+v, %v, want nothing to reveal", m, err)
		}
	})
}

func TestClient_FeedRefusals(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		ctx := context.Background()
		ts, ca := tlsCentral(t, newCentral)
		r1, admin := trustingClient(t, ts.URL, tokR1, ca), trustingClient(t, ts.URL, tokAdmin, ca)
		tests := []struct {
			name string
			call func() error
			want comptoir.Code
		}{
			{"register asks the back office", func() error { _, err := r1.Member(ctx, memberCard, false, ""); return err }, comptoir.CodeAdminOnly},
			{"administrator asks the feed", func() error { _, err := admin.Changes(ctx, "R1", "", 0); return err }, comptoir.CodeRegisterOnly},
			{"administrator sets a register up", func() error { _, err := admin.Setup(ctx, "R1", comptoir.SetupRequest{}); return err }, comptoir.CodeForbiddenRegister},
			{"unknown card", func() error { _, err := admin.Member(ctx, memberCard, false, ""); return err }, comptoir.CodeUnknownCard},
			{"erase unknown card", func() error { return admin.Erase(ctx, memberCard, "") }, comptoir.CodeUnknownCard},
			{"unknown email", func() error { _, err := admin.MemberByEmail(ctx, "nobody@example.com", false, ""); return err }, comptoir.CodeUnknownCustomer},
			{"cursor not the central's", func() error { _, err := r1.Changes(ctx, "R1", "not-a-cursor", 0); return err }, comptoir.CodeInvalidCursor},
			{"bad product", func() error {
				_, err := admin.PutCatalog(ctx, []comptoir.Product{{GTIN: "3017620422004", Name: "x", Price: 1, VAT: comptoir.VATReduced}})
				return err
			}, comptoir.CodeGTINCheckDigit},
			{"reserved register", func() error { _, err := r1.Setup(ctx, "admin", comptoir.SetupRequest{}); return err }, comptoir.CodeReservedRegister},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.call()
				if !errors.Is(err, comptoir.E(tt.want)) {
					t.Fatalf("got %v, want %s", err, tt.want)
				}
				if syncer.Retryable(err) {
					t.Fatalf("%v is retryable: a refusal is said once, not retried", err)
				}
			})
		}
	})
}

func TestClient_AnswerPastTheReadLimit(t *testing.T) {
	defer syncer.SetMaxPageBytes(1024)()
	huge := `{"changes":[],"next":"` + strings.Repeat("x", 2048) + `","more":false,"now":"2026-11-30T09:00:00Z"}`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, huge)
	}))
	t.Cleanup(ts.Close)
	c := &syncer.Client{BaseURL: ts.URL, Token: tokR1}
	_, err := c.Changes(context.Background(), "R1", "", 0)
	if !errors.Is(err, comptoir.E(comptoir.CodeAnswerTooLarge)) {
		t.Fatalf("Changes with an answer past the limit: got %v, want %s", err, comptoir.CodeAnswerTooLarge)
	}
	if syncer.Retryable(err) {
		t.Errorf("%v is retryable: the same answer would come again", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "1024") {
		t.Errorf("message %q does not say the limit", msg)
	}
}

func TestClient_TrustCAFile(t *testing.T) {
	eachCentral(t, func(t *testing.T, newCentral func(testing.TB) comptoir.CentralService) {
		ctx := context.Background()
		ts, ca := tlsCentral(t, newCentral)

		// Without the central's certificate, the client refuses the connection.
		plain, err := syncer.NewClient(ts.URL, tokR1)
		if err != nil {
			t.Fatal(err)
		}
		_, err = plain.Setup(ctx, "R1", comptoir.SetupRequest{})
		if !errors.Is(err, comptoir.E(comptoir.CodeCentralUntrusted)) {
			t.Fatalf("untrusted certificate: got %v, want central_untrusted", err)
		}
		if syncer.Retryable(err) {
			t.Fatal("an untrusted certificate is retried: it would be met again")
		}
		// With it, the same call goes through.
		if _, err := trustingClient(t, ts.URL, tokR1, ca).Setup(ctx, "R1", comptoir.SetupRequest{}); err != nil {
			t.Fatalf("trusted certificate: %v", err)
		}

		dir := t.TempDir()
		notPEM := filepath.Join(dir, "token.txt")
		if err := os.WriteFile(notPEM, []byte("r1-token-0123456789abcdef\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for name, tt := range map[string]struct {
			path string
			want comptoir.Code
		}{
			"not PEM": {notPEM, comptoir.CodeCAFileInvalid},
			"missing": {filepath.Join(dir, "none.pem"), comptoir.CodeFileNotFound},
		} {
			if err := plain.TrustCAFile(tt.path); !errors.Is(err, comptoir.E(tt.want)) {
				t.Errorf("%s: got %v, want %s", name, err, tt.want)
			}
		}
	})
}
