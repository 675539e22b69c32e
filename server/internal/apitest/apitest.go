package apitest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/claimsvc/claims/classifier"
)

// Words is a TokenAppender for tests: lower-case, split on white space.
// It has no state, so it is safe for concurrent use.
type Words struct{}

// AppendTokens implements classifier.TokenAppender.
func (Words) AppendTokens(dst []string, s string) []string {
	return append(dst, strings.Fields(strings.ToLower(s))...)
}

// Corpus is a tiny corpus with the five default labels, two examples each.
var Corpus = []classifier.Example{
	{Text: "rebels blamed for the blast", Label: "attribution"},
	{Text: "the group claimed responsibility", Label: "attribution"},
	{Text: "the ministry denied any involvement", Label: "denial"},
	{Text: "officials rejected the accusation as absurd", Label: "denial"},
	{Text: "police warned of further attacks", Label: "warning"},
	{Text: "the embassy urged citizens to stay alert", Label: "warning"},
	{Text: "leaders sent condolences to the families", Label: "condolence"},
	{Text: "the nation mourned the victims", Label: "condolence"},
	{Text: "the blast killed ten people", Label: "other"},
	{Text: "the airport reopened on monday", Label: "other"},
}

// NewModel returns a classifier over Words trained on exs (Corpus if nil).
func NewModel(exs []classifier.Example) (*classifier.Classifier, error) {
	if exs == nil {
		exs = Corpus
	}
	m := classifier.New(Words{})
	if _, err := m.Replace(context.Background(), exs); err != nil {
		return nil, err
	}
	return m, nil
}

// SavedModel returns a model over tok trained on exs, and its saved bytes:
// the content of a model file.
func SavedModel(t testing.TB, tok classifier.TokenAppender, exs []classifier.Example) (*classifier.Classifier, []byte) {
	t.Helper()
	m := classifier.New(tok)
	if _, err := m.Replace(context.Background(), exs); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return m, buf.Bytes()
}

// Dial serves srv over an in-memory listener and returns a client
// connection to it. Both are stopped when the test ends.
func Dial(t testing.TB, srv *grpc.Server, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	opts = append([]grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	}, opts...)
	conn, err := grpc.NewClient("passthrough:///bufnet", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// SameModel fails the test if the model changed since before, or holds a
// negative count.
func SameModel(t testing.TB, name string, before classifier.Info, model *classifier.Classifier) {
	t.Helper()
	after := model.Info()
	if after.Version != before.Version || after.ContentHash != before.ContentHash || after.Examples != before.Examples {
		t.Errorf("%s: model changed: version %d -> %d, examples %d -> %d", name, before.Version, after.Version, before.Examples, after.Examples)
	}
	for l, n := range after.Counts {
		if n < 0 {
			t.Errorf("%s: label %s has %d examples", name, l, n)
		}
	}
}

// LogBuffer is a bytes.Buffer that is safe for concurrent use, for logs
// written by servers under test.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// RPCLine is what tests read of an access log line (msg "rpc") in JSON.
type RPCLine struct {
	Method, Code, Transport, Peer, Error string // the fields of the same names, lower-cased in the log
	XRequestID                           string `json:"x_request_id"`
	TraceID                              string `json:"trace_id"`
}

// RPCLines returns the access log lines of s, JSON log output.
func RPCLines(s string) []RPCLine {
	var out []RPCLine
	for _, line := range strings.Split(s, "\n") {
		var l struct {
			Msg string
			RPCLine
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "rpc" {
			out = append(out, l.RPCLine)
		}
	}
	return out
}

// WaitRPCLines returns the access log lines written to l after its first
// from bytes, once there is one, or none after 5 s: a server may write a
// call's line just after its client has the answer (grpc sends the status
// of a message it could not receive before the server's code sees the
// error, and an HTTP client has the headers before the body).
func (l *LogBuffer) WaitRPCLines(from int) []RPCLine {
	for wait := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if lines := RPCLines(l.String()[from:]); len(lines) > 0 || time.Now().After(wait) {
			return lines
		}
	}
}

// SelfSigned returns a fresh self-signed certificate for 127.0.0.1 and
// localhost, and its private key, both PEM-encoded.
func SelfSigned(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	return SelfSignedFor(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
}

// SelfSignedFor is SelfSigned with a certificate valid from notBefore to
// notAfter.
func SelfSignedFor(t testing.TB, notBefore, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	certPEM, keyPEM, _, _ = issue(t, "claims test", notBefore, notAfter, x509.ExtKeyUsageServerAuth, true, nil, nil)
	return certPEM, keyPEM
}

// issue makes a certificate for 127.0.0.1 and localhost with a fresh key,
// signed by parent and its key, or self-signed if parent is nil, and
// returns both PEM-encoded, and parsed.
func issue(t testing.TB, name string, notBefore, notAfter time.Time, usage x509.ExtKeyUsage, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (certPEM, keyPEM []byte, cert *x509.Certificate, key *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{usage},
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), cert, key
}

// CA is a certificate authority for tests: it issues server and client
// certificates.
type CA struct {
	PEM  []byte // its certificate, PEM-encoded
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewCA returns a fresh CA, valid from an hour ago for two hours. Each has
// a name of its own: a TLS client sends its certificate only to a server
// that names the certificate's issuer among those it accepts.
func NewCA(t testing.TB) *CA {
	t.Helper()
	id, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 32))
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, cert, key := issue(t, "claims test CA "+id.String(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), x509.ExtKeyUsageAny, true, nil, nil)
	return &CA{PEM: certPEM, cert: cert, key: key}
}

// Issue returns a certificate named name, for 127.0.0.1 and localhost and
// for usage (x509.ExtKeyUsageServerAuth or ExtKeyUsageClientAuth), valid
// from an hour ago for two hours and signed by ca, with its key, both
// PEM-encoded.
func (ca *CA) Issue(t testing.TB, name string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	return ca.IssueFor(t, name, usage, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
}

// IssueFor is Issue with a certificate valid from notBefore to notAfter.
func (ca *CA) IssueFor(t testing.TB, name string, usage x509.ExtKeyUsage, notBefore, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	certPEM, keyPEM, _, _ = issue(t, name, notBefore, notAfter, usage, false, ca.cert, ca.key)
	return certPEM, keyPEM
}
