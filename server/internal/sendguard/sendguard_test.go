package sendguard

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/claimsvc/claims/server/internal/apitest"
)

// flood is a server-streaming method: each request asks for count results
// of size bytes, with pause between them.
type flood struct {
	count int
	size  int
	pause time.Duration
	alt   *flood // for a request "alt"
}

var floodDesc = grpc.StreamDesc{StreamName: "Flood", ServerStreams: true, ClientStreams: true}

// serve starts a gRPC server with the Guard on loopback and returns a
// client connection to it, with small fixed windows so that a client that
// does not read fills them fast. handlerErr receives what the handler
// returned.
func serve(t *testing.T, g *Guard, f flood) (conn *grpc.ClientConn, handlerErr chan error) {
	return serveWith(t, g, f, nil, insecure.NewCredentials())
}

// serveWith is serve with the server's and the client's credentials.
func serveWith(t *testing.T, g *Guard, f flood, server, client credentials.TransportCredentials) (conn *grpc.ClientConn, handlerErr chan error) {
	return serveVia(t, g, f, server, client, nil)
}

// serveThrough is serve with the client connecting through a proxy that
// copies what the server sends with down.
func serveThrough(t *testing.T, g *Guard, f flood, down func(dst io.Writer, src io.Reader)) (conn *grpc.ClientConn, handlerErr chan error) {
	return serveVia(t, g, f, nil, insecure.NewCredentials(), down)
}

// serveVia is serveWith, through a proxy if down is not nil.
func serveVia(t *testing.T, g *Guard, f flood, server, client credentials.TransportCredentials, down func(dst io.Writer, src io.Reader)) (conn *grpc.ClientConn, handlerErr chan error) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handlerErr = make(chan error, 16)
	opts := []grpc.ServerOption{grpc.ChainStreamInterceptor(g.StreamInterceptor()), grpc.ChainUnaryInterceptor(g.UnaryInterceptor())}
	if server != nil {
		opts = append(opts, grpc.Creds(server))
	}
	srv := grpc.NewServer(opts...)
	desc := floodDesc
	desc.Handler = func(_ any, ss grpc.ServerStream) error {
		err := func() error {
			req := new(wrapperspb.StringValue)
			if err := ss.RecvMsg(req); err != nil {
				return err
			}
			f := f
			if req.GetValue() == "alt" && f.alt != nil {
				f = *f.alt
			}
			msg := wrapperspb.Bytes(bytes.Repeat([]byte("x"), f.size))
			for range f.count {
				if err := ss.SendMsg(msg); err != nil {
					return err
				}
				time.Sleep(f.pause)
			}
			return nil
		}()
		handlerErr <- err
		return err
	}
	// Big answers f.size bytes at once.
	big := grpc.MethodDesc{MethodName: "Big", Handler: func(_ any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
		if err := dec(new(wrapperspb.StringValue)); err != nil {
			return nil, err
		}
		h := func(context.Context, any) (any, error) {
			return wrapperspb.Bytes(bytes.Repeat([]byte("x"), f.size)), nil
		}
		return icpt(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/test.Flood/Big"}, h)
	}}
	srv.RegisterService(&grpc.ServiceDesc{ServiceName: "test.Flood", HandlerType: (*any)(nil), Streams: []grpc.StreamDesc{desc}, Methods: []grpc.MethodDesc{big}}, struct{}{})
	go srv.Serve(g.Listener(lis))
	t.Cleanup(srv.Stop)
	target := lis.Addr().String()
	if down != nil {
		target = proxy(t, target, down)
	}
	conn, err = grpc.NewClient(target, grpc.WithTransportCredentials(client),
		grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, handlerErr
}

// open starts a Flood stream and sends its one request.
func open(t *testing.T, conn *grpc.ClientConn) grpc.ClientStream {
	t.Helper()
	return openAs(t, conn, "go")
}

// openAs is open with the request req.
func openAs(t *testing.T, conn *grpc.ClientConn, req string) grpc.ClientStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cs, err := conn.NewStream(ctx, &floodDesc, "/test.Flood/Flood")
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SendMsg(wrapperspb.String(req)); err != nil {
		t.Fatal(err)
	}
	if err := cs.CloseSend(); err != nil {
		t.Fatal(err)
	}
	return cs
}

