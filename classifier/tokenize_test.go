package classifier

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

const (
	seedTokenizerPath  = "../seeds/tokenizer.json"
	smallTokenizerPath = "testdata/tokenizer_small.json"
	benchSentencesPath = "testdata/tokenize_bench.txt"
)

// hardStrings returns inputs chosen to break a per-word shortcut: unusual
// white space, typography, scripts, case mappings that change byte length,
// invalid UTF-8 and very long words.
func hardStrings() []string {
	return []string{
		"",
		" ",
		"\u00a0",
		" \t\n\r ",
		"Officials\u00a0said\u00a0the government sent\u00a0condolences.",
		"and\u00a0condolences to Zelenskyy, Erdoğan and Fernández\u00a0café naïve résumé",
		"“We didn’t do it,” the Kremlin’s spokesman said — again.",
		"„Nein“, sagte er. « Non », dit-elle. ‘single’ ‚low‘ ‛rev‟",
		"attack—Tuesday – 3–4 … “”",
		"storm 🌀 emoji🎉x 👩‍👩‍👧 flag 🇺🇦 ok",
		"Москва заявила, что «это провокация».",
		"قال المتحدث إن الهجوم «إرهابي» ",
		"e\u0301 cafe\u0301 a\u0308\u0301\u0302 \u0301start",
		"line\u2028separator\u2029para\u0085nel\u000bvt\u000cff",
		"tabs\tand\nnewlines\r\nand  doubles",
		"zero\u200bwidth\u200cnon\u200djoiner\u2060wj\ufeffbom soft\u00adhyphen",
		"thin\u2009space narrow\u202fnbsp ideographic\u3000space em\u2003space",
		"the \xff\xfe invalid \xc3 bytes\x80",
		"\xed\xa0\x80 surrogate",
		"İstanbul is big",
		"the İ the",
		"ẞa the a",
		"Ⱥ the a",
		"\u212a kelvin \u2126 ohm \u212b angstrom",
		"ﬁne ligature ½ ① ㈱ ﷺ x",
		"x\u00a8y \u00b4z",
		"[UNK] [unk] [CLS] ##s ## #",
		strings.Repeat("a", 101) + " " + strings.Repeat("b", 99),
		strings.Repeat("long", 40) + " tail",
		strings.Repeat("é", 70) + "\u00a0x",
		"ééé\u00a0é é é\u00a0a",
		"ALL CAPS HEADLINE: WORLD LEADERS REACT!",
		"Numbers 1,250 and 3.5% and $10bn and 24/7",
		"\x00nul\x01ctrl\x7fdel",
		"a\u00a0\u00a0\u00a0b\u3000\u3000c",
		"\u00a0leading and trailing\u00a0",
		"ΑΘΗΝΑ Ελλάδα ΣΟΦΟΣ",
		"Ǆemal ǅ ǆ ǈ ǋ",
	}
}

func loadTestTokenizer(tb testing.TB, path string, opts ...TokenizerOption) *Tokenizer {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	tok, err := NewTokenizer(f, opts...)
	if err != nil {
		tb.Fatalf("NewTokenizer(%s): %v", path, err)
	}
	return tok
}

// corpusTexts returns the "text" of every line of every JSONL corpus file
// under seeds/ that exists now. Lines that do not parse (a file being
// written) are skipped.
func corpusTexts(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob("../seeds/corpus/*.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	paths = append(paths, "../seeds/labeled.jsonl")
	var texts []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var rec struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Text != "" {
				texts = append(texts, rec.Text)
			}
		}
	}
	return texts
}

