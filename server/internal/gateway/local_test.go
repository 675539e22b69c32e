package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/gateway"
)

// twoGateways serves the same service through a gateway that forwards over
// a gRPC connection and through one that calls it in process (Local), with
// the given limits, and returns both URLs.
func twoGateways(t *testing.T, auth api.Auth, limits api.Limits) (remote, local string) {
	t.Helper()
	model := miniModel(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := api.NewService(model, limits, "test", nil, log)
	unary, stream := api.Interceptors(auth, limits.CallTimeout, api.Observer{Log: log, Transport: api.REST})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream), grpc.MaxRecvMsgSize(limits.MaxGRPCReceiveBytes))
	claimsv1.RegisterClaimServiceServer(srv, svc)
	conn := apitest.Dial(t, srv,
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32), grpc.MaxCallSendMsgSize(limits.MaxGRPCReceiveBytes))) // as the server's
	serve := func(l *gateway.Local) string {
		h, err := gateway.New(context.Background(), conn, gateway.Config{
			MaxBodyBytes: limits.MaxHTTPBodyBytes, Serving: func() bool { return true }, Local: l,
		})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(h)
		t.Cleanup(hs.Close)
		return hs.URL
	}
	return serve(nil), serve(&gateway.Local{
		Server: svc, Interceptor: unary,
		MaxRequestBytes: limits.MaxGRPCReceiveBytes,
	})
}

func call(t *testing.T, method, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestLocalMatchesRemote checks that serving the unary routes in process
// answers exactly as forwarding them over gRPC does, errors included.
func TestLocalMatchesRemote(t *testing.T) {
	limits := api.DefaultLimits()
	limits.MaxGRPCReceiveBytes = 4 << 10 // smaller than the body limit, to reach it
	limits.MaxHTTPBodyBytes = 64 << 10
	limits.MaxTextBytes = 32 << 10
	limits.MaxSentences = 10000
	remote, local := twoGateways(t, api.Auth{Token: "s3cret"}, limits)
	big := strings.Repeat("word ", 1200)
	many := `{"text": "` + strings.Repeat("Rebels blamed. ", 200) + `"}`
	cases := []struct {
		method, path, body string
		header             map[string]string
	}{
		{"POST", "/v1/classify", `{"text": "Rebels blamed for the blast. The ministry denied any role.", "explain": 2}`, nil},
		{"POST", "/v1/classify", `{"sentences": ["the airport reopened", "rebels blamed"]}`, nil},
		{"POST", "/v1/classify", `{}`, nil},
		{"POST", "/v1/classify", `{"text": "a", "sentences": ["b"]}`, nil},
		{"POST", "/v1/classify", `{"text": "bad \u0001 char"}`, nil},
		{"POST", "/v1/classify", `{"text": "x", "explain": 99}`, nil},
		{"POST", "/v1/classify", `{"text": "` + big + `"}`, nil}, // request over the gRPC limit
		{"POST", "/v1/classify", many, nil},                      // answer over the gRPC limit: no limit on answers
		{"POST", "/v1/classify", `{"nope": 1}`, nil},
		{"GET", "/v1/model", ``, nil},
		{"POST", "/v1/evaluate", `{"examples": [{"text": "rebels blamed", "label": "attribution"}]}`, nil},
		{"POST", "/v1/train", `{"examples": [{"text": "zebras escaped", "label": "other"}]}`, nil},
		{"POST", "/v1/train", `{"examples": [{"text": "zebras escaped", "label": "other"}]}`, map[string]string{"Authorization": "Bearer nope"}},
		{"POST", "/v1/forget", `{"examples": [{"text": "never seen", "label": "other"}]}`, map[string]string{"Authorization": "Bearer s3cret"}},
	}
	for _, c := range cases {
		rs, rb := call(t, c.method, remote+c.path, c.body, c.header)
		ls, lb := call(t, c.method, local+c.path, c.body, c.header)
		if rs != ls || rb != lb {
			t.Errorf("%s %s %.60s:\nremote %d %s\nlocal  %d %s", c.method, c.path, c.body, rs, rb, ls, lb)
		}
	}
	// A request over the gRPC limit is the client's to shrink: 413, not
	// grpc-gateway's 429 for RESOURCE_EXHAUSTED, which says "try again
	// later".
	for _, u := range []string{remote, local} {
		st, b := call(t, "POST", u+"/v1/classify", `{"text": "`+big+`"}`, nil)
		var e errorBody
		if json.Unmarshal([]byte(b), &e); st != http.StatusRequestEntityTooLarge || e.Code != int(codes.ResourceExhausted) {
			t.Errorf("request over the gRPC limit: got %d %s, want 413 with RESOURCE_EXHAUSTED", st, b)
		}
	}
	// A change through one is seen through the other: both serve one model.
	auth := map[string]string{"Authorization": "Bearer s3cret"}
	if st, b := call(t, "POST", local+"/v1/train", `{"examples": [{"text": "quokkas escaped", "label": "other"}]}`, auth); st != http.StatusOK {
		t.Fatalf("train through the local gateway: %d %s", st, b)
	}
	_, rb := call(t, "GET", remote+"/v1/model", "", nil)
	_, lb := call(t, "GET", local+"/v1/model", "", nil)
	if rb != lb || !strings.Contains(rb, `"version":"2"`) && !strings.Contains(rb, `"version": "2"`) {
		t.Errorf("model after train:\nremote %s\nlocal  %s", rb, lb)
	}
	// The stream route still works through the local gateway.
	st, b := call(t, "POST", local+"/v1/classify:stream", `{"id": "a", "text": "rebels blamed"}`+"\n"+`{"id": "b", "sentences": ["the airport reopened"]}`, nil)
	if st != http.StatusOK || !strings.Contains(b, "attribution") || !strings.Contains(b, "other") {
		t.Errorf("stream through the local gateway: %d %s", st, b)
	}
}
