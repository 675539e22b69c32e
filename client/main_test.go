package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// fakeServer answers like the real server on a model it only counts, and
// records what it got. Its hooks, when set, decide how a call goes.
type fakeServer struct {
	claimsv1.UnimplementedClaimServiceServer

	mu            sync.Mutex
	version       uint64 // the model's
	total         int64  // examples
	trained       []*claimsv1.Example
	token         string
	limits        *claimsv1.Limits                 // what GetModel reports
	editModel     func(*claimsv1.GetModelResponse) // if not nil, changes what GetModel reports
	classifyCalls int
	trainCalls    int
	forgetCalls   int
	evalCalls     int
	getModelCalls int
	failTrainCall int             // if > 0, the Train call of this number fails on its second example
	applied       map[string]bool // request_ids of the Train and Forget calls applied
	failEval      error           // if set, every Evaluate fails with it
	// evalBins, if set, is the calibration every Evaluate answers
	// with; else every example counts right at confidence 0.95.
	evalBins func(n int64) []*claimsv1.CalibrationBin

	// onTrain and onForget, if set, run a call instead of applying it at
	// once: apply applies the call's examples.
	onTrain, onForget func(ctx context.Context, call int, apply func()) error
	// onClassify, if set, may fail a Classify call before it is answered.
	onClassify func(ctx context.Context, call int, req *claimsv1.ClassifyRequest) error
	// onGetModel, if set, may fail a GetModel call.
	onGetModel func(ctx context.Context, call int) error
}

// lock runs fn holding f's lock.
func (f *fakeServer) lock(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *fakeServer) Classify(ctx context.Context, req *claimsv1.ClassifyRequest) (*claimsv1.ClassifyResponse, error) {
	var call int
	var hook func(context.Context, int, *claimsv1.ClassifyRequest) error
	l := defaultLimits()
	f.lock(func() {
		f.classifyCalls++
		call, hook = f.classifyCalls, f.onClassify
		if f.limits != nil {
			l.maxTextBytes, l.maxSentences = int(f.limits.GetMaxTextBytes()), int(f.limits.GetMaxSentences())
		}
	})
	if hook != nil {
		if err := hook(ctx, call, req); err != nil {
			return nil, err
		}
	}
	if req.GetText() == "" && len(req.GetSentences()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "text: text is empty")
	}
	size := len(req.GetText())
	var units []classifier.Span
	for _, s := range req.GetSentences() {
		units = append(units, classifier.Span{Text: s})
		size += len(s)
	}
	if size > l.maxTextBytes && req.GetText() != "" {
		return nil, status.Errorf(codes.InvalidArgument, "text: %d bytes exceed the limit of %d", size, l.maxTextBytes)
	}
	if size > l.maxTextBytes {
		return nil, status.Errorf(codes.InvalidArgument, "sentences: %d bytes in all exceed the limit of %d", size, l.maxTextBytes)
	}
	if text := req.GetText(); text != "" {
		units = classifier.Segment(text)
	}
	if len(units) > l.maxSentences {
		return nil, status.Errorf(codes.InvalidArgument, "text: %d sentences exceed the limit of %d", len(units), l.maxSentences)
	}
	resp := &claimsv1.ClassifyResponse{}
	f.lock(func() { resp.ModelVersion = f.version })
	for i, u := range units {
		label := "other"
		if strings.Contains(u.Text, "denied") {
			label = "denial"
		}
		var feats []*claimsv1.Feature
		for range req.GetExplain() {
			feats = append(feats, &claimsv1.Feature{Name: "w:" + strings.Repeat("x", 50), Weight: 1})
		}
		resp.Sentences = append(resp.Sentences, &claimsv1.SentenceResult{Index: int32(i), Text: u.Text, Start: int32(u.Start), End: int32(u.End),
			Label: label, Confidence: 0.9, Features: feats})
	}
	return resp, nil
}

func (f *fakeServer) Train(ctx context.Context, req *claimsv1.TrainRequest) (*claimsv1.TrainResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	var call, failCall int
	var hook func(context.Context, int, func()) error
	f.lock(func() {
		if got := md.Get("authorization"); len(got) > 0 {
			f.token = got[0]
		}
		f.trainCalls++
		call, failCall, hook = f.trainCalls, f.failTrainCall, f.onTrain
	})
	if call == failCall {
		return nil, status.Error(codes.InvalidArgument, "examples[1].label: label is not known to the model: \"nope\"")
	}
	if err := f.checkIfVersion("Train", req.GetRequestId(), req.GetIfVersion()); err != nil {
		return nil, err
	}
	apply := func() {
		f.lock(func() {
			if f.seen("Train", req.GetRequestId()) {
				return
			}
			if req.GetReplace() {
				f.trained, f.total = nil, 0
			}
			f.trained = append(f.trained, req.GetExamples()...)
			f.total += int64(len(req.GetExamples()))
			f.version++
		})
	}
	if err := f.run(ctx, hook, call, apply); err != nil {
		return nil, err
	}
	resp := &claimsv1.TrainResponse{ExamplesApplied: int64(len(req.GetExamples()))}
	f.lock(func() {
		resp.ModelVersion, resp.TotalExamples = f.version, f.total
		resp.LabelCounts = map[string]int64{"denial": f.total}
	})
	return resp, nil
}

// checkIfVersion refuses, as the server does, a call with an if_version
// other than the model's, unless its request_id was applied before.
func (f *fakeServer) checkIfVersion(method, id string, ifVersion uint64) error {
	var err error
	f.lock(func() {
		if ifVersion != 0 && !(id != "" && f.applied[method+" "+id]) && f.version != ifVersion {
			err = status.Errorf(codes.Aborted, "if_version: model is not at the expected version: it is at version %d, not %d", f.version, ifVersion)
		}
	})
	return err
}

// seen reports whether a call of method with request_id id was applied
// before, and records it: as the server does, the fake applies a
// request_id once. Callers hold f.mu.
func (f *fakeServer) seen(method, id string) bool {
	if id == "" {
		return false
	}
	if f.applied == nil {
		f.applied = make(map[string]bool)
	}
	key := method + " " + id
	if f.applied[key] {
		return true
	}
	f.applied[key] = true
	return false
}

// run runs a call that changes the model: hook if set, else apply.
func (f *fakeServer) run(ctx context.Context, hook func(context.Context, int, func()) error, call int, apply func()) error {
	if hook == nil {
		apply()
		return nil
	}
	return hook(ctx, call, apply)
}

func (f *fakeServer) Forget(ctx context.Context, req *claimsv1.ForgetRequest) (*claimsv1.ForgetResponse, error) {
	var call int
	var hook func(context.Context, int, func()) error
	f.lock(func() {
		f.forgetCalls++
		call, hook = f.forgetCalls, f.onForget
	})
	if hook == nil {
		return nil, status.Error(codes.NotFound, "examples[0].text: example was not learned")
	}
	if err := f.checkIfVersion("Forget", req.GetRequestId(), req.GetIfVersion()); err != nil {
		return nil, err
	}
	apply := func() {
		f.lock(func() {
			if f.seen("Forget", req.GetRequestId()) {
				return
			}
			f.total -= int64(len(req.GetExamples()))
			f.version++
		})
	}
	if err := hook(ctx, call, apply); err != nil {
		return nil, err
	}
	resp := &claimsv1.ForgetResponse{ExamplesForgotten: int64(len(req.GetExamples()))}
	f.lock(func() {
		resp.ModelVersion, resp.TotalExamples = f.version, f.total
		resp.LabelCounts = map[string]int64{"denial": f.total}
	})
	return resp, nil
}

func (f *fakeServer) Evaluate(_ context.Context, req *claimsv1.EvaluateRequest) (*claimsv1.EvaluateResponse, error) {
	var fail error
	bins := rightAt95
	f.lock(func() {
		f.evalCalls++
		fail = f.failEval
		if f.evalBins != nil {
			bins = f.evalBins
		}
	})
	if fail != nil {
		return nil, fail
	}
	// Every example is predicted right; the first example's label stands
	// for all of them.
	l := "denial"
	if len(req.GetExamples()) > 0 {
		l = req.GetExamples()[0].GetLabel()
	}
	if len(req.GetExamples()) != 1 {
		n := int64(len(req.GetExamples()))
		return &claimsv1.EvaluateResponse{ModelVersion: 7, Examples: n, Calibration: bins(n),
			Confusion: &claimsv1.ConfusionMatrix{Labels: []string{l}, Rows: []*claimsv1.ConfusionRow{{Actual: l, Predicted: []int64{n}}}}}, nil
	}
	return &claimsv1.EvaluateResponse{ModelVersion: 7, Examples: int64(len(req.GetExamples())), Accuracy: 1, MacroF1: 1,
		Labels:      []*claimsv1.LabelMetrics{{Label: l, Precision: 1, Recall: 1, F1: 1, Support: 1}},
		Calibration: bins(1),
		Confusion:   &claimsv1.ConfusionMatrix{Labels: []string{l}, Rows: []*claimsv1.ConfusionRow{{Actual: l, Predicted: []int64{1}}}}}, nil
}

// rightAt95 is the reliability table of n examples, each right at
// confidence 0.95.
func rightAt95(n int64) []*claimsv1.CalibrationBin {
	var c classifier.Calibration
	for range n {
		c.Add(0.95, true)
	}
	var out []*claimsv1.CalibrationBin
	for _, b := range c.Bins {
		out = append(out, &claimsv1.CalibrationBin{Low: b.Low, High: b.High, Examples: int64(b.Examples), Correct: int64(b.Correct), ConfidenceSum: b.ConfidenceSum})
	}
	return out
}

