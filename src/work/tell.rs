//! Tell the citizen: after a step is written, the message about it goes to
//! the outbox when mail is on, the step is news to them and they gave an
//! email address (the server's sender sends it).

use std::path::Path;

use super::Work;

/// Queues the citizen's message about the step just `written` to the
/// record at `path`; returns whether one was queued.
pub fn tell_citizen(w: &Work, path: &Path, written: &str) -> Result<bool, String> {
    match &w.composer {
        Some(composer) => crate::notify::queue_written_step(&w.data, composer, path, written),
        None => Ok(false),
    }
}
