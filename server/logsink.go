package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logSink is the server's log output. The per-call access log (one line per
// RPC) goes through batched(): its lines are collected and written at most
// accessLogDelay later, or when the buffer fills, so that a busy server does
// not pay a write system call per RPC. Every other line, and any access-log
// line at warning level or above, is written at once together with
// whatever is waiting, in order.
type logSink struct {
	w     io.Writer
	delay time.Duration

	mu    sync.Mutex
	buf   []byte
	armed bool // a flush is scheduled
}

const (
	accessLogDelay = 100 * time.Millisecond
	accessLogBatch = 32 << 10
)

func newLogSink(w io.Writer, delay time.Duration) *logSink {
	return &logSink{w: w, delay: delay}
}

// Write writes p, and anything batched before it, now.
func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) > 0 {
		s.buf = append(s.buf, p...)
		err := s.flushLocked()
		return len(p), err
	}
	return s.w.Write(p)
}

// Flush writes whatever is batched.
func (s *logSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

func (s *logSink) flushLocked() error {
	if len(s.buf) == 0 {
		return nil
	}
	_, err := s.w.Write(s.buf)
	if cap(s.buf) > 4*accessLogBatch {
		s.buf = nil
	} else {
		s.buf = s.buf[:0]
	}
	return err
}

// batchWriter is the batched side of a logSink.
type batchWriter struct{ s *logSink }

func (b batchWriter) Write(p []byte) (int, error) {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, p...)
	if len(s.buf) >= accessLogBatch {
		return len(p), s.flushLocked()
	}
	if !s.armed {
		s.armed = true
		time.AfterFunc(s.delay, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.armed = false
			s.flushLocked()
		})
	}
	return len(p), nil
}

// batched returns a writer whose lines are batched.
func (s *logSink) batched() io.Writer { return batchWriter{s} }

// flushingHandler flushes the sink after records at warning level or above,
// so that errors are never held back.
type flushingHandler struct {
	slog.Handler
	sink *logSink
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.sink.Flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.sink}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.sink}
}