func (f *fakeServer) GetModel(ctx context.Context, _ *claimsv1.GetModelRequest) (*claimsv1.GetModelResponse, error) {
	var call int
	var hook func(context.Context, int) error
	resp := &claimsv1.GetModelResponse{Labels: []string{"denial", "other"}, LabelCounts: map[string]int64{"denial": 3, "other": 4},
		VocabularySize: 42, ContentHash: "abc", Tokenizer: "embedded", FeatureRevision: 1, ExtractorRevision: 2}
	f.lock(func() {
		f.getModelCalls++
		call, hook = f.getModelCalls, f.onGetModel
		resp.Version, resp.TotalExamples, resp.Limits = f.version, f.total, f.limits
		if f.editModel != nil {
			f.editModel(resp)
		}
	})
	if hook != nil {
		if err := hook(ctx, call); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func startFake(t *testing.T) (*fakeServer, string) {
	f, addr, _ := startFakeServer(t)
	return f, addr
}

// startFakeServer is startFake that also returns the gRPC server, which
// the test's cleanup stops.
func startFakeServer(t *testing.T) (*fakeServer, string, *grpc.Server) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{version: 7, total: 7}
	srv := serveFake(lis, f)
	t.Cleanup(srv.Stop)
	return f, lis.Addr().String(), srv
}

// serveFake serves f on lis.
func serveFake(lis net.Listener, f *fakeServer) *grpc.Server {
	srv := grpc.NewServer()
	claimsv1.RegisterClaimServiceServer(srv, f)
	go srv.Serve(lis)
	return srv
}

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIContext(t, context.Background(), stdin, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	env := map[string]string{}
	code = run(ctx, args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// syncBuffer is a bytes.Buffer that a fake server's handler may read
// while the client writes. It passes for a terminal, so that the client
// draws its progress bars into it, unless notTTY is set.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	notTTY bool
}

func (s *syncBuffer) isTerminal() bool { return !s.notTTY }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// writeFile writes data to name in a temporary directory and returns its
// path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
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
		{"classify error", "", []string{"classify", "--addr", addr, "-"}, 1, "", "client: stdin: text is empty"},
		{"train batches", "", []string{"train", "--addr", addr, "--data", data, "--batch", "1", "--token", "s3cret"}, 0, "model version 9, 9 examples in all", "2/2 examples"},
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
		{"flag=value before the command", "", []string{"--addr=" + addr, "model"}, 0, "vocabulary    42", ""},
		{"bool flag before the command", "They denied it.", []string{"--json", "--addr", addr, "classify"}, 0, `"label":"denial"`, ""},
		{"misspelt command after flags", "", []string{"--addr", addr, "modle"}, 2, "", `unknown command "modle"`},
		{"unknown flag before the command", "", []string{"--badflag", "model", "--addr", addr}, 2, "", "client: flag provided but not defined: -badflag\n"},
		{"unknown flag=value before the command", "", []string{"--addr", addr, "-badflag=1", "model"}, 2, "", "flag provided but not defined: -badflag\n"},
		{"unknown flag after the command", "", []string{"model", "--badflag", "--addr", addr}, 2, "", "flag provided but not defined: -badflag\n"},
		{"flags and no command", "", []string{"--addr", addr}, 2, "", "no command given"},
		{"help after flags", "", []string{"--addr", addr, "-h"}, 0, "usage:", ""},
		{"help command after flags", "", []string{"--addr", addr, "help"}, 0, "usage:", ""},
		{"help", "", []string{"--help"}, 0, "usage:", ""},
		{"help for a command", "", []string{"help", "classify"}, 0, "Usage of client classify:", ""},
		{"help for an unknown command", "", []string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{"address without a port", "", []string{"model", "--addr", "127.0.0.1"}, 2, "", `--addr "127.0.0.1": give host:port`},
		{"no server", "", []string{"model", "--addr", "127.0.0.1:1"}, 1, "", "(no server listens at 127.0.0.1:1)"},
		{"zero timeout", "", []string{"model", "--addr", addr, "--timeout", "0s"}, 2, "", "--timeout must be positive"},
		{"explain too large", "They denied it.", []string{"classify", "--addr", addr, "--explain", "4294967298"}, 2, "", "--explain must be between 0 and 2147483647, got 4294967298"},
		{"explain negative", "They denied it.", []string{"classify", "--addr", addr, "--explain", "-1"}, 2, "", "--explain must be between 0 and 2147483647, got -1"},
		{"bad data", "", []string{"eval", "--addr", addr, "--data", filepath.Join(dir, "missing.jsonl")}, 1, "", "no such file"},
		{"unknown command", "", []string{"frobnicate"}, 2, "", "unknown command"},
		{"version", "", []string{"version"}, 0, "claims client ", ""},
		{"--version", "", []string{"--version"}, 0, "claims client ", ""},
		{"version with the common flags", "", []string{"--addr", "127.0.0.1:1", "version", "--timeout", "1s"}, 0, "claims client ", ""},
		{"version with an argument", "", []string{"version", "now"}, 2, "", `client version: unexpected arguments ["now"]`},
		{"version help", "", []string{"version", "-h"}, 0, "Usage of client version:", ""},
		{"version help says it ignores the connection", "", []string{"version", "-h"}, 0, "-addr string\n    \tignored: this command calls no server", ""},
		{"health help says it ignores the token", "", []string{"health", "-h"}, 0, "-token string\n    \tignored: this command sends no token", ""},
		{"version with settings it does not use", "", []string{"version", "--addr", "no-port", "--timeout", "0s", "--tls-cert", "c.pem"}, 0, "claims client ", ""},
		{"--version among flags", "", []string{"--addr", addr, "--version"}, 0, "claims client ", ""},
		{"--version after a command", "", []string{"model", "--version"}, 0, "claims client ", ""},
		{"--version after --", "", []string{"classify", "--addr", addr, "--", "--version"}, 1, "", "--version: no such file"},
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
	if f.classifyCalls != 4 {
		t.Errorf("got %d Classify calls, want 4 (an empty input and a bad --explain are refused before sending)", f.classifyCalls)
	}
}

func TestMalformedData(t *testing.T) {
	_, addr := startFake(t)
	data := writeFile(t, "bad.jsonl", "{\"text\": \"ok\", \"label\": \"other\"}\nnot json\n")
	code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data)
	// Placed as the other line errors are: "FILE line N: …".
	want := "client: " + data + " line 2: malformed example line: invalid character 'o' in literal null (expecting 'u')\n"
	if code != 1 || errs != want {
		t.Errorf("got exit %d, stderr %q; want 1, %q", code, errs, want)
	}
	// Lines ended by a carriage return alone are one line to JSON Lines.
	data = writeFile(t, "mac.jsonl", "{\"text\": \"ok\", \"label\": \"other\"}\r{\"text\": \"ok\", \"label\": \"other\"}\r")
	_, _, errs = runCLI(t, "", "train", "--addr", addr, "--data", data)
	if want := "(its lines end in a carriage return alone, as old Mac files do: JSON Lines ends them in LF or CRLF)\n"; !strings.HasSuffix(errs, want) {
		t.Errorf("CR line ends: got stderr %q, want it to end in %q", errs, want)
	}
}

// TestBatches checks that train and eval split their input within the
// server's limits (GetModel), that eval sums its batches, and that a
// failed batch names the file's line and what the batches before it did.
func TestBatches(t *testing.T) {
	f, addr := startFake(t)
	f.limits = &claimsv1.Limits{MaxExamples: 3, MaxGrpcReceiveBytes: 8 << 10, MaxTextBytes: 8 << 10, MaxSentences: 100}
	var b strings.Builder
	b.WriteString("\ufeff")
	for i := range 10 {
		fmt.Fprintf(&b, "{\"text\": \"They denied report %d.\", \"label\": \"denial\"}\n\n", i)
	}
	data := writeFile(t, "ten.jsonl", b.String())
	code, out, errs := runCLI(t, "", "eval", "--addr", addr, "--data", data)
	if code != 0 || !strings.Contains(out, "10 examples: accuracy 1.000") || f.evalCalls != 4 {
		t.Errorf("eval: got exit %d, %d calls, stdout %q, stderr %q; want 4 calls summed to 10 examples", code, f.evalCalls, out, errs)
	}
	// The batches' reliability tables add up too.
	if want := "confidence: calibration error 0.050"; !strings.Contains(out, want) || !regexp.MustCompile(`0\.9-1\.0 +10 +1\.000 +0\.950\n`).MatchString(out) {
		t.Errorf("eval: got stdout %q, want %q and the 0.9-1.0 row of 10 examples", out, want)
	}
	// A server from before the tables sends none, and one with other bins
	// gives tables that do not add up: no table either way, also when only
	// some batches come so (servers of two builds behind a balancer).
	good := rightAt95
	none := func(int64) []*claimsv1.CalibrationBin { return nil }
	otherBins := func(n int64) []*claimsv1.CalibrationBin {
		return []*claimsv1.CalibrationBin{{Low: 0, High: 1, Examples: n, Correct: n, ConfidenceSum: float64(n)}}
	}
	// firstThen answers the first call with first, the others with rest.
	firstThen := func(first, rest func(int64) []*claimsv1.CalibrationBin) func(int64) []*claimsv1.CalibrationBin {
		calls := 0
		return func(n int64) []*claimsv1.CalibrationBin {
			if calls++; calls == 1 {
				return first(n)
			}
			return rest(n)
		}
	}
	for name, bins := range map[string]func(int64) []*claimsv1.CalibrationBin{
		"none":                     none,
		"other bins":               otherBins,
		"none after a table":       firstThen(good, none),
		"other bins after a table": firstThen(good, otherBins),
		"a table after none":       firstThen(none, good),
	} {
		f.lock(func() { f.evalBins = bins })
		code, out, errs = runCLI(t, "", "eval", "--addr", addr, "--data", data)
		if code != 0 || !strings.Contains(out, "10 examples: accuracy 1.000") || strings.Contains(out, "calibration") {
			t.Errorf("eval with %s: got exit %d, stdout %q, stderr %q; want the scores and no calibration", name, code, out, errs)
		}
	}
	f.lock(func() { f.evalBins = nil })
	// Data with no claim label has no macro-F1 to give.
	others := writeFile(t, "others.jsonl", strings.ReplaceAll(b.String(), `"denial"`, `"other"`))
	code, out, errs = runCLI(t, "", "eval", "--addr", addr, "--data", others)
	if want := "accuracy 1.000, macro-F1 (claim labels) n/a (no claim label in the data or the predictions)\n"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("eval of other only: got exit %d, stdout %q, stderr %q; want %q", code, out, errs, want)
	}
	f.evalCalls = 0
	code, _, _ = runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "2")
	if code != 0 || f.trainCalls != 5 || len(f.trained) != 10 {
		t.Errorf("train --batch 2: got exit %d, %d calls, %d examples; want 5 calls of 10", code, f.trainCalls, len(f.trained))
	}
	// Batches of 3 (the server's limit): the second call fails on its
	// second example, the 5th of the file, on line 9 (blank lines between).
	f.trainCalls, f.failTrainCall, f.trained = 0, 2, nil
	code, _, errs = runCLI(t, "", "train", "--addr", addr, "--data", data)
	want := "client: InvalidArgument: " + data + " line 9: label: label is not known to the model: \"nope\" (the 3 examples before line 7 were applied; lines 7–11 were not; the rest were not sent)"
	if code != 1 || !strings.Contains(errs, "\n"+want+"\n") {
		t.Errorf("failed batch: got exit %d, stderr %q; want a line of its own %q", code, errs, want)
	}
	// Size: at most 8 KiB a request, less 4 KiB of headroom, so 4 KB
	// examples go one by one.
	text := strings.Repeat("word ", 800)
	big := writeFile(t, "big.jsonl", strings.Repeat(`{"text": "`+text+`", "label": "other"}`+"\n", 4))
	f.trainCalls, f.failTrainCall, f.trained = 0, 0, nil
	if code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", big); code != 0 || f.trainCalls != 4 {
		t.Errorf("large examples: got exit %d, %d calls, stderr %q; want 4 calls of one", code, f.trainCalls, errs)
	}
	// --replace cannot be split: a file over either limit is refused
	// before anything is sent.
	f.trainCalls = 0
	for _, tt := range []struct{ file, want string }{
		{data, data + ": --replace sends the whole file in one request, and its 10 examples exceed the server's limit of 3 (--max-examples)"},
		{big, "exceed the server's gRPC message limit of 8192 (--max-grpc-receive-bytes)"},
	} {
		f.limits.MaxExamples = 3
		if tt.file == big {
			f.limits.MaxExamples = 100
		}
		if code, _, errs := runCLI(t, "", "train", "--replace", "--addr", addr, "--data", tt.file); code != 1 || f.trainCalls != 0 || !strings.Contains(errs, tt.want) {
			t.Errorf("--replace %s: got exit %d, %d calls, stderr %q; want exit 1, no call and %q", tt.file, code, f.trainCalls, errs, tt.want)
		}
	}
	// A request within the limit is sent, though it leaves less room than
	// the headroom batches keep.
	f.limits.MaxExamples, f.limits.MaxGrpcReceiveBytes = 100, 1000
	if code, _, errs := runCLI(t, "", "train", "--replace", "--addr", addr, "--data", data); code != 0 || f.trainCalls != 1 {
		t.Errorf("--replace within the limit: got exit %d, %d calls, stderr %q; want one call", code, f.trainCalls, errs)
	}
}

