package main

import (
	"log/slog"
	"sync/atomic"
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
// end of the window after the burst. They never block for
// long: the tap handle runs in a connection's reading goroutine.
type refusals struct {
	grpc, rest func()
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
	msg := "calls refused: the server holds as many calls at once as " + name + " lets it"
	var pending, next atomic.Int64
	var armed atomic.Bool // a flush of the refusals not logged yet is due
	// flush logs the refusals not logged yet, at the end of a window in
	// which some were held back, so that the end of a burst is told too.
	flush := func() {
		armed.Store(false)
		if n := pending.Swap(0); n > 0 {
			next.Store(time.Now().UnixNano() + int64(every))
			log.Warn(msg, "refused", n, "max_inflight_calls", gate.Max())
		}
	}
	report := func(c prometheus.Counter) func() {
		return func() {
			c.Inc()
			pending.Add(1)
			now := time.Now().UnixNano()
			n := next.Load()
			if now >= n && next.CompareAndSwap(n, now+int64(every)) {
				// Written by a goroutine of its own: a log that blocks
				// must not stall the connection whose tap handle
				// refused the call.
				go log.Warn(msg, "refused", pending.Swap(0), "max_inflight_calls", gate.Max())
				return
			}
			if armed.CompareAndSwap(false, true) {
				time.AfterFunc(time.Duration(max(next.Load()-now, 0)), flush)
			}
		}
	}
	return refusals{grpc: report(refused.WithLabelValues("grpc")), rest: report(refused.WithLabelValues("rest"))}, nil
}
