package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/claimsvc/claims/classifier"
	"github.com/claimsvc/claims/server/buildinfo"
	"github.com/claimsvc/claims/server/internal/api"
	"github.com/claimsvc/claims/server/internal/gateway"
	"github.com/claimsvc/claims/server/tokenfile"
)

// config is everything the server is started with.
type config struct {
	GRPCAddr string
	HTTPAddr string
	// HealthAddr, if not empty, is where plain HTTP serves /healthz alone
	// (see gateway.Probe).
	HealthAddr string
	// DebugAddr, if not empty, is the loopback address where plain HTTP
	// serves Go's runtime profiles (see gateway.Debug).
	DebugAddr  string
	DataDir    string
	TrainToken string
	// TrainTokenFile, if not empty, is the file the token is read from
	// (and read again when it changes), instead of TrainToken.
	TrainTokenFile string
	ReadOnly       bool // refuse Train and Forget
	// RequireSavedModel refuses to start when DataDir holds no saved
	// model, rather than serve (and save) the default model.
	RequireSavedModel bool
	// ReloadInterval is how often a read-only server checks its data
	// directory's model file for a new one (0: only on SIGHUP).
	ReloadInterval time.Duration
	Tokenizer      string
	TLSCert        string
	TLSKey         string
	TLSClientCA    string // CAs whose client certificates are required
	CORSOrigins    []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client the access log gives as a call's peer.
	TrustedProxies api.Proxies
	Metrics        bool // serve /metrics on the HTTP listener
	Reflection     bool // register gRPC server reflection
	Limits         api.Limits
	LogLevel       slog.Level
	LogFormat      string
	// AccessLog logs a line per RPC (at info; off, only calls that
	// failed with a server fault), at most AccessLogMaxRate a second if
	// that is positive.
	AccessLog        bool
	AccessLogMaxRate int
	ShutdownTimeout  time.Duration
	// MaxHealthWatches bounds the gRPC health watches open at once, and
	// MaxHealthWatchesPerConn those on one connection (0: no bound).
	MaxHealthWatches        int
	MaxHealthWatchesPerConn int
	ShutdownDrain           time.Duration // NOT_SERVING but still serving, before the stop
	Keepalive               keepaliveConfig
	GC                      gcConfig
	// MemoryLimitRatio, when GOMEMLIMIT is not set, sets the Go runtime's
	// memory limit to this fraction of the container's (cgroup's) memory
	// limit, if it has one (0: no limit).
	MemoryLimitRatio float64
	// Root is the file system the container's memory limit is read from
	// (os.DirFS("/")); nil reads none.
	Root fs.FS
	// memoryLimitEvery is how often the container's memory limit is read
	// again (0: memoryLimitCheckEvery); tests shorten it.
	memoryLimitEvery time.Duration

	// fromEnv maps a flag set from the environment to its variable, so
	// that errors name what the operator wrote.
	fromEnv map[string]string
}

// opt names the setting of flag (without its dashes) as the operator gave
// it: --grpc-addr, or CLAIMS_GRPC_ADDR when it came from the environment.
func (c *config) opt(flag string) string {
	if v, ok := c.fromEnv[flag]; ok {
		return v
	}
	return "--" + flag
}

// gcConfig records which garbage-collector settings the Go runtime took
// from the environment; the server tunes only the others.
type gcConfig struct {
	GOGCSet     bool // GOGC is set: keep its collection pacing
	MemLimitSet bool // GOMEMLIMIT is set: keep its memory limit
}

// keepaliveConfig is the server's HTTP/2 keepalive policy.
type keepaliveConfig struct {
	MinPingInterval time.Duration // pings more often than this close the connection
	Time            time.Duration // server pings an idle client after this
	Timeout         time.Duration // and closes the connection if no answer within this
	MaxIdle         time.Duration // idle connections are closed after this
	MaxAge          time.Duration // connections are told to go away after this (0: never)
	MaxAgeGrace     time.Duration // and closed this long after (0: once their calls end)
}

