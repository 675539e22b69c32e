// Command loadtest is a bounded load test of the claims server on
// loopback. It starts a fresh server binary on free ports with a temporary
// data directory, runs N clients classifying (over gRPC and, with -rest,
// half of them over REST) and M clients training for a fixed time, and
// then checks that
//
//   - no call failed (a call refused as busy, past the server's
//     --max-inflight-calls, is counted apart: its client waits the delay
//     the refusal asks and goes on, as a well-behaved client does),
//   - the final per-label example counts are the starting counts plus the
//     examples of every acknowledged Train (nothing lost, nothing doubled),
//     and the version advanced by exactly one per acknowledged Train,
//   - the model the server persisted is the one it served: after a
//     graceful restart on the same data directory, version, counts and
//     content hash are unchanged.
//
// It prints calls, errors, throughput and latency percentiles per kind of
// call, and exits 1 if any check fails.
//
//	go build -o bin/ ./server && go run ./server/internal/loadtest -server bin/server -clients 8 -trainers 2 -duration 10s
//
// or `make loadtest`.
package main
