// Package seeds holds the project's training data, embedded in the binary:
// the five seed news articles with a reference label for every sentence,
// the written training corpus, and the default tokenizer definition.
//
// The default model is trained from Corpus; the seed sentences (Labeled)
// are real news and serve as a held-out test of it.
package seeds

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/claimsvc/claims/classifier"
)

//go:embed corpus/*.jsonl labeled.jsonl articles/*.txt
var files embed.FS

//go:embed tokenizer.json
var tokenizerJSON []byte

// Tokenizer returns the default tokenizer.json. The caller must not modify it.
func Tokenizer() []byte { return tokenizerJSON }

// Written returns the written training corpus: every corpus/*.jsonl file,
// in file-name order.
func Written() ([]classifier.Example, error) {
	names, err := fs.Glob(files, "corpus/*.jsonl")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []classifier.Example
	for _, n := range names {
		exs, err := read(n)
		if err != nil {
			return nil, err
		}
		out = append(out, exs...)
	}
	return out, nil
}

// Labeled returns the sentences of the five seed articles with their
// reference labels, in document order.
func Labeled() ([]classifier.Example, error) { return read("labeled.jsonl") }

// Corpus returns the default model's training data: Written followed by
// Labeled.
func Corpus() ([]classifier.Example, error) {
	w, err := Written()
	if err != nil {
		return nil, err
	}
	l, err := Labeled()
	if err != nil {
		return nil, err
	}
	return append(w, l...), nil
}

// Articles returns the seed articles' texts by file name.
func Articles() (map[string]string, error) {
	names, err := fs.Glob(files, "articles/*.txt")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out[path.Base(n)] = string(b)
	}
	return out, nil
}

func read(name string) ([]classifier.Example, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	exs, err := classifier.ReadExamples(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("seeds: %s: %w", name, err)
	}
	return exs, nil
}
