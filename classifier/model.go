package classifier

import (
	"crypto/sha256"
	"math"
	"slices"
	"sort"
)

// counts is the trainable state of a naive-Bayes model: integer counts, so
// that Forget undoes Learn exactly. It is not safe for concurrent use; the
// Classifier guards it.
type counts struct {
	labels   []string          // sorted label names
	docs     []int64           // examples per label
	total    []int64           // feature occurrences per label
	features map[uint64]*fstat // per-feature counts
	names    map[uint64]string // readable feature names
	examples map[exampleKey]int32
}

// fstat holds one feature's counts per label, in labels order.
type fstat struct {
	n   []int64
	sum int64
}

// exampleKey identifies a learned example: SHA-256 of label and text, cut
// to 128 bits.
type exampleKey [16]byte

func keyOf(ex Example) exampleKey {
	h := sha256.New()
	h.Write([]byte(ex.Label))
	h.Write([]byte{0})
	h.Write([]byte(ex.Text))
	var k exampleKey
	copy(k[:], h.Sum(nil))
	return k
}

func newCounts() *counts {
	return &counts{
		features: make(map[uint64]*fstat),
		names:    make(map[uint64]string),
		examples: make(map[exampleKey]int32),
	}
}

// labelIndex returns the index of label, or -1.
func (c *counts) labelIndex(label string) int {
	i := sort.SearchStrings(c.labels, label)
	if i < len(c.labels) && c.labels[i] == label {
		return i
	}
	return -1
}

// addLabel inserts a label in sorted position and widens every count row.
func (c *counts) addLabel(label string) int {
	i := sort.SearchStrings(c.labels, label)
	c.labels = slices.Insert(c.labels, i, label)
	c.docs = slices.Insert(c.docs, i, 0)
	c.total = slices.Insert(c.total, i, 0)
	for _, f := range c.features {
		f.n = slices.Insert(f.n, i, 0)
	}
	return i
}

// removeLabel deletes a label that has no examples left.
func (c *counts) removeLabel(i int) {
	c.labels = slices.Delete(c.labels, i, i+1)
	c.docs = slices.Delete(c.docs, i, i+1)
	c.total = slices.Delete(c.total, i, i+1)
	for _, f := range c.features {
		f.n = slices.Delete(f.n, i, i+1)
	}
}

// add adds (delta = +1) or removes (delta = -1) one example's features.
func (c *counts) add(label int, feats []uint64, delta int64) {
	c.docs[label] += delta
	c.total[label] += delta * int64(len(feats))
	for _, h := range feats {
		f := c.features[h]
		if f == nil {
			f = &fstat{n: make([]int64, len(c.labels))}
			c.features[h] = f
		}
		f.n[label] += delta
		f.sum += delta
		if f.sum == 0 {
			delete(c.features, h)
			delete(c.names, h)
		}
	}
}

// clone returns a deep copy, used to apply a batch atomically.
func (c *counts) clone() *counts {
	d := &counts{
		labels:   slices.Clone(c.labels),
		docs:     slices.Clone(c.docs),
		total:    slices.Clone(c.total),
		features: make(map[uint64]*fstat, len(c.features)),
		names:    make(map[uint64]string, len(c.names)),
		examples: make(map[exampleKey]int32, len(c.examples)),
	}
	for h, f := range c.features {
		d.features[h] = &fstat{n: slices.Clone(f.n), sum: f.sum}
	}
	for h, n := range c.names {
		d.names[h] = n
	}
	for k, n := range c.examples {
		d.examples[k] = n
	}
	return d
}

// snapshot is an immutable, precomputed view of the model for scoring.
// Classification reads it without locks.
type snapshot struct {
	labels  []string
	prior   []float64        // log P(label)
	unknown []float64        // unused; kept zero (unseen features are skipped)
	index   map[uint64]int32 // feature -> row
	weights []float64        // row*len(labels)+label -> log P(feature|label)
	names   []string         // row -> feature name
	info    Info             // description returned by Info
	cfg     FeatureConfig    // features to extract
	alpha   float64          // smoothing
}

// buildSnapshot computes log probabilities with Laplace/Lidstone smoothing
// alpha: P(f|c) = (n_fc + alpha) / (N_c + alpha*V).
func buildSnapshot(c *counts, cfg FeatureConfig, alpha float64, info Info) *snapshot {
	L := len(c.labels)
	V := len(c.features)
	s := &snapshot{
		labels:  slices.Clone(c.labels),
		prior:   make([]float64, L),
		index:   make(map[uint64]int32, V),
		weights: make([]float64, V*L),
		names:   make([]string, V),
		info:    info,
		cfg:     cfg,
		alpha:   alpha,
	}
	var docs int64
	for _, d := range c.docs {
		docs += d
	}
	for l := range L {
		// Lidstone-smoothed prior, so a label with few examples is not ruled out.
		s.prior[l] = math.Log((float64(c.docs[l]) + 1) / (float64(docs) + float64(L)))
	}
	denom := make([]float64, L)
	for l := range L {
		denom[l] = math.Log(float64(c.total[l]) + alpha*float64(V))
	}
	// Rows in hash order, so the snapshot is deterministic.
	hashes := make([]uint64, 0, V)
	for h := range c.features {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	var allTotal int64
	for _, t := range c.total {
		allTotal += t
	}
	compDenom := make([]float64, L)
	for l := range L {
		compDenom[l] = math.Log(float64(allTotal-c.total[l]) + alpha*float64(V))
	}
	for row, h := range hashes {
		f := c.features[h]
		s.index[h] = int32(row)
		s.names[row] = c.names[h]
		w := s.weights[row*L : row*L+L]
		for l := range L {
			if cfg.Complement {
				w[l] = -(math.Log(float64(f.sum-f.n[l])+alpha) - compDenom[l])
			} else {
				w[l] = math.Log(float64(f.n[l])+alpha) - denom[l]
			}
		}
	}
	return s
}

// score adds each label's log-likelihood of feats to out (len(labels)) and
// returns it.
func (s *snapshot) score(feats []uint64, out []float64) []float64 {
	L := len(s.labels)
	out = append(out[:0], s.prior...)
	for _, h := range feats {
		row, ok := s.index[h]
		if !ok {
			continue
		}
		w := s.weights[int(row)*L : int(row)*L+L]
		for l := range L {
			out[l] += w[l]
		}
	}
	return out
}

// softmax turns log scores into probabilities in place.
func softmax(x []float64) {
	if len(x) == 0 {
		return
	}
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	var sum float64
	for i, v := range x {
		e := math.Exp(v - m)
		x[i] = e
		sum += e
	}
	for i := range x {
		x[i] /= sum
	}
}
