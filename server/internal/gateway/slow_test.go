package gateway_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/gateway"
)

// slowStreams answers each stream request after a delay.
type slowStreams struct {
	claimsv1.UnimplementedClaimServiceServer
	delay time.Duration
}

func (s slowStreams) ClassifyStream(stream grpc.BidiStreamingServer[claimsv1.ClassifyStreamRequest, claimsv1.ClassifyStreamResponse]) error {
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		time.Sleep(s.delay)
		if err := stream.Send(&claimsv1.ClassifyStreamResponse{Id: req.GetId()}); err != nil {
			return err
		}
	}
}

// TestRESTStreamSlowServer: the time the server takes over a request is
// not counted against the client's next one, over HTTP/1.1 and HTTP/2,
// whether the client waits for each result before sending on or has
// closed its body already.
func TestRESTStreamSlowServer(t *testing.T) {
	const delay, idle = 500 * time.Millisecond, 200 * time.Millisecond
	for _, h2 := range []bool{false, true} {
		srv := grpc.NewServer()
		claimsv1.RegisterClaimServiceServer(srv, slowStreams{delay: delay})
		h, err := gateway.New(context.Background(), apitest.Dial(t, srv), gateway.Config{
			MaxBodyBytes: 1 << 20, BodyReadTimeout: idle, Serving: func() bool { return true }, Metrics: prometheus.NewRegistry(),
		})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewUnstartedServer(h)
		hs.EnableHTTP2 = h2
		if h2 {
			hs.StartTLS()
		} else {
			hs.Start()
		}

		// One request, then the next as soon as its result is in.
		pr, pw := io.Pipe()
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/classify:stream", pr)
		go io.WriteString(pw, `{"id": "1", "text": "a"}`+"\n")
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(resp.Body)
		first, _ := br.ReadString('\n')
		io.WriteString(pw, `{"id": "2", "text": "b"}`+"\n")
		pw.Close()
		rest, _ := io.ReadAll(br)
		resp.Body.Close()
		if !strings.Contains(first, `"id":"1"`) || !strings.Contains(string(rest), `"id":"2"`) || strings.Contains(string(rest), "error") {
			t.Errorf("h2=%v, ping-pong: got %d %q then %q, want both results", h2, resp.StatusCode, first, rest)
		}

		// The whole body at once: the results come long after it ended.
		resp, err = hs.Client().Post(hs.URL+"/v1/classify:stream", "application/json",
			strings.NewReader(`{"id": "1", "text": "a"}`+"\n"+`{"id": "2", "text": "b"}`+"\n"+`{"id": "3", "text": "c"}`+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Count(string(b), `"result"`) != 3 || strings.Contains(string(b), "error") {
			t.Errorf("h2=%v, whole body: got %d %q, want three results", h2, resp.StatusCode, b)
		}
		hs.Close()
	}
}
