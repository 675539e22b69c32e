package api

import (
	"slices"
	"testing"
)

// TestLimitsLogAttrsCoverGetModel checks that the limits log line names
// every limit GetModel reports, by the same name, in the same order.
func TestLimitsLogAttrsCoverGetModel(t *testing.T) {
	var logged []string
	for i, a := range DefaultLimits().LogAttrs() {
		if i%2 == 0 {
			logged = append(logged, a.(string))
		}
	}
	var reported []string
	fields := DefaultLimits().proto().ProtoReflect().Descriptor().Fields()
	for i := range fields.Len() {
		reported = append(reported, string(fields.Get(i).Name()))
	}
	if !slices.Equal(logged, reported) {
		t.Errorf("LogAttrs keys %q, want GetModel's Limits fields %q", logged, reported)
	}
}
