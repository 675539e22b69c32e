package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/claimsvc/claims/server/internal/gateway"
)

// TestDebug calls the debug listener's handler: the runtime's profiles for
// a loopback Host, 421 for any other (DNS rebinding), the JSON 404 off
// /debug/pprof/.
func TestDebug(t *testing.T) {
	h := gateway.Debug()
	for _, tt := range []struct {
		name, host, path string
		status           int
		body             string // contained, for a success
	}{
		{"index", "127.0.0.1:6060", "/debug/pprof/", http.StatusOK, "goroutine"},
		{"goroutines", "localhost:6060", "/debug/pprof/goroutine?debug=1", http.StatusOK, "goroutine profile: total"},
		{"heap", "[::1]:6060", "/debug/pprof/heap?debug=1", http.StatusOK, "heap profile"},
		{"cmdline", "127.0.0.1:6060", "/debug/pprof/cmdline", http.StatusOK, ""},
		{"unknown profile", "127.0.0.1:6060", "/debug/pprof/nope", http.StatusNotFound, "Unknown profile"},
		{"rebound name", "evil.example:6060", "/debug/pprof/", http.StatusMisdirectedRequest, ""},
		{"other path", "127.0.0.1:6060", "/metrics", http.StatusNotFound, ""},
		{"unclean", "127.0.0.1:6060", "/debug//pprof/", http.StatusNotFound, ""},
	} {
		rec := record(h, "GET", tt.host, tt.path, "", nil)
		switch tt.status {
		case http.StatusMisdirectedRequest:
			checkError(t, tt.name, rec.Code, rec.Body.Bytes(), tt.status, codes.PermissionDenied, "is not a loopback name")
		case http.StatusNotFound:
			if tt.body == "" {
				checkError(t, tt.name, rec.Code, rec.Body.Bytes(), tt.status, codes.NotFound, "Not Found")
				continue
			}
			fallthrough
		default:
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("%s: got %d %.80q, want %d containing %q", tt.name, rec.Code, rec.Body.String(), tt.status, tt.body)
			}
		}
	}
}

// TestDebugRefusesPages checks that the debug listener serves the address
// bar and its own index page's links, but not a request a page of
// another site made the browser send, and that its answers say nosniff.
func TestDebugRefusesPages(t *testing.T) {
	h := gateway.Debug()
	for _, tt := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"a tool (no browser headers)", nil, http.StatusOK},
		{"the address bar", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusOK},
		{"the index page's link", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"another site's page", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"a same-site page", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"an older browser's cross-origin request", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
	} {
		rec := record(h, "GET", "127.0.0.1:6060", "/debug/pprof/cmdline", "", tt.header)
		if tt.status == http.StatusForbidden {
			checkError(t, tt.name, rec.Code, rec.Body.Bytes(), tt.status, codes.PermissionDenied, "request from a web page refused")
		} else if rec.Code != tt.status {
			t.Errorf("%s: got %d, want %d", tt.name, rec.Code, tt.status)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: got X-Content-Type-Options %q, want nosniff", tt.name, got)
		}
	}
}
