package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestLoneSurrogate: a JSON string with an unpaired surrogate escape has
// no UTF-8 form; it gets 400 with a message naming the string and the
// escape (protojson's own is "unexpected EOF"), on the unary routes and
// the stream. Paired escapes, and text that only looks like an escape,
// are accepted.
func TestLoneSurrogate(t *testing.T) {
	url, model := newGateway(t, api.Auth{Open: true}, nil)
	before := model.Info()
	const bad = " is not valid UTF-8: the JSON string holds an unpaired surrogate escape "
	tests := []struct {
		name string
		path string
		body string
		msg  string // "" if accepted
	}{
		{"lone high", "/v1/classify", `{"text": "\ud800"}`, `text: text` + bad + `\ud800`},
		{"lone high in text", "/v1/classify", `{"text": "rebels \ud83d blamed"}`, `text: text` + bad + `\ud83d`},
		{"lone low", "/v1/classify", `{"text": "a\udc00"}`, `text: text` + bad + `\udc00`},
		{"upper case", "/v1/classify", `{"text": "\uD800"}`, `text: text` + bad + `\uD800`},
		{"high then high", "/v1/classify", `{"text": "\ud800\ud800\udc00"}`, `text: text` + bad + `\ud800`},
		{"high then other escape", "/v1/classify", `{"text": "\ud800\u0041"}`, `text: text` + bad + `\ud800`},
		{"high then low reversed", "/v1/classify", `{"text": "\ude00\ud83d"}`, `text: text` + bad + `\ude00`},
		{"sentence", "/v1/classify", `{"sentences": ["ok", "a\ud800"]}`, `sentences[1]: text` + bad + `\ud800`},
		{"after a pair", "/v1/classify", `{"sentences": ["\ud83d\ude00", "\ud83d\ude00 \udfff"]}`, `sentences[1]: text` + bad + `\udfff`},
		{"example text", "/v1/train", `{"examples": [{"text": "ok", "label": "other"}, {"label": "other", "text": "\ud800 x"}]}`, `examples[1].text: text` + bad + `\ud800`},
		{"example label", "/v1/forget", `{"examples": [{"text": "ok", "label": "\udbff"}]}`, `examples[0].label: label` + bad + `\udbff`},
		{"example label, name escaped", "/v1/evaluate", `{"examples": [{"text": "ok", "lab\u0065l": "\udbff"}]}`, `examples[0].label: label` + bad + `\udbff`},
		{"evaluate", "/v1/evaluate", `{"examples": [{"text": "x\ud800", "label": "other"}]}`, `examples[0].text: text` + bad + `\ud800`},
		{"field name", "/v1/classify", `{"te\ud800xt": "a"}`, `field name` + bad + `\ud800`},
		{"nested field name", "/v1/train", `{"examples": [{"la\udc00bel": "other"}]}`, `examples[0]: field name` + bad + `\udc00`},
		{"request id", "/v1/train", `{"examples": [{"text": "ok", "label": "other"}], "requestId": "\ud800"}`, `request_id: string` + bad + `\ud800`},
		{"request id by its proto name", "/v1/forget", `{"examples": [{"text": "ok", "label": "other"}], "request_id": "a\udc00"}`, `request_id: string` + bad + `\udc00`},
		{"member in another case", "/v1/classify", `{"Text": "\ud800"}`, `Text: string` + bad + `\ud800`},
		{"pair", "/v1/classify", `{"text": "rebels blamed \ud83d\ude00 for the blast"}`, ""},
		{"pair, upper case", "/v1/classify", `{"sentences": ["\uD83D\uDE00 the airport reopened"]}`, ""},
		{"escaped backslash", "/v1/classify", `{"text": "\\ud800 is how JSON writes it"}`, ""},
		{"quote then escape", "/v1/classify", `{"text": "say \"\\\ud83d\ude00\" out loud"}`, ""},
	}
	for _, tt := range tests {
		status, body := post(t, url+tt.path, tt.body, nil)
		if tt.msg == "" {
			if status != http.StatusOK {
				t.Errorf("%s: got %d %s, want 200", tt.name, status, body)
			}
			continue
		}
		checkError(t, tt.name, status, body, http.StatusBadRequest, codes.InvalidArgument, tt.msg)
	}
	apitest.SameModel(t, "lone surrogates", before, model)
}

// TestLoneSurrogateStream: on the stream, a request with an unpaired
// surrogate escape ends the stream with the same message, as a 400 if it
// is the first request or as a final error line after earlier results.
func TestLoneSurrogateStream(t *testing.T) {
	url, _ := newGateway(t, api.Auth{Open: true}, nil)
	const bad = " is not valid UTF-8: the JSON string holds an unpaired surrogate escape "
	status, body := post(t, url+"/v1/classify:stream", `{"id": "a", "text": "\ud800"}`+"\n", nil)
	checkError(t, "first request", status, body, http.StatusBadRequest, codes.InvalidArgument, `stream request 1: text: text`+bad+`\ud800`)

	status, body = post(t, url+"/v1/classify:stream", `{"id": "x\udc00"}`+"\n", nil)
	checkError(t, "id", status, body, http.StatusBadRequest, codes.InvalidArgument, `stream request 1: id: string`+bad+`\udc00`)

	status, body = post(t, url+"/v1/classify:stream", `{"id": "a", "text": "the airport reopened"}`+"\n"+`{"id": "b", "sentences": ["ok", "a\ud800"]}`+"\n", nil)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if status != http.StatusOK || len(lines) != 2 || !strings.Contains(lines[0], `"result"`) ||
		!strings.Contains(lines[1], `{"error":{"code":3,`) || !strings.Contains(lines[1], `stream request 2: sentences[1]: text`+bad+`\\ud800`) {
		t.Errorf("second request: got %d %s", status, body)
	}

	status, body = post(t, url+"/v1/classify:stream", `{"id": "a", "text": "rebels blamed \ud83d\ude00"}`+"\n"+`{"id": "b", "sentences": ["\\ud800"]}`+"\n", nil)
	lines = strings.Split(strings.TrimSpace(string(body)), "\n")
	if status != http.StatusOK || len(lines) != 2 || strings.Contains(string(body), `"error"`) {
		t.Errorf("pair and escaped backslash: got %d %s", status, body)
	}
}
