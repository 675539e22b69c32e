package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/claimsvc/claims/server/internal/admit"
	"github.com/claimsvc/claims/server/internal/reqid"
)

// Auth decides who may change the model (Train and Forget). Reads are open.
type Auth struct {
	// Token is the bearer token required for changes; empty means none.
	Token string
	// TokensFrom, if not nil, gives the tokens accepted at the moment
	// instead of Token (read from a file and read again when it changes:
	// the new and the old one during a rotation); it must return at least
	// one, and none empty.
	TokensFrom func() []string
	// Open allows changes without a token. The server sets it only when
	// its gRPC and HTTP listeners are on loopback addresses.
	Open bool
	// ReadOnly refuses every change, with a token or without: the model
	// the server started with is the one it serves.
	ReadOnly bool
}

// HasToken reports whether changes require a token.
func (a Auth) HasToken() bool { return a.Token != "" || a.TokensFrom != nil }

// mutating lists the methods that change the model.
var mutating = map[string]bool{
	"/claims.v1.ClaimService/Train":  true,
	"/claims.v1.ClaimService/Forget": true,
}

// BearerToken returns the token of the first authorization value with the
// Bearer scheme, or "" if there is none (or its token is blank).
func BearerToken(values []string) string {
	for _, v := range values {
		// The scheme is case-insensitive (RFC 9110, section 11.1).
		if len(v) > len("Bearer ") && strings.EqualFold(v[:len("Bearer ")], "Bearer ") {
			return strings.TrimSpace(v[len("Bearer "):])
		}
	}
	return ""
}

// check authorizes a call to fullMethod with the metadata in ctx.
func (a Auth) check(ctx context.Context, fullMethod string) error {
	if !mutating[fullMethod] {
		return nil
	}
	if a.ReadOnly {
		return status.Error(codes.PermissionDenied, "model changes are disabled: the server runs with --read-only")
	}
	if !a.HasToken() {
		if a.Open {
			return nil
		}
		return status.Error(codes.PermissionDenied, "model changes are disabled: the server listens on a non-loopback address and has no --train-token or --train-token-file")
	}
	md, _ := metadata.FromIncomingContext(ctx)
	got := BearerToken(md.Get("authorization"))
	if got == "" {
		return status.Error(codes.Unauthenticated, "authorization: a bearer token is required to change the model")
	}
	wants := []string{a.Token}
	if a.TokensFrom != nil {
		wants = a.TokensFrom()
	}
	// Compare digests, not the tokens: subtle.ConstantTimeCompare returns
	// at once when the lengths differ, which would leak the token's length.
	// Every token is compared, whichever matches.
	gotSum := sha256.Sum256([]byte(got))
	match := 0
	for _, want := range wants {
		wantSum := sha256.Sum256([]byte(want))
		match |= subtle.ConstantTimeCompare(gotSum[:], wantSum[:])
	}
	if match != 1 {
		return status.Error(codes.Unauthenticated, "authorization: the bearer token is not valid")
	}
	return nil
}

// Transport says how the calls an interceptor sees reach the server, for
// the access log's transport and peer.
type Transport int

const (
	// GRPC calls come from clients of the gRPC listener: the peer is the
	// connection's remote address, or the client a trusted proxy names
	// (Observer.Proxies).
	GRPC Transport = iota
	// REST calls are made by the REST gateway for HTTP clients: the peer
	// is the HTTP client's address (or the client a trusted proxy names),
	// which the gateway gives in the call's metadata under RESTPeerKey.
	REST
)

// String returns the transport's name in the access log: "grpc" or
// "rest".
func (t Transport) String() string {
	if t == REST {
		return "rest"
	}
	return "grpc"
}

// RESTPeerKey is the metadata key under which the REST gateway names the
// HTTP client of each call it makes (its remote address, or the client a
// trusted proxy names: see Proxies). Only REST interceptors read it: a
// gRPC client may send any metadata, and the gateway forwards no header
// to it.
const RESTPeerKey = "x-claims-rest-peer"

// Observer logs and counts the calls an interceptor sees. It is safe for
// concurrent use once built; its fields must not change after.
type Observer struct {
	// Log gets the access log line of each call, and its panics; it must
	// not be nil.
	Log *slog.Logger
	// Metrics, if not nil, counts calls and their durations.
	Metrics *Metrics
	// Transport is how the calls reach the server.
	Transport Transport
	// Proxies are believed when they name a gRPC call's client in its
	// x-forwarded-for metadata. The REST gateway names the clients of
	// REST calls itself (RESTPeerKey).
	Proxies Proxies
	// OnUnauthenticated, if not nil, is called for each call refused for
	// its bearer token (UNAUTHENTICATED), whatever Log keeps.
	OnUnauthenticated func()
}

// RESTPeer returns the client the REST gateway names in the metadata of
// the call in ctx (RESTPeerKey: the last value, the gateway's own), and
// whether it names one. Only a call the gateway made may be asked: a
// gRPC client may send any metadata.
func RESTPeer(ctx context.Context) (string, bool) {
	if v := metadata.ValueFromIncomingContext(ctx, RESTPeerKey); len(v) > 0 {
		return v[len(v)-1], true
	}
	return "", false
}

// peer returns the address of the client of the call in ctx, or "" if it
// is not known.
func (o Observer) peer(ctx context.Context) string {
	if o.Transport == REST {
		p, _ := RESTPeer(ctx)
		return p
	}
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	if len(o.Proxies) == 0 {
		return p.Addr.String()
	}
	return o.Proxies.Client(p.Addr.String(), metadata.ValueFromIncomingContext(ctx, ForwardedForKey))
}

