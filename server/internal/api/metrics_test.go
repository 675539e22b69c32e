package api

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestSetModelKeepsLatest reports model versions out of order, as two
// Trains finishing together may: the gauges must keep the latest.
func TestSetModelKeepsLatest(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		version  uint64
		examples int64
		want     float64
	}{
		{3, 30, 3},
		{5, 50, 5},
		{4, 40, 5}, // late report of an older version
		{5, 50, 5},
		{6, 60, 6},
	}
	for i, tt := range tests {
		m.setModel(classifier.Info{Version: tt.version, Counts: map[string]int64{"other": tt.examples}})
		if got := gaugeValue(t, m.version); got != tt.want {
			t.Errorf("step %d: got version gauge %v, want %v", i, got, tt.want)
		}
		if got, want := gaugeValue(t, m.examples.WithLabelValues("other")), tt.want*10; got != want {
			t.Errorf("step %d: got examples gauge %v, want %v", i, got, want)
		}
	}
}

// TestSetModelDropsGoneLabels checks that the classified counts of labels
// the model no longer has are dropped: label names come from Train
// requests, and a server retrained with new names again and again must not
// keep a series for each.
func TestSetModelDropsGoneLabels(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		labels []string // the model's labels
		want   []string // series after a classification under each
	}{
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]string{"c", "d"}, []string{"c", "d"}},
		{[]string{"c", "e"}, []string{"c", "e"}},
	}
	for i, st := range steps {
		counts := make(map[string]int64)
		for _, l := range st.labels {
			counts[l] = 1
		}
		m.setModel(classifier.Info{Version: uint64(i + 1), Counts: counts})
		m.classified(len(st.labels), func(i int) string { return st.labels[i] }, func(int) float64 { return 0.5 })
		got := counterLabels(m.sentences)
		slices.Sort(got)
		if !slices.Equal(got, st.want) {
			t.Errorf("step %d: got series %q, want %q", i, got, st.want)
		}
	}
	// A classification that ran on the model before the last change adds
	// no series back for a label that change dropped.
	m.classified(2, func(i int) string { return []string{"d", "c"}[i] }, func(int) float64 { return 0.5 })
	if got := counterLabels(m.sentences); slices.Contains(got, "d") {
		t.Errorf("after a late count of a dropped label: got series %q, want no d", got)
	}
	// A label kept across changes keeps its count.
	var out dto.Metric
	if err := m.sentences.WithLabelValues("c").Write(&out); err != nil {
		t.Fatal(err)
	}
	if got := out.GetCounter().GetValue(); got != 3 {
		t.Errorf("count of the kept label: got %v, want 3", got)
	}
}

// TestConfidenceHistogram observes every classified sentence's
// confidence, whatever its label.
func TestConfidenceHistogram(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	m.setModel(classifier.Info{Version: 1, Counts: map[string]int64{"a": 1}})
	labels := []string{"a", "a", "gone"}
	confs := []float64{0.25, 0.97, 0.995}
	m.classified(len(labels), func(i int) string { return labels[i] }, func(i int) float64 { return confs[i] })
	var out dto.Metric
	if err := m.confidence.Write(&out); err != nil {
		t.Fatal(err)
	}
	h := out.GetHistogram()
	if got, want := h.GetSampleCount(), uint64(3); got != want {
		t.Errorf("got %d observations, want %d", got, want)
	}
	if got, want := h.GetSampleSum(), 0.25+0.97+0.995; got != want {
		t.Errorf("got sum %v, want %v", got, want)
	}
	for _, b := range h.GetBucket() {
		want := uint64(0)
		for _, c := range confs {
			if c <= b.GetUpperBound() {
				want++
			}
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("bucket le %v: got %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
}

func gaugeValue(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var out dto.Metric
	if err := g.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetGauge().GetValue()
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var out dto.Metric
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetCounter().GetValue()
}

// TestReloadMetrics checks the reload counters: a failed reload counts
// and sets the failing gauge, a successful one clears it.
func TestReloadMetrics(t *testing.T) {
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range []struct {
		ok             bool
		fails, failing float64
	}{
		{false, 1, 1},
		{false, 2, 1},
		{true, 2, 0},
		{false, 3, 1},
	} {
		m.reloaded(st.ok)
		if got := counterValue(t, m.reloadFailures); got != st.fails {
			t.Errorf("step %d: got %v failures, want %v", i, got, st.fails)
		}
		if got := gaugeValue(t, m.reloadFailing); got != st.failing {
			t.Errorf("step %d: got failing %v, want %v", i, got, st.failing)
		}
	}
	var none *Metrics
	none.reloaded(false) // a nil Metrics records nothing
	none.saveFailed()
}

// TestClassifyObservesConfidence classifies through the Service: every
// sentence's confidence goes into claims_sentence_confidence_ratio, as its
// label goes into the label counts.
func TestClassifyObservesConfidence(t *testing.T) {
	model, err := apitest.NewModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(model, testLimits(), "test", metrics, slog.New(slog.DiscardHandler))
	resp, err := svc.Classify(context.Background(), &claimsv1.ClassifyRequest{Text: "Rebels blamed for the blast.\nThe ministry denied any involvement."})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, s := range resp.GetSentences() {
		sum += s.GetConfidence()
	}
	var out dto.Metric
	if err := metrics.confidence.Write(&out); err != nil {
		t.Fatal(err)
	}
	if h := out.GetHistogram(); h.GetSampleCount() != uint64(len(resp.GetSentences())) || math.Abs(h.GetSampleSum()-sum) > 1e-12 || sum == 0 {
		t.Errorf("got %d observations summing to %v, want %d summing to %v", h.GetSampleCount(), h.GetSampleSum(), len(resp.GetSentences()), sum)
	}
}
