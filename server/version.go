package main

import (
	"github.com/claimsvc/claims/server/buildinfo"
	"github.com/prometheus/client_golang/prometheus"
)

// buildLogAttrs are the attributes the server's startup line gives the
// build b.
func buildLogAttrs(b buildinfo.Info) []any {
	attrs := []any{"build", b.Version}
	if b.Revision != "" {
		attrs = append(attrs, "commit", b.ShortRevision())
	}
	return append(attrs, "go", b.GoVersion)
}

// registerBuildInfo adds claims_build_info, a gauge of 1 whose labels name
// the build b, to reg: the usual way to see in Prometheus which build runs
// where.
func registerBuildInfo(reg prometheus.Registerer, b buildinfo.Info) error {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "claims_build_info",
		Help:        "Always 1; its labels name the running server's build: module version, commit (empty when the build did not record one) and Go version.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.ShortRevision(), "goversion": b.GoVersion},
	})
	g.Set(1)
	return reg.Register(g)
}
