package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

// receiptShop is a database with tickets and members, so that the members' key file exists beside
// it, in a directory of its own.
type receiptShop struct {
	dir, db, key string
}

func newReceiptShop(t *testing.T) receiptShop {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "comptoir.db")
	if r := runCmd(t, nil, "", "--db", db, "demo-data", "--sales", "20", "--days", "1", "--seed", "3", "--start", "2026-04-02", "--customers", "2"); r.code != exitOK {
		t.Fatalf("demo-data: %s", r.stderr)
	}
	sh := receiptShop{dir: dir, db: db, key: db + ".key"}
	if _, err := os.Stat(sh.key); err != nil {
		t.Fatalf("the members' key file: %v", err)
	}
	return sh
}

// snapshot reads the files that must come out of a refusal unchanged.
func snapshot(t *testing.T, paths ...string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[p] = b
	}
	return m
}

func (sh receiptShop) printedBefore(t *testing.T, ticket string) bool {
	t.Helper()
	r := runCmd(t, nil, "", "--db", sh.db, "receipt", "--ticket", ticket, "--out", "-", "--text")
	if r.code != exitOK {
		t.Fatalf("preview: %s", r.stderr)
	}
	return strings.Contains(r.stdout, "DUPLICATA")
}

// TestReceipt_OutputRefusals reproduces every way a receipt once wrote over the journal, a key or
// another file: the old code killed itself with SIGBUS writing onto the open database, and wrote
// into any existing file given as a printer. Each is now refused with one sentence before a byte
// is written; the database, the key and the files stay as they were, and the receipt stays to be
// printed.
func TestReceipt_OutputRefusals(t *testing.T) {
	sh := newReceiptShop(t)
	other := t.TempDir()

	// The ways to reach the database and the key without naming them as --db does.
	dbLink := filepath.Join(other, "link.db")
	if err := os.Symlink(sh.db, dbLink); err != nil {
		t.Fatal(err)
	}
	keyHard := filepath.Join(other, "key.hard")
	if err := os.Link(sh.key, keyHard); err != nil {
		t.Fatal(err)
	}
	keyCopy := filepath.Join(other, "key.copy")
	dbCopy := filepath.Join(other, "old.db")
	for from, to := range map[string]string{sh.key: keyCopy, sh.db: dbCopy} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A key to come beside the database (a signing key), and a master key kept elsewhere.
	signKey := sh.db + ".sign.key"
	if err := os.WriteFile(signKey, []byte("secret signing key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ordinary := filepath.Join(other, "notes.txt")
	if err := os.WriteFile(ordinary, []byte("the shop's notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(other, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	guarded := []string{sh.db, sh.key, signKey, ordinary, keyCopy, dbCopy}
	before := snapshot(t, guarded...)

	const (
		protected = "est une base ou une clé de Comptoir : aucune commande n'écrit dessus"
		exists    = "existe déjà : donnez un nouveau nom de fichier, ou --force pour le remplacer"
		notFile   = "n'est pas un fichier ordinaire"
		notPrint  = "n'est pas une imprimante"
	)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"the open database (SIGBUS before)", []string{"--out", sh.db}, protected},
		{"the open database, forced", []string{"--out", sh.db, "--force"}, protected},
		{"the database through ./", []string{"--out", filepath.Join(sh.dir, ".", "..", filepath.Base(sh.dir), "comptoir.db"), "--force"}, protected},
		{"the database through a symbolic link", []string{"--out", dbLink, "--force"}, protected},
		{"the members' key", []string{"--out", sh.key, "--force"}, protected},
		{"the members' key through a hard link", []string{"--out", keyHard, "--force"}, protected},
		{"a copy of a key, forced", []string{"--out", keyCopy, "--force"}, protected},
		{"another Comptoir database, forced", []string{"--out", dbCopy, "--force"}, protected},
		{"a key to come beside the database", []string{"--out", signKey, "--force"}, protected},
		{"an existing file", []string{"--out", ordinary}, exists},
		{"a pipe, forced", []string{"--out", fifo, "--force"}, notFile},
		{"a directory, forced", []string{"--out", other, "--force"}, notFile},
		{"/dev/null", []string{"--out", os.DevNull}, exists},
		{"the members' key as a printer (written into before)", []string{"--printer", sh.key}, protected},
		{"the database as a printer", []string{"--printer", dbLink}, protected},
		{"an existing file as a printer", []string{"--printer", ordinary}, notPrint},
		{"a directory as a printer", []string{"--printer", other}, notPrint},
		{"a pipe as a printer", []string{"--printer", fifo}, notPrint},
		{"/dev/null as a printer", []string{"--printer", os.DevNull}, notPrint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, nil, "", append([]string{"--db", sh.db, "receipt", "--ticket", "3"}, tt.args...)...)
			if r.code != exitFailed || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, exitFailed, tt.want)
			}
		})
	}
	t.Run("a key given with --key-file", func(t *testing.T) {
		elsewhere := filepath.Join(other, "master.key")
		if err := os.WriteFile(elsewhere, []byte("not read by receipt\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, nil, "", "--db", sh.db, "--key-file", elsewhere, "receipt", "--ticket", "3", "--out", elsewhere, "--force")
		if r.code != exitFailed || !strings.Contains(r.stderr, protected) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		if b, _ := os.ReadFile(elsewhere); string(b) != "not read by receipt\n" {
			t.Errorf("the key file was written: %q", b)
		}
	})
	t.Run("the database as ./name from its directory", func(t *testing.T) {
		t.Chdir(sh.dir)
		r := runCmd(t, nil, "", "--db", "comptoir.db", "receipt", "--ticket", "3", "--out", "./comptoir.db", "--force")
		if r.code != exitFailed || !strings.Contains(r.stderr, protected) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	if r := runCmd(t, nil, "", "--db", sh.db, "receipt", "--ticket", "3", "--printer", ordinary, "--force"); r.code != exitUsage ||
		!strings.Contains(r.stderr, "--force ne vaut que pour --out") {
		t.Errorf("--force with --printer: exit %d, %q", r.code, r.stderr)
	}

	t.Run("standard output appended to the database", func(t *testing.T) {
		f, err := os.OpenFile(sh.db, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"--db", sh.db, "receipt", "--ticket", "3", "--out", "-"}, func(string) string { return "" },
			strings.NewReader(""), f, &errOut)
		if want := "comptoir: la sortie standard est une base ou une clé de Comptoir"; code != exitFailed || !strings.HasPrefix(errOut.String(), want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errOut.String(), want)
		}
	})

	after := snapshot(t, guarded...)
	for _, p := range guarded {
		if !bytes.Equal(before[p], after[p]) {
			t.Errorf("%s changed", p)
		}
	}
	if r := runCmd(t, nil, "", "--db", sh.db, "verify"); r.code != exitOK || !strings.Contains(r.stdout, "20 tickets") {
		t.Errorf("verify after the refusals: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if sh.printedBefore(t, "3") {
		t.Error("a refused receipt counted as the ticket's print")
	}
}

// TestReceipt_FilesAreNoPrint writes receipts where a user may: a new file (with --out or
// --printer) and, with --force, over an ordinary file. None of them is the print of the ticket.
func TestReceipt_FilesAreNoPrint(t *testing.T) {
	sh := newReceiptShop(t)
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool.bin")
	if r := runCmd(t, nil, "", "--db", sh.db, "receipt", "--ticket", "4", "--printer", spool); r.code != exitOK {
		t.Fatalf("--printer to a new file: exit %d, %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(spool); err != nil || !bytes.HasPrefix(b, []byte("\x1b@")) {
		t.Errorf("the new file holds %q (%v)", b[:min(10, len(b))], err)
	}
	if fi, err := os.Stat(spool); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	old := filepath.Join(dir, "ticket4.txt")
	if err := os.WriteFile(old, []byte(strings.Repeat("an older, longer receipt\n", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, nil, "", "--db", sh.db, "receipt", "--ticket", "4", "--out", old, "--force", "--text"); r.code != exitOK {
		t.Fatalf("--force over an ordinary file: exit %d, %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(old); !strings.Contains(string(b), "Ticket n° 4") || strings.Contains(string(b), "older") {
		t.Errorf("the replaced file:\n%s", b)
	}
	if sh.printedBefore(t, "4") {
		t.Error("a receipt written to a file counted as the ticket's print")
	}
}

// TestStdoutPrints tells where standard output goes: only a printer-class device counts as a
// print; a pipe (which may lead to a hex dump), a file, the null device or a terminal does not.
func TestStdoutPrints(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, tc := range map[string]struct {
		w    io.Writer
		want bool
	}{
		"pipe": {w, false}, "file": {file, false}, "null device": {null, false}, "buffer": {&bytes.Buffer{}, false},
	} {
		if got := stdoutPrints(tc.w); got != tc.want {
			t.Errorf("%s: stdoutPrints = %v, want %v", name, got, tc.want)
		}
	}
	if ptm, tty, err := pty.Open(); err == nil {
		defer ptm.Close()
		defer tty.Close()
		if stdoutPrints(tty) {
			t.Error("a terminal counts as a printer")
		}
	}
}
