package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/store"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:s3cret@h:5432/db":                    "postgres://u:xxxxx@h:5432/db",
		"POSTGRESQL://u:p@ss@h/db":                         "POSTGRESQL://u:xxxxx@h/db",
		"postgres://u@h/db?sslmode=disable":                "postgres://u@h/db?sslmode=disable",
		"postgres://h/db?password=s3cret":                  "postgres://h/db?password=xxxxx",
		"host=h password=s3cret dbname=central":            "host=h password=xxxxx dbname=central",
		"host=h PASSWORD = 'se cr\\'et' dbname=central":    "host=h password=xxxxx dbname=central",
		`unexpected argument "host=h password=s3\"cret x"`: `unexpected argument "host=h password=xxxxx x"`,
		"central.db": "central.db",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// secret is the password the refusals below must never repeat.
const secret = "s3cret-never-shown"

// neverOpen stands for the central's storage where the command must refuse before opening it:
// the refusal it gives shows as the wrong exit code instead of a central serving.
func neverOpen(context.Context, config) (comptoir.CentralService, io.Closer, error) {
	return nil, nil, errors.New("the storage was opened")
}

// TestRun_KeywordAddressRefused gives a PostgreSQL address in keyword=value form where the
// command takes a database: it is refused as a usage error that says to write it as
// postgres://…, names the flag, never repeats the password, and creates no file.
func TestRun_KeywordAddressRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tokens := writeTokens(t, goodTokens, 0o600)
	dsn := "host=localhost password=" + secret + " dbname=central"
	file := filepath.Join(dir, "central.db")
	for name, tt := range map[string]struct {
		args      []string
		flag, ask string
	}{
		"db":               {[]string{"--tokens", tokens, "--addr", "127.0.0.1:0", "--db", dsn}, "--db", "postgres://"},
		"db with key":      {[]string{"--tokens", tokens, "--addr", "127.0.0.1:0", "--db", dsn, "--key", "k"}, "--db", "postgres://"},
		"migrate to":       {[]string{"migrate", "--from", file, "--to", dsn}, "--to", "postgres://"},
		"migrate from":     {[]string{"migrate", "--from", dsn, "--to", "postgres://u@h/db"}, "--from", "--to"},
		"migrate from url": {[]string{"migrate", "--from", "postgres://u:" + secret + "@h/db", "--to", "postgres://u@h/db"}, "--from", "--to"},
	} {
		var stderr bytes.Buffer
		args := append(tt.args, "--lang", "en")
		if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{open: neverOpen}); got != exitUsage {
			t.Errorf("%s: exit code %d, want %d (%s)", name, got, exitUsage, stderr.String())
		}
		out := stderr.String()
		if strings.Contains(out, secret) || !strings.Contains(out, tt.ask) || !strings.Contains(out, tt.flag) {
			t.Errorf("%s: %q; want %s and %s named, and no password", name, out, tt.flag, tt.ask)
		}
		if strings.Contains(out, "--db") != (tt.flag == "--db") {
			t.Errorf("%s: %q speaks of --db", name, out)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != filepath.Base(tokens) {
			t.Errorf("file %q created", e.Name())
		}
	}
}

// TestRun_EchoedValuesHidePasswords gives arguments the command repeats in its refusal: an
// address given as an extra argument, and a flag's value it cannot read. The refusal repeats
// them with the password hidden.
func TestRun_EchoedValuesHidePasswords(t *testing.T) {
	tokens := writeTokens(t, goodTokens, 0o600)
	for name, args := range map[string][]string{
		"migrate extra url":   {"migrate", "--from", "c.db", "--to", "postgres://u@h/db", "postgres://u:" + secret + "@h/db"},
		"serve extra keyword": {"--tokens", tokens, "host=h password=" + secret},
		"flag value":          {"--tokens", tokens, "--max-body", "password=" + secret},
	} {
		var stderr bytes.Buffer
		args = append(args, "--lang", "en")
		if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{open: openCentral}); got != exitUsage {
			t.Errorf("%s: exit code %d, want %d (%s)", name, got, exitUsage, stderr.String())
		}
		if out := stderr.String(); strings.Contains(out, secret) || !strings.Contains(out, "xxxxx") {
			t.Errorf("%s: %q; want the value repeated with its password hidden", name, out)
		}
	}
}

// embeddedCentral is a stopped embedded central's file, with its key beside it.
func embeddedCentral(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "central.db")
	bc, err := store.OpenCentral(file, store.CentralOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := bc.Close(); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestRun_MigrateSaysItsOwnFlags checks migrate's refusals of a missing --from, a missing --key,
// an unreadable --to and an unreachable one: each names migrate's flag and what it must be, never
// --db or how to create a register's database, and no password.
func TestRun_MigrateSaysItsOwnFlags(t *testing.T) {
	file := embeddedCentral(t)
	dir := t.TempDir()
	for name, tt := range map[string]struct {
		args []string
		want []string
	}{
		"missing from": {[]string{"--from", filepath.Join(dir, "nonexist.db"), "--to", "postgres://u@h/db"},
			[]string{"--from", "embedded central", "nonexist.db"}},
		"missing key": {[]string{"--from", file, "--to", "postgres://u@h/db", "--key", filepath.Join(dir, "missing.key")},
			[]string{"--key", "central.db.key", "missing.key"}},
		"unreadable to": {[]string{"--from", file, "--to", "postgres://u:" + secret + "@h:port/db"},
			[]string{"--to", "postgres://"}},
		"unreachable to": {[]string{"--from", file, "--to", "postgres://u:" + secret + "@127.0.0.1:1/chain?connect_timeout=5&sslmode=disable"},
			[]string{"--to", `"chain" on 127.0.0.1:1`}},
	} {
		var stderr bytes.Buffer
		args := append([]string{"migrate"}, append(tt.args, "--lang", "en")...)
		if got := run(context.Background(), args, noEnv, io.Discard, &stderr, &hooks{}); got != exitFailed {
			t.Errorf("%s: exit code %d, want %d (%s)", name, got, exitFailed, stderr.String())
		}
		out := stderr.String()
		for _, want := range tt.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %q, want %q in it", name, out, want)
			}
		}
		for _, never := range []string{"--db", "catalog import", secret} {
			if strings.Contains(out, never) {
				t.Errorf("%s: %q says %q", name, out, never)
			}
		}
	}
}

// TestKeywordForm_FileNamesStayFiles checks that only libpq's keywords make an address: a file
// name that holds "=" is still the embedded central's file.
func TestKeywordForm_FileNamesStayFiles(t *testing.T) {
	for db, want := range map[string]bool{
		"host=localhost dbname=central": true,
		"dbname=central":                true,
		"  user = me password=x":        true,
		"./data/a=b.db":                 false,
		"central=2026.db":               false,
		"/srv/comptoir/central.db":      false,
		"postgres://u@h/db?sslmode=x":   false,
	} {
		if got := keywordForm(db); got != want {
			t.Errorf("keywordForm(%q) = %v, want %v", db, got, want)
		}
	}
}
