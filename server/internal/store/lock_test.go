package store

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestOpenLocksDirectory(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no flock")
	}
	dir := t.TempDir()
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, slog.New(slog.DiscardHandler)); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: got %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

// TestOpenRemovesStaleTempFiles: a save interrupted by a crash leaves its
// temporary file; the next Open removes it and keeps the model.
func TestOpenRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ModelFile), []byte("model"), 0o600)
	stale := filepath.Join(dir, "."+ModelFile+".tmp-12345")
	os.WriteFile(stale, []byte("half a mod"), 0o600)
	other := filepath.Join(dir, "notes.txt")
	os.WriteFile(other, []byte("keep"), 0o600)
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("Open removed an unrelated file: %v", err)
	}
	var got []byte
	if err := s.Load(func(r io.Reader) error { got, err = io.ReadAll(r); return err }); err != nil || string(got) != "model" {
		t.Errorf("model after Open: %q, %v", got, err)
	}
}

// TestSaveRefusedOnceTheLockIsLost checks that a Store whose lock file was
// removed, or whose directory was replaced, saves nothing: a second server
// may have locked the directory since, and the two would overwrite each
// other's saves. A lock file that is a link to a file locks that file,
// and saves go on.
func TestSaveRefusedOnceTheLockIsLost(t *testing.T) {
	for _, tt := range []struct {
		name string
		lose func(t *testing.T, dir string)
		want error
	}{
		{"lock file removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, LockFile)); err != nil {
				t.Fatal(err)
			}
		}, ErrLockLost},
		{"second server after the lock file was removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, LockFile)); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(dir, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatalf("second Open: %v", err)
			}
			t.Cleanup(func() { s2.Close() })
		}, ErrLockLost},
		{"directory restored from a copy", func(t *testing.T, dir string) {
			if err := os.Rename(dir, dir+".old"); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{ModelFile, LockFile} {
				b, err := os.ReadFile(filepath.Join(dir+".old", name))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}, ErrLockLost},
		{"nothing lost", func(*testing.T, string) {}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			s := savedStore(t, dir)
			tt.lose(t, dir)
			if err := s.Save([]byte("second")); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Save: got %v, want %v", err, tt.want)
			}
			b, _ := os.ReadFile(filepath.Join(dir, ModelFile))
			if written := string(b) == "second"; written != (tt.want == nil) {
				t.Errorf("model file written: got %v, want %v", written, tt.want == nil)
			}
		})
	}
}

// TestLockFileLink checks that a lock file that is a link to a file is
// the file it names, for the lock and for the check before each save.
func TestLockFileLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "real.lock")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, LockFile)); err != nil {
		t.Skip(err)
	}
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Save([]byte("model")); err != nil {
		t.Errorf("Save with a linked lock file: %v", err)
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return // no flock
	}
	if _, err := Open(dir, slog.New(slog.DiscardHandler)); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open: got %v, want ErrLocked", err)
	}
}

// TestUsedBefore checks that a Store says whether a server had used its
// directory before (a lock file was there).
func TestUsedBefore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if s.UsedBefore() {
		t.Error("a new directory: got used before, want not")
	}
	s.Close()
	s, err = Open(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.UsedBefore() {
		t.Error("a directory opened before: got not used before, want used")
	}
}
