// Package sendguard closes the gRPC connections of clients that stop
// reading the results of their streams.
//
// A server stream's Send waits while the client's flow-control window is
// full, and grpc gives it no deadline: a client that keeps sending
// requests but never reads the results would hold the call, its goroutine
// and the results buffered for it for as long as it keeps the connection.
// Nor can a server end one stream whose send is waiting, as it cannot
// reset it, and ending the call alone would leave the results queued on
// the connection. So once a send has waited longer than the timeout, the
// Guard closes the client's connection, as web servers do with clients
// that stop reading: every call on it ends, and all it held is freed.
//
// A send waits until the client has taken nearly all of the message
// before it; the Guard sees only that wait, not how much the client has
// read, so a client must take each message within the timeout.
package sendguard
