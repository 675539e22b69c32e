package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// ModelFile is the model's file name inside the data directory.
const ModelFile = "model.bin"

// LockFile is the file, inside the data directory, that a Store holds an
// exclusive lock on while it is open.
const LockFile = ".lock"

// tmpPattern is the name pattern of the temporary files Save writes.
const tmpPattern = "." + ModelFile + ".tmp-*"

// ErrLocked reports a data directory that another Store (in this or another
// process) holds open.
var ErrLocked = errors.New("store: the data directory is in use by another server")

// ErrReadOnly reports a Save to a Store opened with OpenReadOnly.
var ErrReadOnly = errors.New("store: the data directory was opened read-only")

// ErrLockLost reports a Save refused because the lock file Open locked is
// no longer the data directory's (it was removed, or the directory was
// replaced or restored from a copy): another server may have locked the
// directory since, and its saves and this one's would overwrite each
// other.
var ErrLockLost = errors.New("store: the data directory's lock file was removed or the directory replaced since this server locked it, so another server may be writing it: nothing was saved; restart this server")

// ErrModelReplaced reports a Save refused because the model file is no
// longer the one this Store last read or saved (it was replaced, as by
// restoring a backup, or removed): saving would undo what was done to it.
var ErrModelReplaced = errors.New("store: " + ModelFile + " was replaced or removed since this server read or saved it (a backup restored while it ran?): nothing was saved, so the file there stays; restart this server to serve it")

// Store persists the model in a directory. It is safe for concurrent use;
// writes are serialised.
type Store struct {
	dir      string
	log      *slog.Logger
	mu       sync.Mutex
	lock     *os.File
	used     bool // the lock file was there before Open: a server used dir before
	readOnly bool
	read     fs.FileInfo // the model file Load last read with no read error, or Save wrote (see Changed); guarded by mu
	// open opens the model file for Load: os.Open, but for tests of read
	// errors.
	open func(name string) (fs.File, error)
	// write writes the model file for Save (writeAtomic, but for tests of
	// a stalled disk), and stallAfter is how long a save may take before
	// the log says it is still under way (SlowSave).
	write      func(path string, data []byte) error
	stallAfter time.Duration
}

// SlowSave is how long a Save may take before the log warns that it is
// still under way: a disk or network volume that stalls holds the change
// being saved, and its caller past its deadline, without another word in
// the log. The server refuses other changes from then on (see
// classifier.WithPersistStall, which it sets to this).
const SlowSave = 10 * time.Second

// OpenReadOnly returns a Store that only loads the model in dir: it
// creates nothing, takes no lock (any number of read-only servers may
// share a directory, on a read-only volume too, beside the one server
// that writes it, whose saves replace the model file whole) and refuses
// to Save. dir must exist.
func OpenReadOnly(dir string, log *slog.Logger) (*Store, error) {
	if err := danglingLink(dir); err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("store: %s is not a directory", dir)
	}
	return &Store{dir: dir, log: log, readOnly: true, open: openFile}, nil
}

// Open returns a Store over dir, creating the directory if needed. It locks
// the directory (on Unix; the lock goes with the process, so a crash
// releases it), failing with ErrLocked if another Store has it: two servers
// saving to one directory would each overwrite the other's changes. It then
// removes temporary files left by a save that a crash interrupted.
// Directories it creates are synced into their parents, so that a model
// saved in them survives a power cut (a failure to is logged).
func Open(dir string, log *slog.Logger) (*Store, error) {
	if err := danglingLink(dir); err != nil {
		return nil, err
	}
	created, err := mkdirAll(dir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for _, d := range created {
		if err := syncDir(filepath.Dir(d)); err != nil {
			log.Warn("data directory created, but its parent could not be synced", "dir", filepath.Dir(d), "error", err)
		}
	}
	_, lerr := os.Lstat(filepath.Join(dir, LockFile))
	lock, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("store: locking %s: %w", dir, err)
	}
	// The names are matched, not the path: a directory named "d[1]" is
	// no pattern.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if ok, _ := filepath.Match(tmpPattern, e.Name()); ok {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				log.Warn("a temporary file left by an interrupted save could not be removed", "file", e.Name(), "error", err)
			} else {
				log.Info("removed a temporary file left by an interrupted save", "file", e.Name())
			}
		}
	}
	return &Store{dir: dir, log: log, lock: lock, used: lerr == nil, open: openFile, write: writeAtomic, stallAfter: SlowSave}, nil
}

