package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/gateway"
	"github.com/claimsvc/claims/server/internal/reqid"
)

// miniModel is a three-label model for the gateway tests.
func miniModel(t testing.TB) *classifier.Classifier {
	t.Helper()
	model, err := apitest.NewModel([]classifier.Example{
		{Text: "rebels blamed for the blast", Label: "attribution"},
		{Text: "the ministry denied any role", Label: "denial"},
		{Text: "the airport reopened", Label: "other"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return model
}

// newGateway serves the gateway over httptest, forwarding to a Service
// over bufconn, and returns its URL and the model.
func newGateway(t *testing.T, auth api.Auth, cors []string) (string, *classifier.Classifier) {
	t.Helper()
	model := miniModel(t)
	limits := api.DefaultLimits()
	limits.MaxHTTPBodyBytes = 1 << 20
	return serveGateway(t, model, limits, auth, cors, nil), model
}

// serveGateway serves the gateway over httptest, forwarding to a Service
// over model on bufconn, and returns its URL. wrap, if not nil, wraps the
// test server's listener.
func serveGateway(t *testing.T, model *classifier.Classifier, limits api.Limits, auth api.Auth, cors []string, wrap func(net.Listener) net.Listener) string {
	t.Helper()
	hs := httptest.NewUnstartedServer(gatewayHandler(t, model, limits, auth, cors))
	if wrap != nil {
		hs.Listener = wrap(hs.Listener)
	}
	hs.Start()
	t.Cleanup(hs.Close)
	return hs.URL
}

// gatewayHandler returns the gateway's handler, forwarding to a Service
// over model on bufconn.
func gatewayHandler(t testing.TB, model *classifier.Classifier, limits api.Limits, auth api.Auth, cors []string) http.Handler {
	t.Helper()
	return configuredHandler(t, model, limits, auth, gateway.Config{CORSOrigins: cors})
}

// configuredHandler is gatewayHandler with cfg's CORSOrigins,
// LoopbackOnly, BodyReadTimeout, SendTimeout, OnSendTimeout and Log; the
// other fields are set from limits.
func configuredHandler(t testing.TB, model *classifier.Classifier, limits api.Limits, auth api.Auth, cfg gateway.Config) http.Handler {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	metrics, err := api.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	unary, stream := api.Interceptors(auth, limits.CallTimeout, api.Observer{Log: log, Metrics: metrics, Transport: api.REST})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream), grpc.MaxRecvMsgSize(limits.MaxGRPCReceiveBytes))
	claimsv1.RegisterClaimServiceServer(srv, api.NewService(model, limits, "test", metrics, log))
	conn := apitest.Dial(t, srv,
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32), grpc.MaxCallSendMsgSize(limits.MaxGRPCReceiveBytes))) // as the server's
	h, err := gateway.New(context.Background(), conn, gateway.Config{
		MaxBodyBytes: limits.MaxHTTPBodyBytes, CORSOrigins: cfg.CORSOrigins, LoopbackOnly: cfg.LoopbackOnly,
		MaxExamples: limits.MaxExamples, MaxSentences: limits.MaxSentences,
		BodyReadTimeout: cfg.BodyReadTimeout,
		SendTimeout:     cfg.SendTimeout, OnSendTimeout: cfg.OnSendTimeout, Log: cfg.Log, AccessLog: cfg.AccessLog,
		Serving: func() bool { return true }, Metrics: reg, Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// post is call with a JSON POST: header may override the content type.
func post(t *testing.T, url, body string, header map[string]string) (int, []byte) {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	maps.Copy(h, header)
	code, b := call(t, http.MethodPost, url, body, h)
	return code, []byte(b)
}

func TestRESTClassify(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	code, body := post(t, url+"/v1/classify", `{"text": "Rebels blamed for the blast. The ministry denied any role."}`, nil)
	if code != http.StatusOK {
		t.Fatalf("got %d %s", code, body)
	}
	var resp struct {
		Sentences []struct {
			Text  string `json:"text"`
			Label string `json:"label"`
			Start int    `json:"start"`
			End   int    `json:"end"`
		} `json:"sentences"`
		ModelVersion string `json:"modelVersion"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Sentences) != 2 || resp.Sentences[0].Label != "attribution" || resp.Sentences[1].Label != "denial" || resp.Sentences[1].Start != 29 || resp.ModelVersion != "1" {
		t.Errorf("got %s", body)
	}
}

// TestRESTBadInput is the bad-input matrix over REST: each case's status,
// gRPC code and message, and that the model stays unchanged.
func TestRESTBadInput(t *testing.T) {
	url, model := newGateway(t, api.Auth{Token: "tok"}, nil)
	before := model.Info()
	auth := map[string]string{"Authorization": "Bearer tok"}
	big := `{"text": "` + strings.Repeat("a", 2<<20) + `"}`
	tests := []struct {
		name   string
		path   string
		body   string
		header map[string]string
		status int
		msg    string
	}{
		{"empty text", "/v1/classify", `{"text": ""}`, nil, 400, "text: text is empty"},
		{"blank text", "/v1/classify", `{"text": " \n "}`, nil, 400, "text: text is empty"},
		{"invalid UTF-8", "/v1/classify", "{\"text\": \"a\xffb\"}", nil, 400, ""},
		{"NUL", "/v1/classify", `{"text": "a\u0000b"}`, nil, 400, "control character"},
		{"malformed JSON", "/v1/classify", `{"text": `, nil, 400, ""},
		{"wrong type", "/v1/classify", `{"text": 5}`, nil, 400, ""},
		{"unknown field", "/v1/classify", `{"txt": "hello"}`, nil, 400, "txt"},
		{"body over limit", "/v1/classify", big, nil, 413, "exceeds the limit"},
		{"train no token", "/v1/train", `{"examples": [{"text": "x", "label": "other"}]}`, nil, 401, "bearer token"},
		{"train bad token", "/v1/train", `{"examples": [{"text": "x", "label": "other"}]}`, map[string]string{"Authorization": "Bearer nope"}, 401, "not valid"},
		{"train empty", "/v1/train", `{"examples": []}`, auth, 400, "no examples"},
		{"train unknown label", "/v1/train", `{"examples": [{"text": "x", "label": "rumour"}]}`, auth, 400, "examples[0].label"},
		{"train empty label", "/v1/train", `{"examples": [{"text": "x", "label": " "}]}`, auth, 400, "label is empty"},
		{"train mixed batch", "/v1/train", `{"examples": [{"text": "x", "label": "other"}, {"text": "", "label": "other"}]}`, auth, 400, "examples[1].text"},
		{"forget never learned", "/v1/forget", `{"examples": [{"text": "never", "label": "other"}]}`, auth, 404, "not learned"},
		{"evaluate empty", "/v1/evaluate", `{}`, nil, 400, "no examples"},
		{"query parameter on a POST route", "/v1/classify?explain=3", `{"text": "They denied it."}`, nil, 400, `query parameter "explain" is not one this route reads (/v1/classify): the request goes in the JSON body`},
		{"train with ?replace", "/v1/train?replace=true", `{"examples": [{"text": "x", "label": "other"}]}`, auth, 400, `query parameter "replace"`},
		{"malformed query", "/v1/classify?a=%zz", `{"text": "They denied it."}`, nil, 400, "malformed query string"},
	}
	for _, tt := range tests {
		code, body := post(t, url+tt.path, tt.body, tt.header)
		var eb errorBody
		if err := json.Unmarshal(body, &eb); err != nil {
			t.Errorf("%s: body %q is not a JSON error: %v", tt.name, body, err)
		}
		if code != tt.status || !strings.Contains(eb.Message, tt.msg) || eb.Code == 0 {
			t.Errorf("%s: got %d %s, want %d with message containing %q", tt.name, code, body, tt.status, tt.msg)
		}
	}
	if after := model.Info(); after.ContentHash != before.ContentHash {
		t.Errorf("bad input changed the model")
	}
}

// TestRESTBearerChallenge: a 401 carries the challenge of RFC 6750, not the
// error message (grpc-gateway's default), with error="invalid_token" only
// when a token was sent.
func TestRESTBearerChallenge(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Token: "tok"}, nil)
	for _, tt := range []struct {
		name, auth, want string
	}{
		{"no token", "", `Bearer realm="claims"`},
		{"wrong token", "Bearer nope", `Bearer realm="claims", error="invalid_token"`},
		{"another scheme", "Basic Zm9vOmJhcg==", `Bearer realm="claims"`},
		{"blank token", "Bearer   ", `Bearer realm="claims"`},
	} {
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/train", strings.NewReader(`{"examples": [{"text": "x", "label": "other"}]}`))
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Values("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: got %d with WWW-Authenticate %q, want 401 with %q", tt.name, resp.StatusCode, got, tt.want)
		}
	}
}

func TestRESTPermissionDenied(t *testing.T) {
	url, _ := newGateway(t, api.Auth{}, nil)
	code, body := post(t, url+"/v1/train", `{"examples": [{"text": "x", "label": "other"}]}`, map[string]string{"Authorization": "Bearer any"})
	if code != http.StatusForbidden || !bytes.Contains(body, []byte("non-loopback")) {
		t.Errorf("got %d %s, want 403", code, body)
	}
}

func TestRESTTrainAndModel(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	code, body := post(t, url+"/v1/train", `{"examples": [{"text": "zebras escaped", "label": "other"}]}`, nil)
	if code != 200 || !bytes.Contains(body, []byte(`"modelVersion":"2"`)) {
		t.Fatalf("train: got %d %s", code, body)
	}
	resp, err := http.Get(url + "/v1/model")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"version":"2"`)) || !bytes.Contains(b, []byte(`"totalExamples":"4"`)) {
		t.Errorf("model: got %d %s", resp.StatusCode, b)
	}
}

func TestRESTStream(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	code, body := post(t, url+"/v1/classify:stream", `{"id": "a", "text": "Rebels blamed for the blast."}`+"\n"+`{"id": "b", "sentences": ["the ministry denied any role"]}`+"\n", nil)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if code != 200 || len(lines) != 2 || !strings.Contains(lines[0], `"attribution"`) || !strings.Contains(lines[1], `"denial"`) {
		t.Errorf("got %d %s", code, body)
	}
}

func TestHealthMetricsOpenAPI(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	post(t, url+"/v1/classify", `{"text": "the airport reopened"}`, nil)
	for path, want := range map[string]string{
		"/healthz":      `"SERVING"`,
		"/metrics":      `claims_rpc_calls_total{code="OK",method="Classify"} 1`,
		"/openapi.json": `"/v1/classify"`,
	} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(want)) {
			t.Errorf("%s: got %d, want 200 with %s", path, resp.StatusCode, want)
		}
	}
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{"claims_sentences_classified_total", "claims_sentence_confidence_ratio_bucket", "claims_model_version 1", "claims_rpc_duration_seconds_bucket"} {
		if !bytes.Contains(b, []byte(m)) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

// TestHTTPRequestsCounted checks claims_http_requests_total: requests are
// counted by route and status, those refused before an RPC included, and a
// path a client makes up is counted as "other".
func TestHTTPRequestsCounted(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	requests := []struct {
		method, path, body string
		header             map[string]string
		want               int
	}{
		{"POST", "/v1/classify", `{"text": "the airport reopened"}`, nil, 200},
		{"POST", "/v1/classify", `{"text": `, nil, 400},
		{"POST", "/v1/classify", `{"text": "` + strings.Repeat("a", 1<<20) + `"}`, nil, 413},
		{"GET", "/v1/classify", "", nil, 405},
		{"POST", "/v1/train", `{"examples": [{"text": "x", "label": "other"}]}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"GET", "/v1/no-such-route", "", nil, 404},
		{"GET", "/made/up/path", "", nil, 404},
		{"POST", "/v1%2Fclassify", `{"text": "x"}`, nil, 404},
		{"GET", "/healthz", "", nil, 200},
	}
	for _, r := range requests {
		h := map[string]string{"Content-Type": "application/json"}
		maps.Copy(h, r.header)
		if got, _ := call(t, r.method, url+r.path, r.body, h); got != r.want {
			t.Errorf("%s %s: got %d, want %d", r.method, r.path, got, r.want)
		}
	}
	_, metrics := call(t, "GET", url+"/metrics", "", nil)
	for _, want := range []string{
		`claims_http_requests_total{code="200",route="/v1/classify"} 1`,
		`claims_http_requests_total{code="400",route="/v1/classify"} 1`,
		`claims_http_requests_total{code="413",route="/v1/classify"} 1`,
		`claims_http_requests_total{code="405",route="/v1/classify"} 1`,
		`claims_http_requests_total{code="403",route="/v1/train"} 1`,
		`claims_http_requests_total{code="404",route="other"} 3`,
		`claims_http_requests_total{code="200",route="/healthz"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, "made/up") || strings.Contains(metrics, "no-such-route") {
		t.Errorf("/metrics names a path no route has")
	}
}

func TestCORS(t *testing.T) {
	off, _ := newGateway(t, api.Auth{Open: true}, nil)
	on, _ := newGateway(t, api.Auth{Open: true}, []string{"https://app.example"})
	preflight := func(url, origin string) http.Header {
		req, _ := http.NewRequest(http.MethodOptions, url+"/v1/classify", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	if h := preflight(off, "https://app.example"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: got Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
	}
	if h := preflight(on, "https://app.example"); h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Allow-Headers") != "Content-Type, Authorization, X-Request-Id, Traceparent" {
		t.Errorf("CORS on: got %v", h)
	}
	// A browser's script may read the request ID of an answer.
	req, _ := http.NewRequest(http.MethodGet, on+"/v1/model", nil)
	req.Header.Set("Origin", "https://app.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Expose-Headers"); got != "X-Request-Id, Retry-After" || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("CORS on, a GET: got Expose-Headers %q and X-Request-Id %q, want X-Request-Id, Retry-After and an ID", got, resp.Header.Get("X-Request-Id"))
	}
	if h := preflight(on, "https://evil.example"); h.Get("Access-Control-Allow-Origin") != "" || h.Get("Vary") != "Origin" {
		t.Errorf("CORS other origin: got Allow-Origin %q, Vary %q; want none and Origin (a cache must not serve it to an allowed origin)", h.Get("Access-Control-Allow-Origin"), h.Get("Vary"))
	}
}

// TestBodyReadTimeout sends the headers of a unary call and then only part
// of its body: the gateway answers 408 once the read timeout passes
// instead of waiting for the rest.
func TestBodyReadTimeout(t *testing.T) {
	limits := api.DefaultLimits()
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{BodyReadTimeout: 200 * time.Millisecond}))
	t.Cleanup(hs.Close)
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"text\": ")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a trickled body: %v", err)
	}
	defer resp.Body.Close()
	var got errorBody
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(got.Message, "did not arrive within 200ms") {
		t.Errorf("got %d %q, want 408 and the timeout", resp.StatusCode, got.Message)
	}
}

