//! The deadline rules: a case's next deadline, and whether it is late.
//! One home for [`Record`] and the index's summaries
//! ([`crate::cases::index::Summary`]).

use time::{Date, OffsetDateTime};

use crate::forms::spec::FormSpec;

use super::Record;

impl Record {
    /// The deadline the citizen was given: completion when the term runs
    /// until completion, else the first response.
    pub fn promised_due(&self) -> Date {
        self.completion_due.unwrap_or(self.response_due)
    }

    /// Its next deadline while open ([`next_due`]).
    pub fn next_due(&self) -> Date {
        next_due(
            self.first_response_at,
            self.response_due,
            self.completion_due,
        )
    }

    /// Whether a deadline has passed on `today` without the step it asks
    /// for (never while it waits for its citizen when the office `pauses`
    /// the clock).
    pub fn is_overdue(&self, form: Option<&FormSpec>, today: Date, pauses: bool) -> bool {
        let waits = form
            .and_then(|f| f.step(&self.status))
            .is_some_and(|s| s.asks_citizen);
        is_overdue(
            self.is_closed(form),
            pauses && waits,
            self.first_response_at,
            self.response_due,
            self.completion_due,
            today,
        )
    }
}

/// Whether a deadline has passed on `today` without the step it asks for:
/// the one rule for [`Record`] and the index's summaries. A case that
/// waits for its citizen while the clock is `paused` is not late: its
/// deadlines move when the wait ends ([`crate::cases::waiting`]).
pub fn is_overdue(
    closed: bool,
    paused: bool,
    first_response_at: Option<OffsetDateTime>,
    response_due: Date,
    completion_due: Option<Date>,
    today: Date,
) -> bool {
    if closed || paused {
        return false;
    }
    let response_late = first_response_at.is_none() && today > response_due;
    let completion_late = completion_due.is_some_and(|d| today > d);
    response_late || completion_late
}

/// The next deadline of an open case: its response until it has one, then
/// its completion (when its form gives one). The one rule for the desk's
/// inbox and the staff's daily digest.
pub fn next_due(
    first_response_at: Option<OffsetDateTime>,
    response_due: Date,
    completion_due: Option<Date>,
) -> Date {
    match (first_response_at, completion_due) {
        (Some(_), Some(done)) => done,
        _ => response_due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_response_is_due_until_given_then_the_completion() {
        let (response, completion) = (date!(2026 - 12 - 04), Some(date!(2026 - 12 - 18)));
        let answered = Some(datetime!(2026-12-01 09:00 +07:00));
        assert_eq!(next_due(None, response, completion), response);
        assert_eq!(
            next_due(answered, response, completion),
            date!(2026 - 12 - 18)
        );
        assert_eq!(next_due(answered, response, None), response);
    }

    #[test]
    fn late_after_a_deadline_unless_closed_or_paused() {
        let response = date!(2026 - 12 - 04);
        let late = |closed, paused, answered, completion, today| {
            is_overdue(closed, paused, answered, response, completion, today)
        };
        let answered = Some(datetime!(2026-12-01 09:00 +07:00));
        assert!(!late(false, false, None, None, response), "due today");
        assert!(late(false, false, None, None, date!(2026 - 12 - 05)));
        assert!(!late(true, false, None, None, date!(2026 - 12 - 05)));
        assert!(!late(false, true, None, None, date!(2026 - 12 - 05)));
        assert!(!late(false, false, answered, None, date!(2026 - 12 - 05)));
        let completion = Some(date!(2026 - 12 - 18));
        assert!(!late(
            false,
            false,
            answered,
            completion,
            date!(2026 - 12 - 18)
        ));
        assert!(late(
            false,
            false,
            answered,
            completion,
            date!(2026 - 12 - 19)
        ));
    }
}
