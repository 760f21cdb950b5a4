package comptoir_test

import (
	"testing"
	"unicode/utf8"

	"github.com/comptoir/comptoir"
)

// TestAuditAction_Format names every audited action in both languages, never by its stored name,
// including the lifting of a restriction ("resume-processing").
func TestAuditAction_Format(t *testing.T) {
	actions := []comptoir.AuditAction{comptoir.AuditEnrol, comptoir.AuditUpdate, comptoir.AuditReveal, comptoir.AuditExport,
		comptoir.AuditErase, comptoir.AuditBlock, comptoir.AuditStopProcessing, comptoir.AuditConsent, "resume-processing",
		comptoir.AuditLogin, comptoir.AuditLogout, comptoir.AuditPINRefused, comptoir.AuditUserAdded, comptoir.AuditUserDisabled,
		comptoir.AuditPINChanged}
	want := map[comptoir.AuditAction][2]string{
		comptoir.AuditReveal:         {"affichage en clair", "data revealed"},
		comptoir.AuditStopProcessing: {"arrêt du traitement", "processing stopped"},
		"resume-processing":          {"reprise du traitement", "processing resumed"},
	}
	for _, a := range actions {
		for i, l := range langs {
			got := a.Format(l)
			if got == "" || got == string(a) {
				t.Errorf("%s.Format(%s) = %q: no name in the language", a, l, got)
			}
			if w, ok := want[a]; ok && got != w[i] {
				t.Errorf("%s.Format(%s) = %q, want %q", a, l, got, w[i])
			}
			if n := utf8.RuneCountInString(got); n > comptoir.AuditActionWidth(l) {
				t.Errorf("%s.Format(%s) is %d wide, wider than AuditActionWidth %d", a, l, n, comptoir.AuditActionWidth(l))
			}
		}
	}
	if got, want := comptoir.AuditAction("from-a-newer-version").Format(fr), "from-a-newer-version"; got != want {
		t.Errorf("an unknown action formats as %q, want %q", got, want)
	}
}
