package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
)

// helpOf prints the bare help in a language.
func helpOf(t *testing.T, l comptoir.Lang) []string {
	t.Helper()
	var out bytes.Buffer
	if err := runHelp(&env{cfg: config{lang: l}, stdout: &out}, nil); err != nil {
		t.Fatal(err)
	}
	return strings.Split(out.String(), "\n")
}

var subcommandWord = regexp.MustCompile(`^[a-z][a-z-]*$`)

// options lists the options a help line names: --name, wherever it stands ([--x], --a|--b, --x=v).
func options(line string) map[string]bool {
	words := strings.FieldsFunc(line, func(r rune) bool {
		return r != '-' && !('a' <= r && r <= 'z') && !('0' <= r && r <= '9')
	})
	opts := map[string]bool{}
	for _, w := range words {
		if name, ok := strings.CutPrefix(w, "--"); ok && name != "" {
			opts[name] = true
		}
	}
	return opts
}

// TestHelp_NamesEveryOption asks every command and subcommand the bare help lists for its flags
// (with --help, which hands back its flag set) and checks that its line of the help, in French and
// in English, names each one: a flag added to a command without its help fails here.
func TestHelp_NamesEveryOption(t *testing.T) {
	fr, en := helpOf(t, comptoir.LangFR), helpOf(t, comptoir.LangEN)
	if len(fr) != len(en) {
		t.Fatalf("the French help has %d lines, the English one %d", len(fr), len(en))
	}
	db := filepath.Join(t.TempDir(), "absent.db")
	checked := 0
	for _, c := range commands {
		if c.run == nil {
			continue
		}
		found := false
		for i, line := range fr {
			words := strings.Fields(line)
			if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") || len(words) == 0 || words[0] != c.name {
				continue
			}
			found = true
			args := []string{"--help"}
			name := c.name
			if len(words) > 1 && subcommandWord.MatchString(words[1]) {
				args = []string{words[1], "--help"}
				name += " " + words[1]
			}
			e := &env{ctx: context.Background(), cfg: config{db: db, register: defaultReg, lang: comptoir.LangFR, user: "test"},
				stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, clock: &clock{}}
			err := c.run(e, args)
			var h helpRequest
			if !errors.As(err, &h) {
				// A command without flags does not parse --help; its help line must name no option.
				if opts := options(line); len(opts) > 0 {
					t.Errorf("%s --help: %v, yet its help names options %v", name, err, opts)
				}
				continue
			}
			checked++
			h.flags.VisitAll(func(f *flag.Flag) {
				for _, l := range []string{line, en[i]} {
					if !options(l)[f.Name] {
						t.Errorf("%s has the option --%s, which its help line does not name:\n%s", name, f.Name, l)
					}
				}
			})
		}
		if !found {
			t.Errorf("the help has no line for the command %s", c.name)
		}
	}
	if checked < 15 {
		t.Errorf("only %d commands answered --help with their flags", checked)
	}
}