// minReloadInterval is the shortest --reload-interval: checking more
// often costs CPU (a stat every 1ms took about 3% of a core, and a model
// file that cannot be read is opened at every check) and takes a save no
// sooner in any way that matters.
const minReloadInterval = 10 * time.Millisecond

// maxRequestBytes bounds --max-grpc-receive-bytes and
// --max-http-body-bytes.
const maxRequestBytes = 1 << 30

// envPrefix prefixes every environment variable the server reads.
const envPrefix = "CLAIMS_"

// envName returns the environment variable of a flag: --grpc-addr is
// CLAIMS_GRPC_ADDR.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// errVersionShown is what parseConfig returns once it has printed the
// version asked for with --version.
var errVersionShown = errors.New("version shown")

// parseConfig reads flags, falling back to environment variables for flags
// not given on the command line, then to defaults. The usage text asked for
// with -h goes to stdout, and parseConfig returns flag.ErrHelp; the
// version asked for with --version too, with errVersionShown.
func parseConfig(args []string, getenv func(string) string, stdout io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	// The flag package would print a bad value's error and then the whole
	// usage; main prints the error alone, and -h prints the usage.
	fs.SetOutput(io.Discard)
	var c config
	l := api.DefaultLimits()
	var cors, level, proxies string
	fs.StringVar(&c.GRPCAddr, "grpc-addr", "127.0.0.1:50051", "gRPC listen address")
	fs.StringVar(&c.HTTPAddr, "http-addr", "127.0.0.1:8080", "HTTP (REST, /healthz, /metrics, /openapi.json) listen address")
	fs.StringVar(&c.HealthAddr, "health-addr", "", "plain-HTTP listen address of /healthz alone, never TLS: for health checkers that cannot present a client certificate (kubelet's probes) when --tls-client-ca requires one; empty: none")
	fs.StringVar(&c.DebugAddr, "debug-addr", "", "loopback listen address of Go's runtime profiles (/debug/pprof/: CPU, heap, goroutines, …), in plain HTTP; empty: none")
	fs.StringVar(&c.DataDir, "data-dir", "", "directory where the model is persisted; empty keeps it in memory only")
	fs.StringVar(&c.TrainToken, "train-token", "", "bearer token required by Train and Forget (visible to other users of the machine in the process list when given as a flag: prefer --train-token-file, or the environment)")
	fs.StringVar(&c.TrainTokenFile, "train-token-file", "", "file holding the bearer token required by Train and Forget (a Kubernetes or Docker secret), or several, one a line, each taken (during a rotation), read again when it changes, so that a rotated token takes effect without a restart")
	fs.BoolVar(&c.ReadOnly, "read-only", false, "refuse Train and Forget (PERMISSION_DENIED) whatever the listeners: serve the model in --data-dir, read at start, on SIGHUP and with --reload-interval when it changes, without writing or locking it (not with --train-token)")
	fs.BoolVar(&c.RequireSavedModel, "require-saved-model", false, "with --data-dir: refuse to start when the directory holds no saved model, or does not exist, instead of saving the default model there (or, with --read-only, serving it): set it once the model is saved, so that a volume not mounted (an empty directory in its place) stops the server rather than take a model of its own")
	fs.DurationVar(&c.ReloadInterval, "reload-interval", 0, "with --read-only and --data-dir: check the model file this often (10ms at least) and reload it when the server that writes it has saved a new one (0: only on SIGHUP)")
	fs.StringVar(&c.Tokenizer, "tokenizer", "", "tokenizer.json file; empty uses the embedded default")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate (PEM) for gRPC and HTTP; needs --tls-key; read again, with its key, when either file changes")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&c.TLSClientCA, "tls-client-ca", "", "PEM file of the CAs whose client certificates the server requires on both ports (mutual TLS); needs --tls-cert; read again when it changes")
	fs.BoolVar(&c.Metrics, "metrics", true, "serve Prometheus metrics at /metrics on --http-addr (false: 404)")
	fs.BoolVar(&c.Reflection, "reflection", true, "serve gRPC server reflection (grpcurl lists and describes the service with it; false: UNIMPLEMENTED)")
	fs.StringVar(&cors, "cors-origins", "", "comma-separated origins allowed by CORS ('*' for any); empty disables CORS")
	fs.StringVar(&proxies, "trusted-proxies", "", "comma-separated IP addresses and CIDR prefixes of the reverse proxies (load balancers, ingress) in front of the server: a call that comes from one is logged with the client its X-Forwarded-For names (REST header, gRPC metadata), read from the end and past the other proxies listed, and counted as that client by --max-inflight-calls-per-client and, over REST, --max-classify-streams-per-conn; empty: the address each connection comes from")
	fs.IntVar(&l.MaxTextBytes, "max-text-bytes", l.MaxTextBytes, "largest text (or all sentences together) per classify request or example, in bytes")
	fs.IntVar(&l.MaxSentences, "max-sentences", l.MaxSentences, "most sentences per classify request")
	fs.IntVar(&l.MaxExamples, "max-examples", l.MaxExamples, "most examples per Train, Forget or Evaluate request")
	fs.IntVar(&l.MaxGRPCReceiveBytes, "max-grpc-receive-bytes", l.MaxGRPCReceiveBytes, "largest gRPC message received, in bytes (1 GiB at most)")
	fs.Int64Var(&l.MaxHTTPBodyBytes, "max-http-body-bytes", l.MaxHTTPBodyBytes, "largest HTTP request body, in bytes (1 GiB at most)")
	fs.DurationVar(&l.CallTimeout, "call-timeout", l.CallTimeout, "deadline of each unary call")
	maxStreams := fs.Uint("max-concurrent-streams", uint(l.MaxConcurrentStreams), "most concurrent streams per HTTP/2 connection")
	fs.IntVar(&l.MaxExplain, "max-explain", l.MaxExplain, "largest explain value")
	fs.IntVar(&l.MaxClassifyStreams, "max-classify-streams", l.MaxClassifyStreams, "most ClassifyStream calls open at once on the whole server, gRPC and REST together")
	fs.IntVar(&l.MaxClassifyStreamsPerConn, "max-classify-streams-per-conn", l.MaxClassifyStreamsPerConn, "most ClassifyStream calls open at once on one gRPC connection, or from one REST client (its address and port, or the client --trusted-proxies names), so that one client cannot hold every --max-classify-streams slot (0: no bound; behind a proxy or mesh sidecar that carries many clients over one connection, use 0)")
	fs.IntVar(&l.MaxInflightCalls, "max-inflight-calls", l.MaxInflightCalls, "most unary calls (Classify, Train, Forget, Evaluate, GetModel) the server holds at once, gRPC and REST together; one more is refused at once with RESOURCE_EXHAUSTED (HTTP 429) and a retry delay, before its request is read (0: no bound)")
	fs.IntVar(&l.MaxInflightCallsPerClient, "max-inflight-calls-per-client", l.MaxInflightCallsPerClient, "most unary calls the server holds at once from one client, over all its connections, gRPC and REST together: its IPv4 address or IPv6 /64 network (any port), or the client --trusted-proxies names; one more is refused as --max-inflight-calls refuses, so that one client cannot hold every slot (0: no bound; behind a load balancer or NAT not listed in --trusted-proxies, every client has its address: leave it 0)")
	fs.IntVar(&l.MaxLabels, "max-labels", l.MaxLabels, fmt.Sprintf("most labels the model may have (2 to %d); each costs 8 bytes for every feature of the model", classifier.MaxLabelsCap))
	fs.IntVar(&l.MaxFeatures, "max-features", l.MaxFeatures, "most distinct features the model may have; each costs about 300 bytes of memory, and every change copies and saves the whole model")
	fs.IntVar(&l.MaxLearned, "max-learned-examples", l.MaxLearned, "most distinct examples the model may hold; the model keeps a key for each, so that forget can refuse what was never learned, and every change copies and saves them")
	fs.StringVar(&level, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&c.AccessLog, "access-log", true, "log a line per RPC (\"rpc\", at info level); false logs only calls that failed with a server fault")
	fs.IntVar(&c.AccessLogMaxRate, "access-log-max-rate", 0, "most access-log lines in a second, server faults apart; the others are dropped and counted in a warning (0: no limit)")
	fs.IntVar(&c.MaxHealthWatches, "max-health-watches", 4096, "most gRPC health watches (grpc.health.v1.Health/Watch) open at once on the whole server; more are refused with RESOURCE_EXHAUSTED")
	fs.IntVar(&c.MaxHealthWatchesPerConn, "max-health-watches-per-conn", 16, "most gRPC health watches open at once on one connection (0: no bound; behind a proxy or mesh sidecar that carries many clients over one connection, use 0 and bound --max-health-watches)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "how long graceful shutdown waits for calls in flight")
	fs.DurationVar(&c.ShutdownDrain, "shutdown-drain", 0, "on SIGINT or SIGTERM, how long to report NOT_SERVING while still serving, so load balancers stop sending calls, before the graceful stop")
	fs.DurationVar(&l.SendTimeout, "send-timeout", l.SendTimeout, "for clients that do not read (README, Streams): a gRPC stream's result may wait this long for the client while the connection carries almost nothing, or 5 times this long in all, before the connection is closed; a REST answer is cut short when a write waits this long (over HTTP/1.1, a client must read about 2 MB within it); 0: no limit")
	fs.DurationVar(&c.Keepalive.MinPingInterval, "keepalive-min-ping", 10*time.Second, "clients pinging more often are disconnected")
	fs.DurationVar(&c.Keepalive.Time, "keepalive-time", 2*time.Minute, "ping idle clients after this")
	fs.DurationVar(&c.Keepalive.Timeout, "keepalive-timeout", 20*time.Second, "close connections whose ping is not answered within this")
	fs.DurationVar(&c.Keepalive.MaxIdle, "keepalive-max-idle", 30*time.Minute, "close connections idle for this long")
	fs.DurationVar(&c.Keepalive.MaxAge, "keepalive-max-age", 0, "tell each gRPC connection to go away after this long (±10%), so that clients reconnect and spread over the servers behind a load balancer or DNS name, new ones included (0: never)")
	fs.DurationVar(&c.Keepalive.MaxAgeGrace, "keepalive-max-age-grace", time.Minute, "after --keepalive-max-age, how long the calls under way on the connection get before it is closed (0: until they end)")
	fs.Float64Var(&c.MemoryLimitRatio, "memory-limit-ratio", 0.9, "with GOMEMLIMIT unset, set the Go runtime's memory limit to this fraction of the container's memory limit (its cgroup's, v1 or v2), if it has one, so that the heap is collected harder as it nears the limit rather than the process killed by the kernel; the limit is read again every 15s, so that a pod resized in place is followed (0: none, as Go's default; else 0.1 to 1)")
	version := fs.Bool("version", false, "print the server's build (version, commit, Go version) and exit")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "Usage: server [flags]\n\nEvery flag but --version can also be set by an environment variable: --grpc-addr by CLAIMS_GRPC_ADDR, and so on.\nA flag given on the command line wins.\n\nFlags:")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return config{}, err
		}
		// The flag package names a flag with one dash; the README and every
		// other message use two.
		msg := flagDash.ReplaceAllString(err.Error(), "$1--$2")
		return config{}, fmt.Errorf("%s (server -h lists the flags)", msg)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *version {
		fmt.Fprintln(stdout, buildinfo.Read().Line("claims server"))
		return config{}, errVersionShown
	}
	// Environment variables fill in flags not given on the command line; a
	// flag given there wins, even over a variable that would not parse.
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	c.fromEnv = make(map[string]string)
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "version" {
			return // an act, not a setting: CLAIMS_VERSION is no one's business
		}
		if v := getenv(envName(f.Name)); v != "" && !given[f.Name] && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: not a valid value for --%s: %w", envName(f.Name), v, f.Name, err)
			}
			c.fromEnv[f.Name] = envName(f.Name)
		}
	})
	if envErr != nil {
		return config{}, envErr
	}
	if *maxStreams > math.MaxUint32 {
		return config{}, fmt.Errorf("%s: %d is larger than %d", c.opt("max-concurrent-streams"), *maxStreams, uint64(math.MaxUint32))
	}
	l.MaxConcurrentStreams = uint32(*maxStreams)
	c.Limits = l
	if cors != "" {
		for _, o := range strings.Split(cors, ",") {
			// Browsers send an origin's scheme and host in lower case.
			if o = strings.ToLower(strings.TrimSpace(o)); o != "" {
				c.CORSOrigins = append(c.CORSOrigins, o)
			}
		}
	}
	var err error
	if c.TrustedProxies, err = api.ParseProxies(proxies); err != nil {
		return config{}, fmt.Errorf("%s: %w", c.opt("trusted-proxies"), err)
	}
	c.GC = gcConfig{GOGCSet: getenv("GOGC") != "", MemLimitSet: getenv("GOMEMLIMIT") != ""}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return config{}, fmt.Errorf("%s: %w", c.opt("log-level"), err)
	}
	return c, c.validate()
}

