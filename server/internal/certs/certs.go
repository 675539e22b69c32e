package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync/atomic"
	"time"
)

// KeyPair is a TLS certificate and its key, read from two PEM files and
// read again when either changes. A pair that does not load (a
// certificate written before its key, say), or whose certificate is not
// valid now while the one served is, leaves the one served as it was, and
// is tried again at the next check (see CheckEvery). Only the handshake
// that checks waits for the files to be read: meanwhile the others get the
// pair as it was. KeyPair is safe for concurrent use.
type KeyPair struct {
	w watched[tls.Certificate]
}

// NewKeyPair reads the pair in certFile and keyFile. now is the clock
// (time.Now outside tests). A certificate that is not valid now is served
// all the same (see Warn).
func NewKeyPair(certFile, keyFile string, log *slog.Logger, now func() time.Time) (*KeyPair, error) {
	k := &KeyPair{w: watched[tls.Certificate]{
		name:  "TLS key pair",
		files: []string{certFile, keyFile},
		read: func() (*tls.Certificate, error) {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			return &cert, err
		},
		use: func(next, cur *tls.Certificate, now time.Time) error {
			if !validAt(next, now) && validAt(cur, now) {
				return fmt.Errorf("the new certificate is valid from %v to %v, and the one served is valid now", next.Leaf.NotBefore, next.Leaf.NotAfter)
			}
			return nil
		},
		loaded: func(cert *tls.Certificate, now time.Time) {
			attrs := []any{"cert", certFile}
			if leaf := cert.Leaf; leaf != nil {
				attrs = append(attrs, "subject", leaf.Subject.String(), "not_after", leaf.NotAfter)
			}
			log.Info("TLS key pair reloaded: new connections get the new certificate", attrs...)
			Warn(cert, certFile, now, log)
		},
		log: log,
		now: now,
	}}
	if err := k.w.start(); err != nil {
		return nil, err
	}
	return k, nil
}

// Certificate returns the pair to serve, first reading it again if
// CheckEvery has passed since the last check and a file changed, unless
// another call is doing so.
func (k *KeyPair) Certificate() *tls.Certificate { return k.w.get() }

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

// ClientCAs are the CAs whose client certificates the server accepts, read
// from a PEM file and read again when it changes, as KeyPair's files are:
// a file with no certificate leaves the CAs as they were. ClientCAs is
// safe for concurrent use.
type ClientCAs struct {
	w watched[x509.CertPool]
}

// NewClientCAs reads the CAs in file. now is the clock (time.Now outside
// tests).
func NewClientCAs(file string, log *slog.Logger, now func() time.Time) (*ClientCAs, error) {
	c := &ClientCAs{w: watched[x509.CertPool]{
		name:  "client CA file",
		files: []string{file},
		read: func() (*x509.CertPool, error) {
			pem, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("%s %w", file, ErrNoCertificates)
			}
			return pool, nil
		},
		loaded: func(*x509.CertPool, time.Time) {
			log.Info("client CA file reloaded: new connections are checked against its CAs", "file", file)
		},
		log: log,
		now: now,
	}}
	if err := c.w.start(); err != nil {
		return nil, err
	}
	return c, nil
}

// Pool returns the CAs of the moment, first reading the file again if
// CheckEvery has passed since the last check and it changed.
func (c *ClientCAs) Pool() *x509.CertPool { return c.w.get() }

// ConfigForClient returns a function for tls.Config.GetConfigForClient
// that gives each handshake base with the CAs of the moment as ClientCAs,
// requiring and verifying a client certificate (tls.RequireAndVerifyClientCert,
// so crypto/tls verifies it, names the CAs to the client, and declines a
// session ticket whose certificate they no longer accept), and with
// nextProtos, which a config returned this way must name itself (net/http
// adds none to it). One config is made for each version of the CAs
// (grpc-go copies it again for each handshake, adding its own defaults).
func (c *ClientCAs) ConfigForClient(base *tls.Config, nextProtos []string) func(*tls.ClientHelloInfo) (*tls.Config, error) {
	type made struct {
		pool *x509.CertPool
		cfg  *tls.Config
	}
	var last atomic.Pointer[made]
	return func(*tls.ClientHelloInfo) (*tls.Config, error) {
		pool := c.Pool()
		if m := last.Load(); m != nil && m.pool == pool {
			return m.cfg, nil
		}
		cfg := base.Clone()
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
		cfg.NextProtos = slices.Clone(nextProtos)
		cfg.GetConfigForClient = nil
		last.Store(&made{pool, cfg})
		return cfg, nil
	}
}
