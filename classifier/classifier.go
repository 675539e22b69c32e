package classifier

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// TokenAppender turns one sentence into tokens. *Tokenizer implements it;
// tests may use a simpler one. It must be safe for concurrent use:
// concurrent calls classify with it, and training extracts the features of
// a large batch on several goroutines.
type TokenAppender interface {
	// AppendTokens appends the tokens of sentence to dst and returns the
	// extended slice.
	AppendTokens(dst []string, sentence string) []string
}

// fingerprinter is a TokenAppender that can tell which tokenizer it is (see
// Tokenizer.Fingerprint), so that a model can record the one its counts
// were gathered with.
type fingerprinter interface {
	Fingerprint() string
}

// fingerprint returns tok's fingerprint, or "" if it has none. One that a
// saved model could not hold as it is (over maxFingerprint bytes, or not
// UTF-8, which the saved JSON would alter) is recorded as its SHA-256,
// "sha256:" and 64 hex digits, so that every model Save writes, Load reads
// back with the same fingerprint.
func fingerprint(tok TokenAppender) string {
	f, ok := tok.(fingerprinter)
	if !ok {
		return ""
	}
	fp := f.Fingerprint()
	if len(fp) > maxFingerprint || !utf8.ValidString(fp) {
		sum := sha256.Sum256([]byte(fp))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return fp
}

// maxFingerprint is the longest tokenizer fingerprint a saved model holds.
const maxFingerprint = 128

// DefaultAlpha is the default additive smoothing of the model.
const DefaultAlpha = 0.3

// Option configures a Classifier.
type Option func(*Classifier)

// WithFeatures sets the features a new model extracts. A loaded model keeps
// the features it was saved with. A config that fails FeatureConfig.Validate
// makes every Learn, Forget and Replace fail with ErrBadConfig, so that no
// model is ever saved that Load would refuse.
func WithFeatures(fc FeatureConfig) Option { return func(c *Classifier) { c.cfg = fc } }

// MaxAlpha is the largest smoothing WithAlpha takes. Far past any useful
// value (smoothing of one count per feature already washes out most of a
// small corpus), it keeps the smoothed totals of the largest model finite.
// Load takes a larger one saved by an older build, up to 1e200, past which
// those totals could overflow.
const MaxAlpha = 1000

// WithAlpha sets the additive smoothing of a new model (default
// DefaultAlpha); values that are not in (0, MaxAlpha] are ignored.
func WithAlpha(alpha float64) Option {
	return func(c *Classifier) {
		if alpha > 0 && alpha <= MaxAlpha {
			c.alpha = alpha
		}
	}
}

// WithPersist sets a function that must durably store the encoded model
// (the bytes Save would write) before a change is installed. The slice is
// the package's: persist must not modify it (the model's ContentHash is
// computed from it afterwards), nor keep it after it returns; to encrypt
// or compress it, write the result to a buffer of its own. If it fails,
// the change is discarded and Learn, Forget or Replace return an error
// wrapping ErrPersist: the model in memory never runs ahead of the stored
// one. It runs while the change holds the model's writer lock: it must not
// call Learn, Forget, Replace or SettledInfo, which would wait for it
// until their context ends, forever with a context that never does (Info,
// Classify and Save still see the model before the change).
func WithPersist(persist func(model []byte) error) Option {
	return func(c *Classifier) { c.persist = persist }
}

// WithMaxLabels sets the most labels the model may have (default
// MaxLabels): Learn and Replace refuse a batch that would give it more with
// ErrTooManyLabels. Values below 2 are ignored; values above MaxLabelsCap
// count as MaxLabelsCap. A loaded model with more labels than n keeps them
// but learns no new one.
func WithMaxLabels(n int) Option {
	return func(c *Classifier) {
		if n >= 2 {
			c.maxLabels = min(n, MaxLabelsCap)
		}
	}
}

// WithMaxFeatures sets the most distinct features the model may have
// (default MaxFeatures): Learn and Replace refuse a batch that would give
// it more with ErrTooManyFeatures. Every change copies and saves the whole
// model, and each feature costs about 300 bytes of memory, so this bounds
// most of what a change costs and what the model holds; WithMaxLearned
// bounds the rest, the keys of the examples learned. Values below 1 are
// ignored. A loaded model with more features than n keeps them, and may
// learn examples that add none.
func WithMaxFeatures(n int) Option {
	return func(c *Classifier) {
		if n >= 1 {
			c.maxFeatures = n
		}
	}
}

// WithMaxLearned sets the most distinct examples the model may hold
// (default MaxLearned): Learn and Replace refuse a batch that would give it
// more with ErrTooManyLearned. The model keeps a key for every distinct
// example it has learned, so that Forget can refuse what it never learned,
// and every change copies and saves them: examples made of words the model
// knows add no feature but still grow it. Values below 1 are ignored. A
// loaded model with more than n keeps them, and may learn examples it
// already holds.
func WithMaxLearned(n int) Option {
	return func(c *Classifier) {
		if n >= 1 {
			c.maxLearned = n
		}
	}
}

// WithPersistStall makes a change that finds another's persist (see
// WithPersist) running for longer than d fail at once with
// ErrPersistStalled, unapplied, rather than wait for it until its context
// ends: while the disk behind persist is stalled, changes are refused
// rather than held. A change already waiting gives up the same way once
// the persist has run d. d <= 0 (the default) waits.
func WithPersistStall(d time.Duration) Option {
	return func(c *Classifier) { c.persistStall = max(d, 0) }
}

// WithClock sets the function that stamps training times (default
// time.Now). A nil now is ignored.
func WithClock(now func() time.Time) Option {
	return func(c *Classifier) {
		if now != nil {
			c.now = now
		}
	}
}

// Classifier labels sentences with a multinomial naive-Bayes model over
// token features. Classify, ClassifyText, Explain, Info and Save may run
// concurrently with each other and with Learn, Forget and Replace: readers
// see an immutable snapshot and never wait for training. A Classifier with
// no labels classifies nothing (ErrTooFewLabels) until it learns. Make one
// with New or Load: the zero value is not usable.
//
// Classifier is safe for concurrent use.
type Classifier struct {
	tok   TokenAppender
	cfg   FeatureConfig
	alpha float64
	now   func() time.Time

	persist      func([]byte) error
	persistStall time.Duration             // see WithPersistStall
	persisting   atomic.Pointer[time.Time] // when the persist under way began, if one is
	maxLabels    int
	maxFeatures  int
	maxLearned   int

	// writer serialises writers and guards counts, version, trained,
	// revision and tokenizer: a lock (see lock) that a change waiting for
	// it leaves when its context ends.
	writer    chan struct{}
	counts    *counts
	version   uint64
	trained   time.Time
	revision  int    // FeatureRevision the counts were gathered with
	tokenizer string // fingerprint of the tokenizer the counts were gathered with; "" if unknown

	snap atomic.Pointer[snapshot]
	bufs sync.Pool // *scratch
	// saving, while a change is past its last context check and not yet
	// installed, is closed once it is (see SettledInfo).
	saving atomic.Pointer[chan struct{}]
}

// scratch holds per-call buffers so classification does not allocate them.
type scratch struct {
	toks   []string
	feats  []uint64
	scores []float64
}

// New returns an empty classifier that tokenizes with tok, with the
// default model's features (DefaultFeatures) and smoothing (DefaultAlpha)
// unless WithFeatures or WithAlpha say otherwise. tok must not be nil
// (New panics); a nil option is skipped.
func New(tok TokenAppender, opts ...Option) *Classifier {
	if tok == nil {
		panic("classifier.New: nil TokenAppender")
	}
	c := &Classifier{tok: tok, cfg: DefaultFeatures(), alpha: DefaultAlpha, now: time.Now, maxLabels: MaxLabels, maxFeatures: MaxFeatures, maxLearned: MaxLearned, revision: FeatureRevision, tokenizer: fingerprint(tok), writer: make(chan struct{}, 1)}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	c.counts = newCounts()
	c.bufs.New = func() any { return &scratch{} }
	c.publish(nil, nil)
	return c
}

// Info describes a model's state.
type Info struct {
	Labels      []string         // label names, sorted
	Counts      map[string]int64 // examples per label
	Examples    int64            // examples in all
	Vocabulary  int              // distinct features
	Learned     int              // distinct examples held (see WithMaxLearned)
	Version     uint64           // bumped by every accepted change
	TrainedTime time.Time        // time of the last accepted change; zero if never trained
	Features    FeatureConfig    // features the model extracts
	Alpha       float64          // additive smoothing
	ContentHash string           // lower-case hex SHA-256 of the saved model bytes
	// FeatureRevision is the revision of the feature extractor the counts
	// were gathered with. When it is not this build's FeatureRevision (a
	// model saved by an older build), classification still works, but
	// Forget is refused (ErrStaleFeatures) until Replace retrains it. It
	// is MixedRevision once the model has learned under another extractor
	// or tokenizer than its counts were gathered with.
	FeatureRevision int
	// Tokenizer is the fingerprint (Tokenizer.Fingerprint) of the
	// tokenizer the counts were gathered with, or "" if the model does not
	// record one (saved before models did, or trained with a tokenizer
	// that has none). When it is not the fingerprint of the tokenizer in
	// use, classification extracts other tokens than training did and
	// Forget is refused (ErrStaleFeatures) until Replace retrains it. It
	// is MixedFeatures once the model has learned under another extractor
	// or tokenizer than its counts were gathered with.
	Tokenizer string
}

// MixedFeatures and MixedRevision are the tokenizer fingerprint
// (Info.Tokenizer) and feature revision (Info.FeatureRevision) a model
// records once Learn has added examples to counts gathered by another
// feature extractor revision or tokenizer than the ones in use (after an
// upgrade, a rollback or a change of tokenizer, before Replace): its
// counts then mix features of two extractions, which no build can take
// back exactly, so Forget is refused (ErrStaleFeatures), by this build and
// every other that records feature revisions, until Replace retrains the
// model. They match no tokenizer's fingerprint and no build's revision,
// so older builds, which compare one or both, refuse Forget on it too;
// either alone marks the mix (a build that records no fingerprint keeps
// the revision and drops the fingerprint when it saves).
const (
	MixedFeatures = "mixed"
	MixedRevision = 1 << 20
)

// Mixed reports whether a model that records feature revision revision
// and tokenizer fingerprint fingerprint (Info.FeatureRevision,
// Info.Tokenizer) is marked as mixing two extractions: either marker does.
func Mixed(revision int, fingerprint string) bool {
	return revision == MixedRevision || fingerprint == MixedFeatures
}

// publish installs a snapshot of the counts: s if it is not nil (built
// from c.counts, without its Info), else one built here. encoded is the
// model's saved form, or nil to compute it here. Callers hold the
// writers' lock (or own c exclusively).
func (c *Classifier) publish(s *snapshot, encoded []byte) {
	var rows []entry
	if s == nil || encoded == nil {
		rows = c.counts.sorted()
	}
	if encoded == nil {
		st := c.state()
		encoded = st.encodeRows(rows)
	}
	if s == nil {
		s = buildSnapshot(c.counts, rows, c.cfg, c.alpha)
	}
	sum := sha256.Sum256(encoded)
	s.info = Info{
		ContentHash: hex.EncodeToString(sum[:]),
		Labels:      slices.Clone(c.counts.labels),
		Counts:      make(map[string]int64, len(c.counts.labels)),
		Vocabulary:  len(c.counts.index),
		Learned:     len(c.counts.examples),
		Version:     c.version,
		TrainedTime: c.trained,
		Features:    c.cfg,
		Alpha:       c.alpha,

		FeatureRevision: c.revision,
		Tokenizer:       c.tokenizer,
	}
	for i, l := range c.counts.labels {
		s.info.Counts[l] = c.counts.docs[i]
		s.info.Examples += c.counts.docs[i]
	}
	c.snap.Store(s)
}

// TokenizerFingerprint returns the fingerprint of the tokenizer c uses
// (Tokenizer.Fingerprint), or "" if it has none. See Info.Tokenizer for the
// one the model was trained with.
func (c *Classifier) TokenizerFingerprint() string { return fingerprint(c.tok) }

// StaleTokenizer reports whether the model's counts were gathered with
// another tokenizer than the one c uses, as far as both are known, or with
// several (MixedFeatures); Forget is then refused (ErrStaleFeatures).
func (c *Classifier) StaleTokenizer() bool {
	t := c.snap.Load().info.Tokenizer
	return t == MixedFeatures || TokenizerDiffers(t, fingerprint(c.tok))
}

// TokenizerDiffers reports whether recorded, the fingerprint a model
// records (Info.Tokenizer), and current, that of the tokenizer in use
// (Tokenizer.Fingerprint), are both known and differ: the model's counts
// were then gathered with another tokenizer.
func TokenizerDiffers(recorded, current string) bool {
	return recorded != "" && current != "" && recorded != current
}

// Info returns the model's current state. The returned maps and slices are
// the caller's.
func (c *Classifier) Info() Info {
	info := c.snap.Load().info
	info.Labels = slices.Clone(info.Labels)
	counts := make(map[string]int64, len(info.Counts))
	for k, v := range info.Counts {
		counts[k] = v
	}
	info.Counts = counts
	return info
}

// SettledInfo is Info once the change being saved, if any, is installed:
// a Learn, Forget or Replace past its last check of its context finishes
// even if its caller has given up, and its change shows in the answer. It
// waits for that save only, and returns ctx's error if ctx is done first,
// or, with WithPersistStall, PersistStalled's error once the save has run
// that long; Info never waits.
func (c *Classifier) SettledInfo(ctx context.Context) (Info, error) {
	saving := c.saving.Load()
	for saving != nil {
		select {
		case <-*saving:
			return c.Info(), nil
		default:
		}
		// With WithPersistStall, a save that has stalled ends the wait,
		// looked for when it would have run that long.
		if err := c.PersistStalled(); err != nil {
			return Info{}, err
		}
		spell, stop := c.stallSpell()
		select {
		case <-*saving:
			saving = nil
		case <-ctx.Done():
			stop()
			return Info{}, ctx.Err()
		case <-spell:
		}
		stop()
	}
	return c.Info(), nil
}

// PersistStalled returns an error wrapping ErrPersistStalled, saying how
// long it has run, if a change's persist has been running for at least
// the time WithPersistStall allows; nil if none has (or there is no such
// limit). A caller waiting for a change to finish can use it to stop
// waiting for a stalled disk.
func (c *Classifier) PersistStalled() error {
	if ran, stalled := c.PersistStalledFor(); stalled {
		return fmt.Errorf("%w: it has run for %v", ErrPersistStalled, ran)
	}
	return nil
}

// PersistStalledFor returns how long the persist under way has run
// (rounded to a tenth of a second; 0 if none is), and whether that is at
// least the time WithPersistStall allows (false without such a limit).
func (c *Classifier) PersistStalledFor() (time.Duration, bool) {
	began := c.persisting.Load()
	if began == nil {
		return 0, false
	}
	ran := time.Since(*began)
	return ran.Round(100 * time.Millisecond), c.persistStall > 0 && ran >= c.persistStall
}

// LabelScore is a label's probability for one sentence.
type LabelScore struct {
	Label       string  // the label
	Probability float64 // its probability, 0 to 1, tempered (FeatureConfig.Temperature); a sentence's add up to 1
}

// Contribution is a feature that pushed a sentence toward its label: Weight
// is its log-odds for the predicted label against the runner-up.
type Contribution struct {
	Feature string  // the feature, readable: "w:blamed", "b:claimed responsibility"
	Weight  float64 // its log-odds for the label against the runner-up
}

// Prediction is the label of one sentence.
type Prediction struct {
	Label      string         // the most probable label
	Confidence float64        // probability of Label (see FeatureConfig.Temperature)
	Scores     []LabelScore   // every label, most probable first
	Features   []Contribution // with explain: the features that pushed most toward Label, strongest first
}

// Sentence is a Prediction for one sentence of a text.
type Sentence struct {
	Span
	Prediction
}

// Classify labels one sentence (it is not segmented). It returns an error
// wrapping ErrEmptyText, ErrInvalidUTF8 or ErrControlChar for unusable
// text, and ErrTooFewLabels when the model has not learned two labels.
func (c *Classifier) Classify(sentence string) (Prediction, error) {
	return c.classify(context.Background(), c.snap.Load(), sentence, 0)
}

// Explain is Classify that also returns the top features (at most k) that
// pushed the sentence to its label.
func (c *Classifier) Explain(sentence string, k int) (Prediction, error) {
	return c.classify(context.Background(), c.snap.Load(), sentence, k)
}

// Result is the labels of a batch of sentences, all from one model version.
type Result struct {
	Version   uint64     // the version of the model that labeled them
	Sentences []Sentence // one per sentence, in order
}

// ClassifyBatch labels pre-split sentences (never re-segmented) against one
// model snapshot, with up to explain features each. A bad sentence fails
// the batch with an *IndexError naming it. Spans carry only Text. Once ctx
// is done, ClassifyBatch stops with ctx's error: between two sentences,
// and with a *Tokenizer also between the pieces (512 bytes, or 1 KiB on a
// pipeline the fast path does not serve) of a long one.
func (c *Classifier) ClassifyBatch(ctx context.Context, sentences []string, explain int) (Result, error) {
	s := c.snap.Load()
	// One allocation holds every sentence's scores.
	L := len(s.labels)
	if L < 2 {
		return Result{}, ErrTooFewLabels // the model's fault, no sentence's
	}
	out := Result{Version: s.info.Version, Sentences: make([]Sentence, len(sentences))}
	slab := make([]LabelScore, len(sentences)*L)
	for i, t := range sentences {
		if err := checkSentence(t); err != nil {
			return Result{}, &IndexError{Index: i, Err: err}
		}
		p, err := c.predict(ctx, s, t, explain, slab[i*L:(i+1)*L:(i+1)*L])
		if err != nil {
			return Result{}, err
		}
		out.Sentences[i] = Sentence{Span: Span{Text: t}, Prediction: p}
	}
	return out, nil
}

// IndexError is the error for one sentence of a batch.
type IndexError struct {
	Index int   // the sentence's position in the batch, from 0
	Err   error // what is wrong with it
}

// Error implements error.
func (e *IndexError) Error() string { return fmt.Sprintf("sentences[%d]: %v", e.Index, e.Err) }

// Unwrap returns the underlying error.
func (e *IndexError) Unwrap() error { return e.Err }

// ClassifyText segments text into sentences and labels each against one
// model snapshot, with up to explain features each. The whole text must
// pass CheckText. Units that hold no visible character are skipped. Once
// ctx is done, ClassifyText stops as ClassifyBatch does.
func (c *Classifier) ClassifyText(ctx context.Context, text string, explain int) (Result, error) {
	if err := CheckText(text); err != nil {
		return Result{}, err
	}
	s := c.snap.Load()
	if len(s.labels) < 2 {
		return Result{}, ErrTooFewLabels
	}
	spans := Segment(text)
	out := Result{Version: s.info.Version, Sentences: make([]Sentence, 0, len(spans))}
	// Every span is a substring of text, which passed CheckText: it is
	// valid UTF-8 without control characters, so only blankness is left
	// to check. One allocation holds every sentence's scores.
	L := len(s.labels)
	slab := make([]LabelScore, len(spans)*L)
	for _, sp := range spans {
		if isBlank(sp.Text) {
			continue
		}
		scores := slab[:L:L]
		slab = slab[L:]
		p, err := c.predict(ctx, s, sp.Text, explain, scores)
		if err != nil {
			return Result{}, err
		}
		out.Sentences = append(out.Sentences, Sentence{Span: sp, Prediction: p})
	}
	return out, nil
}

// Version returns the version of the model the next call will use.
func (c *Classifier) Version() uint64 { return c.snap.Load().info.Version }

func (c *Classifier) classify(ctx context.Context, s *snapshot, sentence string, explain int) (Prediction, error) {
	if err := checkSentence(sentence); err != nil {
		return Prediction{}, err
	}
	if len(s.labels) < 2 {
		return Prediction{}, ErrTooFewLabels
	}
	return c.predict(ctx, s, sentence, explain, make([]LabelScore, len(s.labels)))
}

// predict labels a checked sentence against a snapshot with at least two
// labels; scores (len(s.labels)) becomes the Prediction's Scores. It
// returns ctx's error if ctx is done before the sentence is tokenized, or
// (with a *Tokenizer, between the pieces of a long sentence) while it is.
func (c *Classifier) predict(ctx context.Context, s *snapshot, sentence string, explain int, scores []LabelScore) (Prediction, error) {
	if err := ctx.Err(); err != nil {
		return Prediction{}, err
	}
	b := c.bufs.Get().(*scratch)
	defer c.bufs.Put(b)
	if t, ok := c.tok.(*Tokenizer); ok {
		toks, err := t.appendTokensContext(ctx, b.toks[:0], sentence)
		if err != nil {
			return Prediction{}, err
		}
		b.toks = toks
	} else {
		b.toks = c.tok.AppendTokens(b.toks[:0], sentence)
	}
	b.feats = s.cfg.extract(b.feats[:0], sentence, b.toks, nil)
	b.scores = s.score(b.feats, b.scores)
	logs := b.scores
	p := Prediction{Scores: scores}
	// Keep the log scores for Explain before turning them into probabilities.
	best, second := -1, -1
	for i, v := range logs {
		if best < 0 || v > logs[best] {
			best, second = i, best
		} else if second < 0 || v > logs[second] {
			second = i
		}
	}
	if explain > 0 {
		p.Features = s.explain(b.feats, best, second, explain)
	}
	if t := s.cfg.Temperature; t > 0 && t != 1 {
		// The best score is taken off first, so that a tiny temperature
		// gives the best label 1 and the others 0, never an overflow.
		top := logs[best]
		for i := range logs {
			logs[i] = (logs[i] - top) / t
		}
	}
	softmax(logs)
	for i, v := range logs {
		p.Scores[i] = LabelScore{Label: s.labels[i], Probability: v}
	}
	slices.SortStableFunc(p.Scores, func(a, b LabelScore) int { return cmp.Compare(b.Probability, a.Probability) })
	p.Label = s.labels[best]
	p.Confidence = logs[best]
	return p, nil
}

// explain returns the k features with the largest log-odds for label best
// over label second.
func (s *snapshot) explain(feats []uint64, best, second, k int) []Contribution {
	L := len(s.labels)
	var out []Contribution
	at := make(map[int]int)
	for _, h := range feats {
		row := s.index.find(h)
		if row < 0 {
			continue
		}
		w := s.weights[row*L : row*L+L]
		d := w[best] - w[second]
		if d <= 0 {
			continue
		}
		// A feature hash found twice in one sentence is one row: its
		// contributions add up (a map, not a scan of out, so a long
		// sentence with many features stays linear).
		if i, ok := at[row]; ok {
			out[i].Weight += d
			continue
		}
		at[row] = len(out)
		out = append(out, Contribution{Feature: s.name(row), Weight: d})
	}
	slices.SortStableFunc(out, func(a, b Contribution) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		return cmp.Compare(a.Feature, b.Feature)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// Stats is the outcome of an accepted Learn, Forget or Replace.
type Stats struct {
	Applied int  // examples learned or forgotten
	Info    Info // the model after the change
}

// Learn adds examples to the model. The batch is validated as a whole
// first; a bad example (see CheckText and NormalizeLabel) rejects it all
// with an *ExampleError. Labels are normalised with NormalizeLabel; a label
// the model does not have yet is added unless allowNew is false, in which
// case the batch fails with ErrUnknownLabel; new labels beyond the model's
// limit (WithMaxLabels) fail it with ErrTooManyLabels. A batch the saved
// format could not hold (see ErrModelFull) is refused too, so that every
// model Save writes, Load reads. A model must have two labels: a batch
// that would leave a new model with fewer fails with ErrTooFewLabels.
//
// Learn, Forget and Replace stop with ctx's error, changing nothing, if ctx
// is done before the change is persisted, while waiting for another
// change to be persisted included; once persisting has begun, they finish.
// With WithPersistStall, they stop with ErrPersistStalled, changing
// nothing, once the persist of the change before them has run that long.
func (c *Classifier) Learn(ctx context.Context, examples []Example, allowNew bool) (Stats, error) {
	exs, err := normalizeExamples(examples)
	if err != nil {
		return Stats{}, err
	}
	labels := labelsOf(exs)
	check := func() error { return c.checkNewLabels(exs, labels) }
	if !allowNew {
		check = func() error { return c.checkLabels(exs) }
	}
	return c.applyBatch(ctx, exs, labels, check, func(batch *counts) (Stats, error) {
		if err := c.checkGrowth(batch); err != nil {
			return Stats{}, err
		}
		next := c.counts.clone()
		if !next.merge(batch, +1) {
			return Stats{}, fmt.Errorf("%w: an example would be learned, or a feature counted, more than %d times", ErrModelFull, math.MaxInt32)
		}
		if len(next.labels) < 2 {
			return Stats{}, ErrTooFewLabels
		}
		// Counts gathered by another extractor or tokenizer take these
		// examples' features beside theirs: mark the mix, so that no
		// build (not even the one that gathered the rest) forgets from it.
		revision, tokenizer := c.revision, c.tokenizer
		if c.revision != FeatureRevision || TokenizerDiffers(c.tokenizer, fingerprint(c.tok)) {
			revision, tokenizer = MixedRevision, MixedFeatures
		}
		return c.commitGathered(ctx, next, len(exs), revision, tokenizer)
	})
}

// checkGrowth refuses a batch that would take the model past c.maxFeatures
// features or c.maxLearned distinct examples, before the model is copied.
// Callers hold the writers' lock.
func (c *Classifier) checkGrowth(batch *counts) error {
	if has, added, over := overLimit(c.counts.index, batch.index, c.maxFeatures); over {
		return fmt.Errorf("%w: the limit is %d, the model has %d and the examples would add %d (forget examples or replace the model to make room)", ErrTooManyFeatures, c.maxFeatures, has, added)
	}
	if has, added, over := overLimit(c.counts.examples, batch.examples, c.maxLearned); over {
		return fmt.Errorf("%w: the limit is %d, the model holds %d and the examples would add %d (forget examples or replace the model to make room)", ErrTooManyLearned, c.maxLearned, has, added)
	}
	return nil
}

// overLimit reports whether adding batch's keys to model would take it
// past limit keys, with model's size and the keys batch would add (0 when
// the sizes alone show it fits). A batch that adds no key never passes.
func overLimit[K comparable, V, W any](model map[K]V, batch map[K]W, limit int) (has, added int, over bool) {
	has = len(model)
	if has+len(batch) <= limit {
		return has, 0, false
	}
	for k := range batch {
		if _, ok := model[k]; !ok {
			added++
		}
	}
	return has, added, added > 0 && has+added > limit
}

// labelsOf returns the labels of exs, sorted and without repeats.
func labelsOf(exs []Example) []string {
	labels := make([]string, len(exs))
	for i, ex := range exs {
		labels[i] = ex.Label
	}
	slices.Sort(labels)
	return slices.Clip(slices.Compact(labels))
}

// checkNewLabels refuses a batch of exs, whose labels are labels, that
// would give the model new labels beyond c.maxLabels, naming the first
// example whose label passes it. Callers hold the writers' lock.
func (c *Classifier) checkNewLabels(exs []Example, labels []string) error {
	has := len(c.counts.labels)
	would := len(labelUnion(c.counts.labels, labels))
	if would == has || would <= c.maxLabels {
		return nil
	}
	n := has
	seen := make(map[string]bool)
	for i, ex := range exs {
		if seen[ex.Label] || c.counts.labelIndex(ex.Label) >= 0 {
			continue
		}
		seen[ex.Label] = true
		if n++; n > c.maxLabels {
			return &ExampleError{Index: i, Field: "label", Err: fmt.Errorf("%w: the limit is %d, the model has %d and the examples would make it %d", ErrTooManyLabels, c.maxLabels, has, would)}
		}
	}
	return nil // not reached: some label is new
}

// applyBatch extracts the features of exs (whose labels are labels)
// without the lock, so that writers extract theirs side by side, and calls
// apply with them under the lock: only applying a batch and persisting the
// model are serialised.
// check, if not nil, may refuse the batch; it runs under the lock before
// the extraction (to fail early) and again before apply (the model may
// have changed meanwhile).
func (c *Classifier) applyBatch(ctx context.Context, exs []Example, labels []string, check func() error, apply func(batch *counts) (Stats, error)) (Stats, error) {
	if check != nil {
		err := func() error {
			if err := c.lock(ctx); err != nil {
				return err
			}
			defer c.unlock()
			// The version first: a change already applied (the retry of a
			// Forget) would otherwise fail its check for that reason
			// instead.
			if err := c.checkVersion(ctx); err != nil {
				return err
			}
			return check()
		}()
		if err != nil {
			return Stats{}, err
		}
	}
	batch := newCounts()
	// No name arena: the names of the batch's new features go into the
	// model, and a name from an arena block would keep the whole block.
	batch.names = nil
	if err := c.learnInto(ctx, batch, exs, labels); err != nil {
		return Stats{}, err
	}
	if err := c.lock(ctx); err != nil {
		return Stats{}, err
	}
	defer c.unlock()
	if err := c.checkVersion(ctx); err != nil {
		return Stats{}, err
	}
	if check != nil {
		if err := check(); err != nil {
			return Stats{}, err
		}
	}
	return apply(batch)
}

// lock takes the writers' lock (c.writer), waiting for it no longer than
// ctx lasts: a change queued behind one whose save has stalled (a hung
// disk) gives up at its deadline with ctx's error, unapplied, rather than
// hold its caller until the save ends; with WithPersistStall, it gives
// up with ErrPersistStalled once the persist under way has run that long.
// A free lock is taken even if ctx has ended; the change checks ctx again
// before it applies anything.
func (c *Classifier) lock(ctx context.Context) error {
	select {
	case c.writer <- struct{}{}:
		return nil
	default:
	}
	for {
		// With WithPersistStall, the wait is cut into spells (see
		// stallSpell), to look again.
		if err := c.PersistStalled(); err != nil {
			return fmt.Errorf("%w; this change was not applied", err)
		}
		spell, stop := c.stallSpell()
		select {
		case c.writer <- struct{}{}:
			stop()
			return nil
		case <-ctx.Done():
			stop()
			return ctx.Err()
		case <-spell:
		}
	}
}

// stallSpell returns a channel that fires when the persist under way (or,
// if none is, one beginning now) will have run for the time
// WithPersistStall allows, at least a millisecond on so that a waiter
// looking again does not spin, and the func that stops it; without such
// a limit, a nil channel, which never fires.
func (c *Classifier) stallSpell() (<-chan time.Time, func()) {
	if c.persistStall <= 0 {
		return nil, func() {}
	}
	d := c.persistStall
	if began := c.persisting.Load(); began != nil {
		d -= time.Since(*began)
	}
	t := time.NewTimer(max(d, time.Millisecond))
	return t.C, func() { t.Stop() }
}

// unlock gives back the writers' lock that lock took. Giving back a lock
// that is not held is a bug, and panics, as sync.Mutex's Unlock does.
func (c *Classifier) unlock() {
	select {
	case <-c.writer:
	default:
		panic("classifier: unlock of the writers' lock, which is not held")
	}
}

// ifVersionKey is the context key of IfVersion.
type ifVersionKey struct{}

// IfVersion returns a context for a Learn, Forget or Replace that applies
// its change only if the model is still at version v when the change is
// applied (under the lock that orders changes), and otherwise fails with
// ErrVersionChanged and changes nothing. A caller that does not know
// whether an earlier attempt of the same change was applied (its answer
// was lost) can send it again this way, with the version it saw before
// that attempt: a change already applied has moved the version on.
func IfVersion(ctx context.Context, v uint64) context.Context {
	return context.WithValue(ctx, ifVersionKey{}, v)
}

// checkVersion enforces ctx's IfVersion, if any. Callers hold the
// writers' lock.
func (c *Classifier) checkVersion(ctx context.Context) error {
	if v, ok := ctx.Value(ifVersionKey{}).(uint64); ok && v != c.version {
		return fmt.Errorf("%w: it is at version %d, not %d", ErrVersionChanged, c.version, v)
	}
	return nil
}

// checkLabels reports the first example whose label the model does not
// have. Callers hold the writers' lock.
func (c *Classifier) checkLabels(exs []Example) error {
	for i, ex := range exs {
		if c.counts.labelIndex(ex.Label) < 0 {
			return &ExampleError{Index: i, Field: "label", Err: fmt.Errorf("%w: %q", ErrUnknownLabel, ex.Label)}
		}
	}
	return nil
}

// Replace rebuilds the model from exactly these examples, which also define
// its label set. The batch must name at least two labels (else
// ErrOneLabel) and no more than the model's limit (ErrTooManyLabels).
func (c *Classifier) Replace(ctx context.Context, examples []Example) (Stats, error) {
	exs, err := normalizeExamples(examples)
	if err != nil {
		return Stats{}, err
	}
	labels := labelsOf(exs)
	switch n := len(labels); {
	case n < 2:
		return Stats{}, ErrOneLabel
	case n > c.maxLabels:
		return Stats{}, fmt.Errorf("%w: the limit is %d, the examples name %d", ErrTooManyLabels, c.maxLabels, n)
	}
	next := newCounts()
	if err := c.learnInto(ctx, next, exs, labels); err != nil {
		return Stats{}, err
	}
	if n := len(next.index); n > c.maxFeatures {
		return Stats{}, fmt.Errorf("%w: the limit is %d, the examples have %d", ErrTooManyFeatures, c.maxFeatures, n)
	}
	if n := len(next.examples); n > c.maxLearned {
		return Stats{}, fmt.Errorf("%w: the limit is %d, the examples have %d distinct", ErrTooManyLearned, c.maxLearned, n)
	}
	if err := c.lock(ctx); err != nil {
		return Stats{}, err
	}
	defer c.unlock()
	if err := c.checkVersion(ctx); err != nil {
		return Stats{}, err
	}
	return c.commitGathered(ctx, next, len(exs), FeatureRevision, fingerprint(c.tok))
}

// reserveFeaturesPerExample is how many distinct features learnInto makes
// room for per example before counting: the default corpus has about 10.4
// (93,662 for 8,971 examples), so its model grows its index and rows once
// instead of doubling them seven times from empty. The doubling cost the
// server's start about 35 ms: from process start to the first answer,
// 271 to 293 ms without the room and 241 to 255 ms with it (bin/benchcmd
// -only none, five starts a run, five runs of each build alternately,
// 2026-12-08). A batch with more features grows past the room as before.
const reserveFeaturesPerExample = 12

// maxReserve bounds the room learnInto makes (about 10 MB of index and
// rows): a feature index never shrinks, so a large batch, or a Replace
// under a raised --max-features, must not keep room for features it
// never had. Past it, counts grow by doubling as they did.
const maxReserve = 1 << 17

// learnInto adds the features of exs, whose labels (labelsOf) are labels,
// to cnt, which is empty: its labels are set up front, so that no row is
// widened as labels come, and room is made for the features exs are
// likely to have (reserveFeaturesPerExample, within the model's limit
// and maxReserve).
func (c *Classifier) learnInto(ctx context.Context, cnt *counts, exs []Example, labels []string) error {
	cnt.relabel(labels)
	cnt.reserve(min(len(exs)*reserveFeaturesPerExample, c.maxFeatures, maxReserve))
	err := featurize(ctx, c.tok, &c.cfg, exs, func(i int, fb *featBuf, key exampleKey) {
		ex := &exs[i]
		li := cnt.labelIndex(ex.Label)
		cnt.add(li, fb)
		cnt.examples[key]++
	})
	if err == nil && cnt.full {
		err = fmt.Errorf("%w: a feature would be counted more than %d times", ErrModelFull, maxFeatureCount)
	}
	return err
}

// Forget takes examples back: each must have been learned (as many times as
// it appears in the batch), else the batch fails with ErrNotLearned and
// nothing changes. A label left with no examples is removed; the model must
// keep at least two labels.
func (c *Classifier) Forget(ctx context.Context, examples []Example) (Stats, error) {
	exs, err := normalizeExamples(examples)
	if err != nil {
		return Stats{}, err
	}
	return c.applyBatch(ctx, exs, labelsOf(exs), func() error { return c.checkForget(exs) }, func(batch *counts) (Stats, error) {
		next := c.counts.clone()
		if !next.merge(batch, -1) {
			// Cannot happen while extraction is deterministic and the
			// revision and tokenizer match; refuse rather than install
			// counts below zero.
			return Stats{}, fmt.Errorf("%w: its features do not match the learned counts", ErrStaleFeatures)
		}
		if !next.dropEmptyLabels() {
			return Stats{}, fmt.Errorf("%w: a label left with no examples keeps feature counts", ErrStaleFeatures)
		}
		if len(next.labels) < 2 {
			return Stats{}, ErrTooFewLabels
		}
		next.compactIfSparse()
		return c.commit(ctx, next, len(exs))
	})
}

// checkForget reports why exs cannot be forgotten, if they cannot: a model
// gathered by another feature extractor or tokenizer, a label the model
// does not have, an example not learned (as many times as exs hold it).
// Callers hold the writers' lock.
func (c *Classifier) checkForget(exs []Example) error {
	if Mixed(c.revision, c.tokenizer) {
		return fmt.Errorf("%w: the model learned examples under another feature extractor or tokenizer than its counts were gathered with, so its counts mix two extractions: replace the model to retrain it", ErrStaleFeatures)
	}
	if c.revision != FeatureRevision {
		return fmt.Errorf("%w (revision %d; this build extracts revision %d): replace the model to retrain it", ErrStaleFeatures, c.revision, FeatureRevision)
	}
	if cur := fingerprint(c.tok); TokenizerDiffers(c.tokenizer, cur) {
		return fmt.Errorf("%w: the model was trained with tokenizer %.12s…, this one is %.12s…: replace the model to retrain it", ErrStaleFeatures, c.tokenizer, cur)
	}
	need := make(map[exampleKey]int32, len(exs))
	for i, ex := range exs {
		if c.counts.labelIndex(ex.Label) < 0 {
			// Never learned, as the same example is once its label's last
			// example is forgotten.
			return &ExampleError{Index: i, Field: "label", Err: fmt.Errorf("%w: the model has no label %q", ErrNotLearned, ex.Label)}
		}
		k := keyOf(ex)
		need[k]++
		if need[k] > c.counts.examples[k] {
			return &ExampleError{Index: i, Field: "text", Err: ErrNotLearned}
		}
	}
	return nil
}

// commit persists next and installs it as the model. Callers hold the
// writers' lock.
func (c *Classifier) commit(ctx context.Context, next *counts, applied int) (Stats, error) {
	return c.commitGathered(ctx, next, applied, c.revision, c.tokenizer)
}

// commitGathered is commit for counts gathered with feature extractor
// revision rev and the tokenizer whose fingerprint is tokenizer.
func (c *Classifier) commitGathered(ctx context.Context, next *counts, applied int, rev int, tokenizer string) (Stats, error) {
	if err := c.cfg.Validate(); err != nil {
		return Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	if next.names != nil {
		// A model built from nothing grew its rows by doubling: give the
		// spare room back. next is never changed again (copy-on-write).
		next.names = nil
		next.rows = next.rows.trim()
	}
	st := state{counts: next, cfg: c.cfg, alpha: c.alpha, version: c.version + 1, trained: c.now().UTC(), revision: rev, tokenizer: tokenizer}
	rows := next.sorted()
	// The snapshot is built while the model is encoded and persisted; both
	// only read next.
	built := make(chan *snapshot, 1)
	go func() { built <- buildSnapshot(next, rows, c.cfg, c.alpha) }()
	encoded := st.encodeRows(rows)
	snap := <-built
	saved := make(chan struct{})
	c.saving.Store(&saved)
	defer func() {
		c.saving.Store(nil)
		close(saved)
	}()
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	if len(encoded) > maxPayload {
		// Load would refuse it.
		return Stats{}, fmt.Errorf("%w: it would take %d bytes, more than %d", ErrModelFull, len(encoded), maxPayload)
	}
	if c.persist != nil {
		if err := c.persistTimed(encoded); err != nil {
			return Stats{}, fmt.Errorf("%w: %w", ErrPersist, err)
		}
	}
	c.counts, c.version, c.trained, c.revision, c.tokenizer = next, st.version, st.trained, rev, tokenizer
	c.publish(snap, encoded)
	return Stats{Applied: applied, Info: c.Info()}, nil
}

// persistTimed calls c.persist with encoded, marking the time it began
// for the changes waiting behind it (see WithPersistStall) until it
// returns, or panics.
func (c *Classifier) persistTimed(encoded []byte) error {
	began := time.Now()
	c.persisting.Store(&began)
	defer c.persisting.Store(nil)
	return c.persist(encoded)
}

// state returns the saved state of the model s was built from. The counts
// are never changed after a snapshot is built, so it needs no lock.
func (s *snapshot) state() state {
	return state{counts: s.src, cfg: s.cfg, alpha: s.alpha, version: s.info.Version, trained: s.info.TrainedTime, revision: s.info.FeatureRevision, tokenizer: s.info.Tokenizer}
}

// state returns the model's saved state. Callers hold the writers' lock
// (or own c exclusively). counts are copy-on-write, so the result stays
// consistent after the lock is released.
func (c *Classifier) state() state {
	return state{counts: c.counts, cfg: c.cfg, alpha: c.alpha, version: c.version, trained: c.trained, revision: c.revision, tokenizer: c.tokenizer}
}
