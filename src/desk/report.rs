//! Laporan: the report of `loket report`, for any month, quarter or year:
//! a summary page on the desk, the report itself (the site's
//! `laporan.html`, with the office's letterhead, ready to print) and its
//! CSV, to view or download; and the period's narrative (problems and
//! follow-up) staff write on the summary page (`POST /laporan/narasi/`,
//! CSRF-checked, audited), kept in the data folder
//! ([`crate::cases::report::narrative`]) and printed in the report.
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

use super::http::{self, Form, bytes, query};
use super::{Answer, Body, Desk, Staff, blocking, messages};
use crate::cases::report::narrative::{self, Narrative};
use crate::cases::report::{self, MonthReport, Period, ReportView, Span, render_csv};
use crate::core::dates;
use crate::work;
use crate::work::audit::Action;

/// The report page's own Content-Security-Policy: its styles are inline.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

#[derive(Serialize, Default)]
struct ReportPage {
    month: String,
    /// The year and quarter typed or chosen for a quarterly or yearly
    /// report ("" for a year).
    year: String,
    quarter: String,
    /// The period's code ("2026-11", "2026-Q4", "2026").
    code: String,
    error: String,
    /// The report, when the period is known.
    r: Option<ReportView>,
    html_url: String,
    csv_url: String,
    download_url: String,
    /// The narrative as kept (or as typed, when it was refused).
    problems: String,
    follow_up: String,
    /// "rina, 5 Desember 2026", or "" when none was saved.
    saved_by: String,
    narrative_error: String,
    /// The narrative was just saved.
    saved: bool,
}

/// The period's report from the data folder, in a blocking task.
async fn compute(desk: &Desk, period: Period) -> Option<MonthReport> {
    let office = (desk.office)();
    let data = desk.data.clone();
    let today = dates::today();
    tokio::task::spawn_blocking(move || {
        work::report::month_report(
            &data,
            (&office.calendar, &office.terms, &office.forms),
            period,
            today,
        )
    })
    .await
    .ok()
}

/// The period's narrative; `Err` when its file does not read.
async fn read_narrative(desk: &Desk, period: Period) -> Result<Option<Narrative>, String> {
    let data = desk.data.clone();
    tokio::task::spawn_blocking(move || narrative::read(&data, &period))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<hyper::body::Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    if rest == NARRATIVE {
        return match http::is_read(&req) {
            true => desk.not_allowed(Some(staff)),
            false => save_narrative(desk, req, staff)
                .await
                .unwrap_or_else(|page| page),
        };
    }
    if !http::is_read(&req) {
        return desk.not_allowed(Some(staff));
    }
    if rest.is_empty() {
        return summary(desk, &req, staff).await;
    }
    let file = rest
        .strip_prefix("laporan-")
        .and_then(|r| r.rsplit_once('.'))
        .and_then(|(code, ext)| Some((Period::parse(code).ok()?, ext)));
    let download = query(&req).all("unduh").iter().any(|v| v == "1");
    let answer = match file {
        Some((period, "html")) => html_file(desk, staff, period, download).await,
        Some((period, "csv")) => csv_file(desk, staff, period).await,
        _ => Err(desk.error_page(Some(staff), messages::REPORT_UNKNOWN)),
    };
    answer.unwrap_or_else(|page| page)
}

/// The `POST` path of the narrative form, under [`super::REPORT_PATH`].
const NARRATIVE: &str = "narasi/";

/// The period a query asks for: `periode` (any code), `bulan`, or `tahun`
/// with `triwulan` (none: the whole year); none: this month.
fn asked_period(asked: &Form) -> (Option<Period>, ReportPage) {
    let get = |name: &str| {
        let value = asked.first(name).map(|v| v.trim().to_string());
        value.filter(|v| !v.is_empty())
    };
    let mut page = ReportPage {
        month: get("bulan").unwrap_or_default(),
        year: get("tahun").unwrap_or_default(),
        quarter: get("triwulan").unwrap_or_default(),
        ..ReportPage::default()
    };
    let parsed = match (get("periode"), get("bulan"), get("tahun")) {
        (Some(code), _, _) => Period::parse(&code),
        (None, Some(month), _) => Period::parse(&month).and_then(|p| match p.span {
            Span::Month(_) => Ok(p),
            _ => Err(String::new()),
        }),
        (None, None, Some(year)) => match get("triwulan") {
            Some(q) => report::parse_quarter(&format!("{year}-Q{q}")),
            None => report::parse_year(&year),
        },
        (None, None, None) => {
            let today = dates::today();
            Ok(Period::month(today.year(), today.month()))
        }
    };
    match parsed {
        Ok(period) => (Some(period), page),
        Err(_) if get("periode").is_none() && get("bulan").is_some() => {
            page.error =
                "Bulan tidak dikenal. Pilih bulan, atau tulis tahun dan bulannya seperti 2026-11."
                    .to_string();
            (None, page)
        }
        Err(_) => {
            page.error = "Periode tidak dikenal. Pilih bulan (misalnya 2026-11), atau tahun dan triwulannya.".to_string();
            (None, page)
        }
    }
}

async fn summary(
    desk: &Arc<Desk>,
    req: &Request<hyper::body::Incoming>,
    staff: &Staff,
) -> Response<Body> {
    let asked = query(req);
    let (period, mut view) = asked_period(&asked);
    view.saved = asked.all("disimpan").iter().any(|v| v == "1");
    let Some(period) = period else {
        return render(desk, staff, StatusCode::BAD_REQUEST, view);
    };
    match read_narrative(desk, period).await {
        Ok(Some(n)) => {
            view.saved_by = format!("{}, {}", n.by, n.at);
            view.problems = n.problems;
            view.follow_up = n.follow_up;
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot read the report's narrative: {e}");
            view.narrative_error = "Narasi laporan yang tersimpan tidak dapat dibaca; minta pengelola server memeriksa berkasnya di folder data (laporan/). Menyimpan narasi baru akan menggantinya.".to_string();
        }
    }
    show(desk, staff, period, view, StatusCode::OK).await
}

