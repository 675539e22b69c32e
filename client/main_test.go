package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

	limits        *claimsv1.Limits // what GetModel reports
	classifyCalls int
	trainCalls    int
	failTrainCall int // if > 0, the Train call of this number fails on its second example
	evalCalls     int
}

func (f *fakeServer) Classify(_ context.Context, req *claimsv1.ClassifyRequest) (*claimsv1.ClassifyResponse, error) {
	if req.GetText() == "" && len(req.GetSentences()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "text: text is empty")
	}
	f.classifyCalls++
	type unit struct {
		text       string
		start, end int
	}
	var units []unit
	for _, s := range req.GetSentences() {
		units = append(units, unit{text: s})
	}
	if text := req.GetText(); text != "" {
		// One sentence a line, with its byte offsets in the request.
		for pos := 0; pos < len(text); {
			end := len(text)
			if i := strings.IndexByte(text[pos:], '\n'); i >= 0 {
				end = pos + i
			}
			if line := strings.TrimSpace(text[pos:end]); line != "" {
				start := pos + strings.Index(text[pos:end], line)
				units = append(units, unit{line, start, start + len(line)})
			}
			pos = end + 1
		}
	}
	resp := &claimsv1.ClassifyResponse{ModelVersion: 7}
	for i, u := range units {
		label := "other"
		if strings.Contains(u.text, "denied") {
			label = "denial"
		}
		resp.Sentences = append(resp.Sentences, &claimsv1.SentenceResult{Index: int32(i), Text: u.text, Start: int32(u.start), End: int32(u.end), Label: label, Confidence: 0.9})
	}
	return resp, nil
}

func (f *fakeServer) Train(ctx context.Context, req *claimsv1.TrainRequest) (*claimsv1.TrainResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if got := md.Get("authorization"); len(got) > 0 {
		f.token = got[0]
	}
	f.trainCalls++
	if f.trainCalls == f.failTrainCall {
		return nil, status.Error(codes.InvalidArgument, "examples[1].label: label is not known to the model: \"nope\"")
	}
	f.trained = append(f.trained, req.GetExamples()...)
	return &claimsv1.TrainResponse{ModelVersion: uint64(1 + len(f.trained)), ExamplesApplied: int64(len(req.GetExamples())),
		LabelCounts: map[string]int64{"denial": int64(len(f.trained))}, TotalExamples: int64(len(f.trained))}, nil
}

func (f *fakeServer) Forget(context.Context, *claimsv1.ForgetRequest) (*claimsv1.ForgetResponse, error) {
	return nil, status.Error(codes.NotFound, "examples[0].text: example was not learned")
}

func (f *fakeServer) Evaluate(_ context.Context, req *claimsv1.EvaluateRequest) (*claimsv1.EvaluateResponse, error) {
	f.evalCalls++
	if len(req.GetExamples()) != 1 {
		// Every example is a denial, predicted right.
		n := int64(len(req.GetExamples()))
		return &claimsv1.EvaluateResponse{ModelVersion: 7, Examples: n,
			Confusion: &claimsv1.ConfusionMatrix{Labels: []string{"denial"}, Rows: []*claimsv1.ConfusionRow{{Actual: "denial", Predicted: []int64{n}}}}}, nil
	}
	return &claimsv1.EvaluateResponse{ModelVersion: 7, Examples: int64(len(req.GetExamples())), Accuracy: 1, MacroF1: 1,
		Labels:    []*claimsv1.LabelMetrics{{Label: "denial", Precision: 1, Recall: 1, F1: 1, Support: 1}},
		Confusion: &claimsv1.ConfusionMatrix{Labels: []string{"denial"}, Rows: []*claimsv1.ConfusionRow{{Actual: "denial", Predicted: []int64{1}}}}}, nil
}

