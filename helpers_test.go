package comptoir_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
)

// Short names for the two languages, used by every table.
const (
	fr = comptoir.LangFR
	en = comptoir.LangEN
)

var langs = []comptoir.Lang{fr, en}

// Products used across the tests. Their GTINs have valid check digits.
var (
	// pomme is at the reduced rate: 2,50 € TTC.
	pomme = comptoir.Product{GTIN: "3017620422003", Name: "Pomme", Price: 250, VAT: comptoir.VATReduced}
	// vin is at the normal rate: 12,00 € TTC.
	vin = comptoir.Product{GTIN: "4006381333931", Name: "Vin", Price: 1200, VAT: comptoir.VATNormal}
	// repas is at the intermediate rate: 10,00 € TTC.
	repas = comptoir.Product{GTIN: "96385074", Name: "Repas", Price: 1000, VAT: comptoir.VATIntermediate}
	// journal is at the special rate: 2,10 € TTC.
	journal = comptoir.Product{GTIN: "036000291452", Name: "Journal", Price: 210, VAT: comptoir.VATSpecial}
)

func pay(m comptoir.PaymentMethod, amount comptoir.Money) comptoir.Payment {
	return comptoir.Payment{Method: m, Amount: amount}
}

// checkErr fails the test unless err matches target with errors.Is (or is nil when target is nil),
// and, for a refusal, unless it is an *Error whose explanation is well formed in both languages.
func checkErr(t *testing.T, err error, target *comptoir.Error) {
	t.Helper()
	if target == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("error = nil, want %s", target.Code)
	}
	if !errors.Is(err, target) {
		t.Fatalf("error = %v (%#v), want %s", err, err, target.Code)
	}
	var e *comptoir.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *comptoir.Error", err)
	}
	checkMessages(t, err)
}

// checkMessages fails the test if an error's explanation is empty or shows a fmt error marker in
// either language.
func checkMessages(t *testing.T, err error) {
	t.Helper()
	for _, l := range langs {
		m := comptoir.Message(err, l)
		if m == "" || strings.Contains(m, "%!") {
			t.Errorf("Message(%v, %s) = %q, want a well-formed sentence", err, l, m)
		}
	}
}

// contains fails the test unless s contains every one of subs.
func contains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s = %q, want it to contain %q", what, s, sub)
		}
	}
}
