package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/normalizer"
	"github.com/sugarme/tokenizer/pretrained"
)

const (
	unkToken             = "[UNK]"
	subwordPrefix        = "##"
	maxInputCharsPerWord = 100
)

// replacement is one Replace step of the normalizer.
type replacement struct {
	from rune
	to   string
}

// replacements returns the Replace steps, in order:
//
//   - the Unicode white-space characters that sugarme's WhitespaceSplit does
//     not split on (it only knows ' ', '\t', '\n', '\r') become a plain
//     space; U+00A0 is common in scraped news, and U+200B (zero width space)
//     marks a word boundary too;
//   - invisible format characters are removed: the soft hyphen, the
//     joiners and word joiner, the byte order mark, the invisible operators,
//     the Mongolian vowel separator, and the bidirectional marks and
//     controls that Arabic and Hebrew text carries (U+061C, U+200E, U+200F,
//     U+202A–U+202E, U+2066–U+2069), so that one glued to a word ("Hamas\u200f")
//     leaves the word's tokens; they are the characters the segmenter
//     counts as invisible (classifier's isInvisible), but for U+200B;
//   - typographic quotes become ASCII quotes, so reported speech gives the
//     same quote token whatever the typography.
func replacements() []replacement {
	var out []replacement
	for _, r := range []rune{
		0x000B, 0x000C, 0x0085, 0x00A0, 0x1680,
		0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
		0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
	} {
		out = append(out, replacement{r, " "})
	}
	for _, r := range []rune{
		0x00AD, 0x061C, 0x180E, 0x200C, 0x200D, 0x200E, 0x200F,
		0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
		0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF,
	} {
		out = append(out, replacement{r, ""})
	}
	for _, r := range []rune{0x2018, 0x2019, 0x201A, 0x201B} {
		out = append(out, replacement{r, "'"})
	}
	for _, r := range []rune{0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB} {
		out = append(out, replacement{r, `"`})
	}
	return out
}

// pipeline is the normalizer and pre-tokenizer part of tokenizer.json.
type pipeline struct {
	Normalizer   map[string]any `json:"normalizer"`
	PreTokenizer map[string]any `json:"pre_tokenizer"`
}

func defaultPipeline() pipeline {
	replace := func(from rune, to string) map[string]any {
		return map[string]any{
			"type":    "Replace",
			"pattern": map[string]any{"String": string(from)},
			"content": to,
		}
	}
	var norms []any
	for _, rp := range replacements() {
		norms = append(norms, replace(rp.from, rp.to))
	}
	norms = append(norms, map[string]any{"type": "Lowercase"})
	return pipeline{
		Normalizer: map[string]any{"type": "Sequence", "normalizers": norms},
		PreTokenizer: map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "WhitespaceSplit"},
			map[string]any{"type": "Punctuation", "behavior": "Isolated"},
		}},
	}
}

// tokenizerFile is the subset of the Hugging Face tokenizer.json schema that
// sugarme reads.
type tokenizerFile struct {
	Version       string         `json:"version"`
	Truncation    any            `json:"truncation"`
	Padding       any            `json:"padding"`
	AddedTokens   []any          `json:"added_tokens"`
	Normalizer    map[string]any `json:"normalizer"`
	PreTokenizer  map[string]any `json:"pre_tokenizer"`
	PostProcessor any            `json:"post_processor"`
	Decoder       map[string]any `json:"decoder"`
	Model         wordPiece      `json:"model"`
}

type wordPiece struct {
	Type                    string         `json:"type"`
	UnkToken                string         `json:"unk_token"`
	ContinuingSubwordPrefix string         `json:"continuing_subword_prefix"`
	MaxInputCharsPerWord    int            `json:"max_input_chars_per_word"`
	Vocab                   map[string]int `json:"vocab"`
}

func main() {
	out := flag.String("out", "", "output tokenizer.json path (required; - for stdout)")
	specPath := flag.String("spec", "", "optional JSON file with \"normalizer\" and \"pre_tokenizer\" overriding the default pipeline (for experiments)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: vocabgen -out tokenizer.json corpus.jsonl...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *specPath, flag.Args(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "vocabgen:", err)
		os.Exit(1)
	}
}

