package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/comptoir/comptoir"
)

// inUse tells the "in use" refusal in French, the default language.
const inUse = "déjà ouverte par un autre programme Comptoir"

// testGTIN is a valid GTIN-13 numbered n.
func testGTIN(n int) string {
	body := fmt.Sprintf("3%011d", n)
	return body + fmt.Sprint(comptoir.GTINCheckDigit(body))
}

// TestDemoData_WritersDuringDemo runs catalogue imports, one after the other, while demo-data
// fills the database. Each import is either refused as "in use" or done, and every import
// reported done is in the catalogue afterwards. demo-data used to fill a copy without holding the
// original's lock and rename it over the original: the imports made meanwhile reported success
// and vanished.
func TestDemoData_WritersDuringDemo(t *testing.T) {
	path := dbPath(t)
	env := map[string]string{"COMPTOIR_DB": path}
	if r := runCmd(t, env, "", "settings", "set", "shop.name", "Avant la démo"); r.code != exitOK {
		t.Fatalf("settings set: exit %d, stderr %q", r.code, r.stderr)
	}
	demo := make(chan result, 1)
	go func() { demo <- runCmd(t, env, "", "demo-data", "--sales", "8000", "--days", "8", "--customers", "20") }()

	// The imports start once demo-data fills its copy (the working file beside the database is
	// there), not before: imports in a tight loop could otherwise keep it from the lock.
	var dr result
	for filling := false; !filling; {
		select {
		case dr = <-demo:
			t.Fatalf("demo-data ended before the imports began (exit %d, stderr %q): give it more sales", dr.code, dr.stderr)
		default:
		}
		if _, err := os.Stat(path + ".rebuild"); err == nil {
			filling = true
		}
		runtime.Gosched()
	}
	var done []string
	refused := 0
	for n := 1; ; n++ {
		gtin := testGTIN(n)
		r := runCmd(t, env, fmt.Sprintf("gtin;name;price;vat\n%s;Article %d;1,50;20\n", gtin, n), "catalog", "import", "-")
		switch {
		case r.code == exitOK:
			done = append(done, gtin)
		case r.code == exitFailed && strings.Contains(r.stderr, inUse):
			refused++
		default:
			t.Fatalf("catalog import during demo-data: exit %d, stderr %q", r.code, r.stderr)
		}
		select {
		case dr = <-demo:
		default:
			continue
		}
		break
	}
	if dr.code != exitOK {
		t.Fatalf("demo-data: exit %d, stderr %q", dr.code, dr.stderr)
	}
	t.Logf("%d imports done, %d refused while demo-data ran", len(done), refused)
	list := runCmd(t, env, "", "catalog", "list")
	if list.code != exitOK {
		t.Fatalf("catalog list: exit %d, stderr %q", list.code, list.stderr)
	}
	for _, gtin := range done {
		if !strings.Contains(list.stdout, gtin) {
			t.Errorf("product %s was reported imported but is not in the catalogue: the write was lost", gtin)
		}
	}
	if show := runCmd(t, env, "", "settings", "show"); !strings.Contains(show.stdout, "Avant la démo") {
		t.Errorf("the setting made before demo-data is lost:\n%s", show.stdout)
	}
	if v := runCmd(t, env, "", "verify"); v.code != exitOK {
		t.Errorf("verify after demo-data: exit %d, stderr %q", v.code, v.stderr)
	}
	leftovers(t, path)
}