// TestRESTStreamClientThatDoesNotRead opens a stream on a server with one
// stream slot and sends it requests without reading a result: once a
// result has waited for the send timeout, the stream ends, the connection
// is closed, and the slot serves another client.
func TestRESTStreamClientThatDoesNotRead(t *testing.T) {
	// Each result is about a megabyte: a few fill the connection's buffers.
	req, _ := json.Marshal(map[string]any{"text": strings.Repeat("The ministry denied any role. ", 2000), "explain": 20})
	req = append(req, '\n')
	for _, h2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if h2 {
			name = "HTTP/2"
		}
		t.Run(name, func(t *testing.T) {
			limits := api.DefaultLimits()
			limits.MaxClassifyStreams = 1
			var logs apitest.LogBuffer
			cut := make(chan struct{}, 1)
			hs := httptest.NewUnstartedServer(configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{
				SendTimeout:   200 * time.Millisecond,
				OnSendTimeout: func() { cut <- struct{}{} },
				Log:           slog.New(slog.NewTextHandler(&logs, nil)),
			}))
			if h2 {
				hs.EnableHTTP2 = true
				hs.StartTLS()
			} else {
				hs.Start()
			}
			t.Cleanup(hs.Close)
			var rest io.Reader // what the first client has not read
			if h2 {
				pr, pw := io.Pipe()
				defer pw.Close()
				go func() {
					for range 200 {
						if _, err := pw.Write(req); err != nil {
							return
						}
					}
				}()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				r, _ := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/v1/classify:stream", pr)
				r.Header.Set("X-Request-Id", "stalled-1")
				resp, err := hs.Client().Do(r)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.ProtoMajor != 2 {
					t.Fatalf("got %s, want HTTP/2", resp.Proto)
				}
				rest = resp.Body
			} else {
				conn, err := net.Dial("tcp", hs.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				go func() {
					io.WriteString(conn, "POST /v1/classify:stream HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: stalled-1\r\nTransfer-Encoding: chunked\r\n\r\n")
					for range 200 {
						if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(req), req); err != nil {
							return
						}
					}
				}()
				conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				rest = conn
			}
			select {
			case <-cut:
			case <-time.After(30 * time.Second):
				t.Fatal("the stream of a client that does not read was never ended")
			}
			if !strings.Contains(logs.String(), "ended a REST stream: its client did not read its results in time") || !strings.Contains(logs.String(), "x_request_id=stalled-1") {
				t.Errorf("log: got %q, want a warning with the request ID", logs.String())
			}
			// The slot is free again: another client's stream is served.
			deadline := time.Now().Add(10 * time.Second)
			for {
				resp, err := hs.Client().Post(hs.URL+"/v1/classify:stream", "application/json", strings.NewReader(`{"text": "The airport reopened."}`))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && bytes.HasPrefix(body, []byte(`{"result"`)) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("another stream: got %d %s, want 200 with a result", resp.StatusCode, body)
				}
				time.Sleep(50 * time.Millisecond)
			}
			// The first client's answer ends (cut short) once it reads
			// what was sent.
			n, err := io.Copy(io.Discard, rest)
			if h2 && err == nil {
				t.Errorf("reading the first answer: got its end after %d bytes, want the stream reset", n)
			}
			// Closed: with a FIN, or with a reset when the server closed
			// it while the client's request bytes were still unread.
			if !h2 && err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("reading the first connection: got %v after %d bytes, want it closed", err, n)
			}
		})
	}
}

