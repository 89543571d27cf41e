//! The daily reminder about missing holiday lists: from 1 October the next
//! year's list is wanted too, since December's deadlines reach into January.
//! Logged at start and then once a day (just after midnight WIB), so an
//! operator who reads the log on any day sees it, and a server running for
//! months does not go quiet about it.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::AppState;
use crate::core::dates;

pub(super) async fn remind_daily(state: Arc<AppState>) {
    loop {
        let now = OffsetDateTime::now_utc().to_offset(dates::WIB);
        for warning in state.calendar().coverage_warnings(now.date()) {
            tracing::warn!("{warning}");
        }
        tokio::time::sleep(until_next_day(now)).await;
    }
}

/// Time from `now` (in WIB) to a few seconds after the next midnight WIB.
fn until_next_day(now: OffsetDateTime) -> Duration {
    let next = now
        .date()
        .next_day()
        .map(|d| d.midnight().assume_offset(dates::WIB));
    match next {
        Some(next) => Duration::try_from(next - now).unwrap_or_default() + Duration::from_secs(5),
        None => Duration::from_secs(24 * 60 * 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn wakes_after_midnight_wib() {
        let now = datetime!(2026-12-23 23:00 +07:00);
        assert_eq!(until_next_day(now), Duration::from_secs(3605));
        let utc = datetime!(2026-12-23 16:59:59 UTC);
        assert_eq!(
            until_next_day(utc.to_offset(dates::WIB)),
            Duration::from_secs(6)
        );
    }
}