// UsedBefore reports whether a server had used the directory before Open
// (its lock file was there): a directory used before with no model in it
// may be a volume that is not mounted, or a model removed.
func (s *Store) UsedBefore() bool { return s.used }

// danglingLink returns an error naming the link if dir, or a directory
// on its path, is a symbolic link to nothing (a volume not mounted yet),
// which mkdir would report as a file that exists.
func danglingLink(dir string) error {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Lstat(d); err == nil {
			if fi.Mode()&fs.ModeSymlink != 0 {
				if _, err := os.Stat(d); errors.Is(err, fs.ErrNotExist) {
					target, _ := os.Readlink(d)
					return fmt.Errorf("store: %s is a symbolic link to %s, which does not exist (a volume not mounted yet?)", d, target)
				}
			}
			return nil // the deepest part that exists
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// mkdirAll creates dir and any missing parents, as os.MkdirAll does, and
// returns the directories it created, deepest first.
func mkdirAll(dir string) ([]string, error) {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	return created, os.MkdirAll(dir, 0o750)
}

// syncDir syncs the directory dir, so that its entries are on disk. A file
// system that cannot sync a directory (EINVAL) needs no sync.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// Close releases the directory lock. The Store must not be used after.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close() // closing the file releases the lock
	s.lock = nil
	return err
}

// Path returns the model file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, ModelFile) }

// ErrNotRegular reports a model file that is a symbolic link or anything
// else but a regular file. Save replaces the file by a rename, which would
// replace a link rather than write through it, and a dangling link (a
// volume not mounted yet) must not pass for a directory with no model.
var ErrNotRegular = errors.New("is not a regular file")

// Load opens the saved model and passes it to decode. It returns an error
// wrapping os.ErrNotExist when no model has been saved, and one wrapping
// ErrNotRegular when the model file is a symbolic link or not a file. A
// file read with no read error, whatever decode made of it, is the one
// Changed compares with.
func (s *Store) Load(decode func(io.Reader) error) error {
	if err := regularFile(s.Path()); err != nil {
		return err
	}
	f, err := s.open(s.Path())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	fi, statErr := f.Stat()
	r := &readErr{r: f}
	err = decode(r)
	// The file counts as read (Changed) unless reading it failed: a file
	// whose content was refused is refused again, but one that could not
	// be read (EIO, ESTALE) may be read next time.
	if statErr == nil && r.err == nil {
		s.mu.Lock()
		s.read = fi
		s.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", s.Path(), err)
	}
	return nil
}

// regularFile returns nil if name is a regular file, an error wrapping
// os.ErrNotExist if there is nothing by that name, and one wrapping
// ErrNotRegular if it is a symbolic link or not a file.
func regularFile(name string) error {
	fi, err := os.Lstat(name)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		kind := "a special file"
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			kind = "a symbolic link"
		case fi.IsDir():
			kind = "a directory"
		}
		hint := "move it away to start from the default model"
		if fi.Mode()&fs.ModeSymlink != 0 {
			hint = "point --data-dir at the directory that holds the model instead"
		}
		return fmt.Errorf("store: %s %w but %s: %s", name, ErrNotRegular, kind, hint)
	}
	return nil
}

