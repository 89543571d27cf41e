//! loket publishes a public-service office's service standard as a static
//! site and takes citizens' online submissions.
//!
//! The modules follow the data, and depend one way (`cli` → `server` →
//! `desk` → `notify` → `cases` → `site` → `office` → `forms` → `core`):
//!
//! - [`site`]: the site folder → model → pages on disk (config, content,
//!   markdown, templates, checks, build, output, watch).
//! - [`office`]: the office as data: the one Tera registry of the site's,
//!   the desk's and the mail's templates.
//! - [`forms`]: what each form asks for and how answers are checked.
//! - [`cases`]: a submission once it is a case: its record, ticket, the
//!   durable store, the workflow of the service standard, and what staff
//!   run on the records (inbox, report, verify, backup, purge).
//! - [`notify`]: mail: the durable outbox, what each message says, the
//!   SMTP sender, the staff's daily digest; WhatsApp and `mailto:` links.
//! - [`server`]: `loket serve`: connections, routes, reading a form post,
//!   the receipt (with the access code, once), `/cek-status/`, static
//!   files, health, publishing a new build; and the second listener of the
//!   staff desk.
//! - [`desk`]: the staff desk: staff sign in and work the cases in a
//!   browser (inbox, case, next step, print view, report), with accounts,
//!   sessions, CSRF tokens, sign-in limits and an audit log.
//! - [`cli`]: the command line, the operator's settings.
//! - [`core`]: dates and the working-day calendar, YAML, diagnostics, CSV,
//!   file-system helpers.

pub mod cases;
pub mod cli;
pub mod core;
pub mod desk;
pub mod forms;
pub mod notify;
pub mod office;
pub mod server;
pub mod site;
