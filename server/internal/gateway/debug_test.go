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
	h := gateway.Debug("")
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

// TestDebugHostName gives the debug handler the host name its listener was
// given: that name is answered too, in any case and with any port, and
// other names still get 421.
func TestDebugHostName(t *testing.T) {
	h := gateway.Debug("MyHost.")
	for _, tt := range []struct {
		host   string
		status int
	}{
		{"myhost:6060", http.StatusOK},
		{"MYHOST", http.StatusOK},
		{"myhost.:6060", http.StatusOK},
		{"127.0.0.1:6060", http.StatusOK},
		{"evil.example:6060", http.StatusMisdirectedRequest},
		{"myhost.evil.example", http.StatusMisdirectedRequest},
	} {
		rec := record(h, "GET", tt.host, "/debug/pprof/cmdline", "", nil)
		if rec.Code != tt.status {
			t.Errorf("Host %s: got %d, want %d", tt.host, rec.Code, tt.status)
		}
		if tt.status != http.StatusOK {
			checkError(t, tt.host, rec.Code, rec.Body.Bytes(), tt.status, codes.PermissionDenied, "answers only requests for localhost, 127.0.0.1, [::1] or myhost")
		}
	}
}