func benchSentences(tb testing.TB) []string {
	tb.Helper()
	data, err := os.ReadFile(benchSentencesPath)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func TestTokenizeTable(t *testing.T) {
	tok := loadTestTokenizer(t, smallTokenizerPath)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"plain", "The Kremlin denied the claims.", []string{"the", "kremlin", "denied", "the", "claims", "."}},
		{"no-break spaces", "Officials\u00a0sent\u00a0condolences", []string{"officials", "sent", "condolences"}},
		{"curly quotes", "“Absurd,” the minister said.", []string{`"`, "absurd", ",", `"`, "the", "minister", "said", "."}},
		{"straight quotes", `"Absurd," the minister said.`, []string{`"`, "absurd", ",", `"`, "the", "minister", "said", "."}},
		{"apostrophe", "We didn't", []string{"we", "didn", "'", "t"}},
		{"curly apostrophe", "We didn’t", []string{"we", "didn", "'", "t"}},
		{"possessive", "Kremlin's", []string{"kremlin", "'", "s"}},
		{"punctuation kept", "Know? Stay indoors! Claims:", []string{"know", "?", "stay", "indoors", "!", "claims", ":"}},
		{"unseen word decomposes", "Zelenskyy", []string{"z", "##e", "##l", "##e", "##n", "##s", "##k", "##y", "##y"}},
		{"unseen accented", "Erdoğan", []string{"e", "##r", "##d", "##o", "##ğ", "##a", "##n"}},
		{"cyrillic", "Москва", []string{"м", "##о", "##с", "##к", "##в", "##а"}},
		{"emoji is unknown", "storm 🌀", []string{"storm", "[UNK]"}},
		{"em dash", "attack — Tuesday", []string{"attack", "—", "tuesday"}},
		{"other white space", "the\tattack\u2028Tuesday\u3000in\u202fKyiv", []string{"the", "attack", "tuesday", "in", "kyiv"}},
		{"soft hyphen removed", "condo\u00adlences", []string{"condolences"}},
		{"zero width space splits", "the\u200bstorm", []string{"the", "storm"}},
		{"right-to-left mark glued to a word", "Kremlin\u200f denied", []string{"kremlin", "denied"}},
		{"left-to-right mark before a word", "\u200eKremlin denied", []string{"kremlin", "denied"}},
		{"arabic letter mark inside a word", "den\u061cied", []string{"denied"}},
		{"isolates around a name", "the \u2067Kremlin\u2069.", []string{"the", "kremlin", "."}},
		{"embedding and pop", "\u202bdenied\u202c", []string{"denied"}},
		{"invalid utf-8", "the \xff storm", []string{"the", "[UNK]", "storm"}},
		{"only spaces", " \u00a0\t ", nil},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for pass := 0; pass < 2; pass++ { // cold, then warm cache
				if got := tok.Tokens(tc.in); !slices.Equal(got, tc.want) {
					t.Errorf("Tokens(%q) pass %d: got %q, want %q", tc.in, pass, got, tc.want)
				}
			}
			if got := tok.Reference(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Reference(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestTokenizerDropsInvisible checks that every character the segmenter
// counts as invisible (isInvisible) but the zero-width space, which
// splits words, leaves a word glued to it as it was: "said"+r and r+"said"
// give the tokens of "said", on the fast path and in sugarme itself.
func TestTokenizerDropsInvisible(t *testing.T) {
	tok := loadTestTokenizer(t, seedTokenizerPath)
	want := tok.Reference("said")
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !isInvisible(r) || r == '\u200b' {
			continue
		}
		n++
		for _, in := range []string{"said" + string(r), string(r) + "said", "sa" + string(r) + "id"} {
			if got := tok.Tokens(in); !slices.Equal(got, want) {
				t.Errorf("Tokens(%+q): got %q, want %q", in, got, want)
			}
			if got := tok.Reference(in); !slices.Equal(got, want) {
				t.Errorf("Reference(%+q): got %q, want %q", in, got, want)
			}
		}
	}
	if n < 20 {
		t.Errorf("got %d invisible characters, want at least 20", n)
	}
}

// TestTokenizerSmallMatchesSeedPipeline makes sure the table test above
// exercises the production pipeline: only the vocabulary may differ.
func TestTokenizerSmallMatchesSeedPipeline(t *testing.T) {
	read := func(path string) pipelineConfig {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var c pipelineConfig
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		delete(c.Model, "vocab")
		return c
	}
	small, seed := read(smallTokenizerPath), read(seedTokenizerPath)
	if !reflect.DeepEqual(small, seed) {
		t.Errorf("pipeline of %s differs from %s; regenerate it with vocabgen", smallTokenizerPath, seedTokenizerPath)
	}
}

func TestTokenizerSeedFastPath(t *testing.T) {
	tok := loadTestTokenizer(t, seedTokenizerPath)
	if !tok.fast {
		t.Fatalf("fast path off for %s: %s", seedTokenizerPath, tok.slowWhy)
	}
	for _, r := range []rune{0x00a0, 0x2009, 0x202f, 0x3000, 0x2028} {
		if !tok.isSep(r) {
			t.Errorf("isSep(%U): got false, want true", r)
		}
	}
}

// TestTokenizeMatchesReference is the differential test: on every corpus
// sentence and every hard string, AppendTokens (cold and warm cache, tiny
// cache, no cache) gives exactly sugarme's full-sentence tokens.
func TestTokenizeMatchesReference(t *testing.T) {
	texts := append(corpusTexts(t), hardStrings()...)
	texts = append(texts, benchSentences(t)...)
	ref := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(0))
	want := make([][]string, len(texts))
	nbsp := 0
	for i, s := range texts {
		want[i] = ref.Reference(s)
		if strings.ContainsRune(s, 0xa0) {
			nbsp++
		}
		for _, tk := range want[i] {
			if strings.ContainsFunc(tk, unicode.IsSpace) {
				t.Errorf("Reference(%q) has token %q containing white space", s, tk)
			}
		}
	}
	t.Logf("%d texts (%d with U+00A0)", len(texts), nbsp)
	check := func(tok *Tokenizer, label string, texts []string, want [][]string) {
		var buf []string
		for i, s := range texts {
			buf = tok.AppendTokens(buf[:0], s)
			if !slices.Equal(buf, want[i]) {
				t.Errorf("%s: AppendTokens(%q): got %q, want %q", label, s, buf, want[i])
			}
		}
	}
	tok := loadTestTokenizer(t, seedTokenizerPath)
	check(tok, "cold cache", texts, want)
	check(tok, "warm cache", texts, want)
	// A tiny cache evicts constantly, and sentences with many misses take
	// the whole-sentence path.
	tiny := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(8))
	n := min(len(texts), 1000)
	check(tiny, "cache 8", texts[len(texts)-n:], want[len(texts)-n:])
	// A cache filled in bulk by Warm gives the same tokens.
	warmed := loadTestTokenizer(t, seedTokenizerPath)
	warmed.Warm(texts)
	check(warmed, "after Warm", texts, want)
	// So does the frozen tier that training publishes after Warm, which
	// is set once: a later Warm and freeze leave it as it was.
	warmed.freeze()
	frozen := warmed.frozen.Load()
	if frozen == nil || len(*frozen) == 0 {
		t.Fatalf("freeze after Warm: no frozen tier")
	}
	check(warmed, "frozen", texts, want)
	warmed.Warm([]string{"an entirely unseen zqxjvw word"})
	warmed.freeze()
	if got := warmed.frozen.Load(); got != frozen || warmed.warmed != nil {
		t.Errorf("second freeze: frozen tier changed or entries still collected")
	}
}

