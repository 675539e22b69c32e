package main

import (
	"runtime/debug"
	"strings"
)

// versionLine is what `client version` prints: the main module's version
// ("(devel)" when built from a checkout), the commit when go build
// recorded one ("+dirty" when the tree had changes) and the Go version.
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "claims client (unknown build)"
	}
	var commit, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			commit = s.Value[:min(12, len(s.Value))]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	parts := []string{"claims client " + info.Main.Version}
	if commit != "" {
		parts = append(parts, "commit "+commit+dirty)
	}
	return strings.Join(append(parts, info.GoVersion), ", ")
}