// readAll reads a stream's results to its end and returns how many there
// were.
func readAll(t *testing.T, cs grpc.ClientStream) int {
	t.Helper()
	n := 0
	for {
		err := cs.RecvMsg(new(wrapperspb.BytesValue))
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("read %d: %v", n+1, err)
		}
		n++
	}
}

func TestClientThatDoesNotReadIsCut(t *testing.T) {
	t.Run("plaintext", func(t *testing.T) { testCut(t, nil, insecure.NewCredentials()) })
	// grpc reports the peer through TLS with the connection's own address.
	serverTLS, clientTLS := selfSigned(t)
	t.Run("TLS", func(t *testing.T) { testCut(t, serverTLS, clientTLS) })
}

func testCut(t *testing.T, server, client credentials.TransportCredentials) {
	var logs bytes.Buffer
	var cuts atomic.Int64
	g := New(200*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)), func() { cuts.Add(1) })
	conn, handlerErr := serveWith(t, g, flood{count: 1000, size: 256 << 10}, server, client)
	cs := open(t, conn)
	start := time.Now()
	var err error
	select {
	case err = <-handlerErr:
	case <-time.After(20 * time.Second):
		t.Fatal("the handler's send was never cut")
	}
	if got, want := status.Code(err), codes.DeadlineExceeded; got != want {
		t.Errorf("handler's error: got %v (%v), want %v", got, err, want)
	}
	if !strings.Contains(err.Error(), "as the client did not take the one before it: its connection is closed") {
		t.Errorf("handler's error: got %q, want it to say what was not taken", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the cut took %v", d)
	}
	if got, want := cuts.Load(), int64(1); got != want {
		t.Errorf("cuts: got %d, want %d", got, want)
	}
	if !strings.Contains(logs.String(), "closing a client's connection") || !strings.Contains(logs.String(), "peer=127.0.0.1:") {
		t.Errorf("log: got %q, want a warning naming the peer", logs.String())
	}
	// The client finds its connection gone once it reads what it had.
	for {
		err := cs.RecvMsg(new(wrapperspb.BytesValue))
		if err == nil {
			continue
		}
		if got, want := status.Code(err), codes.Unavailable; got != want {
			t.Errorf("client's read: got %v (%v), want %v", got, err, want)
		}
		break
	}
}

func TestClientThatReadsIsNotCut(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		f       flood
	}{
		// Many sends, each waiting on the client's window a little. The
		// timeout leaves room for a client that reads but is not
		// scheduled for a while on a loaded machine (at 100 ms, a run
		// beside other test binaries on two cores was cut once).
		{"large results", time.Second, flood{count: 200, size: 256 << 10}},
		// Sends further apart than the timeout: the clock runs only
		// while a send waits. These sends are tiny and never wait.
		{"slow server", 100 * time.Millisecond, flood{count: 4, size: 10, pause: 150 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cuts atomic.Int64
			g := New(tc.timeout, slog.New(slog.DiscardHandler), func() { cuts.Add(1) })
			conn, handlerErr := serve(t, g, tc.f)
			n := readAll(t, open(t, conn))
			if got, want := n, tc.f.count; got != want {
				t.Errorf("results: got %d, want %d", got, want)
			}
			if err := <-handlerErr; err != nil {
				t.Errorf("handler: got %v, want nil", err)
			}
			if got := cuts.Load(); got != 0 {
				t.Errorf("cuts: got %d, want 0", got)
			}
		})
	}
}

// TestSlowLinkIsNotCut reads results through a link of about 400 KB/s: each
// 256 KiB result takes longer than the timeout to get through, but the
// connection makes progress all along, so it is not closed.
func TestSlowLinkIsNotCut(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the system does not tell a connection's progress")
	}
	var cuts atomic.Int64
	g := New(400*time.Millisecond, slog.New(slog.DiscardHandler), func() { cuts.Add(1) })
	f := flood{count: 4, size: 256 << 10}
	conn, handlerErr := serveThrough(t, g, f, func(dst io.Writer, src io.Reader) {
		buf := make([]byte, 8<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if _, err := dst.Write(buf[:n]); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond) // 8 KiB every 20 ms
			}
			if err != nil {
				return
			}
		}
	})
	start := time.Now()
	n := readAll(t, open(t, conn))
	took := time.Since(start)
	if got, want := n, f.count; got != want {
		t.Errorf("results: got %d, want %d", got, want)
	}
	if err := <-handlerErr; err != nil {
		t.Errorf("handler: got %v, want nil", err)
	}
	if got := cuts.Load(); got != 0 {
		t.Errorf("cuts: got %d, want 0", got)
	}
	if took < 4*400*time.Millisecond {
		t.Errorf("the results took %v, want more than the timeout each for the test to mean something", took)
	}
}

