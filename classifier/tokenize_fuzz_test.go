package classifier

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// FuzzTokenize checks that the cached fast path gives exactly sugarme's
// full-sentence tokens on arbitrary input, for the seed pipeline (default
// and tiny cache, so eviction happens constantly) and for the other
// pipelines the fast path accepts. The tokenizers live across inputs, so
// words cached from one input are reused in the context of others.
//
// Invalid UTF-8 is part of the input space: both paths first replace each
// run of invalid bytes with U+FFFD (see Tokenizer), so they must still agree.
// Inputs over maxFuzzInput bytes are skipped: sugarme's Replace normalizer
// is quadratic (an 8 KB sentence full of U+00A0 takes about 0.4 s), which
// would stall the fuzzer without exercising anything new.
func FuzzTokenize(f *testing.F) {
	const maxFuzzInput = 1024
	for _, s := range hardStrings() {
		f.Add(s)
	}
	for _, s := range benchSentences(f)[:20] {
		f.Add(s)
	}
	type named struct {
		name string
		tok  *Tokenizer
	}
	toks := []named{
		{"seed", loadTestTokenizer(f, seedTokenizerPath)},
		{"seed/cache16", loadTestTokenizer(f, seedTokenizerPath, WithCacheSize(16))},
	}
	variants := variantTokenizers(f, WithCacheSize(64))
	var names []string
	for name, v := range variants {
		if v.fast {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		toks = append(toks, named{name, variants[name].tok})
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			t.Skip("input too long for sugarme's quadratic reference path")
		}
		for _, n := range toks {
			if len(s) > maxWholeBytes && (hasUnstableCase(strings.ToValidUTF8(s, "\uFFFD")) || longestWord(n.tok, s) > maxWholeBytes) {
				// The two documented exceptions (see Tokenizer and
				// computeWord): only check that it runs.
				n.tok.Tokens(s)
				continue
			}
			want := n.tok.Reference(s)
			for pass := 0; pass < 2; pass++ {
				if got := n.tok.Tokens(s); !slices.Equal(got, want) {
					t.Fatalf("%s pass %d: Tokens(%q): got %q, want %q", n.name, pass, s, got, want)
				}
			}
		}
	})
}

// longestWord is the length of the longest word of s, as tok's fast path
// splits it.
func longestWord(tok *Tokenizer, s string) int {
	s = strings.ToValidUTF8(s, "\uFFFD")
	n := 0
	for i := 0; ; {
		w, next := tok.nextWord(s, i)
		if w == "" {
			return n
		}
		n, i = max(n, len(w)), next
	}
}
