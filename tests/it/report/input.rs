//! What the report is given: a broken record is named and skipped, bad
//! arguments are refused clearly, and an office's own template is used.

use super::*;
use crate::common::*;

#[test]
fn unreadable_record_is_named_and_skipped() {
    let s = setup();
    let (rel, _, line) = malformed();
    let (_, csv, out) = s.written("2026-11", "2026-12-10");
    let err = stderr(&out);
    let expected = format!("{}:{line}: ", s.data.join(&rel).display());
    assert!(err.contains(&expected), "want {expected:?} in:\n{err}");
    assert!(err.contains("besok"), "the value is named: {err}");
    assert!(err.contains("1 record(s) could not be read and were skipped"));
    assert!(!csv.contains("Rusak"));
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let s = setup();
    for bad in ["2026-13", "11-2026", "2026/11"] {
        let out = s.report(bad, "2026-12-10");
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("--month") && err.contains(bad), "{err}");
    }
    assert!(stderr(&s.report("2026-13", "2026-12-10")).contains("01 to 12"));
    let out = s.report("2026-11", "10-12-2026");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--on"));
    let out = run(&[
        "report",
        "--month",
        "2026-11",
        "--root",
        s.site.root_str(),
        "--data",
        s.site.root().join("tidak-ada").to_str().unwrap(),
        "--out",
        s.out.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no submissions folder"),
        "{}",
        stderr(&out)
    );
    assert!(!s.out.exists(), "nothing written");
}

/// The report is a template built in to loket; an office puts its own
/// letterhead in place with a `templates/laporan.html` of its own.
#[test]
fn an_office_overrides_the_report_template() {
    let s = setup();
    s.site.write(
        "templates/laporan.html",
        "<!DOCTYPE html><html lang=\"id\"><title>Kop kami</title><p class=\"kop-kami\">{{ office.name }} · {{ r.period }}</p>{% for c in r.cases %}<p>{{ c.ticket }} {{ c.name }}</p>{% endfor %}</html>",
    );
    let (html, _, _) = s.written("2026-11", "2026-12-10");
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"id\"><title>Kop kami</title><p class=\"kop-kami\">Dinas Koperasi dan Usaha Mikro · November 2026</p>"),
        "{html}"
    );
    // Values are escaped in the office's template too.
    assert!(!html.contains("<b>"), "{html}");
}
