// Package api implements claims.v1.ClaimService over a classifier.Classifier:
// it validates requests against the configured limits, maps them to the
// library's calls, and maps the library's errors to gRPC status codes once,
// in errors.go. It also provides the server's interceptors: authorization
// of model changes, per-call deadlines, panic recovery, logging and metrics.
package api