// TestTextLimitCheckedBeforeSending checks that an example text longer
// than the server's max_text_bytes is refused, naming its line, before
// anything is sent, and only when the server reports the limit.
func TestTextLimitCheckedBeforeSending(t *testing.T) {
	f, addr := startFake(t)
	data := writeFile(t, "long.jsonl", `{"text": "Rain fell.", "label": "other"}`+"\n\n"+`{"text": "`+strings.Repeat("a", 101)+`", "label": "other"}`+"\n")
	f.limits = &claimsv1.Limits{MaxTextBytes: 100}
	for _, cmd := range []string{"train", "forget", "eval"} {
		code, _, errs := runCLI(t, "", cmd, "--addr", addr, "--data", data)
		want := "client: " + data + " line 3: text: 101 bytes exceed the server's limit of 100\n"
		if code != 1 || errs != want {
			t.Errorf("%s: got exit %d, stderr %q; want 1, %q", cmd, code, errs, want)
		}
	}
	if f.trainCalls+f.forgetCalls+f.evalCalls != 0 {
		t.Errorf("got %d calls, want none", f.trainCalls+f.forgetCalls+f.evalCalls)
	}
	f.limits = nil // a server that does not say: the client does not guess
	if code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data); code != 0 || f.trainCalls != 1 {
		t.Errorf("limit not reported: got exit %d, %d calls, stderr %q; want one call", code, f.trainCalls, errs)
	}
}

// stalledSave returns the server's UNAVAILABLE for a stalled save: with
// refused, its refusal of a change behind it (a RetryInfo detail too);
// else its answer to the retry of the change being saved, whose outcome
// is not known.
func stalledSave(refused bool) error {
	msg := "request_id: the earlier Train with \"x\" is still under way, behind a save that has run for 12s (a stalled disk or volume?): whether it was applied is not known yet"
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: "SAVE_STALLED", Domain: "claims.v1"}}
	if refused {
		msg = "a change has been persisting for longer than the model allows (a stalled disk or volume?): it has run for 12s; this change was not applied"
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(10 * time.Second)})
	}
	st, _ := status.New(codes.Unavailable, msg).WithDetails(details...)
	return st.Err()
}

// TestFailedBatchOutcome checks what the client says of a Train or Forget
// batch whose call failed in a way that leaves it open whether it was
// applied: it asks the model, with a context of its own.
func TestFailedBatchOutcome(t *testing.T) {
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, "{\"text\": \"They denied report %d.\", \"label\": \"denial\"}\n", i)
	}
	data := writeFile(t, "six.jsonl", b.String())
	failed := status.Error(codes.DeadlineExceeded, "context deadline exceeded")
	tests := []struct {
		name      string
		args      []string
		failCall  int   // the Train or Forget call that fails
		err       error // how it fails
		apply     bool  // whether the server applies it all the same
		meanwhile bool  // whether another client changes the model meanwhile
		getModel  func(context.Context, int) error
		wantCalls int
		wantEnd   string
	}{
		{"train applied although it failed", []string{"train"}, 2, failed, true, false, nil, 2,
			"DeadlineExceeded: context deadline exceeded (the 2 examples before line 3 were applied, and lines 3–4 too, although the call failed; the rest were not sent)\n"},
		{"train not applied", []string{"train", "--timeout", "500ms"}, 2, status.Error(codes.Unavailable, "connection reset"), false, false, nil, 2,
			"DeadlineExceeded: connection reset (the server stayed unreachable for --timeout) (the 2 examples before line 3 were applied; lines 3–4 were not; the rest were not sent)\n"},
		{"train uncertain: the model changed meanwhile", []string{"train"}, 2, status.Error(codes.Unknown, "stream reset"), true, true, nil, 2,
			"Unknown: stream reset (the 2 examples before line 3 were applied; lines 3–4 may or may not have been applied: the model changed meanwhile: version 8 to 10, 9 examples to 13; the rest were not sent)\n"},
		{"train uncertain: the model cannot be checked", []string{"train"}, 2, failed, true, false,
			func(_ context.Context, call int) error {
				if call > 1 {
					return status.Error(codes.Unavailable, "no route to host")
				}
				return nil
			}, 2,
			"(the 2 examples before line 3 were applied; lines 3–4 may or may not have been applied: the model could not be checked: no route to host; the rest were not sent)\n"},
		{"train refused is not checked", []string{"train"}, 2, status.Error(codes.InvalidArgument, "examples[1].text: text is empty"), true, false, nil, 2,
			"InvalidArgument: DATA line 4: text: text is empty (the 2 examples before line 3 were applied; lines 3–4 were not; the rest were not sent)\n"},
		{"train behind a stalled save of its own is not sent again, and says how to learn its fate", []string{"train"}, 2, stalledSave(false), true, false, nil, 2,
			"Unavailable: a save of the model has stalled (a stalled disk or volume?) (the 2 examples before line 3 were applied; lines 3–4 may or may not have been applied: the server's save of the model has stalled, with this batch in it or behind it; once the disk is back, client model shows version 9 with 11 examples if it was applied, version 8 if not: check which before sending it again; the rest were not sent)\n"},
		{"train refused behind a stalled save is not sent again nor checked", []string{"train"}, 2, stalledSave(true), true, false, nil, 2,
			"Unavailable: a change has been persisting for longer than the model allows (a stalled disk or volume?): it has run for 12s; this change was not applied (the 2 examples before line 3 were applied; lines 3–4 were not; the rest were not sent)\n"},
		{"forget applied although it failed", []string{"forget"}, 2, failed, true, false, nil, 2,
			"(the 2 examples before line 3 were forgotten, and lines 3–4 too, although the call failed; the rest were not sent)\n"},
		{"forget not applied", []string{"forget"}, 2, failed, false, false, nil, 2,
			"(the 2 examples before line 3 were forgotten; lines 3–4 were not; the rest were not sent)\n"},
		{"last batch applied", []string{"train", "--batch", "3"}, 2, failed, true, false, nil, 2,
			"(the 3 examples before line 4 were applied, and lines 4–6 too, although the call failed)\n"},
		{"first batch not applied", []string{"train", "--batch", "6"}, 1, failed, false, false, nil, 1,
			"DeadlineExceeded: context deadline exceeded (no example was applied)\n"},
		{"replace applied although it failed", []string{"train", "--replace"}, 1, failed, true, false, nil, 1,
			"DeadlineExceeded: context deadline exceeded (all 6 examples were applied, although the call failed)\n"},
		{"replace not applied", []string{"train", "--replace"}, 1, failed, false, false, nil, 1,
			"DeadlineExceeded: context deadline exceeded (no example was applied)\n"},
		{"replace uncertain", []string{"train", "--replace"}, 1, failed, true, true, nil, 1,
			"(lines 1–6 may or may not have been applied: the model changed meanwhile: version 7 to 9, 7 examples to 6)\n"},
	}
	for _, tt := range tests {
		f, addr := startFake(t)
		hook := func(_ context.Context, call int, do func()) error {
			if retryable(tt.err) && call > tt.failCall {
				return tt.err // the retry with the same request_id fails too (and any after it)
			}
			if call != tt.failCall {
				do()
				return nil
			}
			if tt.apply {
				do()
			}
			if tt.meanwhile { // another client changes the model as this call would
				f.lock(func() {
					f.version++
					if !slices.Contains(tt.args, "--replace") {
						f.total += 2
					}
				})
			}
			return tt.err
		}
		f.onTrain, f.onForget, f.onGetModel = hook, hook, tt.getModel
		args := append([]string{tt.args[0], "--addr", addr, "--data", data, "--batch", "2"}, tt.args[1:]...)
		code, _, errs := runCLI(t, "", args...)
		calls := f.trainCalls + f.forgetCalls
		if retryable(tt.err) {
			tt.wantCalls++
		}
		want := strings.ReplaceAll(tt.wantEnd, "DATA", data)
		// Sent again, pausing 100, 200, 400 ms, while the 500 ms
		// --timeout lasts: 2 to 3 calls more, never a flood.
		unreachable := status.Code(tt.err) == codes.Unavailable
		if code != 1 || calls != tt.wantCalls && !(unreachable && calls > tt.wantCalls && calls <= tt.wantCalls+3) || !strings.HasSuffix(errs, want) {
			t.Errorf("%s: got exit %d, %d calls, stderr %q; want exit 1, %d calls, stderr ending %q", tt.name, code, calls, errs, tt.wantCalls, want)
		}
	}
}

// TestInterruptedTrain interrupts a train while its second batch is under
// way: the call ends with Canceled, the progress line is ended, the
// client says it is asking the model what became of the batch, asks, and
// exits 130.
func TestInterruptedTrain(t *testing.T) {
	f, addr := startFake(t)
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	for _, apply := range []bool{false, true} {
		ctx, interrupt := context.WithCancel(context.Background())
		f.trainCalls = 0
		f.onTrain = func(ctx context.Context, call int, do func()) error {
			if call%3 != 2 {
				do()
				return nil
			}
			if apply {
				do() // saved before the interrupt reached the server
			}
			interrupt()
			<-ctx.Done() // the client's cancel reaches the server
			return status.FromContextError(ctx.Err()).Err()
		}
		code, _, errs := runCLIContext(t, ctx, "", "train", "--addr", addr, "--data", data, "--batch", "2")
		interrupt()
		const asking = "/s)\ninterrupted: asking the server whether lines 3–4 were applied (Ctrl-C again to quit without knowing)\n"
		want := asking + "client: Canceled: context canceled (the 2 examples before line 3 were applied; lines 3–4 were not; the rest were not sent)\n"
		if apply {
			want = asking + "client: Canceled: context canceled (the 2 examples before line 3 were applied, and lines 3–4 too, although the call failed; the rest were not sent)\n"
		}
		if code != exitInterrupted || !strings.Contains(errs, "2/6 examples") || !strings.HasSuffix(errs, want) {
			t.Errorf("applied %v: got exit %d, stderr %q; want exit %d, the progress line ended and %q", apply, code, errs, exitInterrupted, want)
		}
	}
}

