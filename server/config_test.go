package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{
		"CLAIMS_HTTP_ADDR":     "127.0.0.1:9999",
		"CLAIMS_MAX_SENTENCES": "7",
		"CLAIMS_CALL_TIMEOUT":  "5s",
		"CLAIMS_TRAIN_TOKEN":   "from-env",
	}
	c, err := parseConfig([]string{"--train-token", "from-flag", "--cors-origins", "HTTPS://A.Example, https://b.example", "--trusted-proxies", "10.0.0.0/8, 192.0.2.7"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.0.0.0/8 192.0.2.7/32]" {
		t.Errorf("trusted proxies: got %s, want [10.0.0.0/8 192.0.2.7/32]", got)
	}
	if c.HTTPAddr != "127.0.0.1:9999" || c.Limits.MaxSentences != 7 || c.Limits.CallTimeout != 5*time.Second {
		t.Errorf("env fallback: got %+v", c)
	}
	if c.TrainToken != "from-flag" {
		t.Errorf("flag over env: got token %q, want from-flag", c.TrainToken)
	}
	if got, want := c.Limits.SendTimeout, time.Minute; got != want {
		t.Errorf("send timeout: got %v, want %v", got, want)
	}
	// A flag on the command line wins even over a variable that would not
	// parse.
	bad := func(k string) string {
		if k == "CLAIMS_MAX_TEXT_BYTES" {
			return "abc"
		}
		return ""
	}
	if c, err := parseConfig([]string{"--max-text-bytes", "10"}, bad, io.Discard); err != nil || c.Limits.MaxTextBytes != 10 {
		t.Errorf("flag over an unparsable env: got %d, %v; want 10, nil", c.Limits.MaxTextBytes, err)
	}
	// '*' is allowed where Train and Forget need a token, or are shut
	// because a listener is public.
	for _, args := range [][]string{
		{"--cors-origins", "*", "--train-token", "t0k3n"},
		{"--cors-origins", "*", "--train-token-file", "/run/secrets/token"},
		{"--cors-origins", "*", "--http-addr", "0.0.0.0:8080"},
		{"--cors-origins", "*", "--read-only"},
	} {
		if _, err := parseConfig(args, func(string) string { return "" }, io.Discard); err != nil {
			t.Errorf("%q: got %v, want nil", args, err)
		}
	}
	// Both listeners on port 0 (tests) is not a clash.
	if _, err := parseConfig([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard); err != nil {
		t.Errorf("two ephemeral ports: got %v, want nil", err)
	}
	if !c.Metrics || !c.Reflection {
		t.Errorf("defaults: got metrics %v, reflection %v; want both true", c.Metrics, c.Reflection)
	}
	off := func(k string) string {
		if k == "CLAIMS_METRICS" || k == "CLAIMS_REFLECTION" {
			return "false"
		}
		return ""
	}
	if c, err := parseConfig(nil, off, io.Discard); err != nil || c.Metrics || c.Reflection {
		t.Errorf("CLAIMS_METRICS=false CLAIMS_REFLECTION=false: got metrics %v, reflection %v, %v; want false, false, nil", c.Metrics, c.Reflection, err)
	}
	if c.GRPCAddr != "127.0.0.1:50051" {
		t.Errorf("default: got %q", c.GRPCAddr)
	}
	// Lower-cased, as browsers send an Origin.
	if len(c.CORSOrigins) != 2 || c.CORSOrigins[0] != "https://a.example" || c.CORSOrigins[1] != "https://b.example" {
		t.Errorf("cors: got %q", c.CORSOrigins)
	}
	if c.GC != (gcConfig{}) {
		t.Errorf("GC with neither GOGC nor GOMEMLIMIT: got %+v, want both unset", c.GC)
	}
	env["GOGC"], env["GOMEMLIMIT"] = "200", "1GiB"
	if c, err = parseConfig(nil, func(k string) string { return env[k] }, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := (gcConfig{GOGCSet: true, MemLimitSet: true}); c.GC != want {
		t.Errorf("GC with GOGC and GOMEMLIMIT: got %+v, want %+v", c.GC, want)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--tls-cert", "c.pem"}, nil, "go together"},
		{[]string{"--tls-client-ca", "ca.pem"}, nil, "--tls-client-ca needs --tls-cert and --tls-key"},
		{[]string{"--max-sentences", "0"}, nil, "--max-sentences must be positive"},
		{[]string{"--max-features", "0"}, nil, "--max-features must be positive"},
		{nil, map[string]string{"CLAIMS_MAX_FEATURES": "-3"}, "CLAIMS_MAX_FEATURES must be positive"},
		{[]string{"--max-learned-examples", "0"}, nil, "--max-learned-examples must be positive"},
		{[]string{"--max-health-watches", "0"}, nil, "--max-health-watches must be positive"},
		{[]string{"--max-health-watches-per-conn", "-1"}, nil, "--max-health-watches-per-conn must not be negative"},
		{[]string{"--max-classify-streams-per-conn", "-1"}, nil, "--max-classify-streams-per-conn must not be negative"},
		{nil, map[string]string{"CLAIMS_MAX_CLASSIFY_STREAMS_PER_CONN": "-2"}, "CLAIMS_MAX_CLASSIFY_STREAMS_PER_CONN must not be negative"},
		{[]string{"--max-inflight-calls-per-client", "-1"}, nil, "--max-inflight-calls-per-client must not be negative"},
		{nil, map[string]string{"CLAIMS_MAX_INFLIGHT_CALLS_PER_CLIENT": "-2"}, "CLAIMS_MAX_INFLIGHT_CALLS_PER_CLIENT must not be negative"},
		{[]string{"--access-log-max-rate", "-1"}, nil, "--access-log-max-rate must not be negative"},
		{[]string{"--read-only", "--train-token", "t0k3n"}, nil, "--read-only and --train-token contradict each other"},
		{[]string{"--read-only", "--train-token-file", "/run/secrets/token"}, nil, "--read-only and --train-token-file contradict each other"},
		{[]string{"--train-token", "t0k3n"}, map[string]string{"CLAIMS_TRAIN_TOKEN_FILE": "/run/secrets/token"}, "--train-token and CLAIMS_TRAIN_TOKEN_FILE both set the token: use one"},
		{[]string{"--grpc-addr", "nope"}, nil, "--grpc-addr"},
		{[]string{"--log-format", "xml"}, nil, "log-format"},
		{nil, map[string]string{"CLAIMS_MAX_EXAMPLES": "lots"}, "CLAIMS_MAX_EXAMPLES"},
		{[]string{"extra"}, nil, "unexpected arguments"},
		{[]string{"--nope"}, nil, "flag provided but not defined: --nope (server -h lists the flags)"},
		{[]string{"--cors-origins", "https://*.example.com"}, nil, `CORS origin "https://*.example.com": a pattern matches nothing`},
		{[]string{"--max-examples", "x"}, nil, `invalid value "x" for flag --max-examples`},
		{[]string{"--max-examples", "-3"}, nil, `--max-examples must be positive`},
		{[]string{"--grpc-addr"}, nil, "flag needs an argument: --grpc-addr (server -h lists the flags)"},
		{[]string{"--shutdown-timeout", "-x"}, nil, `invalid value "-x" for flag --shutdown-timeout`},
		{[]string{"--shutdown-timeout", "-1s"}, nil, "--shutdown-timeout must be positive"},
		{[]string{"--keepalive-time", "-5s"}, nil, "--keepalive-time must be positive"},
		{[]string{"--keepalive-timeout", "0s"}, nil, "--keepalive-timeout must be positive"},
		{[]string{"--keepalive-min-ping", "-1s"}, nil, "--keepalive-min-ping must be positive"},
		{[]string{"--keepalive-max-age", "-1s"}, nil, "--keepalive-max-age must not be negative"},
		{nil, map[string]string{"CLAIMS_KEEPALIVE_MAX_AGE_GRACE": "-2s"}, "CLAIMS_KEEPALIVE_MAX_AGE_GRACE must not be negative"},
		{[]string{"--send-timeout", "-1s"}, nil, "--send-timeout must not be negative"},
		{[]string{"--shutdown-drain", "-1s"}, nil, "--shutdown-drain must not be negative"},
		{[]string{"--reload-interval", "-1s", "--read-only", "--data-dir", "d"}, nil, "--reload-interval must not be negative"},
		{[]string{"--reload-interval", "10s", "--data-dir", "d"}, nil, "--reload-interval needs --read-only and --data-dir"},
		{[]string{"--reload-interval", "1ns", "--read-only", "--data-dir", "d"}, nil, "--reload-interval is 1ns, below the least, 10ms"},
		{[]string{"--reload-interval", "10s", "--read-only"}, nil, "--reload-interval needs --read-only and --data-dir"},
		{nil, map[string]string{"CLAIMS_RELOAD_INTERVAL": "5s", "CLAIMS_READ_ONLY": "true"}, "CLAIMS_RELOAD_INTERVAL needs CLAIMS_READ_ONLY and --data-dir"},
		// A value from the environment is named by its variable.
		{nil, map[string]string{"CLAIMS_CALL_TIMEOUT": "0s"}, "CLAIMS_CALL_TIMEOUT must be positive"},
		{nil, map[string]string{"CLAIMS_MAX_EXAMPLES": "abc"}, `CLAIMS_MAX_EXAMPLES="abc": not a valid value for --max-examples`},
		{[]string{"--max-examples", "abc"}, nil, `invalid value "abc" for flag --max-examples: parse error (server -h lists the flags)`},
		{[]string{"--grpc-addr", "127.0.0.1:9000", "--http-addr", "127.0.0.1:9000"}, nil, "--grpc-addr and --http-addr are both 127.0.0.1:9000: they need addresses of their own"},
		{[]string{"--health-addr", "127.0.0.1:8080"}, nil, "--http-addr and --health-addr are both 127.0.0.1:8080"},
		{nil, map[string]string{"CLAIMS_HEALTH_ADDR": "127.0.0.1:50051"}, "--grpc-addr and CLAIMS_HEALTH_ADDR are both 127.0.0.1:50051"},
		{[]string{"--health-addr", "0.0.0.0:"}, nil, `--health-addr: "0.0.0.0:" needs a port number`},
		{[]string{"--health-addr", "nope"}, nil, "--health-addr: address nope: missing port in address"},
		{[]string{"--debug-addr", "0.0.0.0:6060"}, nil, `--debug-addr: "0.0.0.0:6060" is not a loopback address`},
		{nil, map[string]string{"CLAIMS_DEBUG_ADDR": ":6060"}, `CLAIMS_DEBUG_ADDR: ":6060" is not a loopback address`},
		{[]string{"--debug-addr", "127.0.0.1:8080"}, nil, "--http-addr and --debug-addr are both 127.0.0.1:8080"},
		{[]string{"--debug-addr", "localhost"}, nil, "--debug-addr: address localhost: missing port in address"},
		// An empty port would listen on a random one.
		{[]string{"--grpc-addr", "127.0.0.1:"}, nil, `--grpc-addr: "127.0.0.1:" needs a port number`},
		{nil, map[string]string{"CLAIMS_HTTP_ADDR": ":"}, `CLAIMS_HTTP_ADDR: ":" needs a port number`},
		{[]string{"--http-addr", "127.0.0.1:99999"}, nil, "needs a port number"},
		{[]string{"--http-addr", "127.0.0.1:http"}, nil, "needs a port number"},
		// A token no client could present.
		{nil, map[string]string{"CLAIMS_TRAIN_TOKEN": "secret\n"}, "CLAIMS_TRAIN_TOKEN: byte 6 is a space, a control character or not ASCII"},
		{[]string{"--train-token", " secret"}, nil, "--train-token: byte 0"},
		{[]string{"--train-token", "tökén"}, nil, "--train-token: byte 1"},
		{[]string{"--cors-origins", "not a url"}, nil, `--cors-origins: CORS origin: invalid origin "not a url"`},
		{[]string{"--trusted-proxies", "10.0.0.0/8,lb.internal"}, nil, `--trusted-proxies: "lb.internal" is not an IP address or CIDR prefix`},
		{nil, map[string]string{"CLAIMS_TRUSTED_PROXIES": "10.0.0.0/33"}, `CLAIMS_TRUSTED_PROXIES: "10.0.0.0/33" is not an IP address or CIDR prefix`},
		// Any web page could train a model open to every caller.
		{[]string{"--cors-origins", "*"}, nil, "lets any web page call Train and Forget"},
	}
	for _, tt := range tests {
		_, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: got %v, want error containing %q", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		grpc, http string
		want       bool
	}{
		{"127.0.0.1:1", "localhost:2", true},
		{"[::1]:1", "127.0.0.2:2", true},
		{"0.0.0.0:1", "127.0.0.1:2", false},
		{"127.0.0.1:1", ":2", false},
		{"10.0.0.5:1", "127.0.0.1:2", false},
	}
	for _, tt := range tests {
		c := config{GRPCAddr: tt.grpc, HTTPAddr: tt.http}
		if got := c.loopbackOnly(); got != tt.want {
			t.Errorf("%s %s: got %v, want %v", tt.grpc, tt.http, got, tt.want)
		}
	}
}

// TestHelpToStdout: -h prints the usage to the writer parseConfig is given
// (stdout in main, so that it pipes into grep) and returns flag.ErrHelp.
func TestHelpToStdout(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-h"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "Usage: server [flags]") || !strings.Contains(out.String(), "-train-token") {
		t.Errorf("got %v and %q, want flag.ErrHelp and the usage", err, out.String())
	}
}

