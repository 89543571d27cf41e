//! `loket inbox`: which submissions need attention, as a table or CSV.

use std::io::{self, Write};

use time::Date;

use crate::dates;
use crate::records::{Status, StoredRecord};
use crate::submission::FormKind;

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub kind: Option<FormKind>,
    pub overdue: bool,
    /// Received on or after this day.
    pub since: Option<Date>,
}

/// The records that pass `filter`, open ones first, oldest first.
pub fn select<'a>(
    records: &'a [StoredRecord],
    filter: &Filter,
    today: Date,
) -> Vec<&'a StoredRecord> {
    let mut rows: Vec<&StoredRecord> = records
        .iter()
        .filter(|r| filter.status.is_none_or(|s| r.status == s))
        .filter(|r| filter.kind.is_none_or(|k| r.kind == k))
        .filter(|r| !filter.overdue || r.is_overdue(today))
        .filter(|r| filter.since.is_none_or(|d| r.received_date() >= d))
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

fn kind_label(r: &StoredRecord) -> String {
    match r.kind {
        FormKind::Permohonan => match r.fields.get("jenis").map(String::as_str) {
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

fn row_values(r: &StoredRecord, today: Date) -> [String; 8] {
    [
        r.ticket.clone(),
        dates::format_iso(r.received_date()),
        kind_label(r),
        r.name().to_string(),
        r.status.to_string(),
        dates::format_iso(r.response_due),
        r.completion_due
            .map(dates::format_iso)
            .unwrap_or_else(|| "-".into()),
        if r.is_overdue(today) {
            "TERLAMBAT".into()
        } else {
            String::new()
        },
    ]
}

const HEADERS: [&str; 8] = [
    "Tiket",
    "Diterima",
    "Jenis",
    "Nama",
    "Status",
    "Batas respon",
    "Batas selesai",
    "Terlambat",
];

/// A plain-text table with a count line.
pub fn write_table(out: &mut impl Write, rows: &[&StoredRecord], today: Date) -> io::Result<()> {
    let values: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            let mut v = row_values(r, today);
            v[3] = truncate(&v[3], 28);
            v
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
        line(HEADERS.iter().map(|h| h.to_string()).collect())
    )?;
    for v in values {
        writeln!(out, "{}", line(v.to_vec()))?;
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

/// One CSV field: quoted when needed, and defused so a spreadsheet never runs
/// a citizen's text as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The same rows as CSV (RFC 4180, with a header line).
pub fn write_csv(out: &mut impl Write, rows: &[&StoredRecord], today: Date) -> io::Result<()> {
    writeln!(out, "{}", HEADERS.map(csv_field).join(","))?;
    for r in rows {
        let v = row_values(r, today);
        writeln!(
            out,
            "{}",
            v.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_quoted_and_defused() {
        assert_eq!(csv_field("Siti"), "Siti");
        assert_eq!(csv_field("Siti, Bu"), "\"Siti, Bu\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
