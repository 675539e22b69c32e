package classifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// syntheticExamples returns n examples over a small vocabulary, so that
// features repeat across examples as in real text.
func syntheticExamples(n int, seed uint64) []Example {
	r := rand.New(rand.NewPCG(seed, 1))
	labels := []string{"attribution", "denial", "warning", "other"}
	out := make([]Example, n)
	for i := range out {
		var b bytes.Buffer
		for w := range 3 + r.IntN(20) {
			if w > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "w%d", r.IntN(400))
		}
		out[i] = Example{Text: b.String(), Label: labels[r.IntN(len(labels))]}
	}
	return out
}

// TestParallelTrainingMatchesSequential checks that a batch large enough to
// be featurized on several goroutines trains exactly the model one
// goroutine does.
func TestParallelTrainingMatchesSequential(t *testing.T) {
	t.Run("many examples", func(t *testing.T) { parallelMatchesSequential(t, syntheticExamples(3*parallelMin, 7)) })
	// Few but long examples: featurized in parallel by their bytes, in
	// chunks of chunkBytes.
	long := syntheticExamples(12, 7)
	for i := range long {
		long[i].Text = strings.TrimSpace(strings.Repeat(long[i].Text+" ", chunkBytes/3/len(long[i].Text)))
	}
	if starts, total := chunkStarts(long); total < parallelBytes || len(starts) < 4 {
		t.Fatalf("long examples: %d bytes in %d chunks, want at least %d bytes in 3 chunks", total, len(starts)-1, parallelBytes)
	}
	t.Run("long examples", func(t *testing.T) { parallelMatchesSequential(t, long) })
}

// parallelMatchesSequential checks that exs (at least 3 chunks) train and
// forget the same model on one goroutine and on four.
func parallelMatchesSequential(t *testing.T, exs []Example) {
	train := func(procs int) ([]byte, []byte) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		c := newTest(t, DefaultFeatures(), DefaultAlpha, exs...)
		replaced := saved(t, c)
		if _, err := c.Forget(context.Background(), exs[:2*len(exs)/3]); err != nil {
			t.Fatal(err)
		}
		return replaced, saved(t, c)
	}
	seqReplace, seqForget := train(1)
	parReplace, parForget := train(4)
	if !bytes.Equal(seqReplace, parReplace) {
		t.Errorf("Replace: parallel featurizing saves a different model")
	}
	if !bytes.Equal(seqForget, parForget) {
		t.Errorf("Forget: parallel featurizing saves a different model")
	}
}

// TestLearnLeavesOldVersionIntact checks copy-on-write: a version saved
// before a Learn saves the same bytes after it, and a Learn that fails to
// persist changes nothing.
func TestLearnLeavesOldVersionIntact(t *testing.T) {
	fail := false
	c := New(spaceTokens{}, WithClock(fixedClock()), WithPersist(func([]byte) error {
		if fail {
			return fmt.Errorf("disk full")
		}
		return nil
	}))
	if _, err := c.Replace(context.Background(), syntheticExamples(200, 1)); err != nil {
		t.Fatal(err)
	}
	c.writer <- struct{}{}
	old := c.state()
	c.unlock()
	before := old.encode()
	if _, err := c.Learn(context.Background(), syntheticExamples(50, 2), true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Learn(context.Background(), []Example{{"brand new words here", "novel"}}, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old.encode(), before) {
		t.Errorf("an installed version changed after Learn")
	}
	fail = true
	now := saved(t, c)
	if _, err := c.Forget(context.Background(), syntheticExamples(50, 2)); err == nil {
		t.Fatal("Forget succeeded although persisting failed")
	}
	if !bytes.Equal(saved(t, c), now) {
		t.Errorf("a Forget that failed to persist changed the model")
	}
}

func TestFtable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	keys := []uint64{0, 1, ^uint64(0)}
	for range 5000 {
		keys = append(keys, r.Uint64())
	}
	// Keys that share their top bits land in one run of slots.
	for i := range 50 {
		keys = append(keys, uint64(i)<<3)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	tab := newFtable(len(keys))
	for i, k := range keys {
		tab.insert(k, int32(i))
	}
	for i, k := range keys {
		if got := tab.find(k); got != i {
			t.Fatalf("find(%#x) = %d, want %d", k, got, i)
		}
	}
	for range 1000 {
		k := r.Uint64()
		if _, found := slices.BinarySearch(keys, k); !found && tab.find(k) != -1 {
			t.Fatalf("find(%#x) found a key never inserted", k)
		}
	}
}

func TestSortEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 100, 511, 512, 5000, 70000} {
		es := make([]entry, n)
		for i := range es {
			es[i] = entry{h: r.Uint64(), row: int32(i)}
			if i%3 == 0 {
				es[i].h >>= 40 // many share their top bits
			}
		}
		want := slices.Clone(es)
		slices.SortFunc(want, func(a, b entry) int { return cmpUint64(a.h, b.h) })
		sortEntries(es)
		for i := range es {
			if es[i].h != want[i].h {
				t.Fatalf("n=%d: entry %d is %#x, want %#x", n, i, es[i].h, want[i].h)
			}
		}
	}
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestCheckSentenceMatchesCheckText checks the fast path against CheckText.
func TestCheckSentenceMatchesCheckText(t *testing.T) {
	inputs := []string{
		"", " ", "\t\n\r ", "a", " a ", "Officials said.", "tab\there", "nul\x00", "del\x7f", "bell\a",
		"\u0085nel", "x\u0085", "\u00a0", "\u00a0a", "\u200b", "\u200b\ufeff", "\u200bx", "\xff", "ok\xc3",
		"\xed\xa0\x80", "“quoted”", "\u2028", "\u3000\u3000", "é", "\U0001F600", "\ufffd", "a\u009fb",
		"\u200f", "\u200e\u2067\u2069", "\u061c", "\u202e", "\u2064", "\u180e", "\u200fa", "\u2065", "\u00ad",
	}
	for _, s := range inputs {
		got, want := checkSentence(s), CheckText(s)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("checkSentence(%q) = %v, want %v", s, got, want)
		}
		if want == nil && isBlank(s) {
			t.Errorf("isBlank(%q) for a text CheckText accepts", s)
		}
	}
}

// cancellingTokens cancels a context once it has tokenized after sentences.
type cancellingTokens struct {
	calls  atomic.Int64
	after  int64
	cancel context.CancelFunc
}

func (c *cancellingTokens) AppendTokens(dst []string, s string) []string {
	if c.calls.Add(1) == c.after {
		c.cancel()
	}
	return spaceTokens{}.AppendTokens(dst, s)
}

