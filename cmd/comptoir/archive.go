package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/comptoir/comptoir"
	"github.com/comptoir/comptoir/archive"
)

// runArchive writes the fiscal archive of a closed month or year to a file that must not exist:
// an archive is never replaced. The file is written under a temporary name and renamed once it
// is complete and durable, so that a file of the archive's name is always a whole archive.
func runArchive(e *env, args []string) error {
	fl := newFlags("archive")
	period := fl.String("period", "", "closed month YYYY-MM or year YYYY")
	out := fl.String("out", "", "archive file to write")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if err := noArgs(fl); err != nil {
		return err
	}
	if *period == "" {
		return usagef("--period AAAA-MM ou AAAA est nécessaire", "--period YYYY-MM or YYYY is required")
	}
	if _, err := comptoir.ParsePeriod(*period); err != nil {
		return err
	}
	s, err := e.open(false)
	if err != nil {
		return err
	}
	defer s.Close()
	path := *out
	if path == "" {
		path = fmt.Sprintf("comptoir-%s-%s.zip", s.Register(), *period)
	}
	if _, err := os.Lstat(path); err == nil {
		return comptoir.E(comptoir.CodeArchiveExists, path)
	}
	tmp := path + ".part"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another export of the same archive is under way, or one was killed: the leftover is
		// not an archive anyone relies on, but it is not ours to remove unasked.
		return comptoir.E(comptoir.CodeArchiveExists, tmp)
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	sum, err := s.ExportArchive(e.ctx, *period, f, e.cfg.user)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// Link, not rename: an archive that appeared at the path meanwhile is never replaced.
		if err = os.Link(tmp, path); err != nil && errors.Is(err, fs.ErrExist) {
			err = comptoir.E(comptoir.CodeArchiveExists, path)
		}
	}
	os.Remove(tmp)
	if err != nil {
		var domain *comptoir.Error
		if !errors.As(err, &domain) {
			err = comptoir.Wrap(comptoir.CodeCannotWrite, err)
		}
		return err
	}
	if dir, derr := os.Open(filepath.Dir(path)); derr == nil {
		dir.Sync()
		dir.Close()
	}
	fmt.Fprintf(e.stdout, e.tr("Archive %s écrite dans %s (%d octets) : %d tickets, %d clôtures, %d duplicatas, %d événements techniques, %d clés ; signée par la clé %s\n",
		"Archive %s written to %s (%d bytes): %d tickets, %d closings, %d reprints, %d technical events, %d keys; signed by key %s\n"),
		sum.Period, path, sum.Bytes, sum.Tickets, sum.Closings, sum.Reprints, sum.Events, sum.Keys, sum.Fingerprint)
	fmt.Fprintln(e.stdout, e.tr("Conservez-la six ans, sur un support distinct de la caisse.", "Keep it six years, on a medium apart from the register."))
	return nil
}

// verifyArchive checks an archive file without any database: the verifier reads only the file.
func verifyArchive(e *env, path, fingerprint string) error {
	f, err := os.Open(path)
	if err != nil {
		return comptoir.Wrap(comptoir.CodeFileNotFound, err, path)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return comptoir.Wrap(comptoir.CodeFileNotFound, err, path)
	}
	rep, err := archive.Verify(f, info.Size(), archive.VerifyOptions{KeyFingerprint: fingerprint})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, rep.Summary(e.cfg.lang))
	return nil
}
