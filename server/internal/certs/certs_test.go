package certs

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimsvc/claims/server/internal/apitest"
)

// TestKeyPairFollowsItsFiles renews, half-renews, breaks and removes the
// files of a key pair on a fake clock, and checks which certificate is
// served and what is logged after each step.
func TestKeyPairFollowsItsFiles(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	put := func(name string, data []byte) { replaceFile(t, name, data) }
	ca := apitest.NewCA(t)
	type pair struct{ cert, key []byte }
	issue := func(name string) pair {
		c, k := ca.Issue(t, name, x509.ExtKeyUsageServerAuth)
		return pair{c, k}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b, c := issue("a"), issue("b"), issue("c")
	expiredCert, expiredKey := ca.IssueFor(t, "expired", x509.ExtKeyUsageServerAuth, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour))
	backup := filepath.Join(dir, "served.crt")
	put(certFile, a.cert)
	put(keyFile, a.key)

	var logs bytes.Buffer
	now := time.Now()
	k, err := NewKeyPair(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		do      func()
		advance time.Duration
		want    string // common name of the certificate served
		log     string // what the step logs, "" for nothing
	}{
		{"at start", func() {}, 0, "a", ""},
		{"renewed, checked too soon", func() { put(certFile, b.cert); put(keyFile, b.key) }, CheckEvery / 2, "a", ""},
		{"renewed, checked", func() {}, CheckEvery, "b", "TLS key pair reloaded"},
		{"unchanged", func() {}, CheckEvery, "b", ""},
		{"certificate renewed before its key", func() {
			must(os.Link(certFile, backup))
			put(certFile, c.cert)
		}, CheckEvery, "b", "is not used: the one before stays in use"},
		{"still only the certificate", func() {}, CheckEvery, "b", ""},
		// The very file served put back: nothing to do, so the same
		// failure again is logged again.
		{"the served certificate put back", func() { must(os.Rename(backup, certFile)) }, CheckEvery, "b", ""},
		{"the new certificate again", func() { put(certFile, c.cert) }, CheckEvery, "b", "is not used"},
		{"and then the key", func() { put(keyFile, c.key) }, CheckEvery, "c", "TLS key pair reloaded"},
		{"rewritten in place, the same bytes", func() {
			must(os.WriteFile(certFile, c.cert, 0o600))
			must(os.Chtimes(certFile, now, now.Add(time.Minute)))
		}, CheckEvery, "c", "TLS key pair reloaded"},
		{"renewed with an expired certificate", func() { put(certFile, expiredCert); put(keyFile, expiredKey) }, CheckEvery, "c", "the one served is valid now"},
		{"removed", func() { must(os.Remove(certFile)) }, CheckEvery, "c", "is not used"},
		{"clock set back", func() { put(certFile, a.cert); put(keyFile, a.key) }, -10 * time.Minute, "a", "TLS key pair reloaded"},
	}
	for _, st := range steps {
		logs.Reset()
		st.do()
		now = now.Add(st.advance)
		got, err := k.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if cn := got.Leaf.Subject.CommonName; cn != st.want {
			t.Errorf("%s: got certificate %q, want %q", st.name, cn, st.want)
		}
		checkLog(t, st.name, logs.String(), st.log)
	}
}

