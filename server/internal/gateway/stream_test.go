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

// TestStreamDecodeAfterServerEnded: a read that ended for another reason
// than the body (the handler is done, the next request came too late, the
// client has gone) decodes as the end of the body, not as a request that failed to decode, which the
// generated handler would log as such (it did at every shutdown with a
// REST stream open).
func TestStreamDecodeAfterServerEnded(t *testing.T) {
	m := jsonMarshaler{&runtime.JSONPb{}}
	for _, tt := range []struct {
		name  string
		setup func(b *streamBody)
		want  error
	}{
		{"handler done", func(b *streamBody) { b.end() }, io.EOF},
		{"request too late", func(b *streamBody) { b.setError(streamIdleError{1, time.Second}) }, io.EOF},
		{"client gone", func(b *streamBody) {
			gone := make(chan struct{})
			close(gone)
			b.gone = gone
		}, io.EOF},
		{"a read that failed", func(*streamBody) {}, errStreamDecode},
	} {
		b := &streamBody{ReadCloser: io.NopCloser(iotest.ErrReader(os.ErrDeadlineExceeded))}
		tt.setup(b)
		var req claimsv1.ClassifyStreamRequest
		if err := m.NewDecoder(b).Decode(&req); err != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	// A request that is not JSON is reported, even once the client has
	// gone or the handler is done: no read failed.
	gone := make(chan struct{})
	close(gone)
	b := &streamBody{ReadCloser: io.NopCloser(strings.NewReader(`{"text": "a"} nonsense`)), gone: gone}
	b.end()
	d := m.NewDecoder(b)
	var req claimsv1.ClassifyStreamRequest
	if err := d.Decode(&req); err != nil {
		t.Fatalf("first request: %v", err)
	}
	if err := d.Decode(&req); err != errStreamDecode {
		t.Errorf("bad JSON: got %v, want errStreamDecode", err)
	}
}
