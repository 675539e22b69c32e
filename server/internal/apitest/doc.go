// Package apitest holds what the server's tests share: a small model over a
// white-space tokenizer, a gRPC server served over an in-memory
// connection, a log buffer, a self-signed certificate and a certificate
// authority that issues server and client certificates. It imports no
// server package, so every server package's tests can use it.
package apitest
