package jsonstr

import "testing"

func TestUnpaired(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`plain`, ``},
		{`\ud83d\ude00 pair`, ``},
		{`a\ud800`, `\ud800`},
		{`\uD800\u0041`, `\uD800`},
		{`\udc00x`, `\udc00`},
		{`\ude00\ud83d`, `\ude00`},
		{`\\ud800 escaped backslash`, ``},
		{`\u00e9\n\"\ud800`, `\ud800`},
		{`trailing \`, ``},
	}
	for _, tt := range tests {
		if got := Unpaired([]byte(tt.raw)); got != tt.want {
			t.Errorf("Unpaired(%q): got %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		raw string
		r   rune
		n   int
		ok  bool
	}{
		{`\u0041`, 'A', 6, true},
		{`\ud83d\ude00`, '\U0001F600', 12, true},
		{`\ud800x`, 0, 6, false},
		{`\u12`, 0, 0, false},
		{`\uzzzz`, 0, 0, false},
	}
	for _, tt := range tests {
		r, n, ok := Escape([]byte(tt.raw))
		if r != tt.r || n != tt.n || ok != tt.ok {
			t.Errorf("Escape(%q): got %q %d %v, want %q %d %v", tt.raw, r, n, ok, tt.r, tt.n, tt.ok)
		}
	}
}

func TestEnd(t *testing.T) {
	tests := []struct {
		data string
		want int
	}{
		{`"abc" rest`, 5},
		{`"a\"b"`, 6},
		{`"a\\"x`, 5},
		{`"open`, 5},
	}
	for _, tt := range tests {
		if got := End([]byte(tt.data), 0); got != tt.want {
			t.Errorf("End(%q): got %d, want %d", tt.data, got, tt.want)
		}
	}
}
