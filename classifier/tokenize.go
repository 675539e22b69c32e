package classifier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/pretrained"
)

// ErrBadTokenizer is returned (wrapping the underlying cause) when a
// tokenizer.json cannot be read, is not valid JSON, or describes a pipeline
// that sugarme/tokenizer cannot build or run.
var ErrBadTokenizer = errors.New("classifier: bad tokenizer file")

const (
	// defaultCacheSize is the default number of words whose tokens are
	// memoized.
	defaultCacheSize = 65536
	// maxCachedWordBytes is the length above which a word's tokens are
	// computed on every call instead of being cached, so that one huge
	// "word" cannot pin a large key in memory.
	maxCachedWordBytes = 128
	// missBudget is how many cache misses a sentence may resolve word by
	// word. A sugarme call costs about the same for one word as for a
	// sentence of four or five, so past this many misses the sentence is
	// encoded whole instead: a stream of unique words then costs at most
	// about twice the full pipeline, while the cache still learns
	// missBudget words per sentence.
	missBudget = 4
	// maxWholeBytes is the longest sentence the fast path hands to sugarme
	// in one piece. sugarme's time grows with the square of a sentence's
	// length: past about 16 KiB for any text (measured here: 0.6 s at 64
	// KiB, 4 s at 256 KiB), and from the start when its normalizer
	// replaces many characters (text whose spaces are U+00A0: 20 ms at 1
	// KiB, 1.5 s at 8 KiB). A longer sentence is encoded in pieces cut
	// between words, whose tokens the fast path's argument makes the same;
	// a piece of 512 bytes costs no more than a sentence of that length,
	// so a text costs about the same however it is split into sentences.
	maxWholeBytes = 512
	// maxSlowBytes is the longest sentence sugarme encodes whole when the
	// fast path does not serve it (another pipeline, or a sentence holding
	// one of its added tokens): longer ones go in pieces (appendSlow). It
	// is above nearly every real sentence, whose tokens then stay exactly
	// sugarme's, and bounds a piece's cost: measured here on text that a
	// Replace normalizer rewrites throughout, 0.03 s for 1 KiB, and 0.46 s
	// for 16 KiB in pieces against 11 s whole.
	maxSlowBytes = 1024
	// probeSentence is encoded once at load time to check that the pipeline
	// actually runs.
	probeSentence = "The minister said: \"we didn't do it.\""
)

// TokenizerOption configures NewTokenizer.
type TokenizerOption func(*tokenizerOptions)

type tokenizerOptions struct {
	cacheSize int
}

// WithCacheSize sets how many distinct words the tokenizer memoizes (default
// 65536): up to n recently used words, and up to n more warmed from a word
// list or a corpus (Warm, ReadWords), so about 2n at most. An n below 2
// disables it, so every sentence goes through sugarme's full pipeline (in
// pieces past 512 bytes).
func WithCacheSize(n int) TokenizerOption {
	return func(o *tokenizerOptions) { o.cacheSize = n }
}

// Tokenizer turns one sentence into lowercase word tokens with a
// sugarme/tokenizer pipeline defined by a tokenizer.json. It is safe for
// concurrent use.
//
// Input that is not valid UTF-8 is first made valid by strings.ToValidUTF8
// with U+FFFD as replacement (each run of invalid bytes becomes one U+FFFD);
// this applies to both AppendTokens and Reference, because sugarme panics on
// invalid UTF-8.
//
// Fast path: when the pipeline is one whose normalizer, pre-tokenizer and
// model act within white-space delimited words (checked at load time), a
// sentence's tokens are the concatenation of its words' tokens, so the
// tokens sugarme produces for each word are memoized in a bounded cache. Words containing a character whose lower-case form has a
// different UTF-8 length (e.g. U+0130 'İ') make sugarme's Lowercase
// normalizer misalign the rest of the sentence, so any sentence containing
// such a word is encoded whole by sugarme instead, or in pieces of 512
// bytes cut between words when it is longer: then the
// misalignment stays within the word's piece, so the tokens after the word
// may differ from Reference's. Other pipelines always use the full sugarme
// path, in pieces of 1 KiB cut at white space when a sentence is longer
// (see AppendTokens).
//
// Make one with NewTokenizer or LoadTokenizer: the zero value is not
// usable.
type Tokenizer struct {
	tk  *tokenizer.Tokenizer // configured once at load, read-only after
	unk string               // token emitted for a word sugarme cannot encode
	sum [sha256.Size]byte    // SHA-256 of the tokenizer.json, which WriteWords records

	fast     bool                // per-word memoization is exact for this pipeline
	lower    bool                // the pipeline lower-cases: check case stability
	asciiSep [utf8.RuneSelf]bool // ASCII separators (removed by the pre-tokenizer)
	seps     []rune              // non-ASCII runes normalized to a separator
	guards   []string            // added-token contents: sentences containing one go whole
	slowWhy  string              // why the fast path is off (diagnostics)

	cache *wordCache // nil when disabled
	// frozen holds the words of the first corpus warmed (the default
	// model's, at startup), read without locks; nil until then. It is set
	// once and never changed, and holds at most the cache's capacity.
	frozen atomic.Pointer[map[string]*wordEntry]
	warmMu sync.Mutex
	warmed []*wordEntry // entries made by Warm, until frozen is set
}

