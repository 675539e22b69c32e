package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
	if u := &rep.server; u.before.goroutines == 0 || u.after.goroutines == 0 || u.before.rss == 0 {
		t.Errorf("server usage: got %d goroutines before, %d after, RSS %.0f before; want readings of both", u.before.goroutines, u.after.goroutines, u.before.rss)
	}
}

// metricsServer serves a /metrics page whose go_goroutines reading is
// goroutines() at each read.
func metricsServer(t *testing.T, goroutines func() int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines %d\nprocess_resident_memory_bytes 5.1e+07\n", goroutines())
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
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
			var mu sync.Mutex
			reads := 0
			addr := metricsServer(t, func() int {
				mu.Lock()
				defer mu.Unlock()
				v := tt.after[min(reads, len(tt.after)-1)]
				reads++
				return v
			})
			u := &usage{before: reading{goroutines: 90}}
			err := u.settle(context.Background(), addr, time.Second)
			if got := err != nil; got != tt.wantLeak {
				t.Fatalf("got error %v, want a leak reported: %v", err, tt.wantLeak)
			}
			if tt.wantLeak && !strings.Contains(err.Error(), "a leak") {
				t.Errorf("got %q, want it to say a leak", err)
			}
			if want := tt.after[len(tt.after)-1]; u.after.goroutines != want {
				t.Errorf("got %d goroutines after, want %d", u.after.goroutines, want)
			}
		})
	}
}

func TestScrape(t *testing.T) {
	tests := []struct {
		name    string
		page    string
		want    reading
		wantErr string
	}{
		{"both", "go_goroutines 88\nprocess_resident_memory_bytes 4.53e+07\n", reading{88, 4.53e7}, ""},
		{"among others", "# TYPE go_goroutines gauge\ngo_gc_duration_seconds{quantile=\"0\"} 1e-05\ngo_goroutines 7\ngo_threads 9\nprocess_resident_memory_bytes 1000\n", reading{7, 1000}, ""},
		{"no memory", "go_goroutines 88\n", reading{}, "no go_goroutines or process_resident_memory_bytes"},
		{"not a number", "go_goroutines many\nprocess_resident_memory_bytes 1\n", reading{}, `go_goroutines "many"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tt.page) }))
			defer srv.Close()
			got, err := scrape(context.Background(), strings.TrimPrefix(srv.URL, "http://"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestQuiet(t *testing.T) {
	var mu sync.Mutex
	reads := []int{91, 90, 88, 89, 88}
	n := 0
	addr := metricsServer(t, func() int {
		mu.Lock()
		defer mu.Unlock()
		v := reads[min(n, len(reads)-1)]
		n++
		return v
	})
	got, err := quiet(context.Background(), addr)
	if err != nil || got.goroutines != 88 {
		t.Fatalf("got %d goroutines, %v; want the fewest read, 88", got.goroutines, err)
	}
}
