//! The staff's daily digest: each working day at `digest_at` (07:00 WIB
//! unless set otherwise), the cases due that day, overdue, and waiting, as
//! one message; none when no case is open. The day of the last digest is
//! kept in the outbox (`last-digest`), so a restart sends no second one,
//! and a server started after the hour sends that day's at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use time::{Date, OffsetDateTime};
use tokio::sync::Notify;

use super::compose::Composer;
use super::outbox::{Durability, Outbox};
use crate::core::calendar::Calendar;
use crate::core::dates::WIB;

/// The longest sleep between two looks at the clock (it may be set).
const LOOK_AT_LEAST_EVERY: Duration = Duration::from_secs(60);

/// Makes the digest every working day at `hour:minute` WIB until the
/// runtime stops. `source` gives the current calendar and composer (the
/// site may be published again meanwhile).
pub async fn run(
    data: PathBuf,
    (hour, minute): (u8, u8),
    wake: Arc<Notify>,
    source: impl Fn() -> Option<(Arc<Calendar>, Composer)> + Send + Sync + 'static,
) {
    let outbox = Outbox::at(&data);
    let source = Arc::new(source);
    let mut first = true;
    loop {
        let now = OffsetDateTime::now_utc().to_offset(WIB);
        let today = now.date();
        let due = at(today, hour, minute);
        let made_already = outbox.last_digest().is_some_and(|last| last >= today);
        if first && now >= due && made_already {
            // Said once, at start: a restart the same day sends nothing.
            tracing::info!("digest of {today} made already");
        }
        first = false;
        if now >= due && !made_already {
            let (data, outbox, source) = (data.clone(), outbox.clone(), source.clone());
            let made = tokio::task::spawn_blocking(move || make(&data, &outbox, today, &*source))
                .await
                .unwrap_or(false);
            if made {
                wake.notify_one();
            }
        }
        let next = if now < due {
            due
        } else {
            at(today.next_day().unwrap_or(today), hour, minute)
        };
        let wait = Duration::try_from(next - now).unwrap_or_default();
        tokio::time::sleep(wait.min(LOOK_AT_LEAST_EVERY)).await;
    }
}

fn at(day: Date, hour: u8, minute: u8) -> OffsetDateTime {
    let clock = time::Time::from_hms(hour, minute, 0).unwrap_or(time::Time::MIDNIGHT);
    day.with_time(clock).assume_offset(WIB)
}

/// Queues the digest of `today` if it is a working day and a case is open;
/// notes the day either way. Whether a message was queued.
fn make(
    data: &std::path::Path,
    outbox: &Outbox,
    today: Date,
    source: &dyn Fn() -> Option<(Arc<Calendar>, Composer)>,
) -> bool {
    let Some((calendar, composer)) = source() else {
        return false;
    };
    let mut queued = false;
    if calendar.is_working_day(today) {
        let (records, problems) = crate::cases::load_all(data);
        if !problems.is_empty() {
            tracing::warn!(
                "digest: {} record(s) could not be read (loket verify names them)",
                problems.len()
            );
        }
        match composer.digest(today, &records) {
            Ok(Some(message)) => match outbox.put(&message, Durability::Now) {
                Ok(name) => {
                    tracing::info!("digest of {today} queued as {name}");
                    queued = true;
                }
                Err(e) => {
                    tracing::error!("cannot queue the digest: {e}");
                    return false;
                }
            },
            Ok(None) => tracing::info!("no digest on {today}: no open case"),
            Err(e) => {
                tracing::error!("{e}");
                return false;
            }
        }
    }
    if let Err(e) = outbox.set_last_digest(today) {
        tracing::error!("cannot note the digest's day in the outbox: {e}");
    }
    queued
}
