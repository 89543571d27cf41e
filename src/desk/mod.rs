//! The staff desk (issue 17): staff work the cases in a browser, signed in,
//! on the office network, on the same records and workflow code as
//! `loket inbox`, `show`, `status` and `report`.
//!
//! `loket serve` runs it on a second listener (`--desk-addr`, see
//! `server::desk`), which answers only what is here; the public listener
//! knows none of these paths. Pages are Tera templates embedded in loket
//! ([`views`], `src/desk/templates/`; a site's `templates/desk/NAME`
//! replaces one), in Indonesian, working without JavaScript (one small
//! script, `assets/sesi.js`, only adds the warning before a session ends),
//! styled by `src/desk/assets/meja.css` (the site's palette and forms).
//!
//! | path | what | who ([`roles`]) |
//! | --- | --- | --- |
//! | `/masuk/` | sign-in ([`signin`]) | anyone |
//! | `/keluar/` (POST) | sign-out | signed in |
//! | `/` | the inbox ([`inbox`]): the cases the account may see | petugas, pengelola-pengaduan, pimpinan |
//! | `/kasus/TICKET/` | a case, and (POST) its next step ([`case`]) | read: as the inbox; POST: petugas, pengelola-pengaduan |
//! | `/kasus/TICKET/pesan/`, `kode/`, `rahasia/`, `lampiran/` (POST) | a message, a new access code, the confidential mark, files | petugas, pengelola-pengaduan |
//! | `/kasus/TICKET/dokumen/` | what staff type for the case's documents, and (POST) keep it | petugas, pengelola-pengaduan |
//! | `/kasus/TICKET/dokumen/NAME/` | a document on A4: `laporan-hasil`, `undangan-pemohon`, `undangan-termohon`, `berita-acara` (never the NIK) | as the case |
//! | `/kasus/TICKET/lampiran/NAME` | an attachment (the KTP not for pimpinan) | as the case |
//! | `/laporan/` | the monthly report, and its files ([`report`]) | petugas, pengelola-pengaduan, pimpinan |
//! | `/laporan/narasi/` (POST) | the period's narrative | petugas, pengelola-pengaduan |
//! | `/survei/` | the satisfaction survey of a period, its follow-up plan, publishing it ([`survey`]) | read: as the report; POST: petugas, pengelola-pengaduan |
//! | `/survei/kode/` | a walk-in citizen's survey code, with its QR to print | petugas, pengelola-pengaduan |
//! | `/kasus-baru/` | record a case from another channel, and (POST) store it ([`intake`]) | petugas, pengelola-pengaduan (their forms) |
//! | `/staf/` | staff accounts: roles, forms, profiles ([`staff_page`]) | admin |
//! | `/halaman/` | the public site's pages and files: edit, preview, check, publish, history, restore, upload ([`pages`]) | penyunting |
//! | `/sesi/` (POST) | keep the session going (the warning before it ends, `aset/sesi.js`) | signed in |
//!
//! Every route after sign-in has its row in [`roles::ROUTES`], which the
//! router consults before any handler: a route without a row is refused.
//! A case the account may not see (confidential without
//! pengelola-pengaduan, another form's for a petugas) answers 404.
//!
//! A session ends after `--desk-idle-secs` without a request: every page
//! says so, and with JavaScript (`/aset/sesi.js`) warns two minutes before
//! and offers to extend it (WCAG 2.2.1). A case's step or message posted
//! after its session ended is kept and offered again after signing in
//! ([`kept`]).
//!
//! Security: accounts in `data/staff.yaml` ([`accounts`], argon2id; roles
//! and profiles: [`profile`]);
//! sessions in memory ([`session`]); every POST carries the session's CSRF
//! token; sign-in is rate limited ([`limiter`]); actions are written to the
//! audit log ([`audit`]). Nothing here logs personal data: the access log
//! (target `loket::desk`) has paths only.

pub mod accounts;
pub use crate::work::audit;
mod case;

mod http;
mod inbox;
mod intake;
mod kept;
mod limiter;
mod messages;
mod pages;
pub mod profile;
mod report;
pub mod roles;
mod session;
mod signin;
mod staff_page;
mod survey;
mod views;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use time::OffsetDateTime;

