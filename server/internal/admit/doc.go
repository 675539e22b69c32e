// Package admit bounds the unary calls a server holds at once, over all
// its connections and transports together.
//
// grpc bounds the streams of one connection (MaxConcurrentStreams), not
// the connections, and each admitted call may hold a whole request
// message, up to the server's receive limit, while it is read and served.
// A Gate admits a call before its message is read (from a grpc tap
// handle, or an HTTP handler before the body) and refuses one more at
// once, with RESOURCE_EXHAUSTED and a google.rpc.RetryInfo detail, so
// that a flood of calls, or of large ones, costs the server a bounded
// amount of memory and goroutines, and its clients an answer they can
// retry rather than a server that runs out of memory.
//
// A Gate may also bound the calls of one client (PerClient), told apart by
// the address its calls come from without the port, so that a client that
// opens many connections cannot take every slot; the refusal then says so
// (a *Refusal with PerClient set).
//
// The slot a call takes is given back when its handler returns (Leave,
// before the answer is sent, so that a client that sends its next call on
// receipt of the answer finds the slot free), or when the call ends
// without reaching the handler.
package admit
