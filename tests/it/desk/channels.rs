//! Every channel in the desk (issue 27): staff record a case that came at
//! the counter, by phone or from SP4N-LAPOR! on `/kasus-baru/`, through the
//! public form's checks and submit (same ticket, deadlines and mail), dated
//! back within the month open for reporting; the channel in the record,
//! the history, the audit log, the inbox filters and the report.

use std::fs;
use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header;

use super::*;
use crate::common::case::{code_on, look_up, send_request};
use crate::common::form::{Multipart, NIK, VALID_PERMOHONAN, jpeg};
use crate::common::smtp::{self, SmtpServer};
use crate::common::submit::{load_record, record_path};
use crate::common::{TempSite, loket_at, run, stderr, stdout};

const NEW: &str = "/kasus-baru/permohonan/";

impl DeskClient {
    /// Posts a multipart form, as the new case page does.
    pub async fn post_multipart(&mut self, path: &str, form: Multipart) -> Page {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(header::CONTENT_TYPE, form.content_type())
            .body(form.finish());
        self.send(request).await
    }
}

/// The permohonan's fields with `changes` (`None` leaves one out), the
/// desk's `own` fields, and the KTP unless `ktp` is false.
fn desk_form(own: &[(&str, &str)], changes: &[(&str, Option<&str>)], ktp: bool) -> Multipart {
    let mut form = Multipart::new();
    for (name, value) in own {
        form = form.text(name, value);
    }
    for (name, value) in VALID_PERMOHONAN {
        match changes.iter().find(|(n, _)| *n == name) {
            Some((_, Some(changed))) => form = form.text(name, changed),
            Some((_, None)) => {}
            None => form = form.text(name, value),
        }
    }
    for (name, value) in changes {
        if let Some(value) = value
            && !VALID_PERMOHONAN.iter().any(|(n, _)| n == name)
        {
            form = form.text(name, value);
        }
    }
    match ktp {
        true => form.file("ktp", "scan ktp.jpg", "image/jpeg", &jpeg(4096, 7)),
        false => form,
    }
}

/// The ticket a "Kasus tercatat" page links to.
fn recorded_ticket(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let marker = "<a class=\"btn\" href=\"/kasus/";
    let at = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no case link in:\n{}", page.body))
        + marker.len();
    let rest = &page.body[at..];
    rest[..rest.find('/').unwrap()].to_string()
}

