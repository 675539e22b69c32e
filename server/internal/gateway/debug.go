package gateway

import (
	"net/http"
	"net/http/pprof"

	"google.golang.org/grpc/codes"
)

// Debug returns the handler of the server's debug listener: Go's runtime
// profiles under /debug/pprof/ (the index, cmdline, profile, symbol, trace
// and every named profile: heap, goroutine, allocs, block, mutex,
// threadcreate), for an operator on the same machine (or through a port
// forward). The listener is on loopback, so it answers only loopback Host
// names, against DNS rebinding (see loopbackHost); other paths get the
// JSON 404. Only the symbol route reads a body.
func Debug() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // and the named profiles
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codes.NotFound, "Not Found")
	})
	return ignoreBodyUnless(loopbackHost(cleanPath(mux)), func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == "/debug/pprof/symbol"
	})
}