// Fingerprint returns the lower-case hex SHA-256 of the tokenizer.json the
// tokenizer was loaded from. A model records the fingerprint of the
// tokenizer it was trained with (Info.Tokenizer).
func (t *Tokenizer) Fingerprint() string { return hex.EncodeToString(t.sum[:]) }

// MaxTokenizerBytes is the largest tokenizer.json NewTokenizer reads. The
// embedded one is 258 KB; the largest Hugging Face tokenizers of
// multilingual models are tens of megabytes.
const MaxTokenizerBytes = 64 << 20

// LoadTokenizer loads a tokenizer.json file from path. It must be a regular
// file (or a link to one) of at most MaxTokenizerBytes: a device or a named
// pipe is refused before it is opened, as reading it could block or never
// end.
func LoadTokenizer(path string) (*Tokenizer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokenizer, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file but %s", ErrBadTokenizer, path, fileKind(fi.Mode()))
	}
	if fi.Size() > MaxTokenizerBytes {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than the %d a tokenizer.json may have", ErrBadTokenizer, path, fi.Size(), MaxTokenizerBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokenizer, err)
	}
	defer f.Close()
	return NewTokenizer(f)
}

// fileKind names what a file that is not a regular one is, for an error.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// NewTokenizer loads a Hugging Face tokenizer.json from r. Unreadable,
// corrupt or unsupported files, and files larger than MaxTokenizerBytes,
// give an error wrapping ErrBadTokenizer; a panic inside sugarme while
// loading is turned into such an error.
func NewTokenizer(r io.Reader, opts ...TokenizerOption) (*Tokenizer, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrBadTokenizer)
	}
	o := tokenizerOptions{cacheSize: defaultCacheSize}
	for _, opt := range opts {
		opt(&o)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxTokenizerBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokenizer, err)
	}
	if len(data) > MaxTokenizerBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBadTokenizer, MaxTokenizerBytes)
	}
	var cfg pipelineConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokenizer, err)
	}
	if cfg.Model == nil {
		return nil, fmt.Errorf("%w: no \"model\" object", ErrBadTokenizer)
	}
	if _, ok := cfg.Model["vocab"]; !ok {
		return nil, fmt.Errorf("%w: model has no \"vocab\"", ErrBadTokenizer)
	}
	if hasRegexReplace(cfg.Normalizer) {
		// sugarme v0.3.0's loader looks for "Regex" beside "pattern" rather
		// than inside it, so the step would silently replace nothing.
		return nil, fmt.Errorf("%w: normalizer Replace step with a Regex pattern, which sugarme/tokenizer v0.3.0 reads as an empty pattern (use one String pattern per literal)", ErrBadTokenizer)
	}
	tk, err := loadSugarme(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokenizer, err)
	}
	t := &Tokenizer{tk: tk, unk: "[UNK]", sum: sha256.Sum256(data)}
	if u, ok := cfg.Model["unk_token"].(string); ok && u != "" {
		t.unk = u
	}
	if _, ok := t.encode(probeSentence); !ok {
		return nil, fmt.Errorf("%w: pipeline fails on a probe sentence", ErrBadTokenizer)
	}
	t.analyzePipeline(&cfg)
	if o.cacheSize >= 2 {
		t.cache = newWordCache(o.cacheSize)
	}
	return t, nil
}

