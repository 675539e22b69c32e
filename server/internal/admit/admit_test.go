package admit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestGateRefusesPastItsLimit(t *testing.T) {
	g := New(2, "--max-inflight-calls")
	a, err := g.Enter("")
	if err != nil {
		t.Fatalf("first call: got %v, want admitted", err)
	}
	b, err := g.Enter("")
	if err != nil {
		t.Fatalf("second call: got %v, want admitted", err)
	}
	_, err = g.Enter("")
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("third call: got %v, want RESOURCE_EXHAUSTED", err)
	}
	if want := "2 calls are in progress, the server's limit (--max-inflight-calls): retry in a moment"; st.Message() != want {
		t.Errorf("message: got %q, want %q", st.Message(), want)
	}
	one := New(1, "--max-inflight-calls")
	one.Enter("")
	_, err = one.Enter("")
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
	if _, err := g.Enter(""); err != nil {
		t.Errorf("a call after one left: got %v, want admitted", err)
	}
	b.Leave()
}

func TestGateWithoutBound(t *testing.T) {
	for _, g := range []*Gate{nil, New(0, "--max-inflight-calls"), New(-1, "x")} {
		for range 1000 {
			s, err := g.Enter("")
			if err != nil || s != nil {
				t.Fatalf("got slot %v, error %v; want no slot and no error", s, err)
			}
			s.Leave() // a nil slot's Leave does nothing
		}
		if got := g.Max(); got != 0 {
			t.Errorf("Max: got %d, want 0", got)
		}
		ctx, err := g.EnterUntilDone(context.Background(), "")
		if err != nil || ctx != context.Background() {
			t.Errorf("EnterUntilDone: got %v, %v; want the context unchanged", ctx, err)
		}
	}
}

