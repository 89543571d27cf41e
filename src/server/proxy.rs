//! `--trust-proxy`: which reverse proxies loket believes, and the client
//! address it reads from their `X-Forwarded-For` (for the rate limits).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use hyper::Request;
use ipnet::{IpNet, Ipv4Net};

/// A reverse proxy whose `X-Forwarded-For` loket believes (`--trust-proxy`):
/// every loopback address, one address, or a CIDR range (`ipnet` does the
/// matching).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedProxy {
    /// 127.0.0.0/8 and ::1: a proxy on this machine (a bare `--trust-proxy`).
    Loopback,
    /// A range; a single address is a /32 (IPv4) or /128 (IPv6).
    Net(IpNet),
}

impl TrustedProxy {
    /// Whether `ip` (IPv4-mapped IPv6 counts as IPv4) is this proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match self {
            TrustedProxy::Loopback => ip.is_loopback(),
            TrustedProxy::Net(net) => net.contains(&ip),
        }
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    /// `loopback`, `192.0.2.7`, `10.0.0.0/8`, `::1`, `fd00::/8`. A range
    /// with bits set past its prefix (`10.1.2.3/8`) is refused: it is
    /// usually a typo, and which range was meant is the operator's call.
    fn from_str(text: &str) -> Result<TrustedProxy, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("loopback") {
            return Ok(TrustedProxy::Loopback);
        }
        let net = match text.split_once('/') {
            Some(_) => text.parse::<IpNet>().ok(),
            None => text.parse::<IpAddr>().ok().map(IpNet::from),
        };
        let Some(mut net) = net else {
            return Err(format!(
                "{text:?} is not an IP address or CIDR range (examples: 127.0.0.1, 10.0.0.0/8, ::1, fd00::/8, loopback)"
            ));
        };
        // ::ffff:10.0.0.0/104 is 10.0.0.0/8: peers are compared as IPv4.
        if let IpNet::V6(v6) = net
            && let Some(v4) = v6.addr().to_ipv4_mapped()
            && let Some(prefix) = v6.prefix_len().checked_sub(96)
            && let Ok(v4) = Ipv4Net::new(v4, prefix)
        {
            net = IpNet::V4(v4);
        }
        if net.trunc() != net {
            return Err(format!(
                "{text:?} has host bits set: write the range from its first address ({}), or a single address",
                net.trunc()
            ));
        }
        Ok(TrustedProxy::Net(net))
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustedProxy::Loopback => f.write_str("loopback"),
            TrustedProxy::Net(net) if net.prefix_len() == net.max_prefix_len() => {
                write!(f, "{}", net.addr())
            }
            TrustedProxy::Net(net) => write!(f, "{net}"),
        }
    }
}

