// Package jsonstr reads JSON strings as written, for the code that checks
// what encoding/json would let pass silently: an escaped UTF-16 surrogate
// without its other half, which encoding/json turns into U+FFFD. The
// classifier's example reader and the server's REST gateway share it.
package jsonstr
