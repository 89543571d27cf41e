//! `loket inbox`: open cases first, oldest first, with overdue marks; its
//! filters; a CSV that never opens as a formula; and broken or absurdly
//! nested records reported and skipped.

use std::fs;

use super::*;
use crate::common::*;

#[test]
fn inbox_lists_open_ones_first_oldest_first_with_overdue_marks() {
    let (_tmp, data) = data_with_records();
    let out = run(&["inbox", "--data", data_arg(&data), "--on", "2026-12-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("Tiket"), "{table}");
    assert!(lines[1].starts_with("KP-20261120-CDFH"), "{table}");
    assert!(lines[2].starts_with("KP-20261124-MNPR"), "{table}");
    assert!(
        lines[3].starts_with("PL-20261120-HJKM"),
        "closed last: {table}"
    );
    assert!(lines[1].contains("TERLAMBAT") && lines[2].contains("TERLAMBAT"));
    assert!(
        !lines[3].contains("TERLAMBAT"),
        "closed cases are never late"
    );
    assert!(
        lines[4].starts_with("3 kasus: 2 terbuka, 2 terlambat"),
        "{table}"
    );
}

/// The tickets `loket inbox --format csv ARGS` lists, in order.
fn listed(data: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["inbox", "--data", data_arg(data), "--format", "csv"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .skip(1)
        .map(|l| l.split(';').next().unwrap().to_string())
        .collect()
}

#[test]
fn inbox_filters() {
    let (_tmp, data) = data_with_records();
    let only = |args: &[&str]| listed(&data, &[&["--on", "2026-11-21"], args].concat());
    assert_eq!(only(&["--status", "baru"]), ["KP-20261120-CDFH"]);
    assert_eq!(only(&["--kind", "pengaduan-layanan"]), ["PL-20261120-HJKM"]);
    assert_eq!(only(&["--since", "2026-11-21"]), ["KP-20261124-MNPR"]);
    assert!(
        only(&["--overdue"]).is_empty(),
        "nothing is late on 21 November"
    );
    let bad = run(&["inbox", "--data", data_arg(&data), "--status", "entah"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("tidak dikenal"), "{}", stderr(&bad));
}

/// An older complaint in `diperiksa` is listed as the complaint form's
/// `cek-administrasi`: `--kind pengaduan-layanan --status diperiksa` (the
/// alias) finds it, as does the step's own id.
#[test]
fn a_status_filter_reads_an_older_step_name_through_the_form() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    record(
        &data,
        "PL-20261120-HJKM",
        "pengaduan-layanan",
        "2026-11-20T08:00:00+07:00",
        "diperiksa",
        "Budi",
    );
    record(
        &data,
        "KP-20261124-MNPR",
        "permohonan",
        "2026-11-24T10:00:00+07:00",
        "diperiksa",
        "Siti",
    );
    let only = |args: &[&str]| listed(&data, args);
    let complaint = ["PL-20261120-HJKM"];
    assert_eq!(
        only(&["--kind", "pengaduan-layanan", "--status", "diperiksa"]),
        complaint
    );
    assert_eq!(
        only(&[
            "--kind",
            "pengaduan-layanan",
            "--status",
            "cek-administrasi"
        ]),
        complaint
    );
    assert_eq!(only(&["--status", "diperiksa"]), ["KP-20261124-MNPR"]);
    let csv = stdout(&run(&[
        "inbox",
        "--data",
        data_arg(&data),
        "--format",
        "csv",
    ]));
    assert!(
        csv.contains("PL-20261120-HJKM;2026-11-20;pengaduan-layanan;Budi;cek-administrasi;"),
        "{csv}"
    );
}

/// Names that try to smuggle a formula past the defusing, however a
/// spreadsheet splits the line: read back with Python's csv module on `,`,
/// `;` and TAB, no cell may start with a formula character.
#[test]
fn inbox_csv_opens_in_columns_and_never_as_a_formula() {
    let (_tmp, data) = data_with_records();
    for (i, name) in [
        "Budi;=1+1;",
        "x\t=1+1",
        "=HYPERLINK(1)",
        "a, +62 812",
        "s;\"=1+1\"",
    ]
    .iter()
    .enumerate()
    {
        let ticket = format!(
            "KP-20261121-{}",
            ["CDFH", "JKMN", "PRTV", "WXY3", "4679"][i]
        );
        let quoted = name
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\t', "\\t");
        record(
            &data,
            &ticket,
            "permohonan",
            "2026-11-21T09:00:00+07:00",
            "baru",
            &format!("\"{quoted}\""),
        );
    }
    let out = run(&["inbox", "--data", data_arg(&data), "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(
        csv.starts_with("\u{feff}Tiket;Diterima;Jenis;Nama;Status;"),
        "a BOM and `;` for Excel in Indonesian: {csv}"
    );
    let file = data.join("inbox.csv");
    fs::write(&file, &csv).unwrap();
    let script = r#"
import csv, sys
text = open(sys.argv[1], encoding="utf-8-sig", newline="").read()
bad = []
rows_semicolon = list(csv.reader(text.splitlines(), delimiter=";"))
for delimiter in [",", ";", "\t"]:
    for row in csv.reader(text.splitlines(), delimiter=delimiter):
        for cell in row:
            if cell.lstrip(" \"")[:1] in ("=", "+", "-", "@"):
                bad.append((delimiter, cell))
assert all(len(r) == len(rows_semicolon[0]) for r in rows_semicolon), rows_semicolon
names = [r[3] for r in rows_semicolon[1:]]
print("\n".join(names))
if bad:
    print("FORMULA", bad)
    sys.exit(1)
"#;
    let py = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python3 runs");
    let printed = String::from_utf8_lossy(&py.stdout);
    assert!(
        py.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert!(printed.contains("Budi;'=1+1;"), "{printed}");
    assert!(!csv.contains(";'-;"), "an empty deadline is empty, not '-");
}

#[test]
fn inbox_skips_and_reports_a_malformed_record() {
    let (_tmp, data) = data_with_records();
    let broken = record(
        &data,
        "KP-20261125-TVWX",
        "permohonan",
        "2026-11-25T10:00:00+07:00",
        "baru",
        "X",
    );
    let text = fs::read_to_string(&broken).unwrap();
    fs::write(&broken, text.replace("status: baru", "status: [baru")).unwrap();
    let out = run(&["inbox", "--data", data_arg(&data)]);
    assert!(out.status.success(), "a bad record does not stop the inbox");
    let err = stderr(&out);
    assert!(err.contains("KP-20261125-TVWX.yaml:"), "{err}");
    let line = err.lines().find(|l| l.contains("TVWX.yaml:")).unwrap();
    let after = line.split("TVWX.yaml:").nth(1).unwrap();
    assert!(
        after.split(':').next().unwrap().parse::<usize>().is_ok(),
        "path:line: {line}"
    );
    assert!(
        stdout(&out).contains("3 kasus"),
        "the other three are listed"
    );
    assert!(!stdout(&out).contains("TVWX"));
}

/// A hand-edited record nested absurdly deep is reported with its line and
/// skipped, instead of keeping the parser busy for minutes.
#[test]
fn a_record_nested_too_deep_is_reported_and_skipped() {
    let (_tmp, data) = data_with_records();
    let path = data.join("submissions/2026/11/24/KP-20261124-MNPR.yaml");
    let text = fs::read_to_string(&path).unwrap().replace(
        "history: []\n",
        &format!(
            "history: []\ncatatan: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    fs::write(&path, text).unwrap();
    let out = run(&["inbox", "--data", data_arg(&data)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("KP-20261124-MNPR.yaml:")
            && stderr(&out).contains("nested more than 64 levels deep"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("KP-20261120-CDFH"),
        "the others are listed"
    );
}