// TestSignalContext checks that an interrupt cancels the context, naming
// the signal.
func TestSignalContext(t *testing.T) {
	ctx, stop := signalContext(context.Background())
	defer stop()
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Signal(os.Interrupt); err != nil {
		t.Skipf("cannot interrupt the test process: %v", err)
	}
	<-ctx.Done()
	if cause := context.Cause(ctx); !strings.Contains(fmt.Sprint(cause), "interrupt") {
		t.Errorf("got cause %v, want the interrupt", cause)
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
	got := checkOffsets(t, input, out)
	if want := "0:They denied it. 1:Rain fell. 2:The army denied it. 3:Snow fell. 4:Fog."; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

// TestSentencesTrimInvisibleSpace checks that --sentences trims from its
// lines the invisible characters the segmenter counts as space: a byte
// order mark left at a line's start by files joined with cat, and the
// zero-width ones.
func TestSentencesTrimInvisibleSpace(t *testing.T) {
	_, addr := startFake(t)
	input := "\ufeff\n\ufeffPolice warned.\n\u200b Rain fell.\u2060\n\u200c\u200d\n"
	code, out, errs := runCLI(t, input, "classify", "--addr", addr, "--json", "--sentences")
	if code != 0 {
		t.Fatalf("got exit %d, stderr %q; want 0", code, errs)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct{ Text string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		got = append(got, r.Text)
	}
	if want := []string{"Police warned.", "Rain fell."}; !slices.Equal(got, want) {
		t.Errorf("got sentences %q, want %q", got, want)
	}
}

// TestSlowGetModelSaysNothingWasSent checks that a command whose first
// call, the model's limits, times out says so, and that nothing was sent.
func TestSlowGetModelSaysNothingWasSent(t *testing.T) {
	f, addr := startFake(t)
	f.onGetModel = func(ctx context.Context, _ int) error {
		<-ctx.Done()
		return ctx.Err()
	}
	data := writeFile(t, "ex.jsonl", `{"text": "They denied it.", "label": "denial"}`+"\n")
	code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data, "--timeout", "50ms")
	// The message before the parenthesis is grpc's, which varies.
	const code0, want = "client: DeadlineExceeded: ", " (asking the server for the model's limits, before sending anything)\n"
	if code != 1 || !strings.HasPrefix(errs, code0) || !strings.HasSuffix(errs, want) || f.trainCalls != 0 {
		t.Errorf("got exit %d, stderr %q, %d Train calls; want exit 1, %q…%q, none", code, errs, f.trainCalls, code0, want)
	}
}

// TestReplaceLabels checks that train --replace refuses, before sending,
// a label the model lacks unless --allow-new-labels is given, and says
// which of the model's labels the file leaves out.
func TestReplaceLabels(t *testing.T) {
	denial := `{"text": "They denied it.", "label": "denial"}` + "\n"
	rumour := `{"text": "They say so.", "label": "rumour"}` + "\n"
	for _, tt := range []struct {
		name, data string
		args       []string
		code       int
		calls      int
		stderr     string
	}{
		{"a new label", denial + rumour, nil, 1, 0, `line 2: label: label is not known to the model: "rumour" (with --replace the file's labels become the model's; --allow-new-labels makes it one); nothing was sent`},
		{"a new label allowed", denial + rumour, []string{"--allow-new-labels"}, 0, 1, `client: the model no longer has other: ` + "%s" + ` has no example of it`},
		{"a label left out", denial, nil, 0, 1, `client: the model no longer has other: ` + "%s" + ` has no example of it`},
		{"every label", denial + `{"text": "Rain fell.", "label": "other"}` + "\n", nil, 0, 1, ""},
	} {
		f, addr := startFake(t)
		data := writeFile(t, "ex.jsonl", tt.data)
		code, _, errs := runCLI(t, "", append([]string{"train", "--replace", "--addr", addr, "--data", data}, tt.args...)...)
		if strings.Contains(tt.stderr, "%s") {
			tt.stderr = fmt.Sprintf(tt.stderr, data)
		}
		if code != tt.code || f.trainCalls != tt.calls || !strings.Contains(errs, tt.stderr) || tt.stderr == "" && errs != "" {
			t.Errorf("%s: got exit %d, %d calls, stderr %q; want exit %d, %d calls, stderr with %q", tt.name, code, f.trainCalls, errs, tt.code, tt.calls, tt.stderr)
		}
	}
}

// TestProgressOffTerminal checks that the progress bar is drawn on a
// terminal only: elsewhere (a log file) one line says what was done,
// with no carriage return.
func TestProgressOffTerminal(t *testing.T) {
	_, addr := startFake(t)
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	for _, tty := range []bool{true, false} {
		var out, errb syncBuffer
		errb.notTTY = !tty
		code := run(context.Background(), []string{"train", "--addr", addr, "--data", data, "--batch", "2"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		errs := errb.String()
		if code != 0 || strings.Contains(errs, "\r") == !tty || !tty && (!strings.HasPrefix(errs, "training: 6/6 examples (") || strings.Count(errs, "\n") != 1) {
			t.Errorf("terminal %v: got exit %d, stderr %q; want exit 0 and %s", tty, code, errs, map[bool]string{true: "the bar redrawn", false: `one line "training: 6/6 examples (…/s)"`}[tty])
		}
	}
}

// checkOffsets checks that each --json result's offsets give its text in
// input, and returns "index:text" for each.
func checkOffsets(t *testing.T, input, out string) []string {
	t.Helper()
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
	return got
}

// TestClassifySplitsAtEveryLineBreak checks that a text whose lines end in
// CR, CRLF, U+2028 or U+2029 is split at them, as the server's segmenter
// ends sentences there, and that --sentences takes them as lines.
func TestClassifySplitsAtEveryLineBreak(t *testing.T) {
	f, addr := startFake(t)
	// 436 KB of lines ending in CR alone, over the default 256 KiB.
	var b strings.Builder
	for b.Len() < 436_000 {
		fmt.Fprintf(&b, "Line %d was written on an old Mac:%s end.\r", b.Len(), strings.Repeat(" word", 60))
	}
	cr := b.String()
	code, out, errs := runCLI(t, cr, "classify", "--addr", addr, "--json")
	if code != 0 || f.classifyCalls != 2 {
		t.Fatalf("CR-only text: got exit %d, %d calls, stderr %q; want 2 calls", code, f.classifyCalls, errs)
	}
	if got := checkOffsets(t, cr, out); len(got) != strings.Count(cr, "\r") {
		t.Errorf("CR-only text: got %d sentences, want %d", len(got), strings.Count(cr, "\r"))
	}
	f.limits = &claimsv1.Limits{MaxTextBytes: 1 << 20, MaxSentences: 2, MaxGrpcReceiveBytes: 1 << 20}
	mixed := "They denied it.\r\nRain fell.\rThe army denied it.\u2028Snow fell.\u2029Fog."
	f.classifyCalls = 0
	code, out, errs = runCLI(t, mixed, "classify", "--addr", addr, "--json")
	want := "0:They denied it. 1:Rain fell. 2:The army denied it. 3:Snow fell. 4:Fog."
	if got := checkOffsets(t, mixed, out); code != 0 || f.classifyCalls != 3 || strings.Join(got, " ") != want {
		t.Errorf("mixed breaks: got exit %d, %d calls, %q, stderr %q; want 3 calls, %q", code, f.classifyCalls, got, errs, want)
	}
	code, out, errs = runCLI(t, mixed, "classify", "--addr", addr, "--json", "--sentences")
	if code != 0 || strings.Count(out, "\n") != 5 || !strings.Contains(out, `"index":4,"label":"other","line":5,"model_version":7,"text":"Fog."`) {
		t.Errorf("--sentences: got exit %d, stdout %q, stderr %q; want 5 sentences", code, out, errs)
	}
	// Blank lines are no sentences: "line" finds each result's line.
	code, out, errs = runCLI(t, "They denied it.\n\n  \nFog.\n", "classify", "--addr", addr, "--json", "--sentences")
	if code != 0 || !strings.Contains(out, `"index":1,"label":"other","line":4,`) {
		t.Errorf("--sentences after blank lines: got exit %d, stdout %q, stderr %q; want index 1 on line 4", code, out, errs)
	}
}

func TestNextBreak(t *testing.T) {
	tests := []struct {
		s          string
		i, at, len int
	}{
		{"ab\ncd", 0, 2, 1},
		{"ab\r\ncd", 0, 2, 2},
		{"ab\rcd", 0, 2, 1},
		{"ab\r", 0, 2, 1},
		{"ab\u2028cd", 0, 2, 3},
		{"ab\u2029cd", 0, 2, 3},
		{"a\u2027b\u00e2\n", 0, 7, 1}, // other characters that start with 0xe2
		{"ab\vcd\u0085", 0, 7, 0},     // the server refuses these
		{"ab\ncd\n", 3, 5, 1},
		{"", 0, 0, 0},
	}
	for _, tt := range tests {
		if at, n := nextBreak(tt.s, tt.i); at != tt.at || n != tt.len {
			t.Errorf("nextBreak(%q, %d): got %d, %d; want %d, %d", tt.s, tt.i, at, n, tt.at, tt.len)
		}
	}
}

func TestChunkTextLeavesOutBlankPieces(t *testing.T) {
	l := limits{maxTextBytes: 10, maxSentences: 100, maxMsgBytes: 1 << 20}
	tests := []struct {
		text string
		want []chunk
	}{
		{strings.Repeat("\n", 25) + "Rain.\n", []chunk{{25, "Rain.\n"}}},
		{"Rain.\n" + strings.Repeat(" \n", 12), []chunk{{0, "Rain.\n \n \n"}}},
		{strings.Repeat("\n", 25), []chunk{{0, strings.Repeat("\n", 10)}}},
		{"Rain.\n\u200b\n\u200b\n\u200b\n", []chunk{{0, "Rain.\n\u200b\n"}}}, // blank to the server
	}
	for _, tt := range tests {
		if got := chunkText(tt.text, l); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("chunkText(%q): got %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestClassifyRequestsFitTheMessageLimit checks that text chunks and
// sentence requests stay within the server's gRPC message limit, less the
// headroom, as well as its text limit.
func TestClassifyRequestsFitTheMessageLimit(t *testing.T) {
	l := limits{maxTextBytes: 1 << 20, maxSentences: 1000, maxMsgBytes: msgHeadroom + 100}
	line := strings.Repeat("a", 39) + "\n"
	chunks := chunkText(strings.Repeat(line, 10), l)
	for _, c := range chunks {
		if len(c.text) > 100 {
			t.Errorf("chunk at %d: got %d bytes, want at most 100", c.start, len(c.text))
		}
	}
	if len(chunks) != 5 {
		t.Errorf("got %d chunks, want 5", len(chunks))
	}
	// Each sentence of 39 bytes takes 41 encoded: two a request.
	in := &classifyInput{}
	if err := in.readSentences(strings.Repeat(line, 10)); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(chunkSentences(in, l)), "[{0 2} {2 4} {4 6} {6 8} {8 10}]"; got != want {
		t.Errorf("chunkSentences: got %s, want %s", got, want)
	}
	l.maxMsgBytes = 1 << 20
	l.maxTextBytes = 80
	if got, want := fmt.Sprint(chunkSentences(in, l)), "[{0 2} {2 4} {4 6} {6 8} {8 10}]"; got != want {
		t.Errorf("chunkSentences within 80 bytes of text: got %s, want %s", got, want)
	}
}

// TestClassifyRetriesAnswerTooLarge gives the client a receive limit that
// the answers with --explain exceed: it asks again for halves of the text
// (or of the sentences), down to one line, and the results are those of
// the whole input.
func TestClassifyRetriesAnswerTooLarge(t *testing.T) {
	f, addr := startFake(t)
	input := "They denied it.\nRain fell.\nThe army denied it.\nSnow fell.\nFog.\n"
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1500)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, sentences := range []bool{false, true} {
		var out syncBuffer
		e := &env{stdin: strings.NewReader(input), stdout: &out, stderr: &out, conn: conn, common: &commonFlags{timeout: 5 * time.Second}}
		f.classifyCalls = 0
		// 5 sentences of 5 features of about 60 bytes: about 1.6 KB.
		err := runClassify(context.Background(), e, &classifyOpts{json: true, explain: 5, sentences: sentences})
		if err != nil || f.classifyCalls < 3 {
			t.Errorf("sentences %v: got %v after %d calls; want several calls", sentences, err, f.classifyCalls)
			continue
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var r struct {
				Index int
				Text  string
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d:%s", r.Index, r.Text))
		}
		if want := "0:They denied it. 1:Rain fell. 2:The army denied it. 3:Snow fell. 4:Fog."; strings.Join(got, " ") != want {
			t.Errorf("sentences %v: got %q, want %q", sentences, strings.Join(got, " "), want)
		}
	}
	// One line whose answer is too large: nothing to split.
	var out syncBuffer
	e := &env{stdin: strings.NewReader("They denied it. Rain fell. Snow fell. Fog came. Wind blew. Ice formed.\n"), stdout: &out, stderr: &out, conn: conn, common: &commonFlags{timeout: 5 * time.Second}}
	err = runClassify(context.Background(), e, &classifyOpts{json: true, explain: 5})
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || !strings.HasPrefix(st.Message(), "stdin: grpc: received message larger than max") {
		t.Errorf("one line: got %v, want ResourceExhausted naming stdin", err)
	}
}

// TestClassifyErrorPositions checks that classify names the file and the
// place in it: checked before sending, bytes of the file for text
// (counting a byte order mark) and lines of the file for --sentences.
func TestClassifyErrorPositions(t *testing.T) {
	f, addr := startFake(t)
	f.onClassify = func(_ context.Context, _ int, req *claimsv1.ClassifyRequest) error {
		if i := strings.Index(req.GetText(), "REFUSED"); i >= 0 {
			return status.Errorf(codes.InvalidArgument, "text: text has a refused word (at byte %d)", i)
		}
		for i, s := range req.GetSentences() {
			if strings.Contains(s, "REFUSED") {
				return status.Errorf(codes.InvalidArgument, "sentences[%d]: text has a refused word", i)
			}
		}
		return nil
	}
	f.limits = &claimsv1.Limits{MaxTextBytes: 20, MaxSentences: 100, MaxGrpcReceiveBytes: 1 << 20}
	tests := []struct {
		name, input string
		args        []string
		wantErr     string
		wantCalls   int
	}{
		{"control character", "\ufeffRain fell.\nA bell \a rang.\n", nil, "FILE: byte 21: text contains a control character (U+0007)", 0},
		{"invalid UTF-8", "Rain fell.\nA caf\xe9.\n", nil, "FILE: byte 16: text is not valid UTF-8", 0},
		{"C1 control character", "Rain\u0085fell.\n", nil, "FILE: byte 4: text contains a control character (U+0085)", 0},
		{"blank", "\ufeff \n\u200b\n", nil, "FILE: text is empty", 0},
		{"server error at a byte", "\ufeffRain fell.\nSnow fell.\nIt REFUSED.\n", nil, "InvalidArgument: FILE: text has a refused word (at byte 28)", 3},
		{"a line over the limit", "Rain fell.\n" + strings.Repeat("x", 25) + "\n", nil, "FILE bytes 11–36: 26 bytes exceed the server's limit of 20 (one line; the client splits text only at line breaks)", 0},
		{"sentences: server error", "Rain fell.\r\n\r\nSnow.\u2028It REFUSED.\n", []string{"--sentences"}, "InvalidArgument: FILE line 4: text has a refused word", 2},
		{"sentences: control character", "Rain fell.\n\n  A bell \a rang.\n", []string{"--sentences"}, "FILE line 3 (byte 21): text contains a control character (U+0007)", 0},
		{"sentences: invalid UTF-8", "\ufeffRain fell.\rA caf\xe9.\n", []string{"--sentences"}, "FILE line 2 (byte 19): text is not valid UTF-8", 0},
		{"sentences: over the limit", "Rain fell.\n" + strings.Repeat("x", 25) + "\n", []string{"--sentences"}, "FILE line 2: 25 bytes exceed the server's limit of 20", 0},
	}
	for _, tt := range tests {
		file := writeFile(t, "in.txt", tt.input)
		f.classifyCalls = 0
		code, _, errs := runCLI(t, "", append([]string{"classify", "--addr", addr, file}, tt.args...)...)
		want := "client: " + strings.ReplaceAll(tt.wantErr, "FILE", file) + "\n"
		if code != 1 || errs != want || f.classifyCalls != tt.wantCalls {
			t.Errorf("%s: got exit %d, %d calls, stderr %q; want exit 1, %d calls, %q", tt.name, code, f.classifyCalls, errs, tt.wantCalls, want)
		}
	}
}

// TestClassifyJSONStreams checks that --json prints each answer's results
// before the next request is sent, and warns on stderr, at the end, when
// the model changed between requests.
func TestClassifyJSONStreams(t *testing.T) {
	f, addr := startFake(t)
	f.limits = &claimsv1.Limits{MaxTextBytes: 1 << 20, MaxSentences: 2, MaxGrpcReceiveBytes: 1 << 20}
	var out, errb syncBuffer
	var seen string
	f.onClassify = func(_ context.Context, call int, _ *claimsv1.ClassifyRequest) error {
		if call == 2 {
			seen = out.String()
			f.lock(func() { f.version++ }) // another client trained
		}
		return nil
	}
	input := "They denied it.\nRain fell.\nSnow fell.\n"
	code := run(context.Background(), []string{"classify", "--addr", addr, "--json"}, strings.NewReader(input), &out, &errb, func(string) string { return "" })
	if code != 0 || strings.Count(seen, "\n") != 2 || strings.Count(out.String(), "\n") != 3 {
		t.Errorf("got exit %d, %q printed before the second request, stdout %q, stderr %q; want the first two results", code, seen, out.String(), errb.String())
	}
	if got, want := strings.Count(out.String(), `"model_version":8`), 1; got != want {
		t.Errorf("got %d results of model version 8, want %d: %s", got, want, out.String())
	}
	if want := "client: the model changed while the input was classified (2 versions); the last was 8\n"; errb.String() != want {
		t.Errorf("got stderr %q, want %q", errb.String(), want)
	}
}

// TestClassifyTableKeepsResultsOnFailure checks that a table run that
// fails part of the way prints the rows it had, as --json does, without
// the summary line of a whole run.
func TestClassifyTableKeepsResultsOnFailure(t *testing.T) {
	for _, tt := range []struct {
		failCall int
		want     []string
	}{
		{1, nil},
		{2, []string{"They denied it.", "Rain fell."}},
		{3, []string{"They denied it.", "Rain fell.", "Snow fell.", "Hail fell."}},
	} {
		f, addr := startFake(t)
		f.limits = &claimsv1.Limits{MaxTextBytes: 1 << 20, MaxSentences: 2, MaxGrpcReceiveBytes: 1 << 20}
		f.onClassify = func(_ context.Context, call int, _ *claimsv1.ClassifyRequest) error {
			if call == tt.failCall {
				return status.Error(codes.Internal, "boom")
			}
			return nil
		}
		input := "They denied it.\nRain fell.\nSnow fell.\nHail fell.\nSleet fell.\n"
		code, out, errs := runCLI(t, input, "classify", "--addr", addr)
		if code != 1 || !strings.Contains(errs, "boom") {
			t.Errorf("call %d fails: got exit %d, stderr %q; want exit 1 and the error", tt.failCall, code, errs)
		}
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if i := strings.Index(line, "0.90"); i >= 0 {
				got = append(got, strings.TrimSpace(line[i+len("0.90"):]))
			}
		}
		if !slices.Equal(got, tt.want) || strings.Contains(out, "model version") || tt.want == nil && out != "" {
			t.Errorf("call %d fails: got stdout %q, want the rows of %q and no summary", tt.failCall, out, tt.want)
		}
	}
}

// TestOutputErrors checks that every command fails when its output cannot
// be written.
func TestOutputErrors(t *testing.T) {
	f, addr := startFake(t)
	f.onForget = func(_ context.Context, _ int, do func()) error { do(); return nil }
	data := writeFile(t, "ex.jsonl", `{"text": "They denied it.", "label": "denial"}`+"\n")
	for _, args := range [][]string{
		{"model"}, {"train", "--data", data}, {"forget", "--data", data}, {"eval", "--data", data},
		{"classify"}, {"classify", "--json"},
		{"--help"}, {"help"}, {"classify", "-h"}, {"help", "train"}, {"version"},
	} {
		var errb bytes.Buffer
		code := run(context.Background(), append(args, "--addr", addr), strings.NewReader("They denied it."), failingWriter{}, &errb, func(string) string { return "" })
		if code != 1 || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v: got exit %d, stderr %q; want 1 and the write error", args, code, errb.String())
		}
	}
	// A table past the rows it holds writes while it runs: its error is
	// reported once, not again by the rows held back.
	var errb bytes.Buffer
	input := strings.Repeat("They denied it.\n", maxTableRows+100)
	code := run(context.Background(), []string{"classify", "--addr", addr}, strings.NewReader(input), failingWriter{}, &errb, func(string) string { return "" })
	if code != 1 || strings.Count(errb.String(), "no space left on device") != 1 {
		t.Errorf("a long table: got exit %d, stderr %q; want 1 and the write error once", code, errb.String())
	}
}

// failingWriter fails every write, as stdout on a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) {
	return 0, fmt.Errorf("write /dev/full: no space left on device")
}

// TestSilentServer checks that a server that does not answer GetModel is
// waited for once (--timeout), not once for the limits and again for the
// call, and that a server without GetModel still gets the call.
func TestSilentServer(t *testing.T) {
	f, addr := startFake(t)
	f.onGetModel = func(ctx context.Context, _ int) error {
		<-ctx.Done()
		return status.FromContextError(ctx.Err()).Err()
	}
	code, _, errs := runCLI(t, "They denied it.", "classify", "--addr", addr, "--timeout", "200ms")
	if code != 1 || f.classifyCalls != 0 || !strings.Contains(errs, "DeadlineExceeded") {
		t.Errorf("silent GetModel: got exit %d, %d Classify calls, stderr %q; want DeadlineExceeded before any", code, f.classifyCalls, errs)
	}
	// The first GetModel may still be running: the client did not wait.
	f.lock(func() {
		f.onGetModel = func(context.Context, int) error { return status.Error(codes.Unimplemented, "unknown method GetModel") }
	})
	code, out, errs := runCLI(t, "They denied it.", "classify", "--addr", addr)
	if code != 0 || f.classifyCalls != 1 || !strings.Contains(out, "denial") {
		t.Errorf("no GetModel: got exit %d, %d Classify calls, stdout %q, stderr %q; want the call with the default limits", code, f.classifyCalls, out, errs)
	}
}

// TestRetrySendsSameRequestID checks that a batch whose call fails with
// DEADLINE_EXCEEDED or UNAVAILABLE is sent once more with the same
// request_id, so that it is applied exactly once whether or not the first
// call was.
func TestRetrySendsSameRequestID(t *testing.T) {
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	for _, tt := range []struct {
		name  string
		err   error
		apply bool // whether the failed call was applied all the same
	}{
		{"answer lost", status.Error(codes.DeadlineExceeded, "context deadline exceeded"), true},
		{"not applied", status.Error(codes.Unavailable, "connection reset"), false},
	} {
		f, addr := startFake(t)
		f.onTrain = func(_ context.Context, call int, do func()) error {
			if call == 2 {
				if tt.apply {
					do()
				}
				return tt.err
			}
			do()
			return nil
		}
		code, out, errs := runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "2")
		if code != 0 || f.trainCalls != 4 || f.total != 7+6 || len(f.trained) != 6 {
			t.Errorf("%s: got exit %d, %d calls, %d examples in all, %d trained; want exit 0, 4 calls, 13, 6", tt.name, code, f.trainCalls, f.total, len(f.trained))
		}
		if !strings.Contains(errs, "lines 3–4: "+status.Code(tt.err).String()+"; sending again with the same request_id") || !strings.Contains(out, "trained 6 examples") {
			t.Errorf("%s: stdout %q, stderr %q; want the retry said and the batch trained", tt.name, out, errs)
		}
	}
}

// TestRetryAfterRestart fails a batch with UNAVAILABLE, with or without a
// server "restart" (the request_ids applied before are forgotten): the
// batch is sent again with the version seen before it as if_version, so a
// restart never makes the client apply a batch twice (a batch refused that
// way is reported applied), and without one the request_id answers.
func TestRetryAfterRestart(t *testing.T) {
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	applied := "lines 3–4 too, although the call failed"
	for _, tt := range []struct {
		name           string
		restart, apply bool
		code, calls    int
		total          int64
		stderr         string
	}{
		{"restarted after applying", true, true, 1, 3, 7 + 4, "Aborted: if_version: model is not at the expected version: it is at version 9, not 8"},
		{"restarted before applying", true, false, 0, 4, 7 + 6, "sending again with the same request_id"},
		{"no restart, applied", false, true, 0, 4, 7 + 6, "sending again with the same request_id"},
		{"no restart, not applied", false, false, 0, 4, 7 + 6, "sending again with the same request_id"},
	} {
		f, addr := startFake(t)
		f.onTrain = func(_ context.Context, call int, do func()) error {
			if call == 2 {
				if tt.apply {
					do()
				}
				if tt.restart {
					f.lock(func() { f.applied = nil })
				}
				return status.Error(codes.Unavailable, "connection reset")
			}
			do()
			return nil
		}
		code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "2")
		if code != tt.code || f.trainCalls != tt.calls || f.total != tt.total {
			t.Errorf("%s: got exit %d, %d calls, %d examples in all; want exit %d, %d calls, %d", tt.name, code, f.trainCalls, f.total, tt.code, tt.calls, tt.total)
		}
		if !strings.Contains(errs, tt.stderr) || tt.code != 0 && !strings.Contains(errs, applied) {
			t.Errorf("%s: stderr %q, want %q", tt.name, errs, tt.stderr)
		}
	}
}

// TestRetryWaitsForRestartedServer checks that a Train batch whose server
// went away is sent again once a server listens there again, a moment
// later, instead of failing at once while the port is closed.
func TestRetryWaitsForRestartedServer(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	f := &fakeServer{version: 7, total: 7}
	var mu sync.Mutex
	srv := serveFake(lis, f)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		srv.Stop()
	})
	restarted := make(chan error, 1)
	f.onTrain = func(_ context.Context, call int, do func()) error {
		if call != 2 {
			do()
			return nil
		}
		go func() { // the server dies and comes back on the same port
			mu.Lock()
			defer mu.Unlock()
			srv.Stop()
			time.Sleep(300 * time.Millisecond)
			lis, err := net.Listen("tcp", addr)
			if err == nil {
				srv = serveFake(lis, f)
			}
			restarted <- err
		}()
		return status.Error(codes.Unavailable, "the server is going away")
	}
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "2", "--timeout", "20s")
	if err := <-restarted; err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	if code != 0 || f.total != 7+6 {
		t.Errorf("got exit %d, %d examples in all, stderr %q; want exit 0 and %d", code, f.total, errs, 7+6)
	}
	if want := "waiting up to --timeout for the server to be reachable"; !strings.Contains(errs, want) {
		t.Errorf("got stderr %q, want it to say %q", errs, want)
	}
}

