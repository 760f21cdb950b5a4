package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/syncer"
)

// maxTokenFile bounds what is read of a token file: a token is a line, not a document.
const maxTokenFile = 4096

// runSync pushes the whole outbox to the central once and says what it did. It exits 0 only
// when the outbox is empty, every event acknowledged. Any user may run it once the database has
// users (accessUser): it only drops events the central holds, and a cashier closing the shop
// should be able to send the day without a manager.
func runSync(e *env, args []string) error {
	fset := newFlags("sync")
	central := fset.String("central", "", "")
	token := fset.String("token", "", "")
	tokenFile := fset.String("token-file", "", "")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return usagef("sync : argument inattendu « %s »", "sync: unexpected argument %q", fset.Arg(0))
	}
	if *token != "" && *tokenFile != "" {
		return usagef("sync : --token ou --token-file, pas les deux", "sync: --token or --token-file, not both")
	}
	url := *central
	if url == "" {
		url = e.getenv("COMPTOIR_CENTRAL")
	}
	if strings.TrimSpace(url) == "" {
		return comptoir.E(comptoir.CodeNoCentral)
	}
	tok := *token
	switch {
	case *tokenFile != "":
		t, err := readTokenFile(*tokenFile)
		if err != nil {
			return err
		}
		tok = t
	case tok == "":
		tok = e.getenv("COMPTOIR_TOKEN")
	}
	client, err := syncer.NewClient(url, tok)
	if err != nil {
		return err
	}
	client.Lang = e.cfg.lang
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	// Someone waits at the terminal: retries stop at a few seconds apart, some ten seconds in all
	// before the central is said unreachable.
	sy := &syncer.Syncer{Outbox: s, Central: client, Register: e.cfg.register, Sleep: e.sleep, MaxDelay: 4 * time.Second}
	rep, err := sy.Run(e.ctx)
	if err != nil {
		if rep.Acked > 0 {
			fmt.Fprintf(e.stdout, e.tr("%s ; %d en attente\n", "%s; %d waiting\n"), e.sentEvents(rep.Acked), rep.Pending)
		}
		return err
	}
	if rep.Pending > 0 {
		fmt.Fprintln(e.stdout, e.sentEvents(rep.Acked))
		return comptoir.E(comptoir.CodeSyncPending, rep.Pending)
	}
	if rep.Acked == 0 {
		fmt.Fprintln(e.stdout, e.tr("Rien à envoyer, tout est acquitté.", "Nothing to send, everything is acknowledged."))
		return nil
	}
	fmt.Fprintln(e.stdout, e.sentEvents(rep.Acked)+e.tr(", tout est acquitté.", ", everything is acknowledged."))
	return nil
}

// sentEvents says how many events the central acknowledged, in the singular for one.
func (e *env) sentEvents(n int) string {
	if n == 1 {
		return e.tr("1 événement envoyé", "1 event sent")
	}
	return fmt.Sprintf(e.tr("%d événements envoyés", "%d events sent"), n)
}

// readTokenFile reads the register's token from a file only its owner may read, as ssh treats a
// private key: a token others can read speaks for the register to anyone on the machine.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", comptoir.E(comptoir.CodeFileNotFound, path)
		}
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	// Windows has no such mode bits: its files' access is decided by ACLs.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", comptoir.E(comptoir.CodeTokenFileOpen, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile))
	if err != nil {
		return "", comptoir.Wrap(comptoir.CodeCannotRead, err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(first), nil
}