// hasRegexReplace reports a Replace step with a Regex pattern anywhere in a
// tokenizer.json normalizer (nested Sequences included).
func hasRegexReplace(m map[string]any) bool {
	switch m["type"] {
	case "Replace":
		pat, _ := m["pattern"].(map[string]any)
		_, ok := pat["Regex"]
		return ok
	case "Sequence":
		list, _ := m["normalizers"].([]any)
		for _, x := range list {
			if sub, ok := x.(map[string]any); ok && hasRegexReplace(sub) {
				return true
			}
		}
	}
	return false
}

// loadSugarme builds sugarme's tokenizer, turning its panics into errors.
func loadSugarme(data []byte) (tk *tokenizer.Tokenizer, err error) {
	defer func() {
		if r := recover(); r != nil {
			tk, err = nil, fmt.Errorf("sugarme panicked: %v", r)
		}
	}()
	tk, err = pretrained.FromReader(bytes.NewReader(data))
	if err == nil && tk == nil {
		err = errors.New("sugarme returned no tokenizer")
	}
	return tk, err
}

// Tokens is AppendTokens(nil, s).
func (t *Tokenizer) Tokens(s string) []string {
	return t.AppendTokens(nil, s)
}

// AppendTokens appends the tokens of sentence s to dst and returns it. The
// tokens are exactly those of sugarme's full-sentence EncodeSingle
// (Encoding.Tokens), i.e. of Reference, but for two exceptions: the one
// described on Tokenizer (a sentence over 512 bytes with a word of
// unstable case), and a sentence over 1 KiB on another pipeline (below).
// The appended strings are shared with the cache, so on a warm cache the
// call allocates nothing beyond the growth of dst. A sentence with more
// than a few uncached words, or with a word the fast path cannot handle, is
// encoded by sugarme whole (in pieces past 512 bytes, and with a word past
// 512 bytes as the unknown token). A pipeline the fast path does not serve
// encodes a sentence by sugarme whole up to 1 KiB, and a longer one in
// pieces of at most 1 KiB cut at white space (in a longer run without
// any, at a character boundary), since sugarme's time may grow with the
// square of what it is given: the tokens are then those of the pieces,
// which equal Reference's when the pre-tokenizer drops the white space
// between words, as BertPreTokenizer does (not ByteLevel or Metaspace,
// which mark a word by the space before it).
func (t *Tokenizer) AppendTokens(dst []string, s string) []string {
	return t.appendTokens(context.Background(), dst, s)
}

// appendTokensContext is AppendTokens that stops between the pieces of a
// long sentence once ctx is done, returning ctx's error (and dst as it
// was): sugarme takes seconds over the longest sentences a server takes.
func (t *Tokenizer) appendTokensContext(ctx context.Context, dst []string, s string) ([]string, error) {
	out := t.appendTokens(ctx, dst, s)
	if err := ctx.Err(); err != nil {
		return dst, err
	}
	return out, nil
}

// appendTokens is AppendTokens; once ctx is done, it stops between two
// pieces and returns what it has.
func (t *Tokenizer) appendTokens(ctx context.Context, dst []string, s string) []string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !t.fast {
		return t.appendSlow(ctx, dst, s)
	}
	for _, g := range t.guards {
		if strings.Contains(s, g) {
			return t.appendSlow(ctx, dst, s)
		}
	}
	if t.cache == nil {
		return t.appendPieces(ctx, dst, s)
	}
	start, misses := len(dst), 0
	for i := 0; ; {
		var w string
		if w, i = t.nextWord(s, i); w == "" {
			return dst
		}
		if fm := t.frozen.Load(); fm != nil {
			if e := (*fm)[w]; e != nil {
				dst = append(dst, e.toks...)
				continue
			}
		}
		h := t.cache.hash(w)
		e := t.cache.get(h, w)
		if e == nil {
			if misses == missBudget {
				return t.appendPieces(ctx, dst[:start], s)
			}
			misses++
			e = t.computeWord(w)
			if len(w) <= maxCachedWordBytes {
				t.cache.put(h, e)
			}
		}
		if e.unsafe {
			return t.appendPieces(ctx, dst[:start], s)
		}
		dst = append(dst, e.toks...)
	}
}

