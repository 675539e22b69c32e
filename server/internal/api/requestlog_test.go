package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestIfVersion checks Train's and Forget's if_version: a change is applied
// only at the version named, and is otherwise refused with ABORTED and
// nothing changed; a retry of a call that succeeded, with the same
// request_id and an if_version added, answers as the call did.
func TestIfVersion(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	ctx := ctxT(t)
	v := ts.model.Version()
	exs := []*claimsv1.Example{{Text: "rebels were blamed for the blast", Label: "attribution"}}
	for _, call := range []struct {
		name string
		run  func(ifVersion uint64) error
	}{
		{"Train", func(iv uint64) error {
			return callErr(ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: exs, IfVersion: iv}))
		}},
		{"Forget", func(iv uint64) error {
			return callErr(ts.client.Forget(ctx, &claimsv1.ForgetRequest{Examples: exs, IfVersion: iv}))
		}},
		{"Train with replace", func(iv uint64) error {
			return callErr(ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: append(exs, &claimsv1.Example{Text: "the airport reopened", Label: "other"}), Replace: true, IfVersion: iv}))
		}},
	} {
		st := status.Convert(call.run(v + 7))
		if want := fmt.Sprintf("if_version: model is not at the expected version: it is at version %d, not %d", v, v+7); st.Code() != codes.Aborted || st.Message() != want {
			t.Errorf("%s at a stale version: got %s %q, want Aborted %q", call.name, st.Code(), st.Message(), want)
		}
		if got := ts.model.Version(); got != v {
			t.Errorf("%s at a stale version: model version %d, want %d (unchanged)", call.name, got, v)
		}
		if err := call.run(v); err != nil {
			t.Errorf("%s at the model's version: %v", call.name, err)
		}
		v++
	}
	// A Forget sent again with a fresh id after it was applied: refused
	// for the version, not for the examples it already took back.
	if _, err := ts.client.Train(ctx, &claimsv1.TrainRequest{Examples: exs}); err != nil {
		t.Fatal(err)
	}
	v = ts.model.Version()
	if _, err := ts.client.Forget(ctx, &claimsv1.ForgetRequest{Examples: exs, IfVersion: v}); err != nil {
		t.Fatal(err)
	}
	if st := status.Convert(callErr(ts.client.Forget(ctx, &claimsv1.ForgetRequest{Examples: exs, IfVersion: v}))); st.Code() != codes.Aborted {
		t.Errorf("Forget sent again after it was applied: got %s %q, want Aborted", st.Code(), st.Message())
	}
	train := &claimsv1.TrainRequest{RequestId: "batch-9", Examples: exs}
	first, err := ts.client.Train(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	train.IfVersion = first.GetModelVersion() - 1 // the version the client saw before
	again, err := ts.client.Train(ctx, train)
	if err != nil || !proto.Equal(first, again) {
		t.Errorf("retry with if_version of a call that succeeded: got %v, %v; want %v", again, err, first)
	}
}

// TestTrainRequestIDAppliesOnce checks that a Train or Forget sent again
// with its request_id is answered as the first was, without applying the
// examples again.
func TestTrainRequestIDAppliesOnce(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	ctx := ctxT(t)
	train := &claimsv1.TrainRequest{RequestId: "batch-1", Examples: []*claimsv1.Example{{Text: "rebels were blamed for the blast", Label: "attribution"}}}
	first, err := ts.client.Train(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ts.client.Train(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(first, again) || ts.model.Version() != first.GetModelVersion() {
		t.Errorf("retried Train: got %v (model version %d), want %v", again, ts.model.Version(), first)
	}
	// The same id with other contents is refused; Forget keeps its ids
	// apart from Train's.
	other := &claimsv1.TrainRequest{RequestId: "batch-1", Examples: []*claimsv1.Example{{Text: "another sentence", Label: "other"}}}
	if st := status.Convert(callErr(ts.client.Train(ctx, other))); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), `request_id: "batch-1" was used by an earlier Train with other contents`) {
		t.Errorf("reused request_id: got %s %q, want InvalidArgument", st.Code(), st.Message())
	}
	forget := &claimsv1.ForgetRequest{RequestId: "batch-1", Examples: train.GetExamples()}
	f1, err := ts.client.Forget(ctx, forget)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := ts.client.Forget(ctx, forget)
	if err != nil || !proto.Equal(f1, f2) {
		t.Errorf("retried Forget: got %v, %v; want %v", f2, err, f1)
	}
	// A call that failed is not remembered: its id is free for the
	// corrected request.
	bad := &claimsv1.TrainRequest{RequestId: "batch-2", Examples: []*claimsv1.Example{{Text: "fine", Label: "nope"}}}
	if code := status.Code(callErr(ts.client.Train(ctx, bad))); code != codes.InvalidArgument {
		t.Errorf("bad Train: got %s, want InvalidArgument", code)
	}
	bad.Examples[0].Label = "other"
	if _, err := ts.client.Train(ctx, bad); err != nil {
		t.Errorf("corrected Train with the failed call's id: %v", err)
	}
}

