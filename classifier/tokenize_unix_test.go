//go:build unix

package classifier

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadTokenizerFIFO checks that a named pipe is refused without being
// opened: opening one blocks until a writer comes, and no signal ends the
// wait.
func TestLoadTokenizerFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, err := LoadTokenizer(fifo)
	if !errors.Is(err, ErrBadTokenizer) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("LoadTokenizer(fifo): got %v, want ErrBadTokenizer: not a regular file", err)
	}
}
