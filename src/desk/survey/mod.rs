//! Survei: the satisfaction survey on the desk (issue 29). `/survei/` is a
//! period's results (month, quarter, semester or year) as
//! [`crate::survey::summary::Summary`] has them, with a chart of the nine
//! elements, the suggestions (free text, staff only) and the answer files
//! that could not be read; the period's follow-up plan (rencana tindak
//! lanjut), kept in the data folder ([`Surveys::write_plan`]); and
//! publishing the period's figures and plan to the public site
//! ([`Published`], `survei/hasil.yaml` in the site folder, then the
//! server's build: [`super::Republish`]) or withdrawing them. Walk-in codes
//! are [`walk_in`]'s. Every change is CSRF-checked and audited.

mod walk_in;

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::http::{self, Form, query, redirect};
use super::views::Choice;
use super::{Answer, Body, Desk, Staff, blocking, messages};
use crate::cases::report::{Period, Span};
use crate::core::dates;
use crate::survey::Range;
use crate::survey::index::Mutu;
use crate::survey::published::{Published, PublishedPeriod};
use crate::survey::store::{Answers, Plan, Surveys};
use crate::survey::summary::Summary;
use crate::work::audit::Action;

/// The survey's pages, under [`SURVEY_PATH`].
pub const SURVEY_PATH: &str = "/survei/";
const PLAN: &str = "rencana/";
const PUBLISH: &str = "terbitkan/";
const WITHDRAW: &str = "tarik/";
const CODE: &str = "kode/";

/// The longest follow-up plan kept, in characters.
pub const PLAN_MAX_CHARS: usize = 5000;

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    let read = http::is_read(&req);
    let answer = match (rest, read) {
        ("", true) => Ok(page(desk, &req, staff).await),
        (CODE, true) => Ok(walk_in::form(desk, staff)),
        (CODE, false) => walk_in::make(desk, req, staff).await,
        (PLAN, false) => save_plan(desk, req, staff).await,
        (PUBLISH, false) => publish(desk, req, staff, true).await,
        (WITHDRAW, false) => publish(desk, req, staff, false).await,
        _ => Err(desk.not_allowed(Some(staff))),
    };
    answer.unwrap_or_else(|page| page)
}

/// One element's line as the page shows it.
#[derive(Serialize)]
struct ElementRow {
    name: String,
    answers: u32,
    /// "3,25", or "–" when nobody rated it.
    nrr: String,
    value: String,
    /// "B (Baik)", or "–".
    category: String,
    /// The bar's length in the chart, 0–100.
    bar: f64,
}

/// A suggestion, as staff read it.
#[derive(Serialize)]
struct Suggestion {
    date: String,
    form: String,
    text: String,
}

/// The picker's choices after the year: "" the whole year, "S1", "Q4",
/// "11".
fn parts(chosen: &str) -> Vec<Choice> {
    let mut all: Vec<(String, String)> = vec![(String::new(), "Setahun penuh".into())];
    let roman = ["I", "II", "III", "IV"];
    let name = |m: u8| {
        time::Month::try_from(m)
            .map(dates::month_name)
            .unwrap_or_default()
    };
    // The halves and quarters: "Semester II (Juli–Desember)", "Q4".
    for (word, code, months) in [("Semester", "S", 6u8), ("Triwulan", "Q", 3)] {
        for n in 1..=12 / months {
            let (from, to) = (n * months - months + 1, n * months);
            let label = format!(
                "{word} {} ({}–{})",
                roman[usize::from(n - 1)],
                name(from),
                name(to)
            );
            all.push((format!("{code}{n}"), label));
        }
    }
    for m in 1..=12u8 {
        all.push((format!("{m:02}"), name(m).to_string()));
    }
    all.into_iter()
        .map(|(value, label)| Choice::new(value.clone(), label, value == chosen))
        .collect()
}

#[derive(Serialize, Default)]
struct SurveyPage {
    /// The period as picked: its year and part ("", "S1", "Q4", "11").
    year: String,
    part: String,
    parts: Vec<Choice>,
    /// The period's code and name, once known.
    code: String,
    name: String,
    error: String,
    summary: Option<Summary>,
    /// "83,33", "B", "Baik" (or "" while an element has no answer).
    ikm: String,
    elements: Vec<ElementRow>,
    /// The sentence saying the sample is too small, or "".
    sample_note: String,
    suggestions: Vec<Suggestion>,
    /// Answer files that could not be read: their names and why.
    unreadable: Vec<String>,
    plan: String,
    plan_saved_by: String,
    plan_error: String,
    saved: bool,
    /// When the period was published ("" if it is not on the site).
    published_on: String,
    /// "terbit" or "ditarik" just now.
    done: String,
}

/// Two decimals with a decimal comma, as Indonesian text writes them.
fn decimal(v: f64) -> String {
    format!("{v:.2}").replace('.', ",")
}

