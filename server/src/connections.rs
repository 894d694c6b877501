//! How many connections one client address may hold open at once
//! (`limits.connections_per_address`). Counted when a connection is accepted, before any of it
//! is read: one address opening connection after connection (each sending its headers a byte
//! at a time, "slow loris") holds only so many, and the others are closed at once. IPv6
//! addresses count by their /64, as spools do ([`crate::spools`]).
//!
//! Behind a reverse proxy every client arrives from the proxy's address, and which client a
//! connection carries is only known once its request is read (`X-Forwarded-For`). So the
//! addresses of `trusted_proxies` are not counted at all: the proxy is where connections per
//! client are limited (nginx `limit_conn`, Caddy, Traefik `inFlightReq`), and the header and
//! body time-outs still hold for each connection it opens.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::proxy::TrustedProxies;
use crate::spools::address_key;

type Held = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// The connections open, per address.
#[derive(Debug)]
pub struct ConnectionCap {
    per_address: usize,
    trusted: TrustedProxies,
    held: Held,
}

/// One open connection; counted until this is dropped.
#[derive(Debug)]
pub struct Admitted {
    /// `None` for a trusted proxy's connection, which is not counted.
    key: Option<IpAddr>,
    held: Held,
}

fn lock(held: &Mutex<HashMap<IpAddr, usize>>) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
    held.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ConnectionCap {
    pub fn new(per_address: usize, trusted: TrustedProxies) -> Self {
        Self {
            per_address,
            trusted,
            held: Arc::default(),
        }
    }

    /// A new connection from `ip`, or `None` when that address holds all it may.
    pub fn admit(&self, ip: IpAddr) -> Option<Admitted> {
        if self.trusted.contains(ip) {
            return Some(Admitted {
                key: None,
                held: self.held.clone(),
            });
        }
        let key = address_key(ip);
        let mut held = lock(&self.held);
        let n = held.entry(key).or_insert(0);
        if *n >= self.per_address {
            return None;
        }
        *n += 1;
        Some(Admitted {
            key: Some(key),
            held: self.held.clone(),
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut held = lock(&self.held);
        if let Some(n) = held.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn an_address_holds_only_so_many_and_gets_them_back() {
        let cap = ConnectionCap::new(2, TrustedProxies::default());
        let one = cap.admit(ip("192.0.2.1")).expect("first");
        let two = cap
            .admit(ip("::ffff:192.0.2.1"))
            .expect("second (the same address)");
        assert!(cap.admit(ip("192.0.2.1")).is_none(), "a third is refused");
        let other = cap
            .admit(ip("192.0.2.2"))
            .expect("another address has its own");
        drop(one);
        let three = cap.admit(ip("192.0.2.1")).expect("room again");
        drop((two, three, other));
        assert!(
            lock(&cap.held).is_empty(),
            "nothing kept for idle addresses"
        );
    }

    #[test]
    fn ipv6_counts_by_its_64_and_trusted_proxies_not_at_all() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().expect("ranges");
        let cap = ConnectionCap::new(1, trusted);
        let _one = cap.admit(ip("2001:db8::1")).expect("first");
        assert!(cap.admit(ip("2001:db8::2")).is_none());
        assert!(cap.admit(ip("2001:db8:0:1::1")).is_some());
        let proxied: Vec<Admitted> = (0..10)
            .map(|_| cap.admit(ip("10.1.2.3")).expect("a proxy is not capped"))
            .collect();
        drop(proxied);
        assert_eq!(lock(&cap.held).len(), 1, "only the IPv6 /64 is counted");
    }
}
