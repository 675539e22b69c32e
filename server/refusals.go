package main

import (
	"cmp"
	"errors"
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
// (grpc, for the tap handle, and rest, for the gateway) count each call
// refused with the gate's error in claims_inflight_refused_total, by the
// bound that refused it, and the server's log gets a warning when
// refusals begin, then at most one every 10 seconds while they go on,
// with the count since the line before, the last one at the end of the
// window after the burst (or at the stop, by stop); the bound on one
// client's calls has lines of its own, which name the last client it
// refused and count the clients refused. They never block for long: the
// tap handle runs in a connection's reading goroutine.
type refusals struct {
	grpc, rest func(error)
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
	pending int64               // refusals not logged yet
	client  string              // the client of the last refusal, if the bound is one client's
	clients map[string]struct{} // the clients of the refusals not logged yet (at most maxCountedClients)
	capped  bool                // a client was not counted: there were more
	next    time.Time           // no line before this
	timer   *time.Timer         // the flush at next, if armed
}

// maxCountedClients bounds the clients a line of refusals counts, and so
// the memory a flood of calls from many addresses takes.
const maxCountedClients = 256

// tally is what a line of refusals says: their number, and for the bound
// on one client's calls the last client refused and how many were
// (clients, 0 for the server's bound; capped if there were more than
// maxCountedClients).
type tally struct {
	n       int64
	client  string
	clients int
	capped  bool
}

// take returns the refusals not logged yet and starts counting afresh.
// l.mu is held.
func (l *refusalLog) take() tally {
	t := tally{n: l.pending, client: l.client, clients: len(l.clients), capped: l.capped}
	l.pending, l.capped = 0, false
	clear(l.clients)
	return t
}

// refused counts one refusal: logged at once if a window is over, else
// by the flush at its end.
func (l *refusalLog) refused() { l.refusedFrom("") }

// refusedFrom is refused for a refusal of a call from client, whom the
// line names if it is the window's last.
func (l *refusalLog) refusedFrom(client string) {
	l.mu.Lock()
	l.pending++
	l.client = client
	if _, counted := l.clients[client]; client != "" && !counted {
		switch {
		case len(l.clients) >= maxCountedClients:
			l.capped = true
		case l.clients == nil:
			l.clients = map[string]struct{}{client: {}}
		default:
			l.clients[client] = struct{}{}
		}
	}
	now := time.Now()
	if !now.Before(l.next) {
		t := l.take()
		l.next = now.Add(l.every)
		l.mu.Unlock()
		// Written by a goroutine of its own: a log that blocks must not
		// stall the connection whose tap handle refused the call.
		go l.write(t)
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
	var t tally
	if l.pending > 0 {
		t = l.take()
		l.next = now.Add(l.every)
	}
	l.mu.Unlock()
	if t.n > 0 {
		l.write(t)
	}
}

// stop logs the refusals not logged yet, and ends the flush due.
func (l *refusalLog) stop() {
	l.mu.Lock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	t := l.take()
	l.mu.Unlock()
	if t.n > 0 {
		l.write(t)
	}
}

// write logs t; a tally of the bound on one client's calls also names the
// last client refused and counts the clients refused.
func (l *refusalLog) write(t tally) {
	attrs := append([]any{"refused", t.n}, l.attrs...)
	if t.client != "" {
		attrs = append(attrs, "last_client", t.client, "clients", t.clients)
		if t.capped {
			attrs = append(attrs, "clients_capped", true)
		}
	}
	l.log.Warn(l.msg, attrs...)
}

// newRefusals registers the gate's metrics with reg: the refusals by
// transport and bound, and the calls held now. name and perClientName
// name the settings of the gate's bounds, for the log lines; every is the
// least time between two log lines of one bound (refusalReportEvery).
func newRefusals(reg prometheus.Registerer, gate *admit.Gate, log *slog.Logger, name, perClientName string, every time.Duration) (refusals, error) {
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "claims_inflight_refused_total",
		Help: "Unary calls refused with RESOURCE_EXHAUSTED (HTTP 429) before their request was read, by transport and by the bound that refused them: server, because the server held as many as --max-inflight-calls lets it, or client, because their client held as many as --max-inflight-calls-per-client lets one.",
	}, []string{"transport", "bound"})
	held := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "claims_inflight_calls",
		Help: "Unary calls of the claims service the server holds now, gRPC and REST together (bounded by --max-inflight-calls; 0 when it and --max-inflight-calls-per-client are 0).",
	}, func() float64 { return float64(gate.InFlight()) })
	for _, c := range []prometheus.Collector{refused, held} {
		if err := reg.Register(c); err != nil {
			return refusals{}, err
		}
	}
	server := &refusalLog{log: log, msg: "calls refused: the server holds as many calls at once as " + name + " lets it", attrs: []any{"max_inflight_calls", gate.Max()}, every: every}
	client := &refusalLog{log: log, msg: "calls refused: a client holds as many calls at once as " + perClientName + " lets one", attrs: []any{"max_inflight_calls_per_client", gate.MaxPerClient()}, every: every}
	count := func(transport string) func(error) {
		// The bound="client" series are there only with the bound, so
		// that a server without it shows one series a transport, as
		// builds before the bound label did.
		byServer, byClient := refused.WithLabelValues(transport, "server"), prometheus.Counter(nil)
		if gate.MaxPerClient() > 0 {
			byClient = refused.WithLabelValues(transport, "client")
		}
		return func(err error) {
			var r *admit.Refusal
			if errors.As(err, &r) && r.PerClient && byClient != nil {
				byClient.Inc()
				client.refusedFrom(cmp.Or(r.Client, "unknown"))
				return
			}
			byServer.Inc()
			server.refused()
		}
	}
	return refusals{grpc: count("grpc"), rest: count("rest"), stop: func() {
		server.stop()
		client.stop()
	}}, nil
}
