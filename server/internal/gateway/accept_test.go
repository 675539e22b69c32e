package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// FuzzAcceptsGzip checks that any Accept-Encoding header is read without
// a panic, that one header and the same list split over several headers
// read alike (RFC 9110 makes them one list), and that a qvalue taken as
// above 0 is a number in (0, 1].
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*;q=0.5, gzip;q=0", "x-gzip;q=1.000, br", "deflate, *", "gzip;q=0.0001", "GZIP ; Q=0.001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		one := acceptsGzip([]string{header})
		if split := acceptsGzip(strings.Split(header, ",")); split != one {
			t.Fatalf("%q: got %v as one header, %v split over headers; want the same", header, one, split)
		}
		for part := range strings.SplitSeq(header, ",") {
			for _, p := range strings.Split(part, ";") {
				k, q, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") || !positiveQ(strings.TrimSpace(q)) {
					continue
				}
				if v, err := strconv.ParseFloat(strings.TrimSpace(q), 64); err != nil || v <= 0 || v > 1 {
					t.Fatalf("qvalue %q: taken as above 0, want a number in (0, 1]", q)
				}
			}
		}
	})
}
