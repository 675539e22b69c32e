package classifier

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// The saved model format:
//
//	magic        8 bytes  "CLAIMSNB"
//	version      uint32   big-endian, FormatVersion
//	length       uint64   big-endian, payload length in bytes
//	payload      length bytes (see appendPayload)
//	checksum     32 bytes SHA-256 of the payload
//
// The payload is a sequence of uvarints, length-prefixed strings and fixed
// 64-bit words; its layout is that of appendPayload. Decoding checks the
// checksum before it parses, and every length against what remains, so a
// corrupt, truncated or foreign file is an error, never a panic or an
// allocation out of proportion to the file: a model takes about 12 bytes of
// memory per label count (4 for the count, 8 for its weight), and a count
// takes at least one byte of the file. Decoding also refuses what no build
// ever saved (varints longer than needed, features or example keys out of
// order, an example learned zero times, more than 65,536 labels,
// smoothing above 1e200), so that a model Load
// accepts saves back to the bytes it was read from, apart from the feature
// config, which older files spell differently.
const (
	modelMagic = "CLAIMSNB"
	// FormatVersion is the version of the saved model format written by Save.
	FormatVersion = 1
	// maxPayload bounds the payload a saved model may declare (1 GiB).
	maxPayload = 1 << 30
	// maxSavedLabels bounds the labels of a saved model. It is above
	// MaxLabelsCap: builds before that cap let a model grow to 65,536
	// labels, and their files still load (with no new label learned).
	maxSavedLabels = 1 << 16
	// maxSavedAlpha bounds the smoothing of a saved model: times any
	// vocabulary a model could reach (far below 1e100 features), it stays
	// finite.
	maxSavedAlpha = 1e200
)

// state is everything saved about a model.
type state struct {
	counts    *counts
	cfg       FeatureConfig
	alpha     float64
	version   uint64
	trained   time.Time
	revision  int    // FeatureRevision of the counts
	tokenizer string // fingerprint of the tokenizer of the counts; "" if unknown
}

// savedConfig is the feature config as saved: FeatureConfig's fields and
// the extractor revision and the tokenizer's fingerprint, in one JSON
// object. Files written before the revision was recorded lack it and read
// as revision 1; files written before the tokenizer was recorded lack it
// and read as an unknown tokenizer. Temperature stands in for
// FeatureConfig's (the outer field wins, and encodes in its place), so
// that a file without one reads as nil (see defaultTemperature).
type savedConfig struct {
	FeatureConfig
	Temperature *float64 `json:"temperature"`
	Revision    int      `json:"revision,omitempty"`
	Tokenizer   string   `json:"tokenizer,omitempty"`
}

// defaultTemperature returns the temperature of fc, read from a file that
// records none (a build's from before temperatures were saved): the
// default features' own when fc is the default features, so that such a
// default model is as sure of itself as a new one (its labels are
// unchanged either way), else 0.
func defaultTemperature(fc FeatureConfig) float64 {
	def := DefaultFeatures()
	t := def.Temperature
	def.Temperature = 0
	if fc == def {
		return t
	}
	return 0
}

// Save writes the model to w in the versioned binary format. It may run
// concurrently with training and never waits for it: it writes the version
// that classification currently uses.
//
// A model whose FeatureConfig fails Validate (see WithFeatures) is not
// saved: Save returns the error, so that no file is written that Load
// would refuse.
func (c *Classifier) Save(w io.Writer) error {
	st := c.snap.Load().state()
	if err := st.cfg.Validate(); err != nil {
		return err
	}
	_, err := w.Write(st.encode())
	return err
}

// Load reads a model saved by Save and returns a Classifier that tokenizes
// with tok. The saved model's features, smoothing, version and training
// time override WithFeatures and WithAlpha; WithClock, WithPersist,
// WithMaxLabels, WithMaxFeatures and WithMaxLearned apply. A file that
// records no temperature (from a build before temperatures were saved)
// reads as temperature 0, or as the default features' own when its
// features are the default ones, so that such a default model's
// probabilities are tempered as a new one's are (its labels do not
// change). A corrupt, truncated or foreign input returns an error wrapping
// ErrBadModel; a read that fails otherwise returns an error wrapping the
// reader's. tok must be usable: nil is an error.
func Load(r io.Reader, tok TokenAppender, opts ...Option) (*Classifier, error) {
	if tok == nil {
		return nil, errors.New("classifier.Load: nil TokenAppender")
	}
	st, err := decodeState(r)
	if err != nil {
		return nil, err
	}
	c := New(tok, opts...)
	c.cfg, c.alpha = st.cfg, st.alpha
	c.adopt(st)
	return c, nil
}

