package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/apitest"
)

type testServer struct {
	client claimsv1.ClaimServiceClient
	model  *classifier.Classifier
	conn   *grpc.ClientConn
	svc    *Service
}

func testLimits() Limits {
	l := DefaultLimits()
	l.MaxTextBytes = 1 << 10
	l.MaxSentences = 5
	l.MaxExamples = 20
	l.MaxGRPCReceiveBytes = 64 << 10
	l.MaxExplain = 3
	return l
}

// newTestServer serves a Service for the apitest model over bufconn.
func newTestServer(t *testing.T, auth Auth, limits Limits) *testServer {
	t.Helper()
	model, err := apitest.NewModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	return serveModel(t, model, auth, limits)
}

// serveModel serves a Service for model over bufconn.
func serveModel(t *testing.T, model *classifier.Classifier, auth Auth, limits Limits) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := NewService(model, limits, "test", nil, log)
	unary, stream := Interceptors(auth, limits.CallTimeout, Observer{Log: log, Transport: GRPC})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream), grpc.MaxRecvMsgSize(limits.MaxGRPCReceiveBytes))
	claimsv1.RegisterClaimServiceServer(srv, svc)
	conn := apitest.Dial(t, srv)
	return &testServer{client: claimsv1.NewClaimServiceClient(conn), model: model, conn: conn, svc: svc}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func withToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

func TestClassifyText(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	text := "Rebels blamed for the blast.\nThe ministry denied any involvement."
	resp, err := ts.client.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: text, Explain: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ text, label string }{
		{"Rebels blamed for the blast.", "attribution"},
		{"The ministry denied any involvement.", "denial"},
	}
	if len(resp.GetSentences()) != len(want) {
		t.Fatalf("got %d sentences, want %d", len(resp.GetSentences()), len(want))
	}
	for i, s := range resp.GetSentences() {
		if s.GetText() != want[i].text || s.GetLabel() != want[i].label {
			t.Errorf("sentence %d: got %q %s, want %q %s", i, s.GetText(), s.GetLabel(), want[i].text, want[i].label)
		}
		if got := text[s.GetStart():s.GetEnd()]; got != s.GetText() {
			t.Errorf("sentence %d: text[start:end] = %q, want %q", i, got, s.GetText())
		}
		if len(s.GetScores()) != 5 || s.GetScores()[0].GetLabel() != s.GetLabel() || s.GetScores()[0].GetProbability() != s.GetConfidence() {
			t.Errorf("sentence %d: scores %v do not lead with the label", i, s.GetScores())
		}
		if n := len(s.GetFeatures()); n == 0 || n > 2 {
			t.Errorf("sentence %d: got %d features, want 1..2", i, n)
		}
	}
	if resp.GetModelVersion() != 1 {
		t.Errorf("model version: got %d, want 1", resp.GetModelVersion())
	}
}

