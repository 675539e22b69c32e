package main

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// TestHealth runs the health command against a server whose health
// service has the claims service serving and another one not: SERVING
// exits 0, any other status or an unknown service exits 1.
func TestHealth(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := health.NewServer()
	hs.SetServingStatus("claims.v1.ClaimService", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("stopping.v1.Service", healthpb.HealthCheckResponse_NOT_SERVING)
	var mu sync.Mutex
	var auth []string // the authorization metadata of every call
	srv := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		mu.Lock()
		auth = append(auth, md.Get("authorization")...)
		mu.Unlock()
		return handler(ctx, req)
	}))
	healthpb.RegisterHealthServer(srv, hs)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	addr := lis.Addr().String()

	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stdout string // the whole output
		stderr string // contained
	}{
		{"serving", []string{"health", "--addr", addr}, 0, "SERVING\n", ""},
		{"the server as a whole", []string{"health", "--addr", addr, "--service", ""}, 0, "SERVING\n", ""},
		{"not serving", []string{"health", "--addr", addr, "--service", "stopping.v1.Service"}, 1, "NOT_SERVING\n",
			`client: service "stopping.v1.Service" is NOT_SERVING (a claims server says so from a SIGTERM on, through its --shutdown-drain)`},
		{"unknown service", []string{"health", "--addr", addr, "--service", "nope.v1.Nope"}, 1, "", "client: NotFound: unknown service"},
		{"extra argument", []string{"health", "--addr", addr, "now"}, 2, "", `client health: unexpected arguments ["now"]`},
		{"no server", []string{"health", "--addr", "127.0.0.1:1"}, 1, "", "(no server listens at 127.0.0.1:1)"},
	} {
		code, out, errs := runCLI(t, "", tt.args...)
		if code != tt.code || out != tt.stdout || !strings.Contains(errs, tt.stderr) {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
				tt.name, code, out, errs, tt.code, tt.stdout, tt.stderr)
		}
	}
	// A probe sends no token, and a bad one in its environment (a
	// secret file's newline) does not fail it.
	var out, errb syncBuffer
	env := map[string]string{"CLAIMS_TOKEN": "s3cret\n"}
	if code := run(context.Background(), []string{"health", "--addr", addr, "--token", "flagtok"}, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] }); code != 0 {
		t.Errorf("with a token: got exit %d, stderr %q; want 0", code, errb.String())
	}
	mu.Lock()
	if len(auth) != 0 {
		t.Errorf("health sent authorization %q, want none", auth)
	}
	mu.Unlock()
	hs.Shutdown() // every service NOT_SERVING, as a server that is stopping
	if code, out, errs := runCLI(t, "", "health", "--addr", addr, "--service", ""); code != 1 || out != "NOT_SERVING\n" || !strings.Contains(errs, "the server is NOT_SERVING") {
		t.Errorf("after Shutdown: got exit %d, stdout %q, stderr %q; want exit 1, NOT_SERVING, the server is NOT_SERVING", code, out, errs)
	}
}
