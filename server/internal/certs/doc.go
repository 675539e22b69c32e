// Package certs holds the server's TLS material: its key pair, read again
// when its files change so that a renewed certificate is served without a
// restart, and the pool of CAs whose client certificates it accepts.
package certs