/// Record files under `data`.
fn record_count(data: &Path) -> usize {
    walkdir::WalkDir::new(data.join("submissions"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .count()
}

fn text(record: &loket::core::yaml::Value, key: &str) -> String {
    match &record[key] {
        loket::core::yaml::Value::String(s) => s.clone(),
        other => panic!("{key}: {other:?}"),
    }
}

/// A server whose clock reads Thursday 3 December 2026, 10:00 WIB: November
/// is still open for reporting (its report is due on 7 December).
fn server_on_3_december(extra: &[&str]) -> Server {
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let mut args = vec!["--rate-limit", "0"];
    args.extend_from_slice(extra);
    let server = Server::launch_with(loket_at("2026-12-03 10:00:00"), site, data, &args);
    assert!(
        add_staff(&server.data, "Budi Santoso", PASSWORD)
            .status
            .success()
    );
    server
}

#[tokio::test]
async fn staff_record_a_walk_in_case_dated_back_with_the_web_forms_ticket_deadlines_and_mail() {
    if smtp::unavailable("desk: a walk-in case and its mail") {
        return;
    }
    let relay = SmtpServer::start();
    let smtp_url = format!("smtp://127.0.0.1:{}", relay.port);
    let server = server_on_3_december(&[
        "--smtp-url",
        &smtp_url,
        "--mail-from",
        "Dinas Contoh <loket@contoh.go.id>",
        "--notify-to",
        "petugas@contoh.go.id",
        "--desk-url",
        "https://meja.contoh.go.id",
        "--digest-at",
        "off",
    ]);
    let mut desk = DeskClient::signed_in(&server, "Budi Santoso").await;

    let inbox = desk.get("/").await;
    assert!(
        inbox.body.contains("<a href=\"/kasus-baru/\""),
        "in the menu"
    );
    let chooser = desk.get("/kasus-baru/").await;
    assert_eq!(chooser.status, StatusCode::OK, "{}", chooser.body);
    assert!(chooser.body.contains("href=\"/kasus-baru/permohonan/\""));
    assert!(
        chooser
            .body
            .contains("href=\"/kasus-baru/pengaduan-layanan/\"")
    );
    let page = desk.get(NEW).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for shown in [
        "name=\"nama\"",
        "name=\"ktp\"",
        "<option value=\"langsung\">Datang langsung</option>",
        "<option value=\"lapor\">SP4N-LAPOR!</option>",
        "<option value=\"kotak-aduan\">Kotak aduan</option>",
        "value=\"2026-12-03\" min=\"2026-11-02\" max=\"2026-12-03\"",
        "paling awal 2 November 2026",
    ] {
        assert!(page.body.contains(shown), "{shown}:\n{}", page.body);
    }
    let csrf = page.hidden("meja-csrf");
    assert!(!csrf.is_empty());

    // A letter handed in at the counter on Friday 20 November.
    let email = [("email", Some("siti@contoh.id"))];
    let own = [
        ("meja-csrf", csrf.as_str()),
        ("meja-saluran", "langsung"),
        ("meja-diterima", "2026-11-20"),
    ];
    let done = desk
        .post_multipart(NEW, desk_form(&own, &email, true))
        .await;
    let ticket = recorded_ticket(&done);
    assert!(ticket.starts_with("KP-20261120-"), "{ticket}");
    let code = code_on(&done.body).unwrap_or_else(|| panic!("no code:\n{}", done.body));
    assert!(done.body.contains("dari saluran Datang langsung"));
    let record = load_record(&server.data, &ticket);
    assert_eq!(text(&record, "channel"), "langsung");
    assert_eq!(text(&record, "received_at"), "2026-11-20T00:00:00+07:00");
    // Five working days from the day the letter arrived, as the web form's.
    assert_eq!(text(&record, "completion_due"), "2026-11-27");
    assert_eq!(text(&record, "response_due"), "2026-11-27");
    assert_eq!(text(&record["fields"], "nama"), "Siti Aminah");
    assert_eq!(text(&record["normalized"], "nik"), NIK);
    let ktp = &record["attachments"][0];
    assert_eq!(text(ktp, "field"), "ktp");
    assert_eq!(text(ktp, "type"), "image/jpeg");
    let history = &record["history"][0];
    assert_eq!(text(history, "by"), "Budi Santoso");
    assert_eq!(text(history, "channel"), "langsung");
    assert_eq!(text(history, "status"), "baru");
    // The scan was re-encoded like a citizen's photo.
    let stored = fs::read(
        record_path(&server.data, &ticket)
            .with_extension("")
            .join("ktp.jpg"),
    )
    .unwrap();
    assert_ne!(stored, jpeg(4096, 7), "sanitized, not kept as sent");

    // Recorded today by phone: the same deadlines as the web form's today.
    let web = send_request(&server, Some("rina@contoh.id")).await.ticket;
    let own = [
        ("meja-csrf", csrf.as_str()),
        ("meja-saluran", "telepon"),
        ("meja-diterima", "2026-12-03"),
    ];
    let phoned = recorded_ticket(&desk.post_multipart(NEW, desk_form(&own, &[], true)).await);
    let (web_record, phoned_record) = (
        load_record(&server.data, &web),
        load_record(&server.data, &phoned),
    );
    assert_eq!(text(&web_record, "channel"), "web");
    assert_eq!(text(&phoned_record, "channel"), "telepon");
    for key in ["response_due", "completion_due"] {
        assert_eq!(text(&phoned_record, key), text(&web_record, key), "{key}");
    }
    assert_eq!(text(&phoned_record, "completion_due"), "2026-12-10");

    // The same mail as a web submission: staff told, the citizen's receipt
    // with the code shown on the desk.
    let mails = relay.wait_for(4, Duration::from_secs(60));
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with(&format!("Permohonan baru {ticket} — selesai paling lambat"))),
        "{subjects:?}"
    );
    let receipt = mails
        .iter()
        .find(|m| m.subject == format!("Tanda terima permohonan {ticket}"))
        .unwrap_or_else(|| panic!("{subjects:?}"));
    assert_eq!(receipt.rcpt_to, ["siti@contoh.id"]);
    assert!(
        receipt.body.contains(&format!("Kode akses  : {code}")),
        "{}",
        receipt.body
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with(&format!("Permohonan baru {phoned} "))),
        "{subjects:?}"
    );
    // The citizen checks the status with the code.
    let (status, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK, "{lookup}");

    // Who recorded it, in the audit log; the case page shows the channel.
    let lines = audited(&server.data, "recorded");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0][1], "Budi Santoso");
    assert_eq!(lines[0][3], ticket);
    assert_eq!(lines[0][4], "langsung 2026-11-20");
    let case = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(
        case.body
            .contains("<dt>Saluran</dt><dd>Datang langsung</dd>"),
        "{}",
        case.body
    );
    assert!(
        case.body
            .contains("Dicatat di meja layanan dari saluran Datang langsung")
    );
    let print = desk
        .get(&format!("/kasus/{ticket}/dokumen/laporan-hasil/"))
        .await;
    assert!(
        print.body.contains(" · Datang langsung</td>"),
        "{}",
        print.body
    );
}

