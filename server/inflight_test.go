package main_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// metrics returns the server's /metrics page.
func metrics(t *testing.T, p *proc) string {
	t.Helper()
	resp, err := http.Get("http://" + p.httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// waitForMetric waits until the server's /metrics page has line.
func waitForMetric(t *testing.T, p *proc, line string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(metrics(t, p), line+"\n") {
		if time.Now().After(deadline) {
			t.Fatalf("/metrics never had %s", line)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// holdCall opens a Classify call on conn that never sends its message,
// so that it holds its slot among the calls in flight until the returned
// func cancels it.
func holdCall(t *testing.T, conn *grpc.ClientConn) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(ctxT(t))
	if _, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, "/claims.v1.ClaimService/Classify"); err != nil {
		cancel()
		t.Fatal(err)
	}
	return cancel
}

// TestInflightCallLimit holds the two unary calls CLAIMS_MAX_INFLIGHT_CALLS
// lets the server hold, by opening Classify calls that never send their
// message, and checks that one more is refused at once, over gRPC and
// REST, with RESOURCE_EXHAUSTED (429), the limit named as the operator set
// it and a retry delay; that health checks and ClassifyStream are not
// held; that the refusals are counted and logged; and that a slot given
// back serves calls again, each free before its call's answer is sent.
func TestInflightCallLimit(t *testing.T) {
	server, _ := binaries(t)
	t.Setenv("CLAIMS_MAX_INFLIGHT_CALLS", "2")
	p := startServer(t, server)
	conn := grpcConn(t, p.grpcAddr)
	first := holdCall(t, conn)
	defer first()
	defer holdCall(t, conn)()
	waitForMetric(t, p, "claims_inflight_calls 2")

	const msg = "2 calls are in progress, the server's limit (CLAIMS_MAX_INFLIGHT_CALLS): retry in a moment"
	gc := claimsv1.NewClaimServiceClient(conn)
	_, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "Officials blamed the rebels."})
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted || st.Message() != msg {
		t.Errorf("gRPC Classify past the limit: got %v %q, want ResourceExhausted %q", st.Code(), st.Message(), msg)
	}
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if delay != time.Second {
		t.Errorf("gRPC refusal's RetryInfo: got %v, want 1s", delay)
	}

	for _, tt := range []struct{ method, path, body string }{
		{http.MethodPost, "/v1/classify", `{"text": "Officials blamed the rebels."}`},
		{http.MethodGet, "/v1/model", ""},
	} {
		req, _ := http.NewRequest(tt.method, "http://"+p.httpAddr+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got struct {
			Code    int
			Message string
			Details []struct {
				Type       string `json:"@type"`
				RetryDelay string
			}
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("%s %s: body %q: %v", tt.method, tt.path, body, err)
		}
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s past the limit: got %d, Retry-After %q, X-Request-Id %q; want 429, 1 and an ID", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("X-Request-Id"))
		}
		if got.Code != int(codes.ResourceExhausted) || got.Message != msg || len(got.Details) != 1 || got.Details[0].Type != "type.googleapis.com/google.rpc.RetryInfo" || got.Details[0].RetryDelay != "1s" {
			t.Errorf("%s %s past the limit: got body %s, want code 8, %q and a RetryInfo of 1s", tt.method, tt.path, body, msg)
		}
	}

	// Health checks and streams are not held.
	if r, err := healthpb.NewHealthClient(conn).Check(ctxT(t), &healthpb.HealthCheckRequest{}); err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health check with the gate full: got %v, %v; want SERVING", r, err)
	}
	stream, err := gc.ClassifyStream(ctxT(t))
	if err == nil {
		err = stream.Send(&claimsv1.ClassifyStreamRequest{Text: "The airport reopened."})
	}
	if err == nil {
		_, err = stream.Recv()
	}
	if err != nil {
		t.Errorf("ClassifyStream with the gate full: %v", err)
	}

	waitForMetric(t, p, `claims_inflight_refused_total{bound="server",transport="grpc"} 1`)
	waitForMetric(t, p, `claims_inflight_refused_total{bound="server",transport="rest"} 2`)
	waitForMetric(t, p, `claims_http_requests_total{code="429",route="/v1/classify"} 1`)
	waitForLog(t, p, `"msg":"calls refused: the server holds as many calls at once as CLAIMS_MAX_INFLIGHT_CALLS lets it","refused":1,"max_inflight_calls":2`)

	// One call ends: its slot serves calls again once the server has seen
	// the end.
	first()
	waitForMetric(t, p, "claims_inflight_calls 1")
	// A client that sends its next call once it has the answer to the one
	// before never finds the slot taken.
	for i := range 50 {
		if _, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "The airport reopened."}); err != nil {
			t.Fatalf("gRPC call %d with one slot free: %v", i, err)
		}
		resp, err := http.Post("http://"+p.httpAddr+"/v1/classify", "application/json", strings.NewReader(`{"text": "The airport reopened."}`))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("REST call %d with one slot free: got %d, want 200", i, resp.StatusCode)
		}
	}
}

