package loadgen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Op is one call of the operation under load. worker is the caller's index
// (0..concurrency-1) and seq counts the worker's calls.
type Op func(ctx context.Context, worker, seq int) error

// Config is one load run.
type Config struct {
	Concurrency int           // workers calling Op back to back
	Warmup      time.Duration // calls in this first period are not recorded
	Duration    time.Duration // recorded period
}

// Result is the outcome of a run.
type Result struct {
	Calls    int           // calls completed in the recorded period
	Errors   int           // calls that failed in the recorded period
	Elapsed  time.Duration // length of the recorded period
	P50, P99 time.Duration // latency percentiles of the recorded calls
	Max      time.Duration // the slowest recorded call
	FirstErr error         // the first error seen, if any
}

// RPS returns the calls per second in the recorded period.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Calls) / r.Elapsed.Seconds()
}

// String summarises a result.
func (r Result) String() string {
	return fmt.Sprintf("%.0f/s p50 %v p99 %v (%d calls, %d errors)", r.RPS(), r.P50, r.P99, r.Calls, r.Errors)
}

// Run calls op from cfg.Concurrency goroutines until the warm-up and the
// recorded period have passed, or ctx is done. A worker that gets an error
// records it and goes on.
func Run(ctx context.Context, cfg Config, op Op) Result {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	begin := time.Now()
	start := begin.Add(cfg.Warmup)
	end := start.Add(cfg.Duration)
	type workerResult struct {
		lat   []time.Duration
		errs  int
		first error
		calls int
	}
	results := make([]workerResult, cfg.Concurrency)
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[w]
			res.lat = make([]time.Duration, 0, 4096)
			for seq := 0; ; seq++ {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					return
				}
				err := op(ctx, w, seq)
				t1 := time.Now()
				if t0.Before(start) {
					continue
				}
				if err != nil {
					if ctx.Err() != nil && errors.Is(err, context.Canceled) {
						return
					}
					res.errs++
					if res.first == nil {
						res.first = err
					}
					continue
				}
				// A call that ends after the period still counts: the
				// period is closed loop, so every worker has one such call.
				res.calls++
				res.lat = append(res.lat, t1.Sub(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var out Result
	var all []time.Duration
	for _, r := range results {
		out.Calls += r.calls
		out.Errors += r.errs
		if out.FirstErr == nil {
			out.FirstErr = r.first
		}
		all = append(all, r.lat...)
	}
	out.Elapsed = elapsed
	slices.Sort(all)
	out.P50 = Percentile(all, 50)
	out.P99 = Percentile(all, 99)
	if len(all) > 0 {
		out.Max = all[len(all)-1]
	}
	return out
}

// Percentile returns the p-th percentile (nearest rank) of sorted.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(float64(len(sorted))*p/100+0.5) - 1
	k = min(max(k, 0), len(sorted)-1)
	return sorted[k]
}
