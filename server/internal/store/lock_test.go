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
