// Command loadtest is a bounded load test of the claims server on
// loopback. It starts a fresh server binary on free ports with a temporary
// data directory, runs N clients classifying (over gRPC and, with -rest,
// half of them over REST), S clients classifying over ClassifyStream
// (gRPC streams of 50 requests each, opened and closed in turn, and, with
// -rest, half of them POST /v1/classify:stream calls of 10 requests), A
// clients that give up on their calls partway (a stream cancelled after
// its first answer, a Classify of 400 sentences with a deadline of 0.5 to
// 8 ms and, with -rest, a REST stream of 10 requests of 100 sentences
// hung up on after its first line and a REST body cut off by closing the
// connection) and M clients training for a fixed time, and then checks
// that
//
//   - no call failed (a call refused as busy, past the server's
//     --max-inflight-calls or its bounds on classify streams, is counted
//     apart: its client waits the delay the refusal asks and goes on, as
//     a well-behaved client does), and each call given up on ended as
//     gRPC says it must (a cancelled stream CANCELED, a Classify past its
//     deadline DEADLINE_EXCEEDED or answered),
//   - the final per-label example counts are the starting counts plus the
//     examples of every acknowledged Train (nothing lost, nothing doubled),
//     and the version advanced by exactly one per acknowledged Train,
//   - the server lets go of what the clients held: once they have closed
//     their connections, its goroutines come back within 15 s to what
//     they were before the load, or at most 1 more, or the test fails with
//     the server's goroutines listed, the most numerous first. They are
//     counted from the goroutine profile on the server's debug listener
//     (the load test starts it with --debug-addr 127.0.0.1:0), after one
//     call of each classifying kind, so that what the server sets up
//     once, when first needed, is there both times, and as the fewest
//     read over a second, so that the goroutines of the warm-up's
//     connection, which end a moment after it closes, are not; the
//     connection that reads the model before and after the load is
//     closed before each count,
//   - the model the server persisted is the one it served: after a
//     graceful restart on the same data directory, version, counts and
//     content hash are unchanged.
//
// It prints calls, errors, throughput and latency percentiles per kind of
// call (a gRPC stream's calls are its messages, each timed from its send
// to its answer; a stream refused or failed counts as one), the server's
// goroutines and resident memory (VmRSS, from /proc) before, at most
// during (read every half second) and after the load, and exits 1 if any
// check fails.
//
//	go build -o bin/ ./server && go run ./server/internal/loadtest -server bin/server -clients 8 -streams 2 -abandoners 1 -trainers 2 -duration 10s
//
// or `make loadtest`.
package main
