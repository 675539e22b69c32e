package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/badinput"
)

// matrixServer serves the Service over bufconn with the matrix's limits
// and model, and returns a connection to it and the model.
func matrixServer(t *testing.T) (*grpc.ClientConn, *classifier.Classifier) {
	t.Helper()
	model, err := badinput.NewModel()
	if err != nil {
		t.Fatal(err)
	}
	limits := badinput.Limits()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	unary, stream := api.Interceptors(api.Auth{Open: true}, limits.CallTimeout, api.Observer{Log: log, Transport: api.GRPC})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream), grpc.MaxRecvMsgSize(limits.MaxGRPCReceiveBytes))
	claimsv1.RegisterClaimServiceServer(srv, api.NewService(model, limits, "test", nil, log))
	conn := apitest.Dial(t, srv)
	return conn, model
}

// rawCodec sends and receives message bytes as they are, so a test can put
// wire data on the connection that no generated client would write.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)      { return *v.(*[]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error { *v.(*[]byte) = bytes.Clone(data); return nil }
func (rawCodec) Name() string                       { return "proto" }

func responseFor(method string) proto.Message {
	switch method {
	case "Classify":
		return &claimsv1.ClassifyResponse{}
	case "Train":
		return &claimsv1.TrainResponse{}
	case "Forget":
		return &claimsv1.ForgetResponse{}
	case "Evaluate":
		return &claimsv1.EvaluateResponse{}
	}
	panic("unknown method " + method)
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestGRPCBadInputMatrix runs the bad-input matrix over gRPC: each case's
// code and message, and that the model is unchanged.
func TestGRPCBadInputMatrix(t *testing.T) {
	conn, model := matrixServer(t)
	before := model.Info()
	for _, c := range badinput.Cases() {
		method := "/claims.v1.ClaimService/" + c.Method
		var err error
		if c.GRPCRaw != nil {
			var out []byte
			in := c.GRPCRaw
			err = conn.Invoke(callCtx(t), method, &in, &out, grpc.ForceCodec(rawCodec{}))
		} else {
			err = conn.Invoke(callCtx(t), method, c.Req, responseFor(c.Method))
		}
		st := status.Convert(err)
		if st.Code() != c.Code || !strings.Contains(st.Message(), c.Msg) {
			t.Errorf("%s: got %s %q, want %s containing %q", c.Name, st.Code(), st.Message(), c.Code, c.Msg)
		}
		if c.Code != codes.OK && c.Msg == "" {
			t.Errorf("%s: the matrix gives no message to check", c.Name)
		}
		apitest.SameModel(t, c.Name, before, model)
	}
}

// TestGRPCOver30MB sends a 30 MB message: it is refused from its length
// prefix with RESOURCE_EXHAUSTED.
func TestGRPCOver30MB(t *testing.T) {
	conn, model := matrixServer(t)
	before := model.Info()
	client := claimsv1.NewClaimServiceClient(conn)
	big := strings.Repeat("a", 30<<20)
	_, err := client.Classify(callCtx(t), &claimsv1.ClassifyRequest{Text: big})
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "larger than max") || !strings.Contains(st.Message(), "4194304") {
		t.Errorf("Classify: got %s %q, want ResourceExhausted naming the limit", st.Code(), st.Message())
	}
	_, err = client.Train(callCtx(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: big, Label: "other"}}})
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted {
		t.Errorf("Train: got %s %q, want ResourceExhausted", st.Code(), st.Message())
	}
	apitest.SameModel(t, "30 MB", before, model)
	// The connection is still usable.
	if _, err := client.Classify(callCtx(t), &claimsv1.ClassifyRequest{Text: "the airport reopened"}); err != nil {
		t.Errorf("after a refused 30 MB message: %v", err)
	}
}

