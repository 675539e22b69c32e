package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/seeds"
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

// words is a TokenAppender for tests: split on white space.
type words struct{}

func (words) AppendTokens(dst []string, s string) []string { return append(dst, strings.Fields(s)...) }

func TestSuspects(t *testing.T) {
	ex := func(text, label string) classifier.Example { return classifier.Example{Text: text, Label: label} }
	// Both folds (even and odd indices) hold both kinds of sentence, so
	// each is scored by a model that learned the other kind; the last
	// "blamed" sentence (index 8) is labeled other, against all the rest.
	var corpus []classifier.Example
	for i := range 2 {
		n := string(rune('a' + i))
		corpus = append(corpus, ex("police blamed the group "+n, "attribution"), ex("it rained all day "+n, "other"),
			ex("it rained all night "+n, "other"), ex("the army blamed the group "+n, "attribution"))
	}
	corpus = append(corpus, ex("officials blamed the group", "other"), ex("it rained again today", "other"))
	newModel := func() *classifier.Classifier {
		return classifier.New(words{}, classifier.WithFeatures(classifier.FeatureConfig{}))
	}
	wrong, got, err := suspects(corpus, nil, 2, newModel)
	if err != nil {
		t.Fatalf("suspects: %v", err)
	}
	if wrong < 1 {
		t.Errorf("misclassified: got %d, want at least 1", wrong)
	}
	if len(got) != 1 || got[0].index != 8 || got[0].got != "attribution" {
		t.Fatalf("suspects: got %+v, want the mislabeled sentence (index 8) taken for attribution", got)
	}
	if got[0].confidence <= suspectOther {
		t.Errorf("suspect's confidence: got %.2f, want over %.2f", got[0].confidence, suspectOther)
	}
}

func TestLeaveOut(t *testing.T) {
	cfs := []seeds.CorpusFile{{Name: "a.jsonl"}, {Name: "b.jsonl"}, {Name: "c.jsonl"}}
	tests := []struct {
		list    string
		want    []string
		wantErr string
	}{
		{"", []string{"a.jsonl", "b.jsonl", "c.jsonl"}, ""},
		{"b.jsonl", []string{"a.jsonl", "c.jsonl"}, ""},
		{"a.jsonl,c.jsonl", []string{"b.jsonl"}, ""},
		{"d.jsonl", nil, `"d.jsonl" is not a corpus file; they are a.jsonl, b.jsonl, c.jsonl`},
	}
	for _, tt := range tests {
		got, err := leaveOut(cfs, tt.list)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("leaveOut(%q): got error %v, want %q", tt.list, err, tt.wantErr)
			}
			continue
		}
		var names []string
		for _, f := range got {
			names = append(names, f.Name)
		}
		if err != nil || !slices.Equal(names, tt.want) {
			t.Errorf("leaveOut(%q): got %v (%v), want %v", tt.list, names, err, tt.want)
		}
	}
	if len(cfs) != 3 || cfs[1].Name != "b.jsonl" {
		t.Errorf("leaveOut changed its argument: got %v", cfs)
	}
}

func TestWhereIs(t *testing.T) {
	cfs := []seeds.CorpusFile{
		{Name: "a.jsonl", Examples: make([]classifier.Example, 2), Lines: []int{1, 3}},
		{Name: "b.jsonl", Examples: make([]classifier.Example, 1), Lines: []int{2}},
	}
	tests := []struct {
		i        int
		file     string
		wantLine int
	}{{0, "a.jsonl", 1}, {1, "a.jsonl", 3}, {2, "b.jsonl", 2}, {3, "?", 0}}
	for _, tt := range tests {
		if f, line := whereIs(cfs, tt.i); f != tt.file || line != tt.wantLine {
			t.Errorf("whereIs(%d): got %s:%d, want %s:%d", tt.i, f, line, tt.file, tt.wantLine)
		}
	}
}
