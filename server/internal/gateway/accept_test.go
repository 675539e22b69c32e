package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate, gzip;q=0.5"}, true},
		{[]string{"br", "gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.0"}, false},
		{[]string{"gzip;q=abc"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*, gzip;q=0"}, false}, // gzip named: * does not cover it
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"identity"}, false},
		{[]string{"br, deflate"}, false},
		{[]string{""}, false},
		{[]string{"gzipx"}, false},
		{[]string{"gzip;q=1"}, true},
		{[]string{"gzip;q=1.000"}, true},
		{[]string{"gzip;q=0.001"}, true},
		{[]string{"gzip;q=0.5"}, true},
		{[]string{"gzip;q=1.5"}, false},
		{[]string{"gzip;q=2"}, false},
		{[]string{"gzip;q=NaN"}, false},
		{[]string{"gzip;q=inf"}, false},
		{[]string{"gzip;q=1e-3"}, false},
		{[]string{"gzip;q=0.0001"}, false},
		{[]string{"gzip;q=.5"}, false},
		{[]string{"gzip, x-gzip;q=0"}, true}, // either spelling taken is enough
		{[]string{"x-gzip;q=0, gzip"}, true},
	} {
		if got := acceptsGzip(tt.values); got != tt.want {
			t.Errorf("acceptsGzip(%q): got %v, want %v", tt.values, got, tt.want)
		}
	}
}

// TestFlushBeforeWriteSendsPlain: a handler that flushes before it writes
// has sent its headers, so what it writes after goes out as it is, not
// compressed under headers that do not say so.
func TestFlushBeforeWriteSendsPlain(t *testing.T) {
	body := `{"text": "` + strings.Repeat("a", 2048) + `"}`
	h := compressCalls(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		http.NewResponseController(w).Flush()
		io.WriteString(w, body)
	}))
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/classify", strings.NewReader(`{}`))
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" || string(got) != body {
		t.Errorf("got Content-Encoding %q and %d bytes, want the body as it is", resp.Header.Get("Content-Encoding"), len(got))
	}
}
