package certs

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTokenFileFollowsItsFile reads a token file, then replaces it: the
// new tokens are taken at the first look after CheckEvery, a file that
// holds no token, or a line that is none, keeps the ones before (with a
// warning, once), and the log never shows a token.
func TestTokenFileFollowsItsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	writeFile(t, file, []byte("first-s3cret\n"))
	var logs bytes.Buffer
	now := time.Now()
	tf, err := NewTokenFile(file, slog.New(slog.NewTextHandler(&logs, nil)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		name    string
		data    string // written in the file's place, if not empty
		advance time.Duration
		want    string // the tokens, joined by spaces
		log     string
	}{
		{"the first", "", 0, "first-s3cret", ""},
		{"replaced, looked at too soon", "second-s3cret", CheckEvery / 2, "first-s3cret", ""},
		{"looked at again", "", CheckEvery, "second-s3cret", "train token file reloaded"},
		{"a rotation: the new one and the old", "third-s3cret\r\nsecond-s3cret\r\n", CheckEvery, "third-s3cret second-s3cret", "tokens=2"},
		{"empty", "\n", CheckEvery, "third-s3cret second-s3cret", "the train token file changed on disk but is not used"},
		{"still empty", "", CheckEvery, "third-s3cret second-s3cret", ""},
		{"a space inside", "two words", CheckEvery, "third-s3cret second-s3cret", "line 1: byte 3 is a space"},
		{"the rotation ends, a blank line kept", "\nthird-s3cret\n\n", CheckEvery, "third-s3cret", "train token file reloaded"},
	} {
		logs.Reset()
		if st.data != "" {
			replaceFile(t, file, []byte(st.data))
		}
		now = now.Add(st.advance)
		if got := strings.Join(tf.Tokens(), " "); got != st.want {
			t.Errorf("%s: got %q, want %q", st.name, got, st.want)
		}
		checkLog(t, st.name, logs.String(), st.log)
		if strings.Contains(logs.String(), "s3cret") || strings.Contains(logs.String(), "words") {
			t.Errorf("%s: the log shows a token: %q", st.name, logs.String())
		}
	}
}

func TestNewTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, data string
		want       string
	}{
		{"empty", "", "holds no token"},
		{"line breaks only", "\n\r\n\n", "holds no token"},
		{"a space inside", "one two\n", "line 1: byte 3 is a space, a control character"},
		{"a tab on the second line", "one\n\ttwo\n", "line 2: byte 0 is a space"},
		{"not ASCII", "tökén", "line 1: byte 1 is a space, a control character or not ASCII"},
		{"too large", strings.Repeat("a", maxTokenFileBytes+1), "is over 4096 bytes"},
	} {
		file := filepath.Join(dir, tt.name)
		writeFile(t, file, []byte(tt.data))
		_, err := NewTokenFile(file, slog.New(slog.DiscardHandler), time.Now)
		if !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want ErrBadToken saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := NewTokenFile(filepath.Join(dir, "missing"), slog.New(slog.DiscardHandler), time.Now); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: got %v, want ErrNotExist", err)
	}
	file := filepath.Join(dir, "largest")
	writeFile(t, file, []byte(strings.Repeat("a", maxTokenFileBytes)))
	if tf, err := NewTokenFile(file, slog.New(slog.DiscardHandler), time.Now); err != nil || len(tf.Tokens()) != 1 || len(tf.Tokens()[0]) != maxTokenFileBytes {
		t.Errorf("a token of %d bytes: got %v", maxTokenFileBytes, err)
	}
}
