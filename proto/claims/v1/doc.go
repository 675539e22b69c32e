// Package claimsv1 is the Go code of the claims.v1 API: messages
// (claims.pb.go), the gRPC ClaimService client and server (claims_grpc.pb.go)
// and its grpc-gateway HTTP/JSON handlers (claims.pb.gw.go), all generated
// from claims.proto by `make generate`, plus the embedded OpenAPI document.
package claimsv1
