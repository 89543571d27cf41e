//! The digest at 07:00 on working days when a case is open (faketime), and
//! mail stuck for a day, reported by `loket inbox`, the desk and `/healthz`.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::*;
use crate::common::case::*;
use crate::common::form::NIK;
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};
use crate::common::*;

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
    let relay = SmtpServer::start();
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

    // A restart the same morning sends no second digest. (Killed only once
    // the day is marked done, which comes after the digest is queued and may
    // come after it is sent, and once the sent message has left the outbox:
    // mail is sent at least once, so a kill between the relay's reply and
    // that removal sends it again.)
    wait_for_digest_day(&data, "2026-12-03");
    wait_sent(&data);
    let site = server.kill();
    let server = digest_server(relay.port, &data, "2026-12-03 07:05:00", site);
    // The digest loop says at its start that today's digest was made.
    let deadline = Instant::now() + PATIENCE;
    while !server
        .stderr_now()
        .contains("digest of 2026-12-03 made already")
    {
        assert!(Instant::now() < deadline, "{}", server.stderr_now());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(outbox(&data).is_empty(), "nothing queued");
    assert_eq!(last_digest(&data), "2026-12-03");
    assert_eq!(relay.received().len(), 1);

    // The desk agrees with the digest: the same case due today, the same
    // late one first (by its deadline), their badges, and a filter each.
    assert!(
        add_staff(&data, "Budi", crate::desk::PASSWORD)
            .status
            .success()
    );
    let mut desk = crate::desk::DeskClient::signed_in(&server, "Budi").await;
    let inbox = desk.get("/").await.body;
    let at = |t: &str| inbox.find(t).unwrap_or_else(|| panic!("{t}: {inbox}"));
    let order = [
        "KP-20261120-CDFH",
        "KP-20261126-CDFH",
        "KP-20261201-CDFH",
        "KP-20261119-CDFH",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{inbox}");
    // Due Friday 27 November: Monday to Thursday since.
    assert!(inbox.contains("badge-late\">lewat 4 hari kerja"), "{inbox}");
    assert!(
        inbox.contains("badge-soon\">jatuh tempo hari ini"),
        "{inbox}"
    );
    for (filter, ticket) in [
        ("hari-ini", "KP-20261126-CDFH"),
        ("lewat", "KP-20261120-CDFH"),
    ] {
        let page = desk.get(&format!("/?batas={filter}")).await.body;
        assert!(
            page.contains("1 kasus:") && page.contains(ticket),
            "{filter}: {page}"
        );
    }

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
    let relay = SmtpServer::down();
    let port = relay.port;
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
