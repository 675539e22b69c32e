package main

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimsvc/claims/server/internal/admit"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// refusal returns the error of a call refused by a full gate: by its
// bound on one client's calls (from 192.0.2.7) if perClient, else by its
// total.
func refusal(t *testing.T, perClient bool) error {
	t.Helper()
	g := admit.New(1, "--max-inflight-calls")
	if perClient {
		g = admit.New(0, "--max-inflight-calls", admit.PerClient(1, "--max-inflight-calls-per-client"))
	}
	if _, err := g.Enter("192.0.2.7:1000"); err != nil {
		t.Fatal(err)
	}
	_, err := g.Enter("192.0.2.7:2000")
	if err == nil {
		t.Fatal("a call past the gate's bound: got admitted, want refused")
	}
	return err
}

// TestRefusalsAreReported refuses calls in a burst: the first is logged
// at once, the others at the end of the window, so the log counts them
// all; a burst in a later window starts with a line of its own.
func TestRefusalsAreReported(t *testing.T) {
	var logs apitest.LogBuffer
	const every = 100 * time.Millisecond
	r, err := newRefusals(prometheus.NewRegistry(), admit.New(2, "--max-inflight-calls"), slog.New(slog.NewJSONHandler(&logs, nil)), "--max-inflight-calls", "--max-inflight-calls-per-client", every)
	if err != nil {
		t.Fatal(err)
	}
	full := refusal(t, false)
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
	r.grpc(full)
	for range 4 {
		r.rest(full)
	}
	wait("1 4")
	time.Sleep(2 * every)
	r.grpc(full)
	wait("1 4 1")
	if !strings.Contains(logs.String(), `"msg":"calls refused: the server holds as many calls at once as --max-inflight-calls lets it"`) {
		t.Errorf("log: got %s", logs.String())
	}
}

// TestRefusalsStop: the refusals held back when the server stops are
// logged then, not lost with the flush that was due.
func TestRefusalsStop(t *testing.T) {
	var logs apitest.LogBuffer
	r, err := newRefusals(prometheus.NewRegistry(), admit.New(2, "--max-inflight-calls"), slog.New(slog.NewJSONHandler(&logs, nil)), "--max-inflight-calls", "--max-inflight-calls-per-client", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	full := refusal(t, false)
	for range 3 {
		r.rest(full)
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

// TestRefusalsByBound: the refusals of the bound on one client's calls
// are counted under bound="client" and logged in lines of their own,
// which name the last client refused; the server's bound's under
// bound="server", in its lines.
func TestRefusalsByBound(t *testing.T) {
	var logs apitest.LogBuffer
	reg := prometheus.NewRegistry()
	gate := admit.New(8, "--max-inflight-calls", admit.PerClient(2, "--max-inflight-calls-per-client"))
	r, err := newRefusals(reg, gate, slog.New(slog.NewJSONHandler(&logs, nil)), "--max-inflight-calls", "--max-inflight-calls-per-client", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	byClient, byServer := refusal(t, true), refusal(t, false)
	r.grpc(byClient)
	r.rest(byClient)
	r.rest(byClient)
	r.grpc(byServer)
	r.stop()
	for _, tt := range []struct {
		transport, bound string
		want             float64
	}{
		{"grpc", "client", 1}, {"rest", "client", 2}, {"grpc", "server", 1}, {"rest", "server", 0},
	} {
		if got := counterValue(t, reg, "claims_inflight_refused_total", map[string]string{"transport": tt.transport, "bound": tt.bound}); got != tt.want {
			t.Errorf("refused, %s, bound %s: got %v, want %v", tt.transport, tt.bound, got, tt.want)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(logs.String(), "calls refused") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("log: got %s, want three lines of refusals", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	var client, server int
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		switch {
		case strings.Contains(l, `"msg":"calls refused: a client holds as many calls at once as --max-inflight-calls-per-client lets one"`):
			client++
			if !strings.Contains(l, `"max_inflight_calls_per_client":2`) || !strings.Contains(l, `"last_client":"192.0.2.7"`) {
				t.Errorf("a line of the client bound: got %s, want its limit and its last client", l)
			}
		case strings.Contains(l, `"msg":"calls refused: the server holds as many calls at once as --max-inflight-calls lets it"`):
			server++
			if strings.Contains(l, "last_client") {
				t.Errorf("a line of the server's bound: got %s, want no client named", l)
			}
		}
	}
	// The first of a burst is logged at once, the rest at the stop.
	if client != 2 || server != 1 {
		t.Errorf("lines: got %d of the client bound and %d of the server's, want 2 and 1\n%s", client, server, logs.String())
	}
}

// counterValue returns the value of the counter name with labels in reg
// (0 if reg has no such series).
func counterValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// TestRefusalsSeriesWithoutTheClientBound: a server without
// --max-inflight-calls-per-client shows one refusal series a transport,
// bound="server", as builds before the bound label showed one.
func TestRefusalsSeriesWithoutTheClientBound(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := newRefusals(reg, admit.New(2, "--max-inflight-calls"), slog.New(slog.DiscardHandler), "--max-inflight-calls", "--max-inflight-calls-per-client", time.Hour); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var series []string
	for _, f := range families {
		if f.GetName() != "claims_inflight_refused_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			series = append(series, strings.Join(labels, ","))
		}
	}
	if got, want := strings.Join(series, " "), "bound=server,transport=grpc bound=server,transport=rest"; got != want {
		t.Errorf("series: got %q, want %q", got, want)
	}
}

// TestRefusalsCountDistinctClients: a line counts each client once, and
// says nothing of a cap it did not reach.
func TestRefusalsCountDistinctClients(t *testing.T) {
	var logs apitest.LogBuffer
	l := &refusalLog{log: slog.New(slog.NewJSONHandler(&logs, nil)), msg: "refused", every: time.Hour}
	l.next = time.Now().Add(time.Hour) // a window under way: nothing logged at once
	for _, c := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"} {
		l.refusedFrom(c)
	}
	l.stop()
	if want := `"refused":3,"last_client":"192.0.2.2","clients":2}`; !strings.Contains(logs.String(), want) {
		t.Errorf("log: got %s, want a line with %s", logs.String(), want)
	}
}

// TestRefusalsCountTheirClients: a line of the bound on one client's
// calls counts the clients it refused since the line before, up to
// maxCountedClients, and names the last.
func TestRefusalsCountTheirClients(t *testing.T) {
	var logs apitest.LogBuffer
	l := &refusalLog{log: slog.New(slog.NewJSONHandler(&logs, nil)), msg: "refused", every: time.Hour}
	l.refusedFrom("192.0.2.1") // logged at once, alone
	// Refusals of one client count it once.
	l.refusedFrom("192.0.2.9")
	l.refusedFrom("192.0.2.9")
	for i := range maxCountedClients + 40 {
		l.refusedFrom(fmt.Sprintf("198.51.100.%d", i%250))
		l.refusedFrom(fmt.Sprintf("2001:db8:%x::/64", i))
	}
	l.refusedFrom("203.0.113.5")
	l.stop()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(logs.String(), "\n") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("log: got %s, want two lines", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, want := range []string{
		`"refused":1,"last_client":"192.0.2.1","clients":1}`,
		fmt.Sprintf(`"refused":%d,"last_client":"203.0.113.5","clients":%d,"clients_capped":true}`, 2*(maxCountedClients+40)+3, maxCountedClients),
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log: got %s, want a line with %s", logs.String(), want)
		}
	}
}