func TestNewKeyPairErrors(t *testing.T) {
	dir := t.TempDir()
	c, _ := apitest.SelfSigned(t)
	_, otherKey := apitest.SelfSigned(t)
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	writeFile(t, certFile, c)
	writeFile(t, keyFile, otherKey)
	tests := []struct {
		name, cert, key, want string
	}{
		{"no certificate file", filepath.Join(dir, "none"), keyFile, "no such file"},
		{"a key of another certificate", certFile, keyFile, "private key does not match public key"},
	}
	for _, tc := range tests {
		_, err := NewKeyPair(tc.cert, tc.key, slog.New(slog.DiscardHandler), time.Now)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// TestClientCAs makes real handshakes (over loopback)
// with the configs ConfigForClient gives while the CA file is replaced: a
// client certificate counts only if a CA of the moment signed it for
// client authentication and it is valid now.
func TestClientCAs(t *testing.T) {
	fx := newCAFixture(t)
	dir, file, first, second := fx.dir, fx.file, fx.first, fx.second
	server, clientOfFirst, clientOfSecond := fx.server, fx.clientOfFirst, fx.clientOfSecond
	serverOfFirst := keyPair(t)(first.Issue(t, "server only", x509.ExtKeyUsageServerAuth))
	expiredOfFirst := keyPair(t)(first.IssueFor(t, "expired", x509.ExtKeyUsageClientAuth, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)))
	put := func(data []byte) { replaceFile(t, file, data) }
	put(first.PEM)

	var logs bytes.Buffer
	now := time.Now()
	cas, err := NewClientCAs(file, slog.New(slog.NewTextHandler(&logs, nil)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	base := &tls.Config{Certificates: []tls.Certificate{*server}, MinVersion: tls.VersionTLS12}
	forClient := cas.ConfigForClient(base, []string{"h2"})
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(first.PEM)
	handshake := func(cert *tls.Certificate) error {
		cfg, err := forClient(nil)
		if err != nil {
			return err
		}
		_, err = handshake(cfg, roots, cert, nil)
		return err
	}
	steps := []struct {
		name    string
		do      func()
		advance time.Duration
		cert    *tls.Certificate
		ok      bool
		log     string
	}{
		{"a client certificate of the CA", func() {}, 0, clientOfFirst, true, ""},
		{"no certificate", func() {}, 0, nil, false, ""},
		{"one of another CA", func() {}, 0, clientOfSecond, false, ""},
		{"one for servers only", func() {}, 0, serverOfFirst, false, ""},
		{"an expired one", func() {}, 0, expiredOfFirst, false, ""},
		{"the file replaced, checked too soon", func() { put(second.PEM) }, CheckEvery / 2, clientOfSecond, false, ""},
		{"the new CA's client, checked", func() {}, CheckEvery, clientOfSecond, true, "client CA file reloaded"},
		{"the old CA's client", func() {}, 0, clientOfFirst, false, ""},
		{"a file with no certificate", func() { put([]byte("no PEM here\n")) }, CheckEvery, clientOfSecond, true, "the client CA file changed on disk but is not used"},
		{"both CAs", func() { put(append(append([]byte(nil), first.PEM...), second.PEM...)) }, CheckEvery, clientOfFirst, true, "client CA file reloaded"},
	}
	for _, st := range steps {
		logs.Reset()
		st.do()
		now = now.Add(st.advance)
		if err := handshake(st.cert); (err == nil) != st.ok {
			t.Errorf("%s: got %v, want ok %v", st.name, err, st.ok)
		}
		checkLog(t, st.name, logs.String(), st.log)
	}
	// One config for each version of the CAs, naming them.
	a, _ := forClient(nil)
	b, _ := forClient(nil)
	if a != b || a.ClientCAs != cas.Pool() || a.ClientAuth != tls.RequireAndVerifyClientCert {
		t.Errorf("configs for one version of the CAs: got %p and %p, want one that requires and verifies the CAs of the moment", a, b)
	}
	for _, tc := range []struct {
		name, data string
		want       error
	}{
		{"a file with no certificate", "no PEM here\n", ErrNoCertificates},
		{"no file", "", os.ErrNotExist},
	} {
		f := filepath.Join(dir, "other.pem")
		os.Remove(f)
		if tc.data != "" {
			writeFile(t, f, []byte(tc.data))
		}
		if _, err := NewClientCAs(f, slog.New(slog.DiscardHandler), time.Now); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

// handshake makes one handshake over a loopback connection (whose
// buffers let both sides write at once, as TLS 1.3 does) between a server
// with cfg and a client that trusts roots, sends cert (none if nil) and
// keeps its sessions in cache (if not nil); it returns whether the
// session was resumed, and the server side's error.
func handshake(cfg *tls.Config, roots *x509.CertPool, cert *tls.Certificate, cache tls.ClientSessionCache) (bool, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, err
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return false, err
	}
	defer cc.Close()
	sc, err := ln.Accept()
	if err != nil {
		return false, err
	}
	defer sc.Close()
	srv := tls.Server(sc, cfg)
	cli := tls.Client(cc, &tls.Config{RootCAs: roots, ServerName: "localhost", NextProtos: []string{"h2"}, ClientSessionCache: cache,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return cert, nil
		}})
	done := make(chan error, 1)
	go func() {
		err := cli.Handshake()
		if err == nil {
			// The server's verdict (TLS 1.3) and session tickets come
			// after the client's handshake: read until the server closes.
			_, err = cli.Read(make([]byte, 1))
		}
		done <- err
	}()
	err = srv.Handshake()
	if err == nil && srv.ConnectionState().NegotiatedProtocol != "h2" {
		err = errors.New("h2 was not negotiated")
	}
	resumed := srv.ConnectionState().DidResume
	sc.Close()
	<-done
	return resumed, err
}

// TestClientCAsResumption keeps a client's TLS sessions across a change
// of CA file: a session whose certificate the new CAs do not accept is
// not resumed, and the client's new certificate is taken in a full
// handshake, as crypto/tls does with a fixed pool.
func TestClientCAsResumption(t *testing.T) {
	fx := newCAFixture(t)
	file, first, second := fx.file, fx.first, fx.second
	server, clientOfFirst, clientOfSecond := fx.server, fx.clientOfFirst, fx.clientOfSecond
	writeFile(t, file, first.PEM)
	now := time.Now()
	cas, err := NewClientCAs(file, slog.New(slog.DiscardHandler), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	forClient := cas.ConfigForClient(&tls.Config{Certificates: []tls.Certificate{*server}}, []string{"h2"})
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(first.PEM)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		// The listener's config, whose session ticket keys outlive the
		// configs it hands out, as a server's does.
		listener := &tls.Config{Certificates: []tls.Certificate{*server}, GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			cfg, err := forClient(hello)
			if err != nil {
				return nil, err
			}
			cfg = cfg.Clone()
			cfg.MinVersion, cfg.MaxVersion = version, version
			return cfg, nil
		}}
		cache := tls.NewLRUClientSessionCache(4)
		steps := []struct {
			name        string
			do          func()
			cert        *tls.Certificate
			wantResumed bool
		}{
			{"first connection", func() { replaceFile(t, file, first.PEM) }, clientOfFirst, false},
			{"second, resumed", func() {}, clientOfFirst, true},
			{"after a CA was added, still resumed", func() {
				replaceFile(t, file, append(append([]byte(nil), first.PEM...), second.PEM...))
			}, clientOfFirst, true},
			{"after the CA file changed, with the new CA's certificate", func() { replaceFile(t, file, second.PEM) }, clientOfSecond, false},
			{"and then resumed", func() {}, clientOfSecond, true},
		}
		for _, st := range steps {
			st.do()
			now = now.Add(CheckEvery)
			resumed, err := handshake(listener, roots, st.cert, cache)
			if err != nil || resumed != st.wantResumed {
				t.Errorf("TLS %x, %s: got resumed %v, %v; want %v, nil", version, st.name, resumed, err, st.wantResumed)
			}
		}
	}
}

// TestKeyPairConcurrent serves handshakes from many goroutines while the
// files are renewed again and again on a clock that moves a second per
// call: each gets a whole pair, and the last renewal is served in the end.
func TestKeyPairConcurrent(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	ca := apitest.NewCA(t)
	pairs := make([][2][]byte, 4)
	for i := range pairs {
		c, k := ca.Issue(t, string(rune('a'+i)), x509.ExtKeyUsageServerAuth)
		pairs[i] = [2][]byte{c, k}
	}
	put := func(p [2][]byte) {
		for i, name := range []string{certFile, keyFile} {
			if err := os.WriteFile(name+".new", p[i], 0o600); err != nil {
				t.Error(err)
			}
			if err := os.Rename(name+".new", name); err != nil {
				t.Error(err)
			}
		}
	}
	put(pairs[0])
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Add(int64(CheckEvery))) }
	k, err := NewKeyPair(certFile, keyFile, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 300 {
				c := k.Certificate()
				if c == nil || c.Leaf == nil || !strings.Contains("abcd", c.Leaf.Subject.CommonName) {
					t.Errorf("got %v, want one of the pairs", c)
					return
				}
			}
		})
	}
	for _, p := range pairs[1:] {
		put(p)
		time.Sleep(5 * time.Millisecond)
	}
	wg.Wait()
	if got := k.Certificate().Leaf.Subject.CommonName; got != "d" {
		t.Errorf("after the last renewal: got %q, want d", got)
	}
}

