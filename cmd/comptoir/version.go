package main

import (
	"fmt"
	"runtime/debug"

	"github.com/comptoir/comptoir"
)

// readBuildInfo reads what the Go toolchain recorded in the binary. It is a variable so that a
// test can give the version command the build information a release build would carry; a test
// binary records no VCS revision.
var readBuildInfo = debug.ReadBuildInfo

// runVersion prints the software's name and version as receipts carry them, then, when the
// binary records them, the Go version it was built with and the VCS revision it was built from,
// so that a receipt's version can be traced back to the exact source. It opens no database.
func runVersion(e *env, args []string) error {
	fs := newFlags("version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("version : argument en trop « %s »", "version: unexpected argument %q", comptoir.CleanText(fs.Arg(0)))
	}
	fmt.Fprintln(e.stdout, comptoir.Software())
	bi, ok := readBuildInfo()
	if !ok {
		return nil
	}
	if bi.GoVersion != "" {
		fmt.Fprintln(e.stdout, e.tr("Go : ", "Go: ")+bi.GoVersion)
	}
	var revision, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return nil
	}
	line := e.tr("Révision : ", "Revision: ") + revision
	if at != "" {
		line += e.tr(" du ", " of ") + at
	}
	// A build from a work tree with uncommitted changes is not that revision: say so, since the
	// revision alone would then name source the binary was not built from.
	if modified {
		line += e.tr(" (modifiée)", " (modified)")
	}
	fmt.Fprintln(e.stdout, line)
	return nil
}
