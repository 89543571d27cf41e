//! `loket inbox`: which submissions need attention, as a table or CSV.

use std::io::{self, Write};

use time::Date;

use crate::cases::{Record, Status};
use crate::core::csv;
use crate::core::dates;
use crate::forms::FormKind;

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub kind: Option<FormKind>,
    pub overdue: bool,
    /// Received on or after this day.
    pub since: Option<Date>,
    /// Received on or before this day.
    pub until: Option<Date>,
    /// A ticket or part of the citizen's name, any case (the staff desk's
    /// search box).
    pub text: Option<String>,
}

impl Filter {
    /// Whether `r` passes (deadlines judged on `today`).
    pub fn matches(&self, r: &Record, today: Date) -> bool {
        self.status.is_none_or(|s| r.status == s)
            && self.kind.is_none_or(|k| r.kind == k)
            && (!self.overdue || r.is_overdue(today))
            && self.since.is_none_or(|d| r.received_date() >= d)
            && self.until.is_none_or(|d| r.received_date() <= d)
            && self.text.as_deref().is_none_or(|t| matches_text(r, t))
    }
}

/// A search for `KP-20261127-7KX4` (or part of it) or a name: ignores case
/// and runs of spaces.
fn matches_text(r: &Record, text: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let wanted = words(text);
    wanted.is_empty()
        || r.ticket.to_lowercase().contains(&wanted)
        || words(r.name()).contains(&wanted)
}

/// The records that pass `filter`, open ones first, oldest first.
pub fn select<'a>(records: &'a [Record], filter: &Filter, today: Date) -> Vec<&'a Record> {
    let mut rows: Vec<&Record> = records
        .iter()
        .filter(|r| filter.matches(r, today))
        .collect();
    rows.sort_by(|a, b| {
        (a.status.is_closed(), a.received_at, &a.ticket).cmp(&(
            b.status.is_closed(),
            b.received_at,
            &b.ticket,
        ))
    });
    rows
}

fn kind_label(r: &Record) -> String {
    match r.kind {
        FormKind::Permohonan => match r.fields.get("jenis") {
            Some(j @ ("konsultasi" | "pengaduan")) => format!("permohonan/{j}"),
            _ => "permohonan".to_string(),
        },
        FormKind::PengaduanLayanan => "pengaduan-layanan".to_string(),
    }
}

fn truncate(text: &str, max: usize) -> String {
    let one_line = text.replace(['\n', '\r', '\t'], " ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut t: String = one_line.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

/// A deadline as the inbox shows it: ISO, with `*` when it is provisional.
fn due_text(date: Option<Date>, r: &Record) -> String {
    match date {
        Some(d) if r.due_note.is_some() => format!("{}*", dates::format_iso(d)),
        Some(d) => dates::format_iso(d),
        None => String::new(),
    }
}

fn row_values(r: &Record, today: Date) -> [String; 9] {
    [
        r.ticket.clone(),
        dates::format_iso(r.received_date()),
        kind_label(r),
        r.name().to_string(),
        r.status.to_string(),
        due_text(Some(r.response_due), r),
        due_text(r.completion_due, r),
        if r.is_overdue(today) {
            "TERLAMBAT".into()
        } else {
            String::new()
        },
        r.due_note.clone().unwrap_or_default(),
    ]
}

const HEADERS: [&str; 9] = [
    "Tiket",
    "Diterima",
    "Jenis",
    "Nama",
    "Status",
    "Batas tanggapan",
    "Batas selesai",
    "Terlambat",
    "Catatan batas waktu",
];
/// The table leaves out the last column: the `*` and a footnote say it.
const TABLE_COLUMNS: usize = 8;

/// A plain-text table with a count line.
pub fn write_table(out: &mut impl Write, rows: &[&Record], today: Date) -> io::Result<()> {
    let values: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut v = row_values(r, today);
            v[3] = truncate(&v[3], 28);
            v[..TABLE_COLUMNS].to_vec()
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for v in &values {
        for (w, cell) in widths.iter_mut().zip(v) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| pad(c, w))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(
        out,
        "{}",
        line(
            HEADERS[..TABLE_COLUMNS]
                .iter()
                .map(|h| h.to_string())
                .collect()
        )
    )?;
    for v in values {
        writeln!(out, "{}", line(v))?;
    }
    let mut notes: Vec<&str> = rows.iter().filter_map(|r| r.due_note.as_deref()).collect();
    notes.sort_unstable();
    notes.dedup();
    for note in notes {
        writeln!(out, "* {note}")?;
    }
    let open = rows.iter().filter(|r| !r.status.is_closed()).count();
    let late = rows.iter().filter(|r| r.is_overdue(today)).count();
    writeln!(
        out,
        "{} kiriman: {open} terbuka, {late} terlambat (per {})",
        rows.len(),
        dates::format_long(today)
    )
}

/// The same rows as CSV for a spreadsheet ([`crate::core::csv`]), with a header
/// line and the provisional deadlines' note in a column of its own.
pub fn write_csv(out: &mut impl Write, rows: &[&Record], today: Date) -> io::Result<()> {
    out.write_all(csv::BOM.as_bytes())?;
    out.write_all(csv::line(&HEADERS).as_bytes())?;
    for r in rows {
        let mut v = row_values(r, today);
        for due in &mut v[5..7] {
            if let Some(date) = due.strip_suffix('*') {
                *due = date.to_string();
            }
        }
        out.write_all(csv::line(&v).as_bytes())?;
    }
    Ok(())
}
