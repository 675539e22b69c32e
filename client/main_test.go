package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// fakeServer answers with canned responses and records what it got.
type fakeServer struct {
	claimsv1.UnimplementedClaimServiceServer
	trained []*claimsv1.Example
	token   string
}

func (f *fakeServer) Classify(_ context.Context, req *claimsv1.ClassifyRequest) (*claimsv1.ClassifyResponse, error) {
	if req.GetText() == "" && len(req.GetSentences()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "text: text is empty")
	}
	units := req.GetSentences()
	if len(units) == 0 {
		units = strings.Split(strings.TrimSpace(req.GetText()), "\n")
	}
	resp := &claimsv1.ClassifyResponse{ModelVersion: 7}
	for i, u := range units {
		label := "other"
		if strings.Contains(u, "denied") {
			label = "denial"
		}
		resp.Sentences = append(resp.Sentences, &claimsv1.SentenceResult{Index: int32(i), Text: u, Label: label, Confidence: 0.9})
	}
	return resp, nil
}

func (f *fakeServer) Train(ctx context.Context, req *claimsv1.TrainRequest) (*claimsv1.TrainResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if got := md.Get("authorization"); len(got) > 0 {
		f.token = got[0]
	}
	f.trained = append(f.trained, req.GetExamples()...)
	return &claimsv1.TrainResponse{ModelVersion: uint64(1 + len(f.trained)), ExamplesApplied: int64(len(req.GetExamples())),
		LabelCounts: map[string]int64{"denial": int64(len(f.trained))}, TotalExamples: int64(len(f.trained))}, nil
}

func (f *fakeServer) Forget(context.Context, *claimsv1.ForgetRequest) (*claimsv1.ForgetResponse, error) {
	return nil, status.Error(codes.NotFound, "examples[0].text: example was not learned")
}

func (f *fakeServer) Evaluate(_ context.Context, req *claimsv1.EvaluateRequest) (*claimsv1.EvaluateResponse, error) {
	return &claimsv1.EvaluateResponse{ModelVersion: 7, Examples: int64(len(req.GetExamples())), Accuracy: 1, MacroF1: 1,
		Labels:    []*claimsv1.LabelMetrics{{Label: "denial", Precision: 1, Recall: 1, F1: 1, Support: 1}},
		Confusion: &claimsv1.ConfusionMatrix{Labels: []string{"denial"}, Rows: []*claimsv1.ConfusionRow{{Actual: "denial", Predicted: []int64{1}}}}}, nil
}

func (f *fakeServer) GetModel(context.Context, *claimsv1.GetModelRequest) (*claimsv1.GetModelResponse, error) {
	return &claimsv1.GetModelResponse{Version: 7, Labels: []string{"denial", "other"}, LabelCounts: map[string]int64{"denial": 3, "other": 4},
		TotalExamples: 7, VocabularySize: 42, ContentHash: "abc", Tokenizer: "embedded", FeatureRevision: 1, ExtractorRevision: 2}, nil
}

func startFake(t *testing.T) (*fakeServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{}
	srv := grpc.NewServer()
	claimsv1.RegisterClaimServiceServer(srv, f)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return f, lis.Addr().String()
}

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{}
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestCommands(t *testing.T) {
	f, addr := startFake(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "ex.jsonl")
	os.WriteFile(data, []byte(`{"text": "They denied it.", "label": "denial"}`+"\n"+`{"text": "Rain fell.", "label": "other"}`+"\n"), 0o600)

	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string
		err   string
	}{
		{"classify table", "The ministry denied it.\nRain fell.", []string{"classify", "--addr", addr}, 0, "denial", ""},
		{"classify json", "They denied it.", []string{"classify", "--addr", addr, "--json", "--sentences"}, 0, `"label":"denial"`, ""},
		{"classify error", "", []string{"classify", "--addr", addr, "-"}, 1, "", "client: InvalidArgument: text: text is empty"},
		{"train batches", "", []string{"train", "--addr", addr, "--data", data, "--batch", "1", "--token", "s3cret"}, 0, "model version 3", "2/2 examples"},
		{"forget error", "", []string{"forget", "--addr", addr, "--data", data}, 1, "", "client: NotFound: examples[0].text: example was not learned"},
		{"eval", "", []string{"eval", "--addr", addr, "--data", data}, 0, "confusion matrix", ""},
		{"model", "", []string{"model", "--addr", addr}, 0, "vocabulary    42", ""},
		{"model stale features", "", []string{"model", "--addr", addr}, 0, "revision 1 (the server extracts revision 2", ""},
		{"no data", "", []string{"train", "--addr", addr}, 1, "", "--data FILE.jsonl is required"},
		{"bad data", "", []string{"eval", "--addr", addr, "--data", filepath.Join(dir, "missing.jsonl")}, 1, "", "no such file"},
		{"unknown command", "", []string{"frobnicate"}, 2, "", "unknown command"},
		{"no command", "", nil, 2, "", "usage:"},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.stdin, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit %d, stdout containing %q, stderr containing %q",
				tt.name, code, out, errs, tt.code, tt.out, tt.err)
		}
	}
	if len(f.trained) != 2 || f.token != "Bearer s3cret" {
		t.Errorf("server got %d examples with token %q, want 2 with the bearer token", len(f.trained), f.token)
	}
}

func TestMalformedData(t *testing.T) {
	_, addr := startFake(t)
	data := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(data, []byte("{\"text\": \"ok\", \"label\": \"other\"}\nnot json\n"), 0o600)
	code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data)
	if code != 1 || !strings.Contains(errs, "line 2") {
		t.Errorf("got exit %d, stderr %q; want 1 naming line 2", code, errs)
	}
}
