package api

import (
	"net"
	"net/netip"
	"strings"
	"testing"
)

func TestParseProxies(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    string // the prefixes, comma-separated
		wantErr string
	}{
		{"", "", ""},
		{"  ", "", ""},
		{"10.0.0.0/8", "10.0.0.0/8", ""},
		{"10.1.2.3/8, 192.0.2.7 ,fd00::/8", "10.0.0.0/8,192.0.2.7/32,fd00::/8", ""},
		{"::ffff:192.0.2.7", "192.0.2.7/32", ""},
		{"::ffff:10.1.0.0/104", "10.0.0.0/8", ""},
		{"::ffff:0.0.0.0/80", "", `"::ffff:0.0.0.0/80": an IPv4-mapped prefix needs 96 bits at least`},
		{"2001:db8::1", "2001:db8::1/128", ""},
		{"10.0.0.0/33", "", `"10.0.0.0/33" is not an IP address or CIDR prefix`},
		{"proxy.internal", "", `"proxy.internal" is not an IP address or CIDR prefix`},
		{"10.0.0.1,,10.0.0.2", "", `"" is not an IP address or CIDR prefix`},
		{"fe80::1%eth0", "", `"fe80::1%eth0" is not an IP address or CIDR prefix`},
		{"192.0.2.7:80", "", `"192.0.2.7:80" is not an IP address or CIDR prefix`},
	} {
		p, err := ParseProxies(tt.in)
		var got []string
		for _, prefix := range p {
			got = append(got, prefix.String())
		}
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if strings.Join(got, ",") != tt.want || gotErr != tt.wantErr {
			t.Errorf("ParseProxies(%q): got %q, %q; want %q, %q", tt.in, strings.Join(got, ","), gotErr, tt.want, tt.wantErr)
		}
	}
}

func TestProxiesClient(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8,192.0.2.7,2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	mapped, err := ParseProxies("::ffff:10.0.0.0/104")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		proxies   Proxies
		remote    string
		forwarded []string
		want      string
	}{
		{"no proxies trusted", nil, "10.0.0.1:5000", []string{"198.51.100.1"}, "10.0.0.1:5000"},
		{"remote is no proxy", proxies, "198.51.100.9:5000", []string{"198.51.100.1"}, "198.51.100.9:5000"},
		{"a proxy without the header", proxies, "10.0.0.1:5000", nil, "10.0.0.1:5000"},
		{"a proxy with an empty header", proxies, "10.0.0.1:5000", []string{" , "}, "10.0.0.1:5000"},
		{"one proxy", proxies, "10.0.0.1:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"the client's own entries are not believed", proxies, "10.0.0.1:5000", []string{"203.0.113.5, 198.51.100.1"}, "198.51.100.1"},
		{"a chain of proxies", proxies, "10.0.0.1:5000", []string{"203.0.113.5, 198.51.100.1, 192.0.2.7, 10.9.9.9"}, "198.51.100.1"},
		{"header lines in order", proxies, "10.0.0.1:5000", []string{"203.0.113.5", "198.51.100.1, 10.2.2.2", "10.3.3.3"}, "198.51.100.1"},
		{"every entry a proxy", proxies, "10.0.0.1:5000", []string{"10.1.1.1, 10.2.2.2"}, "10.1.1.1"},
		{"an entry with a port", proxies, "10.0.0.1:5000", []string{"198.51.100.1:4711"}, "198.51.100.1"},
		{"IPv6 in brackets", proxies, "[2001:db8::5]:443", []string{"[2001:db8:ffff::1]"}, "2001:db8:ffff::1"},
		{"IPv6 with a port", proxies, "[2001:db8::5]:443", []string{"[2001:db8:ffff::1]:80"}, "2001:db8:ffff::1"},
		{"IPv6 behind IPv6 proxies", proxies, "[2001:db8::5]:443", []string{"2001:db8:ffff::1, 2001:db8::7"}, "2001:db8:ffff::1"},
		{"an IPv4-mapped remote", proxies, "[::ffff:10.0.0.1]:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"an IPv4-mapped entry", proxies, "10.0.0.1:5000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"an IPv4-mapped entry in brackets", proxies, "10.0.0.1:5000", []string{"[::ffff:198.51.100.1]"}, "198.51.100.1"},
		{"an IPv4-mapped prefix", mapped, "[::ffff:10.0.0.1]:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"unknown ends the walk", proxies, "10.0.0.1:5000", []string{"198.51.100.1, unknown, 10.2.2.2"}, "10.2.2.2"},
		{"unknown first ends it at the remote", proxies, "10.0.0.1:5000", []string{"unknown"}, "10.0.0.1:5000"},
		{"a name is no address", proxies, "10.0.0.1:5000", []string{"client.example"}, "10.0.0.1:5000"},
		{"a zone is no address", proxies, "10.0.0.1:5000", []string{"fe80::1%eth0"}, "10.0.0.1:5000"},
		{"a remote that is no address", proxies, "bufconn", []string{"198.51.100.1"}, "bufconn"},
		{"a remote without a port", proxies, "10.0.0.1", []string{"198.51.100.1"}, "198.51.100.1"},
		{"32 proxies at most", proxies, "10.0.0.1:5000", []string{"198.51.100.1," + strings.Repeat("10.0.0.2,", 40) + "10.0.0.3"}, "10.0.0.2"},
	} {
		if got := tt.proxies.Client(tt.remote, tt.forwarded); got != tt.want {
			t.Errorf("%s: Client(%q, %q): got %q, want %q", tt.name, tt.remote, tt.forwarded, got, tt.want)
		}
	}
}

// FuzzProxiesClient checks that any X-Forwarded-For yields the remote
// address or an IP address, and the remote whenever it is no proxy.
func FuzzProxiesClient(f *testing.F) {
	f.Add("10.0.0.1:5000", "203.0.113.5, 198.51.100.1, 10.9.9.9", "")
	f.Add("[2001:db8::5]:443", "[2001:db8:ffff::1]:80", "unknown")
	f.Add("198.51.100.9:1", ",,,", "::ffff:1.2.3.4")
	proxies, err := ParseProxies("10.0.0.0/8,2001:db8::/32")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remote, line1, line2 string) {
		got := proxies.Client(remote, []string{line1, line2})
		if got == remote {
			return
		}
		host, _, err := net.SplitHostPort(remote)
		if err != nil {
			host = remote
		}
		if a, err := netip.ParseAddr(host); err != nil || !proxies.trusts(a) {
			t.Fatalf("Client(%q, …) = %q: the remote is no proxy, so its address should come back", remote, got)
		}
		if _, err := netip.ParseAddr(got); err != nil {
			t.Fatalf("Client(%q, [%q %q]) = %q: neither the remote nor an IP address", remote, line1, line2, got)
		}
	})
}

func TestTrustsAll(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"10.0.0.0/8,::1", false},
		{"10.0.0.0/8,0.0.0.0/0", true},
		{"::/0", true},
	} {
		p, err := ParseProxies(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.TrustsAll(); got != tt.want {
			t.Errorf("ParseProxies(%q).TrustsAll(): got %v, want %v", tt.in, got, tt.want)
		}
	}
}
