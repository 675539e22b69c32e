package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

// runVersion prints the client's build (versionLine).
func runVersion(_ context.Context, e *env, _ any) error {
	if len(e.args) > 0 {
		return usageErrorf("unexpected arguments %q", e.args)
	}
	_, err := fmt.Fprintln(e.stdout, versionLine())
	return err
}

// versionLine is what `client version` prints: the main module's version
// (a pseudo-version when go build recorded the Git checkout it was built
// in, "(devel)" under go run or -buildvcs=false), the commit when go build
// recorded one and the version does not already name it ("+dirty" when
// the tree had changes) and the Go version.
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
	if commit != "" && !strings.Contains(info.Main.Version, commit) {
		parts = append(parts, "commit "+commit+dirty)
	}
	return strings.Join(append(parts, info.GoVersion), ", ")
}
