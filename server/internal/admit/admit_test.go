package admit

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestGateRefusesPastItsLimit(t *testing.T) {
	g := New(2, "--max-inflight-calls")
	a, err := g.Enter()
	if err != nil {
		t.Fatalf("first call: got %v, want admitted", err)
	}
	b, err := g.Enter()
	if err != nil {
		t.Fatalf("second call: got %v, want admitted", err)
	}
	_, err = g.Enter()
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("third call: got %v, want RESOURCE_EXHAUSTED", err)
	}
	if want := "2 calls are in progress, the server's limit (--max-inflight-calls): retry in a moment"; st.Message() != want {
		t.Errorf("message: got %q, want %q", st.Message(), want)
	}
	one := New(1, "--max-inflight-calls")
	one.Enter()
	_, err = one.Enter()
	if got, want := status.Convert(err).Message(), "1 call is in progress, the server's limit (--max-inflight-calls): retry in a moment"; got != want {
		t.Errorf("message with a limit of 1: got %q, want %q", got, want)
	}
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if delay != RetryDelay {
		t.Errorf("RetryInfo delay: got %v, want %v", delay, RetryDelay)
	}
	if got := g.InFlight(); got != 2 {
		t.Errorf("in flight after a refusal: got %d, want 2", got)
	}
	a.Leave()
	a.Leave() // a second Leave gives nothing back
	if got := g.InFlight(); got != 1 {
		t.Errorf("in flight after one call left twice: got %d, want 1", got)
	}
	if _, err := g.Enter(); err != nil {
		t.Errorf("a call after one left: got %v, want admitted", err)
	}
	b.Leave()
}

func TestGateWithoutBound(t *testing.T) {
	for _, g := range []*Gate{nil, New(0, "--max-inflight-calls"), New(-1, "x")} {
		for range 1000 {
			s, err := g.Enter()
			if err != nil || s != nil {
				t.Fatalf("got slot %v, error %v; want no slot and no error", s, err)
			}
			s.Leave() // a nil slot's Leave does nothing
		}
		if got := g.Max(); got != 0 {
			t.Errorf("Max: got %d, want 0", got)
		}
		ctx, err := g.EnterUntilDone(context.Background())
		if err != nil || ctx != context.Background() {
			t.Errorf("EnterUntilDone: got %v, %v; want the context unchanged", ctx, err)
		}
	}
}

func TestEnterUntilDoneGivesTheSlotBack(t *testing.T) {
	g := New(1, "--max-inflight-calls")

	// The call's handler leaves: the slot is free at once.
	ctx, cancel := context.WithCancel(context.Background())
	cctx, err := g.EnterUntilDone(ctx)
	if err != nil {
		t.Fatalf("got %v, want admitted", err)
	}
	Leave(cctx)
	if got := g.InFlight(); got != 0 {
		t.Errorf("in flight after Leave: got %d, want 0", got)
	}
	cancel() // the call ends: nothing more is given back
	time.Sleep(10 * time.Millisecond)
	if got := g.InFlight(); got != 0 {
		t.Errorf("in flight after Leave and the end of the call: got %d, want 0", got)
	}

	// The call ends without reaching its handler: its end frees the slot.
	ctx, cancel = context.WithCancel(context.Background())
	if _, err := g.EnterUntilDone(ctx); err != nil {
		t.Fatalf("got %v, want admitted", err)
	}
	if _, err := g.EnterUntilDone(context.Background()); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("a second call: got %v, want RESOURCE_EXHAUSTED", err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for g.InFlight() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := g.InFlight(); got != 0 {
		t.Errorf("in flight after the call ended: got %d, want 0", got)
	}

	// A context done already gives its slot back too.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.EnterUntilDone(done); err != nil {
		t.Fatalf("got %v, want admitted", err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for g.InFlight() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := g.InFlight(); got != 0 {
		t.Errorf("in flight after a done call: got %d, want 0", got)
	}
}

func TestGateConcurrent(t *testing.T) {
	const limit, workers, rounds = 8, 32, 500
	g := New(limit, "--max-inflight-calls")
	var wg sync.WaitGroup
	var mu sync.Mutex
	peak := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				ctx, cancel := context.WithCancel(context.Background())
				cctx, err := g.EnterUntilDone(ctx)
				if err == nil {
					mu.Lock()
					peak = max(peak, g.InFlight())
					mu.Unlock()
					if time.Now().UnixNano()%2 == 0 {
						Leave(cctx)
					}
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	if peak > limit {
		t.Errorf("peak in flight: got %d, want at most %d", peak, limit)
	}
	deadline := time.Now().Add(5 * time.Second)
	for g.InFlight() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := g.InFlight(); got != 0 {
		t.Errorf("in flight at the end: got %d, want 0", got)
	}
}
