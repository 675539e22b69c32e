// Package reqid holds the request IDs that name calls in the server's
// logs: what a valid one is, how a new one is made, and how a call's
// context carries it.
package reqid

import (
	"context"
	"crypto/rand"
	"log/slog"
)

// Key is the gRPC metadata key of a request ID, and Header its HTTP
// header.
const (
	Key    = "x-request-id"
	Header = "X-Request-Id"
)

// maxLen bounds a request ID taken from a client.
const maxLen = 128

// Valid reports whether id may be taken as a call's request ID: 1 to 128
// bytes of printable ASCII without spaces (the characters of a UUID, a
// trace ID, or a proxy's own IDs), so that what a client sends cannot
// break a log line or a header.
func Valid(id string) bool {
	if id == "" || len(id) > maxLen {
		return false
	}
	for i := range len(id) {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// New returns a new random request ID: 26 characters of base32, 128
// random bits.
func New() string { return rand.Text() }

// ctxKey is the context key of a call's request ID.
type ctxKey struct{}

// NewContext returns ctx carrying the request ID id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the request ID ctx carries, if any.
func FromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(ctxKey{}).(string)
	return id, ok
}

// Attr returns the x_request_id attribute of the call whose context is
// ctx, for the log lines written about it, or an empty attribute (which
// slog leaves out) for a context that carries none.
func Attr(ctx context.Context) slog.Attr {
	if id, ok := FromContext(ctx); ok {
		return slog.String("x_request_id", id)
	}
	return slog.Attr{}
}
