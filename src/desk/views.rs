//! The desk's pages: Tera templates under `desk/` in the one registry
//! ([`crate::office::templates`]; loket's own in `src/desk/templates/`,
//! each overridable by the site's `templates/desk/NAME`), and its stylesheet
//! (`assets/meja.css`). Every page sees `desk` (the office's name, who is
//! signed in, the CSRF token for its forms, which menu item is current) and
//! `v`, the page's own view.

use std::sync::Arc;

use hyper::{Response, StatusCode};
use serde::Serialize;
use tera::Context;

use super::Body;
use super::http::{bytes, html, plain_error};
use crate::office::templates::{DESK, Templates};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
/// The desk's own files, served to anyone (they hold nothing): where,
/// their media type, and what.
const ASSETS: [(&str, &str, &str); 3] = [
    (super::CSS_PATH, CSS, include_str!("assets/meja.css")),
    // The script that warns before a session ends.
    (super::SESSION_JS_PATH, JS, include_str!("assets/sesi.js")),
    // The script that makes a page editor's preview follow typing.
    (super::EDITOR_JS_PATH, JS, include_str!("assets/sunting.js")),
];

pub type ViewError = tera::Error;

/// What every page shows around its content.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    /// The templates of the site being served (a new publish brings new
    /// ones).
    #[serde(skip)]
    pub templates: Arc<Templates>,
    pub office: String,
    /// The signed-in staff member, as pages name them (full name and
    /// position; the login without a profile).
    pub user: Option<String>,
    /// What the menu offers them.
    pub may: May,
    /// The token every form of the page carries.
    pub csrf: String,
    /// The current menu item: "kotak-masuk", "laporan", or "".
    pub nav: &'static str,
    /// Seconds a session may go unused (for the warning's script).
    pub idle_secs: u64,
    /// The same in words ("30 menit"), said on every page.
    pub idle_words: String,
}

/// The menu items a staff member's roles allow.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct May {
    pub cases: bool,
    pub work: bool,
    pub report: bool,
    pub staff: bool,
    /// The public site's pages (penyunting).
    pub edit: bool,
}

impl May {
    pub fn of(access: &super::roles::Access) -> May {
        use super::roles::Permission;
        May {
            cases: access.may(Permission::Read),
            work: access.may(Permission::Work),
            report: access.may(Permission::Report),
            staff: access.may(Permission::Admin),
            edit: access.may(Permission::Edit),
        }
    }
}

pub fn render(name: &str, chrome: &Chrome, view: &impl Serialize) -> Result<String, ViewError> {
    let mut ctx = Context::new();
    ctx.insert("desk", chrome);
    ctx.insert("v", view);
    chrome.templates.render(&format!("{DESK}{name}"), &ctx)
}

/// One option of a select, as the desk's templates show it.
#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

#[derive(Serialize)]
struct ErrorView<'a> {
    code: u16,
    title: &'a str,
    message: &'a str,
}

/// An error page in Indonesian with `status`.
pub fn error(chrome: &Chrome, notice: crate::core::web::Notice) -> Response<Body> {
    let view = ErrorView {
        code: notice.status.as_u16(),
        title: notice.title,
        message: &notice.text,
    };
    match render("galat.html", chrome, &view) {
        Ok(body) => html(notice.status, body),
        Err(e) => {
            tracing::error!(target: "loket::desk", "the error page failed to render: {e}");
            plain_error()
        }
    }
}

/// The desk's own file at `path`, if it is one of [`ASSETS`].
pub fn asset(path: &str) -> Option<Response<Body>> {
    let (_, media_type, text) = ASSETS.iter().find(|(at, ..)| *at == path)?;
    Some(bytes(StatusCode::OK, media_type, text.as_bytes().to_vec()))
}
