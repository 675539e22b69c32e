// Package sendguard closes the gRPC connections of clients that stop
// reading the results of their streams, or the answers of their unary
// calls (see Guard.UnaryInterceptor).
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
// before it, and grpc does not tell how much of it the client has read.
// So the Guard also looks at the connection as a whole, where the system
// tells (Linux: the bytes the client has acknowledged): a connection that
// carries data to its client is not closed, as its client reads slowly,
// or reads other streams on it. Only a send that has waited the whole
// timeout on a connection that carried almost nothing in the last half of
// it closes the connection, or one that has waited five timeouts, so that
// a client that keeps its connection busy cannot hold its stalled streams
// for longer.
package sendguard