// adopt makes st's counts, version, training time and provenance the
// model's and publishes them; Load calls it on a new classifier, Reload
// under the writers' lock.
func (c *Classifier) adopt(st *state) {
	c.counts, c.version, c.trained, c.revision, c.tokenizer = st.counts, st.version, st.trained, st.revision, st.tokenizer
	c.counts.names = nil
	c.publish(nil, nil)
}

// Reload replaces the model's counts, version and training time with
// those of a model that Save wrote, read from r, as one change: a
// classification under way finishes on the model it started with, and a
// change (Learn, Forget, Replace) applies to the model before the reload
// or to the one after, whole. The version may go down. The classifier
// keeps its tokenizer, options (limits, persistence), feature
// configuration and smoothing, and does not save what it read: a model
// saved with another FeatureConfig or smoothing is refused with
// ErrReloadConfig (Load reads it). On any error (that one, ErrBadModel,
// r's error) the classifier is unchanged. A server that only serves a
// model another one trains reloads it this way.
func (c *Classifier) Reload(r io.Reader) error {
	st, err := decodeState(r)
	if err != nil {
		return err
	}
	// cfg and alpha never change after New or Load: changes extract their
	// features with them before they take the lock.
	if st.cfg != c.cfg || st.alpha != c.alpha {
		return fmt.Errorf("%w (features %s, smoothing %g) than the served one's (features %s, smoothing %g): restart to serve it", ErrReloadConfig, configJSON(st.cfg), st.alpha, configJSON(c.cfg), c.alpha)
	}
	c.writer <- struct{}{} // the writers' lock, however long a change holds it
	defer c.unlock()
	c.adopt(st)
	return nil
}

// configJSON is fc as a saved model records it.
func configJSON(fc FeatureConfig) string {
	b, _ := json.Marshal(fc) // a FeatureConfig always encodes
	return string(b)
}

// ContentHash returns the SHA-256 of the model's saved bytes (what Save
// writes now), in lower-case hex. It never waits for training.
func (c *Classifier) ContentHash() string { return c.snap.Load().info.ContentHash }

func (st *state) encode() []byte { return st.encodeRows(st.counts.sorted()) }

// headerLen is the length of the magic, format version and payload length.
const headerLen = len(modelMagic) + 4 + 8

// encodeRows is encode with the counts' features already in hash order.
// The payload is written after room left for the header, which is filled
// in once the payload's length is known.
func (st *state) encodeRows(rows []entry) []byte {
	c := st.counts
	size := headerLen + 64 + len(c.examples)*18 + sha256.Size
	for _, r := range rows {
		size += 8 + 2 + len(c.rows.name[r.row]) + 2*len(c.labels)
	}
	out := make([]byte, headerLen, size)
	out = st.appendPayload(out, rows)
	p := out[headerLen:]
	copy(out, modelMagic)
	binary.BigEndian.PutUint32(out[len(modelMagic):], FormatVersion)
	binary.BigEndian.PutUint64(out[len(modelMagic)+4:], uint64(len(p)))
	sum := sha256.Sum256(p)
	return append(out, sum[:]...)
}

// savedTime is t as saved: nanoseconds since the Unix epoch, 0 for the zero
// time (never trained). A time outside what an int64 of nanoseconds holds
// (the years 1678 to 2262) is saved as the nearest one inside, and the
// epoch itself 1 ns later, so that neither reads back as another date or
// as never trained.
func savedTime(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	case t.UnixNano() == 0:
		return 1
	}
	return t.UnixNano()
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendPayload appends the payload to b; rows are the features in hash
// order.
func (st *state) appendPayload(b []byte, rows []entry) []byte {
	c := st.counts
	cfg, _ := json.Marshal(savedConfig{st.cfg, &st.cfg.Temperature, st.revision, st.tokenizer}) // valid configs (Validate) cannot fail
	b = appendString(b, string(cfg))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(st.alpha))
	b = binary.AppendUvarint(b, st.version)
	b = binary.AppendVarint(b, savedTime(st.trained))
	b = binary.AppendUvarint(b, uint64(len(c.labels)))
	for i, l := range c.labels {
		b = appendString(b, l)
		b = binary.AppendUvarint(b, uint64(c.docs[i]))
	}
	b = binary.AppendUvarint(b, uint64(len(rows)))
	for _, r := range rows {
		b = binary.BigEndian.AppendUint64(b, r.h)
		b = appendString(b, c.rows.name[r.row])
		for _, n := range c.rows.counts(r.row) {
			if uint64(n) < 0x80 {
				b = append(b, byte(n))
				continue
			}
			b = binary.AppendUvarint(b, uint64(n))
		}
	}
	keys := make([]exampleKey, 0, len(c.examples))
	for k := range c.examples {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y exampleKey) int { return bytes.Compare(x[:], y[:]) })
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = append(b, k[:]...)
		b = binary.AppendUvarint(b, uint64(c.examples[k]))
	}
	return b
}

