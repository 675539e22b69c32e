package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/admit"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/reqid"
)

// Config configures the HTTP handler.
type Config struct {
	// MaxBodyBytes bounds a request body; larger ones get 413.
	MaxBodyBytes int64
	// BodyReadTimeout, if positive, bounds how long the body of a unary
	// call may take to arrive; a slower one gets 408. On the stream route,
	// whose body arrives as the client writes it, it bounds the wait for
	// each next request instead.
	BodyReadTimeout time.Duration
	// CORSOrigins lists the origins allowed to call the API from a browser;
	// empty disables CORS. "*" allows any origin. Other cross-origin
	// browser requests with a method other than GET, HEAD or OPTIONS are
	// refused with 403 (see crossOrigin).
	CORSOrigins []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// a request's client (see api.Proxies.Client), for the access log,
	// the gateway's own warnings, and the bounds on one client's streams
	// and calls (see admitCalls).
	TrustedProxies api.Proxies
	// LoopbackOnly refuses requests whose Host header does not name a
	// loopback host, with 421 (see loopbackHost). Set it when the HTTP
	// listener is on loopback, against DNS rebinding.
	LoopbackOnly bool
	// Serving reports whether the server is healthy, for /healthz.
	Serving func() bool
	// Metrics gathers what /metrics exposes; nil disables the route.
	Metrics prometheus.Gatherer
	// Registerer, if not nil, gets claims_http_requests_total: requests
	// answered, by route and HTTP status, those refused before they reach
	// an RPC included (an unknown path, a method not allowed, a body too
	// large or not JSON, a cross-origin or misdirected request).
	Registerer prometheus.Registerer
	// Local, if not nil, serves the unary routes in process (see Local);
	// conn then carries only the streaming route.
	Local *Local
	// SendTimeout, if positive, bounds how long each write of an answer
	// (a piece of at most 64 KiB, or a flush) may wait for the client to
	// read: past it, the answer ends (an HTTP/1.1 connection is closed, an
	// HTTP/2 stream reset), so that a client that does not read, a
	// stream's results or any other answer, cannot hold the handler (and
	// a stream its slot). OnSendTimeout, if not nil, is then called, and
	// Log (if not nil) gets a warning.
	SendTimeout   time.Duration
	OnSendTimeout func()
	Log           *slog.Logger
	// MaxExamples and MaxSentences, if positive, bound the examples and
	// sentences a request body may list; a body over them is refused with
	// the service's message before it is decoded into messages (see
	// checkCount).
	MaxExamples, MaxSentences int
	// AccessLog, if not nil, gets a line for each request answered with an
	// error before it reached an RPC, whose own line the RPC's access log
	// would have been (see observeRequests).
	AccessLog *slog.Logger
	// Gate, if not nil, holds each unary call in a slot before its body
	// is read, and refuses the call with 429 when it is full (see
	// admitCalls); OnRefuse, if not nil, is then called with the gate's
	// error (an *admit.Refusal).
	Gate     *admit.Gate
	OnRefuse func(error)
}

// New returns the HTTP handler. conn is a client connection to the gRPC
// server that the REST routes forward to.
func New(ctx context.Context, conn *grpc.ClientConn, cfg Config) (http.Handler, error) {
	gw := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, jsonMarshaler{JSONPb: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}, limits: api.Limits{MaxExamples: cfg.MaxExamples, MaxSentences: cfg.MaxSentences}}),
		runtime.WithIncomingHeaderMatcher(headerMatcher),
		// Each call names its HTTP client and its request ID (set by
		// requestIDs), for the access log.
		runtime.WithMetadata(func(_ context.Context, r *http.Request) metadata.MD {
			md := metadata.Pairs(api.RESTPeerKey, cfg.client(r), reqid.Key, r.Header.Get(reqid.Header))
			// The W3C trace context, for the access log's trace_id: none
			// when the request has several.
			if v := r.Header.Values(reqid.TraceHeader); len(v) == 1 {
				// Only a valid one, and only its first 55 bytes (what
				// version 00 defines; a later version's fields after them
				// are not read): grpc refuses to send a value that is not
				// printable ASCII, or too long, which would fail the
				// stream route.
				if _, ok := reqid.TraceID(v[0]); ok {
					md.Set(reqid.TraceKey, v[0][:reqid.TraceparentSize])
				}
			}
			return md
		}),
		runtime.WithOutgoingHeaderMatcher(func(string) (string, bool) { return "", false }),
		runtime.WithRoutingErrorHandler(routingError),
		// Without this, a form-encoded POST to a GET route (curl -d to
		// /v1/model) would be served as the GET rather than get 405.
		runtime.WithDisablePathLengthFallback(),
		runtime.WithErrorHandler(func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
			st, ok := status.FromError(err)
			if ok && isTooLarge(st.Code(), st.Message()) {
				err = &runtime.HTTPStatusError{HTTPStatus: http.StatusRequestEntityTooLarge, Err: err}
			}
			if ok && st.Code() == codes.Unauthenticated {
				w = bearerChallenge{w, api.BearerToken(r.Header.Values("Authorization")) != ""}
			}
			if d, ok := retryDelay(st); ok {
				w.Header().Set("Retry-After", d)
			}
			runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
		}),
	)
	var client claimsv1.ClaimServiceClient = claimsv1.NewClaimServiceClient(markingConn{conn})
	if cfg.Local != nil {
		client = localClient{l: cfg.Local, remote: client}
	}
	if err := claimsv1.RegisterClaimServiceHandlerClient(ctx, gw, client); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", compressCalls(checkQuery(admitCalls(limitBody(headAsGet(gw), cfg), cfg.Gate, cfg.client, cfg.OnRefuse))))
	spec := claimsv1.OpenAPISpec()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(spec)
	})
	mux.Handle("GET /healthz", healthz(cfg.Serving))
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Metrics, promhttp.HandlerOpts{}))
	}
	// The GET routes answer other methods with the same JSON 405 as the
	// API routes, and every other path gets the same JSON 404.
	getOnly := []string{"/openapi.json", "/healthz"}
	if cfg.Metrics != nil {
		getOnly = append(getOnly, "/metrics")
	}
	for _, path := range getOnly {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			methodNotAllowed(w, r, getHead, http.MethodGet)
		})
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codes.NotFound, "Not Found")
	}
	mux.HandleFunc("/", notFound)
	mux.HandleFunc("/v1", notFound)
	csrf, err := crossOrigin(mux, cfg.CORSOrigins)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	h := cors(csrf, cfg.CORSOrigins)
	if cfg.LoopbackOnly {
		h = loopbackHost(h)
	}
	h = ignoreBody(cleanPath(h))
	var requests *prometheus.CounterVec
	if cfg.Registerer != nil {
		requests = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claims_http_requests_total",
			Help: "HTTP requests answered, by route (\"other\" for any other path) and status code, including those refused before they reach an RPC.",
		}, []string{"route", "code"})
		if err := cfg.Registerer.Register(requests); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
	}
	if requests != nil || cfg.AccessLog != nil {
		h = observeRequests(h, requests, cfg.AccessLog, cfg.client)
	}
	return answerDeadline(requestIDs(noSniff(h)), cfg), nil
}

