//! Kotak masuk: the list of `loket inbox` (open cases first, by deadline)
//! with filters, a search, counts and pages.
//!
//! The records come through the record index ([`crate::cases::index`]):
//! a page of 100,000 records is a listing of the folders and the index kept
//! in memory, not 100,000 YAML files parsed; a search is a query of the index.

use std::path::Path;
use std::sync::Arc;

use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use time::Date;

use super::http::query;
use super::roles::{Access, Grant, Permission};
use super::views::Choice;
use super::{Body, Desk, Staff};
use crate::cases::Channel;
use crate::cases::inbox::{Filter, first_in_order};
use crate::cases::index::{Due, Memo, Summary};
use crate::core::calendar::Calendar;
use crate::core::dates;
use crate::forms::{FormSpec, Forms};

/// Rows on one page.
pub const PER_PAGE: usize = 50;

/// One page of the inbox and the counts of everything that passed.
pub struct Listing {
    /// The records of the page asked for, in inbox order.
    pub rows: Vec<Summary>,
    /// Records that passed the filter.
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
    /// Every readable record per step id (of every form, in file order),
    /// whatever the filter.
    pub by_status: Vec<(String, usize)>,
    /// Records that could not be read (`loket verify` names them).
    pub unreadable: usize,
    /// The search could not be run (the index could not be read).
    pub search_failed: bool,
}

/// Page `page` (from 1) of the records `access` may see passing `filter`
/// and found by `search` (a ticket or part of it, a name, NIK or phone),
/// judged on `today`. Every count is of those records only.
pub fn list(
    (index, forms): (&Memo, &Forms),
    (data, access): (&Path, &Access),
    (filter, search): (&Filter, Option<&str>),
    today: Date,
    page: usize,
) -> Listing {
    let (all, problems) = index.summaries(data, forms);
    let records: Vec<&Summary> = all
        .iter()
        .map(|r| &**r)
        .filter(|r| access.grant(&r.kind, r.confidential) != Grant::None)
        .collect();
    let found = search.map(|text| index.find(text));
    let search_failed = matches!(found, Some(None));
    let filter = &Filter {
        found: found
            .map(Option::unwrap_or_default)
            .or_else(|| filter.found.clone()),
        ..filter.clone()
    };
    let by_status = forms
        .step_ids()
        .into_iter()
        .map(|s| {
            (
                s.to_string(),
                records.iter().filter(|r| r.status == s).count(),
            )
        })
        .collect();
    let mut selected: Vec<&Summary> = records
        .iter()
        .copied()
        .filter(|r| filter.matches(r, today))
        .collect();
    let total = selected.len();
    let open = selected.iter().filter(|r| !r.closed).count();
    let overdue = selected
        .iter()
        .filter(|r| r.is_overdue(today, filter.pauses))
        .count();
    let start = (page.max(1) - 1).saturating_mul(PER_PAGE);
    first_in_order(&mut selected, start.saturating_add(PER_PAGE));
    Listing {
        total,
        open,
        overdue,
        rows: selected.iter().skip(start).map(|r| (*r).clone()).collect(),
        by_status,
        unreadable: problems.len(),
        search_failed,
    }
}

/// What a row says of the case's form, short enough for one line: the
/// choice the form's report splits by (its report label), else the form's
/// noun ("Keluhan, saran, atau masukan").
fn kind_short(form: Option<&FormSpec>, kind: &str, value: &str) -> String {
    let Some(form) = form else {
        return kind.to_string();
    };
    let by = form.report_by.as_deref().and_then(|by| form.field(by));
    match by.and_then(|f| f.options.iter().find(|c| c.value == value)) {
        Some(c) => c.report.clone().unwrap_or_else(|| c.label.clone()),
        None => crate::core::text::capitalized(&form.noun),
    }
}

/// The "Batas waktu" filter's choice of the cases whose citizen answered
/// since the last step (`?batas=balasan-baru`).
const NEW_REPLY: &str = "balasan-baru";

/// Where an open case stands against its next deadline on `today`, as its
/// badge says it ("" when it is due after tomorrow, or closed).
fn due_text(r: &Summary, (today, pauses): (Date, bool), calendar: &Calendar) -> String {
    match r.due_on(today, pauses) {
        None => String::new(),
        Some(Due::Today) => "jatuh tempo hari ini".into(),
        Some(Due::Tomorrow) => "jatuh tempo besok".into(),
        Some(Due::Late) => {
            // The deadline that passed: the response's while it has none.
            let passed = match r.first_response_at {
                None if today > r.response_due => r.response_due,
                _ => r.completion_due.unwrap_or(r.response_due),
            };
            match calendar.working_days_between(passed, today) {
                0 => "lewat batas waktu".into(),
                n => format!("lewat {n} hari kerja"),
            }
        }
    }
}

