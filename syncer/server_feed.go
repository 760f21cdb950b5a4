package syncer

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// The pull (set-up and change feed, for a register's token) and the back office (members,
// consent, erasure, price list, for the administrator's token).

// maxSmallBody bounds the bodies of set-up and consent requests, a few hundred bytes each: a
// client has no reason to send more, and the central no reason to read it.
const maxSmallBody = 64 << 10

// maxByLen bounds the name X-Comptoir-By gives, which goes into the central's audit.
const maxByLen = 64

// ByHeader names the person who asks, for the central's audit of reveals and erasures, when the
// administrator's token is used on their behalf.
const ByHeader = "X-Comptoir-By"

// authorizeAdmin checks that the request carries the administrator's token and returns who asks:
// the person X-Comptoir-By names, or the token's own name.
func (s *Server) authorizeAdmin(r *http.Request) (string, error) {
	who, err := s.authenticate(r)
	if err != nil {
		return "", err
	}
	if who != comptoir.AdminName {
		return "", comptoir.E(comptoir.CodeAdminOnly)
	}
	by := strings.TrimSpace(r.Header.Get(ByHeader))
	if by == "" {
		return comptoir.AdminName, nil
	}
	if !utf8.ValidString(by) || comptoir.CleanText(by) != by || utf8.RuneCountInString(by) > maxByLen {
		return "", comptoir.E(comptoir.CodeInvalidParameter, ByHeader, by)
	}
	return by, nil
}

// authorizeFeed checks that the request carries a register's token and returns that register:
// the change feed speaks for the token's own register, which the path does not repeat.
func (s *Server) authorizeFeed(r *http.Request) (string, error) {
	who, err := s.authenticate(r)
	if err != nil {
		return "", err
	}
	if who == comptoir.AdminName {
		return "", comptoir.E(comptoir.CodeRegisterOnly)
	}
	return who, nil
}

// decodeBody reads a small JSON body into v: gzip undone, at most max bytes, unknown fields
// refused. Refusals: CodeBodyTooLarge, CodeMalformedBody.
func decodeBody(r *http.Request, max int64, v any) error {
	data, err := readBody(r.Body, r.Header.Get("Content-Encoding"), max, comptoir.CodeBodyTooLarge, comptoir.CodeMalformedBody)
	if err != nil {
		return err
	}
	return decodeStrict(data, v, comptoir.CodeMalformedBody)
}

// cardParam reads the card in the path, refusing what is not a loyalty card number before the
// store looks: a product code typed in the card's place is a mistake to say, not a member to
// look for.
func cardParam(r *http.Request) (string, error) {
	card := r.PathValue("card")
	if err := comptoir.ValidateCard(card); err != nil {
		return "", err
	}
	return card, nil
}

// boolParam reads a query flag: absent or empty is false, otherwise true or false as
// strconv.ParseBool reads them.
func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, comptoir.E(comptoir.CodeInvalidParameter, name, v)
	}
	return b, nil
}

// handleSetup hands a register its keys and card block. Only the register's own token asks:
// the set-up is the register's, and it says whether it is a demo.
func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	register, err := s.authorize(r, false)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req comptoir.SetupRequest
	if err := decodeBody(r, maxSmallBody, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	req.Software = comptoir.CleanText(req.Software)
	setup, err := s.Central.Setup(r.Context(), register, req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Demo {
		// Once a demo, always a demo, as the store keeps it: a later set-up saying otherwise
		// does not relabel the register's series.
		s.metrics.setDemo(register, true)
	}
	s.writeJSON(w, r, http.StatusOK, setup)
}

// handleChanges answers one page of the token's register's change feed.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	register, err := s.authorizeFeed(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	limit := comptoir.MaxChangesPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.Error(w, r, comptoir.E(comptoir.CodeInvalidParameter, "limit", v))
			return
		}
		// A larger page is not refused: the register asks for what it can take, and gets at
		// most what the central gives, with More telling it to come back.
		limit = min(n, comptoir.MaxChangesPage)
	}
	page, err := s.Central.Changes(r.Context(), register, q.Get("since"), limit)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if page.Changes == nil {
		// An empty page is a list, not null, for clients that iterate without checking.
		page.Changes = []comptoir.Change{}
	}
	s.writeJSON(w, r, http.StatusOK, page)
}