// TestRESTAnswerClientThatDoesNotRead asks for a large answer and does not
// read it: the answer is cut short at the send timeout, and the handler
// ends. A kept-alive connection is not left with a deadline (net/http
// clears it after each answer): a request after it is served.
func TestRESTAnswerClientThatDoesNotRead(t *testing.T) {
	limits := api.DefaultLimits()
	limits.MaxTextBytes, limits.MaxSentences, limits.MaxHTTPBodyBytes = 4<<20, 100000, 8<<20
	var logs apitest.LogBuffer
	cut := make(chan struct{}, 1)
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{
		SendTimeout:   200 * time.Millisecond,
		OnSendTimeout: func() { cut <- struct{}{} },
		Log:           slog.New(slog.NewTextHandler(&logs, nil)),
	}))
	t.Cleanup(hs.Close)

	// Requests on one kept-alive connection, further apart than the
	// timeout. A small answer still goes with a Content-Length (it would
	// be chunked if the deadline's handler flushed it).
	for i := range 3 {
		for _, path := range []string{"/v1/model", "/healthz"} {
			resp, err := hs.Client().Get(hs.URL + path)
			if err != nil {
				t.Fatalf("GET %s #%d: %v", path, i+1, err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s #%d: got %d %s, %v; want 200", path, i+1, resp.StatusCode, body, err)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("GET %s #%d: got Content-Length %d, want %d", path, i+1, resp.ContentLength, len(body))
			}
		}
		time.Sleep(300 * time.Millisecond)
	}

	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	// About 8 MB of answer: more than the kernel buffers.
	req, _ := json.Marshal(map[string]any{"text": strings.Repeat("The ministry denied any role in the blast at the airport. ", 6000), "explain": 20})
	fmt.Fprintf(conn, "POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: unread-1\r\nContent-Length: %d\r\n\r\n%s", len(req), req)
	select {
	case <-cut:
	case <-time.After(30 * time.Second):
		t.Fatal("the answer to a client that does not read was never cut short")
	}
	if !strings.Contains(logs.String(), "cut a REST answer short: its client did not read it in time") || !strings.Contains(logs.String(), "x_request_id=unread-1") {
		t.Errorf("log: got %q, want a warning with the request ID", logs.String())
	}
}

