package classifier

import "testing"

func FuzzSegment(f *testing.F) {
	for _, c := range loadSegCases(f) {
		f.Add(c.Input)
	}
	f.Add(loadArticle(f))
	f.Add("Bad \xff byte. Next \xe2\x80. \xc2")
	f.Fuzz(func(t *testing.T, text string) {
		if err := checkSegment(text); err != nil {
			t.Fatalf("Segment(%q): %v", text, err)
		}
	})
}
