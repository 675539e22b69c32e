package gateway_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestCompressedAnswerClientThatDoesNotRead: a compressed answer to a
// client that stops reading is cut short at the send timeout, as a plain
// one is: the timeout bounds the compressed bytes' writes.
func TestCompressedAnswerClientThatDoesNotRead(t *testing.T) {
	limits := api.DefaultLimits()
	limits.MaxTextBytes, limits.MaxSentences, limits.MaxHTTPBodyBytes = 4<<20, 100000, 8<<20
	cut := make(chan struct{}, 1)
	conn := smallBufferConn(t, configuredHandler(t, miniModel(t), limits, api.Auth{Open: true}, gateway.Config{
		SendTimeout:   200 * time.Millisecond,
		OnSendTimeout: func() { cut <- struct{}{} },
	}), 4<<10)
	// Sentences of words in random order, whose answers (features and
	// probabilities) compress far less than one sentence repeated.
	words := strings.Fields("the ministry denied any role in blast at airport police said rebels claimed attack warned of more strikes leaders sent condolences to families army blamed group for bombing officials rejected accusation")
	rng := rand.New(rand.NewPCG(1, 2))
	var text strings.Builder
	for range 20000 {
		for range 8 {
			text.WriteString(words[rng.IntN(len(words))])
			text.WriteByte(' ')
		}
		text.WriteString(". ")
	}
	req, _ := json.Marshal(map[string]any{"text": text.String(), "explain": 5})
	fmt.Fprintf(conn, "POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s", len(req), req)
	select {
	case <-cut:
	case <-time.After(30 * time.Second):
		t.Fatal("the compressed answer to a client that does not read was never cut short")
	}
	// What did arrive was the compressed answer's beginning.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	head := make([]byte, 4<<10)
	n, _ := io.ReadAtLeast(conn, head, 1)
	if !strings.Contains(string(head[:n]), "Content-Encoding: gzip") {
		t.Errorf("the answer's head %q: want it compressed", head[:min(n, 300)])
	}
}