// noSniff sets X-Content-Type-Options: nosniff on every answer, so that
// a browser takes a JSON answer (or an error's) for what its Content-Type
// says, never for a page or script of its own guessing.
func noSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// requestIDs gives every request a request ID, and every answer an
// X-Request-Id header with it, refusals before any RPC included: the
// client's own X-Request-Id if it is valid (reqid.Valid), else a
// new one. The request's header is set to it for the handlers.
func requestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(reqid.Header)
		if !reqid.Valid(id) {
			id = reqid.New()
		}
		r.Header[reqid.Header] = []string{id}
		w.Header()[reqid.Header] = []string{id}
		next.ServeHTTP(w, r)
	})
}

// traceAttr returns the trace_id attribute of r's W3C trace context, if
// it has one valid Traceparent, for the gateway's own lines about a call
// (the access log's comes from the call's context).
func traceAttr(r *http.Request) slog.Attr {
	if v := r.Header.Values(reqid.TraceHeader); len(v) == 1 {
		if id, ok := reqid.TraceID(v[0]); ok {
			return slog.String("trace_id", id)
		}
	}
	return slog.Attr{}
}

// client returns the address of r's client: the HTTP client's, or the
// one a trusted proxy names.
func (cfg Config) client(r *http.Request) string {
	return cfg.TrustedProxies.Client(r.RemoteAddr, r.Header.Values(api.ForwardedForKey))
}

// ignoreBody hides the body of a request no route reads (a GET, an unknown
// path, a route called with another method) from the handlers, and makes
// net/http close the connection after the answer instead of reading the
// body to its end first, or waiting for it: a client that declares a body
// and never sends it would otherwise hold the connection without bound.
func ignoreBody(next http.Handler) http.Handler { return ignoreBodyUnless(next, readsBody) }

// ignoreBodyUnless is ignoreBody for a handler whose routes that read a
// body are those reads says. It also answers OPTIONS *, HTTP's
// server-wide ping, with an empty 200, once any body is dropped: the
// servers turn off net/http's own answer (DisableGeneralOptionsHandler),
// which reads the body first, without bound.
func ignoreBodyUnless(next http.Handler, reads func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody && !reads(r) {
			r.Body, r.ContentLength = http.NoBody, 0
			if r.ProtoMajor == 1 {
				w.Header().Set("Connection", "close")
			}
			// net/http reads (and drops) up to 256 KiB of the body after
			// the answer, which then ends with a FIN rather than a reset;
			// the deadline cuts off a client that stalls.
			http.NewResponseController(w).SetReadDeadline(time.Now().Add(lingerTime))
		}
		if r.Method == http.MethodOptions && r.RequestURI == "*" {
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// readsBody reports whether r is a call of a route that reads its body.
// http.ServeMux routes a path with an escaped slash ("/v1%2Fclassify") by
// its escaped form, which names no route.
func readsBody(r *http.Request) bool {
	return r.Method == http.MethodPost && allowedMethods(r.URL.Path) == http.MethodPost && !escapedSlash(r)
}

// dropBody prepares the answer to r, a call of a route that reads bodies,
// given before its body is read: net/http is to send it at once rather than
// first read the rest of the body, and to close the connection after it.
// Call the returned func once the answer is written in full, with its
// Content-Length (defer dropBody(w, r)() around writeError): it sends the
// answer and reads what is left of the body (see drainBody).
// HTTP/2 needs none of it: the stream ends cleanly with the answer.
func dropBody(w http.ResponseWriter, r *http.Request) (drain func()) {
	if r.ProtoMajor != 1 {
		return func() {}
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Connection", "close")
	rc.EnableFullDuplex() // the body can still be read after the answer
	body := r.Body
	return func() {
		// The call's slot among those in flight (see admitCalls) is free
		// before the answer goes out, not after the drain.
		admit.Leave(r.Context())
		drainBody(rc, body)
	}
}

// drainBody sends the answer written so far, then reads and drops what is
// left of body, up to drainBytes, for at most lingerTime. A client still
// sending its body gets to finish it, so the connection ends with a FIN
// after the answer: a close with the body still arriving makes the kernel
// reset the connection, and a client that sends its whole body before it
// reads (as many HTTP libraries do) would lose the answer and see only a
// broken pipe. net/http alone reads at most 256 KiB of such a body, and
// waits for it without a time limit. A client that stalls is cut off when
// lingerTime passes.
func drainBody(rc *http.ResponseController, body io.Reader) {
	rc.Flush()
	if body == nil {
		return
	}
	rc.SetReadDeadline(time.Now().Add(lingerTime))
	io.CopyN(io.Discard, body, drainBytes)
}

// lingerTime and drainBytes bound drainBody.
const (
	lingerTime = 2 * time.Second
	drainBytes = 1 << 20
)

// cleanPath answers a path that is not in clean form ("//v1/train",
// "/v1/./model") with the JSON 404 of any unknown path; http.ServeMux
// would redirect it, with an empty or HTML body.
func cleanPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "" || p[0] != '/' || strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
			strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
			writeError(w, http.StatusNotFound, codes.NotFound, "Not Found")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// routeOf returns the path of r if it is one of the server's routes, else
// "other", so that the paths clients make up do not become metric labels.
// A path with an escaped slash is routed by its escaped form, which names
// no route (see readsBody).
func routeOf(r *http.Request) string {
	path := r.URL.Path
	if escapedSlash(r) {
		return "other"
	}
	switch path {
	case "/openapi.json", "/healthz", "/metrics":
		return path
	}
	if allowedMethods(path) != "" {
		return path
	}
	return "other"
}

// escapedSlash reports whether r's path holds an escaped slash ("%2F").
func escapedSlash(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.URL.RawPath), "%2f")
}

// answerDeadline bounds the writes of the answer to a request other than
// a stream by the client's progress (see sendClock), as trackingWriter
// does for a stream's: a client that does not read its answer would
// otherwise hold the handler, and the answer in memory, for as long as it
// keeps the connection. What net/http sends after the handler (the end of
// the answer, or all of a small one, which it then sends with a
// Content-Length) is under the last deadline too; net/http clears it once
// the answer is sent, so a kept-alive HTTP/1.1 connection does not keep
// it. It comes first, so that every answer is bounded.
func answerDeadline(next http.Handler, cfg Config) http.Handler {
	if cfg.SendTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ":stream") {
			next.ServeHTTP(w, r)
			return
		}
		dw := &deadlineWriter{ResponseWriter: w, send: sendClock{rc: http.NewResponseController(w), timeout: cfg.SendTimeout}}
		next.ServeHTTP(dw, r)
		dw.send.arm()
		if !dw.send.failed {
			return
		}
		if cfg.Log != nil {
			cfg.Log.Warn("cut a REST answer short: its client did not read it in time", "peer", cfg.client(r), "route", routeOf(r), "x_request_id", r.Header.Get(reqid.Header), traceAttr(r), "waited", cfg.SendTimeout)
		}
		if cfg.OnSendTimeout != nil {
			cfg.OnSendTimeout()
		}
	})
}

