package api

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimsvc/claims/classifier"
)

// Metrics are the server's Prometheus collectors. A nil *Metrics records
// nothing. Metrics is safe for concurrent use.
type Metrics struct {
	calls      *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	sentences  *prometheus.CounterVec
	confidence prometheus.Histogram
	version    prometheus.Gauge
	examples   *prometheus.GaugeVec
	vocabulary prometheus.Gauge
	// saveFailures counts the changes refused because the model could not
	// be saved; reloadFailures the reloads that failed, and reloadFailing
	// is 1 from a failed reload to the next that succeeds: the model
	// served is then not the one on disk.
	saveFailures   prometheus.Counter
	reloadFailures prometheus.Counter
	reloadFailing  prometheus.Gauge

	// modelMu orders setModel calls, and keeps a classification's counts
	// from adding a series that setModel has just dropped.
	modelMu sync.RWMutex
	shown   uint64                        // model version the gauges show
	live    map[string]prometheus.Counter // the shown model's labels' classified counts
}

// NewMetrics creates the collectors and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claims_rpc_calls_total",
			Help: "RPCs handled, by method and gRPC status code (REST calls are counted under their RPC).",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "claims_rpc_duration_seconds",
			Help:    "RPC handling time, by method.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method"}),
		sentences: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claims_sentences_classified_total",
			Help: "Sentences classified, by predicted label.",
		}, []string{"label"}),
		confidence: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "claims_sentence_confidence_ratio",
			Help:    "Confidence of each classified sentence's predicted label (tempered: see GetModel's temperature). With the model unchanged, a falling share of high confidences means the text sent differs from what the model was trained and scored on.",
			Buckets: []float64{.3, .4, .5, .6, .7, .8, .9, .95, .99},
		}),
		version: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claims_model_version",
			Help: "Version of the model being served.",
		}),
		examples: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "claims_model_examples",
			Help: "Training examples in the model, by label.",
		}, []string{"label"}),
		vocabulary: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claims_model_vocabulary_size",
			Help: "Distinct features in the model.",
		}),
		saveFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "claims_model_save_failures_total",
			Help: "Train and Forget calls refused because the changed model could not be saved in the data directory (the log has the cause).",
		}),
		reloadFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "claims_model_reload_failures_total",
			Help: "Failed reloads of the model file, the model served staying: each SIGHUP that fails, and each new failure --reload-interval's checks find (one found again is not counted again; the log has the cause).",
		}),
		reloadFailing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claims_model_reload_failing",
			Help: "1 from a failed reload of the model file (unreadable, refused or missing) to the next that succeeds: the model served may not be the one on disk.",
		}),
	}
	for _, c := range []prometheus.Collector{m.calls, m.latency, m.sentences, m.confidence, m.version, m.examples, m.vocabulary, m.saveFailures, m.reloadFailures, m.reloadFailing} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// classified counts the n sentences of one call by their predicted
// labels, label(0) to label(n-1), and observes their confidences,
// confidence(0) to confidence(n-1), every one of them (so the histogram's
// count may pass the label counts' sum). A label the shown model does not
// have is not counted: the call ran on a model before a change that dropped it
// or, in the moment between a change that adds a label and its setModel,
// on the model after it (a rare undercount, where the other way would
// bring dropped labels back).
func (m *Metrics) classified(n int, label func(i int) string, confidence func(i int) float64) {
	if m == nil || n == 0 {
		return
	}
	for i := range n {
		m.confidence.Observe(confidence(i))
	}
	m.modelMu.RLock()
	defer m.modelMu.RUnlock()
	// Neighbouring sentences often share a label: count runs.
	for i := 0; i < n; {
		l := label(i)
		j := i + 1
		for j < n && label(j) == l {
			j++
		}
		if c, ok := m.live[l]; ok {
			c.Add(float64(j - i))
		}
		i = j
	}
}

// saveFailed counts a change refused because the model could not be saved.
func (m *Metrics) saveFailed() {
	if m != nil {
		m.saveFailures.Inc()
	}
}

// reloaded records a reload of the model file that failed (ok false) or
// succeeded.
func (m *Metrics) reloaded(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.reloadFailing.Set(0)
		return
	}
	m.reloadFailures.Inc()
	m.reloadFailing.Set(1)
}

// setModel shows info, the live model's, in the model gauges, unless they
// already show a later version: Trains that finish together may report out
// of order.
func (m *Metrics) setModel(info classifier.Info) { m.showModel(info, false) }

// showModel is setModel, showing info whatever version the gauges show if
// always: a reloaded model replaces the one before it, whichever version
// either has.
func (m *Metrics) showModel(info classifier.Info, always bool) {
	if m == nil {
		return
	}
	m.modelMu.Lock()
	defer m.modelMu.Unlock()
	if info.Version < m.shown && !always {
		return
	}
	m.shown = info.Version
	m.version.Set(float64(info.Version))
	m.vocabulary.Set(float64(info.Vocabulary))
	m.examples.Reset()
	live := make(map[string]prometheus.Counter, len(info.Counts))
	for l, n := range info.Counts {
		m.examples.WithLabelValues(l).Set(float64(n))
		live[l] = m.sentences.WithLabelValues(l)
	}
	m.live = live
	// Labels come from Train requests: the count of a label the model no
	// longer has is dropped, so the series are bounded by --max-labels and
	// not by every label that ever existed. A classification that ran on
	// the model before cannot add it back: classified counts only the
	// labels in live.
	for _, l := range counterLabels(m.sentences) {
		if _, ok := info.Counts[l]; !ok {
			m.sentences.DeleteLabelValues(l)
		}
	}
}

// counterLabels returns the values of the one label of v's series.
func counterLabels(v *prometheus.CounterVec) []string {
	ch := make(chan prometheus.Metric)
	go func() {
		v.Collect(ch)
		close(ch)
	}()
	var out []string
	for pm := range ch {
		var d dto.Metric
		if pm.Write(&d) != nil {
			continue
		}
		for _, lp := range d.GetLabel() {
			out = append(out, lp.GetValue())
		}
	}
	return out
}

func (m *Metrics) call(method, code string, seconds float64) {
	if m != nil {
		m.calls.WithLabelValues(method, code).Inc()
		m.latency.WithLabelValues(method).Observe(seconds)
	}
}