// HasModel checks, creating and writing nothing, that dir holds a saved
// model that Load can read: it returns the error Open gives for a dir
// that is, or lies under, a symbolic link to nothing, an error wrapping
// os.ErrNotExist when there is no model file (or no dir), and one
// wrapping ErrNotRegular when the model file is a symbolic link or not a
// file. A model file that cannot be looked at (permissions) is no error
// of HasModel's: Open and Load report it.
func HasModel(dir string) error {
	if err := danglingLink(dir); err != nil {
		return err
	}
	err := regularFile(filepath.Join(dir, ModelFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrNotRegular) {
		return nil
	}
	return err
}

// openFile is os.Open as Store.open.
func openFile(name string) (fs.File, error) { return os.Open(name) }

// readErr is a reader that keeps the first error of r other than io.EOF.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// Changed reports whether the model file is another than the one Load
// last read (whether or not its content was accepted; a file it could not
// read does not count) or Save last wrote, or the same file with another
// size or modification time: a save renames a new file over the old one,
// and a copy made in place changes the one there. It is true when a model file
// exists and Load never read one, and false when none exists (a model
// removed is no new model to serve). An error is one of Lstat's other
// than fs.ErrNotExist.
func (s *Store) Changed() (bool, error) {
	fi, err := os.Lstat(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	s.mu.Lock()
	read := s.read
	s.mu.Unlock()
	return !sameModel(read, fi), nil
}

// sameModel reports whether b is the model file a was (nil: none known),
// as its size and modification time too say: a save renames another file
// into place, and a copy made in place changes those.
func sameModel(a, b fs.FileInfo) bool {
	return a != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// Save atomically replaces the saved model with data. An error means the
// saved model is still the old one. Once the new file has been renamed into
// place it is the saved model, so a failure to sync the directory after
// that is logged, not returned: the change is on disk, although a power
// cut before the next sync of the directory could undo it. A save still
// under way after SlowSave is logged then, at warn, and again when it
// ends.
func (s *Store) Save(data []byte) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLock(); err != nil {
		return err
	}
	if err := s.checkModel(); err != nil {
		return err
	}
	start := time.Now()
	warned := make(chan struct{})
	stalled := time.AfterFunc(s.stallAfter, func() {
		s.log.Warn("saving the model is taking long: the data directory's disk or volume may be stalled, and other changes are refused until the save ends", "path", s.Path(), "bytes", len(data), "waited", s.stallAfter)
		close(warned)
	})
	err := s.write(s.Path(), data)
	if !stalled.Stop() {
		// The warning's goroutine has begun: the end is logged after it.
		<-warned
		attrs := []any{"path", s.Path(), "took", time.Since(start).Round(time.Millisecond)}
		if err != nil && !errors.Is(err, errDirSync) {
			attrs = append(attrs, "error", err)
		}
		s.log.Warn("the slow save of the model ended", attrs...)
	}
	if err == nil || errors.Is(err, errDirSync) {
		// The file now there is this save's (a failure to stat it leaves
		// the next save refused, as a replaced file would).
		if fi, serr := os.Lstat(s.Path()); serr == nil {
			s.read = fi
		}
	}
	if errors.Is(err, errDirSync) {
		s.log.Warn("model saved, but its directory could not be synced", "path", s.Path(), "error", err)
		return nil
	}
	return err
}

// checkModel returns ErrModelReplaced unless the model file is the one
// this Store last read or saved, as its size and modification time too
// say, or there is none and it neither read nor saved one. s.mu is held.
func (s *Store) checkModel() error {
	fi, err := os.Lstat(s.Path())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if s.read != nil {
			return ErrModelReplaced
		}
		return nil
	case err != nil:
		return fmt.Errorf("store: %w", err)
	case !sameModel(s.read, fi):
		return ErrModelReplaced
	}
	return nil
}

// checkLock returns ErrLockLost unless the lock file s holds is still the
// data directory's lock file. s.mu is held.
func (s *Store) checkLock() error {
	if s.lock == nil {
		return fmt.Errorf("store: Save after Close")
	}
	held, err := s.lock.Stat()
	if err != nil {
		return fmt.Errorf("store: the lock file: %w", err)
	}
	// Stat, not Lstat: a .lock that is a link locks the file it names.
	now, err := os.Stat(filepath.Join(s.dir, LockFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrLockLost
	case err != nil:
		return fmt.Errorf("store: checking the data directory's lock file: %w", err)
	case !os.SameFile(held, now):
		return ErrLockLost
	}
	return nil
}

// errDirSync reports a model renamed into place whose directory could not
// be synced afterwards.
var errDirSync = errors.New("store: sync dir")

// writeAtomic writes data to path through a synced temporary file and a
// rename, then syncs the directory so the rename itself is durable. The
// new file has the old one's permissions and, where the user may give it,
// its group, if there was one (read-only servers of another user may have
// been let read it), else 0600 and the user's group.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tmpPattern)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() {
		// The group first: a chown may clear mode bits.
		_ = keepGroup(tmp, fi) // EPERM: not the user's group to give
		if err = tmp.Chmod(fi.Mode().Perm()); err != nil {
			return fmt.Errorf("store: chmod: %w", err)
		}
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("store: write: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store: rename: %w", err)
	}
	// From here on the new file is in place: err must not remove it.
	if derr := syncDir(dir); derr != nil {
		return fmt.Errorf("%w: %w", errDirSync, derr)
	}
	return nil
}
