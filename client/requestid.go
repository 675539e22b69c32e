package main

import (
	"context"
	"crypto/rand"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// requestIDs returns the dial options that give every call a request ID
// of its own, sent as x-request-id: the server's access log names the
// call by it. A call that fails with a server fault carries it in its
// error (see faultError), for report to print.
func requestIDs() []grpc.DialOption {
	unary := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		id := rand.Text()
		return withID(invoker(metadata.AppendToOutgoingContext(ctx, "x-request-id", id), method, req, reply, cc, opts...), id)
	}
	stream := func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		id := rand.Text()
		s, err := streamer(metadata.AppendToOutgoingContext(ctx, "x-request-id", id), desc, cc, method, opts...)
		if err != nil {
			return nil, withID(err, id)
		}
		return idStream{s, id}, nil
	}
	return []grpc.DialOption{grpc.WithChainUnaryInterceptor(unary), grpc.WithChainStreamInterceptor(stream)}
}

// idStream is a stream whose errors carry its request ID (see withID).
type idStream struct {
	grpc.ClientStream
	id string
}

func (s idStream) RecvMsg(m any) error { return withID(s.ClientStream.RecvMsg(m), s.id) }

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
// status, else err as it is (nil and io.EOF included).
func withID(err error, id string) error {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	switch st.Code() {
	case codes.Internal, codes.Unknown, codes.DataLoss:
		return faultError{err, id}
	}
	return err
}
