package api_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
	"github.com/claimsvc/claims/server/internal/reqid"
)

// TestRequestIDsAndProxies makes gRPC calls on loopback to a server that
// trusts 127.0.0.1 as a proxy. Each call gets one request ID back in its
// headers, the client's own if valid, and its access log line has the
// same ID and the client its x-forwarded-for names; so does a call whose
// message is over the receive limit.
func TestRequestIDsAndProxies(t *testing.T) {
	logs, log, model := loggedModel(t)
	limits := api.DefaultLimits()
	limits.MaxGRPCReceiveBytes = 1 << 10
	proxies, err := api.ParseProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	o := api.Observer{Log: log, Transport: api.GRPC, Proxies: proxies}
	unary, stream := api.Interceptors(api.Auth{Open: true}, limits.CallTimeout, o)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream), grpc.MaxRecvMsgSize(limits.MaxGRPCReceiveBytes))
	srv.RegisterService(api.ObserveReceive(claimsv1.ClaimService_ServiceDesc, o), api.NewService(model, limits, "test", nil, log))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	client := claimsv1.NewClaimServiceClient(conn)

	type line struct{ Msg, Method, Code, Peer, XRequestID string }
	for _, tt := range []struct {
		name     string
		md       []string // sent
		call     func(ctx context.Context, header *metadata.MD) error
		method   string
		code     codes.Code
		wantID   string // "" for a new one
		wantPeer string // "" for the connection's address
	}{
		{"an ID kept", []string{"x-request-id", "req-1"}, getModel(client), "GetModel", codes.OK, "req-1", ""},
		{"the first ID kept", []string{"x-request-id", "req-2", "x-request-id", "req-3"}, getModel(client), "GetModel", codes.OK, "req-2", ""},
		{"no ID", nil, getModel(client), "GetModel", codes.OK, "", ""},
		{"an ID with a space", []string{"x-request-id", "req 4"}, getModel(client), "GetModel", codes.OK, "", ""},
		{"an ID too long", []string{"x-request-id", strings.Repeat("r", 129)}, getModel(client), "GetModel", codes.OK, "", ""},
		{"a forwarded client", []string{"x-forwarded-for", "203.0.113.9, 198.51.100.1"}, getModel(client), "GetModel", codes.OK, "", "198.51.100.1"},
		{"a stream", []string{"x-request-id", "req-5", "x-forwarded-for", "198.51.100.2"}, func(ctx context.Context, header *metadata.MD) error {
			s, err := client.ClassifyStream(ctx)
			if err != nil {
				return err
			}
			s.CloseSend()
			if _, err := s.Recv(); err == nil {
				t.Errorf("a stream: a result for no request")
			}
			*header, err = s.Header()
			return err
		}, "ClassifyStream", codes.OK, "req-5", "198.51.100.2"},
		{"a message over the limit", []string{"x-request-id", "req-6"}, func(ctx context.Context, header *metadata.MD) error {
			_, err := client.Classify(ctx, &claimsv1.ClassifyRequest{Text: strings.Repeat("x", 2<<10)}, grpc.Header(header))
			return err
		}, "Classify", codes.ResourceExhausted, "req-6", ""},
	} {
		before := len(logs.String())
		ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(), tt.md...), 10e9)
		var header metadata.MD
		err := tt.call(ctx, &header)
		cancel()
		if status.Code(err) != tt.code {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.code)
			continue
		}
		ids := header.Get("x-request-id")
		if len(ids) != 1 || !reqid.Valid(ids[0]) || tt.wantID != "" && ids[0] != tt.wantID || tt.wantID == "" && len(ids[0]) != 26 {
			t.Errorf("%s: got request IDs %q in the headers, want one: %q (or a new one if empty)", tt.name, ids, tt.wantID)
			continue
		}
		// grpc sends the status of a message it could not receive before
		// the server's code learns of it: its line may come a little
		// after the client's error.
		var got []line
		for _, l := range logs.WaitRPCLines(before) {
			got = append(got, line{Msg: "rpc", Method: l.Method, Code: l.Code, Peer: l.Peer, XRequestID: l.XRequestID})
		}
		wantPeer := tt.wantPeer
		if len(got) == 1 && wantPeer == "" {
			if !strings.HasPrefix(got[0].Peer, "127.0.0.1:") {
				t.Errorf("%s: peer %q, want the connection's 127.0.0.1 address", tt.name, got[0].Peer)
			}
			wantPeer = got[0].Peer
		}
		want := line{Msg: "rpc", Method: tt.method, Code: tt.code.String(), Peer: wantPeer, XRequestID: ids[0]}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: logged %+v, want %+v", tt.name, got, want)
		}
	}
}