// TestTokenizeLongSentence: a sentence past maxWholeBytes is encoded in
// pieces cut between words, and its tokens are still sugarme's for the
// whole sentence, whether its words are cached or not, and however its
// words fall around the cuts (a word longer than a piece, separators at a
// cut, non-ASCII separators).
func TestTokenizeLongSentence(t *testing.T) {
	corpus := strings.Join(corpusTexts(t)[:400], " ")
	huge := strings.Repeat("x", maxWholeBytes+100)
	tests := map[string]string{
		"corpus text":           corpus[:3*maxWholeBytes+17],
		"a word past the limit": "it said " + huge + " and then " + corpus[:maxWholeBytes],
		"only a huge word":      huge,
		"separators at the cut": strings.Repeat("a", maxWholeBytes-2) + "    　  b c " + corpus[:100],
		"no-break spaces":       strings.ReplaceAll(corpus[:2*maxWholeBytes], " ", " "),
		"leading and trailing ": "  " + corpus[:maxWholeBytes+50] + "  ",
	}
	ref := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(0))
	// Long runs of separators, which give no tokens: their tokens are
	// those of the text with each run made one space, and none of them
	// reaches sugarme (whose time would grow with the square of the run:
	// 13 s for 16 KiB of U+00A0 after five unseen words).
	run := strings.Repeat("\u00a0", 8<<10)
	words := "zqa zqb zqc zqd zqe zqf"
	runs := map[string][2]string{
		"leading run":  {run + words, " " + words},
		"middle run":   {words + run + words, words + " " + words},
		"trailing run": {words + run, words + " "},
	}
	for name, c := range runs {
		want := ref.Reference(c[1])
		for _, cache := range []int{0, 8, defaultCacheSize} {
			tok := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(cache))
			if got := tok.Tokens(c[0]); !slices.Equal(got, want) {
				t.Errorf("%s, cache %d: got %q, want %q", name, cache, got, want)
			}
		}
	}
	// A word longer than a piece is the unknown token, as sugarme's
	// WordPiece makes any word past 100 characters; one of punctuation,
	// which sugarme would split, is the documented exception.
	quotes := "a" + strings.Repeat("\u2019", 2730) + "b"
	for _, cache := range []int{0, 8, defaultCacheSize} {
		tok := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(cache))
		want := append(append(ref.Reference("the word"), tok.unk), ref.Reference("ends")...)
		if got := tok.Tokens("the word " + quotes + " ends"); !slices.Equal(got, want) {
			t.Errorf("long word of quotes, cache %d: got %q, want %q", cache, got, want)
		}
	}
	for name, s := range tests {
		if len(s) <= maxWholeBytes {
			t.Fatalf("%s: %d bytes, want more than %d", name, len(s), maxWholeBytes)
		}
		want := ref.Reference(s)
		for _, cache := range []int{0, 8, defaultCacheSize} {
			tok := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(cache))
			for pass := range 2 { // cold, then warm
				if got := tok.Tokens(s); !slices.Equal(got, want) {
					t.Errorf("%s, cache %d, pass %d: got %d tokens, want %d (first difference at %d)",
						name, cache, pass, len(got), len(want), firstDiff(got, want))
				}
			}
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestTokenizeAppendsToDst(t *testing.T) {
	tok := loadTestTokenizer(t, smallTokenizerPath)
	dst := []string{"keep"}
	got := tok.AppendTokens(dst, "The claims.")
	want := []string{"keep", "the", "claims", "."}
	if !slices.Equal(got, want) {
		t.Errorf("AppendTokens: got %q, want %q", got, want)
	}
	// A sentence that must go through the full path also keeps dst.
	got = tok.AppendTokens([]string{"keep"}, "the İ the")
	if want := append([]string{"keep"}, tok.Reference("the İ the")...); !slices.Equal(got, want) {
		t.Errorf("AppendTokens full path: got %q, want %q", got, want)
	}
}

func TestTokenizeWarmAllocs(t *testing.T) {
	tok := loadTestTokenizer(t, seedTokenizerPath)
	sentences := benchSentences(t)
	buf := make([]string, 0, 256)
	warmUp(tok, sentences)
	allocs := testing.AllocsPerRun(20, func() {
		for _, s := range sentences {
			buf = tok.AppendTokens(buf[:0], s)
		}
	})
	if perSentence := allocs / float64(len(sentences)); perSentence > 0 {
		t.Errorf("warm AppendTokens: got %.2f allocs per sentence, want 0", perSentence)
	}
}

// warmUp tokenizes sentences until every word is cached (each call resolves
// at most missBudget misses word by word).
func warmUp(tok *Tokenizer, sentences []string) {
	for pass := 0; pass < 64; pass++ {
		before := tok.cache.len()
		for _, s := range sentences {
			tok.Tokens(s)
		}
		if tok.cache.len() == before {
			return
		}
	}
}

// pipelineVariant returns the seed tokenizer.json with its pipeline edited.
func pipelineVariant(tb testing.TB, edit func(m map[string]any)) []byte {
	tb.Helper()
	data, err := os.ReadFile(seedTokenizerPath)
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// variantTokenizers are pipelines other than the seed one, with whether the
// fast path must be on for each.
func variantTokenizers(tb testing.TB, opts ...TokenizerOption) map[string]struct {
	tok  *Tokenizer
	fast bool
} {
	tb.Helper()
	pre := func(m map[string]any, v any) { m["pre_tokenizer"] = v }
	variants := []struct {
		name string
		fast bool
		edit func(map[string]any)
	}{
		{"bert pre-tokenizer", true, func(m map[string]any) {
			pre(m, map[string]any{"type": "BertPreTokenizer"})
		}},
		{"punctuation merged with next first", true, func(m map[string]any) {
			pre(m, map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Punctuation", "behavior": "MergedWithNext"},
				map[string]any{"type": "WhitespaceSplit"},
			}})
		}},
		{"whitespace contiguous", true, func(m map[string]any) {
			pre(m, map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Whitespace"},
				map[string]any{"type": "Punctuation", "behavior": "Contiguous"},
			}})
		}},
		{"special added token", true, func(m map[string]any) {
			m["added_tokens"] = []any{map[string]any{"id": 0, "content": "[UNK]", "special": true, "normalized": false}}
		}},
		{"nfkc normalizer", false, func(m map[string]any) {
			m["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{
				map[string]any{"type": "NFKC"}, map[string]any{"type": "Lowercase"},
			}}
		}},
		{"post processor", false, func(m map[string]any) {
			m["post_processor"] = map[string]any{"type": "BertProcessing", "sep": []any{"[UNK]", 0}, "cls": []any{"[UNK]", 0}}
		}},
	}
	out := map[string]struct {
		tok  *Tokenizer
		fast bool
	}{}
	for _, v := range variants {
		tok, err := NewTokenizer(bytes.NewReader(pipelineVariant(tb, v.edit)), opts...)
		if err != nil {
			tb.Fatalf("variant %s: %v", v.name, err)
		}
		out[v.name] = struct {
			tok  *Tokenizer
			fast bool
		}{tok, v.fast}
	}
	return out
}

