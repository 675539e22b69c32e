//go:build unix

package store

import (
	"os"
	"syscall"
)

var errWouldBlock = syscall.EWOULDBLOCK

// lockFile takes an exclusive advisory lock on f without waiting.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

// keepGroup gives f the group that fi, the file it replaces, has, so that
// readers let in by the group keep reading it. It returns an error a
// caller may ignore: a user not in that group cannot give it (EPERM).
func keepGroup(f *os.File, fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return f.Chown(-1, int(st.Gid))
}
