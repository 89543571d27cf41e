//! Laporan: the monthly report of `loket report`, for any month: a summary
//! page on the desk, the report itself (the site's `laporan.html`, with the
//! office's letterhead, ready to print) and its CSV, to view or download.
//!
//! The report is the one `loket report` writes ([`report::month_report`],
//! [`ReportView`], [`render_csv`]); the desk only picks the month. The
//! report's own page keeps its inline styles (it is one self-contained
//! file), so it is sent with a policy of its own: no script, no requests,
//! a sandbox. Opening or downloading it is written to the audit log.

use std::sync::Arc;

use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use time::Month;

use super::http::{bytes, query};
use super::{Body, Desk, Staff, html_page, messages, views};
use crate::cases::report::{self, MonthReport, ReportView, render_csv};
use crate::core::dates;
use crate::work;
use crate::work::audit::Action;

/// The report page's own Content-Security-Policy: its styles are inline.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

#[derive(Serialize)]
struct ReportPage {
    month: String,
    error: String,
    /// The report, when the month is known.
    r: Option<ReportView>,
    html_url: String,
    csv_url: String,
    download_url: String,
}

fn month_text(year: i32, month: Month) -> String {
    format!("{year:04}-{:02}", u8::from(month))
}

/// The month's report from the data folder, in a blocking task.
async fn compute(desk: &Desk, year: i32, month: Month) -> Option<MonthReport> {
    let office = (desk.office)();
    let data = desk.data.clone();
    let today = dates::today();
    tokio::task::spawn_blocking(move || {
        work::report::month_report(
            &data,
            (&office.calendar, &office.terms, &office.forms),
            (year, month),
            today,
        )
    })
    .await
    .ok()
}

pub async fn handle(
    desk: &Arc<Desk>,
    req: &Request<hyper::body::Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    if rest.is_empty() {
        return summary(desk, req, staff).await;
    }
    let file = rest
        .strip_prefix("laporan-")
        .and_then(|r| r.rsplit_once('.'))
        .and_then(|(m, ext)| Some((report::parse_month(m).ok()?, ext)));
    let download = query(req).iter().any(|(k, v)| k == "unduh" && v == "1");
    match file {
        Some(((year, month), "html")) => html_file(desk, staff, year, month, download).await,
        Some(((year, month), "csv")) => csv_file(desk, staff, year, month).await,
        _ => desk.error_page(Some(staff), messages::REPORT_UNKNOWN),
    }
}

async fn summary(
    desk: &Arc<Desk>,
    req: &Request<hyper::body::Incoming>,
    staff: &Staff,
) -> Response<Body> {
    let today = dates::today();
    let asked = query(req)
        .into_iter()
        .find(|(k, _)| k == "bulan")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let (month, error) = match asked.as_deref().map(report::parse_month) {
        None => (Some((today.year(), today.month())), String::new()),
        Some(Ok(m)) => (Some(m), String::new()),
        Some(Err(_)) => (
            None,
            "Bulan tidak dikenal. Pilih bulan, atau tulis tahun dan bulannya seperti 2026-11."
                .to_string(),
        ),
    };
    let mut view = ReportPage {
        month: asked.unwrap_or_default(),
        error,
        r: None,
        html_url: String::new(),
        csv_url: String::new(),
        download_url: String::new(),
    };
    let mut status = StatusCode::BAD_REQUEST;
    if let Some((year, month)) = month {
        let Some(computed) = compute(desk, year, month).await else {
            return super::http::plain_error();
        };
        let stem = report::file_stem(year, month);
        view.month = month_text(year, month);
        view.r = Some(ReportView::new(&computed));
        view.html_url = format!("{}{stem}.html", super::REPORT_PATH);
        view.download_url = format!("{}{stem}.html?unduh=1", super::REPORT_PATH);
        view.csv_url = format!("{}{stem}.csv", super::REPORT_PATH);
        status = StatusCode::OK;
    }
    let chrome = desk.chrome(Some(staff), "laporan");
    html_page(status, views::render("laporan.html", &chrome, &view))
}

/// Audits a report file; on failure the file is not sent.
async fn audited(desk: &Desk, staff: &Staff, detail: String) -> Result<(), Response<Body>> {
    desk.audit(&staff.session.name, Action::Report, None, &detail)
        .await
        .map_err(|e| {
            tracing::error!(target: "loket::desk", "cannot write the audit log: {e}");
            desk.error_page(Some(staff), messages::REPORT_NOT_AUDITED)
        })
}

fn attach(response: &mut Response<Body>, disposition: &str) {
    if let Ok(value) = HeaderValue::from_str(disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
}

async fn html_file(
    desk: &Arc<Desk>,
    staff: &Staff,
    year: i32,
    month: Month,
    download: bool,
) -> Response<Body> {
    let Some(computed) = compute(desk, year, month).await else {
        return super::http::plain_error();
    };
    let office = (desk.office)();
    let rendered = office.templates.render_report(
        &office.config.to_template_value().office,
        &ReportView::new(&computed),
    );
    let body = match rendered {
        Ok(body) => body,
        Err(d) => {
            tracing::error!(target: "loket::desk", "the report template failed: {d}");
            return desk.error_page(Some(staff), messages::REPORT_TEMPLATE_FAILED);
        }
    };
    let what = if download { "html download" } else { "html" };
    if let Err(page) = audited(desk, staff, format!("{} {what}", month_text(year, month))).await {
        return page;
    }
    let stem = report::file_stem(year, month);
    let mut response = bytes(
        StatusCode::OK,
        "text/html; charset=utf-8",
        body.into_bytes(),
    );
    let kind = if download { "attachment" } else { "inline" };
    attach(&mut response, &format!("{kind}; filename=\"{stem}.html\""));
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(REPORT_CSP),
    );
    response
}

async fn csv_file(desk: &Arc<Desk>, staff: &Staff, year: i32, month: Month) -> Response<Body> {
    let Some(computed) = compute(desk, year, month).await else {
        return super::http::plain_error();
    };
    if let Err(page) = audited(desk, staff, format!("{} csv", month_text(year, month))).await {
        return page;
    }
    let stem = report::file_stem(year, month);
    let mut response = bytes(
        StatusCode::OK,
        "text/csv; charset=utf-8",
        render_csv(&computed).into_bytes(),
    );
    attach(
        &mut response,
        &format!("attachment; filename=\"{stem}.csv\""),
    );
    response
}