// TestRESTSlowReaderIsNotCut reads a large answer slowly but steadily,
// taking several times the send timeout in all: it gets the whole answer,
// as the timeout bounds each piece of it, not the whole.
func TestRESTSlowReaderIsNotCut(t *testing.T) {
	limits := api.DefaultLimits()
	var cuts atomic.Int64
	// Small kernel buffers on both sides, so that the answer waits on the
	// client's reads.
	conn := smallBufferConn(t, configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{
		SendTimeout:   2 * time.Second,
		OnSendTimeout: func() { cuts.Add(1) },
	}), 16<<10)
	req, _ := json.Marshal(map[string]any{"text": strings.Repeat("The ministry denied any role in the blast at the airport. ", 1500), "explain": 20})
	fmt.Fprintf(conn, "POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n%s", len(req), req)
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(slowReader{conn, new(int)}), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK || !json.Valid(body) {
		t.Fatalf("got %d, %d bytes, %v; want 200 and the whole answer", resp.StatusCode, len(body), err)
	}
	if took < 3*time.Second {
		t.Errorf("the answer (%d bytes) took %v to read, want more than one and a half times the timeout for the test to mean something", len(body), took)
	}
	t.Logf("read %d bytes in %v", len(body), took)
	if got := cuts.Load(); got != 0 {
		t.Errorf("cuts: got %d, want 0", got)
	}
}

// slowReader reads about 16 KiB every 50 ms (320 KB/s).
type slowReader struct {
	r    io.Reader
	read *int // since the last pause
}

func (s slowReader) Read(p []byte) (int, error) {
	if *s.read >= 16<<10 {
		time.Sleep(50 * time.Millisecond)
		*s.read = 0
	}
	n, err := s.r.Read(p[:min(len(p), 16<<10-*s.read)])
	*s.read += n
	return n, err
}

// smallBufferConn serves h with small kernel send buffers
// (smallWriteBuffers) and returns a connection to it whose receive buffer
// is readBuffer bytes, closed when the test ends.
func smallBufferConn(t *testing.T, h http.Handler, readBuffer int) *net.TCPConn {
	t.Helper()
	hs := httptest.NewUnstartedServer(h)
	hs.Listener = smallWriteBuffers{hs.Listener}
	hs.Start()
	t.Cleanup(hs.Close)
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tc := conn.(*net.TCPConn)
	tc.SetReadBuffer(readBuffer)
	return tc
}

// smallWriteBuffers gives its connections small kernel send buffers.
type smallWriteBuffers struct{ net.Listener }

func (l smallWriteBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// TestUnreadBodyDoesNotHold sends part of a body to a path that has no
// route: the 404 comes at once, without waiting for the rest.
func TestUnreadBodyDoesNotHold(t *testing.T) {
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{}))
	t.Cleanup(hs.Close)
	var wg sync.WaitGroup
	for _, tt := range []struct {
		req  string
		want int
	}{
		{"POST /v1/nope", http.StatusNotFound},
		{"PUT /v1/classify", http.StatusMethodNotAllowed},
		{"POST /v1/model", http.StatusMethodNotAllowed},
		{"GET /v1/model", http.StatusOK},
		{"GET /healthz", http.StatusOK},
		{"GET /openapi.json", http.StatusOK},
		{"GET /metrics", http.StatusOK},
	} {
		// A body declared and never sent whole: it is no route's, so the
		// answer comes at once and the connection is closed after it. The
		// requests run side by side, as each closes only after the 2 s.
		wg.Go(func() {
			stalledBody(t, tt.req, hs.Listener.Addr().String(), tt.req+" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"te", tt.want)
		})
	}
	wg.Wait()
}

// stalledBody sends raw, a request whose body is declared and never sent
// whole, on a new connection, and checks that it is answered with want at
// once (well within the 2 s the server lingers for the rest of the body)
// and that the server then closes the connection. name names the case in
// errors; stalledBody may run on a goroutine of its own.
func stalledBody(t *testing.T, name, addr, raw string, want int) {
	t.Helper()
	a, err := rawExchange(addr, raw)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if a.status != want || a.after > time.Second {
		t.Errorf("%s: got %d after %v, want %d at once", name, a.status, a.after, want)
	}
	if !a.closed {
		t.Errorf("%s: the connection stayed open after the answer, want it closed", name)
	}
}

// rawAnswer is the server's answer to a request written by hand.
type rawAnswer struct {
	status int
	body   string
	after  time.Duration // from the end of the request to the end of the answer
	closed bool          // the server closed the connection after the answer
}

// rawExchange writes raw, a request written by hand, on a new connection
// to addr, reads the answer and then whether the server closes the
// connection, waiting 10 s at most. It may run on a goroutine of its own.
func rawExchange(addr, raw string) (rawAnswer, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return rawAnswer{}, err
	}
	defer conn.Close()
	io.WriteString(conn, raw)
	start := time.Now()
	conn.SetReadDeadline(start.Add(10 * time.Second))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return rawAnswer{}, fmt.Errorf("no answer: %w", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := rawAnswer{status: resp.StatusCode, body: string(b), after: time.Since(start)}
	_, err = br.Read(make([]byte, 1))
	a.closed = err == io.EOF
	return a, nil
}

