package main

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestCheckAddr(t *testing.T) {
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:50051", true},
		{"localhost:50051", true},
		{"[::1]:50051", true},
		{"dns:///claims.example:443", true},
		{"unix:///run/claims.sock", true},
		{"127.0.0.1", false}, // grpc would dial port 443
		{"", false},
		{"127.0.0.1:", false},
		{"http://127.0.0.1:50051", false},
		{"127.0.0.1:99999", false},
		{"127.0.0.1:0", false},
		{"dns:///127.0.0.1", false}, // grpc would dial port 443
		{"dns://8.8.8.8/claims.example:50051", true},
		{"localhost:grpc-claims-unknown-service", false},
	} {
		err := checkAddr("--addr", tt.addr)
		var ue usageError
		if got := err == nil; got != tt.ok || err != nil && !errors.As(err, &ue) {
			t.Errorf("checkAddr(%q): got %v, want ok %v (or a usage error)", tt.addr, err, tt.ok)
		}
	}
}

func TestHint(t *testing.T) {
	const addr = "127.0.0.1:50051"
	plainFlags := &commonFlags{addr: addr}
	tlsFlags := &commonFlags{addr: addr, caFile: "ca.pem"}
	certFlags := &commonFlags{addr: addr, caFile: "ca.pem", certFile: "c.pem", keyFile: "k.pem"}
	for _, tt := range []struct {
		code  codes.Code
		msg   string
		want  string       // "" for no hint
		flags *commonFlags // nil for plainFlags
	}{
		{codes.Unavailable, `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:50051: connect: connection refused"`, "no server listens at " + addr, nil},
		{codes.Unavailable, `connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`, "--tls-ca names the CA", nil},
		{codes.Unavailable, `connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"`, "give --tls-server-name", nil},
		{codes.Unavailable, `connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate is valid for claims.default.svc, claims, not localhost"`, "give --tls-server-name", nil},
		{codes.Unavailable, `connection error: desc = "transport: authentication handshake failed: tls: first record does not look like a TLS handshake"`, "does not use TLS", nil},
		{codes.Unavailable, `connection error: desc = "error reading server preface: EOF"`, "add --tls", nil},
		{codes.Unavailable, `connection error: desc = "error reading server preface: http2: frame too large, note that the frame header looked like an HTTP/1.1 header"`, "is an HTTP port", nil},
		{codes.Unavailable, `name resolver error: produced zero addresses`, "is not known", nil},
		{codes.Unavailable, `connection error: desc = "transport: Error while dialing: dial unix /tmp/nope.sock: connect: no such file or directory"`, "no server listens at", nil},
		{codes.DeadlineExceeded, `context deadline exceeded while waiting for connections to become ready`, "could not connect to " + addr, nil},
		{codes.Unauthenticated, `authorization: a bearer token is required to change the model`, "--token-file, --token, CLAIMS_TOKEN_FILE or CLAIMS_TOKEN", nil},
		{codes.Unimplemented, `unexpected HTTP status code received from server: 404 (Not Found); transport: received unexpected content-type "application/json"`, "is an HTTP port", nil},
		{codes.Unimplemented, `unknown method GetModel for service claims.v1.ClaimService`, "", nil},
		{codes.DeadlineExceeded, `context deadline exceeded`, "", nil},
		{codes.InvalidArgument, `text: text is empty`, "", nil},
		// A server that requires client certificates (--tls-client-ca).
		{codes.Unavailable, `connection error: desc = "error reading server preface: remote error: tls: certificate required"`, "requires a client certificate: give --tls-cert and --tls-key", tlsFlags},
		{codes.Unavailable, `write tcp 127.0.0.1:41084->127.0.0.1:37067: write: broken pipe`, "if the server requires a client certificate", tlsFlags},
		{codes.Unavailable, `read tcp 127.0.0.1:41084->127.0.0.1:37067: read: connection reset by peer`, "if the server requires a client certificate", tlsFlags},
		{codes.Unavailable, `write tcp 127.0.0.1:41084->127.0.0.1:37067: write: broken pipe`, "it refused this one: --tls-cert must be valid and signed by a CA", certFlags},
		{codes.Unavailable, `write tcp 127.0.0.1:41084->127.0.0.1:37067: write: broken pipe`, "", nil},
		{codes.Unavailable, `connection error: desc = "transport: authentication handshake failed: remote error: tls: handshake failure"`, "if the server requires a client certificate", tlsFlags},
		{codes.Unavailable, `connection error: desc = "error reading server preface: remote error: tls: unknown certificate authority"`, "refused the client certificate", certFlags},
		{codes.Unavailable, `connection error: desc = "error reading server preface: remote error: tls: bad certificate"`, "refused the client certificate", certFlags},
		{codes.Unavailable, `connection error: desc = "error reading server preface: remote error: tls: expired certificate"`, "refused the client certificate", certFlags},
	} {
		flags := tt.flags
		if flags == nil {
			flags = plainFlags
		}
		err := flags.hint(status.Error(tt.code, tt.msg))
		st := status.Convert(err)
		if st.Code() != tt.code || !strings.HasPrefix(st.Message(), tt.msg) {
			t.Errorf("hint(%v %q): got %v, want the same code and message first", tt.code, tt.msg, err)
			continue
		}
		extra := strings.TrimPrefix(st.Message(), tt.msg)
		if tt.want == "" && extra != "" || tt.want != "" && !strings.Contains(extra, tt.want) {
			t.Errorf("hint(%v %q): got the hint %q, want one with %q", tt.code, tt.msg, extra, tt.want)
		}
	}
	if err := plainFlags.hint(nil); err != nil {
		t.Errorf("hint(nil): got %v, want nil", err)
	}
	plain := errors.New("not a status")
	if err := plainFlags.hint(plain); err != plain {
		t.Errorf("hint of a plain error: got %v, want it unchanged", err)
	}
}
