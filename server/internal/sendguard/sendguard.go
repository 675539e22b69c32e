package sendguard

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// Guard tracks the connections of a listener and closes the one of a
// stream whose send waits longer than its timeout. It is safe for
// concurrent use.
type Guard struct {
	timeout time.Duration
	log     *slog.Logger
	onCut   func()

	mu      sync.Mutex
	conns   map[*net.TCPAddr]*tracked // by remote address, which grpc reports as the peer's
	sweepAt int                       // size of conns at which the next sweep comes
}

// tracked is an accepted connection.
type tracked struct {
	conn *net.TCPConn
	raw  syscall.RawConn // to tell whether conn is closed, and its progress
	cut  atomic.Bool     // the Guard has closed conn (once, whatever its streams)
}

// minSweep is the least size of the map at which closed connections are
// swept out of it.
const minSweep = 1024

// New returns a Guard with the given timeout; 0 or less disables it (the
// interceptor then passes streams through). onCut, if not nil, is called
// for each connection closed.
func New(timeout time.Duration, log *slog.Logger, onCut func()) *Guard {
	return &Guard{timeout: timeout, log: log, onCut: onCut, conns: make(map[*net.TCPAddr]*tracked), sweepAt: minSweep}
}

// Listener returns l with its TCP connections tracked. It hands grpc the
// connections themselves, not wrappers: grpc reads a *net.TCPConn without
// keeping a read buffer for it while it is idle, and sets its
// TCP_USER_TIMEOUT. With the Guard disabled, it returns l itself.
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
	if tc, ok := c.(*net.TCPConn); ok {
		l.g.track(tc)
	}
	return c, nil
}

// track records c under its remote address: each connection has an
// address value of its own, which grpc reports as the peer's, through TLS
// too.
func (g *Guard) track(c *net.TCPConn) {
	a, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return
	}
	raw, err := c.SyscallConn()
	if err != nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.conns) >= g.sweepAt {
		g.sweep()
	}
	g.conns[a] = &tracked{conn: c, raw: raw}
}

// sweep forgets the connections that are closed; the next sweep comes
// when the map has doubled, so that tracking costs O(1) a connection. g.mu
// must be held.
func (g *Guard) sweep() {
	for a, t := range g.conns {
		// Control fails once the connection is closed.
		if t.raw.Control(func(uintptr) {}) != nil {
			delete(g.conns, a)
		}
	}
	g.sweepAt = max(minSweep, 2*len(g.conns))
}

// lookup returns the connection of a peer address, if tracked.
func (g *Guard) lookup(a net.Addr) (*tracked, bool) {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return nil, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.conns[ta]
	return t, ok
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
		t, ok := g.lookup(p.Addr)
		if !ok {
			return handler(srv, ss)
		}
		return handler(srv, &stream{ServerStream: ss, g: g, conn: t, peer: p.Addr.String(), method: info.FullMethod})
	}
}

// minProgress is what a connection must carry to its client in each half
// of the timeout for a send that waits on it not to close it: a client
// that reads other streams, or reads slowly, is not cut off. Keepalive
// pings and health checks are far less. Traffic in bursts further apart
// than half the timeout does not count as moving.
const minProgress = 16 << 10

// maxWaits bounds, in timeouts, how long a send may wait whatever the
// connection carries: a client that keeps its connection busy (with unary
// calls, say) cannot hold its stalled streams, and their slots, for
// longer.
const maxWaits = 5

// stream times each send of a stream. Its timer looks at a waiting send
// every half timeout: once the send has waited the whole timeout, and
// the connection has carried less than minProgress bytes to the client
// in the last half (where the system tells; see bytesAcked), or once it
// has waited maxWaits timeouts, the connection is closed.
type stream struct {
	grpc.ServerStream
	g      *Guard
	conn   *tracked
	peer   string
	method string
	sent   int         // results sent or being sent
	timer  *time.Timer // runs check; made at the first send

	mu      sync.Mutex
	sending bool          // a send is in progress
	since   time.Time     // when it started
	acked   uint64        // bytes the client had acknowledged at the last look
	looked  bool          // acked was read during this send
	closed  bool          // the connection was closed during a send
	waited  time.Duration // how long that send had waited then
}

// SendMsg sends m, and closes the connection if the send waits too long
// (see stream). It then returns DEADLINE_EXCEEDED, which the client never
// sees but the server's logs and metrics record.
func (s *stream) SendMsg(m any) error {
	s.sent++
	s.mu.Lock()
	s.sending, s.since, s.looked = true, time.Now(), false
	s.mu.Unlock()
	half := s.g.timeout / 2
	if s.timer == nil {
		s.timer = time.AfterFunc(half, s.check)
	} else {
		s.timer.Reset(half)
	}
	err := s.ServerStream.SendMsg(m)
	s.timer.Stop()
	s.mu.Lock()
	s.sending = false
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return status.Errorf(codes.DeadlineExceeded, "result %d could not be sent for %v, as the client did not take the one before it: its connection is closed", s.sent, s.waited.Round(time.Millisecond))
	}
	return err
}

// check looks at a waiting send, and closes the connection if it has
// waited too long (see stream). A timer that fires late, for a send that
// is over, finds none (or one that started since) and does nothing.
func (s *stream) check() {
	half := s.g.timeout / 2
	s.mu.Lock()
	waited := time.Since(s.since)
	if !s.sending || waited < half {
		s.mu.Unlock()
		return
	}
	acked, ok := bytesAcked(s.conn.raw)
	moved := ok && s.looked && acked-s.acked >= minProgress
	s.acked, s.looked = acked, ok
	if waited < s.g.timeout || moved && waited < maxWaits*s.g.timeout {
		s.timer.Reset(half)
		s.mu.Unlock()
		return
	}
	// Only the stream that closes the connection reports the wait; the
	// connection's other streams end as the connection does.
	if !s.conn.cut.CompareAndSwap(false, true) {
		s.mu.Unlock()
		return
	}
	s.closed, s.waited = true, waited
	s.mu.Unlock()
	s.g.log.Warn("closing a client's connection: it did not take a stream's results",
		"peer", s.peer, "method", s.method, "result", s.sent, "waited", waited.Round(time.Millisecond), "connection_busy", moved)
	if s.g.onCut != nil {
		s.g.onCut()
	}
	s.conn.conn.Close()
}
