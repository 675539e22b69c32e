// Package badinput is the bad-input matrix of the claims API: requests the
// server must refuse, with the gRPC code, the HTTP status and the message
// each one gets. The gRPC tests (server/internal/api) and the REST tests
// (server/internal/gateway) both run every case against a server with
// Limits and Corpus, and check that the model is unchanged afterwards, so
// each case is covered over both transports by one table.
//
// The package holds test data only; the server does not import it.
package badinput
