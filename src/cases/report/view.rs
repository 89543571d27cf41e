//! The report laid out: [`ReportView`] is what the `laporan.html` template
//! shows (every value a ready string, the chart's geometry worked out), and
//! [`render_csv`] the case list for a spreadsheet. Nothing here counts.

use serde::Serialize;
use time::Date;

use super::compute::{CaseRow, MonthReport, Share, Week};
use super::figures::FormFigures;
use super::narrative::Narrative;
use crate::core::csv;
use crate::core::dates;
use crate::office::config::Signatory;
use crate::office::terms::Term;

/// What the template sees as `r`.
#[derive(Debug, Serialize)]
pub struct ReportView {
    period: String,
    /// "bulan", "triwulan", "tahun".
    unit: &'static str,
    /// "2026-11", "2026-Q4", "2026".
    code: String,
    /// Whether it is a month's (weeks in the chart) or longer (months).
    monthly: bool,
    made: String,
    /// Cases received, confidential ones included.
    total: usize,
    /// Confidential cases: counted, not listed.
    confidential: usize,
    unreadable: usize,
    due_notes: Vec<String>,
    missing_holiday_years: Vec<i32>,
    by_kind: Vec<Count>,
    by_status: Vec<Count>,
    by_channel: Vec<Count>,
    /// Each form's figures, under its own term.
    forms: Vec<FormView>,
    /// "2 kasus, 5 hari kerja", or "" when no case waited for its citizen.
    waiting: String,
    chart: Chart,
    method: Vec<String>,
    cases: Vec<CaseView>,
    /// "Mengetahui, Kepala Dinas" (`office.head` in site.yaml), if set.
    head: Option<HeadView>,
    /// What staff wrote for the period, if anything.
    narrative: Option<NarrativeView>,
}

#[derive(Debug, Serialize)]
struct HeadView {
    name: String,
    nip: String,
    position: String,
}

#[derive(Debug, Serialize)]
struct NarrativeView {
    /// One entry per line.
    problems: Vec<String>,
    follow_up: Vec<String>,
    by: String,
    at: String,
}

/// One form's figures, ready to print.
#[derive(Debug, Serialize)]
struct FormView {
    /// The form's id (the section's anchor).
    id: String,
    title: String,
    /// "5 hari kerja sampai selesai", "3 hari kerja sampai ditanggapi".
    term: String,
    /// "Permohonan diselesaikan dalam 5 hari kerja".
    share_label: String,
    share: String,
    received: usize,
    channels: Vec<Count>,
    on_time: usize,
    late: usize,
    not_yet_due: usize,
    completed: usize,
    /// "3,8 hari kerja" or "—".
    average: String,
    median: String,
    /// "3,0 hari kerja tanpa waktu menunggu pemohon", or "".
    office_average: String,
    open: usize,
    overdue: usize,
    outcomes: Vec<Count>,
}

