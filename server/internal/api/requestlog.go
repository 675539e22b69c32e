package api

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Bounds of the request log: how long, and for how many calls, the answer
// of a Train or Forget that carried a request_id is kept for its retries.
const (
	requestLogTTL  = 10 * time.Minute
	requestLogSize = 1024
	// maxRequestID bounds a request_id, in bytes.
	maxRequestID = 128
	// MaxStreamIDBytes bounds a ClassifyStreamRequest's id, which the
	// errors of its request quote (in a gRPC status's message, a header
	// that clients bound, often to 8 KiB).
	MaxStreamIDBytes = 128
)

// requestLog remembers the answers of recent Train and Forget calls that
// carried a request_id, so that the retry of a call whose answer was lost
// (a deadline, a dropped connection) gets that answer instead of applying
// the examples a second time. A retry that arrives while the call is still
// running waits for it. Calls that succeeded are remembered, and calls
// that panicked (their retries are refused); a call that failed changed
// nothing, and its retry runs afresh. The log lives in memory and is lost
// when the server stops.
//
// requestLog is safe for concurrent use.
type requestLog struct {
	now func() time.Time
	// stalled, if not nil, reports how long the save under way has run,
	// and whether it has stalled (see
	// classifier.Classifier.PersistStalledFor): a retry waiting for its
	// call stops waiting then.
	stalled func() (time.Duration, bool)

	mu    sync.Mutex
	calls map[string]*loggedCall // by method and request_id
	order []string               // keys of the calls that succeeded, oldest first
}

// loggedCall is one call with a request_id, running or answered.
type loggedCall struct {
	sum      [sha256.Size]byte // of the request, to tell a retry from a reuse
	done     chan struct{}     // closed once the call has ended
	resp     proto.Message     // its answer, once done; nil if it failed
	panicked bool              // it ended in a panic, which may have come after its change
	finished time.Time
}

func newRequestLog(now func() time.Time, stalled func() (time.Duration, bool)) *requestLog {
	return &requestLog{now: now, stalled: stalled, calls: make(map[string]*loggedCall)}
}

// checkRequestID refuses a request_id that is too long or holds anything
// but printable ASCII other than space.
func checkRequestID(id string) error {
	if len(id) > maxRequestID {
		return invalid("request_id", "%d bytes exceed the limit of %d", len(id), maxRequestID)
	}
	for i := range len(id) {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return invalid("request_id", "byte %d is a space or not printable ASCII (use letters, digits and punctuation, such as a UUID)", i)
		}
	}
	return nil
}

// requestSum fingerprints req by its known fields: the unknown fields
// gRPC keeps (and REST refuses) do not tell two sends of a request apart,
// and neither does if_version, which a client adds when it sends a call
// again (a call already applied answers as it did, whatever it says).
func requestSum(req proto.Message) ([sha256.Size]byte, error) {
	req = proto.Clone(req)
	if fd := req.ProtoReflect().Descriptor().Fields().ByName("if_version"); fd != nil {
		req.ProtoReflect().Clear(fd)
	}
	clearUnknown(req.ProtoReflect())
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	return sha256.Sum256(b), err
}

// clearUnknown drops the unknown fields of m and of the messages in it.
func clearUnknown(m protoreflect.Message) {
	m.SetUnknown(nil)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := range v.List().Len() {
				clearUnknown(v.List().Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			clearUnknown(v.Message())
		}
		return true
	})
}

