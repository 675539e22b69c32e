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

// TokenFile is the bearer tokens that Train and Forget accept, read from
// a file (a Kubernetes or Docker secret, say) and read again when it
// changes, at most once every CheckEvery, as a key pair is: a rotated
// secret takes effect without a restart. The file holds one token a line
// (blank lines and a carriage return before a line break are dropped),
// so that a rotation can accept the new token and the old one for a while
// (write "new" and "old" on two lines, move the clients to the new one,
// then write "new" alone). A file that cannot be read, or holds no token
// or a line that is none, leaves the tokens as they were, with a warning
// logged once. TokenFile is safe for concurrent use.
type TokenFile struct {
	w watched[[]string]
}

// NewTokenFile reads the tokens in file. now is the clock (time.Now
// outside tests).
func NewTokenFile(file string, log *slog.Logger, now func() time.Time) (*TokenFile, error) {
	t := &TokenFile{w: watched[[]string]{
		name:  "train token file",
		files: []string{file},
		read:  func() (*[]string, error) { return readTokens(file) },
		loaded: func(v *[]string, _ time.Time) {
			log.Info("train token file reloaded: Train and Forget now take its tokens", "file", file, "tokens", len(*v))
		},
		log: log,
		now: now,
	}}
	if err := t.w.start(); err != nil {
		return nil, err
	}
	return t, nil
}

// Tokens returns the tokens of the moment, first reading the file again
// if CheckEvery has passed since the last check and it changed. The
// caller must not change the slice.
func (t *TokenFile) Tokens() []string { return *t.w.get() }

// readTokens reads the tokens in file.
func readTokens(file string) (*[]string, error) {
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
	var toks []string
	for n, line := range strings.Split(string(b), "\n") {
		tok := strings.TrimSuffix(line, "\r")
		if tok == "" {
			continue
		}
		if i := BadTokenByte(tok); i >= 0 {
			return nil, fmt.Errorf("%s line %d: byte %d is a space, a control character or not ASCII (a bearer token is visible ASCII characters only, one a line): %w", file, n+1, i, ErrBadToken)
		}
		toks = append(toks, tok)
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("%s holds no token: %w", file, ErrBadToken)
	}
	return &toks, nil
}