// TestIfVersion checks that a change made with IfVersion is applied only
// at the version it names, and otherwise changes nothing.
func TestIfVersion(t *testing.T) {
	c := New(spaceTokens{}, WithClock(fixedClock()))
	base := syntheticExamples(40, 1)
	if _, err := c.Replace(context.Background(), base); err != nil {
		t.Fatal(err)
	}
	more := syntheticExamples(10, 2)
	changes := []struct {
		op  string
		run func(ctx context.Context) error
	}{
		{"Learn", func(ctx context.Context) error { _, err := c.Learn(ctx, more, true); return err }},
		{"Forget", func(ctx context.Context) error { _, err := c.Forget(ctx, more); return err }},
		{"Replace", func(ctx context.Context) error { _, err := c.Replace(ctx, base); return err }},
	}
	for _, ch := range changes {
		v := c.Info().Version
		before := saved(t, c)
		for _, stale := range []uint64{v - 1, v + 1} {
			if err := ch.run(IfVersion(context.Background(), stale)); !errors.Is(err, ErrVersionChanged) {
				t.Errorf("%s at version %d, expecting %d: got %v, want ErrVersionChanged", ch.op, v, stale, err)
			}
			if !bytes.Equal(saved(t, c), before) {
				t.Errorf("%s expecting version %d changed the model", ch.op, stale)
			}
		}
		if err := ch.run(IfVersion(context.Background(), v)); err != nil {
			t.Errorf("%s at the expected version %d: %v", ch.op, v, err)
		}
		if got := c.Info().Version; got != v+1 {
			t.Errorf("%s: got version %d, want %d", ch.op, got, v+1)
		}
	}
	// A Forget sent again after it was applied: the stale version is the
	// reason given, not the examples no longer learned.
	v := c.Info().Version
	if _, err := c.Learn(IfVersion(context.Background(), v), more, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Forget(IfVersion(context.Background(), v+1), more); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Forget(IfVersion(context.Background(), v+1), more); !errors.Is(err, ErrVersionChanged) {
		t.Errorf("Forget sent again after it was applied: got %v, want ErrVersionChanged", err)
	}
}

// TestTrainingStopsWithContext cancels Learn, Replace, Forget and Evaluate
// before and while they extract features, on batches small enough for one
// goroutine and large enough for several: each must return the context's
// error and leave the model exactly as it was.
func TestTrainingStopsWithContext(t *testing.T) {
	for _, n := range []int{50, 3000} {
		for _, after := range []int64{1, int64(n) / 2} {
			name := fmt.Sprintf("%d examples, cancelled after %d", n, after)
			ctx, cancel := context.WithCancel(context.Background())
			tok := &cancellingTokens{after: 1 << 62, cancel: cancel}
			c := New(tok, WithClock(fixedClock()))
			base := syntheticExamples(n, 1)
			if _, err := c.Replace(context.Background(), base); err != nil {
				t.Fatal(err)
			}
			before := saved(t, c)
			more := syntheticExamples(n, 2)
			calls := []struct {
				op  string
				run func() error
			}{
				{"Learn", func() error { _, err := c.Learn(ctx, more, true); return err }},
				{"Replace", func() error { _, err := c.Replace(ctx, more); return err }},
				{"Forget", func() error { _, err := c.Forget(ctx, base[:n-1]); return err }},
				{"Evaluate", func() error { _, err := c.Evaluate(ctx, more); return err }},
			}
			for _, call := range calls {
				ctx, cancel = context.WithCancel(context.Background())
				tok.cancel, tok.after = cancel, tok.calls.Load()+after
				if err := call.run(); !errors.Is(err, context.Canceled) {
					t.Errorf("%s: %s: got %v, want context.Canceled", name, call.op, err)
				}
				if !bytes.Equal(saved(t, c), before) {
					t.Errorf("%s: %s changed the model although it was cancelled", name, call.op)
				}
			}
		}
	}
}

func TestReadExampleLines(t *testing.T) {
	tests := []struct {
		name, in  string
		wantLines []int
		wantErr   string
	}{
		{"blank lines and CRLF", "\r\n{\"text\": \"a\", \"label\": \"x\"}\r\n\r\n{\"text\": \"b\", \"label\": \"y\"}\r\n", []int{2, 4}, ""},
		{"byte order mark", "\ufeff{\"text\": \"a\", \"label\": \"x\"}\n", []int{1}, ""},
		{"mark not at the start", "{\"text\": \"a\", \"label\": \"x\"}\n\ufeff{\"text\": \"b\", \"label\": \"y\"}\n", nil, "line 2"},
		{"invalid UTF-8", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\xff\", \"label\": \"y\"}\n", nil, "line 2: not valid UTF-8"},
		{"missing label", "{\"text\": \"a\"}\n", nil, "line 1: needs"},
		{"null label", "{\"text\": \"a\", \"label\": null}\n", nil, "line 1: needs"},
		{"label not a string", "{\"text\": \"a\", \"label\": 5}\n", nil, "line 1: \"label\" is not a string"},
		{"not an object", "[\"a\", \"x\"]\n", nil, "line 1: not a JSON object"},
		{"syntax error", "{\"text\": \"a\", \"label\": \"x\"\n", nil, "line 1: unexpected end of JSON input"},
		{"other fields ignored", "{\"Doc\": 1, \"doc\": [{\"text\": 1, \"text\": 2}], \"TEXTS\": \"b\", \"text\": \"a\", \"label\": \"x\"}\n", []int{1}, ""},
		{"escaped names", "{\"\\u0074ext\": \"a\", \"lab\\u0065l\": \"x\"}\n", []int{1}, ""},
		{"paired surrogates", "{\"text\": \"\\ud83d\\ude00 \\ufffd\", \"label\": \"x\"}\n", []int{1}, ""},
		{"name in another case", "{\"text\": \"a\", \"label\": \"x\", \"Label\": \"y\"}\n", nil, "line 1: member \"Label\" is not \"label\""},
		{"escaped name in another case", "{\"\\u0054EXT\": \"b\", \"text\": \"a\", \"label\": \"x\"}\n", nil, "line 1: member \"TEXT\" is not \"text\""},
		{"duplicate name", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"a\", \"label\": \"x\", \"text\": \"b\"}\n", nil, "line 2: member \"text\" appears twice"},
		{"duplicate other name", "{\"doc\": 1, \"text\": \"a\", \"label\": \"x\", \"doc\": 2}\n", nil, "line 1: member \"doc\" appears twice"},
		{"duplicate escaped name", "{\"text\": \"a\", \"label\": \"x\", \"\\u006cabel\": \"y\"}\n", nil, "line 1: member \"label\" appears twice"},
		{"unpaired high surrogate", "{\"text\": \"a\\ud800\", \"label\": \"x\"}\n", nil, "line 1: text is not valid UTF-8: the JSON string holds an unpaired surrogate escape \\ud800"},
		{"high surrogate before a letter", "{\"text\": \"\\uD800\\u0041\", \"label\": \"x\"}\n", nil, "unpaired surrogate escape \\uD800"},
		{"unpaired low surrogate", "{\"text\": \"a\", \"label\": \"\\udc00x\"}\n", nil, "line 1: label is not valid UTF-8: the JSON string holds an unpaired surrogate escape \\udc00"},
		{"escaped backslash before u", "{\"text\": \"a\\\\ud800\", \"label\": \"x\"}\n", []int{1}, ""},
		{"unpaired surrogates in an ignored name twice, spelled apart", "{\"doc\\ud800\": 1, \"doc\\uD800\": 2, \"text\": \"a\", \"label\": \"x\"}\n", nil, `line 1: member "doc\\ud800" appears twice`},
		{"unpaired surrogate and an escaped letter", "{\"d\\ud800A\": 1, \"d\\ud800\\u0041\": 2, \"text\": \"a\", \"label\": \"x\"}\n", nil, `line 1: member "d\\ud800A" appears twice`},
		{"unpaired surrogate beside a NUL name", "{\"\\u0000doc\\ud800\": 1, \"doc\\ud800\": 2, \"text\": \"a\", \"label\": \"x\"}\n", []int{1}, ""},
		{"unpaired surrogates in an ignored name twice", "{\"doc\\ud800\": 1, \"doc\\ud800\": 2, \"text\": \"a\", \"label\": \"x\"}\n", nil, `line 1: member "doc\\ud800" appears twice`},
		{"unpaired surrogate in an ignored name", "{\"doc\\ud800\": 1, \"doc\\udc00\": 2, \"text\": \"a\", \"label\": \"x\"}\n", []int{1}, ""},
		{"vertical tab before the object", "\v{\"text\": \"a\", \"label\": \"x\"}\n", nil, "line 1: invalid character"},
		{"byte order mark on a later line", "{\"text\": \"a\", \"label\": \"x\"}\n\ufeff{\"text\": \"a\", \"label\": \"x\"}\n", nil, "line 2: the line starts with U+FEFF"},
		{"no-break space before the object", "\u00a0{\"text\": \"a\", \"label\": \"x\"}\n", nil, "line 1: the line starts with U+00A0"},
		{"no-break space after the object", "{\"text\": \"a\", \"label\": \"x\"}\u00a0\n", nil, "line 1: invalid character U+00A0 after top-level value"},
		{"line separator after the object", "{\"text\": \"a\", \"label\": \"x\"}\u2028\n", nil, "line 1: invalid character U+2028 after top-level value"},
		{"byte order mark between members", "{\"text\": \"a\",\ufeff \"label\": \"x\"}\n", nil, "line 1: invalid character U+FEFF looking for beginning of object key string"},
		{"JSON white space around the object", " \t{\"text\": \"a\", \"label\": \"x\"}\t \r\n", []int{1}, ""},
	}
	for _, tt := range tests {
		exs, lines, err := ReadExampleLines(strings.NewReader(tt.in), 0)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadJSONL) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: got %v, want ErrBadJSONL naming %q", tt.name, err, tt.wantErr)
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Errorf("%s: got %#v, want a *LineError", tt.name, err)
			} else if strings.HasPrefix(tt.wantErr, "line ") && !strings.HasPrefix(tt.wantErr+":", fmt.Sprintf("line %d:", le.Line)) {
				t.Errorf("%s: got line %d, want the line of %q", tt.name, le.Line, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(lines, tt.wantLines) || len(exs) != len(lines) {
			t.Errorf("%s: got lines %v (%d examples), %v; want %v", tt.name, lines, len(exs), err, tt.wantLines)
		}
	}
}

// TestReadExamplesLineLimit checks that a line of MaxJSONLLine bytes is
// read, with either line ending or none, and a longer one refused.
func TestReadExamplesLineLimit(t *testing.T) {
	line := func(n int) string {
		head := `{"text": "`
		tail := `", "label": "x"}`
		return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
	}
	for _, tt := range []struct {
		name, in string
		ok       bool
	}{
		{"at the limit", line(MaxJSONLLine), true},
		{"at the limit, LF", line(MaxJSONLLine) + "\n", true},
		{"at the limit, CRLF", line(MaxJSONLLine) + "\r\n", true},
		{"at the limit after a byte order mark", "\ufeff" + line(MaxJSONLLine) + "\r\n", true},
		{"one byte over", line(MaxJSONLLine + 1), false},
		{"one byte over, CRLF", line(MaxJSONLLine+1) + "\r\n", false},
		{"far over", line(MaxJSONLLine + 100), false},
	} {
		exs, err := ReadExamples(strings.NewReader(tt.in))
		switch {
		case tt.ok && (err != nil || len(exs) != 1):
			t.Errorf("%s: got %d examples, %v; want 1", tt.name, len(exs), err)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), "line 1: longer than")):
			t.Errorf("%s: got %v, want line 1 refused as too long", tt.name, err)
		}
	}
	// ReadExampleLines takes a limit of its own.
	for _, tt := range []struct {
		max, n int
		ok     bool
	}{{2 * MaxJSONLLine, 2 * MaxJSONLLine, true}, {2 * MaxJSONLLine, 2*MaxJSONLLine + 1, false}, {100, 101, false}, {0, MaxJSONLLine, true}} {
		exs, _, err := ReadExampleLines(strings.NewReader(line(tt.n)+"\n"), tt.max)
		if got := err == nil && len(exs) == 1; got != tt.ok {
			t.Errorf("ReadExampleLines(line of %d bytes, %d): got %d examples, %v; want ok %v", tt.n, tt.max, len(exs), err, tt.ok)
		}
	}
}

