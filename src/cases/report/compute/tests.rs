use super::*;
use crate::cases::report::render_csv;
use time::macros::date;

/// A fixture calendar: 2026 listed, with the cuti bersama of 24 December.
fn fixture() -> Calendar {
    Calendar::from_holidays([2026], &[date!(2026 - 12 - 24)])
}

#[test]
fn judges_by_working_days_up_to_the_records_deadline() {
    let cal = fixture();
    let today = date!(2026 - 12 - 10);
    // Friday 27 Nov → Wednesday 2 Dec is 3 working days across a weekend.
    let fri = date!(2026 - 11 - 27);
    let due = date!(2026 - 12 - 02);
    let j = |done| judge(&cal, Unit::WorkingDays, fri, done, due, today);
    assert_eq!(j(Some(date!(2026 - 12 - 02))), Timeliness::Within);
    assert_eq!(j(Some(date!(2026 - 12 - 03))), Timeliness::Late);
    // Not done: late once the due date is before the report date.
    assert_eq!(j(None), Timeliness::Late);
    assert_eq!(
        judge(
            &cal,
            Unit::WorkingDays,
            fri,
            None,
            due,
            date!(2026 - 12 - 02)
        ),
        Timeliness::NotYetDue
    );
    // Tue 22 Dec, due Tue 29 Dec (23, 28, 29: 24 is cuti bersama, 25 Natal).
    let tue = date!(2026 - 12 - 22);
    let due = cal.add_working_days(tue, 3);
    assert_eq!(due, date!(2026 - 12 - 29));
    assert_eq!(cal.working_days_between(tue, date!(2026 - 12 - 28)), 2);
    assert_eq!(
        judge(
            &cal,
            Unit::WorkingDays,
            tue,
            Some(date!(2026 - 12 - 29)),
            due,
            today
        ),
        Timeliness::Within
    );
    assert_eq!(
        judge(
            &cal,
            Unit::WorkingDays,
            tue,
            Some(date!(2026 - 12 - 30)),
            due,
            today
        ),
        Timeliness::Late
    );
}

#[test]
fn a_calendar_days_term_is_judged_by_its_date() {
    let cal = fixture();
    let today = date!(2026 - 12 - 10);
    // Received Friday 27 Nov, 8 calendar days: due Saturday 5 Dec.
    let fri = date!(2026 - 11 - 27);
    let due = cal.add_calendar_days(fri, 8).date;
    assert_eq!(due, date!(2026 - 12 - 05));
    let j = |unit, done| judge(&cal, unit, fri, Some(done), due, today);
    assert_eq!(
        j(Unit::CalendarDays, date!(2026 - 12 - 05)),
        Timeliness::Within
    );
    // Sunday is a day late in calendar days; counted in working days it
    // would pass, as nobody works on the weekend.
    assert_eq!(
        j(Unit::CalendarDays, date!(2026 - 12 - 06)),
        Timeliness::Late
    );
    assert_eq!(
        j(Unit::WorkingDays, date!(2026 - 12 - 06)),
        Timeliness::Within
    );
    assert_eq!(j(Unit::Hours, date!(2026 - 12 - 06)), Timeliness::Late);
}

#[test]
fn shares_and_numbers_in_indonesian() {
    let mut s = Share::default();
    assert_eq!(s.describe("pengaduan"), "tidak ada pengaduan");
    for t in [
        Timeliness::Within,
        Timeliness::Late,
        Timeliness::NotYetDue,
        Timeliness::Within,
        Timeliness::Late,
        Timeliness::Within,
        Timeliness::Late,
        Timeliness::Within,
    ] {
        s.add(t);
    }
    assert_eq!((s.within, s.judged, s.not_yet_due), (4, 7, 1));
    assert_eq!(s.describe("x"), "4 dari 7 (57,1%)");
    assert_eq!(percent(2, 4), "50%");
    assert_eq!(percent(1, 1), "100%");
    assert_eq!(percent(2, 3), "66,7%");
    assert_eq!(percent(1, 3), "33,3%");
    assert_eq!(decimal_one(5, 2), "2,5");
    assert_eq!(decimal_one(23, 6), "3,8");
    assert_eq!(decimal_one(4, 1), "4,0");
    assert_eq!(decimal_one(1, 20), "0,1"); // 0.05 rounds up
}

