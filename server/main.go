// Command server serves the claim classifier over gRPC and, through
// grpc-gateway, over REST/JSON. See the README for flags and routes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	// Registers gzip, so that calls from clients that compress their
	// requests are served (and answered in gzip) rather than refused with
	// UNIMPLEMENTED. The message size limits apply to the decompressed
	// message.
	_ "google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/grpclog"
)

func main() {
	// SIGHUP never ends the process: a read-only server reloads its model
	// on it while it serves (reloads), any other ignores it, and so
	// does every server while it starts and stops.
	signal.Ignore(syscall.SIGHUP)
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errVersionShown) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(2)
	}
	// The access log (a line per RPC) is batched; every other line is
	// written at once.
	sink := newLogSink(os.Stderr, accessLogDelay)
	log := newLogger(cfg.LogFormat, cfg.LogLevel, sink)
	access, flushAccess := accessLogger(cfg, sink, log)
	// Before anything of grpc runs: grpclog's logger is not safe to swap
	// later.
	grpclog.SetLoggerV2(grpcLogger{log.With("component", "grpc")})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal starts the graceful shutdown; a second one ends
	// the process at once, saying so, with the log lines held back (the
	// batched access log, its count of dropped lines) written first, so
	// that the log does not end as a crash's would.
	go func() {
		<-ctx.Done()
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM) // before stop: no moment without a handler
		stop()
		sig := <-again
		log.Warn("second signal: exiting at once, without waiting for the calls in progress (their changes may or may not be saved; none is half saved)", "signal", sig.String())
		flushAccess()
		sink.Flush()
		code := 1
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s) // as the shell reports a process the signal ended
		}
		os.Exit(code)
	}()
	err = run(ctx, cfg, log, access, nil)
	flushAccess() // access-log lines dropped in the last second
	if err != nil {
		log.Error("server stopped", "error", err)
		os.Exit(1)
	}
	sink.Flush()
}

// newLogger returns a logger writing records of level or above to w, in
// format (text or json).
func newLogger(format string, level slog.Level, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
