package classifier

import (
	"crypto/sha256"
	"maps"
	"math"
	"math/bits"
	"slices"
	"sort"
	"unsafe"
)

// counts is the trainable state of a naive-Bayes model: integer counts, so
// that Forget undoes Learn exactly. It is not safe for concurrent use; the
// Classifier guards it.
//
// Features live in rows of flat arrays (see rows), found through index.
// counts are copy-on-write: clone copies the index and shares the rows,
// which are copied before the first change (see own). A counts that has
// been installed in a Classifier is never changed again, so Save and the
// snapshots may read it without the writer lock.
type counts struct {
	labels   []string         // sorted label names
	docs     []int64          // examples per label
	total    []int64          // feature occurrences per label
	index    map[uint64]int32 // feature -> row
	rows     rows
	examples map[exampleKey]int32

	// shared reports that rows (or anything in them) may be shared with
	// another counts and must be copied before a change.
	shared bool
	// nameless counts live rows without a name (read from a saved model
	// that has none); merge names them from the next batch that has them.
	nameless int
	// names, when not nil, stores new feature names in blocks. It is used
	// while a counts is built from nothing (Replace, Load).
	names *nameArena
	// full reports that add met a feature counted maxFeatureCount times
	// already, and did not count it again: the caller discards c.
	full bool
}

// maxFeatureCount bounds a feature's count, summed over its labels: rows
// hold 32-bit counts, which take half the memory 64-bit ones would (about
// a tenth of what a feature costs). No real corpus comes near it; a Learn
// that would pass it is refused with ErrModelFull, and Load refuses a
// model that does.
const maxFeatureCount = math.MaxInt32

// rows holds the features of a counts, one row each. A row is width =
// len(labels)+1 counts: one per label, then their sum, which is at most
// maxFeatureCount. A row whose sum is zero is free (a feature whose counts
// sum to zero is deleted) and is on the free list for reuse.
type rows struct {
	width int
	n     []int32  // row*width + label; row*width + width-1 is the sum
	hash  []uint64 // row -> feature hash
	name  []string // row -> readable feature name
	free  []int32  // free rows
}

func (r *rows) len() int { return len(r.hash) }

// sum returns the sum of row's counts: 0 for a free row.
func (r *rows) sum(row int32) int64 { return int64(r.n[int(row)*r.width+r.width-1]) }

// counts returns row's per-label counts.
func (r *rows) counts(row int32) []int32 {
	b := int(row) * r.width
	return r.n[b : b+r.width-1]
}

// trim returns the rows without spare capacity.
func (r *rows) trim() rows {
	return rows{width: r.width, n: slices.Clip(slices.Clone(r.n)), hash: slices.Clip(slices.Clone(r.hash)), name: slices.Clip(slices.Clone(r.name)), free: r.free}
}

func (r *rows) clone() rows {
	return rows{width: r.width, n: slices.Clone(r.n), hash: slices.Clone(r.hash), name: slices.Clone(r.name), free: slices.Clone(r.free)}
}

// nameArena stores feature names in shared blocks, which saves an
// allocation per feature when a model is built. Bytes handed out are never
// written again, so the strings are immutable.
type nameArena struct{ buf []byte }

// name returns featureName(kind, x, y).
func (a *nameArena) name(kind byte, x, y string) string {
	n := 2 + len(x)
	if y != "" {
		n += 1 + len(y)
	}
	if a == nil || n > 256 {
		return featureName(kind, x, y)
	}
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, 32<<10)
	}
	start := len(a.buf)
	a.buf = append(a.buf, kind, ':')
	a.buf = append(a.buf, x...)
	if y != "" {
		a.buf = append(a.buf, ' ')
		a.buf = append(a.buf, y...)
	}
	b := a.buf[start:len(a.buf):len(a.buf)]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// exampleKey identifies a learned example: SHA-256 of label and text, cut
// to 128 bits.
type exampleKey [16]byte

