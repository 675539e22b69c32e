package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/tokenfile"
)

// commonFlags are the flags every command takes.
type commonFlags struct {
	addr       string
	token      string
	tokenFile  string
	timeout    time.Duration
	tls        bool
	caFile     string
	serverName string // the name the server's certificate must have, if not --addr's host
	certFile   string // client certificate, for a server that asks for one
	keyFile    string
}

func registerCommon(fs *flag.FlagSet, getenv func(string) string) *commonFlags {
	c := &commonFlags{}
	addr := getenv("CLAIMS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:50051"
	}
	fs.StringVar(&c.addr, "addr", addr, "server gRPC address (env CLAIMS_ADDR)")
	// The token's default is not the environment's value, which the usage
	// text would print: resolve reads CLAIMS_TOKEN after parsing.
	fs.StringVar(&c.token, "token", "", "bearer token sent with every call; the server needs it for train and forget when it has --train-token (env CLAIMS_TOKEN; a flag is visible to other users in the process list: prefer --token-file or the environment)")
	fs.StringVar(&c.tokenFile, "token-file", "", "file holding the bearer token, instead of --token: its first line that is not blank, so that the server's --train-token-file may serve (env CLAIMS_TOKEN_FILE)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "deadline of each call")
	fs.BoolVar(&c.tls, "tls", false, "use TLS, trusting the system's roots (or --tls-ca)")
	fs.StringVar(&c.caFile, "tls-ca", "", "PEM file of the CA to trust; implies --tls")
	fs.StringVar(&c.serverName, "tls-server-name", "", "the name the server's certificate must hold, when it is not --addr's host (a probe inside a pod dials 127.0.0.1, the certificate names the Service); implies --tls")
	fs.StringVar(&c.certFile, "tls-cert", "", "client certificate (PEM) for a server that requires one (its --tls-client-ca); needs --tls-key, implies --tls")
	fs.StringVar(&c.keyFile, "tls-key", "", "the client certificate's private key (PEM)")
	return c
}

// resolve completes the flags after parsing: the token from --token, or
// the file --token-file names (its first token, read as the server
// reads its --train-token-file), or else CLAIMS_TOKEN or
// the file CLAIMS_TOKEN_FILE names (one source only, at each level), and
// checked, since gRPC would refuse to send a token that is not visible
// ASCII (a secret file's trailing newline) with an INTERNAL error naming
// neither. A command that sends no token
// (withToken false) neither reads nor checks one.
func (c *commonFlags) resolve(fs *flag.FlagSet, getenv func(string) string, withToken bool) error {
	from := "--token"
	switch {
	case !withToken:
		c.token = ""
	case isSet(fs, "token") && isSet(fs, "token-file"):
		return usageErrorf("--token and --token-file both give the token: use one")
	case isSet(fs, "token"):
	case isSet(fs, "token-file"):
		from = "--token-file"
	default:
		c.token, c.tokenFile, from = getenv("CLAIMS_TOKEN"), getenv("CLAIMS_TOKEN_FILE"), "CLAIMS_TOKEN"
		if c.token != "" && c.tokenFile != "" {
			return usageErrorf("CLAIMS_TOKEN and CLAIMS_TOKEN_FILE both give the token: use one")
		}
		if c.tokenFile != "" {
			from = "CLAIMS_TOKEN_FILE"
		}
	}
	if withToken && c.tokenFile != "" {
		// The server's own file may hold several tokens during a
		// rotation, the new one first: the client sends that one.
		toks, err := tokenfile.Read(c.tokenFile)
		if err != nil {
			return fmt.Errorf("%s: %w", from, err)
		}
		c.token = toks[0]
	}
	if i := tokenfile.BadByte(c.token); i >= 0 {
		return usageErrorf("%s: byte %d is a space, a control character or not ASCII (a newline at the end of a secret file?); a bearer token is visible ASCII characters only", from, i)
	}
	if c.timeout <= 0 {
		return usageErrorf("--timeout must be positive, got %v", c.timeout)
	}
	if (c.certFile == "") != (c.keyFile == "") {
		return usageErrorf("--tls-cert and --tls-key go together")
	}
	addrFrom := "--addr"
	if !isSet(fs, "addr") && getenv("CLAIMS_ADDR") != "" {
		addrFrom = "CLAIMS_ADDR"
	}
	return checkAddr(addrFrom, c.addr)
}

// checkAddr refuses an address grpc would take for another (a missing
// port becomes 443) or fail on with an UNAVAILABLE error that blames the
// server: it is host:port with a port, or a gRPC target with a scheme
// (dns:///host:port, unix:///path). from names where addr came from
// ("--addr", "CLAIMS_ADDR").
func checkAddr(from, addr string) error {
	hostPort := addr
	if scheme, rest, ok := strings.Cut(addr, "://"); ok {
		switch scheme {
		case "unix", "unix-abstract":
			return nil
		case "dns", "passthrough":
			// dns://[authority]/host:port: the endpoint is after the
			// last slash.
			hostPort = rest[strings.LastIndex(rest, "/")+1:]
		default:
			return usageErrorf("%s %q: give host:port (the server's gRPC port), or a gRPC target such as dns:///host:port", from, addr)
		}
	}
	_, port, err := net.SplitHostPort(hostPort)
	if err != nil || port == "" {
		return usageErrorf("%s %q: give host:port (the server's gRPC port, 50051 by default)", from, addr)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil && strings.Trim(port, "0123456789") != "" {
		n, err = 1, nil // a service name, as in /etc/services: grpc looks it up
		if _, lerr := net.LookupPort("tcp", port); lerr != nil {
			err = lerr
		}
	}
	if err != nil || n == 0 {
		return usageErrorf("%s %q: the port must be a number from 1 to 65535", from, addr)
	}
	return nil
}

// hint adds to a failed call's error what the user may do about it,
// when its status says the connection or the token was wrong for the
// server at c.addr.
func (c *commonFlags) hint(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	addr := c.addr
	msg := st.Message()
	var h string
	// A server that requires a client certificate ends the handshake of a
	// client with none, or with one it does not trust; the client sees the
	// alert, or, when it had already written, a broken pipe or a reset.
	// A server that speaks only TLS 1.2 answers a client with no
	// certificate with a handshake failure.
	cut := c.usesTLS() && (strings.Contains(msg, "broken pipe") || strings.Contains(msg, "connection reset by peer") || strings.Contains(msg, "remote error: tls: handshake failure"))
	switch st.Code() {
	case codes.Unavailable:
		switch {
		case cut && c.certFile == "":
			h = "if the server requires a client certificate (its --tls-client-ca), give --tls-cert and --tls-key"
		case cut:
			h = "if the server requires a client certificate, it refused this one: --tls-cert must be valid and signed by a CA of the server's --tls-client-ca"
		case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such file or directory"):
			h = "no server listens at " + addr
		case strings.Contains(msg, "tls: certificate required"):
			h = "the server requires a client certificate: give --tls-cert and --tls-key"
		case strings.Contains(msg, "remote error: tls: unknown certificate authority"), strings.Contains(msg, "remote error: tls: bad certificate"),
			strings.Contains(msg, "remote error: tls: expired certificate"), strings.Contains(msg, "remote error: tls: unsupported certificate"),
			strings.Contains(msg, "remote error: tls: revoked certificate"), strings.Contains(msg, "remote error: tls: unknown certificate"):
			h = "the server refused the client certificate: --tls-cert must be valid and signed by a CA of the server's --tls-client-ca"
		case strings.Contains(msg, "x509: certificate is valid for"), strings.Contains(msg, "doesn't contain any IP SANs"), strings.Contains(msg, "x509: certificate is not valid for any names"):
			h = "the server's certificate does not hold the name dialled: give --tls-server-name with a name it holds"
		case strings.Contains(msg, "x509:"):
			h = "the server's certificate is not trusted: --tls-ca names the CA that signed it"
		case strings.Contains(msg, "first record does not look like a TLS handshake"):
			h = "the server at " + addr + " does not use TLS: drop --tls and --tls-ca"
		case strings.Contains(msg, "frame header looked like an HTTP/1.1 header"):
			h = addr + " is an HTTP port: give the server's gRPC port"
		case strings.Contains(msg, "error reading server preface"):
			h = "if the server at " + addr + " uses TLS, add --tls (and --tls-ca for a private CA)"
		case strings.Contains(msg, "produced zero addresses") || strings.Contains(msg, "no such host"):
			h = "the host of " + addr + " is not known"
		}
	case codes.Unimplemented:
		if httpAnswer(err) {
			h = addr + " is an HTTP port: give the server's gRPC port"
		}
	case codes.DeadlineExceeded:
		switch {
		case strings.Contains(msg, "connection refused"):
			// A call that waited for the connection (a retry after the
			// server went away) names the last dial's error.
			h = "no server listened at " + addr + " within --timeout"
		case strings.Contains(msg, "waiting for connections to become ready"):
			h = "could not connect to " + addr + " within --timeout"
		}
	case codes.Unauthenticated:
		h = "give the server's train token with --token-file, --token, CLAIMS_TOKEN_FILE or CLAIMS_TOKEN"
	}
	if h == "" {
		return err
	}
	return status.Error(st.Code(), msg+" ("+h+")")
}

// httpAnswer reports whether err is grpc's account of an answer that was
// not gRPC: the status of an HTTP server (such as the gateway's port over
// TLS, which answers the call's path with 404), not a gRPC server's
// UNIMPLEMENTED.
func httpAnswer(err error) bool {
	return strings.Contains(status.Convert(err).Message(), "unexpected HTTP status code received from server")
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// usesTLS reports whether the client connects with TLS.
func (c *commonFlags) usesTLS() bool {
	return c.tls || c.caFile != "" || c.certFile != "" || c.serverName != ""
}

// dial connects to the server. A call refused as busy is sent again (see
// retryBusy), which stderr is told of.
func (c *commonFlags) dial(stderr io.Writer) (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	if c.usesTLS() {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.serverName}
		if c.certFile != "" {
			cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
			if err != nil {
				return nil, fmt.Errorf("--tls-cert, --tls-key: %w", err)
			}
			// Sent whatever CAs the server names: from Certificates, Go
			// would send none to a server that does not name its issuer,
			// and the server's refusal would then say none was given.
			cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
		}
		if c.caFile != "" {
			pem, err := os.ReadFile(c.caFile)
			if err != nil {
				return nil, fmt.Errorf("--tls-ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("--tls-ca: %s holds no PEM certificate", c.caFile)
			}
			cfg.RootCAs = pool
		}
		creds = credentials.NewTLS(cfg)
	}
	conn, err := grpc.NewClient(c.addr, retryBusy(stderr), requestIDs(), waitForReady(), grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", c.addr, err)
	}
	return conn, nil
}

// callContext returns a context with the call deadline and, if set, the
// bearer token.
func (c *commonFlags) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	if c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
	}
	return ctx, cancel
}

// env is what a command runs with.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string
	conn           *grpc.ClientConn
	common         *commonFlags
}

func (e *env) client() claimsv1.ClaimServiceClient { return claimsv1.NewClaimServiceClient(e.conn) }

// command is one subcommand: flags registers its flags and returns its
// options, run executes it. A command with noToken sends no token, and
// ignores --token, --token-file and their variables; one that is offline calls no server
// (its env has no connection), and takes the common flags only so that a
// wrapper that always passes them can run it too.
type command struct {
	flags   func(*flag.FlagSet) any
	run     func(context.Context, *env, any) error
	noToken bool
	offline bool
}

// commands returns the subcommands by name.
func commands() map[string]command {
	return map[string]command{
		"classify": {flags: classifyFlags, run: runClassify},
		"train":    {flags: trainFlags, run: runTrain},
		"forget":   {flags: dataFlags, run: runForget},
		"eval":     {flags: dataFlags, run: runEval},
		"model":    {flags: func(*flag.FlagSet) any { return nil }, run: runModel},
		// A probe needs no token, and should not fail for a bad one.
		"health":  {flags: healthFlags, run: runHealth, noToken: true},
		"version": {flags: func(*flag.FlagSet) any { return nil }, run: runVersion, offline: true},
	}
}