// TestRefusalBeforeBodyDoesNotHold sends requests to routes that read
// bodies, each with a body declared and never sent whole, that are refused
// before the body is read: each answer comes at once and the connection is
// closed after it (net/http would otherwise read the rest of the body
// before the answer, with no time limit).
func TestRefusalBeforeBodyDoesNotHold(t *testing.T) {
	limits := api.DefaultLimits()
	limits.MaxHTTPBodyBytes = 1000
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), limits, api.Auth{Open: true},
		gateway.Config{CORSOrigins: []string{"https://app.example"}, LoopbackOnly: true}))
	t.Cleanup(hs.Close)
	var wg sync.WaitGroup // the requests run side by side, as each closes only after 2 s
	for _, tt := range []struct {
		name, req, header string
		length, want      int
	}{
		{"cross-origin", "POST /v1/train", "Sec-Fetch-Site: cross-site\r\nOrigin: https://evil.example\r\n", 100, http.StatusForbidden},
		{"misdirected", "POST /v1/classify", "Host: evil.example\r\n", 100, http.StatusMisdirectedRequest},
		{"over the limit", "POST /v1/classify", "", 2000, http.StatusRequestEntityTooLarge},
		{"stream over the limit", "POST /v1/classify:stream", "", 2000, http.StatusRequestEntityTooLarge},
		{"chunked over the limit", "POST /v1/classify", "", -1, http.StatusRequestEntityTooLarge},
		{"chunked stream over the limit", "POST /v1/classify:stream", "", -1, http.StatusRequestEntityTooLarge},
		{"compressed", "POST /v1/classify", "Content-Encoding: gzip\r\n", 100, http.StatusUnsupportedMediaType},
		{"compressed, in a second header line", "POST /v1/classify", "Content-Encoding: identity\r\nContent-Encoding: gzip\r\n", 100, http.StatusUnsupportedMediaType},
		{"path not clean", "POST //v1/train", "", 100, http.StatusNotFound},
		{"escaped slash", "POST /v1%2Fclassify", "", 100, http.StatusNotFound},
		{"query parameter", "POST /v1/classify?explain=3", "", 100, http.StatusBadRequest},
		{"stream query parameter", "POST /v1/classify:stream?x=1", "", 100, http.StatusBadRequest},
	} {
		wg.Go(func() {
			host := "Host: 127.0.0.1\r\n"
			if strings.HasPrefix(tt.header, "Host:") {
				host = ""
			}
			raw := fmt.Sprintf("%s HTTP/1.1\r\n%s%sContent-Length: %d\r\n\r\n{\"te", tt.req, host, tt.header, tt.length)
			if tt.length < 0 {
				// Chunked: a first chunk already over the limit, then nothing.
				chunk := `{"text": "` + strings.Repeat("a", 1500)
				raw = fmt.Sprintf("%s HTTP/1.1\r\n%sTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", tt.req, host, len(chunk), chunk)
			}
			stalledBody(t, tt.name, hs.Listener.Addr().String(), raw, tt.want)
		})
	}
	wg.Wait()
}

// TestTooLargeBodyAnswered sends bodies over the limit, but short enough
// for net/http to read the rest after the answer (256 KiB), from a client
// that sends them whole: each gets its 413, never a reset connection, which
// a server that closed with the body still arriving would cause.
func TestTooLargeBodyAnswered(t *testing.T) {
	limits := api.DefaultLimits()
	limits.MaxHTTPBodyBytes = 100 << 10
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{}))
	t.Cleanup(hs.Close)
	// A client that writes its whole body before it reads, through a small
	// send buffer, as a slow network path would: the server must read the
	// rest of the body (600 KB, past the 256 KiB net/http reads on its
	// own) for the answer to arrive.
	big := `{"text": "` + strings.Repeat("a", 600<<10) + `"}`
	for _, path := range []string{"/v1/classify", "/v1/classify:stream", "/v1/train"} {
		conn, err := net.Dial("tcp", hs.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.(*net.TCPConn).SetWriteBuffer(16 << 10)
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", path, len(big), big); err != nil {
			t.Errorf("%s: writing the body: %v", path, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("%s: no answer after the whole body: %v", path, err)
		} else if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: got %d, want 413", path, resp.StatusCode)
		}
		conn.Close()
	}
	body := `{"text": "` + strings.Repeat("a", 200<<10) + `"}`
	for i := range 30 {
		for _, path := range []string{"/v1/classify", "/v1/classify:stream"} {
			resp, err := http.Post(hs.URL+path, "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s, try %d: %v", path, i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s, try %d: got %d, want 413", path, i, resp.StatusCode)
			}
		}
	}
}

// TestRESTRequestForms checks requests in forms the gateway does not take:
// a compressed body (415, not a JSON error about its first byte), a form
// POST to a GET route (405, not the GET), and a path not in clean form
// (the JSON 404 of any unknown path, not a redirect).
func TestRESTRequestForms(t *testing.T) {
	url, model := newGateway(t, api.Auth{Open: true}, nil)
	before := model.Info().Version
	tests := []struct {
		method, path, body string
		header             map[string]string
		status, code       int
		msg                string
	}{
		{"POST", "/v1/classify", "\x1f\x8b\x08\x00", map[string]string{"Content-Encoding": "gzip"}, 415, 3, `Content-Encoding "gzip" is not supported`},
		{"POST", "/v1/train", `{"examples": [{"text": "x", "label": "other"}]}`, map[string]string{"Content-Encoding": "br"}, 415, 3, `Content-Encoding "br" is not supported`},
		{"POST", "/v1/classify:stream", `{"text": "x"}`, map[string]string{"Content-Encoding": "gzip"}, 415, 3, "not supported"},
		{"POST", "/v1/classify", `{"text": "the airport reopened"}`, map[string]string{"Content-Encoding": "identity"}, 200, 0, ""},
		{"POST", "/v1/model", "settled=true", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 405, 12, "use GET"},
		{"POST", "//v1/train", `{"examples": [{"text": "x", "label": "other"}]}`, nil, 404, 5, "Not Found"},
		{"GET", "/v1/./model", "", nil, 404, 5, "Not Found"},
		{"GET", "/v1/x/../model", "", nil, 404, 5, "Not Found"},
		{"GET", "/v1/model/..", "", nil, 404, 5, "Not Found"},
		{"GET", "/v1/model?settled=true", "", nil, 200, 0, ""},
		{"HEAD", "/v1/model?settled=true", "", nil, 200, 0, ""},
		{"GET", "/v1/model?setled=true", "", nil, 400, 3, `query parameter "setled" is not one this route reads: settled`},
		{"GET", "/v1/model?settled=true&labels=x", "", nil, 400, 3, `query parameter "labels"`},
		{"POST", "/v1/model?setled=true", "", nil, 405, 12, "use GET"},
	}
	for _, tt := range tests {
		// Written by hand: an http.Client would send "//v1/train" as a
		// host name.
		raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\nConnection: close\r\n", tt.method, tt.path, len(tt.body))
		for k, v := range tt.header {
			raw += k + ": " + v + "\r\n"
		}
		a, err := rawExchange(strings.TrimPrefix(url, "http://"), raw+"\r\n"+tt.body)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		if a.status != tt.status {
			t.Errorf("%s %s: got %d %s, want %d", tt.method, tt.path, a.status, a.body, tt.status)
			continue
		}
		if tt.status == 200 {
			continue
		}
		var e errorBody
		if err := json.Unmarshal([]byte(a.body), &e); err != nil || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s %s: got %s, want code %d and a message containing %q", tt.method, tt.path, a.body, tt.code, tt.msg)
		}
		// The members in the order of the gateway's own error bodies.
		if prefix := fmt.Sprintf(`{"code":%d,"message":`, tt.code); !strings.HasPrefix(a.body, prefix) {
			t.Errorf("%s %s: got %s, want a body starting %s", tt.method, tt.path, a.body, prefix)
		}
	}
	if got := model.Info().Version; got != before {
		t.Errorf("model version: got %d, want %d (unchanged)", got, before)
	}
}

