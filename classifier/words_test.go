package classifier

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestWordsRoundTrip checks that a word list written by one tokenizer and
// read by a fresh one loaded from the same file gives every text sugarme's
// own tokens, through the cache and through the frozen tier training
// publishes.
func TestWordsRoundTrip(t *testing.T) {
	texts := append(corpusTexts(t), hardStrings()...)
	src := loadTestTokenizer(t, seedTokenizerPath)
	var buf bytes.Buffer
	if err := src.WriteWords(&buf, texts); err != nil {
		t.Fatalf("WriteWords: %v", err)
	}
	var again bytes.Buffer
	if err := loadTestTokenizer(t, seedTokenizerPath).WriteWords(&again, texts); err != nil {
		t.Fatalf("WriteWords: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("WriteWords twice on the same texts: outputs differ")
	}
	dst := loadTestTokenizer(t, seedTokenizerPath)
	n, err := dst.ReadWords(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("ReadWords: %v", err)
	}
	if want := bytes.Count(buf.Bytes(), []byte("\n")) - 2; n != want || n < 1000 {
		t.Errorf("ReadWords added %d words, want %d (at least 1000)", n, want)
	}
	// Every eighth text and the hard strings: sugarme's reference path is
	// slow, and TestTokenizeMatchesReference covers the cache itself.
	var sample []string
	for i := 0; i < len(texts); i += 8 {
		sample = append(sample, texts[i])
	}
	sample = append(sample, hardStrings()...)
	want := make([][]string, len(sample))
	for i, s := range sample {
		want[i] = src.Reference(s)
	}
	check := func(label string) {
		for i, s := range sample {
			if got := dst.Tokens(s); !slices.Equal(got, want[i]) {
				t.Fatalf("%s: Tokens(%q): got %q, want %q", label, s, got, want[i])
			}
		}
	}
	check("after ReadWords")
	dst.freeze()
	if fm := dst.frozen.Load(); fm == nil || len(*fm) != n {
		t.Fatalf("freeze after ReadWords: frozen tier missing or not %d words", n)
	}
	check("frozen")
	// Reading the list again adds nothing.
	if n, err := dst.ReadWords(bytes.NewReader(buf.Bytes())); err != nil || n != 0 {
		t.Errorf("second ReadWords: got (%d, %v), want (0, nil)", n, err)
	}
}

// TestReadWordsRefuses checks that a list made with another tokenizer, or
// not a list, is refused with the right error and leaves the tokenizer's
// cache as it was.
func TestReadWordsRefuses(t *testing.T) {
	var buf bytes.Buffer
	if err := loadTestTokenizer(t, smallTokenizerPath).WriteWords(&buf, []string{"The minister denied it."}); err != nil {
		t.Fatalf("WriteWords: %v", err)
	}
	small := buf.String()
	buf.Reset()
	if err := loadTestTokenizer(t, seedTokenizerPath).WriteWords(&buf, []string{"The minister denied it."}); err != nil {
		t.Fatalf("WriteWords: %v", err)
	}
	good := buf.String()
	head := strings.Join(strings.SplitN(good, "\n", 3)[:2], "\n") + "\n"
	tests := []struct {
		name string
		list string
		want error
	}{
		{"another tokenizer", small, ErrWordsMismatch},
		{"empty", "", ErrBadWords},
		{"no header", "the\tthe\n", ErrBadWords},
		{"no tokenizer line", "claims word tokens v1\n", ErrBadWords},
		{"no tab", head + "the the\n", ErrBadWords},
		{"no tokens", head + "the\t\n", ErrBadWords},
		{"empty token", head + "the\tthe  x\n", ErrBadWords},
		{"word with a space", head + "a b\ta b\n", ErrBadWords},
		{"word too long", head + strings.Repeat("a", maxCachedWordBytes+1) + "\ta\n", ErrBadWords},
		{"invalid UTF-8", head + "\xff\tx\n", ErrBadWords},
		{"bad line after good ones", good + "oops\n", ErrBadWords},
		{"cut short inside a word's tokens", good[:len(good)-3], ErrBadWords},
		{"cut short after a word's tokens", good[:len(good)-1], ErrBadWords},
	}
	for _, tt := range tests {
		tok := loadTestTokenizer(t, seedTokenizerPath)
		n, err := tok.ReadWords(strings.NewReader(tt.list))
		if !errors.Is(err, tt.want) || n != 0 {
			t.Errorf("%s: got (%d, %v), want (0, error wrapping %v)", tt.name, n, err, tt.want)
		}
		if got := tok.cache.len(); got != 0 {
			t.Errorf("%s: got %d cached words after a refused list, want 0", tt.name, got)
		}
	}
}

// FuzzReadWords checks that ReadWords never panics and that an error
// adds no word. One tokenizer (with a small cache, so that lists accepted
// from earlier inputs evict each other) reads every input, and must still
// tokenize afterwards.
func FuzzReadWords(f *testing.F) {
	tok := loadTestTokenizer(f, seedTokenizerPath, WithCacheSize(64))
	var buf bytes.Buffer
	if err := loadTestTokenizer(f, seedTokenizerPath).WriteWords(&buf, []string{"The minister denied it, “again”."}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("claims word tokens v1\ntokenizer sha256 00\nthe\tthe\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		before := tok.cache.len()
		n, err := tok.ReadWords(bytes.NewReader(data))
		if err != nil && (n != 0 || tok.cache.len() != before) {
			t.Fatalf("ReadWords: got %d words and the cache changed, with error %v", n, err)
		}
		_ = tok.Tokens("The minister denied it.")
	})
}