func TestTokenizeVariantsMatchReference(t *testing.T) {
	texts := append(hardStrings(), benchSentences(t)...)
	for name, v := range variantTokenizers(t) {
		t.Run(name, func(t *testing.T) {
			if v.tok.fast != v.fast {
				t.Fatalf("fast path: got %v (%s), want %v", v.tok.fast, v.tok.slowWhy, v.fast)
			}
			for pass := 0; pass < 2; pass++ {
				for _, s := range texts {
					got, want := v.tok.Tokens(s), v.tok.Reference(s)
					if !slices.Equal(got, want) {
						t.Errorf("Tokens(%q): got %q, want %q", s, got, want)
					}
				}
			}
		})
	}
}

func TestTokenizeConcurrent(t *testing.T) {
	texts := append(hardStrings(), benchSentences(t)...)
	corpus := corpusTexts(t)
	texts = append(texts, corpus[:min(len(corpus), 300)]...)
	tok := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(256))
	want := make([][]string, len(texts))
	for i, s := range texts {
		want[i] = tok.Reference(s)
	}
	workers := 2 * runtime.GOMAXPROCS(0)
	if workers < 4 {
		workers = 4
	}
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var buf []string
			for k := range texts {
				i := (k*7 + w*131) % len(texts)
				buf = tok.AppendTokens(buf[:0], texts[i])
				if !slices.Equal(buf, want[i]) {
					errs <- fmt.Sprintf("worker %d: AppendTokens(%q): got %q, want %q", w, texts[i], buf, want[i])
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := tok.cache.len(); n > 256 {
		t.Errorf("cache size: got %d, want <= 256", n)
	}
}

func TestTokenizeCacheBound(t *testing.T) {
	for _, capacity := range []int{2, 3, 100, 1000} {
		tok := loadTestTokenizer(t, smallTokenizerPath, WithCacheSize(capacity))
		n := 10 * capacity
		for i := 0; i < n; i += 4 {
			s := fmt.Sprintf("w%dx w%dx w%dx w%dx", i, i+1, i+2, i+3)
			got := tok.Tokens(s)
			if i%100 == 0 {
				if want := tok.Reference(s); !slices.Equal(got, want) {
					t.Fatalf("Tokens(%q): got %q, want %q", s, got, want)
				}
			}
			if size := tok.cache.len(); size > capacity {
				t.Fatalf("cache %d after %d unique words: got size %d, want <= %d", capacity, i+4, size, capacity)
			}
		}
		if size := tok.cache.len(); size < capacity/2 {
			t.Errorf("cache %d: got size %d after %d unique words, want >= %d (cache barely used)", capacity, size, n, capacity/2)
		}
	}
	// Words longer than maxCachedWordBytes are never cached.
	tok := loadTestTokenizer(t, smallTokenizerPath, WithCacheSize(100))
	tok.Tokens(strings.Repeat("x", maxCachedWordBytes+1))
	if size := tok.cache.len(); size != 0 {
		t.Errorf("long word: got cache size %d, want 0", size)
	}
	if tok := loadTestTokenizer(t, smallTokenizerPath, WithCacheSize(1)); tok.cache != nil {
		t.Errorf("WithCacheSize(1): got a cache, want none")
	}
}

func TestNewTokenizerErrors(t *testing.T) {
	good, err := os.ReadFile(smallTokenizerPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{
		"empty":            "",
		"not json":         "tokenizer",
		"truncated":        string(good[:len(good)/2]),
		"trailing garbage": string(good) + "}",
		"null":             "null",
		"array":            "[1,2,3]",
		"empty object":     "{}",
		"no vocab":         `{"model":{"type":"WordPiece"}}`,
		"vocab wrong type": `{"model":{"type":"WordPiece","vocab":5}}`,
		"vocab bad ids":    `{"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":"zero"}}}`,
		"unknown model":    `{"model":{"type":"Magic","vocab":{}}}`,
		"bpe no merges":    `{"model":{"type":"BPE","vocab":{"a":0}}}`,
		"bad normalizer":   `{"normalizer":{"type":"Nope"},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}`,
		"nmt normalizer":   `{"normalizer":{"type":"Nmt"},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}`,
		"normalizer type":  `{"normalizer":{"type":7},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}`,
		"bad pre-tok":      `{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"("},"behavior":"Isolated","invert":false},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}`,
		"no unk in vocab":  `{"pre_tokenizer":{"type":"WhitespaceSplit"},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"a":0}}}`,
		"bad truncation":   `{"truncation":{"max_length":"x"},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}`,
		"binary":           "\x00\x01\x02\xff\xfe",
		"regex replace":    `{"normalizer":{"type":"Replace","pattern":{"Regex":"\\s+"},"content":" "},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}`,
		"nested regex":     `{"normalizer":{"type":"Sequence","normalizers":[{"type":"Lowercase"},{"type":"Replace","pattern":{"Regex":"[“”]"},"content":"\""}]},"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0}}}`,
	}
	for name, data := range bad {
		t.Run(name, func(t *testing.T) {
			tok, err := NewTokenizer(strings.NewReader(data))
			if !errors.Is(err, ErrBadTokenizer) {
				t.Errorf("NewTokenizer: got (%v, %v), want error wrapping ErrBadTokenizer", tok, err)
			}
		})
	}
	_, err = LoadTokenizer(filepath.Join(t.TempDir(), "missing.json"))
	if !errors.Is(err, ErrBadTokenizer) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadTokenizer(missing): got %v, want ErrBadTokenizer wrapping os.ErrNotExist", err)
	}
	// Not regular files: refused before they are opened or read, so a
	// named pipe without a writer cannot block and /dev/zero cannot fill
	// memory.
	// (tokenize_unix_test.go tries a named pipe.)
	dir := t.TempDir()
	for _, path := range []string{dir, os.DevNull} {
		if _, err := LoadTokenizer(path); !errors.Is(err, ErrBadTokenizer) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("LoadTokenizer(%s): got %v, want ErrBadTokenizer: not a regular file", path, err)
		}
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxTokenizerBytes+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	if _, err := LoadTokenizer(big); !errors.Is(err, ErrBadTokenizer) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("LoadTokenizer(file of MaxTokenizerBytes+1): got %v, want ErrBadTokenizer: more than", err)
	}
	// A reader that never ends is read no further than the limit.
	if _, err := NewTokenizer(endless{}); !errors.Is(err, ErrBadTokenizer) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("NewTokenizer(endless reader): got %v, want ErrBadTokenizer: more than", err)
	}
	tok, err := LoadTokenizer(seedTokenizerPath)
	if err != nil {
		t.Fatalf("LoadTokenizer(%s): %v", seedTokenizerPath, err)
	}
	if got := tok.Tokens("The minister said"); !slices.Equal(got, []string{"the", "minister", "said"}) {
		t.Errorf("Tokens: got %q, want [the minister said]", got)
	}
}

