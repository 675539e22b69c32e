package classifier_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/seeds"
)

// benchEnv is the default model trained on the embedded corpus, with a warm
// tokenizer cache, plus the seed articles and their sentences.
type benchEnv struct {
	model     *classifier.Classifier
	tok       *classifier.Tokenizer
	corpus    []classifier.Example
	articles  []string
	sentences []string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	tok, err := classifier.NewTokenizer(bytes.NewReader(seeds.Tokenizer()))
	if err != nil {
		b.Fatal(err)
	}
	corpus, err := seeds.Corpus()
	if err != nil {
		b.Fatal(err)
	}
	m := classifier.New(tok)
	if _, err := m.Replace(context.Background(), corpus); err != nil {
		b.Fatal(err)
	}
	arts, err := seeds.Articles()
	if err != nil {
		b.Fatal(err)
	}
	e := &benchEnv{model: m, tok: tok, corpus: corpus}
	for _, a := range arts {
		e.articles = append(e.articles, a)
		for _, sp := range classifier.Segment(a) {
			if classifier.CheckText(sp.Text) == nil {
				e.sentences = append(e.sentences, sp.Text)
			}
		}
	}
	// Warm the tokenizer's word cache and the model's buffers: a sentence
	// resolves at most a few unseen words a call, so long sentences of
	// words the corpus lacks take a few dozen passes to be cached.
	for range 100 {
		for _, a := range e.articles {
			if _, err := m.ClassifyText(context.Background(), a, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	return e
}

// reportPerSentence reports sentences/s and the allocations per sentence of
// the loop so far.
func reportPerSentence(b *testing.B, sentences int, before *runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if sentences > 0 {
		b.ReportMetric(float64(sentences)/b.Elapsed().Seconds(), "sentences/s")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(sentences), "allocs/sentence")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(sentences), "B/sentence")
	}
}

// BenchmarkClassifyText segments, tokenizes and classifies whole articles.
func BenchmarkClassifyText(b *testing.B) {
	e := newBenchEnv(b)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n := 0
	i := 0
	for b.Loop() {
		r, err := e.model.ClassifyText(context.Background(), e.articles[i%len(e.articles)], 0)
		if err != nil {
			b.Fatal(err)
		}
		n += len(r.Sentences)
		i++
	}
	reportPerSentence(b, n, &ms)
}

// BenchmarkClassifySentences tokenizes and classifies pre-split sentences,
// one Classify call each.
func BenchmarkClassifySentences(b *testing.B) {
	e := newBenchEnv(b)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n := 0
	for b.Loop() {
		if _, err := e.model.Classify(e.sentences[n%len(e.sentences)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportPerSentence(b, n, &ms)
}

// BenchmarkClassifyBatch classifies all the pre-split sentences of the
// articles as one batch.
func BenchmarkClassifyBatch(b *testing.B) {
	e := newBenchEnv(b)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n := 0
	for b.Loop() {
		r, err := e.model.ClassifyBatch(context.Background(), e.sentences, 0)
		if err != nil {
			b.Fatal(err)
		}
		n += len(r.Sentences)
	}
	reportPerSentence(b, n, &ms)
}

// fieldsSep splits on white space and punctuation: the floor any tokenizer
// must pay to look at every byte.
func fieldsSep(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }

// BenchmarkFloorArticles is the strings.FieldsFunc floor for whole articles:
// split every article into words; sentences/s counts the sentences the
// articles hold.
func BenchmarkFloorArticles(b *testing.B) {
	e := newBenchEnv(b)
	per := make([]int, len(e.articles))
	for i, a := range e.articles {
		per[i] = len(classifier.Segment(a))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n, i := 0, 0
	for b.Loop() {
		_ = strings.FieldsFunc(e.articles[i%len(e.articles)], fieldsSep)
		n += per[i%len(e.articles)]
		i++
	}
	reportPerSentence(b, n, &ms)
}

// BenchmarkFloorSentences is the strings.FieldsFunc floor for pre-split
// sentences.
func BenchmarkFloorSentences(b *testing.B) {
	e := newBenchEnv(b)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n := 0
	for b.Loop() {
		_ = strings.FieldsFunc(e.sentences[n%len(e.sentences)], fieldsSep)
		n++
	}
	reportPerSentence(b, n, &ms)
}

// BenchmarkReplace rebuilds the default model from the embedded corpus with
// a warm tokenizer.
func BenchmarkReplace(b *testing.B) {
	e := newBenchEnv(b)
	n := 0
	for b.Loop() {
		if _, err := e.model.Replace(context.Background(), e.corpus); err != nil {
			b.Fatal(err)
		}
		n += len(e.corpus)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "examples/s")
}

// BenchmarkLearn adds batches of 100 examples to the default model.
func BenchmarkLearn(b *testing.B) {
	e := newBenchEnv(b)
	const batch = 100
	n := 0
	for b.Loop() {
		lo := (n / batch * batch) % (len(e.corpus) - batch)
		if _, err := e.model.Learn(context.Background(), e.corpus[lo:lo+batch], false); err != nil {
			b.Fatal(err)
		}
		n += batch
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "examples/s")
}

// BenchmarkReadExamples parses the seed files the server reads at startup
// (seeds/corpus/*.jsonl and seeds/labeled.jsonl, about 8,500 lines); one
// op is all of them.
func BenchmarkReadExamples(b *testing.B) {
	names, err := filepath.Glob("../seeds/corpus/*.jsonl")
	if err != nil || len(names) == 0 {
		b.Fatalf("seed corpus: %v (%d files)", err, len(names))
	}
	var files [][]byte
	for _, n := range append(names, "../seeds/labeled.jsonl") {
		data, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	for b.Loop() {
		for _, data := range files {
			if _, err := classifier.ReadExamples(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkClassifyAdversarial classifies single 256 KiB sentences built
// to make a feature rule rescan the sentence for every token: thousands of
// capitalised attack verbs after a report verb (each read back as a name
// before an act, once to the sentence's start: minutes a call), the same
// behind 23 look-alike names, and a passive "is carried out" repeated
// (each searching the rest of its clause for "by"). Their MB/s should stay
// within a few times BenchmarkClassifyText's; a quadratic rule takes
// seconds per op here.
func BenchmarkClassifyAdversarial(b *testing.B) {
	e := newBenchEnv(b)
	const size = 256 << 10
	var lookAlikes strings.Builder
	for c := 'a'; c <= 'w'; c++ {
		lookAlikes.WriteString("Fire" + string(c) + " ")
	}
	for _, c := range []struct{ name, head, unit string }{
		{"names_before_acts", "They said ", "Fired "},
		{"look_alike_names_before_acts", "They said " + lookAlikes.String(), "Fired "},
		{"passives_without_agent", "It ", "is carried out "},
	} {
		text := c.head + strings.Repeat(c.unit, (size-len(c.head)-1)/len(c.unit)) + "."
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, err := e.model.ClassifyText(context.Background(), text, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
