//! DSM's auto-block for password guessing: whatever keeps failing is first slowed down, then
//! blocked for a while (error 407). Kept in memory: a restart forgets it, as it forgets nothing
//! else that matters.
//!
//! The rule (docs/security.md "Throttling"): every wrong password counts against the client's
//! address ([`crate::proxy::client`]) and against what it was aimed at, an account or a link
//! ([`Target`]); either one reaching `max_failures` is blocked. A success clears only its
//! target's count, never the address's: signing in to one's own account between guesses at
//! another's does not lift the block. Many addresses guessing one account or link block that
//! account or link.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::LoginGuard;

/// Counters remembered at most; past this the oldest quiet ones are forgotten first.
const MAX_TRACKED: usize = 65_536;

/// Longest account name or link kept as a key (longer ones share their first bytes' count).
const MAX_KEY_BYTES: usize = 256;

/// What a password was tried for, besides the address it came from.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A sign-in's account name, as typed (case does not matter).
    Account(&'a str),
    /// A share link's or a Photo Request's passphrase.
    Link(&'a str),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    Account(String),
    Link(String),
}

impl From<Target<'_>> for Key {
    fn from(target: Target<'_>) -> Self {
        let bounded = |s: &str| {
            let mut end = s.len().min(MAX_KEY_BYTES);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s[..end].to_owned()
        };
        match target {
            Target::Account(name) => Key::Account(bounded(name).to_lowercase()),
            Target::Link(passphrase) => Key::Link(bounded(passphrase)),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Address(ip) => write!(f, "address {ip}"),
            Key::Account(name) => write!(f, "account {name:?}"),
            // A link's passphrase opens it: it stays out of the log.
            Key::Link(_) => write!(f, "a link"),
        }
    }
}

#[derive(Debug)]
struct Record {
    failures: u32,
    window_start: Instant,
    blocked_until: Option<Instant>,
}

/// Failed passwords per client address, per account and per link.
#[derive(Debug)]
pub struct LoginThrottle {
    guard: LoginGuard,
    records: Mutex<HashMap<Key, Record>>,
}

impl LoginThrottle {
    pub fn new(guard: LoginGuard) -> Self {
        Self {
            guard,
            records: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Record>> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn blocked(records: &HashMap<Key, Record>, key: &Key, now: Instant) -> bool {
        records
            .get(key)
            .and_then(|r| r.blocked_until)
            .is_some_and(|until| until > now)
    }

    /// Whether `ip` is blocked right now.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        Self::blocked(&self.lock(), &Key::Address(ip), Instant::now())
    }

    /// Whether a try from `ip` at `target` is refused right now: either is blocked.
    pub fn is_blocked_for(&self, ip: IpAddr, target: Target<'_>) -> bool {
        let now = Instant::now();
        let records = self.lock();
        Self::blocked(&records, &Key::Address(ip), now)
            || Self::blocked(&records, &target.into(), now)
    }

    /// Counts a failure against `ip` alone (nothing says what it was aimed at); returns how
    /// long to hold the answer back.
    pub fn record_failure(&self, ip: IpAddr) -> Duration {
        self.count(Key::Address(ip))
    }

    /// Counts a failure against `ip` and against `target`; returns how long to hold the answer
    /// back.
    pub fn record_failure_for(&self, ip: IpAddr, target: Target<'_>) -> Duration {
        self.count(Key::Address(ip)).max(self.count(target.into()))
    }

    /// Forgets the failures against `target` after its right password (a block stays, and the
    /// address's count is kept: a success elsewhere says nothing of the guesses).
    pub fn record_success(&self, target: Target<'_>) {
        if let Some(r) = self.lock().get_mut(&Key::from(target)) {
            r.failures = 0;
        }
    }

    fn count(&self, key: Key) -> Duration {
        let now = Instant::now();
        let window = Duration::from_secs(self.guard.window_secs);
        let mut records = self.lock();
        if records.len() >= MAX_TRACKED && !records.contains_key(&key) {
            records.retain(|_, r| {
                r.blocked_until.is_some_and(|u| u > now) || now - r.window_start < window
            });
        }
        let record = records.entry(key.clone()).or_insert(Record {
            failures: 0,
            window_start: now,
            blocked_until: None,
        });
        if now - record.window_start >= window {
            record.failures = 0;
            record.window_start = now;
        }
        record.failures += 1;
        if record.failures >= self.guard.max_failures {
            record.blocked_until = Some(now + Duration::from_secs(self.guard.block_secs));
            record.failures = 0;
            record.window_start = now;
            tracing::warn!("blocking {key} after repeated wrong passwords");
        }
        let over = record.failures.saturating_sub(self.guard.slow_after);
        Duration::from_millis(
            self.guard
                .slow_step_ms
                .saturating_mul(u64::from(over))
                .min(3000),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> LoginGuard {
        LoginGuard {
            max_failures: 3,
            window_secs: 60,
            block_secs: 60,
            slow_after: 1,
            slow_step_ms: 10,
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn blocks_after_max_failures_per_address() {
        let t = LoginThrottle::new(guard());
        let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
        assert_eq!(t.record_failure(a), Duration::ZERO);
        assert_eq!(t.record_failure(a), Duration::from_millis(10));
        assert!(!t.is_blocked(a));
        t.record_failure(a);
        assert!(t.is_blocked(a));
        assert!(!t.is_blocked(b));
    }

    #[test]
    fn a_success_clears_its_target_and_never_the_address() {
        let t = LoginThrottle::new(guard());
        let a = ip("::1");
        let (admin, eve) = (Target::Account("admin"), Target::Account("eve"));
        t.record_failure_for(a, admin);
        t.record_success(eve);
        t.record_failure_for(a, admin);
        t.record_success(admin);
        assert!(!t.is_blocked(a));
        t.record_failure_for(a, Target::Link("p"));
        assert!(t.is_blocked(a), "three failures from one address");
        assert!(t.is_blocked_for(a, eve));
        assert!(
            !t.is_blocked_for(ip("::2"), admin),
            "admin's count was cleared"
        );
    }

    #[test]
    fn many_addresses_guessing_one_target_block_it_alone() {
        let t = LoginThrottle::new(guard());
        for i in 1..=3 {
            t.record_failure_for(ip(&format!("10.0.0.{i}")), Target::Account("Admin"));
        }
        let fresh = ip("10.0.0.9");
        assert!(t.is_blocked_for(fresh, Target::Account("admin")));
        assert!(!t.is_blocked_for(fresh, Target::Account("eve")));
        assert!(!t.is_blocked_for(fresh, Target::Link("admin")));
        assert!(!t.is_blocked(fresh));
    }
}
