package syncer_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

func setupCall(register, token string, body []byte) call {
	return call{method: http.MethodPost, path: "/v1/registers/" + register + "/setup", token: token, body: body}
}

func changes(token, since string, limit ...int) call {
	q := url.Values{}
	if since != "" {
		q.Set("since", since)
	}
	if len(limit) > 0 {
		q.Set("limit", fmt.Sprint(limit[0]))
	}
	p := "/v1/changes"
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return call{method: http.MethodGet, path: p, token: token}
}

func member(card, token string, reveal bool) call {
	p := "/v1/members/" + card
	if reveal {
		p += "?reveal=true"
	}
	return call{method: http.MethodGet, path: p, token: token}
}

func memberByEmail(email, token string) call {
	return call{method: http.MethodGet, path: "/v1/members?email=" + url.QueryEscape(email), token: token}
}

func consent(card, token string, body []byte) call {
	return call{method: http.MethodPost, path: "/v1/members/" + card + "/consent", token: token, body: body}
}

func erase(card, token string) call {
	return call{method: http.MethodPost, path: "/v1/members/" + card + "/erase", token: token}
}

func catalog(token string, body []byte) call {
	return call{method: http.MethodPut, path: "/v1/catalog", token: token, body: body}
}

// memberCard is a card number no member holds, for the refusals that come before any lookup.
var memberCard = comptoir.CardNumber(100_001)

// memberPersonal is the tests' member's personal data, sealed for the central.
var memberPersonal = comptoir.Personal{FirstName: "Claire", LastName: "Martin", Email: "claire.martin@example.com"}

// enrolment is a customer.enrolled event as a register that pinned the central's key sends it:
// the personal data sealed under a fresh data key, that key wrapped to the central's.
func enrolment(t *testing.T, seq uint64, id comptoir.CustomerID, card string, centralKey []byte) comptoir.Event {
	t.Helper()
	pub, err := comptoir.ParseCentralKey(centralKey)
	if err != nil {
		t.Fatal(err)
	}
	dataKey := make([]byte, comptoir.DataKeySize)
	if _, err := rand.Read(dataKey); err != nil {
		t.Fatal(err)
	}
	wrapped, err := comptoir.WrapDataKey(pub, dataKey, id)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := comptoir.SealPersonalData(dataKey, memberPersonal, id)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(map[string]any{"id": id, "cards": []string{card}, "basis": comptoir.BasisContract,
		"consent": map[comptoir.Channel]bool{comptoir.ChannelEmail: true, comptoir.ChannelSMS: false},
		"sealed":  comptoir.SealedPersonal{Key: wrapped, Data: sealed}})
	if err != nil {
		t.Fatal(err)
	}
	return comptoir.Event{Seq: seq, ID: fmt.Sprintf("enrol-%d-%s", seq, id), Type: comptoir.EventCustomerEnrolled,
		At: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), Payload: payload}
}

// withMember sets R1 and R2 up and has R2 push the enrolment of a member holding the first card
// of R2's block, their personal data sealed for the central.
func withMember(t *testing.T, s *syncer.Server) comptoir.CentralMember {
	t.Helper()
	wantStatus(t, do(t, s, setupCall("R1", tokR1, []byte(`{"demo":false}`))), http.StatusOK, "")
	a := do(t, s, setupCall("R2", tokR2, []byte(`{"demo":false}`)))
	wantStatus(t, a, http.StatusOK, "")
	setup := decode[comptoir.Setup](t, a)
	card := comptoir.CardNumber(setup.CardsFirst)
	ev := enrolment(t, 1, "M00000000000000a1", card, setup.CentralKey)
	wantAcked(t, do(t, s, push("R2", tokR2, batchBody(t, []comptoir.Event{ev}))), 1)
	a = do(t, s, member(card, tokAdmin, false))
	wantStatus(t, a, http.StatusOK, "")
	return decode[comptoir.CentralMember](t, a)
}

// drain reads R1's whole feed from the beginning.
func drain(t *testing.T, s *syncer.Server, token string) []comptoir.Change {
	t.Helper()
	var all []comptoir.Change
	since := ""
	for range 100 {
		a := do(t, s, changes(token, since))
		wantStatus(t, a, http.StatusOK, "")
		page := decode[comptoir.ChangesPage](t, a)
		all = append(all, page.Changes...)
		since = page.Next
		if !page.More {
			return all
		}
	}
	t.Fatal("the feed never ended")
	return nil
}

