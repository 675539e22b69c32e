// Command benchcmd measures the claims service and prints one table: the
// in-process classifier (per core, against a strings.FieldsFunc floor), the
// server over gRPC and REST on loopback (against an empty RPC in the same
// run), training speed, startup time and memory. `make bench` runs it.
//
//	go build -o bin/ ./server ./server/internal/benchcmd
//	bin/benchcmd -server bin/server
package main
