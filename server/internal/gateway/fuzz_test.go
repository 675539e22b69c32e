package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/badinput"
)

// fuzzRoutes are the unary routes FuzzRESTJSON posts to; the first byte of
// the input picks one.
var fuzzRoutes = []string{"/v1/classify", "/v1/train", "/v1/forget", "/v1/evaluate"}

// FuzzRESTJSON posts arbitrary bodies to the REST routes through the real
// gateway handler and Service and checks: never a 5xx, always a JSON body,
// and the model unchanged unless /v1/train or /v1/forget answered 200.
func FuzzRESTJSON(f *testing.F) {
	model, err := badinput.NewModel()
	if err != nil {
		f.Fatal(err)
	}
	limits := badinput.Limits()
	limits.MaxHTTPBodyBytes = 64 << 10
	h := gatewayHandler(f, model, limits, api.Auth{Open: true}, nil)

	for _, s := range []struct {
		route uint8
		body  string
	}{
		{0, `{"text": "Rebels blamed for the blast. The ministry denied it."}`},
		{0, `{"sentences": ["the nation mourned", "police warned"], "explain": 2}`},
		{0, `{"text": "a\u0000b"}`},
		{0, `{"text": "ok"} {"text": "again"}`},
		{0, `{"text": 5, "txt": null}`},
		{0, `{"sentences": ["ok", "a\ud800"]}`},
		{0, `{"text": "\ud83d\ude00 \\ud800"}`},
		{1, `{"examples": [{"text": "the airport reopened", "label": " Other "}]}`},
		{1, `{"examples": [{"text": "x", "label": "rumour"}], "allowNewLabels": true}`},
		{1, `{"examples": [{"text": "a", "label": "p"}, {"text": "b", "label": "q"}], "replace": true}`},
		{1, `{"examples": [{"text": "x", "label": "other"}, {"text": "", "label": "other"}]}`},
		{2, `{"examples": [{"text": "rebels blamed for the blast", "label": "attribution"}]}`},
		{3, `{"examples": [{"text": "the ministry denied it", "label": "denial"}]}`},
	} {
		f.Add(s.route, []byte(s.body))
	}

	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		before := model.Info()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d %s", path, body, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %q: Content-Type %q", path, body, ct)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q: body is not JSON: %q", path, body, rec.Body)
		}
		after := model.Info()
		changes := rec.Code == http.StatusOK && (path == "/v1/train" || path == "/v1/forget")
		if !changes {
			if after.Version != before.Version || after.ContentHash != before.ContentHash {
				t.Fatalf("%s %q: answered %d but the model changed (version %d -> %d)", path, body, rec.Code, before.Version, after.Version)
			}
			if rec.Code != http.StatusOK {
				var eb errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Code == 0 || eb.Message == "" {
					t.Fatalf("%s %q: error body %q has no code and message", path, body, rec.Body)
				}
				// protojson's answer to an unpaired surrogate escape; the
				// gateway names the string instead.
				if json.Valid(body) && strings.Contains(eb.Message, "unexpected EOF") {
					t.Fatalf("%s %q: valid JSON answered %q", path, body, eb.Message)
				}
			}
			return
		}
		// An accepted change is one version, reported in the response.
		var resp claimsv1.TrainResponse // ForgetResponse has the same first field
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("%s: response %q: %v", path, rec.Body, err)
		}
		if after.Version != before.Version+1 || resp.GetModelVersion() != after.Version {
			t.Fatalf("%s %q: version %d -> %d, response says %d", path, body, before.Version, after.Version, resp.GetModelVersion())
		}
		// Put the corpus back, so every input meets the same labels and
		// the model does not grow with the run.
		if _, err := model.Replace(context.Background(), apitest.Corpus); err != nil {
			t.Fatal(err)
		}
	})
}
