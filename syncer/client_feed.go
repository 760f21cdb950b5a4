package syncer

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/comptoir/comptoir"
)

// The client's side of the pull (for a register's token) and of the back office (for the
// administrator's), so that a register, a tool or a test speaks to the central through the same
// interfaces the central's storage implements.
var (
	_ comptoir.CentralFeed    = (*Client)(nil)
	_ comptoir.CentralMembers = (*Client)(nil)
)

// maxPageBytes bounds what is read of a change page or a member. The central stops a page at 4
// MiB of changes (store.DefaultMaxPageBytes), but always gives one change, and a catalog change
// carries a whole price list, which the central refuses past 32 MiB: 64 MiB is well above both.
// An answer past it is refused with CodeAnswerTooLarge.
var maxPageBytes int64 = 64 << 20

// Setup asks the central for the register's keys and block of card numbers. Errors as Push's.
func (c *Client) Setup(ctx context.Context, register string, r comptoir.SetupRequest) (comptoir.Setup, error) {
	if err := CheckRegister(register); err != nil {
		return comptoir.Setup{}, err
	}
	var out comptoir.Setup
	err := c.send(ctx, http.MethodPost, "/v1/registers/"+url.PathEscape(register)+"/setup", r, "", register, &out)
	return out, err
}

// Register reads what the central holds of a register (its token's, or any with the admin
// token): its acknowledged sequence above all, which tells a register restored from an old
// backup that the central is ahead of it even when it has nothing to send.
func (c *Client) Register(ctx context.Context, register string) (comptoir.RegisterSummary, error) {
	if err := CheckRegister(register); err != nil {
		return comptoir.RegisterSummary{}, err
	}
	var out comptoir.RegisterSummary
	err := c.send(ctx, http.MethodGet, "/v1/registers/"+url.PathEscape(register), nil, "", register, &out)
	return out, err
}

// Changes reads one page of the change feed after cursor ("" for the beginning), at most limit
// changes (the central's most when limit is zero or more). The central answers for the token's
// register; register is checked so that a caller's mistake is said here rather than hidden.
// Besides Push's errors, CodeInvalidCursor and CodeCursorAhead (wrapped in CodeCentralRefused)
// tell the register to start its feed again from "".
func (c *Client) Changes(ctx context.Context, register, cursor string, limit int) (comptoir.ChangesPage, error) {
	if err := CheckRegister(register); err != nil {
		return comptoir.ChangesPage{}, err
	}
	q := url.Values{}
	if cursor != "" {
		q.Set("since", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/changes"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out comptoir.ChangesPage
	err := c.send(ctx, http.MethodGet, path, nil, "", cursor, &out)
	return out, err
}

// Member finds a member by card; with reveal, the central opens their personal data and audits
// the reveal under who (sent as X-Comptoir-By). The client needs the administrator's token.
func (c *Client) Member(ctx context.Context, card string, reveal bool, who string) (comptoir.CentralMember, error) {
	path := "/v1/members/" + url.PathEscape(card)
	if reveal {
		path += "?reveal=true"
	}
	var out comptoir.CentralMember
	err := c.send(ctx, http.MethodGet, path, nil, who, card, &out)
	return out, err
}

// MemberByEmail finds a member by exact email address, as Member does by card.
func (c *Client) MemberByEmail(ctx context.Context, email string, reveal bool, who string) (comptoir.CentralMember, error) {
	q := url.Values{"email": {email}}
	if reveal {
		q.Set("reveal", "true")
	}
	var out comptoir.CentralMember
	err := c.send(ctx, http.MethodGet, "/v1/members?"+q.Encode(), nil, who, email, &out)
	return out, err
}

// Consent records a consent change made centrally and returns the member's new state.
func (c *Client) Consent(ctx context.Context, card string, cc comptoir.CentralConsent) (comptoir.CentralMember, error) {
	var out comptoir.CentralMember
	err := c.send(ctx, http.MethodPost, "/v1/members/"+url.PathEscape(card)+"/consent", cc, "", card, &out)
	return out, err
}

// Erase erases a member at the central, audited under who, and queues it for every register.
func (c *Client) Erase(ctx context.Context, card, who string) error {
	return c.send(ctx, http.MethodPost, "/v1/members/"+url.PathEscape(card)+"/erase", nil, who, card, nil)
}

// PutCatalog stores a price list for every register's next pull and returns how many products
// the central holds in it.
func (c *Client) PutCatalog(ctx context.Context, products []comptoir.Product) (int, error) {
	if products == nil {
		products = []comptoir.Product{}
	}
	var out CatalogResult
	err := c.send(ctx, http.MethodPut, "/v1/catalog", Catalog{Products: products}, "", "", &out)
	return out.Products, err
}

// send makes a request with a JSON body, gzip-compressed (none when body is nil), X-Comptoir-By
// when who is given, and reads the answer into out (nil for an answer without a body).
func (c *Client) send(ctx context.Context, method, path string, body any, who, subject string, out any) error {
	var rd io.Reader
	if body != nil {
		// A price list may be a whole catalogue: it goes compressed, as a push does.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := json.NewEncoder(zw).Encode(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		rd = &buf
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return comptoir.E(comptoir.CodeNoCentral)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
	}
	if who != "" {
		req.Header.Set(ByHeader, who)
	}
	return c.do(req, subject, maxPageBytes, out)
}

// TrustCAFile makes the client trust the certificates in a PEM file, and only them, to verify
// the central's: a central on the shop's network usually has a certificate of its own making,
// which the register is given as a file. Refusals: CodeFileNotFound, CodeCannotRead,
// CodeCAFileInvalid for a file that holds no PEM certificate.
func (c *Client) TrustCAFile(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return comptoir.E(comptoir.CodeFileNotFound, path)
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return comptoir.E(comptoir.CodeCAFileInvalid, path)
	}
	c.TrustCAs(pool)
	return nil
}

// TrustCAs makes the client verify the central's certificate against pool only. It replaces
// the client's HTTP client with one of the default's timeout.
func (c *Client) TrustCAs(pool *x509.CertPool) {
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	if def, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = def.Clone()
	}
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	c.HTTP = &http.Client{Timeout: defaultHTTP.Timeout, Transport: tr}
}