use crate::core::calendar::Calendar;
use crate::forms::Forms;
use crate::office::config::SiteConfig;
use crate::office::templates::Templates;
use crate::office::terms::Terms;

pub use http::Body;
pub use intake::CaseIntake;
pub use limiter::{ACCOUNT_FAILURES, ADDRESS_FAILURES, LOCKOUT, PAIR_FAILURES};
pub use session::{IDLE, LIFETIME};

use self::http::{html, redirect};
use self::session::Session;
use self::views::Chrome;
use crate::core::secret::same_secret;

/// The name of the session cookie (over HTTPS with the `__Host-` prefix:
/// `Desk::cookie_name`).
pub const SESSION_COOKIE: &str = "loket_meja";
/// The prefix a browser accepts only on a `Secure`, `Path=/` cookie without
/// `Domain`, set by this host itself: a sibling subdomain cannot toss one in.
const HOST_PREFIX: &str = "__Host-";
/// Where the desk's stylesheet is served (to anyone: it holds nothing).
pub const CSS_PATH: &str = "/aset/meja.css";
/// The script that warns before a session ends (progressive enhancement).
pub const SESSION_JS_PATH: &str = "/aset/sesi.js";
/// The script that makes a page editor's preview follow typing.
pub const EDITOR_JS_PATH: &str = "/aset/sunting.js";
/// Where that script keeps a session going (POST).
pub const SESSION_PATH: &str = "/sesi/";
pub const SIGN_IN_PATH: &str = "/masuk/";
pub const SIGN_OUT_PATH: &str = "/keluar/";
pub const REPORT_PATH: &str = "/laporan/";
/// Where staff record a case that came by another channel.
pub const NEW_CASE_PATH: &str = "/kasus-baru/";
/// A case is at `/kasus/TICKET/` (mail to staff links there).
pub const CASE_PREFIX: &str = "/kasus/";
/// The staff accounts, for an admin.
pub const STAFF_PATH: &str = "/staf/";

/// What the desk needs of the site being served: the letterhead, the
/// report template, the holiday calendar and the service terms, as the
/// server has them now (they change when the site is published again).
pub struct Office {
    pub config: SiteConfig,
    pub templates: Arc<Templates>,
    pub calendar: Arc<Calendar>,
    pub terms: Terms,
    /// The site's form files: every case is read through its form.
    pub forms: Forms,
}

impl Office {
    /// Whether the clock stops while a case waits for its citizen
    /// (`office.pause_while_waiting`).
    pub fn pauses(&self) -> bool {
        self.config.office.pause_while_waiting
    }
}

/// How the desk asks the server for the [`Office`] of the moment.
pub type OfficeSource = Box<dyn Fn() -> Office + Send + Sync>;

/// How the desk asks the server to build the site from its folder and
/// serve it (`server::publish`): the answer comes once the new site is
/// served (`Err`: why not, in a line for the log).
pub type Republish = tokio::sync::mpsc::Sender<Republished>;
/// Where the server says how the build went.
pub type Republished = tokio::sync::oneshot::Sender<Result<(), String>>;

#[derive(Clone)]
pub struct DeskOptions {
    /// The data folder: records, `staff.yaml`, `audit/`.
    pub data: PathBuf,
    /// The site folder: the survey results staff publish go there
    /// (`survei/hasil.yaml`).
    pub site: PathBuf,
    /// Where to ask for the site's build; `None`: nobody builds it.
    pub republish: Option<Republish>,
    /// Mark cookies `Secure` on every request, not only on those that a
    /// trusted proxy says came over HTTPS.
    pub secure_cookies: bool,
    /// Mail, when it is on: a step that is news to the citizen queues their
    /// message.
    pub mail: Option<crate::notify::Mail>,
    /// How a case recorded on the desk is read and stored.
    pub intake: CaseIntake,
    /// A session unused this long ends ([`IDLE`] by default).
    pub idle: Duration,
}

/// Who sent a request, as the listener saw it.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    /// The client (from `X-Forwarded-For` when a trusted proxy sent it).
    pub ip: IpAddr,
    /// A trusted proxy said the client used HTTPS.
    pub https: bool,
}

