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
	"time"

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
	// The container's memory limit is read from the machine's own files.
	cfg.Root = os.DirFS("/")
	// The access log (a line per RPC) is batched; every other line is
	// written at once.
	sink := newLogSink(os.Stderr, accessLogDelay)
	log := newLogger(cfg.LogFormat, cfg.LogLevel, sink)
	access, flushAccess := accessLogger(cfg, sink, log)
	// Before anything of grpc runs: grpclog's logger is not safe to swap
	// later.
	grpclog.SetLoggerV2(grpcLogger{log.With("component", "grpc")})
	// The first signal starts the graceful shutdown; a second one ends
	// the process at once. One channel, registered before anything runs,
	// takes both, so that none falls between two handlers (the same
	// signal sent twice before the first is handled is one signal, as
	// the kernel and Go's runtime merge them).
	// Which of them the process started with ignored (a background job
	// of a shell that is not interactive ignores SIGINT): Notify forgets
	// it, and signal.Reset restores it, so a re-raised one would be lost.
	ignored := map[os.Signal]bool{os.Interrupt: signal.Ignored(os.Interrupt), syscall.SIGTERM: signal.Ignored(syscall.SIGTERM)}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		<-sigs
		stop()
		sig := <-sigs
		secondSignal(sig, ignored[sig], log, func() { flushAccess(); sink.Flush() })
	}()
	err = run(ctx, cfg, log, access, nil)
	flushAccess() // access-log lines dropped in the last second
	if err != nil {
		log.Error("server stopped", "error", err)
		os.Exit(1)
	}
	sink.Flush()
}

// secondSignal ends the process after a second signal, sig: it says so
// in the log and writes the lines held back (flush: the batched access
// log, its count of dropped lines), so that the log does not end as a
// crash's would, but waits for that at most a second (a log pipe that
// nobody reads blocks them), and a third signal ends the process at once
// (unless the process started with it ignored). The process then dies by
// sig, as a supervisor expects of a process it signalled, or, if it
// started with sig ignored (wasIgnored), exits with 128 + its number.
func secondSignal(sig os.Signal, wasIgnored bool, log *slog.Logger, flush func()) {
	// The signals' first handling back, default or ignored, but not for
	// PID 1 (a container's first process, without an init): the kernel
	// drops a signal it has no handler for, and Go would then exit 2,
	// this server's status for a bad configuration. PID 1 keeps them
	// caught, and a third does nothing.
	pid1 := os.Getpid() == 1
	if !pid1 {
		signal.Reset(os.Interrupt, syscall.SIGTERM)
	}
	done := make(chan struct{})
	go func() {
		log.Warn("second signal: exiting at once, without waiting for the calls in progress (their changes may or may not be saved; none is half saved)", "signal", sig.String())
		flush()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	// Not re-raised where it would be lost: ignored from the start, or
	// PID 1's.
	if p, err := os.FindProcess(os.Getpid()); err == nil && !wasIgnored && !pid1 && p.Signal(sig) == nil {
		time.Sleep(time.Second) // the signal, now unhandled, ends the process
	}
	code := 1
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s) // as the shell reports a process the signal ended
	}
	os.Exit(code)
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
