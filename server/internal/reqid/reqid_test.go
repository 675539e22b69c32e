package reqid

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{"", false},
		{"a", true},
		{"0f9c2a5e-7d1b-4c3e-9a8f-1b2c3d4e5f60", true},
		{"Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8", true},
		{strings.Repeat("x", 128), true},
		{strings.Repeat("x", 129), false},
		{"with space", false},
		{"tab\there", false},
		{"line\nbreak", false},
		{"del\x7f", false},
		{"é", false},
	} {
		if got := Valid(tt.id); got != tt.want {
			t.Errorf("Valid(%q): got %v, want %v", tt.id, got, tt.want)
		}
	}
	if id := New(); !Valid(id) || len(id) != 26 {
		t.Errorf("New() = %q: want 26 valid characters", id)
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if id, ok := FromContext(ctx); ok || !Attr(ctx).Equal(slog.Attr{}) {
		t.Errorf("a context without an ID: got %q, %v, attribute %v; want none", id, ok, Attr(ctx))
	}
	ctx = NewContext(ctx, "call-1")
	if id, ok := FromContext(ctx); !ok || id != "call-1" || !Attr(ctx).Equal(slog.String("x_request_id", "call-1")) {
		t.Errorf("a context with call-1: got %q, %v, attribute %v", id, ok, Attr(ctx))
	}
}

func TestTraceID(t *testing.T) {
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	for _, tt := range []struct {
		value string
		want  string // "" for none
	}{
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", trace},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", trace},
		{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more", trace}, // a later version goes on
		{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", trace},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more", ""}, // version 00 is exactly 55
		{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", ""},
		{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""},
		{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", ""},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", ""},
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", ""},
		{"00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", ""},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", ""},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", ""},
		{"0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""},
		{" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""},
		{"", ""},
	} {
		got, ok := TraceID(tt.value)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("TraceID(%q): got %q, %v; want %q", tt.value, got, ok, tt.want)
		}
	}
	ctx := context.Background()
	if a := TraceAttr(ctx); !a.Equal(slog.Attr{}) {
		t.Errorf("a context without a trace: got attribute %v, want none", a)
	}
	if a := TraceAttr(NewTraceContext(ctx, trace)); !a.Equal(slog.String("trace_id", trace)) {
		t.Errorf("a context with a trace: got attribute %v", a)
	}
}

// FuzzTraceID: a trace ID found is 32 lower-case hex digits, not all zero,
// taken from the value's place for it, and the value then has the
// traceparent's shape; nothing panics.
func FuzzTraceID(f *testing.F) {
	for _, s := range []string{
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id, ok := TraceID(v)
		if !ok {
			if id != "" {
				t.Fatalf("TraceID(%q): got %q without ok", v, id)
			}
			return
		}
		if len(id) != 32 || !lowerHex(id) || allZero(id) || v[3:35] != id {
			t.Fatalf("TraceID(%q): got %q", v, id)
		}
		if len(v) < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-' || v[:2] == "ff" {
			t.Fatalf("TraceID(%q): got %q from a value of another shape", v, id)
		}
	})
}
