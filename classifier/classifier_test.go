package classifier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

// spaceTokens is a TokenAppender for tests: lower-case, split on spaces.
type spaceTokens struct{}

func (spaceTokens) AppendTokens(dst []string, s string) []string {
	return append(dst, strings.Fields(strings.ToLower(s))...)
}

func fixedClock() func() time.Time {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time { return t }
}

func newTest(t *testing.T, fc FeatureConfig, alpha float64, exs ...Example) *Classifier {
	t.Helper()
	c := New(spaceTokens{}, WithFeatures(fc), WithAlpha(alpha), WithClock(fixedClock()))
	if len(exs) > 0 {
		if _, err := c.Replace(context.Background(), exs); err != nil {
			t.Fatalf("Replace: %v", err)
		}
	}
	return c
}

// TestNaiveBayesArithmetic checks probabilities against a hand computation.
// Training: x = "a b", y = "a c"; unigrams, alpha = 1, vocabulary 3,
// 2 tokens per label. P(a|.) = 2/5; P(b|x) = 2/5, P(b|y) = 1/5; priors 1/2.
func TestNaiveBayesArithmetic(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1, Example{"a b", "x"}, Example{"a c", "y"})
	tests := []struct {
		text  string
		label string
		prob  float64
	}{
		{"b", "x", (0.4) / (0.4 + 0.2)},
		{"a b", "x", (0.4 * 0.4) / (0.4*0.4 + 0.4*0.2)},
		{"b b", "x", (0.4 * 0.4) / (0.4*0.4 + 0.2*0.2)},
		{"c", "y", (0.4) / (0.4 + 0.2)},
		{"a", "x", 0.5}, // tie: the first label in sorted order wins
		{"zzz", "x", 0.5},
	}
	for _, tt := range tests {
		p, err := c.Classify(tt.text)
		if err != nil {
			t.Fatalf("Classify(%q): %v", tt.text, err)
		}
		if p.Label != tt.label || math.Abs(p.Confidence-tt.prob) > 1e-12 {
			t.Errorf("Classify(%q) = %s %.6f, want %s %.6f", tt.text, p.Label, p.Confidence, tt.label, tt.prob)
		}
		var sum float64
		for _, s := range p.Scores {
			sum += s.Probability
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("Classify(%q): probabilities sum to %v, want 1", tt.text, sum)
		}
	}
}

// TestTinyTemperature: a temperature far below 1 gives the best label all
// the probability, never NaN from an overflow.
func TestTinyTemperature(t *testing.T) {
	for _, T := range []float64{1e-307, 5e-324} {
		c := newTest(t, FeatureConfig{Temperature: T}, 1, Example{"a b", "x"}, Example{"a c", "y"})
		p, err := c.Classify(strings.Repeat("b ", 50))
		if err != nil {
			t.Fatal(err)
		}
		if p.Label != "x" || p.Confidence != 1 || p.Scores[1].Probability != 0 {
			t.Errorf("T %v: got %s %v, %v; want x 1, 0", T, p.Label, p.Confidence, p.Scores)
		}
	}
}

// TestTemperature checks tempered probabilities against the hand
// computation of TestNaiveBayesArithmetic: at temperature T each label's
// likelihood is raised to the power 1/T before normalizing, the labels
// stay the same, and 0 and 1 both leave naive Bayes's own probabilities.
func TestTemperature(t *testing.T) {
	exs := []Example{{"a b", "x"}, {"a c", "y"}}
	pow := func(x, T float64) float64 { return math.Pow(x, 1/T) }
	for _, T := range []float64{0, 1, 2, 6, 0.5} {
		c := newTest(t, FeatureConfig{Temperature: T}, 1, exs...)
		eff := T
		if eff == 0 {
			eff = 1
		}
		for _, tt := range []struct {
			text, label string
			x, y        float64 // the labels' likelihoods times their priors (1/2 each, left out)
		}{
			{"b", "x", 0.4, 0.2},
			{"a b", "x", 0.4 * 0.4, 0.4 * 0.2},
			{"b b", "x", 0.4 * 0.4, 0.2 * 0.2},
			{"c", "y", 0.2, 0.4},
		} {
			p, err := c.Classify(tt.text)
			if err != nil {
				t.Fatalf("T %v: Classify(%q): %v", T, tt.text, err)
			}
			hi, lo := max(tt.x, tt.y), min(tt.x, tt.y)
			want := pow(hi, eff) / (pow(hi, eff) + pow(lo, eff))
			if p.Label != tt.label || math.Abs(p.Confidence-want) > 1e-12 || p.Scores[0].Probability != p.Confidence {
				t.Errorf("T %v: Classify(%q) = %s %.6f, want %s %.6f", T, tt.text, p.Label, p.Confidence, tt.label, want)
			}
			if sum := p.Scores[0].Probability + p.Scores[1].Probability; math.Abs(sum-1) > 1e-12 {
				t.Errorf("T %v: Classify(%q): probabilities sum to %v, want 1", T, tt.text, sum)
			}
		}
	}
}