// deadlineWriter starts its clock at the first write (see answerDeadline).
type deadlineWriter struct {
	http.ResponseWriter
	send sendClock
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	return w.send.write(w.ResponseWriter, p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusWriter records a response's status (and counts it, with requests)
// when the status is sent, not when the handler returns, which may be
// later (see drainBody).
type statusWriter struct {
	http.ResponseWriter
	requests *prometheus.CounterVec // if not nil, counts the answer by route and status
	r        *http.Request
	sent     bool
	code     int       // the answer's status, once sent
	at       time.Time // when it was sent
}

// status records the response's status, code, once: its first header, or
// 200 with its first write.
func (w *statusWriter) status(code int) {
	if !w.sent {
		w.sent, w.code, w.at = true, code, time.Now()
		if w.requests != nil {
			w.requests.WithLabelValues(routeOf(w.r), strconv.Itoa(code)).Inc()
		}
	}
}

func (w *statusWriter) WriteHeader(code int) {
	if code >= 200 {
		w.status(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.status(http.StatusOK)
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// connWriter returns the writer net/http gave the handler, under the
// wrappers of this package. http.MaxBytesReader needs it: told of a body
// too large, net/http's own writer closes the connection after the answer
// instead of reading the rest of the body.
func connWriter(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// headerMatcher forwards the Authorization header as gRPC metadata (and
// nothing else that clients send, apart from grpc-gateway's own prefix),
// but never as api.RESTPeerKey or reqid.Key, which the gateway
// sets itself.
func headerMatcher(key string) (string, bool) {
	switch textproto.CanonicalMIMEHeaderKey(key) {
	case "Authorization":
		return "authorization", true
	}
	md, ok := runtime.DefaultHeaderMatcher(key)
	if ok && (strings.EqualFold(md, api.RESTPeerKey) || strings.EqualFold(md, reqid.Key) || strings.EqualFold(md, reqid.TraceKey)) {
		return "", false // the gateway's own: a client cannot name itself
	}
	return md, ok
}

// allowedMethods returns the methods claims_http.yaml binds to the REST
// route path, as an Allow header value, or "" for a path that is not a
// route; a GET route takes HEAD too (headAsGet). TestMethodNotAllowed
// checks it against the OpenAPI document.
func allowedMethods(path string) string {
	switch path {
	case "/v1/classify", "/v1/classify:stream", "/v1/train", "/v1/forget", "/v1/evaluate":
		return http.MethodPost
	case "/v1/model":
		return getHead
	}
	return ""
}

// queryParams returns the query parameters the route at path reads: GET
// /v1/model its settled field; the POST routes, whose request is the body,
// none.
func queryParams(path string) []string {
	if path == "/v1/model" {
		return []string{"settled"}
	}
	return nil
}

// checkQuery refuses, with 400, a call to an API route whose query string
// holds a parameter the route does not read (a misspelt ?setled=true, or
// ?explain=3 on a POST route, whose request is the body), as an unknown
// field of a JSON body is refused: ignored, it would drop what the caller
// meant. Another method than the route's is left to the 405 after it. The
// refusal is given before the body is read, as the other refusals before
// an RPC are (see dropBody), and takes no slot among the calls in flight.
func checkQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allow := allowedMethods(r.URL.Path)
		routeMethod := r.Method == allow || allow == getHead && (r.Method == http.MethodGet || r.Method == http.MethodHead)
		if r.URL.RawQuery == "" || !routeMethod {
			next.ServeHTTP(w, r)
			return
		}
		refuse := func(err error) {
			if r.Body != nil && readsBody(r) {
				defer dropBody(w, r)()
			}
			writeError(w, http.StatusBadRequest, codes.InvalidArgument, clipError(err).Error())
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			refuse(fmt.Errorf("malformed query string: %w", err))
			return
		}
		known := queryParams(r.URL.Path)
		// Sorted, so that the one named is always the same.
		for _, name := range slices.Sorted(maps.Keys(q)) {
			if slices.Contains(known, name) {
				continue
			}
			if len(known) > 0 {
				refuse(fmt.Errorf("query parameter %q is not one this route reads: %s", name, strings.Join(known, ", ")))
			} else {
				refuse(fmt.Errorf("query parameter %q is not one this route reads (%s): the request goes in the JSON body", name, r.URL.Path))
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// getHead is the Allow header of a GET route.
const getHead = "GET, HEAD"

// headAsGet serves a HEAD of a GET route as its GET, as HTTP asks of a
// server (RFC 9110, section 9.1): the answer has the GET's status and
// headers, and net/http leaves out its body. grpc-gateway binds GET alone.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && allowedMethods(r.URL.Path) == getHead {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// routingError answers a request grpc-gateway found no handler for. A
// known route called with another method gets 405 with an Allow header
// (grpc-gateway's default is 501); anything else is left to the default
// handler (404 for an unknown path).
func routingError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	if httpStatus != http.StatusMethodNotAllowed {
		runtime.DefaultRoutingErrorHandler(ctx, mux, m, w, r, httpStatus)
		return
	}
	allow := allowedMethods(r.URL.Path)
	methodNotAllowed(w, r, allow, strings.TrimSuffix(allow, ", HEAD"))
}

// methodNotAllowed answers 405 with allow as the Allow header (none if
// empty) and a message that tells the client to use use.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow, use string) {
	msg := fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path)
	if allow != "" {
		w.Header().Set("Allow", allow)
		msg += ": use " + use
	}
	writeError(w, http.StatusMethodNotAllowed, codes.Unimplemented, msg)
}

// errorJSON is the JSON error shape grpc-gateway uses (google.rpc.Status),
// with its members in the same order.
type errorJSON struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details"`
}

// writeError answers with the JSON error shape grpc-gateway uses. The
// answer has a Content-Length, so that it is complete once flushed (see
// drainBody).
func writeError(w http.ResponseWriter, httpStatus int, code codes.Code, msg string) {
	b, _ := json.Marshal(errorJSON{int(code), msg, []any{}})
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(httpStatus)
	w.Write(b)
}

// limitBody rejects bodies over max with 413 before the gateway decodes
// them. Unary routes are read in full (up to max+1 bytes) so the size is
// known, and must hold one JSON value; the streaming route is wrapped in
// http.MaxBytesReader, and an error reading or decoding it is reported to
// the client (see streamBody). The body of a request that names no route,
// or a route with another method, is not read or checked (see ignoreBody),
// so that the request gets 404 or 405 rather than an error about its body.
// A body in a Content-Encoding other than identity gets 415. A unary body
// that has not arrived within readTimeout (if positive) gets 408, so that
// a client trickling its body cannot hold a handler.
func limitBody(next http.Handler, cfg Config) http.Handler {
	max, readTimeout := cfg.MaxBodyBytes, cfg.BodyReadTimeout
	if max <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || !readsBody(r) {
			next.ServeHTTP(w, r)
			return
		}
		if ce := contentEncoding(r); ce != "" {
			// The body would be read as JSON and fail with a confusing
			// message (or, labelled but not compressed, pass).
			defer dropBody(w, r)()
			writeError(w, http.StatusUnsupportedMediaType, codes.InvalidArgument, fmt.Sprintf("Content-Encoding %.40q is not supported: send the body uncompressed", ce))
			return
		}
		tooLarge := fmt.Sprintf("request body exceeds the limit of %d bytes", max)
		if r.ContentLength > max {
			defer dropBody(w, r)()
			writeError(w, http.StatusRequestEntityTooLarge, codes.ResourceExhausted, tooLarge)
			return
		}
		if strings.HasSuffix(r.URL.Path, ":stream") {
			// Results are written while requests are still arriving. An
			// HTTP/1.1 server otherwise drains (up to 256 KiB of) the
			// unread body at the first write and then closes it, which
			// loses requests; HTTP/2 is full duplex already.
			rc := http.NewResponseController(w)
			rc.EnableFullDuplex()
			if r.ProtoMajor == 1 {
				// The connection carries no other request after a stream:
				// the answer may start, or end, before the body does, and
				// net/http would then wait for the rest of the body (or
				// read it as the next request).
				w.Header().Set("Connection", "close")
			}
			body := &streamBody{ReadCloser: http.MaxBytesReader(connWriter(w), r.Body, max), rc: rc, idle: readTimeout, gone: r.Context().Done()}
			r.Body = body
			tw := &trackingWriter{ResponseWriter: w, body: body, send: sendClock{rc: rc, timeout: cfg.SendTimeout}}
			next.ServeHTTP(tw, r)
			body.end()
			body.stopReads()
			// What is left of the answer (an error line, the end of the
			// body) is bounded too.
			tw.send.arm()
			err := body.error()
			var se *streamRequestError
			if cfg.AccessLog != nil && errors.As(err, &se) && !(body.readFail.Load() && body.clientGone()) {
				// The stream's RPC line says how the call ended for the
				// server (a client that stopped sending: OK, or
				// Canceled), which a request that never came (an idle
				// stream) makes DeadlineExceeded, needing no line here;
				// this one says that its client was told
				// otherwise, and which request was refused (the number
				// its error gives), but not the error, which may quote
				// the request's text. A client gone mid-request is no
				// refusal.
				cfg.AccessLog.LogAttrs(r.Context(), slog.LevelInfo, "http stream request refused", refusalAttrs(r, cfg.client, slog.Int64("stream_request", se.n))...)
			}
			if err != nil && !tw.sawError {
				tw.held = 0
				reportStreamError(tw, err, tooLarge)
			} else {
				tw.sendDeferred()
			}
			tw.finish()
			if n, ok := tw.send.expired(); ok {
				if cfg.Log != nil {
					cfg.Log.Warn("ended a REST stream: its client did not read its results in time", "peer", cfg.client(r), "x_request_id", r.Header.Get(reqid.Header), traceAttr(r), "results", n, "waited", cfg.SendTimeout)
				}
				if cfg.OnSendTimeout != nil {
					cfg.OnSendTimeout()
				}
			}
			return
		}
		rc := http.NewResponseController(w)
		deadline := readTimeout > 0 && rc.SetReadDeadline(time.Now().Add(readTimeout)) == nil
		body, err := readBody(io.LimitReader(r.Body, max+1), r.ContentLength)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The deadline stays: net/http then gives up on the rest of
			// the body at once, sends this answer and closes the
			// connection.
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusRequestTimeout, codes.DeadlineExceeded, fmt.Sprintf("request body did not arrive within %v", readTimeout))
			return
		}
		if deadline {
			rc.SetReadDeadline(time.Time{})
		}
		if err != nil {
			if clientGone(r, err) {
				markGone(r.Context())
			}
			writeError(w, http.StatusBadRequest, codes.InvalidArgument, "reading request body: "+err.Error())
			return
		}
		if int64(len(body)) > max {
			defer dropBody(w, r)() // net/http would read on (up to 256 KiB more) before the answer
			writeError(w, http.StatusRequestEntityTooLarge, codes.ResourceExhausted, tooLarge)
			return
		}
		if err := checkJSON(body); err != nil {
			writeError(w, http.StatusBadRequest, codes.InvalidArgument, err.Error())
			return
		}
		r.Body = &wholeBody{bytes.NewReader(body), body}
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// clientGone reports whether err, from reading r's body over HTTP/1.1,
// says that the client went away, or half-closed its connection, before
// the body ended: the connection closed (or was reset) in the middle of
// it, which net/http also reports by cancelling the request. A body that
// is malformed (bad chunked encoding) is the client's error, not its
// absence. Over HTTP/2 it reports false: the server's own reset of a
// stream for a protocol error cancels the request too, so the request's
// context cannot tell the two apart, and those refusals are logged as
// before.
func clientGone(r *http.Request, err error) bool {
	if r.ProtoMajor != 1 {
		return false
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || r.Context().Err() != nil
}

// bodyPiece is the largest piece readBody reads a body in.
const bodyPiece = 1 << 20

// readBody reads r to its end and returns its bytes, reserving no more
// memory ahead of what the body has sent than it has sent (and 16 KiB):
// a body that declares a length (its Content-Length: size, -1 if none)
// and sends nothing holds 16 KiB at most. It reads in pieces that double from
// 16 KiB up to bodyPiece; once half of the declared length has arrived,
// the rest goes straight into a buffer of that length, so that an honest
// body is copied once at most and peaks at one and a half times its size
// (io.ReadAll, doubling one buffer, peaked at twice and left as much again
// in garbage). A body under 16 KiB that declares its length is read into
// one buffer of that length.
func readBody(r io.Reader, size int64) ([]byte, error) {
	const first = 16 << 10
	var pieces [][]byte // the pieces filled, in order
	total := 0          // their bytes
	// piece is the size of the next piece after one of n bytes: twice
	// that, up to bodyPiece, but ending where half the declared length is
	// due.
	piece := func(n int) int {
		n = min(2*n, bodyPiece)
		if half := int((size+1)/2) - total; size > 0 && half > 0 {
			n = min(n, half)
		}
		return n
	}
	n := piece(first / 2)
	if size >= 0 && size < first {
		n = int(size) + 1 // one piece: + 1, room to find the end
	}
	buf := make([]byte, 0, n)
	for {
		// Not io.ReadFull, which would take a body that ends too soon
		// (io.ErrUnexpectedEOF from net/http) for one that ends.
		var err error
		for len(buf) < cap(buf) && err == nil {
			var k int
			k, err = r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+k]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		pieces, total = append(pieces, buf), total+len(buf)
		if size > 0 && int64(total) >= size/2 && int64(total) <= size {
			// The declared length is near: the rest goes in place.
			whole := make([]byte, 0, size+1)
			for _, p := range pieces {
				whole = append(whole, p...)
			}
			pieces, total, buf = nil, 0, whole
			continue
		}
		buf = make([]byte, 0, piece(cap(buf)))
	}
	if len(pieces) == 0 {
		return buf, nil
	}
	body := make([]byte, 0, total+len(buf))
	for _, p := range append(pieces, buf) {
		body = append(body, p...)
	}
	return body, nil
}

// wholeBody is a unary request body read whole by limitBody, and found to
// be one JSON value (or blank): the decoder takes its bytes as they are
// (see jsonMarshaler.NewDecoder) instead of copying them through a
// json.Decoder, and lets go of them once the request is decoded, so that
// the call's work does not hold them too.
type wholeBody struct {
	*bytes.Reader
	b []byte
}

func (*wholeBody) Close() error { return nil }

// take returns the body's bytes and lets go of them: the body reads as
// empty from then on.
func (wb *wholeBody) take() []byte {
	b := wb.b
	wb.b = nil
	wb.Reader.Reset(nil)
	return b
}

// contentEncoding returns the request's Content-Encoding, all its header
// lines together, unless every coding in it is identity (then "").
func contentEncoding(r *http.Request) string {
	values := r.Header.Values("Content-Encoding")
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return strings.Join(values, ", ")
			}
		}
	}
	return ""
}

// jsonMarshaler is grpc-gateway's JSONPb with a decoder that explains
// unpaired surrogate escapes (see surrogateError) and records the decoding
// errors of streaming request bodies (see streamBody).
type jsonMarshaler struct {
	*runtime.JSONPb
	limits api.Limits // MaxExamples and MaxSentences, see checkCount
}

// maxDecodeError is the longest protojson error a client gets back:
// protojson quotes the value it refuses whole, and a body may hold a
// 16 MiB number.
const maxDecodeError = 512

// clipError returns err, or an error with its message cut to
// maxDecodeError bytes (at a rune boundary) when it is longer.
func clipError(err error) error {
	msg := err.Error()
	if len(msg) <= maxDecodeError {
		return err
	}
	cut := maxDecodeError
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Errorf("%s… (%d bytes of message cut)", msg[:cut], len(msg)-cut)
}

// errStreamDecode is what the gateway's generated stream handler logs for a
// request it cannot decode: deliberately generic, since the decoder's own
// message may quote the request's text. The client gets the full error.
var errStreamDecode = errors.New("stream request could not be decoded (reported to the client)")

// NewDecoder implements runtime.Marshaler. It decodes each JSON value as
// JSONPb's decoder does; when protojson refuses a value that holds an
// unpaired surrogate escape, the error names the string instead of
// protojson's "unexpected EOF".
func (m jsonMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	var next func() (json.RawMessage, error) // the next JSON value
	if wb, ok := r.(*wholeBody); ok {
		// One JSON value or blank (checkJSON): its bytes are the value,
		// decoded once; a second Decode finds the end, as a json.Decoder
		// would.
		next = func() (json.RawMessage, error) {
			raw := wb.take()
			if blankJSON(raw) {
				return nil, io.EOF
			}
			return raw, nil
		}
	} else {
		jd := json.NewDecoder(r)
		next = func() (json.RawMessage, error) {
			var raw json.RawMessage
			return raw, jd.Decode(&raw)
		}
	}
	d := runtime.DecoderFunc(func(v any) error {
		raw, err := next()
		if err != nil {
			return err
		}
		if p, ok := v.(proto.Message); ok {
			if err := m.checkCount(raw, v); err != nil {
				return err
			}
			err = m.UnmarshalOptions.Unmarshal(raw, p)
		} else {
			err = m.JSONPb.Unmarshal(raw, v)
		}
		if err != nil {
			if serr := surrogateError(raw); serr != nil {
				return serr
			}
			return clipError(err)
		}
		return nil
	})
	body, ok := r.(*streamBody)
	if !ok {
		return d
	}
	return runtime.DecoderFunc(func(v any) error {
		stop := body.awaitRequest()
		err := d.Decode(v)
		stop()
		n := body.decoded.Add(1)
		if err == nil || errors.Is(err, io.EOF) {
			return err
		}
		if body.endedByServer() {
			// No request failed to decode, and the handler would log
			// that one did.
			return io.EOF
		}
		body.setError(requestError(n, err))
		if body.readFail.Load() && body.clientGone() {
			// A read failed because the client went away mid-request
			// (or half-closed its connection: net/http takes that for
			// gone too): reported as any other error, but not logged,
			// as it is no bad request.
			return io.EOF
		}
		return errStreamDecode
	})
}

// streamBody is the body of a streaming request. grpc-gateway's generated
// handler for a client stream drops an error decoding the body (it logs it
// and ends the stream as if the body had ended, so the client would get 200
// and no sign of the problem); the decoder records it here instead, and
// limitBody reports it.
//
// Each request must arrive whole within idle (if positive) of the
// server having answered every request before it, so that a client that
// stops sending, or trickles its bytes, cannot hold the stream: the stream
// then ends with a DEADLINE_EXCEEDED error (408 when no result was sent
// yet).
type streamBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	readMu   sync.Mutex // held by a Read in progress
	stopped  bool       // under readMu: no more reads (see stopReads)
	sawEOF   bool       // under readMu: the body was read to its end
	idle     time.Duration
	gone     <-chan struct{} // closed once the client has gone (the request's context)
	decoded  atomic.Int64    // requests decoded so far
	readFail atomic.Bool     // a read of the body failed (not its end)

	mu      sync.Mutex
	err     error
	results int64       // results written to the client
	wait    uint64      // counts the waits for a request (see awaitRequest)
	pending bool        // a wait whose clock starts with the last result
	timer   *time.Timer // the clock of the current wait, once started
	ended   bool        // the handler is done: the response must not be touched
}