#[derive(Debug, Serialize)]
struct Count {
    label: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct CaseView {
    ticket: String,
    received: String,
    kind: String,
    status: String,
    responded: String,
    completed: String,
    days: String,
    /// Working days waited for the citizen ("—" for none).
    waited: String,
    timeliness: &'static str,
    provisional: bool,
    /// The result as typed, one entry per line.
    result: Vec<String>,
    /// The outcome category's label, or "".
    outcome: String,
    name: String,
    nik: String,
}

/// A bar chart drawn with plain SVG shapes; its title and description carry
/// the numbers for screen readers, and a table after it repeats them.
#[derive(Debug, Serialize)]
struct Chart {
    width: usize,
    height: usize,
    side: usize,
    base: usize,
    bar: usize,
    description: String,
    bars: Vec<Bar>,
}

#[derive(Debug, Serialize)]
struct Bar {
    /// "Minggu 1", or the month's name.
    name: String,
    /// "1–7" (a week's days), or "".
    days: String,
    /// The table's date cell: "1–7 November 2026", "Oktober 2026".
    when: String,
    count: usize,
    x: usize,
    middle: usize,
    top: usize,
    height: usize,
}

impl ReportView {
    pub fn new(r: &MonthReport) -> ReportView {
        let mut due_notes: Vec<String> = r
            .rows
            .iter()
            .filter_map(|row| row.due_note.clone())
            .collect();
        due_notes.sort_unstable();
        due_notes.dedup();
        ReportView {
            period: r.period(),
            unit: r.period.unit(),
            code: r.period.code(),
            monthly: !r.weeks.is_empty(),
            made: dates::format_long(r.today),
            total: r.rows.len(),
            confidential: r.confidential,
            unreadable: r.unreadable,
            due_notes,
            missing_holiday_years: r.missing_holiday_years.clone(),
            by_kind: counts(r.by_kind.iter().map(|(k, n)| (&k.label, *n))),
            by_status: counts(r.by_status.iter().map(|(s, n)| (s, *n))),
            by_channel: counts(r.by_channel.iter().map(|(c, n)| (c.label(), *n))),
            forms: r.forms.iter().map(form_view).collect(),
            waiting: match r.waited {
                0 => String::new(),
                n => format!(
                    "{n} kasus, seluruhnya {} hari kerja menunggu kelengkapan dari pemohon",
                    r.waiting_days_total
                ),
            },
            chart: chart(r),
            method: method(r),
            cases: r.listed().map(case_view).collect(),
            head: None,
            narrative: None,
        }
    }

    /// With the head of the office who signs "Mengetahui".
    pub fn with_head(mut self, head: Option<&Signatory>) -> ReportView {
        self.head = head.map(|h| HeadView {
            name: h.name.trim().to_string(),
            nip: h.nip.trim().to_string(),
            position: h.position.trim().to_string(),
        });
        self
    }

