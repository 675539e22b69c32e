package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"
	"google.golang.org/grpc/test/bufconn"

	"github.com/claimsvc/claims/classifier"
	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/seeds"
	"github.com/claimsvc/claims/server/buildinfo"
	"github.com/claimsvc/claims/server/internal/admit"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/certs"
	"github.com/claimsvc/claims/server/internal/gateway"
	"github.com/claimsvc/claims/server/internal/memlimit"
	"github.com/claimsvc/claims/server/internal/sendguard"
	"github.com/claimsvc/claims/server/internal/store"
)

// serviceName is the gRPC service name reported by the health service.
const serviceName = "claims.v1.ClaimService"

// Fixed gRPC flow-control windows, for the server and the gateway's
// connection alike (see run): a client that does not read cannot make
// either buffer more.
const (
	streamWindow = 1 << 20
	connWindow   = 4 << 20
)

// maxHeaderBytes bounds a request's headers, HTTP and gRPC alike.
const maxHeaderBytes = 64 << 10

// listening holds the addresses the server's listeners are bound to.
type listening struct {
	GRPC, HTTP string
	Health     string // empty without --health-addr
	Debug      string // empty without --debug-addr
}

// run starts the server and blocks until ctx is cancelled, then shuts down
// gracefully. access receives the per-call log lines; it may be log. ready,
// if not nil, is called with the bound addresses once every listener
// accepts connections.
func run(ctx context.Context, cfg config, log, access *slog.Logger, ready func(listening)) error {
	start := time.Now()
	// tlsCfg is nil without TLS; grpcTLS and httpTLS are the listeners'
	// (with client certificates, each returns a config of its own).
	var tlsCfg, grpcTLS, httpTLS *tls.Config
	if cfg.TLSCert != "" {
		pair, err := certs.NewKeyPair(cfg.TLSCert, cfg.TLSKey, log, time.Now)
		if err != nil {
			return fmt.Errorf("%s, %s: %w", cfg.opt("tls-cert"), cfg.opt("tls-key"), err)
		}
		certs.Warn(pair.Certificate(), cfg.TLSCert, start, log)
		// The pair is looked up at each handshake, so a renewed one is
		// served to new connections without a restart.
		tlsCfg = &tls.Config{GetCertificate: pair.GetCertificate, MinVersion: tls.VersionTLS12}
		grpcTLS, httpTLS = tlsCfg, tlsCfg
		if cfg.TLSClientCA != "" {
			cas, err := certs.NewClientCAs(cfg.TLSClientCA, log, time.Now)
			if err != nil {
				return fmt.Errorf("%s: %w", cfg.opt("tls-client-ca"), err)
			}
			// Each handshake gets a config that requires a client
			// certificate from the CAs of the moment, so a renewed CA
			// file needs no restart. Such a config must name its own
			// application protocols: gRPC speaks h2 only.
			grpcTLS, httpTLS = tlsCfg.Clone(), tlsCfg.Clone()
			grpcTLS.GetConfigForClient = cas.ConfigForClient(tlsCfg, []string{"h2"})
			httpTLS.GetConfigForClient = cas.ConfigForClient(tlsCfg, []string{"h2", "http/1.1"})
		}
	}
	// The token file is read before any model work too, so that a bad one
	// stops the server at once.
	var tokenFile *certs.TokenFile
	if cfg.TrainTokenFile != "" {
		var err error
		if tokenFile, err = certs.NewTokenFile(cfg.TrainTokenFile, log, time.Now); err != nil {
			return fmt.Errorf("%s: %w", cfg.opt("train-token-file"), err)
		}
	}
	// Listen before the model is loaded: a port in use or an address that
	// cannot be bound fails at once, not after a load that grows with the
	// model, and before a fresh data directory is given the default model.
	// Connections made meanwhile wait in the backlog until the servers
	// start. The servers close the listeners when they stop; the deferred
	// closes are for the returns before that.
	grpcLis, err := listen(cfg, "grpc-addr", cfg.GRPCAddr)
	if err != nil {
		return err
	}
	defer grpcLis.Close()
	httpLis, err := listen(cfg, "http-addr", cfg.HTTPAddr, boundListener{"grpc-addr", grpcLis})
	if err != nil {
		return err
	}
	defer httpLis.Close()
	// Training is open without a token only on loopback listeners, as
	// the addresses are spelled (localhost or a loopback address: a host
	// name that resolves to loopback does not count, as before) and as
	// they are bound (the system resolves localhost, and need not give a
	// loopback address).
	loopback := cfg.loopbackOnly() && boundToLoopback(grpcLis) && boundToLoopback(httpLis)
	var healthLis net.Listener // nil without --health-addr
	if cfg.HealthAddr != "" {
		if healthLis, err = listen(cfg, "health-addr", cfg.HealthAddr, boundListener{"grpc-addr", grpcLis}, boundListener{"http-addr", httpLis}); err != nil {
			return err
		}
		defer healthLis.Close()
	}
	var debugLis net.Listener // nil without --debug-addr
	if cfg.DebugAddr != "" {
		if debugLis, err = listen(cfg, "debug-addr", cfg.DebugAddr); err != nil {
			return err
		}
		defer debugLis.Close()
		// A name (localhost) is resolved by the system, which need not
		// give a loopback address.
		if !boundToLoopback(debugLis) {
			return fmt.Errorf("%s: %s is bound to %s, which is not a loopback address: give 127.0.0.1 or [::1]", cfg.opt("debug-addr"), cfg.DebugAddr, debugLis.Addr())
		}
	}

	// Before the model is built, so that its building is paced by the
	// limit too.
	mem := applyMemoryLimit(cfg, log)
	tok, tokName, err := loadTokenizer(cfg.Tokenizer, cfg.opt("tokenizer"))
	if err != nil {
		return err
	}
	model, src, err := loadModel(ctx, cfg, tok, log)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // a signal while the model was read: stop before serving
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			// A signal while the model was read or the default model
			// trained: nothing was served, so this is a clean stop.
			log.Info("stopped before serving")
			return nil
		}
		return err
	}
	info := model.Info()
	log.Info("model ready", "version", info.Version, "examples", info.Examples, "labels", info.Labels,
		"vocabulary", info.Vocabulary, "temperature", info.Features.Temperature, "tokenizer", tokName, "elapsed", time.Since(start).Round(time.Millisecond))
	warnStale(model, info, cfg.ReadOnly, log)

	auth := api.Auth{Token: cfg.TrainToken, Open: loopback, ReadOnly: cfg.ReadOnly}
	if tokenFile != nil {
		auth.TokensFrom = tokenFile.Tokens
	}
	switch {
	case auth.ReadOnly:
		log.Info("Train and Forget are disabled (PERMISSION_DENIED): --read-only")
	case auth.HasToken():
		log.Info("Train and Forget require the bearer token")
	case auth.Open:
		log.Warn("Train and Forget are open to any caller: no --train-token or --train-token-file, and the gRPC and HTTP listeners are on loopback")
	default:
		log.Warn("Train and Forget are disabled (PERMISSION_DENIED): a listener is not on a loopback address (spelled localhost or a loopback IP, and bound to one) and no --train-token or --train-token-file is set")
	}
	if cfg.TrustedProxies.TrustsAll() {
		log.Warn(cfg.opt("trusted-proxies")+" holds 0.0.0.0/0 or ::/0: any client of that address family can name another in X-Forwarded-For, and the access log's peer is then what clients say, as is the client --max-inflight-calls-per-client and --max-classify-streams-per-conn count a call to", "trusted_proxies", fmt.Sprint(cfg.TrustedProxies))
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := api.NewMetrics(reg)
	if err != nil {
		return err
	}
	build := buildinfo.Read()
	if err := registerBuildInfo(reg, build); err != nil {
		return err
	}
	// GetModel tells anyone the tokenizer's file name, not where it is.
	var svcOpts []api.ServiceOption
	if cfg.ReadOnly {
		svcOpts = append(svcOpts, api.WithReadOnly())
	}
	svc := api.NewService(model, cfg.Limits, filepath.Base(tokName), metrics, log, svcOpts...)
	// Reloads end when the stop begins (and at any other return).
	stopReloads := sync.OnceFunc(reloads(model, src, cfg.ReloadInterval, cfg.opt, svc, log))
	defer stopReloads()

	// The gRPC listener's calls and the REST gateway's are logged with
	// their transport, the address of their client and their request ID.
	// Calls refused for their token are also counted into a warning (at
	// most one every 10 s), which the access log's settings do not hide:
	// a client missed in a token rotation, or someone guessing tokens.
	authLog := &refusalLog{log: log, msg: "Train or Forget refused for a missing or wrong bearer token (a client missed in a token rotation? with the access log on, each call's line has code=Unauthenticated and its peer)", every: refusalReportEvery}
	grpcObs := api.Observer{Log: access, Metrics: metrics, Transport: api.GRPC, Proxies: cfg.TrustedProxies, OnUnauthenticated: authLog.refused}
	restObs := api.Observer{Log: access, Metrics: metrics, Transport: api.REST, OnUnauthenticated: authLog.refused}
	unary, stream := api.Interceptors(auth, cfg.Limits.CallTimeout, grpcObs)
	restUnary, restStream := api.Interceptors(auth, cfg.Limits.CallTimeout, restObs)
	// Health watches never end on their own, so a graceful stop would wait
	// out its whole timeout for them: they are ended once the server stops.
	watches, endWatches := context.WithCancel(context.Background())
	defer endWatches()
	watchBound := boundWatches(watches, healthWatchMethod, watchBounds{
		max: cfg.MaxHealthWatches, perConn: cfg.MaxHealthWatchesPerConn,
		maxName: cfg.opt("max-health-watches"), perConnName: cfg.opt("max-health-watches-per-conn"),
	})
	// ClassifyStream calls held by one gRPC connection (key connKey) or
	// one REST client (key restClient: the gateway's streams share one
	// in-process connection); the service bounds them on the whole server.
	streamBound := func(key func(context.Context) string) grpc.StreamServerInterceptor {
		return boundPerConn(claimsv1.ClaimService_ClassifyStream_FullMethodName, "classify streams", cfg.Limits.MaxClassifyStreamsPerConn, cfg.opt("max-classify-streams-per-conn"), key)
	}
	opts := []grpc.ServerOption{
		// Serve streams from a pool of long-lived goroutines: a goroutine
		// per call would grow (copy) its stack on almost every call.
		grpc.NumStreamWorkers(uint32(streamWorkers())),
		// One write buffer per connection is kept only while it writes.
		grpc.SharedWriteBuffer(true),
		grpc.MaxRecvMsgSize(cfg.Limits.MaxGRPCReceiveBytes),
		// Messages listing more examples or sentences than the limits are
		// decoded only as far as the refusal needs.
		grpc.ForceServerCodecV2(api.NewCodec(cfg.Limits)),
		// Request metadata as large as the HTTP side's headers: grpc's
		// default, 16 MiB, let a call that never sends its message hold
		// that much.
		grpc.MaxHeaderListSize(maxHeaderBytes),
		// Fixed flow-control windows: with grpc's default, the windows of
		// a client that sends but does not read its results would grow
		// (BDP estimation) and the server would buffer megabytes of its
		// requests per stream. 1 MiB a stream and 4 MiB a connection keep
		// a 16 MiB message at full speed on a LAN.
		grpc.InitialWindowSize(streamWindow),
		grpc.InitialConnWindowSize(connWindow),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: cfg.Keepalive.MinPingInterval, PermitWithoutStream: true}),
	}
	kp := keepalive.ServerParameters{Time: cfg.Keepalive.Time, Timeout: cfg.Keepalive.Timeout, MaxConnectionIdle: cfg.Keepalive.MaxIdle}
	// Only the public listener's connections age: the gateway's one
	// in-process connection carries every REST stream, and spreads over
	// no replica. A MaxConnectionAge or grace of 0 is grpc's infinity.
	publicKP := kp
	publicKP.MaxConnectionAge, publicKP.MaxConnectionAgeGrace = cfg.Keepalive.MaxAge, cfg.Keepalive.MaxAgeGrace
	// The public listener may use TLS; the gateway's in-process listener
	// does not, so it gets a server of its own with the same service.
	// The stream limit is per connection of a client. All REST streams
	// share the gateway's one connection, so the inner server has no such
	// limit: the HTTP server applies it per HTTP/2 connection instead, and
	// an HTTP/1.1 connection carries one stream at a time.
	// A client that stops reading a stream's results has its connection
	// closed (see sendguard); REST answers and streams are cut short by
	// the gateway.
	sendTimeouts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "claims_send_timeouts_total",
		Help: "Clients cut off because they did not read in time (see --send-timeout), by transport: grpc counts the connections closed (every call on one ends), rest the REST answers and streams cut short.",
	}, []string{"transport"})
	if err := reg.Register(sendTimeouts); err != nil {
		return err
	}
	guard := sendguard.New(cfg.Limits.SendTimeout, log, sendTimeouts.WithLabelValues("grpc").Inc)
	// The unary calls of the claims service held at once, over gRPC and
	// REST, are bounded (--max-inflight-calls), and so are those of one
	// client (--max-inflight-calls-per-client): one more is refused before
	// its request is read.
	gate := admit.New(cfg.Limits.MaxInflightCalls, cfg.opt("max-inflight-calls"),
		admit.PerClient(cfg.Limits.MaxInflightCallsPerClient, cfg.opt("max-inflight-calls-per-client")))
	refusals, err := newRefusals(reg, gate, log, cfg.opt("max-inflight-calls"), cfg.opt("max-inflight-calls-per-client"), refusalReportEvery)
	if err != nil {
		return err
	}
	// 0 is no bound, chosen behind a proxy that carries many clients over
	// one connection: the operator's choice, not warned of.
	if n := cfg.Limits.MaxClassifyStreamsPerConn; n > 0 && n >= cfg.Limits.MaxClassifyStreams {
		log.Warn(cfg.opt("max-classify-streams-per-conn")+" is not below "+cfg.opt("max-classify-streams")+": one connection or REST client can hold every classify stream and leave other clients refused", "max_classify_streams_per_conn", n, "max_classify_streams", cfg.Limits.MaxClassifyStreams)
	}
	if n := gate.MaxPerClient(); n > 0 && gate.Max() > 0 && n >= gate.Max() {
		log.Warn(cfg.opt("max-inflight-calls-per-client")+" is not below "+cfg.opt("max-inflight-calls")+": one client can hold every slot and leave other clients refused", "max_inflight_calls_per_client", n, "max_inflight_calls", gate.Max())
	}
	if gate.Max() > 0 && int64(cfg.Limits.MaxConcurrentStreams) >= int64(gate.Max()) {
		log.Warn(cfg.opt("max-concurrent-streams")+" is not below "+cfg.opt("max-inflight-calls")+": one connection (gRPC, or REST over HTTP/2) can hold every slot and leave other clients refused", "max_concurrent_streams", cfg.Limits.MaxConcurrentStreams, "max_inflight_calls", gate.Max())
	}
	if mem.from != "" {
		warnMemory(log, cfg, mem.limit, mem.from)
	}
	if followsContainer(cfg) {
		// A pod resized in place keeps its process: the runtime's limit
		// follows the container's, until run returns (after the check
		// under way, if any).
		followCtx, stopFollowing := context.WithCancel(ctx)
		followDone := make(chan struct{})
		defer func() { stopFollowing(); <-followDone }()
		every := cfg.memoryLimitEvery
		if every == 0 {
			every = memoryLimitCheckEvery
		}
		go func() {
			defer close(followDone)
			followMemoryLimit(followCtx, cfg, log, every, mem)
		}()
	}
	// The unary methods, each with whether the gate holds its calls:
	// the claims service's are, the health service's are not.
	unaryMethods := make(map[string]bool)
	for _, sd := range []grpc.ServiceDesc{claimsv1.ClaimService_ServiceDesc, healthpb.Health_ServiceDesc} {
		for _, m := range sd.Methods {
			unaryMethods["/"+sd.ServiceName+"/"+m.MethodName] = sd.ServiceName == claimsv1.ClaimService_ServiceDesc.ServiceName
		}
	}
	publicOpts := append(slices.Clip(opts), grpc.KeepaliveParams(publicKP), grpc.MaxConcurrentStreams(cfg.Limits.MaxConcurrentStreams),
		grpc.InTapHandle(unaryTap(unaryMethods, cfg.Limits.CallTimeout, gate, cfg.TrustedProxies, refusals.grpc)),
		grpc.ChainUnaryInterceptor(unary, guard.UnaryInterceptor()),
		grpc.ChainStreamInterceptor(stream, watchBound, streamBound(connKey), guard.StreamInterceptor()))
	if tlsCfg != nil {
		publicOpts = append(publicOpts, grpc.Creds(credentials.NewTLS(grpcTLS)))
	}
	// A call of a method the server does not have is logged and counted
	// too: grpc runs the stream interceptors for this handler.
	var grpcServer *grpc.Server
	services := sync.OnceValue(func() map[string]grpc.ServiceInfo { return grpcServer.GetServiceInfo() })
	publicOpts = append(publicOpts, grpc.UnknownServiceHandler(api.UnknownMethod(func(name string) bool {
		_, ok := services()[name]
		return ok
	})))
	grpcServer = grpc.NewServer(publicOpts...)
	innerServer := grpc.NewServer(append(slices.Clip(opts), grpc.KeepaliveParams(kp),
		grpc.ChainUnaryInterceptor(restUnary), grpc.ChainStreamInterceptor(restStream, watchBound, streamBound(restClient)))...)
	healthSrv := health.NewServer()
	for _, s := range []struct {
		srv *grpc.Server
		obs api.Observer
	}{{grpcServer, grpcObs}, {innerServer, restObs}} {
		// A unary call whose message never arrives whole is logged and
		// counted too (api.ObserveReceive).
		s.srv.RegisterService(api.ObserveReceive(claimsv1.ClaimService_ServiceDesc, s.obs), svc)
		s.srv.RegisterService(api.ObserveReceive(healthpb.Health_ServiceDesc, s.obs), healthSrv)
		if cfg.Reflection {
			reflection.Register(s.srv)
		}
	}

	inner := bufconn.Listen(1 << 20)
	conn, err := grpc.NewClient("passthrough:///gateway",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return inner.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		// Fixed windows here too: a REST client that does not read its
		// results must not make this connection buffer them.
		grpc.WithInitialWindowSize(streamWindow),
		grpc.WithInitialConnWindowSize(connWindow),
		// Requests are bounded as the server bounds them; results are
		// not, as the gRPC server sends its clients any size.
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32), grpc.MaxCallSendMsgSize(cfg.Limits.MaxGRPCReceiveBytes)),
	)
	if err != nil {
		return fmt.Errorf("gateway connection: %w", err)
	}
	defer conn.Close()
	serving := func() bool {
		r, err := healthSrv.Check(ctx, &healthpb.HealthCheckRequest{Service: serviceName})
		return err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING
	}
	var gatherer prometheus.Gatherer // nil: no /metrics route
	if cfg.Metrics {
		gatherer = reg
	}
	handler, err := gateway.New(ctx, conn, gateway.Config{
		MaxBodyBytes:    cfg.Limits.MaxHTTPBodyBytes,
		MaxExamples:     cfg.Limits.MaxExamples,
		MaxSentences:    cfg.Limits.MaxSentences,
		Gate:            gate,
		OnRefuse:        refusals.rest,
		BodyReadTimeout: cfg.Limits.CallTimeout,
		SendTimeout:     cfg.Limits.SendTimeout,
		OnSendTimeout:   sendTimeouts.WithLabelValues("rest").Inc,
		Log:             log,
		AccessLog:       access,
		CORSOrigins:     cfg.CORSOrigins,
		TrustedProxies:  cfg.TrustedProxies,
		// A loopback listener answers only loopback Host names (DNS
		// rebinding).
		LoopbackOnly: isLoopback(cfg.HTTPAddr) && boundToLoopback(httpLis),
		Serving:      serving,
		Metrics:      gatherer,
		Registerer:   reg,
		// Unary REST calls reach the service in process, through the same
		// interceptor; the stream route still goes through conn.
		Local: &gateway.Local{
			Server:          svc,
			Interceptor:     restUnary,
			MaxRequestBytes: cfg.Limits.MaxGRPCReceiveBytes,
		},
	})
	if err != nil {
		return err
	}
	// REST calls are counted while they run, so that a stop that cuts
	// them off can wait for their handlers to end (see restStopGrace).
	var restCalls atomic.Int64
	httpServer := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			restCalls.Add(1)
			defer restCalls.Add(-1)
			handler.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         httpTLS,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: int(cfg.Limits.MaxConcurrentStreams)},
		// OPTIONS * is answered by the handler (see gateway's
		// ignoreBody): net/http's own answer reads a declared body first,
		// without bound.
		DisableGeneralOptionsHandler: true,
	}

	// The health listener serves /healthz alone, in plain HTTP whatever
	// the other listeners require, so that a health checker with no
	// client certificate can reach it. Its answers are small and at once:
	// fixed timeouts bound a client that is slow, and checkers that keep
	// connections open between checks (kubelet's do not) reconnect.
	var healthServer, debugServer *http.Server
	if healthLis != nil {
		healthServer = sideServer(gateway.Probe(serving), 10*time.Second, log)
	}
	// The debug listener serves the runtime's profiles, which may take a
	// while to make (a CPU profile runs as long as it is asked to), so it
	// has no write timeout.
	if debugLis != nil {
		debugServer = sideServer(gateway.Debug(), 0, log)
	}

	errc := make(chan error, 5)
	go func() { errc <- grpcServer.Serve(guard.Listener(grpcLis)) }()
	go func() { errc <- innerServer.Serve(inner) }()
	go func() {
		var err error
		if tlsCfg != nil {
			err = httpServer.ServeTLS(httpLis, "", "")
		} else {
			err = httpServer.Serve(httpLis)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		errc <- err
	}()
	for _, s := range []struct {
		srv *http.Server
		lis net.Listener
	}{{healthServer, healthLis}, {debugServer, debugLis}} {
		if s.srv != nil {
			go func() {
				err := s.srv.Serve(s.lis)
				if errors.Is(err, http.ErrServerClosed) {
					err = nil
				}
				errc <- err
			}()
		}
	}
	healthSrv.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthSrv.SetServingStatus(serviceName, healthpb.HealthCheckResponse_SERVING)
	addrs := listening{GRPC: grpcLis.Addr().String(), HTTP: httpLis.Addr().String()}
	attrs := []any{"grpc", addrs.GRPC, "http", addrs.HTTP}
	if healthLis != nil {
		addrs.Health = healthLis.Addr().String()
		attrs = append(attrs, "health", addrs.Health)
	}
	if debugLis != nil {
		addrs.Debug = debugLis.Addr().String()
		attrs = append(attrs, "debug", addrs.Debug)
	}
	attrs = append(attrs, "tls", tlsCfg != nil, "client_certs", cfg.TLSClientCA != "", "startup", time.Since(start).Round(time.Millisecond))
	log.Info("serving", append(attrs, buildLogAttrs(build)...)...)
	// What refuses or cuts a call, in one line, so that a refusal can be
	// read against the limit that made it.
	log.Info("limits", append(cfg.Limits.LogAttrs(),
		"read_only", cfg.ReadOnly, "shutdown_drain", cfg.ShutdownDrain, "shutdown_timeout", cfg.ShutdownTimeout,
		"access_log", cfg.AccessLog, "access_log_max_rate", cfg.AccessLogMaxRate)...)
	if ready != nil {
		ready(addrs)
	}
	// Most of the heap is the model, which lives as long as the process,
	// so the default GOGC of 100 would let the heap grow by a whole model's
	// worth of garbage between collections. Collect at 50% growth instead
	// (unless GOGC is set): collections stay cheap because the model's big
	// arrays hold no pointers. Building the model also left garbage (the
	// tokenizer's first pass over the corpus, training buffers): hand it
	// back to the OS rather than keep the heap at its high-water mark.
	if !cfg.GC.GOGCSet {
		debug.SetGCPercent(servingGCPercent)
	}
	go debug.FreeOSMemory()

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
		log.Error("listener failed", "error", runErr)
	}
	stopReloads()
	healthSrv.Shutdown() // every service reports NOT_SERVING
	if cfg.ShutdownDrain > 0 && runErr == nil {
		// Keep serving while health checkers see NOT_SERVING and take the
		// server out of rotation.
		log.Info("draining", "for", cfg.ShutdownDrain)
		time.Sleep(cfg.ShutdownDrain)
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	// One deadline bounds the whole stop: the HTTP server gets what the
	// gRPC servers leave of it.
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// The gRPC and HTTP servers stop taking calls together and finish the
	// ones in flight (a REST stream in flight is a call on innerServer).
	endWatches()
	svc.EndStreams()
	stopped := make(chan struct{})
	go func() {
		grpcServer.GracefulStop()
		innerServer.GracefulStop()
		close(stopped)
	}()
	httpStopped := make(chan error, 1)
	go func() { httpStopped <- httpServer.Shutdown(shutCtx) }()
	// The health and debug listeners serve no calls: there is nothing to
	// wait for (a Shutdown would wait up to 5 s for a connection that has
	// not sent its request yet, and a profile under way for its end).
	for _, s := range []*http.Server{healthServer, debugServer} {
		if s != nil {
			s.Close()
		}
	}
	select {
	case <-stopped:
	case <-shutCtx.Done():
		// Their calls end with UNAVAILABLE for their clients (a change cut
		// between two examples unapplied), and are logged Canceled.
		attrs := []any{"waited", cfg.ShutdownTimeout}
		if gate.Counts() { // a gate with no bound counts nothing
			attrs = append(attrs, "unary_calls", gate.InFlight()) // gRPC and REST together
		}
		log.Warn("graceful stop timed out; closing connections and cutting off the calls still running (raise "+cfg.opt("shutdown-timeout")+" to let them finish)", attrs...)
		grpcServer.Stop()
		innerServer.Stop()
		<-stopped
	}
	if err := <-httpStopped; err != nil {
		log.Warn("HTTP shutdown timed out; closing connections")
		httpServer.Close()
		// Close does not wait for handlers. Those of the calls cut off see
		// their context cancelled and stop (a change between two
		// examples, unapplied; one whose save has begun, saved): wait a
		// moment for them, so that they are logged and counted as the gRPC
		// calls cut off are, rather than lost at exit.
		for end := time.Now().Add(restStopGrace); restCalls.Load() > 0 && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
		if n := restCalls.Load(); n > 0 {
			log.Warn("REST calls still running at exit", "calls", n, "waited", restStopGrace)
		}
	}
	// The servers have stopped: the refusals not logged yet are, before
	// the last line.
	refusals.stop()
	authLog.stop()
	log.Info("stopped")
	return runErr
}

