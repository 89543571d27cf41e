//! Per-address limit on accepted submissions: at most `max` in any `window`.
//!
//! A post takes a [`Reservation`] before its body is read, so posts that
//! arrive at the same moment can never pass the limit together; only a
//! reservation [confirmed](Reservation::confirm) (an accepted submission)
//! stays counted, and any other outcome (a form sent back with errors, a
//! resend answered with the first ticket, a broken body) gives it back.
//! Many citizens share one address behind mobile carriers and office wifi,
//! so their mistakes must not use up each other's submissions.
//!
//! IPv4 addresses are counted one by one; IPv6 addresses by their /64, the
//! block one subscriber gets.
//!
//! A second limiter of the same kind ([`RateLimiter::uploads`]) counts the
//! posts that carry files, each one confirmed at once: a form sent back
//! costs no submission, but its files cost reading, holding and, once the
//! text is right, decoding, so they are not free without limit.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max: u32,
    window: Duration,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    /// Per address key: when each counted submission (accepted or still in
    /// progress) began, oldest first.
    hits: HashMap<IpAddr, VecDeque<Instant>>,
    /// Idle addresses are dropped once `hits` grows past this, which then
    /// becomes twice what is left (at least [`PRUNE_AT`]): a pass over the
    /// map costs at most one per address added since the last one.
    prune_at: usize,
    /// Passes over the whole map so far (for tests).
    prunes: u64,
}

/// Posts with files allowed per accepted submission: the one that is
/// accepted and two rounds of fixing what was sent back (with 10
/// submissions per 10 minutes, 30 posts with files).
pub const UPLOAD_POSTS_PER_SUBMISSION: u32 = 3;

/// Tracked addresses before the first pass that drops idle ones.
const PRUNE_AT: usize = 10_000;

/// The key an address is counted under: itself for IPv4 (also when written
/// as an IPv4-mapped IPv6 address), its /64 for IPv6.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

impl RateLimiter {
    /// `max == 0` turns the limit off.
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            state: Arc::new(Mutex::new(State {
                hits: HashMap::new(),
                prune_at: PRUNE_AT,
                prunes: 0,
            })),
        }
    }

    /// The budget of posts with files for a submission limit of
    /// `submissions` per `window`: [`UPLOAD_POSTS_PER_SUBMISSION`] times as
    /// many (off when the submission limit is).
    pub fn uploads(submissions: u32, window: Duration) -> RateLimiter {
        RateLimiter::new(
            submissions.saturating_mul(UPLOAD_POSTS_PER_SUBMISSION),
            window,
        )
    }

    /// Counts one submission from `ip` until the reservation is given back;
    /// `Err` holds how long until the next one is allowed.
    pub fn reserve(&self, ip: IpAddr) -> Result<Reservation, Duration> {
        self.reserve_at(ip, Instant::now())
    }

    fn reserve_at(&self, ip: IpAddr, now: Instant) -> Result<Reservation, Duration> {
        if self.max == 0 {
            return Ok(Reservation { held: None });
        }
        let key = key(ip);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.prune(now, self.window);
        let queue = state.hits.entry(key).or_default();
        while queue
            .front()
            .is_some_and(|&t| now.duration_since(t) >= self.window)
        {
            queue.pop_front();
        }
        if queue.len() >= self.max as usize {
            let oldest = queue.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        queue.push_back(now);
        Ok(Reservation {
            held: Some(Held {
                state: self.state.clone(),
                key,
                at: now,
            }),
        })
    }
}

impl State {
    fn prune(&mut self, now: Instant, window: Duration) {
        if self.hits.len() <= self.prune_at {
            return;
        }
        self.hits
            .retain(|_, q| q.back().is_some_and(|&t| now.duration_since(t) < window));
        self.prune_at = PRUNE_AT.max(2 * self.hits.len());
        self.prunes += 1;
    }
}

/// One counted submission, given back when dropped unless confirmed.
#[must_use = "dropping a reservation gives it back at once"]
pub struct Reservation {
    /// `None` when there is no limit, or once confirmed.
    held: Option<Held>,
}

struct Held {
    state: Arc<Mutex<State>>,
    key: IpAddr,
    at: Instant,
}

