// Package memlimit finds the memory limit the kernel enforces on the
// process: the lowest limit set on its control group or on any ancestor
// of it, from cgroup v2's memory.max or cgroup v1's
// memory.limit_in_bytes.
//
// The Go runtime sizes GOMAXPROCS to a container's CPU limit but knows
// nothing of its memory limit: without GOMEMLIMIT, the heap of a busy
// process may grow to twice its live size before a collection, and the
// kernel kills a process that passes the container's limit. A server
// that sets its runtime memory limit a little under the one found here
// collects harder as it nears it instead.
package memlimit