func run(out, specPath string, inputs []string, logw io.Writer) error {
	pl := defaultPipeline()
	if specPath != "" {
		data, err := os.ReadFile(specPath)
		if err != nil {
			return err
		}
		pl = pipeline{}
		if err := json.Unmarshal(data, &pl); err != nil {
			return fmt.Errorf("spec %s: %w", specPath, err)
		}
	}
	wordsOf, err := newWordSplitter(pl)
	if err != nil {
		return err
	}

	counts := map[string]int{}
	var texts, skipped int
	for _, path := range inputs {
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(logw, "vocabgen: skipping missing %s\n", path)
			continue
		}
		if err != nil {
			return err
		}
		n, bad, err := readTexts(f, func(text string) bool {
			words, ok := wordsOf(text)
			for _, w := range words {
				counts[w]++
			}
			return ok
		})
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		texts += n
		skipped += bad
	}

	vocab := buildVocab(counts)
	file := tokenizerFile{
		Version:      "1.0",
		AddedTokens:  []any{},
		Normalizer:   pl.Normalizer,
		PreTokenizer: pl.PreTokenizer,
		Decoder:      map[string]any{"type": "WordPiece", "prefix": subwordPrefix, "cleanup": true},
		Model: wordPiece{
			Type:                    "WordPiece",
			UnkToken:                unkToken,
			ContinuingSubwordPrefix: subwordPrefix,
			MaxInputCharsPerWord:    maxInputCharsPerWord,
			Vocab:                   vocab,
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(file); err != nil {
		return err
	}
	// Self-check: the file must load with sugarme's own loader.
	if _, err := pretrained.FromReader(bytes.NewReader(buf.Bytes())); err != nil {
		return fmt.Errorf("generated file does not load: %w", err)
	}
	fmt.Fprintf(logw, "vocabgen: %d texts (%d lines skipped), %d distinct words, vocabulary %d\n",
		texts, skipped, len(counts), len(vocab))
	if out == "-" {
		_, err := os.Stdout.Write(buf.Bytes())
		return err
	}
	return writeAtomic(out, buf.Bytes())
}

// writeAtomic writes b to the file name through a temporary file in the
// same directory, synced and renamed over it, so that name holds either
// its old content or all of b; the temporary file is removed on failure.
func writeAtomic(name string, b []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// readTexts calls fn with the "text" of every JSON line of r and returns the
// number of texts and how many lines were unusable: not a JSON object with a
// non-empty "text", or rejected by fn.
func readTexts(r io.Reader, fn func(string) bool) (n, bad int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<26)
	for sc.Scan() {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var rec struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(b, &rec); err != nil || rec.Text == "" {
			// A file that is still being written may end in a partial
			// line; count it and go on rather than fail the build.
			bad++
			continue
		}
		n++
		if !fn(rec.Text) {
			bad++
		}
	}
	return n, bad, sc.Err()
}

// newWordSplitter returns a function giving the pre-tokens (the words the
// model sees) of a text, computed by sugarme's normalizer and pre-tokenizer.
func newWordSplitter(pl pipeline) (func(string) ([]string, bool), error) {
	norm, err := pretrained.CreateNormalizer(pl.Normalizer)
	if err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	pre, err := pretrained.CreatePreTokenizer(pl.PreTokenizer)
	if err != nil {
		return nil, fmt.Errorf("pre_tokenizer: %w", err)
	}
	return func(text string) (words []string, ok bool) {
		defer func() {
			if recover() != nil {
				words, ok = nil, false
			}
		}()
		text = strings.ToValidUTF8(text, "\uFFFD")
		pts := tokenizer.NewPreTokenizedString(text)
		if norm != nil {
			pts = pts.Normalize(func(n *normalizer.NormalizedString) *normalizer.NormalizedString {
				out, err := norm.Normalize(n)
				if err != nil {
					panic(err)
				}
				return out
			})
		}
		if pre != nil {
			if pts, err = pre.PreTokenize(pts); err != nil {
				return nil, false
			}
		}
		for _, p := range pts.GetSplits(normalizer.NormalizedTarget, tokenizer.Byte) {
			if p.Value != "" {
				words = append(words, p.Value)
			}
		}
		return words, true
	}, nil
}

// baselineChars returns the characters that are always in the vocabulary,
// so that words of these scripts never become [UNK] just because one letter
// did not occur in the corpus: those of printable ASCII, Latin-1 and Latin
// extended A/B, combining diacritics, Greek, Cyrillic, Arabic, general
// punctuation and currency symbols that can reach the model (graphic, not
// white space, unchanged by lower-casing, not rewritten by a Replace step).
func baselineChars() map[rune]bool {
	rewritten := map[rune]bool{}
	for _, rp := range replacements() {
		rewritten[rp.from] = true
	}
	chars := map[rune]bool{}
	for _, rg := range [][2]rune{
		{0x0021, 0x007E}, {0x00A1, 0x024F}, {0x0300, 0x036F}, {0x0370, 0x03FF},
		{0x0400, 0x04FF}, {0x0600, 0x06FF}, {0x2010, 0x205E}, {0x20A0, 0x20C0},
	} {
		for r := rg[0]; r <= rg[1]; r++ {
			if unicode.IsGraphic(r) && !unicode.IsSpace(r) && unicode.ToLower(r) == r && !rewritten[r] {
				chars[r] = true
			}
		}
	}
	return chars
}

// buildVocab assigns ids: [UNK] first, then words by descending frequency
// (ties in byte order), then single characters and their "##" continuations
// in rune order.
func buildVocab(counts map[string]int) map[string]int {
	words := make([]string, 0, len(counts))
	chars := baselineChars()
	for w := range counts {
		if utf8.RuneCountInString(w) <= maxInputCharsPerWord {
			words = append(words, w)
		}
		for _, r := range w {
			chars[r] = true
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	runes := make([]rune, 0, len(chars))
	for r := range chars {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })

	vocab := map[string]int{}
	add := func(tok string) {
		if _, ok := vocab[tok]; !ok {
			vocab[tok] = len(vocab)
		}
	}
	add(unkToken)
	for _, w := range words {
		add(w)
	}
	for _, r := range runes {
		add(string(r))
	}
	for _, r := range runes {
		add(subwordPrefix + string(r))
	}
	return vocab
}
