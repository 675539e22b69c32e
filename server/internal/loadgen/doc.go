// Package loadgen is a small closed-loop load generator for the benchmark
// command: a fixed number of workers call an operation back to back for a
// fixed time, and the run reports throughput and latency percentiles.
package loadgen