/// The filter form as typed, to show it again and to build page links.
#[derive(Debug, Default, Serialize)]
struct Typed {
    status: String,
    jenis: String,
    saluran: String,
    /// A [`Due`] id ("lewat", "hari-ini", "besok"); "" for any.
    batas: String,
    dari: String,
    sampai: String,
    cari: String,
}

#[derive(Serialize)]
struct Row {
    ticket: String,
    url: String,
    received: String,
    kind: String,
    name: String,
    status: String,
    closed: bool,
    response_due: String,
    completion_due: String,
    /// Where it stands against its next deadline, in words ("" when due
    /// later or closed), and whether that is late.
    due: String,
    late: bool,
    /// It waits for its citizen with the clock paused: not late.
    paused: bool,
    /// Its citizen answered since the last step.
    new_reply: bool,
    provisional: bool,
}

#[derive(Serialize)]
struct InboxView {
    typed: Typed,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    channels: Vec<Choice>,
    dues: Vec<Choice>,
    /// A filter other than the search is set: the panel starts open.
    narrowed: bool,
    errors: Vec<String>,
    rows: Vec<Row>,
    total: usize,
    open: usize,
    overdue: usize,
    today: String,
    page: usize,
    pages: usize,
    prev: String,
    next: String,
    notes: Vec<String>,
    unreadable: usize,
    /// Mail that has waited more than a day, in staff's words; empty if none.
    mail_stuck: String,
    filtered: bool,
}

fn parse_date(text: &str, what: &str, errors: &mut Vec<String>) -> Option<Date> {
    match text.trim() {
        "" => None,
        t => dates::parse_iso(t)
            .map_err(|_| {
                errors.push(format!(
                    "Tanggal {what} tidak sah; tulis TTTT-BB-HH, misalnya 2026-11-27."
                ))
            })
            .ok(),
    }
}

/// The query string of the filter, for links to other pages.
fn link(typed: &Typed, page: usize) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("status", typed.status.as_str()),
        ("jenis", typed.jenis.as_str()),
        ("saluran", typed.saluran.as_str()),
        ("batas", typed.batas.as_str()),
        ("dari", typed.dari.as_str()),
        ("sampai", typed.sampai.as_str()),
        ("cari", typed.cari.as_str()),
    ] {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    q.append_pair("halaman", &page.to_string());
    format!("/?{}", q.finish())
}

