//! Staff tools on hand-made records: `loket inbox`, `show` and `status`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// Writes a record as the server would, under `data`; returns its path.
fn record(
    data: &Path,
    ticket: &str,
    kind: &str,
    received: &str,
    status: &str,
    nama: &str,
) -> PathBuf {
    let day = &ticket[3..11];
    let dir = data
        .join("submissions")
        .join(&day[0..4])
        .join(&day[4..6])
        .join(&day[6..8]);
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
            .map(|l| l.split(',').next().unwrap().to_string())
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
    assert!(stderr(&bad).contains("unknown status"));
}

#[test]
fn inbox_csv_is_safe_for_spreadsheets() {
    let (_tmp, data) = data_with_records();
    let out = run(&["inbox", "--data", data_arg(&data), "--format", "csv"]);
    let csv = stdout(&out);
    assert!(
        csv.starts_with("Tiket,Diterima,Jenis,Nama,Status,"),
        "{csv}"
    );
    assert!(csv.contains(",'=1+1,"), "a formula is defused: {csv}");
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
    assert!(stderr(&missing).contains("no submission with ticket KP-20261120-TTTT"));
    let bad = run(&["show", "../../etc/passwd", "--data", data_arg(&data)]);
    assert!(stderr(&bad).contains("is not a ticket number"));
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
    let status = |args: &[&str]| {
        let mut all = vec!["status", "KP-20261120-CDFH"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data", data_arg(&data), "--by", "Rina"]);
        run(&all)
    };

    // Not allowed: straight to selesai, or a meeting before checking.
    let refused = status(&["selesai", "--note", "x"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("cannot become selesai"),
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
    let parsed: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
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
        stderr(&again).contains("the case is closed"),
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
