package main

import (
	"strings"
	"testing"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
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

// TestTableSinkStreamsLargeTables checks that past maxTableRows the
// classify table is written as rows come, and stays aligned: the rows
// before and after are padded alike, a label first seen late fits because
// the model's labels set the column's width, and so does a feature weight
// of 10 or more with --explain.
func TestTableSinkStreamsLargeTables(t *testing.T) {
	const n = maxTableRows + 500
	long := strings.Repeat("l", 64) // classifier.MaxLabelLen
	for _, explain := range []bool{false, true} {
		var b strings.Builder
		sink := newTableSink(&b, n, map[string]bool{"other": true, long: true}, explain)
		rows := 0
		for i := range n {
			r := &claimsv1.SentenceResult{Index: int32(i), Label: "other", Confidence: 0.5, Text: "Rain fell."}
			if i == n-10 {
				r.Label = long
			}
			if explain && i > maxTableRows && i%100 == 0 {
				r.Features = []*claimsv1.Feature{{Name: "f:sympathy", Weight: 16.69}}
				rows++
			}
			rows++
			if err := sink.add(r, 1); err != nil {
				t.Fatal(err)
			}
			if i == maxTableRows && b.Len() == 0 {
				t.Fatalf("got nothing written after %d rows, want the rows held so far", i+1)
			}
		}
		if err := sink.end(1, n); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if got, want := len(lines), rows+3; got != want {
			t.Fatalf("explain %v: got %d lines, want %d", explain, got, want)
		}
		col := strings.Index(lines[0], "SENTENCE")
		for i, l := range lines[1 : rows+1] {
			got := strings.Index(l, "Rain fell.")
			if got < 0 {
				got = strings.Index(l, "  f:sympathy")
			}
			if got != col {
				t.Fatalf("explain %v, row %d: got the last column at %d, want %d: %q", explain, i+1, got, col, l)
			}
		}
	}
}