// loggedModel returns a test model and a JSON logger writing to logs.
func loggedModel(t *testing.T) (logs *apitest.LogBuffer, log *slog.Logger, model *classifier.Classifier) {
	t.Helper()
	logs = &apitest.LogBuffer{}
	model, err := apitest.NewModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	return logs, slog.New(slog.NewJSONHandler(logs, nil)), model
}

func getModel(client claimsv1.ClaimServiceClient) func(context.Context, *metadata.MD) error {
	return func(ctx context.Context, header *metadata.MD) error {
		_, err := client.GetModel(ctx, &claimsv1.GetModelRequest{}, grpc.Header(header))
		return err
	}
}

// TestTraceContext makes gRPC calls with traceparent metadata: a call
// with one valid value has its trace ID in its access log line (and a
// Train in its own line too); none, several or one not valid give none.
func TestTraceContext(t *testing.T) {
	logs, log, model := loggedModel(t)
	limits := api.DefaultLimits()
	o := api.Observer{Log: log, Transport: api.GRPC}
	unary, stream := api.Interceptors(api.Auth{Open: true}, limits.CallTimeout, o)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream))
	claimsv1.RegisterClaimServiceServer(srv, api.NewService(model, limits, "test", nil, log))
	client := claimsv1.NewClaimServiceClient(apitest.Dial(t, srv))
	const (
		valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	)
	classify := func(ctx context.Context) error {
		_, err := client.Classify(ctx, &claimsv1.ClassifyRequest{Text: "Rebels blamed for the blast."})
		return err
	}
	for _, tt := range []struct {
		name string
		md   []string
		call func(context.Context) error
		want string
	}{
		{"one valid", []string{"traceparent", valid}, classify, trace},
		{"a stream", []string{"traceparent", valid}, func(ctx context.Context) error {
			s, err := client.ClassifyStream(ctx)
			if err == nil {
				err = s.Send(&claimsv1.ClassifyStreamRequest{Text: "Rebels blamed for the blast."})
			}
			if err == nil {
				_, err = s.Recv()
			}
			if err == nil {
				err = s.CloseSend()
			}
			if err == nil {
				_, err = s.Recv()
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return err
		}, trace},
		{"none", nil, classify, ""},
		{"two", []string{"traceparent", valid, "traceparent", valid}, classify, ""},
		{"not valid", []string{"traceparent", "00-" + trace + "-0000000000000000-01"}, classify, ""},
	} {
		before := len(logs.String())
		ctx := metadata.AppendToOutgoingContext(context.Background(), tt.md...)
		if err := tt.call(ctx); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		lines := logs.WaitRPCLines(before)
		if len(lines) != 1 || lines[0].TraceID != tt.want {
			t.Errorf("%s: logged %+v, want one line with trace_id %q", tt.name, lines, tt.want)
		}
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(), "traceparent", valid)
	if _, err := client.Train(ctx, &claimsv1.TrainRequest{Examples: []*claimsv1.Example{{Text: "The group denied it.", Label: "denial"}}}); err != nil {
		t.Fatal(err)
	}
	var trained string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"msg":"model trained"`) {
			trained = l
		}
	}
	if !strings.Contains(trained, `"trace_id":"`+trace+`"`) {
		t.Errorf("Train's own line: got %q, want it with the trace ID", trained)
	}
}