#[tokio::test]
async fn a_lapor_case_needs_its_number_and_mistakes_come_back_with_what_was_typed() {
    let server = server_on_3_december(&[]);
    let mut desk = DeskClient::signed_in(&server, "Budi Santoso").await;
    let csrf = desk.get(NEW).await.hidden("meja-csrf");
    let own = |number: &'static str, day: &'static str| {
        vec![
            ("meja-csrf", csrf.clone()),
            ("meja-saluran", "lapor".to_string()),
            ("meja-nomor-lapor", number.to_string()),
            ("meja-diterima", day.to_string()),
        ]
    };
    let post = async |desk: &mut DeskClient,
                      own: Vec<(&str, String)>,
                      changes: &[(&str, Option<&str>)],
                      ktp: bool| {
        let own: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
        desk.post_multipart(NEW, desk_form(&own, changes, ktp))
            .await
    };
    let typed = [("nama", Some("Siti Aminah Lapor"))];

    // No LAPOR! number: the form again, with what was typed and the KTP held.
    let back = post(&mut desk, own("", "2026-12-03"), &typed, true).await;
    assert_eq!(
        back.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        back.body
    );
    for shown in [
        "Ada yang perlu diperbaiki",
        "Isi nomor pelacakan SP4N-LAPOR! untuk kasus dari SP4N-LAPOR!.",
        "value=\"Siti Aminah Lapor\"",
        "<option value=\"lapor\" selected>",
        "scan ktp.jpg",
        "sudah terunggah",
        "aria-invalid=\"true\"",
    ] {
        assert!(back.body.contains(shown), "{shown}:\n{}", back.body);
    }
    // A date in the future, or before the month open for reporting.
    let future = post(&mut desk, own("LAP-2026-001", "2026-12-04"), &typed, true).await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        future
            .body
            .contains("Tanggal diterima tidak boleh lewat dari hari ini (3 Desember 2026)."),
        "{}",
        future.body
    );
    assert!(future.body.contains("value=\"LAP-2026-001\""));
    let early = post(&mut desk, own("LAP-2026-001", "2026-10-30"), &typed, true).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        early
            .body
            .contains("Tanggal diterima paling awal 2 November 2026"),
        "{}",
        early.body
    );
    // The form's own checks, as on the web.
    let bad_nik = [("nama", Some("Siti Aminah Lapor")), ("nik", Some("123"))];
    let nik = post(&mut desk, own("LAP-2026-001", "2026-12-03"), &bad_nik, true).await;
    assert_eq!(nik.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nik.body
            .contains("NIK tidak sesuai. Periksa kembali 16 angka NIK"),
        "{}",
        nik.body
    );
    assert_eq!(record_count(&server.data), 0, "nothing stored yet");

    // Put right, without sending the KTP again: the held one is taken.
    let held = nik.hidden("draf");
    let mut fixed = own("LAP-2026-001", "2026-12-01");
    fixed.push(("draf", held));
    let done = post(&mut desk, fixed, &typed, false).await;
    let ticket = recorded_ticket(&done);
    let record = load_record(&server.data, &ticket);
    assert_eq!(text(&record, "channel"), "lapor");
    assert_eq!(text(&record, "lapor_number"), "LAP-2026-001");
    assert_eq!(text(&record, "received_at"), "2026-12-01T00:00:00+07:00");
    assert_eq!(text(&record["attachments"][0], "field"), "ktp");
    assert_eq!(record_count(&server.data), 1);

    // The desk's inbox filters by channel.
    let lapor = desk.get("/?saluran=lapor").await;
    assert!(lapor.body.contains(&ticket), "{}", lapor.body);
    assert!(lapor.body.contains("<option value=\"lapor\" selected>"));
    let phone = desk.get("/?saluran=telepon").await;
    assert!(!phone.body.contains(&ticket));
    assert!(phone.body.contains("0 kasus"), "{}", phone.body);
}