// endless is a reader of spaces that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func BenchmarkTokenize(b *testing.B) {
	sentences := benchSentences(b)
	tok := loadTestTokenizer(b, seedTokenizerPath)
	report := func(b *testing.B, start time.Time) {
		if el := time.Since(start).Seconds(); el > 0 {
			b.ReportMetric(float64(b.N)/el, "sentences/s")
		}
	}
	b.Run("Reference", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			_ = tok.Reference(sentences[i%len(sentences)])
		}
		report(b, start)
	})
	b.Run("Cached", func(b *testing.B) {
		buf := make([]string, 0, 256)
		warmUp(tok, sentences)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			buf = tok.AppendTokens(buf[:0], sentences[i%len(sentences)])
		}
		report(b, start)
	})
	b.Run("CachedParallel", func(b *testing.B) {
		warmUp(tok, sentences)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]string, 0, 256)
			i := 0
			for pb.Next() {
				buf = tok.AppendTokens(buf[:0], sentences[i%len(sentences)])
				i++
			}
		})
		report(b, start)
	})
	b.Run("FieldsFloor", func(b *testing.B) {
		isSep := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }
		b.ReportAllocs()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			_ = strings.FieldsFunc(sentences[i%len(sentences)], isSep)
		}
		report(b, start)
	})
}

