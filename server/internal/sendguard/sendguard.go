package sendguard

import (
	"context"
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
	"google.golang.org/protobuf/proto"

	"github.com/claimsvc/claims/server/internal/reqid"
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
	peer string          // conn's remote address, for the logs
	cut  atomic.Bool     // the Guard has closed conn (once, whatever its streams)

	// The unary answers queued on conn and not known to be sent yet (see
	// owe).
	mu        sync.Mutex
	owed      int         // bytes of answers queued since base
	base      uint64      // bytes the client had acknowledged when owed started
	lastAcked uint64      // at the last look
	since     time.Time   // when owed started, or the connection last moved
	timer     *time.Timer // runs checkOwed while owed > 0
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
	g.conns[a] = &tracked{conn: c, raw: raw, peer: a.String()}
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

// UnaryInterceptor returns the interceptor that watches the answers of
// unary calls on connections from the Guard's Listener. grpc queues a
// unary answer on its connection whole and ends the call, whatever the
// client reads: a client that reads nothing (a flow-control window of
// zero) could pile up answers there for as long as it keeps the
// connection. So a connection whose answers are not sent yet, and which
// has not carried minProgress bytes to its client in a whole timeout, is
// closed, as a stream's is. It needs to know the connection's progress
// (see bytesAcked); elsewhere it does nothing.
func (g *Guard) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil || g.timeout <= 0 {
			return resp, err
		}
		p, ok := peer.FromContext(ctx)
		if !ok {
			return resp, err
		}
		t, ok := g.lookup(p.Addr)
		if !ok {
			return resp, err
		}
		if m, ok := resp.(proto.Message); ok {
			g.owe(t, proto.Size(m))
		}
		return resp, err
	}
}

// owe notes n bytes of answer queued on t, and starts watching t if it
// was not.
func (g *Guard) owe(t *tracked, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owed == 0 {
		acked, ok := bytesAcked(t.raw)
		if !ok {
			return
		}
		t.base, t.lastAcked, t.since = acked, acked, time.Now()
		if t.timer == nil {
			t.timer = time.AfterFunc(g.timeout/2, func() { g.checkOwed(t) })
		} else {
			t.timer.Reset(g.timeout / 2)
		}
	}
	t.owed += n
}

// checkOwed looks at a connection that owes answers: once its client has
// acknowledged as many bytes as were owed, it is left alone; if it has
// not moved for a whole timeout, it is closed.
func (g *Guard) checkOwed(t *tracked) {
	t.mu.Lock()
	acked, ok := bytesAcked(t.raw)
	if !ok || t.owed == 0 || acked-t.base >= uint64(t.owed) {
		t.owed = 0
		t.mu.Unlock()
		return
	}
	if acked-t.lastAcked >= minProgress {
		t.since = time.Now()
	}
	t.lastAcked = acked
	stalled := time.Since(t.since)
	if stalled < g.timeout {
		t.timer.Reset(g.timeout / 2)
		t.mu.Unlock()
		return
	}
	owed := t.owed - int(acked-t.base)
	t.mu.Unlock()
	if t.cut.CompareAndSwap(false, true) {
		g.close(t, "closing a client's connection: it did not take its answers",
			"owed_bytes", owed, "waited", stalled.Round(time.Millisecond))
	}
}

// close closes t, which the caller has just marked cut, with a warning
// (msg and args, after the peer) and a count.
func (g *Guard) close(t *tracked, msg string, args ...any) {
	g.log.Warn(msg, append([]any{"peer", t.peer}, args...)...)
	if g.onCut != nil {
		g.onCut()
	}
	t.conn.Close()
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
		return handler(srv, &stream{ServerStream: ss, g: g, conn: t, method: info.FullMethod})
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
	s.g.close(s.conn, "closing a client's connection: it did not take a stream's results",
		"method", s.method, reqid.Attr(s.Context()), reqid.TraceAttr(s.Context()), "result", s.sent, "waited", waited.Round(time.Millisecond), "connection_busy", moved)
}
