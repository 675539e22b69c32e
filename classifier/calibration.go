package classifier

import "math"

// CalibrationBins is how many bins of equal width a Calibration splits
// confidences from 0 to 1 into.
const CalibrationBins = 10

// CalibrationBin counts the predictions whose confidence fell in [Low,
// High) (the last bin holds 1 too): how many, how many were right, and
// their confidences' sum.
type CalibrationBin struct {
	Low, High     float64
	Examples      int
	Correct       int
	ConfidenceSum float64
}

// Accuracy is the share of the bin's predictions that were right, or 0
// for an empty bin.
func (b CalibrationBin) Accuracy() float64 {
	if b.Examples == 0 {
		return 0
	}
	return float64(b.Correct) / float64(b.Examples)
}

// MeanConfidence is the mean confidence of the bin's predictions, or 0 for
// an empty bin.
func (b CalibrationBin) MeanConfidence() float64 {
	if b.Examples == 0 {
		return 0
	}
	return b.ConfidenceSum / float64(b.Examples)
}

// Calibration is a reliability table: predictions counted by confidence
// (Prediction.Confidence), in CalibrationBins bins. A model whose
// confidences can be taken at their word has, in every bin, an accuracy
// near its mean confidence. The zero value is empty and ready to use.
type Calibration struct {
	Bins []CalibrationBin // CalibrationBins bins, lowest first; nil when empty
}

// Add counts one prediction of the given confidence, right or not. A
// confidence outside 0 to 1 is counted in the nearest bin, and NaN in the
// lowest.
func (c *Calibration) Add(confidence float64, right bool) {
	c.init()
	i := 0
	switch {
	case confidence >= 1:
		i = CalibrationBins - 1
	case confidence > 0:
		// The product may round across an edge (0.8999999999999999 * 10
		// is 9): the bins' own edges decide.
		i = int(confidence * CalibrationBins)
		if c.Bins[i].Low > confidence {
			i--
		} else if i+1 < CalibrationBins && confidence >= c.Bins[i+1].Low {
			i++
		}
	}
	b := &c.Bins[i]
	b.Examples++
	if right {
		b.Correct++
	}
	if !math.IsNaN(confidence) {
		b.ConfidenceSum += min(max(confidence, 0), 1)
	}
}

// Merge adds the counts of o, a Calibration of other predictions, to c.
// It reports false, and changes nothing, when o's bins are not c's (a
// table from another bin count).
func (c *Calibration) Merge(o Calibration) bool {
	if o.Bins == nil {
		return true
	}
	if len(o.Bins) != CalibrationBins {
		return false
	}
	for i, b := range o.Bins {
		if b.Low != binLow(i) || b.High != binLow(i+1) {
			return false
		}
	}
	c.init()
	for i, b := range o.Bins {
		c.Bins[i].Examples += b.Examples
		c.Bins[i].Correct += b.Correct
		c.Bins[i].ConfidenceSum += b.ConfidenceSum
	}
	return true
}

// Examples is the number of predictions counted.
func (c Calibration) Examples() int {
	n := 0
	for _, b := range c.Bins {
		n += b.Examples
	}
	return n
}

// Error is the expected calibration error: the gap between each bin's
// accuracy and its mean confidence, averaged over the predictions (0 for
// none). 0 is perfect; a model that says 0.99 and is right 72% of the time
// scores about 0.27.
func (c Calibration) Error() float64 {
	n := c.Examples()
	if n == 0 {
		return 0
	}
	var sum float64
	for _, b := range c.Bins {
		sum += math.Abs(float64(b.Correct) - b.ConfidenceSum)
	}
	return sum / float64(n)
}

// init makes the bins of an empty Calibration.
func (c *Calibration) init() {
	if c.Bins != nil {
		return
	}
	c.Bins = make([]CalibrationBin, CalibrationBins)
	for i := range c.Bins {
		c.Bins[i].Low, c.Bins[i].High = binLow(i), binLow(i+1)
	}
}

// binLow is the lowest confidence of bin i (and the highest of bin i-1).
func binLow(i int) float64 { return float64(i) / CalibrationBins }