fn category(letter: Option<&str>) -> String {
    let words = [Mutu::A, Mutu::B, Mutu::C, Mutu::D]
        .into_iter()
        .find(|m| Some(format!("{m:?}").as_str()) == letter)
        .map(Mutu::words);
    match (letter, words) {
        (Some(l), Some(w)) => format!("{l} ({w})"),
        _ => "–".to_string(),
    }
}

/// The sentence a report says when the sample is below the minimum.
pub fn sample_note(s: &Summary) -> String {
    if !s.sampel_kurang {
        return String::new();
    }
    format!(
        "Jumlah responden ({}) belum mencapai sampel minimum ({}) untuk populasi {} menurut rumus Krejcie dan Morgan, sehingga hasil ini belum dapat dianggap mewakili seluruh penerima layanan.",
        s.responden, s.sampel_minimum, s.populasi
    )
}

/// The period a query asks for: `periode` (a code), or `tahun` with
/// `bagian` ("" the year, "S1", "Q4", "11"); none: this semester.
fn asked_period(asked: &Form) -> (Result<Period, ()>, SurveyPage) {
    let get = |name: &str| asked.first(name).unwrap_or("").trim().to_string();
    let (code, year, part) = (get("periode"), get("tahun"), get("bagian"));
    let parsed = if !code.is_empty() {
        Period::parse(&code)
    } else if !year.is_empty() {
        match part.as_str() {
            "" => Period::parse(&year),
            p => Period::parse(&format!("{year}-{p}")),
        }
    } else {
        let today = dates::today();
        let half = if u8::from(today.month()) <= 6 { 1 } else { 2 };
        Period::parse(&format!("{}-S{half}", today.year()))
    };
    let page = SurveyPage {
        year,
        part,
        ..SurveyPage::default()
    };
    match parsed {
        Ok(p) => (Ok(p), page),
        Err(_) => (
            Err(()),
            SurveyPage {
                error: "Periode tidak dikenal. Tulis tahunnya (misalnya 2026), lalu pilih setahun penuh, semester, triwulan, atau bulan.".into(),
                ..page
            },
        ),
    }
}

/// What the page shows of a period, read in a blocking task.
struct Read {
    summary: Summary,
    answers: Answers,
    plan: Result<Option<Plan>, String>,
    published: Option<String>,
}

async fn read(desk: &Desk, period: Period) -> Result<Read, std::io::Error> {
    let (data, site) = (desk.data.clone(), desk.site.clone());
    blocking(move || {
        let surveys = Surveys::new(&data);
        let (summary, answers) = surveys.summary(&Range::from(&period))?;
        let plan = surveys.plan(&period).map_err(|e| e.to_string());
        let published = Published::read(&site).ok().and_then(|p| {
            p.periode
                .into_iter()
                .find(|e| e.summary.periode == period.code())
                .map(|e| e.diterbitkan)
        });
        Ok(Read {
            summary,
            answers,
            plan,
            published,
        })
    })
    .await
}

async fn page(desk: &Arc<Desk>, req: &Request<Incoming>, staff: &Staff) -> Response<Body> {
    let asked = query(req);
    let (period, mut view) = asked_period(&asked);
    view.saved = asked.first("disimpan") == Some("1");
    view.done = match asked.first("selesai") {
        Some("terbit") => "terbit".into(),
        Some("ditarik") => "ditarik".into(),
        _ => String::new(),
    };
    let Ok(period) = period else {
        return render(desk, staff, StatusCode::BAD_REQUEST, view);
    };
    show(desk, staff, period, view, StatusCode::OK, true).await
}

