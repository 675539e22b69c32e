package gateway_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/gateway"
)

// specRoutes returns the REST routes of the OpenAPI document, each with
// its methods, upper-case and sorted.
func specRoutes(t *testing.T) map[string][]string {
	t.Helper()
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(claimsv1.OpenAPISpec(), &spec); err != nil {
		t.Fatal(err)
	}
	routes := make(map[string][]string)
	for path, ops := range spec.Paths {
		for op := range ops {
			if op == "parameters" || strings.HasPrefix(op, "x-") {
				continue
			}
			routes[path] = append(routes[path], strings.ToUpper(op))
			if op == "get" {
				routes[path] = append(routes[path], "HEAD") // served as the GET
			}
		}
		slices.Sort(routes[path])
	}
	if len(routes) == 0 {
		t.Fatal("the OpenAPI document has no paths")
	}
	return routes
}

// TestMethodNotAllowed calls every route of the OpenAPI document with
// every method: the ones the document gives are routed, the others get
// 405 with an Allow header listing exactly the document's methods, even
// with a body that is not JSON, and with CORS on too (where a preflight
// still gets 204).
func TestMethodNotAllowed(t *testing.T) {
	routes := specRoutes(t)
	model := miniModel(t)
	for _, cors := range [][]string{nil, {"https://app.example"}} {
		h := configuredHandler(t, model, api.DefaultLimits(), api.Auth{Open: true}, gateway.Config{CORSOrigins: cors})
		for path, allowed := range routes {
			allow := strings.Join(allowed, ", ")
			for _, method := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
				name := method + " " + path
				if cors != nil {
					name += " (CORS on)"
				}
				rec := record(h, method, "", path, `{"text": "the airport reopened"}`, nil)
				if slices.Contains(allowed, method) {
					if rec.Code == http.StatusMethodNotAllowed || rec.Code == http.StatusNotFound {
						t.Errorf("%s: got %d %s, want the route served", name, rec.Code, rec.Body)
					}
					continue
				}
				if got := rec.Header().Get("Allow"); got != allow {
					t.Errorf("%s: got Allow %q, want %q", name, got, allow)
				}
				if method == http.MethodHead {
					if rec.Code != http.StatusMethodNotAllowed {
						t.Errorf("%s: got %d, want 405", name, rec.Code)
					}
					continue
				}
				use := strings.TrimSuffix(allow, ", HEAD")
				checkError(t, name, rec.Code, rec.Body.Bytes(), http.StatusMethodNotAllowed, codes.Unimplemented, "method "+method+" is not allowed on "+path+": use "+use)
				// A body that is not JSON does not change the answer.
				rec = record(h, method, "", path, `{"text": `, nil)
				checkError(t, name+" bad body", rec.Code, rec.Body.Bytes(), http.StatusMethodNotAllowed, codes.Unimplemented, "use "+use)
			}
		}
		rec := record(h, "OPTIONS", "", "/v1/classify", "", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
		if want := map[bool]int{true: http.StatusNoContent, false: http.StatusMethodNotAllowed}[cors != nil]; rec.Code != want {
			t.Errorf("preflight, CORS %v: got %d, want %d", cors, rec.Code, want)
		}
	}
}

// TestUnknownPath: paths that are not routes get 404, whatever the method
// and body.
func TestUnknownPath(t *testing.T) {
	h := gatewayHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, nil)
	for _, tt := range []struct{ method, path string }{
		{"GET", "/v1/nope"},
		{"POST", "/v1/nope"},
		{"PUT", "/v1/classify/extra"},
		{"POST", "/v1/classify:nope"},
		{"GET", "/v1/models"},
		{"DELETE", "/v1/"},
		{"GET", "/v1"},
		{"GET", "/foo"},
		{"GET", "/healthz/x"},
		{"GET", "/openapi.jsonx"},
		{"POST", "/"},
	} {
		rec := record(h, tt.method, "", tt.path, `{"text": `, nil)
		name := tt.method + " " + tt.path
		checkError(t, name, rec.Code, rec.Body.Bytes(), http.StatusNotFound, codes.NotFound, "Not Found")
		if got := rec.Header().Get("Allow"); got != "" {
			t.Errorf("%s: got Allow %q, want none", name, got)
		}
	}
}

// TestGetRoutesMethodNotAllowed calls the GET-only routes with other
// methods: JSON 405 with an Allow header, like the API routes.
func TestGetRoutesMethodNotAllowed(t *testing.T) {
	h := gatewayHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, nil)
	for _, path := range []string{"/healthz", "/openapi.json", "/metrics"} {
		rec := record(h, "POST", "", path, `{}`, nil)
		checkError(t, "POST "+path, rec.Code, rec.Body.Bytes(), http.StatusMethodNotAllowed, codes.Unimplemented, "use GET")
		if got := rec.Header().Get("Allow"); got != "GET, HEAD" {
			t.Errorf("POST %s: got Allow %q, want GET, HEAD", path, got)
		}
		if rec := record(h, "GET", "", path, "", nil); rec.Code != http.StatusOK {
			t.Errorf("GET %s: got %d, want 200", path, rec.Code)
		}
	}
}

// TestBlankBody sends bodies of white space: JSON's own (space, tab, CR,
// LF) is the empty request, any other is no JSON.
func TestBlankBody(t *testing.T) {
	h := gatewayHandler(t, miniModel(t), api.DefaultLimits(), api.Auth{Open: true}, nil)
	for _, tt := range []struct {
		body string
		msg  string
	}{
		{"", "text: text is empty"},
		{" \t\r\n ", "text: text is empty"},
		{"\v", "request body is not valid JSON"},
		{" \f ", "request body is not valid JSON"},
		{"\u00a0", "request body is not valid JSON"},
		{"\u0085", "request body is not valid JSON"},
	} {
		rec := record(h, "POST", "", "/v1/classify", tt.body, nil)
		checkError(t, fmt.Sprintf("body %q", tt.body), rec.Code, rec.Body.Bytes(), http.StatusBadRequest, codes.InvalidArgument, tt.msg)
	}
}
