package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
)

type noTokens struct{}

func (noTokens) AppendTokens(dst []string, _ string) []string { return dst }

// TestEveryLimitIsAFlagReportedByGetModel checks that each limit in
// GetModel's Limits has a flag of the same name (max_text_bytes is
// --max-text-bytes), that every field of api.Limits is set by one of them,
// and that a non-default value given to the flag is what GetModel reports.
func TestEveryLimitIsAFlagReportedByGetModel(t *testing.T) {
	fields := (&claimsv1.Limits{}).ProtoReflect().Descriptor().Fields()
	if n := reflect.TypeFor[api.Limits]().NumField(); fields.Len() != n {
		t.Fatalf("GetModel reports %d limits, api.Limits has %d", fields.Len(), n)
	}
	def := api.DefaultLimits()
	var args []string
	want := map[string]string{}
	for i := range fields.Len() {
		fd := fields.Get(i)
		flagName := strings.ReplaceAll(string(fd.Name()), "_", "-")
		value := fmt.Sprint(1000 + i) // differs from every default
		if fd.Kind() == protoreflect.MessageKind {
			value = fmt.Sprintf("%ds", 1000+i)
		}
		args = append(args, "--"+flagName, value)
		want[string(fd.Name())] = value
	}
	cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig(%v): %v", args, err)
	}
	// Every field of api.Limits changed, so every one has a flag.
	got, d := reflect.ValueOf(cfg.Limits), reflect.ValueOf(def)
	for i := range got.NumField() {
		if got.Field(i).Equal(d.Field(i)) {
			t.Errorf("api.Limits.%s is still its default %v: no flag sets it", got.Type().Field(i).Name, d.Field(i))
		}
	}
	svc := api.NewService(classifier.New(noTokens{}), cfg.Limits, "none", nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	resp, err := svc.GetModel(context.Background(), &claimsv1.GetModelRequest{})
	if err != nil {
		t.Fatal(err)
	}
	lim := resp.GetLimits().ProtoReflect()
	for i := range fields.Len() {
		fd := fields.Get(i)
		var v string
		if fd.Kind() == protoreflect.MessageKind {
			v = fmt.Sprintf("%ds", int(lim.Get(fd).Message().Interface().(*durationpb.Duration).AsDuration()/time.Second))
		} else {
			v = lim.Get(fd).String()
		}
		if v != want[string(fd.Name())] {
			t.Errorf("GetModel %s: got %s, want %s (from --%s)", fd.Name(), v, want[string(fd.Name())], strings.ReplaceAll(string(fd.Name()), "_", "-"))
		}
	}
}

// TestLimitFlagRanges: values GetModel could not report faithfully are
// refused.
func TestLimitFlagRanges(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-concurrent-streams", "4294967297"}, "--max-concurrent-streams: 4294967297 is larger than 4294967295"},
		{[]string{"--max-sentences", "2147483648"}, "--max-sentences: 2147483648 is larger than 2147483647"},
		{[]string{"--max-examples", "9999999999"}, "--max-examples"},
		{[]string{"--max-explain", "2147483648"}, "--max-explain"},
		{[]string{"--max-text-bytes", "-1"}, "--max-text-bytes must be positive"},
		{[]string{"--max-http-body-bytes", "0"}, "--max-http-body-bytes must be positive"},
		{[]string{"--max-http-body-bytes", "9223372036854775807"}, "--max-http-body-bytes: 9223372036854775807 is larger than 1073741824 (1 GiB)"},
		{[]string{"--max-grpc-receive-bytes", "1073741825"}, "--max-grpc-receive-bytes: 1073741825 is larger than 1073741824 (1 GiB)"},
		{[]string{"--call-timeout", "0s"}, "--call-timeout must be positive"},
		{[]string{"--max-inflight-calls", "-1"}, "--max-inflight-calls must not be negative"},
		{[]string{"--max-inflight-calls", "2147483648"}, "--max-inflight-calls: 2147483648 is larger than 2147483647"},
		{[]string{"--max-inflight-calls-per-client", "2147483648"}, "--max-inflight-calls-per-client: 2147483648 is larger than 2147483647"},
		{[]string{"--max-classify-streams-per-conn", "3000000000"}, "--max-classify-streams-per-conn: 3000000000 is larger than 2147483647"},
	} {
		_, err := parseConfig(tt.args, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want %q", tt.args, err, tt.want)
		}
	}
}