/// The page of `period`; `with_plan`: the kept plan in its box (else what
/// `view` holds, as typed).
async fn show(
    desk: &Arc<Desk>,
    staff: &Staff,
    period: Period,
    mut view: SurveyPage,
    status: StatusCode,
    with_plan: bool,
) -> Response<Body> {
    let read = match read(desk, period).await {
        Ok(read) => read,
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot read the survey: {e}");
            return desk.error_page(Some(staff), messages::SURVEY_FAULT);
        }
    };
    view.year = period.year.to_string();
    view.part = match period.span {
        Span::Year => String::new(),
        Span::Semester(h) => format!("S{h}"),
        Span::Quarter(q) => format!("Q{q}"),
        Span::Month(m) => format!("{:02}", u8::from(m)),
    };
    view.code = period.code();
    view.name = period.name();
    let s = read.summary;
    view.ikm = s.ikm.map(decimal).unwrap_or_default();
    view.sample_note = sample_note(&s);
    view.elements = s
        .unsur
        .iter()
        .map(|e| ElementRow {
            name: e.nama.clone(),
            answers: e.jawaban,
            nrr: e.nrr.map(decimal).unwrap_or_else(|| "–".into()),
            value: e.nilai.map(decimal).unwrap_or_else(|| "–".into()),
            category: category(e.mutu.as_deref()),
            bar: e.nilai.unwrap_or(0.0).clamp(0.0, 100.0),
        })
        .collect();
    view.summary = Some(s);
    let forms = (desk.office)().forms;
    let mut answers = read.answers.answers;
    answers.sort_by_key(|a| std::cmp::Reverse(a.answered));
    view.suggestions = answers
        .iter()
        .filter_map(|a| {
            let text = a.suggestion.as_deref()?.trim();
            (!text.is_empty()).then(|| Suggestion {
                date: dates::format_long(a.answered),
                form: a
                    .form
                    .as_deref()
                    .map(|id| forms.get(id).map(|f| f.title.clone()).unwrap_or(id.into()))
                    .unwrap_or_default(),
                text: text.to_string(),
            })
        })
        .collect();
    view.unreadable = read
        .answers
        .unreadable
        .iter()
        .map(|(path, why)| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            format!("survei/jawaban/{name}: {why}")
        })
        .collect();
    match read.plan {
        Ok(Some(plan)) => {
            if with_plan {
                view.plan = plan.text;
            }
            view.plan_saved_by = match plan.at {
                Some(at) => format!("{}, {at}", plan.by),
                None => plan.by,
            };
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot read a survey plan: {e}");
            view.plan_error = "Rencana tindak lanjut yang tersimpan tidak dapat dibaca; minta pengelola server memeriksa berkasnya di folder data (survei/periode/). Menyimpan rencana baru akan menggantinya.".into();
        }
    }
    view.published_on = read
        .published
        .and_then(|d| dates::parse_iso(&d).ok())
        .map(dates::format_long)
        .unwrap_or_default();
    render(desk, staff, status, view)
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, mut view: SurveyPage) -> Response<Body> {
    view.parts = parts(&view.part);
    desk.page(staff, "survei", "survei.html", status, &view)
}

async fn audit(desk: &Desk, staff: &Staff, detail: &str) {
    desk.audit(&staff.session.name, Action::Survey, None, detail)
        .await;
}

/// `POST /survei/rencana/`: keeps a period's follow-up plan.
async fn save_plan(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let Ok(period) = Period::parse(&posted.get("periode")) else {
        return Err(desk.error_page(Some(staff), messages::SURVEY_PERIOD_UNKNOWN));
    };
    let text = posted
        .get("rencana")
        .replace("\r\n", "\n")
        .trim()
        .to_string();
    if text.chars().count() > PLAN_MAX_CHARS {
        let view = SurveyPage {
            plan_error: format!(
                "Rencana tindak lanjut terlalu panjang: paling banyak {PLAN_MAX_CHARS} karakter. Isian Anda masih ada di bawah; persingkat lalu simpan lagi."
            ),
            plan: text,
            ..SurveyPage::default()
        };
        return Err(show(
            desk,
            staff,
            period,
            view,
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
        )
        .await);
    }
    let plan = Plan {
        text,
        by: staff.session.name.clone(),
        at: Some(dates::format_long(dates::today())),
    };
    let data = desk.data.clone();
    let saved = blocking(move || Surveys::new(&data).write_plan(&period, &plan)).await;
    if let Err(e) = saved {
        tracing::error!(target: "loket::desk", "cannot keep a survey plan: {e}");
        return Err(desk.error_page(Some(staff), messages::SURVEY_FAULT));
    }
    audit(desk, staff, &format!("{} rencana disimpan", period.code())).await;
    Ok(redirect(&format!(
        "{SURVEY_PATH}?periode={}&disimpan=1#rencana",
        period.code()
    )))
}

/// What publishing or withdrawing did to the site folder's file.
enum Outcome {
    Written,
    /// Nothing to publish (no answer) or to withdraw (not published).
    Nothing,
    Unreadable(String),
    Failed(String),
}

