//! Whether the clock stops while a case waits (faketime), and the report's waiting time.

use super::*;

/// An office that pauses the clock: the citizen who answers after three
/// working days gets the completion deadline three working days later,
/// the receipt and `/cek-status/` say the clock stops, and the report
/// shows the days waited apart from the office's own.
#[tokio::test]
async fn a_paused_clock_moves_the_deadline_and_the_report_shows_the_wait() {
    // Tuesday 1 December 2026: due five working days later, Tuesday 8th.
    let (server, data) = pausing_server();
    let sent = send_request(&server, None).await;
    let ticket = sent.ticket.clone();
    let (_, _, receipt_page) = receipt(&server, &ticket, sent.cookie.as_deref()).await;
    assert!(
        receipt_page.contains("batas waktu berhenti dihitung"),
        "{receipt_page}"
    );
    let code = code_on(&receipt_page).unwrap();
    assert_eq!(
        str_at(&load_record(&data, &ticket), "completion_due"),
        "2026-12-08"
    );
    let root = server.site().root().to_path_buf();
    staff_step_at(
        &data,
        &root,
        "2026-12-02 10:00:00",
        &ticket,
        &["diperiksa", "--berkas", "tidak-lengkap"],
    );
    staff_step_at(
        &data,
        &root,
        "2026-12-02 10:05:00",
        &ticket,
        &["menunggu-kelengkapan", "--public-note", ASKED],
    );
    let site = server.kill();
    // Monday 7th: waited Thursday, Friday and Monday.
    let server = Server::launch_with(
        loket_at("2026-12-07 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert!(lookup.contains("batas waktu berhenti dihitung"), "{lookup}");
    let (status, body) = reply(&server, &lookup, &[("ktp", "ktp.jpg", &jpeg(2048, 5))], "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let record = load_record(&data, &ticket);
    assert_eq!(str_at(&record, "completion_due"), "2026-12-11");
    // Answered on the 2nd already: the response deadline stays.
    assert_eq!(str_at(&record, "response_due"), "2026-12-08");
    assert!(body.contains("Jumat, 11 Desember 2026"), "{body}");

    let out_dir = tempfile::tempdir().unwrap();
    let out = loket()
        .args([
            "report",
            "--month",
            "2026-12",
            "--on",
            "2026-12-31",
            "--root",
        ])
        .arg(server.site().root())
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(out_dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(out_dir.path().join("laporan-2026-12.csv")).unwrap();
    assert!(
        csv.contains(&format!(
            "\n{ticket};2026-12-01;Konsultasi masalah usaha;Menunggu kelengkapan;2026-12-02;;;3;"
        )),
        "{csv}"
    );
    let html = std::fs::read_to_string(out_dir.path().join("laporan-2026-12.html")).unwrap();
    assert!(
        html.contains("<th scope=\"row\">Menunggu kelengkapan dari pemohon</th><td>1 kasus, seluruhnya 3 hari kerja menunggu kelengkapan dari pemohon</td>"),
        "{html}"
    );
}

/// By default the clock runs on: the same answer moves no deadline.
#[tokio::test]
async fn by_default_the_clock_runs_while_waiting() {
    let server = Server::start();
    let (ticket, code) = waiting_case(&server).await;
    let before = load_record(&server.data, &ticket);
    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert!(lookup.contains("Batas waktu tetap berjalan"), "{lookup}");
    let (status, body) = reply(&server, &lookup, &[], "Sudah saya kirim lewat pos.").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Balasan Anda sudah kami terima"), "{body}");
    let after = load_record(&server.data, &ticket);
    assert_eq!(
        str_at(&after, "completion_due"),
        str_at(&before, "completion_due")
    );
}
