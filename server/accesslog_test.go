package main

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLimiter counts events on a fake clock: max a second pass, the rest
// are dropped and reported once their second is over, by the next event
// or by the timer, never twice.
func TestLimiter(t *testing.T) {
	now := time.Unix(100, 200e6)
	var timers []func()
	var reported []int
	l := &limiter{
		max:    2,
		now:    func() time.Time { return now },
		after:  func(d time.Duration, f func()) { timers = append(timers, f) },
		report: func(n int) { reported = append(reported, n) },
	}
	steps := []struct {
		name     string
		at       time.Time
		fire     bool // run the timers started so far, instead of an event
		want     bool
		reported []int
	}{
		{"first", time.Unix(100, 200e6), false, true, nil},
		{"second", time.Unix(100, 300e6), false, true, nil},
		{"third: dropped", time.Unix(100, 400e6), false, false, nil},
		{"fourth: dropped", time.Unix(100, 500e6), false, false, nil},
		{"the timer, once the second is over", time.Unix(101, 0), true, false, []int{2}},
		{"the next second", time.Unix(101, 100e6), false, true, []int{2}},
		{"and again", time.Unix(101, 200e6), false, true, []int{2}},
		{"dropped", time.Unix(101, 300e6), false, false, []int{2}},
		{"an event of a later second reports first", time.Unix(103, 0), false, true, []int{2, 1}},
		{"then the timer finds nothing", time.Unix(103, 0), true, false, []int{2, 1}},
		{"allowed", time.Unix(103, 100e6), false, true, []int{2, 1}},
		{"dropped, then flushed at exit", time.Unix(103, 200e6), false, false, []int{2, 1}},
	}
	for _, st := range steps {
		now = st.at
		if st.fire {
			for _, f := range timers {
				f()
			}
			timers = nil
		} else if got := l.allow(); got != st.want {
			t.Errorf("%s: got allow %v, want %v", st.name, got, st.want)
		}
		if !slices.Equal(reported, st.reported) {
			t.Errorf("%s: got reports %v, want %v", st.name, reported, st.reported)
		}
	}
	l.flush()
	if want := []int{2, 1, 1}; !slices.Equal(reported, want) {
		t.Errorf("after flush: got reports %v, want %v", reported, want)
	}
	l.flush()
	if want := []int{2, 1, 1}; !slices.Equal(reported, want) {
		t.Errorf("after a second flush: got reports %v, want %v", reported, want)
	}
}

// TestAccessLogger checks the access log's settings: the lines of one
// second past --access-log-max-rate are dropped and reported in the
// server's log, server faults pass whatever the rate, and with
// --access-log=false only they are logged.
func TestAccessLogger(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantInfo  int    // of 5 lines at info
		wantError int    // of 1 at error
		wantWarn  string // in the server's log
	}{
		{"default", nil, 5, 1, ""},
		{"rate", []string{"--access-log-max-rate", "3"}, 3, 1, `msg="access log lines dropped: more calls in a second than --access-log-max-rate lets it log" dropped=2 max_rate=3`},
		{"off", []string{"--access-log=false"}, 0, 1, ""},
	}
	for _, tt := range tests {
		cfg, err := parseConfig(tt.args, func(string) string { return "" }, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		var out, main bytes.Buffer
		sink := newLogSink(&out, time.Hour)
		log := slog.New(slog.NewTextHandler(&main, nil))
		access, _ := accessLogger(cfg, sink, log)
		// One fixed second, over when the timer is run.
		var timers []func()
		if h, ok := access.Handler().(limitHandler); ok {
			h.lim.now = func() time.Time { return time.Unix(100, 0) }
			h.lim.after = func(_ time.Duration, f func()) { timers = append(timers, f) }
		} else if cfg.AccessLogMaxRate > 0 {
			t.Fatalf("%s: the access logger has no rate limit", tt.name)
		}
		for range 5 {
			access.Info("rpc", "code", "OK")
		}
		access.Error("rpc", "code", "Internal")
		for _, f := range timers {
			f()
		}
		sink.Flush()
		if got := strings.Count(out.String(), "level=INFO msg=rpc"); got != tt.wantInfo {
			t.Errorf("%s: got %d info lines, want %d\n%s", tt.name, got, tt.wantInfo, out.String())
		}
		if got := strings.Count(out.String(), "level=ERROR msg=rpc"); got != tt.wantError {
			t.Errorf("%s: got %d error lines, want %d", tt.name, got, tt.wantError)
		}
		if tt.wantWarn == "" && main.Len() > 0 || !strings.Contains(main.String(), tt.wantWarn) {
			t.Errorf("%s: got server log %q, want %q", tt.name, main.String(), tt.wantWarn)
		}
	}
}
