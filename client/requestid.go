package main

import (
	"context"
	"crypto/rand"
	"errors"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// requestIDs returns the dial option that gives every unary call a
// request ID of its own, sent as x-request-id: the server's access log
// names the call by it. A call that fails with a server fault, from a
// server that sent the ID back (and so took it), carries it in its error
// (see faultError), for report to print. (No command opens a stream.)
func requestIDs() grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		id := rand.Text()
		var header metadata.MD
		err := invoker(metadata.AppendToOutgoingContext(ctx, "x-request-id", id), method, req, reply, cc, append(opts, grpc.Header(&header))...)
		if got := header.Get("x-request-id"); err == nil || len(got) == 0 || got[0] != id {
			return err
		}
		return withID(err, id)
	})
}

// faultError is the error of a call that failed with a server fault
// (INTERNAL, UNKNOWN or DATA_LOSS, which the server logs as errors), with
// the call's request ID. It is the call's gRPC status to status.FromError.
type faultError struct {
	err error
	id  string
}

func (e faultError) Error() string              { return e.err.Error() }
func (e faultError) Unwrap() error              { return e.err }
func (e faultError) GRPCStatus() *status.Status { return status.Convert(e.err) }

// withID returns err as a faultError with id if it is a server fault's
// status, else err as it is (nil included). An answer that was not
// gRPC's (a proxy's HTTP error, which grpc reports as UNKNOWN or
// INTERNAL) is none: no server logged it.
func withID(err error, id string) error {
	st, ok := status.FromError(err)
	if err == nil || !ok || httpAnswer(err) {
		return err
	}
	switch st.Code() {
	case codes.Internal, codes.Unknown, codes.DataLoss:
		return faultError{err, id}
	}
	return err
}

// keepID returns rewritten, an error the client made of err with err's
// code, with err's request ID if err is a faultError.
func keepID(err, rewritten error) error {
	var fe faultError
	if errors.As(err, &fe) {
		return faultError{rewritten, fe.id}
	}
	return rewritten
}
