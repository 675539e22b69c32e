package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimsvc/claims/server/internal/reqid"
)

// rpcMarkKey is the context key of a request's rpcMark.
type rpcMarkKey struct{}

// rpcMark records whether a request reached its RPC, whose access-log
// line then names it, and whether its client went away (or half-closed
// its connection) before its body had arrived, which is no refusal
// either.
type rpcMark struct{ reached, gone atomic.Bool }

// markRPC records, in the rpcMark of ctx (a request's), that the request
// reached its RPC.
func markRPC(ctx context.Context) {
	if m, ok := ctx.Value(rpcMarkKey{}).(*rpcMark); ok {
		m.reached.Store(true)
	}
}

// markGone records, in the rpcMark of ctx (a request's), that its client
// went away in the middle of its body.
func markGone(ctx context.Context) {
	if m, ok := ctx.Value(rpcMarkKey{}).(*rpcMark); ok {
		m.gone.Store(true)
	}
}

// observeRequests records each request's answer through one statusWriter:
// requests, if not nil, counts it under its route and status, and log, if
// not nil, gets a line at info for each request answered with an error
// before it reached an RPC (an unknown path or query parameter, a method
// not allowed, a body too large, not JSON or undecodable, a cross-origin
// or misdirected request), which would otherwise leave no line, although
// its client got an X-Request-Id to quote: its route, HTTP method and
// status, its client and its request ID, never its body. A client that
// went away (or half-closed its connection) in the middle of its body,
// over HTTP/1.1, gets no line, as a stream's does not: it is no refusal
// (see clientGone). Calls refused
// because too many are in flight (429) are left to the refusal warnings,
// which count them, so that an overload does not flood the log.
func observeRequests(next http.Handler, requests *prometheus.CounterVec, log *slog.Logger, client func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m *rpcMark
		if log != nil {
			m = &rpcMark{}
			r = r.WithContext(context.WithValue(r.Context(), rpcMarkKey{}, m))
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, requests: requests, r: r}
		next.ServeHTTP(sw, r)
		sw.status(http.StatusOK) // a handler that wrote nothing answered 200
		if m == nil || m.reached.Load() || m.gone.Load() || sw.code < 400 || sw.code == http.StatusTooManyRequests {
			return
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "http refused", refusalAttrs(r, client,
			slog.Int("status", sw.code),
			// To the answer, not to the end of the drain of the body
			// after it (see dropBody).
			slog.Duration("duration", sw.at.Sub(start)))...)
	})
}

// refusalAttrs are the attributes of a line about a refusal of r: its
// route and HTTP method, then more, then its transport, client (client(r))
// and request ID, and its trace ID if it has one. Never its body.
func refusalAttrs(r *http.Request, client func(*http.Request) string, more ...slog.Attr) []slog.Attr {
	method := r.Method
	if len(method) > 16 { // a method is any token: not for the log whole
		method = method[:16]
	}
	attrs := append([]slog.Attr{slog.String("route", routeOf(r)), slog.String("http_method", method)}, more...)
	return append(attrs,
		slog.String("transport", "rest"),
		slog.String("peer", client(r)),
		slog.String("x_request_id", r.Header.Get(reqid.Header)),
		traceAttr(r))
}
