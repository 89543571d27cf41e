//! `loket status`: the procedure's steps written into the record, keeping
//! hand edits and concurrent changes, moving a case to the right kind, and
//! refusing what would leave a record wrong or unreadable.

use std::fs;

use super::*;
use crate::common::*;

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
    // Taken, with what the desk would have asked about.
    assert!(
        stderr(&ok).contains(
            "peringatan: Tanggal pertemuan melewati batas waktu kasus ini (Jumat, 27 November 2026)."
        ),
        "{}",
        stderr(&ok)
    );
    let late = status(&[
        "selesai",
        "--note",
        "Sepakat: utang dibayar dua kali",
        "--at",
        "2026-12-02 12:00",
    ]);
    assert!(!late.status.success());
    assert!(
        stderr(&late).contains("perlu alasan keterlambatan untuk pemohon (--late-reason)"),
        "{}",
        stderr(&late)
    );
    let ok = status(&[
        "selesai",
        "--note",
        "Sepakat: utang dibayar dua kali",
        "--at",
        "2026-12-02 12:00",
        // Past its deadline (27 November): the citizen is told why.
        "--late-reason",
        "Menunggu jadwal kedua pihak",
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
        stderr(&refused)
            .contains("hanya dapat dipindah ke formulir lain selama berstatus baru atau diperiksa"),
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
        ("2026-11-19 09:00", "lebih awal dari waktu kasus diterima"),
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

/// The edit works on the record's text; a record written in a way the edit
/// cannot follow (here a quoted key: the edit would add a second `status`)
/// is refused with a message saying what to do, and left exactly as it was.
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
        err.contains(
            "KP-20261120-CDFH.yaml tidak dapat diubah: `status` tidak dapat disunting di tempat"
        ),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text, "left as it was");
}
