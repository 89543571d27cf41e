//! Tell the citizen: after a step is written, the message about it goes to
//! the outbox when mail is on, the step is news to them and they gave an
//! email address (the server's sender sends it).

use super::Work;
use crate::cases::Record;

/// Queues the citizen's message about the last step of `record`, just
/// written; returns whether one was queued.
pub fn tell_citizen(w: &Work, record: &Record) -> Result<bool, String> {
    match &w.composer {
        Some(composer) => crate::notify::queue_last_step(&w.data, composer, record),
        None => Ok(false),
    }
}