// TestLoadDefaultTemperature loads models whose files record a
// temperature, which they keep, 0 included, and files of earlier builds,
// which record none (forged here by taking the field out): one of the
// default features reads as the default features' temperature, 6, and
// any other config as 0.
func TestLoadDefaultTemperature(t *testing.T) {
	with := func(fc FeatureConfig, temp float64) FeatureConfig { fc.Temperature = temp; return fc }
	other := with(DefaultFeatures(), 0)
	other.OtherBias = 4
	for _, tt := range []struct {
		name  string
		fc    FeatureConfig
		strip bool // take "temperature" out of the saved config
		want  float64
	}{
		{"default features", DefaultFeatures(), false, 6},
		{"default features at 0", with(DefaultFeatures(), 0), false, 0},
		{"default features at 1", with(DefaultFeatures(), 1), false, 1},
		{"unigrams at 2", FeatureConfig{Temperature: 2}, false, 2},
		{"an earlier build's default features", with(DefaultFeatures(), 0), true, 6},
		{"an earlier build's default features, tempered", DefaultFeatures(), true, 6},
		{"an earlier build's other features", other, true, 0},
		{"an earlier build's unigrams", FeatureConfig{}, true, 0},
	} {
		c := newTest(t, tt.fc, 1, Example{"a b", "x"}, Example{"a c", "y"})
		data := saved(t, c)
		if tt.strip {
			data = withoutTemperature(t, data)
		}
		l, err := Load(bytes.NewReader(data), spaceTokens{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if l.cfg.Temperature != tt.want {
			t.Errorf("%s: loaded temperature %v, want %v", tt.name, l.cfg.Temperature, tt.want)
		}
		// The served model reloads its own file, whatever it records.
		if err := l.Reload(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: Reload of its own file: %v", tt.name, err)
		}
	}
}

// withoutTemperature returns the saved model data with the "temperature"
// field taken out of its config, as a build from before temperatures
// wrote it.
func withoutTemperature(t *testing.T, data []byte) []byte {
	t.Helper()
	p := payloadOf(data)
	n, k := binary.Uvarint(p)
	cfg := string(p[k : k+int(n)])
	stripped := regexp.MustCompile(`,?"temperature":[^,}]*`).ReplaceAllString(cfg, "")
	if stripped == cfg {
		t.Fatalf("no temperature in %s", cfg)
	}
	out := binary.AppendUvarint(nil, uint64(len(stripped)))
	out = append(out, stripped...)
	return reseal(append(out, p[k+int(n):]...))
}

// TestLongSentenceNoUnderflow checks that log-space scoring survives
// thousands of tokens.
func TestLongSentenceNoUnderflow(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1, Example{"a b", "x"}, Example{"a c", "y"})
	p, err := c.Classify(strings.Repeat("b ", 5000) + "c")
	if err != nil {
		t.Fatal(err)
	}
	if p.Label != "x" || math.IsNaN(p.Confidence) || p.Confidence != 1 {
		t.Errorf("got %s %v, want x 1", p.Label, p.Confidence)
	}
}

func TestLearnForgetRoundTrip(t *testing.T) {
	base := []Example{
		{"the group claimed the attack", "attribution"},
		{"the ministry denied any role", "denial"},
		{"police warned of more attacks", "warning"},
	}
	extra := []Example{
		{"rebels were blamed for the blast", "attribution"},
		{"a new label appears here", "novel"},
		{"the ministry denied any role", "denial"}, // learned twice now
	}
	c := newTest(t, DefaultFeatures(), DefaultAlpha, base...)
	before := saved(t, c)
	beforeInfo := c.Info()
	if _, err := c.Learn(context.Background(), extra, true); err != nil {
		t.Fatalf("Learn: %v", err)
	}
	if got := c.Info().Examples; got != 6 {
		t.Fatalf("after Learn: got %d examples, want 6", got)
	}
	if _, err := c.Forget(context.Background(), extra); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	after := c.Info()
	if after.Version != beforeInfo.Version+2 {
		t.Errorf("version: got %d, want %d", after.Version, beforeInfo.Version+2)
	}
	// Everything but the version must be as before.
	if after.Vocabulary != beforeInfo.Vocabulary || fmt.Sprint(after.Counts) != fmt.Sprint(beforeInfo.Counts) || fmt.Sprint(after.Labels) != fmt.Sprint(beforeInfo.Labels) {
		t.Errorf("after Forget: got %+v, want %+v", after, beforeInfo)
	}
	c2, err := Load(bytes.NewReader(before), spaceTokens{})
	if err != nil {
		t.Fatal(err)
	}
	c2.version = c.version // compare counts only
	c2.publish(nil, nil)
	if got, want := saved(t, c), saved(t, c2); !bytes.Equal(got, want) {
		t.Errorf("forgetting what was learned did not restore the model exactly")
	}
}

func TestForgetErrors(t *testing.T) {
	c := newTest(t, DefaultFeatures(), DefaultAlpha, Example{"a b", "x"}, Example{"a c", "y"}, Example{"d", "z"})
	v := c.Version()
	tests := []struct {
		name string
		exs  []Example
		want error
	}{
		{"never learned", []Example{{"never seen", "x"}}, ErrNotLearned},
		{"wrong label", []Example{{"a b", "y"}}, ErrNotLearned},
		{"twice", []Example{{"a b", "x"}, {"a b", "x"}}, ErrNotLearned},
		{"unknown label", []Example{{"a b", "nope"}}, ErrNotLearned},
		{"empty", nil, ErrNoExamples},
		{"leaves one label", []Example{{"a c", "y"}, {"d", "z"}}, ErrTooFewLabels},
	}
	for _, tt := range tests {
		if _, err := c.Forget(context.Background(), tt.exs); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		if c.Version() != v {
			t.Errorf("%s: version changed to %d after a failed Forget", tt.name, c.Version())
		}
	}
	// A label forgotten entirely is removed.
	if _, err := c.Forget(context.Background(), []Example{{"d", "z"}}); err != nil {
		t.Fatal(err)
	}
	if got := c.Info().Labels; fmt.Sprint(got) != "[x y]" {
		t.Errorf("labels: got %v, want [x y]", got)
	}
}

func TestLearnValidation(t *testing.T) {
	c := newTest(t, DefaultFeatures(), DefaultAlpha, Example{"a b", "x"}, Example{"a c", "y"})
	v := c.Version()
	tests := []struct {
		name  string
		exs   []Example
		want  error
		index int
	}{
		{"empty text", []Example{{"ok", "x"}, {"", "x"}}, ErrEmptyText, 1},
		{"blank text", []Example{{" \t\u00a0\n", "x"}}, ErrEmptyText, 0},
		{"invisible text", []Example{{"\u200f\u2067\u200b\u2069", "x"}}, ErrEmptyText, 0},
		{"invalid utf8", []Example{{"ok\xff", "x"}}, ErrInvalidUTF8, 0},
		{"NUL", []Example{{"a\x00b", "x"}}, ErrControlChar, 0},
		{"empty label", []Example{{"ok", "  "}}, ErrEmptyLabel, 0},
		{"bad label", []Example{{"ok", "x y"}}, ErrInvalidLabel, 0},
		{"invalid utf8 label", []Example{{"ok", "O\xffx"}}, ErrInvalidLabel, 0},
		{"unknown label", []Example{{"ok", "x"}, {"ok", "q"}}, ErrUnknownLabel, 1},
		{"none", nil, ErrNoExamples, -1},
	}
	for _, tt := range tests {
		_, err := c.Learn(context.Background(), tt.exs, false)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		if tt.name == "invalid utf8 label" && (err == nil || !strings.Contains(err.Error(), "not valid UTF-8")) {
			t.Errorf("%s: got %v, want it to say the label is not valid UTF-8", tt.name, err)
		}
		var ee *ExampleError
		if tt.index >= 0 && (!errors.As(err, &ee) || ee.Index != tt.index) {
			t.Errorf("%s: got %v, want an ExampleError at index %d", tt.name, err, tt.index)
		}
		if c.Version() != v {
			t.Errorf("%s: model changed after a rejected batch", tt.name)
		}
	}
	// Labels are normalised: case and surrounding space do not matter.
	if _, err := c.Learn(context.Background(), []Example{{"more b", " X "}}, false); err != nil {
		t.Errorf("normalised label: %v", err)
	}
}

func TestPersistFailureKeepsModel(t *testing.T) {
	fail := errors.New("disk full")
	c := New(spaceTokens{}, WithPersist(func([]byte) error { return fail }))
	if _, err := c.Replace(context.Background(), []Example{{"a", "x"}, {"b", "y"}}); !errors.Is(err, ErrPersist) || !errors.Is(err, fail) {
		t.Fatalf("got %v, want ErrPersist wrapping the cause", err)
	}
	if info := c.Info(); info.Version != 0 || info.Examples != 0 {
		t.Errorf("model changed although persisting failed: %+v", info)
	}
}

func saved(t *testing.T, c *Classifier) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := c.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	c := newTest(t, DefaultFeatures(), 0.7,
		Example{"The group claimed responsibility for the attack", "attribution"},
		Example{"Officials denied any involvement", "denial"},
		Example{"\"We will strike again,\" the group said", "warning"})
	data := saved(t, c)
	d, err := Load(bytes.NewReader(data), spaceTokens{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := saved(t, d); !bytes.Equal(got, data) {
		t.Errorf("Save(Load(Save(m))) differs from Save(m)")
	}
	ci, di := c.Info(), d.Info()
	if fmt.Sprint(ci) != fmt.Sprint(di) {
		t.Errorf("Info after Load: got %+v, want %+v", di, ci)
	}
	for _, s := range []string{"they denied it", "the group claimed it", "strike again"} {
		p1, _ := c.Classify(s)
		p2, _ := d.Classify(s)
		if fmt.Sprint(p1) != fmt.Sprint(p2) {
			t.Errorf("Classify(%q) after Load: got %v, want %v", s, p2, p1)
		}
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	c := newTest(t, DefaultFeatures(), DefaultAlpha, Example{"a b", "x"}, Example{"a c", "y"})
	good := saved(t, c)
	flip := bytes.Clone(good)
	flip[len(flip)/2] ^= 0x40
	badVersion := bytes.Clone(good)
	badVersion[11] = 9
	tests := map[string][]byte{
		"empty":       nil,
		"foreign":     []byte("{\"text\": \"not a model\"}\n"),
		"truncated":   good[:len(good)-10],
		"header only": good[:20],
		"bit flip":    flip,
		"version":     badVersion,
		"trailing":    append(bytes.Clone(good), 0),
		"huge length": append([]byte(modelMagic+"\x00\x00\x00\x01\x7f\xff\xff\xff\xff\xff\xff\xff"), good[20:]...),
	}
	for name, data := range tests {
		if _, err := Load(bytes.NewReader(data), spaceTokens{}); !errors.Is(err, ErrBadModel) {
			t.Errorf("%s: got %v, want ErrBadModel", name, err)
		}
	}
	// A read that fails is the reader's error, wherever it comes: the
	// file may be sound.
	for _, at := range []int{10, 20 + (len(good)-52)/2, len(good) - 5, len(good)} {
		r := io.MultiReader(bytes.NewReader(good[:at]), iotest.ErrReader(os.ErrDeadlineExceeded))
		if _, err := Load(r, spaceTokens{}); !errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, ErrBadModel) {
			t.Errorf("read failing after %d of %d bytes: got %v, want the reader's error, not ErrBadModel", at, len(good), err)
		}
	}
}

// TestConcurrentClassifyLearn runs readers against writers; run with -race.
// readAlong runs four goroutines that classify sentence, read Info and
// Save the model in a loop until the returned stop is called, which waits
// for them.
func readAlong(t *testing.T, c *Classifier, sentence string) (stop func()) {
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := c.Classify(sentence); err != nil {
					t.Error(err)
					return
				}
				c.Info()
				c.Save(new(bytes.Buffer))
			}
		}()
	}
	return func() { close(done); wg.Wait() }
}

