package comptoir_test

import (
	"testing"

	"github.com/comptoir/comptoir"
)

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want comptoir.Lang
	}{
		{"fr", comptoir.LangFR},
		{"FR", comptoir.LangFR},
		{"fr_FR.UTF-8", comptoir.LangFR},
		{"fr-CA", comptoir.LangFR},
		{" fr ", comptoir.LangFR},
		{"en", comptoir.LangEN},
		{"EN", comptoir.LangEN},
		{"en_GB.UTF-8", comptoir.LangEN},
		{"en.utf8", comptoir.LangEN},
	}
	for _, tt := range tests {
		got, err := comptoir.ParseLang(tt.in)
		if err != nil {
			t.Errorf("ParseLang(%q): unexpected error %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseLang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"de", "de_DE.UTF-8", "", "C", "POSIX", "french", "_fr", "-en", "f r", "fra"} {
		t.Run(in, func(t *testing.T) {
			got, err := comptoir.ParseLang(in)
			checkErr(t, err, comptoir.ErrUnknownLang)
			if got != "" {
				t.Errorf("ParseLang(%q) = %q with an error", in, got)
			}
			contains(t, "Message(fr)", comptoir.Message(err, fr), "« "+in+" »")
		})
	}
}

// TestText_InMessage checks that a Text argument takes the message's language: the parts of the
// database a corrupt record names used to stay in English inside French sentences.
func TestText_InMessage(t *testing.T) {
	err := comptoir.E(comptoir.CodeCorruptRecord, comptoir.Text{FR: "valeur enregistrée", EN: "stored value"})
	if got, want := err.Message(comptoir.LangFR), "enregistrement illisible dans la base (valeur enregistrée)"; got != want {
		t.Errorf("French message = %q, want %q", got, want)
	}
	if got, want := err.Message(comptoir.LangEN), "unreadable record in the database (stored value)"; got != want {
		t.Errorf("English message = %q, want %q", got, want)
	}
}
