use super::*;
use crate::core::calendar::Calendar;
use crate::forms::spec;
use time::OffsetDateTime;
use time::macros::{date, datetime};

#[test]
fn finds_the_numbers_before_hari_kerja() {
    let days = |line| mentioned(line, "hari kerja");
    assert_eq!(days("Waktu penyelesaian: 5 hari kerja."), vec![5]);
    assert_eq!(
        days("paling lambat 3 Hari Kerja, atau 10 hari kerja"),
        vec![3, 10]
    );
    assert!(days("hari kerja saja").is_empty());
    assert!(days("lima hari kerja").is_empty());
    assert_eq!(
        mentioned("7 hari kalender, 5 hari kerja", "hari kalender"),
        vec![7]
    );
}

/// Friday 27 November 2026 at 15.00 WIB.
fn friday() -> OffsetDateTime {
    datetime!(2026-11-27 15:00 +7)
}

#[test]
fn deadlines_follow_the_step() {
    let calendar = Calendar::from_holidays([2026], &[]);
    let terms = Terms::of(&[
        ("permohonan", Term::working_days(5, Step::Completion)),
        ("pengaduan-layanan", Term::working_days(3, Step::Response)),
    ]);
    let request = terms.deadlines("permohonan", friday(), &calendar).unwrap();
    assert_eq!(request.response.date, date!(2026 - 12 - 04));
    assert_eq!(request.completion.unwrap().date, date!(2026 - 12 - 04));
    let complaint = terms
        .deadlines("pengaduan-layanan", friday(), &calendar)
        .unwrap();
    assert_eq!(complaint.response.date, date!(2026 - 12 - 02));
    assert_eq!(complaint.completion, None);
    assert_eq!(
        Terms::default().deadlines("permohonan", friday(), &calendar),
        None
    );
    // The day is the day in WIB: 20.00 UTC on Thursday is Friday there.
    let thursday_utc = datetime!(2026-11-26 20:00 UTC);
    assert_eq!(
        terms
            .deadlines("permohonan", thursday_utc, &calendar)
            .unwrap()
            .response
            .date,
        date!(2026 - 12 - 04)
    );
}

#[test]
fn the_three_units_count_differently() {
    // Cuti bersama on Monday 30 November, for the test.
    let calendar = Calendar::from_holidays([2026], &[date!(2026 - 11 - 30)]);
    let term = |count, unit| Term {
        count,
        unit,
        step: Step::Completion,
    };
    let due = |t: Term, terms: Terms| {
        Terms {
            by_kind: BTreeMap::from([("permohonan".to_string(), t)]),
            ..terms
        }
        .deadlines("permohonan", friday(), &calendar)
        .map(|d| d.completion.unwrap().date)
    };
    // Working days skip the weekend and the day off: 1, 2, 3 December.
    assert_eq!(
        due(term(3, Unit::WorkingDays), Terms::default()),
        Some(date!(2026 - 12 - 03))
    );
    // Calendar days count them.
    assert_eq!(
        due(term(3, Unit::CalendarDays), Terms::default()),
        Some(date!(2026 - 11 - 30))
    );
    // Two office hours from Friday 15.00: half an hour on Friday, the
    // rest on Tuesday (the weekend and Monday are off).
    let office = Terms::default().with_office_hours(OfficeHours::parse("08.00-15.30").unwrap());
    assert_eq!(
        due(term(2, Unit::Hours), office),
        Some(date!(2026 - 12 - 01))
    );
    // Half an hour fits on Friday itself.
    let office = Terms::default().with_office_hours(OfficeHours::parse("08.00-16.00").unwrap());
    assert_eq!(
        due(term(1, Unit::Hours), office),
        Some(date!(2026 - 11 - 27))
    );
    // Without office hours an hours term gives no deadline (check
    // refuses such a site).
    assert_eq!(due(term(2, Unit::Hours), Terms::default()), None);
    assert_eq!(term(7, Unit::CalendarDays).text(), "7 hari kalender");
    assert_eq!(term(2, Unit::Hours).text(), "2 jam kerja");
}

#[test]
fn a_form_files_term_reads_as_its_unit_and_step() {
    let read =
        |yaml: &str| Term::of_form(&crate::core::yaml::from_str::<spec::Term>(yaml).unwrap());
    assert_eq!(
        read("{ days: 5, until: selesai }"),
        Term::working_days(5, Step::Completion)
    );
    let t = read("{ calendar_days: 7, until: tanggapan }");
    assert_eq!(
        (t.count, t.unit, t.step),
        (7, Unit::CalendarDays, Step::Response)
    );
    let t = read("{ hours: 2, until: selesai }");
    assert_eq!(
        (t.count, t.unit, t.verb()),
        (2, Unit::Hours, "diselesaikan")
    );
}