// TestGRPCLabelNormalized checks the decision that labels are trimmed and
// lower-cased: " Denial " trains the denial label, adds no label, and
// Forget finds it under any variant.
func TestGRPCLabelNormalized(t *testing.T) {
	conn, model := matrixServer(t)
	client := claimsv1.NewClaimServiceClient(conn)
	before := model.Info()
	for i, label := range []string{" Denial ", "DENIAL", "\tdenial\n", "Denial"} {
		text := "the spokesman flatly denied variant " + string(rune('a'+i))
		resp, err := client.Train(callCtx(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: text, Label: label}}})
		if err != nil {
			t.Fatalf("Train %q: %v", label, err)
		}
		if got, want := resp.GetLabelCounts()["denial"], before.Counts["denial"]+int64(i)+1; got != want {
			t.Errorf("Train %q: denial has %d examples, want %d", label, got, want)
		}
		if len(resp.GetLabelCounts()) != len(before.Labels) {
			t.Errorf("Train %q: labels %v, want the same %d labels", label, resp.GetLabelCounts(), len(before.Labels))
		}
	}
	m, err := client.GetModel(callCtx(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.GetLabels(), ",") != strings.Join(before.Labels, ",") {
		t.Errorf("labels: got %v, want %v", m.GetLabels(), before.Labels)
	}
	// Forget under a different variant of the same label.
	for i, label := range []string{"denial", " DENIAL", "Denial\t", " dEnIaL "} {
		text := "the spokesman flatly denied variant " + string(rune('a'+i))
		if _, err := client.Forget(callCtx(t), &claimsv1.ForgetRequest{Examples: []*claimsv1.Example{{Text: text, Label: label}}}); err != nil {
			t.Errorf("Forget %q: %v", label, err)
		}
	}
	if got := model.Info(); got.Counts["denial"] != before.Counts["denial"] || got.Examples != before.Examples {
		t.Errorf("after Forget: counts %v, want %v", got.Counts, before.Counts)
	}
}

// TestGRPCDuplicateExamples checks the decision that duplicates are
// accepted and counted: each occurrence is one example, and Forget must be
// called as many times.
func TestGRPCDuplicateExamples(t *testing.T) {
	conn, model := matrixServer(t)
	client := claimsv1.NewClaimServiceClient(conn)
	before := model.Info()
	dup := &claimsv1.Example{Text: "sirens sounded across the capital", Label: "warning"}
	resp, err := client.Train(callCtx(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{dup, dup, dup}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetExamplesApplied() != 3 || resp.GetLabelCounts()["warning"] != before.Counts["warning"]+3 || resp.GetTotalExamples() != before.Examples+3 {
		t.Fatalf("Train of 3 duplicates: got %v", resp)
	}
	// Forgetting 4 at once fails as a whole.
	v := model.Info()
	_, err = client.Forget(callCtx(t), &claimsv1.ForgetRequest{Examples: []*claimsv1.Example{dup, dup, dup, dup}})
	if st := status.Convert(err); st.Code() != codes.NotFound || !strings.Contains(st.Message(), "examples[3].text: example was not learned") {
		t.Errorf("Forget 4 of 3: got %s %q", st.Code(), st.Message())
	}
	apitest.SameModel(t, "Forget 4 of 3", v, model)
	// One at a time: three succeed, the fourth is NOT_FOUND.
	for i := range 3 {
		fr, err := client.Forget(callCtx(t), &claimsv1.ForgetRequest{Examples: []*claimsv1.Example{dup}})
		if err != nil {
			t.Fatalf("Forget %d: %v", i+1, err)
		}
		if got, want := fr.GetLabelCounts()["warning"], before.Counts["warning"]+int64(2-i); got != want {
			t.Errorf("Forget %d: warning has %d, want %d", i+1, got, want)
		}
	}
	v = model.Info()
	_, err = client.Forget(callCtx(t), &claimsv1.ForgetRequest{Examples: []*claimsv1.Example{dup}})
	if st := status.Convert(err); st.Code() != codes.NotFound {
		t.Errorf("fourth Forget: got %s %q, want NotFound", st.Code(), st.Message())
	}
	apitest.SameModel(t, "fourth Forget", v, model)
	if got := model.Info(); got.Examples != before.Examples || got.Counts["warning"] != before.Counts["warning"] {
		t.Errorf("after forgetting every duplicate: got %v, want %v", got.Counts, before.Counts)
	}
}