// TestDemoData_TwoAtOnce starts two demo-data on one file at the same moment: one fills it, the
// other is refused with one sentence. Both used to fill the same working copy, and the process
// died of SIGBUS.
func TestDemoData_TwoAtOnce(t *testing.T) {
	path := dbPath(t)
	env := map[string]string{"COMPTOIR_DB": path}
	if r := runCmd(t, env, "gtin;name;price;vat\n"+testGTIN(1)+";Article;1,50;20\n", "catalog", "import", "-"); r.code != exitOK {
		t.Fatalf("catalog import: exit %d, stderr %q", r.code, r.stderr)
	}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runCmd(t, env, "", "demo-data", "--sales", "5000", "--days", "10", "--seed", fmt.Sprint(i+1))
		}()
	}
	wg.Wait()
	ok := 0
	for i, r := range results {
		switch {
		case r.code == exitOK:
			ok++
		case r.code == exitFailed && (strings.Contains(r.stderr, inUse) || strings.Contains(r.stderr, "contient déjà")):
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
				t.Errorf("demo-data %d: refusal on %d lines: %q", i, n+1, r.stderr)
			}
		default:
			t.Errorf("demo-data %d: exit %d, stderr %q", i, r.code, r.stderr)
		}
	}
	if ok != 1 {
		t.Errorf("%d demo-data succeeded, want exactly 1: %+v", ok, results)
	}
	if v := runCmd(t, env, "", "verify"); v.code != exitOK {
		t.Errorf("verify: exit %d, stderr %q", v.code, v.stderr)
	}
	leftovers(t, path)
}

// leftovers fails when a working file of a rewrite or a creation stayed beside the database: only
// the database, its members' key and its signing key belong there.
func leftovers(tb testing.TB, path string) {
	tb.Helper()
	dir, base := path[:strings.LastIndexByte(path, '/')], path[strings.LastIndexByte(path, '/')+1:]
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if name := e.Name(); name != base && name != base+".key" && name != base+".sign" {
			tb.Errorf("file %s left beside the database", name)
		}
	}
}

// TestRun_EmptyOrForeignFile runs the commands that read and the commands that create on a
// zero-length file and on a text file: each refuses with one sentence, and the file stays as it
// was. verify used to initialise the empty file and call it an intact journal.
func TestRun_EmptyOrForeignFile(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "text": "gtin;name;price;vat\n"} {
		for _, args := range [][]string{{"verify"}, {"report"}, {"catalog", "list"}, {"catalog", "import", "-"},
			{"demo-data", "--sales", "10", "--days", "1"}, {"settings", "set", "shop.name", "X"}} {
			path := dbPath(t)
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			r := runCmd(t, map[string]string{"COMPTOIR_DB": path}, "gtin;name;price;vat\n"+testGTIN(1)+";Article;1,50;20\n", args...)
			want := "comptoir: " + path + " n'est pas une base Comptoir (ou elle est endommagée)\n"
			if r.code != exitFailed || r.stderr != want {
				t.Errorf("%s file, %v: exit %d, stderr %q, want exit %d and %q", name, args, r.code, r.stderr, exitFailed, want)
			}
			b, err := os.ReadFile(path)
			if err != nil || string(b) != content {
				t.Errorf("%s file, %v: the file changed (%d bytes, %v)", name, args, len(b), err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s file, %v: mode changed (%v, %v)", name, args, fi.Mode(), err)
			}
			leftovers(t, path)
		}
	}
}

// TestRun_NewDatabaseMode checks that the commands that create a database make it private.
func TestRun_NewDatabaseMode(t *testing.T) {
	path := dbPath(t)
	r := runCmd(t, map[string]string{"COMPTOIR_DB": path}, "gtin;name;price;vat\n"+testGTIN(1)+";Article;1,50;20\n", "catalog", "import", "-")
	if r.code != exitOK {
		t.Fatalf("catalog import: exit %d, stderr %q", r.code, r.stderr)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of a new database = %v (%v), want 0600", fi.Mode(), err)
	}
	leftovers(t, path)
}

// TestRun_NoDirectory creates a database in a directory that does not exist: one sentence in the
// user's language naming the path, not the system's words.
func TestRun_NoDirectory(t *testing.T) {
	path := t.TempDir() + "/nulle/part/comptoir.db"
	r := runCmd(t, map[string]string{"COMPTOIR_DB": path}, "gtin;name;price;vat\n"+testGTIN(1)+";Article;1,50;20\n", "catalog", "import", "-")
	if want := "comptoir: écriture impossible : fichier ou dossier introuvable (" + path + ")\n"; r.code != exitFailed || r.stderr != want {
		t.Errorf("exit %d, stderr %q, want %d and %q", r.code, r.stderr, exitFailed, want)
	}
}