// TestBadAddrNamesItsSource checks that a bad address is blamed on where
// it came from: the flag, or CLAIMS_ADDR when no flag was given.
func TestBadAddrNamesItsSource(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"model", "--addr", "foo"}, "", `client model: --addr "foo": give host:port`},
		{[]string{"model"}, "foo", `client model: CLAIMS_ADDR "foo": give host:port`},
		{[]string{"model", "--addr", "bar"}, "foo", `client model: --addr "bar": give host:port`},
	} {
		var out, errb syncBuffer
		code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errb, func(k string) string {
			if k == "CLAIMS_ADDR" {
				return tt.env
			}
			return ""
		})
		if code != 2 || !strings.HasPrefix(errb.String(), tt.want) {
			t.Errorf("%q with CLAIMS_ADDR=%q: got exit %d, stderr %q; want exit 2 and %q", tt.args, tt.env, code, errb.String(), tt.want)
		}
	}
}

// TestRetryGivesUpOnAServerGone checks a Train batch whose server went
// away for good: the retry waits for it up to --timeout, and then the
// check of whether the batch was applied does not wait a second time.
func TestRetryGivesUpOnAServerGone(t *testing.T) {
	f, addr, srv := startFakeServer(t)
	f.onTrain = func(ctx context.Context, call int, do func()) error {
		if call == 2 {
			// Gone for good, and gone before the call ends: the client's
			// retry, over the same connection, must not reach it.
			go srv.Stop()
			<-ctx.Done()
			return status.Error(codes.Unavailable, "the server is going away")
		}
		do()
		return nil
	}
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "2", "--timeout", "500ms")
	for _, want := range []string{
		"sending again with the same request_id, which the server applies once (waiting up to --timeout for the server to be reachable)",
		"lines 3–4 may or may not have been applied: the model could not be checked",
		"(no server listened at " + addr + " within --timeout)",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr %q: want %q", errs, want)
		}
	}
	if code != 1 || strings.Contains(errs, "asking the server whether") {
		t.Errorf("got exit %d, stderr %q; want exit 1 and no second wait for the server", code, errs)
	}
}

