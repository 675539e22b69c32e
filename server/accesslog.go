package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// accessLogger returns the logger of the per-call lines (one per RPC):
// batched into sink, at the server's log level, or errors only without
// --access-log; and, if --access-log-max-rate is positive, at most that
// many lines in each clock second, errors apart. log, which must not be
// the access logger, reports the lines dropped, once for each second that
// dropped some; flush reports those not yet reported, for the server to
// call before it exits.
func accessLogger(cfg config, sink *logSink, log *slog.Logger) (access *slog.Logger, flush func()) {
	level := cfg.LogLevel
	if !cfg.AccessLog {
		level = max(level, slog.LevelError)
	}
	var h slog.Handler = flushingHandler{newLogger(cfg.LogFormat, level, sink.batched()).Handler(), sink}
	if cfg.AccessLog && cfg.AccessLogMaxRate > 0 { // without the access log, only faults are logged, and they pass any rate
		name := cfg.opt("access-log-max-rate")
		lim := &limiter{
			max:   cfg.AccessLogMaxRate,
			now:   time.Now,
			after: func(d time.Duration, f func()) { time.AfterFunc(d, f) },
			report: func(dropped int) {
				log.Warn("access log lines dropped: more calls in a second than "+name+" lets it log", "dropped", dropped, "max_rate", cfg.AccessLogMaxRate)
			},
		}
		h = limitHandler{h, lim}
		return slog.New(h), lim.flush
	}
	return slog.New(h), func() {}
}

// limitHandler passes at most lim.max records a second to its Handler,
// and every record at error level or above.
type limitHandler struct {
	slog.Handler
	lim *limiter
}

func (h limitHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError && !h.lim.allow() {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h limitHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return limitHandler{h.Handler.WithAttrs(attrs), h.lim}
}

func (h limitHandler) WithGroup(name string) slog.Handler {
	return limitHandler{h.Handler.WithGroup(name), h.lim}
}

// limiter allows max events in each second of the clock now, and counts
// the others: report gets the count of a second that dropped some once
// that second is over (at the first event after it, or, when none comes,
// by a timer that after starts), or at flush. report is called with no
// lock held. limiter is safe for concurrent use.
type limiter struct {
	max    int
	now    func() time.Time
	after  func(d time.Duration, f func())
	report func(dropped int)

	mu      sync.Mutex
	second  int64 // the Unix second counted
	n       int   // events allowed in it
	dropped int   // and dropped, not yet reported
}

func (l *limiter) allow() bool {
	ok, done := l.count()
	if done > 0 {
		l.report(done)
	}
	return ok
}

// count counts one event, and returns whether it is allowed and the count
// of a second before this one to report.
func (l *limiter) count() (ok bool, done int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if s := now.Unix(); s != l.second {
		done, l.dropped = l.dropped, 0
		l.second, l.n = s, 0
	}
	if l.n < l.max {
		l.n++
		return true, done
	}
	if l.dropped == 0 {
		// The first drop of this second: report them when it is over,
		// should no event come after it.
		s := l.second
		l.after(time.Unix(s+1, 0).Sub(now), func() {
			l.mu.Lock()
			n := 0
			if l.second == s {
				n, l.dropped = l.dropped, 0
			}
			l.mu.Unlock()
			if n > 0 {
				l.report(n)
			}
		})
	}
	l.dropped++
	return false, done
}

// flush reports the events dropped and not yet reported.
func (l *limiter) flush() {
	l.mu.Lock()
	n := l.dropped
	l.dropped = 0
	l.mu.Unlock()
	if n > 0 {
		l.report(n)
	}
}