// TestBusyConnection: a stalled stream on a connection that keeps carrying
// another stream's results is not cut while they flow, but only up to
// maxWaits timeouts; and a connection closed for several stalled streams
// at once is closed, logged and counted once.
func TestBusyConnection(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the system does not tell a connection's progress")
	}
	var cuts atomic.Int64
	var logs apitest.LogBuffer
	timeout := 200 * time.Millisecond
	g := New(timeout, slog.New(slog.NewTextHandler(&logs, nil)), func() { cuts.Add(1) })
	// "go" streams stall (the client never reads them); the "alt" stream
	// flows for far longer than maxWaits timeouts.
	f := flood{count: 1000, size: 256 << 10, alt: &flood{count: 100000, size: 32 << 10, pause: 5 * time.Millisecond}}
	conn, handlerErr := serve(t, g, f)
	flowing := openAs(t, conn, "alt")
	start := time.Now()
	for range 3 {
		open(t, conn)
	}
	read := make(chan int, 1)
	go func() {
		n := 0
		for flowing.RecvMsg(new(wrapperspb.BytesValue)) == nil {
			n++
		}
		read <- n
	}()
	// Each handler ends: the stalled one whose wait closed the connection
	// with DEADLINE_EXCEEDED, the others as the connection does.
	var took time.Duration
	deadlines := 0
	for range 4 {
		select {
		case err := <-handlerErr:
			switch status.Code(err) {
			case codes.DeadlineExceeded:
				if deadlines++; deadlines == 1 {
					took = time.Since(start)
				}
			case codes.Unavailable, codes.Canceled:
			default:
				t.Errorf("a handler: got %v, want DEADLINE_EXCEEDED or the connection closed", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the stalled streams were never cut")
		}
	}
	if deadlines != 1 {
		t.Errorf("handlers with DEADLINE_EXCEEDED: got %d, want 1 (the stream that closed the connection)", deadlines)
	}
	if took < maxWaits*timeout {
		t.Errorf("the stalled streams were cut after %v, want at least %v while the connection was busy", took, maxWaits*timeout)
	}
	if n := <-read; n < 10 {
		t.Errorf("the flowing stream got %d results before the cut, want it to have flowed", n)
	}
	if got, want := cuts.Load(), int64(1); got != want {
		t.Errorf("cuts: got %d, want %d", got, want)
	}
	if got, want := strings.Count(logs.String(), "closing a client's connection"), 1; got != want {
		t.Errorf("warnings: got %d, want %d:\n%s", got, want, logs.String())
	}
	if !strings.Contains(logs.String(), "connection_busy=true") {
		t.Errorf("log: got %q, want it to say the connection was busy", logs.String())
	}
}

// TestStalledStreamsCutOnce stalls several streams of one connection at
// once: their timers fire together, and the connection is closed, counted
// and reported as DEADLINE_EXCEEDED once.
func TestStalledStreamsCutOnce(t *testing.T) {
	for run := range 5 {
		var cuts atomic.Int64
		g := New(200*time.Millisecond, slog.New(slog.DiscardHandler), func() { cuts.Add(1) })
		conn, handlerErr := serve(t, g, flood{count: 1000, size: 256 << 10})
		for range 4 {
			open(t, conn)
		}
		deadlines := 0
		for range 4 {
			select {
			case err := <-handlerErr:
				if status.Code(err) == codes.DeadlineExceeded {
					deadlines++
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("run %d: the stalled streams were never cut", run+1)
			}
		}
		if deadlines != 1 || cuts.Load() != 1 {
			t.Errorf("run %d: got %d DEADLINE_EXCEEDED and %d cuts, want 1 and 1", run+1, deadlines, cuts.Load())
		}
	}
}

// TestUnaryAnswersNotTaken: a client whose connection stops carrying its
// unary answers (here a proxy that stops reading them) has its connection
// closed, as the answers would otherwise pile up on it; a client that
// reads its answers is not cut.
func TestUnaryAnswersNotTaken(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the system does not tell a connection's progress")
	}
	for _, stall := range []bool{true, false} {
		var cuts atomic.Int64
		var logs apitest.LogBuffer
		g := New(300*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)), func() { cuts.Add(1) })
		f := flood{size: 256 << 10}
		conn, _ := serveThrough(t, g, f, func(dst io.Writer, src io.Reader) {
			limit := int64(1 << 62)
			if stall {
				limit = 64 << 10 // then stop reading
			}
			io.Copy(dst, io.LimitReader(src, limit))
			if stall {
				time.Sleep(time.Minute)
			}
		})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				errs <- conn.Invoke(ctx, "/test.Flood/Big", wrapperspb.String("go"), new(wrapperspb.BytesValue))
			})
		}
		wg.Wait()
		close(errs)
		failed := 0
		for err := range errs {
			if err != nil {
				failed++
				// The proxy, which has stopped reading, does not pass the
				// close on: the calls run out of time.
				if got := status.Code(err); got != codes.Unavailable && got != codes.DeadlineExceeded {
					t.Errorf("stall %v: a call got %v, want it cut off", stall, err)
				}
			}
		}
		switch {
		case stall && (cuts.Load() != 1 || failed == 0):
			t.Errorf("stalled: got %d cuts and %d calls failed, want 1 cut and the calls failed", cuts.Load(), failed)
		case stall && !strings.Contains(logs.String(), "it did not take its answers"):
			t.Errorf("stalled: log %q, want a warning", logs.String())
		case !stall && (cuts.Load() != 0 || failed != 0):
			t.Errorf("reading: got %d cuts and %d calls failed, want none", cuts.Load(), failed)
		}
	}
}

