package main

import (
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
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
	srv := grpc.NewServer()
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
			`client: service "stopping.v1.Service" is NOT_SERVING (a server that is stopping says so from the signal on, through its --shutdown-drain)`},
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
	hs.Shutdown() // every service NOT_SERVING, as a server that is stopping
	if code, out, errs := runCLI(t, "", "health", "--addr", addr, "--service", ""); code != 1 || out != "NOT_SERVING\n" || !strings.Contains(errs, "the server is NOT_SERVING") {
		t.Errorf("after Shutdown: got exit %d, stdout %q, stderr %q; want exit 1, NOT_SERVING, the server is NOT_SERVING", code, out, errs)
	}
}