func TestConcurrentClassifyLearn(t *testing.T) {
	c := newTest(t, DefaultFeatures(), DefaultAlpha, Example{"a b", "x"}, Example{"a c", "y"})
	stop := readAlong(t, c, "a b c d")
	for i := range 200 {
		ex := []Example{{fmt.Sprintf("word%d b", i), "x"}}
		if _, err := c.Learn(context.Background(), ex, false); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := c.Forget(context.Background(), ex); err != nil {
				t.Fatal(err)
			}
		}
	}
	stop()
	if got := c.Info().Counts["x"]; got != 101 {
		t.Errorf("x examples: got %d, want 101", got)
	}
}

func TestExplain(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1, Example{"blamed rebels", "attribution"}, Example{"denied role", "denial"})
	p, err := c.Explain("officials blamed rebels", 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Label != "attribution" || len(p.Features) != 1 || !strings.HasPrefix(p.Features[0].Feature, "w:") || p.Features[0].Weight <= 0 {
		t.Errorf("got %+v, want attribution with one positive w: feature", p)
	}
}

func TestScore(t *testing.T) {
	gold := []string{"a", "a", "b", "other", "other"}
	pred := []string{"a", "b", "b", "other", "a"}
	m := Score(gold, pred)
	// a: tp 1, fp 1, fn 1 -> P=R=F1=.5; b: tp 1, fp 1, fn 0 -> P .5 R 1 F1 2/3.
	if want := (0.5 + 2.0/3) / 2; math.Abs(m.MacroF1-want) > 1e-12 {
		t.Errorf("MacroF1: got %v, want %v", m.MacroF1, want)
	}
	if m.Accuracy != 0.6 {
		t.Errorf("Accuracy: got %v, want 0.6", m.Accuracy)
	}
	if got := fmt.Sprint(m.Confusion); got != "[[1 1 0] [0 1 0] [1 0 1]]" {
		t.Errorf("Confusion: got %s", got)
	}
}

