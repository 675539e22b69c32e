package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"unicode/utf8"
)

// grpcLogger is grpc-go's logger (grpclog.LoggerV2), through which
// grpc-gateway logs too, writing to the server's slog logger so that every
// line has the configured format, cut to maxGRPCLine. grpc's info lines
// (one per connection and more) come at debug level, and its errors at
// warn level: they are about one connection or call, not the server.
// Those about one client's doing (see clientCaused: a client that went
// away or stopped reading, grpc-gateway's "Failed to write response" and
// grpc's "failed to write status"; a request, Content-Type or header
// grpc-gateway could not read) come at debug level too: one comes with
// every such client, and more than one with the answers the server cuts
// off itself (see --send-timeout), which its own warning already reports,
// as the access log reports the call.
type grpcLogger struct{ log *slog.Logger }

func (g grpcLogger) print(level slog.Level, msg string) {
	if level == slog.LevelWarn && clientCaused(msg) {
		level = slog.LevelDebug
	}
	g.log.Log(context.Background(), level, clipLine(msg))
}

// maxGRPCLine bounds a line of grpc's or grpc-gateway's: some quote what
// a client sent (grpc-gateway's "Failed to parse Content-Type", a header
// of up to 64 KiB).
const maxGRPCLine = 1024

// clipLine returns msg cut to maxGRPCLine bytes, at a character
// boundary, with "…" when cut.
func clipLine(msg string) string {
	if len(msg) <= maxGRPCLine {
		return msg
	}
	cut := maxGRPCLine
	// Back to the start of a character, if one starts within its length:
	// bytes that are not UTF-8 are cut where they are.
	for back := 0; back < utf8.UTFMax-1 && !utf8.RuneStart(msg[cut]); back++ {
		cut--
	}
	return msg[:cut] + "…"
}

// clientCaused reports whether msg, a warning of grpc or grpc-gateway, is
// about one client's doing: a connection that closed or stopped reading,
// or a request grpc-gateway could not read (reported to its client, and
// logged by the access log).
func clientCaused(msg string) bool {
	for _, p := range []string{"Failed to parse Content-Type", "Failed to decode request", "Value of HTTP header", "HTTP header "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	for _, s := range []string{"broken pipe", "connection reset by peer", "transport is closing", "i/o timeout", "context canceled", "use of closed network connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	// grpc-gateway's account of a stream whose client is gone, or whose
	// request body ended: "Failed to send request: EOF".
	return strings.HasPrefix(msg, "Failed to ") && strings.HasSuffix(msg, ": EOF")
}

func (g grpcLogger) Info(args ...any)   { g.print(slog.LevelDebug, fmt.Sprint(args...)) }
func (g grpcLogger) Infoln(args ...any) { g.print(slog.LevelDebug, sprintln(args)) }
func (g grpcLogger) Infof(format string, args ...any) {
	g.print(slog.LevelDebug, fmt.Sprintf(format, args...))
}
func (g grpcLogger) Warning(args ...any)   { g.print(slog.LevelWarn, fmt.Sprint(args...)) }
func (g grpcLogger) Warningln(args ...any) { g.print(slog.LevelWarn, sprintln(args)) }
func (g grpcLogger) Warningf(format string, args ...any) {
	g.print(slog.LevelWarn, fmt.Sprintf(format, args...))
}
func (g grpcLogger) Error(args ...any)   { g.print(slog.LevelWarn, fmt.Sprint(args...)) }
func (g grpcLogger) Errorln(args ...any) { g.print(slog.LevelWarn, sprintln(args)) }
func (g grpcLogger) Errorf(format string, args ...any) {
	g.print(slog.LevelWarn, fmt.Sprintf(format, args...))
}

// Fatal, Fatalln and Fatalf log and exit, as grpclog requires.
func (g grpcLogger) Fatal(args ...any)                 { g.fatal(fmt.Sprint(args...)) }
func (g grpcLogger) Fatalln(args ...any)               { g.fatal(sprintln(args)) }
func (g grpcLogger) Fatalf(format string, args ...any) { g.fatal(fmt.Sprintf(format, args...)) }

func (g grpcLogger) fatal(msg string) {
	g.print(slog.LevelError, msg)
	os.Exit(1)
}

// V reports whether verbose logging at level l is on: never past level 0.
func (g grpcLogger) V(l int) bool {
	return l <= 0 && g.log.Enabled(context.Background(), slog.LevelDebug)
}

// sprintln is fmt.Sprintln without its final newline.
func sprintln(args []any) string {
	s := fmt.Sprintln(args...)
	return s[:len(s)-1]
}
