package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
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
	rep, err := run(ctx, config{Server: bin, Clients: 4, Trainers: 2, Duration: 3 * time.Second, REST: true, Batch: 3})
	var b strings.Builder
	if rep != nil {
		rep.print(&b)
		t.Log("\n" + b.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{classifyGRPC, classifyREST, trainGRPC} {
		if s := rep.kinds[k]; s == nil || len(s.latencies) == 0 {
			t.Errorf("no successful %s call", k)
		}
	}
	if rep.trains == 0 {
		t.Errorf("no Train acknowledged: the counts check proved nothing")
	}
}
