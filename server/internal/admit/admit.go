package admit

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// RetryDelay is the delay a refusal asks its client to wait before it
// tries again (its RetryInfo, and the Retry-After header over HTTP).
const RetryDelay = time.Second

// Gate admits at most a fixed number of calls at once and, with
// PerClient, at most a fixed number from any one client. The zero Gate,
// and a nil *Gate, admit every call. A Gate is safe for concurrent use.
type Gate struct {
	max     int64
	n       atomic.Int64
	refusal *status.Status

	// With a bound on one client's calls, mu guards clients, and every
	// change of n is made under it too, so that a call is refused by the
	// bound that holds at that moment, never by a count another call has
	// taken only for a moment.
	perClient     int
	clientRefusal *status.Status
	mu            sync.Mutex
	clients       map[string]int // calls held by each client that holds one
}

// Option sets a bound of a Gate beside its total (see New).
type Option func(*Gate)

// PerClient bounds the calls one client holds at once to n (n <= 0: no
// bound): a client that opens many connections, or sends its calls
// through many, cannot take every slot of the Gate. flag names the
// setting that set n, for the refusal's message. Clients are told apart
// by their address (see ClientKey).
func PerClient(n int, flag string) Option {
	return func(g *Gate) {
		if n <= 0 {
			return
		}
		g.perClient = n
		g.clientRefusal = Busy(fmt.Sprintf("%s in progress, the server's limit for one client (%s): retry in a moment", callsAre(n, " from this client"), flag))
		g.clients = make(map[string]int)
	}
}

// New returns a Gate that admits max calls at once (max <= 0: no bound),
// and the further bounds opts set. flag names the setting that set max,
// for the refusal's message ("--max-inflight-calls", or the environment
// variable that set it).
func New(max int, flag string, opts ...Option) *Gate {
	g := &Gate{}
	if max > 0 {
		g.max = int64(max)
		g.refusal = Busy(fmt.Sprintf("%s in progress, the server's limit (%s): retry in a moment", callsAre(max, ""), flag))
	}
	for _, o := range opts {
		o(g)
	}
	return g
}

// callsAre says that n calls (from whom, if it is not "") are: "128
// calls are", "1 call from this client is".
func callsAre(n int, from string) string {
	if n == 1 {
		return "1 call" + from + " is"
	}
	return fmt.Sprintf("%d calls%s are", n, from)
}

// Busy returns the status of a call refused because the server holds as
// much as a limit lets it, and which is safe to send again later:
// RESOURCE_EXHAUSTED with msg and a google.rpc.RetryInfo detail of
// RetryDelay.
func Busy(msg string) *status.Status {
	st := status.New(codes.ResourceExhausted, msg)
	if d, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(RetryDelay)}); err == nil {
		st = d
	}
	return st
}

// Refusal is the error of a call a Gate refused: its status (see Busy),
// and which bound refused it.
type Refusal struct {
	st *status.Status
	// PerClient says the bound on one client's calls (PerClient) refused
	// the call, and Client names that client (see ClientKey); else the
	// Gate's total refused it.
	PerClient bool
	Client    string
}

// Error returns the refusal's status as an error message.
func (r *Refusal) Error() string { return r.st.Err().Error() }

// GRPCStatus returns the refusal's status, for grpc and status.Convert.
func (r *Refusal) GRPCStatus() *status.Status { return r.st }

// Max returns the number of calls g admits at once (0: no bound).
func (g *Gate) Max() int {
	if g == nil {
		return 0
	}
	return int(g.max)
}

// MaxPerClient returns the number of calls g admits at once from one
// client (0: no bound).
func (g *Gate) MaxPerClient() int {
	if g == nil {
		return 0
	}
	return g.perClient
}

// Counts reports whether g counts the calls it holds: whether it has a
// bound.
func (g *Gate) Counts() bool { return g != nil && (g.max > 0 || g.perClient > 0) }

// InFlight returns the number of calls g holds now (0 when it has no
// bound: calls are not counted then).
func (g *Gate) InFlight() int {
	if g == nil {
		return 0
	}
	return int(g.n.Load())
}

// Slot is an admitted call's place in a Gate. Its methods are safe for
// concurrent use; a nil *Slot is the place of a call no bound applies to.
type Slot struct {
	g      *Gate
	client string // the key of the client's count, if g bounds one client's calls
	left   atomic.Bool
	stop   func() bool // ends the context.AfterFunc of EnterUntilDone, if any
}

// Leave gives the slot back; calling it again does nothing.
func (s *Slot) Leave() {
	if s == nil {
		return
	}
	if s.stop != nil {
		s.stop()
	}
	s.release()
}

