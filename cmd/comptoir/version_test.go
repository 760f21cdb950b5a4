package main

import (
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/comptoir/comptoir"
)

// withBuildInfo makes the version command read the given build information for one test.
func withBuildInfo(t *testing.T, bi *debug.BuildInfo) {
	t.Helper()
	saved := readBuildInfo
	t.Cleanup(func() { readBuildInfo = saved })
	readBuildInfo = func() (*debug.BuildInfo, bool) { return bi, bi != nil }
}

func TestRun_VersionReleaseBuild(t *testing.T) {
	withBuildInfo(t, &debug.BuildInfo{GoVersion: "go1.26.0", Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123abcd"},
		{Key: "vcs.time", Value: "2026-11-30T12:00:00Z"},
		{Key: "vcs.modified", Value: "false"},
	}})
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, comptoir.Software() + "\nGo : go1.26.0\nRévision : 0123abcd du 2026-11-30T12:00:00Z\n"},
		{map[string]string{"COMPTOIR_LANG": "en"}, comptoir.Software() + "\nGo: go1.26.0\nRevision: 0123abcd of 2026-11-30T12:00:00Z\n"},
	} {
		r := runCmd(t, tc.env, "", "version")
		if got, want := r.code, exitOK; got != want {
			t.Fatalf("exit %d, want %d; stderr %q", got, want, r.stderr)
		}
		if got, want := r.stdout, tc.want; got != want {
			t.Errorf("version printed\n%s\nwant\n%s", got, want)
		}
	}
}

// TestRun_VersionModifiedTree checks that a binary built from uncommitted changes does not pass
// for the revision it started from.
func TestRun_VersionModifiedTree(t *testing.T) {
	withBuildInfo(t, &debug.BuildInfo{GoVersion: "go1.26.0", Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"},
		{Key: "vcs.modified", Value: "true"},
	}})
	r := runCmd(t, nil, "", "version")
	if got, want := r.stdout, comptoir.Software()+"\nGo : go1.26.0\nRévision : 0123abcd (modifiée)\n"; got != want {
		t.Errorf("version printed\n%s\nwant\n%s", got, want)
	}
}

// TestRun_VersionWithoutBuildInfo checks that a binary without build information (or without
// a revision, as "go run" and test binaries) still prints the version receipts carry, and only
// what it knows.
func TestRun_VersionWithoutBuildInfo(t *testing.T) {
	withBuildInfo(t, nil)
	r := runCmd(t, nil, "", "version")
	if got, want := r.stdout, comptoir.Software()+"\n"; got != want {
		t.Errorf("version printed %q, want %q", got, want)
	}
	withBuildInfo(t, &debug.BuildInfo{GoVersion: "go1.26.0"})
	r = runCmd(t, nil, "", "version")
	if got, want := r.stdout, comptoir.Software()+"\nGo : go1.26.0\n"; got != want {
		t.Errorf("version printed %q, want %q", got, want)
	}
}

// TestRun_VersionOpensNoDatabase checks that the version can be asked anywhere: pointed at a
// database that does not exist, it neither fails nor creates one.
func TestRun_VersionOpensNoDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "absent.db")
	r := runCmd(t, map[string]string{"COMPTOIR_DB": db}, "", "version")
	if got, want := r.code, exitOK; got != want {
		t.Fatalf("exit %d, want %d; stderr %q", got, want, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, comptoir.Software()+"\n") {
		t.Errorf("version printed %q, want it to start with %q", r.stdout, comptoir.Software())
	}
	if matches, _ := filepath.Glob(db + "*"); len(matches) != 0 {
		t.Errorf("version created %v", matches)
	}
}

func TestRun_VersionRefusesArguments(t *testing.T) {
	r := runCmd(t, nil, "", "version", "extra")
	if got, want := r.code, exitUsage; got != want {
		t.Errorf("exit %d, want %d", got, want)
	}
	if !strings.Contains(r.stderr, "extra") {
		t.Errorf("stderr %q does not name the argument", r.stderr)
	}
}

func TestRun_HelpListsVersion(t *testing.T) {
	for _, l := range []comptoir.Lang{comptoir.LangFR, comptoir.LangEN} {
		found := false
		for _, line := range helpOf(t, l) {
			if strings.HasPrefix(line, "  version ") {
				found = true
			}
		}
		if !found {
			t.Errorf("the %s help has no line for version", l)
		}
	}
}
