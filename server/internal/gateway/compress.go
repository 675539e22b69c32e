package gateway

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// compressMin is the least answer compressCalls compresses: below it,
// gzip's header and the CPU cost more than the bytes saved (a one-sentence
// Classify answer is about 700 bytes).
const compressMin = 1 << 10

// gzipWriters reuses gzip writers, whose state is about 1.2 MB to set up
// (at BestSpeed, on its first write).
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// compressCalls compresses the JSON answers of the unary routes with gzip
// for a client that accepts it (Accept-Encoding), when they are at least
// compressMin bytes: a long text's Classify answer, with every label's
// probability, shrinks about tenfold. Every answer of those routes says
// Vary: Accept-Encoding. The stream route is left as it is, since its
// results go out one by one. HEAD answers and answers without a body are
// sent as they are.
func compressCalls(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !unaryCall(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Accept-Encoding")
		if r.Method == http.MethodHead || !acceptsGzip(r.Header.Values("Accept-Encoding")) {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w}
		defer cw.finish()
		next.ServeHTTP(cw, r)
	})
}

// acceptsGzip reports whether Accept-Encoding values take gzip: named
// with a quality above 0, or covered by * when gzip is not named (RFC
// 9110, section 12.5.3).
func acceptsGzip(values []string) bool {
	gz, star := -1, -1 // -1: not named; 0: refused; 1: taken
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			taken := 1
			for _, p := range strings.Split(params, ";") {
				k, q, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") && !positiveQ(strings.TrimSpace(q)) {
					taken = 0
				}
			}
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "gzip", "x-gzip": // either spelling taken is enough
				gz = max(gz, taken)
			case "*":
				star = taken
			}
		}
	}
	if gz >= 0 {
		return gz == 1
	}
	return star == 1
}

// positiveQ reports whether q is a qvalue above 0 as RFC 9110 (section
// 12.4.2) spells one: "0" or "1", or either with a point and up to three
// digits ("1" followed only by zeros). Anything else is taken for a
// refusal.
func positiveQ(q string) bool {
	whole, frac, _ := strings.Cut(q, ".")
	if len(frac) > 3 {
		return false
	}
	for i := range len(frac) {
		if frac[i] < '0' || frac[i] > '9' {
			return false
		}
	}
	switch whole {
	case "1":
		return strings.Trim(frac, "0") == ""
	case "0":
		return strings.Trim(frac, "0") != ""
	}
	return false
}

// compressWriter holds an answer's first compressMin bytes back, then
// sends it compressed if it is at least that long and JSON, else as it
// is. A flush sends what it holds as it is.
type compressWriter struct {
	http.ResponseWriter
	code    int    // the status held back, 0 before WriteHeader
	held    []byte // the body held back, until the choice is made
	decided bool
	zw      *gzip.Writer // nil unless compressing
}

func (w *compressWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols { // informational: sent as it is
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if !w.decided && w.code == 0 {
		w.code = code
	}
}

func (w *compressWriter) Write(p []byte) (int, error) {
	if !w.decided {
		if w.code == 0 {
			w.code = http.StatusOK
		}
		if len(w.held)+len(p) < compressMin {
			w.held = append(w.held, p...)
			return len(p), nil
		}
		w.decide(true)
		if err := w.writeHeld(); err != nil {
			return 0, err
		}
	}
	if w.zw != nil {
		return w.zw.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// decide sends the status and the headers: compressed if long is true and
// the answer is JSON with a body, else as they are.
func (w *compressWriter) decide(long bool) {
	w.decided = true
	h := w.Header()
	if long && w.code != http.StatusNoContent && w.code != http.StatusNotModified &&
		strings.HasPrefix(h.Get("Content-Type"), "application/json") && h.Get("Content-Encoding") == "" {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		w.zw = gzipWriters.Get().(*gzip.Writer)
		w.zw.Reset(w.ResponseWriter)
	}
	if w.code != 0 {
		w.ResponseWriter.WriteHeader(w.code)
	}
}

// writeHeld writes the bytes held back.
func (w *compressWriter) writeHeld() error {
	held := w.held
	w.held = nil
	if len(held) == 0 {
		return nil
	}
	var err error
	if w.zw != nil {
		_, err = w.zw.Write(held)
	} else {
		_, err = w.ResponseWriter.Write(held)
	}
	return err
}

// FlushError sends what is held, uncompressed if the choice is not made
// yet, and flushes the connection.
func (w *compressWriter) FlushError() error {
	if !w.decided {
		// What is held, or only the headers, goes out as it is: once
		// they are sent, the answer can no longer say it is compressed.
		w.decide(false)
	}
	if err := w.writeHeld(); err != nil {
		return err
	}
	if w.zw != nil {
		if err := w.zw.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for http.Flusher.
func (w *compressWriter) Flush() { w.FlushError() }

// finish sends what the handler left: the answer held back, uncompressed
// (it is short), or the end of the compressed stream.
func (w *compressWriter) finish() {
	if !w.decided {
		if w.code == 0 && len(w.held) == 0 {
			return // nothing written: net/http sends its own 200
		}
		w.decide(false)
	}
	w.writeHeld()
	if w.zw != nil {
		w.zw.Close()
		w.zw.Reset(nil)
		gzipWriters.Put(w.zw)
		w.zw = nil
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
