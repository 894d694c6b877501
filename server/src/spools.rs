//! How many request bodies one client address may be spooling to `DATA/tmp` at once
//! (`limits.spools_per_address`). A slot is taken when a request's file parts are about to be
//! read (after its caller was admitted, `api::dispatch`) and given back when the request ends,
//! so one address cannot open connection after connection to fill the disk in parallel. One
//! more waits a while for a slot (reading nothing of its body meanwhile: a phone sending a
//! burst of photos at once is served in turn), then is refused. IPv6 addresses count by their
//! /64, which one client usually holds whole.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

/// The slots in use, per address.
#[derive(Debug)]
pub struct SpoolSlots {
    per_address: usize,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
    /// Told whenever a slot is given back.
    freed: Arc<Notify>,
}

/// One body being spooled; its slot is free again when this is dropped.
#[derive(Debug)]
pub struct SpoolSlot {
    key: IpAddr,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
    freed: Arc<Notify>,
}

fn lock(held: &Mutex<HashMap<IpAddr, usize>>) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
    held.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The address as slots count it: IPv4 whole, IPv6 by its /64 (an IPv4-mapped one as IPv4).
pub(crate) fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

impl SpoolSlots {
    pub fn new(per_address: usize) -> Self {
        Self {
            per_address,
            held: Arc::default(),
            freed: Arc::default(),
        }
    }

    /// A slot for `ip`, waiting up to `within` for one to be given back; `None` after that.
    pub async fn wait_for(&self, ip: IpAddr, within: Duration) -> Option<SpoolSlot> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            // Listening before trying, so a slot given back in between is not missed.
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            if let Some(slot) = self.take(ip) {
                return Some(slot);
            }
            if tokio::time::timeout_at(deadline, freed).await.is_err() {
                return None;
            }
        }
    }

    /// A slot for `ip`, or `None` when it holds all it may.
    pub fn take(&self, ip: IpAddr) -> Option<SpoolSlot> {
        let key = address_key(ip);
        let mut held = lock(&self.held);
        let n = held.entry(key).or_insert(0);
        if *n >= self.per_address {
            return None;
        }
        *n += 1;
        Some(SpoolSlot {
            key,
            held: self.held.clone(),
            freed: self.freed.clone(),
        })
    }
}

impl Drop for SpoolSlot {
    fn drop(&mut self) {
        let mut held = lock(&self.held);
        if let Some(n) = held.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.key);
            }
        }
        drop(held);
        self.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_per_address_come_back_when_dropped() {
        let slots = SpoolSlots::new(2);
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        let one = slots.take(a).expect("first");
        let two = slots.take(a).expect("second");
        assert!(slots.take(a).is_none(), "a third is refused");
        let other = slots.take(b).expect("another address has its own");
        drop(one);
        let three = slots.take(a).expect("room again");
        drop((two, three, other));
        assert!(
            lock(&slots.held).is_empty(),
            "nothing is kept for idle addresses"
        );
    }

    #[tokio::test]
    async fn one_more_waits_for_a_slot_then_gives_up() {
        let slots = SpoolSlots::new(1);
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        let held = slots.take(ip).expect("first");
        let short = Duration::from_millis(50);
        assert!(
            slots.wait_for(ip, short).await.is_none(),
            "none freed: refused"
        );
        let waiting = slots.wait_for(ip, Duration::from_secs(5));
        let freeing = async {
            tokio::time::sleep(short).await;
            drop(held);
        };
        let (slot, ()) = tokio::join!(waiting, freeing);
        assert!(slot.is_some(), "the slot given back is taken");
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        let slots = SpoolSlots::new(1);
        let _one = slots
            .take("2001:db8::1".parse().expect("ip"))
            .expect("first");
        assert!(slots.take("2001:db8::2".parse().expect("ip")).is_none());
        assert!(slots.take("2001:db8:0:1::1".parse().expect("ip")).is_some());
    }
}