// TestInflightCallsPerClient holds the two calls
// --max-inflight-calls-per-client lets one client hold, each on a
// connection of its own, and checks that the client's next call is
// refused on any connection, over gRPC and REST (the same address, any
// port), with the bound named, while clients a trusted proxy names are
// served; that the refusals are counted under bound="client" and logged
// with the client; and that a call ended frees its slot.
func TestInflightCallsPerClient(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--max-inflight-calls-per-client", "2", "--trusted-proxies", "127.0.0.1")
	first := holdCall(t, grpcConn(t, p.grpcAddr))
	defer first()
	defer holdCall(t, grpcConn(t, p.grpcAddr))()
	waitForMetric(t, p, "claims_inflight_calls 2")
	waitForLog(t, p, `"max_classify_streams_per_conn":16,"max_inflight_calls":128,"max_inflight_calls_per_client":2,`)

	const msg = "2 calls from this client are in progress, the server's limit for one client (--max-inflight-calls-per-client): retry in a moment"
	gc := claimsv1.NewClaimServiceClient(grpcConn(t, p.grpcAddr))
	_, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "Officials blamed the rebels."})
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || st.Message() != msg {
		t.Errorf("gRPC Classify of the client past its bound: got %v %q, want ResourceExhausted %q", st.Code(), st.Message(), msg)
	}
	post := func(forwardedFor string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+p.httpAddr+"/v1/classify", strings.NewReader(`{"text": "Officials blamed the rebels."}`))
		if forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", forwardedFor)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := post(""); code != http.StatusTooManyRequests || !strings.Contains(body, msg) {
		t.Errorf("REST call of the client past its bound: got %d %s, want 429 and %q", code, body, msg)
	}
	// Other clients, named by the trusted proxy, are served.
	ctx := metadata.AppendToOutgoingContext(ctxT(t), "x-forwarded-for", "198.51.100.9")
	if _, err := gc.Classify(ctx, &claimsv1.ClassifyRequest{Text: "Officials blamed the rebels."}); err != nil {
		t.Errorf("gRPC Classify of another client: %v", err)
	}
	if code, body := post("198.51.100.10"); code != http.StatusOK {
		t.Errorf("REST call of another client: got %d %s, want 200", code, body)
	}
	waitForMetric(t, p, `claims_inflight_refused_total{bound="client",transport="grpc"} 1`)
	waitForMetric(t, p, `claims_inflight_refused_total{bound="client",transport="rest"} 1`)
	waitForLog(t, p, `"msg":"calls refused: a client holds as many calls at once as --max-inflight-calls-per-client lets one","refused":1,"max_inflight_calls_per_client":2,"last_client":"127.0.0.1"`)

	first()
	waitForMetric(t, p, "claims_inflight_calls 1")
	if _, err := gc.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "The airport reopened."}); err != nil {
		t.Errorf("the client's call after one of its calls ended: %v", err)
	}
}