func TestClassifySentences(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	resp, err := ts.client.Classify(ctxT(t), &claimsv1.ClassifyRequest{Sentences: []string{"police warned of attacks. leaders sent condolences", "the nation mourned"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetSentences()) != 2 {
		t.Fatalf("got %d results, want 2 (sentences are never re-segmented)", len(resp.GetSentences()))
	}
	if s := resp.GetSentences()[1]; s.GetIndex() != 1 || s.GetLabel() != "condolence" || s.GetStart() != 0 || s.GetEnd() != 0 {
		t.Errorf("got %v, want index 1 condolence with no offsets", s)
	}
}

func TestClassifyErrors(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	long := strings.Repeat("a", 1025)
	tests := []struct {
		name string
		req  *claimsv1.ClassifyRequest
		code codes.Code
		msg  string
	}{
		{"nothing", &claimsv1.ClassifyRequest{}, codes.InvalidArgument, "text: text is empty"},
		{"blank", &claimsv1.ClassifyRequest{Text: " \n\t "}, codes.InvalidArgument, "text: text is empty"},
		{"both", &claimsv1.ClassifyRequest{Text: "a", Sentences: []string{"b"}}, codes.InvalidArgument, "not both"},
		{"invalid utf8", &claimsv1.ClassifyRequest{Text: "bad \xff byte"}, codes.InvalidArgument, "UTF-8"},
		{"NUL", &claimsv1.ClassifyRequest{Text: "nul\x00byte"}, codes.InvalidArgument, "control character"},
		{"too long", &claimsv1.ClassifyRequest{Text: long}, codes.InvalidArgument, "exceed the limit of 1024"},
		{"too many sentences", &claimsv1.ClassifyRequest{Sentences: []string{"a", "b", "c", "d", "e", "f"}}, codes.InvalidArgument, "6 sentences exceed the limit of 5"},
		{"too many segmented", &claimsv1.ClassifyRequest{Text: "a.\nb.\nc.\nd.\ne.\nf."}, codes.InvalidArgument, "6 sentences exceed"},
		{"sentences too long", &claimsv1.ClassifyRequest{Sentences: []string{long[:600], long[:600]}}, codes.InvalidArgument, "1200 bytes in all"},
		{"empty sentence", &claimsv1.ClassifyRequest{Sentences: []string{"ok", ""}}, codes.InvalidArgument, "sentences[1]: text is empty"},
		{"bad sentence", &claimsv1.ClassifyRequest{Sentences: []string{"\x01"}}, codes.InvalidArgument, "sentences[0]"},
		{"explain negative", &claimsv1.ClassifyRequest{Text: "a", Explain: -1}, codes.InvalidArgument, "explain"},
		{"explain too big", &claimsv1.ClassifyRequest{Text: "a", Explain: 4}, codes.InvalidArgument, "explain: 4 is outside 0..3"},
	}
	for _, tt := range tests {
		_, err := ts.client.Classify(ctxT(t), tt.req)
		st := status.Convert(err)
		if st.Code() != tt.code || !strings.Contains(st.Message(), tt.msg) {
			t.Errorf("%s: got %s %q, want %s containing %q", tt.name, st.Code(), st.Message(), tt.code, tt.msg)
		}
	}
}

func TestClassifyStream(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	stream, err := ts.client.ClassifyStream(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	reqs := []*claimsv1.ClassifyStreamRequest{
		{Id: "one", Text: "Police warned of further attacks."},
		{Id: "two", Sentences: []string{"the nation mourned", "the group claimed responsibility"}},
	}
	for _, r := range reqs {
		if err := stream.Send(r); err != nil {
			t.Fatal(err)
		}
	}
	want := [][]string{{"warning"}, {"condolence", "attribution"}}
	for i := range reqs {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetId() != reqs[i].GetId() || len(resp.GetSentences()) != len(want[i]) {
			t.Fatalf("response %d: got %v", i, resp)
		}
		for j, s := range resp.GetSentences() {
			if s.GetLabel() != want[i][j] {
				t.Errorf("response %d sentence %d: got %s, want %s", i, j, s.GetLabel(), want[i][j])
			}
		}
	}
	// A bad request ends the stream with its error, naming the request.
	if err := stream.Send(&claimsv1.ClassifyStreamRequest{Id: "bad"}); err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), `request "bad"`) {
		t.Errorf("bad request: got %v, want InvalidArgument naming it", err)
	}
	// An id past its limit is refused, and not quoted back: the message
	// travels in a header, which clients bound.
	for _, n := range []int{MaxStreamIDBytes, MaxStreamIDBytes + 1, 60000} {
		stream, err := ts.client.ClassifyStream(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		stream.Send(&claimsv1.ClassifyStreamRequest{Id: strings.Repeat("i", n), Text: "Police warned of further attacks."})
		_, err = stream.Recv()
		st := status.Convert(err)
		switch {
		case n <= MaxStreamIDBytes && err != nil:
			t.Errorf("id of %d bytes: got %v, want a result", n, err)
		case n > MaxStreamIDBytes && (st.Code() != codes.InvalidArgument || st.Message() != fmt.Sprintf("id: %d bytes exceed the limit of %d", n, MaxStreamIDBytes)):
			t.Errorf("id of %d bytes: got %v, want InvalidArgument on id", n, err)
		}
		stream.CloseSend()
	}
}

// TestEndStreams: once the server starts to stop, a stream waiting for its
// next request ends with UNAVAILABLE after answering what it was sent,
// and so does a stream opened after, at its first request, while unary
// calls are still served (the graceful stop ends them).
func TestEndStreams(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	stream, err := ts.client.ClassifyStream(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&claimsv1.ClassifyStreamRequest{Id: "one", Text: "Police warned of further attacks."}); err != nil {
		t.Fatal(err)
	}
	if resp, err := stream.Recv(); err != nil || resp.GetId() != "one" {
		t.Fatalf("before the stop: got %v, %v", resp, err)
	}
	ts.svc.EndStreams()
	ts.svc.EndStreams() // twice is fine
	_, err = stream.Recv()
	if st := status.Convert(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "shutting down") {
		t.Errorf("waiting stream: got %v, want UNAVAILABLE", err)
	}
	late, err := ts.client.ClassifyStream(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	late.Send(&claimsv1.ClassifyStreamRequest{Id: "late", Text: "Police warned of further attacks."})
	if _, err := late.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("stream opened after: got %v, want UNAVAILABLE", err)
	}
	if _, err := ts.client.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: "Police warned of further attacks."}); err != nil {
		t.Errorf("unary call after EndStreams: %v", err)
	}
}