// restStopGrace bounds the wait for the handlers of REST calls cut off at
// the end of a stop that timed out.
const restStopGrace = 2 * time.Second

// servingGCPercent is the GOGC the server runs with once it serves, unless
// the GOGC environment variable is set.
const servingGCPercent = 50

// trainingHeapHeadroom is how far the heap may grow beyond what is in use
// before the collector runs while the default model is trained (see
// pacedByHeapLimit). With the embedded word list (seeds.Words) training
// makes far less garbage than when sugarme warmed every word, so a
// smaller headroom costs little time: measured with three starts each,
// 35 MB gave 153–166 ms to serving and a peak RSS (VmHWM) of 56 MB, where
// 45 MB gave 156–165 ms and 64 MB.
const trainingHeapHeadroom = 35 << 20

// pacedByHeapLimit runs f with the garbage collector paced by a memory limit
// of trainingHeapHeadroom above the heap now in use, instead of by GOGC,
// and then restores both settings. Training the default model allocates
// many times the heap it leaves in short-lived garbage (about 330 MB for
// a 19 MB heap when sugarme made the first pass over the corpus's words,
// before the embedded word list); GOGC=100 collects every time the heap
// doubles from a small live heap, so it collects often and yet lets the
// heap peak higher than this limit does. Measured then with
// `bin/benchcmd -only none`: start to first answer 284 ms instead of
// 307 ms, and a peak RSS (VmHWM) of 60 MB instead of 72 MB. The settings
// are process-wide, so it is meant for the one server a process runs.
func pacedByHeapLimit(gc gcConfig, f func() error) error {
	if gc.GOGCSet || gc.MemLimitSet {
		return f()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// Never above a limit already set (from the container's).
	prevLimit := debug.SetMemoryLimit(-1)
	debug.SetMemoryLimit(min(prevLimit, int64(ms.HeapInuse)+trainingHeapHeadroom))
	prevPercent := debug.SetGCPercent(-1)
	defer func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}()
	return f()
}

