package seeds

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/claimsvc/claims/classifier"
)

//go:embed corpus/*.jsonl labeled.jsonl articles/*.txt
var files embed.FS

//go:embed tokenizer.json
var tokenizerJSON []byte

//go:embed words.txt
var wordsTxt []byte

// Tokenizer returns the default tokenizer.json. The caller must not modify it.
func Tokenizer() []byte { return tokenizerJSON }

// Words returns the tokens the default tokenizer gives every word of
// Corpus, as written by classifier.Tokenizer.WriteWords (`make vocab`
// regenerates it). Reading it with ReadWords before training the default
// model spares sugarme a pass over the corpus. The caller must not modify
// it.
func Words() []byte { return wordsTxt }

// WriteWords writes what Words should hold for the embedded tokenizer and
// corpus.
func WriteWords(w io.Writer) error {
	tok, err := classifier.NewTokenizer(bytes.NewReader(tokenizerJSON))
	if err != nil {
		return err
	}
	corpus, err := Corpus()
	if err != nil {
		return err
	}
	texts := make([]string, len(corpus))
	for i, ex := range corpus {
		texts[i] = ex.Text
	}
	return tok.WriteWords(w, texts)
}

// Written returns the written training corpus: every corpus/*.jsonl file,
// in file-name order.
func Written() ([]classifier.Example, error) {
	cfs, err := WrittenFiles()
	if err != nil {
		return nil, err
	}
	var out []classifier.Example
	for _, f := range cfs {
		out = append(out, f.Examples...)
	}
	return out, nil
}

// CorpusFile is one file of the written corpus.
type CorpusFile struct {
	Name     string               // file name in seeds/corpus, e.g. "starter.jsonl"
	Examples []classifier.Example // its sentences in file order
	Lines    []int                // the line (from 1) each example is on
}

// WrittenFiles returns the written corpus file by file, in file-name order:
// Written is their examples one file after another.
func WrittenFiles() ([]CorpusFile, error) {
	names, err := fs.Glob(files, "corpus/*.jsonl")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]CorpusFile, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		exs, lines, err := classifier.ReadExampleLines(bytes.NewReader(b), 0)
		if err != nil {
			return nil, fmt.Errorf("seeds: %s: %w", n, err)
		}
		out = append(out, CorpusFile{Name: path.Base(n), Examples: exs, Lines: lines})
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

// Document is one seed article with its labeled sentences.
type Document struct {
	Name      string               // file name, e.g. "000_8238aa25bf653212.txt"
	Text      string               // the article as published
	Sentences []classifier.Example // its sentences in order, with reference labels
}

// Documents returns the seed articles with their labeled sentences, in
// file-name order.
func Documents() ([]Document, error) {
	texts, err := Articles()
	if err != nil {
		return nil, err
	}
	b, err := files.ReadFile("labeled.jsonl")
	if err != nil {
		return nil, err
	}
	var docs []Document
	index := map[string]int{}
	for i, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var row struct {
			Doc   string `json:"doc"`
			Text  string `json:"text"`
			Label string `json:"label"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return nil, fmt.Errorf("seeds: labeled.jsonl line %d: %w", i+1, err)
		}
		j, ok := index[row.Doc]
		if !ok {
			j = len(docs)
			index[row.Doc] = j
			docs = append(docs, Document{Name: row.Doc, Text: texts[row.Doc]})
		}
		docs[j].Sentences = append(docs[j].Sentences, classifier.Example{Text: row.Text, Label: row.Label})
	}
	slices.SortFunc(docs, func(a, b Document) int { return strings.Compare(a.Name, b.Name) })
	return docs, nil
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
