package comptoir_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// imports lists the import paths of the non-test Go files in dir, and in its subdirectories
// when deep is set, by file.
func imports(t *testing.T, dir string, deep bool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (!deep || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			out[path] = append(out[path], p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the imports of %s: %v", dir, err)
	}
	return out
}

// TestLayout_DomainImportsStandardLibraryOnly keeps the root package free of any dependency: the
// store, the devices and the screens depend on it, never the reverse.
func TestLayout_DomainImportsStandardLibraryOnly(t *testing.T) {
	for file, paths := range imports(t, ".", false) {
		for _, p := range paths {
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: the domain imports the standard library only", file, p)
			}
		}
	}
}

// TestLayout_UIReachesNoStorage keeps the screens on the service interfaces: ui/ may not import
// the store, the devices or bbolt; cmd/ wires them in.
func TestLayout_UIReachesNoStorage(t *testing.T) {
	if _, err := os.Stat("ui"); err != nil {
		t.Skip("no ui package yet")
	}
	forbidden := []string{"github.com/comptoir/comptoir/store", "github.com/comptoir/comptoir/devices", "go.etcd.io/bbolt"}
	for file, paths := range imports(t, "ui", true) {
		for _, p := range paths {
			for _, f := range forbidden {
				if p == f || strings.HasPrefix(p, f+"/") {
					t.Errorf("%s imports %s: the screens talk to the root package's interfaces only", file, p)
				}
			}
		}
	}
}