func badModel(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadModel, fmt.Sprintf(format, args...))
}

// readFailed returns the error of a read of the model that ended early:
// a truncated file (io.EOF or io.ErrUnexpectedEOF) is a bad model, and any
// other error is the reader's, returned as it is so that errors.Is finds
// it (a transient I/O error is no reason to give the file up).
func readFailed(err error, format string, args ...any) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return badModel(format, args...)
	}
	return fmt.Errorf("reading the model: %w", err)
}

func decodeState(r io.Reader) (*state, error) {
	br := bufio.NewReader(r)
	var hdr [20]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, readFailed(err, "header: %v", err)
	}
	if string(hdr[:8]) != modelMagic {
		return nil, badModel("missing %q magic", modelMagic)
	}
	if v := binary.BigEndian.Uint32(hdr[8:12]); v != FormatVersion {
		return nil, badModel("format version %d, this build reads %d", v, FormatVersion)
	}
	n := binary.BigEndian.Uint64(hdr[12:20])
	if n > maxPayload {
		return nil, badModel("payload of %d bytes exceeds %d", n, maxPayload)
	}
	// Read without trusting n for the allocation: a forged length on a short
	// file fails at EOF instead of allocating.
	payload, err := io.ReadAll(io.LimitReader(br, int64(n)))
	if err != nil {
		return nil, readFailed(err, "payload: %v", err)
	}
	if uint64(len(payload)) != n {
		return nil, badModel("truncated: payload has %d of %d bytes", len(payload), n)
	}
	var sum [32]byte
	if _, err := io.ReadFull(br, sum[:]); err != nil {
		return nil, readFailed(err, "truncated checksum")
	}
	if sha256.Sum256(payload) != sum {
		return nil, badModel("checksum mismatch")
	}
	if _, err := br.ReadByte(); err == nil {
		return nil, badModel("trailing data after checksum")
	} else if err != io.EOF {
		return nil, readFailed(err, "")
	}
	d := decoder{b: payload}
	st, err := d.state()
	if err != nil {
		return nil, err
	}
	return st, nil
}

// decoder reads the payload, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

var (
	errShort      = errors.New("unexpected end of payload")
	errLongVarint = errors.New("varint longer than needed")
)

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	if n != uvarintLen(v) {
		d.fail(errLongVarint)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// uvarintLen is the length of v as binary.AppendUvarint writes it.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	if ux := uint64(v) << 1; (v >= 0 && n != uvarintLen(ux)) || (v < 0 && n != uvarintLen(^ux)) {
		d.fail(errLongVarint)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) u64() uint64 {
	if d.err != nil || len(d.b) < 8 {
		d.fail(errShort)
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail(errShort)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes(d.uvarint())) }

// maxSavedCount bounds every example count and every sum of counts in a
// saved model (2^50, about 10^15), far above any real corpus; it keeps sums
// of counts from overflowing while a model is decoded and scored. A
// feature's counts are bounded by maxFeatureCount.
const maxSavedCount = 1 << 50

// accumulate adds n to *acc, failing once the sum passes maxSavedCount.
func (d *decoder) accumulate(acc *int64, n int64, what string) {
	if *acc > maxSavedCount-n {
		d.fail(fmt.Errorf("%s out of range", what))
		return
	}
	*acc += n
}

// count reads a count that must fit in an int64 and be at most limit.
func (d *decoder) count(limit uint64, what string) int64 {
	v := d.uvarint()
	if v > limit {
		d.fail(fmt.Errorf("%s %d out of range", what, v))
		return 0
	}
	return int64(v)
}

