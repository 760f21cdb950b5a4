package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/comptoir/comptoir"
	"go.etcd.io/bbolt"
)

// The database file's life. A file at the database's path is always either absent or a complete
// Comptoir database, and whoever changes it holds its lock:
//
//   - a new database is built in a temporary file beside the path, synced, then linked to the
//     path, which fails rather than replace a file another process put there meanwhile;
//   - an existing file is opened only if it is a Comptoir database: an empty file, a file of
//     another program, a bbolt file without Comptoir's schema are refused, never initialised;
//   - a whole-file rewrite (an erasure's compaction, demo-data) builds the new file beside the
//     old one and renames it over the path while the process holds the locks of both, so that
//     another process finds the old file locked, then the new one locked, until the writer is
//     done with it, and a kill at any moment leaves the old file or the new one, complete.

// errEmptyFile stands for an existing file of zero bytes: bbolt would initialise it.
var errEmptyFile = errors.New("empty file")

// openLocked opens the existing bbolt file at path, creating a new database first when there is
// none and the caller may create one; init fills a new file (a register's or a central's tree). It makes sure the file it locked is still the one at the
// path: a rewrite in another process may have put a new file there while this one waited, and
// the new file is locked again until that process is done, so the wait starts over on it.
func openLocked(path string, o Options, init func(tx *bbolt.Tx) error) (*bbolt.DB, error) {
	const attempts = 5
	for range attempts {
		before, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) && !o.MustExist {
			// Another process may create it at the same moment: whichever links first wins, and
			// the loser opens the winner's file.
			if err := createDatabase(path, o, init); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, err
			}
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, comptoir.E(comptoir.CodeDatabaseMissing, path)
		}
		if err != nil {
			return nil, comptoir.Wrap(comptoir.CodeCannotRead, err)
		}
		if !before.Mode().IsRegular() || before.Size() == 0 {
			// A directory, a device, a pipe (whose open would block) or an empty file.
			return nil, comptoir.E(comptoir.CodeNotADatabase, path)
		}
		db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.Timeout, NoSync: o.NoSync, OpenFile: openExisting})
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // Removed since the Stat: start over.
		case errors.Is(err, bbolt.ErrTimeout):
			return nil, comptoir.E(comptoir.CodeDatabaseInUse, path)
		case errors.Is(err, errEmptyFile):
			return nil, comptoir.E(comptoir.CodeNotADatabase, path)
		case err != nil && isSystemError(err):
			return nil, comptoir.Wrap(comptoir.CodeCannotRead, err)
		case err != nil:
			// bbolt's own refusals (invalid file, version mismatch, checksum, a file too small to
			// hold its pages) all say that this is not a database it wrote.
			return nil, comptoir.E(comptoir.CodeNotADatabase, path)
		}
		if after, err := os.Stat(path); err == nil && os.SameFile(before, after) {
			return db, nil
		}
		db.Close()
	}
	// The file kept changing under the waits: another process is rewriting it.
	return nil, comptoir.E(comptoir.CodeDatabaseInUse, path)
}

// openExisting is bbolt's file opener for a database that must already exist: without O_CREATE,
// and refusing an empty file, which bbolt would take for a new one and initialise.
func openExisting(name string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || fi.Size() == 0 {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, errEmptyFile
	}
	return f, nil
}

// isSystemError reports whether err comes from the operating system (a permission, a disk) rather
// than from bbolt's reading of the file's content.
func isSystemError(err error) bool {
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	var sysErr *os.SyscallError
	return errors.As(err, &pathErr) || errors.As(err, &linkErr) || errors.As(err, &sysErr)
}

// createDatabase builds a new database in a temporary file beside path, filled by init, syncs it and links it to path. The link fails with fs.ErrExist when a file is already
// there: a new database never replaces anything.
func createDatabase(path string, o Options, init func(tx *bbolt.Tx) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".new-*")
	if err != nil {
		// The message names the database the user asked for, not the working file's pattern.
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = &fs.PathError{Op: pathErr.Op, Path: path, Err: pathErr.Err}
		}
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	// CreateTemp asks for 0600 but the umask may take bits away; the journal and members' data
	// are for the owner only, whatever the umask gives others.
	err = f.Chmod(0o600)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	db, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: o.Timeout, NoSync: o.NoSync})
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	err = db.Update(init)
	if err == nil {
		err = db.Sync()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename or a link in dir durable. Not every system can sync a directory; the
// file itself is synced already, so a failure here is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Rebuild fills a new version of the database and puts it in the file's place, keeping other
// processes out from the start of the copy until the new file is in place: they get
// ErrDatabaseInUse, and nothing they could write goes into the old file and vanishes with it.
// fill gets a store on the copy; when it fails, or the process is killed, the file stays as it
// was. The store goes on with the new file.
func (s *Store) Rebuild(fill func(next *Store) error) error {
	return s.swap(".rebuild", func(dst *bbolt.DB) (*bbolt.DB, error) {
		if err := bbolt.Compact(dst, s.db, 4<<20); err != nil {
			return dst, err
		}
		next := &Store{db: dst, path: s.path + ".rebuild", timeout: s.timeout, noSync: s.noSync, register: s.register,
			now: s.now, loc: s.loc, rule: s.rule, keyPath: s.keyPath, pinIter: s.pinIter,
			signPath: s.signPath, signSeed: s.signSeed}
		err := fill(next)
		// fill may not close next: the file is about to become the database.
		return next.db, err
	})
}

// swap builds a new file beside the database with build, which gets it open (and locked), and
// renames it over the database while this process holds both locks; the store then goes on with
// the new file. The old file's lock is released only once the new file is in place and locked,
// so that a process waiting for the old one finds, once it has it, that the path holds another
// file (openLocked checks), and waits for that one. suffix names the working file.
func (s *Store) swap(suffix string, build func(dst *bbolt.DB) (*bbolt.DB, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.swapLocked(suffix, build)
	var domain *comptoir.Error
	if err != nil && !errors.As(err, &domain) && isSystemError(err) {
		// The file system's refusal (a full disk, a permission) is the detail of a failed write.
		return comptoir.Wrap(comptoir.CodeCannotWrite, err)
	}
	return err
}

func (s *Store) swapLocked(suffix string, build func(dst *bbolt.DB) (*bbolt.DB, error)) error {
	dst, err := rebuildFile(s.path, suffix, s.timeout, s.noSync, build)
	if err != nil {
		return err
	}
	s.db.Close()
	s.db = dst
	return nil
}

// rebuildFile builds a new bbolt file beside path (named path+suffix, with path's permissions),
// makes it durable and renames it over path, returning it open; the caller, which holds path's
// lock, then closes the old file. The register's rewrites and the central's compaction share it.
func rebuildFile(path, suffix string, timeout time.Duration, noSync bool, build func(dst *bbolt.DB) (*bbolt.DB, error)) (*bbolt.DB, error) {
	tmp := path + suffix
	// A working file left by a killed rewrite is stale: this process holds the database's lock,
	// which every rewrite holds while it uses its working file.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		// The new file keeps the permissions the owner gave the database.
		mode = fi.Mode().Perm()
	}
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	err = f.Chmod(mode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: timeout, NoSync: noSync})
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	dst, err = build(dst)
	if err == nil {
		// Durable before it is put in place, even when commits skip the sync.
		err = dst.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		dst.Close()
		os.Remove(tmp)
		return nil, err
	}
	syncDir(filepath.Dir(path))
	return dst, nil
}