// awaitRequest starts a wait for the next request, which must arrive
// whole within idle (if positive); the returned func ends the wait. The
// clock starts once the server has answered every request sent so far
// (see resultWritten): the gateway asks for the next request as soon as
// it has passed one on, and the time the server takes is not the
// client's. If the clock runs out, it records a streamIdleError and then
// ends the pending read with an expired read deadline. The error is
// recorded first, because the failed read cancels the request and the
// gateway then writes an error of its own (see trackingWriter). Both
// happen under b.mu, and not at all once the wait is over or the handler
// is done (end), when the response controller may no longer be used.
func (b *streamBody) awaitRequest() (stop func()) {
	if b.idle <= 0 {
		return func() {}
	}
	b.mu.Lock()
	b.wait++
	if b.results >= b.decoded.Load() {
		b.startClock()
	} else {
		b.pending = true
	}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.wait++
		b.pending = false
		if b.timer != nil {
			b.timer.Stop()
			b.timer = nil
		}
	}
}

// startClock starts the clock of the current wait. b.mu must be held.
func (b *streamBody) startClock() {
	wait := b.wait
	b.pending = false
	b.timer = time.AfterFunc(b.idle, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.ended || b.wait != wait {
			return
		}
		if b.err == nil {
			b.err = streamIdleError{int(b.decoded.Load()) + 1, b.idle}
		}
		b.rc.SetReadDeadline(time.Now())
	})
}

