// Package certs holds the server's credentials read from files, each read
// again when its files change so that a renewed one is used without a
// restart: its TLS key pair, the pool of CAs whose client certificates it
// accepts, and the bearer token that Train and Forget require.
package certs