func keyOf(ex Example) exampleKey {
	var buf [256]byte
	k, _ := keyOfBuf(buf[:0], ex)
	return k
}

// keyOfBuf is keyOf using buf as scratch space; it returns the buffer for
// reuse.
func keyOfBuf(buf []byte, ex Example) (exampleKey, []byte) {
	buf = append(buf[:0], ex.Label...)
	buf = append(buf, 0)
	buf = append(buf, ex.Text...)
	sum := sha256.Sum256(buf)
	var k exampleKey
	copy(k[:], sum[:])
	return k, buf
}

func newCounts() *counts {
	return &counts{
		index:    make(map[uint64]int32),
		rows:     rows{width: 1},
		examples: make(map[exampleKey]int32),
		names:    new(nameArena),
	}
}

// reserve makes room for n features, so that a counts built from nothing
// grows its index and rows once rather than by doubling.
func (c *counts) reserve(n int) {
	if n <= len(c.index) {
		return
	}
	idx := make(map[uint64]int32, n)
	maps.Copy(idx, c.index)
	c.index = idx
	// Free rows count as room: rows may outnumber the index.
	r := &c.rows
	r.hash = slices.Grow(r.hash, max(0, n-len(r.hash)))
	r.name = slices.Grow(r.name, max(0, n-len(r.name)))
	r.n = slices.Grow(r.n, max(0, n*r.width-len(r.n)))
}

// labelIndex returns the index of label, or -1.
func (c *counts) labelIndex(label string) int {
	i := sort.SearchStrings(c.labels, label)
	if i < len(c.labels) && c.labels[i] == label {
		return i
	}
	return -1
}

// own makes c's rows its own, copying them if they may be shared.
func (c *counts) own() {
	if c.shared {
		c.rows = c.rows.clone()
		c.shared = false
	}
}

// newRow returns a zero row for h, named name.
func (c *counts) newRow(h uint64, name string) int32 {
	if name == "" {
		c.nameless++
	}
	r := &c.rows
	if k := len(r.free); k > 0 {
		row := r.free[k-1]
		r.free = r.free[:k-1]
		r.hash[row], r.name[row] = h, name
		return row
	}
	row := int32(len(r.hash))
	// Grow by doubling: append grows large slices by a quarter, which
	// would copy the rows over and over while a model is built.
	if len(r.hash) == cap(r.hash) {
		r.hash = slices.Grow(r.hash, max(len(r.hash), 1024))
		r.name = slices.Grow(r.name, max(len(r.name), 1024))
	}
	if cap(r.n)-len(r.n) < r.width {
		r.n = slices.Grow(r.n, max(len(r.n), 1024*r.width))
	}
	r.hash = append(r.hash, h)
	r.name = append(r.name, name)
	k := len(r.n)
	r.n = r.n[:k+r.width]
	clear(r.n[k:])
	return row
}

// freeRow deletes the feature in row.
func (c *counts) freeRow(row int32) {
	r := &c.rows
	if r.name[row] == "" {
		c.nameless--
	}
	delete(c.index, r.hash[row])
	b := int(row) * r.width
	clear(r.n[b : b+r.width])
	r.hash[row], r.name[row] = 0, ""
	r.free = append(r.free, row)
}

// compactIfSparse rebuilds c's rows and index without their free rows
// once those outnumber the live ones (and there are at least minCompact):
// neither the row arrays nor the index map shrink as features are deleted,
// so a model that forgot most of what it learned would otherwise keep the
// memory, and the time every change takes to copy it, of its largest
// size. Row order does not show in the saved model or the scores.
func (c *counts) compactIfSparse() {
	r := &c.rows
	free := len(r.free)
	if free < minCompact || free <= r.len()-free {
		return
	}
	live := r.len() - free
	nr := rows{width: r.width, n: make([]int32, 0, live*r.width), hash: make([]uint64, 0, live), name: make([]string, 0, live)}
	index := make(map[uint64]int32, live)
	for row := range int32(r.len()) {
		if r.sum(row) == 0 {
			continue
		}
		b := int(row) * r.width
		index[r.hash[row]] = int32(len(nr.hash))
		nr.n = append(nr.n, r.n[b:b+r.width]...)
		nr.hash = append(nr.hash, r.hash[row])
		nr.name = append(nr.name, r.name[row])
	}
	c.rows, c.index, c.shared = nr, index, false
}