// TestClassifyStreamLimit: streams beyond the server's limit fail at once
// with RESOURCE_EXHAUSTED, and a slot frees when a stream ends.
func TestClassifyStreamLimit(t *testing.T) {
	limits := testLimits()
	limits.MaxClassifyStreams = 2
	ts := newTestServer(t, Auth{Open: true}, limits)
	open := func() (claimsv1.ClaimService_ClassifyStreamClient, context.CancelFunc, error) {
		ctx, cancel := context.WithCancel(ctxT(t))
		s, err := ts.client.ClassifyStream(ctx)
		if err != nil {
			return nil, cancel, err
		}
		// Send fails with io.EOF if the server has ended the stream
		// already; Recv then gives its status.
		s.Send(&claimsv1.ClassifyStreamRequest{Text: "Police warned of further attacks."})
		_, err = s.Recv()
		return s, cancel, err
	}
	var cancels []context.CancelFunc
	for i := range 2 {
		_, cancel, err := open()
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		cancels = append(cancels, cancel)
	}
	_, cancel, err := open()
	cancel()
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "2 classify streams are open") {
		t.Errorf("third stream: got %v, want ResourceExhausted naming the limit", err)
	} else if d := st.Details(); len(d) != 1 || !isRetryInfo(d[0], time.Second) {
		t.Errorf("third stream: got details %v, want a RetryInfo of 1s", d)
	}
	cancels[0]()
	// The slot frees once the server has seen the cancellation.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, cancel, err := open()
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after one stream ended: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancels[1]()
}

// TestClassifyStreamIdle: a stream whose next request does not arrive
// within the call timeout ends with DEADLINE_EXCEEDED, and frees its slot.
func TestClassifyStreamIdle(t *testing.T) {
	limits := testLimits()
	limits.CallTimeout = 200 * time.Millisecond
	limits.MaxClassifyStreams = 1
	ts := newTestServer(t, Auth{Open: true}, limits)
	for _, sent := range []int{0, 1, 0} {
		stream, err := ts.client.ClassifyStream(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		for range sent {
			stream.Send(&claimsv1.ClassifyStreamRequest{Text: "Police warned of further attacks."})
			if _, err := stream.Recv(); err != nil {
				t.Fatalf("after %d sent: %v", sent, err)
			}
		}
		_, err = stream.Recv()
		want := fmt.Sprintf("stream request %d did not arrive within 200ms", sent+1)
		if st := status.Convert(err); st.Code() != codes.DeadlineExceeded || st.Message() != want {
			t.Errorf("after %d sent: got %v, want DeadlineExceeded %q", sent, err, want)
		}
	}
}

func TestTrainForget(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	ctx := ctxT(t)
	novel := []*claimsv1.Example{{Text: "zebras escaped from the zoo", Label: "Other "}}
	tr, err := ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: novel})
	if err != nil {
		t.Fatal(err)
	}
	if tr.GetModelVersion() != 2 || tr.GetExamplesApplied() != 1 || tr.GetTotalExamples() != 11 || tr.GetLabelCounts()["other"] != 3 {
		t.Errorf("Train: got %v", tr)
	}
	c, err := ts.client.Classify(ctx, &claimsv1.ClassifyRequest{Sentences: []string{"zebras escaped"}})
	if err != nil || c.GetSentences()[0].GetLabel() != "other" || c.GetModelVersion() != 2 {
		t.Errorf("after Train: got %v, %v", c, err)
	}
	fr, err := ts.client.Forget(ctx, &claimsv1.ForgetRequest{Examples: novel})
	if err != nil {
		t.Fatal(err)
	}
	if fr.GetModelVersion() != 3 || fr.GetExamplesForgotten() != 1 || fr.GetTotalExamples() != 10 {
		t.Errorf("Forget: got %v", fr)
	}
	// A new label needs allow_new_labels.
	_, err = ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "x y", Label: "rumour"}}})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), `examples[0].label: label is not known to the model: "rumour"`) {
		t.Errorf("unknown label: got %v", err)
	}
	if _, err := ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "x y", Label: "rumour"}}, AllowNewLabels: true}); err != nil {
		t.Errorf("allow_new_labels: %v", err)
	}
	// Replace rebuilds from exactly the batch.
	rr, err := ts.client.Train(ctx, &claimsv1.TrainRequest{Replace: true, Examples: []*claimsv1.Example{{Text: "a", Label: "p"}, {Text: "b", Label: "q"}}})
	if err != nil {
		t.Fatal(err)
	}
	if rr.GetTotalExamples() != 2 || len(rr.GetLabelCounts()) != 2 {
		t.Errorf("replace: got %v", rr)
	}
}