// streamWorkers is the number of goroutines that serve gRPC streams. Calls
// beyond it get a goroutine of their own, as without workers, so there are
// enough for the concurrency a loaded server sees; an idle worker costs
// only its stack.
func streamWorkers() int { return 16 * runtime.GOMAXPROCS(0) }

// loadTokenizer loads the tokenizer file, or the embedded default when path
// is empty; opt names the setting in errors. It returns a description for
// GetModel.
func loadTokenizer(path, opt string) (*classifier.Tokenizer, string, error) {
	if path == "" {
		tok, err := classifier.NewTokenizer(bytes.NewReader(seeds.Tokenizer()))
		if err != nil {
			return nil, "", fmt.Errorf("embedded tokenizer: %w", err)
		}
		return tok, "embedded", nil
	}
	tok, err := classifier.LoadTokenizer(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", opt, err)
	}
	return tok, path, nil
}

// loadModel returns the persisted model from the data directory, or
// trains the default model from the embedded corpus when there is none.
// A model file that cannot be read is an error: the server does not fall
// back to the default and silently lose what was trained. Under
// --read-only with a data directory, src is the store whose model the
// server reads again while it serves (reloads); otherwise it is nil.
func loadModel(ctx context.Context, cfg config, tok *classifier.Tokenizer, log *slog.Logger) (model *classifier.Classifier, src modelFile, err error) {
	maxLabels := classifier.WithMaxLabels(cfg.Limits.MaxLabels)
	maxFeatures := classifier.WithMaxFeatures(cfg.Limits.MaxFeatures)
	maxLearned := classifier.WithMaxLearned(cfg.Limits.MaxLearned)
	if cfg.DataDir == "" {
		if cfg.ReadOnly {
			log.Info("no --data-dir: serving the default model")
		} else {
			log.Warn("no --data-dir: the model lives in memory and training is lost at exit")
		}
		model, err := defaultModel(ctx, cfg.GC, tok, log, maxLabels, maxFeatures, maxLearned)
		return model, nil, err
	}
	if cfg.RequireSavedModel {
		// Before the store is opened, which would create the directory
		// and its lock file.
		if err := store.HasModel(cfg.DataDir); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, noSavedModel(cfg)
		} else if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", cfg.opt("data-dir"), err)
		}
	}
	open, persist := store.Open, classifier.WithPersist(nil)
	if cfg.ReadOnly {
		open = store.OpenReadOnly // nothing is written, so nothing is created or locked
	}
	st, err := open(cfg.DataDir, log)
	if err != nil {
		if cfg.ReadOnly {
			return nil, nil, fmt.Errorf("%s: %w (with %s it is read, never created)", cfg.opt("data-dir"), err, cfg.opt("read-only"))
		}
		if _, serr := os.Stat(cfg.DataDir); errors.Is(err, syscall.EROFS) && serr == nil {
			return nil, nil, fmt.Errorf("%s: %w (a server that only serves the model there takes %s)", cfg.opt("data-dir"), err, cfg.opt("read-only"))
		}
		if errors.Is(err, store.ErrLocked) {
			// A second writer: a rolling update of the writer, or a
			// replica started without --read-only.
			return nil, nil, fmt.Errorf("%s: %w (one server writes to a directory at a time: stop the other first, or start this one with %s to serve the model the other saves)", cfg.opt("data-dir"), err, cfg.opt("read-only"))
		}
		return nil, nil, fmt.Errorf("%s: %w", cfg.opt("data-dir"), err)
	}
	if cfg.ReadOnly {
		src = st // its model is read again while serving (see reloads)
	} else {
		// A change that finds the save before it stalled (SlowSave, when
		// the store logs it) is refused rather than held.
		save, stall := classifier.WithPersist(st.Save), classifier.WithPersistStall(store.SlowSave)
		persist = func(c *classifier.Classifier) { save(c); stall(c) }
	}
	err = st.Load(func(r io.Reader) error {
		m, err := classifier.Load(r, tok, persist, maxLabels, maxFeatures, maxLearned)
		model = m
		return err
	})
	switch {
	case err == nil:
		log.Info("loaded model", "path", st.Path())
		info := model.Info()
		if n := len(info.Labels); n > cfg.Limits.MaxLabels {
			log.Warn("the saved model has more labels than --max-labels: it learns no new label until some are forgotten or it is replaced", "labels", n, "max_labels", cfg.Limits.MaxLabels)
		}
		if n := info.Vocabulary; n > cfg.Limits.MaxFeatures {
			log.Warn("the saved model has more features than --max-features: it learns only examples that add none until some are forgotten or it is replaced", "features", n, "max_features", cfg.Limits.MaxFeatures)
		}
		if n := info.Learned; n > cfg.Limits.MaxLearned {
			log.Warn("the saved model holds more distinct examples than --max-learned-examples: it learns only examples it holds until some are forgotten or it is replaced", "learned", n, "max_learned_examples", cfg.Limits.MaxLearned)
		}
		return model, src, nil
	case errors.Is(err, fs.ErrNotExist) && cfg.RequireSavedModel:
		return nil, nil, noSavedModel(cfg) // removed since the check before the store was opened
	case errors.Is(err, fs.ErrNotExist) && cfg.ReadOnly:
		log.Warn("no saved model; serving the default model, which --read-only does not save (a volume not mounted yet? "+cfg.opt("require-saved-model")+" refuses to start instead)", "path", st.Path())
		model, err = defaultModel(ctx, cfg.GC, tok, log, maxLabels, maxFeatures, maxLearned)
		return model, src, err
	case errors.Is(err, fs.ErrNotExist):
		if st.UsedBefore() {
			log.Warn("no saved model, though a server has used this data directory before (its lock file is there); training the default model (was the model removed? "+cfg.opt("require-saved-model")+" refuses to start instead)", "path", st.Path())
		} else {
			log.Info("no saved model; training the default model", "path", st.Path())
		}
		model, err = defaultModel(ctx, cfg.GC, tok, log, persist, maxLabels, maxFeatures, maxLearned)
		return model, nil, err
	case errors.Is(err, classifier.ErrBadModel) && cfg.ReadOnly:
		return nil, nil, fmt.Errorf("refusing to start: %w (it is the writing server's file: replace it there)", err)
	case errors.Is(err, classifier.ErrBadModel):
		return nil, nil, fmt.Errorf("refusing to start: %w (move the file away to start from the default model)", err)
	default:
		// Not readable now (permissions, an I/O error), or not a file: the
		// model may well be sound.
		return nil, nil, fmt.Errorf("refusing to start: %w", err)
	}
}

