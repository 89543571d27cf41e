//! How many wrong sign-ins are allowed: per account name (whether or not
//! such an account exists, so a lock says nothing about that) and per
//! client address (an IPv6 address counted by its /64). Failures are
//! counted in a window of [`WINDOW`] from the first; reaching the limit
//! locks that name or address for [`LOCKOUT`], during which every sign-in
//! through it is refused, even with the right password, without hashing.
//! A successful sign-in clears its name's count, not its address's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong sign-ins for one account name before it is locked.
pub const ACCOUNT_FAILURES: u32 = 5;
/// Wrong sign-ins from one address before it is locked (an office may
/// share an address).
pub const ADDRESS_FAILURES: u32 = 10;
/// Failures count within this window, from the first.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a lock lasts.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Names and addresses remembered at most (expired ones go first).
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Name(String),
    Address(u128),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

impl Entry {
    fn expired(&self, now: Instant) -> bool {
        match self.locked_until {
            Some(until) => now >= until,
            None => now.saturating_duration_since(self.since) >= WINDOW,
        }
    }
}

#[derive(Default)]
pub struct SignInLimiter {
    entries: Mutex<HashMap<Key, Entry>>,
}

/// An address as counted: IPv4 whole, IPv6 by its /64.
fn address(ip: IpAddr) -> u128 {
    match ip.to_canonical() {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => (u128::from(v6) >> 64 << 64) | 1,
    }
}

fn keys(name_key: &str, ip: IpAddr) -> [(Key, u32); 2] {
    [
        (Key::Name(name_key.to_string()), ACCOUNT_FAILURES),
        (Key::Address(address(ip)), ADDRESS_FAILURES),
    ]
}

impl SignInLimiter {
    /// `Err(retry_after)` while the name or the address is locked.
    pub fn check(&self, name_key: &str, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut map = self.lock();
        let mut wait = Duration::ZERO;
        for (key, _) in keys(name_key, ip) {
            if let Some(entry) = map.get(&key).copied() {
                if entry.expired(now) {
                    map.remove(&key);
                } else if let Some(until) = entry.locked_until {
                    wait = wait.max(until.saturating_duration_since(now));
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// Counts a wrong sign-in for the name and the address.
    pub fn failed(&self, name_key: &str, ip: IpAddr, now: Instant) {
        let mut map = self.lock();
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| !e.expired(now));
        }
        for (key, limit) in keys(name_key, ip) {
            if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
                continue;
            }
            let entry = map.entry(key).or_insert(Entry {
                failures: 0,
                since: now,
                locked_until: None,
            });
            if entry.expired(now) {
                *entry = Entry {
                    failures: 0,
                    since: now,
                    locked_until: None,
                };
            }
            if entry.locked_until.is_some() {
                continue;
            }
            entry.failures += 1;
            if entry.failures >= limit {
                entry.locked_until = Some(now + LOCKOUT);
            }
        }
    }

    /// A right password for `name_key`: its count starts again.
    pub fn succeeded(&self, name_key: &str) {
        self.lock().remove(&Key::Name(name_key.to_string()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn five_failures_lock_a_name_for_fifteen_minutes() {
        let limiter = SignInLimiter::default();
        let start = Instant::now();
        for i in 0..ACCOUNT_FAILURES {
            assert!(limiter.check("budi", ip("10.0.0.1"), start).is_ok(), "{i}");
            // Each from another address: only the name counts.
            limiter.failed("budi", ip(&format!("10.0.1.{i}")), start);
        }
        let wait = limiter.check("budi", ip("10.0.0.99"), start).unwrap_err();
        assert_eq!(wait, LOCKOUT);
        assert!(limiter.check("siti", ip("10.0.0.99"), start).is_ok());
        let later = start + LOCKOUT - Duration::from_secs(1);
        assert!(limiter.check("budi", ip("10.0.0.99"), later).is_err());
        assert!(
            limiter
                .check("budi", ip("10.0.0.99"), start + LOCKOUT)
                .is_ok()
        );
    }

    #[test]
    fn failures_spread_over_more_than_the_window_do_not_lock() {
        let limiter = SignInLimiter::default();
        let mut at = Instant::now();
        for _ in 0..20 {
            limiter.failed("budi", ip("10.0.0.1"), at);
            limiter.failed("budi", ip("10.0.0.1"), at);
            at += WINDOW;
            assert!(limiter.check("budi", ip("10.0.0.1"), at).is_ok());
        }
    }

    #[test]
    fn ten_failures_lock_an_address_for_every_name() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        for i in 0..ADDRESS_FAILURES {
            limiter.failed(&format!("orang{i}"), ip("2001:db8::1"), now);
        }
        assert!(
            limiter.check("budi", ip("2001:db8::2"), now).is_err(),
            "same /64"
        );
        assert!(limiter.check("budi", ip("2001:db8:1::1"), now).is_ok());
    }

    #[test]
    fn success_clears_the_name_only() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        for _ in 0..ACCOUNT_FAILURES - 1 {
            limiter.failed("budi", ip("10.0.0.1"), now);
        }
        limiter.succeeded("budi");
        limiter.failed("budi", ip("10.0.0.1"), now);
        assert!(limiter.check("budi", ip("10.0.0.2"), now).is_ok());
    }
}
