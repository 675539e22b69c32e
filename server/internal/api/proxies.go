package api

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ForwardedForKey is the metadata key (and, as X-Forwarded-For, the HTTP
// header) in which reverse proxies list the addresses a request came
// through, the client's first.
const ForwardedForKey = "x-forwarded-for"

// Proxies lists the networks of the reverse proxies (load balancers,
// ingress controllers) whose X-Forwarded-For the server believes when it
// names the client of a call. The zero value believes none: the client is
// the address the connection comes from. Proxies is safe for concurrent
// use; it is never changed once parsed.
type Proxies []netip.Prefix

// ParseProxies parses a comma-separated list of IP addresses and CIDR
// prefixes ("10.0.0.0/8,192.0.2.7,fd00::/8"). The empty string is the
// empty list.
func ParseProxies(s string) (Proxies, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var p Proxies
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if strings.Contains(item, "/") {
			prefix, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", item)
			}
			if a := prefix.Addr(); a.Is4In6() {
				// Addresses are compared as IPv4 (see trusts): so is
				// ::ffff:10.0.0.0/104, as 10.0.0.0/8.
				if prefix.Bits() < 96 {
					return nil, fmt.Errorf("%q: an IPv4-mapped prefix needs 96 bits at least", item)
				}
				prefix = netip.PrefixFrom(a.Unmap(), prefix.Bits()-96)
			}
			p = append(p, prefix.Masked())
			continue
		}
		addr, err := netip.ParseAddr(item)
		if err != nil || addr.Zone() != "" {
			return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", item)
		}
		addr = addr.Unmap()
		p = append(p, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return p, nil
}

// TrustsAll reports whether p holds a prefix of length 0 (0.0.0.0/0,
// ::/0), which believes what any client of its address family writes in
// X-Forwarded-For.
func (p Proxies) TrustsAll() bool {
	for _, prefix := range p {
		if prefix.Bits() == 0 {
			return true
		}
	}
	return false
}

// trusts reports whether addr is in one of p's networks. An IPv4 address
// mapped into IPv6 (::ffff:192.0.2.7) counts as the IPv4 address.
func (p Proxies) trusts(addr netip.Addr) bool {
	addr = addr.Unmap().WithZone("")
	for _, prefix := range p {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// maxHops bounds the addresses of X-Forwarded-For that Client reads.
const maxHops = 32

// Client returns the address of the client of a request that came from
// remote (a host:port, as net/http and grpc give it) with the
// X-Forwarded-For values forwarded, in the order their header lines came.
//
// It is remote unless remote is one of p's proxies. Then X-Forwarded-For
// is read from its end, the address the proxy itself appended, toward
// its start, and the client is the first address that is not one of p's
// proxies: what a client wrote into the header itself lies before it and
// is never believed. If every address is a proxy's, the client is the
// first. An entry that is not an IP address (a proxy's "unknown", a name)
// ends the walk, and so do 32 addresses: the client is then the last
// address read. The address returned from the header has no port.
func (p Proxies) Client(remote string, forwarded []string) string {
	if len(p) == 0 || len(forwarded) == 0 {
		return remote
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !p.trusts(addr) {
		return remote
	}
	client := ""
	hops := 0
	for i := len(forwarded) - 1; i >= 0; i-- {
		list := forwarded[i]
		for {
			item := list
			j := strings.LastIndexByte(list, ',')
			if j >= 0 {
				item, list = list[j+1:], list[:j]
			}
			item = strings.TrimSpace(item)
			if item != "" { // an empty entry (a stray comma) is skipped
				a, ok := forwardedAddr(item)
				if !ok {
					return orRemote(client, remote)
				}
				client = a.String()
				if hops++; !p.trusts(a) || hops == maxHops {
					return client
				}
			}
			if j < 0 {
				break
			}
		}
	}
	return orRemote(client, remote)
}

// orRemote returns client, or remote if client is empty.
func orRemote(client, remote string) string {
	if client == "" {
		return remote
	}
	return client
}

// forwardedAddr parses one X-Forwarded-For entry: an IP address, with a
// port or without, IPv6 in brackets or without.
func forwardedAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() && a.Zone() == "" {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}
