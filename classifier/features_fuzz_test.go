package classifier

import (
	"slices"
	"strings"
	"testing"
)

// FuzzExtract checks that feature extraction never panics on any text, with
// tokens split as the real tokenizer roughly does and by white space, and
// that it is deterministic.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"CAIRO (Reuters) — The ministry denied the report.",
		"MOSCOW (Reuters-AFP) -- Police blamed the group.",
		"(AP) —",
		"KYIV, Ukraine -- ",
		"Police asked whether the militia was involved, after a man confessed.",
		"The threat level was raised; those responsible will be punished.",
		"A — b — c, who said: \"not true\" …",
	} {
		f.Add(s)
	}
	fc := DefaultFeatures()
	f.Fuzz(func(t *testing.T, s string) {
		for _, toks := range [][]string{punctTokens(s), strings.Fields(strings.ToLower(s))} {
			a := fc.extract(nil, s, slices.Clone(toks), nil)
			b := fc.extract(nil, s, slices.Clone(toks), nil)
			if !slices.Equal(a, b) {
				t.Fatalf("extract(%q) is not deterministic", s)
			}
		}
	})
}
