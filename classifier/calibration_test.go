package classifier

import (
	"context"
	"math"
	"testing"
)

// TestCalibrationAdd counts confidences into their bins: [0.1, 0.2) is the
// second, 1 falls in the last, and values outside 0 to 1 in the nearest.
func TestCalibrationAdd(t *testing.T) {
	for _, tt := range []struct {
		conf float64
		bin  int
		sum  float64
	}{
		{0, 0, 0},
		{0.05, 0, 0.05},
		{0.1, 1, 0.1},
		{0.25, 2, 0.25},
		{0.999, 9, 0.999},
		{1, 9, 1},
		{1.5, 9, 1},
		{math.Inf(1), 9, 1},
		{1e300, 9, 1},
		{0.8999999999999999, 8, 0.8999999999999999},
		{0.3, 3, 0.3},
		{0.7, 7, 0.7},
		{-1, 0, 0},
		{math.Inf(-1), 0, 0},
		{math.NaN(), 0, 0},
	} {
		var c Calibration
		c.Add(tt.conf, true)
		if len(c.Bins) != CalibrationBins {
			t.Fatalf("Add(%v): got %d bins, want %d", tt.conf, len(c.Bins), CalibrationBins)
		}
		b := c.Bins[tt.bin]
		if b.Examples != 1 || b.Correct != 1 || math.Abs(b.ConfidenceSum-tt.sum) > 1e-12 || c.Examples() != 1 {
			t.Errorf("Add(%v): got bin %d = %+v, want it to hold the prediction with confidence sum %v", tt.conf, tt.bin, b, tt.sum)
		}
		if want := float64(tt.bin) / 10; math.Abs(b.Low-want) > 1e-12 || math.Abs(b.High-want-0.1) > 1e-12 {
			t.Errorf("Add(%v): got bin [%v, %v), want [%v, %v)", tt.conf, b.Low, b.High, want, want+0.1)
		}
	}
}

// TestCalibrationError checks the expected calibration error against a
// hand computation: four predictions at 0.95, three of them right (|3 -
// 3.8| = 0.8), and two at 0.55, one right (|1 - 1.1| = 0.1): (0.8 + 0.1)
// / 6.
func TestCalibrationError(t *testing.T) {
	var c Calibration
	if c.Error() != 0 || c.Examples() != 0 || c.Bins != nil {
		t.Errorf("empty: got error %v, %d examples, bins %v; want 0, 0, nil", c.Error(), c.Examples(), c.Bins)
	}
	for i := range 4 {
		c.Add(0.95, i < 3)
	}
	c.Add(0.55, true)
	c.Add(0.55, false)
	if got, want := c.Error(), 0.9/6; math.Abs(got-want) > 1e-12 {
		t.Errorf("got error %v, want %v", got, want)
	}
	b := c.Bins[9]
	if got, want := b.Accuracy(), 0.75; got != want {
		t.Errorf("bin 9: got accuracy %v, want %v", got, want)
	}
	if got, want := b.MeanConfidence(), 0.95; math.Abs(got-want) > 1e-12 {
		t.Errorf("bin 9: got mean confidence %v, want %v", got, want)
	}
	if e := c.Bins[0]; e.Accuracy() != 0 || e.MeanConfidence() != 0 {
		t.Errorf("empty bin: got accuracy %v and mean confidence %v, want 0 and 0", e.Accuracy(), e.MeanConfidence())
	}
}

// TestCalibrationMerge adds tables together, and refuses one of other
// bins without changing anything.
func TestCalibrationMerge(t *testing.T) {
	var a, b, whole Calibration
	for i, conf := range []float64{0.3, 0.5, 0.95, 0.97, 0.99} {
		right := i%2 == 0
		whole.Add(conf, right)
		if i < 2 {
			a.Add(conf, right)
		} else {
			b.Add(conf, right)
		}
	}
	var sum Calibration
	for _, c := range []Calibration{a, {}, b} {
		if !sum.Merge(c) {
			t.Fatalf("Merge(%+v): refused", c)
		}
	}
	for i := range whole.Bins {
		g, w := sum.Bins[i], whole.Bins[i]
		if g.Examples != w.Examples || g.Correct != w.Correct || math.Abs(g.ConfidenceSum-w.ConfidenceSum) > 1e-12 {
			t.Errorf("bin %d: got %+v, want %+v", i, g, w)
		}
	}
	// Refused into an empty table, nothing changes either.
	var empty Calibration
	if empty.Merge(Calibration{Bins: make([]CalibrationBin, CalibrationBins)}) || empty.Bins != nil {
		t.Errorf("Merge of other edges into an empty table: got accepted or bins %v, want refused and none", empty.Bins)
	}
	before := sum.Error()
	for _, bad := range []Calibration{{Bins: make([]CalibrationBin, 3)}, {Bins: make([]CalibrationBin, CalibrationBins)}} {
		if sum.Merge(bad) || sum.Error() != before || sum.Examples() != 5 {
			t.Errorf("Merge of %d bins with other edges: got accepted or a change, want refused", len(bad.Bins))
		}
	}
}

// TestEvaluateCalibration: Evaluate and CrossValidate count every
// prediction in Metrics.Calibration, and Score counts none.
func TestEvaluateCalibration(t *testing.T) {
	exs := []Example{{"a b", "x"}, {"a c", "y"}, {"b b", "x"}, {"c c", "y"}, {"b c", "x"}}
	c := newTest(t, FeatureConfig{}, 1, exs...)
	m, err := c.Evaluate(context.Background(), exs)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for _, b := range m.Calibration.Bins {
		right += b.Correct
	}
	if got := m.Calibration.Examples(); got != len(exs) || right != int(math.Round(m.Accuracy*float64(len(exs)))) {
		t.Errorf("Evaluate: got %d predictions, %d right; want %d, and accuracy %v", got, right, len(exs), m.Accuracy)
	}
	cv, err := CrossValidate(exs, 5, 1, func() *Classifier { return New(spaceTokens{}, WithFeatures(FeatureConfig{})) })
	if err != nil {
		t.Fatal(err)
	}
	if got := cv.Calibration.Examples(); got != len(exs) {
		t.Errorf("CrossValidate: got %d predictions, want %d", got, len(exs))
	}
	if s := Score([]string{"x"}, []string{"x"}); s.Calibration.Bins != nil {
		t.Errorf("Score: got calibration %+v, want none", s.Calibration)
	}
}
