package admit

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// RetryDelay is the delay a refusal asks its client to wait before it
// tries again (its RetryInfo, and the Retry-After header over HTTP).
const RetryDelay = time.Second

// Gate admits at most a fixed number of calls at once. The zero Gate, and
// a nil *Gate, admit every call. A Gate is safe for concurrent use.
type Gate struct {
	max     int64
	n       atomic.Int64
	refusal *status.Status
}

// New returns a Gate that admits max calls at once (max <= 0: no bound).
// flag names the setting that set max, for the refusal's message
// ("--max-inflight-calls", or the environment variable that set it).
func New(max int, flag string) *Gate {
	if max <= 0 {
		return &Gate{}
	}
	calls := fmt.Sprintf("%d calls are", max)
	if max == 1 {
		calls = "1 call is"
	}
	st := Busy(fmt.Sprintf("%s in progress, the server's limit (%s): retry in a moment", calls, flag))
	return &Gate{max: int64(max), refusal: st}
}

// Busy returns the status of a call refused because the server holds as
// much as a limit lets it, and which is safe to send again later:
// RESOURCE_EXHAUSTED with msg and a google.rpc.RetryInfo detail of
// RetryDelay.
func Busy(msg string) *status.Status {
	st := status.New(codes.ResourceExhausted, msg)
	if d, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(RetryDelay)}); err == nil {
		st = d
	}
	return st
}

// Max returns the number of calls g admits at once (0: no bound).
func (g *Gate) Max() int {
	if g == nil {
		return 0
	}
	return int(g.max)
}

// InFlight returns the number of calls g holds now.
func (g *Gate) InFlight() int {
	if g == nil {
		return 0
	}
	return int(g.n.Load())
}

// Slot is an admitted call's place in a Gate. Its methods are safe for
// concurrent use; a nil *Slot is the place of a call no bound applies to.
type Slot struct {
	g    *Gate
	left atomic.Bool
	stop func() bool // ends the context.AfterFunc of EnterUntilDone, if any
}

// Leave gives the slot back; calling it again does nothing.
func (s *Slot) Leave() {
	if s == nil {
		return
	}
	if s.stop != nil {
		s.stop()
	}
	s.release()
}

// release gives the slot back, once. EnterUntilDone's AfterFunc calls it
// rather than Leave, as it may run before stop is set.
func (s *Slot) release() {
	if s.left.CompareAndSwap(false, true) {
		s.g.n.Add(-1)
	}
}

// Enter admits a call if g holds fewer than its limit, and returns its
// slot (nil when g has no bound). When the limit is reached, it returns
// the refusal instead: a RESOURCE_EXHAUSTED status with a RetryInfo
// detail. It never blocks.
func (g *Gate) Enter() (*Slot, error) {
	if g == nil || g.max <= 0 {
		return nil, nil
	}
	for {
		n := g.n.Load()
		if n >= g.max {
			return nil, g.refusal.Err()
		}
		// A compare-and-swap rather than an add: the count never reads
		// above the limit, not even for a moment.
		if g.n.CompareAndSwap(n, n+1) {
			return &Slot{g: g}, nil
		}
	}
}

// EnterUntilDone admits a call as Enter does and, once admitted, returns
// ctx carrying its slot (NewContext), which is given back when ctx is
// done unless Leave gave it back before: for the context of a gRPC call,
// which grpc cancels when the call ends however it ends.
func (g *Gate) EnterUntilDone(ctx context.Context) (context.Context, error) {
	s, err := g.Enter()
	if err != nil || s == nil {
		return ctx, err
	}
	s.stop = context.AfterFunc(ctx, s.release)
	return NewContext(ctx, s), nil
}

// ctxKey is the context key of a call's slot.
type ctxKey struct{}

// NewContext returns ctx carrying s, the slot of its call, for Leave.
func NewContext(ctx context.Context, s *Slot) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, s)
}

// Leave gives back the slot of the call in ctx, if it holds one
// (NewContext); calling it again does nothing.
func Leave(ctx context.Context) {
	if s, ok := ctx.Value(ctxKey{}).(*Slot); ok {
		s.Leave()
	}
}
