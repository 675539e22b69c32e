package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/gateway"
)

// record sends one request to h and returns the recorded answer. host, if
// not empty, is the request's Host (else 127.0.0.1:8080).
func record(h http.Handler, method, host, path, body string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = "127.0.0.1:8080"
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestCrossOrigin: a browser request from another origin that may change
// state is refused with 403 and the model is unchanged, unless the origin
// is trusted through CORS; requests that are not cross-origin, or not
// from a browser (no Origin, no Sec-Fetch-Site, as curl sends them), are
// served.
func TestCrossOrigin(t *testing.T) {
	const (
		replace = `{"replace":true,"examples":[{"text":"pwned","label":"a"},{"text":"=x","label":"b"}]}`
		train   = `{"examples": [{"text": "zebras escaped", "label": "other"}]}`
		denied  = "cross-origin request"
	)
	crossSite := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"}
	tests := []struct {
		name   string
		cors   []string
		method string
		path   string
		body   string
		header map[string]string
		status int
		msg    string // for a refusal
	}{
		{"cross-site text/plain replace", nil, "POST", "/v1/train", replace, crossSite, 403, `cross-origin request from "https://evil.example" refused`},
		{"cross-site form forget", nil, "POST", "/v1/forget", train, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, 403, denied},
		{"cross-site classify", nil, "POST", "/v1/classify", `{"text": "a"}`, crossSite, 403, denied},
		{"cross-site stream", nil, "POST", "/v1/classify:stream", `{"text": "a"}`, crossSite, 403, denied},
		{"same-site other port", nil, "POST", "/v1/train", replace, map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, 403, denied},
		{"Sec-Fetch-Site without Origin", nil, "POST", "/v1/train", replace, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "cross-origin request refused"},
		{"old browser: Origin is not Host", nil, "POST", "/v1/train", replace, map[string]string{"Origin": "https://evil.example"}, 403, denied},
		{"null origin", nil, "POST", "/v1/train", replace, map[string]string{"Origin": "null"}, 403, denied},
		{"untrusted origin with CORS on", []string{"https://app.example"}, "POST", "/v1/train", replace, crossSite, 403, denied},
		{"curl -d: no Origin", nil, "POST", "/v1/train", train, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 200, ""},
		{"no Content-Type", nil, "POST", "/v1/train", train, nil, 200, ""},
		{"same-origin", nil, "POST", "/v1/train", train, map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}, 200, ""},
		{"old browser: Origin is Host", nil, "POST", "/v1/train", train, map[string]string{"Origin": "http://127.0.0.1:8080"}, 200, ""},
		{"trusted origin", []string{"https://app.example"}, "POST", "/v1/train", train, map[string]string{"Origin": "https://app.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, 200, ""},
		{"CORS *", []string{"*"}, "POST", "/v1/train", train, crossSite, 200, ""},
		{"cross-site GET", nil, "GET", "/v1/model", "", crossSite, 200, ""},
		{"cross-site health", nil, "GET", "/healthz", "", crossSite, 200, ""},
		{"trusted preflight", []string{"https://app.example"}, "OPTIONS", "/v1/train", "", map[string]string{"Origin": "https://app.example", "Sec-Fetch-Site": "cross-site", "Access-Control-Request-Method": "POST"}, 204, ""},
	}
	for _, tt := range tests {
		model := miniModel(t)
		h := configuredHandler(t, model, api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{CORSOrigins: tt.cors})
		before := model.Info()
		rec := record(h, tt.method, "", tt.path, tt.body, tt.header)
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: got X-Content-Type-Options %q, want nosniff", tt.name, got)
		}
		if tt.status != http.StatusForbidden {
			if rec.Code != tt.status {
				t.Errorf("%s: got %d %s, want %d", tt.name, rec.Code, rec.Body, tt.status)
			}
			continue
		}
		checkError(t, tt.name, rec.Code, rec.Body.Bytes(), http.StatusForbidden, codes.PermissionDenied, tt.msg)
		apitest.SameModel(t, tt.name, before, model)
	}
}

// TestCrossOriginBadOrigin: a CORS origin that is not scheme://host[:port]
// is refused when the handler is built.
func TestCrossOriginBadOrigin(t *testing.T) {
	for _, origin := range []string{"app.example", "https://app.example/", "https://app.example/path"} {
		_, err := gateway.New(t.Context(), nil, gateway.Config{CORSOrigins: []string{origin}})
		if err == nil || !strings.Contains(err.Error(), "invalid origin") {
			t.Errorf("%q: got error %v, want invalid origin", origin, err)
		}
	}
}

// TestLoopbackHost: with LoopbackOnly, every route refuses a Host that is
// not a loopback name with 421 (DNS rebinding); without it, any Host is
// served.
func TestLoopbackHost(t *testing.T) {
	model := miniModel(t)
	limits := api.DefaultLimits()
	loopback := configuredHandler(t, model, limits, api.Auth{Open: true}, gateway.Config{LoopbackOnly: true})
	open := configuredHandler(t, model, limits, api.Auth{Open: true}, gateway.Config{})
	tests := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.1", true},
		{"127.8.9.10:80", true},
		{"localhost:8080", true},
		{"LocalHost", true},
		{"localhost.:8080", true},
		{"app.localhost:8080", true},
		{"[::1]:8080", true},
		{"[::1]", true},
		{"[::ffff:127.0.0.1]:8080", true},
		{"evil.example", false},
		{"evil.example:8080", false},
		{"localhost.evil.example:8080", false},
		{"127.0.0.1.nip.io:8080", false},
		{"0.0.0.0:8080", false},
		{"10.0.0.1:8080", false},
		{"[::]:8080", false},
	}
	routes := []struct{ method, path, body string }{
		{"GET", "/healthz", ""},
		{"GET", "/metrics", ""},
		{"GET", "/openapi.json", ""},
		{"GET", "/v1/model", ""},
		{"POST", "/v1/classify", `{"text": "the airport reopened"}`},
		{"POST", "/v1/evaluate", `{"examples": [{"text": "the airport reopened", "label": "other"}]}`},
	}
	for _, tt := range tests {
		for _, r := range routes {
			rec := record(loopback, r.method, tt.host, r.path, r.body, nil)
			name := r.method + " " + r.path + " Host " + tt.host
			if tt.ok {
				if rec.Code != http.StatusOK {
					t.Errorf("%s: got %d %s, want 200", name, rec.Code, rec.Body)
				}
			} else {
				checkError(t, name, rec.Code, rec.Body.Bytes(), http.StatusMisdirectedRequest, codes.PermissionDenied, "is not a loopback name")
			}
			if rec := record(open, r.method, tt.host, r.path, r.body, nil); rec.Code != http.StatusOK {
				t.Errorf("%s without LoopbackOnly: got %d %s, want 200", name, rec.Code, rec.Body)
			}
		}
	}
	// A rebound page's Train is refused before it reaches the model.
	before := model.Info()
	rec := record(loopback, "POST", "evil.example:8080", "/v1/train", `{"replace":true,"examples":[{"text":"pwned","label":"a"},{"text":"=x","label":"b"}]}`,
		map[string]string{"Origin": "http://evil.example:8080", "Sec-Fetch-Site": "same-origin"})
	checkError(t, "rebound train", rec.Code, rec.Body.Bytes(), http.StatusMisdirectedRequest, codes.PermissionDenied, `host "evil.example:8080" is not a loopback name`)
	apitest.SameModel(t, "rebound train", before, model)
}
