package api_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/claimsvc/claims/server/internal/api"
)

// TestBearerToken checks the token rules at the interceptor: the scheme is
// case-insensitive, the token is compared exactly (by digest, so neither
// its content nor its length shows in the timing).
func TestBearerToken(t *testing.T) {
	unary, _ := api.Interceptors(api.Auth{Token: "s3cret"}, 0, api.Observer{Log: discardLog(), Transport: api.GRPC})
	info := &grpc.UnaryServerInfo{FullMethod: "/claims.v1.ClaimService/Train"}
	ok := func(context.Context, any) (any, error) { return "ok", nil }
	for _, tt := range []struct {
		header string
		code   codes.Code
	}{
		{"Bearer s3cret", codes.OK},
		{"bearer s3cret", codes.OK},
		{"BEARER  s3cret ", codes.OK},
		{"Bearer s3cret2", codes.Unauthenticated},
		{"Bearer s3cre", codes.Unauthenticated},
		{"Bearer S3CRET", codes.Unauthenticated},
		{"Bearer ", codes.Unauthenticated},
		{"Basic s3cret", codes.Unauthenticated},
		{"s3cret", codes.Unauthenticated},
	} {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", tt.header))
		_, err := unary(ctx, nil, info, ok)
		if got := status.Code(err); got != tt.code {
			t.Errorf("%q: got %s (%v), want %s", tt.header, got, err, tt.code)
		}
	}
}

// TestReadOnly checks that a read-only server refuses Train and Forget
// with PERMISSION_DENIED, on a loopback-open server too, and still serves
// the rest.
func TestReadOnly(t *testing.T) {
	unary, _ := api.Interceptors(api.Auth{Open: true, ReadOnly: true}, 0, api.Observer{Log: discardLog(), Transport: api.GRPC})
	ok := func(context.Context, any) (any, error) { return "ok", nil }
	for _, tt := range []struct {
		method string
		code   codes.Code
	}{
		{"/claims.v1.ClaimService/Train", codes.PermissionDenied},
		{"/claims.v1.ClaimService/Forget", codes.PermissionDenied},
		{"/claims.v1.ClaimService/Classify", codes.OK},
		{"/claims.v1.ClaimService/Evaluate", codes.OK},
		{"/claims.v1.ClaimService/GetModel", codes.OK},
	} {
		_, err := unary(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: tt.method}, ok)
		if got := status.Code(err); got != tt.code {
			t.Errorf("%s: got %s (%v), want %s", tt.method, got, err, tt.code)
		}
	}
}

// TestTokensFrom checks a server whose tokens come from a file: during a
// rotation, each of its tokens is accepted, and nothing else.
func TestTokensFrom(t *testing.T) {
	tokens := []string{"new-s3cret", "old-s3cret"}
	unary, _ := api.Interceptors(api.Auth{TokensFrom: func() []string { return tokens }}, 0, api.Observer{Log: discardLog(), Transport: api.GRPC})
	info := &grpc.UnaryServerInfo{FullMethod: "/claims.v1.ClaimService/Train"}
	ok := func(context.Context, any) (any, error) { return "ok", nil }
	for _, tt := range []struct {
		header string
		code   codes.Code
	}{
		{"Bearer new-s3cret", codes.OK},
		{"Bearer old-s3cret", codes.OK},
		{"Bearer new-s3cre", codes.Unauthenticated},
		{"Bearer new-s3cretold-s3cret", codes.Unauthenticated},
		{"Bearer ", codes.Unauthenticated},
	} {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", tt.header))
		_, err := unary(ctx, nil, info, ok)
		if got := status.Code(err); got != tt.code {
			t.Errorf("%q: got %s (%v), want %s", tt.header, got, err, tt.code)
		}
	}
}
