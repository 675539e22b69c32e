package reqid

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
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

// TraceKey is the gRPC metadata key, and TraceHeader the HTTP header, of a
// call's W3C trace context (https://www.w3.org/TR/trace-context/): its
// trace ID is logged beside the request ID, so that a trace recorded by
// the client leads to the server's log lines.
const (
	TraceKey    = "traceparent"
	TraceHeader = "Traceparent"
)

// TraceparentSize is the length of a traceparent of version 00, and of
// the fields every version begins with: 2 + 1 + 32 + 1 + 16 + 1 + 2.
const TraceparentSize = 55

// TraceID returns the trace ID of a traceparent value: 32 lower-case hex
// digits, not all zero. A value of version 00 is exactly
// "00-{trace ID}-{parent ID, 16 hex digits, not all zero}-{flags, 2 hex
// digits}"; one of a later version (not ff) may go on after a dash, as
// the recommendation asks a reader of an older version to accept. Any
// other value is no trace context.
func TraceID(traceparent string) (string, bool) {
	v := traceparent
	if len(v) < TraceparentSize || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return "", false
	}
	version, trace, parent, flags := v[:2], v[3:35], v[36:52], v[53:55]
	if !lowerHex(version) || version == "ff" || !lowerHex(trace) || !lowerHex(parent) || !lowerHex(flags) {
		return "", false
	}
	if allZero(trace) || allZero(parent) {
		return "", false
	}
	if len(v) > TraceparentSize && (version == "00" || v[TraceparentSize] != '-') {
		return "", false
	}
	return trace, true
}

// lowerHex reports whether s is made of lower-case hex digits.
func lowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// allZero reports whether s is made of '0's.
func allZero(s string) bool {
	return strings.Trim(s, "0") == ""
}

// traceKey is the context key of a call's trace ID.
type traceKey struct{}

// NewTraceContext returns ctx carrying the trace ID id.
func NewTraceContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, traceKey{}, id)
}

// TraceAttr returns the trace_id attribute of the call whose context is
// ctx, or an empty attribute (which slog leaves out) for a context that
// carries none.
func TraceAttr(ctx context.Context) slog.Attr {
	if id, ok := ctx.Value(traceKey{}).(string); ok {
		return slog.String("trace_id", id)
	}
	return slog.Attr{}
}