    /// With what staff wrote for the period (none when empty).
    pub fn with_narrative(mut self, narrative: Option<&Narrative>) -> ReportView {
        let lines = |t: &str| t.trim().lines().map(str::to_string).collect();
        self.narrative = narrative.filter(|n| !n.is_empty()).map(|n| NarrativeView {
            problems: lines(&n.problems),
            follow_up: lines(&n.follow_up),
            by: n.by.clone(),
            at: n.at.clone(),
        });
        self
    }
}

/// Labelled counts, as the template shows them.
fn counts<L: ToString>(items: impl Iterator<Item = (L, usize)>) -> Vec<Count> {
    let count = |(label, count): (L, usize)| Count {
        label: label.to_string(),
        count,
    };
    items.map(count).collect()
}

fn days_or_dash(days: Option<String>) -> String {
    days.map_or_else(|| "—".to_string(), |d| format!("{d} hari kerja"))
}

fn form_view(f: &FormFigures) -> FormView {
    FormView {
        id: f.form.clone(),
        title: f.title.clone(),
        term: match f.term {
            Some(t) => t.text(),
            None => "belum ditetapkan".to_string(),
        },
        share_label: format!("{} {}", f.what, term_text(f.term)),
        share: share_text(&f.share, &format!("{} atau melewati batas waktu", f.none)),
        received: f.received,
        channels: counts(f.by_channel.iter().map(|(c, n)| (c.label(), *n))),
        on_time: f.share.within,
        late: f.late(),
        not_yet_due: f.share.not_yet_due,
        completed: f.days.len(),
        average: days_or_dash(f.average()),
        median: days_or_dash(f.median()),
        office_average: f
            .office_average()
            .map(|d| format!("{d} hari kerja tanpa waktu menunggu pemohon"))
            .unwrap_or_default(),
        open: f.open,
        overdue: f.overdue,
        outcomes: counts(f.outcomes.iter().map(|(o, n)| (o, *n))),
    }
}

fn case_view(row: &CaseRow) -> CaseView {
    CaseView {
        ticket: row.ticket.clone(),
        received: dates::format_long(row.received),
        kind: row.kind.label.clone(),
        status: row.step.clone(),
        responded: long_or_dash(row.responded),
        completed: long_or_dash(row.completed),
        days: row
            .days_to_completion
            .map_or_else(|| "—".to_string(), |d| d.to_string()),
        waited: match row.waited_days {
            0 => "—".to_string(),
            d => d.to_string(),
        },
        timeliness: row.timeliness.label(),
        provisional: row.due_note.is_some(),
        result: row.result.trim().lines().map(str::to_string).collect(),
        outcome: row.outcome_label.clone().unwrap_or_default(),
        name: row.name.clone(),
        nik: row.nik.clone().unwrap_or_else(|| "-".to_string()),
    }
}

/// "dalam 3 hari kerja" (or hari kalender, jam kerja), or "sesuai batas
/// waktunya" when the site sets no term.
fn term_text(term: Option<Term>) -> String {
    match term {
        Some(t) => format!("dalam {}", t.text()),
        None => "sesuai batas waktunya".to_string(),
    }
}

/// "2 dari 4 (50%); 1 belum jatuh tempo (tidak dihitung)".
fn share_text(share: &Share, none: &str) -> String {
    let pending = match share.not_yet_due {
        0 => String::new(),
        n => format!("; {n} belum jatuh tempo (tidak dihitung)"),
    };
    format!("{}{pending}", share.describe(none))
}

fn long_or_dash(date: Option<Date>) -> String {
    date.map_or_else(|| "—".to_string(), dates::format_long)
}

fn week_days(w: &Week) -> String {
    format!("{}–{}", w.first_day, w.last_day)
}

/// The chart's bars: a month's weeks, or a quarter's or year's months.
fn buckets(r: &MonthReport) -> Vec<(String, String, String, usize)> {
    let period = r.period();
    match r.weeks.is_empty() {
        false => r
            .weeks
            .iter()
            .map(|w| {
                let days = week_days(w);
                let when = format!("{days} {period}");
                (format!("Minggu {}", w.number), days, when, w.count)
            })
            .collect(),
        true => r
            .by_month
            .iter()
            .map(|(m, n)| {
                let name = dates::month_name(*m).to_string();
                let when = format!("{name} {}", r.period.year);
                (name, String::new(), when, *n)
            })
            .collect(),
    }
}

fn chart(r: &MonthReport) -> Chart {
    const WIDTH: usize = 600;
    const HEIGHT: usize = 250;
    const SIDE: usize = 20;
    const TOP: usize = 30;
    const PLOT: usize = 160;
    let buckets = buckets(r);
    let slot = (WIDTH - 2 * SIDE) / buckets.len().max(1);
    let bar = slot * 3 / 5;
    let max = buckets.iter().map(|b| b.3).max().unwrap_or(0).max(1);
    let base = TOP + PLOT;
    let description = buckets
        .iter()
        .map(|(name, days, _, n)| match days.is_empty() {
            true => format!("{name}: {n}"),
            false => format!("{name} (tanggal {days}): {n}"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let bars = buckets
        .into_iter()
        .enumerate()
        .map(|(i, (name, days, when, count))| {
            let height = count * PLOT / max;
            let x = SIDE + i * slot + (slot - bar) / 2;
            Bar {
                name,
                days,
                when,
                count,
                x,
                middle: x + bar / 2,
                top: base - height,
                height,
            }
        })
        .collect();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        side: SIDE,
        base,
        bar,
        description,
        bars,
    }
}

/// The report's "Cara menghitung": the rules of [`super`], for readers.
fn method(r: &MonthReport) -> Vec<String> {
    vec![
        format!("Kasus dihitung pada {} tanggal diterimanya (WIB).", r.period.unit()),
        "Setiap formulir dihitung sendiri dengan batas waktunya sendiri: permohonan dan pengaduan tidak dicampur.".to_string(),
        "Saluran: cara kasus sampai ke kantor (situs web, datang langsung, kotak aduan, telepon, WhatsApp, surel, SP4N-LAPOR!, media sosial); kasus yang dicatat sebelum ada saluran dihitung dari situs web.".to_string(),
        "Hari kerja: Senin sampai Jumat, di luar libur nasional dan cuti bersama. Hari diterimanya kasus tidak dihitung; hari tanggapan atau penyelesaian dihitung.".to_string(),
        format!(
            "Kasus yang batas waktunya dihitung sampai ditanggapi tepat waktu bila tanggapan pertama diberikan paling lambat pada batas tanggapannya; kasus yang batas waktunya dihitung sampai selesai tepat waktu bila selesai atau ditolak paling lambat pada batas penyelesaiannya ({}). Batas waktu setiap kasus ditetapkan saat kasus diterima.",
            r.forms
                .iter()
                .map(|s| format!("{} {}", s.what.to_lowercase(), term_text(s.term)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        format!(
            "Kasus yang belum ditanggapi atau belum selesai dihitung tidak tepat waktu bila batas waktunya sudah lewat pada {}; bila belum lewat, kasus itu belum jatuh tempo dan tidak dihitung.",
            dates::format_long(r.today)
        ),
        "Rata-rata dan median waktu penyelesaian dihitung per formulir dari kasusnya yang berstatus selesai atau ditolak; median adalah nilai tengahnya (rata-rata dua nilai tengah bila jumlahnya genap).".to_string(),
        format!(
            "Masih berjalan: kasus yang belum ditutup pada {}; melewati batas waktu: yang batas tanggapan atau penyelesaiannya sudah lewat.",
            dates::format_long(r.today)
        ),
        "Kategori hasil: yang dipilih petugas saat menutup kasus, menurut kategori di berkas formulir; kasus yang ditutup sebelum ada kategori dihitung \"Tanpa kategori\".".to_string(),
        "Waktu menunggu pemohon dihitung dalam hari kerja, sejak petugas meminta kelengkapan sampai pemohon membalas atau petugas mengambil langkah berikutnya; waktu itu dicatat terpisah dari waktu kerja kantor.".to_string(),
        "Kasus rahasia (identitas pelapor dirahasiakan) ikut dihitung dalam semua angka, tetapi tidak dicantumkan dalam daftar kasus.".to_string(),
        "NIK ditampilkan tersamar (4 angka pertama dan 4 angka terakhir). Laporan ini tidak memuat nomor telepon, alamat surel, atau alamat pemohon.".to_string(),
    ]
}

const CASE_HEADERS: [&str; 15] = [
    "Tiket",
    "Diterima",
    "Jenis",
    "Status",
    "Ditanggapi",
    "Selesai",
    "Hari kerja sampai selesai",
    "Hari kerja menunggu pemohon",
    "Sesuai standar waktu",
    "Hasil",
    "Nama",
    "NIK",
    "Catatan batas waktu",
    "Saluran",
    "Kategori hasil",
];

/// The case list as CSV for a spreadsheet ([`crate::core::csv`]; ISO dates;
/// plain labels; a header line even when empty; no confidential case).
pub fn render_csv(report: &MonthReport) -> String {
    let mut out = String::from(csv::BOM);
    out.push_str(&csv::line(&CASE_HEADERS));
    let iso = |d: Option<Date>| d.map(dates::format_iso).unwrap_or_default();
    for row in report.listed() {
        let cells = [
            row.ticket.clone(),
            dates::format_iso(row.received),
            row.kind.label.clone(),
            row.step.clone(),
            iso(row.responded),
            iso(row.completed),
            row.days_to_completion
                .map(|d| d.to_string())
                .unwrap_or_default(),
            row.waited_days.to_string(),
            row.timeliness.label().to_string(),
            row.result.trim().to_string(),
            row.name.clone(),
            row.nik.clone().unwrap_or_default(),
            row.due_note.clone().unwrap_or_default(),
            row.channel.label().to_string(),
            row.outcome_label.clone().unwrap_or_default(),
        ];
        out.push_str(&csv::line(&cells));
    }
    out
}
