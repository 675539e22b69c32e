package sendguard

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// Guard tracks the connections of a listener and closes the one of a
// stream whose send waits longer than Timeout. It is safe for concurrent
// use.
type Guard struct {
	timeout     time.Duration
	userTimeout time.Duration
	log         *slog.Logger
	onCut       func()
}

// New returns a Guard with the given timeout; 0 or less disables it (the
// interceptor then passes streams through). userTimeout, if positive, is
// set as each accepted TCP connection's TCP_USER_TIMEOUT where the system
// has one, as grpc does for the connections it is given directly (it
// cannot see through the Guard's). onCut, if not nil, is called for each
// connection closed.
func New(timeout, userTimeout time.Duration, log *slog.Logger, onCut func()) *Guard {
	return &Guard{timeout: timeout, userTimeout: userTimeout, log: log, onCut: onCut}
}

// Listener returns l with its connections tracked: a connection's remote
// address, which grpc reports as the peer's, leads back to it. With the
// Guard disabled, it returns l itself.
func (g *Guard) Listener(l net.Listener) net.Listener {
	if g.timeout <= 0 {
		return l
	}
	return &listener{Listener: l, g: g}
}

type listener struct {
	net.Listener
	g *Guard
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.g.userTimeout > 0 {
		setUserTimeout(c, l.g.userTimeout)
	}
	gc := &conn{Conn: c}
	gc.addr = addr{Addr: c.RemoteAddr(), c: gc}
	return gc, nil
}

// conn is an accepted connection whose remote address points back to it.
type conn struct {
	net.Conn
	addr addr
}

func (c *conn) RemoteAddr() net.Addr { return c.addr }

// addr is a connection's remote address. It prints as the address itself.
type addr struct {
	net.Addr
	c *conn
}

// StreamInterceptor returns the interceptor that times the sends of
// streams whose connections came from the Guard's Listener.
func (g *Guard) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if g.timeout <= 0 || !info.IsServerStream {
			return handler(srv, ss)
		}
		p, ok := peer.FromContext(ss.Context())
		if !ok {
			return handler(srv, ss)
		}
		a, ok := p.Addr.(addr)
		if !ok {
			return handler(srv, ss)
		}
		return handler(srv, &stream{ServerStream: ss, g: g, c: a.c, method: info.FullMethod})
	}
}

// stream times each send of a stream.
type stream struct {
	grpc.ServerStream
	g      *Guard
	c      *conn
	method string
	sent   int         // results sent or being sent
	timer  *time.Timer // runs expire; made at the first send

	mu      sync.Mutex
	sending bool      // a send is in progress
	since   time.Time // when it started
	closed  bool      // the connection was closed during a send
}

// SendMsg sends m, and closes the connection if the send waits longer
// than the timeout. It then returns DEADLINE_EXCEEDED, which the client
// never sees but the server's logs and metrics record.
func (s *stream) SendMsg(m any) error {
	s.sent++
	s.mu.Lock()
	s.sending, s.since = true, time.Now()
	s.mu.Unlock()
	if s.timer == nil {
		s.timer = time.AfterFunc(s.g.timeout, s.expire)
	} else {
		s.timer.Reset(s.g.timeout)
	}
	err := s.ServerStream.SendMsg(m)
	s.timer.Stop()
	s.mu.Lock()
	s.sending = false
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return status.Errorf(codes.DeadlineExceeded, "result %d was not taken by the client within %v: its connection is closed", s.sent, s.g.timeout)
	}
	return err
}

// expire closes the connection if a send has waited for the whole
// timeout. A timer that fires late, for a send that is over, finds none
// (or one that started since) and does nothing.
func (s *stream) expire() {
	s.mu.Lock()
	if !s.sending || time.Since(s.since) < s.g.timeout {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.g.log.Warn("closing a client's connection: it did not take a stream's results",
		"peer", s.c.addr.String(), "method", s.method, "result", s.sent, "waited", s.g.timeout)
	if s.g.onCut != nil {
		s.g.onCut()
	}
	s.c.Close()
}