// resultWritten counts a result written to the client, and starts the
// clock of a pending wait once every request sent has its result.
func (b *streamBody) resultWritten() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.results++
	if b.pending && !b.ended && b.results >= b.decoded.Load() {
		b.startClock()
	}
}

// Read reads the body, until stopReads.
func (b *streamBody) Read(p []byte) (int, error) {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	if b.stopped {
		return 0, errStreamOver
	}
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		b.sawEOF = true
	case err != nil:
		b.readFail.Store(true)
		if n == 0 {
			// With data, the error may come after the request being
			// decoded, which the data completes: the decoder records it
			// then, numbered right (as the read after this one does).
			b.readFailed(err)
		}
	}
	return n, err
}

// readFailed records err, a failed read of the body, as the decoder would
// (see jsonMarshaler.NewDecoder), but at once, while the read still holds
// readMu: limitBody then finds it once stopReads has waited for the read,
// even if the handler was done first (net/http cancels the request inside
// the read that finds the end of the connection). A read that the server
// ended with an expired deadline is not recorded: the wait for a request
// ran out (its error is recorded already), or the handler is done.
func (b *streamBody) readFailed(err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return
	}
	// The read serves the request being decoded, which is counted once
	// decoded.
	b.err = requestError(b.decoded.Load()+1, err)
}

