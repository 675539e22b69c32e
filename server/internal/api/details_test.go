package api

import (
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// TestInvalidArgumentDetails checks that a request refused for one field
// says which in a google.rpc.BadRequest detail, as its message does: the
// message is the field, a colon and the detail's description.
func TestInvalidArgumentDetails(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	ctx := ctxT(t)
	long := strings.Repeat("a", 1025)
	for _, tt := range []struct {
		name  string
		call  func() error
		field string
		msg   string // the whole message, if not the field and the description
	}{
		{"empty text", func() error { return callErr(ts.client.Classify(ctx, &claimsv1.ClassifyRequest{Text: " "})) }, "text", ""},
		{"explain", func() error {
			return callErr(ts.client.Classify(ctx, &claimsv1.ClassifyRequest{Text: "x", Explain: 99}))
		}, "explain", ""},
		{"a sentence", func() error {
			return callErr(ts.client.Classify(ctx, &claimsv1.ClassifyRequest{Sentences: []string{"fine", ""}}))
		}, "sentences[1]", ""},
		{"a label", func() error {
			return callErr(ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "x", Label: "rumour"}}}))
		}, "examples[0].label", ""},
		{"a long example", func() error {
			return callErr(ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "x", Label: "other"}, {Text: long, Label: "other"}}}))
		}, "examples[1].text", ""},
		{"a request id", func() error {
			return callErr(ts.client.Train(ctx, &claimsv1.TrainRequest{RequestId: "a b", Examples: []*claimsv1.Example{{Text: "x", Label: "other"}}}))
		}, "request_id", ""},
		{"a stream's request", func() error {
			s, err := ts.client.ClassifyStream(ctx)
			if err != nil {
				return err
			}
			s.Send(&claimsv1.ClassifyStreamRequest{Id: "r1"})
			_, err = s.Recv()
			return err
		}, "text", `request "r1": text: `},
	} {
		st := status.Convert(tt.call())
		var violations []*errdetails.BadRequest_FieldViolation
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok {
				violations = append(violations, br.GetFieldViolations()...)
			}
		}
		if st.Code() != codes.InvalidArgument || len(violations) != 1 || violations[0].GetField() != tt.field {
			t.Errorf("%s: got %s %q with violations %v, want InvalidArgument with one for %s", tt.name, st.Code(), st.Message(), violations, tt.field)
			continue
		}
		prefix := tt.msg
		if prefix == "" {
			prefix = tt.field + ": "
		}
		if want := prefix + violations[0].GetDescription(); st.Message() != want || violations[0].GetDescription() == "" {
			t.Errorf("%s: got message %q, want %q", tt.name, st.Message(), want)
		}
	}
}
