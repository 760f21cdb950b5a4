package comptoir_test

import (
	"testing"

	"github.com/comptoir/comptoir"
)

func TestStatus_Format(t *testing.T) {
	tests := []struct {
		s      comptoir.Status
		fr, en string
	}{
		{comptoir.StatusActive, "actif", "active"},
		{comptoir.StatusRestricted, "arrêt du traitement (limitation)", "stop processing (restricted)"},
		{comptoir.StatusErased, "effacé", "erased"},
		{comptoir.Status("other"), "other", "other"},
	}
	for _, tt := range tests {
		if got := tt.s.Format(fr); got != tt.fr {
			t.Errorf("%q.Format(fr) = %q, want %q", tt.s, got, tt.fr)
		}
		if got := tt.s.Format(en); got != tt.en {
			t.Errorf("%q.Format(en) = %q, want %q", tt.s, got, tt.en)
		}
	}
}

// TestLawfulBasis_IsStatus checks that exactly the CRM's Stop Processing and Delete are statuses,
// refused for enrolment, and every other value of the list is a basis a member can hold.
func TestLawfulBasis_IsStatus(t *testing.T) {
	for _, b := range comptoir.LawfulBases() {
		want := b == comptoir.BasisStopProcessing || b == comptoir.BasisDelete
		if got := b.IsStatus(); got != want {
			t.Errorf("%q.IsStatus() = %v, want %v", b, got, want)
		}
		err := b.ForEnrolment()
		if want {
			checkErr(t, err, comptoir.E(comptoir.CodeBasisNotForEnrolment))
		} else {
			checkErr(t, err, nil)
		}
	}
}
