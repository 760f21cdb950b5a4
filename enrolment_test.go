package comptoir_test

import (
	"slices"
	"testing"

	"github.com/comptoir/comptoir"
)

// allNo answers no on every channel: an explicit answer for each, none of them a yes.
func allNo() map[comptoir.Channel]bool {
	m := map[comptoir.Channel]bool{}
	for _, c := range comptoir.Channels {
		m[c] = false
	}
	return m
}

func TestNormalizeEnrolment_DefaultsAndCleaning(t *testing.T) {
	e, err := comptoir.NormalizeEnrolment(comptoir.Enrolment{Card: comptoir.CardNumber(7), Consent: allNo(),
		Personal: comptoir.Personal{FirstName: " Jeanne\x1b[31m ", LastName: "Martin", Email: "J.Martin@Exemple.FR"}})
	checkErr(t, err, nil)
	if got, want := e.Basis, comptoir.BasisContract; got != want {
		t.Errorf("Basis = %q, want %q", got, want)
	}
	if got, want := e.Via, comptoir.ViaRegister; got != want {
		t.Errorf("Via = %q, want %q", got, want)
	}
	if got, want := e.Personal.Email, "j.martin@exemple.fr"; got != want {
		t.Errorf("Email = %q, want %q", got, want)
	}
	if got, want := e.Personal.FirstName, "Jeanne"; got != want {
		t.Errorf("FirstName = %q, want %q", got, want)
	}
}

func TestNormalizeEnrolment_Refusals(t *testing.T) {
	ok := comptoir.Enrolment{Card: comptoir.CardNumber(7), Consent: allNo(), Personal: comptoir.Personal{FirstName: "Jeanne", LastName: "Martin"}}
	partial := allNo()
	delete(partial, comptoir.ChannelPartners)
	for _, tc := range []struct {
		name   string
		change func(*comptoir.Enrolment)
		want   *comptoir.Error
	}{
		{"product code as card", func(e *comptoir.Enrolment) { e.Card = "3017620422003" }, comptoir.E(comptoir.CodeNotACard)},
		{"no last name", func(e *comptoir.Enrolment) { e.Personal.LastName = " " }, comptoir.E(comptoir.CodeEmptyPersonName)},
		{"a channel unanswered", func(e *comptoir.Enrolment) { e.Consent = partial }, comptoir.E(comptoir.CodeConsentMissing)},
		{"basis that ends a membership", func(e *comptoir.Enrolment) { e.Basis = comptoir.BasisDelete }, comptoir.E(comptoir.CodeBasisNotForEnrolment)},
		{"unknown channel of record", func(e *comptoir.Enrolment) { e.Via = "fax" }, comptoir.E(comptoir.CodeUnknownVia)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ok
			tc.change(&e)
			_, err := comptoir.NormalizeEnrolment(e)
			checkErr(t, err, tc.want)
		})
	}
}

func TestPersonalUpdate_Apply(t *testing.T) {
	old := comptoir.Personal{FirstName: "Jeanne", LastName: "Martin", Email: "j@exemple.fr", Phone: "+33612345678"}
	email, empty := "Jeanne.M@Exemple.fr", ""
	p, fields, err := comptoir.PersonalUpdate{Email: &email, Phone: &empty}.Apply(old)
	checkErr(t, err, nil)
	if got, want := p, (comptoir.Personal{FirstName: "Jeanne", LastName: "Martin", Email: "jeanne.m@exemple.fr"}); got != want {
		t.Errorf("Apply = %+v, want %+v", got, want)
	}
	if got, want := fields, []string{"email", "phone"}; !slices.Equal(got, want) {
		t.Errorf("fields = %q, want %q", got, want)
	}
	_, _, err = comptoir.PersonalUpdate{}.Apply(old)
	checkErr(t, err, comptoir.E(comptoir.CodeNothingToUpdate))
	_, _, err = comptoir.PersonalUpdate{FirstName: &empty}.Apply(old)
	checkErr(t, err, comptoir.E(comptoir.CodeEmptyPersonName))
}
