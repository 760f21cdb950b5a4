package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/comptoir/comptoir"
	"github.com/tarm/serial"
)

// Every file a command writes at a path the user gave goes through this file's functions. The
// rules: a new file is created with O_EXCL, so that nothing already there is overwritten, not even
// by a file that appears meanwhile; an existing file is replaced only with --force, only when it
// is an ordinary file, and never when it is the database or a key, however it is reached (a
// symbolic link, a hard link, "./x"). Writing over the open database once killed the program with
// SIGBUS and left an 890-byte file where the journal was.

// newFileMode is the mode of the files commands create: a receipt may carry a member's points
// balance, so it is private to its owner until they share it.
const newFileMode = 0o600

// protectedFiles lists the files no command writes over: the database, its key file wherever it
// is, and every file beside the database that carries its name (comptoir.db.key, the keys and
// working copies to come), both beside the path given and beside the file it leads to.
func (e *env) protectedFiles() []string {
	db := e.cfg.db
	files := []string{db, e.keyFile()}
	dirs := []string{db}
	if real, err := filepath.EvalSymlinks(db); err == nil && real != db {
		files = append(files, real)
		dirs = append(dirs, real)
	}
	for _, p := range dirs {
		dir, base := filepath.Split(p)
		if dir == "" {
			dir = "."
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, ent := range entries {
			if strings.HasPrefix(ent.Name(), base+".") {
				files = append(files, filepath.Join(dir, ent.Name()))
			}
		}
	}
	return files
}

// isProtected reports whether the file fi describes is one of the protected files.
func (e *env) isProtected(fi os.FileInfo) bool {
	for _, p := range e.protectedFiles() {
		if pi, err := os.Stat(p); err == nil && os.SameFile(fi, pi) {
			return true
		}
	}
	return false
}

// bboltMagic is the number at offset 16 of a bbolt file's first page, in the machine's byte order
// (little-endian on every platform Comptoir runs on).
const bboltMagic = 0xED0CDAED

// looksProtected reports whether an open file is a Comptoir database or key by its content, so
// that --force cannot replace another shop's database or a key kept elsewhere either.
func looksProtected(f *os.File) bool {
	head := make([]byte, 64)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	if len(head) >= 20 && binary.LittleEndian.Uint32(head[16:20]) == bboltMagic {
		return true
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	return bytes.HasPrefix(first, []byte("comptoir-")) && bytes.Contains(first, []byte("key"))
}

// checkOutput refuses, before anything is read or written, an output path that openOutput would
// refuse, so that a wrong path is reported before the work. openOutput checks again on the file
// it opens: this check alone could be outrun by a file created meanwhile.
func (e *env) checkOutput(path string, force bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	case e.isProtected(fi):
		return comptoir.E(comptoir.CodeOutputProtected, path)
	case !force:
		return comptoir.E(comptoir.CodeOutputExists, path)
	case !fi.Mode().IsRegular():
		return comptoir.E(comptoir.CodeOutputNotFile, path)
	}
	return nil
}

// openOutput opens a file to write at a path the user gave: a new file, or with force an existing
// ordinary file that is neither the database nor a key, emptied. The checks are made on the file
// opened, not on the path, so that no link swapped in between can redirect the write.
func (e *env) openOutput(path string, force bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, newFileMode)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	if err := e.checkOutput(path, force); err != nil {
		return nil, err
	}
	if !force {
		// The file was there when O_EXCL was tried and is gone now: still not ours to write.
		return nil, comptoir.E(comptoir.CodeOutputExists, path)
	}
	// Neither O_CREATE nor O_TRUNC: nothing changes until the file has been checked. O_NONBLOCK
	// keeps a pipe put there meanwhile from blocking the open.
	f, err = os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	case !fi.Mode().IsRegular():
		f.Close()
		return nil, comptoir.E(comptoir.CodeOutputNotFile, path)
	case e.isProtected(fi) || looksProtected(f):
		f.Close()
		return nil, comptoir.E(comptoir.CodeOutputProtected, path)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return f, nil
}

// writeOutput writes data to a file at a path the user gave, as openOutput allows.
func (e *env) writeOutput(path string, force bool, data []byte) error {
	f, err := e.openOutput(path, force)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return nil
}

// checkPrinter refuses a printer path that is neither a printer's device nor a new file, before
// the device is opened (opening some devices acts: a watchdog arms itself) and before a byte is
// written. It reports whether the path is a device: only a device write is a print.
func (e *env) checkPrinter(path string) (device bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	case e.isProtected(fi):
		return false, comptoir.E(comptoir.CodeOutputProtected, path)
	case fi.Mode()&fs.ModeCharDevice == 0:
		return false, comptoir.E(comptoir.CodeNotAPrinter, path)
	}
	if serialLine, printer := deviceClass(fi); !serialLine && !printer {
		return false, comptoir.E(comptoir.CodeNotAPrinter, path)
	}
	return true, nil
}

// writePrinter sends bytes to a receipt printer: a serial port, set to the speed; a USB or
// parallel printer-class device, written as a file; or a new file, created. It reports whether
// the bytes went to a device, which only makes them a print. The read timeout keeps the serial
// port's Close from blocking, which tarm/serial does otherwise.
func (e *env) writePrinter(path string, baud int, data []byte) (device bool, err error) {
	if device, err = e.checkPrinter(path); err != nil {
		return false, err
	}
	if !device {
		return false, e.writeOutput(path, false, data)
	}
	var w io.WriteCloser
	// tarm/serial opens without creating or truncating, and fails on anything that is not a
	// terminal before it writes: it cannot reach an ordinary file swapped in after the check.
	p, err := serial.OpenPort(&serial.Config{Name: path, Baud: baud, ReadTimeout: 100 * time.Millisecond})
	if err == nil {
		w = p
	} else {
		f, ferr := os.OpenFile(path, os.O_WRONLY|syscall.O_NOCTTY, 0)
		if ferr != nil {
			return false, comptoir.Wrap(comptoir.CodeCannotWrite, ferr)
		}
		// Written as a file, the device must be a printer: a serial line that would not take its
		// settings is refused rather than sent bytes at the wrong speed.
		if fi, err := f.Stat(); err != nil || fi.Mode()&fs.ModeCharDevice == 0 || !isPrinter(fi) {
			f.Close()
			return false, comptoir.E(comptoir.CodeNotAPrinter, path)
		}
		w = f
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return false, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	if err := w.Close(); err != nil {
		return false, comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return true, nil
}

// checkStdout refuses standard output redirected onto the database or a key ("--out - >>
// comptoir.db"): the shell opened it, but the bytes would still be Comptoir's.
func (e *env) checkStdout() error {
	f, ok := e.stdout.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && (e.isProtected(fi) || looksProtected(f)) {
		return comptoir.E(comptoir.CodeOutputProtected, e.tr("la sortie standard", "standard output"))
	}
	return nil
}

// stdoutPrints reports whether bytes written to standard output reach a printer: only a
// printer-class device (> /dev/usb/lp0). A pipe may lead anywhere (a hex dump, a file), so it is
// no print, like a terminal or a file; a serial printer is reached with --printer, which sets the
// line's speed.
func stdoutPrints(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&fs.ModeCharDevice != 0 && isPrinter(fi)
}

func isPrinter(fi os.FileInfo) bool {
	_, printer := deviceClass(fi)
	return printer
}