// handleMember finds a member by card, revealing their personal data when asked (audited).
func (s *Server) handleMember(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorizeAdmin(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	reveal, err := boolParam(r, "reveal")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	card, err := cardParam(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	m, err := s.Central.Member(r.Context(), card, reveal, who)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}

// handleMemberByEmail finds a member by exact email address.
func (s *Server) handleMemberByEmail(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorizeAdmin(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	reveal, err := boolParam(r, "reveal")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	if email == "" {
		s.Error(w, r, comptoir.E(comptoir.CodeInvalidParameter, "email", ""))
		return
	}
	m, err := s.Central.MemberByEmail(r.Context(), email, reveal, who)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}

// consentBody is the body of POST /v1/members/{card}/consent: comptoir.CentralConsent with
// granted as a pointer, so that a body without it is refused rather than read as a withdrawal.
type consentBody struct {
	Channel       comptoir.Channel    `json:"channel"`
	Granted       *bool               `json:"granted"`
	Via           comptoir.ConsentVia `json:"via"`
	NoticeVersion string              `json:"notice_version,omitempty"`
	By            string              `json:"by,omitempty"`
	At            time.Time           `json:"at,omitzero"`
}

// handleConsent records a consent change made centrally. A body without "granted" is refused:
// giving and withdrawing are both decisions of the member, never a default. "by" names the staff
// member or the system that recorded the change (never the customer, who is the subject); it is
// cleaned and bounded as X-Comptoir-By is, and a body without it is recorded under who asks, so
// that every change says whose it is.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorizeAdmin(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	card, err := cardParam(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var b consentBody
	if err := decodeBody(r, maxSmallBody, &b); err != nil {
		s.Error(w, r, err)
		return
	}
	if b.Granted == nil {
		s.Error(w, r, comptoir.E(comptoir.CodeMalformedBody, "granted is required"))
		return
	}
	c := comptoir.CentralConsent{Channel: b.Channel, Granted: *b.Granted, Via: b.Via, NoticeVersion: b.NoticeVersion,
		By: strings.TrimSpace(comptoir.CleanText(b.By)), At: b.At}
	if !utf8.ValidString(b.By) || utf8.RuneCountInString(c.By) > maxByLen {
		s.Error(w, r, comptoir.E(comptoir.CodeInvalidParameter, "by", c.By))
		return
	}
	if c.By == "" {
		c.By = who
	}
	m, err := s.Central.Consent(r.Context(), card, c)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}

// handleErase destroys a member's personal data at the central and queues the erasure for
// every register.
func (s *Server) handleErase(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorizeAdmin(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	card, err := cardParam(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Central.Erase(r.Context(), card, who); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Catalog is the body of PUT /v1/catalog.
type Catalog struct {
	Products []comptoir.Product `json:"products"`
}

// CatalogResult is the answer to PUT /v1/catalog: how many products the stored list holds.
type CatalogResult struct {
	Products int `json:"products"`
}

// handleCatalog stores a price list for every register's next pull. It is bounded like a push,
// since a chain's whole catalogue may be sent at once.
func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorizeAdmin(r); err != nil {
		s.Error(w, r, err)
		return
	}
	var c Catalog
	if err := decodeBody(r, s.maxBytes(), &c); err != nil {
		s.Error(w, r, err)
		return
	}
	if c.Products == nil {
		s.Error(w, r, comptoir.E(comptoir.CodeMalformedBody, "no products list"))
		return
	}
	n, err := s.Central.PutCatalog(r.Context(), c.Products)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, CatalogResult{Products: n})
}
