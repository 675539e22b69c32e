package jsonstr

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

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

// FuzzJSONStr checks End, Escape and Unpaired on any bytes: no panic, End
// within bounds and at the end of any string encoding/json writes,
// Escape's rune a valid one of the length it read, and no unpaired
// surrogate found in what encoding/json writes for a valid string.
func FuzzJSONStr(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800"`, `"\u00e9`, `"\\"`, `"\u12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 0 {
			if end := End(data, 0); end < 1 || end > len(data) {
				t.Fatalf("End(%q, 0): got %d, want 1..%d", data, end, len(data))
			}
		}
		for i := range data {
			r, n, ok := Escape(data[i:])
			if ok && (!utf8.ValidRune(r) || n != 6 && n != 12 || n > len(data)-i) {
				t.Fatalf("Escape(%q): got %U, %d, ok; want a valid rune read from 6 or 12 bytes", data[i:], r, n)
			}
			if !ok && n != 0 && n != 6 {
				t.Fatalf("Escape(%q): got n %d, not ok; want 0 or 6", data[i:], n)
			}
		}
		Unpaired(data)
		if !utf8.Valid(data) {
			return
		}
		enc, err := json.Marshal(string(data))
		if err != nil {
			t.Fatal(err)
		}
		if end := End(enc, 0); end != len(enc) {
			t.Fatalf("End(%s, 0): got %d, want %d", enc, end, len(enc))
		}
		if u := Unpaired(enc[1 : len(enc)-1]); u != "" {
			t.Fatalf("Unpaired(%s): got %q, want none", enc, u)
		}
	})
}
