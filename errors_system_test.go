package comptoir_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/comptoir/comptoir"
)

// TestMessage_SystemErrors explains the system errors a shop meets, wrapped in a refusal or bare,
// in the user's language and keeping the file's path: never the system's English words, which
// used to end the sentence ("écriture impossible : write comptoir.db: no space left on device").
func TestMessage_SystemErrors(t *testing.T) {
	var syntax error = json.Unmarshal([]byte(`{"a":`), &struct{}{})
	var typ error = json.Unmarshal([]byte(`{"a":"x"}`), &struct{ A int }{})
	cases := []struct {
		name   string
		err    error
		fr, en string
		raw    string
	}{
		{"ENOSPC", &fs.PathError{Op: "write", Path: "/var/lib/comptoir.db", Err: syscall.ENOSPC},
			"disque plein : libérez de la place puis réessayez (/var/lib/comptoir.db)",
			"disk full: free some space and try again (/var/lib/comptoir.db)", "no space left"},
		{"EIO", fmt.Errorf("sync: %w", &fs.PathError{Op: "fdatasync", Path: "c.db", Err: syscall.EIO}),
			"erreur d'entrée-sortie : le disque ou la clé est peut-être défaillant (c.db)",
			"input/output error: the disk or drive may be failing (c.db)", "fdatasync"},
		{"EACCES", &fs.PathError{Op: "open", Path: "c.db.key", Err: syscall.EACCES},
			"permission refusée (c.db.key)", "permission denied (c.db.key)", "open c.db.key"},
		{"EPERM", &os.LinkError{Op: "link", Old: "c.db.new-1", New: "c.db", Err: syscall.EPERM},
			"permission refusée (c.db)", "permission denied (c.db)", "operation not permitted"},
		{"EROFS", &fs.PathError{Op: "open", Path: "/mnt/c.db", Err: syscall.EROFS},
			"système de fichiers en lecture seule (/mnt/c.db)", "read-only file system (/mnt/c.db)", "read-only file system:"},
		{"ENOENT", &fs.PathError{Op: "open", Path: "/nulle/part/c.db", Err: syscall.ENOENT},
			"fichier ou dossier introuvable (/nulle/part/c.db)", "no such file or directory (/nulle/part/c.db)", "open /nulle"},
		{"bare Errno", syscall.ENOSPC,
			"disque plein : libérez de la place puis réessayez", "disk full: free some space and try again", "no space left"},
		{"JSON syntax", syntax, "enregistrement illisible", "unreadable record", "unexpected end"},
		{"JSON type", typ, "enregistrement illisible", "unreadable record", "cannot unmarshal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := comptoir.Message(c.err, fr); got != c.fr {
				t.Errorf("Message(fr) = %q, want %q", got, c.fr)
			}
			if got := comptoir.Message(c.err, en); got != c.en {
				t.Errorf("Message(en) = %q, want %q", got, c.en)
			}
			w := comptoir.Wrap(comptoir.CodeCannotWrite, c.err)
			if got, want := w.Message(fr), "écriture impossible : "+c.fr; got != want {
				t.Errorf("wrapped Message(fr) = %q, want %q", got, want)
			}
			if got, want := w.Message(en), "cannot write: "+c.en; got != want {
				t.Errorf("wrapped Message(en) = %q, want %q", got, want)
			}
			if got := w.Error(); strings.Contains(got, c.raw) {
				t.Errorf("Error() = %q keeps the raw Go text %q", got, c.raw)
			}
		})
	}

	// An error nobody translated keeps its text rather than hide what happened.
	other := &fs.PathError{Op: "open", Path: "c.db", Err: syscall.ENAMETOOLONG}
	if got := comptoir.Message(other, en); !strings.Contains(got, "file name too long") {
		t.Errorf("Message of an untranslated error = %q, want its text", got)
	}
}