pub async fn page(
    desk: &Arc<Desk>,
    req: &Request<hyper::body::Incoming>,
    staff: &Staff,
) -> Response<Body> {
    let asked = query(req);
    let get = |k: &str| asked.first(k).unwrap_or("").trim().to_string();
    let mut errors = Vec::new();
    let typed = Typed {
        status: get("status"),
        jenis: get("jenis"),
        saluran: get("saluran"),
        // `terlambat=1`: the links of earlier versions.
        batas: match get("terlambat").as_str() {
            "1" => Due::Late.id().to_string(),
            _ => get("batas"),
        },
        dari: get("dari"),
        sampai: get("sampai"),
        cari: get("cari").chars().take(100).collect(),
    };
    let office = (desk.office)();
    let (forms, calendar) = (office.forms, office.calendar);
    let mut filter = Filter {
        status: Some(typed.status.clone()).filter(|s| forms.step_ids().contains(&s.as_str())),
        kind: Some(typed.jenis.clone()).filter(|k| forms.get(k).is_some()),
        channel: typed.saluran.parse().ok(),
        due: Due::parse(&typed.batas),
        since: parse_date(&typed.dari, "dari", &mut errors),
        until: parse_date(&typed.sampai, "sampai", &mut errors),
        found: None,
        pauses: office.config.office.pause_while_waiting,
        replied: typed.batas == NEW_REPLY,
    };
    let mut search = Some(typed.cari.clone()).filter(|t| !t.is_empty());
    // Who sees no NIK does not find cases by one either (nor by a phone).
    if search.as_deref().is_some_and(looks_like_nik_or_phone) && !staff.access.may(Permission::Work)
    {
        filter.found = Some(Default::default());
        errors.push(
            "Pencarian dengan NIK atau nomor telepon hanya untuk petugas yang mengerjakan kasus."
                .into(),
        );
        search = None;
    }
    let page_no = get("halaman")
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let today = dates::today();
    let listing = {
        let (desk, filter, forms) = (desk.clone(), filter.clone(), forms.clone());
        let (search, access) = (search.clone(), staff.access.clone());
        tokio::task::spawn_blocking(move || {
            let asked = (&filter, search.as_deref());
            list(
                (&desk.index, &forms),
                (&desk.data, &access),
                asked,
                today,
                page_no,
            )
        })
        .await
    };
    let Ok(listing) = listing else {
        return super::http::plain_error();
    };
    if listing.search_failed {
        errors.push("Pencarian tidak dapat dijalankan: indeks kasus tidak dapat dibaca.".into());
    }
    let pages = listing.total.div_ceil(PER_PAGE).max(1);
    let mut notes: Vec<String> = listing
        .rows
        .iter()
        .filter_map(|r| r.due_note.clone())
        .collect();
    notes.sort_unstable();
    notes.dedup();
    let rows = listing
        .rows
        .iter()
        .map(|r| Row {
            ticket: r.ticket.clone(),
            url: format!("{}{}/", super::CASE_PREFIX, r.ticket),
            received: dates::format_long(r.received_date()),
            kind: kind_short(forms.get(&r.kind).map(|f| &**f), &r.kind, &r.breakdown),
            name: r.name.clone(),
            status: step_name(&forms, &r.kind, &r.status),
            closed: r.closed,
            response_due: dates::format_long(r.response_due),
            completion_due: r.completion_due.map(dates::format_long).unwrap_or_default(),
            due: due_text(r, (today, filter.pauses), &calendar),
            late: r.is_overdue(today, filter.pauses),
            paused: filter.pauses && r.waiting,
            new_reply: r.new_reply,
            provisional: r.due_note.is_some(),
        })
        .collect();
    let statuses = listing
        .by_status
        .iter()
        .map(|(s, n)| {
            let label = format!("{} ({n})", step_name(&forms, "", s));
            Choice::new(s, label, filter.status.as_deref() == Some(s.as_str()))
        })
        .collect();
    let kinds = forms
        .iter()
        .map(|k| Choice::new(&*k.id, &k.title, filter.kind.as_deref() == Some(&*k.id)))
        .collect();
    let channels = Channel::ALL
        .into_iter()
        .map(|c| Choice::new(c.id(), c.label(), filter.channel == Some(c)))
        .collect();
    let dues = [
        (Due::Late, "Terlambat"),
        (Due::Today, "Jatuh tempo hari ini"),
        (Due::Tomorrow, "Jatuh tempo besok"),
    ]
    .into_iter()
    .map(|(d, label)| Choice::new(d.id(), label, filter.due == Some(d)))
    .chain([Choice::new(
        NEW_REPLY,
        "Ada balasan baru dari pemohon",
        filter.replied,
    )])
    .collect();
    let narrowed = filter.status.is_some()
        || filter.kind.is_some()
        || filter.channel.is_some()
        || filter.due.is_some()
        || filter.replied
        || filter.since.is_some()
        || filter.until.is_some();
    let filtered = narrowed || search.is_some();
    let view = InboxView {
        prev: if page_no > 1 {
            link(&typed, page_no - 1)
        } else {
            String::new()
        },
        next: if page_no < pages {
            link(&typed, page_no + 1)
        } else {
            String::new()
        },
        typed,
        statuses,
        kinds,
        channels,
        dues,
        narrowed: narrowed || !errors.is_empty(),
        errors,
        rows,
        total: listing.total,
        open: listing.open,
        overdue: listing.overdue,
        today: dates::format_with_weekday(today),
        page: page_no,
        pages,
        notes,
        unreadable: listing.unreadable,
        mail_stuck: crate::notify::stuck(&desk.data, time::OffsetDateTime::now_utc())
            .map(|s| s.describe())
            .unwrap_or_default(),
        filtered,
    };
    desk.page(
        staff,
        "kotak-masuk",
        "kotak-masuk.html",
        StatusCode::OK,
        &view,
    )
}

/// Digits only (with spaces, dots, dashes or a leading +), six or more:
/// a NIK or a phone number, not a ticket or a name.
fn looks_like_nik_or_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    digits >= 6
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+'))
}

/// How staff read step `id`: its name in the form `kind` (or the first
/// form that has it, for the filter), else the id itself.
fn step_name(forms: &Forms, kind: &str, id: &str) -> String {
    forms
        .get(kind)
        .and_then(|f| f.step(id))
        .or_else(|| forms.iter().find_map(|f| f.step(id)))
        .map_or_else(|| id.to_string(), |s| s.name())
}
