//! The one rate limiter: at most `max` hits per key in any `window` (each
//! key keeps the times of its last hits, so there is no burst at a window's
//! edge). Every limit uses it: submissions and posts with files per address
//! (`server`), failed lookups per address and wrong codes per ticket
//! (`server::lookup`), and wrong sign-ins per name, per (name, address) and
//! per address (`desk::limiter`).
//!
//! A hit is taken as a [`Reservation`] before the work it stands for, so
//! that requests arriving at the same moment can never pass the limit
//! together; only a reservation [confirmed](Reservation::confirm) stays
//! counted, any other outcome gives it back. A limiter may also lock a key
//! for a while once it reaches `max` ([`Limiter::locking`]), and hold at
//! most so many keys ([`Limiter::at_most`]): a key not yet counted is then
//! refused while every one is live, as forgetting a count would let whoever
//! filled the table go unbounded.
//!
//! Addresses are counted by [`address`]: IPv4 one by one, IPv6 by the /64
//! one subscriber gets.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Keys before the first pass that drops idle ones; a pass then waits for
/// twice as many as it left, so it costs at most one per key added.
const PRUNE_AT: usize = 10_000;

/// An address as counted: IPv4 whole (also when written IPv4-mapped),
/// IPv6 by its /64.
pub fn address(ip: IpAddr) -> u128 {
    match ip.to_canonical() {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => (u128::from(v6) >> 64 << 64) | 1,
    }
}

pub struct Limiter<K> {
    /// 0: no limit.
    max: u32,
    window: Duration,
    /// Reaching `max` locks the key this long (zero: it does not).
    lockout: Duration,
    max_keys: usize,
    state: Arc<Mutex<State<K>>>,
}

struct State<K> {
    keys: HashMap<K, Entry>,
    prune_at: usize,
    /// When a full table was last pruned.
    pruned: Option<Instant>,
    /// Passes over the whole table so far (for tests).
    prunes: u64,
}

#[derive(Default)]
struct Entry {
    /// When each counted hit was taken, oldest first.
    hits: VecDeque<Instant>,
    locked_until: Option<Instant>,
}