// requestError is the error of stream request n (from 1), which failed
// with err.
func requestError(n int64, err error) error { return &streamRequestError{n, err} }

// streamRequestError is the error of stream request n (from 1).
type streamRequestError struct {
	n   int64
	err error
}

func (e *streamRequestError) Error() string { return fmt.Sprintf("stream request %d: %v", e.n, e.err) }
func (e *streamRequestError) Unwrap() error { return e.err }

// errStreamOver is what a read of a stream's body gets after the handler
// has returned.
var errStreamOver = errors.New("the stream is over")

// stopReads ends reading the body before the handler returns. The
// gateway's goroutine that passes requests on may still be blocked reading
// the body when the call has ended (the server ended the stream); net/http
// must not read the connection while it is, so an expired read deadline
// ends that read, and stopReads waits for it. The rest of a body not read
// to its end is left to net/http, which reads up to 256 KiB of it after
// the answer has ended, for at most lingerTime (see drainBody), and then
// closes the connection. (Reading it here would hold back the end of the
// answer, which is sent when the handler returns.)
func (b *streamBody) stopReads() {
	if !b.readMu.TryLock() {
		b.rc.SetReadDeadline(time.Now())
		b.readMu.Lock()
	}
	b.stopped = true
	if !b.sawEOF {
		b.rc.SetReadDeadline(time.Now().Add(lingerTime))
	}
	b.readMu.Unlock()
}

