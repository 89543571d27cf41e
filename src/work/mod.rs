//! What the office does, once, for every front end: the public server, the
//! staff desk and the command line call these use cases, and only read
//! their requests and render or print the answers.
//!
//! - [`steps`]: take a step on a case, move it to the other form, or send
//!   its citizen a message without a step; the step rules ([`cases::apply`](crate::cases::apply)), the audit line
//!   and the citizen's mail happen there, once.
//! - [`intake`] (with [`body`]): a form post read within its bounds, its
//!   uploads checked (sanitized) or held for the next round: the public
//!   form and the desk's new case.
//! - [`submit`]: a checked form becomes a case (the public server, and the
//!   desk for a case from another channel).
//! - [`code`]: a new access code for a case (the desk and `loket code`).
//! - [`confidential`]: staff mark a case confidential, with a reason.
//! - [`documents`]: the values staff type for a case's printed documents.
//! - [`report`]: the monthly report (the desk and `loket report`).
//! - [`care`]: purge, backup, restore and verify (the command line).
//! - [`audit`]: the audit log, and who acts ([`audit::Actor`]).

pub mod audit;
pub mod body;
pub mod care;
pub mod code;
pub mod confidential;
pub mod documents;
pub mod intake;
pub mod report;
pub mod steps;
pub mod submit;

use std::path::PathBuf;
use std::sync::Arc;

use crate::core::calendar::Calendar;

use crate::forms::Forms;
use crate::notify::Composer;

pub use audit::{Actor, Via};
pub use steps::{StepDone, StepError, move_case, send_message, take_step};

/// What every use case needs: the data folder, and the mail composer when
/// the citizen's mail is on (`None`: no mail is queued).
#[derive(Debug, Clone)]
pub struct Work {
    pub data: PathBuf,
    /// The site's forms: every case is worked by its form's steps.
    pub forms: Forms,
    pub composer: Option<Composer>,
    /// The office's calendar when it pauses the clock while a case waits
    /// for its citizen (`office.pause_while_waiting`): a step that leaves
    /// the wait moves the deadlines ([`crate::cases::waiting::left`]).
    /// `None`: the clock runs on.
    pub paused: Option<Arc<Calendar>>,
}
