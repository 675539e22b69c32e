package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/claimsvc/claims/server/internal/admit"
)

// TestAdmitCallsHoldsUnaryRoutesOnly checks which requests take a slot:
// each unary route called with its method, and nothing else (the stream,
// other methods, unknown paths, an escaped slash, the gateway's own
// pages), so that a full gate refuses only calls.
func TestAdmitCallsHoldsUnaryRoutesOnly(t *testing.T) {
	gate := admit.New(1, "--max-inflight-calls")
	slot, err := gate.Enter("") // the gate is full
	if err != nil {
		t.Fatal(err)
	}
	defer slot.Leave()
	var refused int
	h := admitCalls(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), gate, func(*http.Request) string { return "" }, func(error) { refused++ })
	for _, tt := range []struct {
		method, target string
		held           bool
	}{
		{"POST", "/v1/classify", true},
		{"POST", "/v1/train", true},
		{"POST", "/v1/forget", true},
		{"POST", "/v1/evaluate", true},
		{"GET", "/v1/model", true},
		{"HEAD", "/v1/model", true},
		{"POST", "/v1/classify:stream", false},
		{"GET", "/v1/classify", false},
		{"POST", "/v1/model", false},
		{"OPTIONS", "/v1/classify", false},
		{"POST", "/v1/nothing", false},
		{"POST", "/v1%2Fclassify", false},
		{"GET", "/healthz", false},
		{"GET", "/metrics", false},
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(`{}`))
		h.ServeHTTP(w, r)
		if got := w.Code == http.StatusTooManyRequests; got != tt.held {
			t.Errorf("%s %s with the gate full: got %d, want refused %v", tt.method, tt.target, w.Code, tt.held)
		}
		if tt.held && w.Header().Get("Retry-After") != "1" {
			t.Errorf("%s %s: got Retry-After %q, want 1", tt.method, tt.target, w.Header().Get("Retry-After"))
		}
	}
	if refused != 6 {
		t.Errorf("refusals counted: got %d, want 6", refused)
	}
	// With a slot free, the call is served and gives it back.
	slot.Leave()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/v1/classify", strings.NewReader(`{}`)))
	if w.Code != http.StatusNoContent || gate.InFlight() != 0 {
		t.Errorf("a call with a slot free: got %d and %d calls held, want 204 and 0", w.Code, gate.InFlight())
	}
}

// TestRefusedBodyFreesItsSlotFirst: a REST call refused for its body (413,
// 415, 400, 408) gives its slot back before the answer goes out, not after the rest
// of the body has been drained, so that the client's next call finds it
// free.
func TestRefusedBodyFreesItsSlotFirst(t *testing.T) {
	gate := admit.New(1, "--max-inflight-calls")
	h := admitCalls(limitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), Config{MaxBodyBytes: 1024, BodyReadTimeout: 300 * time.Millisecond}), gate, nil, nil)
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	for _, tt := range []struct {
		name     string
		body     io.Reader
		encoding string
		want     int
	}{
		{"too large", strings.NewReader(strings.Repeat("a", 4096)), "", http.StatusRequestEntityTooLarge},
		// A body that keeps coming: the drain would hold the slot for
		// its whole linger time.
		{"too large and still coming", io.MultiReader(strings.NewReader(strings.Repeat("a", 4096)), tricklingBody{}), "", http.StatusRequestEntityTooLarge},
		{"compressed", strings.NewReader(`{}`), "gzip", http.StatusUnsupportedMediaType},
		{"not JSON", strings.NewReader(`{"text": `), "", http.StatusBadRequest},
		{"too slow", tricklingBody{}, "", http.StatusRequestTimeout},
	} {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/classify", tt.body)
		if tt.encoding != "" {
			req.Header.Set("Content-Encoding", tt.encoding)
		}
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want || gate.InFlight() != 0 {
			t.Errorf("%s: got %d with %d calls held once answered, want %d and 0", tt.name, resp.StatusCode, gate.InFlight(), tt.want)
		}
	}
}

// tricklingBody sends a byte every 50 ms, for ever.
type tricklingBody struct{}

func (tricklingBody) Read(p []byte) (int, error) {
	time.Sleep(50 * time.Millisecond)
	p[0] = 'a'
	return 1, nil
}