func TestDisabled(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	g := New(0, slog.New(slog.DiscardHandler), nil)
	if got := g.Listener(lis); got != lis {
		t.Errorf("Listener with no timeout: got %T, want the listener itself", got)
	}
}

// TestListenerTracksConnections: grpc gets the *net.TCPConn itself (it
// reads a wrapped one through a buffer of its own, 32 KiB a connection),
// and closed connections are swept out of the map as it grows.
func TestListenerTracksConnections(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	g := New(time.Second, slog.New(slog.DiscardHandler), nil)
	g.sweepAt = 4 // the first sweep comes at 4 connections
	gl := g.Listener(lis)
	accept := func() net.Conn {
		t.Helper()
		client, err := net.Dial("tcp", lis.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { client.Close() })
		c, err := gl.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*net.TCPConn); !ok {
			t.Fatalf("Accept: got %T, want *net.TCPConn", c)
		}
		return c
	}
	var conns []net.Conn
	for range 4 {
		conns = append(conns, accept())
	}
	for _, c := range conns[:3] {
		c.Close()
	}
	last := accept() // sweeps the 3 closed ones
	if got, want := len(g.conns), 2; got != want {
		t.Errorf("tracked after the sweep: got %d, want %d", got, want)
	}
	for _, c := range []net.Conn{conns[3], last} {
		if got, ok := g.lookup(c.RemoteAddr()); !ok || net.Conn(got.conn) != c {
			t.Errorf("lookup(%v): got %v, %v; want the connection", c.RemoteAddr(), got.conn, ok)
		}
	}
	if _, ok := g.lookup(conns[0].RemoteAddr()); ok {
		t.Errorf("lookup of a swept connection: found, want not")
	}
	// A copy of the address (another connection's, say) is not the key.
	a := *last.RemoteAddr().(*net.TCPAddr)
	if _, ok := g.lookup(&a); ok {
		t.Errorf("lookup of an equal address value: found, want only the connection's own")
	}
	if got, want := g.sweepAt, minSweep; got != want {
		t.Errorf("next sweep: got %d, want %d", got, want)
	}
}

// selfSigned returns TLS credentials for a server with a fresh self-signed
// certificate for 127.0.0.1, and for a client that trusts it.
func selfSigned(t *testing.T) (server, client credentials.TransportCredentials) {
	t.Helper()
	certPEM, keyPEM := apitest.SelfSigned(t)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}}), credentials.NewTLS(&tls.Config{RootCAs: pool})
}

// proxy listens on loopback and forwards each connection to target,
// copying what target sends with down. It returns its address.
func proxy(t *testing.T, target string, down func(dst io.Writer, src io.Reader)) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				return
			}
			go func() { io.Copy(s, c); s.Close() }()
			go func() { down(c, s); c.Close() }()
		}
	}()
	return lis.Addr().String()
}