func TestCrossValidate(t *testing.T) {
	var exs []Example
	for i := range 20 {
		exs = append(exs, Example{fmt.Sprintf("blamed group%d", i), "attribution"}, Example{fmt.Sprintf("denied role%d", i), "denial"})
	}
	m, err := CrossValidate(exs, 5, 1, func() *Classifier { return New(spaceTokens{}) })
	if err != nil {
		t.Fatal(err)
	}
	if m.Examples != 40 || m.Accuracy != 1 {
		t.Errorf("got %d examples, accuracy %v; want 40, 1", m.Examples, m.Accuracy)
	}
}

// TestFeatureRevision checks a model saved by a build with another feature
// extractor (here: revision 1, the files written before revisions were
// recorded): it loads and classifies, refuses Forget, still learns, and
// Replace brings it to this build's revision.
func TestFeatureRevision(t *testing.T) {
	exs := []Example{{"they blamed the rebels", "attribution"}, {"officials denied it", "denial"}}
	c := newTest(t, DefaultFeatures(), DefaultAlpha, exs...)
	if got := c.Info().FeatureRevision; got != FeatureRevision {
		t.Fatalf("new model: got revision %d, want %d", got, FeatureRevision)
	}
	// An old file: the same model with no revision in its config.
	c.writer <- struct{}{}
	st := c.state()
	c.unlock()
	st.revision = 0
	old := st.encode()
	if bytes.Contains(old, []byte(`"revision"`)) {
		t.Fatalf("revision 0 was written: %s", old)
	}
	d, err := Load(bytes.NewReader(old), spaceTokens{}, WithClock(fixedClock()))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := d.Info().FeatureRevision; got != 1 {
		t.Errorf("old file: got revision %d, want 1", got)
	}
	if p, err := d.Classify("they blamed the rebels"); err != nil || p.Label != "attribution" {
		t.Errorf("Classify on an old model: got %v, %v; want attribution", p.Label, err)
	}
	before := d.Info()
	if _, err := d.Forget(context.Background(), exs[:1]); !errors.Is(err, ErrStaleFeatures) {
		t.Errorf("Forget on an old model: got %v, want ErrStaleFeatures", err)
	}
	if after := d.Info(); after.Version != before.Version || after.ContentHash != before.ContentHash {
		t.Errorf("refused Forget changed the model: version %d -> %d", before.Version, after.Version)
	}
	if _, err := d.Learn(context.Background(), []Example{{"they warned of attacks", "denial"}}, false); err != nil {
		t.Errorf("Learn on an old model: %v", err)
	}
	if got, tok := d.Info().FeatureRevision, d.Info().Tokenizer; got != MixedRevision || tok != MixedFeatures {
		t.Errorf("after Learn: got revision %d, tokenizer %q, want %d, %q (the counts mix two extractors')", got, tok, MixedRevision, MixedFeatures)
	}
	if _, err := d.Forget(context.Background(), exs[:1]); !errors.Is(err, ErrStaleFeatures) || !strings.Contains(err.Error(), "learned examples under another feature extractor or tokenizer") {
		t.Errorf("Forget on a mixed model: got %v, want ErrStaleFeatures saying the counts mix", err)
	}
	if _, err := d.Replace(context.Background(), exs); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	if got := d.Info().FeatureRevision; got != FeatureRevision {
		t.Errorf("after Replace: got revision %d, want %d", got, FeatureRevision)
	}
	if _, err := d.Forget(context.Background(), exs[:1]); err != nil && !errors.Is(err, ErrTooFewLabels) {
		t.Errorf("Forget after Replace: %v", err)
	}
	// The revision survives a save and load.
	e, err := Load(bytes.NewReader(saved(t, d)), spaceTokens{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := e.Info().FeatureRevision; got != FeatureRevision {
		t.Errorf("after Save/Load: got revision %d, want %d", got, FeatureRevision)
	}
}

// upperTokens tokenizes like spaceTokens but upper-cases: a model learned
// with spaceTokens and loaded with it sees other features.
type upperTokens struct{}

func (upperTokens) AppendTokens(dst []string, s string) []string {
	return append(dst, strings.Fields(strings.ToUpper(s))...)
}

// TestForgetWithAnotherTokenizer forgets an example whose features, under
// the tokenizer the model was loaded with, were never learned: the counts
// would go below zero, so Forget must refuse and leave the model as it was.
func TestForgetWithAnotherTokenizer(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1, Example{"a b", "x"}, Example{"a c", "y"}, Example{"d e", "x"})
	d, err := Load(bytes.NewReader(saved(t, c)), upperTokens{})
	if err != nil {
		t.Fatal(err)
	}
	before := saved(t, d)
	if _, err := d.Forget(context.Background(), []Example{{"d e", "x"}}); !errors.Is(err, ErrStaleFeatures) {
		t.Errorf("Forget: got %v, want ErrStaleFeatures", err)
	}
	if !bytes.Equal(saved(t, d), before) {
		t.Errorf("Forget changed the model although it failed")
	}
	if _, err := Load(bytes.NewReader(saved(t, d)), spaceTokens{}); err != nil {
		t.Errorf("Load after the refused Forget: got %v, want nil", err)
	}
}

// TestLoadRejectsOverflowingCounts forges well-formed files (valid
// checksum) with a count out of range, or counts each in range whose sums
// are not: of a label's examples, of a feature's counts, of a label's
// counts over all features, and of all counts.
func TestLoadRejectsOverflowingCounts(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1, Example{"a b", "x"}, Example{"a c", "y"})
	forge := func(edit func(cnt *counts)) []byte {
		st := c.state()
		st.counts = st.counts.clone()
		st.counts.own()
		edit(st.counts)
		return st.encode()
	}
	if n := len(c.counts.rows.hash); n != 2 {
		t.Fatalf("the model has %d features, the forgeries below expect 2", n)
	}
	// many adds features counted maxFeatureCount times, perLabel under
	// each of the first labels (maxSavedCount/maxFeatureCount is about
	// 2^19).
	many := func(labels, perLabel int) func(cnt *counts) {
		return func(cnt *counts) {
			for l := range labels {
				for i := range perLabel {
					row := cnt.newRow(uint64(l)<<32|uint64(i)+1000, "")
					cnt.index[cnt.rows.hash[row]] = row
					n := cnt.rows.n[int(row)*cnt.rows.width:][:cnt.rows.width]
					n[l], n[len(n)-1] = maxFeatureCount, maxFeatureCount
				}
			}
		}
	}
	tests := map[string]struct {
		data []byte
		want string
	}{
		"examples": {forge(func(cnt *counts) {
			cnt.docs[0], cnt.docs[1] = maxSavedCount, maxSavedCount
		}), "examples in all out of range"},
		"no examples": {forge(func(cnt *counts) { cnt.docs[0] = 0 }), "no examples"},
		"feature total": {forge(func(cnt *counts) {
			// Each count is in range, a feature's sum is not.
			for row := range cnt.rows.hash {
				n := cnt.rows.counts(int32(row))
				n[0], n[1] = maxFeatureCount, 1
			}
		}), "total count 2147483648 out of range"},
		"one count": {func() []byte {
			// Rows hold 32-bit counts: write a marker count, then put a
			// count past maxFeatureCount in its place in the payload.
			const marker = 123456789
			payload := payloadOf(forge(func(cnt *counts) { cnt.rows.counts(0)[0] = marker }))
			big := binary.AppendUvarint(nil, maxFeatureCount+1)
			old := binary.AppendUvarint(nil, marker)
			if bytes.Count(payload, old) != 1 {
				t.Fatalf("the marker count is not found once in the payload")
			}
			return reseal(bytes.Replace(payload, old, big, 1))
		}(), "count of a feature 2147483648 out of range"},
		// A label's total is out of range.
		"one label": {forge(many(1, maxSavedCount/maxFeatureCount+1)), "label total out of range"},
		// Each label's total is in range, their sum is not.
		"all labels": {forge(many(2, maxSavedCount/maxFeatureCount/2+1)), "total of all counts out of range"},
	}
	for name, tt := range tests {
		_, err := Load(bytes.NewReader(tt.data), spaceTokens{})
		if !errors.Is(err, ErrBadModel) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want ErrBadModel saying %q", name, err, tt.want)
		}
	}
}

