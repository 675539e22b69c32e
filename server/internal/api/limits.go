package api

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// Limits bound what one request may ask of the server. Every limit is
// reported by GetModel.
type Limits struct {
	MaxTextBytes         int           // bytes of text (or of all sentences together) in one classify request or example
	MaxSentences         int           // sentences in one classify request, given or found by segmentation
	MaxExamples          int           // examples in one Train, Forget or Evaluate request
	MaxGRPCReceiveBytes  int           // largest gRPC message the server receives
	MaxHTTPBodyBytes     int64         // largest HTTP request body
	CallTimeout          time.Duration // deadline of each unary call
	MaxConcurrentStreams uint32        // concurrent streams per HTTP/2 connection
	MaxExplain           int           // largest explain value
	// MaxClassifyStreams bounds the ClassifyStream calls open at once on
	// the whole server, over gRPC and REST; 0 means no bound. A stream
	// whose client does not read its results holds about two of them in
	// memory, so this bounds what slow readers can hold.
	MaxClassifyStreams int
	// MaxClassifyStreamsPerConn bounds those open at once on one gRPC
	// connection, or from one REST client (see server's boundPerConn,
	// which enforces it); 0 means no bound.
	MaxClassifyStreamsPerConn int
	// MaxInflightCalls bounds the unary calls of the claims service that
	// the server holds at once, over gRPC and REST (see package admit,
	// which enforces it); 0 means no bound.
	MaxInflightCalls int
	// MaxInflightCallsPerClient bounds those one client holds at once:
	// its IP address (IPv6: its /64), or the client a trusted proxy
	// names (see admit.PerClient, which enforces it); 0 means no bound.
	MaxInflightCallsPerClient int
	// MaxLabels bounds the labels of the model: a Train that would give it
	// more is refused (see classifier.WithMaxLabels, which enforces it).
	MaxLabels int
	// MaxFeatures bounds the distinct features of the model: a Train that
	// would give it more is refused (see classifier.WithMaxFeatures, which
	// enforces it).
	MaxFeatures int
	// MaxLearned bounds the distinct examples the model holds (see
	// classifier.WithMaxLearned, which enforces it).
	MaxLearned int
	// SendTimeout bounds how long the server waits on a client that does
	// not read what it is sent (see sendguard and gateway.Config); 0
	// means no bound. The service only reports it.
	SendTimeout time.Duration
}

// DefaultLimits returns the limits the server uses unless configured.
func DefaultLimits() Limits {
	return Limits{
		MaxTextBytes:              256 << 10,
		MaxSentences:              2000,
		MaxExamples:               10000,
		MaxGRPCReceiveBytes:       16 << 20,
		MaxHTTPBodyBytes:          16 << 20,
		CallTimeout:               30 * time.Second,
		MaxConcurrentStreams:      100,
		MaxExplain:                20,
		MaxClassifyStreams:        64,
		MaxClassifyStreamsPerConn: 16,
		MaxInflightCalls:          128,
		MaxLabels:                 classifier.MaxLabels,
		MaxFeatures:               classifier.MaxFeatures,
		MaxLearned:                classifier.MaxLearned,
		SendTimeout:               time.Minute,
	}
}

// LogAttrs returns the limits as key-value pairs for a log line, named as
// GetModel's Limits fields are, in the same order: keep the two lists
// together when a limit is added.
func (l Limits) LogAttrs() []any {
	return []any{
		"max_text_bytes", l.MaxTextBytes,
		"max_sentences", l.MaxSentences,
		"max_examples", l.MaxExamples,
		"max_grpc_receive_bytes", l.MaxGRPCReceiveBytes,
		"max_http_body_bytes", l.MaxHTTPBodyBytes,
		"call_timeout", l.CallTimeout,
		"max_concurrent_streams", l.MaxConcurrentStreams,
		"max_explain", l.MaxExplain,
		"max_classify_streams", l.MaxClassifyStreams,
		"max_classify_streams_per_conn", l.MaxClassifyStreamsPerConn,
		"max_inflight_calls", l.MaxInflightCalls,
		"max_inflight_calls_per_client", l.MaxInflightCallsPerClient,
		"max_labels", l.MaxLabels,
		"max_features", l.MaxFeatures,
		"max_learned_examples", l.MaxLearned,
		"send_timeout", l.SendTimeout,
	}
}

func (l Limits) proto() *claimsv1.Limits {
	return &claimsv1.Limits{
		MaxTextBytes:              int64(l.MaxTextBytes),
		MaxSentences:              int32(l.MaxSentences),
		MaxExamples:               int32(l.MaxExamples),
		MaxGrpcReceiveBytes:       int64(l.MaxGRPCReceiveBytes),
		MaxHttpBodyBytes:          l.MaxHTTPBodyBytes,
		CallTimeout:               durationpb.New(l.CallTimeout),
		MaxConcurrentStreams:      l.MaxConcurrentStreams,
		MaxExplain:                int32(l.MaxExplain),
		MaxClassifyStreams:        int32(l.MaxClassifyStreams),
		MaxClassifyStreamsPerConn: int32(l.MaxClassifyStreamsPerConn),
		MaxInflightCalls:          int32(l.MaxInflightCalls),
		MaxInflightCallsPerClient: int32(l.MaxInflightCallsPerClient),
		MaxLabels:                 int32(l.MaxLabels),
		MaxFeatures:               int64(l.MaxFeatures),
		MaxLearnedExamples:        int64(l.MaxLearned),
		SendTimeout:               durationpb.New(l.SendTimeout),
	}
}