func TestTrainErrorsLeaveModelUnchanged(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	ctx := ctxT(t)
	before := ts.model.Info()
	many := make([]*claimsv1.Example, 21)
	for i := range many {
		many[i] = &claimsv1.Example{Text: "t", Label: "other"}
	}
	tests := []struct {
		name string
		req  *claimsv1.TrainRequest
		code codes.Code
		msg  string
	}{
		{"empty", &claimsv1.TrainRequest{}, codes.InvalidArgument, "examples: no examples"},
		{"too many", &claimsv1.TrainRequest{Examples: many}, codes.InvalidArgument, "21 examples exceed the limit of 20"},
		{"empty text", &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "ok", Label: "other"}, {Text: "", Label: "other"}}}, codes.InvalidArgument, "examples[1].text: text is empty"},
		{"empty label", &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "ok", Label: ""}}}, codes.InvalidArgument, "examples[0].label: label is empty"},
		{"bad label", &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "ok", Label: "two words"}}}, codes.InvalidArgument, "examples[0].label: label is not valid"},
		{"text too long", &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: strings.Repeat("a", 1025), Label: "other"}}}, codes.InvalidArgument, "examples[0].text: 1025 bytes"},
		{"mixed batch", &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "fine", Label: "other"}, {Text: "fine", Label: "nope"}}}, codes.InvalidArgument, "examples[1].label"},
		{"replace one label", &claimsv1.TrainRequest{Replace: true, Examples: []*claimsv1.Example{{Text: "a", Label: "other"}}}, codes.InvalidArgument, "examples: examples name fewer than two labels"},
	}
	for _, tt := range tests {
		_, err := ts.client.Train(ctx, tt.req)
		st := status.Convert(err)
		if st.Code() != tt.code || !strings.Contains(st.Message(), tt.msg) {
			t.Errorf("%s: got %s %q, want %s containing %q", tt.name, st.Code(), st.Message(), tt.code, tt.msg)
		}
	}
	forgets := []struct {
		name string
		exs  []*claimsv1.Example
		code codes.Code
	}{
		{"never learned", []*claimsv1.Example{{Text: "never seen", Label: "other"}}, codes.NotFound},
		{"unknown label", []*claimsv1.Example{{Text: "x", Label: "nope"}}, codes.NotFound},
		{"empty", nil, codes.InvalidArgument},
	}
	for _, tt := range forgets {
		_, err := ts.client.Forget(ctx, &claimsv1.ForgetRequest{Examples: tt.exs})
		if got := status.Code(err); got != tt.code {
			t.Errorf("Forget %s: got %s (%v), want %s", tt.name, got, err, tt.code)
		}
	}
	after := ts.model.Info()
	if after.Version != before.Version || after.ContentHash != before.ContentHash {
		t.Errorf("model changed by rejected calls: version %d -> %d", before.Version, after.Version)
	}
}