#[tokio::test]
async fn without_the_sessions_csrf_token_nothing_is_recorded() {
    let server = server_on_3_december(&[]);
    let mut desk = DeskClient::signed_in(&server, "Budi Santoso").await;
    let own = [
        ("meja-saluran", "langsung"),
        ("meja-diterima", "2026-12-03"),
    ];
    let refused = desk.post_multipart(NEW, desk_form(&own, &[], true)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("Formulir kedaluwarsa"));
    let wrong = [
        ("meja-csrf", "0123456789abcdef0123456789abcdef"),
        ("meja-saluran", "langsung"),
        ("meja-diterima", "2026-12-03"),
    ];
    let refused = desk.post_multipart(NEW, desk_form(&wrong, &[], true)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(record_count(&server.data), 0);
    assert!(audited(&server.data, "recorded").is_empty());
    // Signed out, the page is not shown.
    let mut stranger = DeskClient::new(&server);
    let page = stranger.get(NEW).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_inbox_and_the_report_count_cases_by_channel() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    let data = &server.data;
    let at = |day: u8| format!("2026-11-{day:02}T09:00:00+07:00");
    write_record(
        data,
        "KP-20261102-CDFH",
        &at(2),
        "baru",
        "Ani",
        "2026-11-09",
        "2026-11-09",
        "",
    );
    write_record(
        data,
        "KP-20261103-KMNP",
        &at(3),
        "baru",
        "Banu",
        "2026-11-10",
        "2026-11-10",
        "channel: telepon\n",
    );
    write_record(
        data,
        "KP-20261104-RTVW",
        &at(4),
        "baru",
        "Cici",
        "2026-11-11",
        "2026-11-11",
        "channel: telepon\n",
    );
    write_record(
        data,
        "PL-20261105-XYZ3",
        &at(5),
        "baru",
        "Dodi",
        "2026-11-12",
        "2026-11-12",
        "channel: lapor\nlapor_number: '9912'\n",
    );
    let root = server.site().root_str().to_string();
    let data_arg = data.to_str().unwrap();

    // The command line.
    let listed = |channel: &str| {
        let out = run(&[
            "inbox",
            "--root",
            &root,
            "--data",
            data_arg,
            "--format",
            "csv",
            "--on",
            "2026-11-20",
            "--channel",
            channel,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .skip(1)
            .map(|l| l.split(';').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(listed("telepon"), ["KP-20261103-KMNP", "KP-20261104-RTVW"]);
    assert_eq!(listed("web"), ["KP-20261102-CDFH"], "no channel: web");
    assert_eq!(listed("lapor"), ["PL-20261105-XYZ3"]);
    assert!(listed("surel").is_empty());
    let bad = run(&[
        "inbox",
        "--root",
        &root,
        "--data",
        data_arg,
        "--channel",
        "faks",
    ]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("saluran \"faks\" tidak dikenal; pilih salah satu: web, langsung"),
        "{}",
        stderr(&bad)
    );

    // The desk's inbox.
    let mut desk = DeskClient::signed_in(&server, "Budi").await;
    let phone = desk.get("/?saluran=telepon").await;
    assert!(phone.body.contains("KP-20261103-KMNP") && phone.body.contains("KP-20261104-RTVW"));
    assert!(!phone.body.contains("KP-20261102-CDFH") && !phone.body.contains("PL-20261105-XYZ3"));
    assert!(phone.body.contains("2 kasus"), "{}", phone.body);

    // The report, on the desk and from the command line.
    let count = |label: &str, n: usize| {
        format!("<th scope=\"row\">{label}</th><td class=\"angka\">{n}</td>")
    };
    let page = desk.get("/laporan/?bulan=2026-11").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let out = server.site().root().join("laporan-keluar");
    let made = run(&[
        "report",
        "--root",
        &root,
        "--data",
        data_arg,
        "--month",
        "2026-11",
        "--on",
        "2026-12-10",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let html = fs::read_to_string(out.join("laporan-2026-11.html")).unwrap();
    let csv = fs::read_to_string(out.join("laporan-2026-11.csv")).unwrap();
    for shown in [&page.body, &html] {
        assert!(
            shown.contains("<caption>Kasus menurut saluran</caption>"),
            "{shown}"
        );
        for (label, n) in [
            ("Situs web", 1),
            ("Telepon", 2),
            ("SP4N-LAPOR!", 1),
            ("Datang langsung", 0),
            ("Media sosial", 0),
        ] {
            assert!(shown.contains(&count(label, n)), "{label} {n}:\n{shown}");
        }
    }
    assert!(csv.contains("KP-20261103-KMNP;2026-11-03;"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("KP-20261103-KMNP") && l.ends_with(";Telepon;")),
        "{csv}"
    );
}