// TestInvalidOptions checks that a model made with a config Load would
// refuse never learns, and that a smoothing outside (0, MaxAlpha] is ignored.
func TestInvalidOptions(t *testing.T) {
	exs := []Example{{"a b", "x"}, {"a c", "y"}}
	for name, fc := range map[string]FeatureConfig{
		"first-cue weight":  {FirstCueWeight: 20},
		"verb-cue weight":   {VerbCueWeight: -1},
		"other bias":        {OtherBias: math.Inf(-1)},
		"NaN other bias":    {OtherBias: math.NaN()},
		"temperature":       {Temperature: -1},
		"NaN temperature":   {Temperature: math.NaN()},
		"large temperature": {Temperature: MaxTemperature * 2},
	} {
		persisted := false
		c := New(spaceTokens{}, WithFeatures(fc), WithPersist(func([]byte) error { persisted = true; return nil }))
		if _, err := c.Replace(context.Background(), exs); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%s: Replace got %v, want ErrBadConfig", name, err)
		}
		if _, err := c.Learn(context.Background(), exs, true); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%s: Learn got %v, want ErrBadConfig", name, err)
		}
		if persisted || c.Version() != 0 {
			t.Errorf("%s: a model was persisted or installed", name)
		}
	}
	for _, alpha := range []float64{math.Inf(1), math.NaN(), 0, -1, MaxAlpha * 2, 1e308} {
		c := New(spaceTokens{}, WithAlpha(alpha))
		if got := c.Info().Alpha; got != DefaultAlpha {
			t.Errorf("WithAlpha(%v): got alpha %v, want %v", alpha, got, DefaultAlpha)
		}
	}
}