func callErr(_ any, err error) error { return err }

// TestRequestIDChecked checks the bounds on a request_id.
func TestRequestIDChecked(t *testing.T) {
	ts := newTestServer(t, Auth{Open: true}, testLimits())
	v := ts.model.Version()
	for _, tt := range []struct{ id, msg string }{
		{strings.Repeat("x", maxRequestID+1), "request_id: 129 bytes exceed the limit of 128"},
		{"two words", "request_id: byte 3 is a space or not printable ASCII"},
		{"caf\u00e9", "request_id: byte 3 is a space or not printable ASCII"},
	} {
		req := &claimsv1.TrainRequest{RequestId: tt.id, Examples: []*claimsv1.Example{{Text: "a", Label: "other"}}}
		if st := status.Convert(callErr(ts.client.Train(ctxT(t), req))); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), tt.msg) {
			t.Errorf("%q: got %s %q, want InvalidArgument %q", tt.id, st.Code(), st.Message(), tt.msg)
		}
	}
	if ts.model.Version() != v {
		t.Errorf("a refused request_id changed the model")
	}
}

// TestRequestLogWaitsForRunningCall checks that retries arriving while a
// call runs wait for it and get its answer, and that the call runs once.
func TestRequestLogWaitsForRunningCall(t *testing.T) {
	l := newRequestLog(time.Now, nil)
	req := &claimsv1.TrainRequest{RequestId: "r"}
	release := make(chan struct{})
	var runs atomic.Int32
	call := func() (proto.Message, error) {
		runs.Add(1)
		<-release
		return &claimsv1.TrainResponse{ModelVersion: 7}, nil
	}
	var wg sync.WaitGroup
	got := make([]proto.Message, 4)
	for i := range got {
		wg.Go(func() {
			resp, err := l.do(context.Background(), "Train", "r", req, call)
			if err != nil {
				t.Error(err)
			}
			got[i] = resp
		})
	}
	// A waiter whose deadline passes gives up with DEADLINE_EXCEEDED.
	for runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := l.do(ctx, "Train", "r", req, call); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("waiter past its deadline: got %v, want DeadlineExceeded", err)
	}
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Errorf("the call ran %d times, want 1", n)
	}
	for i, resp := range got {
		if resp.(*claimsv1.TrainResponse).GetModelVersion() != 7 {
			t.Errorf("caller %d: got %v, want version 7", i, resp)
		}
	}
}

