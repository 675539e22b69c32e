package api_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// panicky panics in Classify and ClassifyStream, and answers GetModel.
type panicky struct {
	claimsv1.UnimplementedClaimServiceServer
}

func (panicky) Classify(context.Context, *claimsv1.ClassifyRequest) (*claimsv1.ClassifyResponse, error) {
	var m map[string]int
	m["boom"]++ // a real runtime panic: assignment to entry in nil map
	return nil, nil
}

func (panicky) ClassifyStream(grpc.BidiStreamingServer[claimsv1.ClassifyStreamRequest, claimsv1.ClassifyStreamResponse]) error {
	panic("stream went boom")
}

func (panicky) GetModel(context.Context, *claimsv1.GetModelRequest) (*claimsv1.GetModelResponse, error) {
	return &claimsv1.GetModelResponse{Version: 7}, nil
}

// TestPanicRecovery checks that a panicking handler answers INTERNAL, with
// no detail of the panic, that the log has the panic and its stack, and
// that the server keeps serving.
func TestPanicRecovery(t *testing.T) {
	logs := &apitest.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	unary, stream := api.Interceptors(api.Auth{Open: true}, api.DefaultLimits().CallTimeout, api.Observer{Log: log, Transport: api.GRPC})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream))
	claimsv1.RegisterClaimServiceServer(srv, panicky{})
	client := claimsv1.NewClaimServiceClient(apitest.Dial(t, srv))

	_, err := client.Classify(callCtx(t), &claimsv1.ClassifyRequest{Text: "x"})
	if st := status.Convert(err); st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Errorf("unary: got %s %q, want Internal \"internal error\"", st.Code(), st.Message())
	}
	s, err := client.ClassifyStream(callCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Recv()
	if st := status.Convert(err); st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Errorf("stream: got %s %q, want Internal \"internal error\"", st.Code(), st.Message())
	}
	// Still serving.
	if m, err := client.GetModel(callCtx(t), &claimsv1.GetModelRequest{}); err != nil || m.GetVersion() != 7 {
		t.Errorf("after panics: got %v, %v", m, err)
	}

	out := logs.String()
	for _, want := range []string{
		`"msg":"panic in handler"`,
		`"method":"/claims.v1.ClaimService/Classify"`,
		"assignment to entry in nil map",
		`"method":"/claims.v1.ClaimService/ClassifyStream"`,
		"stream went boom",
		`"stack":"goroutine `,
		"api_test.panicky.Classify", // the frame that panicked
		"api_test.panicky.ClassifyStream",
		`"level":"ERROR","msg":"rpc","method":"Classify","code":"Internal"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s\n%s", want, out)
		}
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
