//! DSM's auto-block for sign-in: an address that keeps failing is first slowed down, then blocked
//! for a while (error 407). Kept in memory: a restart forgets it, as it forgets nothing else that
//! matters.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::LoginGuard;

/// Addresses remembered at most; past this the oldest quiet ones are forgotten first.
const MAX_TRACKED: usize = 65_536;

#[derive(Debug)]
struct Record {
    failures: u32,
    window_start: Instant,
    blocked_until: Option<Instant>,
}

/// Failed sign-ins per client address.
#[derive(Debug)]
pub struct LoginThrottle {
    guard: LoginGuard,
    records: Mutex<HashMap<IpAddr, Record>>,
}

impl LoginThrottle {
    pub fn new(guard: LoginGuard) -> Self {
        Self {
            guard,
            records: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Record>> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `ip` is blocked right now.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        self.lock()
            .get(&ip)
            .and_then(|r| r.blocked_until)
            .is_some_and(|until| until > now)
    }

    /// Counts a failure; returns how long to hold the answer back.
    pub fn record_failure(&self, ip: IpAddr) -> Duration {
        let now = Instant::now();
        let window = Duration::from_secs(self.guard.window_secs);
        let mut records = self.lock();
        if records.len() >= MAX_TRACKED && !records.contains_key(&ip) {
            records.retain(|_, r| {
                r.blocked_until.is_some_and(|u| u > now) || now - r.window_start < window
            });
        }
        let record = records.entry(ip).or_insert(Record {
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
            tracing::warn!(%ip, "blocking address after repeated failed sign-ins");
        }
        let over = record.failures.saturating_sub(self.guard.slow_after);
        Duration::from_millis(
            self.guard
                .slow_step_ms
                .saturating_mul(u64::from(over))
                .min(3000),
        )
    }

    /// Forgets the failures of `ip` after a successful sign-in (a block stays).
    pub fn record_success(&self, ip: IpAddr) {
        let mut records = self.lock();
        if let Some(r) = records.get_mut(&ip) {
            r.failures = 0;
        }
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

    #[test]
    fn blocks_after_max_failures_per_address() {
        let t = LoginThrottle::new(guard());
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        assert_eq!(t.record_failure(a), Duration::ZERO);
        assert_eq!(t.record_failure(a), Duration::from_millis(10));
        assert!(!t.is_blocked(a));
        t.record_failure(a);
        assert!(t.is_blocked(a));
        assert!(!t.is_blocked(b));
    }

    #[test]
    fn success_resets_the_count() {
        let t = LoginThrottle::new(guard());
        let a: IpAddr = "::1".parse().expect("ip");
        t.record_failure(a);
        t.record_failure(a);
        t.record_success(a);
        t.record_failure(a);
        t.record_failure(a);
        assert!(!t.is_blocked(a));
    }
}