// TestVersion asks for the version: it goes to stdout and parseConfig
// returns errVersionShown. CLAIMS_VERSION sets nothing: a server started
// with it serves.
func TestVersion(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"--version"}, func(string) string { return "" }, &out)
	if !errors.Is(err, errVersionShown) || !strings.HasPrefix(out.String(), "claims server ") || !strings.Contains(out.String(), runtime.Version()) {
		t.Errorf("got %v and %q, want errVersionShown and the version", err, out.String())
	}
	out.Reset()
	if _, err := parseConfig(nil, func(k string) string { return map[string]string{"CLAIMS_VERSION": "true"}[k] }, &out); err != nil || out.Len() != 0 {
		t.Errorf("with CLAIMS_VERSION=true: got %v and %q, want no error and no output", err, out.String())
	}
}

// TestWarnMemory checks the start-up warning that the requests the limits
// let the server hold may take more memory than the runtime's memory
// limit.
func TestWarnMemory(t *testing.T) {
	for _, tt := range []struct {
		name     string
		inflight int
		limit    int64
		want     string
	}{
		{"defaults in 256 MiB", 128, 256 << 20, "may take more memory than the Go runtime's memory limit (from GOMEMLIMIT;"},
		{"defaults in 8 GiB", 128, 8 << 30, ""},
		{"no bound", 0, 8 << 30, "(from GOMEMLIMIT) but --max-inflight-calls is 0: the requests held at once have no bound"},
	} {
		var buf bytes.Buffer
		cfg := config{Limits: api.DefaultLimits()}
		cfg.Limits.MaxInflightCalls = tt.inflight
		warnMemory(slog.New(slog.NewTextHandler(&buf, nil)), cfg, tt.limit, "GOMEMLIMIT")
		if got := buf.String(); tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got %q, want a line with %q", tt.name, got, tt.want)
		}
	}
}

