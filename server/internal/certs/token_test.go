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

	"github.com/claimsvc/claims/server/tokenfile"
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

// TestNewTokenFileErrors: a file Read refuses, or cannot open, is an
// error from NewTokenFile (tokenfile's tests cover what Read refuses).
func TestNewTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "empty")
	writeFile(t, file, []byte("\n"))
	if _, err := NewTokenFile(file, slog.New(slog.DiscardHandler), time.Now); !errors.Is(err, tokenfile.ErrBadToken) || !strings.Contains(err.Error(), "holds no token") {
		t.Errorf("an empty file: got %v, want ErrBadToken saying it holds no token", err)
	}
	if _, err := NewTokenFile(filepath.Join(dir, "missing"), slog.New(slog.DiscardHandler), time.Now); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: got %v, want ErrNotExist", err)
	}
}
