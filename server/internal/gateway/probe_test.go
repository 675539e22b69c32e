package gateway_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/claimsvc/claims/server/internal/gateway"
)

// TestProbe calls the probe listener's handler: /healthz as the HTTP
// listener answers it, following the serving status, and the same JSON
// 405 and 404 for everything else, with no route of the API; every answer
// has a request ID.
func TestProbe(t *testing.T) {
	var down atomic.Bool
	h := gateway.Probe(func() bool { return !down.Load() })
	for _, tt := range []struct {
		name         string
		down         bool
		method, path string
		status       int
		body         string // the whole body, for a success
		code         codes.Code
	}{
		{"serving", false, "GET", "/healthz", http.StatusOK, `{"status":"SERVING"}` + "\n", codes.OK},
		// The recorder keeps the body, which net/http drops from a HEAD.
		{"head", false, "HEAD", "/healthz", http.StatusOK, `{"status":"SERVING"}` + "\n", codes.OK},
		{"not serving", true, "GET", "/healthz", http.StatusServiceUnavailable, `{"status":"NOT_SERVING"}` + "\n", codes.OK},
		{"post", false, "POST", "/healthz", http.StatusMethodNotAllowed, "", codes.Unimplemented},
		{"api route", false, "GET", "/v1/model", http.StatusNotFound, "", codes.NotFound},
		{"metrics", false, "GET", "/metrics", http.StatusNotFound, "", codes.NotFound},
		{"root", false, "GET", "/", http.StatusNotFound, "", codes.NotFound},
		{"unclean", false, "GET", "//healthz", http.StatusNotFound, "", codes.NotFound},
		{"below", false, "GET", "/healthz/x", http.StatusNotFound, "", codes.NotFound},
	} {
		down.Store(tt.down)
		rec := record(h, tt.method, "probe.example:9090", tt.path, `{"a": 1}`, nil)
		if id := rec.Header().Values("X-Request-Id"); len(id) != 1 || len(id[0]) != 26 {
			t.Errorf("%s: got X-Request-Id %q, want one new ID", tt.name, id)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: got X-Content-Type-Options %q, want nosniff", tt.name, got)
		}
		if tt.code != codes.OK {
			checkError(t, tt.name, rec.Code, rec.Body.Bytes(), tt.status, tt.code, "")
			continue
		}
		if rec.Code != tt.status || rec.Body.String() != tt.body {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, rec.Code, rec.Body.String(), tt.status, tt.body)
		}
		if got := rec.Header().Get("Content-Type"); got != "application/json" {
			t.Errorf("%s: got Content-Type %q, want application/json", tt.name, got)
		}
	}
	if rec := record(h, "POST", "", "/healthz", "", nil); rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /healthz: got Allow %q, want GET, HEAD", rec.Header().Get("Allow"))
	}
}

// TestProbeIgnoresBodies sends the probe listener requests that declare a
// body and send none, on its route and on a path of the API: each is
// answered at once, without waiting for the body.
func TestProbeIgnoresBodies(t *testing.T) {
	srv := httptest.NewUnstartedServer(gateway.Probe(func() bool { return true }))
	srv.Config.DisableGeneralOptionsHandler = true // as the server runs it
	srv.Start()
	defer srv.Close()
	for _, line := range []string{"POST /v1/classify", "POST /healthz", "GET /healthz", "OPTIONS *"} {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "%s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", line)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("%s with a body that never comes: %v, want an answer at once", line, err)
		} else {
			resp.Body.Close()
			if line == "OPTIONS *" && resp.StatusCode != http.StatusOK {
				t.Errorf("OPTIONS *: got %d, want 200", resp.StatusCode)
			}
		}
		c.Close()
	}
}