// cgroupLimit is a root file system whose process is in the root group
// of a cgroup v2 hierarchy with memory.max v.
func cgroupLimit(v string) fstest.MapFS {
	return fstest.MapFS{
		"proc/self/cgroup":         {Data: []byte("0::/\n")},
		"sys/fs/cgroup/memory.max": {Data: []byte(v + "\n")},
	}
}

// TestApplyMemoryLimit checks that the runtime's memory limit is set to
// --memory-limit-ratio of the container's, and left alone when GOMEMLIMIT
// is set, the ratio is 0, the container has no limit or its limit cannot
// be read.
func TestApplyMemoryLimit(t *testing.T) {
	const before = int64(1) << 50
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(before))
	limited, unlimited, bad := cgroupLimit("1000000000"), cgroupLimit("max"), cgroupLimit("lots")
	for _, tt := range []struct {
		name      string
		gc        gcConfig
		ratio     float64
		root      fs.FS
		wantLimit int64 // the runtime's limit after, and the one returned
		wantFrom  string
		wantLog   string
	}{
		{"container limit", gcConfig{}, 0.9, limited, 900000000, "--memory-limit-ratio 0.9 of the container's", `msg="Go runtime memory limit set from the container's" gomemlimit_bytes=900000000 container_limit_bytes=1000000000 container_limit_file=/sys/fs/cgroup/memory.max memory_limit_ratio=0.9`},
		{"whole container limit", gcConfig{}, 1, limited, 1000000000, "--memory-limit-ratio 1 of the container's", "gomemlimit_bytes=1000000000"},
		{"GOMEMLIMIT set", gcConfig{MemLimitSet: true}, 0.9, limited, before, "GOMEMLIMIT", `level=WARN msg="GOMEMLIMIT is at or above the container's memory limit: the kernel would kill the server before the collector works harder; set it below, or unset it to take --memory-limit-ratio of the container's" gomemlimit_bytes=1125899906842624 container_limit_bytes=1000000000`},
		{"GOMEMLIMIT set at the container's", gcConfig{MemLimitSet: true}, 0.9, cgroupLimit("1125899906842624"), before, "GOMEMLIMIT", `msg="GOMEMLIMIT is at or above the container's memory limit`},
		{"GOMEMLIMIT set below the container's", gcConfig{MemLimitSet: true}, 0.9, cgroupLimit("2000000000000000"), before, "GOMEMLIMIT", ""},
		{"ratio 0", gcConfig{}, 0, limited, before, "", ""},
		{"GOMEMLIMIT=off", gcConfig{MemLimitSet: true}, 0.9, limited, math.MaxInt64, "", ""},
		{"no container limit", gcConfig{}, 0.9, unlimited, before, "", ""},
		{"no root", gcConfig{}, 0.9, nil, before, "", ""},
		{"unreadable limit", gcConfig{}, 0.9, bad, before, "", `level=WARN msg="cannot read the container's memory limit: the Go runtime's memory limit is left unset" error="/sys/fs/cgroup/memory.max: \"lots\" is neither`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantLimit == math.MaxInt64 {
				debug.SetMemoryLimit(math.MaxInt64) // as GOMEMLIMIT=off leaves it
			} else {
				debug.SetMemoryLimit(before)
			}
			var buf bytes.Buffer
			cfg := config{GC: tt.gc, MemoryLimitRatio: tt.ratio, Root: tt.root}
			mem := applyMemoryLimit(cfg, slog.New(slog.NewTextHandler(&buf, nil)))
			limit, from := mem.limit, mem.from
			got := debug.SetMemoryLimit(-1)
			if got != tt.wantLimit || from != tt.wantFrom {
				t.Errorf("runtime limit and source: got %d, %q, want %d, %q", got, from, tt.wantLimit, tt.wantFrom)
			}
			if tt.wantFrom != "" && limit != got {
				t.Errorf("limit returned: got %d, want %d", limit, got)
			}
			if log := buf.String(); tt.wantLog == "" && log != "" || !strings.Contains(log, tt.wantLog) {
				t.Errorf("log: got %q, want a line with %q", log, tt.wantLog)
			}
		})
	}
}