// appendPieces appends the tokens of s, encoded by sugarme whole if it is
// at most maxWholeBytes long, else in pieces of at most that size cut
// between words. Separators give no tokens, so each piece starts at a
// word, and no run of them reaches sugarme; a word longer than a piece is
// a piece of its own (see computeWord). Only the fast path may call it:
// its pipeline makes the tokens of the pieces those of the whole, except
// after a word with unstable case (see Tokenizer), whose misalignment
// sugarme then confines to the word's piece. Once ctx is done, it stops
// before the next piece.
func (t *Tokenizer) appendPieces(ctx context.Context, dst []string, s string) []string {
	if len(s) <= maxWholeBytes {
		// Whole, as it is: sugarme's tokens for a sentence with a word
		// of unstable case depend on all of it, leading separators too.
		return append(dst, t.reference(s)...)
	}
	for {
		w, next := t.nextWord(s, 0)
		if w == "" || ctx.Err() != nil {
			return dst
		}
		s = s[next-len(w):]
		if len(s) <= maxWholeBytes {
			return append(dst, t.reference(s)...)
		}
		if len(w) > maxWholeBytes {
			dst = append(dst, t.unk)
			s = s[len(w):]
			continue
		}
		cut := len(w)
		for i := cut; ; {
			w, next := t.nextWord(s, i)
			if w == "" || next > maxWholeBytes {
				break
			}
			cut, i = next, next
		}
		dst = append(dst, t.reference(s[:cut])...)
		s = s[cut:]
	}
}

// appendSlow appends the tokens of s from sugarme's full pipeline, for a
// pipeline (or a sentence) the fast path does not serve: whole if s is at
// most maxSlowBytes long, else in pieces of at most that size, cut before
// the last white space (unicode.IsSpace) that keeps a piece within it,
// or, in a run of that length without any, at a character boundary. So
// sugarme's time, which may grow with the square of what it is given,
// grows only linearly with a long sentence, and once ctx is done it stops
// before the next piece. The tokens of such a sentence are those of its
// pieces: the whole sentence's when the pre-tokenizer drops the white
// space between words (WhitespaceSplit, Whitespace, BertPreTokenizer),
// but for the two words a run without white space is cut into; with one
// that marks a word by the space before it (ByteLevel, Metaspace), the
// first word of each piece may differ.
func (t *Tokenizer) appendSlow(ctx context.Context, dst []string, s string) []string {
	for len(s) > maxSlowBytes {
		if ctx.Err() != nil {
			return dst
		}
		cut := strings.LastIndexFunc(s[:maxSlowBytes+1], unicode.IsSpace)
		if cut <= 0 {
			// At the start of a character: appendTokens made s valid
			// UTF-8, so one starts within utf8.UTFMax bytes.
			cut = maxSlowBytes
			for !utf8.RuneStart(s[cut]) {
				cut--
			}
		}
		dst = append(dst, t.reference(s[:cut])...)
		s = strings.TrimLeftFunc(s[cut:], unicode.IsSpace)
	}
	if ctx.Err() != nil {
		return dst
	}
	return append(dst, t.reference(s)...)
}

// Reference returns the tokens from sugarme's full pipeline with no cache
// (used by tests and benchmarks as the baseline): Encoding.Tokens of
// EncodeSingle on the whole sentence, after the invalid UTF-8 replacement
// described on Tokenizer. If sugarme panics or fails on the sentence, each
// white-space delimited word is encoded separately instead, and a word that
// still fails becomes the model's unknown token.
func (t *Tokenizer) Reference(s string) []string {
	return t.reference(strings.ToValidUTF8(s, "\uFFFD"))
}

// reference is Reference for valid UTF-8.
func (t *Tokenizer) reference(s string) []string {
	if toks, ok := t.encode(s); ok {
		return toks
	}
	var out []string
	for i := 0; ; {
		var w string
		if w, i = t.nextWord(s, i); w == "" {
			return out
		}
		out = append(out, t.encodeWord(w)...)
	}
}

// encode runs sugarme on s, reporting failure instead of panicking.
func (t *Tokenizer) encode(s string) (toks []string, ok bool) {
	defer func() {
		if recover() != nil {
			toks, ok = nil, false
		}
	}()
	en, err := t.tk.EncodeSingle(s)
	if err != nil || en == nil {
		return nil, false
	}
	return en.Tokens, true
}

