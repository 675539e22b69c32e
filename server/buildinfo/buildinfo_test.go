package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

// TestLine formats builds with and without a recorded commit.
func TestLine(t *testing.T) {
	for _, tt := range []struct {
		b     Info
		want  string
		short string
	}{
		{Info{Version: "(devel)", GoVersion: "go1.26.8"}, "claims server (devel), go1.26.8", ""},
		{Info{Version: "v1.2.0", Revision: "0123456789abcdef0123", Time: "2026-12-07T01:13:30Z", GoVersion: "go1.26.8"},
			"claims server v1.2.0, commit 0123456789ab of 2026-12-07T01:13:30Z, go1.26.8", "0123456789ab"},
		{Info{Version: "(devel)", Revision: "0123456789abcdef0123", Modified: true, GoVersion: "go1.26.8"},
			"claims server (devel), commit 0123456789ab+dirty, go1.26.8", "0123456789ab+dirty"},
		// A pseudo-version names its commit: it is not named twice.
		{Info{Version: "v0.0.0-20261207011330-0123456789ab+dirty", Revision: "0123456789abcdef0123", Time: "2026-12-07T01:13:30Z", Modified: true, GoVersion: "go1.26.8"},
			"claims server v0.0.0-20261207011330-0123456789ab+dirty, go1.26.8", "0123456789ab+dirty"},
		{Info{Version: "v0.0.0-20261207011330-0123456789ab", Revision: "0123456789abcdef0123", GoVersion: "go1.26.8"},
			"claims server v0.0.0-20261207011330-0123456789ab, go1.26.8", "0123456789ab"},
		// A short revision (not Git's) is shown whole.
		{Info{Version: "(devel)", Revision: "abc", GoVersion: "go1.26.8"}, "claims server (devel), commit abc, go1.26.8", "abc"},
		// No commit recorded: a modified flag alone names none.
		{Info{Version: "(devel)", Modified: true, GoVersion: "go1.26.8"}, "claims server (devel), go1.26.8", ""},
	} {
		if got := tt.b.Line("claims server"); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.b, got, tt.want)
		}
		if got := tt.b.ShortRevision(); got != tt.short {
			t.Errorf("%+v: got short revision %q, want %q", tt.b, got, tt.short)
		}
	}
}

// TestRead reads the test binary's own build: go test records the main
// module and the Go version.
func TestRead(t *testing.T) {
	b := Read()
	if b.GoVersion != runtime.Version() || b.Version == "" {
		t.Errorf("got %+v, want the Go version %s and a module version", b, runtime.Version())
	}
	if got := b.Line("x"); !strings.HasPrefix(got, "x ") || !strings.HasSuffix(got, ", "+runtime.Version()) {
		t.Errorf("got %q, want it to start with the program and end with the Go version", got)
	}
}
