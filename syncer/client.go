package syncer

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
)

// maxAnswerBytes bounds what is read of the central's answer: a push's answer is a few bytes, and
// an address that is not the central's must not make the register read a whole page.
const maxAnswerBytes = 1 << 20

// Client is the register's side of the protocol: it pushes outbox events to the central with
// the register's bearer token.
type Client struct {
	// BaseURL is the central's address, such as https://central.example:8787.
	BaseURL string
	// Token is the register's bearer token.
	Token string
	// Lang is the language the central's sentences are asked in.
	Lang comptoir.Lang
	// HTTP sends the requests; nil means a client with a timeout, so that a central that stalls
	// is retried rather than waited for forever.
	HTTP *http.Client
}

// defaultHTTP is the client used when Client.HTTP is nil. Its timeout covers a full batch's
// durable commit at the central with room to spare.
var defaultHTTP = &http.Client{Timeout: time.Minute}

// NewClient checks the central's address and the token and builds a client. Refusals:
// CodeNoCentral, CodeNoSyncToken.
func NewClient(baseURL, token string) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, comptoir.E(comptoir.CodeNoCentral)
	}
	if strings.TrimSpace(token) == "" {
		return nil, comptoir.E(comptoir.CodeNoSyncToken)
	}
	return &Client{BaseURL: strings.TrimRight(u.String(), "/"), Token: strings.TrimSpace(token)}, nil
}

// CentralError is a refusal as the central sent it: its code and its sentence. It matches the
// domain refusal of the same code for errors.Is, so that a caller tests what the central said
// without parsing its text.
type CentralError struct {
	Status  int
	Code    comptoir.Code
	Message string
}

// Error is the central's sentence, cleaned of anything a terminal would interpret.
func (e *CentralError) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return comptoir.CleanText(e.Message)
}

// Is matches a *comptoir.Error of the same code.
func (e *CentralError) Is(target error) bool {
	t, ok := target.(*comptoir.Error)
	return ok && t.Code == e.Code
}

// Push sends a batch of the register's events and returns the central's acknowledged sequence.
// It returns only the central's answer: an error means nothing is known of what the central
// did, and resending the same events is harmless since the central deduplicates them.
//
// Errors: CodeCentralUnreachable (no answer: network, timeout), CodeCentralUntrusted (a
// certificate the client does not trust, not retried), CodeCentralFailing (a 5xx),
// CodeCentralAnswer (an answer that is not the central's), CodeSeqGap with the expected sequence,
// CodeUnauthorized, CodeForbiddenRegister, and CodeCentralRefused wrapping a *CentralError for
// any other refusal (a conflict, a batch too large).
func (c *Client) Push(ctx context.Context, register string, events []comptoir.Event) (comptoir.PushResult, error) {
	if err := CheckRegister(register); err != nil {
		return comptoir.PushResult{}, err
	}
	body, err := c.encodeBatch(events)
	if err != nil {
		return comptoir.PushResult{}, err
	}
	return c.pushEncoded(ctx, register, body)
}

// encodeBatch writes a push's gzipped body. The Syncer calls it ahead, while the batch before
// travels.
func (c *Client) encodeBatch(events []comptoir.Event) ([]byte, error) {
	// The body is a buffer of its own, not reused: the transport may still read a request's
	// body after Do returned, when the central answered before reading it all.
	var body bytes.Buffer
	if err := gzipBatch(&body, events); err != nil {
		return nil, err
	}
	return body.Bytes(), nil
}

