package api

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestCodecRefusesWithTheListedCount sends messages that list more
// examples or sentences than the limits through a server with Codec: each
// is refused with the number it listed, and a message within the limits
// is served as before.
func TestCodecRefusesWithTheListedCount(t *testing.T) {
	model, err := apitest.NewModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	limits := DefaultLimits()
	limits.MaxExamples, limits.MaxSentences = 5, 4
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	unary, stream := Interceptors(Auth{Open: true}, limits.CallTimeout, Observer{Log: log, Transport: GRPC})
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream), grpc.ForceServerCodecV2(NewCodec(limits)))
	claimsv1.RegisterClaimServiceServer(srv, NewService(model, limits, "test", nil, log))
	client := claimsv1.NewClaimServiceClient(apitest.Dial(t, srv))
	ctx := ctxT(t)
	examples := func(n int) []*claimsv1.Example {
		exs := make([]*claimsv1.Example, n)
		for i := range exs {
			exs[i] = &claimsv1.Example{Text: fmt.Sprintf("the ministry denied report %d", i), Label: "denial"}
		}
		return exs
	}
	sentences := func(n int) []string {
		return strings.Split(strings.Repeat("the airport reopened\n", n-1)+"the airport reopened", "\n")
	}
	for _, tt := range []struct {
		name string
		call func() error
		want string
	}{
		{"evaluate", func() error {
			_, err := client.Evaluate(ctx, &claimsv1.EvaluateRequest{Examples: examples(1000)})
			return err
		}, "examples: 1000 examples exceed the limit of 5"},
		{"train", func() error {
			_, err := client.Train(ctx, &claimsv1.TrainRequest{Examples: examples(6)})
			return err
		}, "examples: 6 examples exceed the limit of 5"},
		{"forget", func() error {
			_, err := client.Forget(ctx, &claimsv1.ForgetRequest{Examples: examples(7)})
			return err
		}, "examples: 7 examples exceed the limit of 5"},
		{"classify", func() error {
			_, err := client.Classify(ctx, &claimsv1.ClassifyRequest{Sentences: sentences(500), Explain: 1})
			return err
		}, "sentences: 500 sentences exceed the limit of 4"},
		{"stream", func() error {
			s, err := client.ClassifyStream(ctx)
			if err != nil {
				return err
			}
			if err := s.Send(&claimsv1.ClassifyStreamRequest{Sentences: sentences(9)}); err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		}, "sentences: 9 sentences exceed the limit of 4"},
	} {
		if st := status.Convert(tt.call()); st.Code() != codes.InvalidArgument || st.Message() != tt.want {
			t.Errorf("%s: got %s %q, want InvalidArgument %q", tt.name, st.Code(), st.Message(), tt.want)
		}
	}
	resp, err := client.Evaluate(ctx, &claimsv1.EvaluateRequest{Examples: examples(5)})
	if err != nil || resp.GetExamples() != 5 {
		t.Errorf("evaluate within the limit: got %v, %v", resp, err)
	}
	got, err := client.Classify(ctx, &claimsv1.ClassifyRequest{Sentences: sentences(4)})
	if err != nil || len(got.GetSentences()) != 4 {
		t.Errorf("classify within the limit: got %v, %v", got, err)
	}
}

// TestKeepFirst checks keepFirst and listed on a message's wire form: the
// first records of the field are kept with every other field, the count is
// exact, and malformed input is returned whole with a count of 0.
func TestKeepFirst(t *testing.T) {
	req := &claimsv1.EvaluateRequest{Examples: []*claimsv1.Example{{Text: "a", Label: "x"}, {Text: "b", Label: "y"}, {Text: "c", Label: "z"}}}
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	for keep := range 5 {
		kept, n := keepFirst(b, 1, keep)
		var got claimsv1.EvaluateRequest
		if err := proto.Unmarshal(kept, &got); err != nil || n != 3 || len(got.GetExamples()) != min(keep, 3) {
			t.Errorf("keep %d: got %d examples of %d listed, %v; want %d of 3", keep, len(got.GetExamples()), n, err, min(keep, 3))
		}
		if listed(&got, 9) != 9 {
			t.Errorf("keep %d: listed without a note: got %d, want 9", keep, listed(&got, 9))
		}
	}
	bad := append(b[:len(b):len(b)], 0x0a, 0x7f) // a record longer than what is left
	if kept, n := keepFirst(bad, 1, 1); n != 0 || len(kept) != len(bad) {
		t.Errorf("malformed: got %d bytes, count %d; want it whole and 0", len(kept), n)
	}
}

// FuzzKeepFirst checks that keepFirst never panics on any bytes and, when
// they are an EvaluateRequest, counts its examples exactly and keeps a
// message proto reads with the first ones.
func FuzzKeepFirst(f *testing.F) {
	seed, _ := proto.Marshal(&claimsv1.EvaluateRequest{Examples: []*claimsv1.Example{{Text: "a", Label: "x"}, {Text: "b"}}})
	f.Add(seed, 1)
	f.Add([]byte{0x0a, 0x00, 0x0a, 0x00, 0xff}, 1)
	f.Fuzz(func(t *testing.T, b []byte, keep int) {
		keep = max(keep%8, 0)
		kept, n := keepFirst(b, 1, keep)
		var whole claimsv1.EvaluateRequest
		if proto.Unmarshal(b, &whole) != nil {
			return
		}
		if n != len(whole.GetExamples()) {
			t.Fatalf("count %d, want %d", n, len(whole.GetExamples()))
		}
		var part claimsv1.EvaluateRequest
		if err := proto.Unmarshal(kept, &part); err != nil || len(part.GetExamples()) != min(n, keep) {
			t.Fatalf("kept %d examples (%v), want %d", len(part.GetExamples()), err, min(n, keep))
		}
	})
}

// TestCodecUnmarshal checks what Codec hands the service: a message over
// the limit with only its first limit+1 examples and the number it listed
// noted, and any other message decoded whole.
func TestCodecUnmarshal(t *testing.T) {
	limits := DefaultLimits()
	limits.MaxExamples = 5
	c := NewCodec(limits)
	exs := make([]*claimsv1.Example, 1000)
	for i := range exs {
		exs[i] = &claimsv1.Example{}
	}
	for _, tt := range []struct {
		n, wantHeld, wantListed int
	}{{1000, 6, 1000}, {6, 6, 6}, {5, 5, 77777}, {0, 0, 77777}} {
		b, err := proto.Marshal(&claimsv1.TrainRequest{Examples: exs[:tt.n], RequestId: "r"})
		if err != nil {
			t.Fatal(err)
		}
		// A note of the client's own comes before Codec's, which wins;
		// within the limits there is none of Codec's, and the service
		// does not ask.
		b = protowire.AppendVarint(protowire.AppendTag(b, listedField, protowire.VarintType), 77777)
		var got claimsv1.TrainRequest
		if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, &got); err != nil {
			t.Fatal(err)
		}
		if held := len(got.GetExamples()); held != tt.wantHeld || listed(&got, held) != tt.wantListed || got.GetRequestId() != "r" {
			t.Errorf("%d examples: got %d held, %d listed, request_id %q; want %d, %d and \"r\"", tt.n, held, listed(&got, held), got.GetRequestId(), tt.wantHeld, tt.wantListed)
		}
	}
}