// encodeWord is encode for one word, with the unknown token on failure.
func (t *Tokenizer) encodeWord(w string) []string {
	if toks, ok := t.encode(w); ok {
		return toks
	}
	return []string{t.unk}
}

// nextWord returns the first word of s at or after byte i (a maximal run of
// non-separator runes) and the index just after it; word is "" at the end.
func (t *Tokenizer) nextWord(s string, i int) (word string, next int) {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !t.asciiSep[c] {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !t.isSep(r) {
			break
		}
		i += n
	}
	start := i
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if t.asciiSep[c] {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if t.isSep(r) {
			break
		}
		i += n
	}
	return s[start:i], i
}

func (t *Tokenizer) isSep(r rune) bool {
	for _, x := range t.seps {
		if x == r {
			return true
		}
	}
	return false
}

// wordEntry is the memoized result for one word. It is immutable once built
// and shared by all readers.
type wordEntry struct {
	key    string
	toks   []string
	unsafe bool // the sentence must be encoded whole
}

// computeWord runs sugarme on one word. A word longer than maxWholeBytes
// is the unknown token without asking: it is one for sugarme too (past
// WordPiece's max_input_chars_per_word), unless it holds punctuation that
// the pre-tokenizer splits off, which costs sugarme time quadratic in the
// word's length when its normalizer replaces characters (2 s for 8 KiB of
// '’'), or characters the normalizer deletes (soft hyphens, zero-width
// joiners) that leave a word short enough to have tokens.
func (t *Tokenizer) computeWord(w string) *wordEntry {
	e := &wordEntry{key: strings.Clone(w)}
	if len(w) > maxWholeBytes {
		e.toks = []string{t.unk}
		return e
	}
	if t.lower && hasUnstableCase(w) {
		e.unsafe = true
		return e
	}
	e.toks = slices.Clip(t.encodeWord(w))
	return e
}

// hasUnstableCase reports whether w has a rune whose lower-case mapping has
// a different UTF-8 length. sugarme's Lowercase rewrites the normalized
// string without updating its alignments, so such a rune corrupts how the
// rest of the sentence is sliced into words.
func hasUnstableCase(w string) bool {
	for _, r := range w {
		if r >= utf8.RuneSelf && utf8.RuneLen(unicode.ToLower(r)) != utf8.RuneLen(r) {
			return true
		}
	}
	return false
}

// pipelineConfig is the part of tokenizer.json that decides whether the
// fast path is exact.
type pipelineConfig struct {
	Normalizer    map[string]any `json:"normalizer"`
	PreTokenizer  map[string]any `json:"pre_tokenizer"`
	PostProcessor any            `json:"post_processor"`
	Truncation    any            `json:"truncation"`
	Padding       any            `json:"padding"`
	Model         map[string]any `json:"model"`
	AddedTokens   []struct {
		Content    string `json:"content"`
		Normalized bool   `json:"normalized"`
	} `json:"added_tokens"`
}

// replaceStep is a Replace normalizer with a literal pattern.
type replaceStep struct {
	pattern, content string
	afterLower       bool // a Lowercase step runs before this one
}

// analyzePipeline decides whether per-word memoization gives exactly the
// full-sentence tokens, and which raw runes may be used to split words.
//
// The argument: sugarme first extracts added tokens (none, or only
// non-normalized ones, whose presence sends the sentence down the full path),
// then normalizes the whole sentence, pre-tokenizes it and runs the model on
// each pre-token. The fast path is enabled only when
//
//   - the normalizer is a sequence of Lowercase (a per-rune map) and Replace
//     steps with literal patterns that contain no white space and no
//     separator rune, so no replacement can span a word boundary;
//   - the pre-tokenizer is a sequence of WhitespaceSplit, BertPreTokenizer,
//     Whitespace and Punctuation with at least one of the first three, so
//     ' ', '\t', '\n' and '\r' are removed and end pre-tokens, and the others
//     only split within what lies between them;
//   - the model is WordPiece or WordLevel (a function of each pre-token);
//   - there is no truncation, padding or post-processor.
//
// Under these conditions tokens(sentence) is the concatenation of
// tokens(word) over the words between separators. The separators are the
// four ASCII characters above plus each rune that a single-rune Replace maps
// to white space, provided no other Replace pattern mentions it and no
// Lowercase step before it could change it.
func (t *Tokenizer) analyzePipeline(cfg *pipelineConfig) {
	for _, c := range []byte{' ', '\t', '\n', '\r'} {
		t.asciiSep[c] = true
	}
	why := t.fastPathBlocker(cfg)
	t.fast, t.slowWhy = why == "", why
	if !t.fast {
		t.seps, t.guards = nil, nil
		return
	}
	for _, r := range t.seps {
		if r < utf8.RuneSelf {
			t.asciiSep[r] = true
		}
	}
}