/// `POST /survei/terbitkan/` (`put`) and `/survei/tarik/`: writes the
/// period's figures and plan into the site folder's published results, or
/// takes them out, and has the server build and serve the site.
async fn publish(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff, put: bool) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let Ok(period) = Period::parse(&posted.get("periode")) else {
        return Err(desk.error_page(Some(staff), messages::SURVEY_PERIOD_UNKNOWN));
    };
    // Held until the site is built: two publishings never interleave.
    let _one = desk.publishing.lock().await;
    let (data, site) = (desk.data.clone(), desk.site.clone());
    let today = dates::format_iso(dates::today());
    let outcome = tokio::task::spawn_blocking(move || {
        let mut published = match Published::read(&site) {
            Ok(p) => p,
            Err(e) => return Outcome::Unreadable(e.to_string()),
        };
        if put {
            let surveys = Surveys::new(&data);
            let (summary, _) = match surveys.summary(&Range::from(&period)) {
                Ok(s) => s,
                Err(e) => return Outcome::Failed(e.to_string()),
            };
            if summary.responden == 0 {
                return Outcome::Nothing;
            }
            let plan = match surveys.plan(&period) {
                Ok(plan) => plan.map(|p| p.text).unwrap_or_default(),
                Err(e) => return Outcome::Failed(e.to_string()),
            };
            published.put(PublishedPeriod {
                summary,
                rencana_tindak_lanjut: plan,
                diterbitkan: today,
            });
        } else if !published.remove(&period.code()) {
            return Outcome::Nothing;
        }
        match published.write(&site) {
            Ok(()) => Outcome::Written,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    })
    .await
    .unwrap_or_else(|e| Outcome::Failed(e.to_string()));
    match outcome {
        Outcome::Written => {}
        Outcome::Nothing if put => {
            let view = SurveyPage {
                error: format!(
                    "Belum ada jawaban survei pada {}, jadi belum ada hasil yang dapat diterbitkan.",
                    period.name()
                ),
                ..SurveyPage::default()
            };
            return Err(show(desk, staff, period, view, StatusCode::CONFLICT, true).await);
        }
        Outcome::Nothing => {
            return Ok(redirect(&format!(
                "{SURVEY_PATH}?periode={}",
                period.code()
            )));
        }
        Outcome::Unreadable(e) => {
            tracing::error!(target: "loket::desk", "cannot read the published survey results: {e}");
            return Err(desk.error_page(Some(staff), messages::SURVEY_PUBLISHED_UNREADABLE));
        }
        Outcome::Failed(e) => {
            tracing::error!(target: "loket::desk", "cannot publish the survey results: {e}");
            return Err(desk.error_page(Some(staff), messages::SURVEY_FAULT));
        }
    }
    let what = if put { "diterbitkan" } else { "ditarik" };
    audit(desk, staff, &format!("{} {what}", period.code())).await;
    if let Err(e) = desk.rebuild_site().await {
        tracing::error!(target: "loket::desk", "the site was not rebuilt: {e}");
        return Err(desk.error_page(Some(staff), messages::SURVEY_SITE_NOT_BUILT));
    }
    let done = if put { "terbit" } else { "ditarik" };
    Ok(redirect(&format!(
        "{SURVEY_PATH}?periode={}&selesai={done}#terbit",
        period.code()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(pairs: &[(&str, &str)]) -> Form {
        Form::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn periods_are_picked_by_year_and_part() {
        let code = |pairs: &[(&str, &str)]| asked_period(&asked(pairs)).0.map(|p| p.code());
        assert_eq!(
            code(&[("tahun", "2026"), ("bagian", "")]),
            Ok("2026".into())
        );
        assert_eq!(
            code(&[("tahun", "2026"), ("bagian", "S2")]),
            Ok("2026-S2".into())
        );
        assert_eq!(
            code(&[("tahun", "2026"), ("bagian", "Q4")]),
            Ok("2026-Q4".into())
        );
        assert_eq!(
            code(&[("tahun", "2026"), ("bagian", "11")]),
            Ok("2026-11".into())
        );
        assert_eq!(code(&[("periode", "2026-S1")]), Ok("2026-S1".into()));
        assert!(code(&[("tahun", "26"), ("bagian", "S1")]).is_err());
        assert!(code(&[("tahun", "2026"), ("bagian", "S3")]).is_err());
    }

    #[test]
    fn the_picker_offers_the_year_its_halves_quarters_and_months() {
        let parts = parts("Q4");
        let shown = |i: usize| (parts[i].value.as_str(), parts[i].label.as_str());
        assert_eq!(parts.len(), 1 + 2 + 4 + 12);
        assert_eq!(shown(0), ("", "Setahun penuh"));
        assert_eq!(shown(1), ("S1", "Semester I (Januari–Juni)"));
        assert_eq!(shown(2), ("S2", "Semester II (Juli–Desember)"));
        assert_eq!(shown(3), ("Q1", "Triwulan I (Januari–Maret)"));
        assert_eq!(shown(6), ("Q4", "Triwulan IV (Oktober–Desember)"));
        assert_eq!(shown(7), ("01", "Januari"));
        assert_eq!(shown(18), ("12", "Desember"));
        let selected: Vec<&str> = parts
            .iter()
            .filter(|p| p.selected)
            .map(|p| p.value.as_str())
            .collect();
        assert_eq!(selected, ["Q4"]);
    }

    #[test]
    fn figures_in_indonesian() {
        assert_eq!(decimal(83.333), "83,33");
        assert_eq!(category(Some("B")), "B (Baik)");
        assert_eq!(category(None), "–");
    }
}
