//go:build !unix

package store

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("would block")

// lockFile does nothing where flock is not available: the directory is not
// protected against a second server.
func lockFile(*os.File) error { return nil }

// keepGroup does nothing where files have no Unix group.
func keepGroup(*os.File, os.FileInfo) error { return nil }
