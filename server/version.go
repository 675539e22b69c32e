package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// buildInfo describes the running binary, from what go build recorded in
// it: the main module's version (a pseudo-version naming the commit when
// go build recorded the Git checkout it was built in, "(devel)" under go
// run or -buildvcs=false) and, when the build recorded version control,
// the commit and whether the tree had changes.
type buildInfo struct {
	Version   string
	Revision  string // the commit, or empty
	Time      string // the commit's time (RFC 3339), or empty
	Modified  bool   // the tree had uncommitted changes
	GoVersion string
}

// readBuildInfo returns the binary's buildInfo.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: "(unknown)", GoVersion: "(unknown)"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Version, b.GoVersion = info.Main.Version, info.GoVersion
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the line `server --version` prints.
func (b buildInfo) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "claims server %s", b.Version)
	// A pseudo-version names the commit already.
	if b.Revision != "" && !strings.Contains(b.Version, b.shortRevision()) {
		fmt.Fprintf(&s, ", commit %s", b.shortRevision())
		if b.Time != "" {
			fmt.Fprintf(&s, " of %s", b.Time)
		}
	}
	fmt.Fprintf(&s, ", %s", b.GoVersion)
	return s.String()
}

// shortRevision is the commit's first 12 hex digits, followed by "+dirty"
// when the tree had changes.
func (b buildInfo) shortRevision() string {
	r := b.Revision
	if len(r) > 12 {
		r = r[:12]
	}
	if b.Modified {
		r += "+dirty"
	}
	return r
}

// logAttrs are the attributes the server's startup line gives the build.
func (b buildInfo) logAttrs() []any {
	attrs := []any{"build", b.Version}
	if b.Revision != "" {
		attrs = append(attrs, "commit", b.shortRevision())
	}
	return append(attrs, "go", b.GoVersion)
}

// register adds claims_build_info, a gauge of 1 whose labels name the
// build, to reg: the usual way to see in Prometheus which build runs where.
func (b buildInfo) register(reg prometheus.Registerer) error {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "claims_build_info",
		Help:        "Always 1; its labels name the running server's build: module version, commit (empty when the build did not record one) and Go version.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.shortRevision(), "goversion": b.GoVersion},
	})
	g.Set(1)
	return reg.Register(g)
}