impl Entry {
    /// Forgets what is over at `now`; whether anything is left.
    fn expire(&mut self, now: Instant, window: Duration) -> bool {
        if self.locked_until.is_some_and(|until| now >= until) {
            *self = Entry::default();
        }
        while self
            .hits
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= window)
        {
            self.hits.pop_front();
        }
        self.locked_until.is_some() || !self.hits.is_empty()
    }

    /// How long until a hit is allowed, if it is not now.
    fn refused(&self, now: Instant, max: u32, window: Duration) -> Option<Duration> {
        if let Some(until) = self.locked_until {
            return Some(until.saturating_duration_since(now));
        }
        let oldest = *self.hits.front()?;
        (self.hits.len() >= max as usize)
            .then(|| window.saturating_sub(now.saturating_duration_since(oldest)))
    }
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// At most `max` hits per key in any `window`; `max == 0` turns it off.
    pub fn new(max: u32, window: Duration) -> Limiter<K> {
        Limiter {
            max,
            window,
            lockout: Duration::ZERO,
            max_keys: usize::MAX,
            state: Arc::new(Mutex::new(State {
                keys: HashMap::new(),
                prune_at: PRUNE_AT,
                pruned: None,
                prunes: 0,
            })),
        }
    }

    /// The hit that reaches `max` locks its key for `lockout`.
    pub fn locking(self, lockout: Duration) -> Limiter<K> {
        Limiter { lockout, ..self }
    }

    /// Keys held at most ([module docs](self)).
    pub fn at_most(self, keys: usize) -> Limiter<K> {
        Limiter {
            max_keys: keys,
            ..self
        }
    }

    /// Without counting: `Err(wait)` if a hit on `key` would be refused,
    /// else how long until its oldest live hit leaves the window (`None`:
    /// no live hit).
    pub fn check(&self, key: &K, now: Instant) -> Result<Option<Duration>, Duration> {
        let mut state = self.lock();
        let Some(entry) = state.keys.get_mut(key) else {
            return Ok(None);
        };
        if !entry.expire(now, self.window) {
            state.keys.remove(key);
            return Ok(None);
        }
        if let Some(wait) = entry.refused(now, self.max, self.window) {
            return Err(wait);
        }
        let oldest = entry.hits.front().copied().unwrap_or(now);
        Ok(Some(
            self.window
                .saturating_sub(now.saturating_duration_since(oldest)),
        ))
    }

    /// Counts a hit on `key` for good; the hits now live, or `Err(wait)`.
    pub fn count(&self, key: K, now: Instant) -> Result<u32, Duration> {
        let reservation = self.reserve(key, now)?;
        let hits = reservation.hits;
        reservation.confirm();
        Ok(hits)
    }

    /// Counts a hit on `key` until the reservation is given back; `Err`
    /// holds how long until one is allowed.
    pub fn reserve(&self, key: K, now: Instant) -> Result<Reservation<K>, Duration> {
        if self.max == 0 {
            return Ok(Reservation {
                held: None,
                hits: 0,
            });
        }
        let mut guard = self.lock();
        let state = &mut *guard;
        let window = self.window;
        let mut prune = state.keys.len() > state.prune_at;
        let full = |s: &State<K>| s.keys.len() >= self.max_keys && !s.keys.contains_key(&key);
        // A full table is looked over at most once a second: while every
        // key is live, it is a flood.
        let second = Duration::from_secs(1);
        if full(state)
            && (state.pruned).is_none_or(|at| now.saturating_duration_since(at) >= second)
        {
            prune = true;
            state.pruned = Some(now);
        }
        if prune {
            state.keys.retain(|_, e| e.expire(now, window));
            state.prune_at = PRUNE_AT.max(2 * state.keys.len());
            state.prunes += 1;
        }
        if full(state) {
            tracing::warn!("rate limit: {} keys live; refusing others", self.max_keys);
            return Err(window);
        }
        let entry = state.keys.entry(key.clone()).or_default();
        entry.expire(now, window);
        if let Some(wait) = entry.refused(now, self.max, window) {
            return Err(wait);
        }
        entry.hits.push_back(now);
        let hits = entry.hits.len() as u32;
        if hits >= self.max && !self.lockout.is_zero() {
            entry.locked_until = Some(now + self.lockout);
        }
        Ok(Reservation {
            held: Some(Held {
                state: self.state.clone(),
                key,
                at: now,
            }),
            hits,
        })
    }

    /// Forgets `key`: its hits and its lock.
    pub fn clear(&self, key: &K) {
        self.lock().keys.remove(key);
    }

    fn lock(&self) -> MutexGuard<'_, State<K>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Limiter<u128> {
    /// [`Limiter::reserve`] for the [`address`] of `ip`, now.
    pub fn reserve_ip(&self, ip: IpAddr) -> Result<Reservation<u128>, Duration> {
        self.reserve(address(ip), Instant::now())
    }
}

/// One counted hit, given back when dropped unless confirmed.
#[must_use = "dropping a reservation gives it back at once"]
pub struct Reservation<K: Hash + Eq> {
    /// `None` when there is no limit, or once confirmed.
    held: Option<Held<K>>,
    /// Hits live with this one.
    hits: u32,
}

struct Held<K> {
    state: Arc<Mutex<State<K>>>,
    key: K,
    at: Instant,
}

impl<K: Hash + Eq> Reservation<K> {
    /// What it stood for happened: it stays counted for the window.
    pub fn confirm(mut self) {
        self.held = None;
    }
}

impl<K: Hash + Eq> Drop for Reservation<K> {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        let mut state = held.state.lock().unwrap_or_else(|e| e.into_inner());
        // Gone already if it outlived the window. A lock its hit started
        // stays: a lock is never given back.
        if let Some(entry) = state.keys.get_mut(&held.key)
            && let Some(i) = entry.hits.iter().rposition(|&t| t == held.at)
        {
            entry.hits.remove(i);
        }
    }
}

#[cfg(test)]
mod tests;
