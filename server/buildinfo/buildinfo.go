// Package buildinfo describes the running binary from what go build
// recorded in it, for the server's --version, start-up line and metrics
// and the client's version command. It is not internal to server/
// because the client imports it.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Info describes a build: the main module's version (a pseudo-version
// naming the commit when go build recorded the Git checkout it was built
// in, "(devel)" under go run or -buildvcs=false) and, when the build
// recorded version control, the commit and whether the tree had changes.
type Info struct {
	Version   string
	Revision  string // the commit, or empty
	Time      string // the commit's time (RFC 3339), or empty
	Modified  bool   // the tree had uncommitted changes
	GoVersion string
}

// Read returns the running binary's Info; its Version and GoVersion are
// "(unknown)" when the binary holds no build information.
func Read() Info {
	b := Info{Version: "(unknown)", GoVersion: "(unknown)"}
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

// Line is the line a program prints for its version: program ("claims
// server", say), the version, the commit and its time when the version
// does not already name it (a pseudo-version does), and the Go version.
func (b Info) Line(program string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s %s", program, b.Version)
	if b.Revision != "" && !strings.Contains(b.Version, b.shortCommit()) {
		fmt.Fprintf(&s, ", commit %s", b.ShortRevision())
		if b.Time != "" {
			fmt.Fprintf(&s, " of %s", b.Time)
		}
	}
	fmt.Fprintf(&s, ", %s", b.GoVersion)
	return s.String()
}

// ShortRevision is the commit's first 12 hex digits, followed by "+dirty"
// when the tree had changes, or empty when the build recorded no commit.
func (b Info) ShortRevision() string {
	if b.Revision == "" {
		return ""
	}
	r := b.shortCommit()
	if b.Modified {
		r += "+dirty"
	}
	return r
}

// shortCommit is the commit's first 12 hex digits, as a pseudo-version
// names it.
func (b Info) shortCommit() string { return b.Revision[:min(12, len(b.Revision))] }