// noSavedModel is the refusal to start of a server with
// --require-saved-model whose data directory holds no saved model.
func noSavedModel(cfg config) error {
	hint := "to start from the default model, start once without it"
	if cfg.ReadOnly {
		hint = "a read-only server never saves one: start the writer once without it"
	}
	return fmt.Errorf("refusing to start: no saved model at %s, and %s is set (is the volume mounted? %s)", filepath.Join(cfg.DataDir, store.ModelFile), cfg.opt("require-saved-model"), hint)
}

// defaultModel trains a classifier on the embedded corpus. The embedded
// word list gives the tokenizer the corpus's words without running
// sugarme on each; with another tokenizer than the embedded one it does
// not apply, and training warms the tokenizer itself.
func defaultModel(ctx context.Context, gc gcConfig, tok *classifier.Tokenizer, log *slog.Logger, opts ...classifier.Option) (*classifier.Classifier, error) {
	corpus, err := seeds.Corpus()
	if err != nil {
		return nil, err
	}
	if n, err := tok.ReadWords(bytes.NewReader(seeds.Words())); err != nil {
		log.Debug("embedded word list not used", "error", err)
	} else {
		log.Debug("embedded word list read", "words", n)
	}
	m := classifier.New(tok, opts...)
	err = pacedByHeapLimit(gc, func() error {
		_, err := m.Replace(ctx, corpus)
		return err
	})
	// A limit below the default model's size names the flag to raise.
	for _, l := range []struct {
		err  error
		flag string
	}{{classifier.ErrTooManyLabels, "max-labels"}, {classifier.ErrTooManyFeatures, "max-features"}, {classifier.ErrTooManyLearned, "max-learned-examples"}} {
		if errors.Is(err, l.err) {
			return nil, fmt.Errorf("training the default model: %w (raise --%s to at least that)", err, l.flag)
		}
	}
	if errors.Is(err, classifier.ErrPersist) {
		// Not a change a client asked for: say what was not saved.
		return nil, fmt.Errorf("the default model, trained, could not be saved in the data directory: %w", persistCause(err))
	}
	if err != nil {
		return nil, fmt.Errorf("training the default model: %w", err)
	}
	return m, nil
}

