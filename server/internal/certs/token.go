package certs

import (
	"log/slog"
	"time"

	"github.com/claimsvc/claims/server/tokenfile"
)

// TokenFile is the bearer tokens that Train and Forget accept, read from
// a file (a Kubernetes or Docker secret, say) and read again when it
// changes, at most once every CheckEvery, as a key pair is: a rotated
// secret takes effect without a restart. The file holds one token a line,
// read by tokenfile.Read (blank lines and a carriage return before a line
// break are dropped), so that a rotation can accept the new token and the
// old one for a while (write "new" and "old" on two lines, move the
// clients to the new one, then write "new" alone). A file that cannot be
// read, or holds no token or a line that is none, leaves the tokens as
// they were, with a warning logged once. TokenFile is safe for concurrent
// use.
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
	toks, err := tokenfile.Read(file)
	if err != nil {
		return nil, err
	}
	return &toks, nil
}