// endedByServer reports whether a decode failed because the server ended
// the body's reads: a read failed, and the handler is done (see
// stopReads) or the next request came too late (its error is recorded
// before the read is ended). A request that is not valid JSON fails with
// no failed read.
func (b *streamBody) endedByServer() bool {
	if !b.readFail.Load() {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_, late := b.err.(streamIdleError)
	return b.ended || late
}

// clientGone reports whether the client has closed its side of the
// connection or gone (the request's context is done).
func (b *streamBody) clientGone() bool {
	select {
	case <-b.gone:
		return true
	default:
		return false
	}
}

// end marks the handler done; no idle timer acts after it.
func (b *streamBody) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ended = true
}

// streamIdleError reports a stream request that did not arrive in time.
type streamIdleError struct {
	n     int
	after time.Duration
}

func (e streamIdleError) Error() string {
	return fmt.Sprintf("stream request %d did not arrive within %v", e.n, e.after)
}

func (b *streamBody) setError(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = err
	}
}

func (b *streamBody) error() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// trackingWriter notes whether a response has started, and whether it
// already carries a stream error line. grpc-gateway answers a stream that
// fails before its first result with the error's status and an
// {"error": Status} line; trackingWriter holds that status back and sends
// the Status alone, the body of every other error answer.
//
// When the gateway's own error is CANCELLED, it is most often a
// consequence of the body failing (net/http cancels the request as it
// reads the end of the connection, before the read fails), so it is set
// aside until the handler is done and no read of the body is in progress
// (see limitBody): if the body has failed by then, limitBody reports the
// body's error instead, and else the CANCELLED answer is sent (see
// sendDeferred). Any other error of the gateway (the server refused a
// request the decoder had read past) is kept, and is the one the client
// gets.
type trackingWriter struct {
	http.ResponseWriter
	body        *streamBody
	wrote       bool
	sawError    bool
	held        int  // a status not sent yet: the error line follows
	skipNewline bool // the next delimiter ends an error line already dealt with
	send        sendClock

	deferred     []byte // a CANCELLED error line set aside
	deferredHeld int    // the status held back with it
}

