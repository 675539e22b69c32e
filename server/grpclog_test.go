package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestGRPCLogger(t *testing.T) {
	var buf bytes.Buffer
	g := grpcLogger{slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})).With("component", "grpc")}
	g.Infof("connection %d", 1)                                        // debug: not written at info
	g.Warningf("Failed to frobnicate:: %s", strings.Repeat("é", 2000)) // clipped before the é cut at byte 1024
	g.Warningln("a", "b")
	// A client gone: debug, not written at info.
	g.Errorf("Failed to write response: %v", "write tcp 127.0.0.1:8080->127.0.0.1:53530: write: broken pipe")
	g.Errorf("Failed to send request: %v", "EOF")
	g.Errorf("[core] [Server #1] grpc: Server.processRPC failed to write status: connection error: desc = %q", "transport is closing")
	g.Errorf("Failed to send response chunk: %v", "write tcp 127.0.0.1:8080->127.0.0.1:1: i/o timeout")
	g.Errorf("Failed to parse Content-Type %s: %v", "x;;;=", "mime: invalid media parameter")
	g.Errorf("Failed to decode request: %v", "stream request could not be decoded (reported to the client)")
	g.Warningf("Value of HTTP header %q contains non-ASCII value (not valid as gRPC metadata): skipping", "X")
	var lines []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", l, err)
		}
		lines = append(lines, m)
	}
	want := []string{"Failed to frobnicate:: " + strings.Repeat("é", (maxGRPCLine-len("Failed to frobnicate:: "))/2) + "…", "a b"}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %v, want %d", len(lines), lines, len(want))
	}
	for i, m := range lines {
		if m["msg"] != want[i] || m["level"] != "WARN" || m["component"] != "grpc" {
			t.Errorf("line %d: got %v, want msg %q at WARN from grpc", i, m, want[i])
		}
	}
	if g.V(0) || g.V(2) {
		t.Errorf("V: got true at info level, want false")
	}
}
