//! The report laid out: [`ReportView`] is what the `laporan.html` template
//! shows (every value a ready string, the chart's geometry worked out), and
//! [`render_csv`] the case list for a spreadsheet. Nothing here counts.

use serde::Serialize;
use time::Date;

use super::compute::{MonthReport, Share, Week, decimal_one};
use crate::core::csv;
use crate::core::dates;
use crate::office::terms::Term;

/// What the template sees as `r`.
#[derive(Debug, Serialize)]
pub struct ReportView {
    period: String,
    made: String,
    unreadable: usize,
    due_notes: Vec<String>,
    missing_holiday_years: Vec<i32>,
    by_kind: Vec<Count>,
    by_status: Vec<Count>,
    by_channel: Vec<Count>,
    shares: Vec<ShareView>,
    average: String,
    /// "2 kasus, 5 hari kerja", or "" when no case waited for its citizen.
    waiting: String,
    /// The average time to completion without the time waited, or "".
    office_average: String,
    chart: Chart,
    method: Vec<String>,
    cases: Vec<CaseView>,
}

#[derive(Debug, Serialize)]
struct Count {
    label: String,
    count: usize,
}

/// "Permohonan diselesaikan dalam 5 hari kerja": "2 dari 4 (50%)".
#[derive(Debug, Serialize)]
struct ShareView {
    label: String,
    share: String,
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
    week: u8,
    days: String,
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
            made: dates::format_long(r.today),
            unreadable: r.unreadable,
            due_notes,
            missing_holiday_years: r.missing_holiday_years.clone(),
            by_kind: r
                .by_kind
                .iter()
                .map(|(k, n)| Count {
                    label: k.label.clone(),
                    count: *n,
                })
                .collect(),
            by_status: r
                .by_status
                .iter()
                .map(|(s, n)| Count {
                    label: s.clone(),
                    count: *n,
                })
                .collect(),
            by_channel: r
                .by_channel
                .iter()
                .map(|(c, n)| Count {
                    label: c.label().to_string(),
                    count: *n,
                })
                .collect(),
            shares: r
                .shares
                .iter()
                .map(|s| ShareView {
                    label: format!("{} {}", s.what, term_text(s.term)),
                    share: share_text(&s.share, &format!("{} atau melewati batas waktu", s.none)),
                })
                .collect(),
            average: match r.completed {
                0 => "—".to_string(),
                n => format!(
                    "{} hari kerja ({n} kasus selesai/ditolak)",
                    decimal_one(r.completion_days_total, n)
                ),
            },
            waiting: match r.waited {
                0 => String::new(),
                n => format!(
                    "{n} kasus, seluruhnya {} hari kerja menunggu kelengkapan dari pemohon",
                    r.waiting_days_total
                ),
            },
            office_average: match r.completed {
                0 => String::new(),
                _ if r.completed_waiting_days == 0 => String::new(),
                n => format!(
                    "{} hari kerja tanpa waktu menunggu pemohon",
                    decimal_one(r.completion_days_total - r.completed_waiting_days, n)
                ),
            },
            chart: chart(r),
            method: method(r),
            cases: r
                .rows
                .iter()
                .map(|row| CaseView {
                    ticket: row.ticket.clone(),
                    received: dates::format_long(row.received),
                    kind: row.kind.code(),
                    status: row.status.clone(),
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
                    name: row.name.clone(),
                    nik: row.nik.clone().unwrap_or_else(|| "-".to_string()),
                })
                .collect(),
        }
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

fn chart(r: &MonthReport) -> Chart {
    const WIDTH: usize = 600;
    const HEIGHT: usize = 250;
    const SIDE: usize = 20;
    const TOP: usize = 30;
    const PLOT: usize = 160;
    let slot = (WIDTH - 2 * SIDE) / r.weeks.len().max(1);
    let bar = slot * 3 / 5;
    let max = r.weeks.iter().map(|w| w.count).max().unwrap_or(0).max(1);
    let base = TOP + PLOT;
    let description = r
        .weeks
        .iter()
        .map(|w| {
            format!(
                "Minggu {} (tanggal {}): {}",
                w.number,
                week_days(w),
                w.count
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let bars = r
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let height = w.count * PLOT / max;
            let x = SIDE + i * slot + (slot - bar) / 2;
            Bar {
                week: w.number,
                days: week_days(w),
                count: w.count,
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
        "Kasus dihitung pada bulan tanggal diterimanya (WIB).".to_string(),
        "Saluran: cara kasus sampai ke kantor (situs web, datang langsung, kotak aduan, telepon, WhatsApp, surel, SP4N-LAPOR!, media sosial); kasus yang dicatat sebelum ada saluran dihitung dari situs web.".to_string(),
        "Hari kerja: Senin sampai Jumat, di luar libur nasional dan cuti bersama. Hari diterimanya kasus tidak dihitung; hari tanggapan atau penyelesaian dihitung.".to_string(),
        format!(
            "Kasus yang batas waktunya dihitung sampai ditanggapi tepat waktu bila tanggapan pertama diberikan paling lambat pada batas tanggapannya; kasus yang batas waktunya dihitung sampai selesai tepat waktu bila selesai atau ditolak paling lambat pada batas penyelesaiannya ({}). Batas waktu setiap kasus ditetapkan saat kasus diterima.",
            r.shares
                .iter()
                .map(|s| format!("{} {}", s.what.to_lowercase(), term_text(s.term)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        format!(
            "Kasus yang belum ditanggapi atau belum selesai dihitung tidak tepat waktu bila batas waktunya sudah lewat pada {}; bila belum lewat, kasus itu belum jatuh tempo dan tidak dihitung.",
            dates::format_long(r.today)
        ),
        "Rata-rata waktu penyelesaian dihitung dari semua kasus bulan ini yang berstatus selesai atau ditolak.".to_string(),
        "Waktu menunggu pemohon dihitung dalam hari kerja, sejak petugas meminta kelengkapan sampai pemohon membalas atau petugas mengambil langkah berikutnya; waktu itu dicatat terpisah dari waktu kerja kantor.".to_string(),
        "NIK ditampilkan tersamar (4 angka pertama dan 4 angka terakhir). Laporan ini tidak memuat nomor telepon, alamat surel, atau alamat pemohon.".to_string(),
    ]
}

const CASE_HEADERS: [&str; 14] = [
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
];

/// The case list as CSV for a spreadsheet ([`crate::core::csv`]; ISO dates; a
/// header line even when empty).
pub fn render_csv(report: &MonthReport) -> String {
    let mut out = String::from(csv::BOM);
    out.push_str(&csv::line(&CASE_HEADERS));
    let iso = |d: Option<Date>| d.map(dates::format_iso).unwrap_or_default();
    for row in &report.rows {
        let cells = [
            row.ticket.clone(),
            dates::format_iso(row.received),
            row.kind.code(),
            row.status.clone(),
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
            row.channel.id().to_string(),
        ];
        out.push_str(&csv::line(&cells));
    }
    out
}