// TestReadExamplesDecodesEscapes checks that escapes in names and values
// decode as encoding/json decodes them.
func TestReadExamplesDecodesEscapes(t *testing.T) {
	in := `{"\u0074ext": "\ud83d\ude00 \ufffd \"q\" a\\b\/c\n\t", "label": "x\u00e9", "doc": {"label": 1}}`
	want := Example{Text: "\U0001F600 \ufffd \"q\" a\\b/c\n\t", Label: "x\u00e9"}
	exs, err := ReadExamples(strings.NewReader(in))
	if err != nil || len(exs) != 1 || exs[0] != want {
		t.Errorf("got %q, %v; want [%q]", exs, err, want)
	}
}

// TestConcurrentLearnMatchesSequential runs Learns side by side (their
// features are extracted outside the lock) and checks the result is the
// model that learns the same batches one after another.
func TestConcurrentLearnMatchesSequential(t *testing.T) {
	ctx := context.Background()
	base := syntheticExamples(300, 1)
	var batches [][]Example
	for i := range 6 {
		batches = append(batches, syntheticExamples(200+100*i, uint64(10+i)))
	}
	seq := New(spaceTokens{}, WithClock(fixedClock()))
	con := New(spaceTokens{}, WithClock(fixedClock()))
	for _, c := range []*Classifier{seq, con} {
		if _, err := c.Replace(ctx, base); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range batches {
		if _, err := seq.Learn(ctx, b, true); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for _, b := range batches {
		wg.Go(func() {
			if _, err := con.Learn(ctx, b, true); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if !bytes.Equal(saved(t, seq), saved(t, con)) {
		t.Errorf("concurrent Learns: got another model than the same batches learned in turn")
	}
	// Forgetting them all side by side gives back the base model.
	for _, b := range batches {
		wg.Go(func() {
			if _, err := con.Forget(ctx, b); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := New(spaceTokens{}, WithClock(fixedClock()))
	if _, err := want.Replace(ctx, base); err != nil {
		t.Fatal(err)
	}
	want.writer <- struct{}{}
	want.version = con.Version()
	want.publish(nil, nil)
	want.unlock()
	if !bytes.Equal(saved(t, want), saved(t, con)) {
		t.Errorf("concurrent Forgets: got another model than the base one")
	}
}

// TestMergeNamesNamelessRows checks that a feature without a name (as read
// from a saved model that has none) is named by the next batch that has it.
func TestMergeNamesNamelessRows(t *testing.T) {
	ctx := context.Background()
	c := New(spaceTokens{}, WithFeatures(FeatureConfig{}), WithClock(fixedClock()))
	if _, err := c.Replace(ctx, []Example{{"blast ministry", "x"}, {"rain", "y"}}); err != nil {
		t.Fatal(err)
	}
	c.writer <- struct{}{}
	next := c.counts.clone()
	next.own()
	for row, name := range next.rows.name {
		if strings.Contains(name, "blast") {
			next.rows.name[row] = ""
			next.nameless++
		}
	}
	c.counts = next
	c.unlock()
	if _, err := c.Learn(ctx, []Example{{"blast", "x"}}, false); err != nil {
		t.Fatal(err)
	}
	c.writer <- struct{}{}
	defer c.unlock()
	if c.counts.nameless != 0 || !slices.ContainsFunc(c.counts.rows.name, func(n string) bool { return strings.Contains(n, "blast") }) {
		t.Errorf("after Learn: got %d nameless rows and names %q, want the blast feature named again", c.counts.nameless, c.counts.rows.name)
	}
}

// TestSmallLearnsKeepLittleMemory learns many one-example batches, each
// with a new word: the model must not keep more than the new features
// need (a batch's names once held on to a 32 KiB block each).
func TestSmallLearnsKeepLittleMemory(t *testing.T) {
	ctx := context.Background()
	c := New(spaceTokens{}, WithFeatures(FeatureConfig{}), WithClock(fixedClock()))
	if _, err := c.Replace(ctx, []Example{{"a b", "x"}, {"a c", "y"}}); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const n = 1000
	for i := range n {
		if _, err := c.Learn(ctx, []Example{{fmt.Sprintf("word%d", i), "x"}}, false); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("%d one-word Learns: heap grew by %d KiB, want well under 8 MiB", n, grew>>10)
	}
}

// TestLabelLimits checks the bounds on a model's labels: every refused
// batch leaves the model as it was, and a model at MaxLabels saves and
// loads.
func TestLabelLimits(t *testing.T) {
	labelled := func(from, n int) []Example {
		exs := make([]Example, n)
		for i := range exs {
			exs[i] = Example{Text: fmt.Sprintf("text %d", from+i), Label: fmt.Sprintf("l%03d", from+i)}
		}
		return exs
	}
	ctx := context.Background()
	c := newTest(t, DefaultFeatures(), DefaultAlpha, labelled(0, 2)...)
	if _, err := c.Replace(ctx, []Example{{"a", "x"}, {"b", "x"}}); !errors.Is(err, ErrOneLabel) || !errors.Is(err, ErrTooFewLabels) {
		t.Errorf("Replace with one label: got %v, want ErrOneLabel wrapping ErrTooFewLabels", err)
	}
	if _, err := c.Replace(ctx, labelled(0, MaxLabels+1)); !errors.Is(err, ErrTooManyLabels) {
		t.Errorf("Replace with %d labels: got %v, want ErrTooManyLabels", MaxLabels+1, err)
	}
	v := c.Version()
	// Two labels in the model, MaxLabels-1 new ones: the last is one too many.
	_, err := c.Learn(ctx, labelled(2, MaxLabels-1), true)
	var ee *ExampleError
	if !errors.Is(err, ErrTooManyLabels) || !errors.As(err, &ee) || ee.Index != MaxLabels-2 {
		t.Errorf("Learn past MaxLabels: got %v, want ErrTooManyLabels at examples[%d]", err, MaxLabels-2)
	}
	if c.Version() != v || len(c.Info().Labels) != 2 {
		t.Errorf("a refused Learn changed the model: version %d, %d labels", c.Version(), len(c.Info().Labels))
	}
	if _, err := c.Learn(ctx, labelled(2, MaxLabels-2), true); err != nil {
		t.Fatalf("Learn up to MaxLabels: %v", err)
	}
	if got := len(c.Info().Labels); got != MaxLabels {
		t.Errorf("labels: got %d, want %d", got, MaxLabels)
	}
	if _, err := c.Learn(ctx, labelled(MaxLabels, 1), true); !errors.Is(err, ErrTooManyLabels) {
		t.Errorf("Learn one label past MaxLabels: got %v, want ErrTooManyLabels", err)
	}
	if _, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{}); err != nil {
		t.Errorf("Load of a model with MaxLabels labels: %v", err)
	}
	// A loaded model over its limit keeps its labels and learns no new one.
	small, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{}, WithMaxLabels(3))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.Learn(ctx, []Example{{"more", "l000"}}, false); err != nil {
		t.Errorf("Learn of a known label over the limit: %v", err)
	}
	if _, err := small.Learn(ctx, labelled(MaxLabels, 1), true); !errors.Is(err, ErrTooManyLabels) {
		t.Errorf("Learn of a new label over the limit: got %v, want ErrTooManyLabels", err)
	}
	if _, err := small.Replace(ctx, labelled(0, 4)); !errors.Is(err, ErrTooManyLabels) {
		t.Errorf("Replace with 4 labels, limit 3: got %v, want ErrTooManyLabels", err)
	}
	if _, err := small.Replace(ctx, labelled(0, 3)); err != nil {
		t.Errorf("Replace with 3 labels, limit 3: %v", err)
	}
	// Evaluate scores labels the model lacks as missed, up to the limit
	// of them: the confusion matrix grows with the square of the labels.
	exs := append(labelled(0, 3), labelled(100, 3)...) // three known labels, three new
	if m, err := small.Evaluate(ctx, exs); err != nil || len(m.Labels) != 6 {
		t.Errorf("Evaluate naming 3 labels the model lacks, limit 3: got %d labels, %v; want 6, nil", len(m.Labels), err)
	}
	exs = append(exs, Example{"one more", "l200"}, Example{"again", "l100"})
	_, err = small.Evaluate(ctx, exs)
	if !errors.Is(err, ErrTooManyLabelsToScore) || !errors.As(err, &ee) || ee.Index != 6 || ee.Field != "label" {
		t.Errorf("Evaluate naming 4 labels the model lacks, limit 3: got %v, want ErrTooManyLabelsToScore at examples[6].label", err)
	}
}

// TestNewLabelsInOneBatch checks that labels added and removed by one batch
// give exactly the model that one batch per label gives.
func TestNewLabelsInOneBatch(t *testing.T) {
	base := []Example{{"a b", "m"}, {"a c", "p"}}
	extra := []Example{{"b d", "z"}, {"a e", "c"}, {"c d", "n"}, {"e f", "c"}, {"a b", "a"}}
	ctx := context.Background()
	one := newTest(t, DefaultFeatures(), DefaultAlpha, base...)
	each := newTest(t, DefaultFeatures(), DefaultAlpha, base...)
	if _, err := one.Learn(ctx, extra, true); err != nil {
		t.Fatal(err)
	}
	for _, ex := range extra {
		if _, err := each.Learn(ctx, []Example{ex}, true); err != nil {
			t.Fatal(err)
		}
	}
	each.version = one.version // compare counts only
	each.publish(nil, nil)
	if !bytes.Equal(saved(t, one), saved(t, each)) {
		t.Errorf("Learn: one batch of new labels saves another model than one batch per label")
	}
	if _, err := one.Forget(ctx, extra); err != nil {
		t.Fatal(err)
	}
	for i := len(extra) - 1; i >= 0; i-- {
		if _, err := each.Forget(ctx, extra[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	each.version = one.version
	each.publish(nil, nil)
	if !bytes.Equal(saved(t, one), saved(t, each)) {
		t.Errorf("Forget: one batch of labels removed saves another model than one batch per label")
	}
	if got := one.Info().Labels; fmt.Sprint(got) != "[m p]" {
		t.Errorf("labels after Forget: got %v, want [m p]", got)
	}
}

// TestLearnCountOverflow checks that an example learned as often as the
// saved format can count is refused, so that no saved model fails to load.
func TestLearnCountOverflow(t *testing.T) {
	ctx := context.Background()
	ex := Example{"a b", "x"}
	c := newTest(t, DefaultFeatures(), DefaultAlpha, ex, Example{"a c", "y"})
	// Forge the count of ex as if it had been learned 2³¹−2 times.
	c.writer <- struct{}{}
	next := c.counts.clone()
	next.examples[keyOf(ex)] = math.MaxInt32 - 1
	c.counts = next
	c.unlock()
	v := c.Version()
	if _, err := c.Learn(ctx, []Example{ex}, false); err != nil {
		t.Fatalf("Learn up to 2³¹−1 copies: %v", err)
	}
	if _, err := c.Learn(ctx, []Example{ex}, false); !errors.Is(err, ErrModelFull) {
		t.Errorf("Learn past 2³¹−1 copies: got %v, want ErrModelFull", err)
	}
	if got := c.Version(); got != v+1 {
		t.Errorf("version: got %d, want %d (the refused Learn changed it)", got, v+1)
	}
	if _, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{}); err != nil {
		t.Errorf("Load after the refused Learn: %v", err)
	}
}

// TestLearnFeatureCountOverflow checks that a Learn that would count a
// feature more than maxFeatureCount times, over all its labels, is
// refused and changes nothing, and that a Learn up to it passes.
func TestLearnFeatureCountOverflow(t *testing.T) {
	ctx := context.Background()
	ex := Example{"a b", "x"}
	c := newTest(t, FeatureConfig{}, 1, ex, Example{"a c", "y"})
	// Forge the count of feature b (all under x) as if it had been
	// counted maxFeatureCount−1 times.
	c.writer <- struct{}{}
	next := c.counts.clone()
	next.own()
	row := rowNamed(t, next, "w:b")
	n := next.rows.n[int(row)*next.rows.width:][:next.rows.width]
	n[0], n[2] = maxFeatureCount-1, maxFeatureCount-1
	c.counts = next
	c.unlock()
	v := c.Version()
	if _, err := c.Learn(ctx, []Example{ex}, false); err != nil {
		t.Fatalf("Learn up to maxFeatureCount: %v", err)
	}
	before := saved(t, c)
	if _, err := c.Learn(ctx, []Example{{"b", "y"}}, false); !errors.Is(err, ErrModelFull) {
		t.Errorf("Learn past maxFeatureCount: got %v, want ErrModelFull", err)
	}
	if got := c.Version(); got != v+1 {
		t.Errorf("version: got %d, want %d (the refused Learn changed it)", got, v+1)
	}
	if !bytes.Equal(saved(t, c), before) {
		t.Errorf("the refused Learn changed the model")
	}
	if _, err := Load(bytes.NewReader(before), spaceTokens{}); err != nil {
		t.Errorf("Load of a feature counted maxFeatureCount times: %v", err)
	}
}

// TestAddFeatureCountOverflow checks that a batch that counts a feature
// more than maxFeatureCount times is refused with ErrModelFull: counts.add
// stops at the limit and marks the counts full.
func TestAddFeatureCountOverflow(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1)
	exs := []Example{{"b d", "x"}, {"b c", "y"}}
	labels := labelsOf(exs)
	cnt := newCounts()
	if err := c.learnInto(context.Background(), cnt, exs, labels); err != nil {
		t.Fatalf("learnInto: %v", err)
	}
	row := rowNamed(t, cnt, "w:b")
	n := cnt.rows.n[int(row)*cnt.rows.width:][:cnt.rows.width]
	n[0], n[1], n[2] = maxFeatureCount-1, 0, maxFeatureCount-1
	if err := c.learnInto(context.Background(), cnt, exs, labels); !errors.Is(err, ErrModelFull) {
		t.Errorf("learnInto past maxFeatureCount: got %v, want ErrModelFull", err)
	}
	// learnInto sets up the labels anew, which copies the rows.
	if got := cnt.rows.sum(row); got != maxFeatureCount {
		t.Errorf("feature b's total: got %d, want %d (counted up to the limit, never past it)", got, maxFeatureCount)
	}
}

// rowNamed returns the row of cnt's feature name.
func rowNamed(t *testing.T, cnt *counts, name string) int32 {
	t.Helper()
	row := slices.Index(cnt.rows.name, name)
	if row < 0 {
		t.Fatalf("no feature %q in %q", name, cnt.rows.name)
	}
	return int32(row)
}

// firstWordTokens is a tokenizer without a fingerprint that keeps only a
// sentence's first word: another tokenizer than spaceTokens that the
// model cannot tell from it.
type firstWordTokens struct{}

func (firstWordTokens) AppendTokens(dst []string, s string) []string {
	f := strings.Fields(strings.ToLower(s))
	return append(dst, f[:min(len(f), 1)]...)
}

// TestForgetWithOtherTokensKeepsModelLoadable checks that a Forget whose
// features differ from the learned ones, unnoticed because neither
// tokenizer has a fingerprint, is refused rather than removing a label
// whose feature counts remain (a model Load would refuse).
func TestForgetWithOtherTokensKeepsModelLoadable(t *testing.T) {
	ctx := context.Background()
	c := New(spaceTokens{}, WithFeatures(FeatureConfig{}))
	if _, err := c.Replace(ctx, []Example{{"a b", "x"}, {"a c", "y"}, {"a zzz", "z"}}); err != nil {
		t.Fatal(err)
	}
	d, err := Load(bytes.NewReader(saved(t, c)), firstWordTokens{})
	if err != nil {
		t.Fatal(err)
	}
	v := d.Version()
	if _, err := d.Forget(ctx, []Example{{"a zzz", "z"}}); !errors.Is(err, ErrStaleFeatures) {
		t.Errorf("Forget with other features: got %v, want ErrStaleFeatures", err)
	}
	if d.Version() != v {
		t.Errorf("the refused Forget changed the model")
	}
	if _, err := Load(bytes.NewReader(saved(t, d)), spaceTokens{}); err != nil {
		t.Errorf("Load after the Forget: %v", err)
	}
}

// TestSettledInfoWaitsForSave checks that SettledInfo answers once the
// change being saved is installed, or with ctx's error, where Info answers
// at once.
func TestSettledInfoWaitsForSave(t *testing.T) {
	c := newTest(t, DefaultFeatures(), DefaultAlpha, Example{"a b", "x"}, Example{"a c", "y"})
	if _, err := c.SettledInfo(context.Background()); err != nil {
		t.Errorf("SettledInfo with no save under way: %v", err)
	}
	release := make(chan struct{})
	c.saving.Store(&release) // a change being saved
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.SettledInfo(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SettledInfo past its deadline: got %v, want DeadlineExceeded", err)
	}
	_ = c.Info() // does not wait
	got := make(chan Info)
	go func() {
		info, _ := c.SettledInfo(context.Background())
		got <- info
	}()
	select {
	case <-got:
		t.Fatal("SettledInfo answered while a change was being saved")
	case <-time.After(20 * time.Millisecond):
	}
	c.saving.Store(nil)
	close(release)
	if info := <-got; info.Version != c.Version() {
		t.Errorf("SettledInfo: got version %d, want %d", info.Version, c.Version())
	}
	// A real save clears the mark.
	if _, err := c.Learn(context.Background(), []Example{{"a d", "x"}}, false); err != nil {
		t.Fatal(err)
	}
	if c.saving.Load() != nil {
		t.Errorf("a save left its mark")
	}
}

// TestFeatureLimit checks WithMaxFeatures: Learn and Replace refuse a
// batch that would pass the limit and change nothing, a batch that adds
// no feature is learned even by a model over its limit (one loaded with a
// lower one), and Forget makes room again.
func TestFeatureLimit(t *testing.T) {
	ctx := context.Background()
	words := func(from, n int, label string) []Example {
		exs := make([]Example, n)
		for i := range exs {
			exs[i] = Example{Text: fmt.Sprintf("w%d", from+i), Label: label}
		}
		return exs
	}
	base := append(words(0, 2, "a"), words(2, 2, "b")...)
	c := newTest(t, FeatureConfig{}, DefaultAlpha, base...)
	limited, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{}, WithMaxFeatures(6))
	if err != nil {
		t.Fatal(err)
	}
	if got := limited.Info().Vocabulary; got != 4 {
		t.Fatalf("vocabulary: got %d, want 4", got)
	}
	v := limited.Version()
	if _, err := limited.Learn(ctx, words(4, 3, "a"), false); !errors.Is(err, ErrTooManyFeatures) {
		t.Errorf("Learn of 3 new features into 4 of 6: got %v, want ErrTooManyFeatures", err)
	}
	if limited.Version() != v || limited.Info().Vocabulary != 4 {
		t.Errorf("a refused Learn changed the model: version %d, vocabulary %d", limited.Version(), limited.Info().Vocabulary)
	}
	extra := words(4, 2, "a")
	if _, err := limited.Learn(ctx, extra, false); err != nil {
		t.Fatalf("Learn up to the limit: %v", err)
	}
	if _, err := limited.Learn(ctx, words(0, 1, "b"), false); err != nil {
		t.Errorf("Learn of known features at the limit: %v", err)
	}
	if _, err := limited.Forget(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if _, err := limited.Learn(ctx, words(6, 2, "b"), false); err != nil {
		t.Errorf("Learn after Forget made room: %v", err)
	}
	if _, err := limited.Replace(ctx, append(words(0, 4, "a"), words(4, 3, "b")...)); !errors.Is(err, ErrTooManyFeatures) {
		t.Errorf("Replace with 7 features, limit 6: got %v, want ErrTooManyFeatures", err)
	}
	// Loaded with a limit below its size, the model keeps its features.
	over, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{}, WithMaxFeatures(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := over.Learn(ctx, words(0, 2, "a"), false); err != nil {
		t.Errorf("Learn of known features over the limit: %v", err)
	}
	if _, err := over.Learn(ctx, words(9, 1, "a"), false); !errors.Is(err, ErrTooManyFeatures) {
		t.Errorf("Learn of a new feature over the limit: got %v, want ErrTooManyFeatures", err)
	}
}

// TestForgetCompacts checks that forgetting most of what a model learned
// gives back its rows (compactIfSparse), and that the compacted model is
// exactly the model before the Learn and keeps learning and forgetting.
func TestForgetCompacts(t *testing.T) {
	ctx := context.Background()
	var base, extra []Example
	for i := range 20 {
		base = append(base, Example{Text: fmt.Sprintf("base%d word%d", i, i%3), Label: []string{"a", "b"}[i%2]})
	}
	for i := range 3 * minCompact {
		extra = append(extra, Example{Text: fmt.Sprintf("extra%d word%d", i, i%3), Label: []string{"a", "b"}[i%2]})
	}
	c := newTest(t, FeatureConfig{}, DefaultAlpha, base...)
	before := saved(t, c)
	if _, err := c.Learn(ctx, extra, false); err != nil {
		t.Fatal(err)
	}
	grown := c.counts.rows.len()
	if _, err := c.Forget(ctx, extra); err != nil {
		t.Fatal(err)
	}
	r := c.counts.rows
	if r.len() != len(c.counts.index) || len(r.free) != 0 || r.len() >= grown {
		t.Errorf("after Forget: got %d rows (%d free) for %d features, grown to %d; want one row a feature", r.len(), len(r.free), len(c.counts.index), grown)
	}
	again, err := Load(bytes.NewReader(before), spaceTokens{})
	if err != nil {
		t.Fatal(err)
	}
	again.version = c.version
	again.publish(nil, nil)
	if got, want := saved(t, c), saved(t, again); !bytes.Equal(got, want) {
		t.Errorf("compacted model differs from the model before the Learn")
	}
	for _, ex := range base[:3] {
		p, err := c.Classify(ex.Text)
		if err != nil || p.Label != ex.Label {
			t.Errorf("Classify(%q) after compaction: got %q, %v; want %q", ex.Text, p.Label, err, ex.Label)
		}
	}
	if _, err := c.Learn(ctx, extra[:10], false); err != nil {
		t.Errorf("Learn after compaction: %v", err)
	}
	if _, err := c.Forget(ctx, extra[:10]); err != nil {
		t.Errorf("Forget after compaction: %v", err)
	}
	if got, want := saved(t, c), saved(t, again); len(got) != len(want) {
		t.Errorf("after another Learn and Forget: got %d bytes saved, want %d", len(got), len(want))
	}
}

// TestLearnedLimit checks WithMaxLearned: Learn and Replace refuse a batch
// that would give the model more distinct examples than the limit and
// change nothing, an example the model already holds is learned again even
// at the limit (it adds no key), and Forget makes room.
func TestLearnedLimit(t *testing.T) {
	ctx := context.Background()
	base := []Example{{"a one", "a"}, {"a two", "a"}, {"b one", "b"}, {"b two", "b"}}
	c := newTest(t, FeatureConfig{}, DefaultAlpha, base...)
	limited, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{}, WithMaxLearned(5))
	if err != nil {
		t.Fatal(err)
	}
	if got := limited.Info().Learned; got != 4 {
		t.Fatalf("learned: got %d, want 4", got)
	}
	v := limited.Version()
	two := []Example{{"a one two", "a"}, {"b two one", "b"}}
	if _, err := limited.Learn(ctx, two, false); !errors.Is(err, ErrTooManyLearned) {
		t.Errorf("Learn of 2 new examples into 4 of 5: got %v, want ErrTooManyLearned", err)
	}
	if limited.Version() != v || limited.Info().Learned != 4 {
		t.Errorf("a refused Learn changed the model: version %d, %d learned", limited.Version(), limited.Info().Learned)
	}
	if _, err := limited.Learn(ctx, two[:1], false); err != nil {
		t.Fatalf("Learn up to the limit: %v", err)
	}
	if _, err := limited.Learn(ctx, append(base[:1:1], base[0]), false); err != nil {
		t.Errorf("Learn of held examples at the limit: %v", err)
	}
	if got := limited.Info(); got.Learned != 5 || got.Examples != 7 {
		t.Errorf("at the limit: got %d distinct and %d examples, want 5 and 7", got.Learned, got.Examples)
	}
	if _, err := limited.Forget(ctx, two[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := limited.Learn(ctx, two[1:], false); err != nil {
		t.Errorf("Learn after Forget made room: %v", err)
	}
	if _, err := limited.Replace(ctx, append(slices.Clone(base), two...)); !errors.Is(err, ErrTooManyLearned) {
		t.Errorf("Replace with 6 examples, limit 5: got %v, want ErrTooManyLearned", err)
	}
}

// TestReadExamplesReadError checks that a read that fails mid-line is
// reported as the reader's error, not as a malformed line.
func TestReadExamplesReadError(t *testing.T) {
	for _, in := range []string{
		"{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"la",
		"{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"caf\xc3", // cut mid-character
	} {
		_, _, err := ReadExampleLines(io.MultiReader(strings.NewReader(in), iotest.ErrReader(os.ErrDeadlineExceeded)), 0)
		if !errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, ErrBadJSONL) {
			t.Errorf("%q: got %v, want the reader's error, not ErrBadJSONL", in, err)
		}
	}
}

// stalledChange returns a classifier (with opts) trained on synthetic
// examples, and a Learn whose persist stalls until release is called,
// begun: its error comes on first. The Learn holds the writers' lock and
// is persisting when stalledChange returns.
func stalledChange(t *testing.T, opts ...Option) (c *Classifier, release func(), first <-chan error) {
	t.Helper()
	stall := make(chan struct{})
	var stalling atomic.Bool
	c = New(spaceTokens{}, append([]Option{WithClock(fixedClock()), WithPersist(func([]byte) error {
		if stalling.Load() {
			<-stall
		}
		return nil
	})}, opts...)...)
	if _, err := c.Replace(context.Background(), syntheticExamples(200, 1)); err != nil {
		t.Fatal(err)
	}
	stalling.Store(true)
	done := make(chan error, 1)
	go func() {
		_, err := c.Learn(context.Background(), syntheticExamples(10, 2), true)
		done <- err
	}()
	for c.persisting.Load() == nil {
		time.Sleep(time.Millisecond)
	}
	return c, func() { stalling.Store(false); close(stall) }, done
}

// TestChangeBehindAStalledSaveGivesUp: while one change's save stalls (a
// hung disk), the changes queued behind it give up at their deadline with
// the context's error and change nothing, classification goes on, and
// once the save ends the next change is applied.
func TestChangeBehindAStalledSaveGivesUp(t *testing.T) {
	c, release, first := stalledChange(t)
	before := saved(t, c)
	for _, change := range []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Learn", func(ctx context.Context) error { _, err := c.Learn(ctx, syntheticExamples(10, 3), true); return err }},
		{"Forget", func(ctx context.Context) error { _, err := c.Forget(ctx, syntheticExamples(10, 1)); return err }},
		{"Replace", func(ctx context.Context) error { _, err := c.Replace(ctx, syntheticExamples(20, 4)); return err }},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		done := make(chan error, 1)
		go func() { done <- change.run(ctx) }()
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s behind a stalled save: got %v, want the deadline's error", change.name, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s behind a stalled save: still waiting 10s after its 50ms deadline", change.name)
		}
		cancel()
	}
	if _, err := c.Classify("some words of a sentence"); err != nil {
		t.Errorf("Classify during the stalled save: %v", err)
	}
	if !bytes.Equal(saved(t, c), before) {
		t.Errorf("the changes that gave up changed the model")
	}
	release()
	if err := <-first; err != nil {
		t.Fatalf("the stalled change, once its save ended: %v", err)
	}
	if _, err := c.Learn(context.Background(), syntheticExamples(10, 3), true); err != nil {
		t.Errorf("a change after the save ended: %v", err)
	}
}

// TestUnlockOfAFreeLockPanics: giving back a writers' lock that is not
// held is reported, as sync.Mutex reports it, rather than blocking.
func TestUnlockOfAFreeLockPanics(t *testing.T) {
	c := New(spaceTokens{})
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("unlock of a free lock: got no panic, want one")
		}
	}()
	c.unlock()
}

// TestPersistStallRefusesChanges: with WithPersistStall, a change queued
// behind a persist that has run that long gives up with
// ErrPersistStalled, well before its own deadline, and one that comes
// later is refused at once; neither changes the model, and once the
// persist ends changes are applied again.
func TestPersistStallRefusesChanges(t *testing.T) {
	const stallAfter = 100 * time.Millisecond
	c, release, first := stalledChange(t, WithPersistStall(stallAfter))
	before := saved(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Learn(ctx, syntheticExamples(10, 3), true)
	if waited := time.Since(start); !errors.Is(err, ErrPersistStalled) || waited > 5*time.Second {
		t.Errorf("a change queued behind the persist: got %v after %v, want ErrPersistStalled once the persist has run %v", err, waited, stallAfter)
	}
	start = time.Now()
	_, err = c.Forget(ctx, syntheticExamples(10, 1))
	if waited := time.Since(start); !errors.Is(err, ErrPersistStalled) || waited > stallAfter/2 {
		t.Errorf("a change after the persist has run %v: got %v after %v, want ErrPersistStalled at once", stallAfter, err, waited)
	}
	if !bytes.Equal(saved(t, c), before) {
		t.Errorf("the refused changes changed the model")
	}
	if _, err := c.SettledInfo(ctx); !errors.Is(err, ErrPersistStalled) {
		t.Errorf("SettledInfo during the stalled persist: got %v, want ErrPersistStalled", err)
	}
	if ran, stalled := c.PersistStalledFor(); !stalled || ran < stallAfter {
		t.Errorf("PersistStalledFor: got %v, %v, want at least %v and stalled", ran, stalled, stallAfter)
	}
	release()
	if err := <-first; err != nil {
		t.Fatalf("the stalled change, once its persist ended: %v", err)
	}
	if _, err := c.Replace(ctx, syntheticExamples(20, 4)); err != nil {
		t.Errorf("a change after the persist ended: %v", err)
	}
}

// TestPersistPanicLeavesNoStall: a persist that panics leaves no mark of
// a persist under way, so later changes are not refused as stalled.
func TestPersistPanicLeavesNoStall(t *testing.T) {
	var panicking atomic.Bool
	c := New(spaceTokens{}, WithPersistStall(time.Nanosecond), WithPersist(func([]byte) error {
		if panicking.Load() {
			panic("disk driver bug")
		}
		return nil
	}))
	if _, err := c.Replace(context.Background(), syntheticExamples(50, 1)); err != nil {
		t.Fatal(err)
	}
	panicking.Store(true)
	func() {
		defer func() { _ = recover() }()
		c.Learn(context.Background(), syntheticExamples(5, 2), true)
	}()
	panicking.Store(false)
	if c.persisting.Load() != nil {
		t.Errorf("after a persist that panicked: got a persist still marked under way, want none")
	}
	if _, err := c.Learn(context.Background(), syntheticExamples(5, 3), true); err != nil {
		t.Errorf("a change after a persist that panicked: got %v, want it applied", err)
	}
}

// TestReserveKeepsCounts checks that counts.reserve keeps what the counts
// hold and makes room for the features asked for, so that rows added up to
// that many are not copied again.
func TestReserveKeepsCounts(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1)
	exs := []Example{{"b d", "x"}, {"b c", "y"}}
	cnt := newCounts()
	if err := c.learnInto(context.Background(), cnt, exs, labelsOf(exs)); err != nil {
		t.Fatalf("learnInto: %v", err)
	}
	want := cnt.clone()
	const room = 5000
	cnt.reserve(room)
	if !maps.Equal(cnt.index, want.index) || !slices.Equal(cnt.rows.n, want.rows.n) || !slices.Equal(cnt.rows.hash, want.rows.hash) || !slices.Equal(cnt.rows.name, want.rows.name) {
		t.Fatalf("reserve changed the counts: got index %v rows %v, want %v and %v", cnt.index, cnt.rows.n, want.index, want.rows.n)
	}
	if got := cap(cnt.rows.hash); got < room {
		t.Errorf("rows' room after reserve(%d): got %d, want at least %d", room, got, room)
	}
	first := &cnt.rows.hash[0]
	for h := uint64(1); cnt.rows.len() < room; h++ {
		if _, ok := cnt.index[h]; !ok {
			cnt.index[h] = cnt.newRow(h, "")
		}
	}
	if &cnt.rows.hash[0] != first {
		t.Errorf("rows were copied while filling the room reserve made")
	}
	cnt.reserve(1) // less than held: a no-op
	if got := cnt.rows.len(); got != room {
		t.Errorf("rows after reserve(1): got %d, want %d", got, room)
	}
	// Free rows outnumber the index by 10: room for 5 more features is
	// there already.
	for row := range int32(10) {
		cnt.freeRow(row + 2)
	}
	cnt.reserve(len(cnt.index) + 5)
	if got := cnt.rows.len(); got != room {
		t.Errorf("rows after reserve with free rows: got %d, want %d", got, room)
	}
}
