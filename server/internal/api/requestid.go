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
// makes a retried change safe.
func withRequestID(ctx context.Context) (_ context.Context, id string, added bool) {
	if id, ok := reqid.FromContext(ctx); ok {
		return ctx, id, false
	}
	if v := metadata.ValueFromIncomingContext(ctx, reqid.Key); len(v) > 0 && reqid.Valid(v[0]) {
		id = v[0]
	} else {
		id = reqid.New()
	}
	return reqid.NewContext(ctx, id), id, true
}
