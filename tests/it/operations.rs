//! What an operator runs on the data folder: `loket verify`, `backup` and
//! `restore` (also while submissions arrive), and `purge` by the retention
//! in site.yaml.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::form::*;
use crate::common::server::Server;
use crate::common::submit::*;
use crate::common::*;

/// A request with a PDF KTP of its own (kept byte for byte).
fn submission(n: u64) -> Multipart {
    permohonan_text(&[("nama", Some(&format!("Warga {n}")))]).file(
        "ktp",
        "ktp.pdf",
        "application/pdf",
        &pdf(20_000 + n as usize, n),
    )
}

async fn submit(server: &Server, n: u64) -> String {
    let response = post_multipart(&client(), &server.url(PERMOHONAN), submission(n)).await;
    ticket_from(response).await
}

fn verify(data: &Path) -> (bool, String, String) {
    let out = run(&["verify", "--data", data.to_str().unwrap()]);
    (out.status.success(), stdout(&out), stderr(&out))
}

fn inbox(data: &Path) -> String {
    let out = run(&[
        "inbox",
        "--data",
        data.to_str().unwrap(),
        "--on",
        "2026-12-31",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[tokio::test]
async fn verify_names_every_problem_and_changes_nothing() {
    let server = Server::start();
    let tickets = [
        submit(&server, 1).await,
        submit(&server, 2).await,
        submit(&server, 3).await,
    ];
    let data = server.data.clone();
    let (ok, out, err) = verify(&data);
    assert!(ok, "{out}{err}");
    assert!(err.contains("3 kasus utuh, 0 masalah"), "{err}");

    let folder = |t: &str| record_path(&data, t).with_extension("");
    // A KTP changed, another deleted, a stray file, a record renamed by hand.
    fs::write(folder(&tickets[0]).join("ktp.pdf"), "diubah").unwrap();
    fs::remove_file(folder(&tickets[1]).join("ktp.pdf")).unwrap();
    let day = record_path(&data, &tickets[2])
        .parent()
        .unwrap()
        .to_path_buf();
    fs::rename(
        record_path(&data, &tickets[2]),
        day.join(format!("{}.yaml.bak", tickets[2])),
    )
    .unwrap();
    fs::write(day.join("catatan.txt"), "x").unwrap();
    let before = snapshot(&data);
    let (ok, out, err) = verify(&data);
    assert!(!ok);
    for expected in [
        format!(
            "{}/ktp.pdf: ukurannya 6 bita",
            folder(&tickets[0]).display()
        ),
        format!(
            "{}/ktp.pdf: tidak dapat dibaca",
            folder(&tickets[1]).display()
        ),
        format!(
            "{}: folder lampiran tanpa catatan (.yaml) kasus",
            folder(&tickets[2]).display()
        ),
        format!(
            "{}.yaml.bak: berkas yang bukan catatan kasus",
            day.join(&tickets[2]).display()
        ),
        format!(
            "{}: berkas yang bukan catatan kasus",
            day.join("catatan.txt").display()
        ),
    ] {
        assert!(out.contains(&expected), "{expected}\n---\n{out}");
    }
    assert!(err.contains("0 kasus utuh, 5 masalah"), "{err}");
    assert_eq!(snapshot(&data), before, "verify changes nothing");
    // And a restart does not delete what it did not make.
    let site = server.kill();
    let server = Server::launch(site, data.clone(), &["--rate-limit", "0"]);
    assert!(folder(&tickets[2]).join("ktp.pdf").is_file());
    assert!(day.join(format!("{}.yaml.bak", tickets[2])).is_file());
    drop(server);
}

#[tokio::test]
async fn backup_under_load_restores_whole() {
    let server = Server::start();
    let mut first = Vec::new();
    for n in 0..10 {
        first.push(submit(&server, n).await);
    }
    // Submissions keep arriving while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (stop, url) = (stop.clone(), server.url(PERMOHONAN));
        tokio::spawn(async move {
            let client = client();
            let mut n = 1000;
            while !stop.load(Ordering::SeqCst) {
                let response = post_multipart(&client, &url, submission(n)).await;
                ticket_from(response).await;
                n += 1;
            }
            n - 1000
        })
    };
    let archive = server.site().root().join("cadangan.tar");
    let data = server.data.clone();
    let backup = tokio::task::spawn_blocking({
        let (data, archive) = (data.clone(), archive.clone());
        move || {
            run(&[
                "backup",
                "--to",
                archive.to_str().unwrap(),
                "--data",
                data.to_str().unwrap(),
            ])
        }
    })
    .await
    .unwrap();
    stop.store(true, Ordering::SeqCst);
    let during = load.await.unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(during > 0, "submissions arrived during the backup");
    assert_eq!(mode(&archive), 0o600);

    // Restored elsewhere: whole, and holding every submission acknowledged
    // before the backup began, and only submissions the original holds.
    let restored = server.site().root().join("pulih");
    let out = run(&[
        "restore",
        archive.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (ok, out, err) = verify(&restored);
    assert!(ok, "{out}{err}");
    let restored_inbox = inbox(&restored);
    for ticket in &first {
        assert!(restored_inbox.contains(ticket.as_str()), "{ticket}");
    }
    let original = inbox(&data);
    for line in restored_inbox.lines().skip(1) {
        assert!(original.contains(line), "{line}");
    }
    assert_eq!(mode(&restored), 0o700);

    // Once quiet: backup, wipe, restore gives the same inbox and files.
    let site = server.kill();
    let expected = inbox(&data);
    let out = run(&[
        "backup",
        "--to",
        archive.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files_before = snapshot(&data.join("submissions"));
    fs::remove_dir_all(&data).unwrap();
    let out = run(&[
        "restore",
        archive.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(inbox(&data), expected);
    assert_eq!(snapshot(&data.join("submissions")), files_before);
    // The restored folder serves again.
    let server = Server::launch(site, data.clone(), &["--rate-limit", "0"]);
    submit(&server, 9999).await;
    // A restore never writes into a folder that holds something.
    let out = run(&[
        "restore",
        archive.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
}

/// Writes a closed request with a KTP, completed on `completed` (WIB date).
pub(crate) fn closed_case(data: &Path, ticket: &str, completed: &str, status: &str) {
    let day = &ticket[3..11];
    let dir = crate::common::submit::day_dir(data, ticket);
    fs::create_dir_all(dir.join(ticket)).unwrap();
    let ktp = pdf(1000, 1);
    fs::write(dir.join(ticket).join("ktp.pdf"), &ktp).unwrap();
    let completed_line = if status == "baru" {
        String::new()
    } else {
        format!("completed_at: {completed}T10:00:00+07:00\nresult: Selesai\n")
    };
    fs::write(
        dir.join(format!("{ticket}.yaml")),
        format!(
            "ticket: {ticket}\nkind: permohonan\nreceived_at: {}-{}-{}T09:00:00+07:00\nstatus: {status}\nresponse_due: 2026-01-10\ncompletion_due: 2026-01-10\n{completed_line}fields:\n  jenis: konsultasi\n  nama: Siti Aminah\n  nik: 3517 0152 0590 0001\n  telepon: 0812 3456 7890\nnormalized:\n  nik: '3517015205900001'\nattachments:\n- field: ktp\n  stored_name: ktp.pdf\n  original_name: KTP Siti Aminah.pdf\n  size: {}\n  type: application/pdf\n  sha256: {}\nhistory: []\n",
            &day[0..4],
            &day[4..6],
            &day[6..8],
            ktp.len(),
            sha256_hex(&ktp)
        ),
    )
    .unwrap();
}

#[test]
fn purge_deletes_attachments_then_personal_data_by_the_retention() {
    let site = TempSite::fixture();
    let text = site.read("site.yaml");
    site.write(
        "site.yaml",
        format!("{text}privacy:\n  retention: {{ attachments_days: 30, records_years: 1 }}\n"),
    );
    let data = site.root().join("data");
    closed_case(&data, "KP-20260105-CDFH", "2026-01-10", "selesai");
    closed_case(&data, "KP-20260601-HJKM", "2026-06-02", "ditolak");
    closed_case(&data, "KP-20260105-MNPR", "", "baru");
    let purge = |on: &str, dry: bool| {
        let mut args = vec![
            "purge",
            "--data",
            data.to_str().unwrap(),
            "--root",
            site.root_str(),
            "--on",
            on,
        ];
        if dry {
            args.push("--dry-run");
        }
        let out = run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let before = snapshot(&data);
    let said = purge("2026-07-15", true);
    assert_eq!(
        said,
        "KP-20260105-CDFH: lampiran akan dihapus (1 berkas)\nKP-20260601-HJKM: lampiran akan dihapus (1 berkas)\n"
    );
    assert_eq!(snapshot(&data), before, "a dry run changes nothing");

    // 30 days after closing: the attachments go; the open case stays whole.
    assert_eq!(
        purge("2026-02-09", false),
        "KP-20260105-CDFH: lampiran dihapus (1 berkas)\n"
    );
    let record = |t: &str| fs::read_to_string(record_path(&data, t)).unwrap();
    assert!(
        !record_path(&data, "KP-20260105-CDFH")
            .with_extension("")
            .exists()
    );
    assert!(record("KP-20260105-CDFH").contains("\nattachments_purged: 2026-02-09\n"));
    assert!(
        record_path(&data, "KP-20260105-MNPR")
            .with_extension("")
            .join("ktp.pdf")
            .is_file()
    );
    let (ok, out, err) = verify(&data);
    assert!(ok, "a purged record is whole: {out}{err}");

    // The record index (made by `loket inbox`) holds the three names.
    let out = run(&[
        "inbox",
        "--data",
        data.to_str().unwrap(),
        "--on",
        "2027-01-10",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = data.join(".index/records.sqlite");
    let names_in_index = || {
        let bytes = fs::read(&index).unwrap();
        bytes.windows(11).filter(|w| w == b"Siti Aminah").count()
    };
    assert_eq!(names_in_index(), 3);

    // A year after closing: the personal fields go, the counts stay.
    let said = purge("2027-01-10", false);
    assert_eq!(
        names_in_index(),
        2,
        "the redacted name is gone from the index too"
    );
    assert_eq!(
        said,
        "KP-20260105-CDFH: data pribadi dihapus\nKP-20260601-HJKM: lampiran dihapus (1 berkas)\n"
    );
    let redacted = record("KP-20260105-CDFH");
    for gone in ["Siti", "3517", "0812", "KTP Siti"] {
        assert!(!redacted.contains(gone), "{gone} in\n{redacted}");
    }
    for kept in [
        "ticket: KP-20260105-CDFH",
        "status: selesai",
        "jenis: konsultasi",
        "redacted: 2027-01-10",
        "stored_name: ktp.pdf",
    ] {
        assert!(redacted.contains(kept), "{kept} in\n{redacted}");
    }
    assert!(
        record("KP-20260105-MNPR").contains("Siti Aminah"),
        "open cases are never purged"
    );
    assert_eq!(
        purge("2027-01-10", false),
        "Tidak ada yang perlu dihapus.\n",
        "nothing twice"
    );
    let report = run(&[
        "report",
        "--month",
        "2026-01",
        "--on",
        "2027-01-10",
        "--root",
        site.root_str(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        site.root().join("laporan").to_str().unwrap(),
    ]);
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(
        stdout(&report).contains("2 kasus"),
        "reports still count them: {}",
        stdout(&report)
    );
}