// fastPathBlocker fills t.lower, t.seps and t.guards and returns why the
// fast path cannot be used, or "" if it can.
func (t *Tokenizer) fastPathBlocker(cfg *pipelineConfig) string {
	if cfg.PostProcessor != nil || cfg.Truncation != nil || cfg.Padding != nil {
		return "post_processor, truncation or padding set"
	}
	switch cfg.Model["type"] {
	case "WordPiece", "WordLevel":
	default:
		return fmt.Sprintf("model type %v", cfg.Model["type"])
	}
	for _, at := range cfg.AddedTokens {
		if at.Normalized {
			return fmt.Sprintf("normalized added token %q", at.Content)
		}
		if at.Content != "" {
			t.guards = append(t.guards, at.Content)
		}
	}
	var steps []replaceStep
	if cfg.Normalizer != nil && !t.collectNormalizer(cfg.Normalizer, &steps) {
		return "normalizer not known to be word-local"
	}
	if hasWS, ok := checkPreTokenizer(cfg.PreTokenizer); !ok || !hasWS {
		return "pre_tokenizer not known to split on white space only within words"
	}
	// Separators beyond the ASCII four: single-rune patterns replaced by
	// white space that no other step mentions or changes first.
	isSepStep := make([]bool, len(steps))
	for i, st := range steps {
		r, n := utf8.DecodeRuneInString(st.pattern)
		if n != len(st.pattern) || st.content == "" || strings.TrimLeft(st.content, " \t\n\r") != "" {
			continue
		}
		if st.afterLower && unicode.ToLower(r) != r {
			continue
		}
		mentioned := false
		for j, other := range steps {
			mentioned = mentioned || j != i && strings.ContainsRune(other.pattern, r)
		}
		if !mentioned {
			isSepStep[i] = true
			t.seps = append(t.seps, r)
		}
	}
	for i, st := range steps {
		if isSepStep[i] {
			continue
		}
		for _, r := range st.pattern {
			if unicode.IsSpace(r) || r < utf8.RuneSelf && t.asciiSep[r] || slices.Contains(t.seps, r) {
				return "Replace pattern contains a separator"
			}
		}
		if t.lower && hasUnstableCase(st.content) {
			return "Replace content changes length when lower-cased"
		}
	}
	return ""
}

// collectNormalizer flattens a vetted normalizer into steps, reporting false
// for anything else.
func (t *Tokenizer) collectNormalizer(m map[string]any, steps *[]replaceStep) bool {
	switch m["type"] {
	case "Lowercase":
		t.lower = true
		return true
	case "Replace":
		pat, _ := m["pattern"].(map[string]any)
		p, ok1 := pat["String"].(string)
		c, ok2 := m["content"].(string)
		if !ok1 || !ok2 || p == "" || len(pat) != 1 {
			return false
		}
		*steps = append(*steps, replaceStep{pattern: p, content: c, afterLower: t.lower})
		return true
	case "Sequence":
		list, ok := m["normalizers"].([]any)
		if !ok {
			return false
		}
		for _, x := range list {
			sub, ok := x.(map[string]any)
			if !ok || !t.collectNormalizer(sub, steps) {
				return false
			}
		}
		return true
	}
	return false
}