// writeFile writes data to name, or fails the test.
func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// caFixture is what the client CA tests start from: two CAs, a server
// certificate of the first, a client certificate of each, and where the
// CA file goes, in a temporary directory.
type caFixture struct {
	dir, file                             string
	first, second                         *apitest.CA
	server, clientOfFirst, clientOfSecond *tls.Certificate
}

func newCAFixture(t *testing.T) caFixture {
	t.Helper()
	fx := caFixture{dir: t.TempDir(), first: apitest.NewCA(t), second: apitest.NewCA(t)}
	fx.file = filepath.Join(fx.dir, "ca.pem")
	pair := keyPair(t)
	fx.server = pair(fx.first.Issue(t, "server", x509.ExtKeyUsageServerAuth))
	fx.clientOfFirst = pair(fx.first.Issue(t, "client", x509.ExtKeyUsageClientAuth))
	fx.clientOfSecond = pair(fx.second.Issue(t, "client", x509.ExtKeyUsageClientAuth))
	return fx
}

// keyPair returns a function that parses a PEM certificate and key, or
// fails the test; it takes what CA.Issue returns.
func keyPair(t *testing.T) func(certPEM, keyPEM []byte) *tls.Certificate {
	return func(certPEM, keyPEM []byte) *tls.Certificate {
		t.Helper()
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		return &cert
	}
}

// replaceFile writes data to a new file renamed over name, as certificate
// managers do, or fails the test.
func replaceFile(t *testing.T, name string, data []byte) {
	t.Helper()
	writeFile(t, name+".new", data)
	if err := os.Rename(name+".new", name); err != nil {
		t.Fatal(err)
	}
}

// checkLog fails the test unless the log of a step holds want, or is
// empty when want is.
func checkLog(t *testing.T, step, got, want string) {
	t.Helper()
	switch {
	case want == "" && got != "":
		t.Errorf("%s: got log %q, want none", step, got)
	case want != "" && !strings.Contains(got, want):
		t.Errorf("%s: got log %q, want %q", step, got, want)
	}
}
