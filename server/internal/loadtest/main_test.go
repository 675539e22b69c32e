package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoadShort is the load test, short: a few classifying and training
// clients for a few seconds against a freshly built server binary (built
// with -race when the test is, so the server's own data races fail it).
func TestLoadShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "server")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, "github.com/claimsvc/claims/server")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := run(ctx, config{Server: bin, Clients: 4, Streams: 2, Abandoners: 1, Trainers: 2, Duration: 3 * time.Second, REST: true, Batch: 3})
	var b strings.Builder
	if rep != nil {
		rep.print(&b)
		t.Log("\n" + b.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		if s := rep.kinds[k]; s == nil || len(s.latencies) == 0 {
			t.Errorf("no successful %s call", k)
		}
	}
	if rep.trains == 0 {
		t.Errorf("no Train acknowledged: the counts check proved nothing")
	}
	if u := &rep.server; u.before.goroutines == 0 || u.after.goroutines == 0 {
		t.Errorf("server goroutines: got %d before, %d after; want readings", u.before.goroutines, u.after.goroutines)
	}
	if _, err := os.Stat("/proc/self/status"); err == nil && rep.server.before.rss == 0 {
		t.Errorf("server RSS: got 0 before, want a reading from /proc")
	}
}

// readings returns a probe that gives the goroutine counts in turn, the
// last one again once they run out.
func readings(counts ...int) probe {
	var mu sync.Mutex
	n := 0
	return func(context.Context) (reading, error) {
		mu.Lock()
		defer mu.Unlock()
		v := counts[min(n, len(counts)-1)]
		n++
		return reading{goroutines: v, rss: 5.1e7}, nil
	}
}

func TestSettle(t *testing.T) {
	tests := []struct {
		name     string
		after    []int // readings in turn; the last repeats
		wantLeak bool
	}{
		{"back at once", []int{90}, false},
		{"within the slack", []int{90 + goroutineSlack}, false},
		{"back after a while", []int{130, 120, 95, 90}, false},
		{"one over the slack", []int{91 + goroutineSlack}, true},
		{"never back", []int{150}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &usage{before: reading{goroutines: 90}}
			dump := func(context.Context) string { return "42 @ 0x1\n#\t0x1\tmain.leak+0x1" }
			err := u.settle(context.Background(), readings(tt.after...), time.Second, dump)
			if got := err != nil; got != tt.wantLeak {
				t.Fatalf("got error %v, want a leak reported: %v", err, tt.wantLeak)
			}
			if tt.wantLeak && (!strings.Contains(err.Error(), "a leak") || !strings.Contains(err.Error(), "main.leak")) {
				t.Errorf("got %q, want it to say a leak and give the goroutines", err)
			}
			if want := tt.after[len(tt.after)-1]; u.after.goroutines != want {
				t.Errorf("got %d goroutines after, want %d", u.after.goroutines, want)
			}
		})
	}
}

func TestQuiet(t *testing.T) {
	got, err := quiet(context.Background(), readings(91, 90, 88, 89, 88))
	if err != nil || got.goroutines != 88 {
		t.Fatalf("got %d goroutines, %v; want the fewest read, 88", got.goroutines, err)
	}
}

func TestGoroutineTotal(t *testing.T) {
	tests := []struct {
		page    string
		want    int
		wantErr bool
	}{
		{"goroutine profile: total 88\n3 @ 0x43e\n", 88, false},
		{"goroutine profile: total 1", 1, false},
		{"goroutine profile: total 0\n", 0, true},
		{"goroutine profile: total many\n", 0, true},
		{"404 page not found\n", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := goroutineTotal(tt.page)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("goroutineTotal(%q): got %d, %v; want %d, error %v", tt.page, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestVmRSS(t *testing.T) {
	tests := []struct {
		status string
		want   float64
	}{
		{"Name:\tserver\nVmHWM:\t   70000 kB\nVmRSS:\t   46400 kB\nRssAnon:\t 30000 kB\n", 46400 * 1024},
		{"VmRSS:\t1 kB", 1024},
		{"Name:\tserver\n", 0},
		{"VmRSS:\t46400 MB\n", 0},
		{"VmRSS:\tlots kB\n", 0},
	}
	for _, tt := range tests {
		if got := vmRSS(tt.status); got != tt.want {
			t.Errorf("vmRSS(%q): got %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestGetDebug(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debug/pprof/goroutine" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "goroutine profile: total 7\n")
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if page, err := getDebug(context.Background(), addr, "/debug/pprof/goroutine?debug=1"); err != nil || page != "goroutine profile: total 7\n" {
		t.Errorf("got %q, %v; want the profile", page, err)
	}
	if _, err := getDebug(context.Background(), addr, "/nothing"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("got %v, want the 404", err)
	}
	if _, err := getDebug(context.Background(), "", "/debug/pprof/goroutine?debug=1"); err == nil || !strings.Contains(err.Error(), "--debug-addr") {
		t.Errorf("got %v, want it to say the server has no --debug-addr", err)
	}
}

func TestCheckServerArgs(t *testing.T) {
	tests := []struct {
		args    string
		wantErr string
	}{
		{"", ""},
		{"--max-inflight-calls 3 --keepalive-max-idle=2s", ""},
		{"--debug-addr 127.0.0.1:6999", ""},
		{"-debug-addr=[::1]:0", ""},
		{"--log-format text", "--log-format is set by the load test"},
		{"-log-level=error", "--log-level is set by the load test"},
		{"--debug-addr=", "--debug-addr may not be empty"},
		{"--debug-addr ''", "--debug-addr may not be empty"},
		{"--debug-addr", "--debug-addr may not be empty"},
	}
	for _, tt := range tests {
		err := checkServerArgs(strings.Fields(tt.args))
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("checkServerArgs(%q): got %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}
