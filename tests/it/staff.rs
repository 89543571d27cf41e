//! Staff tools on hand-made records: `loket inbox`, `show` and `status`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// Writes a record as the server would, under `data`; returns its path.
fn record(
    data: &Path,
    ticket: &str,
    kind: &str,
    received: &str,
    status: &str,
    nama: &str,
) -> PathBuf {
    let dir = crate::common::submit::day_dir(data, ticket);
    fs::create_dir_all(&dir).unwrap();
    let (response_due, completion_due) = match kind {
        "permohonan" => ("2026-11-27", "2026-11-27"),
        _ => ("2026-11-25", "null"),
    };
    let path = dir.join(format!("{ticket}.yaml"));
    fs::write(
        &path,
        format!(
            "# {ticket}\nticket: {ticket}\nkind: {kind}\nreceived_at: {received}\nstatus: {status}\n\
response_due: {response_due}\ncompletion_due: {completion_due}\nfields:\n  jenis: pengaduan\n  nama: {nama}\n  nik: 3517 0152 0590 0001\n\
normalized:\n  nik: '3517015205900001'\nattachments:\n- field: ktp\n  stored_name: ktp.jpg\n  original_name: foto.jpg\n  size: 4\n  type: image/jpeg\n  sha256: abc\n\
history: []\n"
        ),
    )
    .unwrap();
    path
}

fn data_with_records() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    record(
        &data,
        "KP-20261120-CDFH",
        "permohonan",
        "2026-11-20T09:00:00+07:00",
        "baru",
        "Siti Aminah",
    );
    record(
        &data,
        "PL-20261120-HJKM",
        "pengaduan-layanan",
        "2026-11-20T08:00:00+07:00",
        "selesai",
        "Budi",
    );
    record(
        &data,
        "KP-20261124-MNPR",
        "permohonan",
        "2026-11-24T10:00:00+07:00",
        "diperiksa",
        "=1+1",
    );
    (tmp, data)
}

fn data_arg(data: &Path) -> &str {
    data.to_str().unwrap()
}

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
        lines[4].starts_with("3 kiriman: 2 terbuka, 2 terlambat"),
        "{table}"
    );
}

#[test]
fn inbox_filters() {
    let (_tmp, data) = data_with_records();
    let only = |args: &[&str]| -> Vec<String> {
        let mut all = vec![
            "inbox",
            "--data",
            data_arg(&data),
            "--on",
            "2026-11-21",
            "--format",
            "csv",
        ];
        all.extend_from_slice(args);
        let out = run(&all);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .skip(1)
            .map(|l| l.split(';').next().unwrap().to_string())
            .collect()
    };
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
        stdout(&out).contains("3 kiriman"),
        "the other three are listed"
    );
    assert!(!stdout(&out).contains("TVWX"));
}

