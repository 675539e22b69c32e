package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/claimsvc/claims/server/internal/apitest"
)

func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Load(func(io.Reader) error { return nil })
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load before Save: got %v, want ErrNotExist", err)
	}
	for _, data := range [][]byte{[]byte("first"), []byte("second, longer")} {
		if err := s.Save(data); err != nil {
			t.Fatal(err)
		}
		var got []byte
		if err := s.Load(func(r io.Reader) error { got, err = io.ReadAll(r); return err }); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("got %q, want %q", got, data)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if e.Name() != LockFile {
			names = append(names, e.Name())
		}
	}
	if len(names) != 1 || names[0] != ModelFile {
		t.Errorf("directory holds %v, want only %s (no temporary files left)", names, ModelFile)
	}
}

func TestLoadDecodeError(t *testing.T) {
	s, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]byte("x")); err != nil {
		t.Fatal(err)
	}
	bad := errors.New("corrupt")
	if err := s.Load(func(io.Reader) error { return bad }); !errors.Is(err, bad) {
		t.Errorf("got %v, want the decode error", err)
	}
}

func TestSaveFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]byte("good")); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if err := s.Save([]byte("new")); err == nil {
		t.Fatal("Save into a read-only directory succeeded")
	}
	b, _ := os.ReadFile(s.Path())
	if string(b) != "good" {
		t.Errorf("got %q after a failed save, want the old model", b)
	}
}

// TestLoadRefusesLinks: a model file that is a symbolic link, dangling or
// not, or a directory, is refused rather than taken for no model (which
// would train the default model and rename it over the link).
func TestLoadRefusesLinks(t *testing.T) {
	target := filepath.Join(t.TempDir(), "elsewhere.bin")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(path string) error{
		"dangling link": func(path string) error { return os.Symlink(filepath.Join(t.TempDir(), "missing.bin"), path) },
		"link":          func(path string) error { return os.Symlink(target, path) },
		"directory":     func(path string) error { return os.Mkdir(path, 0o700) },
	}
	for name, make := range tests {
		dir := t.TempDir()
		if err := make(filepath.Join(dir, ModelFile)); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		called := false
		err = s.Load(func(io.Reader) error { called = true; return nil })
		if !errors.Is(err, ErrNotRegular) || errors.Is(err, os.ErrNotExist) || called {
			t.Errorf("%s: got %v (decode called: %v), want ErrNotRegular and no decode", name, err, called)
		}
		s.Close()
	}
}

// TestStaleTempFilesOfADirectoryNamedLikeAPattern checks that Open
// removes the temporary files a crash left in its directory, and only
// there, whatever the directory's name: "d[1]" once read as a pattern
// matched "d1" and left its own files.
func TestStaleTempFilesOfADirectoryNamedLikeAPattern(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"d[1]", "e[", "plain"} {
		dir, sibling := filepath.Join(root, name), filepath.Join(root, "d1")
		for _, d := range []string{dir, sibling} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		stale, other := filepath.Join(dir, ".model.bin.tmp-111"), filepath.Join(sibling, ".model.bin.tmp-222")
		for _, f := range []string{stale, other} {
			if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Open(dir, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: got the stale file kept (%v), want it removed", name, err)
		}
		if _, err := os.Stat(other); err != nil {
			t.Errorf("%s: got another directory's file removed (%v), want it kept", name, err)
		}
	}
}

// TestOpenReadOnly loads what a writable Store saved while that Store holds
// the lock, and refuses to save or to open a directory that is not there.
func TestOpenReadOnly(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Save([]byte("model")); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("OpenReadOnly beside a writer: %v", err)
	}
	var got []byte
	if err := r.Load(func(rd io.Reader) error { got, err = io.ReadAll(rd); return err }); err != nil || string(got) != "model" {
		t.Errorf("Load: got %q, %v; want model, nil", got, err)
	}
	if err := r.Save([]byte("other")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Save: got %v, want ErrReadOnly", err)
	}
	if _, err := OpenReadOnly(filepath.Join(dir, "missing"), slog.New(slog.DiscardHandler)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly of a missing directory: got %v, want os.ErrNotExist", err)
	}
	if _, err := OpenReadOnly(filepath.Join(dir, ModelFile), slog.New(slog.DiscardHandler)); err == nil {
		t.Errorf("OpenReadOnly of a file: got nil error")
	}
}

