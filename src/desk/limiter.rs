//! How many wrong sign-ins are allowed, made so that an attacker cannot
//! lock the real staff member out (issue 24):
//!
//! - per (account name, client address): [`PAIR_FAILURES`] wrong sign-ins
//!   lock that name *from that address* for [`LOCKOUT`];
//! - per client address: [`ADDRESS_FAILURES`] lock the address for every
//!   name (an IPv6 address counts by its /64);
//! - per account name, from anywhere: once [`ACCOUNT_FAILURES`] have failed
//!   within the window, the name is *under attack*: its password is then
//!   checked only from addresses with no failure for it in the window, so a
//!   guesser gets one try per address, while the staff member's own PC
//!   (which typed nothing wrong) still signs in with the right password.
//!
//! Names count whether or not such an account exists, so a lock says
//! nothing about that. Failures are counted in any window of [`WINDOW`]
//! ([`crate::core::limit`], the one rate limiter). A refused sign-in is
//! not checked (no hashing) and not counted. A right password clears its
//! (name, address) count only: the name's count runs out with its window,
//! so an attack goes on being slowed after the real user signed in.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::core::limit::{Limiter, address};

/// Wrong sign-ins for one name from one address before that pair locks.
pub const PAIR_FAILURES: u32 = 5;
/// Wrong sign-ins for one name, from anywhere, before only addresses
/// without a failure for it are let try.
pub const ACCOUNT_FAILURES: u32 = 5;
/// Wrong sign-ins from one address before it is locked (an office may
/// share an address).
pub const ADDRESS_FAILURES: u32 = 10;
/// Failures count within this window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a lock lasts.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Names, pairs and addresses remembered at most, each (expired ones go
/// first; past it a new one is not counted).
const MAX_ENTRIES: usize = 100_000;

/// Why a sign-in is not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This address is locked, for this name or for all; `Duration`: until
    /// when.
    Locked(Duration),
    /// The name is under attack and this address failed for it already;
    /// until that failure's window ends.
    UnderAttack(Duration),
}

impl Refusal {
    pub fn wait(self) -> Duration {
        match self {
            Refusal::Locked(d) | Refusal::UnderAttack(d) => d,
        }
    }
}

/// What a wrong sign-in started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failed {
    /// The (name, address) pair is locked from now.
    pub pair_locked: bool,
    /// The address is locked from now, for every name.
    pub address_locked: bool,
    /// The name came under attack with this failure.
    pub under_attack: bool,
}

pub struct SignInLimiter {
    names: Limiter<String>,
    pairs: Limiter<(String, u128)>,
    addresses: Limiter<u128>,
}

impl Default for SignInLimiter {
    fn default() -> SignInLimiter {
        SignInLimiter {
            names: Limiter::new(ACCOUNT_FAILURES, WINDOW).at_most(MAX_ENTRIES),
            pairs: Limiter::new(PAIR_FAILURES, WINDOW)
                .locking(LOCKOUT)
                .at_most(MAX_ENTRIES),
            addresses: Limiter::new(ADDRESS_FAILURES, WINDOW)
                .locking(LOCKOUT)
                .at_most(MAX_ENTRIES),
        }
    }
}

impl SignInLimiter {
    /// Whether a sign-in for `name_key` from `ip` is checked at all.
    pub fn check(&self, name_key: &str, ip: IpAddr, now: Instant) -> Result<(), Refusal> {
        let pair = self.pairs.check(&(name_key.to_string(), address(ip)), now);
        let addr = self.addresses.check(&address(ip), now);
        let locked = [&pair, &addr].into_iter().filter_map(|r| r.err()).max();
        if let Some(wait) = locked {
            return Err(Refusal::Locked(wait));
        }
        if self.names.check(&name_key.to_string(), now).is_err()
            && let Ok(Some(ends)) = pair
        {
            return Err(Refusal::UnderAttack(ends));
        }
        Ok(())
    }

    /// Counts a wrong sign-in for the name, the pair and the address.
    pub fn failed(&self, name_key: &str, ip: IpAddr, now: Instant) -> Failed {
        let reached = |hits: Result<u32, Duration>, max| hits == Ok(max);
        Failed {
            pair_locked: reached(
                self.pairs.count((name_key.to_string(), address(ip)), now),
                PAIR_FAILURES,
            ),
            address_locked: reached(self.addresses.count(address(ip), now), ADDRESS_FAILURES),
            under_attack: reached(
                self.names.count(name_key.to_string(), now),
                ACCOUNT_FAILURES,
            ),
        }
    }

    /// A right password for `name_key` from `ip`: that pair starts again.
    pub fn succeeded(&self, name_key: &str, ip: IpAddr) {
        self.pairs.clear(&(name_key.to_string(), address(ip)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn five_failures_lock_a_name_from_that_address_only() {
        let limiter = SignInLimiter::default();
        let start = Instant::now();
        for i in 0..PAIR_FAILURES {
            assert!(limiter.check("budi", ip("10.0.0.1"), start).is_ok(), "{i}");
            limiter.failed("budi", ip("10.0.0.1"), start);
        }
        let refused = limiter.check("budi", ip("10.0.0.1"), start).unwrap_err();
        assert_eq!(refused, Refusal::Locked(LOCKOUT));
        // The staff member's own PC, which typed nothing wrong, gets in.
        assert!(limiter.check("budi", ip("10.0.0.99"), start).is_ok());
        assert!(limiter.check("siti", ip("10.0.0.1"), start).is_ok());
        let later = start + LOCKOUT - Duration::from_secs(1);
        assert!(limiter.check("budi", ip("10.0.0.1"), later).is_err());
        assert!(
            limiter
                .check("budi", ip("10.0.0.1"), start + LOCKOUT)
                .is_ok()
        );
    }

    #[test]
    fn a_name_under_attack_is_tried_once_per_address() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        for i in 0..ACCOUNT_FAILURES {
            assert!(
                limiter
                    .check("budi", ip(&format!("10.0.1.{i}")), now)
                    .is_ok()
            );
            let failed = limiter.failed("budi", ip(&format!("10.0.1.{i}")), now);
            assert_eq!(failed.under_attack, i + 1 == ACCOUNT_FAILURES);
        }
        // Each address that failed is refused now; a fresh one is checked.
        let refused = limiter.check("budi", ip("10.0.1.0"), now).unwrap_err();
        assert_eq!(refused, Refusal::UnderAttack(WINDOW));
        assert!(limiter.check("budi", ip("10.0.2.1"), now).is_ok());
        // Once the window is over, the name is not under attack any more.
        assert!(limiter.check("budi", ip("10.0.1.0"), now + WINDOW).is_ok());
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
            let failed = limiter.failed(&format!("orang{i}"), ip("2001:db8::1"), now);
            assert_eq!(failed.address_locked, i + 1 == ADDRESS_FAILURES);
        }
        assert!(
            limiter.check("budi", ip("2001:db8::2"), now).is_err(),
            "same /64"
        );
        assert!(limiter.check("budi", ip("2001:db8:1::1"), now).is_ok());
    }

    #[test]
    fn success_clears_the_pair_only() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        for _ in 0..PAIR_FAILURES - 1 {
            limiter.failed("budi", ip("10.0.0.1"), now);
        }
        limiter.succeeded("budi", ip("10.0.0.1"));
        let failed = limiter.failed("budi", ip("10.0.0.1"), now);
        assert!(!failed.pair_locked);
        assert!(
            limiter.check("budi", ip("10.0.0.1"), now).is_err(),
            "the name is under attack"
        );
        assert!(limiter.check("budi", ip("10.0.0.2"), now).is_ok());
    }
}
