package seeds

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/claimsvc/claims/classifier"
)

var labels = map[string]bool{"attribution": true, "denial": true, "warning": true, "condolence": true, "other": true}

func TestCorpusWellFormed(t *testing.T) {
	corpus, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	seen := map[string]bool{}
	for i, ex := range corpus {
		if !labels[ex.Label] {
			t.Errorf("example %d: label %q is not one of the five", i, ex.Label)
		}
		if err := classifier.CheckText(ex.Text); err != nil {
			t.Errorf("example %d %q: %v", i, ex.Text, err)
		}
		counts[ex.Label]++
		seen[ex.Text] = true
	}
	written, _ := Written()
	for _, l := range []string{"attribution", "denial", "warning", "condolence"} {
		n := 0
		for _, ex := range written {
			if ex.Label == l {
				n++
			}
		}
		if n < 200 {
			t.Errorf("written corpus has %d %s examples, want at least 200", n, l)
		}
	}
	t.Logf("corpus: %d examples, %v", len(corpus), counts)
}

func TestSeedsMatchArticles(t *testing.T) {
	docs, err := Documents()
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 5 {
		t.Fatalf("got %d seed documents, want 5", len(docs))
	}
	n := 0
	for _, d := range docs {
		if d.Text == "" {
			t.Errorf("%s: no article text", d.Name)
		}
		for _, s := range d.Sentences {
			n++
			if !strings.Contains(d.Text, s.Text) {
				t.Errorf("%s: labeled sentence %q is not in the article", d.Name, s.Text)
			}
		}
	}
	if n != 204 {
		t.Errorf("got %d labeled seed sentences, want 204", n)
	}
}

// TestSegmentFindsSeedUnits pins the README's segmentation figure: how
// many of the 204 reference units of the seed articles classifier.Segment
// finds exactly. The four it misses are two caption credits on their
// caption's line, after its period ("…the Moscow attack. via Associated
// Press", "…the Volgograd attacks. oksana@antipn").
func TestSegmentFindsSeedUnits(t *testing.T) {
	docs, err := Documents()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, d := range docs {
		spans := map[string]int{}
		for _, sp := range classifier.Segment(d.Text) {
			spans[sp.Text]++
		}
		for _, s := range d.Sentences {
			if spans[s.Text] > 0 {
				spans[s.Text]--
				found++
			} else {
				t.Logf("%s: not found as a unit: %q", d.Name, s.Text)
			}
		}
	}
	if found != 200 {
		t.Errorf("Segment finds %d of the 204 reference units, want 200 (update the README's figure if this is an improvement)", found)
	}
}

// words splits lower-cased text into words for the overlap check.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// TestWrittenCorpusDoesNotCopySeeds guards the held-out test: no written
// sentence may repeat a seed sentence or share a run of ten words with one
// (stock phrases such as "condolences to the families of the victims" are
// shorter than that).
func TestWrittenCorpusDoesNotCopySeeds(t *testing.T) {
	const run = 10
	labeled, err := Labeled()
	if err != nil {
		t.Fatal(err)
	}
	grams := map[string]string{}
	for _, ex := range labeled {
		w := words(ex.Text)
		for i := 0; i+run <= len(w); i++ {
			grams[strings.Join(w[i:i+run], " ")] = ex.Text
		}
	}
	whole := map[string]bool{}
	for _, ex := range labeled {
		whole[strings.Join(words(ex.Text), " ")] = true
	}
	written, err := Written()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range written {
		w := words(ex.Text)
		if len(w) >= 4 && whole[strings.Join(w, " ")] {
			t.Errorf("written sentence repeats a seed sentence: %q", ex.Text)
			continue
		}
		for i := 0; i+run <= len(w); i++ {
			if s, ok := grams[strings.Join(w[i:i+run], " ")]; ok {
				t.Errorf("written sentence %q shares %d words with seed %q", ex.Text, run, s)
				break
			}
		}
	}
}

func TestTokenizerEmbedded(t *testing.T) {
	tok, err := classifier.NewTokenizer(strings.NewReader(string(Tokenizer())))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tok.Tokens("The Kremlin\u00a0denied it."), " "); got != "the kremlin denied it ." {
		t.Errorf("got %q", got)
	}
}

// TestWordsFresh fails when words.txt is not what the embedded tokenizer
// and corpus give: after a change to either, run `make vocab`.
func TestWordsFresh(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteWords(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), Words()) {
		t.Fatalf("seeds/words.txt is stale (%d bytes, want %d): run make vocab", len(Words()), buf.Len())
	}
	tok, err := classifier.NewTokenizer(bytes.NewReader(Tokenizer()))
	if err != nil {
		t.Fatal(err)
	}
	n, err := tok.ReadWords(bytes.NewReader(Words()))
	if err != nil || n < 10000 {
		t.Fatalf("ReadWords(Words()): got (%d, %v), want at least 10000 words and no error", n, err)
	}
}

// TestWordsTrainSameModel checks that the default model trained after
// ReadWords(Words()) is the one trained without it: the list changes how
// fast the tokenizer warms, not one token.
func TestWordsTrainSameModel(t *testing.T) {
	corpus, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	var hashes [2]string
	for i := range hashes {
		tok, err := classifier.NewTokenizer(bytes.NewReader(Tokenizer()))
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if _, err := tok.ReadWords(bytes.NewReader(Words())); err != nil {
				t.Fatal(err)
			}
		}
		clock := func() time.Time { return time.Unix(1e9, 0) }
		m := classifier.New(tok, classifier.WithClock(clock))
		if _, err := m.Replace(context.Background(), corpus); err != nil {
			t.Fatal(err)
		}
		hashes[i] = m.Info().ContentHash
	}
	if hashes[0] != hashes[1] {
		t.Errorf("model hash: got %s with the word list, want %s as without it", hashes[1], hashes[0])
	}
}

// TestWrittenFiles checks that WrittenFiles splits Written by file, in
// file-name order, and that each example's line holds that example.
func TestWrittenFiles(t *testing.T) {
	cfs, err := WrittenFiles()
	if err != nil {
		t.Fatal(err)
	}
	written, err := Written()
	if err != nil {
		t.Fatal(err)
	}
	var joined []classifier.Example
	for i, f := range cfs {
		if i > 0 && f.Name <= cfs[i-1].Name {
			t.Errorf("file %d: got %q after %q, want file-name order", i, f.Name, cfs[i-1].Name)
		}
		if len(f.Lines) != len(f.Examples) {
			t.Fatalf("%s: got %d lines for %d examples, want one each", f.Name, len(f.Lines), len(f.Examples))
		}
		b, err := files.ReadFile("corpus/" + f.Name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for j, ex := range f.Examples {
			n := f.Lines[j]
			if n < 1 || n > len(lines) {
				t.Fatalf("%s example %d: got line %d, want 1 to %d", f.Name, j, n, len(lines))
			}
			got, err := classifier.ReadExamples(strings.NewReader(lines[n-1]))
			if err != nil || len(got) != 1 || got[0] != ex {
				t.Errorf("%s:%d: got %v (%v), want %v", f.Name, n, got, err, ex)
			}
		}
		joined = append(joined, f.Examples...)
	}
	if !slices.Equal(joined, written) {
		t.Errorf("WrittenFiles' examples one file after another: got %d examples, want Written's %d in the same order", len(joined), len(written))
	}
}
