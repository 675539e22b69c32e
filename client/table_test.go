package main

import (
	"strings"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"denial", 6},
		{"警告", 4},          // wide
		{"ＡＢ", 4},          // full-width
		{"cafe\u0301", 4},  // combining acute accent
		{"a\u200db", 2},    // zero-width joiner
		{"ｱｲ", 2},          // half-width katakana
		{"Ελληνικά", 8},    // narrow non-Latin
		{"경고 warning", 12}, // mixed
	}
	for _, tt := range tests {
		if got := displayWidth(tt.s); got != tt.want {
			t.Errorf("displayWidth(%q): got %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestTableAlignsWideLabels(t *testing.T) {
	for _, right := range []bool{false, true} {
		tb := table{right: right}
		tb.add("LABEL", "N", "x")
		tb.add("警告", "12", "y")
		tb.add("denial", "3", "z")
		var b strings.Builder
		if err := tb.write(&b); err != nil {
			t.Fatal(err)
		}
		// Every row's last cell starts at the same terminal column.
		var cols []int
		for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			cols = append(cols, displayWidth(line)-1)
		}
		for i, c := range cols {
			if c != cols[0] {
				t.Errorf("right=%v: row %d's last cell starts at column %d, want %d:\n%s", right, i, c, cols[0], b.String())
			}
		}
	}
}