// TestRequestLogRetryBehindAStalledSave: a retry waiting for its call
// stops waiting once the save under way has stalled, with UNAVAILABLE and
// no RetryInfo (the call may yet be applied), and the call itself runs on
// and is remembered.
func TestRequestLogRetryBehindAStalledSave(t *testing.T) {
	var stalled atomic.Bool
	l := newRequestLog(time.Now, func() (time.Duration, bool) { return 12 * time.Second, stalled.Load() })
	req := &claimsv1.TrainRequest{RequestId: "r"}
	release := make(chan struct{})
	started := make(chan struct{})
	call := func() (proto.Message, error) {
		close(started)
		<-release
		return &claimsv1.TrainResponse{ModelVersion: 7}, nil
	}
	first := make(chan error, 1)
	go func() {
		_, err := l.do(context.Background(), "Train", "r", req, call)
		first <- err
	}()
	<-started
	stalled.Store(true)
	done := make(chan error, 1)
	go func() {
		_, err := l.do(ctxT(t), "Train", "r", req, call)
		done <- err
	}()
	select {
	case err := <-done:
		st := status.Convert(err)
		if st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "behind a save that has run for 12s (a stalled disk or volume?): whether it was applied is not known yet") || !slices.Equal(detailKinds(st), []string{"ErrorInfo SAVE_STALLED"}) {
			t.Errorf("a retry behind a stalled save: got %s %q %v, want UNAVAILABLE saying its outcome is not known, with an ErrorInfo of reason SAVE_STALLED and no RetryInfo", st.Code(), st.Message(), st.Details())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a retry behind a stalled save: still waiting after 10s")
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	resp, err := l.do(context.Background(), "Train", "r", req, call)
	if err != nil || resp.(*claimsv1.TrainResponse).GetModelVersion() != 7 {
		t.Errorf("a retry once the save ended: got %v, %v, want the call's answer", resp, err)
	}
}

// TestRequestLogForgetsFailuresAndOldCalls checks that a failed or
// panicking call is not remembered, and that answers are kept for
// requestLogTTL and requestLogSize calls only.
func TestRequestLogForgetsFailuresAndOldCalls(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newRequestLog(func() time.Time { return now }, nil)
	ctx := context.Background()
	req := &claimsv1.TrainRequest{RequestId: "r"}
	var runs int
	ok := func() (proto.Message, error) { runs++; return &claimsv1.TrainResponse{ModelVersion: uint64(runs)}, nil }
	if _, err := l.do(ctx, "Train", "r", req, func() (proto.Message, error) { return nil, errors.New("refused") }); err == nil {
		t.Fatal("failing call: got nil error")
	}
	if _, err := l.do(ctx, "Train", "r", req, ok); err != nil || runs != 1 {
		t.Fatalf("after a failure: got %v, %d runs; want the call run once", err, runs)
	}
	// A panic may have come after the change: its retries are refused.
	panicked := &claimsv1.TrainRequest{RequestId: "p"}
	func() {
		defer func() { recover() }()
		l.do(ctx, "Train", "p", panicked, func() (proto.Message, error) { panic("boom") })
	}()
	if _, err := l.do(ctx, "Train", "p", panicked, ok); status.Code(err) != codes.Internal || runs != 1 {
		t.Errorf("retry of a call that panicked: got %v, %d runs; want Internal and no run", err, runs)
	}
	if _, err := l.do(ctx, "Train", "r", req, ok); err != nil || runs != 1 {
		t.Errorf("retry: got %v, %d runs; want the answer remembered", err, runs)
	}
	now = now.Add(requestLogTTL)
	if _, err := l.do(ctx, "Train", "r", req, ok); err != nil || runs != 2 {
		t.Errorf("retry after the TTL: got %v, %d runs; want the call run again", err, runs)
	}
	for i := range requestLogSize {
		id := "n" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		if _, err := l.do(ctx, "Train", id, &claimsv1.TrainRequest{RequestId: id}, ok); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.do(ctx, "Train", "r", req, ok); err != nil || runs != 3+requestLogSize {
		t.Errorf("retry after %d other calls: got %v, %d runs; want the call run again", requestLogSize, err, runs)
	}
	if n := len(l.calls); n > requestLogSize {
		t.Errorf("the log holds %d calls, want at most %d", n, requestLogSize)
	}
}

// TestRequestSumIgnoresUnknownFields checks that a request with fields
// this server does not know (kept by gRPC, refused by REST) fingerprints
// as the same request without them.
func TestRequestSumIgnoresUnknownFields(t *testing.T) {
	req := &claimsv1.TrainRequest{RequestId: "r", Examples: []*claimsv1.Example{{Text: "a", Label: "other"}}}
	withUnknown := proto.Clone(req).(*claimsv1.TrainRequest)
	withUnknown.ProtoReflect().SetUnknown([]byte{0x98, 0x06, 0x01})             // field 99, varint 1
	withUnknown.Examples[0].ProtoReflect().SetUnknown([]byte{0x98, 0x06, 0x02}) // in an example too
	a, err := requestSum(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := requestSum(withUnknown)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("unknown fields changed the request's fingerprint")
	}
	if len(withUnknown.ProtoReflect().GetUnknown()) == 0 {
		t.Errorf("requestSum changed the request it fingerprinted")
	}
	other := proto.Clone(req).(*claimsv1.TrainRequest)
	other.Replace = true
	if c, _ := requestSum(other); c == a {
		t.Errorf("a request with replace set fingerprints as one without")
	}
}

// TestGetModelSettled checks that GetModel with settled waits for a change
// being saved (or fails at its deadline), and without it never waits.
func TestGetModelSettled(t *testing.T) {
	saving, release := make(chan struct{}), make(chan struct{})
	block := false
	model := classifier.New(apitest.Words{}, classifier.WithPersist(func([]byte) error {
		if block {
			close(saving)
			<-release
		}
		return nil
	}))
	if _, err := model.Replace(context.Background(), apitest.Corpus); err != nil {
		t.Fatal(err)
	}
	block = true
	ts := serveModel(t, model, Auth{Open: true}, testLimits())
	v := model.Version()
	trained := make(chan error)
	go func() {
		_, err := ts.client.Train(ctxT(t), &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "a new sentence", Label: "other"}}})
		trained <- err
	}()
	<-saving
	if m, err := ts.client.GetModel(ctxT(t), &claimsv1.GetModelRequest{}); err != nil || m.GetVersion() != v {
		t.Errorf("GetModel during a save: got %v, %v; want version %d at once", m.GetVersion(), err, v)
	}
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ts.client.GetModel(short, &claimsv1.GetModelRequest{Settled: true}); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("settled GetModel past its deadline: got %v, want DeadlineExceeded", err)
	}
	settled := make(chan *claimsv1.GetModelResponse)
	go func() {
		m, err := ts.client.GetModel(ctxT(t), &claimsv1.GetModelRequest{Settled: true})
		if err != nil {
			t.Error(err)
		}
		settled <- m
	}()
	close(release)
	if m := <-settled; m.GetVersion() != v+1 {
		t.Errorf("settled GetModel: got version %d, want %d", m.GetVersion(), v+1)
	}
	if err := <-trained; err != nil {
		t.Fatal(err)
	}
}
