//! The desk's pages: Tera templates embedded in loket (`templates/`), and
//! its stylesheet (`assets/meja.css`). Every page sees `desk` (the office's
//! name, who is signed in, the CSRF token for its forms, which menu item is
//! current) and `v`, the page's own view.

use std::sync::LazyLock;

use hyper::{Response, StatusCode};
use serde::Serialize;
use tera::{Context, Tera};

use super::Body;
use super::http::{bytes, html, plain_error};

const TEMPLATES: [(&str, &str); 7] = [
    ("base.html", include_str!("templates/base.html")),
    ("masuk.html", include_str!("templates/masuk.html")),
    (
        "kotak-masuk.html",
        include_str!("templates/kotak-masuk.html"),
    ),
    ("kasus.html", include_str!("templates/kasus.html")),
    ("cetak.html", include_str!("templates/cetak.html")),
    ("laporan.html", include_str!("templates/laporan.html")),
    ("galat.html", include_str!("templates/galat.html")),
];

const STYLESHEET: &str = include_str!("assets/meja.css");

pub type ViewError = tera::Error;

static TERA: LazyLock<Result<Tera, String>> = LazyLock::new(|| {
    let mut tera = Tera::new();
    tera.add_raw_templates(TEMPLATES)
        .map(|_| tera)
        .map_err(|e| format!("{e:?}"))
});

/// What every page shows around its content.
#[derive(Debug, Clone, Serialize)]
pub struct Chrome {
    pub office: String,
    /// The signed-in staff member.
    pub user: Option<String>,
    /// The token every form of the page carries.
    pub csrf: String,
    /// The current menu item: "kotak-masuk", "laporan", or "".
    pub nav: &'static str,
}

pub fn render(name: &str, chrome: &Chrome, view: &impl Serialize) -> Result<String, ViewError> {
    let tera = TERA.as_ref().map_err(|e| tera::Error::message(e.clone()))?;
    let mut ctx = Context::new();
    ctx.insert("desk", chrome);
    ctx.insert("v", view);
    tera.render(name, &ctx)
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

pub fn stylesheet() -> Response<Body> {
    bytes(
        StatusCode::OK,
        "text/css; charset=utf-8",
        STYLESHEET.as_bytes().to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_parse() {
        if let Err(e) = TERA.as_ref() {
            panic!("{e}");
        }
    }
}