// TestFrozenTierBound warms more distinct words than the cache holds: the
// frozen tier, which lives as long as the tokenizer, must not exceed it.
func TestFrozenTierBound(t *testing.T) {
	const capacity = 64
	tok := loadTestTokenizer(t, smallTokenizerPath, WithCacheSize(capacity))
	var texts []string
	for i := range 500 {
		texts = append(texts, fmt.Sprintf("w%dx v%dy", i, i))
	}
	tok.Warm(texts)
	tok.freeze()
	frozen := tok.frozen.Load()
	if frozen == nil {
		t.Fatal("no frozen tier after Warm and freeze")
	}
	if got := len(*frozen); got > capacity {
		t.Errorf("frozen tier: got %d words, want <= %d", got, capacity)
	}
	for _, s := range texts[:20] {
		if got, want := tok.Tokens(s), tok.Reference(s); !slices.Equal(got, want) {
			t.Errorf("Tokens(%q): got %q, want %q", s, got, want)
		}
	}
}

// TestTokenizeStopsWhenDone: once its context is done, a long sentence
// stops between two pieces with the context's error, from the tokenizer
// and from ClassifyText and ClassifyBatch; a context that is never done
// changes no token.
func TestTokenizeStopsWhenDone(t *testing.T) {
	long := strings.Join(corpusTexts(t)[:200], " ")[:6*maxWholeBytes]
	for _, cache := range []int{0, defaultCacheSize} {
		tok := loadTestTokenizer(t, seedTokenizerPath, WithCacheSize(cache))
		want := tok.Tokens(long)
		if got, err := tok.appendTokensContext(context.Background(), nil, long); err != nil || !slices.Equal(got, want) {
			t.Errorf("cache %d, never done: got %d tokens, %v; want %d", cache, len(got), err, len(want))
		}
		// Done after the first two pieces have been asked for.
		ctx := &doneAfter{Context: context.Background(), n: 2}
		if got, err := tok.appendTokensContext(ctx, []string{"kept"}, long); !errors.Is(err, context.Canceled) || !slices.Equal(got, []string{"kept"}) {
			t.Errorf("cache %d, done midway: got %q, %v; want [kept] and context.Canceled", cache, got, err)
		}
		if ctx.calls > 4 {
			t.Errorf("cache %d: the context was asked %d times, want it to stop after the third", cache, ctx.calls)
		}
	}
	c := New(loadTestTokenizer(t, seedTokenizerPath), WithClock(fixedClock()))
	if _, err := c.Replace(context.Background(), []Example{{"they blamed the rebels", "attribution"}, {"officials denied it", "denial"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClassifyText(&doneAfter{Context: context.Background(), n: 2}, long, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("ClassifyText: got %v, want context.Canceled", err)
	}
	if _, err := c.ClassifyBatch(&doneAfter{Context: context.Background(), n: 3}, []string{"a short one", long}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("ClassifyBatch: got %v, want context.Canceled", err)
	}
}

// TestTokenizeSlowPathInPieces checks that a pipeline the fast path does
// not serve encodes a sentence past maxSlowBytes in pieces cut at white
// space (whose tokens, for a pipeline that splits at white space, are the
// whole sentence's) and stops between them once its context is done: whole,
// sugarme's time grows with the square of the sentence (11 s for 16 KiB
// that a Replace normalizer rewrites throughout).
func TestTokenizeSlowPathInPieces(t *testing.T) {
	long := strings.Join(corpusTexts(t)[:200], " ")[:5*maxSlowBytes+37]
	for name, v := range variantTokenizers(t) {
		if v.fast {
			continue
		}
		// Words apart by ideographic spaces are cut between too.
		for _, text := range []string{long, strings.ReplaceAll(long, " ", "\u3000")} {
			want := v.tok.Reference(text)
			got := v.tok.Tokens(text)
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %d tokens, want %d (first difference at %d)", name, len(got), len(want), firstDiff(got, want))
			}
		}
		ctx := &doneAfter{Context: context.Background(), n: 2}
		if got, err := v.tok.appendTokensContext(ctx, []string{"kept"}, long); !errors.Is(err, context.Canceled) || !slices.Equal(got, []string{"kept"}) {
			t.Errorf("%s, done midway: got %q, %v; want [kept] and context.Canceled", name, got, err)
		}
		if ctx.calls > 4 {
			t.Errorf("%s: the context was asked %d times, want it to stop after the third", name, ctx.calls)
		}
		// A run of maxSlowBytes bytes without white space is cut at a
		// character boundary, so no piece is invalid UTF-8.
		run := strings.Repeat("é", maxSlowBytes) + " done"
		if got := v.tok.Tokens(run); slices.Contains(got, "\ufffd") {
			t.Errorf("%s: a long run without white space gave %q", name, got)
		}
	}
}

// doneAfter is a context whose Err is nil for its first n calls and
// context.Canceled after.
type doneAfter struct {
	context.Context
	n, calls int
}

func (d *doneAfter) Err() error {
	d.calls++
	if d.calls > d.n {
		return context.Canceled
	}
	return nil
}