#[test]
fn masks_the_nik() {
    assert_eq!(
        mask_nik("3517 0152 0590 0001").as_deref(),
        Some("3517 **** **** 0001")
    );
    assert_eq!(
        mask_nik("3517.0152.0590.0001").as_deref(),
        Some("3517 **** **** 0001")
    );
    assert_eq!(
        mask_nik("3517015205900001").as_deref(),
        Some("3517 **** **** 0001")
    );
    assert_eq!(mask_nik("3517 0152 0590 001"), None);
    assert_eq!(mask_nik("3517-0152-0590-0001"), None);
    assert_eq!(mask_nik("３５１７０１５２０５９０００01"), None);
}

#[test]
fn splits_the_month_into_weeks() {
    assert_eq!(
        [1, 7, 8, 14, 15, 21, 22, 28, 29, 31].map(week_of),
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    );
    let nov = weeks(2026, Month::November, [1, 2, 7, 8, 30].into_iter());
    assert_eq!(nov.len(), 5);
    assert_eq!(
        nov.iter().map(|w| w.count).collect::<Vec<_>>(),
        [3, 1, 0, 0, 1]
    );
    assert_eq!((nov[4].first_day, nov[4].last_day), (29, 30));
    // A 28-day February has four weeks; a leap one a fifth with one day.
    assert_eq!(weeks(2026, Month::February, std::iter::empty()).len(), 4);
    let feb = weeks(2028, Month::February, [29].into_iter());
    assert_eq!(
        feb[4],
        Week {
            number: 5,
            first_day: 29,
            last_day: 29,
            count: 1
        }
    );
}

fn record(text: &str) -> std::sync::Arc<Summary> {
    let path = std::path::Path::new("r.yaml");
    let record = crate::cases::Record::parse(path, text).unwrap();
    Summary::of(&record, Forms::builtin().of(&record).map(|f| &**f)).into()
}

#[test]
fn computes_a_month_from_records() {
    let base = |ticket: &str, kind: &str, at: &str, extra: &str| {
        format!("ticket: {ticket}\nkind: {kind}\nreceived_at: {at}\n{extra}")
    };
    let records = vec![
        // 1 Nov 03:30 WIB although 31 Oct in UTC.
        record(&base(
            "KP-20261101-CDFH",
            "permohonan",
            "2026-10-31T20:30:00Z",
            "status: selesai\nresponse_due: 2026-11-06\ncompletion_due: 2026-11-06\nfirst_response_at: 2026-11-02T09:00:00+07:00\ncompleted_at: 2026-11-04T10:00:00+07:00\nresult: Selesai\nfields:\n  jenis: konsultasi\n  nik: 3517 0152 0590 0001\n",
        )),
        // Completed but reopened by hand: no completion counted.
        record(&base(
            "KP-20261130-JKMN",
            "permohonan",
            "2026-11-30T08:00:00+07:00",
            "status: diperiksa\nresponse_due: 2026-12-07\ncompletion_due: 2026-12-07\ncompleted_at: 2026-12-01T10:00:00+07:00\nfields:\n  jenis: pengaduan\n  nik: '123'\n",
        )),
        record(&base(
            "PL-20261105-PRTV",
            "pengaduan-layanan",
            "2026-11-05T08:00:00+07:00",
            "status: baru\nresponse_due: 2026-11-10\n",
        )),
        // December in WIB.
        record(&base(
            "PL-20261201-MNRT",
            "pengaduan-layanan",
            "2026-11-30T18:30:00+00:00",
            "status: baru\nresponse_due: 2026-12-04\n",
        )),
    ];
    let cal = fixture();
    let r = MonthReport::compute(
        &records,
        (&cal, &Terms::default(), Forms::builtin()),
        Period::month(2026, Month::November),
        date!(2026 - 12 - 03),
    );
    assert_eq!(r.rows.len(), 3);
    assert_eq!(r.rows[0].received, date!(2026 - 11 - 01));
    assert_eq!(r.rows[0].days_to_completion, Some(3));
    assert_eq!(r.rows[0].nik.as_deref(), Some("3517 **** **** 0001"));
    assert_eq!(r.rows[1].completed, None);
    assert_eq!(r.rows[1].nik.as_deref(), Some("(tidak sah)"));
    assert_eq!(r.rows[1].timeliness, Timeliness::NotYetDue);
    assert_eq!(r.rows[2].nik, None);
    assert_eq!(r.rows[2].timeliness, Timeliness::Late);
    let kinds: Vec<(&str, &str, &str, usize)> = r
        .by_kind
        .iter()
        .map(|(g, n)| (g.form.as_str(), g.value.as_str(), g.label.as_str(), *n))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "pengaduan-layanan",
                "",
                "Keluhan, saran, dan masukan tentang pelayanan kami",
                1
            ),
            ("permohonan", "konsultasi", "Konsultasi masalah usaha", 1),
            ("permohonan", "pengaduan", "Pengaduan masalah usaha", 1),
        ]
    );
    // Every step of both forms, zeros included.
    assert_eq!(r.by_status.len(), 13);
    assert!(
        r.by_status
            .contains(&("Permohonan: Selesai".to_string(), 1))
    );
    assert!(
        r.by_status
            .contains(&("Keluhan, saran, atau masukan: Baru".to_string(), 1))
    );
    let share = |id: &str| r.forms.iter().find(|s| s.form == id).unwrap().share;
    assert_eq!(share("pengaduan-layanan").describe("-"), "0 dari 1 (0%)");
    let completion = share("permohonan");
    assert_eq!(
        (completion.within, completion.judged, completion.not_yet_due),
        (1, 1, 1)
    );
    let average = |id: &str| r.forms.iter().find(|s| s.form == id).unwrap().average();
    assert_eq!(average("permohonan").as_deref(), Some("3,0"));
    assert_eq!(average("pengaduan-layanan"), None);
    assert_eq!(
        r.weeks.iter().map(|w| w.count).collect::<Vec<_>>(),
        [2, 0, 0, 0, 1]
    );
    assert!(r.missing_holiday_years.is_empty());
    let csv = render_csv(&r);
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.contains("KP-20261101-CDFH;2026-11-01;Konsultasi masalah usaha;Selesai;2026-11-02;2026-11-04;3;0;ya;Selesai;;3517 **** **** 0001;;Situs web;\r\n"), "{csv}");
}

