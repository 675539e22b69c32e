//go:build unix

package store

import (
	"log/slog"
	"os"
	"syscall"
	"testing"
)

// TestSaveKeepsTheModelFilesGroup checks that a save keeps the group an
// operator gave the model file, for readers let in by the group (root
// only: another user cannot give a group it is not in).
func TestSaveKeepsTheModelFilesGroup(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give the file another group")
	}
	s, err := Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Save([]byte("first")); err != nil {
		t.Fatal(err)
	}
	const gid = 4242
	if err := os.Chown(s.Path(), -1, gid); err != nil {
		t.Skip(err)
	}
	if err := os.Chmod(s.Path(), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]byte("second")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Skip("no Unix group")
	}
	if st.Gid != gid || fi.Mode().Perm() != 0o640 {
		t.Errorf("after a save: got group %d mode %v, want %d and 0640", st.Gid, fi.Mode().Perm(), gid)
	}
}