// TestChanged follows a read-only store's view of the model file through
// the writer's saves, a copy made in place and a removal.
func TestChanged(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { w.Close() }() // the writer of the moment
	r, err := OpenReadOnly(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	load := func() error { return r.Load(func(rd io.Reader) error { _, err := io.ReadAll(rd); return err }) }
	steps := []struct {
		name string
		do   func() error
		want bool
	}{
		{"no model file", func() error { return nil }, false},
		{"saved, never loaded", func() error { return w.Save([]byte("one")) }, true},
		{"loaded", load, false},
		{"saved again, the same bytes", func() error { return w.Save([]byte("one")) }, true},
		{"loaded again", load, false},
		{"copied in place", func() error { return os.WriteFile(r.Path(), []byte("three"), 0o600) }, true},
		{"loaded the copy", load, false},
		{"the writer's save refused, the copy kept", func() error {
			if err := w.Save([]byte("not saved")); !errors.Is(err, ErrModelReplaced) {
				return fmt.Errorf("save over a copied-in file: got %v, want ErrModelReplaced", err)
			}
			return nil
		}, false},
		{"a restarted writer saves again", func() error {
			w.Close()
			if w, err = Open(dir, slog.New(slog.DiscardHandler)); err != nil {
				return err
			}
			if err := w.Load(func(rd io.Reader) error { _, err := io.ReadAll(rd); return err }); err != nil {
				return err
			}
			return w.Save([]byte("3b"))
		}, true},
		{"loaded the restarted writer's", load, false},
		{"saved, then a read failed", func() error {
			if err := w.Save([]byte("four")); err != nil {
				return err
			}
			r.open = func(name string) (fs.File, error) {
				f, err := os.Open(name)
				return failingFile{f}, err
			}
			defer func() { r.open = openFile }()
			if err := load(); !errors.Is(err, syscall.EIO) {
				return fmt.Errorf("load with a failing read: got %v, want EIO", err)
			}
			return nil
		}, true},
		{"read again, its content refused", func() error {
			if err := r.Load(func(rd io.Reader) error { io.ReadAll(rd); return errors.New("not a model") }); err == nil {
				return errors.New("load whose decode failed: got nil error")
			}
			return nil
		}, false},
		{"removed", func() error { return os.Remove(r.Path()) }, false},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, err := r.Changed()
		if err != nil || got != st.want {
			t.Errorf("%s: got %v, %v; want %v, nil", st.name, got, err, st.want)
		}
	}
}

// failingFile is a model file whose reads fail as a flaky disk's would.
type failingFile struct{ *os.File }

func (failingFile) Read([]byte) (int, error) { return 0, syscall.EIO }

// TestSaveKeepsTheModelFilesMode checks that a save keeps the permissions
// an operator gave the model file (readable to read-only servers of
// another user), and that a first save makes it 0600.
func TestSaveKeepsTheModelFilesMode(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mode := func() fs.FileMode {
		fi, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if err := s.Save([]byte("first")); err != nil {
		t.Fatal(err)
	}
	if got := mode(); got != 0o600 {
		t.Errorf("first save: got mode %v, want 0600", got)
	}
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]byte("second")); err != nil {
		t.Fatal(err)
	}
	if got := mode(); got != 0o644 {
		t.Errorf("after chmod 0644 and a save: got mode %v, want 0644", got)
	}
}

