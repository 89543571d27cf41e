//! Mail against a real SMTP server (aiosmtpd) started by each test: what
//! staff and citizens are sent, that no message holds personal data, that
//! submissions never wait on the relay, that queued mail survives a relay
//! outage and a restart and arrives once, the digest at 07:00 (faketime),
//! stuck mail in `loket inbox` and `/healthz`, and the settings.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::common::case::*;
use crate::common::form::{NIK, PHONE, PHONE_E164, VALID_PERMOHONAN};
use crate::common::server::Server;
use crate::common::smtp::{self, Mail, SmtpServer};
use crate::common::*;

mod settings;

const PATIENCE: Duration = Duration::from_secs(60);

/// `loket serve` arguments for mail through the relay on `port`.
fn mail_args(port: u16) -> Vec<String> {
    [
        "--rate-limit",
        "0",
        "--smtp-url",
        &format!("smtp://127.0.0.1:{port}"),
        "--mail-from",
        "Dinas Contoh <loket@contoh.go.id>",
        "--notify-to",
        "petugas@contoh.go.id,kabid@contoh.go.id",
        "--desk-url",
        "https://meja.contoh.go.id",
        "--digest-at",
        "off",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn start_mailing(port: u16) -> Server {
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start_with(&args)
}

/// Nothing the citizen typed is in a message (headers and body as sent),
/// but for their own address in the To of their own mail.
fn assert_no_personal_data(mail: &Mail) {
    let raw = mail
        .raw
        .replace("To: siti@contoh.id", "To: [warga]")
        .replace("<siti@contoh.id>", "[warga]");
    let mut typed: Vec<&str> = VALID_PERMOHONAN
        .iter()
        .filter(|(name, _)| !["jenis", "persetujuan"].contains(name))
        .map(|(_, value)| *value)
        .collect();
    typed.extend([
        NIK,
        "3517 0152",
        PHONE,
        PHONE_E164,
        "6281234567890",
        "siti@contoh.id",
    ]);
    for value in typed {
        assert!(!raw.contains(value), "{value:?} in the mail:\n{raw}");
        assert!(
            !mail.body.contains(value),
            "{value:?} in the mail:\n{}",
            mail.body
        );
    }
}

#[tokio::test]
async fn staff_are_told_of_a_new_case_and_the_citizen_gets_a_receipt_without_personal_data() {
    if smtp::unavailable("notify: new case and receipt") {
        return;
    }
    let relay = SmtpServer::start(smtp::free_port());
    let server = start_mailing(relay.port);
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let ticket = sent.ticket.clone();
    let mails = relay.wait_for(2, PATIENCE);
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let staff = mails.iter().find(|m| m.rcpt_to.len() == 2).unwrap();
    let citizen = mails.iter().find(|m| m.rcpt_to.len() == 1).unwrap();

    assert_eq!(
        staff.rcpt_to,
        ["petugas@contoh.go.id", "kabid@contoh.go.id"]
    );
    assert_eq!(staff.mail_from, "loket@contoh.go.id");
    assert!(
        staff.subject.starts_with(&format!(
            "Permohonan baru {ticket} — selesai paling lambat "
        )),
        "{}",
        staff.subject
    );
    assert!(
        staff
            .body
            .contains(&format!("https://meja.contoh.go.id/kasus/{ticket}/")),
        "{}",
        staff.body
    );
    assert!(!staff.message_id.is_empty());
    assert_no_personal_data(staff);

    assert_eq!(citizen.rcpt_to, ["siti@contoh.id"]);
    assert_eq!(citizen.subject, format!("Tanda terima permohonan {ticket}"));
    assert_eq!(citizen.reply_to, "dinkopum@jombangkab.go.id");
    assert_no_personal_data(citizen);
    // The receipt mail has the code the confirmation page shows once.
    let shown = code_of(&server, &sent).await;
    assert!(
        citizen.body.contains(&format!("Kode akses  : {shown}")),
        "{shown}:\n{}",
        citizen.body
    );
    assert!(citizen.body.contains("/cek-status/"), "{}", citizen.body);
    let (status, _, page) = look_up(&server, &ticket, &shown, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // Sent mail leaves the outbox; nothing personal or secret in the log.
    let deadline = Instant::now() + PATIENCE;
    while !outbox(&server.data).is_empty() {
        assert!(Instant::now() < deadline, "{:?}", outbox(&server.data));
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, log) = server.stop();
    for secret in [
        NIK,
        "siti@contoh.id",
        shown.as_str(),
        &shown.replace(' ', ""),
    ] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
    assert!(log.contains("mail on: through 127.0.0.1:"), "{log}");
}

#[tokio::test]
async fn with_the_relay_down_submissions_go_on_and_every_message_arrives_once_across_a_restart() {
    if smtp::unavailable("notify: relay down, restart") {
        return;
    }
    let port = smtp::free_port();
    let server = start_mailing(port);
    let mut tickets = Vec::new();
    let started = Instant::now();
    for _ in 0..12 {
        tickets.push(send_request_varied(&server, tickets.len()).await.ticket);
    }
    let first_round = started.elapsed();
    assert_eq!(outbox(&server.data).len(), 12, "one staff message each");
    // A crash with everything still queued, and more after the restart.
    let site = server.kill();
    let data = site.root().join("data");
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::launch(site, data, &args);
    for _ in 0..3 {
        tickets.push(send_request_varied(&server, tickets.len()).await.ticket);
    }
    assert_eq!(outbox(&server.data).len(), 15);
    eprintln!("12 submissions with the relay down took {first_round:?}");

    let relay = SmtpServer::start(port);
    let mails = relay.wait_for(15, PATIENCE);
    // Once the outbox is empty, nothing more can come.
    let deadline = Instant::now() + PATIENCE;
    while !outbox(&server.data).is_empty() {
        assert!(Instant::now() < deadline, "{:?}", outbox(&server.data));
        std::thread::sleep(Duration::from_millis(100));
    }
    let mails = if relay.received().len() > mails.len() {
        relay.received()
    } else {
        mails
    };
    let mut per_ticket: BTreeMap<String, usize> = BTreeMap::new();
    for mail in &mails {
        let ticket = tickets
            .iter()
            .find(|t| mail.subject.contains(t.as_str()))
            .unwrap_or_else(|| panic!("unknown mail {}", mail.subject));
        *per_ticket.entry(ticket.clone()).or_default() += 1;
    }
    assert_eq!(per_ticket.len(), 15, "{per_ticket:?}");
    assert!(per_ticket.values().all(|&n| n == 1), "{per_ticket:?}");
    let (_, log) = server.stop();
    assert!(log.contains("not sent"), "failures are logged:\n{log}");
}

/// The valid request, made different by `n` (a resend would get the
/// first's ticket).
async fn send_request_varied(server: &Server, n: usize) -> Sent {
    let form = crate::common::form::permohonan_text(&[(
        "uraian",
        Some(&format!("Mohon konsultasi pemasaran nomor {n}.")),
    )])
    .file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &crate::common::form::jpeg(2048, 100 + n as u32),
    );
    sent(
        crate::common::submit::post_multipart(
            &crate::common::submit::client(),
            &server.url("/permohonan/"),
            form,
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn the_citizen_hears_of_a_meeting_and_of_a_rejection_with_the_public_message() {
    if smtp::unavailable("notify: steps") {
        return;
    }
    let relay = SmtpServer::start(smtp::free_port());
    let server = start_mailing(relay.port);
    let ticket = send_request(&server, Some("siti@contoh.id")).await.ticket;
    relay.wait_for(2, PATIENCE);
    // Checking the documents is no news to the citizen: no mail.
    staff_step(
        &server,
        &ticket,
        &[
            "diperiksa",
            "--berkas",
            "lengkap",
            "--note",
            "catatan internal A",
        ],
    );
    let out = staff_step(
        &server,
        &ticket,
        &[
            "pertemuan-dijadwalkan",
            "--meeting",
            "2027-01-06 10:00, Kantor Dinas Contoh",
            "--note",
            "catatan internal B",
            "--public-note",
            "Mohon bawa bukti pembelian.",
        ],
    );
    assert!(
        stdout(&out).contains("Surel untuk warga disiapkan"),
        "{}",
        stdout(&out)
    );
    let mails = relay.wait_for(3, PATIENCE);
    let meeting = &mails[2];
    assert_eq!(meeting.rcpt_to, ["siti@contoh.id"]);
    assert_eq!(
        meeting.subject,
        format!("Permohonan {ticket}: pertemuan sudah dijadwalkan")
    );
    assert!(
        meeting
            .body
            .contains("Waktu  : Rabu, 6 Januari 2027 pukul 10.00 WIB"),
        "{}",
        meeting.body
    );
    assert!(meeting.body.contains("Tempat : Kantor Dinas Contoh"));
    assert!(meeting.body.contains("Mohon bawa bukti pembelian."));
    staff_step(
        &server,
        &ticket,
        &[
            "ditolak",
            "--note",
            "Bukan wewenang dinas; silakan ke Disperindag.",
        ],
    );
    let mails = relay.wait_for(4, PATIENCE);
    let rejected = &mails[3];
    assert!(
        rejected
            .body
            .contains("Alasan: Bukan wewenang dinas; silakan ke Disperindag."),
        "{}",
        rejected.body
    );
    for mail in &mails {
        assert_no_personal_data(mail);
        assert!(!mail.raw.contains("catatan internal"), "{}", mail.raw);
    }
    // A citizen without an email gets nothing; staff still hear.
    let quiet = send_request(&server, None).await.ticket;
    let mails = relay.wait_for(5, PATIENCE);
    assert!(mails[4].subject.contains(&quiet));
    staff_step(&server, &quiet, &["ditolak", "--note", "Ganda"]);
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(relay.received().len(), 5);
    assert!(outbox(&server.data).is_empty());
}

/// A completed case: the citizen is told it is done, with the result and
/// the staff's message, and nothing of the internal steps.
#[tokio::test]
async fn the_citizen_hears_that_the_case_is_completed_with_its_result() {
    if smtp::unavailable("notify: completed") {
        return;
    }
    let relay = SmtpServer::start(smtp::free_port());
    let server = start_mailing(relay.port);
    let ticket = send_request(&server, Some("siti@contoh.id")).await.ticket;
    relay.wait_for(2, PATIENCE);
    staff_step(&server, &ticket, &["diperiksa", "--berkas", "lengkap"]);
    staff_step(
        &server,
        &ticket,
        &["konsultasi-diberikan", "--note", "catatan internal C"],
    );
    staff_step(
        &server,
        &ticket,
        &[
            "selesai",
            "--note",
            "Dibantu mendaftar NIB lewat OSS.",
            "--public-note",
            "Sertifikat dapat diambil di kantor.",
        ],
    );
    let mails = relay.wait_for(3, PATIENCE);
    let done = &mails[2];
    assert_eq!(done.rcpt_to, ["siti@contoh.id"]);
    assert!(done.subject.contains(&ticket), "{}", done.subject);
    for part in [
        "sudah selesai ditangani",
        "Hasil: Dibantu mendaftar NIB lewat OSS.",
        "Sertifikat dapat diambil di kantor.",
    ] {
        assert!(done.body.contains(part), "{part} in\n{}", done.body);
    }
    assert!(!done.raw.contains("catatan internal"), "{}", done.raw);
    assert_no_personal_data(done);
    // Checking and the consultation itself are no news: three mails in all.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(relay.received().len(), 3);
}

/// Records as the server writes them, for the digest.
fn write_record(data: &Path, ticket: &str, status: &str, response_due: &str) {
    let day = &ticket[3..11];
    let dir = crate::common::submit::day_dir(data, ticket);
    fs::create_dir_all(&dir).unwrap();
    // A data folder others can read is refused.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(data, fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(
        dir.join(format!("{ticket}.yaml")),
        format!(
            "ticket: {ticket}\nkind: permohonan\nreceived_at: {}-{}-{}T09:00:00+07:00\nstatus: {status}\nresponse_due: {response_due}\ncompletion_due: {response_due}\nfields:\n  nama: Siti Aminah\n  nik: {NIK}\nhistory: []\n",
            &day[0..4],
            &day[4..6],
            &day[6..8]
        ),
    )
    .unwrap();
}

fn digest_server(relay_port: u16, data: &Path, wib: &str, site: TempSite) -> Server {
    let mut args = mail_args(relay_port);
    let at = args.iter().position(|a| a == "off").unwrap();
    args[at] = "07:00".into();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::launch_with(loket_at(wib), site, data.to_path_buf(), &args)
}

fn last_digest(data: &Path) -> String {
    fs::read_to_string(data.join("outbox/last-digest"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn wait_for_digest_day(data: &Path, day: &str) {
    let deadline = Instant::now() + PATIENCE;
    while last_digest(data) != day {
        assert!(Instant::now() < deadline, "no digest day {day}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn the_digest_goes_out_at_seven_on_working_days_only_and_only_when_a_case_is_open() {
    if smtp::unavailable("notify: digest") {
        return;
    }
    let relay = SmtpServer::start(smtp::free_port());
    let site = TempSite::fixture();
    let data = site.root().join("data");
    write_record(&data, "KP-20261120-CDFH", "baru", "2026-11-27"); // overdue
    write_record(&data, "KP-20261126-CDFH", "diperiksa", "2026-12-03"); // due today
    write_record(&data, "KP-20261201-CDFH", "baru", "2026-12-08"); // waiting
    write_record(&data, "KP-20261119-CDFH", "selesai", "2026-11-26"); // closed

    // Thursday 3 December 2026, a few seconds before 07:00 WIB.
    let server = digest_server(relay.port, &data, "2026-12-03 06:59:56", site);
    let mails = relay.wait_for(1, PATIENCE);
    let digest = &mails[0];
    assert_eq!(
        digest.subject,
        "Ringkasan kasus Kamis, 3 Desember 2026: 1 jatuh tempo hari ini, 1 terlambat, 1 menunggu"
    );
    // Sent at 07:00 WIB (00:00 UTC), not before.
    assert!(
        digest.raw.contains("Date: Thu, 03 Dec 2026 00:00:"),
        "{}",
        digest.raw
    );
    assert_eq!(
        digest.rcpt_to,
        ["petugas@contoh.go.id", "kabid@contoh.go.id"]
    );
    assert!(
        digest.body.contains("TERLAMBAT (1)\n- KP-20261120-CDFH"),
        "{}",
        digest.body
    );
    assert!(
        digest
            .body
            .contains("https://meja.contoh.go.id/kasus/KP-20261126-CDFH/"),
        "{}",
        digest.body
    );
    assert!(!digest.raw.contains("Siti") && !digest.raw.contains(NIK));

    // A restart the same morning sends no second digest.
    let site = server.kill();
    let server = digest_server(relay.port, &data, "2026-12-03 07:05:00", site);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(last_digest(&data), "2026-12-03");
    assert_eq!(relay.received().len(), 1);

    // Saturday: the day is noted, nothing is sent.
    let site = server.kill();
    let server = digest_server(relay.port, &data, "2026-12-05 06:59:58", site);
    wait_for_digest_day(&data, "2026-12-05");
    assert!(outbox(&data).is_empty());
    assert_eq!(relay.received().len(), 1);

    // Monday with every case closed: nothing to say, nothing sent.
    let site = server.kill();
    for ticket in ["KP-20261120-CDFH", "KP-20261126-CDFH", "KP-20261201-CDFH"] {
        write_record(&data, ticket, "selesai", "2026-12-08");
    }
    let server = digest_server(relay.port, &data, "2026-12-07 07:00:01", site);
    wait_for_digest_day(&data, "2026-12-07");
    assert!(outbox(&data).is_empty());
    assert_eq!(relay.received().len(), 1);
    drop(server);
}

#[tokio::test]
async fn mail_stuck_for_a_day_is_reported_by_inbox_the_desk_and_healthz() {
    let port = smtp::free_port();
    let site = TempSite::fixture();
    let data = site.root().join("data");
    write_record(&data, "KP-20261120-CDFH", "baru", "2026-11-27");
    fs::create_dir_all(data.join("outbox")).unwrap();
    // Made two days before the server's clock, never sent.
    fs::write(
        data.join("outbox/20261201T080000-new-case-0a0b0c0d.yaml"),
        "kind: new-case\nto: staff\nticket: KP-20261120-CDFH\ncreated_at: 2026-12-01T08:00:00+07:00\nsubject: Permohonan baru\nbody: x\nattempts: 40\nlast_error: Connection refused (os error 111)\n",
    )
    .unwrap();
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::launch_with(loket_at("2026-12-03 09:00:00"), site, data.clone(), &args);
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("1 mail message(s) unsent for more than a day"),
        "{body}"
    );
    let inbox = loket_at("2026-12-03 09:00:00")
        .args(["inbox", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(inbox.status.success(), "{}", stderr(&inbox));
    let said = stderr(&inbox);
    assert!(
        said.contains("PERHATIAN: 1 surel belum terkirim lebih dari sehari"),
        "{said}"
    );
    assert!(said.contains("Connection refused"), "{said}");
    // And the desk's inbox says the same to whoever signs in.
    assert!(
        crate::desk::add_staff(&data, "Ani", crate::desk::PASSWORD)
            .status
            .success()
    );
    let mut desk = crate::desk::DeskClient::signed_in(&server, "Ani").await;
    let inbox = desk.get("/").await;
    assert!(
        inbox
            .body
            .contains("Perhatian:</strong> 1 surel belum terkirim lebih dari sehari"),
        "{}",
        inbox.body
    );
    // The outbox is loket's own: verify is content, backup takes it.
    let verify = run(&["verify", "--data", data.to_str().unwrap()]);
    assert!(
        verify.status.success(),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );
    let archive = tempfile::tempdir().unwrap();
    let to = archive.path().join("b.tar");
    let backup = run(&[
        "backup",
        "--data",
        data.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
    ]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    let restored = archive.path().join("restored");
    let restore = run(&[
        "restore",
        to.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert!(
        restore.status.success(),
        "{}{}",
        stdout(&restore),
        stderr(&restore)
    );
    assert!(
        restored
            .join("outbox/20261201T080000-new-case-0a0b0c0d.yaml")
            .is_file()
    );
    assert!(restored.join("lookup.key").is_file());
    drop(server);
}

/// The desk works through the same mail: a step with a message for the
/// citizen queues their mail (the message in it, the internal note not),
/// the case page offers WhatsApp and `mailto:` replies prefilled with the
/// ticket and that message, and the history shows what the citizen was
/// told.
#[tokio::test]
async fn a_step_on_the_desk_with_a_message_tells_the_citizen() {
    use crate::desk::{DeskClient, PASSWORD, add_staff};
    if smtp::unavailable("notify: a step on the desk") {
        return;
    }
    let relay = SmtpServer::start(smtp::free_port());
    let server = start_mailing(relay.port);
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let ticket = send_request(&server, Some("siti@contoh.id")).await.ticket;
    relay.wait_for(2, PATIENCE);

    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let done = desk
        .post(
            &format!("/kasus/{ticket}/"),
            &[
                ("csrf", csrf.as_str()),
                ("versi", version.as_str()),
                ("langkah", "diperiksa"),
                ("berkas", "tidak-lengkap"),
                ("catatan", "catatan internal C"),
                ("pesan", "Mohon kirim ulang foto KTP yang lebih jelas."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let mails = relay.wait_for(3, PATIENCE);
    let step = &mails[2];
    assert_eq!(step.rcpt_to, ["siti@contoh.id"]);
    assert!(
        step.body
            .contains("Mohon kirim ulang foto KTP yang lebih jelas.")
    );
    assert!(!step.raw.contains("catatan internal"), "{}", step.raw);
    assert_no_personal_data(step);

    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    let wa = format!(
        "href=\"https://wa.me/{}?text=",
        PHONE_E164.trim_start_matches('+')
    );
    assert!(page.body.contains(&wa), "{}", page.body);
    assert!(page.body.contains(&ticket));
    assert!(
        page.body
            .contains("href=\"mailto:siti@contoh.id?subject=Tiket%20"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Mohon%20kirim%20ulang%20foto%20KTP"),
        "prefilled"
    );
    assert!(
        page.body
            .contains("Pesan untuk pemohon:</strong> Mohon kirim ulang foto KTP")
    );
}
