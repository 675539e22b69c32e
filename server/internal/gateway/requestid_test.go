package gateway_test

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/gateway"
)

// TestRESTRequestIDsAndProxies calls the gateway, unary routes in process
// and the stream over gRPC as the server does, from 127.0.0.1, which it
// trusts as a proxy. Every answer has one X-Request-Id, the client's own
// if valid, refusals before any RPC included; each call's access log line
// has the same ID and the client X-Forwarded-For names, and no header a
// client sends sets either in the gateway's place.
func TestRESTRequestIDsAndProxies(t *testing.T) {
	hs, logs := loggedGateway(t)

	const text = `{"text": "Rebels blamed for the blast."}`
	for _, tt := range []struct {
		name         string
		method, path string
		body         string
		header       map[string]string
		status       int
		wantID       string // "" for a new one
		method2      string // the RPC logged, "" for none
		wantPeer     string // "" for the connection's address
	}{
		{"an ID kept, a client forwarded", "POST", "/v1/classify", text, map[string]string{"X-Request-Id": "rest-1", "X-Forwarded-For": "198.51.100.3"}, 200, "rest-1", "Classify", "198.51.100.3"},
		{"no ID", "GET", "/v1/model", "", nil, 200, "", "GetModel", ""},
		{"a stream", "POST", "/v1/classify:stream", text, map[string]string{"X-Request-Id": "rest-2", "X-Forwarded-For": "203.0.113.1, 198.51.100.4"}, 200, "rest-2", "ClassifyStream", "198.51.100.4"},
		{"an unknown path", "GET", "/nope", "", map[string]string{"X-Request-Id": "rest-3"}, 404, "rest-3", "", ""},
		{"a body too large", "POST", "/v1/classify", `{"text": "` + strings.Repeat("a", 2<<10) + `"}`, map[string]string{"X-Request-Id": "rest-4"}, 413, "rest-4", "", ""},
		{"an ID not valid, one in metadata", "POST", "/v1/classify", text, map[string]string{"X-Request-Id": "bad id", "Grpc-Metadata-X-Request-Id": "spoof", "Grpc-Metadata-X-Claims-Rest-Peer": "192.0.2.1:1"}, 200, "", "Classify", ""},
		{"health", "GET", "/healthz", "", nil, 200, "", "", ""},
	} {
		before := len(logs.String())
		req, err := http.NewRequest(tt.method, hs.URL+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ids := resp.Header.Values("X-Request-Id")
		if resp.StatusCode != tt.status || len(ids) != 1 || tt.wantID != "" && ids[0] != tt.wantID || tt.wantID == "" && len(ids[0]) != 26 {
			t.Errorf("%s: got %d, X-Request-Id %q; want %d, one ID %q (or a new one if empty)", tt.name, resp.StatusCode, ids, tt.status, tt.wantID)
			continue
		}
		// The client has the answer's headers before the RPC's line is
		// written (the stream's body is not read): wait for the line of
		// a call, so that it cannot turn up under the next case.
		type line struct{ Method, Peer, ID string }
		lines := apitest.RPCLines(logs.String()[before:])
		if tt.method2 != "" {
			lines = logs.WaitRPCLines(before)
		}
		var got []line
		for _, l := range lines {
			got = append(got, line{l.Method, l.Peer, l.XRequestID})
		}
		if tt.method2 == "" {
			if len(got) != 0 {
				t.Errorf("%s: logged %+v, want no call", tt.name, got)
			}
			continue
		}
		wantPeer := tt.wantPeer
		if len(got) == 1 && wantPeer == "" {
			if !strings.HasPrefix(got[0].Peer, "127.0.0.1:") {
				t.Errorf("%s: peer %q, want the connection's 127.0.0.1 address", tt.name, got[0].Peer)
			}
			wantPeer = got[0].Peer
		}
		if want := (line{tt.method2, wantPeer, ids[0]}); len(got) != 1 || got[0] != want {
			t.Errorf("%s: logged %+v, want %+v", tt.name, got, want)
		}
	}
}

// loggedGateway returns a gateway server as the server runs it (unary
// routes in process, the stream over gRPC), which trusts 127.0.0.1 as a
// proxy, and the JSON log its calls are written to.
func loggedGateway(t *testing.T) (*httptest.Server, *apitest.LogBuffer) {
	logs := &apitest.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	model := miniModel(t)
	limits := api.DefaultLimits()
	limits.MaxHTTPBodyBytes = 1 << 10
	svc := api.NewService(model, limits, "test", nil, log)
	unary, stream := api.Interceptors(api.Auth{Open: true}, limits.CallTimeout, api.Observer{Log: log, Transport: api.REST})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream))
	claimsv1.RegisterClaimServiceServer(srv, svc)
	conn := apitest.Dial(t, srv, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32)))
	proxies, err := api.ParseProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	h, err := gateway.New(context.Background(), conn, gateway.Config{
		MaxBodyBytes: limits.MaxHTTPBodyBytes, TrustedProxies: proxies, Serving: func() bool { return true },
		Local: &gateway.Local{Server: svc, Interceptor: unary},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs, logs
}

// TestRESTTraceContext sends W3C traceparent headers: a call with one
// valid header has its trace ID in its access log line, over the unary
// routes and the stream; none, several, one that is not valid, or one
// sent as Grpc-Metadata-Traceparent, gives none.
func TestRESTTraceContext(t *testing.T) {
	hs, logs := loggedGateway(t)
	const (
		valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		trace = "4bf92f3577b34da6a3ce929d0e0e4736"
		text  = `{"text": "Rebels blamed for the blast."}`
	)
	for _, tt := range []struct {
		name   string
		path   string
		header http.Header
		want   string
	}{
		{"one valid", "/v1/classify", http.Header{"Traceparent": {valid}}, trace},
		{"a stream", "/v1/classify:stream", http.Header{"Traceparent": {valid}}, trace},
		{"none", "/v1/classify", nil, ""},
		{"two", "/v1/classify", http.Header{"Traceparent": {valid, valid}}, ""},
		{"upper-case hex", "/v1/classify", http.Header{"Traceparent": {strings.ToUpper(valid)}}, ""},
		{"in grpc metadata", "/v1/classify", http.Header{"Grpc-Metadata-Traceparent": {valid}}, ""},
		{"not ASCII, on the stream route", "/v1/classify:stream", http.Header{"Traceparent": {"café"}}, ""},
		{"a tab, on the stream route", "/v1/classify:stream", http.Header{"Traceparent": {"00-\t"}}, ""},
		{"a later version with a tab after, on the stream route", "/v1/classify:stream", http.Header{"Traceparent": {"01" + valid[2:] + "-\tx"}}, trace},
		{"a later version with non-ASCII after, on the stream route", "/v1/classify:stream", http.Header{"Traceparent": {"01" + valid[2:] + "-café"}}, trace},
		{"a later version with 65,000 bytes after, on the stream route", "/v1/classify:stream", http.Header{"Traceparent": {"01" + valid[2:] + "-" + strings.Repeat("a", 65000)}}, trace},
	} {
		before := len(logs.String())
		req, _ := http.NewRequest("POST", hs.URL+tt.path, strings.NewReader(text))
		for k, vs := range tt.header {
			req.Header[k] = vs
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: got %d, want 200", tt.name, resp.StatusCode)
			continue
		}
		lines := logs.WaitRPCLines(before)
		if len(lines) != 1 || lines[0].TraceID != tt.want {
			t.Errorf("%s: logged %+v, want one line with trace_id %q", tt.name, lines, tt.want)
		}
	}
}