func TestEvaluate(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	resp, err := ts.client.Evaluate(ctxT(t), &claimsv1.EvaluateRequest{Examples: []*claimsv1.Example{
		{Text: "rebels blamed", Label: "attribution"},
		{Text: "the ministry denied it", Label: "denial"},
		{Text: "the airport reopened", Label: "other"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetExamples() != 3 || resp.GetAccuracy() != 1 || resp.GetModelVersion() != 1 {
		t.Errorf("got %v", resp)
	}
	if cm := resp.GetConfusion(); len(cm.GetLabels()) != 3 || len(cm.GetRows()) != 3 || cm.GetRows()[0].GetPredicted()[0] != 1 {
		t.Errorf("confusion: got %v", cm)
	}
	// The reliability table: ten bins of 0.1, every example in one, each
	// right; the error is the gap between accuracy (1) and confidence.
	var n, right int64
	var confSum float64
	for i, b := range resp.GetCalibration() {
		if math.Abs(b.GetLow()-float64(i)/10) > 1e-9 || math.Abs(b.GetHigh()-float64(i+1)/10) > 1e-9 {
			t.Errorf("calibration bin %d: got [%v, %v), want [%v, %v)", i, b.GetLow(), b.GetHigh(), float64(i)/10, float64(i+1)/10)
		}
		n, right, confSum = n+b.GetExamples(), right+b.GetCorrect(), confSum+b.GetConfidenceSum()
	}
	if len(resp.GetCalibration()) != 10 || n != 3 || right != 3 || math.Abs(resp.GetCalibrationError()-(3-confSum)/3) > 1e-9 {
		t.Errorf("calibration: got %d bins, %d examples, %d right, error %v; want 10, 3, 3, %v", len(resp.GetCalibration()), n, right, resp.GetCalibrationError(), (3-confSum)/3)
	}
	if ts.model.Version() != 1 {
		t.Errorf("Evaluate changed the model")
	}
}

func TestGetModel(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	m, err := ts.client.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if m.GetVersion() != 1 || m.GetTotalExamples() != 10 || len(m.GetLabels()) != 5 || m.GetLabelCounts()["warning"] != 2 ||
		len(m.GetContentHash()) != 64 || m.GetVocabularySize() == 0 || m.GetTrainedTime() == nil || m.GetTokenizer() != "test" {
		t.Errorf("got %v", m)
	}
	if got, want := m.GetTemperature(), ts.model.Info().Features.Temperature; got != want {
		t.Errorf("temperature: got %v, want the model's %v", got, want)
	}
	if l := m.GetLimits(); l.GetMaxSentences() != 5 || l.GetMaxExamples() != 20 || l.GetMaxExplain() != 3 || l.GetCallTimeout().AsDuration() != 30*time.Second {
		t.Errorf("limits: got %v", l)
	}
	// server_instance is the Service's, the same in every answer, and
	// another Service (a restarted server) has another.
	again, err := ts.client.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := newTestServer(t, Auth{Open: true}, testLimits()).client.GetModel(ctxT(t), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id := m.GetServerInstance(); len(id) != 16 || again.GetServerInstance() != id || other.GetServerInstance() == id {
		t.Errorf("server_instance: got %q, then %q, and %q from another server; want 16 hex digits, the same, then another", id, again.GetServerInstance(), other.GetServerInstance())
	}
}

// TestStaleFeatures serves a model saved before feature revisions were
// recorded (testdata/model_rev1.bin, the apitest corpus): it classifies and
// reports its revision, Forget answers FAILED_PRECONDITION and leaves it
// unchanged, and Train with replace retrains it to this server's revision.
func TestStaleFeatures(t *testing.T) {
	data, err := os.ReadFile("testdata/model_rev1.bin")
	if err != nil {
		t.Fatal(err)
	}
	model, err := classifier.Load(bytes.NewReader(data), apitest.Words{})
	if err != nil {
		t.Fatal(err)
	}
	client := serveModel(t, model, Auth{Open: true}, testLimits()).client
	ctx := ctxT(t)

	m, err := client.GetModel(ctx, &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if m.GetFeatureRevision() != 1 || m.GetExtractorRevision() != classifier.FeatureRevision {
		t.Errorf("GetModel: got revisions %d/%d, want 1/%d", m.GetFeatureRevision(), m.GetExtractorRevision(), classifier.FeatureRevision)
	}
	c, err := client.Classify(ctx, &claimsv1.ClassifyRequest{Sentences: []string{"the ministry denied any involvement"}})
	if err != nil || c.GetSentences()[0].GetLabel() != "denial" {
		t.Errorf("Classify: got %v, %v; want denial", c, err)
	}
	before := model.Info()
	_, err = client.Forget(ctx, &claimsv1.ForgetRequest{Examples: []*claimsv1.Example{{Text: apitest.Corpus[0].Text, Label: apitest.Corpus[0].Label}}})
	if st := status.Convert(err); st.Code() != codes.FailedPrecondition || !strings.Contains(st.Message(), "revision 1") {
		t.Errorf("Forget: got %v, want FailedPrecondition naming revision 1", err)
	}
	apitest.SameModel(t, "refused Forget", before, model)

	var exs []*claimsv1.Example
	for _, ex := range apitest.Corpus {
		exs = append(exs, &claimsv1.Example{Text: ex.Text, Label: ex.Label})
	}
	if _, err := client.Train(ctx, &claimsv1.TrainRequest{Replace: true, Examples: exs}); err != nil {
		t.Fatal(err)
	}
	if m, err := client.GetModel(ctx, &claimsv1.GetModelRequest{}); err != nil || m.GetFeatureRevision() != classifier.FeatureRevision {
		t.Errorf("after replace: got %v, %v; want revision %d", m.GetFeatureRevision(), err, classifier.FeatureRevision)
	}
	if _, err := client.Forget(ctx, &claimsv1.ForgetRequest{Examples: exs[:1]}); err != nil {
		t.Errorf("Forget after replace: %v", err)
	}
}

func TestAuth(t *testing.T) {
	train := &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "new one", Label: "other"}}}
	tests := []struct {
		name  string
		auth  Auth
		token string
		code  codes.Code
	}{
		{"open loopback", Auth{Open: true}, "", codes.OK},
		{"non-loopback without token", Auth{}, "", codes.PermissionDenied},
		{"non-loopback, token sent anyway", Auth{}, "x", codes.PermissionDenied},
		{"token missing", Auth{Token: "s3cret"}, "", codes.Unauthenticated},
		{"token wrong", Auth{Token: "s3cret"}, "s3cre", codes.Unauthenticated},
		{"token right", Auth{Token: "s3cret"}, "s3cret", codes.OK},
		{"token right, open", Auth{Token: "s3cret", Open: true}, "nope", codes.Unauthenticated},
	}
	for _, tt := range tests {
		ts := newTestServer(t, tt.auth, testLimits())
		ctx := ctxT(t)
		if tt.token != "" {
			ctx = withToken(ctx, tt.token)
		}
		_, err := ts.client.Train(ctx, train)
		if got := status.Code(err); got != tt.code {
			t.Errorf("%s: Train got %s (%v), want %s", tt.name, got, err, tt.code)
		}
		_, err = ts.client.Forget(ctx, &claimsv1.ForgetRequest{Examples: []*claimsv1.Example{{Text: "rebels blamed for the blast", Label: "attribution"}}})
		if got := status.Code(err); got != tt.code {
			t.Errorf("%s: Forget got %s, want %s", tt.name, got, tt.code)
		}
		// Reads never need a token.
		if _, err := ts.client.GetModel(ctx, &claimsv1.GetModelRequest{}); err != nil {
			t.Errorf("%s: GetModel: %v", tt.name, err)
		}
	}
}

func TestMessageTooLarge(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	_, err := ts.client.Classify(ctxT(t), &claimsv1.ClassifyRequest{Text: strings.Repeat("word ", 20000)})
	if got := status.Code(err); got != codes.ResourceExhausted {
		t.Errorf("got %v, want ResourceExhausted", err)
	}
}

// TestPersistFailure fails the save of a Train: the client gets INTERNAL
// with a message that names no server path, the cause is logged, and the
// model is unchanged.
func TestPersistFailure(t *testing.T) {
	var failing atomic.Bool
	model := classifier.New(apitest.Words{}, classifier.WithPersist(func([]byte) error {
		if failing.Load() {
			return errors.New("write /srv/claims/.model.bin.tmp-1: no space left on device")
		}
		return nil
	}))
	if _, err := model.Replace(context.Background(), apitest.Corpus); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	metrics, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(model, testLimits(), "test", metrics, slog.New(slog.NewTextHandler(&logged, nil)))
	before := model.Info()
	failing.Store(true)
	// Through the interceptor, as a call comes: the cause is logged
	// under the call's request ID.
	unary, _ := Interceptors(Auth{Open: true}, time.Minute, Observer{Log: slog.New(slog.DiscardHandler), Transport: GRPC})
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("x-request-id", "persist-1"))
	_, err = unary(ctx, &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "rebels blamed again", Label: "attribution"}}},
		&grpc.UnaryServerInfo{FullMethod: "/claims.v1.ClaimService/Train"}, func(ctx context.Context, req any) (any, error) {
			return svc.Train(ctx, req.(*claimsv1.TrainRequest))
		})
	st := status.Convert(err)
	if want := "model could not be persisted; change not applied"; st.Code() != codes.Internal || st.Message() != want {
		t.Errorf("got %s %q, want INTERNAL %q", st.Code(), st.Message(), want)
	}
	if !strings.Contains(logged.String(), "no space left on device") || !strings.Contains(logged.String(), "x_request_id=persist-1") {
		t.Errorf("log: got %q, want the cause and the request ID", logged.String())
	}
	if after := model.Info(); after.Version != before.Version || after.ContentHash != before.ContentHash {
		t.Errorf("model changed although it could not be persisted")
	}
	if got := counterValue(t, metrics.saveFailures); got != 1 {
		t.Errorf("claims_model_save_failures_total: got %v, want 1", got)
	}
}