// TestMemoryLimitRatioFlag checks the ratio's range and its variable.
func TestMemoryLimitRatioFlag(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		env     string
		want    float64
		wantErr string
	}{
		{nil, "", 0.9, ""},
		{[]string{"--memory-limit-ratio", "0"}, "", 0, ""},
		{[]string{"--memory-limit-ratio", "1"}, "", 1, ""},
		{nil, "0.75", 0.75, ""},
		{[]string{"--memory-limit-ratio", "1.5"}, "", 0, "--memory-limit-ratio: 1.5 is neither 0 nor within 0.1..1"},
		{[]string{"--memory-limit-ratio", "-0.1"}, "", 0, "--memory-limit-ratio: -0.1 is neither 0 nor within 0.1..1"},
		{[]string{"--memory-limit-ratio", "NaN"}, "", 0, "--memory-limit-ratio: NaN is neither 0 nor within 0.1..1"},
		{nil, "2", 0, "CLAIMS_MEMORY_LIMIT_RATIO: 2 is neither 0 nor within 0.1..1"},
		{[]string{"--memory-limit-ratio", "0.1"}, "", 0.1, ""},
		{[]string{"--memory-limit-ratio", "1e-300"}, "", 0, "--memory-limit-ratio: 1e-300 is neither 0 nor within 0.1..1"},
	} {
		getenv := func(k string) string { return map[string]string{"CLAIMS_MEMORY_LIMIT_RATIO": tt.env}[k] }
		c, err := parseConfig(tt.args, getenv, io.Discard)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q, env %q: got error %v, want %q", tt.args, tt.env, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.MemoryLimitRatio != tt.want {
			t.Errorf("%q, env %q: got %v, %v, want %v", tt.args, tt.env, c.MemoryLimitRatio, err, tt.want)
		}
	}
}