// minCompact is the fewest free rows compactIfSparse acts on.
const minCompact = 4096

// relabel gives c the label set labels (sorted and unique) in one pass
// over the rows: a label new to c gets zero counts, and a label of c not
// in labels is dropped, which only a label with no examples left may be
// (its counts are all zero). Changing the labels one at a time would copy
// every row once per label.
func (c *counts) relabel(labels []string) {
	c.own()
	old := c.rows
	w := len(labels) + 1
	col := make([]int, len(c.labels)) // c's column -> the new one, or -1
	docs, total := make([]int64, len(labels)), make([]int64, len(labels))
	for i, l := range c.labels {
		col[i] = -1
		if j, ok := slices.BinarySearch(labels, l); ok {
			col[i] = j
			docs[j], total[j] = c.docs[i], c.total[i]
		}
	}
	n := make([]int32, old.len()*w)
	for row := range old.len() {
		src := old.n[row*old.width : (row+1)*old.width]
		dst := n[row*w : (row+1)*w]
		for i, j := range col {
			if j >= 0 {
				dst[j] = src[i]
			}
		}
		dst[w-1] = src[old.width-1]
	}
	c.labels, c.docs, c.total = slices.Clone(labels), docs, total
	c.rows.n, c.rows.width = n, w
}

// labelUnion returns the sorted union of the sorted label lists a and b.
func labelUnion(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// dropEmptyLabels removes the labels that have no examples left. It
// reports false, changing nothing, if such a label still has feature
// counts, which only forgetting with other features than were learned
// leaves (a model whose tokenizer is not known): the caller then discards
// c.
func (c *counts) dropEmptyLabels() bool {
	kept := make([]string, 0, len(c.labels))
	for i, l := range c.labels {
		switch {
		case c.docs[i] > 0:
			kept = append(kept, l)
		case c.total[i] != 0:
			return false
		}
	}
	if len(kept) < len(c.labels) {
		c.relabel(kept)
	}
	return true
}

// add adds one example's features to the counts under label; fb supplies
// the names of features the counts do not have yet. Counts are only built
// up this way (Replace, and the batch of a Learn or Forget, which merge
// then applies to the model). A feature already counted maxFeatureCount
// times is not counted again, and c is marked full.
func (c *counts) add(label int, fb *featBuf) {
	c.own()
	c.docs[label]++
	c.total[label] += int64(len(fb.feats))
	w := c.rows.width
	for _, h := range fb.feats {
		row, found := c.index[h]
		if !found {
			row = c.newRow(h, fb.name(c.names, h))
			c.index[h] = row
		}
		b := int(row) * w
		if c.rows.n[b+w-1] == maxFeatureCount {
			c.full = true
			continue
		}
		c.rows.n[b+label]++
		c.rows.n[b+w-1]++
	}
}

// merge adds (sign = +1) or takes away (sign = -1) the counts of d, which
// were gathered from a batch of examples into empty counts, as learning or
// forgetting those examples one by one would. It reports false, and the
// caller then discards c, if taking away would leave a count below zero
// (features that were never learned) or adding would learn an example
// more than 2³¹−1 times or count a feature more than maxFeatureCount
// times. Every label of d must be in c when sign is -1.
func (c *counts) merge(d *counts, sign int64) bool {
	if all := labelUnion(c.labels, d.labels); len(all) > len(c.labels) {
		if sign < 0 {
			return false
		}
		c.relabel(all)
	}
	c.own()
	lmap := make([]int, len(d.labels))
	for i, l := range d.labels {
		li := c.labelIndex(l)
		lmap[i] = li
		c.docs[li] += sign * d.docs[i]
		c.total[li] += sign * d.total[i]
		if c.docs[li] < 0 || c.total[li] < 0 {
			return false
		}
	}
	w := c.rows.width
	// d's rows are in the order its features were first met, so features
	// new to c get rows in the order one-by-one learning would give them.
	for r := range d.rows.len() {
		h, name := d.rows.hash[r], d.rows.name[r]
		row, found := c.index[h]
		switch {
		case !found && sign < 0:
			return false
		case !found:
			row = c.newRow(h, name)
			c.index[h] = row
		case c.nameless > 0 && c.rows.name[row] == "" && name != "":
			c.rows.name[row] = name
			c.nameless--
		}
		b := int(row) * w
		n := c.rows.n[b : b+w]
		for i, v := range d.rows.counts(int32(r)) {
			k, sum := int64(n[lmap[i]])+sign*int64(v), int64(n[w-1])+sign*int64(v)
			if k < 0 || sum > maxFeatureCount {
				return false
			}
			n[lmap[i]], n[w-1] = int32(k), int32(sum)
		}
		if n[w-1] == 0 {
			c.freeRow(row)
		}
	}
	for k, v := range d.examples {
		if sign > 0 && c.examples[k] > math.MaxInt32-v {
			return false // the saved format holds at most 2³¹−1 copies
		}
		if c.examples[k] += int32(sign) * v; c.examples[k] <= 0 {
			if c.examples[k] < 0 {
				return false
			}
			delete(c.examples, k)
		}
	}
	return true
}

// clone returns a copy that shares the rows copy-on-write, used to apply a
// batch atomically.
func (c *counts) clone() *counts {
	return &counts{
		labels:   slices.Clone(c.labels),
		docs:     slices.Clone(c.docs),
		total:    slices.Clone(c.total),
		index:    maps.Clone(c.index),
		rows:     c.rows,
		examples: maps.Clone(c.examples),
		shared:   true,
		nameless: c.nameless,
	}
}

// entry is one feature of a counts: its hash and row.
type entry struct {
	h   uint64
	row int32
}

// sorted returns the features in ascending hash order: the order of the
// saved model and of snapshot rows.
func (c *counts) sorted() []entry {
	out := make([]entry, 0, len(c.index))
	r := &c.rows
	for row := range int32(r.len()) {
		if r.sum(row) != 0 {
			out = append(out, entry{r.hash[row], row})
		}
	}
	sortEntries(out)
	return out
}

// sortEntries sorts by hash. Hashes are nearly uniform, so one counting pass
// on their top bits leaves buckets of about one entry, which are then
// sorted on their own; hashes crafted to share their top bits only make a
// bucket's sort slower, never the result wrong.
func sortEntries(es []entry) {
	byHash := func(a, b entry) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return 0
	}
	n := len(es)
	if n < 512 {
		slices.SortFunc(es, byHash)
		return
	}
	b := min(bits.Len(uint(n)), 16)
	shift := 64 - b
	start := make([]int32, 1<<b+1)
	for _, e := range es {
		start[(e.h>>shift)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	tmp := make([]entry, n)
	next := slices.Clone(start[:len(start)-1])
	for _, e := range es {
		k := e.h >> shift
		tmp[next[k]] = e
		next[k]++
	}
	for k := 0; k < len(start)-1; k++ {
		if lo, hi := start[k], start[k+1]; hi-lo > 1 {
			slices.SortFunc(tmp[lo:hi], byHash)
		}
	}
	copy(es, tmp)
}

// snapshot is an immutable, precomputed view of the model for scoring.
// Classification reads it without locks.
type snapshot struct {
	labels  []string
	prior   []float64 // log P(label)
	index   ftable    // feature -> row
	weights []float64 // row*len(labels)+label -> log P(feature|label)
	src     *counts   // the counts the snapshot was built from (never changed)
	srcRow  []int32   // row -> row of src, for feature names
	info    Info      // description returned by Info
	cfg     FeatureConfig
	alpha   float64
}

// name returns the readable name of a snapshot row.
func (s *snapshot) name(row int) string { return s.src.rows.name[s.srcRow[row]] }

// ftable is an open-addressing hash table from feature hash to snapshot
// row, built once per snapshot and at most three quarters full. Feature
// hashes are FNV-1a; a multiplicative step spreads them over the slots.
type ftable struct {
	slots []fslot
	shift uint8
}

type fslot struct {
	h   uint64
	row int32 // row + 1; 0 marks an empty slot
}

func newFtable(n int) ftable {
	size := 8
	for size*3 < n*4 {
		size <<= 1
	}
	return ftable{slots: make([]fslot, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
}

const ftableMul = 0x9E3779B97F4A7C15

func (t *ftable) insert(h uint64, row int32) {
	mask := uint64(len(t.slots) - 1)
	for i := (h * ftableMul) >> t.shift; ; i = (i + 1) & mask {
		if s := &t.slots[i]; s.row == 0 {
			s.h, s.row = h, row+1
			return
		}
	}
}

// find returns the row of h, or -1.
func (t *ftable) find(h uint64) int {
	mask := uint64(len(t.slots) - 1)
	for i := (h * ftableMul) >> t.shift; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s.row == 0 {
			return -1
		}
		if s.h == h {
			return int(s.row) - 1
		}
	}
}

// logTableSize bounds the counts whose smoothed logarithm is tabulated.
const logTableSize = 256

// buildSnapshot computes log probabilities with Laplace/Lidstone smoothing
// alpha: P(f|c) = (n_fc + alpha) / (N_c + alpha*V). sorted are c's
// features in hash order (c.sorted()); c must never change afterwards.
// The caller fills in info.
func buildSnapshot(c *counts, sorted []entry, cfg FeatureConfig, alpha float64) *snapshot {
	L := len(c.labels)
	V := len(sorted)
	s := &snapshot{
		labels:  slices.Clone(c.labels),
		prior:   make([]float64, L),
		index:   newFtable(V),
		weights: make([]float64, V*L),
		src:     c,
		srcRow:  make([]int32, V),
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
		if c.labels[l] == OtherLabel {
			s.prior[l] += cfg.OtherBias
		}
	}
	denom := make([]float64, L)
	for l := range L {
		denom[l] = math.Log(float64(c.total[l]) + alpha*float64(V))
	}
	var allTotal int64
	for _, t := range c.total {
		allTotal += t
	}
	compDenom := make([]float64, L)
	for l := range L {
		compDenom[l] = math.Log(float64(allTotal-c.total[l]) + alpha*float64(V))
	}
	// Most counts are small: look their logarithms up. The table holds the
	// very values math.Log returns, so the weights are the same either way.
	var logs [logTableSize]float64
	for k := range logs {
		logs[k] = math.Log(float64(k) + alpha)
	}
	logOf := func(n int64) float64 {
		if uint64(n) < logTableSize {
			return logs[n]
		}
		return math.Log(float64(n) + alpha)
	}
	for row, e := range sorted {
		s.index.insert(e.h, int32(row))
		s.srcRow[row] = e.row
		n := c.rows.counts(e.row)
		w := s.weights[row*L : row*L+L]
		if cfg.Complement {
			sum := c.rows.sum(e.row)
			for l := range w {
				w[l] = -(logOf(sum-int64(n[l])) - compDenom[l])
			}
		} else {
			for l := range w {
				w[l] = logOf(int64(n[l])) - denom[l]
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
	out = out[:L]
	for _, h := range feats {
		row := s.index.find(h)
		if row < 0 {
			continue
		}
		w := s.weights[row*L : row*L+L]
		for l, v := range w {
			out[l] += v
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