// TestPersistStalled: a Train that finds the save before it stalled is
// refused with UNAVAILABLE and a RetryInfo detail, no field blamed, and
// changes nothing.
func TestPersistStalled(t *testing.T) {
	stall := make(chan struct{})
	var stalling atomic.Bool
	model := classifier.New(apitest.Words{}, classifier.WithPersistStall(50*time.Millisecond), classifier.WithPersist(func([]byte) error {
		if stalling.Load() {
			<-stall
		}
		return nil
	}))
	if _, err := model.Replace(context.Background(), apitest.Corpus); err != nil {
		t.Fatal(err)
	}
	svc := NewService(model, testLimits(), "test", nil, slog.New(slog.DiscardHandler))
	before := model.Info()
	stalling.Store(true)
	first := make(chan error, 1)
	go func() {
		_, err := svc.Train(context.Background(), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "rebels blamed again", Label: "attribution"}}})
		first <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for { // its save has begun, and stalled
		if _, stalled := model.PersistStalledFor(); stalled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first Train's save never began")
		}
		time.Sleep(time.Millisecond)
	}
	_, err := svc.Train(ctxT(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "officials denied it again", Label: "denial"}}})
	st := status.Convert(err)
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if got, want := detailKinds(st), []string{"ErrorInfo SAVE_STALLED", "RetryInfo"}; !slices.Equal(got, want) {
		t.Errorf("a Train behind a stalled save: got details %v, want %v", got, want)
	}
	if st.Code() != codes.Unavailable || !strings.HasPrefix(st.Message(), "a change has been persisting for longer than the model allows (a stalled disk or volume?): it has run for ") || !strings.HasSuffix(st.Message(), "; this change was not applied") || delay != persistStalledRetry {
		t.Errorf("a Train behind a stalled save: got %s %q (retry %v), want UNAVAILABLE naming the stalled save, with a RetryInfo of %v", st.Code(), st.Message(), delay, persistStalledRetry)
	}
	if after := model.Info(); after.Version != before.Version || after.ContentHash != before.ContentHash {
		t.Errorf("model changed by a refused Train")
	}
	stalling.Store(false)
	close(stall)
	if err := <-first; err != nil {
		t.Errorf("the stalled Train: %v", err)
	}
}