// swapFS is a file system whose files a test replaces between reads.
type swapFS struct {
	mu    sync.Mutex
	files fstest.MapFS
	opens atomic.Int64 // Opens of /proc/self/cgroup: reads of the limit begun
}

// Open opens name among the files of the moment.
func (f *swapFS) Open(name string) (fs.File, error) {
	if name == "proc/self/cgroup" {
		f.opens.Add(1)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.files.Open(name)
}

// set replaces the files.
func (f *swapFS) set(files fstest.MapFS) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files = files
}

// TestRecheckMemoryLimit checks that the runtime's memory limit follows
// the container's when it changes (a pod resized in place), is lifted
// when it goes, and stays as it was when it cannot be read, which is
// logged once.
func TestRecheckMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	root := &swapFS{files: cgroupLimit("1000000000")}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	cfg := config{MemoryLimitRatio: 0.5, Root: root, Limits: api.DefaultLimits()}
	start := applyMemoryLimit(cfg, log)
	last, lastErr := start.container, start.readErr
	for i, step := range []struct {
		limit       string
		wantRuntime int64
		wantLast    int64
		wantLog     string // in this step's lines; "" for none
	}{
		{"1000000000", 500000000, 1000000000, ""},
		{"4000000000", 2000000000, 4000000000, `msg="the container's memory limit changed: the Go runtime's memory limit follows" gomemlimit_bytes=2000000000 container_limit_bytes=4000000000 container_limit_bytes_before=1000000000`},
		{"lots", 2000000000, 4000000000, `level=WARN msg="cannot read the container's memory limit again: the Go runtime's memory limit stays as it was"`},
		{"lots", 2000000000, 4000000000, ""}, // logged once
		{"4000000000", 2000000000, 4000000000, ""},
		{"max", math.MaxInt64, 0, `msg="the container has no memory limit any more: the Go runtime's memory limit is lifted" container_limit_bytes_before=4000000000`},
		{"max", math.MaxInt64, 0, ""},
		{"300000000", 150000000, 300000000, "container_limit_bytes_before=0"},
	} {
		root.set(cgroupLimit(step.limit))
		buf.Reset()
		last, lastErr = recheckMemoryLimit(cfg, log, last, lastErr)
		if got := debug.SetMemoryLimit(-1); got != step.wantRuntime || last != step.wantLast {
			t.Errorf("step %d (%s): got runtime limit %d, container %d, want %d, %d", i, step.limit, got, last, step.wantRuntime, step.wantLast)
		}
		if got := buf.String(); step.wantLog == "" && got != "" || !strings.Contains(got, step.wantLog) {
			t.Errorf("step %d (%s): got log %q, want a line with %q", i, step.limit, got, step.wantLog)
		}
	}
}

