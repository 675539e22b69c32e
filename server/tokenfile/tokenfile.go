// Package tokenfile reads a file of bearer tokens, one a line: the file
// the server's --train-token-file names, which the client's --token-file
// may name too (a Kubernetes or Docker secret, say). Both programs read it
// with Read, so that a file one accepts the other accepts as well. It is
// not internal to server/ because the client imports it; it holds no
// other API.
package tokenfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxBytes bounds a token file: a bearer token is a line, and a larger
// file is not one (a key, a certificate, the wrong path).
const MaxBytes = 4 << 10

// ErrBadToken is the error of a token file whose content is no bearer
// token.
var ErrBadToken = errors.New("not a bearer token")

// BadByte returns the index of the first byte of tok that a bearer token
// cannot hold (a space, a control character, a byte outside ASCII), or
// -1. gRPC metadata carries only printable ASCII, and the REST side trims
// the header it reads, so a token with such a byte could never be
// presented.
func BadByte(tok string) int {
	return strings.IndexFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' })
}

// Read returns the tokens file holds, in order: one a line, blank lines
// and a carriage return before a line break dropped. Several lines serve
// a rotation: the new token first, then the old one. A file over MaxBytes,
// one that holds no token, or a line that is none (a space inside, a byte
// outside ASCII) is an error wrapping ErrBadToken that names the line and
// byte; the error never shows a token.
func Read(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("%s is over %d bytes, more than a file of bearer tokens, one a line, holds: %w", file, MaxBytes, ErrBadToken)
	}
	var toks []string
	for n, line := range strings.Split(string(b), "\n") {
		tok := strings.TrimSuffix(line, "\r")
		if tok == "" {
			continue
		}
		if i := BadByte(tok); i >= 0 {
			return nil, fmt.Errorf("%s line %d: byte %d is a space, a control character or not ASCII (a bearer token is visible ASCII characters only, one a line): %w", file, n+1, i, ErrBadToken)
		}
		toks = append(toks, tok)
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("%s holds no token: %w", file, ErrBadToken)
	}
	return toks, nil
}