// TestRESTStreamLargeBody sends a stream body well past the 256 KiB that
// net/http drains from a request it thinks the handler is done reading:
// every request gets its result, in order. The per-request read deadline
// is short, and is lifted once the body has ended, so the results that
// are still being written after it are not cut off.
func TestRESTStreamLargeBody(t *testing.T) {
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{BodyReadTimeout: 300 * time.Millisecond}))
	t.Cleanup(hs.Close)
	const n = 6000
	var body strings.Builder
	for i := range n {
		fmt.Fprintf(&body, `{"id": "%d", "text": "Police said the rebels carried out the attack on the market."}`+"\n", i)
	}
	if body.Len() < 300<<10 {
		t.Fatalf("body is %d bytes, want more than 300 KiB", body.Len())
	}
	resp, err := http.Post(hs.URL+"/v1/classify:stream", "application/json", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	i := 0
	for sc.Scan() {
		var line struct {
			Result struct {
				ID string `json:"id"`
			} `json:"result"`
			Error *errorBody `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.Error != nil || line.Result.ID != strconv.Itoa(i) {
			t.Fatalf("line %d: got %.200s, want the result of request %d", i, sc.Bytes(), i)
		}
		i++
	}
	if resp.StatusCode != http.StatusOK || i != n {
		t.Errorf("got %d and %d results, want 200 and %d", resp.StatusCode, i, n)
	}
}

// TestRESTStreamIdle: a stream client that stops sending is cut off once
// the read timeout passes without its next request: with a 408 and the
// bare Status if no result was sent, else with an error line after the
// results.
func TestRESTStreamIdle(t *testing.T) {
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{BodyReadTimeout: 200 * time.Millisecond}))
	t.Cleanup(hs.Close)
	for _, tt := range []struct {
		name   string
		sent   string
		status int
	}{
		{"nothing sent", "", http.StatusRequestTimeout},
		{"one request sent", `{"id": "a", "text": "The ministry denied it."}` + "\n", http.StatusOK},
	} {
		conn, err := net.Dial("tcp", hs.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		req := "POST /v1/classify:stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
		if tt.sent != "" {
			req += fmt.Sprintf("%x\r\n%s\r\n", len(tt.sent), tt.sent)
		}
		io.WriteString(conn, req)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: no answer from a stalled stream: %v", tt.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), `"code":4`) || !strings.Contains(string(b), "did not arrive within 200ms") {
			t.Errorf("%s: got %d %q, want %d and DEADLINE_EXCEEDED", tt.name, resp.StatusCode, b, tt.status)
		}
		if tt.status == http.StatusOK && !strings.HasPrefix(string(b), `{"result":{"id":"a"`) {
			t.Errorf("%s: got %q, want the result before the error", tt.name, b)
		}
	}
}

// TestRESTStreamStalledBody sends stream bodies that stop in the middle of
// their first request, to a server whose own wait for a stream request is
// as long as the gateway's: whichever runs out first, the client gets 408,
// the connection is closed, and net/http never reads the body twice at
// once (it logs that as a panic).
func TestRESTStreamStalledBody(t *testing.T) {
	limits := api.DefaultLimits()
	limits.CallTimeout = 300 * time.Millisecond
	hs := httptest.NewUnstartedServer(configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{BodyReadTimeout: limits.CallTimeout}))
	var errLog bytes.Buffer // written by the logger, which locks; read after Close
	hs.Config.ErrorLog = log.New(&errLog, "", 0)
	hs.Start()
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			a, err := rawExchange(hs.Listener.Addr().String(), "POST /v1/classify:stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 37\r\n\r\n{\"text\": \"")
			if err != nil {
				t.Errorf("client %d: %v", i, err)
				return
			}
			if a.status != http.StatusRequestTimeout || !strings.Contains(a.body, "did not arrive within 300ms") {
				t.Errorf("client %d: got %d %q, want 408: did not arrive within 300ms", i, a.status, a.body)
			}
			// The server closes the connection rather than wait for the
			// rest of the body.
			if !a.closed {
				t.Errorf("client %d: the connection stayed open after the answer, want it closed", i)
			}
		})
	}
	wg.Wait()
	hs.Close() // waits for the server's connections to end
	if strings.Contains(errLog.String(), "panic") {
		t.Errorf("net/http logged a panic:\n%s", errLog.String())
	}
}

// TestRESTStreamTrickle: the idle bound is per request, not per read, so a
// client sending a byte at a time, each just inside it, is still cut off.
func TestRESTStreamTrickle(t *testing.T) {
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{BodyReadTimeout: 300 * time.Millisecond}))
	t.Cleanup(hs.Close)
	pr, pw := io.Pipe()
	go func() {
		defer pw.Close()
		for _, c := range []byte(`{"id": "a", "text": "The ministry denied it."}` + "\n") {
			if _, err := pw.Write([]byte{c}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	start := time.Now()
	resp, err := http.Post(hs.URL+"/v1/classify:stream", "application/json", pr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "stream request 1 did not arrive within 300ms") || time.Since(start) > 3*time.Second {
		t.Errorf("got %d %q after %v, want 408 within about 300ms", resp.StatusCode, b, time.Since(start))
	}
}

// TestRESTStreamRefusalBeforeBadBody: the decoder reads ahead, so a body
// error may be recorded before the server's refusal of an earlier request
// is written; the refusal is still what the client gets.
func TestRESTStreamRefusalBeforeBadBody(t *testing.T) {
	url, _ := matrixGateway(t, nil)
	for range 5 {
		status, body := post(t, url+"/v1/classify:stream", `{"id": "a", "text": ""}`+"\n"+`{"id": "b", `, nil)
		checkError(t, "refusal, then a bad request", status, body, http.StatusBadRequest, codes.InvalidArgument, `request "a": text: text is empty`)
		status, body = post(t, url+"/v1/classify:stream", `{"id": "ok", "text": "The ministry denied it."}`+"\n"+`{"id": "a", "text": ""}`+"\n"+`{"id": "b", `, nil)
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		if status != http.StatusOK || len(lines) != 2 || !strings.Contains(lines[1], `request \"a\": text: text is empty`) {
			t.Errorf("result, refusal, bad request: got %d %q, want the result and the refusal", status, body)
		}
	}
}

// TestRESTStreamHTTP2Idle runs streams that the server ends while their
// client keeps the body open, over HTTP/2 with a tiny idle bound: an idle
// timer that went off after the handler returned used to crash the
// process (the HTTP/2 response writer is gone by then).
func TestRESTStreamHTTP2Idle(t *testing.T) {
	for _, idle := range []time.Duration{200 * time.Microsecond, time.Millisecond, 3 * time.Millisecond} {
		hs := httptest.NewUnstartedServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{BodyReadTimeout: idle}))
		hs.EnableHTTP2 = true
		hs.StartTLS()
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 50 {
					pr, pw := io.Pipe()
					req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/classify:stream", pr)
					go io.WriteString(pw, `{"id": "a", "text": ""}`+"\n")
					if resp, err := hs.Client().Do(req); err == nil {
						io.ReadAll(resp.Body)
						resp.Body.Close()
					}
					time.Sleep(idle)
					pw.Close()
				}
			}()
		}
		wg.Wait()
		hs.Close()
	}
}

