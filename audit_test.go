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

func TestAuditEntry_DetailInSaysTheTillInWords(t *testing.T) {
	tests := []struct {
		e      comptoir.AuditEntry
		fr, en string
	}{
		{comptoir.AuditEntry{Action: comptoir.AuditLineVoided, Detail: comptoir.VoidDetail(comptoir.Line{GTIN: "3017620422003", Qty: 2, Total: 790})},
			"3017620422003 × 2, 7,90 €", "3017620422003 × 2, €7.90"},
		{comptoir.AuditEntry{Action: comptoir.AuditTicketAbandoned, Detail: comptoir.AbandonDetail([]comptoir.Line{{Qty: 1, Total: 120}})},
			"1 ligne, 1 article, 1,20 €", "1 line, 1 item, €1.20"},
		{comptoir.AuditEntry{Action: comptoir.AuditTicketAbandoned, Detail: "0×0=0"}, "0 ligne, 0 article, 0,00 €", "0 lines, 0 items, €0.00"},
		// A detail a later version wrote is shown as stored rather than misread.
		{comptoir.AuditEntry{Action: comptoir.AuditLineVoided, Detail: "v2:something"}, "v2:something", "v2:something"},
	}
	for _, tt := range tests {
		if got := tt.e.DetailIn(comptoir.LangFR); got != tt.fr {
			t.Errorf("DetailIn(FR) of %q = %q, want %q", tt.e.Detail, got, tt.fr)
		}
		if got := tt.e.DetailIn(comptoir.LangEN); got != tt.en {
			t.Errorf("DetailIn(EN) of %q = %q, want %q", tt.e.Detail, got, tt.en)
		}
	}
}

func TestTillCounts_AddIgnoresOtherEntries(t *testing.T) {
	var c comptoir.TillCounts
	c.Add(comptoir.AuditEntry{Action: comptoir.AuditLineVoided, Detail: "3017620422003×1=250"})
	c.Add(comptoir.AuditEntry{Action: comptoir.AuditLogin})
	c.Add(comptoir.AuditEntry{Action: comptoir.AuditLineVoided, Detail: "garbled"})
	c.Add(comptoir.AuditEntry{Action: comptoir.AuditTicketAbandoned, Detail: "2×3=900"})
	if want := (comptoir.TillCounts{Voids: 1, VoidAmount: 250, Abandons: 1, AbandonAmount: 900}); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
}