// pushEncoded sends a body encodeBatch wrote, as Push does.
func (c *Client) pushEncoded(ctx context.Context, register string, body []byte) (comptoir.PushResult, error) {
	if err := CheckRegister(register); err != nil {
		return comptoir.PushResult{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		c.BaseURL+"/v1/registers/"+url.PathEscape(register)+"/events", bytes.NewReader(body))
	if err != nil {
		return comptoir.PushResult{}, comptoir.E(comptoir.CodeNoCentral)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	var res comptoir.PushResult
	err = c.do(req, register, maxAnswerBytes, &res)
	return res, err
}

// do sends a request and reads its answer into out, or turns a refusal into its typed error.
// The transport undoes a gzip answer itself, since Accept-Encoding is left to it.
func (c *Client) do(req *http.Request, subject string, limit int64, out any) error {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	lang := "en"
	if c.Lang == comptoir.LangFR {
		lang = "fr"
	}
	req.Header.Set("Accept-Language", lang)
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return ctxErr
		}
		if reason, ok := certificateRefused(err); ok {
			return comptoir.E(comptoir.CodeCentralUntrusted, c.BaseURL, reason)
		}
		// The URL is already in the sentence; the cause is what the network said.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return comptoir.Wrap(comptoir.CodeCentralUnreachable, err, c.BaseURL)
	}
	defer resp.Body.Close()
	// One byte past the limit tells an answer that passes it from one that fills it exactly: cut
	// at the limit, it would only fail to parse, and be said as an unreadable answer.
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		// An answer cut short: the central may have committed, and a retry will say so.
		return comptoir.Wrap(comptoir.CodeCentralUnreachable, err, c.BaseURL)
	}
	if int64(len(data)) > limit {
		return comptoir.E(comptoir.CodeAnswerTooLarge, limit)
	}
	switch {
	case resp.StatusCode == http.StatusOK && out != nil:
		if err := json.Unmarshal(data, out); err != nil {
			return comptoir.E(comptoir.CodeCentralAnswer, resp.StatusCode)
		}
		return nil
	case resp.StatusCode == http.StatusNoContent && out == nil:
		return nil
	}
	var refusal ErrorResponse
	if err := json.Unmarshal(data, &refusal); err != nil || refusal.Code == "" {
		if resp.StatusCode >= 500 {
			// A proxy's or a load balancer's page in front of a failing central.
			return comptoir.E(comptoir.CodeCentralFailing, resp.StatusCode)
		}
		return comptoir.E(comptoir.CodeCentralAnswer, resp.StatusCode)
	}
	return refusalError(resp.StatusCode, refusal, subject)
}

// certificateRefused tells a certificate the client could not verify from a network failure,
// with the verifier's reason: retrying would meet the same certificate.
func certificateRefused(err error) (string, bool) {
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) {
		err = verr.Err
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		return err.Error(), true
	case verr != nil:
		return verr.Error(), true
	}
	return "", false
}

// refusalError rebuilds the domain refusal the central answered with, with the values its
// sentence needs when the answer or the request carries them: subject is what the request was
// about, a register's name, a card or a cursor.
func refusalError(status int, r ErrorResponse, subject string) error {
	code := comptoir.Code(r.Code)
	switch {
	case status >= 500:
		return comptoir.Wrap(comptoir.CodeCentralFailing, &CentralError{Status: status, Code: code, Message: r.Message}, status)
	case code == comptoir.CodeSeqGap && r.ExpectedSeq > 0:
		return comptoir.E(comptoir.CodeSeqGap, r.ExpectedSeq)
	case code == comptoir.CodeUnauthorized, code == comptoir.CodeAdminOnly, code == comptoir.CodeRegisterOnly,
		code == comptoir.CodeCustomerErased, code == comptoir.CodeStopProcessing:
		return comptoir.E(code)
	case code == comptoir.CodeForbiddenRegister, code == comptoir.CodeUnknownRegisterCentral,
		code == comptoir.CodeReservedRegister, code == comptoir.CodeInvalidRegister,
		code == comptoir.CodeUnknownCard, code == comptoir.CodeInvalidCursor:
		return comptoir.E(code, subject)
	}
	return comptoir.Wrap(comptoir.CodeCentralRefused, &CentralError{Status: status, Code: code, Message: r.Message}, status)
}

// Retryable says whether an error of Push may go away by itself: no answer, an answer cut on the
// way, a server error. Refusals the central gave on purpose are not retried, nor an answer that
// is not the central's (a wrong address would answer the same again).
func Retryable(err error) bool {
	return errors.Is(err, comptoir.E(comptoir.CodeCentralUnreachable)) ||
		errors.Is(err, comptoir.E(comptoir.CodeCentralFailing))
}

// String names the client's central, never its token.
func (c *Client) String() string { return fmt.Sprintf("central %s", c.BaseURL) }