func TestServerFeed(t *testing.T) {
	consentBody := []byte(`{"channel":"email","granted":false,"via":"web"}`)
	tests := []struct {
		name string
		run  func(t *testing.T, s *syncer.Server)
	}{
		{"SetupSameEveryTime", func(t *testing.T, s *syncer.Server) {
			a := do(t, s, setupCall("R1", tokR1, []byte(`{"demo":true,"software":"comptoir test"}`)))
			wantStatus(t, a, http.StatusOK, "")
			first := decode[comptoir.Setup](t, a)
			if first.Register != "R1" || len(first.CentralKey) != 32 || len(first.LookupKey) != 32 ||
				first.CardsLast-first.CardsFirst+1 != 100_000 || first.Now.IsZero() {
				t.Fatalf("setup: got %+v, want R1, two 32-byte keys, 100 000 cards, the central's time", first)
			}
			c := setupCall("R1", tokR1, gzipped(t, []byte(`{"demo":true}`)))
			c.gzip, c.acceptGzip = true, true
			a = do(t, s, c)
			wantStatus(t, a, http.StatusOK, "")
			again := decode[comptoir.Setup](t, a)
			if string(again.CentralKey) != string(first.CentralKey) || string(again.LookupKey) != string(first.LookupKey) ||
				again.CardsFirst != first.CardsFirst {
				t.Fatalf("second setup: got %+v, want the same keys and block as %+v", again, first)
			}
		}},
		{"SetupDemoInSummary", func(t *testing.T, s *syncer.Server) {
			wantStatus(t, do(t, s, setupCall("R1", tokR1, []byte(`{"demo":true}`))), http.StatusOK, "")
			wantAcked(t, do(t, s, push("R1", tokR1, batchBody(t, sales(1, 1)))), 1)
			if got := summary(t, s, "R1"); !got.Demo {
				t.Fatalf("summary after a demo set-up: got %+v, want demo", got)
			}
		}},
		{"SetupRefusals", func(t *testing.T, s *syncer.Server) {
			wantStatus(t, do(t, s, setupCall("R2", tokR1, []byte(`{}`))), http.StatusForbidden, string(comptoir.CodeForbiddenRegister))
			wantStatus(t, do(t, s, setupCall("R1", tokAdmin, []byte(`{}`))), http.StatusForbidden, string(comptoir.CodeForbiddenRegister))
			c := setupCall("R1", "", []byte(`{}`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusUnauthorized, string(comptoir.CodeUnauthorized))
			c = setupCall("R1", tokR1, []byte(`{"demo":tr`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			c = setupCall("R1", tokR1, []byte(`{"demo":"yes"}`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			c = setupCall("R1", tokR1, []byte(`{"software":"`+strings.Repeat("x", 70_000)+`"}`))
			wantStatus(t, do(t, s, c), http.StatusRequestEntityTooLarge, string(comptoir.CodeBodyTooLarge))
			z := gzipped(t, []byte(`{"demo":true}`))
			c = setupCall("R1", tokR1, z[:len(z)-4])
			c.gzip, c.invalid = true, true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			// None of them set anything up: the summary is still unknown and says no demo.
			wantNothingStored(t, s, "R1")
		}},
		{"ChangesFromElsewhere", func(t *testing.T, s *syncer.Server) {
			m := withMember(t, s)
			// R1 learns of the member R2 enrolled, without their personal data.
			got := drain(t, s, tokR1)
			if len(got) != 1 || got[0].Kind != comptoir.ChangeMember || got[0].Member == nil || got[0].Member.ID != m.ID {
				t.Fatalf("R1's feed: got %+v, want the member %s", got, m.ID)
			}
		}},
		{"ChangesPaged", func(t *testing.T, s *syncer.Server) {
			for i := range 3 {
				body := fmt.Sprintf(`{"products":[{"gtin":"3017620422003","name":"Pâte %d","price":%d,"vat":550}]}`, i, 395+i)
				wantStatus(t, do(t, s, catalog(tokAdmin, []byte(body))), http.StatusOK, "")
			}
			a := do(t, s, changes(tokR1, "", 2))
			wantStatus(t, a, http.StatusOK, "")
			page := decode[comptoir.ChangesPage](t, a)
			if len(page.Changes) != 2 || !page.More || page.Next == "" {
				t.Fatalf("first page: got %d changes more=%v next=%q, want 2, more, a cursor", len(page.Changes), page.More, page.Next)
			}
			a = do(t, s, changes(tokR1, page.Next, 2))
			page = decode[comptoir.ChangesPage](t, a)
			if len(page.Changes) != 1 || page.More || page.Changes[0].Catalog[0].Name != "Pâte 2" {
				t.Fatalf("second page: got %+v, want the last price list and no more", page)
			}
			// Nothing new: an empty list, the same cursor to come back with.
			a = do(t, s, changes(tokR1, page.Next))
			if empty := decode[comptoir.ChangesPage](t, a); len(empty.Changes) != 0 || empty.More || empty.Changes == nil {
				t.Fatalf("caught-up page: got %s, want an empty list", a.body)
			}
		}},
		{"ChangesRefusals", func(t *testing.T, s *syncer.Server) {
			wantStatus(t, do(t, s, changes(tokAdmin, "")), http.StatusForbidden, string(comptoir.CodeRegisterOnly))
			c := changes("", "")
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusUnauthorized, string(comptoir.CodeUnauthorized))
			c = call{method: http.MethodGet, path: "/v1/changes?limit=0", token: tokR1, invalid: true}
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeInvalidParameter))
			c = call{method: http.MethodGet, path: "/v1/changes?limit=ten", token: tokR1, invalid: true}
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeInvalidParameter))
			// A page larger than the central gives is not refused: it is cut to the most.
			c = call{method: http.MethodGet, path: "/v1/changes?limit=5000", token: tokR1}
			wantStatus(t, do(t, s, c), http.StatusOK, "")
		}},
		{"MemberByCard", func(t *testing.T, s *syncer.Server) {
			m := withMember(t, s)
			card := m.Cards[0]
			if m.Revealed || m.Personal.Email == memberPersonal.Email || len(m.Cards) != 1 || m.Cards[0] != card {
				t.Fatalf("member: got %+v, want card %s, masked", m, card)
			}
			c := member(card, tokAdmin, true)
			c.header = map[string]string{syncer.ByHeader: "Paul Durand"}
			a := do(t, s, c)
			wantStatus(t, a, http.StatusOK, "")
			if got := decode[comptoir.CentralMember](t, a); !got.Revealed || got.Personal != memberPersonal {
				t.Fatalf("reveal: got %+v, want revealed %+v", got, memberPersonal)
			}
		}},
		{"MemberByEmail", func(t *testing.T, s *syncer.Server) {
			m := withMember(t, s)
			a := do(t, s, memberByEmail("Claire.Martin@example.com", tokAdmin))
			wantStatus(t, a, http.StatusOK, "")
			if got := decode[comptoir.CentralMember](t, a); got.ID != m.ID || got.Revealed {
				t.Fatalf("by email: got %+v, want %s masked", got, m.ID)
			}
			c := memberByEmail(memberPersonal.Email, tokAdmin)
			c.path += "&reveal=true"
			a = do(t, s, c)
			wantStatus(t, a, http.StatusOK, "")
			if got := decode[comptoir.CentralMember](t, a); got.Personal != memberPersonal {
				t.Fatalf("by email, revealed: got %+v, want %+v", got.Personal, memberPersonal)
			}
		}},
		{"MemberRefusals", func(t *testing.T, s *syncer.Server) {
			card := withMember(t, s).Cards[0]
			wantStatus(t, do(t, s, member(card, tokR1, false)), http.StatusForbidden, string(comptoir.CodeAdminOnly))
			c := member(card, "", false)
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusUnauthorized, string(comptoir.CodeUnauthorized))
			wantStatus(t, do(t, s, member(comptoir.CardNumber(999_999), tokAdmin, false)), http.StatusNotFound, string(comptoir.CodeUnknownCard))
			c = member("3017620422003", tokAdmin, false)
			c.invalid = true
			if a := do(t, s, c); a.status != http.StatusBadRequest {
				t.Fatalf("a product code as a card: got %d, want 400 (%s)", a.status, a.body)
			}
			c = call{method: http.MethodGet, path: "/v1/members/" + card + "?reveal=maybe", token: tokAdmin, invalid: true}
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeInvalidParameter))
			c = member(card, tokAdmin, true)
			c.header = map[string]string{syncer.ByHeader: strings.Repeat("x", 65)}
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeInvalidParameter))
			wantStatus(t, do(t, s, memberByEmail("nobody@example.com", tokAdmin)), http.StatusNotFound, string(comptoir.CodeUnknownCustomer))
			wantStatus(t, do(t, s, memberByEmail("nobody@example.com", tokR2)), http.StatusForbidden, string(comptoir.CodeAdminOnly))
			c = call{method: http.MethodGet, path: "/v1/members", token: tokAdmin, invalid: true}
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeInvalidParameter))
		}},
		{"ConsentReachesRegisters", func(t *testing.T, s *syncer.Server) {
			m := withMember(t, s)
			card := m.Cards[0]
			a := do(t, s, consent(card, tokAdmin, consentBody))
			wantStatus(t, a, http.StatusOK, "")
			if got := decode[comptoir.CentralMember](t, a); got.Consent[comptoir.ChannelEmail] {
				t.Fatalf("after withdrawal: got %+v, want email consent false", got.Consent)
			}
			var seen bool
			for _, c := range append(drain(t, s, tokR1), drain(t, s, tokR2)...) {
				if c.Kind == comptoir.ChangeConsent && c.Consent.ID == m.ID && c.Consent.Event.Channel == comptoir.ChannelEmail &&
					!c.Consent.Event.Granted && c.Consent.Event.Via == comptoir.ViaWeb {
					if c.Consent.Event.By == "" {
						t.Fatalf("consent change without who made it: %+v", c.Consent)
					}
					seen = true
				}
			}
			if !seen {
				t.Fatal("the withdrawal reached no register's feed")
			}
		}},
		{"ConsentRefusals", func(t *testing.T, s *syncer.Server) {
			card := withMember(t, s).Cards[0]
			wantStatus(t, do(t, s, consent(card, tokR1, consentBody)), http.StatusForbidden, string(comptoir.CodeAdminOnly))
			c := consent(card, tokAdmin, consentBody[:20])
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			c = consent(card, tokAdmin, []byte(`{"channel":"email","granted":false,"via":"web","extra":1}`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			c = consent(card, tokAdmin, []byte(`{"channel":"pigeon","granted":false,"via":"web"}`))
			c.invalid = true
			if a := do(t, s, c); a.status != http.StatusBadRequest {
				t.Fatalf("unknown channel: got %d, want 400 (%s)", a.status, a.body)
			}
			wantStatus(t, do(t, s, consent(comptoir.CardNumber(999_999), tokAdmin, consentBody)), http.StatusNotFound, string(comptoir.CodeUnknownCard))
			// Without granted the body says nothing: it is refused, never read as a withdrawal.
			c = consent(card, tokAdmin, []byte(`{"channel":"email","via":"web"}`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			c = consent(card, tokAdmin, []byte(`{"channel":"email","granted":null,"via":"web"}`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			c = consent(card, tokAdmin, []byte(`{"channel":"email","granted":false,"via":"web","by":"`+strings.Repeat("x", 65)+`"}`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeInvalidParameter))
			// Nothing of the refusals reached a register.
			for _, ch := range drain(t, s, tokR1) {
				if ch.Kind == comptoir.ChangeConsent {
					t.Fatalf("a refused consent reached the feed: %+v", ch)
				}
			}
		}},
		{"ConsentByCleaned", func(t *testing.T, s *syncer.Server) {
			card := withMember(t, s).Cards[0]
			a := do(t, s, consent(card, tokAdmin, []byte(`{"channel":"sms","granted":true,"via":"web","by":"  web\u0007 form  "}`)))
			wantStatus(t, a, http.StatusOK, "")
			var by []string
			for _, ch := range drain(t, s, tokR1) {
				if ch.Kind == comptoir.ChangeConsent {
					by = append(by, ch.Consent.Event.By)
				}
			}
			if len(by) != 1 || strings.ContainsFunc(by[0], func(r rune) bool { return r < ' ' }) || strings.TrimSpace(by[0]) != by[0] || by[0] == "" {
				t.Fatalf("by in the feed = %q, want one name, cleaned and trimmed", by)
			}
		}},
		{"EraseReachesRegisters", func(t *testing.T, s *syncer.Server) {
			m := withMember(t, s)
			card := m.Cards[0]
			a := do(t, s, erase(card, tokAdmin))
			wantStatus(t, a, http.StatusNoContent, "")
			var seen bool
			for _, c := range drain(t, s, tokR1) {
				seen = seen || (c.Kind == comptoir.ChangeErased && c.Erased == m.ID)
			}
			if !seen {
				t.Fatal("the erasure did not reach R1")
			}
		}},
		{"EraseRefusals", func(t *testing.T, s *syncer.Server) {
			card := withMember(t, s).Cards[0]
			wantStatus(t, do(t, s, erase(card, tokR2)), http.StatusForbidden, string(comptoir.CodeAdminOnly))
			wantStatus(t, do(t, s, erase(comptoir.CardNumber(999_999), tokAdmin)), http.StatusNotFound, string(comptoir.CodeUnknownCard))
			for _, c := range drain(t, s, tokR1) {
				if c.Kind == comptoir.ChangeErased {
					t.Fatalf("a refused erasure reached the feed: %+v", c)
				}
			}
		}},
		{"Catalog", func(t *testing.T, s *syncer.Server) {
			body := []byte(`{"products":[{"gtin":"3017620422003","name":"Pâte à tartiner","price":395,"vat":550},` +
				`{"gtin":"5449000000996","name":"Cola 33 cl","price":120,"vat":550}]}`)
			c := catalog(tokAdmin, gzipped(t, body))
			c.gzip = true
			a := do(t, s, c)
			wantStatus(t, a, http.StatusOK, "")
			if got := decode[syncer.CatalogResult](t, a).Products; got != 2 {
				t.Fatalf("products: got %d, want 2", got)
			}
			got := drain(t, s, tokR1)
			if len(got) != 1 || got[0].Kind != comptoir.ChangeCatalog || len(got[0].Catalog) != 2 {
				t.Fatalf("R1's feed: got %+v, want one price list of 2", got)
			}
		}},
		{"CatalogRefusals", func(t *testing.T, s *syncer.Server) {
			good := `{"gtin":"3017620422003","name":"Pâte à tartiner","price":395,"vat":550}`
			wantStatus(t, do(t, s, catalog(tokR1, []byte(`{"products":[`+good+`]}`))), http.StatusForbidden, string(comptoir.CodeAdminOnly))
			// One bad product refuses the whole list.
			a := do(t, s, catalog(tokAdmin, []byte(`{"products":[`+good+`,{"gtin":"3017620422004","name":"Bad","price":100,"vat":550}]}`)))
			if a.status != http.StatusBadRequest {
				t.Fatalf("bad check digit: got %d, want 400 (%s)", a.status, a.body)
			}
			c := catalog(tokAdmin, []byte(`{"products":[`+good))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			c = catalog(tokAdmin, []byte(`{}`))
			c.invalid = true
			wantStatus(t, do(t, s, c), http.StatusBadRequest, string(comptoir.CodeMalformedBody))
			s.MaxBatchBytes = 100
			wantStatus(t, do(t, s, catalog(tokAdmin, []byte(`{"products":[`+good+`,`+good+`]}`))), http.StatusRequestEntityTooLarge, string(comptoir.CodeBodyTooLarge))
			if got := drain(t, s, tokR1); len(got) != 0 {
				t.Fatalf("refused price lists reached the feed: %+v", got)
			}
		}},
		{"FeedFrench", func(t *testing.T, s *syncer.Server) {
			c := member(memberCard, tokR1, false)
			c.header = map[string]string{"Accept-Language": "fr"}
			a := do(t, s, c)
			wantStatus(t, a, http.StatusForbidden, string(comptoir.CodeAdminOnly))
			if got := decode[syncer.ErrorResponse](t, a).Message; !strings.Contains(got, "administrateur") {
				t.Fatalf("message: got %q, want the French sentence", got)
			}
		}},
	}
	for name, newCentral := range centrals {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) { tt.run(t, newServer(t, newCentral)) })
		}
	}
}

// TestContract_EveryOperationServed walks openapi.yaml: every operation it documents is one the
// server routes, so that the document never promises an endpoint the central does not have.
func TestContract_EveryOperationServed(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(syncer.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, newBoltCentral)
	fill := strings.NewReplacer("{register}", "R1", "{card}", memberCard)
	n := 0
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			n++
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(method, base+fill.Replace(path), nil))
			body := rec.Body.String()
			if rec.Code == http.StatusMethodNotAllowed || strings.HasPrefix(body, "404 page not found") {
				t.Errorf("%s %s: documented, but the server has no such route (%d %s)", method, path, rec.Code, body)
			}
		}
	}
	if n < 12 {
		t.Fatalf("the document has %d operations, want every endpoint", n)
	}
}
