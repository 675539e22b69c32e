package gateway

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// Local serves the gateway's unary routes by calling the service in
// process, through the server's unary interceptor, instead of through a
// gRPC connection: a REST call then costs no HTTP/2 framing and no protobuf
// encoding and decoding on either side. The streaming route still uses the
// connection.
//
// What the connection did is kept: the gateway's outgoing metadata (such as
// the Authorization header) becomes the call's incoming metadata, errors
// that are not gRPC statuses become statuses the way the gRPC server makes
// them, and a request over the size limit fails with the error the gRPC
// client would have returned. Answers have no size limit, as the gateway's
// connection puts none on them.
//
// A Local is safe for concurrent use, as the gateway calls it for every
// REST call at once; its fields must not change once it serves.
type Local struct {
	Server      claimsv1.ClaimServiceServer // the service the routes call
	Interceptor grpc.UnaryServerInterceptor // may be nil
	// MaxRequestBytes bounds the encoded request, as a connection's
	// MaxCallSendMsgSize does; 0 means no bound.
	MaxRequestBytes int
}

// localClient is a claimsv1.ClaimServiceClient over a Local.
type localClient struct {
	l      *Local
	remote claimsv1.ClaimServiceClient // for the streaming call
}

const servicePrefix = "/claims.v1.ClaimService/"

// invoke calls handler the way the gRPC server would for method.
func invoke[Req, Resp proto.Message](ctx context.Context, l *Local, method string, req Req, handler func(context.Context, Req) (Resp, error)) (Resp, error) {
	var zero Resp
	if l.MaxRequestBytes > 0 {
		if n := proto.Size(req); n > l.MaxRequestBytes {
			return zero, status.Errorf(codes.ResourceExhausted, "trying to send message larger than max (%d vs. %d)", n, l.MaxRequestBytes)
		}
	}
	markRPC(ctx) // the interceptor logs the call from here on
	md, _ := metadata.FromOutgoingContext(ctx)
	ctx = metadata.NewIncomingContext(ctx, md)
	var out any
	var err error
	if l.Interceptor == nil {
		out, err = handler(ctx, req)
	} else {
		info := &grpc.UnaryServerInfo{Server: l.Server, FullMethod: servicePrefix + method}
		out, err = l.Interceptor(ctx, req, info, func(ctx context.Context, r any) (any, error) {
			return handler(ctx, r.(Req))
		})
	}
	if err != nil {
		if _, ok := status.FromError(err); !ok {
			err = status.FromContextError(err).Err()
		}
		return zero, err
	}
	resp, ok := out.(Resp)
	if !ok {
		return zero, status.Errorf(codes.Internal, "grpc: error while marshaling: unexpected response type %T", out)
	}
	return resp, nil
}

func (c localClient) Classify(ctx context.Context, in *claimsv1.ClassifyRequest, _ ...grpc.CallOption) (*claimsv1.ClassifyResponse, error) {
	return invoke(ctx, c.l, "Classify", in, c.l.Server.Classify)
}

func (c localClient) ClassifyStream(ctx context.Context, opts ...grpc.CallOption) (grpc.BidiStreamingClient[claimsv1.ClassifyStreamRequest, claimsv1.ClassifyStreamResponse], error) {
	return c.remote.ClassifyStream(ctx, opts...) // markingConn marks the request
}

func (c localClient) Train(ctx context.Context, in *claimsv1.TrainRequest, _ ...grpc.CallOption) (*claimsv1.TrainResponse, error) {
	return invoke(ctx, c.l, "Train", in, c.l.Server.Train)
}

func (c localClient) Forget(ctx context.Context, in *claimsv1.ForgetRequest, _ ...grpc.CallOption) (*claimsv1.ForgetResponse, error) {
	return invoke(ctx, c.l, "Forget", in, c.l.Server.Forget)
}

func (c localClient) Evaluate(ctx context.Context, in *claimsv1.EvaluateRequest, _ ...grpc.CallOption) (*claimsv1.EvaluateResponse, error) {
	return invoke(ctx, c.l, "Evaluate", in, c.l.Server.Evaluate)
}

func (c localClient) GetModel(ctx context.Context, in *claimsv1.GetModelRequest, _ ...grpc.CallOption) (*claimsv1.GetModelResponse, error) {
	return invoke(ctx, c.l, "GetModel", in, c.l.Server.GetModel)
}

// markingConn is a connection to the gRPC server (where each call is
// logged) that marks every call's request as having reached its RPC (see
// observeRequests): the handler's client is built on it when there is no
// Local, and serves the streaming route when there is.
type markingConn struct{ grpc.ClientConnInterface }

// Invoke marks the request and makes the unary call.
func (c markingConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	markRPC(ctx)
	return c.ClientConnInterface.Invoke(ctx, method, args, reply, opts...)
}

// NewStream marks the request and opens the stream.
func (c markingConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	markRPC(ctx)
	return c.ClientConnInterface.NewStream(ctx, desc, method, opts...)
}