impl Reservation {
    /// The submission was accepted: it stays counted for the window.
    pub fn confirm(mut self) {
        self.held = None;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        let mut state = held.state.lock().unwrap_or_else(|e| e.into_inner());
        // Gone already if it outlived the window.
        if let Some(queue) = state.hits.get_mut(&held.key)
            && let Some(i) = queue.iter().position(|&t| t == held.at)
        {
            queue.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn allows_max_per_window_per_address() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        let t0 = Instant::now();
        limiter.reserve_at(a, t0).unwrap().confirm();
        limiter
            .reserve_at(a, t0 + Duration::from_secs(1))
            .unwrap()
            .confirm();
        let wait = limiter
            .reserve_at(a, t0 + Duration::from_secs(2))
            .err()
            .unwrap();
        assert_eq!(wait, Duration::from_secs(58));
        assert!(limiter.reserve_at(b, t0 + Duration::from_secs(2)).is_ok());
        assert!(limiter.reserve_at(a, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn only_confirmed_reservations_stay_counted() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a = ip("192.0.2.1");
        let t0 = Instant::now();
        // Ten forms sent back with errors use up nothing.
        for i in 0..10 {
            let r = limiter.reserve_at(a, t0 + Duration::from_secs(i)).unwrap();
            drop(r);
        }
        // Two in progress at once fill the limit until they end.
        let first = limiter.reserve_at(a, t0 + Duration::from_secs(10)).unwrap();
        let second = limiter.reserve_at(a, t0 + Duration::from_secs(10)).unwrap();
        assert!(limiter.reserve_at(a, t0 + Duration::from_secs(11)).is_err());
        drop(second);
        let third = limiter.reserve_at(a, t0 + Duration::from_secs(12)).unwrap();
        first.confirm();
        third.confirm();
        assert!(limiter.reserve_at(a, t0 + Duration::from_secs(13)).is_err());
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        let limiter = RateLimiter::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        limiter
            .reserve_at(ip("2001:db8:1:2::1"), t0)
            .unwrap()
            .confirm();
        // Same /64, another interface identifier: the same subscriber.
        assert!(
            limiter
                .reserve_at(ip("2001:db8:1:2:ffff:eeee:dddd:cccc"), t0)
                .is_err()
        );
        // The next /64: someone else.
        assert!(limiter.reserve_at(ip("2001:db8:1:3::1"), t0).is_ok());
        // An IPv4-mapped address is the IPv4 address.
        limiter.reserve_at(ip("192.0.2.9"), t0).unwrap().confirm();
        assert!(limiter.reserve_at(ip("::ffff:192.0.2.9"), t0).is_err());
        assert!(limiter.reserve_at(ip("::ffff:192.0.2.10"), t0).is_ok());
    }

    #[test]
    fn pruning_is_amortised_past_ten_thousand_addresses() {
        let limiter = RateLimiter::new(5, Duration::from_secs(600));
        let t0 = Instant::now();
        let address = |i: u32| IpAddr::V4((0x0a00_0000 + i).into());
        for i in 0..=PRUNE_AT as u32 {
            limiter.reserve_at(address(i), t0).unwrap().confirm();
        }
        // One more check finds 10,001 addresses, all active: one pass.
        for i in 0..1000 {
            limiter.reserve_at(address(i), t0).unwrap().confirm();
        }
        let prunes = |l: &RateLimiter| l.state.lock().unwrap().prunes;
        assert_eq!(prunes(&limiter), 1, "not a pass on every check");
        // Once the window has passed, the next pass (at twice the size) drops them.
        let later = t0 + Duration::from_secs(601);
        let fresh = PRUNE_AT as u32 + 3;
        for i in 0..fresh {
            limiter
                .reserve_at(address(100_000 + i), later)
                .unwrap()
                .confirm();
        }
        assert_eq!(prunes(&limiter), 2);
        let tracked = limiter.state.lock().unwrap().hits.len();
        assert_eq!(tracked, fresh as usize, "only the active ones are left");
    }

    #[test]
    fn zero_means_off() {
        let limiter = RateLimiter::new(0, Duration::from_secs(60));
        let a = ip("192.0.2.1");
        for _ in 0..100 {
            limiter.reserve(a).unwrap().confirm();
        }
    }
}