#[test]
fn show_prints_the_record_and_its_attachment_paths() {
    let (_tmp, data) = data_with_records();
    let out = run(&["show", "KP-20261120-CDFH", "--data", data_arg(&data)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("nama: Siti Aminah"));
    assert!(text.contains("KP-20261120-CDFH/ktp.jpg"), "{text}");
    let missing = run(&["show", "KP-20261120-TTTT", "--data", data_arg(&data)]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("tidak ada kiriman dengan nomor tiket KP-20261120-TTTT"));
    let bad = run(&["show", "../../etc/passwd", "--data", data_arg(&data)]);
    assert!(
        stderr(&bad).contains("bukan nomor tiket"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn status_follows_the_procedure_and_keeps_hand_edits() {
    let (_tmp, data) = data_with_records();
    let path = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let edited = text
        .replace(
            "status: baru\n",
            "status: baru\n# ditelepon 21/11, belum diangkat\n",
        )
        .replace(
            "history: []\n",
            "history: []\ncatatan: 'ditulis tangan: jangan hilang'\n",
        );
    fs::write(&path, &edited).unwrap();
    // Run on a fixed day, after every step's --at.
    let status = |args: &[&str]| {
        let mut all = vec!["status", "KP-20261120-CDFH"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data", data_arg(&data), "--by", "Rina"]);
        loket_at("2026-12-05 10:00:00").args(&all).output().unwrap()
    };

    // Not allowed: straight to selesai, or a meeting before checking.
    let refused = status(&["selesai", "--note", "x"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("tidak dapat menjadi selesai"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        edited,
        "a refused change writes nothing"
    );
    let needs = status(&["diperiksa"]);
    assert!(stderr(&needs).contains("--berkas"));

    let ok = status(&[
        "diperiksa",
        "--berkas",
        "lengkap",
        "--at",
        "2026-11-23 09:30",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let ok = status(&[
        "pertemuan-dijadwalkan",
        "--meeting",
        "2026-12-02 10:00, Kantor Dinkopum",
        "--at",
        "2026-11-24 10:00",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let ok = status(&[
        "selesai",
        "--note",
        "Sepakat: utang dibayar dua kali",
        "--at",
        "2026-12-02 12:00",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));

    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# ditelepon 21/11, belum diangkat\n"),
        "comment kept:\n{text}"
    );
    assert!(
        text.contains("catatan: 'ditulis tangan: jangan hilang'\n"),
        "hand edit kept:\n{text}"
    );
    assert!(text.contains("status: selesai\n"));
    assert!(
        text.contains("first_response_at: 2026-11-23T09:30:00+07:00"),
        "{text}"
    );
    assert!(
        text.contains("completed_at: 2026-12-02T12:00:00+07:00"),
        "{text}"
    );
    assert!(
        text.contains("result: 'Sepakat: utang dibayar dua kali'"),
        "{text}"
    );
    let parsed: loket::core::yaml::Value = loket::core::yaml::from_str(&text).unwrap();
    let history = parsed["history"].as_sequence().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[1]["meeting"]["place"], "Kantor Dinkopum");
    assert_eq!(history[0]["by"], "Rina");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Closed is closed.
    let again = status(&["diperiksa", "--berkas", "lengkap"]);
    assert!(
        stderr(&again).contains("kasus sudah ditutup"),
        "{}",
        stderr(&again)
    );
    // And the inbox agrees.
    let out = run(&[
        "inbox",
        "--data",
        data_arg(&data),
        "--status",
        "selesai",
        "--format",
        "csv",
    ]);
    assert!(stdout(&out).contains("KP-20261120-CDFH"));
}

#[test]
fn status_on_a_malformed_record_is_a_clear_error() {
    let (_tmp, data) = data_with_records();
    let path = data.join("submissions/2026/11/24/KP-20261124-MNPR.yaml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace(
            "received_at: 2026-11-24T10:00:00+07:00",
            "received_at: kemarin",
        ),
    )
    .unwrap();
    let out = run(&[
        "status",
        "KP-20261124-MNPR",
        "selesai",
        "--note",
        "x",
        "--data",
        data_arg(&data),
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("KP-20261124-MNPR.yaml:4:"), "{err}");
    assert!(!err.contains("panicked"));
}

/// A case filed in the wrong form moves to the right kind: the kind, the
/// deadlines of that kind from the day it came in, and a history entry
/// that keeps the move.
#[test]
fn status_kind_moves_a_case_filed_in_the_wrong_form() {
    let (_tmp, data) = data_with_records();
    let site = TempSite::fixture();
    fs::remove_dir_all(site.root().join("hari-libur")).unwrap();
    site.write(
        "hari-libur/2026.yaml",
        "year: 2026\nsource: \"SKB contoh\"\nlibur_nasional: []\n",
    );
    let path = data.join("submissions/2026/11/20/PL-20261120-HJKM.yaml");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("status: selesai", "status: baru");
    fs::write(&path, text).unwrap();
    let out = loket_at("2026-11-23 09:00:00")
        .args([
            "status",
            "PL-20261120-HJKM",
            "--kind",
            "permohonan",
            "--by",
            "Rina",
        ])
        .args(["--data", data_arg(&data), "--root", site.root_str()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "PL-20261120-HJKM: pengaduan-layanan baru -> permohonan baru"
    );
    let text = fs::read_to_string(&path).unwrap();
    // Fri 20 Nov + 5 working days.
    for line in [
        "\nkind: permohonan\n",
        "\nresponse_due: 2026-11-27\n",
        "\ncompletion_due: 2026-11-27\n",
        "  moved_from: pengaduan-layanan\n",
        "  by: Rina\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    assert!(
        !text.contains("first_response_at"),
        "a move is not a response"
    );
    let inbox = run(&[
        "inbox",
        "--data",
        data_arg(&data),
        "--kind",
        "permohonan",
        "--format",
        "csv",
    ]);
    assert!(stdout(&inbox).contains("PL-20261120-HJKM"));

    // Once a step of one kind only is taken, the case stays.
    let step = |args: &[&str]| {
        loket_at("2026-11-24 09:00:00")
            .args(["status", "PL-20261120-HJKM"])
            .args(args)
            .args(["--data", data_arg(&data), "--root", site.root_str()])
            .output()
            .unwrap()
    };
    assert!(step(&["diperiksa", "--berkas", "lengkap"]).status.success());
    assert!(step(&["konsultasi-diberikan"]).status.success());
    let refused = step(&["--kind", "pengaduan-layanan"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("hanya dapat dipindah selama berstatus baru atau diperiksa"),
        "{}",
        stderr(&refused)
    );
}

/// Two `loket status` on one ticket at the same moment: both succeed, one
/// after the other, and both entries are in the history.
#[test]
fn concurrent_status_changes_are_both_kept() {
    let (_tmp, data) = data_with_records();
    let path = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    let step = |by: &str| {
        loket_at("2026-12-05 10:00:00")
            .args([
                "status",
                "KP-20261120-CDFH",
                "diperiksa",
                "--berkas",
                "lengkap",
            ])
            .args(["--by", by, "--data", data_arg(&data)])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let rounds = 30;
    for _ in 0..rounds {
        let (a, b) = (step("Ani"), step("Budi"));
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
    let text = fs::read_to_string(&path).unwrap();
    let parsed: loket::core::yaml::Value = loket::core::yaml::from_str(&text).unwrap();
    let history = parsed["history"].as_sequence().unwrap();
    assert_eq!(history.len(), 2 * rounds, "no change lost");
    let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left: {leftovers:?}");
}

/// A comment at column 0 between history entries does not make the next
/// entry land in the middle; the new one is always last.
#[test]
fn status_appends_after_a_comment_inside_the_history() {
    let (_tmp, data) = data_with_records();
    let path = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    let text = fs::read_to_string(&path).unwrap().replace(
        "status: baru\n",
        "status: diperiksa\n",
    ).replace(
        "history: []\n",
        "history:\n- at: 2026-11-23T09:00:00+07:00\n  status: diperiksa\n  by: Ani\n  berkas: lengkap\n# Ani: ditelepon, minta dokumen tambahan\n- at: 2026-11-24T09:00:00+07:00\n  status: diperiksa\n  by: Ani\n  berkas: lengkap\n",
    );
    fs::write(&path, text).unwrap();
    let out = loket_at("2026-12-05 10:00:00")
        .args([
            "status",
            "KP-20261120-CDFH",
            "selesai",
            "--note",
            "Konsultasi selesai",
        ])
        .args([
            "--by",
            "Budi",
            "--at",
            "2026-11-25 10:00",
            "--data",
            data_arg(&data),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&path).unwrap();
    let parsed: loket::core::yaml::Value = loket::core::yaml::from_str(&text).unwrap();
    let history = parsed["history"].as_sequence().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[2]["by"], "Budi", "{text}");
    assert!(text.contains("# Ani: ditelepon, minta dokumen tambahan\n- at: 2026-11-24"));
}

/// A step cannot be dated before the case came in, or in the future.
#[test]
fn status_refuses_a_time_before_receipt_or_in_the_future() {
    let (_tmp, data) = data_with_records();
    let path = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    let before = fs::read_to_string(&path).unwrap();
    for (at, says) in [
        ("2026-11-19 09:00", "lebih awal dari waktu kiriman diterima"),
        ("2026-12-06 09:00", "belum terjadi"),
    ] {
        let out = loket_at("2026-12-05 10:00:00")
            .args([
                "status",
                "KP-20261120-CDFH",
                "diperiksa",
                "--berkas",
                "lengkap",
            ])
            .args(["--at", at, "--data", data_arg(&data)])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{at}");
        assert!(stderr(&out).contains(says), "{at}: {}", stderr(&out));
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
}

/// A record replaced by a symbolic link to another file: `show` does not
/// follow it, and nothing of the other file is printed.
#[test]
fn show_does_not_follow_a_symlinked_record() {
    let (tmp, data) = data_with_records();
    let secret = tmp.path().join("rahasia.txt");
    fs::write(&secret, "isi rahasia orang lain\n").unwrap();
    let path = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&secret, &path).unwrap();
    let out = run(&["show", "KP-20261120-CDFH", "--data", data_arg(&data)]);
    assert!(!out.status.success());
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("symbolic link"), "{said}");
    assert!(!said.contains("isi rahasia"), "{said}");
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

/// The edit works on the record's text; a record written in a way the edit
/// cannot follow (here a quoted key: the edit would add a second `status`)
/// is refused with a clear message and left exactly as it was.
#[test]
fn status_never_writes_a_record_it_would_leave_unreadable() {
    let (_tmp, data) = data_with_records();
    let path = data.join("submissions/2026/11/20/KP-20261120-CDFH.yaml");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("status: baru\n", "\"status\": baru\n");
    fs::write(&path, &text).unwrap();
    let out = loket_at("2026-11-23 10:00:00")
        .args([
            "status",
            "KP-20261120-CDFH",
            "diperiksa",
            "--berkas",
            "lengkap",
        ])
        .args(["--by", "Ani", "--data", data_arg(&data)])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("KP-20261120-CDFH.yaml tidak dapat diubah: duplicate field `status`"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text, "left as it was");
}
