package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimsvc/claims/server/internal/admit"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestRefusalsAreReported refuses calls in a burst: the first is logged
// at once, the others at the end of the window, so the log counts them
// all; a burst in a later window starts with a line of its own.
func TestRefusalsAreReported(t *testing.T) {
	var logs apitest.LogBuffer
	const every = 100 * time.Millisecond
	r, err := newRefusals(prometheus.NewRegistry(), admit.New(2, "--max-inflight-calls"), slog.New(slog.NewJSONHandler(&logs, nil)), "--max-inflight-calls", every)
	if err != nil {
		t.Fatal(err)
	}
	counts := func() []string {
		var out []string
		for _, l := range strings.Split(logs.String(), "\n") {
			if i := strings.Index(l, `"refused":`); i >= 0 {
				out = append(out, strings.SplitN(l[i+len(`"refused":`):], ",", 2)[0])
			}
		}
		return out
	}
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for strings.Join(counts(), " ") != want {
			if time.Now().After(deadline) {
				t.Fatalf("logged refusals %q, want %q\n%s", counts(), want, logs.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	r.grpc()
	for range 4 {
		r.rest()
	}
	wait("1 4")
	time.Sleep(2 * every)
	r.grpc()
	wait("1 4 1")
	if !strings.Contains(logs.String(), `"msg":"calls refused: the server holds as many calls at once as --max-inflight-calls lets it"`) {
		t.Errorf("log: got %s", logs.String())
	}
}

// TestRefusalsStop: the refusals held back when the server stops are
// logged then, not lost with the flush that was due.
func TestRefusalsStop(t *testing.T) {
	var logs apitest.LogBuffer
	r, err := newRefusals(prometheus.NewRegistry(), admit.New(2, "--max-inflight-calls"), slog.New(slog.NewJSONHandler(&logs, nil)), "--max-inflight-calls", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		r.rest()
	}
	r.stop()
	deadline := time.Now().Add(5 * time.Second)
	for !(strings.Contains(logs.String(), `"refused":1,`) && strings.Contains(logs.String(), `"refused":2,`)) {
		if time.Now().After(deadline) {
			t.Fatalf("log: got %s, want a line with 1 and one with 2", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
