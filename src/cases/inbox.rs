//! `loket inbox`: which submissions need attention, as a table or CSV.

use std::collections::HashSet;
use std::io::{self, Write};

use time::Date;

use crate::cases::Channel;
use crate::cases::index::{Due, Summary};
use crate::core::csv;
use crate::core::dates;

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A step id (aliases are listed as their step).
    pub status: Option<String>,
    /// A form id.
    pub kind: Option<String>,
    /// The channel the case came in by.
    pub channel: Option<Channel>,
    /// Where the case stands against its next deadline.
    pub due: Option<Due>,
    /// Received on or after this day.
    pub since: Option<Date>,
    /// Received on or before this day.
    pub until: Option<Date>,
    /// Only these tickets: what a search of the index found (the staff
    /// desk's search box, [`crate::cases::index::Memo::find`]).
    pub found: Option<HashSet<String>>,
    /// The office pauses the clock while a case waits for its citizen
    /// (`office.pause_while_waiting`): such a case is never late.
    pub pauses: bool,
    /// Only cases whose citizen answered since the last step
    /// ([`Summary::new_reply`]).
    pub replied: bool,
}

impl Filter {
    /// Whether `r` passes (deadlines judged on `today`).
    pub fn matches(&self, r: &Summary, today: Date) -> bool {
        self.status.as_ref().is_none_or(|s| r.status == *s)
            && self.kind.as_ref().is_none_or(|k| r.kind == *k)
            && self.channel.is_none_or(|c| r.channel == c)
            && self
                .due
                .is_none_or(|d| r.due_on(today, self.pauses) == Some(d))
            && self.since.is_none_or(|d| r.received_date() >= d)
            && self.until.is_none_or(|d| r.received_date() <= d)
            && self.found.as_ref().is_none_or(|f| f.contains(&r.ticket))
            && (!self.replied || r.new_reply)
    }
}

/// The inbox's order: open cases first, by their next deadline (so the
/// late ones lead), then closed ones, the last closed first; then oldest
/// first (tickets are unique: no two records compare equal).
fn order(a: &Summary, b: &Summary) -> std::cmp::Ordering {
    key(a).cmp(&key(b))
}

/// What [`order`] compares.
fn key(r: &Summary) -> impl Ord + '_ {
    let when = match r.closed {
        false => (Some(r.next_due()), None),
        true => (None, r.completed_at.map(std::cmp::Reverse)),
    };
    (r.closed, when, r.received_at, &r.ticket)
}

/// The records that pass `filter`, in inbox order.
pub fn select<'a>(
    records: impl IntoIterator<Item = &'a Summary>,
    filter: &Filter,
    today: Date,
) -> Vec<&'a Summary> {
    let mut rows: Vec<&Summary> = records
        .into_iter()
        .filter(|r| filter.matches(r, today))
        .collect();
    // Each key made once, not twice per comparison (at 100,000 records
    // the comparisons were 6% of `loket inbox`).
    rows.sort_by_cached_key(|r| key(r));
    rows
}

/// The first `end` of `rows` in inbox order, the rest dropped: a page
/// without sorting everything after it.
pub fn first_in_order(rows: &mut Vec<&Summary>, end: usize) {
    if end < rows.len() {
        rows.select_nth_unstable_by(end, |a, b| order(a, b));
        rows.truncate(end);
    }
    rows.sort_unstable_by(|a, b| order(a, b));
}

