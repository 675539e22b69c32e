package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestPacedByHeapLimit checks that training runs with the collector paced
// by a memory limit, that both settings are restored afterwards, and that
// settings taken from GOGC or GOMEMLIMIT are left alone.
func TestPacedByHeapLimit(t *testing.T) {
	const percent, limit = 77, int64(1) << 40
	defer debug.SetGCPercent(debug.SetGCPercent(percent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
	tests := []struct {
		name        string
		gc          gcConfig
		wantPercent int
		paced       bool
	}{
		{"tuned", gcConfig{}, -1, true},
		{"GOGC set", gcConfig{GOGCSet: true}, percent, false},
		{"GOMEMLIMIT set", gcConfig{MemLimitSet: true}, percent, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotPercent int
			var gotLimit int64
			err := pacedByHeapLimit(tt.gc, func() error {
				gotPercent = debug.SetGCPercent(-1)
				debug.SetGCPercent(gotPercent)
				gotLimit = debug.SetMemoryLimit(-1) // a negative limit only reads it
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if gotPercent != tt.wantPercent {
				t.Errorf("GC percent during f: got %d, want %d", gotPercent, tt.wantPercent)
			}
			if paced := gotLimit < limit; paced != tt.paced || paced && gotLimit < trainingHeapHeadroom {
				t.Errorf("memory limit during f: got %d (paced %v), want paced %v", gotLimit, paced, tt.paced)
			}
			if got := debug.SetGCPercent(percent); got != percent {
				t.Errorf("GC percent after: got %d, want %d", got, percent)
			}
			if got := debug.SetMemoryLimit(-1); got != limit {
				t.Errorf("memory limit after: got %d, want %d", got, limit)
			}
		})
	}
}

// TestPacedByHeapLimitBelowLimit checks that pacing never raises a memory
// limit already set (from the container's) that is below the heap in use
// plus the headroom.
func TestPacedByHeapLimitBelowLimit(t *testing.T) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	low := int64(ms.HeapInuse) + trainingHeapHeadroom/2
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(low))
	var during int64
	if err := pacedByHeapLimit(gcConfig{}, func() error {
		during = debug.SetMemoryLimit(-1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if during != low {
		t.Errorf("memory limit during f: got %d, want %d (the one set before)", during, low)
	}
	if got := debug.SetMemoryLimit(-1); got != low {
		t.Errorf("memory limit after: got %d, want %d", got, low)
	}
}
