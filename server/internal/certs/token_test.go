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
// new token is taken at the first look after CheckEvery, a file that
// holds no token keeps the one before (with a warning, once), and the log
// never shows a token.
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
		want    string
		log     string
	}{
		{"the first", "", 0, "first-s3cret", ""},
		{"replaced, looked at too soon", "second-s3cret", CheckEvery / 2, "first-s3cret", ""},
		{"looked at again", "", CheckEvery, "second-s3cret", "train token file reloaded"},
		{"with CR LF", "third-s3cret\r\n", CheckEvery, "third-s3cret", "train token file reloaded"},
		{"empty", "\n", CheckEvery, "third-s3cret", "the train token file changed on disk but is not used"},
		{"still empty", "", CheckEvery, "third-s3cret", ""},
		{"a space inside", "two words", CheckEvery, "third-s3cret", "byte 3 is a space"},
		{"fixed", "fourth-s3cret", CheckEvery, "fourth-s3cret", "train token file reloaded"},
	} {
		logs.Reset()
		if st.data != "" {
			replaceFile(t, file, []byte(st.data))
		}
		now = now.Add(st.advance)
		if got := tf.Token(); got != st.want {
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
		{"empty", "", "is empty"},
		{"a line break only", "\n", "is empty"},
		{"two lines", "one\ntwo\n", "byte 3 is a space, a control character"},
		{"not ASCII", "tökén", "byte 1 is a space, a control character or not ASCII"},
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
	if tf, err := NewTokenFile(file, slog.New(slog.DiscardHandler), time.Now); err != nil || len(tf.Token()) != maxTokenFileBytes {
		t.Errorf("a token of %d bytes: got %v", maxTokenFileBytes, err)
	}
}
