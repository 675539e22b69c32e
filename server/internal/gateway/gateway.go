// Package gateway serves the HTTP side of the server: the REST/JSON API
// through grpc-gateway, the OpenAPI document, health and Prometheus
// metrics. It bounds request bodies before they are decoded and applies the
// CORS policy.
package gateway

import (
	"bytes"
	"context"
	"encoding/json"

	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// Config configures the HTTP handler.
type Config struct {
	// MaxBodyBytes bounds a request body; larger ones get 413.
	MaxBodyBytes int64
	// CORSOrigins lists the origins allowed to call the API from a browser;
	// empty disables CORS. "*" allows any origin.
	CORSOrigins []string
	// Serving reports whether the server is healthy, for /healthz.
	Serving func() bool
	// Metrics gathers what /metrics exposes; nil disables the route.
	Metrics prometheus.Gatherer
}

// New returns the HTTP handler. conn is a client connection to the gRPC
// server that the REST routes forward to.
func New(ctx context.Context, conn *grpc.ClientConn, cfg Config) (http.Handler, error) {
	gw := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}),
		runtime.WithIncomingHeaderMatcher(headerMatcher),
		runtime.WithOutgoingHeaderMatcher(func(string) (string, bool) { return "", false }),
	)
	if err := claimsv1.RegisterClaimServiceHandler(ctx, gw, conn); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", limitBody(gw, cfg.MaxBodyBytes))
	spec := claimsv1.OpenAPISpec()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(spec)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if cfg.Serving != nil && !cfg.Serving() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"NOT_SERVING"}`+"\n")
			return
		}
		io.WriteString(w, `{"status":"SERVING"}`+"\n")
	})
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Metrics, promhttp.HandlerOpts{}))
	}
	return cors(mux, cfg.CORSOrigins), nil
}

// headerMatcher forwards the Authorization header as gRPC metadata (and
// nothing else that clients send, apart from grpc-gateway's own prefix).
func headerMatcher(key string) (string, bool) {
	switch textproto.CanonicalMIMEHeaderKey(key) {
	case "Authorization":
		return "authorization", true
	}
	return runtime.DefaultHeaderMatcher(key)
}

// writeError answers with the JSON error shape grpc-gateway uses.
func writeError(w http.ResponseWriter, httpStatus int, code codes.Code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	json.NewEncoder(w).Encode(map[string]any{"code": int(code), "message": msg, "details": []any{}})
}

// limitBody rejects bodies over max with 413 before the gateway decodes
// them. Unary routes are read in full (up to max+1 bytes) so the size is
// known; the streaming route is wrapped in http.MaxBytesReader.
func limitBody(next http.Handler, max int64) http.Handler {
	if max <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method == http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := fmt.Sprintf("request body exceeds the limit of %d bytes", max)
		if r.ContentLength > max {
			writeError(w, http.StatusRequestEntityTooLarge, codes.ResourceExhausted, tooLarge)
			return
		}
		if strings.HasSuffix(r.URL.Path, ":stream") {
			r.Body = http.MaxBytesReader(w, r.Body, max)
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			writeError(w, http.StatusBadRequest, codes.InvalidArgument, "reading request body: "+err.Error())
			return
		}
		if int64(len(body)) > max {
			writeError(w, http.StatusRequestEntityTooLarge, codes.ResourceExhausted, tooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// cors applies the CORS policy: off when origins is empty.
func cors(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	any := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && (any || slices.Contains(origins, origin)) {
			h := w.Header()
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Origin", origin)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
