package classifier

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// OtherLabel is the label of sentences that make no claim. Macro-F1 is
// averaged over every label but this one.
const OtherLabel = "other"

// LabelMetrics are one label's scores.
type LabelMetrics struct {
	Label     string  // the label
	Precision float64 // of the examples predicted Label, the share that are
	Recall    float64 // of the examples that are Label, the share predicted so
	F1        float64 // the harmonic mean of Precision and Recall
	Support   int     // gold examples with this label
}

// Metrics summarise predictions against gold labels.
type Metrics struct {
	// ModelVersion is the version of the model Evaluate scored (0 from
	// Score and CrossValidate).
	ModelVersion uint64
	Examples     int     // examples scored
	Accuracy     float64 // the share of them predicted right
	// MacroF1 is the mean F1 over the claim labels: every label in Labels
	// except OtherLabel (all of them when there is no OtherLabel; 0 when
	// OtherLabel is the only one). A label that is only predicted, never
	// gold, counts with F1 0.
	MacroF1  float64
	PerLabel []LabelMetrics // in Labels order
	Labels   []string       // sorted; rows and columns of Confusion
	// Confusion[i][j] counts examples of gold label Labels[i] predicted as
	// Labels[j].
	Confusion [][]int
	// Calibration counts the predictions by their confidence, from
	// Evaluate and CrossValidate (Score has no confidences: it leaves it
	// empty).
	Calibration Calibration
}

// Score computes Metrics for predictions against gold labels, pair by
// pair; if the lengths differ, only the pairs both have are scored. Labels
// are the union of both, sorted.
func Score(gold, predicted []string) Metrics {
	pairs := min(len(gold), len(predicted))
	gold, predicted = gold[:pairs], predicted[:pairs]
	var labels []string
	for _, l := range gold {
		labels = append(labels, l)
	}
	labels = append(labels, predicted...)
	slices.Sort(labels)
	labels = slices.Compact(labels)
	idx := make(map[string]int, len(labels))
	for i, l := range labels {
		idx[l] = i
	}
	m := Metrics{Examples: len(gold), Labels: labels, Confusion: make([][]int, len(labels))}
	for i := range m.Confusion {
		m.Confusion[i] = make([]int, len(labels))
	}
	correct := 0
	for i := range gold {
		g, p := idx[gold[i]], idx[predicted[i]]
		m.Confusion[g][p]++
		if g == p {
			correct++
		}
	}
	if len(gold) > 0 {
		m.Accuracy = float64(correct) / float64(len(gold))
	}
	var sum float64
	n := 0
	hasOther := idx[OtherLabel] > 0 || (len(labels) > 0 && labels[0] == OtherLabel)
	for i, l := range labels {
		tp := m.Confusion[i][i]
		var fp, fn int
		for j := range labels {
			if j != i {
				fp += m.Confusion[j][i]
				fn += m.Confusion[i][j]
			}
		}
		lm := LabelMetrics{Label: l, Support: tp + fn}
		if tp+fp > 0 {
			lm.Precision = float64(tp) / float64(tp+fp)
		}
		if tp+fn > 0 {
			lm.Recall = float64(tp) / float64(tp+fn)
		}
		if lm.Precision+lm.Recall > 0 {
			lm.F1 = 2 * lm.Precision * lm.Recall / (lm.Precision + lm.Recall)
		}
		m.PerLabel = append(m.PerLabel, lm)
		if !hasOther || l != OtherLabel {
			sum += lm.F1
			n++
		}
	}
	if n > 0 {
		m.MacroF1 = sum / float64(n)
	}
	return m
}

// Evaluate classifies the examples' texts and scores them against their
// labels without changing the model; every example is scored by the same
// version of it, which Metrics.ModelVersion reports. Examples are
// validated like Learn's. A label the model lacks is scored as missed,
// but the examples may name no more such labels than the model's label
// limit (WithMaxLabels), since the confusion matrix grows with the square
// of the labels: past it, Evaluate fails with an *ExampleError wrapping
// ErrTooManyLabelsToScore for the first label over it. Once ctx is done,
// Evaluate stops with its error.
func (c *Classifier) Evaluate(ctx context.Context, examples []Example) (Metrics, error) {
	exs, err := normalizeExamples(examples)
	if err != nil {
		return Metrics{}, err
	}
	s := c.snap.Load()
	if len(s.labels) < 2 {
		return Metrics{}, ErrTooFewLabels
	}
	unknown := make(map[string]bool)
	for i, ex := range exs {
		if _, known := slices.BinarySearch(s.labels, ex.Label); known || unknown[ex.Label] {
			continue
		}
		if len(unknown) == c.maxLabels {
			return Metrics{}, &ExampleError{Index: i, Field: "label", Err: fmt.Errorf("%w: the limit is %d", ErrTooManyLabelsToScore, c.maxLabels)}
		}
		unknown[ex.Label] = true
	}
	var t tally
	for i, ex := range exs {
		p, err := c.classify(ctx, s, ex.Text, 0)
		if cerr := ctx.Err(); cerr != nil {
			return Metrics{}, cerr
		}
		if err != nil {
			return Metrics{}, &ExampleError{Index: i, Field: "text", Err: err}
		}
		t.add(ex.Label, p)
	}
	if err := ctx.Err(); err != nil {
		return Metrics{}, err
	}
	m := t.metrics()
	m.ModelVersion = s.info.Version
	return m, nil
}

// CrossValidate runs k-fold cross-validation: the examples are shuffled with
// seed, split into k folds, and each fold is scored by a fresh classifier
// (made by newModel) trained on the other folds. The predictions of all
// folds are scored together. A k below 2 counts as 2, and a k above the
// number of examples as that number (leave-one-out), so fewer than two
// examples fail with ErrNoExamples. Every fold's training part must name
// at least two labels, else the run fails with ErrTooFewLabels. newModel
// must return a new, empty classifier each time: a nil one is an error.
func CrossValidate(examples []Example, k int, seed uint64, newModel func() *Classifier) (Metrics, error) {
	if newModel == nil {
		return Metrics{}, errors.New("classifier.CrossValidate: nil newModel")
	}
	exs, err := normalizeExamples(examples)
	if err != nil {
		return Metrics{}, err
	}
	if k < 2 || k > len(exs) {
		k = min(max(k, 2), len(exs))
	}
	order := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)).Perm(len(exs))
	var t tally
	for f := range k {
		var train, test []Example
		for i, j := range order {
			if i%k == f {
				test = append(test, exs[j])
			} else {
				train = append(train, exs[j])
			}
		}
		m := newModel()
		if m == nil {
			return Metrics{}, fmt.Errorf("fold %d of %d: classifier.CrossValidate: newModel returned nil", f+1, k)
		}
		if _, err := m.Replace(context.Background(), train); err != nil {
			return Metrics{}, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
		}
		for _, ex := range test {
			p, err := m.Classify(ex.Text)
			if err != nil {
				return Metrics{}, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
			}
			t.add(ex.Label, p)
		}
	}
	return t.metrics(), nil
}

// tally gathers predictions against their gold labels for Metrics: the
// labels for Score, the confidences for the Calibration.
type tally struct {
	gold, pred []string
	cal        Calibration
}

// add counts prediction p of an example labeled gold.
func (t *tally) add(gold string, p Prediction) {
	t.gold = append(t.gold, gold)
	t.pred = append(t.pred, p.Label)
	t.cal.Add(p.Confidence, p.Label == gold)
}

// metrics scores what was added.
func (t *tally) metrics() Metrics {
	m := Score(t.gold, t.pred)
	m.Calibration = t.cal
	return m
}
