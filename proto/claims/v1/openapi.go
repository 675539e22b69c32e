package claimsv1

import _ "embed"

//go:embed claims.swagger.json
var openAPISpec []byte

// OpenAPISpec returns the OpenAPI v2 (Swagger) document of the HTTP/JSON API
// served by grpc-gateway, as JSON. It is generated from claims.proto and
// claims_http.yaml by `make generate`. The returned slice is a fresh copy
// that the caller may modify.
func OpenAPISpec() []byte {
	return append([]byte(nil), openAPISpec...)
}
