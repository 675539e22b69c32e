package classifier

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// namePart is what a feature's readable name is made of: featureName(kind,
// a, b). Training records the parts of every feature it extracts and builds
// the name string only for a feature the model does not have yet.
type namePart struct {
	h    uint64
	kind byte
	a, b string
}

// featBuf is one example's features, with the parts of their names in the
// order extract emitted them.
type featBuf struct {
	feats []uint64
	parts []namePart
	next  int // where the search for the next new feature's name starts
}

// name returns the name of h as first emitted for this example, built in a
// if it is not nil; "" if h was never named.
//
// counts.add asks for the names of features in feats order, each at its
// first appearance there. feats is a subsequence of the emitted features
// (deduplication keeps first emissions, in order), so the first emission
// of the feature asked for lies after the one found last: the search
// resumes there, and wraps around only if the order ever changes.
func (fb *featBuf) name(a *nameArena, h uint64) string {
	i := slices.IndexFunc(fb.parts[fb.next:], func(p namePart) bool { return p.h == h })
	if i >= 0 {
		i += fb.next
		fb.next = i + 1
	} else if i = slices.IndexFunc(fb.parts[:fb.next], func(p namePart) bool { return p.h == h }); i < 0 {
		return ""
	}
	p := &fb.parts[i]
	return a.name(p.kind, p.a, p.b)
}

// featurizer extracts the features of training examples. It is used by one
// goroutine at a time.
type featurizer struct {
	tok   TokenAppender
	cfg   *FeatureConfig
	toks  []string
	keys  []byte
	parts []namePart
	namer namer
}

func newFeaturizer(tok TokenAppender, cfg *FeatureConfig) *featurizer {
	z := &featurizer{tok: tok, cfg: cfg}
	z.namer = func(h uint64, kind byte, a, b string) {
		z.parts = append(z.parts, namePart{h: h, kind: kind, a: a, b: b})
	}
	return z
}

// extract appends the features of text to fb.feats and their name parts to
// fb.parts.
func (z *featurizer) extract(fb *featBuf, text string) {
	z.toks = z.tok.AppendTokens(z.toks[:0], text)
	z.parts = fb.parts
	fb.feats = z.cfg.extract(fb.feats, text, z.toks, z.namer)
	fb.parts = z.parts
	z.parts = nil
}

// featChunk is the featurized form of a run of consecutive examples.
type featChunk struct {
	feats []uint64
	parts []namePart
	fend  []int32 // end of example i's features in feats
	pend  []int32 // end of example i's name parts in parts
	keys  []exampleKey
}

func (ch *featChunk) reset() {
	ch.feats, ch.parts = ch.feats[:0], ch.parts[:0]
	ch.fend, ch.pend, ch.keys = ch.fend[:0], ch.pend[:0], ch.keys[:0]
}

// example returns example i of the chunk as a featBuf that aliases it.
func (ch *featChunk) example(i int) featBuf {
	var f0, p0 int32
	if i > 0 {
		f0, p0 = ch.fend[i-1], ch.pend[i-1]
	}
	return featBuf{feats: ch.feats[f0:ch.fend[i]], parts: ch.parts[p0:ch.pend[i]]}
}

// chunk featurizes exs into ch. Once ctx is done it stops, between two
// examples, and returns ctx's error; ch is then incomplete.
func (z *featurizer) chunk(ctx context.Context, ch *featChunk, exs []Example) error {
	ch.reset()
	for _, ex := range exs {
		if err := ctx.Err(); err != nil {
			return err
		}
		fb := featBuf{feats: ch.feats, parts: ch.parts}
		z.extract(&fb, ex.Text)
		ch.feats, ch.parts = fb.feats, fb.parts
		ch.fend = append(ch.fend, int32(len(ch.feats)))
		ch.pend = append(ch.pend, int32(len(ch.parts)))
		var k exampleKey
		k, z.keys = keyOfBuf(z.keys, ex)
		ch.keys = append(ch.keys, k)
	}
	return nil
}

const (
	// trainChunk is the most examples a training worker featurizes at a
	// time; a chunk also ends once its text reaches chunkBytes (so it
	// holds less than twice that, plus one example).
	trainChunk = 128
	chunkBytes = 256 << 10
	// parallelMin is the smallest batch whose features are extracted by
	// several goroutines, and parallelBytes the least text that is,
	// whatever the number of examples: 64 examples of 256 KiB are spread
	// over the cores as 10,000 short ones are.
	parallelMin   = 4 * trainChunk
	parallelBytes = 1 << 20
)