// TestClassifyChecksBeforeSending checks what classify refuses before it
// sends anything: --explain above the server's limit (a usage error) and
// a control character the server refuses at the edge of a --sentences
// line, which trimming must not hide.
func TestClassifyChecksBeforeSending(t *testing.T) {
	f, addr := startFake(t)
	f.limits = &claimsv1.Limits{MaxExplain: 20, MaxTextBytes: 1 << 20, MaxSentences: 100, MaxExamples: 100, MaxGrpcReceiveBytes: 4 << 20}
	for _, tt := range []struct {
		name, stdin string
		args        []string
		code        int
		stderr      string
	}{
		{"explain above the server's limit", "Rain fell.\n", []string{"--explain", "21"}, 2, "--explain 21 is above the server's limit of 20"},
		{"explain at the limit", "Rain fell.\n", []string{"--explain", "20"}, 0, ""},
		{"form feed ending a line", "Rain fell.\f\n", []string{"--sentences"}, 1, "stdin line 1 (byte 10): text contains a control character (U+000C)"},
		{"U+0085 starting a line", "ok\n\u0085Rain fell.\n", []string{"--sentences"}, 1, "stdin line 2 (byte 3): text contains a control character (U+0085)"},
		{"no-break space trimmed", "\u00a0Rain fell.\u00a0\n", []string{"--sentences"}, 0, ""},
	} {
		f.classifyCalls = 0
		code, _, errs := runCLI(t, tt.stdin, append([]string{"classify", "--addr", addr}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.stderr) {
			t.Errorf("%s: got exit %d, stderr %q; want exit %d, stderr containing %q", tt.name, code, errs, tt.code, tt.stderr)
		}
		if tt.code != 0 && f.classifyCalls != 0 {
			t.Errorf("%s: %d Classify calls, want none", tt.name, f.classifyCalls)
		}
	}
}

// TestEvalIsNotRetried checks that an eval batch that times out is not
// sent again: it changes nothing, and would only be as slow again.
func TestEvalIsNotRetried(t *testing.T) {
	f, addr := startFake(t)
	f.failEval = status.Error(codes.DeadlineExceeded, "context deadline exceeded")
	data := writeFile(t, "two.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 2))
	code, _, errs := runCLI(t, "", "eval", "--addr", addr, "--data", data)
	want := "client: DeadlineExceeded: context deadline exceeded (lines 1–2 were not scored, of 2 examples: scores are printed only for the whole file)\n"
	if code != 1 || f.evalCalls != 1 || strings.Contains(errs, "sending again") || !strings.HasSuffix(errs, want) {
		t.Errorf("got exit %d, %d Evaluate calls, stderr %q; want exit 1, one call, stderr ending %q", code, f.evalCalls, errs, want)
	}
}

func TestExamplesN(t *testing.T) {
	for n, want := range map[int64]string{0: "0 examples", 1: "1 example", 2: "2 examples", 8513: "8513 examples"} {
		if got := examplesN(n); got != want {
			t.Errorf("examplesN(%d): got %q, want %q", n, got, want)
		}
	}
}

// TestToken: the token comes from --token or else CLAIMS_TOKEN, its value
// never shows in the usage text, and one gRPC could not send (a secret
// file's trailing newline) is a usage error naming where it came from.
func TestToken(t *testing.T) {
	f, addr := startFake(t)
	data := writeFile(t, "one.jsonl", `{"text": "They denied it.", "label": "denial"}`+"\n")
	tokFile := writeFile(t, "token", "filetok\n")
	crlfFile := writeFile(t, "token-crlf", "crlftok\r\n")
	spaceFile := writeFile(t, "token-space", "two words\n")
	emptyFile := writeFile(t, "token-empty", "\n")
	rotationFile := writeFile(t, "token-rotation", "\nnewtok\r\n\noldtok\n")
	tests := []struct {
		name, env string
		args      []string
		code      int
		out, err  string
		sent      string // the authorization the server got, if a call is made
		envFile   string // CLAIMS_TOKEN_FILE
	}{
		{"from a file", "", []string{"train", "--addr", addr, "--data", data, "--token-file", tokFile}, 0, "trained 1 example", "", "Bearer filetok", ""},
		{"from a file with CR LF", "", []string{"train", "--addr", addr, "--data", data, "--token-file", crlfFile}, 0, "trained 1 example", "", "Bearer crlftok", ""},
		{"from a file the environment names", "", []string{"train", "--addr", addr, "--data", data}, 0, "trained 1 example", "", "Bearer filetok", tokFile},
		{"a file flag wins over the environment", "envtok", []string{"train", "--addr", addr, "--data", data, "--token-file", tokFile}, 0, "trained 1 example", "", "Bearer filetok", ""},
		{"both flags", "", []string{"model", "--addr", addr, "--token", "x", "--token-file", tokFile}, 2, "", "--token and --token-file both give the token: use one", "", ""},
		{"both variables", "envtok", []string{"model", "--addr", addr}, 2, "", "CLAIMS_TOKEN and CLAIMS_TOKEN_FILE both give the token: use one", "", tokFile},
		{"a space in the file", "", []string{"model", "--addr", addr, "--token-file", spaceFile}, 1, "", "--token-file: " + spaceFile + " line 1: byte 3 is a space", "", ""},
		{"an empty file", "", []string{"model", "--addr", addr, "--token-file", emptyFile}, 1, "", "--token-file: " + emptyFile + " holds no token", "", ""},
		{"the server's file during a rotation", "", []string{"train", "--addr", addr, "--data", data, "--token-file", rotationFile}, 0, "trained 1 example", "", "Bearer newtok", ""},
		{"a missing file", "", []string{"model", "--addr", addr}, 1, "", "CLAIMS_TOKEN_FILE: open /nonexistent/token: no such file", "", "/nonexistent/token"},
		{"a file not read by a command that sends no token", "", []string{"version"}, 0, "", "", "", "/nonexistent/token"},
		{"usage hides the token", "s3cret", []string{"model", "-h"}, 0, "env CLAIMS_TOKEN", "", "", ""},
		{"from the environment", "envtok", []string{"train", "--addr", addr, "--data", data}, 0, "trained 1 example", "", "Bearer envtok", ""},
		{"flag wins", "envtok", []string{"train", "--addr", addr, "--data", data, "--token", "flagtok"}, 0, "trained 1 example", "", "Bearer flagtok", ""},
		{"newline from the environment", "s3cret\n", []string{"model", "--addr", addr}, 2, "", "client model: CLAIMS_TOKEN: byte 6 is a space, a control character or not ASCII", "", ""},
		{"not ASCII in the flag", "", []string{"model", "--addr", addr, "--token", "ümlaut"}, 2, "", "client model: --token: byte 0 is a space", "", ""},
	}
	for _, tt := range tests {
		f.token = ""
		var out, errb syncBuffer
		code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errb, func(k string) string {
			switch k {
			case "CLAIMS_TOKEN":
				return tt.env
			case "CLAIMS_TOKEN_FILE":
				return tt.envFile
			}
			return ""
		})
		if code != tt.code || !strings.Contains(out.String(), tt.out) || !strings.Contains(errb.String(), tt.err) || f.token != tt.sent {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q, token sent %q; want exit %d, stdout containing %q, stderr containing %q, token sent %q",
				tt.name, code, out.String(), errb.String(), f.token, tt.code, tt.out, tt.err, tt.sent)
		}
		if strings.Contains(out.String()+errb.String(), "s3cret") {
			t.Errorf("%s: the token shows in the output: %q %q", tt.name, out.String(), errb.String())
		}
	}
}