pub struct Desk {
    data: PathBuf,
    site: PathBuf,
    republish: Option<Republish>,
    /// One publishing of survey results at a time (each reads, changes and
    /// writes the site folder's file).
    publishing: tokio::sync::Mutex<()>,
    secure_cookies: bool,
    sessions: session::Sessions,
    limiter: limiter::SignInLimiter,
    /// Password checks at once (each takes 19 MiB and a core for a while).
    hashing: tokio::sync::Semaphore,
    /// Signs the sign-in form's tokens ([`signin`]); random at each start.
    form_key: [u8; 32],
    office: OfficeSource,
    mail: Option<crate::notify::Mail>,
    /// The record index, kept between inbox pages.
    index: crate::cases::index::Memo,
    intake: CaseIntake,
    /// Forms posted after their session ended ([`kept`]).
    kept: kept::KeptPosts,
}

/// A handler's answer: `Err` is an answer returned early with `?` (most
/// often the page that says why not); either is sent as it is.
type Answer = Result<Response<Body>, Response<Body>>;

/// A signed-in request.
struct Staff {
    session: Session,
    token: String,
    /// Every account as `staff.yaml` has them at this request (to name
    /// staff by their profiles).
    accounts: Vec<accounts::Account>,
    /// What this account's roles and forms allow.
    access: roles::Access,
    /// The row of [`roles::ROUTES`] the request came by.
    route: &'static roles::RouteSpec,
    /// What the account may do with the case of a `/kasus/` request, once
    /// the case is read (none before).
    grant: roles::Grant,
}

impl Staff {
    /// How pages name this staff member.
    fn shown(&self) -> String {
        profile::shown(&self.accounts, &self.session.name)
    }
}

impl Desk {
    /// Fails only if the system has no randomness for the form key.
    pub fn new(opts: DeskOptions, office: OfficeSource) -> Result<Desk, getrandom::Error> {
        let mut form_key = [0u8; 32];
        getrandom::fill(&mut form_key)?;
        Ok(Desk {
            data: opts.data,
            site: opts.site,
            republish: opts.republish,
            publishing: tokio::sync::Mutex::new(()),
            secure_cookies: opts.secure_cookies,
            sessions: session::Sessions::new(opts.idle),
            limiter: limiter::SignInLimiter::default(),
            hashing: tokio::sync::Semaphore::new(2),
            form_key,
            office,
            mail: opts.mail,
            index: Default::default(),
            intake: opts.intake,
            kept: Default::default(),
        })
    }

    /// Answers one request of the desk listener.
    pub async fn respond(self: &Arc<Self>, req: Request<Incoming>, peer: Peer) -> Response<Body> {
        let path = req.uri().path().to_string();
        if let Some(asset) = views::asset(&path) {
            return match http::is_read(&req) {
                true => asset,
                false => self.not_allowed(None),
            };
        }
        if path == SIGN_IN_PATH {
            return signin::handle(self, req, peer).await;
        }
        let Some(mut staff) = self.signed_in(&req, peer) else {
            if let Some(ended) = kept::ended_session(self, &req, &path, peer) {
                return kept::keep(self, req, ended, &path).await;
            }
            return self.not_signed_in(&req, &path);
        };
        // The one check of every route: its row, and the roles it needs.
        staff.route = match roles::route(req.method(), &path) {
            roles::Routed::Found(spec) => spec,
            roles::Routed::WrongMethod => return self.not_allowed(Some(&staff)),
            roles::Routed::NotListed => {
                return self.error_page(Some(&staff), messages::PAGE_UNKNOWN);
            }
        };
        if !staff.access.may(staff.route.need) {
            if path == "/" && staff.access.may(roles::Permission::Admin) {
                return redirect(STAFF_PATH);
            }
            if path == "/" && staff.access.may(roles::Permission::Edit) {
                return redirect(pages::PAGES_PATH);
            }
            return self.error_page(Some(&staff), messages::FORBIDDEN);
        }
        if path == STAFF_PATH {
            return staff_page::handle(self, req, &staff)
                .await
                .unwrap_or_else(|page| page);
        }
        if path == SESSION_PATH {
            return kept::extend(self, req, &staff).await;
        }
        if path == SIGN_OUT_PATH {
            return match http::is_read(&req) {
                true => self.not_allowed(Some(&staff)),
                false => signin::sign_out(self, req, staff, peer).await,
            };
        }
        if path == "/" {
            return match http::is_read(&req) {
                true => inbox::page(self, &req, &staff).await,
                false => self.not_allowed(Some(&staff)),
            };
        }
        if let Some(rest) = path.strip_prefix(REPORT_PATH) {
            return report::handle(self, req, &staff, rest).await;
        }
        if let Some(rest) = path.strip_prefix(survey::SURVEY_PATH) {
            return survey::handle(self, req, &staff, rest).await;
        }
        if let Some(rest) = path.strip_prefix(pages::PAGES_PATH) {
            return pages::handle(self, req, &staff, rest).await;
        }
        if let Some(rest) = path.strip_prefix(NEW_CASE_PATH) {
            return intake::handle(self, req, staff, rest).await;
        }
        if let Some(rest) = path.strip_prefix(CASE_PREFIX) {
            return case::handle(self, req, staff, rest.to_string()).await;
        }
        self.error_page(Some(&staff), messages::PAGE_UNKNOWN)
    }