func (f *fakeServer) GetModel(context.Context, *claimsv1.GetModelRequest) (*claimsv1.GetModelResponse, error) {
	return &claimsv1.GetModelResponse{Version: 7, Labels: []string{"denial", "other"}, LabelCounts: map[string]int64{"denial": 3, "other": 4},
		TotalExamples: 7, VocabularySize: 42, ContentHash: "abc", Tokenizer: "embedded", FeatureRevision: 1, ExtractorRevision: 2, Limits: f.limits}, nil
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
		{"forget error", "", []string{"forget", "--addr", addr, "--data", data}, 1, "", "client: NotFound: " + data + " line 1: text: example was not learned"},
		{"eval", "", []string{"eval", "--addr", addr, "--data", data}, 0, "confusion matrix", ""},
		{"model", "", []string{"model", "--addr", addr}, 0, "vocabulary    42", ""},
		{"model stale features", "", []string{"model", "--addr", addr}, 0, "revision 1 (the server extracts revision 2", ""},
		{"no data", "", []string{"train", "--addr", addr}, 2, "", "--data FILE.jsonl is required"},
		{"extra argument", "", []string{"model", "--addr", addr, "junk"}, 2, "", "unexpected arguments"},
		{"extra data file", "", []string{"train", "--addr", addr, "--data", data, "other.jsonl"}, 2, "", "unexpected arguments"},
		{"flags after FILE", "", []string{"classify", data, "--addr", addr, "--json"}, 0, `"label":`, ""},
		{"flag value --", "", []string{"model", "--addr", addr, "--token", "--"}, 0, "vocabulary    42", ""},
		{"flag value -- before the command", "", []string{"--token", "--", "--addr", addr, "model"}, 0, "vocabulary    42", ""},
		{"-- ends the flags", "", []string{"classify", "--addr", addr, "--", "--json"}, 1, "", "--json: no such file"},
		{"flags after -- are arguments", "They denied it.", []string{"classify", "--", "-", "--addr", addr}, 2, "", "expected at most one FILE, got 3 arguments"},
		{"flags before the command", "", []string{"--addr", addr, "--timeout", "5s", "model"}, 0, "vocabulary    42", ""},
		{"bool flag before the command", "They denied it.", []string{"--json", "--addr", addr, "classify"}, 0, `"label":"denial"`, ""},
		{"misspelt command after flags", "", []string{"--addr", addr, "modle"}, 2, "", `unknown command "modle"`},
		{"flags and no command", "", []string{"--addr", addr}, 2, "", "no command given"},
		{"help after flags", "", []string{"--addr", addr, "-h"}, 0, "", "usage:"},
		{"help command after flags", "", []string{"--addr", addr, "help"}, 0, "", "usage:"},
		{"help", "", []string{"--help"}, 0, "", "usage:"},
		{"zero timeout", "", []string{"model", "--addr", addr, "--timeout", "0s"}, 2, "", "--timeout must be positive"},
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

// TestBatches checks that train and eval split their input within the
// server's limits (GetModel), that eval sums its batches, and that a
// failed batch names the file's line and what the batches before it did.
func TestBatches(t *testing.T) {
	f, addr := startFake(t)
	f.limits = &claimsv1.Limits{MaxExamples: 3, MaxGrpcReceiveBytes: 8 << 10, MaxTextBytes: 1 << 10, MaxSentences: 100}
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("\ufeff")
	for i := range 10 {
		fmt.Fprintf(&b, "{\"text\": \"They denied report %d.\", \"label\": \"denial\"}\n\n", i)
	}
	data := filepath.Join(dir, "ten.jsonl")
	if err := os.WriteFile(data, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "eval", "--addr", addr, "--data", data)
	if code != 0 || !strings.Contains(out, "10 examples: accuracy 1.000") || f.evalCalls != 4 {
		t.Errorf("eval: got exit %d, %d calls, stdout %q, stderr %q; want 4 calls summed to 10 examples", code, f.evalCalls, out, errs)
	}
	code, _, _ = runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "2")
	if code != 0 || f.trainCalls != 5 || len(f.trained) != 10 {
		t.Errorf("train --batch 2: got exit %d, %d calls, %d examples; want 5 calls of 10", code, f.trainCalls, len(f.trained))
	}
	// Batches of 3 (the server's limit): the second call fails on its
	// second example, the 5th of the file, on line 9 (blank lines between).
	f.trainCalls, f.failTrainCall, f.trained = 0, 2, nil
	code, _, errs = runCLI(t, "", "train", "--addr", addr, "--data", data)
	want := "client: InvalidArgument: " + data + " line 9: label: label is not known to the model: \"nope\" (the 3 examples before line 7 were applied; the rest were not sent)"
	if code != 1 || !strings.Contains(errs, "\n"+want+"\n") {
		t.Errorf("failed batch: got exit %d, stderr %q; want a line of its own %q", code, errs, want)
	}
	// Size: at most 8 KiB a request, so 4 KiB examples go two by two.
	big := filepath.Join(dir, "big.jsonl")
	text := strings.Repeat("word ", 800)
	os.WriteFile(big, []byte(strings.Repeat(`{"text": "`+text+`", "label": "other"}`+"\n", 4)), 0o600)
	f.trainCalls, f.failTrainCall, f.trained = 0, 0, nil
	if code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", big); code != 0 || f.trainCalls != 4 {
		t.Errorf("large examples: got exit %d, %d calls, stderr %q; want 4 calls of one", code, f.trainCalls, errs)
	}
}

// TestClassifySplitsInput classifies input beyond the server's limits:
// the client sends it in several requests, and indexes and offsets are
// those of the whole input (past a byte order mark).
func TestClassifySplitsInput(t *testing.T) {
	f, addr := startFake(t)
	f.limits = &claimsv1.Limits{MaxExamples: 10, MaxGrpcReceiveBytes: 1 << 20, MaxTextBytes: 40, MaxSentences: 2}
	input := "\ufeffThey denied it.\nRain fell.\nThe army denied it.\nSnow fell.\nFog.\n"
	code, out, errs := runCLI(t, input, "classify", "--addr", addr, "--json")
	if code != 0 || f.classifyCalls != 3 {
		t.Fatalf("got exit %d, %d calls, stderr %q; want 3 calls", code, f.classifyCalls, errs)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Index      int
			Text       string
			Start, End int
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if input[r.Start:r.End] != r.Text {
			t.Errorf("sentence %d: offsets %d-%d give %q, want %q", r.Index, r.Start, r.End, input[r.Start:r.End], r.Text)
		}
		got = append(got, fmt.Sprintf("%d:%s", r.Index, r.Text))
	}
	if want := "0:They denied it. 1:Rain fell. 2:The army denied it. 3:Snow fell. 4:Fog."; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

func TestChunkTextLeavesOutBlankPieces(t *testing.T) {
	l := limits{maxTextBytes: 10, maxSentences: 100}
	tests := []struct {
		text string
		want []chunk
	}{
		{strings.Repeat("\n", 25) + "Rain.\n", []chunk{{25, "Rain.\n"}}},
		{"Rain.\n" + strings.Repeat(" \n", 12), []chunk{{0, "Rain.\n \n \n"}}},
		{strings.Repeat("\n", 25), []chunk{{0, strings.Repeat("\n", 10)}}},
	}
	for _, tt := range tests {
		if got := chunkText(tt.text, l); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("chunkText(%q): got %v, want %v", tt.text, got, tt.want)
		}
	}
}
