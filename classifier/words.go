package classifier

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// wordsHeader opens a word list written by WriteWords; the second line
// names the tokenizer.json it was made with.
const (
	wordsHeader    = "claims word tokens v1"
	wordsTokenizer = "tokenizer sha256 "
	// maxWordsBytes bounds what ReadWords reads: a list for a corpus many
	// times the default one's.
	maxWordsBytes = 64 << 20
)

// WriteWords writes the tokens sugarme gives every distinct word of texts
// that the tokenizer memoizes, one word a line in byte order, under a
// header naming this tokenizer's tokenizer.json by its SHA-256. ReadWords
// on a tokenizer loaded from the same file then fills its cache without
// calling sugarme, which is most of the time it takes to train a model on
// texts for the first time. The list also fills this tokenizer's cache.
// It writes nothing but the header for a pipeline the cache does not
// serve.
func (t *Tokenizer) WriteWords(w io.Writer, texts []string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n%s%s\n", wordsHeader, wordsTokenizer, hex.EncodeToString(t.sum[:]))
	if t.fast && t.cache != nil {
		t.Warm(texts)
		var words []string
		t.eachWord(texts, func(w string) bool { words = append(words, w); return true })
		slices.Sort(words)
		for _, w := range words {
			e := t.cache.get(t.cache.hash(w), w)
			if e == nil || e.unsafe || len(e.toks) == 0 || strings.ContainsAny(w, "\t\n") {
				continue // left to the normal path, as Warm leaves it
			}
			bw.WriteString(w)
			bw.WriteByte('\t')
			for k, tk := range e.toks {
				if k > 0 {
					bw.WriteByte(' ')
				}
				bw.WriteString(tk)
			}
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// ReadWords loads a word list written by WriteWords into the tokenizer's
// cache and returns how many words it added. A list made with another
// tokenizer.json is refused with an error wrapping ErrWordsMismatch, and
// one that is malformed with an error wrapping ErrBadWords; either way the
// tokenizer is unchanged and still correct, only slower to warm. A list
// for a pipeline the cache does not serve adds nothing.
//
// The list is trusted to hold what sugarme gives for each word: a list
// whose header names this tokenizer but whose tokens were edited changes
// the tokens of the words it lists.
func (t *Tokenizer) ReadWords(r io.Reader) (int, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxWordsBytes+1))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadWords, err)
	}
	if len(data) > maxWordsBytes {
		return 0, fmt.Errorf("%w: larger than %d bytes", ErrBadWords, maxWordsBytes)
	}
	if !utf8.Valid(data) {
		return 0, fmt.Errorf("%w: not valid UTF-8", ErrBadWords)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		// WriteWords ends every line: the list was cut short, perhaps
		// inside a word's tokens ("ministry\tminist").
		return 0, fmt.Errorf("%w: the last line does not end: the list is cut short", ErrBadWords)
	}
	text := string(data)
	header, rest, _ := strings.Cut(text, "\n")
	if header != wordsHeader {
		return 0, fmt.Errorf("%w: first line is not %q", ErrBadWords, wordsHeader)
	}
	line, rest, _ := strings.Cut(rest, "\n")
	sum, ok := strings.CutPrefix(line, wordsTokenizer)
	if !ok {
		return 0, fmt.Errorf("%w: second line does not name the tokenizer", ErrBadWords)
	}
	if sum != hex.EncodeToString(t.sum[:]) {
		return 0, fmt.Errorf("%w: made with tokenizer.json %.12s…, this one is %.12s…", ErrWordsMismatch, sum, hex.EncodeToString(t.sum[:]))
	}
	// Check every line before changing anything.
	n, ntok := 0, 0
	for lineNo, body := 3, rest; body != ""; lineNo++ {
		line, body, _ = strings.Cut(body, "\n")
		w, toks, ok := strings.Cut(line, "\t")
		switch {
		case !ok || w == "" || toks == "":
			return 0, fmt.Errorf("%w: line %d is not a word, a tab and its tokens", ErrBadWords, lineNo)
		case len(w) > maxCachedWordBytes || strings.ContainsFunc(w, t.isSep) || strings.Contains(w, " ") || (t.lower && hasUnstableCase(w)):
			return 0, fmt.Errorf("%w: line %d holds %q, which is not a word the cache keeps", ErrBadWords, lineNo, w)
		case strings.Contains(toks, "  ") || toks[0] == ' ' || toks[len(toks)-1] == ' ' || strings.Contains(toks, "\t"):
			return 0, fmt.Errorf("%w: line %d has an empty token", ErrBadWords, lineNo)
		}
		n++
		ntok += strings.Count(toks, " ") + 1
	}
	if !t.fast || t.cache == nil || n == 0 {
		return 0, nil
	}
	// One allocation for all entries and one for all token lists; the
	// strings share the list's bytes (see warmBatch).
	entries := make([]wordEntry, n)
	lists := make([]string, ntok)
	added := make([]*wordEntry, 0, n)
	k := 0
	for i, body := 0, rest; body != ""; i++ {
		var line string
		line, body, _ = strings.Cut(body, "\n")
		w, toks, _ := strings.Cut(line, "\t")
		first := k
		for tk := range strings.SplitSeq(toks, " ") {
			lists[k] = tk
			k++
		}
		e := &entries[i]
		e.key, e.toks = w, lists[first:k:k]
		h := t.cache.hash(w)
		if t.cache.get(h, w) != nil {
			continue
		}
		t.cache.put(h, e)
		added = append(added, e)
	}
	t.keepWarmed(added)
	return len(added), nil
}