/// The summary page of `period` with `view`'s narrative and messages.
async fn show(
    desk: &Arc<Desk>,
    staff: &Staff,
    period: Period,
    mut view: ReportPage,
    status: StatusCode,
) -> Response<Body> {
    let Some(computed) = compute(desk, period).await else {
        return super::http::plain_error();
    };
    let stem = period.file_stem();
    if let Span::Month(_) = period.span {
        view.month = period.code();
        view.year = period.year.to_string();
    } else {
        view.year = period.year.to_string();
        view.quarter = match period.span {
            Span::Quarter(q) => q.to_string(),
            _ => String::new(),
        };
    }
    view.code = period.code();
    view.r = Some(ReportView::new(&computed));
    view.html_url = format!("{}{stem}.html", super::REPORT_PATH);
    view.download_url = format!("{}{stem}.html?unduh=1", super::REPORT_PATH);
    view.csv_url = format!("{}{stem}.csv", super::REPORT_PATH);
    render(desk, staff, status, view)
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, view: ReportPage) -> Response<Body> {
    desk.page(staff, "laporan", "laporan.html", status, &view)
}

/// `POST /laporan/narasi/`: keeps the narrative of a period (CSRF-checked,
/// at most [`narrative::MAX_CHARS`] a part), audited, then back to its
/// page.
async fn save_narrative(
    desk: &Arc<Desk>,
    req: Request<hyper::body::Incoming>,
    staff: &Staff,
) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let Ok(period) = Period::parse(&posted.get("periode")) else {
        return Err(desk.error_page(Some(staff), messages::REPORT_UNKNOWN));
    };
    let clean = |t: String| t.replace("\r\n", "\n").trim().to_string();
    let typed = Narrative {
        problems: clean(posted.get("masalah")),
        follow_up: clean(posted.get("tindak_lanjut")),
        by: staff.session.name.clone(),
        at: dates::format_long(dates::today()),
    };
    let too_long = [&typed.problems, &typed.follow_up]
        .iter()
        .any(|t| t.chars().count() > narrative::MAX_CHARS);
    if too_long {
        let view = ReportPage {
            narrative_error: format!(
                "Narasi terlalu panjang: setiap bagian paling banyak {} karakter. Isian Anda masih ada di bawah; persingkat lalu simpan lagi.",
                narrative::MAX_CHARS
            ),
            problems: typed.problems,
            follow_up: typed.follow_up,
            ..ReportPage::default()
        };
        return Err(show(desk, staff, period, view, StatusCode::UNPROCESSABLE_ENTITY).await);
    }
    let data = desk.data.clone();
    let saved = blocking(move || narrative::write(&data, &period, &typed)).await;
    if let Err(e) = saved {
        tracing::error!(target: "loket::desk", "cannot keep the report's narrative: {e}");
        return Err(desk.error_page(Some(staff), messages::NARRATIVE_NOT_SAVED));
    }
    let detail = format!("{} narasi disimpan", period.code());
    desk.audit(&staff.session.name, Action::Report, None, &detail)
        .await;
    Ok(super::http::redirect(&format!(
        "{}?periode={}&disimpan=1#narasi",
        super::REPORT_PATH,
        period.code()
    )))
}

/// Audits a report file; on failure the file is not sent.
async fn audited(desk: &Desk, staff: &Staff, detail: String) -> Result<(), Response<Body>> {
    match desk
        .audited(&staff.session.name, Action::Report, None, &detail)
        .await
    {
        true => Ok(()),
        false => Err(desk.error_page(Some(staff), messages::REPORT_NOT_AUDITED)),
    }
}

fn attach(response: &mut Response<Body>, disposition: &str) {
    if let Ok(value) = HeaderValue::from_str(disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
}

async fn html_file(desk: &Arc<Desk>, staff: &Staff, period: Period, download: bool) -> Answer {
    let computed = compute(desk, period)
        .await
        .ok_or_else(super::http::plain_error)?;
    let kept = read_narrative(desk, period).await.map_err(|e| {
        tracing::error!(target: "loket::desk", "cannot read the report's narrative: {e}");
        desk.error_page(Some(staff), messages::NARRATIVE_UNREADABLE)
    })?;
    let office = (desk.office)();
    let rendered = office.templates.render_report(
        &office.config.to_template_value().office,
        &ReportView::new(&computed)
            .with_head(office.config.office.head.as_ref())
            .with_narrative(kept.as_ref()),
    );
    let body = rendered.map_err(|d| {
        tracing::error!(target: "loket::desk", "the report template failed: {d}");
        desk.error_page(Some(staff), messages::REPORT_TEMPLATE_FAILED)
    })?;
    let what = if download { "html download" } else { "html" };
    audited(desk, staff, format!("{} {what}", period.code())).await?;
    let stem = period.file_stem();
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
    Ok(response)
}

async fn csv_file(desk: &Arc<Desk>, staff: &Staff, period: Period) -> Answer {
    let computed = compute(desk, period)
        .await
        .ok_or_else(super::http::plain_error)?;
    audited(desk, staff, format!("{} csv", period.code())).await?;
    let stem = period.file_stem();
    let mut response = bytes(
        StatusCode::OK,
        "text/csv; charset=utf-8",
        render_csv(&computed).into_bytes(),
    );
    attach(
        &mut response,
        &format!("attachment; filename=\"{stem}.csv\""),
    );
    Ok(response)
}