// TestOutputFailsAfterChange: when a train went through but its report
// cannot be written (a full disk), the error still says the model changed,
// lest a script retry it.
func TestOutputFailsAfterChange(t *testing.T) {
	_, addr := startFake(t)
	data := writeFile(t, "one.jsonl", `{"text": "They denied it.", "label": "denial"}`+"\n")
	var errb syncBuffer
	code := run(context.Background(), []string{"train", "--addr", addr, "--data", data}, strings.NewReader(""), failWriter{}, &errb, func(string) string { return "" })
	if want := "but writing the output failed: disk full"; code != 1 || !strings.Contains(errb.String(), "client: trained 1 example: model version") || !strings.Contains(errb.String(), want) {
		t.Errorf("got exit %d, stderr %q; want exit 1, the change reported and %q", code, errb.String(), want)
	}
}

// failWriter fails every write, as a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestClassifyLineOverSentenceLimit: a single line with more sentences than
// the server takes in one request cannot be split at line breaks, so it
// is refused, naming its bytes, before anything is sent.
func TestClassifyLineOverSentenceLimit(t *testing.T) {
	f, addr := startFake(t)
	f.limits = &claimsv1.Limits{MaxTextBytes: 1 << 20, MaxSentences: 2, MaxGrpcReceiveBytes: 1 << 20}
	file := writeFile(t, "in.txt", "Rain fell.\nIt rained. It poured. It stopped.\n")
	code, out, errs := runCLI(t, "", "classify", "--addr", addr, file)
	want := "client: " + file + " bytes 11–44: 3 sentences exceed the server's limit of 2 (one line; the client splits text only at line breaks)\n"
	if code != 1 || errs != want || out != "" || f.classifyCalls != 0 {
		t.Errorf("got exit %d, %d calls, stdout %q, stderr %q; want exit 1, no call, no output, %q", code, f.classifyCalls, out, errs, want)
	}
}

// TestUnknownLabelRefusedBeforeSending: a train (without
// --allow-new-labels) or forget of a file with a label the model lacks is
// refused, naming the line, before any batch is sent, instead of after the
// batches before it were applied.
func TestUnknownLabelRefusedBeforeSending(t *testing.T) {
	f, addr := startFake(t)
	data := writeFile(t, "ex.jsonl", `{"text": "They denied it.", "label": "denial"}`+"\n\n"+`{"text": "A rumour spread.", "label": "Rumour"}`+"\n")
	tests := []struct {
		args  []string
		code  int
		err   string
		calls int
	}{
		{[]string{"train"}, 1, data + ` line 3: label: label is not known to the model: "rumour" (--allow-new-labels adds it); nothing was sent`, 0},
		{[]string{"train", "--batch", "1"}, 1, "nothing was sent", 0},
		{[]string{"forget"}, 1, data + ` line 3: label: example was not learned: the model has no label "rumour"; nothing was sent`, 0},
		{[]string{"train", "--allow-new-labels"}, 0, "", 1},
	}
	for _, tt := range tests {
		f.trainCalls, f.forgetCalls = 0, 0
		code, _, errs := runCLI(t, "", append(tt.args, "--addr", addr, "--data", data)...)
		if calls := f.trainCalls + f.forgetCalls; code != tt.code || !strings.Contains(errs, tt.err) || calls != tt.calls {
			t.Errorf("%v: got exit %d, %d calls, stderr %q; want exit %d, %d calls, %q", tt.args, code, calls, errs, tt.code, tt.calls, tt.err)
		}
	}
}

// TestNewLabelsOverLimitRefusedBeforeSending: a train with
// --allow-new-labels whose new labels would pass the server's --max-labels
// is refused before any batch is sent (the batches before the one that
// passes it, and their labels, used to be applied); one that fits is sent.
func TestNewLabelsOverLimitRefusedBeforeSending(t *testing.T) {
	f, addr := startFake(t)
	f.limits = &claimsv1.Limits{MaxLabels: 3} // the fake model has 2 labels
	two := writeFile(t, "two.jsonl", `{"text": "A rumour spread.", "label": "rumour"}`+"\n"+`{"text": "They mourned.", "label": "Mourning"}`+"\n")
	one := writeFile(t, "one.jsonl", `{"text": "A rumour spread.", "label": "rumour"}`+"\n"+`{"text": "They denied it.", "label": "denial"}`+"\n")
	for _, tt := range []struct {
		data  string
		code  int
		err   string
		calls int
	}{
		{two, 1, two + `: its 2 new labels would give the model 4, above the server's limit of 3 (--max-labels); nothing was sent`, 0},
		{one, 0, "", 2},
	} {
		f.trainCalls = 0
		code, _, errs := runCLI(t, "", "train", "--allow-new-labels", "--batch", "1", "--addr", addr, "--data", tt.data)
		if code != tt.code || !strings.Contains(errs, tt.err) || f.trainCalls != tt.calls {
			t.Errorf("%s: got exit %d, %d calls, stderr %q; want exit %d, %d calls, %q", tt.data, code, f.trainCalls, errs, tt.code, tt.calls, tt.err)
		}
	}
}

// TestInputOverLimit: input over maxInputBytes is refused, a regular file
// (named, or given as stdin) before it is read; the files are sparse, so
// they cost no disk.
func TestInputOverLimit(t *testing.T) {
	_, addr := startFake(t)
	big := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxInputBytes+1); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"classify", big}, {"eval", "--data", big}, {"classify", "-"}, {"train", "--data", "-"}} {
		stdin, err := os.Open(big)
		if err != nil {
			t.Fatal(err)
		}
		var out, errb syncBuffer
		code := run(context.Background(), append(args, "--addr", addr), stdin, &out, &errb, func(string) string { return "" })
		stdin.Close()
		if code != 1 || !strings.Contains(errb.String(), "more than 268435456 bytes (256 MiB), which the client does not read") {
			t.Errorf("%v: got exit %d, stderr %q; want exit 1 and the input refused", args, code, errb.String())
		}
	}
}

// TestStdinPastEndOfFile: stdin that is a regular file read past its end
// (it shrank after a partial read) is empty input, not a panic.
func TestStdinPastEndOfFile(t *testing.T) {
	_, addr := startFake(t)
	name := writeFile(t, "short.txt", "They denied it.\n")
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(100000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	code := run(context.Background(), []string{"classify", "--addr", addr}, f, &out, &errb, func(string) string { return "" })
	if code != 1 || !strings.Contains(errb.String(), "stdin: text is empty") {
		t.Errorf("got exit %d, stderr %q; want exit 1, stdin: text is empty", code, errb.String())
	}
}

// TestModelPrintsLimits checks the limits line of model: the feature limit
// when the server reports one, and nothing for it from a server that
// predates it.
func TestModelPrintsLimits(t *testing.T) {
	f, addr := startFake(t)
	for _, tt := range []struct {
		features int64
		want     string
	}{
		{5000, ", explain 20, 64 labels, 5000 features, 7000 distinct examples\n"},
		{0, ", explain 20, 64 labels\n"},
	} {
		f.lock(func() {
			f.limits = &claimsv1.Limits{MaxExplain: 20, MaxLabels: 64, MaxFeatures: tt.features, MaxLearnedExamples: tt.features * 7 / 5}
		})
		code, out, errs := runCLI(t, "", "model", "--addr", addr)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("max_features %d: got exit %d, stdout %q, stderr %q; want %q", tt.features, code, out, errs, tt.want)
		}
	}
}

