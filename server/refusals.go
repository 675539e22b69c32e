package main

import (
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimsvc/claims/server/internal/admit"
)

// refusalReportEvery is the least time between two log lines about calls
// refused by the gate.
const refusalReportEvery = 10 * time.Second

// refusals counts and reports the calls the gate refuses: its funcs
// (grpc, for the tap handle, and rest, for the gateway) count one call
// each in claims_inflight_refused_total, and the server's log gets a
// warning when refusals begin, then at most one every 10 seconds while
// they go on, with the count since the line before, the last one at the
// end of the window after the burst (or at the stop, by stop). They never
// block for long: the tap handle runs in a connection's reading goroutine.
type refusals struct {
	grpc, rest func()
	stop       func() // logs the refusals not logged yet
}

// refusalLog decides when the refusals are logged: each line is msg, at
// warn, with the count since the line before (refused) and attrs. It is
// safe for concurrent use.
type refusalLog struct {
	log   *slog.Logger
	msg   string
	attrs []any
	every time.Duration

	mu      sync.Mutex
	pending int64       // refusals not logged yet
	next    time.Time   // no line before this
	timer   *time.Timer // the flush at next, if armed
}

// refused counts one refusal: logged at once if a window is over, else
// by the flush at its end.
func (l *refusalLog) refused() {
	l.mu.Lock()
	l.pending++
	now := time.Now()
	if !now.Before(l.next) {
		n := l.pending
		l.pending, l.next = 0, now.Add(l.every)
		l.mu.Unlock()
		// Written by a goroutine of its own: a log that blocks must not
		// stall the connection whose tap handle refused the call.
		go l.write(n)
		return
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(l.next.Sub(now), l.flush)
	}
	l.mu.Unlock()
}

// flush logs the refusals held back in the window that just ended. A
// refusal may have ended that window first, with a line of its own, and
// begun another: the flush then waits for the end of that one.
func (l *refusalLog) flush() {
	l.mu.Lock()
	l.timer = nil
	now := time.Now()
	if now.Before(l.next) {
		if l.pending > 0 {
			l.timer = time.AfterFunc(l.next.Sub(now), l.flush)
		}
		l.mu.Unlock()
		return
	}
	n := l.pending
	if n > 0 {
		l.pending, l.next = 0, now.Add(l.every)
	}
	l.mu.Unlock()
	if n > 0 {
		l.write(n)
	}
}

// stop logs the refusals not logged yet, and ends the flush due.
func (l *refusalLog) stop() {
	l.mu.Lock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	n := l.pending
	l.pending = 0
	l.mu.Unlock()
	if n > 0 {
		l.write(n)
	}
}

func (l *refusalLog) write(n int64) {
	l.log.Warn(l.msg, append([]any{"refused", n}, l.attrs...)...)
}

// newRefusals registers the gate's metrics with reg: the refusals by
// transport and the calls held now. every is the least time between two
// log lines (refusalReportEvery).
func newRefusals(reg prometheus.Registerer, gate *admit.Gate, log *slog.Logger, name string, every time.Duration) (refusals, error) {
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "claims_inflight_refused_total",
		Help: "Unary calls refused with RESOURCE_EXHAUSTED (HTTP 429) before their request was read, because the server held as many as --max-inflight-calls lets it, by transport.",
	}, []string{"transport"})
	held := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "claims_inflight_calls",
		Help: "Unary calls of the claims service the server holds now, gRPC and REST together (bounded by --max-inflight-calls; 0 when it is 0).",
	}, func() float64 { return float64(gate.InFlight()) })
	for _, c := range []prometheus.Collector{refused, held} {
		if err := reg.Register(c); err != nil {
			return refusals{}, err
		}
	}
	l := &refusalLog{log: log, msg: "calls refused: the server holds as many calls at once as " + name + " lets it", attrs: []any{"max_inflight_calls", gate.Max()}, every: every}
	count := func(c prometheus.Counter) func() {
		return func() {
			c.Inc()
			l.refused()
		}
	}
	return refusals{grpc: count(refused.WithLabelValues("grpc")), rest: count(refused.WithLabelValues("rest")), stop: l.stop}, nil
}
