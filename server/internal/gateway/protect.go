package gateway

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
)

// ValidateOrigins returns an error naming the first of origins that
// Config.CORSOrigins cannot hold: each must be "*" or an origin,
// scheme://host[:port].
func ValidateOrigins(origins []string) error {
	p := http.NewCrossOriginProtection()
	for _, o := range origins {
		if o == "*" {
			continue
		}
		if strings.Contains(o, "*") {
			return fmt.Errorf("CORS origin %q: a pattern matches nothing; list each origin, or give '*' alone for any", o)
		}
		if err := p.AddTrustedOrigin(o); err != nil {
			return fmt.Errorf("CORS origin: %w", err)
		}
	}
	return nil
}

// crossOrigin refuses cross-origin browser requests that may change state
// (any method but GET, HEAD and OPTIONS) with 403 PERMISSION_DENIED, using
// http.CrossOriginProtection: a web page could otherwise make the browser
// send a "simple" POST (text/plain, no preflight) to Train or Forget. CORS
// only decides whether the page may read the answer, not whether the
// request is served.
//
// Requests from the origins in origins are allowed: they may call the API
// through CORS anyway. "*" in origins trusts every origin, so no request
// is refused: under CORS "*" any page may already send a preflighted
// request, and refusing only the simple ones would protect nothing.
// Requests without Sec-Fetch-Site and Origin headers (curl, other
// services) are not from a browser page and are allowed. An origin that
// is not of the form scheme://host[:port] is an error.
func crossOrigin(next http.Handler, origins []string) (http.Handler, error) {
	if slices.Contains(origins, "*") {
		return next, nil
	}
	p := http.NewCrossOriginProtection()
	for _, o := range origins {
		if err := p.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("CORS origin: %w", err)
		}
	}
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from := ""
		if o := r.Header.Get("Origin"); o != "" {
			from = fmt.Sprintf(" from %.200q", o)
		}
		defer dropBody(w, r)()
		msg := "cross-origin request" + from + " refused: add the origin to --cors-origins to allow it"
		writeError(w, http.StatusForbidden, codes.PermissionDenied, msg)
	}))
	return p.Handler(next), nil
}

// loopbackHost refuses requests whose Host header does not name a loopback
// host (see isLoopbackHost) with 421 Misdirected Request and
// PERMISSION_DENIED. It guards a loopback listener against DNS rebinding:
// a page on evil.example whose name is then made to resolve to 127.0.0.1
// is same-origin with the server in the browser's eyes, so neither CORS
// nor crossOrigin stops it, but its requests carry Host: evil.example.
// Every route is covered, as the model, metrics and health are as much
// the page's to read as Train is to call.
func loopbackHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopbackHost(r.Host) {
			defer dropBody(w, r)()
			writeError(w, http.StatusMisdirectedRequest, codes.PermissionDenied,
				fmt.Sprintf("host %.200q is not a loopback name: this server listens on loopback and answers only requests for localhost, 127.0.0.1 or [::1]", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isLoopbackHost reports whether host, a Host header with or without a
// port, names a loopback host: localhost or a name under .localhost
// (which browsers resolve to loopback themselves, never through DNS), an
// address in 127.0.0.0/8, or ::1. An empty Host (HTTP/1.0) is allowed:
// browsers always send one.
func isLoopbackHost(host string) bool {
	if host == "" {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