// TestSaveDuringPersist saves and hashes the model from inside the persist
// callback, which runs while a change is being committed: readers never
// wait for training, so this must not deadlock, and they see the model as
// it was before the change.
func TestSaveDuringPersist(t *testing.T) {
	var c *Classifier
	var during []byte
	var hash string
	c = New(spaceTokens{}, WithClock(fixedClock()), WithPersist(func([]byte) error {
		var b bytes.Buffer
		if err := c.Save(&b); err != nil {
			return err
		}
		during, hash = b.Bytes(), c.ContentHash()
		return nil
	}))
	if _, err := c.Replace(context.Background(), []Example{{"a b", "x"}, {"a c", "y"}}); err != nil {
		t.Fatal(err)
	}
	before := during
	if _, err := c.Learn(context.Background(), []Example{{"a d", "x"}}, false); err != nil {
		t.Fatal(err)
	}
	if d, err := Load(bytes.NewReader(during), spaceTokens{}); err != nil || d.Version() != 1 {
		t.Errorf("Save during the second commit: got a model (err %v), want version 1", err)
	}
	if sum := sha256.Sum256(during); hash != hex.EncodeToString(sum[:]) {
		t.Errorf("ContentHash during persist: got %s, want the hash of what Save wrote", hash)
	}
	if bytes.Equal(before, during) {
		t.Errorf("Save during the first and second commits wrote the same bytes")
	}
}

func TestScoreUnequalLengths(t *testing.T) {
	m := Score([]string{"a", "b", "a"}, []string{"a"})
	if m.Examples != 1 || m.Accuracy != 1 {
		t.Errorf("got %d examples, accuracy %v; want 1 and 1", m.Examples, m.Accuracy)
	}
}

// namedTokens is spaceTokens with a fingerprint, like *Tokenizer's.
type namedTokens struct {
	spaceTokens
	fp string
}

func (n namedTokens) Fingerprint() string { return n.fp }

