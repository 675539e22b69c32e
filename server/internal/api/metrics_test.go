package api

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimsvc/claims/classifier"
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

func gaugeValue(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var out dto.Metric
	if err := g.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetGauge().GetValue()
}
