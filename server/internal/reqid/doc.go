// Package reqid holds the request IDs that name calls in the server's
// logs: what a valid one is, how a new one is made, and how a call's
// context carries it; and the trace IDs of the W3C trace context that a
// call may carry, logged beside them.
package reqid
