package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/admit"
	"github.com/claimsvc/claims/server/internal/reqid"
)

// Service implements claimsv1.ClaimServiceServer. It is safe for
// concurrent use: the classifier serialises changes and serves reads from
// immutable snapshots.
type Service struct {
	claimsv1.UnimplementedClaimServiceServer

	model     *classifier.Classifier
	limits    Limits
	tokenizer string
	metrics   *Metrics
	log       *slog.Logger
	streams   chan struct{} // a slot per open ClassifyStream; nil for no bound
	requests  *requestLog   // answers of recent Train and Forget calls with a request_id
	instance  string        // GetModel's server_instance: new with each Service
	stopping  chan struct{} // closed by EndStreams
	readOnly  bool          // GetModel's read_only
	endOnce   sync.Once
}

// errStopping ends a ClassifyStream once the server is stopping.
var errStopping = status.Error(codes.Unavailable, "the server is shutting down: send the requests not answered yet on a new stream")

// EndStreams ends every ClassifyStream, gRPC and REST, the next time it
// waits for a request (one being classified is answered first), with
// UNAVAILABLE: a graceful stop waits for the calls in flight, and a
// client that keeps its stream busy would otherwise hold the stop for its
// whole timeout and then be cut off. The server calls it when it starts
// to stop. It is safe to call more than once.
func (s *Service) EndStreams() { s.endOnce.Do(func() { close(s.stopping) }) }

// newInstanceID returns a random id for a Service, which GetModel reports
// as server_instance: the request log lives as long as the Service.
func newInstanceID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ModelReloaded shows the model, whose Info is info, in the metrics after
// it was replaced outside the service (Classifier.Reload).
func (s *Service) ModelReloaded(info classifier.Info) {
	s.metrics.reloaded(true)
	s.metrics.showModel(info, true)
}

// ReloadFailed counts a reload of the model file that failed, the model
// served staying as it was.
func (s *Service) ReloadFailed() { s.metrics.reloaded(false) }

// ServiceOption configures a Service.
type ServiceOption func(*Service)

// WithReadOnly makes GetModel report that the server refuses every change
// (the interceptors refuse them: see Auth.ReadOnly).
func WithReadOnly() ServiceOption { return func(s *Service) { s.readOnly = true } }