func (d *decoder) state() (*state, error) {
	st := &state{counts: newCounts()}
	var sc savedConfig
	if err := json.Unmarshal([]byte(d.string()), &sc); err != nil && d.err == nil {
		return nil, badModel("feature config: %v", err)
	}
	st.cfg, st.revision, st.tokenizer = sc.FeatureConfig, sc.Revision, sc.Tokenizer
	if sc.Temperature != nil {
		st.cfg.Temperature = *sc.Temperature
	} else {
		st.cfg.Temperature = defaultTemperature(st.cfg)
	}
	switch {
	case st.revision == 0:
		st.revision = 1
	case st.revision < 0:
		return nil, badModel("feature revision %d out of range", st.revision)
	}
	if len(st.tokenizer) > maxFingerprint {
		return nil, badModel("tokenizer fingerprint of %d bytes", len(st.tokenizer))
	}
	st.alpha = math.Float64frombits(d.u64())
	st.version = d.uvarint()
	if t := d.varint(); t != 0 {
		st.trained = time.Unix(0, t).UTC()
	}
	c := st.counts
	nl := d.count(maxSavedLabels, "label count")
	var examples int64
	for range nl {
		l := d.string()
		c.labels = append(c.labels, l)
		n := d.count(maxSavedCount, "example count")
		if n == 0 && d.err == nil {
			d.fail(fmt.Errorf("label %q has no examples", l))
		}
		d.accumulate(&examples, n, "examples in all")
		c.docs = append(c.docs, n)
	}
	c.total = make([]int64, len(c.labels))
	L := len(c.labels)
	w := L + 1
	c.rows.width = w
	nf := d.count(uint64(len(d.b)), "feature count") // each feature takes > 1 byte
	// A feature takes at least 9+L bytes, which bounds what a valid payload
	// can hold: room for that many rows is all that is made up front.
	if k := min(int(nf), len(d.b)/(9+L)); k > 0 {
		c.rows.n = make([]int32, 0, k*w)
		c.rows.hash = make([]uint64, 0, k)
		c.rows.name = make([]string, 0, k)
		c.index = make(map[uint64]int32, k)
	}
	for i := range nf {
		h := d.u64()
		if i > 0 && h <= c.rows.hash[len(c.rows.hash)-1] && d.err == nil {
			return nil, badModel("features not in hash order")
		}
		name := d.string()
		row := c.newRow(h, name)
		n := c.rows.n[int(row)*w : (int(row)+1)*w]
		var sum int64
		for l := range L {
			k := d.count(maxFeatureCount, "count of a feature")
			n[l] = int32(k)
			d.accumulate(&sum, k, "feature total")
			d.accumulate(&c.total[l], k, "label total")
		}
		if sum > maxFeatureCount && d.err == nil {
			d.fail(fmt.Errorf("feature %q: total count %d out of range (at most %d)", name, sum, maxFeatureCount))
		}
		n[L] = int32(sum)
		if d.err != nil {
			break
		}
		if sum <= 0 {
			return nil, badModel("feature %q: zero counts", name)
		}
		c.index[h] = row
	}
	// Scoring sums the label totals too (complement NB).
	var all int64
	for _, t := range c.total {
		d.accumulate(&all, t, "total of all counts")
	}
	ne := d.count(uint64(len(d.b)), "example key count")
	var prev exampleKey
	for i := range ne {
		var k exampleKey
		copy(k[:], d.bytes(16))
		n := d.count(math.MaxInt32, "example multiplicity")
		if d.err != nil {
			break
		}
		if i > 0 && bytes.Compare(prev[:], k[:]) >= 0 {
			return nil, badModel("example keys not in order")
		}
		if n == 0 {
			return nil, badModel("example learned zero times")
		}
		c.examples[k], prev = int32(n), k
	}
	if d.err != nil {
		return nil, badModel("%v", d.err)
	}
	if len(d.b) != 0 {
		return nil, badModel("%d unread payload bytes", len(d.b))
	}
	// Older builds took any finite smoothing (WithAlpha now stops at
	// MaxAlpha); one so large that the smoothed totals could overflow as
	// the vocabulary grows, which would make every probability NaN, is
	// refused.
	if !(st.alpha > 0 && st.alpha <= maxSavedAlpha) {
		return nil, badModel("smoothing %v is not positive, or so large that the model's sums could overflow", st.alpha)
	}
	if err := st.cfg.Validate(); err != nil {
		return nil, badModel("%v", err)
	}
	for i, l := range c.labels {
		if nl, err := NormalizeLabel(l); err != nil || nl != l {
			return nil, badModel("label %q is not valid", l)
		}
		if i > 0 && c.labels[i-1] >= l {
			return nil, badModel("labels not sorted and unique")
		}
	}
	return st, nil
}