// warnStale warns, at start and after a reload, when the counts of model
// (whose Info is info) were gathered by another feature extractor or
// tokenizer than the server's, or a mix of them
// (classifier.MixedFeatures): it classifies, but Forget is refused until it
// is retrained, and the remedy depends on which way they differ and on
// whether this server writes the model (readOnly: it reads another
// server's).
func warnStale(model *classifier.Classifier, info classifier.Info, readOnly bool, log *slog.Logger) {
	retrain := "client train --replace"
	if readOnly {
		retrain = "client train --replace, against the server that writes this --data-dir once it runs this build and tokenizer.json; this server reads the new model on SIGHUP, or by itself with --reload-interval"
	}
	revisions := []any{"model_revision", info.FeatureRevision, "server_revision", classifier.FeatureRevision}
	switch {
	case classifier.Mixed(info.FeatureRevision, info.Tokenizer):
		log.Warn("the saved model's counts mix two feature extractions: it learned examples after an upgrade, a rollback or a change of tokenizer.json without being retrained; it classifies, but accuracy may suffer, and Forget is refused until it is retrained (" + retrain + ")")
		return
	case info.FeatureRevision < classifier.FeatureRevision:
		log.Warn("the saved model was trained by an older revision of the feature extractor: it classifies, but accuracy may suffer, and Forget is refused until it is retrained ("+retrain+")", revisions...)
	case info.FeatureRevision > classifier.FeatureRevision && readOnly:
		log.Warn("the saved model was trained by a newer revision of the feature extractor than this build has (the server that writes it runs a newer build, or saved it before a rollback): it classifies, but accuracy may suffer, and Forget is refused until this server runs a build of the model's revision, or the writer retrains the model ("+retrain+")", revisions...)
	case info.FeatureRevision > classifier.FeatureRevision:
		log.Warn("the saved model was trained by a newer revision of the feature extractor than this build has (a rollback?): it classifies, but accuracy may suffer, and Forget is refused until this server runs a build of the model's revision (retraining here would take the model back to this build's revision, and Train here mixes the two)", revisions...)
	}
	fp := model.TokenizerFingerprint()
	if classifier.TokenizerDiffers(info.Tokenizer, fp) {
		fix := "start this server with the tokenizer.json the model was trained with, or retrain the model (" + retrain + "); a Train before then mixes the two, which only retraining mends"
		if readOnly {
			fix = "give this server the --tokenizer of the server that writes the model, or retrain the model there with this one (" + retrain + ")"
		}
		log.Warn("the saved model was trained with another tokenizer.json: it classifies with tokens its counts were not gathered from, so accuracy may suffer, and Forget is refused. To mend it, "+fix,
			"model_tokenizer_sha256", info.Tokenizer, "tokenizer_sha256", fp)
	}
}