/// Days waited for the citizen are counted apart: per case, in all, and
/// taken out of the average time to completion.
#[test]
fn waiting_is_kept_apart_from_the_offices_time() {
    let records = [record(&format!(
        "ticket: {}\nkind: {}\nreceived_at: {}\n{}",
        "KP-20261101-CDFH",
        "permohonan",
        "2026-11-02T08:00:00+07:00",
        "status: selesai\nresponse_due: 2026-11-09\ncompletion_due: 2026-11-09\nfirst_response_at: 2026-11-03T09:00:00+07:00\ncompleted_at: 2026-11-09T10:00:00+07:00\nfields:\n  jenis: konsultasi\n",
    ))];
    let mut r = MonthReport::compute(
        &records,
        (&fixture(), &Terms::default(), Forms::builtin()),
        Period::month(2026, Month::November),
        date!(2026 - 12 - 03),
    );
    assert_eq!(r.rows[0].days_to_completion, Some(5));
    r.add_waiting(|ticket| if ticket == "KP-20261101-CDFH" { 2 } else { 0 });
    assert_eq!((r.waited, r.waiting_days_total), (1, 2));
    assert_eq!(r.forms[1].completed_waiting_days, 2);
    let csv = render_csv(&r);
    assert!(csv.contains(";5;2;"), "{csv}");
    let view = serde_json::to_value(super::super::view::ReportView::new(&r)).unwrap();
    assert_eq!(
        view["waiting"],
        "1 kasus, seluruhnya 2 hari kerja menunggu kelengkapan dari pemohon"
    );
    assert_eq!(
        view["forms"][1]["office_average"],
        "3,0 hari kerja tanpa waktu menunggu pemohon"
    );
}

#[test]
fn empty_month_has_no_average() {
    let r = MonthReport::compute(
        &[],
        (&fixture(), &Terms::default(), Forms::builtin()),
        Period::month(2026, Month::October),
        date!(2026 - 12 - 10),
    );
    assert!(r.forms.iter().all(|s| s.average().is_none()));
    assert!(r.forms.iter().all(|s| s.share.judged == 0));
    assert_eq!(
        r.forms[1].share.describe("permohonan"),
        "tidak ada permohonan"
    );
    assert_eq!(render_csv(&r).lines().count(), 1);
}