// chunkStarts returns where each chunk of exs starts, then len(exs), and
// the bytes of all their texts: a chunk ends after trainChunk examples, or
// once its texts reach chunkBytes.
func chunkStarts(exs []Example) (starts []int, total int) {
	starts = append(starts, 0)
	n, size := 0, 0
	for i, ex := range exs {
		total += len(ex.Text)
		n++
		size += len(ex.Text)
		if n == trainChunk || size >= chunkBytes {
			starts = append(starts, i+1)
			n, size = 0, 0
		}
	}
	if starts[len(starts)-1] != len(exs) {
		starts = append(starts, len(exs))
	}
	return starts, total
}

// featurize extracts the features of exs and calls apply for each example
// in order, from the calling goroutine. Extraction (tokenizing, feature
// hashing and the example keys) is pure, so large batches spread it over
// GOMAXPROCS goroutines; apply, which changes the counts, stays sequential
// and in order, so the result is the same as a sequential run. Once ctx is
// done, featurize stops between two examples and returns ctx's error;
// apply has then seen only some of the examples. A panic in the tokenizer
// reaches the caller from its own goroutine, as in a sequential run, and
// not from a worker, where no caller could recover it.
func featurize(ctx context.Context, tok TokenAppender, cfg *FeatureConfig, exs []Example, apply func(i int, fb *featBuf, key exampleKey)) error {
	workers := min(runtime.GOMAXPROCS(0), 8)
	warm(ctx, tok, exs, workers)
	starts, total := chunkStarts(exs)
	if len(exs) < parallelMin && total < parallelBytes || workers < 2 {
		z := newFeaturizer(tok, cfg)
		var ch featChunk
		for c := range len(starts) - 1 {
			lo, hi := starts[c], starts[c+1]
			if err := z.chunk(ctx, &ch, exs[lo:hi]); err != nil {
				return err
			}
			for i := range hi - lo {
				fb := ch.example(i)
				apply(lo+i, &fb, ch.keys[i])
			}
		}
		return ctx.Err()
	}
	n := len(starts) - 1
	done := make([]chan *featChunk, n)
	for i := range done {
		done[i] = make(chan *featChunk, 1)
	}
	// At most ahead chunks are featurized and not yet applied; a worker
	// takes a slot before it takes the next chunk number, so the chunk the
	// applier waits for always gets one.
	ahead := 2 * workers
	slots := make(chan struct{}, ahead)
	free := make(chan *featChunk, ahead)
	for range ahead {
		free <- new(featChunk)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	var crashed atomic.Pointer[workerPanic]
	// However the applier leaves (done, ctx done, a panic in apply), the
	// workers are told to stop before they are waited for: one blocked on
	// a slot would otherwise be waited for forever.
	defer func() {
		cancel()
		wg.Wait()
		if p := crashed.Load(); p != nil {
			panic(p.value)
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					crashed.CompareAndSwap(nil, &workerPanic{v})
					cancel()
				}
			}()
			z := newFeaturizer(tok, cfg)
			for {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				j := int(next.Add(1) - 1)
				if j >= n || ctx.Err() != nil {
					<-slots
					return
				}
				ch := <-free
				if z.chunk(ctx, ch, exs[starts[j]:starts[j+1]]) != nil {
					return // ctx is done: the applier stops too
				}
				done[j] <- ch
			}
		}()
	}
	for j := range n {
		var ch *featChunk
		select {
		case ch = <-done[j]:
		case <-ctx.Done():
			return ctx.Err()
		}
		lo := starts[j]
		for i := range len(ch.keys) {
			fb := ch.example(i)
			apply(lo+i, &fb, ch.keys[i])
		}
		free <- ch
		<-slots
	}
	return nil
}

// workerPanic is the value a featurizing worker panicked with.
type workerPanic struct{ value any }

// warmer is a TokenAppender that can fill its cache in bulk and then
// publish what it filled as a lock-free tier (*Tokenizer).
type warmer interface {
	warmContext(ctx context.Context, texts []string)
	freeze()
}

// warmMin is the smallest batch of examples worth warming the tokenizer for.
const warmMin = 256

// warm lets the tokenizer encode the unseen words of a large batch in bulk
// before featurizing it, split over the workers. The first batch warmed
// (the default corpus, at startup) then becomes the tokenizer's frozen
// tier, read without locks.
func warm(ctx context.Context, tok TokenAppender, exs []Example, workers int) {
	w, ok := tok.(warmer)
	if !ok || len(exs) < warmMin {
		return
	}
	texts := make([]string, len(exs))
	for i, ex := range exs {
		texts[i] = ex.Text
	}
	var wg sync.WaitGroup
	per := (len(texts) + workers - 1) / workers
	for lo := 0; lo < len(texts); lo += per {
		part := texts[lo:min(lo+per, len(texts))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.warmContext(ctx, part)
		}()
	}
	wg.Wait()
	if ctx.Err() == nil {
		w.freeze()
	}
}