// modelFile is the model file a read-only server reads again while it
// serves (a *store.Store; see reloads).
type modelFile interface {
	// Load reads the model file with decode.
	Load(decode func(io.Reader) error) error
	// Changed reports whether the file is another than the one last read.
	Changed() (bool, error)
}

// reloads reads src's model into model on every SIGHUP, and when every
// (--reload-interval) is positive, whenever a check that
// often finds a new model file there (store.Changed), until the returned
// stop is called (once): a read-only server takes the model its writer
// saved without a restart. A model that cannot be read leaves the one
// served as it was, and says why in the log; checks that fail the same
// way say so once, until a check finds nothing to do. With no src
// (a server that writes its model, or has none on disk), a SIGHUP is
// logged and ignored, rather than ending the process as it would by
// default. opt names a setting as the operator gave it (config.opt).
func reloads(model *classifier.Classifier, src modelFile, every time.Duration, opt func(flag string) string, svc *api.Service, log *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	var tick <-chan time.Time // nil, never ready, without checks
	var ticker *time.Ticker
	if src != nil {
		if every > 0 {
			ticker = time.NewTicker(every)
			tick = ticker.C
			log.Info("SIGHUP reloads the model from "+opt("data-dir")+", and so does a new model file there, checked every "+opt("reload-interval"), "reload_interval", every)
		} else {
			log.Info("SIGHUP reloads the model from " + opt("data-dir"))
		}
	}
	// reload reads the model again. After a check (not a SIGHUP, which
	// is one operator's act) a failure like the last is not logged again;
	// a check that finds nothing to do (the file is the one read, even if
	// refused, or there is none) ends the run, so that a failure that
	// comes back, or a second bad file, is logged.
	lastFailure := ""
	reload := func(checked bool) {
		before := model.Version()
		err := src.Load(func(r io.Reader) error { return model.Reload(r) })
		if err != nil {
			if !checked || err.Error() != lastFailure {
				// Counted as it is logged: once for a failure that
				// checks find again.
				svc.ReloadFailed()
				log.Error("reload failed: still serving the model it had", "version", before, "error", err)
			}
			if checked {
				lastFailure = err.Error()
			}
			return
		}
		lastFailure = ""
		info := model.Info()
		svc.ModelReloaded(info)
		by := "SIGHUP"
		if checked {
			by = "new model file"
		}
		log.Info("model reloaded", "by", by, "version", info.Version, "was", before, "examples", info.Examples, "labels", info.Labels,
			"vocabulary", info.Vocabulary, "content_hash", info.ContentHash)
		warnStale(model, info, true, log)
		// The model before is garbage now: hand it back, as at start.
		debug.FreeOSMemory()
	}
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			select {
			case <-done:
				return
			case <-hup:
				select {
				case <-done:
					return // stopping: a SIGHUP that came with the stop is not a reload
				default:
				}
				if src == nil {
					log.Info("SIGHUP ignored: only a --read-only server with a --data-dir reloads its model")
					continue
				}
				reload(false)
			case <-tick:
				select {
				case <-done:
					return // stopping: a check due as the stop came makes no reload
				default:
				}
				changed, err := src.Changed()
				switch {
				case err != nil:
					if err.Error() != lastFailure {
						log.Error("cannot check the model file for a new model: still serving the model it had", "error", err)
						lastFailure = err.Error()
					}
				case changed:
					reload(true)
				default:
					lastFailure = ""
				}
			}
		}
	}()
	return func() {
		// Back to what main set: ignored.
		signal.Stop(hup)
		close(done)
		<-ended
	}
}

// healthWatchMethod is the health service's streaming method.
const healthWatchMethod = "/grpc.health.v1.Health/Watch"

// watchBounds are the most health watches open at once on the whole
// server and on one connection (0: no bound), and the settings that gave
// them, as the operator wrote them (flag or environment variable), for
// the refusals to name.
type watchBounds struct {
	max, perConn         int
	maxName, perConnName string
}

// connCounts counts the calls open under each key (a connection, or a
// REST client). It is safe for concurrent use.
type connCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// take counts one more call under key, unless max (if positive) are open
// under it already; it reports whether it did.
func (c *connCounts) take(key string, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if max > 0 && c.n[key] >= max {
		return false
	}
	if c.n == nil {
		c.n = make(map[string]int)
	}
	c.n[key]++
	return true
}

