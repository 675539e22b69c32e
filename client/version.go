package main

import (
	"context"
	"fmt"

	"github.com/claimsvc/claims/server/buildinfo"
)

// runVersion prints the client's build: the main module's version, the
// commit when go build recorded one and the version does not already name
// it, and the Go version (buildinfo.Info.Line).
func runVersion(_ context.Context, e *env, _ any) error {
	if len(e.args) > 0 {
		return usageErrorf("unexpected arguments %q", e.args)
	}
	_, err := fmt.Fprintln(e.stdout, buildinfo.Read().Line("claims client"))
	return err
}