// TestRESTStreamHalfClosed: a client that half-closes its connection in the
// middle of a stream request (its body shorter than its Content-Length)
// gets the decoding error, not CANCELLED (net/http cancels the request as
// it reads the end of the connection, and the gateway's CANCELLED used to
// win the race now and then). Many runs, as it was a race.
func TestRESTStreamHalfClosed(t *testing.T) {
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{SendTimeout: time.Minute}))
	t.Cleanup(hs.Close)
	for _, tc := range []struct {
		name, body string
		raw        string // the whole request, instead of body
		want       string
	}{
		{"in the first request", `{"text": "the air`, "", `stream request 1: unexpected EOF`},
		// 200 with the first result and an error line, or 400 if the
		// error came before the result was sent.
		{"in the second request", `{"text": "the airport reopened"}` + "\n" + `{"text": "the air`, "", `stream request 2: unexpected EOF`},
		// A chunk header that is not one, read with the chunk before it
		// (which completes the first request): the second request is
		// the one that failed.
		{name: "bad chunk after a request", raw: "POST /v1/classify:stream HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"f\r\n{\"text\":\"a b\"}\n\r\nZZ\r\n", want: `stream request 2: invalid byte in chunk length`},
	} {
		for i := range 40 {
			conn, err := net.Dial("tcp", hs.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			if tc.raw != "" {
				io.WriteString(conn, tc.raw)
			} else {
				fmt.Fprintf(conn, "POST /v1/classify:stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n%s", tc.body)
			}
			conn.(*net.TCPConn).CloseWrite()
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("%s, run %d: %v", tc.name, i+1, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			conn.Close()
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), tc.want) {
				t.Errorf("%s, run %d: got %d %s, want 200 or 400 and %q", tc.name, i+1, resp.StatusCode, b, tc.want)
			}
		}
	}
}

// TestCountRefusedBeforeDecoding checks that a body listing more examples
// or sentences than the limits is refused with the service's message
// before protojson decodes it into messages (which took about 40 times a
// body of empty examples in memory): elements protojson would refuse for
// their type show which check answered.
func TestCountRefusedBeforeDecoding(t *testing.T) {
	limits := api.DefaultLimits()
	limits.MaxExamples, limits.MaxSentences = 5, 4
	url := serveGateway(t, miniModel(t), limits, api.Auth{Open: true}, nil, nil)
	for _, tt := range []struct{ path, body, want string }{
		{"/v1/evaluate", `{"examples": [1, 2, 3, 4, 5, 6, 7]}`, "examples: 7 examples exceed the limit of 5"},
		{"/v1/train", `{"examples": [{}, {}, {}, {}, {}, {}]}`, "examples: 6 examples exceed the limit of 5"},
		{"/v1/classify", `{"sentences": [1, 2, 3, 4, 5]}`, "sentences: 5 sentences exceed the limit of 4"},
		{"/v1/classify:stream", `{"sentences": ["a"]}` + "\n" + `{"sentences": [1, 2, 3, 4, 5]}` + "\n", "sentences: 5 sentences exceed the limit of 4"},
		{"/v1/classify:stream", `{"id": "y", "sentences": [1, 2, 3, 4, 5]}` + "\n", `request \"y\": sentences: 5 sentences exceed the limit of 4`},
		// An id past its limit is refused first, as the service does, and
		// not quoted.
		{"/v1/classify:stream", `{"id": "` + strings.Repeat("i", api.MaxStreamIDBytes+1) + `", "sentences": [1, 2, 3, 4, 5]}` + "\n", "id: 129 bytes exceed the limit of 128"},
	} {
		code, body := post(t, url+tt.path, tt.body, nil)
		if !strings.Contains(string(body), tt.want) || (tt.path != "/v1/classify:stream" && code != http.StatusBadRequest) {
			t.Errorf("%s: got %d %s, want 400 with %q", tt.path, code, body, tt.want)
		}
	}
	// At the limit, the body goes on to protojson and the service.
	code, body := post(t, url+"/v1/evaluate", `{"examples": [1, 2, 3, 4, 5]}`, nil)
	if code != http.StatusBadRequest || strings.Contains(string(body), "exceed the limit") {
		t.Errorf("5 examples of the wrong type: got %d %s, want protojson's 400", code, body)
	}
}

// TestDecodeErrorClipped checks that a decoding error quoting a huge value
// reaches the client cut to a few hundred bytes, over the unary and the
// stream routes.
func TestDecodeErrorClipped(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	huge := strings.Repeat("1", 200000)
	for _, path := range []string{"/v1/classify", "/v1/classify:stream"} {
		code, body := post(t, url+path, `{"explain": `+huge+`}`+"\n", nil)
		if code != http.StatusBadRequest || len(body) > 1024 || !strings.Contains(string(body), "bytes of message cut") {
			t.Errorf("%s: got %d, %d bytes %.300s; want 400 with the message cut", path, code, len(body), body)
		}
	}
}

