//! How many receipts one address is sent. A form takes any address, so
//! without a limit anyone could have loket mail a third party as often as
//! they post (and the per-client rate limit counts clients, not the
//! address). [`ReceiptLimit`] lets [`RECEIPTS_PER_ADDRESS`] receipts go to
//! one address per [`WINDOW`]; past that a submission is accepted as
//! always, with its ticket and code on the receipt page, but no receipt
//! mail. The steps staff record still reach the address: staff chose them.
//!
//! Counted in memory (a restart starts again from zero), per address
//! lower-cased and without a `+tag` (`siti+1@…` reaches `siti@…`), kept
//! as a SHA-256 of that, never the address itself.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Receipts one address may get per [`WINDOW`].
pub const RECEIPTS_PER_ADDRESS: usize = 3;

/// The window of [`RECEIPTS_PER_ADDRESS`]: a day.
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Above this many addresses, those with no receipt in the window are
/// forgotten at the next count.
const PRUNE_ABOVE: usize = 4096;

/// The receipts sent per address in the last [`WINDOW`].
#[derive(Debug, Default)]
pub struct ReceiptLimit {
    sent: Mutex<HashMap<[u8; 32], VecDeque<Instant>>>,
}

impl ReceiptLimit {
    /// Whether a receipt may go to `address` now; if so it is counted.
    pub fn allow(&self, address: &str) -> bool {
        self.allow_at(address, Instant::now())
    }

    fn allow_at(&self, address: &str, now: Instant) -> bool {
        let key: [u8; 32] = Sha256::digest(normalized(address).as_bytes()).into();
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if sent.len() > PRUNE_ABOVE {
            sent.retain(|_, times| times.back().is_some_and(|t| now - *t < WINDOW));
        }
        let times = sent.entry(key).or_default();
        while times.front().is_some_and(|t| now - *t >= WINDOW) {
            times.pop_front();
        }
        if times.len() >= RECEIPTS_PER_ADDRESS {
            return false;
        }
        times.push_back(now);
        true
    }
}

/// `Siti+Loket@Contoh.ID ` as `siti@contoh.id`: one mailbox, however it is
/// written.
fn normalized(address: &str) -> String {
    let address = address.trim().to_lowercase();
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split_once('+').map_or(local, |(base, _)| base);
            format!("{local}@{domain}")
        }
        None => address,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_receipts_a_day_per_mailbox_however_it_is_written() {
        let limit = ReceiptLimit::default();
        let start = Instant::now();
        let later = start + Duration::from_secs(3600);
        assert!(limit.allow_at("siti@contoh.id", start));
        for written in ["Siti@Contoh.ID", " siti+x@contoh.id"] {
            assert!(limit.allow_at(written, later), "{written}");
        }
        assert!(!limit.allow_at("siti+y@CONTOH.id", later));
        assert!(limit.allow_at("budi@contoh.id", later), "another address");
        // A day after the first, one goes again.
        let next_day = start + WINDOW;
        assert!(limit.allow_at("siti@contoh.id", next_day));
        assert!(!limit.allow_at("siti@contoh.id", next_day));
    }

    #[test]
    fn addresses_without_a_receipt_in_the_window_are_forgotten() {
        let limit = ReceiptLimit::default();
        let start = Instant::now();
        for i in 0..=PRUNE_ABOVE {
            assert!(limit.allow_at(&format!("w{i}@contoh.id"), start));
        }
        assert!(limit.allow_at("last@contoh.id", start + WINDOW));
        assert_eq!(limit.sent.lock().unwrap().len(), 1);
    }
}
