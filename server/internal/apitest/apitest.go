// Package apitest holds what the server's tests share: a small model over a
// white-space tokenizer, a gRPC server served over an in-memory
// connection, a log buffer and a self-signed certificate. It imports no server package, so every server package's
// tests can use it.
package apitest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
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
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "claims test"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}