// requestID returns ctx carrying the request ID of its call (see
// withRequestID). A gRPC call gets it back in its response headers the
// first time; a REST call's gateway sends it itself.
func (o Observer) requestID(ctx context.Context) context.Context {
	ctx2, id, added := withRequestID(ctx)
	if added && o.Transport == GRPC {
		// It fails only once the headers are sent, which no call has
		// done before its interceptors and handler run.
		_ = grpc.SetHeader(ctx, metadata.Pairs(reqid.Key, id))
	}
	return ctx2
}

// Interceptors returns the server's unary and stream interceptors, in
// order: request ID, recovery, logging and metrics (o), the deadline
// (unary calls only), authorization.
func Interceptors(auth Auth, callTimeout time.Duration, o Observer) (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		start := time.Now()
		// The call's slot among those in flight (see package admit) is
		// free again before its answer is sent.
		defer admit.Leave(ctx)
		ctx = o.requestID(ctx)
		defer func() {
			if r := recover(); r != nil {
				err = o.panicked(ctx, info.FullMethod, r)
			}
			o.observe(ctx, info.FullMethod, start, err, false)
		}()
		// A caller's deadline that comes first already bounds the call; a
		// context with a timer of its own would change nothing.
		if d, ok := ctx.Deadline(); callTimeout > 0 && (!ok || time.Until(d) > callTimeout) {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, callTimeout)
			defer cancel()
		}
		if err := auth.check(ctx, info.FullMethod); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
	stream := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		start := time.Now()
		ctx := o.requestID(ss.Context())
		defer func() {
			if r := recover(); r != nil {
				err = o.panicked(ctx, info.FullMethod, r)
			}
			o.observe(ctx, info.FullMethod, start, err, false)
		}()
		if err := auth.check(ctx, info.FullMethod); err != nil {
			return err
		}
		// The interceptors after this one, and the handler, see the
		// request ID in the stream's context.
		return handler(srv, StreamWithContext(ss, ctx))
	}
	return unary, stream
}

// StreamWithContext returns ss with ctx as its context.
func StreamWithContext(ss grpc.ServerStream, ctx context.Context) grpc.ServerStream {
	return contextStream{ss, ctx}
}

// contextStream is a server stream with a context of its own.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s contextStream) Context() context.Context { return s.ctx }

// ObserveReceive returns a copy of sd whose unary methods log and count,
// as the interceptors do, a call whose request message grpc could not
// receive: one over the receive limit, one it cannot decode, and one that
// has not arrived by the call's deadline. grpc receives the message when
// the method's handler asks for it, before the interceptors run, and such
// a call ends there: without this it would be neither logged nor counted.
//
// The call's request ID is chosen here (see Interceptors), so that such a
// call has one too, and the interceptors take it from the context. The
// call's slot among those in flight (see package admit) is given back as
// the handler returns, whether its message failed or not (if it failed,
// just after grpc sent the error).
func ObserveReceive(sd grpc.ServiceDesc, o Observer) *grpc.ServiceDesc {
	sd.Methods = slices.Clone(sd.Methods)
	for i, md := range sd.Methods {
		handler, full := md.Handler, "/"+sd.ServiceName+"/"+md.MethodName
		sd.Methods[i].Handler = func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			start := time.Now()
			// A call whose message fails gives its slot among those in
			// flight back too. grpc has sent its status by then (it does
			// so as it fails to receive), but this is sooner than the end
			// of the stream, which would give it back otherwise.
			defer admit.Leave(ctx)
			ctx = o.requestID(ctx)
			return handler(srv, ctx, func(v any) error {
				err := dec(v)
				if err != nil {
					o.observe(ctx, full, start, err, true)
				}
				return err
			}, interceptor)
		}
	}
	return &sd
}

// panicked logs a handler panic with its stack and returns INTERNAL.
func (o Observer) panicked(ctx context.Context, method string, r any) error {
	o.Log.ErrorContext(ctx, "panic in handler", "method", method, "transport", o.Transport.String(), "peer", o.peer(ctx), reqid.Attr(ctx), reqid.TraceAttr(ctx), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	return status.Error(codes.Internal, "internal error")
}

// observe logs one line per call and records metrics. Of the request it
// logs only the call's transport, the address of its client (see peer)
// and its request ID, which ctx carries and was checked (reqid.Valid): never its
// contents or other metadata, so never the token. A call that failed with
// INTERNAL, UNKNOWN or DATA_LOSS is logged as an error, unless received
// says it failed receiving its request: grpc answers INTERNAL for a
// message it cannot decode, which is the client's doing.
func (o Observer) observe(ctx context.Context, fullMethod string, start time.Time, err error, received bool) {
	log := o.Log
	d := time.Since(start)
	code := status.Code(err)
	method, label, short := methodNames(fullMethod, err)
	o.Metrics.call(label, code.String(), d.Seconds())
	if code == codes.Unauthenticated && o.OnUnauthenticated != nil {
		o.OnUnauthenticated()
	}
	level := slog.LevelInfo
	if !received && (code == codes.Internal || code == codes.Unknown || code == codes.DataLoss) {
		level = slog.LevelError
	}
	if !log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("code", code.String()),
		slog.Duration("duration", d),
		slog.String("transport", o.Transport.String()),
		slog.String("peer", o.peer(ctx)),
		reqid.Attr(ctx), reqid.TraceAttr(ctx),
	}
	if short != "" {
		attrs = append(attrs, slog.String("error", short))
	} else if err != nil {
		attrs = append(attrs, slog.String("error", status.Convert(err).Message()))
	}
	log.LogAttrs(ctx, level, "rpc", attrs...)
}