// checkPreTokenizer reports whether m is a vetted pre-tokenizer and whether
// it removes white space.
func checkPreTokenizer(m map[string]any) (hasWS, ok bool) {
	switch m["type"] {
	case "WhitespaceSplit", "BertPreTokenizer", "Whitespace":
		return true, true
	case "Punctuation":
		return false, true
	case "Sequence":
		list, ok := m["pretokenizers"].([]any)
		if !ok {
			return false, false
		}
		for _, x := range list {
			sub, ok := x.(map[string]any)
			if !ok {
				return false, false
			}
			ws, ok := checkPreTokenizer(sub)
			if !ok {
				return false, false
			}
			hasWS = hasWS || ws
		}
		return hasWS, true
	}
	return false, false
}

// wordCache is a bounded, sharded map from word to *wordEntry. Each shard
// keeps two generations: new entries go to cur; when cur is full it becomes
// old and a fresh cur starts, dropping the previous old. A hit in old moves
// the entry to cur. A shard therefore holds at most 2*genCap entries and the
// cache at most its capacity, whatever the input.
type wordCache struct {
	seed   maphash.Seed
	mask   uint64
	genCap int
	shards []cacheShard
}

type cacheShard struct {
	mu  sync.RWMutex
	cur map[string]*wordEntry
	old map[string]*wordEntry
	_   [64]byte // keep shards on separate cache lines
}

func newWordCache(capacity int) *wordCache {
	n := 1
	for n < 64 && capacity/(2*n) >= 2*64 {
		n *= 2
	}
	c := &wordCache{
		seed:   maphash.MakeSeed(),
		mask:   uint64(n - 1),
		genCap: capacity / n / 2,
		shards: make([]cacheShard, n),
	}
	for i := range c.shards {
		c.shards[i].cur = make(map[string]*wordEntry)
	}
	return c
}

func (c *wordCache) hash(w string) uint64 { return maphash.String(c.seed, w) }

func (c *wordCache) get(h uint64, w string) *wordEntry {
	sh := &c.shards[h&c.mask]
	sh.mu.RLock()
	e := sh.cur[w]
	if e != nil {
		sh.mu.RUnlock()
		return e
	}
	e = sh.old[w]
	sh.mu.RUnlock()
	if e != nil {
		sh.mu.Lock()
		if sh.cur[e.key] == nil {
			delete(sh.old, e.key)
			c.insertLocked(sh, e)
		}
		sh.mu.Unlock()
	}
	return e
}

func (c *wordCache) put(h uint64, e *wordEntry) {
	sh := &c.shards[h&c.mask]
	sh.mu.Lock()
	if sh.cur[e.key] == nil {
		delete(sh.old, e.key)
		c.insertLocked(sh, e)
	}
	sh.mu.Unlock()
}

func (c *wordCache) insertLocked(sh *cacheShard, e *wordEntry) {
	if len(sh.cur) >= c.genCap {
		sh.old = sh.cur
		sh.cur = make(map[string]*wordEntry, c.genCap)
	}
	sh.cur[e.key] = e
}

// capacity returns how many words the cache holds at most.
func (c *wordCache) capacity() int { return 2 * c.genCap * len(c.shards) }

// len returns the number of cached words.
func (c *wordCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.cur) + len(sh.old)
		sh.mu.RUnlock()
	}
	return n
}

// warmBatch is how many words Warm encodes in one sugarme call. sugarme's
// normalizers cost time per call and grow faster than linearly with the
// input, so the batch is small.
const warmBatch = 48

// warmSep separates words in a Warm batch. The Punctuation pre-tokenizer
// isolates it and the vocabulary has it as a token of its own, so a batch
// "w1 | w2 | w3" encodes to tokens(w1), "|", tokens(w2), "|", tokens(w3):
// the pipeline acts within whitespace-delimited words (the premise of the
// cache). Words holding the separator are left to the normal path.
const warmSep = "|"

// Warm fills the word cache with the words of texts in batches, so that a
// first pass over a large corpus (training the default model at startup)
// does not call sugarme once per unseen word. It changes no token: a batch
// whose output does not split into one token run per word is dropped, and
// those words are encoded one by one when they are met. Warm is a no-op for
// a pipeline the cache does not serve.
func (t *Tokenizer) Warm(texts []string) { t.warmContext(context.Background(), texts) }

