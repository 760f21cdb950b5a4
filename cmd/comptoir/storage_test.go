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
		for _, name := range []string{path + ".rebuild", path + ".demo-tmp"} {
			if _, err := os.Stat(name); err == nil {
				filling = true
			}
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

// leftovers fails when a working file of a rewrite or a creation stayed beside the database.
func leftovers(tb testing.TB, path string) {
	tb.Helper()
	dir, base := path[:strings.LastIndexByte(path, '/')], path[strings.LastIndexByte(path, '/')+1:]
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if name := e.Name(); name != base && name != base+".key" {
			tb.Errorf("file %s left beside the database", name)
		}
	}
}
