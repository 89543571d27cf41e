//! The report on the staff desk (issue 28 §5) over real HTTP: the period's
//! narrative written on the report page (CSRF, audited, kept 0600 in the
//! data folder) and printed in the report, by the desk and by `loket
//! report`; the quarterly report; and the outcome category the desk's step
//! form asks for.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use reqwest::StatusCode;

use super::october::site_with_outcomes;
use crate::common::server::Server;
use crate::common::*;
use crate::desk::{DeskClient, PASSWORD, audited, write_record};

fn server() -> Server {
    let site = site_with_outcomes();
    let data = site.root().join("data");
    let server = Server::launch_with(
        loket_at("2026-11-10 10:00:00"),
        site,
        data,
        &["--rate-limit", "0"],
    );
    assert!(add_staff(&server.data, "Rina", PASSWORD).status.success());
    server
}

#[tokio::test]
async fn the_narrative_is_kept_audited_and_printed() {
    let server = server();
    let data = server.data.clone();
    write_record(
        &data,
        "KP-20261012-CJ7K",
        "2026-10-12T09:00:00+07:00",
        "diperiksa",
        "Agus Salim",
        "2026-10-19",
        "2026-10-19",
        "",
    );
    let mut desk = DeskClient::signed_in(&server, "Rina").await;
    let page = desk.get("/laporan/?bulan=2026-10").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Belum ada") || page.body.contains("Permasalahan"));
    let csrf = page.csrf();
    let problems = "Dua mediasi gagal karena termohon tidak hadir.\nSatu <b>aduan</b> lewat kotak aduan terlambat dibuka.";
    let follow_up = "Kotak aduan dibuka setiap Senin dan Kamis.";
    let file = data.join("laporan/narasi-2026-10.yaml");

    // Without the session's token: refused, nothing kept.
    let forged = desk
        .post(
            "/laporan/narasi/",
            &[("csrf", "salah"), ("periode", "2026-10"), ("masalah", "x")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(!file.exists());
    // Too long: the page again with what was typed.
    let long = "a".repeat(10_001);
    let refused = desk
        .post(
            "/laporan/narasi/",
            &[("csrf", &csrf), ("periode", "2026-10"), ("masalah", &long)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Narasi terlalu panjang"));
    assert!(refused.body.contains(&long));
    assert!(!file.exists());
    // Not a form to fetch.
    assert_eq!(
        desk.get("/laporan/narasi/").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );

    let saved = desk
        .post(
            "/laporan/narasi/",
            &[
                ("csrf", &csrf),
                ("periode", "2026-10"),
                ("masalah", &problems.replace('\n', "\r\n")),
                ("tindak_lanjut", follow_up),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.header("location"),
        "/laporan/?periode=2026-10&disimpan=1#narasi"
    );
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let kept = fs::read_to_string(&file).unwrap();
    assert!(kept.contains("Rina") && !kept.contains('\r'), "{kept}");
    let lines = audited(&data, "report");
    assert!(
        lines
            .iter()
            .any(|f| f[1] == "Rina" && f[4] == "2026-10 narasi disimpan"),
        "{lines:?}"
    );

    // Shown again on the page, and printed in the report (escaped).
    let page = desk.get("/laporan/?periode=2026-10&disimpan=1").await;
    assert!(
        page.body.contains("Narasi Oktober 2026 tersimpan"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Satu &lt;b&gt;aduan&lt;&#x2F;b&gt;")
            || page.body.contains("Satu &lt;b&gt;aduan&lt;/b&gt;")
    );
    let printed = desk.get("/laporan/laporan-2026-10.html").await;
    assert_eq!(printed.status, StatusCode::OK);
    for body in [&printed.body, &{
        let out = server.site().root().join("keluar");
        let made = run(&[
            "report",
            "--month",
            "2026-10",
            "--on",
            "2026-11-10",
            "--root",
            server.site().root_str(),
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(made.status.success(), "{}", stderr(&made));
        fs::read_to_string(out.join("laporan-2026-10.html")).unwrap()
    }] {
        assert!(
            body.contains("<h2>Permasalahan dan tindak lanjut</h2>\n<h3>Permasalahan</h3>\n<p>Dua mediasi gagal karena termohon tidak hadir.<br>Satu &lt;b&gt;aduan"),
            "{body}"
        );
        assert!(body.contains(&format!("<h3>Tindak lanjut</h3>\n<p>{follow_up}</p>")));
        assert!(!body.contains("<b>aduan"));
    }
    // Another month has none.
    let november = desk.get("/laporan/laporan-2026-11.html").await;
    assert!(
        november
            .body
            .contains("Belum ada uraian permasalahan dan tindak lanjut untuk bulan ini.")
    );
}

#[tokio::test]
async fn the_desk_shows_a_quarter_and_asks_for_the_outcome() {
    let server = server();
    let data = server.data.clone();
    let ticket = "KP-20261102-CDFH";
    write_record(
        &data,
        ticket,
        "2026-11-02T09:00:00+07:00",
        "pertemuan-dijadwalkan",
        "Joko Susilo",
        "2026-11-09",
        "2026-11-09",
        "first_response_at: 2026-11-03T09:00:00+07:00\n",
    );
    let mut desk = DeskClient::signed_in(&server, "Rina").await;

    let quarter = desk.get("/laporan/?tahun=2026&triwulan=4").await;
    assert_eq!(quarter.status, StatusCode::OK, "{}", quarter.body);
    assert!(
        quarter.body.contains("<h1>Laporan: Triwulan IV 2026</h1>"),
        "{}",
        quarter.body
    );
    assert!(
        quarter
            .body
            .contains("href=\"/laporan/laporan-2026-Q4.csv\"")
    );
    let csv = desk.get("/laporan/laporan-2026-Q4.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.header("content-disposition"),
        "attachment; filename=\"laporan-2026-Q4.csv\""
    );
    assert!(csv.body.contains(ticket));
    let year = desk.get("/laporan/?tahun=2026").await;
    assert!(year.body.contains("<h1>Laporan: Tahun 2026</h1>"));
    let bad = desk.get("/laporan/?tahun=2026&triwulan=5").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Periode tidak dikenal"));

    // The step that closes a mediation lists its categories, and needs one.
    let path = format!("/kasus/{ticket}/");
    let page = desk.get(&path).await;
    assert!(
        page.body
            .contains("<legend>Kategori hasil (wajib)</legend>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"dirujuk-bpsk\""));
    assert!(page.body.contains("<span>Dirujuk ke BPSK</span>"));
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let base = [
        ("csrf", csrf.as_str()),
        ("versi", version.as_str()),
        ("langkah", "fasilitasi-selesai"),
        ("catatan", "Kedua pihak sepakat"),
        ("terlambat", "Termohon meminta jadwal ulang"),
    ];
    let refused = desk.post(&path, &base).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Pilih kategori hasil"),
        "{}",
        refused.body
    );
    let mut chosen = base.to_vec();
    chosen.push(("kategori", "mediasi-berhasil"));
    let done = desk.post(&path, &chosen).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let record = fs::read_to_string(crate::common::submit::record_path(&data, ticket)).unwrap();
    assert!(record.contains("\noutcome: mediasi-berhasil\n"), "{record}");
    let closed = desk.get(&path).await;
    assert!(
        closed
            .body
            .contains("<dt>Kategori hasil</dt><dd>Mediasi berhasil</dd>"),
        "{}",
        closed.body
    );
    let month = desk.get("/laporan/?bulan=2026-11").await;
    assert!(
        month
            .body
            .contains("<th scope=\"row\">Mediasi berhasil</th><td class=\"angka\">1</td>"),
        "{}",
        month.body
    );
}
