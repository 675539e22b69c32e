package api_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/admit"
	"github.com/claimsvc/claims/server/internal/api"
)

// TestUnaryInterceptorFreesTheSlot checks that the unary interceptor gives
// its call's slot (see package admit) back as the handler returns, before
// the answer goes out, whatever the handler did: a client that sends its
// next call once it has an answer must not find its own call's slot still
// taken.
func TestUnaryInterceptorFreesTheSlot(t *testing.T) {
	unary, _ := api.Interceptors(api.Auth{}, 0, api.Observer{Log: discardLog(), Transport: api.GRPC})
	info := &grpc.UnaryServerInfo{FullMethod: "/claims.v1.ClaimService/Classify"}
	gate := admit.New(1, "--max-inflight-calls")
	for _, tt := range []struct {
		name    string
		handler grpc.UnaryHandler
	}{
		{"answered", func(context.Context, any) (any, error) { return "ok", nil }},
		{"failed", func(context.Context, any) (any, error) { return nil, status.Error(codes.InvalidArgument, "no") }},
		{"panicked", func(context.Context, any) (any, error) { panic("boom") }},
		{"refused", nil}, // Train without a token on a closed server
	} {
		slot, err := gate.Enter("")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ctx := admit.NewContext(context.Background(), slot)
		var held int
		i := info
		h := tt.handler
		if h == nil {
			i = &grpc.UnaryServerInfo{FullMethod: "/claims.v1.ClaimService/Train"}
		} else {
			h = func(ctx context.Context, req any) (any, error) {
				held = gate.InFlight()
				return tt.handler(ctx, req)
			}
		}
		unary(ctx, nil, i, h)
		if h != nil && held != 1 {
			t.Errorf("%s: got %d calls held while the handler ran, want 1", tt.name, held)
		}
		if got := gate.InFlight(); got != 0 {
			t.Errorf("%s: got %d calls held once the interceptor returned, want 0", tt.name, got)
		}
	}
}

// TestReceiveFailureFreesTheSlot calls the Classify handler of
// ObserveReceive's service description with a message that cannot be
// received: the call's slot is free once the handler returns, before grpc
// sends the status, as for a call that reaches the interceptors.
func TestReceiveFailureFreesTheSlot(t *testing.T) {
	o := api.Observer{Log: discardLog(), Transport: api.GRPC}
	sd := api.ObserveReceive(claimsv1.ClaimService_ServiceDesc, o)
	gate := admit.New(1, "--max-inflight-calls")
	for _, m := range sd.Methods {
		slot, err := gate.Enter("")
		if err != nil {
			t.Fatalf("%s: %v", m.MethodName, err)
		}
		ctx := admit.NewContext(context.Background(), slot)
		dec := func(any) error { return status.Error(codes.Internal, "grpc: error unmarshalling request") }
		if _, err := m.Handler(nil, ctx, dec, nil); status.Code(err) != codes.Internal {
			t.Errorf("%s: got %v, want the receive error", m.MethodName, err)
		}
		if got := gate.InFlight(); got != 0 {
			t.Errorf("%s: got %d calls held once the handler returned, want 0", m.MethodName, got)
		}
	}
}
