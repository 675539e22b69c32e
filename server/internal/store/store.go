// Package store keeps the served model in a data directory. Writes are
// atomic: a new model is written to a temporary file in the same
// directory, synced, and renamed over the old one, and the directory is
// synced, so a crash leaves either the old or the new model, never a torn
// one.
package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ModelFile is the model's file name inside the data directory.
const ModelFile = "model.bin"

// Store persists the model in a directory. It is safe for concurrent use;
// writes are serialised.
type Store struct {
	dir string
	mu  sync.Mutex
}

// Open returns a Store over dir, creating the directory if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Path returns the model file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, ModelFile) }

// Load opens the saved model and passes it to decode. It returns an error
// wrapping os.ErrNotExist when no model has been saved.
func (s *Store) Load(decode func(io.Reader) error) error {
	f, err := os.Open(s.Path())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	if err := decode(f); err != nil {
		return fmt.Errorf("store: %s: %w", s.Path(), err)
	}
	return nil
}

// Save atomically replaces the saved model with data.
func (s *Store) Save(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return writeAtomic(s.Path(), data)
}

// writeAtomic writes data to path through a synced temporary file and a
// rename, then syncs the directory so the rename itself is durable.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
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
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err = d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("store: sync dir: %w", err)
	}
	return nil
}