// TestRESTErrorDetails checks that a REST error names the field at fault
// in a google.rpc.BadRequest detail, as gRPC's does, and that a refusal
// the gateway makes before any RPC has none.
func TestRESTErrorDetails(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	for _, tt := range []struct {
		path, body string
		field      string // "" for no detail
	}{
		{"/v1/classify", `{"text": " "}`, "text"},
		{"/v1/train", `{"examples": [{"text": "x", "label": "rumour"}]}`, "examples[0].label"},
		{"/v1/classify", `{"text": `, ""},
	} {
		code, body := post(t, url+tt.path, tt.body, nil)
		var got struct {
			Code    int
			Message string
			Details []struct {
				Type            string `json:"@type"`
				FieldViolations []struct{ Field, Description string }
			}
		}
		if err := json.Unmarshal(body, &got); err != nil || code != http.StatusBadRequest {
			t.Errorf("%s %s: got %d %s, want 400 and a JSON error", tt.path, tt.body, code, body)
			continue
		}
		if tt.field == "" {
			if len(got.Details) != 0 {
				t.Errorf("%s %s: got details %s, want none", tt.path, tt.body, body)
			}
			continue
		}
		if len(got.Details) != 1 || got.Details[0].Type != "type.googleapis.com/google.rpc.BadRequest" || len(got.Details[0].FieldViolations) != 1 ||
			got.Details[0].FieldViolations[0].Field != tt.field || got.Message != tt.field+": "+got.Details[0].FieldViolations[0].Description {
			t.Errorf("%s %s: got %s, want a BadRequest detail for %s", tt.path, tt.body, body, tt.field)
		}
	}
}

// TestRESTStreamPastItsLimitSaysWhenToRetry opens a REST stream past
// --max-classify-streams: 429 with Retry-After and the RetryInfo detail
// the service sends, as for a unary call refused as busy.
func TestRESTStreamPastItsLimitSaysWhenToRetry(t *testing.T) {
	limits := api.DefaultLimits()
	limits.MaxClassifyStreams = 1
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{}))
	t.Cleanup(hs.Close)
	// The first stream holds the slot: its body stays open.
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go pw.Write([]byte(`{"text": "Police warned of further attacks."}` + "\n"))
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/v1/classify:stream", pr)
	first, err := hs.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Body.Close()
	if _, err := bufio.NewReader(first.Body).ReadString('\n'); err != nil {
		t.Fatalf("first stream's result: %v", err)
	}
	resp, err := http.Post(hs.URL+"/v1/classify:stream", "application/json", strings.NewReader(`{"text": "Flags flew at half-mast."}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
		!strings.Contains(string(body), "1 classify streams are open") || !strings.Contains(string(body), `"@type":"type.googleapis.com/google.rpc.RetryInfo"`) {
		t.Errorf("second stream: got %d, Retry-After %q, body %s; want 429, 1, the limit and a RetryInfo", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

// TestRefusalsLogged checks that a request answered with an error before
// it reached its RPC gets an access-log line naming its route, status and
// request ID (and never its body), and that one that reached its RPC,
// whose own line the RPC's log writes, gets none here.
func TestRefusalsLogged(t *testing.T) {
	var logged apitest.LogBuffer
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true},
		gateway.Config{AccessLog: slog.New(slog.NewTextHandler(&logged, nil))}))
	t.Cleanup(hs.Close)
	for _, tt := range []struct {
		method, path, body string
		status             int
		logged             bool
	}{
		{"POST", "/v1/classify", `{"txt": "SECRET"}`, 400, true},
		{"POST", "/v1/classify", `{"text": "SECRET`, 400, true},
		{"POST", "/v1/classify?x=1", `{"text": "SECRET"}`, 400, true},
		{"GET", "/v1/nope", "", 404, true},
		{"PUT", "/v1/classify", `{"text": "SECRET"}`, 405, true},
		{"POST", "/v1/classify", `{"text": ""}`, 400, false}, // refused by the service
		{"POST", "/v1/classify", `{"text": "SECRET sentence."}`, 200, false},
		{"GET", "/healthz", "", 200, false},
	} {
		id := reqid.New()
		req, _ := http.NewRequest(tt.method, hs.URL+tt.path, strings.NewReader(tt.body))
		req.Header.Set(reqid.Header, id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: got %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
		}
		// A refusal's line is written once its handler returns, which
		// may be after the client has the answer (see dropBody).
		line := ""
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			for _, l := range strings.Split(logged.String(), "\n") {
				if strings.Contains(l, id) {
					line = l
				}
			}
			if line != "" || !tt.logged || time.Now().After(deadline) {
				break
			}
		}
		want := fmt.Sprintf(`msg="http refused" route=%s http_method=%s status=%d`, routeFor(tt.path), tt.method, tt.status)
		switch {
		case tt.logged && !strings.Contains(line, want):
			t.Errorf("%s %s: got log line %q, want one with %q", tt.method, tt.path, line, want)
		case !tt.logged && line != "":
			t.Errorf("%s %s: got log line %q, want none", tt.method, tt.path, line)
		}
	}
	// A client gone in the middle of its second request: no refusal, and
	// no line.
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/classify:stream HTTP/1.1\r\nHost: x\r\nX-Request-Id: stream-gone\r\nContent-Length: 1000\r\n\r\n{\"text\": \"A b.\"}\n{\"te")
	time.Sleep(200 * time.Millisecond)
	conn.Close()
	// The same in the middle of a unary request's body.
	conn, err = net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/classify HTTP/1.1\r\nHost: x\r\nX-Request-Id: unary-gone\r\nContent-Length: 1000\r\n\r\n{\"text\": \"A b.")
	time.Sleep(200 * time.Millisecond)
	conn.Close()
	// A stream line the gateway cannot decode, after a good one: the
	// stream's RPC ran, and its line says OK; this one says that the
	// client got an error, for which request (its error's number).
	req, _ := http.NewRequest("POST", hs.URL+"/v1/classify:stream", strings.NewReader(`{"text": "A b."}`+"\n"+`{"text": x}`+"\n"))
	req.Header.Set(reqid.Header, "stream-refused")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(answer), "stream request 2:") {
		t.Errorf("stream answer %q: want the error of stream request 2", answer)
	}
	// Its members in the order of every other error body.
	if want := `{"error":{"code":3,"message":"stream request 2:`; !strings.Contains(string(answer), want) {
		t.Errorf("stream answer %q: want an error line starting %s", answer, want)
	}
	want := `msg="http stream request refused" route=/v1/classify:stream http_method=POST stream_request=2 transport=rest`
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logged.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("stream refused by the gateway: no line with %q:\n%s", want, logged.String())
		}
	}
	if strings.Contains(logged.String(), "stream-gone") {
		t.Errorf("a client gone mid-stream was logged as refused:\n%s", logged.String())
	}
	if strings.Contains(logged.String(), "unary-gone") {
		t.Errorf("a client gone in the middle of a unary request's body was logged as refused:\n%s", logged.String())
	}
	if strings.Contains(logged.String(), "SECRET") {
		t.Errorf("the log holds a request's text:\n%s", logged.String())
	}
}

// routeFor is the route label of path in the refusal lines.
func routeFor(path string) string {
	path, _, _ = strings.Cut(path, "?")
	if path == "/v1/nope" {
		return "other"
	}
	return path
}
