package classifier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// reseal wraps payload in a header and checksum, as Save does, so that a
// forged payload reaches the decoder.
func reseal(payload []byte) []byte {
	out := make([]byte, headerLen, headerLen+len(payload)+sha256.Size)
	copy(out, modelMagic)
	binary.BigEndian.PutUint32(out[len(modelMagic):], FormatVersion)
	binary.BigEndian.PutUint64(out[len(modelMagic)+4:], uint64(len(payload)))
	out = append(out, payload...)
	sum := sha256.Sum256(payload)
	return append(out, sum[:]...)
}

// payloadOf is the payload of a saved model.
func payloadOf(data []byte) []byte { return data[headerLen : len(data)-sha256.Size] }

// labelCountAt is the offset in payload of the label count: after the
// config string, the smoothing, the version and the training time.
func labelCountAt(t *testing.T, payload []byte) int {
	t.Helper()
	n, k := binary.Uvarint(payload)
	off := k + int(n) + 8
	_, k = binary.Uvarint(payload[off:])
	off += k
	_, k = binary.Varint(payload[off:])
	if k <= 0 {
		t.Fatal("payload too short")
	}
	return off + k
}

// TestLoadRejectsNonCanonical forges files with a valid checksum that hold
// what Save never writes: each is refused, so that what Load accepts saves
// back to the same bytes.
func TestLoadRejectsNonCanonical(t *testing.T) {
	c := newTest(t, FeatureConfig{}, 1, Example{"a b", "x"}, Example{"a c", "y"})
	good := saved(t, c)
	p := payloadOf(good)
	at := labelCountAt(t, p)
	if p[at] != 2 {
		t.Fatalf("label count byte: got %d, want 2", p[at])
	}
	// The examples end the payload: their count, then 16-byte keys each
	// followed by a one-byte multiplicity.
	const rec = 17
	ex := len(p) - 2*rec
	first, second := p[ex:ex+rec], p[ex+rec:]
	st := c.state()
	rows := st.counts.sorted()
	tests := []struct {
		name    string
		payload []byte
		want    string // in the error
	}{
		{"long varint", slices.Concat(p[:at], []byte{0x82, 0x00}, p[at+1:]), "varint longer than needed"},
		{"too many labels", slices.Concat(p[:at], binary.AppendUvarint(nil, maxSavedLabels+1), p[at+1:]), "label count 65537 out of range"},
		{"features out of order", payloadOf(st.encodeRows([]entry{rows[1], rows[0]})), "not in hash order"},
		{"example keys out of order", slices.Concat(p[:ex], second, first), "keys not in order"},
		{"example key twice", slices.Concat(p[:ex], first, first), "keys not in order"},
		{"example learned zero times", slices.Concat(p[:ex], first, second[:16], []byte{0}), "zero times"},
		{"smoothing that could overflow", payloadOf((&state{counts: st.counts, cfg: st.cfg, alpha: 1e201, revision: st.revision}).encode()), "so large that the model's sums could overflow"},
	}
	if ok, err := Load(bytes.NewReader(reseal(p)), spaceTokens{}); err != nil || !bytes.Equal(saved(t, ok), good) {
		t.Fatalf("resealed good payload: got %v, want a model that saves to the same bytes", err)
	}
	// What older builds saved still loads: smoothing above MaxAlpha, up
	// to maxSavedAlpha.
	for _, alpha := range []float64{MaxAlpha * 5, maxSavedAlpha} {
		if _, err := Load(bytes.NewReader((&state{counts: st.counts, cfg: st.cfg, alpha: alpha, revision: st.revision}).encode()), spaceTokens{}); err != nil {
			t.Errorf("smoothing %v: got %v, want the model", alpha, err)
		}
	}
	for _, tt := range tests {
		_, err := Load(bytes.NewReader(reseal(tt.payload)), spaceTokens{})
		if !errors.Is(err, ErrBadModel) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want ErrBadModel: …%s…", tt.name, err, tt.want)
		}
	}
}

// TestSavedTime checks the training time through Save and Load, at the
// edges of what nanoseconds since the epoch hold.
func TestSavedTime(t *testing.T) {
	tests := []struct {
		name     string
		clock    time.Time
		want     time.Time
		wantZero bool
	}{
		{"ordinary", time.Date(2026, 12, 6, 13, 0, 0, 5, time.UTC), time.Date(2026, 12, 6, 13, 0, 0, 5, time.UTC), false},
		{"epoch", time.Unix(0, 0), time.Unix(0, 1), false},
		{"before 1678", time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, -1<<63), false},
		{"after 2262", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 1<<63-1), false},
	}
	for _, tt := range tests {
		c := New(spaceTokens{}, WithClock(func() time.Time { return tt.clock }))
		if _, err := c.Replace(context.Background(), []Example{{"a b", "x"}, {"a c", "y"}}); err != nil {
			t.Fatal(err)
		}
		d, err := Load(bytes.NewReader(saved(t, c)), spaceTokens{})
		if err != nil {
			t.Fatalf("%s: Load: %v", tt.name, err)
		}
		if got := d.Info().TrainedTime; !got.Equal(tt.want) || got.IsZero() {
			t.Errorf("%s: got trained time %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestWorkerPanicReachesCaller checks that a tokenizer panic while a large
// batch is featurized by several goroutines reaches the caller, which can
// recover it, as with a small batch.
func TestWorkerPanicReachesCaller(t *testing.T) {
	for _, n := range []int{10, 2 * parallelMin} {
		exs := make([]Example, n)
		for i := range exs {
			exs[i] = Example{"a b", []string{"x", "y"}[i%2]}
		}
		exs[n-1].Text = "boom"
		c := New(panicTokens{})
		got := func() (v any) {
			defer func() { v = recover() }()
			c.Replace(context.Background(), exs)
			return nil
		}()
		if s, _ := got.(string); !strings.Contains(s, "boom") {
			t.Errorf("%d examples: recovered %v, want the tokenizer's panic", n, got)
		}
		if c.Version() != 0 {
			t.Errorf("%d examples: got version %d after the panic, want 0", n, c.Version())
		}
	}
}

// panicTokens tokenizes like spaceTokens and panics on the word "boom".
type panicTokens struct{}

func (panicTokens) AppendTokens(dst []string, s string) []string {
	if strings.Contains(s, "boom") {
		panic("tokenizer: boom")
	}
	return spaceTokens{}.AppendTokens(dst, s)
}

// TestApplyPanicStopsWorkers: a panic in apply, on the caller's goroutine,
// reaches the caller after the workers have stopped, rather than leaving
// the caller waiting for workers blocked on a slot.
func TestApplyPanicStopsWorkers(t *testing.T) {
	exs := make([]Example, 40*parallelMin)
	for i := range exs {
		exs[i] = Example{fmt.Sprintf("word%d b", i), "x"}
	}
	fc := DefaultFeatures()
	got := func() (v any) {
		defer func() { v = recover() }()
		featurize(context.Background(), spaceTokens{}, &fc, exs, func(i int, _ *featBuf, _ exampleKey) {
			if i == trainChunk {
				panic("apply")
			}
		})
		return nil
	}()
	if got != "apply" {
		t.Errorf("recovered %v, want the panic in apply", got)
	}
}
