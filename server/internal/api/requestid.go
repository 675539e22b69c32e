package api

import (
	"context"
	"crypto/rand"
	"log/slog"

	"google.golang.org/grpc/metadata"
)

// RequestIDKey is the metadata key (and, as X-Request-Id, the HTTP header)
// that names a call for the logs of the client, the server and anything
// between them. A call that comes with a valid one keeps it (see
// ValidRequestID); any other gets a new one. The server sends it back in
// the response headers, and the access log has it as x_request_id. It is
// not TrainRequest.request_id, which makes a retried change safe.
const RequestIDKey = "x-request-id"

// maxRequestIDLen bounds a request ID taken from a client.
const maxRequestIDLen = 128

// ValidRequestID reports whether id may be taken as a call's request ID:
// 1 to 128 bytes of printable ASCII without spaces (the characters of a
// UUID, a trace ID, or a proxy's own IDs), so that what a client sends
// cannot break a log line or a header.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := range len(id) {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// NewRequestID returns a new random request ID: 26 characters of base32,
// 128 random bits.
func NewRequestID() string { return rand.Text() }

// requestIDKey is the context key of a call's request ID.
type requestIDKey struct{}

// requestIDAttr returns the x_request_id attribute of the call in ctx, for
// the log lines a handler writes, or an empty attribute (which slog
// leaves out) outside the interceptors.
func requestIDAttr(ctx context.Context) slog.Attr {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		return slog.String("x_request_id", id)
	}
	return slog.Attr{}
}

// withRequestID returns ctx carrying the request ID of its call, and the
// ID: the one ctx already carries, else the first value of the call's
// RequestIDKey metadata if that is valid, else a new one. added says ctx
// did not carry one yet, so that the caller sends it back once.
func withRequestID(ctx context.Context) (_ context.Context, id string, added bool) {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		return ctx, id, false
	}
	if v := metadata.ValueFromIncomingContext(ctx, RequestIDKey); len(v) > 0 && ValidRequestID(v[0]) {
		id = v[0]
	} else {
		id = NewRequestID()
	}
	return context.WithValue(ctx, requestIDKey{}, id), id, true
}
