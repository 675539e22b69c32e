//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptWhileFIFOHasNoWriter: a FIFO named as the input blocks in
// open until a writer comes; an interrupt ends the wait at once, for
// classify and for an example file.
func TestInterruptWhileFIFOHasNoWriter(t *testing.T) {
	_, addr := startFake(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, args := range [][]string{{"classify", fifo}, {"eval", "--data", fifo}} {
		ctx, interrupt := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, interrupt)
		code, _, errs := runCLIContext(t, ctx, "", append(args, "--addr", addr)...)
		interrupt()
		// The open left behind still waits: a writer that comes and goes
		// ends it.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		if code != exitInterrupted || !strings.Contains(errs, "reading "+fifo+": context canceled") {
			t.Errorf("%v: got exit %d, stderr %q; want %d and the file named", args, code, errs, exitInterrupted)
		}
	}
}