    /// The session of the request's cookie, if it is live and its account
    /// still has the password it signed in with.
    fn signed_in<B>(&self, req: &Request<B>, peer: Peer) -> Option<Staff> {
        let token = http::cookie(req, &self.cookie_name(SESSION_COOKIE, peer))?;
        let session = self.sessions.get(&token, Instant::now())?;
        let accounts = match accounts::load(&self.data) {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(target: "loket::desk", "cannot read the staff accounts: {e}");
                return None;
            }
        };
        let current = accounts::find(&accounts, &session.name);
        let Some(current) =
            current.filter(|a| a.name == session.name && a.stamp() == session.stamp)
        else {
            // Password changed or account removed: every session of it ends.
            self.sessions.remove_all_of(&session.name);
            return None;
        };
        let access = roles::Access::of(current);
        Some(Staff {
            session,
            token,
            accounts,
            access,
            route: &roles::ROUTES[0],
            grant: roles::Grant::None,
        })
    }

    fn not_signed_in<B>(&self, req: &Request<B>, path: &str) -> Response<Body> {
        let is_page = http::is_read(req) && !path.contains("/lampiran/");
        if is_page {
            let back = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .and_then(http::local_path)
                .filter(|p| *p != "/");
            let location = match back {
                Some(back) => format!(
                    "{SIGN_IN_PATH}?lanjut={}",
                    form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
                ),
                None => SIGN_IN_PATH.to_string(),
            };
            return redirect(&location);
        }
        self.error_page(None, messages::SIGN_IN_FIRST)
    }

    /// Whether a posted form carries the session's CSRF token.
    fn csrf_ok(staff: &Staff, form: &http::Form) -> bool {
        same_secret(&form.get("csrf"), &staff.session.csrf)
    }

    /// A signed-in staff member's posted form, read within its limits and
    /// with the session's CSRF token; else the page that says why not.
    async fn posted(
        &self,
        req: Request<Incoming>,
        staff: &Staff,
    ) -> Result<http::Form, Response<Body>> {
        let posted = http::read_form(req)
            .await
            .map_err(|e| self.form_error(Some(staff), e))?;
        match Desk::csrf_ok(staff, &posted) {
            true => Ok(posted),
            false => Err(self.csrf_refused(Some(staff))),
        }
    }

    fn chrome(&self, staff: Option<&Staff>, nav: &'static str) -> Chrome {
        let office = (self.office)();
        Chrome {
            templates: office.templates,
            office: office.config.office.name.clone(),
            user: staff.map(Staff::shown),
            may: staff.map(|s| views::May::of(&s.access)).unwrap_or_default(),
            csrf: staff.map(|s| s.session.csrf.clone()).unwrap_or_default(),
            nav,
            idle_secs: self.sessions.idle().as_secs(),
            idle_words: match self.sessions.idle().as_secs() {
                s if s % 60 == 0 => format!("{} menit", s / 60),
                s => format!("{s} detik"),
            },
        }
    }

    /// A signed-in page: `template` (of `src/desk/templates/`) with `view`,
    /// `nav` marked in the menu.
    fn page(
        &self,
        staff: &Staff,
        nav: &'static str,
        template: &str,
        status: StatusCode,
        view: &impl serde::Serialize,
    ) -> Response<Body> {
        let chrome = self.chrome(Some(staff), nav);
        html_page(status, views::render(template, &chrome, view))
    }

    fn error_page(&self, staff: Option<&Staff>, notice: messages::Notice) -> Response<Body> {
        views::error(&self.chrome(staff, ""), notice)
    }

    fn not_allowed(&self, staff: Option<&Staff>) -> Response<Body> {
        self.error_page(staff, messages::METHOD_NOT_ALLOWED)
    }

    fn form_error(&self, staff: Option<&Staff>, e: http::FormError) -> Response<Body> {
        let notice = match e {
            http::FormError::Type => messages::FORM_NOT_URLENCODED,
            http::FormError::TooLarge => messages::FORM_TOO_LONG,
            http::FormError::Incomplete => messages::FORM_INCOMPLETE,
        };
        self.error_page(staff, notice)
    }

    fn csrf_refused(&self, staff: Option<&Staff>) -> Response<Body> {
        self.error_page(staff, messages::FORM_EXPIRED)
    }

    /// Appends to the audit log (in a blocking task: it waits for the disk);
    /// a failure is logged.
    async fn audit(&self, staff: &str, action: audit::Action, ticket: Option<&str>, detail: &str) {
        let _ = self.audited(staff, action, ticket, detail).await;
    }

    /// [`Desk::audit`], saying whether the line was written: for what must
    /// not happen unaudited (a printed document, an attachment, a report file).
    #[must_use]
    async fn audited(
        &self,
        staff: &str,
        action: audit::Action,
        ticket: Option<&str>,
        detail: &str,
    ) -> bool {
        let data = self.data.clone();
        let (staff, ticket, detail) = (
            staff.to_string(),
            ticket.map(str::to_string),
            detail.to_string(),
        );
        let now = OffsetDateTime::now_utc();
        let written =
            blocking(move || audit::append(&data, now, &staff, action, ticket.as_deref(), &detail))
                .await;
        log_unaudited(&written);
        written.is_ok()
    }

    /// Has the server build the site from its folder and serve it; returns
    /// once it does (survey results and edited pages are published so).
    pub(crate) async fn rebuild_site(&self) -> Result<(), String> {
        let Some(republish) = &self.republish else {
            return Err("no server to build the site".into());
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        republish
            .send(reply)
            .await
            .map_err(|_| "the server's builder has stopped".to_string())?;
        answer
            .await
            .map_err(|_| "the server's builder has stopped".to_string())?
    }

    /// Whether this request's cookies are `Secure`: always with
    /// `desk_secure_cookies`, else when a trusted proxy says HTTPS.
    fn secure(&self, peer: Peer) -> bool {
        self.secure_cookies || peer.https
    }

    /// A cookie's name for this request: `__Host-NAME` when its cookies are
    /// `Secure`, `NAME` on plain HTTP (where a browser refuses the prefix).
    /// A cookie is read only under the name it would be set with, so over
    /// HTTPS a cookie without the prefix (tossed in by a sibling
    /// subdomain) is never read.
    fn cookie_name(&self, name: &str, peer: Peer) -> String {
        match self.secure(peer) {
            true => format!("{HOST_PREFIX}{name}"),
            false => name.to_string(),
        }
    }

    /// The session cookie's attributes for this request.
    fn cookie_attributes(&self, peer: Peer) -> &'static str {
        match self.secure(peer) {
            true => "Path=/; HttpOnly; SameSite=Strict; Secure",
            false => "Path=/; HttpOnly; SameSite=Strict",
        }
    }
}

/// Runs blocking work (the disk, a diff) in a task of its own; one that
/// panicked is an I/O error.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

/// Logs that the audit line of what was done could not be written (what
/// was done stands).
fn log_unaudited(audit: &std::io::Result<()>) {
    if let Err(e) = audit {
        tracing::error!(target: "loket::desk", "cannot write the audit log: {e}");
    }
}

/// A page answered with `status`, or the plain error if its template fails.
fn html_page(status: StatusCode, rendered: Result<String, views::ViewError>) -> Response<Body> {
    match rendered {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(target: "loket::desk", "a desk page failed to render: {e}");
            http::plain_error()
        }
    }
}
