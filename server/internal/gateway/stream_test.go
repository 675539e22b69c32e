package gateway

import (
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// TestStreamDecodeAfterServerEnded: a read that the server ended (the
// handler is done, or the next request came too late) decodes as the end
// of the body, not as a request that failed to decode, which the
// generated handler would log as such (it did at every shutdown with a
// REST stream open). A decode that fails once the client has gone is
// recorded, to be reported, but also ends the body without the log line.
// A request that is not JSON is recorded and logged.
func TestStreamDecodeAfterServerEnded(t *testing.T) {
	m := jsonMarshaler{JSONPb: &runtime.JSONPb{}}
	gone := make(chan struct{})
	close(gone)
	readFails := func() io.ReadCloser { return io.NopCloser(iotest.ErrReader(os.ErrDeadlineExceeded)) }
	badJSON := func() io.ReadCloser { return io.NopCloser(strings.NewReader(`nonsense`)) }
	for _, tt := range []struct {
		name      string
		body      func() io.ReadCloser
		setup     func(b *streamBody)
		want      error
		recording bool // the error is recorded for the client
	}{
		{"handler done", readFails, func(b *streamBody) { b.end() }, io.EOF, false},
		{"request too late", readFails, func(b *streamBody) { b.setError(streamIdleError{1, time.Second}) }, io.EOF, false},
		{"client gone", readFails, func(b *streamBody) { b.gone = gone }, io.EOF, true},
		{"a read that failed", readFails, func(*streamBody) {}, errStreamDecode, true},
		{"bad JSON", badJSON, func(*streamBody) {}, errStreamDecode, true},
		{"bad JSON, handler done", badJSON, func(b *streamBody) { b.end() }, errStreamDecode, true},
		{"bad JSON, client gone", badJSON, func(b *streamBody) { b.gone = gone }, errStreamDecode, true},
	} {
		b := &streamBody{ReadCloser: tt.body()}
		tt.setup(b)
		var req claimsv1.ClassifyStreamRequest
		if err := m.NewDecoder(b).Decode(&req); err != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		var recorded bool
		if err := b.error(); err != nil {
			_, idle := err.(streamIdleError)
			recorded = !idle
		}
		if recorded != tt.recording {
			t.Errorf("%s: recorded %v, want %v", tt.name, b.error(), tt.recording)
		}
	}
}