/// The form's id, and the value the form splits its report by
/// ("permohonan/konsultasi").
fn kind_label(r: &Summary) -> String {
    match r.breakdown.as_str() {
        "" => r.kind.clone(),
        value => format!("{}/{value}", r.kind),
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

/// A deadline as the inbox shows it: ISO, with `*` when it is provisional.
fn due_text(date: Option<Date>, r: &Summary) -> String {
    match date {
        Some(d) if r.due_note.is_some() => format!("{}*", dates::format_iso(d)),
        Some(d) => dates::format_iso(d),
        None => String::new(),
    }
}

fn row_values(r: &Summary, (today, pauses): (Date, bool)) -> [String; 9] {
    [
        r.ticket.clone(),
        dates::format_iso(r.received_date()),
        kind_label(r),
        r.name.clone(),
        r.status.to_string(),
        due_text(Some(r.response_due), r),
        due_text(r.completion_due, r),
        if r.is_overdue(today, pauses) {
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
pub fn write_table(
    out: &mut impl Write,
    rows: &[&Summary],
    (today, pauses): (Date, bool),
) -> io::Result<()> {
    // Every cell in one string (tens of thousands of rows, a few MB),
    // each row's cells ending at `ends`.
    let mut cells = String::new();
    let mut ends: Vec<[usize; TABLE_COLUMNS]> = Vec::with_capacity(rows.len());
    let mut widths = HEADERS.map(|h| h.chars().count());
    for r in rows {
        let mut v = row_values(r, (today, pauses));
        v[3] = truncate(&v[3], 28);
        let mut row_ends = [0; TABLE_COLUMNS];
        for ((cell, end), w) in v.iter().zip(&mut row_ends).zip(&mut widths) {
            cells.push_str(cell);
            *end = cells.len();
            *w = (*w).max(cell.chars().count());
        }
        ends.push(row_ends);
    }
    // Thousands of lines: one write per buffer, not per line.
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    let mut line = String::new();
    let mut write_line = |out: &mut io::BufWriter<_>, cells: &mut dyn Iterator<Item = &str>| {
        line.clear();
        for (i, (cell, width)) in cells.zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let len = cell.chars().count();
            line.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
        }
        writeln!(out, "{}", line.trim_end())
    };
    write_line(&mut out, &mut HEADERS[..TABLE_COLUMNS].iter().copied())?;
    let mut start = 0;
    for row_ends in &ends {
        let mut row = row_ends.iter().map(|&end| {
            let cell = &cells[start..end];
            start = end;
            cell
        });
        write_line(&mut out, &mut row)?;
    }
    let mut notes: Vec<&str> = rows.iter().filter_map(|r| r.due_note.as_deref()).collect();
    notes.sort_unstable();
    notes.dedup();
    for note in notes {
        writeln!(out, "* {note}")?;
    }
    let open = rows.iter().filter(|r| !r.closed).count();
    let late = rows.iter().filter(|r| r.is_overdue(today, pauses)).count();
    writeln!(
        out,
        "{} kasus: {open} terbuka, {late} terlambat (per {})",
        rows.len(),
        dates::format_long(today)
    )?;
    out.flush()
}

/// The same rows as CSV for a spreadsheet ([`crate::core::csv`]), with a header
/// line and the provisional deadlines' note in a column of its own.
pub fn write_csv(
    out: &mut impl Write,
    rows: &[&Summary],
    (today, pauses): (Date, bool),
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    out.write_all(csv::BOM.as_bytes())?;
    out.write_all(csv::line(&HEADERS).as_bytes())?;
    for r in rows {
        let mut v = row_values(r, (today, pauses));
        for due in &mut v[5..7] {
            if let Some(date) = due.strip_suffix('*') {
                *due = date.to_string();
            }
        }
        out.write_all(csv::line(&v).as_bytes())?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(ticket: &str, day: u8, status: &str) -> Summary {
        let done = if ["selesai", "ditolak"].contains(&status) {
            format!("completed_at: 2026-11-{day:02}T10:00:00+07:00\n")
        } else {
            String::new()
        };
        let text = format!(
            "ticket: {ticket}\nkind: permohonan\nreceived_at: 2026-11-{day:02}T09:00:00+07:00\nstatus: {status}\nresponse_due: 2026-12-01\ncompletion_due: 2026-12-01\n{done}"
        );
        let record = crate::cases::Record::parse(std::path::Path::new("r.yaml"), &text).unwrap();
        Summary::of(&record, None)
    }

    #[test]
    fn a_page_is_the_same_as_that_part_of_the_whole_list() {
        let statuses = [
            "baru",
            "selesai",
            "diperiksa",
            "ditolak",
            "pertemuan-dijadwalkan",
        ];
        let records: Vec<Summary> = (0..40u8)
            .map(|i| {
                let ticket = format!(
                    "KP-202611{:02}-{}",
                    1 + i % 9,
                    ["CDFH", "KMNP", "RTVW", "XYZ3", "4567"][usize::from(i % 5)]
                );
                summary(&ticket, 1 + i % 9, statuses[usize::from(i % 5)])
            })
            .collect();
        let today = time::macros::date!(2026 - 11 - 30);
        let all = select(&records, &Filter::default(), today);
        assert!(!all[0].closed && all[39].closed);
        for end in [0, 1, 7, 20, 39, 40, 41, 100] {
            let mut page: Vec<&Summary> = records.iter().collect();
            first_in_order(&mut page, end);
            assert_eq!(page, all[..end.min(40)], "first {end}");
        }
    }

    #[test]
    fn open_cases_go_by_their_next_deadline_and_say_where_they_stand() {
        let due = |ticket: &str, response_due: &str, extra: &str| {
            let text = format!(
                "ticket: {ticket}\nkind: permohonan\nreceived_at: 2026-11-02T09:00:00+07:00\nstatus: baru\nresponse_due: {response_due}\ncompletion_due: 2026-12-20\n{extra}"
            );
            let record = crate::cases::Record::parse(std::path::Path::new("r.yaml"), &text);
            Summary::of(&record.unwrap(), None)
        };
        let answered = "first_response_at: 2026-11-03T09:00:00+07:00\n";
        let records = [
            due("KP-20261102-CDFH", "2026-12-09", ""),
            due("KP-20261102-KMNP", "2026-12-01", answered), // next: completion, 20 Dec
            due("KP-20261102-RTVW", "2026-12-08", ""),
            due("KP-20261102-XYZ3", "2026-12-04", ""),
            summary("KP-20261101-4567", 1, "selesai"),
        ];
        let today = time::macros::date!(2026 - 12 - 08);
        let order: Vec<&str> = select(&records, &Filter::default(), today)
            .iter()
            .map(|r| &r.ticket[12..])
            .collect();
        assert_eq!(order, ["XYZ3", "RTVW", "CDFH", "KMNP", "4567"]);
        let stands: Vec<_> = records.iter().map(|r| r.due_on(today, false)).collect();
        assert_eq!(
            stands,
            [
                Some(Due::Tomorrow),
                None,
                Some(Due::Today),
                Some(Due::Late),
                None
            ]
        );
        let tomorrow = Filter {
            due: Some(Due::Tomorrow),
            ..Filter::default()
        };
        assert_eq!(select(&records, &tomorrow, today).len(), 1);
    }
}
