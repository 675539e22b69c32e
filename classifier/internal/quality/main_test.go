package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsvc/claims/classifier"
)

func TestAgreement(t *testing.T) {
	ex := func(text, label string) classifier.Example { return classifier.Example{Text: text, Label: label} }
	tests := []struct {
		name    string
		a, b    []classifier.Example
		wantAcc float64
		wantErr string
	}{
		{"same labels", []classifier.Example{ex("x", "denial"), ex("y", "other")}, []classifier.Example{ex("x", "denial"), ex("y", "other")}, 1, ""},
		{"one differs", []classifier.Example{ex("x", "denial"), ex("y", "other")}, []classifier.Example{ex("x", "other"), ex("y", "other")}, 0.5, ""},
		{"lengths differ", []classifier.Example{ex("x", "denial")}, nil, 0, "1 and 0 sentences"},
		{"texts differ", []classifier.Example{ex("x", "denial")}, []classifier.Example{ex("z", "denial")}, 0, "sentence 1 differs"},
	}
	for _, tt := range tests {
		m, err := agreement(tt.a, tt.b)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: got error %v, want one saying %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: got error %v, want none", tt.name, err)
			continue
		}
		if m.Accuracy != tt.wantAcc {
			t.Errorf("%s: got accuracy %v, want %v", tt.name, m.Accuracy, tt.wantAcc)
		}
	}
}

func TestRunAgree(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	b := filepath.Join(dir, "b.jsonl")
	write := func(name, body string) {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(a, `{"text":"Police blamed the group.","label":"attribution"}`+"\n"+`{"text":"It rained.","label":"other"}`+"\n")
	write(b, `{"text":"Police blamed the group.","label":"attribution"}`+"\n"+`{"text":"It rained.","label":"other"}`+"\n")
	var out bytes.Buffer
	if err := run([]string{"-agree", a + "," + b}, &out); err != nil {
		t.Fatalf("run -agree: got error %v, want none", err)
	}
	if got, want := out.String(), "accuracy 1.000"; !strings.Contains(got, want) {
		t.Errorf("run -agree: got %q, want it to contain %q", got, want)
	}
	if err := run([]string{"-agree", a}, &out); err == nil {
		t.Errorf("run -agree with one file: got no error, want one")
	}
}

func TestRunAgreeMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	var out bytes.Buffer
	err := run([]string{"-agree", missing + "," + missing}, &out)
	if err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("run -agree on a missing file: got error %v, want one naming the file", err)
	}
}