// TestOpenDanglingLink checks that a data directory that is a link to
// nothing (a volume not mounted), or lies under one, is refused with a
// message saying so, by Open and OpenReadOnly alike.
func TestOpenDanglingLink(t *testing.T) {
	link := filepath.Join(t.TempDir(), "data")
	if err := os.Symlink(filepath.Join(t.TempDir(), "volume"), link); err != nil {
		t.Skip(err)
	}
	for _, dir := range []string{link, link + "/", filepath.Join(link, "models")} {
		for name, open := range map[string]func(string, *slog.Logger) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
			_, err := open(dir, slog.New(slog.DiscardHandler))
			if want := link + " is a symbolic link to "; err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "which does not exist (a volume not mounted yet?)") {
				t.Errorf("%s(%q): got %v, want an error naming %s and its missing target", name, dir, err, link)
			}
		}
	}
}

// TestHasModel checks HasModel on each kind of data directory, and that
// it creates nothing.
func TestHasModel(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, f func(string) error) string {
		p := filepath.Join(root, name)
		if err := f(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	saved := mk("saved", func(p string) error {
		if err := os.Mkdir(p, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(p, ModelFile), []byte("x"), 0o600)
	})
	empty := mk("empty", func(p string) error { return os.Mkdir(p, 0o755) })
	dirModel := mk("dir-model", func(p string) error { return os.MkdirAll(filepath.Join(p, ModelFile), 0o755) })
	linkedModel := mk("linked-model", func(p string) error {
		if err := os.Mkdir(p, 0o755); err != nil {
			return err
		}
		return os.Symlink(filepath.Join(saved, ModelFile), filepath.Join(p, ModelFile))
	})
	dangling := mk("dangling", func(p string) error { return os.Symlink(filepath.Join(root, "nowhere"), p) })
	for _, tt := range []struct {
		name, dir string
		want      error // nil, fs.ErrNotExist or ErrNotRegular
		wantText  string
	}{
		{"saved model", saved, nil, ""},
		{"empty directory", empty, fs.ErrNotExist, ""},
		{"no directory", filepath.Join(root, "missing"), fs.ErrNotExist, ""},
		{"model file a directory", dirModel, ErrNotRegular, "but a directory"},
		{"model file a link", linkedModel, ErrNotRegular, "but a symbolic link"},
		{"directory a link to nothing", dangling, nil, dangling + " is a symbolic link to " + filepath.Join(root, "nowhere") + ", which does not exist"},
	} {
		err := HasModel(tt.dir)
		switch {
		case tt.wantText != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.wantText)
			}
		case tt.want == nil && err != nil, tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("HasModel wrote into the directory: %v", entries)
	}
	if _, err := os.Lstat(filepath.Join(root, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("HasModel created the missing directory: %v", err)
	}
}

// TestSaveRefusesReplacedModel checks that a writer does not save over a
// model file it did not leave there: one renamed or copied into place
// (a backup restored while it runs), one removed, or one that appeared
// where it found none. The file there stays as it was.
func TestSaveRefusesReplacedModel(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(path string) error
		want   string // the model file's content after the refused save; "" for none
	}{
		{"renamed into place", func(p string) error {
			if err := os.WriteFile(p+".restore", []byte("backup"), 0o600); err != nil {
				return err
			}
			return os.Rename(p+".restore", p)
		}, "backup"},
		{"copied in place", func(p string) error { return os.WriteFile(p, []byte("backup"), 0o600) }, "backup"},
		{"removed", os.Remove, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := savedStore(t, t.TempDir())
			if err := tt.change(s.Path()); err != nil {
				t.Fatal(err)
			}
			if err := s.Save([]byte("second")); !errors.Is(err, ErrModelReplaced) {
				t.Errorf("save: got %v, want ErrModelReplaced", err)
			}
			got, err := os.ReadFile(s.Path())
			if tt.want == "" && !errors.Is(err, fs.ErrNotExist) || tt.want != "" && string(got) != tt.want {
				t.Errorf("model file after the refused save: got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("appeared after a start with none", func(t *testing.T) {
		dir := t.TempDir()
		s, err := Open(dir, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Load(func(io.Reader) error { return nil }); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("load of an empty directory: got %v, want fs.ErrNotExist", err)
		}
		if err := os.WriteFile(s.Path(), []byte("restored"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.Save([]byte("default")); !errors.Is(err, ErrModelReplaced) {
			t.Errorf("save: got %v, want ErrModelReplaced", err)
		}
	})
}

// savedStore opens a Store on dir, closed when the test ends, and saves
// "first" in it.
func savedStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Save([]byte("first")); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSlowSaveIsLogged: a save whose write stalls past stallAfter is
// logged while it stalls, and again when it ends; a quick one is not.
func TestSlowSaveIsLogged(t *testing.T) {
	var logs apitest.LogBuffer
	s, err := Open(t.TempDir(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Save([]byte("quick")); err != nil {
		t.Fatal(err)
	}
	if logs.String() != "" {
		t.Errorf("a quick save: got log %q, want nothing", logs.String())
	}
	release := make(chan struct{})
	s.write = func(path string, data []byte) error {
		<-release
		return writeAtomic(path, data)
	}
	s.stallAfter = 10 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- s.Save([]byte("slow")) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "saving the model is taking long") {
		if time.Now().After(deadline) {
			t.Fatalf("a stalled save: got log %q, want a warning while it stalls", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if strings.Contains(logs.String(), "ended") {
		t.Errorf("a save still stalled: got log %q, want no end yet", logs.String())
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := logs.String(); !strings.Contains(got, "level=WARN msg=\"the slow save of the model ended\"") || !strings.Contains(got, "took=") || strings.Contains(got, "error=") {
		t.Errorf("the stalled save's end: got log %q, want a warning with how long it took and no error", got)
	}
	var got []byte
	if err := s.Load(func(r io.Reader) error { got, err = io.ReadAll(r); return err }); err != nil || string(got) != "slow" {
		t.Errorf("after the stalled save: got %q, %v, want it saved", got, err)
	}
}

// slowWarning is a log handler that takes its time over the stall
// warning, as a busy machine may: the end line must still come after it.
type slowWarning struct{ slog.Handler }

func (h slowWarning) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "is taking long") {
		time.Sleep(2 * time.Millisecond)
	}
	return h.Handler.Handle(ctx, r)
}

// TestSlowSaveLogOrder: a save that ends while its warning is being
// logged logs its end after the warning, and nothing after Save returns.
func TestSlowSaveLogOrder(t *testing.T) {
	s, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.stallAfter = 300 * time.Microsecond
	warned := 0
	for i := range 40 {
		var logs apitest.LogBuffer
		s.log = slog.New(slowWarning{slog.NewTextHandler(&logs, nil)})
		delay := time.Duration(i%20) * 50 * time.Microsecond // around stallAfter
		s.write = func(path string, data []byte) error {
			time.Sleep(delay)
			return writeAtomic(path, data)
		}
		if err := s.Save([]byte("model")); err != nil {
			t.Fatal(err)
		}
		at := logs.String()
		warn, end := strings.Index(at, "is taking long"), strings.Index(at, "slow save of the model ended")
		if end >= 0 && (warn < 0 || warn > end) {
			t.Fatalf("save %d: got log %q, want the warning before the end", i, at)
		}
		if warn >= 0 {
			warned++
			if end < 0 {
				t.Fatalf("save %d: got log %q, want the end of a save that was warned of", i, at)
			}
		}
		time.Sleep(3 * time.Millisecond)
		if logs.String() != at {
			t.Fatalf("save %d: got log %q after Save returned, want nothing more than %q", i, logs.String(), at)
		}
	}
	if warned == 0 {
		t.Errorf("no save was slow enough to be warned of: the test tested nothing")
	}
}