// do runs call, the method's call for req whose request_id is id, unless
// a call with the same id succeeded within the log's bounds: then it
// returns that call's answer. The same id with another request is
// INVALID_ARGUMENT.
func (l *requestLog) do(ctx context.Context, method, id string, req proto.Message, call func() (proto.Message, error)) (proto.Message, error) {
	if err := checkRequestID(id); err != nil {
		return nil, err
	}
	sum, err := requestSum(req)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "request_id: %v", err)
	}
	key := method + "\x00" + id
	for {
		l.mu.Lock()
		l.evict()
		c, found := l.calls[key]
		if !found {
			c = &loggedCall{sum: sum, done: make(chan struct{})}
			l.calls[key] = c
			l.mu.Unlock()
			return l.run(key, c, call)
		}
		l.mu.Unlock()
		if c.sum != sum {
			return nil, invalid("request_id", "%q was used by an earlier %s with other contents", id, method)
		}
		if err := l.wait(ctx, method, id, c); err != nil {
			return nil, err
		}
		if c.resp != nil {
			return proto.Clone(c.resp), nil
		}
		if c.panicked {
			return nil, status.Errorf(codes.Internal, "request_id: the earlier %s with %q ended in an internal error, perhaps after its change: check the model (GetModel) before sending the examples again with another request_id", method, id)
		}
		// The earlier call failed and changed nothing: run this one.
	}
}

// stalledPoll is how often a retry waiting for its call looks for a
// stalled save.
const stalledPoll = 250 * time.Millisecond

// wait waits for c, the call whose retry this is, to end, or for ctx to
// be done, or for the save under way to stall (l.stalled): the call may
// be that save, so whether it is applied is not known yet, and the retry
// is answered so (UNAVAILABLE, with no RetryInfo: it may have been
// applied), rather than hold its place among the calls in flight.
func (l *requestLog) wait(ctx context.Context, method, id string, c *loggedCall) error {
	var poll <-chan time.Time
	if l.stalled != nil {
		t := time.NewTicker(stalledPoll)
		defer t.Stop()
		poll = t.C
	}
	for {
		if l.stalled != nil {
			if ran, stalled := l.stalled(); stalled {
				select {
				case <-c.done: // it ended meanwhile: its answer, below
					return nil
				default:
				}
				return saveStalled(fmt.Sprintf("request_id: the earlier %s with %q is still under way, behind a save that has run for %v (a stalled disk or volume?): whether it was applied is not known yet; send it again later with the same request_id to learn how it ended", method, id, ran), false)
			}
		}
		select {
		case <-c.done:
			return nil
		case <-ctx.Done():
			return toStatus("", ctx.Err())
		case <-poll:
		}
	}
}

// run runs call for c and records how it ended. A call that panicked
// stays in the log, as one whose effect is not known: the panic may have
// come after its change was saved, so its retries are refused rather than
// run.
func (l *requestLog) run(key string, c *loggedCall, call func() (proto.Message, error)) (resp proto.Message, err error) {
	completed := false
	defer func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch {
		case !completed:
			c.panicked, c.finished = true, l.now()
			l.order = append(l.order, key)
			l.evict()
		case resp != nil && err == nil:
			c.resp, c.finished = resp, l.now()
			l.order = append(l.order, key)
			l.evict()
		default:
			delete(l.calls, key)
		}
		close(c.done)
	}()
	resp, err = call()
	completed = true
	return resp, err
}

// evict forgets the answers past the log's bounds. Callers hold l.mu.
func (l *requestLog) evict() {
	cut := 0
	for cut < len(l.order) {
		c := l.calls[l.order[cut]]
		if len(l.order)-cut <= requestLogSize && l.now().Sub(c.finished) < requestLogTTL {
			break
		}
		delete(l.calls, l.order[cut])
		cut++
	}
	if cut > 0 {
		l.order = append(l.order[:0], l.order[cut:]...)
	}
}

// once runs call, a Train or Forget for req, through the service's request
// log when the request carries a request_id (id), and directly otherwise.
func once[T proto.Message](ctx context.Context, s *Service, method, id string, req proto.Message, call func() (T, error)) (T, error) {
	if id == "" {
		return call()
	}
	resp, err := s.requests.do(ctx, method, id, req, func() (proto.Message, error) {
		r, err := call()
		if err != nil {
			return nil, err
		}
		return r, nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return resp.(T), nil
}