func TestEnterUntilDoneGivesTheSlotBack(t *testing.T) {
	g := New(1, "--max-inflight-calls")

	// The call's handler leaves: the slot is free at once.
	ctx, cancel := context.WithCancel(context.Background())
	cctx, err := g.EnterUntilDone(ctx, "")
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
	if _, err := g.EnterUntilDone(ctx, ""); err != nil {
		t.Fatalf("got %v, want admitted", err)
	}
	if _, err := g.EnterUntilDone(context.Background(), ""); status.Code(err) != codes.ResourceExhausted {
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
	if _, err := g.EnterUntilDone(done, ""); err != nil {
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
				cctx, err := g.EnterUntilDone(ctx, "")
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

// TestGatePerClient: one client's calls (any port of its address) are
// bounded apart from the total; other clients are still admitted, and a
// call refused by the total takes nothing from its client's count.
func TestGatePerClient(t *testing.T) {
	g := New(3, "--max-inflight-calls", PerClient(2, "--max-inflight-calls-per-client"))
	if got := g.MaxPerClient(); got != 2 {
		t.Errorf("MaxPerClient: got %d, want 2", got)
	}
	a1, err := g.Enter("192.0.2.1:5001")
	if err != nil {
		t.Fatalf("client A's first call: got %v, want admitted", err)
	}
	a2, err := g.Enter("192.0.2.1:5002") // another connection of A
	if err != nil {
		t.Fatalf("client A's second call: got %v, want admitted", err)
	}
	_, err = g.Enter("192.0.2.1:5003")
	var r *Refusal
	if !errors.As(err, &r) || !r.PerClient || r.Client != "192.0.2.1" {
		t.Fatalf("client A's third call: got %#v, want refused by the bound on one client, naming 192.0.2.1", err)
	}
	st := status.Convert(err)
	if want := "2 calls from this client are in progress, the server's limit for one client (--max-inflight-calls-per-client): retry in a moment"; st.Code() != codes.ResourceExhausted || st.Message() != want {
		t.Errorf("client A's refusal: got %v %q, want RESOURCE_EXHAUSTED %q", st.Code(), st.Message(), want)
	}
	if !hasRetryInfo(st) {
		t.Errorf("client A's refusal: got details %v, want a RetryInfo", st.Details())
	}
	b1, err := g.Enter("192.0.2.2:6001")
	if err != nil {
		t.Fatalf("client B, with A at its bound: got %v, want admitted", err)
	}
	// The total is reached: C is refused by it, and its count is undone.
	_, err = g.Enter("192.0.2.3:7001")
	if !errors.As(err, &r) || r.PerClient {
		t.Fatalf("client C with the server full: got %#v, want refused by the total", err)
	}
	if want := "3 calls are in progress, the server's limit (--max-inflight-calls): retry in a moment"; status.Convert(err).Message() != want {
		t.Errorf("client C's refusal: got %q, want %q", status.Convert(err).Message(), want)
	}
	a1.Leave()
	a1.Leave() // a second Leave gives nothing back
	c1, err := g.Enter("192.0.2.3:7002")
	if err != nil {
		t.Fatalf("client C after A left one: got %v, want admitted", err)
	}
	for _, s := range []*Slot{a2, b1, c1} {
		s.Leave()
	}
	if g.InFlight() != 0 || len(g.clients) != 0 {
		t.Errorf("after every call left: got %d in flight and %d clients counted, want 0 and 0", g.InFlight(), len(g.clients))
	}
	// Only the bound on one client: no total.
	one := New(0, "--max-inflight-calls", PerClient(1, "--max-inflight-calls-per-client"))
	s, err := one.Enter("[2001:db8::1]:80")
	if err != nil || s == nil {
		t.Fatalf("a call with no total: got %v, %v, want a slot", s, err)
	}
	if _, err := one.Enter("[2001:db8::1]:81"); status.Convert(err).Message() != "1 call from this client is in progress, the server's limit for one client (--max-inflight-calls-per-client): retry in a moment" {
		t.Errorf("its second call: got %v, want refused by the bound on one client", err)
	}
	// Another address of the same /64 is the same client; another /64 is
	// another.
	if _, err := one.Enter("[2001:db8::2]:80"); err == nil {
		t.Errorf("another address of the client's /64: got admitted, want refused")
	}
	if _, err := one.Enter("[2001:db8:0:1::2]:80"); err != nil {
		t.Errorf("another client with no total: got %v, want admitted", err)
	}
}

// TestGatePerClientOff: PerClient(0) bounds nothing, and a Gate without a
// total then counts nothing.
func TestGatePerClientOff(t *testing.T) {
	g := New(0, "--max-inflight-calls", PerClient(0, "--max-inflight-calls-per-client"))
	for range 3 {
		if s, err := g.Enter("192.0.2.1:1"); s != nil || err != nil {
			t.Fatalf("got %v, %v, want no slot and no error", s, err)
		}
	}
	if g.MaxPerClient() != 0 || g.InFlight() != 0 {
		t.Errorf("got MaxPerClient %d and %d in flight, want 0 and 0", g.MaxPerClient(), g.InFlight())
	}
}

func TestClientKey(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"192.0.2.1:443", "192.0.2.1"},
		{"192.0.2.1", "192.0.2.1"},
		{"[2001:db8::1]:80", "2001:db8::/64"},
		{"2001:db8::1", "2001:db8::/64"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"::1", "::/64"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"192.0.2.1:notaport", "192.0.2.1:notaport"},
		{"[2001:db8::1]", "2001:db8::/64"},
		{"[192.0.2.1]", "[192.0.2.1]"},
		{"[64:ff9b::102:304]:80", "1.2.3.4"},
		{"64:ff9b::5.6.7.8", "5.6.7.8"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:0:4136:e378:8000:63bf:3fff:fdd2"},
		{"[2001:0:4136:e378:8000:63bf:3fff:fdd3]:3544", "2001:0:4136:e378:8000:63bf:3fff:fdd3"},
		{"bufconn", "bufconn"},
		{"/run/claims.sock", "/run/claims.sock"},
		{"", ""},
	} {
		if got := ClientKey(tt.addr); got != tt.want {
			t.Errorf("ClientKey(%q): got %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// TestGatePerClientConcurrent: under contention no client holds more than
// its bound, and every count goes back to zero.
func TestGatePerClientConcurrent(t *testing.T) {
	const perClient, workers, rounds = 3, 24, 300
	g := New(0, "--max-inflight-calls", PerClient(perClient, "--max-inflight-calls-per-client"))
	var mu sync.Mutex
	held := map[string]int{}
	peak := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := fmt.Sprintf("192.0.2.%d:%d", w%4, 1000+w)
			key := ClientKey(client)
			for range rounds {
				s, err := g.Enter(client)
				if err != nil {
					continue
				}
				mu.Lock()
				held[key]++
				peak = max(peak, held[key])
				mu.Unlock()
				mu.Lock()
				held[key]--
				mu.Unlock()
				s.Leave()
			}
		}()
	}
	wg.Wait()
	if peak > perClient {
		t.Errorf("peak calls of one client: got %d, want at most %d", peak, perClient)
	}
	if g.InFlight() != 0 || len(g.clients) != 0 {
		t.Errorf("at the end: got %d in flight and %d clients counted, want 0 and 0", g.InFlight(), len(g.clients))
	}
}

// hasRetryInfo reports whether st has a google.rpc.RetryInfo detail of
// RetryDelay.
func hasRetryInfo(st *status.Status) bool {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay().AsDuration() == RetryDelay {
			return true
		}
	}
	return false
}

// TestGatePerClientRefusesByTheBoundThatHolds: with the server full and a
// client under its own bound, every refusal of that client's calls is the
// server's, however many of them race (a count taken for a moment by a
// call the total then refuses must not refuse another by the client's
// bound).
func TestGatePerClientRefusesByTheBoundThatHolds(t *testing.T) {
	g := New(2, "--max-inflight-calls", PerClient(2, "--max-inflight-calls-per-client"))
	a, err := g.Enter("192.0.2.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Leave()
	b, err := g.Enter("192.0.2.9:1") // the server is full
	if err != nil {
		t.Fatal(err)
	}
	defer b.Leave()
	var wg sync.WaitGroup
	var mu sync.Mutex
	byClient := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for range 20000 {
				_, err := g.Enter("192.0.2.1:2")
				var r *Refusal
				if !errors.As(err, &r) {
					t.Errorf("a call with the server full: got %v, want refused", err)
					return
				}
				if r.PerClient {
					n++
				}
			}
			mu.Lock()
			byClient += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if byClient != 0 {
		t.Errorf("refusals by the client's bound of a client holding 1 of 2: got %d, want 0", byClient)
	}
}