// warmContext is Warm that stops encoding once ctx is done.
func (t *Tokenizer) warmContext(ctx context.Context, texts []string) {
	if !t.fast || t.cache == nil {
		return
	}
	var batch []string
	flush := func() {
		if len(batch) > 0 && ctx.Err() == nil {
			t.warmBatch(batch)
		}
		batch = batch[:0]
	}
	t.eachWord(texts, func(w string) bool {
		if ctx.Err() != nil {
			return false
		}
		if len(w) > maxCachedWordBytes || strings.Contains(w, warmSep) || (t.lower && hasUnstableCase(w)) {
			return true
		}
		if t.cache.get(t.cache.hash(w), w) != nil {
			return true
		}
		batch = append(batch, w)
		if len(batch) == warmBatch {
			flush()
		}
		return true
	})
	flush()
}

// eachWord calls fn once for each distinct word (as nextWord splits them)
// of the valid UTF-8 texts, in order of first appearance, until fn returns
// false.
func (t *Tokenizer) eachWord(texts []string, fn func(w string) bool) {
	seen := make(map[string]bool)
	for _, s := range texts {
		if !utf8.ValidString(s) {
			continue
		}
		for i := 0; ; {
			var w string
			if w, i = t.nextWord(s, i); w == "" {
				break
			}
			if !seen[w] {
				seen[w] = true
				if !fn(w) {
					return
				}
			}
		}
	}
}

// freeze publishes the entries Warm has made so far as the frozen tier,
// read without locks, if there is none yet, and stops collecting them.
func (t *Tokenizer) freeze() {
	t.warmMu.Lock()
	defer t.warmMu.Unlock()
	if t.frozen.Load() == nil && len(t.warmed) > 0 {
		m := make(map[string]*wordEntry, len(t.warmed))
		for _, e := range t.warmed {
			m[e.key] = e
		}
		t.frozen.Store(&m)
	}
	t.warmed = nil
}

// warmBatch encodes words joined by warmSep and caches each word's tokens.
func (t *Tokenizer) warmBatch(words []string) {
	for _, g := range t.guards {
		for _, w := range words {
			if strings.Contains(w, g) {
				return
			}
		}
	}
	toks, ok := t.encode(strings.Join(words, " "+warmSep+" "))
	if !ok {
		return
	}
	runs := make([][]string, 0, len(words))
	start := 0
	for i, tk := range toks {
		if tk == warmSep {
			runs = append(runs, toks[start:i])
			start = i + 1
		}
	}
	runs = append(runs, toks[start:])
	if len(runs) != len(words) {
		return
	}
	for i := range words {
		if len(runs[i]) == 0 {
			return // a word that normalises away entirely: leave it to the slow path
		}
	}
	// One allocation each for the batch's entries, strings and token lists:
	// the entries live as long as the cache, and allocated one by one they
	// would lie scattered among sugarme's garbage, keeping several
	// megabytes of half-empty heap spans after startup.
	size, ntok := 0, 0
	for i, w := range words {
		size += len(w)
		for _, tk := range runs[i] {
			size += len(tk)
		}
		ntok += len(runs[i])
	}
	var sb strings.Builder
	sb.Grow(size)
	for i, w := range words {
		sb.WriteString(w)
		for _, tk := range runs[i] {
			sb.WriteString(tk)
		}
	}
	all := sb.String()
	entries := make([]wordEntry, len(words))
	lists := make([]string, ntok)
	off, k := 0, 0
	for i, w := range words {
		e := &entries[i]
		e.key = all[off : off+len(w)]
		off += len(w)
		first := k
		for _, tk := range runs[i] {
			lists[k] = all[off : off+len(tk)]
			off += len(tk)
			k++
		}
		e.toks = lists[first:k:k]
		t.cache.put(t.cache.hash(w), e)
	}
	if t.frozen.Load() == nil {
		ptrs := make([]*wordEntry, len(entries))
		for i := range entries {
			ptrs[i] = &entries[i]
		}
		t.keepWarmed(ptrs)
	}
}

// keepWarmed collects entries for the frozen tier until it is set, up to
// the cache's capacity in all: the frozen tier is never larger than the
// cache it stands beside.
func (t *Tokenizer) keepWarmed(entries []*wordEntry) {
	t.warmMu.Lock()
	defer t.warmMu.Unlock()
	if t.frozen.Load() != nil {
		return
	}
	room := t.cache.capacity() - len(t.warmed)
	t.warmed = append(t.warmed, entries[:max(0, min(room, len(entries)))]...)
}