// release counts one call under key fewer.
func (c *connCounts) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[key]--; c.n[key] <= 0 {
		delete(c.n, key)
	}
}

// connKey returns a key for the connection the call in ctx came on: its
// remote and local addresses. The gateway's in-process connections share
// one key.
func connKey(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	if p.LocalAddr != nil {
		return p.Addr.String() + " " + p.LocalAddr.String()
	}
	return p.Addr.String()
}

// restClient returns a key for the REST client of the call in ctx, a
// call the gateway made in process: the client the gateway names in the
// call's metadata (its address, or the one a trusted proxy names).
func restClient(ctx context.Context) string {
	if p, ok := api.RESTPeer(ctx); ok {
		return p
	}
	return connKey(ctx)
}

// boundPerConn returns a stream interceptor that refuses a call of method
// with RESOURCE_EXHAUSTED (and a retry delay) while max of them are open
// under the same key(ctx), so that one connection or client cannot hold
// every slot of a server-wide bound; what names the calls and name the
// setting of max, for the refusal. max 0 bounds nothing.
func boundPerConn(method, what string, max int, name string, key func(context.Context) string) grpc.StreamServerInterceptor {
	var open connCounts
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if info.FullMethod != method || max <= 0 {
			return handler(srv, ss)
		}
		k := key(ss.Context())
		if !open.take(k, max) {
			return admit.Busy(fmt.Sprintf("%d %s are open from this connection or client, the most one may hold (%s); close one, or retry later", max, what, name)).Err()
		}
		defer open.release(k)
		return handler(srv, ss)
	}
}

// boundWatches returns a stream interceptor that ends calls of method
// (their context is cancelled) once ctx is done, and refuses one with
// RESOURCE_EXHAUSTED while b.max of them are open on the whole server, or
// b.perConn on its connection if that is positive (they never end on their own,
// and each holds about 13 KB: without a bound, a client opening
// connections could hold any number; and without one per connection, a
// few connections could take the whole server's share). The connections
// of the gateway's in-process server share one key, "bufconn bufconn":
// no REST route reaches Watch.
func boundWatches(ctx context.Context, method string, b watchBounds) grpc.StreamServerInterceptor {
	var (
		mu     sync.Mutex
		total  int
		byConn connCounts
	)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if info.FullMethod != method {
			return handler(srv, ss)
		}
		conn := connKey(ss.Context())
		if !byConn.take(conn, b.perConn) {
			return status.Errorf(codes.ResourceExhausted, "%d health watches are open on this connection, the most one connection may hold (%s): close one, or poll Check instead", b.perConn, b.perConnName)
		}
		defer byConn.release(conn)
		mu.Lock()
		if total >= b.max {
			mu.Unlock()
			return status.Errorf(codes.ResourceExhausted, "%d health watches are open, the server's limit (%s): close one, or poll Check instead", b.max, b.maxName)
		}
		total++
		mu.Unlock()
		defer func() {
			mu.Lock()
			total--
			mu.Unlock()
		}()
		callCtx, cancel := context.WithCancel(ss.Context())
		defer cancel()
		stop := context.AfterFunc(ctx, cancel)
		defer stop()
		err := handler(srv, api.StreamWithContext(ss, callCtx))
		if ctx.Err() != nil && ss.Context().Err() == nil {
			// Ended by the server, not by its client (grpc's health
			// server would answer CANCELLED).
			return errWatchEnded
		}
		return err
	}
}

// sideServer returns the plain-HTTP server of a side listener (health,
// debug), which serves no calls: a request must arrive whole within 10 s,
// its answer is bounded by writeTimeout if that is positive, and clients
// that keep connections open between requests reconnect after 15 s.
// OPTIONS * is answered by the handler, as on the HTTP listener.
func sideServer(h http.Handler, writeTimeout time.Duration, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:                      h,
		ReadHeaderTimeout:            10 * time.Second,
		ReadTimeout:                  10 * time.Second,
		WriteTimeout:                 writeTimeout,
		IdleTimeout:                  15 * time.Second,
		MaxHeaderBytes:               maxHeaderBytes,
		ErrorLog:                     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		DisableGeneralOptionsHandler: true,
	}
}

// boundListener is a listener already bound, and the flag of its address.
type boundListener struct {
	flag string
	lis  net.Listener
}

// listen binds addr, the address of flag. An error names the setting as
// the operator gave it, and a port in use by one of bound (its address
// spelled another way) says so.
func listen(cfg config, flag, addr string, bound ...boundListener) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err == nil {
		return l, nil
	}
	for _, b := range bound {
		if errors.Is(err, syscall.EADDRINUSE) && samePort(b.lis.Addr(), addr) {
			return nil, fmt.Errorf("%s: %w (%s %s is on that port)", cfg.opt(flag), err, cfg.opt(b.flag), b.lis.Addr())
		}
	}
	return nil, fmt.Errorf("%s: %w", cfg.opt(flag), err)
}

// boundToLoopback reports whether l is bound to a loopback address.
func boundToLoopback(l net.Listener) bool {
	tcp, ok := l.Addr().(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// samePort reports whether addr, a host:port to listen on, names the port
// that l listens on.
func samePort(l net.Addr, addr string) bool {
	tcp, ok := l.(*net.TCPAddr)
	_, port, err := net.SplitHostPort(addr)
	return ok && err == nil && port == strconv.Itoa(tcp.Port)
}

// memoryLimitCheckEvery is how often the container's memory limit is
// read again (two small files of /proc and one or a few of the cgroup's).
const memoryLimitCheckEvery = 15 * time.Second

// followsContainer reports whether the Go runtime's memory limit is set
// from the container's: GOMEMLIMIT is not set, --memory-limit-ratio is
// not 0, and there is a file system to read the limit from.
func followsContainer(cfg config) bool {
	return !cfg.GC.MemLimitSet && cfg.MemoryLimitRatio > 0 && cfg.Root != nil
}

// memoryLimit is the Go runtime's memory limit as applyMemoryLimit left
// it.
type memoryLimit struct {
	limit int64  // the runtime's limit (0: none)
	from  string // what set it, for the log (see applyMemoryLimit)
	// container is the container's limit it was set from (0: none), and
	// readErr the error that reading that limit met ("" for none).
	container int64
	readErr   string
}

// applyMemoryLimit sets the Go runtime's memory limit to
// --memory-limit-ratio of the container's memory limit, unless GOMEMLIMIT
// is set, the ratio is 0 or the container has no limit, and returns it
// with what set it ("GOMEMLIMIT", "--memory-limit-ratio 0.9 of the
// container's", or "" for none). A limit that cannot be read is logged
// and leaves the runtime's alone: the server runs as Go does by default.
// A GOMEMLIMIT at or above the container's limit is warned of: the
// kernel would kill the process (whose memory is more than its heap)
// before the collector worked harder.
func applyMemoryLimit(cfg config, log *slog.Logger) memoryLimit {
	if cfg.GC.MemLimitSet {
		limit := debug.SetMemoryLimit(-1) // a negative limit only reads it
		if limit == math.MaxInt64 {
			return memoryLimit{} // GOMEMLIMIT=off
		}
		if cfg.Root != nil {
			if found, ok, err := memlimit.Find(cfg.Root); err == nil && ok && limit >= found.Bytes {
				log.Warn("GOMEMLIMIT is at or above the container's memory limit: the kernel would kill the server before the collector works harder; set it below, or unset it to take "+cfg.opt("memory-limit-ratio")+" of the container's",
					"gomemlimit_bytes", limit, "container_limit_bytes", found.Bytes, "container_limit_file", found.File)
			}
		}
		return memoryLimit{limit: limit, from: "GOMEMLIMIT"}
	}
	if !followsContainer(cfg) {
		return memoryLimit{}
	}
	found, ok, err := memlimit.Find(cfg.Root)
	if err != nil {
		log.Warn("cannot read the container's memory limit: the Go runtime's memory limit is left unset", "error", err)
		return memoryLimit{readErr: err.Error()}
	}
	if !ok {
		log.Debug("no container memory limit found: the Go runtime's memory limit is left unset")
		return memoryLimit{}
	}
	limit := setFromContainer(cfg, found.Bytes)
	log.Info("Go runtime memory limit set from the container's", "gomemlimit_bytes", limit,
		"container_limit_bytes", found.Bytes, "container_limit_file", found.File, "memory_limit_ratio", cfg.MemoryLimitRatio)
	return memoryLimit{limit: limit, from: containerSource(cfg), container: found.Bytes}
}

// setFromContainer sets the Go runtime's memory limit to
// --memory-limit-ratio of container, the container's limit in bytes, and
// returns it.
func setFromContainer(cfg config, container int64) int64 {
	limit := int64(float64(container) * cfg.MemoryLimitRatio)
	debug.SetMemoryLimit(limit)
	return limit
}

// containerSource names a memory limit set from the container's, for the
// log.
func containerSource(cfg config) string {
	return fmt.Sprintf("%s %g of the container's", cfg.opt("memory-limit-ratio"), cfg.MemoryLimitRatio)
}

// followMemoryLimit reads the container's memory limit every every until
// ctx is done, and moves the Go runtime's with it (see
// recheckMemoryLimit); start is what applyMemoryLimit found.
func followMemoryLimit(ctx context.Context, cfg config, log *slog.Logger, every time.Duration, start memoryLimit) {
	t := time.NewTicker(every)
	defer t.Stop()
	last, lastErr := start.container, start.readErr
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ctx.Err() != nil {
				return // a tick and the end came together
			}
			last, lastErr = recheckMemoryLimit(cfg, log, last, lastErr)
		}
	}
}