// detailKinds names st's details: "ErrorInfo REASON", "RetryInfo", or
// the detail's type.
func detailKinds(st *status.Status) []string {
	var kinds []string
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			kinds = append(kinds, "ErrorInfo "+d.GetReason())
		case *errdetails.RetryInfo:
			kinds = append(kinds, "RetryInfo")
		default:
			kinds = append(kinds, fmt.Sprintf("%T", d))
		}
	}
	return kinds
}

// TestTrainingHonoursContext calls Train, Forget and Evaluate with a
// context that is already done: each returns its code and changes nothing.
func TestTrainingHonoursContext(t *testing.T) {
	model, err := apitest.NewModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(model, testLimits(), "test", nil, slog.New(slog.DiscardHandler))
	before := model.Info()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	exs := []*claimsv1.Example{{Text: "rebels blamed", Label: "attribution"}, {Text: "officials denied it", Label: "denial"}}
	for _, tt := range []struct {
		name string
		ctx  context.Context
		want codes.Code
	}{
		{"cancelled", cancelled, codes.Canceled},
		{"deadline", expired, codes.DeadlineExceeded},
	} {
		calls := map[string]func() error{
			"Train": func() error { _, err := svc.Train(tt.ctx, &claimsv1.TrainRequest{Examples: exs}); return err },
			"Replace": func() error {
				_, err := svc.Train(tt.ctx, &claimsv1.TrainRequest{Examples: exs, Replace: true})
				return err
			},
			"Forget": func() error {
				learned := []*claimsv1.Example{{Text: apitest.Corpus[0].Text, Label: apitest.Corpus[0].Label}}
				_, err := svc.Forget(tt.ctx, &claimsv1.ForgetRequest{Examples: learned})
				return err
			},
			"Evaluate": func() error {
				_, err := svc.Evaluate(tt.ctx, &claimsv1.EvaluateRequest{Examples: exs})
				return err
			},
		}
		for op, call := range calls {
			if got := status.Code(call()); got != tt.want {
				t.Errorf("%s %s: got %s, want %s", tt.name, op, got, tt.want)
			}
		}
	}
	if after := model.Info(); after.Version != before.Version || after.ContentHash != before.ContentHash {
		t.Errorf("model changed by calls whose context was done")
	}
}

