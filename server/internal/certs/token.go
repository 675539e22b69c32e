package certs

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// maxTokenFileBytes bounds a token file: a bearer token is a line, and a
// larger file is not one (a key, a certificate, the wrong path).
const maxTokenFileBytes = 4 << 10

// ErrBadToken is the error of a token file whose content is no bearer
// token.
var ErrBadToken = errors.New("not a bearer token")

// BadTokenByte returns the index of the first byte of tok that a bearer
// token cannot hold (a space, a control character, a byte outside ASCII),
// or -1. gRPC metadata carries only printable ASCII, and the REST side
// trims the header it reads, so a token with such a byte could never be
// presented.
func BadTokenByte(tok string) int {
	return strings.IndexFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' })
}

// TokenFile is the bearer token that Train and Forget require, read from
// a file (a Kubernetes or Docker secret, say) and read again when it
// changes, at most once every CheckEvery, as a key pair is: a rotated
// secret takes effect without a restart. The file holds the token, with
// or without a line break after it (which is dropped). A file that cannot
// be read, or does not hold a token, leaves the token as it was, with a
// warning logged once. TokenFile is safe for concurrent use.
type TokenFile struct {
	w watched[string]
}

// NewTokenFile reads the token in file. now is the clock (time.Now
// outside tests).
func NewTokenFile(file string, log *slog.Logger, now func() time.Time) (*TokenFile, error) {
	t := &TokenFile{w: watched[string]{
		name:  "train token file",
		files: []string{file},
		read:  func() (*string, error) { return readToken(file) },
		loaded: func(*string, time.Time) {
			log.Info("train token file reloaded: Train and Forget now require its token", "file", file)
		},
		log: log,
		now: now,
	}}
	if err := t.w.start(); err != nil {
		return nil, err
	}
	return t, nil
}

// Token returns the token of the moment, first reading the file again if
// CheckEvery has passed since the last check and it changed.
func (t *TokenFile) Token() string { return *t.w.get() }

// readToken reads the token in file.
func readToken(file string) (*string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxTokenFileBytes {
		return nil, fmt.Errorf("%s is over %d bytes: %w", file, maxTokenFileBytes, ErrBadToken)
	}
	tok := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if tok == "" {
		return nil, fmt.Errorf("%s is empty: %w", file, ErrBadToken)
	}
	if i := BadTokenByte(tok); i >= 0 {
		return nil, fmt.Errorf("%s: byte %d is a space, a control character or not ASCII (a bearer token is visible ASCII characters only, with at most a line break after them): %w", file, i, ErrBadToken)
	}
	return &tok, nil
}
