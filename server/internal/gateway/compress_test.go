package gateway_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/gateway"
)

// TestCompressedAnswers calls the gateway with and without
// Accept-Encoding: gzip. A long unary answer is sent compressed, and is
// the same answer once decompressed; a short one, an error, a HEAD, one
// the client does not accept compressed and the stream's are sent as they
// are; every unary answer says Vary: Accept-Encoding.
func TestCompressedAnswers(t *testing.T) {
	hs := httptest.NewServer(configuredHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{}))
	t.Cleanup(hs.Close)
	// No transparent decompression: the test reads what was sent.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	long := `{"text": "` + strings.Repeat("The ministry denied any role in the blast. ", 40) + `"}`
	short := `{"text": "The airport reopened."}`
	call := func(method, path, body, accept string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	_, plain := call("POST", "/v1/classify", long, "")
	resp, b := call("POST", "/v1/classify", long, "gzip, deflate")
	if cl := resp.Header.Get("Content-Length"); resp.Header.Get("Content-Encoding") != "gzip" || cl != "" && cl != strconv.Itoa(len(b)) || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("a long answer: got headers %v for %d bytes, want gzip, the compressed length if any, Vary: Accept-Encoding", resp.Header, len(b))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(plain) {
		t.Errorf("the answer decompressed differs from the plain one:\n%s\n%s", got, plain)
	}
	if len(b)*4 > len(plain) {
		t.Errorf("compressed %d bytes to %d, want at least a fourth off", len(plain), len(b))
	}
	for _, tt := range []struct {
		name, method, path, body, accept string
		status                           int
		vary                             bool
	}{
		{"a short answer", "POST", "/v1/classify", short, "gzip", http.StatusOK, true},
		{"gzip refused", "POST", "/v1/classify", long, "gzip;q=0, identity", http.StatusOK, true},
		{"no Accept-Encoding", "POST", "/v1/classify", long, "", http.StatusOK, true},
		{"an error", "POST", "/v1/classify", `{"text": ""}`, "gzip", http.StatusBadRequest, true},
		{"HEAD", "HEAD", "/v1/model", "", "gzip", http.StatusOK, true},
		{"the stream", "POST", "/v1/classify:stream", long + "\n" + long + "\n", "gzip", http.StatusOK, false},
		{"an unknown path", "POST", "/v1/nothing", long, "gzip", http.StatusNotFound, false},
	} {
		resp, b := call(tt.method, tt.path, tt.body, tt.accept)
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: got %d, Content-Encoding %q; want %d, none", tt.name, resp.StatusCode, resp.Header.Get("Content-Encoding"), tt.status)
		}
		if got := resp.Header.Get("Vary") == "Accept-Encoding"; got != tt.vary {
			t.Errorf("%s: got Vary %q, want Accept-Encoding: %v", tt.name, resp.Header.Get("Vary"), tt.vary)
		}
		if tt.method != "HEAD" && resp.Header.Get("Content-Length") != "" && resp.Header.Get("Content-Length") != strconv.Itoa(len(b)) {
			t.Errorf("%s: Content-Length %s for %d bytes", tt.name, resp.Header.Get("Content-Length"), len(b))
		}
	}
}

// BenchmarkLongAnswer serves a 40-sentence Classify through the gateway,
// in process, as it is and compressed: what gzip costs the server.
func BenchmarkLongAnswer(b *testing.B) {
	h := configuredHandler(b, miniModel(b), api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{})
	body := `{"text": "` + strings.Repeat("The ministry denied any role in the blast at the airport. ", 40) + `"}`
	for _, accept := range []string{"", "gzip"} {
		name := "plain"
		if accept != "" {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			var n int
			for b.Loop() {
				req := httptest.NewRequest("POST", "/v1/classify", strings.NewReader(body))
				req.Header.Set("Accept-Encoding", accept)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("got %d", w.Code)
				}
				n = w.Body.Len()
			}
			b.ReportMetric(float64(n), "answer-bytes")
		})
	}
}
