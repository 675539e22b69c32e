package main

import (
	"context"
	"flag"
	"fmt"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
)

// healthOpts are the flags of the health command.
type healthOpts struct {
	service string
}

func healthFlags(fs *flag.FlagSet) any {
	o := &healthOpts{}
	fs.StringVar(&o.service, "service", claimsv1.ClaimService_ServiceDesc.ServiceName, `the service to check ("" for the server as a whole)`)
	return o
}

// errNotServing is the health command's failure when the server answers
// with any status but SERVING.
type errNotServing struct {
	service string
	status  healthpb.HealthCheckResponse_ServingStatus
}

func (e errNotServing) Error() string {
	what := fmt.Sprintf("service %q", e.service)
	if e.service == "" {
		what = "the server"
	}
	return fmt.Sprintf("%s is %s (a claims server says so from a SIGTERM on, through its --shutdown-drain)", what, e.status)
}

// runHealth asks the server's gRPC health service about one service and
// prints its status; any status but SERVING fails the command, so that it
// serves as a probe (exit 0 when serving).
func runHealth(ctx context.Context, e *env, opts any) error {
	o := opts.(*healthOpts)
	if len(e.args) > 0 {
		return usageErrorf("unexpected arguments %q", e.args)
	}
	cctx, cancel := e.common.callContext(ctx)
	defer cancel()
	r, err := healthpb.NewHealthClient(e.conn).Check(cctx, &healthpb.HealthCheckRequest{Service: o.service})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, r.GetStatus())
	if r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return errNotServing{o.service, r.GetStatus()}
	}
	return nil
}