// TestInflightSlotOfAFailedReceive: with one slot, calls whose message
// cannot be received (undecodable, or over the size limit) give their
// slot back: grpc sends their error itself, as it receives, and the slot
// is free a moment later (the client's next call may find it taken, and
// the bundled client then waits and sends it again), so that after them
// the server holds no call and serves the next.
func TestInflightSlotOfAFailedReceive(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--max-inflight-calls", "1", "--max-grpc-receive-bytes", "1000", "--access-log=false")
	conn := grpcConn(t, p.grpcAddr)
	for i := range 200 {
		// A field 1 (text) that claims 5 bytes and holds one; then a text
		// over the receive limit.
		err := conn.Invoke(ctxT(t), "/claims.v1.ClaimService/Classify", rawMessage{0x0a, 0x05, 'a'}, new(claimsv1.ClassifyResponse), grpc.ForceCodecV2(rawCodec{}))
		if c := status.Code(err); c != codes.Internal && c != codes.ResourceExhausted {
			t.Fatalf("round %d, undecodable call: got %v, want INTERNAL (or refused)", i, err)
		}
		_, err = claimsv1.NewClaimServiceClient(conn).Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: strings.Repeat("a", 3000)})
		if st := status.Convert(err); st.Code() != codes.ResourceExhausted {
			t.Fatalf("round %d, call over the limit: got %v, want RESOURCE_EXHAUSTED", i, err)
		} else if i == 0 && !strings.Contains(st.Message(), "larger than max") {
			t.Fatalf("call over the limit: got %q, want grpc's message about its size", st.Message())
		}
	}
	waitForMetric(t, p, "claims_inflight_calls 0")
	if _, err := claimsv1.NewClaimServiceClient(conn).GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Errorf("a call after them: %v", err)
	}
}

// TestInflightStreamsPerConnection: with --max-concurrent-streams below
// --max-inflight-calls, a connection that holds its streams makes its
// next call wait for one, not take a slot or be refused, and another
// connection is served.
func TestInflightStreamsPerConnection(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--max-concurrent-streams", "2", "--max-inflight-calls", "4")
	greedy := grpcConn(t, p.grpcAddr)
	for range 2 {
		defer holdCall(t, greedy)()
	}
	waitForMetric(t, p, "claims_inflight_calls 2")
	ctx, cancel := context.WithTimeout(ctxT(t), 500*time.Millisecond)
	defer cancel()
	_, err := claimsv1.NewClaimServiceClient(greedy).GetModel(ctx, &claimsv1.GetModelRequest{})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("a third call on the connection: got %v, want it to wait for a stream (DEADLINE_EXCEEDED)", err)
	}
	if got := metrics(t, p); !strings.Contains(got, "claims_inflight_calls 2\n") {
		t.Errorf("the waiting call took a slot")
	}
	if _, err := claimsv1.NewClaimServiceClient(grpcConn(t, p.grpcAddr)).GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Errorf("a call on another connection: %v", err)
	}
}

// TestStreamsNotBelowInflightWarns: a server whose connections, or one
// of whose clients, may hold as many calls as the whole gate says so at
// start.
func TestStreamsNotBelowInflightWarns(t *testing.T) {
	server, _ := binaries(t)
	p := startServer(t, server, "--max-concurrent-streams", "200", "--max-inflight-calls-per-client", "128")
	waitForLog(t, p, `"msg":"--max-inflight-calls-per-client is not below --max-inflight-calls: one client can hold every slot and leave other clients refused","max_inflight_calls_per_client":128,"max_inflight_calls":128`)
	waitForLog(t, p, `"msg":"--max-concurrent-streams is not below --max-inflight-calls: one connection (gRPC, or REST over HTTP/2) can hold every slot and leave other clients refused","max_concurrent_streams":200,"max_inflight_calls":128`)
}
