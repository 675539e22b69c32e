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
	return ignoreBodyUnless(noSniff(loopbackHost(noPages(cleanPath(mux)))), func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == "/debug/pprof/symbol"
	})
}

// noPages refuses, with 403 PERMISSION_DENIED, a request that a web page
// made the browser send: Sec-Fetch-Site other than "none" (the address
// bar) and "same-origin" (a link of the profiles' own index page), or,
// from a browser that sends no Sec-Fetch-Site, an Origin header. The
// debug listener is for the operator's tools and address bar: a page of
// another site open in the operator's browser could otherwise start CPU
// profiles and traces on it (the browser would keep it from reading
// them, not from starting them), and only one runs at a time.
func noPages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site := r.Header.Get("Sec-Fetch-Site")
		if site != "" && site != "none" && site != "same-origin" || site == "" && r.Header.Get("Origin") != "" {
			defer dropBody(w, r)()
			writeError(w, http.StatusForbidden, codes.PermissionDenied, "request from a web page refused: the debug listener serves tools and the address bar only")
			return
		}
		next.ServeHTTP(w, r)
	})
}
