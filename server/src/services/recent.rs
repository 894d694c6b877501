//! What thumbnail requests may trust for a moment: the session a sid names and the caller's
//! reach in a space, kept for [`TRUST_FOR`] so that a grid of thumbnails (hundreds of requests a
//! second from one client) does not read the same session, settings and permissions from SQLite
//! for every image.
//!
//! Only the thumbnail path uses this; every other call reads the database. What changes through
//! this server (sign-out, permission and setting changes, folder changes) forgets everything at
//! once; what changes from outside (`shoebox user disable` from another process) reaches
//! thumbnails within [`TRUST_FOR`]. docs/protocol-choices.md notes the trade.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::services::access::Reach;
use shoebox_catalog::sessions::Session;

/// How long an answer read from the database is trusted.
pub const TRUST_FOR: Duration = Duration::from_secs(2);

/// Entries kept at most in each map; past that, stale ones go and, if none is stale, all do.
const MAX_ENTRIES: usize = 4096;

struct Entry<T> {
    value: T,
    at: Instant,
    generation: u64,
}

#[derive(Default)]
pub struct Recent {
    generation: AtomicU64,
    sessions: Mutex<HashMap<String, Entry<Session>>>,
    reaches: Mutex<HashMap<(i64, bool), Entry<Reach>>>,
}

impl Recent {
    /// Forgets everything: called after any change to sessions, permissions, settings or folders
    /// made through this server.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Read before looking something up in the database, and given back with what was found,
    /// so that an answer read before a change is never kept as if read after it.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The session stored under the sid's hash, if still trusted.
    pub fn session(&self, sid_hash: &str) -> Option<Session> {
        get(&self.sessions, sid_hash, self.generation())
    }

    pub fn keep_session(&self, session: &Session, generation: u64) {
        put(
            &self.sessions,
            session.sid_hash.clone(),
            session.clone(),
            generation,
        );
    }

    /// The caller's reach in a space, if still trusted.
    pub fn reach(&self, user_id: i64, team: bool) -> Option<Reach> {
        get(&self.reaches, &(user_id, team), self.generation())
    }

    pub fn keep_reach(&self, reach: &Reach, generation: u64) {
        put(
            &self.reaches,
            (reach.user_id, reach.team),
            reach.clone(),
            generation,
        );
    }
}

fn get<K, Q, T>(map: &Mutex<HashMap<K, Entry<T>>>, key: &Q, generation: u64) -> Option<T>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
    T: Clone,
{
    let map = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.get(key)
        .filter(|e| e.generation == generation && e.at.elapsed() < TRUST_FOR)
        .map(|e| e.value.clone())
}

fn put<K: std::hash::Hash + Eq, T>(
    map: &Mutex<HashMap<K, Entry<T>>>,
    key: K,
    value: T,
    generation: u64,
) {
    let mut map = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, e| e.at.elapsed() < TRUST_FOR);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
    }
    map.insert(
        key,
        Entry {
            value,
            at: Instant::now(),
            generation,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forget_drops_what_was_kept() {
        let m: Mutex<HashMap<i64, Entry<&str>>> = Mutex::default();
        put(&m, 1, "a", 0);
        assert_eq!(get(&m, &1, 0), Some("a"));
        assert_eq!(get(&m, &1, 1), None, "a newer generation must not see it");
        assert_eq!(get(&m, &2, 0), None);
    }

    #[test]
    fn entries_stay_bounded() {
        let m: Mutex<HashMap<usize, Entry<usize>>> = Mutex::default();
        for k in 0..MAX_ENTRIES * 3 {
            put(&m, k, k, 0);
        }
        let len = m.lock().expect("lock").len();
        assert!(len <= MAX_ENTRIES, "{len} entries");
        assert_eq!(
            get(&m, &(MAX_ENTRIES * 3 - 1), 0),
            Some(MAX_ENTRIES * 3 - 1)
        );
    }
}
