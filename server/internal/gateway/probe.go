package gateway

import (
	"io"
	"net/http"

	"google.golang.org/grpc/codes"
)

// healthz answers GET /healthz: 200 and {"status":"SERVING"} while serving
// reports true (or is nil), else 503 and {"status":"NOT_SERVING"}.
func healthz(serving func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if serving != nil && !serving() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"NOT_SERVING"}`+"\n")
			return
		}
		io.WriteString(w, `{"status":"SERVING"}`+"\n")
	})
}

// Probe returns the handler of the server's probe listener: /healthz
// alone, as the HTTP listener answers it, for health checkers that cannot
// present a client certificate (kubelet's HTTPS probes) to a server that
// requires one. Other methods get the JSON 405 of the HTTP listener, other
// paths its JSON 404, every answer an X-Request-Id, and a request body is
// never read.
func Probe(serving func() bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthz(serving))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		methodNotAllowed(w, r, getHead, http.MethodGet)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codes.NotFound, "Not Found")
	})
	return requestIDs(noSniff(ignoreBodyUnless(cleanPath(mux), func(*http.Request) bool { return false })))
}