// TestServerFaultNamesRequestID checks that each call sends a request ID
// of its own, and that a call failing with a server fault prints it, in
// every command whose error the client rewrites too, so that the server's
// log line can be found; a refusal of the request does not, and neither
// does a server that did not send the ID back.
func TestServerFaultNamesRequestID(t *testing.T) {
	f, addr := startFake(t)
	data := writeFile(t, "one.jsonl", `{"text": "They denied it.", "label": "denial"}`+"\n")
	var ids []string // of every call
	var failedID string
	var fail error
	var failing string // the method that fails
	echo := true       // send the ID back, as the server does
	record := func(ctx context.Context, method string) error {
		md, _ := metadata.FromIncomingContext(ctx)
		ids = append(ids, md.Get("x-request-id")...)
		if echo {
			grpc.SetHeader(ctx, metadata.Pairs("x-request-id", strings.Join(md.Get("x-request-id"), ",")))
		}
		if method != failing || fail == nil {
			return nil
		}
		failedID = strings.Join(md.Get("x-request-id"), ",")
		return fail
	}
	f.onGetModel = func(ctx context.Context, _ int) error { return record(ctx, "GetModel") }
	f.onClassify = func(ctx context.Context, _ int, _ *claimsv1.ClassifyRequest) error { return record(ctx, "Classify") }
	f.onTrain = func(ctx context.Context, _ int, apply func()) error {
		if err := record(ctx, "Train"); err != nil {
			return err
		}
		apply()
		return nil
	}
	for _, args := range [][]string{{"model"}, {"classify"}, {"classify", "--sentences"}, {"train", "--data", data}} {
		failing = map[string]string{"model": "GetModel", "classify": "Classify", "train": "Train"}[args[0]]
		for _, tt := range []struct {
			err      error
			wantLine bool
		}{
			{status.Error(codes.Internal, "internal error"), true},
			{status.Error(codes.DataLoss, "the model file is corrupt"), true},
			{status.Error(codes.InvalidArgument, "no"), false},
		} {
			failedID, fail = "", tt.err
			code, _, errs := runCLI(t, "They denied it.", append(args, "--addr", addr)...)
			if len(failedID) != 26 {
				t.Fatalf("%v, %v: the call that failed had request IDs %q, want one of 26 characters", args, tt.err, failedID)
			}
			line := "client: the server's log has the call under x_request_id=" + failedID + "\n"
			if code != 1 || strings.Contains(errs, line) != tt.wantLine {
				t.Errorf("%v, %v: got exit %d, stderr %q; want exit 1, and the line %q: %v", args, tt.err, code, errs, line, tt.wantLine)
			}
		}
	}
	// A server that did not send the ID back (one older than request IDs)
	// may have logged no such ID.
	echo, failing, fail = false, "GetModel", status.Error(codes.Internal, "internal error")
	if code, _, errs := runCLI(t, "", "model", "--addr", addr); code != 1 || strings.Contains(errs, "x_request_id") {
		t.Errorf("a server that does not send the ID back: got exit %d, stderr %q; want exit 1 and no request ID", code, errs)
	}
	// Every call has an ID of its own.
	ids, fail = nil, nil
	for range 2 {
		if code, _, errs := runCLI(t, "", "model", "--addr", addr); code != 0 {
			t.Fatalf("model: exit %d, %s", code, errs)
		}
	}
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Errorf("two calls: got request IDs %q, want two different", ids)
	}
}

// TestModelStaleAdvice checks what model says of a model whose counts the
// server's extractor or tokenizer did not gather, by which way they
// differ and whether the server writes the model.
func TestModelStaleAdvice(t *testing.T) {
	f, addr := startFake(t)
	for _, tt := range []struct {
		name string
		edit func(*claimsv1.GetModelResponse)
		want string
	}{
		{"older revision", func(m *claimsv1.GetModelResponse) { m.FeatureRevision, m.ExtractorRevision = 12, 13 },
			"features      revision 12 (the server extracts revision 13: forget is refused until train --replace retrains it)"},
		{"older revision, read-only", func(m *claimsv1.GetModelResponse) { m.FeatureRevision, m.ExtractorRevision, m.ReadOnly = 12, 13, true },
			"until the writing server's train --replace retrains it (this server then reads it on SIGHUP, or by itself with --reload-interval))"},
		{"newer revision (a rollback)", func(m *claimsv1.GetModelResponse) { m.FeatureRevision, m.ExtractorRevision = 13, 12 },
			"features      revision 13 (the server extracts revision 12, older than the model's: forget is refused until a server of the model's revision serves it)"},
		{"another tokenizer", func(m *claimsv1.GetModelResponse) {
			m.FeatureRevision, m.ExtractorRevision, m.ModelTokenizerSha256, m.TokenizerSha256 = 13, 13, "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"
		}, "features      revision 13\ntokenizer.json bbbbbbbbbbbb… (the model was trained with aaaaaaaaaaaa…: forget is refused and accuracy may suffer until the server is given the model's tokenizer.json, or train --replace retrains it)"},
		{"another tokenizer, read-only", func(m *claimsv1.GetModelResponse) {
			m.FeatureRevision, m.ExtractorRevision, m.ModelTokenizerSha256, m.TokenizerSha256, m.ReadOnly = 13, 13, "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", true
		}, "until this server is given the writing server's --tokenizer, or the writing server's train --replace retrains it (this server then reads"},
		{"mixed", func(m *claimsv1.GetModelResponse) {
			m.FeatureRevision, m.ExtractorRevision, m.ModelTokenizerSha256, m.TokenizerSha256 = 1<<20, 13, "mixed", "bbbbbbbbbbbbbbbb"
		}, "features      mixed (the model learned examples under another feature extractor or tokenizer.json than its counts were gathered with: forget is refused until train --replace retrains it)\n\n"},
	} {
		f.lock(func() { f.editModel = tt.edit })
		code, out, errs := runCLI(t, "", "model", "--addr", addr)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit 0 and stdout containing %q", tt.name, code, out, errs, tt.want)
		}
	}
}

// TestModelTemperature checks the temperature line of model: the value a
// server reports, and nothing for 0 (a server that predates the field).
func TestModelTemperature(t *testing.T) {
	f, addr := startFake(t)
	for _, tt := range []struct {
		temp      float64
		want, not string
	}{
		{6, "retrains it)\ntemperature   6 (confidences tempered: each label's log score divided by it)\n\n", ""},
		{1, "\ntemperature   1 (naive Bayes's own probabilities)\n\n", ""},
		{0, "retrains it)\n\n", "temperature"},
	} {
		f.lock(func() { f.editModel = func(m *claimsv1.GetModelResponse) { m.Temperature = tt.temp } })
		code, out, errs := runCLI(t, "", "model", "--addr", addr)
		if code != 0 || !strings.Contains(out, tt.want) || tt.not != "" && strings.Contains(out, tt.not) {
			t.Errorf("temperature %v: got exit %d, stdout %q, stderr %q; want stdout containing %q", tt.temp, code, out, errs, tt.want)
		}
	}
	f.lock(func() { f.editModel = nil })
}

// TestModelLimits checks the limits line of model: every limit a server
// reports, and none it does not (a server that predates them).
func TestModelLimits(t *testing.T) {
	f, addr := startFake(t)
	for _, tt := range []struct {
		name   string
		limits *claimsv1.Limits
		want   string
	}{
		{"a server reporting every limit", &claimsv1.Limits{MaxTextBytes: 262144, MaxSentences: 2000, MaxExamples: 10000, MaxGrpcReceiveBytes: 16777216, MaxHttpBodyBytes: 16777216,
			CallTimeout: durationpb.New(30 * time.Second), SendTimeout: durationpb.New(0), MaxConcurrentStreams: 100, MaxClassifyStreams: 64, MaxClassifyStreamsPerConn: 16, MaxInflightCalls: 128,
			MaxInflightCallsPerClient: 32, MaxExplain: 20, MaxLabels: 64, MaxFeatures: 1000000, MaxLearnedExamples: 1000000},
			"limits: text 262144 bytes, 2000 sentences, 10000 examples, gRPC message 16777216 bytes, HTTP body 16777216 bytes, call timeout 30s, send timeout none, 100 streams a connection, 64 classify streams, 16 classify streams a connection, 128 calls in flight, 32 calls in flight a client, explain 20, 64 labels, 1000000 features, 1000000 distinct examples\n"},
		{"older server", &claimsv1.Limits{MaxTextBytes: 262144, MaxSentences: 2000, MaxExamples: 10000, MaxGrpcReceiveBytes: 16777216, MaxHttpBodyBytes: 16777216,
			CallTimeout: durationpb.New(30 * time.Second), MaxConcurrentStreams: 100, MaxExplain: 20},
			"limits: text 262144 bytes, 2000 sentences, 10000 examples, gRPC message 16777216 bytes, HTTP body 16777216 bytes, call timeout 30s, 100 streams a connection, explain 20\n"},
	} {
		f.lock(func() { f.limits = tt.limits })
		code, out, errs := runCLI(t, "", "model", "--addr", addr)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit 0 and %q", tt.name, code, out, errs, tt.want)
		}
	}
}

// TestRetryGoesOnWhileUnreachable checks a retry that finds the server
// unreachable too (it went out on the connection of a server going away):
// it is sent again until the server answers, within one --timeout, and the
// batch is applied once.
func TestRetryGoesOnWhileUnreachable(t *testing.T) {
	f, addr := startFake(t)
	f.onTrain = func(_ context.Context, call int, do func()) error {
		if call == 2 || call == 3 {
			return status.Error(codes.Unavailable, "the server is going away")
		}
		do()
		return nil
	}
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	code, out, errs := runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "2", "--timeout", "5s")
	if code != 0 || f.trainCalls != 5 || f.total != 7+6 || !strings.Contains(out, "trained 6 examples") {
		t.Errorf("got exit %d, %d calls, %d examples in all, stdout %q, stderr %q; want exit 0, 5 calls, 13", code, f.trainCalls, f.total, out, errs)
	}
	if n := strings.Count(errs, "sending again with the same request_id"); n != 1 {
		t.Errorf("got stderr %q, want the batch said sent again once", errs)
	}
}

// TestInterruptWhileUnreachable interrupts a batch while the client
// pauses between two sends to an unreachable server: it ends as an
// interrupt during a call does (CANCELED, exit 130), at once, without
// waiting for the server in the check.
func TestInterruptWhileUnreachable(t *testing.T) {
	f, addr := startFake(t)
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	f.onTrain = func(_ context.Context, call int, do func()) error {
		if call == 1 {
			do()
			return nil
		}
		if call == 3 {
			time.AfterFunc(50*time.Millisecond, interrupt) // within the 100 ms pause after this call
		}
		return status.Error(codes.Unavailable, "the server is going away")
	}
	data := writeFile(t, "six.jsonl", strings.Repeat(`{"text": "They denied it.", "label": "denial"}`+"\n", 6))
	start := time.Now()
	code, _, errs := runCLIContext(t, ctx, "", "train", "--addr", addr, "--data", data, "--batch", "2", "--timeout", "5s")
	if took := time.Since(start); code != exitInterrupted || !strings.Contains(errs, "client: Canceled") || took > 2*time.Second {
		t.Errorf("got exit %d after %v, stderr %q; want exit %d, Canceled, at once", code, took, errs, exitInterrupted)
	}
	if strings.Contains(errs, "waiting up to --timeout for it to be reachable") {
		t.Errorf("got stderr %q, want no wait for the server in the check", errs)
	}
}