func (c *config) validate() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("%s and %s go together", c.opt("tls-cert"), c.opt("tls-key"))
	}
	if c.TLSClientCA != "" && c.TLSCert == "" {
		return fmt.Errorf("%s needs %s and %s: client certificates are asked for in a TLS handshake", c.opt("tls-client-ca"), c.opt("tls-cert"), c.opt("tls-key"))
	}
	if c.RequireSavedModel && c.DataDir == "" {
		return fmt.Errorf("%s needs %s: without one there is no saved model to require", c.opt("require-saved-model"), c.opt("data-dir"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("%s: %q is neither text nor json", c.opt("log-format"), c.LogFormat)
	}
	l := c.Limits
	for _, v := range []struct {
		flag string
		v    int64
	}{
		{"max-text-bytes", int64(l.MaxTextBytes)}, {"max-sentences", int64(l.MaxSentences)},
		{"max-examples", int64(l.MaxExamples)}, {"max-grpc-receive-bytes", int64(l.MaxGRPCReceiveBytes)},
		{"max-http-body-bytes", l.MaxHTTPBodyBytes}, {"max-concurrent-streams", int64(l.MaxConcurrentStreams)},
		{"max-classify-streams", int64(l.MaxClassifyStreams)}, {"max-features", int64(l.MaxFeatures)},
		{"max-learned-examples", int64(l.MaxLearned)}, {"max-health-watches", int64(c.MaxHealthWatches)},
	} {
		if v.v <= 0 {
			return fmt.Errorf("%s must be positive, got %d", c.opt(v.flag), v.v)
		}
	}
	// A request is held whole in memory: more than 1 GiB is no request a
	// server of this kind serves (and a limit near the largest int64
	// would overflow the arithmetic that reads bodies).
	for _, v := range []struct {
		flag string
		v    int64
	}{{"max-grpc-receive-bytes", int64(l.MaxGRPCReceiveBytes)}, {"max-http-body-bytes", l.MaxHTTPBodyBytes}} {
		if v.v > maxRequestBytes {
			return fmt.Errorf("%s: %d is larger than %d (1 GiB): a request is held whole in memory", c.opt(v.flag), v.v, maxRequestBytes)
		}
	}
	if l.MaxInflightCalls < 0 {
		return fmt.Errorf("%s must not be negative", c.opt("max-inflight-calls"))
	}
	if l.MaxInflightCallsPerClient < 0 {
		return fmt.Errorf("%s must not be negative", c.opt("max-inflight-calls-per-client"))
	}
	if l.MaxClassifyStreamsPerConn < 0 {
		return fmt.Errorf("%s must not be negative", c.opt("max-classify-streams-per-conn"))
	}
	if c.MaxHealthWatchesPerConn < 0 {
		return fmt.Errorf("%s must not be negative", c.opt("max-health-watches-per-conn"))
	}
	if l.MaxExplain < 0 {
		return fmt.Errorf("%s must not be negative", c.opt("max-explain"))
	}
	// A limit under a tenth of the container's would have the collector
	// run without end; NaN fails every comparison.
	if r := c.MemoryLimitRatio; r != 0 && !(r >= 0.1 && r <= 1) {
		return fmt.Errorf("%s: %v is neither 0 nor within 0.1..1", c.opt("memory-limit-ratio"), r)
	}
	if c.AccessLogMaxRate < 0 {
		return fmt.Errorf("%s must not be negative", c.opt("access-log-max-rate"))
	}
	if l.MaxLabels < 2 || l.MaxLabels > classifier.MaxLabelsCap {
		return fmt.Errorf("%s: %d is outside 2..%d", c.opt("max-labels"), l.MaxLabels, classifier.MaxLabelsCap)
	}
	// GetModel reports these as int32; larger values would be reported wrong.
	for _, v := range []struct {
		flag string
		v    int
	}{
		{"max-sentences", l.MaxSentences}, {"max-examples", l.MaxExamples}, {"max-explain", l.MaxExplain}, {"max-classify-streams", l.MaxClassifyStreams},
		{"max-inflight-calls", l.MaxInflightCalls}, {"max-classify-streams-per-conn", l.MaxClassifyStreamsPerConn},
		{"max-inflight-calls-per-client", l.MaxInflightCallsPerClient},
	} {
		if v.v > math.MaxInt32 {
			return fmt.Errorf("%s: %d is larger than %d", c.opt(v.flag), v.v, math.MaxInt32)
		}
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"call-timeout", l.CallTimeout}, {"shutdown-timeout", c.ShutdownTimeout},
		{"keepalive-min-ping", c.Keepalive.MinPingInterval}, {"keepalive-time", c.Keepalive.Time},
		{"keepalive-timeout", c.Keepalive.Timeout}, {"keepalive-max-idle", c.Keepalive.MaxIdle},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s must be positive, got %v", c.opt(d.flag), d.v)
		}
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"shutdown-drain", c.ShutdownDrain}, {"send-timeout", l.SendTimeout}, {"reload-interval", c.ReloadInterval},
		{"keepalive-max-age", c.Keepalive.MaxAge}, {"keepalive-max-age-grace", c.Keepalive.MaxAgeGrace},
	} {
		if d.v < 0 {
			return fmt.Errorf("%s must not be negative, got %v", c.opt(d.flag), d.v)
		}
	}
	type listenAddr struct{ flag, addr string }
	addrs := []listenAddr{{flag: "grpc-addr", addr: c.GRPCAddr}, {flag: "http-addr", addr: c.HTTPAddr}}
	if c.HealthAddr != "" {
		addrs = append(addrs, listenAddr{flag: "health-addr", addr: c.HealthAddr})
	}
	if c.DebugAddr != "" {
		addrs = append(addrs, listenAddr{flag: "debug-addr", addr: c.DebugAddr})
	}
	for i, a := range addrs {
		_, port, err := net.SplitHostPort(a.addr)
		if err != nil {
			return fmt.Errorf("%s: %w", c.opt(a.flag), err)
		}
		// An empty port ("127.0.0.1:", from CLAIMS_GRPC_ADDR=127.0.0.1:$PORT
		// with PORT unset) would listen on a random one. 0 asks for that
		// explicitly.
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return fmt.Errorf("%s: %q needs a port number from 0 to 65535", c.opt(a.flag), a.addr)
		}
		for _, b := range addrs[:i] {
			if b.addr == a.addr && port != "0" {
				return fmt.Errorf("%s and %s are both %s: they need addresses of their own", c.opt(b.flag), c.opt(a.flag), a.addr)
			}
		}
	}
	if c.DebugAddr != "" && !isLoopback(c.DebugAddr) {
		// A profile costs CPU while it runs and shows the process's
		// insides: it is for someone on the machine, or a port forward.
		return fmt.Errorf("%s: %q is not a loopback address: the profiles are served to this machine only (127.0.0.1, [::1] or localhost; reach them from elsewhere through a port forward, such as kubectl port-forward or ssh -L)", c.opt("debug-addr"), c.DebugAddr)
	}
	// gRPC metadata carries only printable ASCII, and the REST side trims
	// the header it reads: a token with a space, a control character (the
	// newline at the end of a secret file) or a non-ASCII letter could
	// never be presented, and training would be shut to everyone.
	if i := tokenfile.BadByte(c.TrainToken); i >= 0 {
		return fmt.Errorf("%s: byte %d is a space, a control character or not ASCII (a newline at the end of a secret file?); a bearer token is visible ASCII characters only", c.opt("train-token"), i)
	}
	if err := gateway.ValidateOrigins(c.CORSOrigins); err != nil {
		return fmt.Errorf("%s: %w", c.opt("cors-origins"), err)
	}
	if c.TrainToken != "" && c.TrainTokenFile != "" {
		return fmt.Errorf("%s and %s both set the token: use one", c.opt("train-token"), c.opt("train-token-file"))
	}
	if c.ReadOnly && c.hasToken() {
		return fmt.Errorf("%s and %s contradict each other: a read-only server takes no changes, with a token or without", c.opt("read-only"), c.tokenOpt())
	}
	if c.ReloadInterval > 0 && c.ReloadInterval < minReloadInterval {
		return fmt.Errorf("%s is %v, below the least, %v: checking more often costs CPU (a model file that cannot be read is opened at every check), and every few seconds is plenty; 0 reloads on SIGHUP only", c.opt("reload-interval"), c.ReloadInterval, minReloadInterval)
	}
	if c.ReloadInterval > 0 && (!c.ReadOnly || c.DataDir == "") {
		return fmt.Errorf("%s needs %s and %s: only a read-only server reloads a model, the one another server saves in its data directory", c.opt("reload-interval"), c.opt("read-only"), c.opt("data-dir"))
	}
	if slices.Contains(c.CORSOrigins, "*") && !c.hasToken() && !c.ReadOnly && c.loopbackOnly() {
		return fmt.Errorf("%s '*' lets any web page call Train and Forget, which are open without a token: set %s (or %s), or list the origins", c.opt("cors-origins"), c.opt("train-token-file"), c.opt("train-token"))
	}
	return nil
}

// hasToken reports whether Train and Forget require a token.
func (c *config) hasToken() bool { return c.TrainToken != "" || c.TrainTokenFile != "" }

// tokenOpt names the setting that set the token.
func (c *config) tokenOpt() string {
	if c.TrainTokenFile != "" {
		return c.opt("train-token-file")
	}
	return c.opt("train-token")
}

// loopbackOnly reports whether the gRPC and HTTP listen addresses are
// spelled as loopback ones (the health and debug listeners serve no calls,
// so they do not count): run also checks the addresses bound.
func (c *config) loopbackOnly() bool {
	return isLoopback(c.GRPCAddr) && isLoopback(c.HTTPAddr)
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// flagDash matches a flag named with one dash in the flag package's
// errors ("flag needs an argument: -grpc-addr", "invalid value "-1" for
// flag -max-examples"), not a quoted value.
var flagDash = regexp.MustCompile(`(^|[ :])-([a-z])`)