// NewService returns a Service over model. tokenizer describes the
// tokenizer in GetModel; metrics may be nil.
func NewService(model *classifier.Classifier, limits Limits, tokenizer string, metrics *Metrics, log *slog.Logger, opts ...ServiceOption) *Service {
	s := &Service{model: model, limits: limits, tokenizer: tokenizer, metrics: metrics, log: log, requests: newRequestLog(time.Now, model.PersistStalledFor), instance: newInstanceID(), stopping: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	if limits.MaxClassifyStreams > 0 {
		s.streams = make(chan struct{}, limits.MaxClassifyStreams)
	}
	s.metrics.setModel(model.Info())
	return s
}

// classifyInput is the common part of Classify and ClassifyStream requests.
type classifyInput struct {
	text      string
	sentences []string
	req       proto.Message // the request, for the sentences it listed (see listed)
	explain   int32
}

func (s *Service) classify(ctx context.Context, in classifyInput) ([]*claimsv1.SentenceResult, uint64, error) {
	if in.explain < 0 || int(in.explain) > s.limits.MaxExplain {
		return nil, 0, invalid("explain", "%d is outside 0..%d", in.explain, s.limits.MaxExplain)
	}
	var res classifier.Result
	var err error
	switch {
	case in.text != "" && len(in.sentences) > 0:
		return nil, 0, invalid("text", "set either text or sentences, not both")
	case len(in.sentences) > 0:
		if len(in.sentences) > s.limits.MaxSentences {
			return nil, 0, invalid("sentences", "%d sentences exceed the limit of %d", listed(in.req, len(in.sentences)), s.limits.MaxSentences)
		}
		total := 0
		for _, t := range in.sentences {
			total += len(t)
		}
		if total > s.limits.MaxTextBytes {
			return nil, 0, invalid("sentences", "%d bytes in all exceed the limit of %d", total, s.limits.MaxTextBytes)
		}
		res, err = s.model.ClassifyBatch(ctx, in.sentences, int(in.explain))
		if err != nil {
			return nil, 0, toStatus("sentences", err)
		}
	default:
		if in.text == "" {
			return nil, 0, toStatus("text", fmt.Errorf("%w: set text or sentences", classifier.ErrEmptyText))
		}
		if len(in.text) > s.limits.MaxTextBytes {
			return nil, 0, invalid("text", "%d bytes exceed the limit of %d", len(in.text), s.limits.MaxTextBytes)
		}
		res, err = s.model.ClassifyText(ctx, in.text, int(in.explain))
		if err != nil {
			return nil, 0, toStatus("text", err)
		}
		if len(res.Sentences) > s.limits.MaxSentences {
			return nil, 0, invalid("text", "%d sentences exceed the limit of %d", len(res.Sentences), s.limits.MaxSentences)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, toStatus("", err)
	}
	// The response's messages are allocated in a few blocks rather than
	// one by one: a sentence would otherwise take 2 + len(labels)
	// allocations.
	nscores := 0
	for _, sn := range res.Sentences {
		nscores += len(sn.Scores)
	}
	out := make([]*claimsv1.SentenceResult, len(res.Sentences))
	results := make([]claimsv1.SentenceResult, len(res.Sentences))
	scores := make([]claimsv1.LabelScore, nscores)
	scorePtrs := make([]*claimsv1.LabelScore, nscores)
	for i, sn := range res.Sentences {
		r := &results[i]
		r.Index = int32(i)
		r.Text = sn.Text
		r.Start = int32(sn.Start)
		r.End = int32(sn.End)
		r.Label = sn.Label
		r.Confidence = sn.Confidence
		r.Scores = scorePtrs[:len(sn.Scores):len(sn.Scores)]
		scorePtrs = scorePtrs[len(sn.Scores):]
		for j, sc := range sn.Scores {
			ls := &scores[j]
			ls.Label, ls.Probability = sc.Label, sc.Probability
			r.Scores[j] = ls
		}
		scores = scores[len(sn.Scores):]
		for _, f := range sn.Features {
			r.Features = append(r.Features, &claimsv1.Feature{Name: f.Feature, Weight: f.Weight})
		}
		out[i] = r
	}
	s.metrics.classified(len(results), func(i int) string { return results[i].Label }, func(i int) float64 { return results[i].Confidence })
	return out, res.Version, nil
}

// Classify implements claimsv1.ClaimServiceServer.
func (s *Service) Classify(ctx context.Context, req *claimsv1.ClassifyRequest) (*claimsv1.ClassifyResponse, error) {
	out, version, err := s.classify(ctx, classifyInput{text: req.GetText(), sentences: req.GetSentences(), req: req, explain: req.GetExplain()})
	if err != nil {
		return nil, err
	}
	return &claimsv1.ClassifyResponse{Sentences: out, ModelVersion: version}, nil
}

// ClassifyStream implements claimsv1.ClaimServiceServer: one response per
// request, in order. An invalid request ends the stream with its error.
func (s *Service) ClassifyStream(stream grpc.BidiStreamingServer[claimsv1.ClassifyStreamRequest, claimsv1.ClassifyStreamResponse]) error {
	if s.streams != nil {
		select {
		case s.streams <- struct{}{}:
			defer func() { <-s.streams }()
		default:
			return admit.Busy(fmt.Sprintf("%d classify streams are open, the server's limit; retry later", s.limits.MaxClassifyStreams)).Err()
		}
	}
	ctx := stream.Context()
	next := s.receiver(stream)
	for {
		req, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n := len(req.GetId()); n > MaxStreamIDBytes {
			// Not quoted back: an error message travels in a header.
			return invalid("id", "%d bytes exceed the limit of %d", n, MaxStreamIDBytes)
		}
		out, version, err := s.classify(ctx, classifyInput{text: req.GetText(), sentences: req.GetSentences(), req: req, explain: req.GetExplain()})
		if err != nil {
			if st, ok := status.FromError(err); ok && req.GetId() != "" {
				// The message names the request; the details stay.
				p := st.Proto()
				p.Message = fmt.Sprintf("request %q: %s", req.GetId(), st.Message())
				return status.ErrorProto(p)
			}
			return err
		}
		if err := stream.Send(&claimsv1.ClassifyStreamResponse{Id: req.GetId(), Sentences: out, ModelVersion: version}); err != nil {
			return err
		}
	}
}

// receiver returns stream's Recv, bounded by the call timeout (if
// positive): a request that does not arrive within it, counted from when
// the stream is ready for it, ends the stream with DEADLINE_EXCEEDED, so
// that a client that stops sending cannot hold one of the server's
// stream slots. Once EndStreams is called, it returns errStopping instead
// of waiting. Recv runs on a goroutine of its own, which ends with the
// stream; it receives only when asked, so a stream still holds one
// request at a time.
func (s *Service) receiver(stream grpc.BidiStreamingServer[claimsv1.ClassifyStreamRequest, claimsv1.ClassifyStreamResponse]) func() (*claimsv1.ClassifyStreamRequest, error) {
	idle := s.limits.CallTimeout
	type received struct {
		req *claimsv1.ClassifyStreamRequest
		err error
	}
	ask := make(chan struct{})
	got := make(chan received)
	ctx := stream.Context()
	go func() {
		for {
			select {
			case <-ask:
			case <-ctx.Done():
				return
			}
			req, err := stream.Recv()
			select {
			case got <- received{req, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	n := 0
	var timer *time.Timer
	var expired <-chan time.Time // nil, never ready, without a call timeout
	if idle > 0 {
		timer = time.NewTimer(idle)
		timer.Stop()
		expired = timer.C
	}
	return func() (*claimsv1.ClassifyStreamRequest, error) {
		n++
		select {
		case <-s.stopping:
			return nil, errStopping
		default:
		}
		if timer != nil {
			timer.Reset(idle)
			defer timer.Stop()
		}
		select {
		case ask <- struct{}{}:
		case <-s.stopping:
			return nil, errStopping
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		select {
		case r := <-got:
			return r.req, r.err
		case <-expired:
			return nil, status.Errorf(codes.DeadlineExceeded, "stream request %d did not arrive within %v", n, idle)
		case <-s.stopping:
			return nil, errStopping
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
}

// examples converts and bounds the examples of req.
func (s *Service) examples(req interface {
	proto.Message
	GetExamples() []*claimsv1.Example
}) ([]classifier.Example, error) {
	in := req.GetExamples()
	if len(in) == 0 {
		return nil, toStatus("examples", fmt.Errorf("%w: at least one is required", classifier.ErrNoExamples))
	}
	if len(in) > s.limits.MaxExamples {
		return nil, invalid("examples", "%d examples exceed the limit of %d", listed(req, len(in)), s.limits.MaxExamples)
	}
	out := make([]classifier.Example, len(in))
	for i, e := range in {
		if len(e.GetText()) > s.limits.MaxTextBytes {
			return nil, invalid(fmt.Sprintf("examples[%d].text", i), "%d bytes exceed the limit of %d", len(e.GetText()), s.limits.MaxTextBytes)
		}
		out[i] = classifier.Example{Text: e.GetText(), Label: e.GetLabel()}
	}
	return out, nil
}

// ifVersion returns ctx for a change applied only at model version v
// (classifier.IfVersion), or ctx itself when v is 0 (no condition).
func ifVersion(ctx context.Context, v uint64) context.Context {
	if v == 0 {
		return ctx
	}
	return classifier.IfVersion(ctx, v)
}

// changeStatus is the status of a Train or Forget that failed with err.
func changeStatus(err error) error {
	if errors.Is(err, classifier.ErrVersionChanged) {
		return toStatus("if_version", err)
	}
	return toStatus("examples", err)
}

// logPersistFailure logs the cause of a change that could not be
// persisted, which the client is not told.
func (s *Service) logPersistFailure(ctx context.Context, err error) {
	if errors.Is(err, classifier.ErrPersist) {
		s.metrics.saveFailed()
		s.log.ErrorContext(ctx, "change not applied: the model could not be persisted", "error", err, reqid.Attr(ctx), reqid.TraceAttr(ctx))
	}
}

// Train implements claimsv1.ClaimServiceServer.
func (s *Service) Train(ctx context.Context, req *claimsv1.TrainRequest) (*claimsv1.TrainResponse, error) {
	return once(ctx, s, "Train", req.GetRequestId(), req, func() (*claimsv1.TrainResponse, error) { return s.train(ctx, req) })
}

func (s *Service) train(ctx context.Context, req *claimsv1.TrainRequest) (*claimsv1.TrainResponse, error) {
	exs, err := s.examples(req)
	if err != nil {
		return nil, err
	}
	ctx = ifVersion(ctx, req.GetIfVersion())
	var st classifier.Stats
	if req.GetReplace() {
		st, err = s.model.Replace(ctx, exs)
	} else {
		st, err = s.model.Learn(ctx, exs, req.GetAllowNewLabels())
	}
	if err != nil {
		s.logPersistFailure(ctx, err)
		return nil, changeStatus(err)
	}
	// The live model, not st.Info: a change that finished later may be
	// live already, and its labels' counts must not be dropped.
	s.metrics.setModel(s.model.Info())
	s.log.InfoContext(ctx, "model trained", "version", st.Info.Version, "examples", st.Applied, "replace", req.GetReplace(), "total", st.Info.Examples, reqid.Attr(ctx), reqid.TraceAttr(ctx))
	return &claimsv1.TrainResponse{
		ModelVersion:    st.Info.Version,
		ExamplesApplied: int64(st.Applied),
		LabelCounts:     st.Info.Counts,
		TotalExamples:   st.Info.Examples,
	}, nil
}

// Forget implements claimsv1.ClaimServiceServer.
func (s *Service) Forget(ctx context.Context, req *claimsv1.ForgetRequest) (*claimsv1.ForgetResponse, error) {
	return once(ctx, s, "Forget", req.GetRequestId(), req, func() (*claimsv1.ForgetResponse, error) { return s.forget(ctx, req) })
}

func (s *Service) forget(ctx context.Context, req *claimsv1.ForgetRequest) (*claimsv1.ForgetResponse, error) {
	exs, err := s.examples(req)
	if err != nil {
		return nil, err
	}
	st, err := s.model.Forget(ifVersion(ctx, req.GetIfVersion()), exs)
	if err != nil {
		s.logPersistFailure(ctx, err)
		return nil, changeStatus(err)
	}
	s.metrics.setModel(s.model.Info()) // the live model, as in train
	s.log.InfoContext(ctx, "model forgot examples", "version", st.Info.Version, "examples", st.Applied, "total", st.Info.Examples, reqid.Attr(ctx), reqid.TraceAttr(ctx))
	return &claimsv1.ForgetResponse{
		ModelVersion:      st.Info.Version,
		ExamplesForgotten: int64(st.Applied),
		LabelCounts:       st.Info.Counts,
		TotalExamples:     st.Info.Examples,
	}, nil
}

// Evaluate implements claimsv1.ClaimServiceServer.
func (s *Service) Evaluate(ctx context.Context, req *claimsv1.EvaluateRequest) (*claimsv1.EvaluateResponse, error) {
	exs, err := s.examples(req)
	if err != nil {
		return nil, err
	}
	m, err := s.model.Evaluate(ctx, exs)
	if err != nil {
		return nil, toStatus("examples", err)
	}
	resp := &claimsv1.EvaluateResponse{
		ModelVersion: m.ModelVersion,
		Examples:     int64(m.Examples),
		Accuracy:     m.Accuracy,
		MacroF1:      m.MacroF1,
		Confusion:    &claimsv1.ConfusionMatrix{Labels: slices.Clone(m.Labels)},
	}
	for _, l := range m.PerLabel {
		resp.Labels = append(resp.Labels, &claimsv1.LabelMetrics{Label: l.Label, Precision: l.Precision, Recall: l.Recall, F1: l.F1, Support: int64(l.Support)})
	}
	for i, row := range m.Confusion {
		r := &claimsv1.ConfusionRow{Actual: m.Labels[i], Predicted: make([]int64, len(row))}
		for j, n := range row {
			r.Predicted[j] = int64(n)
		}
		resp.Confusion.Rows = append(resp.Confusion.Rows, r)
	}
	for _, b := range m.Calibration.Bins {
		resp.Calibration = append(resp.Calibration, &claimsv1.CalibrationBin{Low: b.Low, High: b.High, Examples: int64(b.Examples), Correct: int64(b.Correct), ConfidenceSum: b.ConfidenceSum})
	}
	resp.CalibrationError = m.Calibration.Error()
	return resp, nil
}

// GetModel implements claimsv1.ClaimServiceServer.
func (s *Service) GetModel(ctx context.Context, req *claimsv1.GetModelRequest) (*claimsv1.GetModelResponse, error) {
	info := s.model.Info()
	if req.GetSettled() {
		// A client checking whether a change it gave up on was applied
		// must not see the model from before a save under way.
		var err error
		if info, err = s.model.SettledInfo(ctx); err != nil {
			return nil, toStatus("settled", err)
		}
	}
	resp := &claimsv1.GetModelResponse{
		Labels:          info.Labels,
		LabelCounts:     info.Counts,
		TotalExamples:   info.Examples,
		VocabularySize:  int64(info.Vocabulary),
		LearnedExamples: int64(info.Learned),
		Version:         info.Version,
		ContentHash:     info.ContentHash,
		Limits:          s.limits.proto(),
		Tokenizer:       s.tokenizer,

		FeatureRevision:   uint32(info.FeatureRevision),
		ExtractorRevision: classifier.FeatureRevision,

		ModelTokenizerSha256: info.Tokenizer,
		TokenizerSha256:      s.model.TokenizerFingerprint(),
		ReadOnly:             s.readOnly,
		Temperature:          info.Features.Temperature,

		ServerInstance: s.instance,
	}
	if !info.TrainedTime.IsZero() {
		resp.TrainedTime = timestamppb.New(info.TrainedTime)
	}
	return resp, nil
}