// TestFollowMemoryLimit runs the follower: it moves the runtime's limit
// when the container's changes, does not log again an error logged at
// start, and returns once its context is done.
func TestFollowMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	root := &swapFS{files: cgroupLimit("lots")}
	var buf apitest.LogBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	cfg := config{MemoryLimitRatio: 0.5, Root: root, Limits: api.DefaultLimits()}
	start := applyMemoryLimit(cfg, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		followMemoryLimit(ctx, cfg, log, time.Millisecond, start)
		close(done)
	}()
	// Checks that find the same error, at least two beside the start's.
	for deadline := time.Now().Add(5 * time.Second); root.opens.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the follower read the limit %d times in 5 s, want 3", root.opens.Load())
		}
	}
	root.set(cgroupLimit("800000000"))
	for deadline := time.Now().Add(5 * time.Second); debug.SetMemoryLimit(-1) != 400000000; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("runtime limit: got %d, want 400000000 after the container's changed", debug.SetMemoryLimit(-1))
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the follower did not return once its context was done")
	}
	logs := buf.String()
	if got := strings.Count(logs, "cannot read the container's memory limit"); got != 1 {
		t.Errorf("got %d lines about the unreadable limit, want 1 (at start):\n%s", got, logs)
	}
	if !strings.Contains(logs, "the container's memory limit changed") {
		t.Errorf("got log %q, want the change logged", logs)
	}
}
