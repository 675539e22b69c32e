package api

import (
	"context"

	"google.golang.org/grpc/metadata"

	"github.com/claimsvc/claims/server/internal/reqid"
)

// withRequestID returns ctx carrying the request ID of its call (see
// package reqid), and the ID: the one ctx already carries, else the first
// value of the call's reqid.Key metadata if that is valid, else a new one.
// added says ctx did not carry one yet, so that the caller sends it back
// once. The server sends it back in the response headers, and the access
// log has it as x_request_id. It is not TrainRequest.request_id, which
// makes a retried change safe. ctx also carries the trace ID of the
// call's traceparent metadata, if it has one valid value, for the access
// log's trace_id.
func withRequestID(ctx context.Context) (_ context.Context, id string, added bool) {
	if id, ok := reqid.FromContext(ctx); ok {
		return ctx, id, false
	}
	if v := metadata.ValueFromIncomingContext(ctx, reqid.Key); len(v) > 0 && reqid.Valid(v[0]) {
		id = v[0]
	} else {
		id = reqid.New()
	}
	// A call with several trace contexts has none (W3C trace context,
	// section 3.2).
	if v := metadata.ValueFromIncomingContext(ctx, reqid.TraceKey); len(v) == 1 {
		if trace, ok := reqid.TraceID(v[0]); ok {
			ctx = reqid.NewTraceContext(ctx, trace)
		}
	}
	return reqid.NewContext(ctx, id), id, true
}