// recheckMemoryLimit reads the container's memory limit again and, when
// it is not last (0: none), sets the Go runtime's to
// --memory-limit-ratio of it, or lifts it when the container has none any
// more. It returns the container's limit now, and the error of this read
// ("" for none): an error is logged once, not at every read while it
// lasts (lastErr is the one before), and keeps the runtime's limit as it
// was.
func recheckMemoryLimit(cfg config, log *slog.Logger, last int64, lastErr string) (int64, string) {
	found, ok, err := memlimit.Find(cfg.Root)
	switch {
	case err != nil:
		if err.Error() != lastErr {
			log.Warn("cannot read the container's memory limit again: the Go runtime's memory limit stays as it was", "error", err)
		}
		return last, err.Error()
	case !ok && last != 0:
		debug.SetMemoryLimit(math.MaxInt64)
		log.Info("the container has no memory limit any more: the Go runtime's memory limit is lifted", "container_limit_bytes_before", last)
		return 0, ""
	case ok && found.Bytes != last:
		limit := setFromContainer(cfg, found.Bytes)
		log.Info("the container's memory limit changed: the Go runtime's memory limit follows", "gomemlimit_bytes", limit,
			"container_limit_bytes", found.Bytes, "container_limit_bytes_before", last, "container_limit_file", found.File)
		warnMemory(log, cfg, limit, containerSource(cfg))
		return found.Bytes, ""
	}
	return last, ""
}

// warnMemory warns when the requests the limits let the server hold at
// once may take more memory than limit, the Go runtime's memory limit,
// set by from (GOMEMLIMIT or --memory-limit-ratio): about
// --max-inflight-calls × 1.6 × the larger request limit (measured; see
// the README's Calls in flight). A memory limit does not make the
// collector free requests still held, so a container sized to it would be
// killed by the kernel under such a load.
func warnMemory(log *slog.Logger, cfg config, limit int64, from string) {
	l := cfg.Limits
	request := max(int64(l.MaxGRPCReceiveBytes), l.MaxHTTPBodyBytes)
	if l.MaxInflightCalls <= 0 {
		log.Warn("the Go runtime has a memory limit (from "+from+") but "+cfg.opt("max-inflight-calls")+" is 0: the requests held at once have no bound, and may take more memory than the limit", "gomemlimit_bytes", limit)
		return
	}
	if worst := int64(float64(l.MaxInflightCalls) * 1.6 * float64(request)); worst > limit {
		log.Warn("the requests the limits let the server hold at once may take more memory than the Go runtime's memory limit (from "+from+"; about "+cfg.opt("max-inflight-calls")+" × 1.6 × the larger request limit): lower "+cfg.opt("max-inflight-calls")+", "+cfg.opt("max-grpc-receive-bytes")+" or "+cfg.opt("max-http-body-bytes"),
			"requests_bytes", worst, "gomemlimit_bytes", limit, "max_inflight_calls", l.MaxInflightCalls, "largest_request_bytes", request)
	}
}

// persistCause returns the cause that err, an error wrapping
// classifier.ErrPersist beside it ("%w: %w"), carries: the storage's
// error, without ErrPersist's "change not applied", or err itself.
func persistCause(err error) error {
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range multi.Unwrap() {
			if e != classifier.ErrPersist {
				return e
			}
		}
	}
	return err
}

// tapClient returns the client of the call the tap handle sees, for a
// gate that bounds one client's calls: the connection's remote address,
// or the client a trusted proxy names in the call's x-forwarded-for
// metadata. It is "" when the gate has no such bound.
func tapClient(ctx context.Context, info *tap.Info, gate *admit.Gate, proxies api.Proxies) string {
	if gate.MaxPerClient() == 0 {
		return ""
	}
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	return proxies.Client(p.Addr.String(), info.Header.Get(api.ForwardedForKey))
}

// errWatchEnded ends the health watches when the server stops.
var errWatchEnded = status.Error(codes.Unavailable, "the server is shutting down: watch again on a new connection")

// unaryTap admits the calls of the unary methods that methods maps to
// true to gate (refusing one more with its status, counted by refused)
// and gives the calls of every unary method (every key of methods) the
// call timeout from the moment they start: the unary
// interceptor's deadline starts only once the request message has
// arrived, so a call whose message never came would hold its stream (and
// a goroutine) for as long as the client kept the connection. grpc
// receives the message under this context. It runs in a connection's
// reading goroutine, before the message is read, and never blocks.
func unaryTap(methods map[string]bool, d time.Duration, gate *admit.Gate, proxies api.Proxies, refused func(error)) tap.ServerInHandle {
	return func(ctx context.Context, info *tap.Info) (context.Context, error) {
		gated, unary := methods[info.FullMethodName]
		if !unary {
			return ctx, nil
		}
		if gated {
			var err error
			// The slot is given back by the unary interceptor, or when
			// grpc cancels the stream's context as the call ends.
			if ctx, err = gate.EnterUntilDone(ctx, tapClient(ctx, info, gate, proxies)); err != nil {
				refused(err)
				return ctx, err
			}
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		// grpc cancels the stream's context, this one's parent, when the
		// call ends, which releases the timer.
		_ = cancel
		return ctx, nil
	}
}
