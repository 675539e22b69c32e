package badinput

import (
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// Limits are the limits the matrix is written against: small enough to
// exceed cheaply, large enough that a 3 MB request reaches the server.
func Limits() api.Limits {
	l := api.DefaultLimits()
	l.MaxTextBytes = 1 << 10
	l.MaxSentences = 5
	l.MaxExamples = 20
	l.MaxGRPCReceiveBytes = 4 << 20
	l.MaxHTTPBodyBytes = 4 << 20
	l.MaxExplain = 3
	return l
}

// NewModel returns the model the matrix runs against: apitest.Corpus, each
// example learned once.
func NewModel() (*classifier.Classifier, error) { return apitest.NewModel(nil) }

// Case is one bad input.
type Case struct {
	Name   string // names the case in test output
	Method string // Classify, Train, Forget or Evaluate

	// Req is the request sent over gRPC and, unless JSON is set, encoded
	// with protojson for REST.
	Req proto.Message
	// GRPCRaw, if not nil, is sent over gRPC as the message bytes instead
	// of Req: wire data no generated client would produce.
	GRPCRaw []byte
	// JSON, if not empty, is the REST body instead of Req's encoding.
	JSON string

	Code codes.Code // gRPC status code
	Msg  string     // substring of the gRPC status message

	HTTP     int        // HTTP status
	HTTPCode codes.Code // "code" of the REST error body; 0 means Code
	HTTPMsg  string     // substring of the REST "message"; empty means Msg
}

// Path returns the REST route of c's method.
func (c Case) Path() string { return "/v1/" + strings.ToLower(c.Method) }

// Body returns the REST request body.
func (c Case) Body() (string, error) {
	if c.JSON != "" {
		return c.JSON, nil
	}
	b, err := protojson.Marshal(c.Req)
	return string(b), err
}

// RESTCode is the code expected in the REST error body.
func (c Case) RESTCode() codes.Code {
	if c.HTTPCode != 0 {
		return c.HTTPCode
	}
	return c.Code
}

// RESTMsg is the substring expected in the REST error message.
func (c Case) RESTMsg() string {
	if c.HTTPMsg != "" {
		return c.HTTPMsg
	}
	return c.Msg
}

func classify(text string) *claimsv1.ClassifyRequest {
	return &claimsv1.ClassifyRequest{Text: text}
}

func sentences(s ...string) *claimsv1.ClassifyRequest {
	return &claimsv1.ClassifyRequest{Sentences: s}
}

func train(exs ...*claimsv1.Example) *claimsv1.TrainRequest {
	return &claimsv1.TrainRequest{Examples: exs}
}

func forget(exs ...*claimsv1.Example) *claimsv1.ForgetRequest {
	return &claimsv1.ForgetRequest{Examples: exs}
}

func ex(text, label string) *claimsv1.Example { return &claimsv1.Example{Text: text, Label: label} }

func repeat(e *claimsv1.Example, n int) []*claimsv1.Example {
	out := make([]*claimsv1.Example, n)
	for i := range out {
		out[i] = ex(e.GetText(), e.GetLabel())
	}
	return out
}

// jsonString is s as a JSON string literal, bytes as they are (so invalid
// UTF-8 stays invalid).
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// BigToken is a single 3 MB token.
var BigToken = strings.Repeat("x", 3<<20)

// Cases returns the matrix. Every case leaves the model unchanged. The
// large-body cases (30 MB over each transport, chunked) are separate tests
// in each package because they need the transport itself.
func Cases() []Case {
	const (
		bad   = codes.InvalidArgument
		s400  = http.StatusBadRequest
		s404  = http.StatusNotFound
		learn = "rebels blamed for the blast" // in Corpus once, as attribution
	)
	long := strings.Repeat("word ", 205) // 1025 bytes
	tooManyExamples := repeat(ex("a fine sentence", "other"), 21)
	return []Case{
		// Text content.
		{Name: "empty text", Method: "Classify", Req: classify(""), Code: bad, Msg: "text: text is empty", HTTP: s400},
		{Name: "empty text (example)", Method: "Train", Req: train(ex("", "other")), Code: bad, Msg: "examples[0].text: text is empty", HTTP: s400},
		{Name: "whitespace-only text", Method: "Classify", Req: classify(" \t\r\n\u00a0\u2003\u200b\ufeff "), Code: bad, Msg: "text: text is empty", HTTP: s400},
		{Name: "whitespace-only sentence", Method: "Classify", Req: sentences("fine", "  \n "), Code: bad, Msg: "sentences[1]: text is empty", HTTP: s400},
		{Name: "whitespace-only text (example)", Method: "Train", Req: train(ex(" \t\n ", "other")), Code: bad, Msg: "examples[0].text: text is empty", HTTP: s400},
		// protojson refuses invalid UTF-8 in a JSON string before the
		// server sees it; gRPC passes the bytes through (the proto sets
		// utf8_validation NONE) and the server names the field.
		{Name: "invalid UTF-8", Method: "Classify", Req: classify("bad \xff byte"), JSON: `{"text": ` + jsonString("bad \xff byte") + `}`,
			Code: bad, Msg: "text: text is not valid UTF-8", HTTP: s400, HTTPMsg: "invalid UTF-8 in string"},
		{Name: "invalid UTF-8 (truncated sequence)", Method: "Classify", Req: sentences("ok", "caf\xc3"), JSON: `{"sentences": ["ok", ` + jsonString("caf\xc3") + `]}`,
			Code: bad, Msg: "sentences[1]: text is not valid UTF-8", HTTP: s400, HTTPMsg: "invalid UTF-8 in string"},
		{Name: "invalid UTF-8 (example)", Method: "Train", Req: train(ex("\xed\xa0\x80 surrogate", "other")), JSON: `{"examples": [{"text": ` + jsonString("\xed\xa0\x80 surrogate") + `, "label": "other"}]}`,
			Code: bad, Msg: "examples[0].text: text is not valid UTF-8", HTTP: s400, HTTPMsg: "invalid UTF-8 in string"},
		{Name: "NUL", Method: "Classify", Req: classify("nul\x00byte"), Code: bad, Msg: "text: text contains a control character (U+0000 at byte 3)", HTTP: s400},
		{Name: "NUL (example)", Method: "Train", Req: train(ex("nul\x00byte", "other")), Code: bad, Msg: "examples[0].text: text contains a control character (U+0000", HTTP: s400},
		{Name: "control character BEL", Method: "Classify", Req: classify("ring \x07 the bell"), Code: bad, Msg: "text contains a control character (U+0007 at byte 5)", HTTP: s400},
		{Name: "control character ESC", Method: "Classify", Req: sentences("\x1b[31mred"), Code: bad, Msg: "sentences[0]: text contains a control character (U+001B", HTTP: s400},
		{Name: "control character DEL", Method: "Classify", Req: classify("del\x7f"), Code: bad, Msg: "control character (U+007F", HTTP: s400},
		{Name: "control character C1 (U+0085)", Method: "Classify", Req: classify("next\u0085line"), Code: bad, Msg: "control character (U+0085", HTTP: s400},
		{Name: "control character (Evaluate)", Method: "Evaluate", Req: &claimsv1.EvaluateRequest{Examples: []*claimsv1.Example{ex("a\x01b", "other")}}, Code: bad, Msg: "examples[0].text: text contains a control character", HTTP: s400},

		// Sizes.
		{Name: "single 3 MB token", Method: "Classify", Req: classify(BigToken), Code: bad, Msg: "text: 3145728 bytes exceed the limit of 1024", HTTP: s400},
		{Name: "single 3 MB token (example)", Method: "Train", Req: train(ex(BigToken, "other")), Code: bad, Msg: "examples[0].text: 3145728 bytes exceed the limit of 1024", HTTP: s400},
		{Name: "text over the byte limit", Method: "Classify", Req: classify(long), Code: bad, Msg: "text: 1025 bytes exceed the limit of 1024", HTTP: s400},
		{Name: "sentences over the byte limit", Method: "Classify", Req: sentences(long[:600], long[:425]), Code: bad, Msg: "sentences: 1025 bytes in all exceed the limit of 1024", HTTP: s400},
		{Name: "example over the byte limit", Method: "Train", Req: train(ex("fine", "other"), ex(long, "other")), Code: bad, Msg: "examples[1].text: 1025 bytes exceed the limit of 1024", HTTP: s400},
		{Name: "over the sentence limit (sentences)", Method: "Classify", Req: sentences("a", "b", "c", "d", "e", "f"), Code: bad, Msg: "sentences: 6 sentences exceed the limit of 5", HTTP: s400},
		{Name: "over the sentence limit (segmented text)", Method: "Classify", Req: classify("One.\nTwo.\nThree.\nFour.\nFive.\nSix."), Code: bad, Msg: "text: 6 sentences exceed the limit of 5", HTTP: s400},
		{Name: "explain over the limit", Method: "Classify", Req: &claimsv1.ClassifyRequest{Text: "fine", Explain: 4}, Code: bad, Msg: "explain: 4 is outside 0..3", HTTP: s400},
		{Name: "Train batch over the example limit", Method: "Train", Req: train(tooManyExamples...), Code: bad, Msg: "examples: 21 examples exceed the limit of 20", HTTP: s400},
		{Name: "Forget batch over the example limit", Method: "Forget", Req: forget(tooManyExamples...), Code: bad, Msg: "examples: 21 examples exceed the limit of 20", HTTP: s400},
		{Name: "Evaluate batch over the example limit", Method: "Evaluate", Req: &claimsv1.EvaluateRequest{Examples: tooManyExamples}, Code: bad, Msg: "examples: 21 examples exceed the limit of 20", HTTP: s400},

		// Labels.
		{Name: "unknown label", Method: "Train", Req: train(ex("a rumour spread", "rumour")), Code: bad, Msg: `examples[0].label: label is not known to the model: "rumour"`, HTTP: s400},
		{Name: "empty label", Method: "Train", Req: train(ex("a sentence", "")), Code: bad, Msg: "examples[0].label: label is empty", HTTP: s400},
		{Name: "blank label", Method: "Train", Req: train(ex("a sentence", " \t ")), Code: bad, Msg: "examples[0].label: label is empty", HTTP: s400},
		{Name: "invalid label", Method: "Train", Req: train(ex("a sentence", "two words")), Code: bad, Msg: `examples[0].label: label is not valid: "two words" has character ' '`, HTTP: s400},
		{Name: "label over 64 bytes", Method: "Train", Req: train(ex("a sentence", strings.Repeat("l", 65))), Code: bad, Msg: "examples[0].label: label is not valid: longer than 64 bytes", HTTP: s400},
		{Name: "unknown label (Forget)", Method: "Forget", Req: forget(ex("a sentence", "rumour")), Code: codes.NotFound, Msg: `examples[0].label: example was not learned: the model has no label "rumour"`, HTTP: s404},

		// Batches.
		{Name: "empty Train", Method: "Train", Req: train(), Code: bad, Msg: "examples: no examples: at least one is required", HTTP: s400},
		{Name: "empty Train (JSON {})", Method: "Train", Req: train(), JSON: `{}`, Code: bad, Msg: "examples: no examples", HTTP: s400},
		{Name: "empty Forget", Method: "Forget", Req: forget(), Code: bad, Msg: "examples: no examples", HTTP: s400},
		{Name: "mixed batch, one bad label", Method: "Train", Req: train(ex("a new fine sentence", "other"), ex("another fine one", "denial"), ex("third", "nope")), Code: bad, Msg: "examples[2].label", HTTP: s400},
		{Name: "mixed batch, one bad text", Method: "Train", Req: train(ex("a new fine sentence", "other"), ex("bad\x00", "denial"), ex("third", "warning")), Code: bad, Msg: "examples[1].text: text contains a control character", HTTP: s400},
		{Name: "mixed batch, one too long", Method: "Train", Req: train(ex("a new fine sentence", "other"), ex(long, "denial")), Code: bad, Msg: "examples[1].text: 1025 bytes exceed", HTTP: s400},
		{Name: "Forget of an example never learned", Method: "Forget", Req: forget(ex("this was never learned", "other")), Code: codes.NotFound, Msg: "examples[0].text: example was not learned", HTTP: s404},
		{Name: "Forget of a learned example under another label", Method: "Forget", Req: forget(ex(learn, "denial")), Code: codes.NotFound, Msg: "examples[0].text: example was not learned", HTTP: s404},
		{Name: "Forget twice of an example learned once", Method: "Forget", Req: forget(ex(learn, "attribution"), ex(learn, "attribution")), Code: codes.NotFound, Msg: "examples[1].text: example was not learned", HTTP: s404},
		{Name: "Forget, mixed batch", Method: "Forget", Req: forget(ex(learn, "attribution"), ex("never learned", "other")), Code: codes.NotFound, Msg: "examples[1].text: example was not learned", HTTP: s404},
		{Name: "Replace with one label", Method: "Train", Req: &claimsv1.TrainRequest{Replace: true, Examples: []*claimsv1.Example{ex("a", "other")}}, Code: bad, Msg: "examples: examples name fewer than two labels: a model needs at least two labels", HTTP: s400},
		{Name: "request_id over 128 bytes", Method: "Train", Req: &claimsv1.TrainRequest{RequestId: strings.Repeat("r", 129), Examples: []*claimsv1.Example{ex("a sentence", "other")}}, Code: bad, Msg: "request_id: 129 bytes exceed the limit of 128", HTTP: s400},
		{Name: "request_id not printable ASCII", Method: "Forget", Req: &claimsv1.ForgetRequest{RequestId: "batch\t1", Examples: []*claimsv1.Example{ex("a sentence", "other")}}, Code: bad, Msg: "request_id: byte 5 is a space or not printable ASCII", HTTP: s400},
		{Name: "both text and sentences", Method: "Classify", Req: &claimsv1.ClassifyRequest{Text: "a", Sentences: []string{"b"}}, Code: bad, Msg: "text: set either text or sentences, not both", HTTP: s400},

		// Encoding. grpc-go answers INTERNAL for a message it cannot
		// decode, before any interceptor or handler runs; unknown protobuf
		// fields are kept and ignored, as protobuf requires for compatibility,
		// while the REST gateway refuses unknown JSON fields.
		{Name: "malformed JSON / protobuf", Method: "Classify", GRPCRaw: []byte{0x0a, 0x05, 'a'}, JSON: `{"text": `,
			Code: codes.Internal, Msg: "grpc: failed to unmarshal the received message", HTTP: s400, HTTPCode: bad, HTTPMsg: "request body is not valid JSON: unexpected end of JSON input"},
		{Name: "malformed JSON (trailing data)", Method: "Classify", GRPCRaw: []byte{0x0a, 0x02, 'o', 'k', 0xff}, JSON: `{"text": "ok"} trailing`,
			Code: codes.Internal, Msg: "grpc: failed to unmarshal the received message", HTTP: s400, HTTPCode: bad, HTTPMsg: "request body is not valid JSON: invalid character 't' after top-level value"},
		{Name: "malformed JSON (two values)", Method: "Train", GRPCRaw: []byte{0x0a, 0x80}, JSON: `{"examples": []} {"examples": [{"text": "x", "label": "other"}]}`,
			Code: codes.Internal, Msg: "grpc: failed to unmarshal the received message", HTTP: s400, HTTPCode: bad, HTTPMsg: "request body is not valid JSON: invalid character '{' after top-level value"},
		// A field sent with the wrong protobuf wire type is kept as an
		// unknown field (protobuf-go's rule), so the request reads as if
		// the field were absent.
		{Name: "wrong JSON type / wire type (string field)", Method: "Classify", GRPCRaw: []byte{0x08, 0x05}, JSON: `{"text": 5}`,
			Code: bad, Msg: "text: text is empty", HTTP: s400, HTTPMsg: "invalid value for string field text: 5"},
		{Name: "wrong JSON type / wire type (repeated field)", Method: "Train", GRPCRaw: []byte{0x08, 0x01}, JSON: `{"examples": {"text": "x", "label": "other"}}`,
			Code: bad, Msg: "examples: no examples", HTTP: s400, HTTPMsg: "unexpected token {"},
		{Name: "wrong JSON type / wire type (bool field)", Method: "Train", GRPCRaw: []byte{0x12, 0x03, 'y', 'e', 's'}, JSON: `{"examples": [{"text": "x y", "label": "other"}], "replace": "yes"}`,
			Code: bad, Msg: "examples: no examples", HTTP: s400, HTTPMsg: `invalid value for bool field replace: "yes"`},
		{Name: "wrong JSON type / wire type (int field)", Method: "Classify", GRPCRaw: []byte{0x1a, 0x03, '1', '.', '5'}, JSON: `{"text": "fine", "explain": 1.5}`,
			Code: bad, Msg: "text: text is empty", HTTP: s400, HTTPMsg: "invalid value for int32 field explain: 1.5"},
		{Name: "wrong JSON type (top level) / invalid tag", Method: "Classify", GRPCRaw: []byte{0xff, 0xff, 0xff}, JSON: `["text"]`,
			Code: codes.Internal, Msg: "grpc: failed to unmarshal the received message", HTTP: s400, HTTPCode: bad, HTTPMsg: "unexpected token ["},
		// Unknown fields: refused in JSON; in protobuf kept and ignored, as
		// protobuf requires for compatibility (the call succeeds).
		{Name: "unknown field", Method: "Classify", GRPCRaw: UnknownProtoField, JSON: `{"text": "ok", "txt": "hello"}`,
			Code: codes.OK, HTTP: s400, HTTPCode: bad, HTTPMsg: `unknown field "txt"`},
		{Name: "unknown field (nested)", Method: "Evaluate", GRPCRaw: unknownNestedField, JSON: `{"examples": [{"text": "x y", "label": "other", "weight": 2}]}`,
			Code: codes.OK, HTTP: s400, HTTPCode: bad, HTTPMsg: `unknown field "weight"`},
	}
}

// UnknownProtoField is a Classify request with text "ok" and field 127,
// which the schema does not have.
var UnknownProtoField = []byte{0x0a, 0x02, 'o', 'k', 0xf8, 0x07, 0x01}

// unknownNestedField is an EvaluateRequest with one example {text "x y",
// label "other"} that also carries field 3, which Example does not have.
var unknownNestedField = []byte{0x0a, 0x0e, 0x0a, 0x03, 'x', ' ', 'y', 0x12, 0x05, 'o', 't', 'h', 'e', 'r', 0x18, 0x02}
