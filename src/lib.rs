//! loket publishes a public-service office's service standard as a static
//! site and takes citizens' online submissions.
//!
//! The modules follow the data, and depend one way (`cli` → `server` →
//! `desk` → `work` → `site` → `notify` → `survey` → `cases` → `office` → `forms` →
//! `core`; `cases`, `notify` and `desk` never use `site`):
//!
//! - [`site`]: the site folder → model → pages on disk (content, markdown,
//!   templates, checks, build, compressed copies, hashed assets, output,
//!   watch, the published survey results).
//! - [`office`]: the office as data: site.yaml's settings, the terms and
//!   deadlines of the service standard, and the one Tera registry of the
//!   site's, the desk's and the mail's templates.
//! - [`forms`]: the office's form files (`forms/*.yaml`): what each form
//!   asks for, its term and its steps, and how answers are checked.
//! - [`cases`]: a submission once it is a case: its record, ticket, the
//!   durable store, the steps of its form, and what staff run on the
//!   records (inbox, report, verify, backup, purge).
//! - [`notify`]: mail: the durable outbox, what each message says, the
//!   SMTP sender, the staff's daily digest; WhatsApp and `mailto:` links.
//! - [`server`]: `loket serve`: connections, routes, reading a form post,
//!   the receipt (with the access code, once), `/cek-status/`, static
//!   files, health, publishing a new build; and the second listener of the
//!   staff desk.
//! - [`desk`]: the staff desk: staff sign in and work the cases in a
//!   browser (inbox, case, next step, print view, report), with accounts,
//!   sessions, CSRF tokens and sign-in limits.
//! - [`work`]: what the office does, once, for the server, the desk and the
//!   command line: submit, take a step or move a case (with the audit line
//!   and the citizen's mail), report, purge, backup, restore, verify, and
//!   the audit log.
//! - [`survey`]: the Survei Kepuasan Masyarakat: the nine elements and
//!   their wording, invitations and answers, the index of a period, and
//!   the results staff publish.
//! - [`cli`]: the command line, the operator's settings.
//! - [`core`]: dates and the working-day calendar, YAML, diagnostics, CSV,
//!   file-system helpers, text, random tokens and secrets, the one rate
//!   limiter.

pub mod cases;
pub mod cli;
pub mod core;
pub mod desk;
pub mod edit;
pub mod forms;
pub mod notify;
pub mod office;
pub mod server;
pub mod site;
pub mod survey;
pub mod work;
