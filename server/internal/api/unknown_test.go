package api_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestUnknownMethod calls methods a server does not have: each gets
// grpc's own UNIMPLEMENTED and a request ID, is logged with the name it
// was called by (clipped when long), and is counted under the method
// "unknown" only, so that no client makes a metric label.
func TestUnknownMethod(t *testing.T) {
	logs := &apitest.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	reg := prometheus.NewRegistry()
	metrics, err := api.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	unary, stream := api.Interceptors(api.Auth{Open: true}, api.DefaultLimits().CallTimeout, api.Observer{Log: log, Metrics: metrics, Transport: api.GRPC})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream),
		grpc.UnknownServiceHandler(api.UnknownMethod(func(name string) bool { return name == "claims.v1.ClaimService" })))
	claimsv1.RegisterClaimServiceServer(srv, panicky{})
	conn := apitest.Dial(t, srv)
	long := "/" + strings.Repeat("s", 200) + "/M"
	for _, tt := range []struct {
		method, msg, logged, short string
	}{
		{"/claims.v1.ClaimService/Nope", "unknown method Nope for service claims.v1.ClaimService", "/claims.v1.ClaimService/Nope", "unknown method"},
		{"/nope.v1.Svc/Call", "unknown service nope.v1.Svc", "/nope.v1.Svc/Call", "unknown service"},
		{long, "unknown service " + strings.Repeat("s", 200), long[:128] + "…", "unknown service"},
	} {
		before := len(logs.String())
		var header metadata.MD
		err := conn.Invoke(callCtx(t), tt.method, &emptypb.Empty{}, &emptypb.Empty{}, grpc.Header(&header))
		if st := status.Convert(err); st.Code() != codes.Unimplemented || st.Message() != tt.msg {
			t.Errorf("%s: got %s %q, want Unimplemented %q", tt.method, st.Code(), st.Message(), tt.msg)
		}
		if ids := header.Get("x-request-id"); len(ids) != 1 {
			t.Errorf("%s: got request IDs %q, want one", tt.method, ids)
		}
		var l apitest.RPCLine
		if lines := apitest.RPCLines(logs.String()[before:]); len(lines) > 0 {
			l = lines[0]
		}
		if l.Method != tt.logged || l.Code != "Unimplemented" || l.Error != tt.short {
			t.Errorf("%s: logged %+v, want method %q, code Unimplemented, error %q", tt.method, l, tt.logged, tt.short)
		}
	}
	// A known method is counted under its name, as before.
	if _, err := claimsv1.NewClaimServiceClient(conn).GetModel(callCtx(t), &claimsv1.GetModelRequest{}); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "claims_rpc_calls_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "method" {
					counts[lp.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	if len(counts) != 2 || counts["unknown"] != 3 || counts["GetModel"] != 1 {
		t.Errorf("claims_rpc_calls_total by method: got %v, want unknown 3 and GetModel 1", counts)
	}
}