// TestTokenizerRecorded checks that a model records the tokenizer its
// counts were gathered with, keeps it through Save and Load, records
// MixedFeatures once it learns under another, takes the new one on
// Replace, and refuses Forget while they differ or mix, even under the
// tokenizer the rest of its counts came from.
func TestTokenizerRecorded(t *testing.T) {
	ctx := context.Background()
	exs := []Example{{"a b", "x"}, {"a c", "y"}}
	c := New(namedTokens{fp: "one"}, WithClock(fixedClock()))
	if _, err := c.Replace(ctx, exs); err != nil {
		t.Fatal(err)
	}
	if got := c.Info().Tokenizer; got != "one" {
		t.Fatalf("after Replace: got tokenizer %q, want one", got)
	}
	d, err := Load(bytes.NewReader(saved(t, c)), namedTokens{fp: "two"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Info().Tokenizer; got != "one" {
		t.Errorf("loaded with another tokenizer: got %q, want the recorded one", got)
	}
	if _, err := d.Learn(ctx, []Example{{"a d", "x"}}, false); err != nil {
		t.Fatal(err)
	}
	if got, rev := d.Info().Tokenizer, d.Info().FeatureRevision; got != MixedFeatures || rev != MixedRevision {
		t.Errorf("after Learn: got %q, revision %d, want %q, %d (the counts mix two tokenizers')", got, rev, MixedFeatures, MixedRevision)
	}
	before := saved(t, d)
	if _, err := d.Forget(ctx, exs[:1]); !errors.Is(err, ErrStaleFeatures) || !strings.Contains(err.Error(), "tokenizer") {
		t.Errorf("Forget with another tokenizer: got %v, want ErrStaleFeatures naming the tokenizer", err)
	}
	if !bytes.Equal(saved(t, d), before) {
		t.Errorf("the refused Forget changed the model")
	}
	// Back under the first tokenizer (a rollback), the mixed counts are
	// still no one's to take back: "a d" was learned with tokenizer two.
	back, err := Load(bytes.NewReader(before), namedTokens{fp: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Forget(ctx, []Example{{"a d", "x"}}); !errors.Is(err, ErrStaleFeatures) || !strings.Contains(err.Error(), "learned examples under another feature extractor or tokenizer") {
		t.Errorf("Forget of a mixed model under its first tokenizer: got %v, want ErrStaleFeatures saying the counts mix", err)
	}
	if !back.StaleTokenizer() {
		t.Errorf("StaleTokenizer of a mixed model: got false, want true")
	}
	// A build that records no fingerprint keeps the revision and drops
	// "mixed" when it saves: the revision alone still marks the mix.
	back.writer <- struct{}{}
	st := back.state()
	back.unlock()
	st.tokenizer = ""
	revOnly, err := Load(bytes.NewReader(st.encode()), namedTokens{fp: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if got := revOnly.Info(); got.FeatureRevision != MixedRevision || got.Tokenizer != "" {
		t.Fatalf("a mixed model saved without its fingerprint: got revision %d, tokenizer %q, want %d, none", got.FeatureRevision, got.Tokenizer, MixedRevision)
	}
	if _, err := revOnly.Forget(ctx, []Example{{"a d", "x"}}); !errors.Is(err, ErrStaleFeatures) || !strings.Contains(err.Error(), "learned examples under another feature extractor or tokenizer") {
		t.Errorf("Forget of a model marked mixed by its revision alone: got %v, want ErrStaleFeatures saying the counts mix", err)
	}
	if _, err := d.Replace(ctx, exs); err != nil {
		t.Fatal(err)
	}
	if got := d.Info().Tokenizer; got != "two" {
		t.Errorf("after Replace: got %q, want two", got)
	}
	if _, err := d.Forget(ctx, exs[:1]); err != nil && !errors.Is(err, ErrTooFewLabels) {
		t.Errorf("Forget after Replace: got %v", err)
	}
	// A tokenizer without a fingerprint records none and is never refused.
	e, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Forget(ctx, []Example{{"a b", "x"}}); err != nil && !errors.Is(err, ErrTooFewLabels) {
		t.Errorf("Forget with a tokenizer without fingerprint: got %v", err)
	}
}

// TestSaveRefusesInvalidConfig saves a model made with a config Load
// would refuse: Save must fail rather than write such a file.
func TestSaveRefusesInvalidConfig(t *testing.T) {
	for _, fc := range []FeatureConfig{{OtherBias: math.NaN()}, {FirstCueWeight: 17}, {Temperature: -2}} {
		var b bytes.Buffer
		if err := New(spaceTokens{}, WithFeatures(fc)).Save(&b); !errors.Is(err, ErrBadConfig) || b.Len() != 0 {
			t.Errorf("%+v: got %v and %d bytes, want ErrBadConfig and nothing written", fc, err, b.Len())
		}
	}
}

// printedTokens is spaceTokens with a fingerprint of its own.
type printedTokens struct {
	spaceTokens
	fp string
}

func (p printedTokens) Fingerprint() string { return p.fp }

// TestAnyFingerprintSavesAndLoads trains with tokenizers whose fingerprints
// a saved model could not hold as they are (too long, not UTF-8): Save
// writes what Load reads back, with the same fingerprint, not stale.
func TestAnyFingerprintSavesAndLoads(t *testing.T) {
	for _, fp := range []string{"tok-1", "sha512:" + strings.Repeat("ab", 64), "tok\xff"} {
		tok := printedTokens{fp: fp}
		c := New(tok, WithClock(fixedClock()))
		if _, err := c.Replace(context.Background(), []Example{{"a b", "x"}, {"a c", "y"}}); err != nil {
			t.Fatal(err)
		}
		d, err := Load(bytes.NewReader(saved(t, c)), tok)
		if err != nil {
			t.Errorf("fingerprint %q: Load: %v", fp, err)
			continue
		}
		if got, want := d.Info().Tokenizer, c.Info().Tokenizer; got != want || d.StaleTokenizer() {
			t.Errorf("fingerprint %q: got %q (stale %v) after Load, want %q and not stale", fp, got, d.StaleTokenizer(), want)
		}
		if _, err := d.Forget(context.Background(), []Example{{"a b", "x"}, {"a c", "y"}}[:1]); err != nil && !errors.Is(err, ErrTooFewLabels) {
			t.Errorf("fingerprint %q: Forget after Load: %v", fp, err)
		}
	}
}

// TestClassifyBatchWithoutLabels checks that a model with fewer than two
// labels refuses a batch as a whole: no sentence is at fault.
func TestClassifyBatchWithoutLabels(t *testing.T) {
	_, err := New(spaceTokens{}).ClassifyBatch(context.Background(), []string{"a b", "c d"}, 0)
	var ie *IndexError
	if !errors.Is(err, ErrTooFewLabels) || errors.As(err, &ie) {
		t.Errorf("got %v, want ErrTooFewLabels naming no sentence", err)
	}
}

// TestReloadWhileClassifying reloads models while other goroutines
// classify (run with -race): every prediction comes from one whole model,
// and the last reload is the one served.
func TestReloadWhileClassifying(t *testing.T) {
	tok := spaceTokens{}
	a, b := New(tok), New(tok)
	a.Replace(context.Background(), []Example{{Text: "they denied it", Label: "denial"}, {Text: "he was hurt", Label: "other"}})
	b.Replace(context.Background(), []Example{{Text: "they blamed him", Label: "attribution"}, {Text: "he was hurt", Label: "other"}})
	var saved [2][]byte
	for i, m := range []*Classifier{a, b} {
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		saved[i] = buf.Bytes()
	}
	c := New(tok)
	if err := c.Reload(bytes.NewReader(saved[0])); err != nil {
		t.Fatal(err)
	}
	stop := readAlong(t, c, "they denied it")
	for i := range 50 {
		if err := c.Reload(bytes.NewReader(saved[i%2])); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	if got, want := c.ContentHash(), b.ContentHash(); got != want {
		t.Errorf("after the last reload: got content hash %s, want %s", got, want)
	}
	if err := c.Reload(bytes.NewReader(saved[0][:len(saved[0])/2])); !errors.Is(err, ErrBadModel) {
		t.Errorf("truncated model: got %v, want ErrBadModel", err)
	}
	if got, want := c.ContentHash(), b.ContentHash(); got != want {
		t.Errorf("after a failed reload: got content hash %s, want %s (unchanged)", got, want)
	}
}

// TestReloadKeepsConfig refuses a model saved with another feature
// configuration or smoothing, leaving the classifier as it was, and
// reloads one with the same, whatever its version.
func TestReloadKeepsConfig(t *testing.T) {
	ex := []Example{{Text: "they denied it", Label: "denial"}, {Text: "he was hurt", Label: "other"}}
	save := func(c *Classifier) *bytes.Reader {
		var buf bytes.Buffer
		if err := c.Save(&buf); err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(buf.Bytes())
	}
	served := New(spaceTokens{})
	served.Replace(context.Background(), ex)
	served.Learn(context.Background(), ex, false) // version 2
	for name, other := range map[string]*Classifier{
		"features":  New(spaceTokens{}, WithFeatures(FeatureConfig{Bigrams: true})),
		"smoothing": New(spaceTokens{}, WithAlpha(0.7)),
	} {
		other.Replace(context.Background(), ex)
		before := served.ContentHash()
		if err := served.Reload(save(other)); !errors.Is(err, ErrReloadConfig) {
			t.Errorf("%s: got %v, want ErrReloadConfig", name, err)
		}
		if served.ContentHash() != before {
			t.Errorf("%s: a refused reload changed the model", name)
		}
	}
	older := New(spaceTokens{})
	older.Replace(context.Background(), ex) // version 1
	if err := served.Reload(save(older)); err != nil {
		t.Fatal(err)
	}
	if got := served.Version(); got != 1 {
		t.Errorf("after reloading a version 1 model: got version %d, want 1", got)
	}
}

// TestNilArguments checks what the API does with nil arguments: errors
// where it returns them, a nil option or clock skipped, and a panic from
// New, at once, for a nil tokenizer.
func TestNilArguments(t *testing.T) {
	exs := []Example{{"they denied it", "denial"}, {"rain fell", "other"}, {"they denied that", "denial"}, {"snow fell", "other"}}
	c := New(spaceTokens{}, nil, WithClock(nil))
	if _, err := c.Replace(context.Background(), exs); err != nil {
		t.Errorf("Replace with a nil option and a nil clock: got %v, want nil", err)
	}
	var buf bytes.Buffer
	if err := c.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(&buf, nil); err == nil {
		t.Error("Load with a nil TokenAppender: got nil error, want one")
	}
	if _, err := CrossValidate(exs, 2, 1, nil); err == nil {
		t.Error("CrossValidate with a nil newModel: got nil error, want one")
	}
	if _, err := CrossValidate(exs, 2, 1, func() *Classifier { return nil }); err == nil {
		t.Error("CrossValidate with a newModel returning nil: got nil error, want one")
	}
	defer func() {
		if recover() == nil {
			t.Error("New(nil): got no panic, want one")
		}
	}()
	New(nil)
}
