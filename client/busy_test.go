package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// busy returns a refusal as the server's gate makes it: RESOURCE_EXHAUSTED
// with a RetryInfo of delay.
func busy(t *testing.T, delay time.Duration) error {
	st, err := status.New(codes.ResourceExhausted, "2 calls are in progress, the server's limit (--max-inflight-calls): retry in a moment").
		WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)})
	if err != nil {
		t.Fatal(err)
	}
	return st.Err()
}

// TestBusyServerIsRetried checks that a call the server refused as busy is
// sent again after the delay it asks, at most three times, and said so on
// stderr; and that RESOURCE_EXHAUSTED without a RetryInfo (a request over
// a size limit) is not sent again.
func TestBusyServerIsRetried(t *testing.T) {
	for _, tt := range []struct {
		name     string
		refusals int   // calls refused before one is answered
		err      error // the refusal
		calls    int
		ok       bool
	}{
		{"answered at once", 0, nil, 1, true},
		{"busy twice", 2, busy(t, 20*time.Millisecond), 3, true},
		{"busy three times", 3, busy(t, 20*time.Millisecond), 4, true},
		{"busy four times", 4, busy(t, 20*time.Millisecond), 4, false},
		{"too large", 1, status.Error(codes.ResourceExhausted, "grpc: received message larger than max"), 1, false},
		{"unavailable", 1, status.Error(codes.Unavailable, "no"), 1, false},
	} {
		f, addr := startFake(t)
		f.onGetModel = func(_ context.Context, call int) error {
			if call <= tt.refusals {
				return tt.err
			}
			return nil
		}
		start := time.Now()
		code, _, errs := runCLI(t, "", "model", "--addr", addr)
		if got := code == 0; got != tt.ok {
			t.Errorf("%s: got exit %d (%s), want ok %v", tt.name, code, errs, tt.ok)
		}
		if f.getModelCalls != tt.calls {
			t.Errorf("%s: got %d calls, want %d", tt.name, f.getModelCalls, tt.calls)
		}
		retries := strings.Count(errs, "client: the server is busy (2 calls are in progress")
		if want := min(tt.calls-1, busyRetries); tt.err != nil && busyDelayOf(tt.err) && retries != want {
			t.Errorf("%s: stderr says %d retries, want %d:\n%s", tt.name, retries, want, errs)
		}
		if tt.refusals > 0 && busyDelayOf(tt.err) {
			if d := time.Since(start); d < time.Duration(tt.calls-1)*20*time.Millisecond {
				t.Errorf("%s: %d calls took %v, want at least the delay before each retry", tt.name, tt.calls, d)
			}
		}
	}
}

func busyDelayOf(err error) bool {
	_, ok := busyDelay(err)
	return ok
}

// TestBusyDelay checks the delays taken from a refusal: the server's,
// within 0 and 10 seconds.
func TestBusyDelay(t *testing.T) {
	for _, tt := range []struct {
		delay, want time.Duration
	}{
		{time.Second, time.Second},
		{time.Hour, maxBusyDelay},
		{-time.Second, 0},
	} {
		got, ok := busyDelay(busy(t, tt.delay))
		if !ok || got != tt.want {
			t.Errorf("RetryInfo %v: got %v, %v; want %v, true", tt.delay, got, ok, tt.want)
		}
	}
}

// TestModelShowsTheInflightLimit checks the limits line of client model:
// the calls in flight are named when the server bounds them, and left
// out when it reports 0 (no bound, or a server that predates the limit).
func TestModelShowsTheInflightLimit(t *testing.T) {
	for _, tt := range []struct {
		max  int32
		want bool
	}{{256, true}, {0, false}} {
		f, addr := startFake(t)
		f.limits = &claimsv1.Limits{MaxClassifyStreams: 64, MaxInflightCalls: tt.max, MaxExplain: 20}
		code, out, errs := runCLI(t, "", "model", "--addr", addr)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if got := strings.Contains(out, "64 classify streams, 256 calls in flight, explain 20"); got != tt.want {
			t.Errorf("max_inflight_calls %d: got %q, want the calls in flight named: %v", tt.max, out, tt.want)
		}
		if !tt.want && !strings.Contains(out, "64 classify streams, explain 20") {
			t.Errorf("max_inflight_calls 0: got %q, want the limits line without it", out)
		}
	}
}

// TestBusyTrainIsNotApplied has every Train refused as busy: the client
// sends it four times in all, then reports the batch not applied, without
// asking the model (the server read none of it).
func TestBusyTrainIsNotApplied(t *testing.T) {
	data := writeFile(t, "two.jsonl", "{\"text\": \"They denied it.\", \"label\": \"denial\"}\n{\"text\": \"Rain fell.\", \"label\": \"other\"}\n")
	f, addr := startFake(t)
	f.onTrain = func(context.Context, int, func()) error { return busy(t, 10*time.Millisecond) }
	code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data)
	if code != 1 || !strings.HasSuffix(errs, "(no example was applied)\n") || strings.Contains(errs, "may or may not") {
		t.Errorf("got exit %d, stderr:\n%s\nwant 1 and the batch reported not applied", code, errs)
	}
	if f.trainCalls != 1+busyRetries {
		t.Errorf("got %d Train calls, want %d", f.trainCalls, 1+busyRetries)
	}
	if f.getModelCalls != 1 { // the model's state before the batch
		t.Errorf("got %d GetModel calls, want 1: the batch is not checked", f.getModelCalls)
	}
}

// TestBusyWaitPastTheTimeout: a retry whose wait would outlast the call's
// --timeout is not waited for; the refusal is the answer.
func TestBusyWaitPastTheTimeout(t *testing.T) {
	f, addr := startFake(t)
	f.onGetModel = func(context.Context, int) error { return busy(t, 5*time.Second) }
	start := time.Now()
	code, _, errs := runCLI(t, "", "model", "--addr", addr, "--timeout", "1s")
	if code != 1 || !strings.Contains(errs, "ResourceExhausted") || f.getModelCalls != 1 {
		t.Errorf("got exit %d after %d calls, stderr %q; want 1 after one call, the refusal", code, f.getModelCalls, errs)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("took %v, want no wait", d)
	}
}

// TestBusyMessageEndsTheBar: a batch refused as busy while the progress
// bar is drawn says so on a line of its own.
func TestBusyMessageEndsTheBar(t *testing.T) {
	data := writeFile(t, "two.jsonl", "{\"text\": \"They denied it.\", \"label\": \"denial\"}\n{\"text\": \"Rain fell.\", \"label\": \"other\"}\n")
	f, addr := startFake(t)
	f.onTrain = func(_ context.Context, call int, apply func()) error {
		if call == 2 {
			return busy(t, 10*time.Millisecond)
		}
		apply()
		return nil
	}
	code, _, errs := runCLI(t, "", "train", "--addr", addr, "--data", data, "--batch", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range strings.Split(errs, "\n") {
		if i := strings.Index(line, "client: the server is busy"); i > 0 {
			t.Errorf("the busy message follows the bar on its line: %q", line)
		}
	}
	if !strings.Contains(errs, "client: the server is busy") {
		t.Errorf("stderr %q: want the busy message", errs)
	}
}
