package classifier

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// segCase is one entry of testdata/segment/*.json.
type segCase struct {
	Name  string   `json:"name"`
	Input string   `json:"input"`
	Want  []string `json:"want"`
}

// loadSegCases reads every table of cases in testdata/segment.
func loadSegCases(t testing.TB) []segCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "segment", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/segment/*.json files")
	}
	var all []segCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cs []segCase
		if err := json.Unmarshal(b, &cs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, cs...)
	}
	return all
}

// loadArticle returns the benchmark article.
func loadArticle(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "segment", "article.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// spanTexts returns the Text of each span.
func spanTexts(spans []Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Text
	}
	return out
}

func TestSegmentTable(t *testing.T) {
	cases := loadSegCases(t)
	if len(cases) < 45 {
		t.Errorf("got %d table cases, want at least 45", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Errorf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			got := Segment(c.Input)
			if err := checkSpans(c.Input, got); err != nil {
				t.Fatalf("Segment(%q): %v", c.Input, err)
			}
			want := c.Want
			if want == nil {
				want = []string{}
			}
			if g := spanTexts(got); !slices.Equal(g, want) {
				t.Errorf("Segment(%q):\ngot  %q\nwant %q", c.Input, g, want)
			}
		})
	}
}

func TestSegmentEmpty(t *testing.T) {
	for _, in := range []string{"", " ", "\n\n", "\u00a0\t\r\n\u3000", "\u200b", "\u200f", "\u200e\u2067\u2069\u061c"} {
		if got := Segment(in); got != nil {
			t.Errorf("Segment(%q): got %#v, want nil", in, got)
		}
	}
}

func TestSegmentOffsets(t *testing.T) {
	in := "  Headline\r\n\r\nOne. Two?\u00a0Three"
	want := []Span{
		{Text: "Headline", Start: 2, End: 10},
		{Text: "One.", Start: 14, End: 18},
		{Text: "Two?", Start: 19, End: 23},
		{Text: "Three", Start: 25, End: 30},
	}
	if got := Segment(in); !slices.Equal(got, want) {
		t.Errorf("Segment(%q): got %+v, want %+v", in, got, want)
	}
}

func TestSegmentInvalidUTF8(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Bad \xff byte. Next one.", []string{"Bad \xff byte.", "Next one."}},
		{"\xffStart. Next \xfe", []string{"\xffStart.", "Next \xfe"}},
		{"\xffStart. \xfe", []string{"\xffStart. \xfe"}},
		{"Cut rune \xe2\x80. Then \xe2", []string{"Cut rune \xe2\x80.", "Then \xe2"}},
		{"End.\xc2 Lone lead byte", []string{"End.\xc2 Lone lead byte"}},
		{"Surrogate \xed\xa0\x80. Ok.", []string{"Surrogate \xed\xa0\x80.", "Ok."}},
		{"\xe2\x80\xa6\xe2\x80", []string{"\xe2\x80\xa6\xe2\x80"}},
	}
	for _, c := range cases {
		got := Segment(c.in)
		if err := checkSpans(c.in, got); err != nil {
			t.Errorf("Segment(%q): %v", c.in, err)
			continue
		}
		if g := spanTexts(got); !slices.Equal(g, c.want) {
			t.Errorf("Segment(%q): got %q, want %q", c.in, g, c.want)
		}
	}
}

func TestAppendSegmentsReuse(t *testing.T) {
	prev := Span{Text: "keep", Start: 0, End: 4}
	dst := make([]Span, 1, 16)
	dst[0] = prev
	in := "First. Second."
	got := AppendSegments(dst, in)
	want := append([]Span{prev}, Segment(in)...)
	if !slices.Equal(got, want) {
		t.Errorf("AppendSegments: got %+v, want %+v", got, want)
	}
	if &got[0] != &dst[0] {
		t.Errorf("AppendSegments: got a new backing array, want dst reused")
	}
	if n := testing.AllocsPerRun(100, func() { got = AppendSegments(got[:0], in) }); n != 0 {
		t.Errorf("AppendSegments into a large enough slice: got %v allocs, want 0", n)
	}
}

func TestSegmentAllocs(t *testing.T) {
	article := loadArticle(t)
	var spans []Span
	n := testing.AllocsPerRun(50, func() { spans = Segment(article) })
	if n != 1 {
		t.Errorf("Segment(article): got %v allocs, want 1", n)
	}
	if len(spans) < 40 {
		t.Errorf("Segment(article): got %d sentences, want at least 40", len(spans))
	}
}

func TestSegmentArticle(t *testing.T) {
	spans := Segment(loadArticle(t))
	want := map[string]bool{
		"Harbor City Council Approves Flood Barrier After Months of Delay":                                      true,
		"By Miriam K. Oduya and Tomas Lind":                                                                     true,
		"Updated March 14, 2025, 4:17 p.m. ET":                                                                  true,
		`"We have waited long enough," Mayor Elena Ruiz told reporters outside City Hall shortly after 11 p.m.`: true,
		`"Every winter we fill sandbags and hope.`:                                                              true,
		`"Will the city pay my rent while the street is closed?" he asked.`:                                     true,
		"Nobody answered.": true,
		"It was first proposed in 2012 by then-Mayor Robert T. Haines Jr. after a storm surge flooded the subway system for nine days.": true,
		"The next public hearing on the project is scheduled for 6 p.m. on April 3 at the community center on Pier Road.":               true,
	}
	for _, s := range spans {
		delete(want, s.Text)
	}
	for w := range want {
		t.Errorf("Segment(article): got no sentence %q, want one", w)
	}
}

// segGenPieces are fragments combined at random by the invariant test.
var segGenPieces = []string{
	"The U.S.", "Mr.", "p.m.", "a.m.", " ", "  ", "\u00a0", "\t", "\n", "\r\n", "\u2028", "\u0085",
	"It", "it", "The", "officials", "Officials", "said", ".", "...", ". . .", "\u2026", "?", "!",
	"\"", "\u201c", "\u201d", "\u2019", "(", ")", "[", "]", "\u2014", "-", "3.5", "4:17", "No.", "1.",
	"J.", "R.", "e.g.", "Inc.", "Dec.", "22", "\xff", "\xe2\x80", "\xc2", "\u200b", "\ufeff",
	"\u00e9l", "\u00c9l", "\u6211", "$5", "iPhone", "asked", "Smith",
}

// genSegInput returns a random mix of segGenPieces.
func genSegInput(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(40); n > 0; n-- {
		b.WriteString(segGenPieces[r.IntN(len(segGenPieces))])
		if r.IntN(3) == 0 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func TestSegmentInvariants(t *testing.T) {
	var inputs []string
	for _, c := range loadSegCases(t) {
		inputs = append(inputs, c.Input)
	}
	article := loadArticle(t)
	inputs = append(inputs, article, strings.ReplaceAll(article, "\n", "\r\n"),
		strings.ReplaceAll(article, " ", "\u00a0"), article[:len(article)/2], article[1:])
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		inputs = append(inputs, genSegInput(r))
	}
	for i := range 2000 { // random bytes
		b := make([]byte, r.IntN(64))
		for j := range b {
			b[j] = byte(r.UintN(256))
		}
		if i%2 == 0 {
			for j := range b { // bias towards the interesting bytes
				if r.IntN(3) == 0 {
					const bias = ". \n\"\xe2\x80\xa6\x9d\xc2\x85\xa0"
					b[j] = bias[r.IntN(len(bias))]
				}
			}
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		if err := checkSegment(in); err != nil {
			t.Fatalf("Segment(%q): %v", in, err)
		}
	}
}

// checkSegment runs Segment and AppendSegments on text and checks every
// invariant of their results.
func checkSegment(text string) error {
	spans := Segment(text)
	if err := checkSpans(text, spans); err != nil {
		return err
	}
	prefix := []Span{{Text: "x", Start: 0, End: 1}}
	app := AppendSegments(prefix, text)
	if !slices.Equal(app[:1], prefix) || !slices.Equal(app[1:], spans) {
		return fmt.Errorf("AppendSegments: got %+v, want prefix then %+v", app, spans)
	}
	return nil
}

// TestSegmentIdempotent checks that segmenting one sentence of a realistic
// text again yields that sentence alone. It does not hold for every input:
// a title-case line without closing punctuation keeps "U.S. The" together,
// while the same words cut out of it, ending in a period, may split.
func TestSegmentIdempotent(t *testing.T) {
	inputs := []string{loadArticle(t)}
	for _, c := range loadSegCases(t) {
		inputs = append(inputs, c.Input)
	}
	for _, in := range inputs {
		for _, s := range Segment(in) {
			if again := Segment(s.Text); len(again) != 1 || again[0].Text != s.Text {
				t.Errorf("Segment(%q): got %q, want the sentence alone", s.Text, spanTexts(again))
			}
		}
	}
}

// isTrimSpace is the test's own definition of the white space a span may
// neither start nor end with.
func isTrimSpace(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u061c\u180e\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", r)
}

// isLineBreak reports the characters that always end a unit.
func isLineBreak(r rune) bool {
	return strings.ContainsRune("\n\r\v\f\u0085\u2028\u2029", r)
}

// checkSpans checks that spans are valid, ordered, trimmed, non-empty,
// free of line breaks, byte-exact slices of text, and that everything
// between them is white space.
func checkSpans(text string, spans []Span) error {
	prev := 0
	for i, s := range spans {
		if s.Start < prev || s.Start >= s.End || s.End > len(text) {
			return fmt.Errorf("span %d: got offsets [%d,%d) after %d in %d bytes, want increasing, non-empty, in range", i, s.Start, s.End, prev, len(text))
		}
		if s.Text != text[s.Start:s.End] {
			return fmt.Errorf("span %d: got Text %q, want input[%d:%d] = %q", i, s.Text, s.Start, s.End, text[s.Start:s.End])
		}
		if r, _ := utf8.DecodeRuneInString(s.Text); isTrimSpace(r) {
			return fmt.Errorf("span %d: got Text %q starting with space, want trimmed", i, s.Text)
		}
		if r, _ := utf8.DecodeLastRuneInString(s.Text); isTrimSpace(r) {
			return fmt.Errorf("span %d: got Text %q ending with space, want trimmed", i, s.Text)
		}
		if strings.IndexFunc(s.Text, isLineBreak) >= 0 {
			return fmt.Errorf("span %d: got Text %q with a line break, want none", i, s.Text)
		}
		if gap := text[prev:s.Start]; strings.IndexFunc(gap, func(r rune) bool { return !isTrimSpace(r) }) >= 0 {
			return fmt.Errorf("span %d: got gap %q before it, want only white space", i, gap)
		}
		prev = s.End
	}
	if gap := text[prev:]; strings.IndexFunc(gap, func(r rune) bool { return !isTrimSpace(r) }) >= 0 {
		return fmt.Errorf("got trailing gap %q, want only white space", gap)
	}
	return nil
}

func BenchmarkSegment(b *testing.B) {
	article := loadArticle(b)
	b.SetBytes(int64(len(article)))
	b.ReportAllocs()
	sentences := 0
	for b.Loop() {
		sentences += len(Segment(article))
	}
	b.ReportMetric(float64(sentences)/b.Elapsed().Seconds(), "sentences/s")
}

func BenchmarkAppendSegments(b *testing.B) {
	article := loadArticle(b)
	b.SetBytes(int64(len(article)))
	b.ReportAllocs()
	var dst []Span
	sentences := 0
	for b.Loop() {
		dst = AppendSegments(dst[:0], article)
		sentences += len(dst)
	}
	b.ReportMetric(float64(sentences)/b.Elapsed().Seconds(), "sentences/s")
}

// BenchmarkSegmentAdversarial segments 256 KiB texts built to make a scan
// that restarts at every boundary, or at every byte, quadratic: runs of
// openers before an ellipsis, quotes closing again and again in one unit,
// units opening with long runs of white space or capitals before many
// periods, and runs of the words the dateline, slash and ellipsis rules
// look back at. Their MB/s should stay near BenchmarkSegment's; a quadratic scan
// takes seconds per op here.
func BenchmarkSegmentAdversarial(b *testing.B) {
	const size = 256 << 10
	fill := func(unit, tail string) string {
		return strings.Repeat(unit, (size-len(tail))/len(unit)) + tail
	}
	for _, c := range []struct{ name, text string }{
		{"openers_before_ellipsis", fill("(", "… A")},
		{"curly_openers_before_ellipsis", fill("“", "… A")},
		{"quotes_closing_in_one_unit", fill("x!” Smith said ", "")},
		{"quotes_closing_after_an_inner_quote", "He said “" + fill("x!” Ab ", "")},
		{"spaced_closing_quotes", fill("\"x. \" Ab ", "")},
		{"spaced_quotes_without_open_quote", fill("x. \" Ab ", "")},
		{"spaced_quote_pairs_before_punctuation", fill("\" x \", \" y \". \" Ab ", "")},
		{"ellipses_after_commas", fill("a, … B ", "")},
		{"ellipses_opening_sentences", fill("a. … B ", "")},
		{"initials_after_slashes", fill("Photo/J. Scott ", "")},
		{"capital_datelines", fill("MOSCOW. Nov 3 ", "")},
		{"titles_after_white_space", strings.Repeat(" ", size/2) + strings.Repeat("Mr. ", size/8)},
		{"initials_after_white_space", strings.Repeat(" ", size/2) + strings.Repeat("A. ", size/6)},
		{"titles_after_capitals", strings.Repeat("AAAA ", size/10) + strings.Repeat("MR. ", size/8)},
		{"spaced_ellipses_after_commas", fill("a, . . . B ", "")},
		{"appositives_after_quoted_questions", fill("x?\" Ali, "+strings.Repeat("a ", 50), "")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				Segment(c.text)
			}
		})
	}
}

// TestSegmentBulletChainStack segments a long chain of bullets and quotes
// under a 16 MiB stack limit: the chain once went from segPlausibleStart
// to segBulletItem and back for every link, so these 2 million links
// (10 MB) needed about 200 MB of stack, and 24 MB overflowed the default
// 1 GB: a fatal error, not a panic.
func TestSegmentBulletChainStack(t *testing.T) {
	old := debug.SetMaxStack(16 << 20)
	defer debug.SetMaxStack(old)
	text := "a. " + strings.Repeat("• \"", 8<<20/4) + "A"
	if got := len(Segment(text)); got != 2 {
		t.Errorf("got %d units, want 2", got)
	}
}
