package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// CheckEvery is how often, at most, KeyPair looks at its files for a
// renewed key pair: on the first handshake after this long since the last
// look.
const CheckEvery = time.Second

// KeyPair is a TLS certificate and its key, read from two PEM files and
// read again when either changes (another file renamed into its place, as
// certificate managers and Kubernetes secret volumes do, or the same file
// with another size or modification time). A pair that does not load (a
// certificate written before its key, say), or whose certificate is not
// valid now while the one served is, leaves the one served as it was, and
// is tried again at the next check. Only the handshake that checks waits
// for the files to be read: meanwhile the others get the pair as it was.
// KeyPair is safe for concurrent use.
type KeyPair struct {
	certFile, keyFile string
	log               *slog.Logger
	now               func() time.Time

	cert    atomic.Pointer[tls.Certificate]
	checked atomic.Int64 // when the files were last looked at, Unix nanoseconds

	mu     sync.Mutex     // held by the one check under way
	files  [2]os.FileInfo // of the files cert was read from
	failed string         // the failure last logged, until a check finds nothing to do
}

// NewKeyPair reads the pair in certFile and keyFile. now is the clock
// (time.Now outside tests). A certificate that is not valid now is served
// all the same (see Warn).
func NewKeyPair(certFile, keyFile string, log *slog.Logger, now func() time.Time) (*KeyPair, error) {
	k := &KeyPair{certFile: certFile, keyFile: keyFile, log: log, now: now}
	cert, files, err := k.load()
	if err != nil {
		return nil, err
	}
	k.cert.Store(cert)
	k.files = files
	k.checked.Store(now().UnixNano())
	return k, nil
}

// load reads the pair and returns it with the files' state as it was
// before they were read: a file replaced after its stat is read new, and
// found changed again at the next check, which costs one more read.
func (k *KeyPair) load() (*tls.Certificate, [2]os.FileInfo, error) {
	var files [2]os.FileInfo
	for i, name := range []string{k.certFile, k.keyFile} {
		fi, err := os.Stat(name)
		if err != nil {
			return nil, files, err
		}
		files[i] = fi
	}
	cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return nil, files, err
	}
	return &cert, files, nil
}

// changed reports whether either file differs from the one the served
// pair was read from; a file that cannot be stat'ed counts as changed, so
// that the load says why.
func (k *KeyPair) changed() bool {
	for i, name := range []string{k.certFile, k.keyFile} {
		fi, err := os.Stat(name)
		old := k.files[i]
		if err != nil || !os.SameFile(old, fi) || old.Size() != fi.Size() || !old.ModTime().Equal(fi.ModTime()) {
			return true
		}
	}
	return false
}

// Certificate returns the pair to serve, first reading it again if
// CheckEvery has passed since the last check and a file changed, unless
// another call is doing so.
func (k *KeyPair) Certificate() *tls.Certificate {
	now := k.now()
	if since := now.Sub(time.Unix(0, k.checked.Load())); since >= 0 && since < CheckEvery {
		return k.cert.Load()
	}
	if !k.mu.TryLock() {
		return k.cert.Load() // another handshake is checking
	}
	defer k.mu.Unlock()
	if since := now.Sub(time.Unix(0, k.checked.Load())); since >= 0 && since < CheckEvery {
		return k.cert.Load() // checked while this call waited for the lock
	}
	k.checked.Store(now.UnixNano())
	if !k.changed() {
		k.failed = ""
		return k.cert.Load()
	}
	cert, files, err := k.load()
	if err == nil && !validAt(cert, now) && validAt(k.cert.Load(), now) {
		err = fmt.Errorf("the new certificate is valid from %v to %v, and the one served is valid now", cert.Leaf.NotBefore, cert.Leaf.NotAfter)
	}
	if err != nil {
		if msg := err.Error(); msg != k.failed {
			k.failed = msg
			k.log.Warn("the TLS key pair changed on disk but is not used: still serving the one before (tried again every second)", "cert", k.certFile, "key", k.keyFile, "error", err)
		}
		return k.cert.Load()
	}
	k.cert.Store(cert)
	k.files, k.failed = files, ""
	attrs := []any{"cert", k.certFile}
	if leaf := cert.Leaf; leaf != nil {
		attrs = append(attrs, "subject", leaf.Subject.String(), "not_after", leaf.NotAfter)
	}
	k.log.Info("TLS key pair reloaded: new connections get the new certificate", attrs...)
	Warn(cert, k.certFile, now, k.log)
	return cert
}

// GetCertificate is Certificate for tls.Config.GetCertificate.
func (k *KeyPair) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return k.Certificate(), nil
}

// validAt reports whether cert's leaf is valid at now; a pair whose leaf
// was not parsed counts as valid.
func validAt(cert *tls.Certificate, now time.Time) bool {
	leaf := cert.Leaf
	return leaf == nil || !now.After(leaf.NotAfter) && !now.Before(leaf.NotBefore)
}

// Warn logs a certificate that is not valid at now: clients will refuse
// it.
func Warn(cert *tls.Certificate, file string, now time.Time, log *slog.Logger) {
	if leaf := cert.Leaf; !validAt(cert, now) {
		log.Warn("the TLS certificate is not valid now: clients will refuse it", "cert", file, "not_before", leaf.NotBefore, "not_after", leaf.NotAfter)
	}
}

// ErrNoCertificates reports a CA file that holds no PEM certificate.
var ErrNoCertificates = errors.New("holds no PEM certificate")

// ClientCAs reads the PEM certificates in file, the CAs whose client
// certificates the server accepts.
func ClientCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s %w", file, ErrNoCertificates)
	}
	return pool, nil
}
