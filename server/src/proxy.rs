//! Who the client is behind a reverse proxy. [`client`] is the one place the server learns the
//! client's address (for the sign-in throttle, the logs, the sessions table) and whether the
//! request came over HTTPS (for `Secure` cookies).
//!
//! Headers are believed only from the addresses of the `trusted_proxies` setting: anyone can
//! send `X-Forwarded-For`, and believing it from anyone would let each guess at a password come
//! from a new address. From a trusted peer, the client is the right-most address of
//! `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the address it saw,
//! so what lies left of an untrusted one may be made up), and `X-Forwarded-Proto` is the
//! scheme the nearest proxy was reached by. Not the RFC 7239 `Forwarded` header: the proxies
//! in front of NAS boxes (nginx, Caddy, Traefik, DSM's own) all send the `X-` ones.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The client of one request, as far as it can be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    /// The request reached us (or the trusted proxy in front of us) over HTTPS.
    pub https: bool,
}

/// The client of a request that came from `peer` with `headers`.
pub fn client(trusted: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> Client {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return Client {
            ip: peer,
            https: false,
        };
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut ip = peer;
    for hop in forwarded.iter().rev() {
        // What cannot be read ends the walk: nothing left of it can be believed.
        let Some(hop) = parse_hop(hop) else { break };
        ip = hop;
        if !trusted.contains(hop) {
            break;
        }
    }
    let https = headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    Client { ip, https }
}

/// One address of `X-Forwarded-For`: bare, or with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The `trusted_proxies` setting: addresses and CIDR ranges. In TOML a list of strings; in the
/// environment the same list, or the strings separated by commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// A setting that is no address or range.
#[derive(Debug)]
pub struct BadRange(String);

impl fmt::Display for BadRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an address or a CIDR range such as 10.0.0.0/8",
            self.0
        )
    }
}

impl FromStr for TrustedProxies {
    type Err = BadRange;

    fn from_str(s: &str) -> Result<Self, BadRange> {
        s.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .map(|net| net.trunc())
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| BadRange(part.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl Serialize for TrustedProxies {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ToString::to_string))
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            List(Vec<String>),
            Text(String),
        }
        let text = match Given::deserialize(deserializer)? {
            Given::List(list) => list.join(","),
            Given::Text(text) => text,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().expect("ranges");
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = client(&trusted, ip("192.168.1.5"), &h);
        assert_eq!(
            c,
            Client {
                ip: ip("192.168.1.5"),
                https: false
            }
        );
        let c = client(&TrustedProxies::default(), ip("127.0.0.1"), &h);
        assert_eq!(c.ip, ip("127.0.0.1"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().expect("ranges");
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 5.5.5.5"),
            ("x-forwarded-for", "10.1.1.1:443"),
            ("x-forwarded-proto", "http, https"),
        ]);
        let c = client(&trusted, ip("::ffff:127.0.0.1"), &h);
        assert_eq!(
            c,
            Client {
                ip: ip("5.5.5.5"),
                https: true
            }
        );
        // Every hop trusted: the left-most; an unreadable hop: the last one read.
        let h = headers(&[("x-forwarded-for", "10.0.0.3, 10.0.0.2")]);
        assert_eq!(client(&trusted, ip("127.0.0.1"), &h).ip, ip("10.0.0.3"));
        let h = headers(&[("x-forwarded-for", "9.9.9.9, nonsense, 10.0.0.2")]);
        assert_eq!(client(&trusted, ip("127.0.0.1"), &h).ip, ip("10.0.0.2"));
        assert_eq!(
            client(&trusted, ip("127.0.0.1"), &HeaderMap::new()).ip,
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_setting_reads_lists_and_text() {
        let from_list: TrustedProxies =
            serde_json::from_str(r#"["127.0.0.1", "fd00::/8", "10.1.2.3/8"]"#).expect("list");
        let from_text: TrustedProxies =
            serde_json::from_str(r#""127.0.0.1,fd00::/8, 10.0.0.0/8""#).expect("text");
        assert_eq!(from_list, from_text);
        assert!(from_list.contains(ip("10.200.0.1")));
        assert!(from_list.contains(ip("::ffff:127.0.0.1")));
        assert!(!from_list.contains(ip("127.0.0.2")));
        assert!(serde_json::from_str::<TrustedProxies>(r#"["localhost"]"#).is_err());
        assert_eq!(
            serde_json::to_string(&from_text).expect("json"),
            r#"["127.0.0.1/32","fd00::/8","10.0.0.0/8"]"#
        );
    }
}
