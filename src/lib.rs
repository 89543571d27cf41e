//! loket publishes a public-service office's service standard as a static
//! site and takes citizens' online submissions.
//!
//! The modules follow the data, and depend one way (`cli` → `server` →
//! `desk` → `edit` → `work` → `site` → `notify` → `survey` → `cases` → `office` →
//! `forms` → `core`; `cases` and `notify` never use `site`, and of the desk
//! only its page editor, `desk::pages`, does, to check and preview a change
//! with the generator itself):
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
//!   browser (inbox, case, next step, print view, report), editors edit
//!   the site's pages and files (`/halaman/`), with accounts, roles,
//!   sessions, CSRF tokens and sign-in limits.
//! - [`edit`]: the site as staff edit it on the desk: which files may be
//!   edited, a change checked on a scratch copy of the site, written in
//!   place with the folder's group mode, its versions and drafts in
//!   `data/halaman/`, each version a git commit when the site is a
//!   repository, the line differences between versions, the files of
//!   `static/`.
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
