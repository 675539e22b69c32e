package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/claimsvc/claims/server/internal/reqid"
)

// rpcMarkKey is the context key of a request's rpcMark.
type rpcMarkKey struct{}

// rpcMark records whether a request reached its RPC, whose access-log
// line then names it.
type rpcMark struct{ reached atomic.Bool }

// markRPC records, in the rpcMark of ctx (a request's), that the request
// reached its RPC.
func markRPC(ctx context.Context) {
	if m, ok := ctx.Value(rpcMarkKey{}).(*rpcMark); ok {
		m.reached.Store(true)
	}
}

// logRefusals logs, to log at info, each request answered with an error
// before it reached an RPC (an unknown path or query parameter, a method
// not allowed, a body too large, not JSON or undecodable, a cross-origin
// or misdirected request), which would otherwise leave no line, although
// its client got an X-Request-Id to quote: its route, HTTP method and
// status, its client and its request ID, never its body. Calls refused
// because too many are in flight (429) are left to the refusal warnings,
// which count them, so that an overload does not flood the log.
func logRefusals(next http.Handler, log *slog.Logger, client func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := &rpcMark{}
		r = r.WithContext(context.WithValue(r.Context(), rpcMarkKey{}, m))
		start := time.Now()
		cw := &codeWriter{ResponseWriter: w, code: http.StatusOK, at: start}
		next.ServeHTTP(cw, r)
		if m.reached.Load() || cw.code < 400 || cw.code == http.StatusTooManyRequests {
			return
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "http refused",
			slog.String("route", routeOf(r)),
			slog.String("http_method", clipString(r.Method, 16)),
			slog.Int("status", cw.code),
			// To the answer, not to the end of the drain of the body
			// after it (see dropBody).
			slog.Duration("duration", cw.at.Sub(start)),
			slog.String("transport", "rest"),
			slog.String("peer", client(r)),
			slog.String("x_request_id", r.Header.Get(reqid.Header)),
			traceAttr(r))
	})
}

// codeWriter records the status of the answer written through it, and
// when it was written.
type codeWriter struct {
	http.ResponseWriter
	code    int
	at      time.Time
	written bool
}

func (w *codeWriter) WriteHeader(code int) {
	if !w.written && code >= 200 {
		w.code, w.written, w.at = code, true, time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *codeWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.written, w.at = true, time.Now()
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *codeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clipString returns s cut to at most n bytes.
func clipString(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
