//! Per-address limit on submissions: at most `max` in any `window`.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

/// Past this many tracked addresses, idle ones are dropped on the next check.
const PRUNE_AT: usize = 10_000;

impl RateLimiter {
    /// `max == 0` turns the limit off.
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt from `ip`; `Err` holds how long until the next one
    /// is allowed.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        self.check_at(ip, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.max == 0 {
            return Ok(());
        }
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > PRUNE_AT {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|&t| now.duration_since(t) < window));
        }
        let queue = hits.entry(ip).or_default();
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
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_per_window_per_address() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.check_at(a, t0).is_ok());
        assert!(limiter.check_at(a, t0 + Duration::from_secs(1)).is_ok());
        let wait = limiter
            .check_at(a, t0 + Duration::from_secs(2))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(58));
        assert!(limiter.check_at(b, t0 + Duration::from_secs(2)).is_ok());
        assert!(limiter.check_at(a, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn zero_means_off() {
        let limiter = RateLimiter::new(0, Duration::from_secs(60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..100 {
            assert!(limiter.check(a).is_ok());
        }
    }
}