// release gives the slot back, once. EnterUntilDone's AfterFunc calls it
// rather than Leave, as it may run before stop is set.
func (s *Slot) release() {
	if !s.left.CompareAndSwap(false, true) {
		return
	}
	g := s.g
	if g.perClient == 0 {
		g.n.Add(-1)
		return
	}
	g.mu.Lock()
	g.n.Add(-1)
	if n := g.clients[s.client]; n <= 1 {
		delete(g.clients, s.client)
	} else {
		g.clients[s.client] = n - 1
	}
	g.mu.Unlock()
}

// Prefixes of IPv6 addresses that ClientKey does not read by their /64.
var (
	// nat64 is the well-known prefix of NAT64 (RFC 6052): its addresses
	// carry an IPv4 client's address in their last 32 bits.
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	// teredo is Teredo's prefix (RFC 4380), whose /64 names a relay
	// shared by many hosts.
	teredo = netip.MustParsePrefix("2001::/32")
)

// ClientKey returns the part of a client's address that tells clients
// apart, whatever its port: an IPv4 address (IPv4 in IPv6 unmapped, and
// the IPv4 client of a NAT64 address of the well-known prefix); the /64
// network of an IPv6 address ("2001:db8:1:2::/64"), which is what one host
// or site is given, so that a client cannot pass its bound by sending from
// other addresses of its own, except for a Teredo address, kept whole; or
// addr itself when it is not an IP address, with a port or without,
// bracketed or not (a Unix socket's path, a test's pipe).
func ClientKey(addr string) string {
	a, ok := parseClient(addr)
	if !ok {
		return addr
	}
	a = a.Unmap().WithZone("")
	switch {
	case a.Is4():
		return a.String()
	case nat64.Contains(a):
		b := a.As16()
		return netip.AddrFrom4([4]byte(b[12:])).String()
	case teredo.Contains(a):
		return a.String()
	}
	p, _ := a.Prefix(64) // never fails for IPv6
	return p.String()
}

// parseClient parses an IP address, with a port or without, an IPv6 one
// bracketed or not.
func parseClient(addr string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(addr); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr(), true
	}
	if len(addr) > 2 && addr[0] == '[' && addr[len(addr)-1] == ']' {
		if a, err := netip.ParseAddr(addr[1 : len(addr)-1]); err == nil && a.Is6() {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// Enter admits a call from client (its address, as ClientKey reads it)
// if g holds fewer than its limits, and returns its slot (nil when g has
// no bound). When a limit is reached, it returns the refusal instead: a
// *Refusal, whose status is RESOURCE_EXHAUSTED with a RetryInfo detail,
// from the total when it is reached, else from the bound on one client.
// It never blocks for long.
func (g *Gate) Enter(client string) (*Slot, error) {
	if !g.Counts() {
		return nil, nil
	}
	if g.perClient > 0 {
		return g.enterClient(ClientKey(client))
	}
	for {
		n := g.n.Load()
		if n >= g.max {
			return nil, &Refusal{st: g.refusal}
		}
		// A compare-and-swap rather than an add: the count never reads
		// above the limit, not even for a moment.
		if g.n.CompareAndSwap(n, n+1) {
			return &Slot{g: g}, nil
		}
	}
}

// enterClient is Enter for a Gate with a bound on one client's calls:
// both counts are read and taken together, under g.mu.
func (g *Gate) enterClient(key string) (*Slot, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.max > 0 && g.n.Load() >= g.max {
		return nil, &Refusal{st: g.refusal}
	}
	if g.clients[key] >= g.perClient {
		return nil, &Refusal{st: g.clientRefusal, PerClient: true, Client: key}
	}
	g.clients[key]++
	g.n.Add(1)
	return &Slot{g: g, client: key}, nil
}

// EnterUntilDone admits a call as Enter does and, once admitted, returns
// ctx carrying its slot (NewContext), which is given back when ctx is
// done unless Leave gave it back before: for the context of a gRPC call,
// which grpc cancels when the call ends however it ends.
func (g *Gate) EnterUntilDone(ctx context.Context, client string) (context.Context, error) {
	s, err := g.Enter(client)
	if err != nil || s == nil {
		return ctx, err
	}
	s.stop = context.AfterFunc(ctx, s.release)
	return NewContext(ctx, s), nil
}

// ctxKey is the context key of a call's slot.
type ctxKey struct{}

// NewContext returns ctx carrying s, the slot of its call, for Leave.
func NewContext(ctx context.Context, s *Slot) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, s)
}

// Leave gives back the slot of the call in ctx, if it holds one
// (NewContext); calling it again does nothing.
func Leave(ctx context.Context) {
	if s, ok := ctx.Value(ctxKey{}).(*Slot); ok {
		s.Leave()
	}
}
