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