// TestTrainLabelLimit checks that a Train that would pass the model's label
// limit is INVALID_ARGUMENT and changes nothing.
func TestTrainLabelLimit(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, DefaultLimits())
	ctx := ctxT(t)
	before, err := ts.client.GetModel(ctx, &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var exs []*claimsv1.Example
	for i := range classifier.MaxLabels + 1 {
		exs = append(exs, &claimsv1.Example{Text: fmt.Sprintf("sentence %d", i), Label: fmt.Sprintf("l%d", i)})
	}
	for _, replace := range []bool{false, true} {
		_, err := ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: exs, Replace: replace, AllowNewLabels: true})
		if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), fmt.Sprintf("more labels than its limit: the limit is %d", classifier.MaxLabels)) {
			t.Errorf("replace %v: got %s %q, want InvalidArgument naming the limit", replace, st.Code(), st.Message())
		}
	}
	after, err := ts.client.GetModel(ctx, &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if after.GetVersion() != before.GetVersion() || after.GetLimits().GetMaxLabels() != classifier.MaxLabels {
		t.Errorf("after: version %d (want %d), max_labels %d (want %d)", after.GetVersion(), before.GetVersion(), after.GetLimits().GetMaxLabels(), classifier.MaxLabels)
	}
}

// TestToStatusModelLimits checks the codes of the errors a model's own
// limits give.
func TestToStatusModelLimits(t *testing.T) {
	tests := []struct {
		err  error
		want codes.Code
	}{
		{classifier.ErrOneLabel, codes.InvalidArgument},
		{fmt.Errorf("%w: 300", classifier.ErrTooManyLabels), codes.InvalidArgument},
		{&classifier.ExampleError{Index: 4, Field: "label", Err: fmt.Errorf("%w: the limit is 3", classifier.ErrTooManyLabelsToScore)}, codes.InvalidArgument},
		{classifier.ErrTooFewLabels, codes.FailedPrecondition},
		{fmt.Errorf("%w: too many copies", classifier.ErrModelFull), codes.FailedPrecondition},
		{fmt.Errorf("%w: the limit is 9", classifier.ErrTooManyFeatures), codes.FailedPrecondition},
		{fmt.Errorf("%w: the limit is 9", classifier.ErrTooManyLearned), codes.FailedPrecondition},
	}
	for _, tt := range tests {
		if got := status.Code(toStatus("examples", tt.err)); got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.err, got, tt.want)
		}
	}
}

// isRetryInfo reports whether d is a google.rpc.RetryInfo of delay.
func isRetryInfo(d any, delay time.Duration) bool {
	ri, ok := d.(*errdetails.RetryInfo)
	return ok && ri.GetRetryDelay().AsDuration() == delay
}