func (w *trackingWriter) WriteHeader(code int) {
	if !w.wrote && code != http.StatusOK {
		w.held = code
		return
	}
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *trackingWriter) Write(p []byte) (int, error) {
	w.send.arm()
	if w.skipNewline && bytes.Equal(p, []byte("\n")) {
		w.skipNewline = false
		return len(p), nil
	}
	isError := bytes.HasPrefix(p, []byte(`{"error"`))
	var status json.RawMessage
	var code codes.Code
	var msg string
	if isError {
		status, code, msg = errorLine(p)
	}
	switch {
	case w.held == http.StatusGatewayTimeout && code == codes.DeadlineExceeded && isIdleMessage(msg):
		// The server's own wait for the next request ran out before the
		// gateway's (the two have the same length): the same client
		// fault, reported with the same 408 (see reportStreamError).
		w.held = http.StatusRequestTimeout
	case w.held == http.StatusTooManyRequests && isTooLarge(code, msg):
		w.held = http.StatusRequestEntityTooLarge
	}
	if code == codes.Canceled && status != nil && w.deferred == nil {
		w.deferred, w.deferredHeld = bytes.Clone(p), w.held
		w.held, w.skipNewline = 0, true
		return len(p), nil
	}
	if w.held != 0 {
		body := p
		if status != nil {
			body = append(status, '\n') // the Status alone, with the line's newline
		}
		w.sawError, w.skipNewline = true, true
		if d, ok := retryDelayJSON(status); ok {
			w.Header().Set("Retry-After", d)
		}
		w.finish()
		if _, err := w.ResponseWriter.Write(body); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	w.wrote = true
	if isError {
		w.sawError = true
	}
	if bytes.HasPrefix(p, []byte(`{"result"`)) {
		w.body.resultWritten()
		w.send.results++
	}
	return w.send.write(w.ResponseWriter, p)
}

// FlushError flushes what was written to the client under a write
// deadline, and then ends it (see sendClock). The gateway flushes after
// each result.
func (w *trackingWriter) FlushError() error {
	w.send.arm()
	err := w.body.rc.Flush()
	w.send.check(err)
	if err == nil {
		w.send.stop()
	}
	return err
}

// sendClock bounds the writes of an answer by the client's progress, as
// web servers do (nginx's send_timeout): each piece of at most sendPiece
// bytes, and each flush, must reach the connection within timeout of its
// start. A client that does not read makes a write or a flush wait; at
// the deadline it fails, and net/http closes the connection (HTTP/1.1)
// or resets the stream (HTTP/2). A client that reads steadily is not cut
// unless it is very slow: over HTTP/1.1 the system takes a blocked write
// only once a good part of the connection's send buffer (up to 4 MB on
// Linux) has drained, so a client must read about half of that within
// the timeout. The deadline is ended once a flush has sent what was
// written (see stop). Without a timeout, it does nothing.
type sendClock struct {
	rc      *http.ResponseController
	timeout time.Duration
	since   time.Time // when the deadline was last set; zero without one
	results int       // results written to the client
	failed  bool      // a write failed once its deadline had passed
}

// sendPiece is the most an answer's write sends under one deadline.
const sendPiece = 64 << 10

// arm sets a write deadline timeout from now.
func (c *sendClock) arm() {
	if c.timeout <= 0 {
		return
	}
	c.since = time.Now()
	c.rc.SetWriteDeadline(c.since.Add(c.timeout))
}

// write writes p to w in pieces of at most sendPiece bytes, each under a
// deadline of its own.
func (c *sendClock) write(w io.Writer, p []byte) (int, error) {
	if c.timeout <= 0 {
		return w.Write(p)
	}
	n := 0
	for {
		c.arm()
		m, err := w.Write(p[n:min(len(p), n+sendPiece)])
		n += m
		if err != nil {
			c.check(err)
			return n, err
		}
		if n >= len(p) {
			return n, nil
		}
	}
}

func (c *sendClock) stop() {
	if c.since.IsZero() {
		return
	}
	c.since = time.Time{}
	c.rc.SetWriteDeadline(time.Time{})
}

// check notes a failed write or flush that failed at its deadline (by the
// clock rather than by the error, whose type differs between HTTP/1.1 and
// HTTP/2).
func (c *sendClock) check(err error) {
	if err != nil && !c.since.IsZero() && time.Since(c.since) >= c.timeout {
		c.failed = true
	}
}

// expired reports whether a write failed at its deadline, and how many
// results were written before.
func (c *sendClock) expired() (results int, ok bool) { return c.results, c.failed }

// errorLine decodes the gateway's {"error": Status} line p into the Status,
// its code and its message; status is nil if p is not one.
func errorLine(p []byte) (status json.RawMessage, code codes.Code, msg string) {
	var line struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(p, &line) != nil || len(line.Error) == 0 {
		return nil, 0, ""
	}
	var st struct {
		Code    codes.Code `json:"code"`
		Message string     `json:"message"`
	}
	json.Unmarshal(line.Error, &st)
	return line.Error, st.Code, st.Message
}

// isTooLarge reports a gRPC message over a size limit, which grpc reports as
// RESOURCE_EXHAUSTED (429 by grpc-gateway's mapping, which says "try again
// later"). Over REST only a request can be too large, as the gateway puts
// no bound on answers: it is the client's to shrink, 413.
func isTooLarge(code codes.Code, msg string) bool {
	return code == codes.ResourceExhausted && (strings.Contains(msg, "trying to send message larger than max") || strings.Contains(msg, "received message larger than max"))
}

// isIdleMessage reports the message of a stream request that did not
// arrive in time, the gateway's (streamIdleError) or the server's.
func isIdleMessage(msg string) bool {
	return strings.HasPrefix(msg, "stream request ") && strings.Contains(msg, " did not arrive within ")
}

// sendDeferred sends the CANCELLED error line set aside, if any, as it
// would have been sent.
func (w *trackingWriter) sendDeferred() {
	if w.deferred == nil {
		return
	}
	p := w.deferred
	w.held, w.skipNewline = w.deferredHeld, false
	w.Write(p) // not set aside again: w.deferred stays set
	w.Write([]byte("\n"))
}

// finish sends a held status.
func (w *trackingWriter) finish() {
	if w.held == 0 {
		return
	}
	code := w.held
	w.held, w.wrote = 0, true
	w.Header().Del("Transfer-Encoding")
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer to flush.
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// reportStreamError answers a stream whose body failed: with a status of
// its own if nothing was sent yet, else with a last {"error": Status} line,
// the stream's own error format.
func reportStreamError(w *trackingWriter, err error, tooLarge string) {
	httpStatus, code, msg := http.StatusBadRequest, codes.InvalidArgument, err.Error()
	var mbe *http.MaxBytesError
	var idle streamIdleError
	switch {
	case errors.As(err, &mbe):
		httpStatus, code, msg = http.StatusRequestEntityTooLarge, codes.ResourceExhausted, tooLarge
	case errors.As(err, &idle):
		httpStatus, code = http.StatusRequestTimeout, codes.DeadlineExceeded
	}
	// Written past w, which would drop it as the gateway's own error.
	if !w.wrote {
		w.Header().Del("Transfer-Encoding")
		writeError(w.ResponseWriter, httpStatus, code, msg)
		return
	}
	json.NewEncoder(w.ResponseWriter).Encode(struct {
		Error errorJSON `json:"error"`
	}{errorJSON{int(code), msg, []any{}}})
}

// checkJSON reports whether a unary request body is one JSON value and
// nothing else. grpc-gateway decodes the first value and ignores what
// follows, so `{"text":"a"} trailing` or two objects back to back would
// otherwise be accepted. An empty (or blank) body stays allowed: it is the
// empty request. The check is a syntax scan; it does not decode.
func checkJSON(body []byte) error {
	if blankJSON(body) || json.Valid(body) {
		return nil
	}
	// The slow path only runs for invalid bodies, to describe the error.
	var raw json.RawMessage
	err := json.Unmarshal(body, &raw)
	if err == nil {
		err = errors.New("invalid JSON")
	}
	return fmt.Errorf("request body is not valid JSON: %v", err)
}

// blankJSON reports whether b holds nothing but JSON's white space (space,
// tab, CR, LF): the empty request. Other spaces (a form feed, U+00A0) are
// no JSON.
func blankJSON(b []byte) bool { return len(bytes.Trim(b, " \t\r\n")) == 0 }

// cors applies the CORS policy: off when origins is empty.
func cors(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	any := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every answer depends on Origin, also one without CORS headers:
		// a shared cache must not give it to an allowed origin.
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin != "" && (any || slices.Contains(origins, origin)) {
			h.Set("Access-Control-Allow-Origin", origin)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, "+reqid.Header+", "+reqid.TraceHeader)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Set("Access-Control-Expose-Headers", reqid.Header+", Retry-After")
		}
		next.ServeHTTP(w, r)
	})
}

// bearerChallenge answers a 401 with the challenge of RFC 6750 (Bearer
// realm="claims", and error="invalid_token" when a bearer token was sent:
// not for another scheme or a blank token), in place of the error message
// grpc-gateway puts in WWW-Authenticate.
type bearerChallenge struct {
	http.ResponseWriter
	tokenSent bool
}

func (b bearerChallenge) WriteHeader(code int) {
	v := `Bearer realm="claims"`
	if b.tokenSent {
		v += `, error="invalid_token"`
	}
	b.Header().Set("WWW-Authenticate", v)
	b.ResponseWriter.WriteHeader(code)
}