/// The address a request came from, for the rate limit. The peer, unless
/// the peer is a trusted proxy: then `X-Forwarded-For` (all its lines, in
/// order, make one list: RFC 9110 §5.3) is read from the right end, where
/// each proxy appends the address it saw. Trusted proxies are skipped; the
/// first address that is not one is the client. What lies left of it was
/// written by the client itself and is never believed. If the walk meets
/// an entry that is not an address, the last proxy that was believed
/// stands for the client; if every entry is a trusted proxy, the left-most
/// is taken.
pub fn client_ip<B>(req: &Request<B>, peer: IpAddr, trusted: &[TrustedProxy]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    for line in req.headers().get_all("x-forwarded-for").iter().rev() {
        let Ok(line) = line.to_str() else {
            return client;
        };
        // Empty elements ("a, , b") are allowed in a list and skipped.
        for entry in line.rsplit(',').map(str::trim).filter(|e| !e.is_empty()) {
            let Some(ip) = forwarded_address(entry) else {
                return client;
            };
            client = ip;
            if !is_trusted(ip) {
                return client;
            }
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, also written with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`) or in brackets, as some proxies
/// do. IPv4-mapped IPv6 becomes IPv4.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse().ok())
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter().map(|p| p.parse().unwrap()).collect()
    }

    fn forwarded(lines: &[&str]) -> Request<()> {
        let mut req = Request::builder();
        for line in lines {
            req = req.header("x-forwarded-for", *line);
        }
        req.body(()).unwrap()
    }

    #[test]
    fn trusted_proxies_parse_as_addresses_ranges_and_loopback() {
        let net = |addr: &str, prefix: u8| TrustedProxy::Net(IpNet::new(ip(addr), prefix).unwrap());
        for (text, want) in [
            ("loopback", TrustedProxy::Loopback),
            ("LOOPBACK", TrustedProxy::Loopback),
            ("127.0.0.1", net("127.0.0.1", 32)),
            (" 192.0.2.7 ", net("192.0.2.7", 32)),
            ("10.0.0.0/8", net("10.0.0.0", 8)),
            ("0.0.0.0/0", net("0.0.0.0", 0)),
            ("::1", net("::1", 128)),
            ("fd00::/8", net("fd00::", 8)),
            ("::/0", net("::", 0)),
            ("::ffff:10.0.0.0/104", net("10.0.0.0", 8)),
        ] {
            assert_eq!(text.parse::<TrustedProxy>(), Ok(want), "{text:?}");
        }
        for text in [
            "",
            "localhost",
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "10.0.0/8",
            "10.0.0.0 /8",
        ] {
            let err = text.parse::<TrustedProxy>().unwrap_err();
            assert!(err.contains("not an IP address"), "{text:?}: {err}");
        }
        let err = "192.168.1.10/24".parse::<TrustedProxy>().unwrap_err();
        assert!(err.contains("(192.168.1.0/24)"), "{err}");
        let err = "fd00::1/8".parse::<TrustedProxy>().unwrap_err();
        assert!(err.contains("(fd00::/8)"), "{err}");
        for text in ["loopback", "127.0.0.1", "10.0.0.0/8", "fd00::/8", "::1"] {
            let parsed: TrustedProxy = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
    }

    #[test]
    fn trusted_ranges_contain_what_they_should() {
        let ten: TrustedProxy = "10.0.0.0/8".parse().unwrap();
        assert!(ten.contains(ip("10.0.0.0")));
        assert!(ten.contains(ip("10.255.255.255")));
        assert!(ten.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        assert!(!ten.contains(ip("11.0.0.0")));
        assert!(!ten.contains(ip("9.255.255.255")));
        assert!(!ten.contains(ip("::a00:1")), "IPv6 is not IPv4");
        let one: TrustedProxy = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")));
        assert!(!one.contains(ip("127.0.0.2")));
        assert!(!one.contains(ip("::1")));
        let loopback = TrustedProxy::Loopback;
        for inside in ["127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.1"] {
            assert!(loopback.contains(ip(inside)), "{inside}");
        }
        assert!(!loopback.contains(ip("10.0.0.1")));
        let v6: TrustedProxy = "2001:db8:0:100::/56".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:0:1ff::1")));
        assert!(!v6.contains(ip("2001:db8:0:200::1")));
        let all: TrustedProxy = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")));
        assert!(!all.contains(ip("2001:db8::1")));
        let all6: TrustedProxy = "::/0".parse().unwrap();
        assert!(all6.contains(ip("2001:db8::1")));
    }

    #[test]
    fn forwarded_address_is_the_right_end_of_all_lines() {
        let proxy = ip("127.0.0.1");
        let req = forwarded(&["203.0.113.7", "192.0.2.1, 198.51.100.9"]);
        let loopback = [TrustedProxy::Loopback];
        assert_eq!(client_ip(&req, proxy, &loopback), ip("198.51.100.9"));
        assert_eq!(client_ip(&req, proxy, &[]), proxy, "not trusted");
        let outside = ip("192.0.2.50");
        assert_eq!(
            client_ip(&req, outside, &loopback),
            outside,
            "not from a trusted proxy"
        );
        let mapped = ip("::ffff:192.0.2.50");
        assert_eq!(client_ip(&req, mapped, &loopback), outside, "as IPv4");
    }

    #[test]
    fn the_walk_skips_trusted_hops_from_the_right() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        let nginx = ip("127.0.0.1");
        let cases: &[(&[&str], &str, &str)] = &[
            (&[], "127.0.0.1", "no header: the peer"),
            (&["203.0.113.7"], "203.0.113.7", "one hop"),
            (
                &["203.0.113.7, 10.1.2.3"],
                "203.0.113.7",
                "a load balancer in 10/8 before nginx",
            ),
            (
                &["198.51.100.1, 203.0.113.7, 10.1.2.3"],
                "203.0.113.7",
                "what the client wrote is left of its address",
            ),
            (
                &["10.9.9.9, 203.0.113.7"],
                "203.0.113.7",
                "a forged trusted address on the left does not help",
            ),
            (
                &["198.51.100.1", "203.0.113.7, 10.1.2.3"],
                "203.0.113.7",
                "over two lines",
            ),
            (
                &["203.0.113.7", "10.1.2.3"],
                "203.0.113.7",
                "the load balancer's entry alone on the last line",
            ),
            (
                &["10.1.2.3, 10.4.5.6"],
                "10.1.2.3",
                "all trusted: the left-most",
            ),
            (
                &["203.0.113.7, unknown, 10.1.2.3"],
                "10.1.2.3",
                "garbage: the last believed hop",
            ),
            (&["garbage"], "127.0.0.1", "garbage at once: the peer"),
            (
                &["203.0.113.7, , 10.1.2.3,"],
                "203.0.113.7",
                "empty elements skipped",
            ),
            (&["203.0.113.7:4711"], "203.0.113.7", "with a port"),
            (&["[2001:db8::7]:4711"], "2001:db8::7", "IPv6 with a port"),
            (&["[2001:db8::7]"], "2001:db8::7", "IPv6 in brackets"),
            (&["::ffff:203.0.113.7"], "203.0.113.7", "IPv4-mapped"),
        ];
        for (lines, want, what) in cases {
            assert_eq!(
                client_ip(&forwarded(lines), nginx, &trusted),
                ip(want),
                "{what}: {lines:?}"
            );
        }
        // Only 127.0.0.1 trusted: a 10/8 hop is the client.
        let req = forwarded(&["203.0.113.7, 10.1.2.3"]);
        assert_eq!(
            client_ip(&req, nginx, &proxies(&["127.0.0.1"])),
            ip("10.1.2.3")
        );
        // A header value that is not text stops the walk at the peer.
        let req = Request::builder()
            .header(
                "x-forwarded-for",
                hyper::header::HeaderValue::from_bytes(b"203.0.113.7, \xff").unwrap(),
            )
            .body(())
            .unwrap();
        assert_eq!(client_ip(&req, nginx, &trusted), nginx);
    }
}
