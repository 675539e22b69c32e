package certs

import (
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// CheckEvery is how often, at most, a KeyPair, ClientCAs or TokenFile
// looks at its files for a new version: on the first handshake (or, for
// a TokenFile, the first token check) after this long since the last
// look.
const CheckEvery = time.Second

// watched is a value read from files and read again, at most once every
// CheckEvery, when one of them changed (another file renamed into its
// place, as certificate managers and Kubernetes secret volumes do, or the
// same file with another size or modification time). A value that does
// not read, or that use refuses, leaves the one served as it was, and is
// tried again at the next check. Only the call that checks waits for the
// files to be read: meanwhile the others get the value as it was. watched
// is safe for concurrent use once start has returned.
type watched[T any] struct {
	name  string // what is read, for the log ("TLS key pair")
	files []string
	read  func() (*T, error)
	// use, if not nil, says why next may not replace cur at now.
	use func(next, cur *T, now time.Time) error
	// loaded, if not nil, is called after a reload, for what the log
	// should say of the new value.
	loaded func(v *T, now time.Time)
	log    *slog.Logger
	now    func() time.Time

	value   atomic.Pointer[T]
	checked atomic.Int64 // when the files were last looked at, Unix nanoseconds

	mu     sync.Mutex    // held by the one check under way
	stats  []os.FileInfo // of the files value was read from
	failed string        // the failure last logged, until a check finds nothing to do
}

// start reads the value for the first time.
func (w *watched[T]) start() error {
	v, stats, err := w.load()
	if err != nil {
		return err
	}
	w.value.Store(v)
	w.stats = stats
	w.checked.Store(w.now().UnixNano())
	return nil
}

// load reads the value and returns it with the files' state as it was
// before they were read: a file replaced after its stat is read new, and
// found changed again at the next check, which costs one more read.
func (w *watched[T]) load() (*T, []os.FileInfo, error) {
	stats := make([]os.FileInfo, len(w.files))
	for i, name := range w.files {
		fi, err := os.Stat(name)
		if err != nil {
			return nil, nil, err
		}
		stats[i] = fi
	}
	v, err := w.read()
	return v, stats, err
}

// changed reports whether a file differs from the one the value was read
// from; a file that cannot be stat'ed counts as changed, so that the load
// says why.
func (w *watched[T]) changed() bool {
	for i, name := range w.files {
		fi, err := os.Stat(name)
		old := w.stats[i]
		if err != nil || !os.SameFile(old, fi) || old.Size() != fi.Size() || !old.ModTime().Equal(fi.ModTime()) {
			return true
		}
	}
	return false
}

// get returns the value to use, first reading it again if CheckEvery has
// passed since the last check and a file changed, unless another call is
// doing so.
func (w *watched[T]) get() *T {
	now := w.now()
	if since := now.Sub(time.Unix(0, w.checked.Load())); since >= 0 && since < CheckEvery {
		return w.value.Load()
	}
	if !w.mu.TryLock() {
		return w.value.Load() // another call is checking
	}
	defer w.mu.Unlock()
	if since := now.Sub(time.Unix(0, w.checked.Load())); since >= 0 && since < CheckEvery {
		return w.value.Load() // checked while this call waited for the lock
	}
	w.checked.Store(now.UnixNano())
	if !w.changed() {
		w.failed = ""
		return w.value.Load()
	}
	v, stats, err := w.load()
	if err == nil && w.use != nil {
		err = w.use(v, w.value.Load(), now)
	}
	if err != nil {
		if msg := err.Error(); msg != w.failed {
			w.failed = msg
			w.log.Warn("the "+w.name+" changed on disk but is not used: the one before stays in use (read again when next needed, at most once a second)", "files", w.files, "error", err)
		}
		return w.value.Load()
	}
	w.value.Store(v)
	w.stats, w.failed = stats, ""
	if w.loaded != nil {
		w.loaded(v, now)
	}
	return v
}
