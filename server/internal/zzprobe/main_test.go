package probe

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/seeds"
)

func TestBig(t *testing.T) {
	tok, err := classifier.NewTokenizer(bytes.NewReader(seeds.Tokenizer()))
	if err != nil { t.Fatal(err) }
	c := classifier.New(tok)
	corpus, _ := seeds.Corpus()
	c.Replace(corpus)
	for _, s := range []string{strings.Repeat("a", 3<<20), strings.Repeat("ab1é", 3<<18), strings.Repeat("word ", 600<<10)} {
		st := time.Now()
		r, err := c.ClassifyText(s, 5)
		t.Logf("%d bytes: %v %d sentences in %v", len(s), err, len(r.Sentences), time.Since(st))
		st = time.Now()
		_, err = c.Learn([]classifier.Example{{Text: s, Label: "other"}}, false)
		t.Logf("learn: %v in %v; info %v", err, time.Since(st), c.Info().Vocabulary)
	}
}
