package tokenfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRead reads token files: one token a line, blank lines and CR LF
// endings dropped, in order.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, data string
		want       string // the tokens, joined by spaces
	}{
		{"one", "s3cret\n", "s3cret"},
		{"no final line break", "s3cret", "s3cret"},
		{"CR LF", "s3cret\r\n", "s3cret"},
		{"a rotation, blank lines around", "\nnew-s3cret\r\n\nold-s3cret\n", "new-s3cret old-s3cret"},
		{"the largest", strings.Repeat("a", MaxBytes), strings.Repeat("a", MaxBytes)},
	} {
		file := filepath.Join(dir, tt.name)
		writeFile(t, file, tt.data)
		toks, err := Read(file)
		if got := strings.Join(toks, " "); err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

// TestReadErrors: a file that holds no token or a line that is none is
// ErrBadToken naming the line and byte, and the error never shows a token.
func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, data string
		want       string
	}{
		{"empty", "", "holds no token"},
		{"line breaks only", "\n\r\n\n", "holds no token"},
		{"a space inside", "one s3cret\n", "line 1: byte 3 is a space, a control character"},
		{"a tab on the second line", "s3cret\n\ttwo\n", "line 2: byte 0 is a space"},
		{"not ASCII", "tökén", "line 1: byte 1 is a space, a control character or not ASCII"},
		{"a CR inside", "s3c\rret\n", "line 1: byte 3 is a space"},
		{"too large", strings.Repeat("a", MaxBytes+1), "is over 4096 bytes"},
	} {
		file := filepath.Join(dir, tt.name)
		writeFile(t, file, tt.data)
		toks, err := Read(file)
		if !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), tt.want) || toks != nil {
			t.Errorf("%s: got %q, %v; want ErrBadToken saying %q", tt.name, toks, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows a token: %v", tt.name, err)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: got %v, want ErrNotExist", err)
	}
}

// TestBadByte finds the first byte no bearer token can hold.
func TestBadByte(t *testing.T) {
	for _, tt := range []struct {
		tok  string
		want int
	}{
		{"", -1},
		{"abc-._~+/=", -1},
		{"ab c", 2},
		{"abc\n", 3},
		{"\x7f", 0},
		{"aé", 1},
	} {
		if got := BadByte(tt.tok); got != tt.want {
			t.Errorf("BadByte(%q): got %d, want %d", tt.tok, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
